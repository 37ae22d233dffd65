//! Prometheus metrics, written by hand: a few counter families and one latency histogram over
//! atomics, rendered in the text exposition format.
//!
//! Label values are bounded by construction: routes are a fixed list, models and versions only
//! those served (a request for an unknown model counts under `model=""`), error codes a fixed
//! set. So a flood of bad requests cannot grow the series without bound.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A family of counters keyed by label values.
#[derive(Debug)]
struct Family<K: Ord> {
    series: RwLock<BTreeMap<K, Arc<AtomicU64>>>,
}

impl<K: Ord> Default for Family<K> {
    fn default() -> Self {
        Family {
            series: RwLock::new(BTreeMap::new()),
        }
    }
}

impl<K: Ord + Clone> Family<K> {
    fn counter(&self, key: &K) -> Arc<AtomicU64> {
        // Counters are plain integers: a panic elsewhere cannot leave the map inconsistent, so
        // a poisoned lock is still safe to use.
        if let Some(c) = self
            .series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
        {
            return c.clone();
        }
        self.series
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone()
    }

    fn add(&self, key: &K, n: u64) {
        self.counter(key).fetch_add(n, Ordering::Relaxed);
    }

    fn get(&self, key: &K) -> u64 {
        self.series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    fn snapshot(&self) -> Vec<(K, u64)> {
        self.series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
            .collect()
    }
}

/// Latency histogram of one model version.
#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        // Buckets are cumulative in the exposition; storing them per bucket and summing on
        // render keeps observe to one increment.
        if let Some(i) = LATENCY_BUCKETS.iter().position(|&b| secs <= b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// `(route, model, version, status)`.
type RequestKey = (&'static str, String, String, u16);
/// `(model, version)`.
type ModelKey = (String, String);

/// All counters of one server.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Family<RequestKey>,
    errors: Family<(&'static str, &'static str)>,
    rows_scored: Family<ModelKey>,
    reloads: Family<String>,
    reload_failures: Family<String>,
    latency: RwLock<BTreeMap<ModelKey, Arc<Histogram>>>,
    log_dropped_rows: AtomicU64,
    log_write_failures: AtomicU64,
}

impl Metrics {
    /// Counts one finished request.
    pub fn request(&self, route: &'static str, model: &str, version: &str, status: u16) {
        self.requests
            .add(&(route, model.to_string(), version.to_string(), status), 1);
    }

    /// Counts one error response by code.
    pub fn error(&self, route: &'static str, code: &'static str) {
        self.errors.add(&(route, code), 1);
    }

    /// Records the latency of a scoring request.
    pub fn latency(&self, model: &str, version: &str, elapsed: Duration) {
        let key = (model.to_string(), version.to_string());
        let existing = self
            .latency
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        let h = match existing {
            Some(h) => h,
            None => self
                .latency
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key)
                .or_default()
                .clone(),
        };
        h.observe(elapsed);
    }

    /// Counts scored rows.
    pub fn rows_scored(&self, model: &str, version: &str, rows: usize) {
        self.rows_scored
            .add(&(model.to_string(), version.to_string()), rows as u64);
    }

    /// Counts a successful model swap.
    pub fn reload(&self, model: &str) {
        self.reloads.add(&model.to_string(), 1);
    }

    /// Counts a version that failed to load (the old one kept serving).
    pub fn reload_failure(&self, model: &str) {
        self.reload_failures.add(&model.to_string(), 1);
    }

    /// Counts prediction-log rows dropped because the writer fell behind.
    pub fn log_dropped(&self, rows: usize) {
        self.log_dropped_rows
            .fetch_add(rows as u64, Ordering::Relaxed);
    }

    /// Counts a log file that could not be written.
    pub fn log_write_failure(&self) {
        self.log_write_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Successful reloads of `model` so far.
    pub fn reloads_of(&self, model: &str) -> u64 {
        self.reloads.get(&model.to_string())
    }

    /// Failed reloads of `model` so far.
    pub fn reload_failures_of(&self, model: &str) -> u64 {
        self.reload_failures.get(&model.to_string())
    }

    /// Rows dropped from the prediction log so far.
    pub fn log_dropped_rows(&self) -> u64 {
        self.log_dropped_rows.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        header(
            &mut out,
            "kiln_serve_requests_total",
            "counter",
            "HTTP requests by route, model, version and status.",
        );
        for ((route, model, version, status), v) in self.requests.snapshot() {
            line(
                &mut out,
                "kiln_serve_requests_total",
                &[
                    ("route", route),
                    ("model", &model),
                    ("version", &version),
                    ("status", &status.to_string()),
                ],
                v,
            );
        }
        header(
            &mut out,
            "kiln_serve_errors_total",
            "counter",
            "Error responses by route and error code.",
        );
        for ((route, code), v) in self.errors.snapshot() {
            line(
                &mut out,
                "kiln_serve_errors_total",
                &[("route", route), ("code", code)],
                v,
            );
        }
        header(
            &mut out,
            "kiln_serve_request_duration_seconds",
            "histogram",
            "Latency of scoring requests by model and version.",
        );
        let hists: Vec<(ModelKey, Arc<Histogram>)> = self
            .latency
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, h)| (k.clone(), h.clone()))
            .collect();
        for ((model, version), h) in hists {
            let mut cumulative = 0;
            for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&h.buckets) {
                cumulative += bucket.load(Ordering::Relaxed);
                line(
                    &mut out,
                    "kiln_serve_request_duration_seconds_bucket",
                    &[
                        ("model", &model),
                        ("version", &version),
                        ("le", &bound.to_string()),
                    ],
                    cumulative,
                );
            }
            let count = h.count.load(Ordering::Relaxed);
            let labels = [("model", model.as_str()), ("version", version.as_str())];
            line(
                &mut out,
                "kiln_serve_request_duration_seconds_bucket",
                &[labels[0], labels[1], ("le", "+Inf")],
                count,
            );
            let sum = h.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(
                out,
                "kiln_serve_request_duration_seconds_sum{} {sum}",
                label_set(&labels)
            );
            line(
                &mut out,
                "kiln_serve_request_duration_seconds_count",
                &labels,
                count,
            );
        }
        header(
            &mut out,
            "kiln_serve_rows_scored_total",
            "counter",
            "Rows scored by model and version.",
        );
        for ((model, version), v) in self.rows_scored.snapshot() {
            line(
                &mut out,
                "kiln_serve_rows_scored_total",
                &[("model", &model), ("version", &version)],
                v,
            );
        }
        header(
            &mut out,
            "kiln_serve_reloads_total",
            "counter",
            "Model versions swapped in after an alias moved or a reload was requested.",
        );
        for (model, v) in self.reloads.snapshot() {
            line(
                &mut out,
                "kiln_serve_reloads_total",
                &[("model", &model)],
                v,
            );
        }
        header(
            &mut out,
            "kiln_serve_reload_failures_total",
            "counter",
            "Model versions that failed to load; the previous version kept serving.",
        );
        for (model, v) in self.reload_failures.snapshot() {
            line(
                &mut out,
                "kiln_serve_reload_failures_total",
                &[("model", &model)],
                v,
            );
        }
        header(
            &mut out,
            "kiln_serve_prediction_log_dropped_rows_total",
            "counter",
            "Scored rows not written to the prediction log because its writer fell behind.",
        );
        line(
            &mut out,
            "kiln_serve_prediction_log_dropped_rows_total",
            &[],
            self.log_dropped_rows(),
        );
        header(
            &mut out,
            "kiln_serve_log_write_failures_total",
            "counter",
            "Prediction or feedback log files that could not be written.",
        );
        line(
            &mut out,
            "kiln_serve_log_write_failures_total",
            &[],
            self.log_write_failures.load(Ordering::Relaxed),
        );
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn line(out: &mut String, name: &str, labels: &[(&str, &str)], value: u64) {
    let _ = writeln!(out, "{name}{} {value}", label_set(labels));
}

/// `{a="x",b="y"}` with values escaped as the exposition format requires.
fn label_set(labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            let escaped = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{escaped}\"")
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.request("predict", "churn", "2", 200);
        m.request("predict", "churn", "2", 200);
        m.error("predict", "schema_mismatch");
        m.latency("churn", "2", Duration::from_micros(800));
        m.latency("churn", "2", Duration::from_millis(30));
        m.rows_scored("churn", "2", 7);
        m.reload("churn");
        m.log_dropped(3);
        let text = m.render();
        for want in [
            "kiln_serve_requests_total{route=\"predict\",model=\"churn\",version=\"2\",status=\"200\"} 2",
            "kiln_serve_errors_total{route=\"predict\",code=\"schema_mismatch\"} 1",
            "kiln_serve_request_duration_seconds_bucket{model=\"churn\",version=\"2\",le=\"0.0005\"} 0",
            "kiln_serve_request_duration_seconds_bucket{model=\"churn\",version=\"2\",le=\"0.001\"} 1",
            "kiln_serve_request_duration_seconds_bucket{model=\"churn\",version=\"2\",le=\"0.05\"} 2",
            "kiln_serve_request_duration_seconds_bucket{model=\"churn\",version=\"2\",le=\"+Inf\"} 2",
            "kiln_serve_request_duration_seconds_count{model=\"churn\",version=\"2\"} 2",
            "kiln_serve_rows_scored_total{model=\"churn\",version=\"2\"} 7",
            "kiln_serve_reloads_total{model=\"churn\"} 1",
            "kiln_serve_prediction_log_dropped_rows_total 3",
            "# TYPE kiln_serve_request_duration_seconds histogram",
        ] {
            assert!(text.contains(want), "missing {want} in\n{text}");
        }
        // Exact: 0.0008 + 0.030 s, summed in whole nanoseconds.
        assert!(
            text.contains(
                "kiln_serve_request_duration_seconds_sum{model=\"churn\",version=\"2\"} 0.0308"
            ),
            "{text}"
        );
        assert_eq!(label_set(&[("a", "x\"y\\")]), "{a=\"x\\\"y\\\\\"}");
    }
}
