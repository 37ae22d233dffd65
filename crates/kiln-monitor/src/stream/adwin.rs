//! ADWIN, adaptive windowing (Bifet & Gavaldà, 2007), with river's (`river.drift.ADWIN`)
//! exponential-histogram window, arithmetic order and defaults.
//!
//! The window is kept as rows of buckets: row i holds up to `max_buckets + 1` summaries (sum and
//! variance) of 2^i values each, oldest first; a full row merges its two oldest buckets into one
//! of the next row. Every `clock` values, once the window is longer than `grace_period`, every
//! split of the window into an older part W0 and a newer part W1 (both at least
//! `min_window_length` long) is checked, oldest buckets first: when |mean(W0) − mean(W1)| > ε_cut,
//! with
//!
//! ```text
//! δ' = ln(2 ln(n) / δ),  m = 1/(n0 − mwl + 1) + 1/(n1 − mwl + 1),
//! ε_cut = sqrt(2 m σ²_W δ') + (2/3) δ' m
//! ```
//!
//! (n the window length, σ²_W its variance), the oldest bucket is dropped and the checks start
//! over. A change found on a value is reported as drift on it; as in river, the next value then
//! starts from an empty window.

use serde::{Deserialize, Serialize};

use crate::error::{MonitorError, Result};

/// ADWIN settings; the defaults are river's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdwinSpec {
    /// Confidence δ of the cut test (0.002).
    pub delta: f64,
    /// Check for a change every this many values (32).
    pub clock: usize,
    /// Buckets per row before two merge (5).
    pub max_buckets: usize,
    /// Shortest sub-window a cut may leave (5).
    pub min_window_length: usize,
    /// Values before any check (10).
    pub grace_period: usize,
}

impl Default for AdwinSpec {
    fn default() -> Self {
        AdwinSpec {
            delta: 0.002,
            clock: 32,
            max_buckets: 5,
            min_window_length: 5,
            grace_period: 10,
        }
    }
}

impl AdwinSpec {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if !(self.delta > 0.0 && self.delta < 1.0) {
            return Err(MonitorError::spec(
                "adwin.delta",
                format!("{} is not strictly between 0 and 1", self.delta),
            ));
        }
        for (name, v, min) in [
            ("adwin.clock", self.clock, 1),
            ("adwin.max_buckets", self.max_buckets, 2),
            ("adwin.min_window_length", self.min_window_length, 1),
        ] {
            if v < min {
                return Err(MonitorError::spec(name, format!("{v} is below {min}")));
            }
        }
        Ok(())
    }

    /// A fresh detector.
    pub fn build(&self) -> Result<Adwin> {
        self.check()?;
        Ok(Adwin {
            spec: self.clone(),
            window: Window::default(),
            drift: false,
        })
    }
}

/// The bucketed window.
#[derive(Debug, Clone, PartialEq, Default)]
struct Window {
    /// rows[i]: (sum, variance) of buckets of 2^i values, oldest first.
    rows: Vec<Vec<(f64, f64)>>,
    total: f64,
    variance: f64,
    width: f64,
    tick: u64,
}

impl Window {
    fn insert(&mut self, value: f64, max_buckets: usize) {
        if self.rows.is_empty() {
            self.rows.push(Vec::with_capacity(max_buckets + 1));
        }
        self.rows[0].push((value, 0.0));
        self.width += 1.0;
        let mut increment = 0.0;
        if self.width > 1.0 {
            let d = value - self.total / (self.width - 1.0);
            increment = (self.width - 1.0) * d * d / self.width;
        }
        self.variance += increment;
        self.total += value;
        self.compress(max_buckets);
    }

    fn compress(&mut self, max_buckets: usize) {
        let mut i = 0;
        while self.rows[i].len() == max_buckets + 1 {
            let n = (1u64 << i) as f64;
            let (t0, v0) = self.rows[i][0];
            let (t1, v1) = self.rows[i][1];
            let (m0, m1) = (t0 / n, t1 / n);
            let merged = (t0 + t1, v0 + v1 + n * 0.5 * (m0 - m1) * (m0 - m1));
            if i + 1 == self.rows.len() {
                self.rows.push(Vec::with_capacity(max_buckets + 1));
            }
            self.rows[i + 1].push(merged);
            self.rows[i].drain(..2);
            if self.rows[i + 1].len() <= max_buckets {
                break;
            }
            i += 1;
        }
    }

