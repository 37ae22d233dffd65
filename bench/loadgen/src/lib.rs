//! kiln-loadgen: the bounded HTTP load generator behind `bench/run.sh serve`.
//!
//! It lives under `bench/` rather than as an example of `kiln-serve` because it measures kiln's
//! server *and* its peers (MLflow's scoring server, a FastAPI app) with the same requests; it is a
//! benchmark tool, not part of the server's API. It is bounded: a fixed number of workers, each
//! holding one keep-alive connection, send a fixed number of requests in total, either as fast as
//! replies come back (closed loop) or on a fixed schedule (open loop, latency measured from each
//! request's due time, so a server that falls behind shows its queueing delay).
//!
//! - [`bodies`]: the request bodies — rows from a file (CSV, Parquet, NDJSON, typed by kiln's
//!   reader) or a seeded synthetic set, encoded as kiln's columnar body, MLflow's
//!   `dataframe_split` or a single JSON record.
//! - [`load`]: the workers, the schedule and the latency summary.
//! - [`synthetic`]: the in-process kiln server on a synthetic GBDT, for runs without `--addr`.
//!
//! ```no_run
//! use std::net::SocketAddr;
//! use kiln_loadgen::bodies::{BodyFormat, rows_file_bodies};
//! use kiln_loadgen::load::{LoadPlan, run};
//!
//! let bodies = rows_file_bodies("rows.csv".as_ref(), BodyFormat::Native, 1)?;
//! let addr: SocketAddr = "127.0.0.1:8080".parse()?;
//! let plan = LoadPlan { concurrency: 4, requests: 1000, rate: 0.0 };
//! let summary = run(addr, "/v1/models/quickstart/predict", &bodies.bodies, &plan)?;
//! println!("{} req/s, p99 {} ms", summary.throughput_rps, summary.p99_ms);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bodies;
mod error;
pub mod load;
pub mod synthetic;

pub use error::{LoadgenError, Result};
