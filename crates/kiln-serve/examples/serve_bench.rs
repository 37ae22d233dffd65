//! Load generator for the prediction server (`bench/run.sh serve`): bounded concurrency, an
//! optional fixed request rate, throughput and latency percentiles as one JSON object.
//!
//! ```text
//! serve_bench [--addr HOST:PORT] [--path /v1/models/bench/predict] [--concurrency 8]
//!             [--requests 20000] [--rate 0] [--rows 1] [--features 28] [--trees 100]
//! ```
//!
//! Without `--addr` it fits a GBDT (`--trees` trees, 31 leaves) on a seeded synthetic binary
//! set of `--features` numeric columns, serves it in-process on a free loopback port (no
//! prediction log) and aims the load there. With `--addr` it aims at a running server, which
//! must serve a model reading the synthetic set's feature columns (`kiln data synth --kind
//! classification --features N --seed 7` names them) at `--path`; the same body works for
//! an MLflow server's `/invocations` with `--mlflow`.
//!
//! `--concurrency` workers each hold one keep-alive connection and send `--requests` requests
//! in total, each carrying `--rows` rows. With `--rate R` (requests per second, all workers
//! together) request `k` is due at `start + k / R` and its latency is measured from when it was
//! due, not when it was sent, so a server that falls behind shows its queueing delay instead of
//! hiding it (no coordinated omission). `--rate 0` sends as fast as responses come back.
//!
//! Traffic only ever goes to the given address; run it against loopback servers.
//!
//! Run: `cargo run --release -p kiln-serve --example serve_bench -- --concurrency 8`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kiln_data::synth::ClassificationSpec;
use kiln_eval::ModelPipelineSpec;
use kiln_models::ModelSpec;
use kiln_prep::PipelineSpec;
use kiln_serve::client::Http;
use kiln_serve::{InMemorySource, RunningServer, ServeConfig};
use serde_json::{Value, json};

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Options {
    addr: Option<SocketAddr>,
    path: String,
    mlflow: bool,
    concurrency: usize,
    requests: usize,
    rate: f64,
    rows: usize,
    features: usize,
    trees: usize,
}

