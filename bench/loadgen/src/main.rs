//! `serve_bench`: the command-line face of the load generator (`bench/run.sh serve`). It only
//! parses options, picks the bodies and the target, runs [`kiln_loadgen::load::run`] and prints
//! one JSON object.
//!
//! ```text
//! serve_bench [--addr HOST:PORT] [--path /v1/models/bench/predict] [--concurrency 8]
//!             [--requests 20000] [--rate 0] [--rows 1]
//!             [--rows-file FILE] [--format native|mlflow|record] [--mlflow]
//!             [--features 28] [--trees 100]
//! ```
//!
//! Without `--addr` it fits a GBDT (`--trees` trees, 31 leaves) on a seeded synthetic binary set
//! of `--features` numeric columns, serves it in-process on a free loopback port (no prediction
//! log) and aims the load there. With `--addr` it aims at a running server at `--path`.
//!
//! Rows: `--rows-file FILE` (CSV, Parquet or NDJSON of input columns) sends the file's rows,
//! cycling through them, `--rows` per request; otherwise rows of the synthetic set (whose
//! columns `kiln data synth --kind classification --features N --seed 7` names). `--format`
//! wraps them as kiln's columnar body (`native`, default), MLflow's `dataframe_split`
//! (`mlflow`; `--mlflow` is short for it) or one JSON object per request (`record`).
//!
//! `--concurrency` workers each hold one keep-alive connection and send `--requests` requests
//! in total. With `--rate R` (requests per second, all workers together) request `k` is due at
//! `start + k / R` and its latency is measured from when it was due (no coordinated omission);
//! `--rate 0` sends as fast as replies come back.
//!
//! Traffic only ever goes to the given address; run it against loopback servers.
//!
//! Run: `cargo run --release -p kiln-loadgen -- --rows-file rows.csv --addr 127.0.0.1:8080
//! --path /v1/models/quickstart/predict --concurrency 16`.

use std::net::SocketAddr;
use std::path::PathBuf;

use kiln_loadgen::bodies::{BodyFormat, rows_file_bodies};
use kiln_loadgen::load::{LoadPlan, run};
use kiln_loadgen::synthetic::{MODEL_NAME, start_server, synthetic_bodies};
use kiln_loadgen::{LoadgenError, Result};
use serde_json::{Value, json};

#[derive(Debug)]
struct Options {
    addr: Option<SocketAddr>,
    path: Option<String>,
    format: BodyFormat,
    rows_file: Option<PathBuf>,
    plan: LoadPlan,
    rows: usize,
    features: usize,
    trees: usize,
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| LoadgenError::option(flag, format!("'{value}' is not a valid number")))
}

fn parse_options(args: impl IntoIterator<Item = String>) -> Result<Options> {
    let mut o = Options {
        addr: None,
        path: None,
        format: BodyFormat::Native,
        rows_file: None,
        plan: LoadPlan {
            concurrency: 8,
            requests: 20_000,
            rate: 0.0,
        },
        rows: 1,
        features: 28,
        trees: 100,
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        if flag == "--mlflow" {
            o.format = BodyFormat::Mlflow;
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| LoadgenError::option(&flag, "needs a value"))?;
        match flag.as_str() {
            "--addr" => {
                o.addr = Some(value.parse().map_err(|_| {
                    LoadgenError::option("--addr", format!("'{value}' is not HOST:PORT"))
                })?)
            }
            "--path" => o.path = Some(value),
            "--format" => o.format = BodyFormat::parse(&value)?,
            "--rows-file" => o.rows_file = Some(PathBuf::from(value)),
            "--concurrency" => o.plan.concurrency = number(&flag, &value)?,
            "--requests" => o.plan.requests = number(&flag, &value)?,
            "--rate" => o.plan.rate = number(&flag, &value)?,
            "--rows" => o.rows = number(&flag, &value)?,
            "--features" => o.features = number(&flag, &value)?,
            "--trees" => o.trees = number(&flag, &value)?,
            other => {
                return Err(LoadgenError::option(
                    other,
                    "unknown option (see the usage at the top of bench/loadgen/src/main.rs)",
                ));
            }
        }
    }
    o.plan.check()?;
    if o.rows == 0 {
        return Err(LoadgenError::option("--rows", "must be at least 1"));
    }
    if o.addr.is_none() && o.rows_file.is_some() {
        return Err(LoadgenError::option(
            "--rows-file",
            "needs --addr: the in-process server serves the synthetic model, which reads other columns",
        ));
    }
    Ok(o)
}

