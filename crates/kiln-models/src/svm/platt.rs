//! Platt scaling as libsvm does it: a sigmoid `P(y = 1 | f) = 1 / (1 + exp(A f + B))` fitted by
//! Newton's method with backtracking on decision values from 5-fold cross-validation (Lin, Lin
//! and Weng 2007), and Wu, Lin and Weng's (2004) pairwise coupling of the one-vs-one sigmoids into
//! class probabilities.

/// Fits `(A, B)` on decision values and ±1 labels (libsvm's `sigmoid_train`).
pub(crate) fn sigmoid_train(dec: &[f64], labels: &[f64]) -> (f64, f64) {
    let prior1 = labels.iter().filter(|&&y| y > 0.0).count() as f64;
    let prior0 = dec.len() as f64 - prior1;
    const MAX_ITER: usize = 100;
    const MIN_STEP: f64 = 1e-10;
    const SIGMA: f64 = 1e-12;
    const EPS: f64 = 1e-5;
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let t: Vec<f64> = labels
        .iter()
        .map(|&y| if y > 0.0 { hi } else { lo })
        .collect();
    let objective = |a: f64, b: f64| -> f64 {
        dec.iter()
            .zip(&t)
            .map(|(&f, &ti)| {
                let fapb = f * a + b;
                if fapb >= 0.0 {
                    ti * fapb + (-fapb).exp().ln_1p()
                } else {
                    (ti - 1.0) * fapb + fapb.exp().ln_1p()
                }
            })
            .sum()
    };
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let mut fval = objective(a, b);
    for _ in 0..MAX_ITER {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (SIGMA, SIGMA, 0.0, 0.0, 0.0);
        for (&f, &ti) in dec.iter().zip(&t) {
            let fapb = f * a + b;
            let (p, q) = if fapb >= 0.0 {
                let e = (-fapb).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = fapb.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += f * f * d2;
            h22 += d2;
            h21 += f * d2;
            let d1 = ti - p;
            g1 += f * d1;
            g2 += d1;
        }
        if g1.abs() < EPS && g2.abs() < EPS {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= MIN_STEP {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = objective(na, nb);
            if nf < fval + 0.0001 * step * gd {
                a = na;
                b = nb;
                fval = nf;
                break;
            }
            step /= 2.0;
        }
        if step < MIN_STEP {
            // libsvm reports "line search fails" and keeps the last (A, B).
            break;
        }
    }
    (a, b)
}

/// `P(first class | decision value)` (libsvm's `sigmoid_predict`).
pub(crate) fn sigmoid_predict(dec: f64, a: f64, b: f64) -> f64 {
    let fapb = dec * a + b;
    if fapb >= 0.0 {
        let e = (-fapb).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + fapb.exp())
    }
}

/// Class probabilities from pairwise ones `r[i][j] = P(i | i or j)` (libsvm's
/// `multiclass_probability`, method 2 of Wu, Lin and Weng), written to `p`.
pub(crate) fn couple(r: &[Vec<f64>], p: &mut [f64]) {
    let k = p.len();
    let max_iter = 100.max(k);
    let eps = 0.005 / k as f64;
    let mut q = vec![vec![0.0; k]; k];
    let mut qp = vec![0.0; k];
    for t in 0..k {
        p[t] = 1.0 / k as f64;
        q[t][t] = 0.0;
        for j in 0..t {
            q[t][t] += r[j][t] * r[j][t];
            q[t][j] = q[j][t];
        }
        for j in t + 1..k {
            q[t][t] += r[j][t] * r[j][t];
            q[t][j] = -r[j][t] * r[t][j];
        }
    }
    for _ in 0..max_iter {
        let mut pqp = 0.0;
        for t in 0..k {
            qp[t] = (0..k).map(|j| q[t][j] * p[j]).sum();
            pqp += p[t] * qp[t];
        }
        let max_error = qp.iter().map(|&v| (v - pqp).abs()).fold(0.0f64, f64::max);
        if max_error < eps {
            break;
        }
        for t in 0..k {
            let diff = (-qp[t] + pqp) / q[t][t];
            p[t] += diff;
            pqp = (pqp + diff * (diff * q[t][t] + 2.0 * qp[t])) / (1.0 + diff) / (1.0 + diff);
            for j in 0..k {
                qp[j] = (qp[j] + diff * q[t][j]) / (1.0 + diff);
                p[j] /= 1.0 + diff;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_separates_and_couples_to_one() {
        let dec: Vec<f64> = (0..40).map(|i| (i as f64 - 20.0) / 5.0).collect();
        let labels: Vec<f64> = dec
            .iter()
            .enumerate()
            .map(|(i, &d)| if d > 0.0 || i % 7 == 0 { 1.0 } else { -1.0 })
            .collect();
        let (a, b) = sigmoid_train(&dec, &labels);
        assert!(a < 0.0, "larger decision values are more likely positive");
        assert!(sigmoid_predict(3.0, a, b) > 0.9 && sigmoid_predict(-3.0, a, b) < 0.3);

        let r = vec![
            vec![0.0, 0.7, 0.8],
            vec![0.3, 0.0, 0.6],
            vec![0.2, 0.4, 0.0],
        ];
        let mut p = vec![0.0; 3];
        couple(&r, &mut p);
        // 1e-12: the coupled probabilities are normalised by construction.
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[0] > p[1] && p[1] > p[2]);
    }
}