fn parse_options() -> Result<Options, Error> {
    let mut o = Options {
        addr: None,
        path: "/v1/models/bench/predict".into(),
        mlflow: false,
        concurrency: 8,
        requests: 20_000,
        rate: 0.0,
        rows: 1,
        features: 28,
        trees: 100,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--mlflow" {
            o.mlflow = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => o.addr = Some(value.parse()?),
            "--path" => o.path = value,
            "--concurrency" => o.concurrency = value.parse()?,
            "--requests" => o.requests = value.parse()?,
            "--rate" => o.rate = value.parse()?,
            "--rows" => o.rows = value.parse()?,
            "--features" => o.features = value.parse()?,
            "--trees" => o.trees = value.parse()?,
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    if o.concurrency == 0 || o.requests == 0 || o.rows == 0 || o.features == 0 {
        return Err("--concurrency, --requests, --rows and --features must be at least 1".into());
    }
    if !(o.rate >= 0.0 && o.rate.is_finite()) {
        return Err("--rate must be a non-negative number".into());
    }
    Ok(o)
}

/// A seeded synthetic binary set (the same rows for training and requests).
fn synthetic(rows: usize, features: usize) -> Result<kiln_data::Frame, Error> {
    let spec = ClassificationSpec {
        rows,
        features,
        informative: features.min(8),
        redundant: 0,
        seed: 7,
        ..ClassificationSpec::default()
    };
    Ok(spec.generate()?)
}

fn start_server(o: &Options) -> Result<RunningServer, Error> {
    let train = synthetic(20_000, o.features)?;
    let target = train
        .schema()
        .names_with_role(kiln_data::Role::Target)
        .first()
        .map(|s| s.to_string())
        .ok_or("the synthetic set has no target")?;
    let prep = PipelineSpec::from_toml(
        &format!("target = \"{target}\"\ntask = \"classification\"\nremainder = \"passthrough\"\n"),
        "bench",
    )?;
    let model: ModelSpec = serde_json::from_value(json!({
        "kind": "gbdt", "objective": "binary", "n_estimators": o.trees, "num_leaves": 31
    }))?;
    let pipeline = ModelPipelineSpec { prep, model }.fit(&train)?;
    let source = InMemorySource::new();
    source.add_version("bench", pipeline, json!({}))?;
    let mut config = ServeConfig::new(vec!["bench".into()]);
    config.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.poll_interval = None;
    let server = RunningServer::start(config, Arc::new(source))?;
    let mut probe = Http::new(server.addr());
    let start = Instant::now();
    while probe.get("/readyz")?.status != 200 {
        if start.elapsed() > Duration::from_secs(60) {
            return Err("the server did not become ready within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(server)
}

/// Request bodies: `rows` rows each, cycling through a synthetic set.
fn bodies(o: &Options) -> Result<Vec<Vec<u8>>, Error> {
    let frame = synthetic(4096.max(o.rows), o.features)?;
    let names: Vec<String> = frame
        .schema()
        .names_with_role(kiln_data::Role::Feature)
        .into_iter()
        .map(str::to_string)
        .collect();
    let columns: Vec<Vec<f64>> = names
        .iter()
        .map(|n| frame.numeric(n))
        .collect::<Result<_, _>>()?;
    let n = frame.n_rows();
    (0..64)
        .map(|b| {
            let data: Vec<Value> = (0..o.rows)
                .map(|k| {
                    let r = (b * o.rows + k) % n;
                    json!(columns.iter().map(|c| c[r]).collect::<Vec<_>>())
                })
                .collect();
            let body = if o.mlflow {
                json!({"dataframe_split": {"columns": names, "data": data}})
            } else {
                json!({"columns": names, "data": data})
            };
            Ok(serde_json::to_vec(&body)?)
        })
        .collect()
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn main() -> Result<(), Error> {
    let o = parse_options()?;
    let server = match o.addr {
        Some(_) => None,
        None => Some(start_server(&o)?),
    };
    let addr = match (&server, o.addr) {
        (Some(s), _) => s.addr(),
        (None, Some(a)) => a,
        (None, None) => return Err("no address".into()),
    };
    let bodies = Arc::new(bodies(&o)?);
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let path = Arc::new(o.path.clone());
    let start = Instant::now();
    let workers: Vec<_> = (0..o.concurrency)
        .map(|_| {
            let (bodies, next, errors, path) =
                (bodies.clone(), next.clone(), errors.clone(), path.clone());
            let (requests, rate) = (o.requests, o.rate);
            std::thread::spawn(move || {
                let mut http = Http::new(addr);
                let mut latencies = Vec::new();
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
                    let body = &bodies[k % bodies.len()];
                    match http.post(&path, body) {
                        Ok(r) if r.status == 200 => {}
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    latencies.push(due.elapsed().as_secs_f64());
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<f64> = Vec::with_capacity(o.requests);
    for w in workers {
        latencies.extend(w.join().map_err(|_| "a worker panicked")?);
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let report = json!({
        "workload": "serve",
        "target": if server.is_some() { "in-process".to_string() } else { addr.to_string() },
        "path": o.path,
        "concurrency": o.concurrency,
        "rate": o.rate,
        "rows_per_request": o.rows,
        "requests": latencies.len(),
        "errors": errors.load(Ordering::Relaxed),
        "seconds": seconds,
        "throughput_rps": latencies.len() as f64 / seconds,
        "rows_per_second": (latencies.len() * o.rows) as f64 / seconds,
        "p50_ms": percentile(&latencies, 0.50) * 1e3,
        "p99_ms": percentile(&latencies, 0.99) * 1e3,
        "max_ms": latencies.last().copied().unwrap_or(f64::NAN) * 1e3,
    });
    println!("{report}");
    if let Some(s) = server {
        s.stop()?;
    }
    Ok(())
}
