//! Support vector machines, as in scikit-learn: kernel `SvcSpec` / `SvrSpec` (libsvm's
//! algorithm) and `LinearSvcSpec` (liblinear's dual coordinate descent).
//!
//! The kernel models share one solver: `solver` is libsvm's SMO with WSS3 working-set selection
//! and shrinking, reading kernel columns through `qmatrix`, which keeps them in the bounded LRU
//! `cache` so memory stays within `cache_size_mb` however many rows there are. `kernel` defines
//! the kernels and scikit-learn's `gamma` rules, `platt` the cross-validated sigmoid fit behind
//! `probability = true`, `svc` and `svr` the estimators, and `linear` the linear SVM.

mod cache;
mod kernel;
mod linear;
mod platt;
mod qmatrix;
mod solver;
mod svc;
mod svr;

pub use kernel::{Gamma, Kernel};
pub use linear::{FittedLinearSvc, LinearSvcLoss, LinearSvcSpec};
pub use svc::{FittedSvc, SvcSpec};
pub use svr::{FittedSvr, SvrSpec};

use crate::error::{ModelError, Result};

/// Default kernel-column cache in MiB (scikit-learn's `cache_size`).
pub(crate) const DEFAULT_CACHE_MB: f64 = 200.0;

/// Checks the hyper-parameters the kernel SVMs share.
pub(crate) fn check_kernel_params(
    c: f64,
    kernel: &KernelSpecRef<'_>,
    tol: f64,
    cache_size_mb: f64,
    max_iter: Option<usize>,
) -> Result<()> {
    if !(c.is_finite() && c > 0.0) {
        return Err(ModelError::param("c", "a finite number > 0", c));
    }
    if let Gamma::Value(g) = *kernel.gamma
        && !(g.is_finite() && g > 0.0)
    {
        return Err(ModelError::param(
            "gamma",
            "\"scale\", \"auto\" or a finite value > 0",
            g,
        ));
    }
    if !kernel.coef0.is_finite() {
        return Err(ModelError::param("coef0", "a finite number", kernel.coef0));
    }
    if kernel.kernel == Kernel::Poly && kernel.degree == 0 {
        return Err(ModelError::param(
            "degree",
            "at least 1 for the polynomial kernel",
            0,
        ));
    }
    if !(tol.is_finite() && tol > 0.0) {
        return Err(ModelError::param("tol", "a finite number > 0", tol));
    }
    if !(cache_size_mb.is_finite() && cache_size_mb > 0.0) {
        return Err(ModelError::param(
            "cache_size_mb",
            "a finite number of MiB > 0",
            cache_size_mb,
        ));
    }
    if max_iter == Some(0) {
        return Err(ModelError::param(
            "max_iter",
            "at least 1, or none for libsvm's bound",
            0,
        ));
    }
    Ok(())
}

/// The kernel fields of a spec, borrowed for checking and resolving.
pub(crate) struct KernelSpecRef<'a> {
    pub kernel: Kernel,
    pub gamma: &'a Gamma,
    pub degree: u32,
    pub coef0: f64,
}
