//! The running mean and variance river's detectors keep (`river.stats.Mean`, `river.stats.Var`),
//! with river's exact update order so that detections happen on the same observation.

/// Incremental mean: n += 1; mean += (1 / n) · (x − mean).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct RunningMean {
    pub n: f64,
    pub mean: f64,
}

impl RunningMean {
    pub(crate) fn update(&mut self, x: f64) {
        self.n += 1.0;
        self.mean += (1.0 / self.n) * (x - self.mean);
    }
}

/// Welford's variance on top of [`RunningMean`], ddof = 1 (0 until there are two values).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct RunningVar {
    pub mean: RunningMean,
    s: f64,
}

impl RunningVar {
    pub(crate) fn update(&mut self, x: f64) {
        let old = self.mean.mean;
        self.mean.update(x);
        self.s += (x - old) * (x - self.mean.mean);
    }

    pub(crate) fn variance(&self) -> f64 {
        if self.mean.n > 1.0 {
            self.s / (self.mean.n - 1.0)
        } else {
            0.0
        }
    }
}
