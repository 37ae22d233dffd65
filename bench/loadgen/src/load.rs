//! The load itself: a fixed set of workers, a fixed number of requests, and the summary.
//!
//! Each worker holds one keep-alive connection ([`kiln_serve::client::Http`]) and takes the next
//! request number from a shared counter until `requests` have been sent, so the run is bounded
//! in both concurrency and volume. With `rate > 0` request `k` is due at `start + k / rate` and
//! its latency is measured from that due time, not from when a worker got to send it: a server
//! that falls behind shows its queueing delay instead of hiding it (no coordinated omission).
//! With `rate = 0` (closed loop) a worker sends its next request as soon as the reply arrives.
//!
//! A reply other than 200, or a failed connection, counts as an error; its latency is still
//! recorded, and the first one is kept in the summary so a misconfigured run explains itself.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kiln_serve::client::Http;
use serde_json::{Value, json};

use crate::error::{LoadgenError, Result};

/// How much load to send.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadPlan {
    /// Workers, each with one connection (≥ 1).
    pub concurrency: usize,
    /// Requests in total (≥ 1).
    pub requests: usize,
    /// Requests per second for all workers together; 0 = closed loop.
    pub rate: f64,
}

impl LoadPlan {
    /// Checks the plan's numbers.
    pub fn check(&self) -> Result<()> {
        if self.concurrency == 0 {
            return Err(LoadgenError::option("--concurrency", "must be at least 1"));
        }
        if self.requests == 0 {
            return Err(LoadgenError::option("--requests", "must be at least 1"));
        }
        if !(self.rate.is_finite() && self.rate >= 0.0) {
            return Err(LoadgenError::option(
                "--rate",
                format!(
                    "got {}; expected requests per second ≥ 0 (0 = closed loop)",
                    self.rate
                ),
            ));
        }
        Ok(())
    }
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Requests sent (= the plan's `requests`).
    pub requests: usize,
    /// Replies other than 200, and failed connections.
    pub errors: usize,
    /// The first error: status and start of the body, or the I/O error.
    pub first_error: Option<String>,
    /// Wall time of the whole run, in seconds.
    pub seconds: f64,
    /// `requests / seconds`.
    pub throughput_rps: f64,
    /// Latency percentiles (nearest rank) and extremes, in milliseconds.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Mean latency.
    pub mean_ms: f64,
    /// Slowest request.
    pub max_ms: f64,
}

impl Summary {
    /// The summary as JSON fields (merged into the generator's one-line report).
    pub fn to_json(&self) -> Value {
        json!({
            "requests": self.requests,
            "errors": self.errors,
            "first_error": self.first_error,
            "seconds": self.seconds,
            "throughput_rps": self.throughput_rps,
            "p50_ms": self.p50_ms,
            "p90_ms": self.p90_ms,
            "p99_ms": self.p99_ms,
            "p999_ms": self.p999_ms,
            "mean_ms": self.mean_ms,
            "max_ms": self.max_ms,
        })
    }
}

/// The `q` quantile of sorted values by nearest rank (NaN for no values).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Sends the plan's requests to `addr` + `path`, request `k` carrying `bodies[k % len]`.
pub fn run(addr: SocketAddr, path: &str, bodies: &[Vec<u8>], plan: &LoadPlan) -> Result<Summary> {
    plan.check()?;
    if bodies.is_empty() {
        return Err(LoadgenError::option("bodies", "no request bodies to send"));
    }
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(bodies.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let first_error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let path: Arc<str> = Arc::from(path);
    let (requests, rate) = (plan.requests, plan.rate);
    let start = Instant::now();
    let workers: Vec<_> = (0..plan.concurrency)
        .map(|_| {
            let (bodies, next, errors, first_error, path) = (
                bodies.clone(),
                next.clone(),
                errors.clone(),
                first_error.clone(),
                path.clone(),
            );
            std::thread::spawn(move || {
                let mut http = Http::new(addr);
                let mut latencies = Vec::with_capacity(requests / 4 + 1);
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= requests {
                        break;
                    }
                    let due = if rate > 0.0 {
                        let due = start + Duration::from_secs_f64(k as f64 / rate);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        due
                    } else {
                        Instant::now()
                    };
                    let failure = match http.post(&path, &bodies[k % bodies.len()]) {
                        Ok(r) if r.status == 200 => None,
                        Ok(r) => Some(format!(
                            "status {}: {}",
                            r.status,
                            r.text().chars().take(300).collect::<String>()
                        )),
                        Err(e) => Some(format!("request failed: {e}")),
                    };
                    latencies.push(due.elapsed().as_secs_f64());
                    if let Some(message) = failure {
                        errors.fetch_add(1, Ordering::Relaxed);
                        // A poisoned lock only means another worker panicked; the run
                        // reports that as an error below, so the message is not needed.
                        if let Ok(mut slot) = first_error.lock()
                            && slot.is_none()
                        {
                            *slot = Some(message);
                        }
                    }
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<f64> = Vec::with_capacity(requests);
    for w in workers {
        latencies.extend(w.join().map_err(|_| LoadgenError::Worker)?);
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let n = latencies.len();
    let first_error = first_error
        .lock()
        .map_err(|_| LoadgenError::Worker)?
        .clone();
    Ok(Summary {
        requests: n,
        errors: errors.load(Ordering::Relaxed),
        first_error,
        seconds,
        throughput_rps: n as f64 / seconds,
        p50_ms: percentile(&latencies, 0.50) * 1e3,
        p90_ms: percentile(&latencies, 0.90) * 1e3,
        p99_ms: percentile(&latencies, 0.99) * 1e3,
        p999_ms: percentile(&latencies, 0.999) * 1e3,
        mean_ms: latencies.iter().sum::<f64>() / n.max(1) as f64 * 1e3,
        max_ms: latencies.last().copied().unwrap_or(f64::NAN) * 1e3,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v, 1.0), 100.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn bad_plans_name_the_option() {
        let ok = LoadPlan {
            concurrency: 2,
            requests: 10,
            rate: 0.0,
        };
        assert!(ok.check().is_ok());
        for (plan, option) in [
            (
                LoadPlan {
                    concurrency: 0,
                    ..ok.clone()
                },
                "--concurrency",
            ),
            (
                LoadPlan {
                    requests: 0,
                    ..ok.clone()
                },
                "--requests",
            ),
            (
                LoadPlan {
                    rate: -1.0,
                    ..ok.clone()
                },
                "--rate",
            ),
            (
                LoadPlan {
                    rate: f64::NAN,
                    ..ok.clone()
                },
                "--rate",
            ),
        ] {
            let e = plan.check().expect_err("bad plan");
            assert!(e.to_string().starts_with(option), "{e}");
        }
    }

    #[test]
    fn a_refused_connection_is_counted_not_raised() {
        // Bind and drop a listener to get a loopback port that nothing listens on.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("loopback bind");
        let plan = LoadPlan {
            concurrency: 2,
            requests: 6,
            rate: 0.0,
        };
        let s = run(addr, "/predict", &[b"{}".to_vec()], &plan).expect("the run itself works");
        assert_eq!((s.requests, s.errors), (6, 6));
        assert!(
            s.first_error
                .as_deref()
                .is_some_and(|m| m.starts_with("request failed")),
            "{:?}",
            s.first_error
        );
        let e = run(addr, "/predict", &[], &plan).expect_err("no bodies");
        assert!(e.to_string().contains("no request bodies"), "{e}");
    }
}
