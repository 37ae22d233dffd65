//! Elliptic envelope (`EllipticEnvelopeSpec` → `FittedEllipticEnvelope`), as scikit-learn's.
//!
//! Fits a robust location and covariance by minimum covariance determinant (see `mcd`) and
//! scores a row by its negative squared Mahalanobis distance to that ellipse; the offset puts
//! a `contamination` share of the training rows outside. Suited to roughly Gaussian data, where
//! the robust fit ignores the outliers that would inflate an ordinary covariance.

use ndarray::{Array1, Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::mcd::{mahalanobis, min_cov_det};
use super::{check_contamination, contamination_offset};
use crate::cluster::rows::Rows;
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features, check_predict};

/// Hyper-parameters of the elliptic envelope.
///
/// ```
/// use kiln_models::EllipticEnvelopeSpec;
/// use ndarray::Array2;
///
/// let mut x = Array2::from_shape_fn((100, 2), |(i, j)| (((i * 7 + j * 13) % 17) as f64 - 8.0) / 4.0);
/// x[[5, 0]] = 40.0;
/// let model = EllipticEnvelopeSpec::default().fit(x.view())?;
/// assert!(model.score_samples(x.view())?[5] < model.offset); // below the offset: an outlier
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EllipticEnvelopeSpec {
    /// Share of rows in the raw MCD support, in (0, 1]; None is (n + p + 1) / 2 rows.
    pub support_fraction: Option<f64>,
    /// Expected share of outliers in (0, 0.5].
    pub contamination: f64,
    /// Seed of the FastMCD random starts.
    pub seed: u64,
}

impl Default for EllipticEnvelopeSpec {
    fn default() -> Self {
        EllipticEnvelopeSpec {
            support_fraction: None,
            contamination: 0.1,
            seed: 0,
        }
    }
}

impl EllipticEnvelopeSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if let Some(f) = self.support_fraction
            && !(f > 0.0 && f <= 1.0)
        {
            return Err(ModelError::param(
                "support_fraction",
                "a fraction in (0, 1]",
                f,
            ));
        }
        check_contamination(Some(self.contamination))
    }

    /// Fits the robust ellipse to the rows of `x` (more rows than features, no NaN or infinity).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedEllipticEnvelope> {
        self.check()?;
        check_features(x, "x", NanPolicy::Reject)?;
        let rows = Rows::new(x);
        let (n, d) = (rows.n, rows.d);
        if n <= d {
            return Err(ModelError::param(
                "x",
                format!("more rows than features ({d})"),
                format!("{n} rows"),
            ));
        }
        let h = match self.support_fraction {
            None => (0.5 * (n + d + 1) as f64).ceil() as usize,
            Some(f) => ((f * n as f64) as usize).max(1),
        }
        .min(n);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let robust = min_cov_det(&rows, h, &mut rng)?;
        let e = &robust.estimate;
        let scores: Vec<f64> = (0..n).map(|i| -e.distance(rows.row(i))).collect();
        let offset = contamination_offset(&scores, self.contamination)?;
        let square = |v: &[f64]| {
            Array2::from_shape_vec((d, d), v.to_vec())
                .map_err(|err| ModelError::param("x", "a square covariance", err))
        };
        Ok(FittedEllipticEnvelope {
            location: e.location.clone(),
            covariance: square(&e.covariance)?,
            precision: square(&e.precision)?,
            raw_location: robust.raw_location,
            raw_covariance: square(&robust.raw_covariance)?,
            support: robust.support,
            offset,
            n_features: d,
        })
    }
}

/// A fitted elliptic envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedEllipticEnvelope {
    /// Robust (reweighted) location.
    pub location: Vec<f64>,
    /// Robust (reweighted) covariance.
    pub covariance: Array2<f64>,
    /// Its pseudo-inverse.
    pub precision: Array2<f64>,
    /// Location of the raw MCD support.
    pub raw_location: Vec<f64>,
    /// Covariance of the raw MCD support (before the consistency correction).
    pub raw_covariance: Array2<f64>,
    /// Training rows used for the reweighted estimate.
    pub support: Vec<bool>,
    /// Decision threshold on `score_samples`.
    pub offset: f64,
    /// Features seen at fit time.
    pub n_features: usize,
}

impl FittedEllipticEnvelope {
    /// Squared Mahalanobis distance of each row to the robust location.
    pub fn mahalanobis(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let precision: Vec<f64> = self.precision.iter().copied().collect();
        Ok(x.rows()
            .into_iter()
            .map(|r| mahalanobis(&r.to_vec(), &self.location, &precision))
            .collect())
    }

    /// Negative squared Mahalanobis distance: higher is more normal.
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        Ok(self.mahalanobis(x)?.mapv(|d| -d))
    }
}
