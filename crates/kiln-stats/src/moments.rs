//! Single-pass streaming moments up to the fourth order, mergeable across chunks and threads.
//!
//! [`Moments`] keeps count, mean and the central sums M2, M3, M4 with the update and combination
//! formulas of Welford (1962) and Pébay (2008), so a file read in chunks, or a column split over
//! rayon workers, gives the same mean, variance, skewness and kurtosis as the two-pass functions
//! in [`crate::descriptive`] (to about 1e-12 relative). NaN policy: NaN is counted as missing
//! and skipped; accessors return [`StatsError::Empty`] / [`StatsError::TooFew`] when there is not
//! enough data.

use crate::descriptive::{kurtosis_from, skewness_from};
use crate::error::{Result, StatsError};

/// Streaming accumulator of the first four moments, min and max.
///
/// ```
/// use kiln_stats::moments::Moments;
/// let mut a = Moments::new();
/// a.extend(&[1.0, 2.0, f64::NAN]);
/// let mut b = Moments::new();
/// b.extend(&[3.0, 10.0]);
/// a.merge(&b);
/// assert_eq!((a.count(), a.missing()), (4, 1));
/// assert!((a.skewness(true).unwrap() - 1.0182337649086284).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    n: u64,
    missing: u64,
    /// The first value seen; moments are accumulated on `x - shift`, which keeps data far from
    /// zero (1e6 ± 1) as well-conditioned as data near zero.
    shift: f64,
    /// Mean of `x - shift`.
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
    min: f64,
    max: f64,
}

