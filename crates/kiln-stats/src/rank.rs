//! Ranking with ties: average ("fractional") ranks and tie-group sizes, as
//! `scipy.stats.rankdata(method="average")`. Spearman, Mann–Whitney and the rank-based tests share
//! this one implementation.

/// Average ranks (1-based) of `x`, and the sizes of the tie groups larger than one.
/// Callers have already rejected NaN.
pub(crate) fn average_ranks(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let n = x.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; n];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && x[order[j]] == x[order[i]] {
            j += 1;
        }
        // Positions i..j (0-based) share the mean of ranks i+1..=j.
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = r;
        }
        if j - i > 1 {
            ties.push(j - i);
        }
        i = j;
    }
    (ranks, ties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_average_rank() {
        let (r, t) = average_ranks(&[10.0, 20.0, 10.0, 5.0, 20.0, 20.0]);
        assert_eq!(r, vec![2.5, 5.0, 2.5, 1.0, 5.0, 5.0]);
        assert_eq!(t, vec![2, 3]);
    }
}