    /// Drops the oldest bucket.
    fn drop_oldest(&mut self) {
        let last = self.rows.len() - 1;
        let n = (1u64 << last) as f64;
        let (u, v) = self.rows[last][0];
        let mu = u / n;
        self.width -= n;
        self.total -= u;
        let mu_window = self.total / self.width;
        self.variance -=
            v + n * self.width * (mu - mu_window) * (mu - mu_window) / (n + self.width);
        self.rows[last].remove(0);
        if self.rows[last].is_empty() {
            self.rows.pop();
        }
    }

    fn cut(&self, n0: f64, n1: f64, delta_mean: f64, spec: &AdwinSpec) -> bool {
        let mwl = spec.min_window_length as f64;
        let delta_prime = (2.0 * self.width.ln() / spec.delta).ln();
        let m = 1.0 / (n0 - mwl + 1.0) + 1.0 / (n1 - mwl + 1.0);
        let epsilon = (2.0 * m * (self.variance / self.width) * delta_prime).sqrt()
            + 2.0 / 3.0 * delta_prime * m;
        delta_mean.abs() > epsilon
    }

    /// One pass over the splits, oldest buckets first; true when a cut dropped a bucket.
    fn cut_once(&mut self, spec: &AdwinSpec) -> bool {
        let mwl = spec.min_window_length as f64;
        let (mut n0, mut n1, mut u0, mut u1) = (0.0, self.width, 0.0, self.total);
        for i in (0..self.rows.len()).rev() {
            let size = (1u64 << i) as f64;
            let len = self.rows[i].len();
            for k in 0..len {
                let t = self.rows[i][k].0;
                n0 += size;
                n1 -= size;
                u0 += t;
                u1 -= t;
                if i == 0 && k == len - 1 {
                    return false;
                }
                let delta_mean = u0 / n0 - u1 / n1;
                if n1 >= mwl && n0 >= mwl && self.cut(n0, n1, delta_mean, spec) && self.width > 0.0
                {
                    self.drop_oldest();
                    return true;
                }
            }
        }
        false
    }

    fn detect(&mut self, spec: &AdwinSpec) -> bool {
        self.tick += 1;
        let mut change = false;
        if self.tick.is_multiple_of(spec.clock as u64) && self.width > spec.grace_period as f64 {
            while self.cut_once(spec) {
                change = true;
            }
        }
        change
    }
}

/// An ADWIN detector.
///
/// ```
/// use kiln_monitor::stream::AdwinSpec;
/// let mut adwin = AdwinSpec::default().build()?;
/// let stream = (0..2000).map(|i| if i < 1000 { (i % 7) as f64 } else { 3.0 + (i % 7) as f64 });
/// let hits: Vec<usize> = stream.enumerate().filter(|(_, x)| adwin.update(*x)).map(|(i, _)| i).collect();
/// assert!(!hits.is_empty() && hits[0] >= 1000);
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Adwin {
    spec: AdwinSpec,
    window: Window,
    drift: bool,
}

impl Adwin {
    /// Adds one value; returns true when a change is detected on it. A non-finite value is
    /// skipped (returns false and changes nothing).
    pub fn update(&mut self, x: f64) -> bool {
        if !x.is_finite() {
            return false;
        }
        if self.drift {
            self.reset();
        }
        self.window.insert(x, self.spec.max_buckets);
        self.drift = self.window.detect(&self.spec);
        self.drift
    }

    /// True when the last value signalled drift.
    pub fn drift(&self) -> bool {
        self.drift
    }

    /// Values in the current window.
    pub fn width(&self) -> usize {
        self.window.width as usize
    }

    /// Mean of the current window (0 when empty).
    pub fn estimation(&self) -> f64 {
        if self.window.width == 0.0 {
            0.0
        } else {
            self.window.total / self.window.width
        }
    }

    /// Forgets everything seen.
    pub fn reset(&mut self) {
        self.window = Window::default();
        self.drift = false;
    }
}