fn main_result() -> Result<()> {
    let o = parse_options(std::env::args().skip(1))?;
    let bodies = match &o.rows_file {
        Some(file) => rows_file_bodies(file, o.format, o.rows)?,
        None => synthetic_bodies(o.features, o.format, o.rows)?,
    };
    let server = match o.addr {
        Some(_) => None,
        None => Some(start_server(o.features, o.trees, 20_000)?),
    };
    let (addr, target) = match (&server, o.addr) {
        (Some(s), _) => (s.addr(), "in-process".to_string()),
        (None, Some(a)) => (a, a.to_string()),
        (None, None) => return Err(LoadgenError::option("--addr", "no server to load")),
    };
    let path = o.path.clone().unwrap_or_else(|| match o.format {
        BodyFormat::Mlflow => "/invocations".to_string(),
        _ => format!("/v1/models/{MODEL_NAME}/predict"),
    });
    let summary = run(addr, &path, &bodies.bodies, &o.plan)?;
    let mut report = json!({
        "workload": "serve",
        "target": target,
        "path": path,
        "format": o.format.name(),
        "rows_file": o.rows_file.as_ref().map(|p| p.display().to_string()),
        "distinct_rows": bodies.distinct_rows,
        "concurrency": o.plan.concurrency,
        "rate": o.plan.rate,
        "rows_per_request": o.rows,
        "rows_per_second": summary.throughput_rps * o.rows as f64,
    });
    if let (Value::Object(r), Value::Object(s)) = (&mut report, summary.to_json()) {
        r.extend(s);
    }
    println!("{report}");
    if let Some(s) = server {
        s.stop().map_err(|e| LoadgenError::Server(e.to_string()))?;
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    match main_result() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_bench: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options> {
        parse_options(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn options_parse_rows_file_format_and_plan() {
        let o = parse(&[
            "--addr",
            "127.0.0.1:9000",
            "--rows-file",
            "rows.csv",
            "--format",
            "record",
            "--concurrency",
            "16",
            "--requests",
            "500",
            "--rate",
            "5000",
        ])
        .expect("valid options");
        assert_eq!(o.format, BodyFormat::Record);
        assert_eq!(o.rows_file, Some(PathBuf::from("rows.csv")));
        assert_eq!(
            o.plan,
            LoadPlan {
                concurrency: 16,
                requests: 500,
                rate: 5000.0
            }
        );
        assert_eq!(
            parse(&["--mlflow"]).expect("valid").format,
            BodyFormat::Mlflow
        );
    }

    #[test]
    fn bad_options_name_the_option() {
        for (args, option) in [
            (vec!["--concurrency", "0"], "--concurrency"),
            (vec!["--requests", "many"], "--requests"),
            (vec!["--rate", "-5"], "--rate"),
            (vec!["--rows", "0"], "--rows"),
            (vec!["--addr", "localhost"], "--addr"),
            (vec!["--format", "csv"], "--format"),
            (vec!["--rows-file", "rows.csv"], "--rows-file"),
            (vec!["--path"], "--path"),
            (vec!["--verbose", "1"], "--verbose"),
        ] {
            let e = parse(&args).expect_err("bad option");
            assert!(e.to_string().starts_with(option), "{args:?}: {e}");
        }
    }
}