impl Moments {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            ..Self::default()
        }
    }

    /// Adds one value; NaN is counted as missing.
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            self.missing += 1;
            return;
        }
        if self.n == 0 {
            self.shift = x;
        }
        let x = x - self.shift;
        let n1 = self.n as f64;
        self.n += 1;
        let n = self.n as f64;
        let delta = x - self.mean;
        let delta_n = delta / n;
        let delta_n2 = delta_n * delta_n;
        let term1 = delta * delta_n * n1;
        self.mean += delta_n;
        self.m4 += term1 * delta_n2 * (n * n - 3.0 * n + 3.0) + 6.0 * delta_n2 * self.m2
            - 4.0 * delta_n * self.m3;
        self.m3 += term1 * delta_n * (n - 2.0) - 3.0 * delta_n * self.m2;
        self.m2 += term1;
        self.min = self.min.min(x + self.shift);
        self.max = self.max.max(x + self.shift);
    }

    /// Adds every value of a slice.
    pub fn extend(&mut self, xs: &[f64]) {
        for &x in xs {
            self.push(x);
        }
    }

    /// Combines another accumulator into this one (Pébay's pairwise formulas), as if its values
    /// had been pushed here.
    pub fn merge(&mut self, other: &Moments) {
        self.missing += other.missing;
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            let missing = self.missing;
            *self = *other;
            self.missing = missing;
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let delta = (other.shift - self.shift) + (other.mean - self.mean);
        let d2 = delta * delta;
        let d3 = d2 * delta;
        let d4 = d2 * d2;
        let m2 = self.m2 + other.m2 + d2 * na * nb / n;
        let m3 = self.m3
            + other.m3
            + d3 * na * nb * (na - nb) / (n * n)
            + 3.0 * delta * (na * other.m2 - nb * self.m2) / n;
        let m4 = self.m4
            + other.m4
            + d4 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
            + 6.0 * d2 * (na * na * other.m2 + nb * nb * self.m2) / (n * n)
            + 4.0 * delta * (na * other.m3 - nb * self.m3) / n;
        self.mean += delta * nb / n;
        self.m2 = m2;
        self.m3 = m3;
        self.m4 = m4;
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Non-missing values seen.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Missing (NaN) values seen.
    pub fn missing(&self) -> u64 {
        self.missing
    }

    fn need(&self, needed: u64, what: &'static str) -> Result<()> {
        if self.n == 0 {
            return Err(StatsError::Empty { arg: "moments" });
        }
        if self.n < needed {
            return Err(StatsError::TooFew {
                arg: "moments",
                got: self.n as usize,
                needed: needed as usize,
                what,
            });
        }
        Ok(())
    }

    fn need_spread(&self, what: &'static str) -> Result<()> {
        if self.m2 / self.n as f64 <= (1e-15 * (self.shift + self.mean)).powi(2) {
            return Err(StatsError::ZeroVariance {
                arg: "moments",
                what,
            });
        }
        Ok(())
    }

    /// Mean of the values seen.
    pub fn mean(&self) -> Result<f64> {
        self.need(1, "mean")?;
        Ok(self.shift + self.mean)
    }

    /// Variance with `ddof` (needs more than `ddof` values).
    pub fn variance(&self, ddof: usize) -> Result<f64> {
        self.need(ddof as u64 + 1, "variance with this ddof")?;
        Ok(self.m2 / (self.n - ddof as u64) as f64)
    }

    /// Skewness, biased or adjusted exactly as [`crate::descriptive::skewness`].
    pub fn skewness(&self, bias: bool) -> Result<f64> {
        self.need(if bias { 1 } else { 3 }, "unbiased skewness")?;
        self.need_spread("skewness")?;
        let n = self.n as f64;
        Ok(skewness_from(n, self.m2 / n, self.m3 / n, bias))
    }

    /// Excess kurtosis, biased or adjusted exactly as [`crate::descriptive::kurtosis`].
    pub fn kurtosis(&self, bias: bool) -> Result<f64> {
        self.need(if bias { 1 } else { 4 }, "unbiased kurtosis")?;
        self.need_spread("kurtosis")?;
        let n = self.n as f64;
        Ok(kurtosis_from(n, self.m2 / n, self.m4 / n, bias))
    }

    /// Smallest value seen.
    pub fn min(&self) -> Result<f64> {
        self.need(1, "min")?;
        Ok(self.min)
    }

    /// Largest value seen.
    pub fn max(&self) -> Result<f64> {
        self.need(1, "max")?;
        Ok(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptive;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rayon::prelude::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(1e-300)
    }

    #[test]
    fn chunked_and_parallel_merges_match_two_pass_within_1e_10() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        // Skewed, offset data: exp of a normal-ish variable, shifted far from zero.
        let x: Vec<f64> = (0..100_003)
            .map(|_| 1e3 + (rng.random::<f64>() * 3.0).exp() + rng.random::<f64>())
            .collect();
        let parallel = x
            .par_chunks(997)
            .map(|c| {
                let mut m = Moments::new();
                m.extend(c);
                m
            })
            .reduce(Moments::new, |mut a, b| {
                a.merge(&b);
                a
            });
        let mut serial = Moments::new();
        serial.extend(&x);
        for m in [parallel, serial] {
            // Tolerance: 1e-10 relative, as the streaming contract promises.
            assert!(rel(m.mean().unwrap(), descriptive::mean(&x).unwrap()) < 1e-10);
            assert!(
                rel(
                    m.variance(1).unwrap(),
                    descriptive::variance(&x, 1).unwrap()
                ) < 1e-10
            );
            assert!(
                rel(
                    m.skewness(false).unwrap(),
                    descriptive::skewness(&x, false).unwrap()
                ) < 1e-10
            );
            assert!(
                rel(
                    m.kurtosis(false).unwrap(),
                    descriptive::kurtosis(&x, false).unwrap()
                ) < 1e-10
            );
            assert!(
                rel(
                    m.kurtosis(true).unwrap(),
                    descriptive::kurtosis(&x, true).unwrap()
                ) < 1e-10
            );
            assert_eq!(m.min().unwrap(), descriptive::min(&x).unwrap());
            assert_eq!(m.count(), x.len() as u64);
        }
    }

    #[test]
    fn empty_and_constant_are_errors() {
        let m = Moments::new();
        assert_eq!(
            m.mean().unwrap_err().to_string(),
            "`moments` is empty; expected at least one value"
        );
        let mut c = Moments::new();
        c.extend(&[4.0; 5]);
        assert_eq!(
            c.skewness(true).unwrap_err().to_string(),
            "`moments` has zero variance; skewness needs values that vary"
        );
        assert_eq!(c.variance(0).unwrap(), 0.0);
    }
}
