//! `kiln serve`: serve registered models over HTTP until Ctrl-C or SIGTERM.
//!
//! Everything the server does lives in kiln-serve; this module only turns arguments into a
//! `ServeConfig`, opens the project's registry and starts the structured log on stderr.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use kiln_serve::{LogConfig, RegistrySource, ServeConfig, ServeError};

use crate::error::{CliError, CliResult};

/// `kiln serve` arguments.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Models to serve: `name` (latest version), `name/3` or `name@alias`; each is served under
    /// its name at /v1/models/{name}/predict.
    #[arg(required = true)]
    pub models: Vec<String>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The model /invocations (MLflow protocol) scores when several are served.
    #[arg(long)]
    pub default_model: Option<String>,
    /// Largest request body in MiB (larger ones get 413).
    #[arg(long, default_value_t = 16)]
    pub body_limit_mib: usize,
    /// Longest a scoring request may take, in seconds (longer ones get 504).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Seconds between checks for moved aliases (0 turns polling off).
    #[arg(long, default_value_t = 30.0)]
    pub poll: f64,
    /// Do not write the prediction and feedback logs (`.kiln/logs/`).
    #[arg(long)]
    pub no_log: bool,
    /// Most rows per prediction log file.
    #[arg(long, default_value_t = 100_000)]
    pub log_rotate_rows: usize,
    /// Longest a scored row waits before its log file is written, in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub log_rotate_seconds: f64,
}

fn seconds(what: &str, v: f64) -> CliResult<Duration> {
    Duration::try_from_secs_f64(v).map_err(|_| {
        CliError::Usage(format!(
            "--{what} {v}: expected a non-negative number of seconds"
        ))
    })
}

impl ServeArgs {
    fn config(&self, project: &Path) -> CliResult<ServeConfig> {
        let mut c = ServeConfig::new(self.models.clone());
        c.addr = self.addr;
        c.default_model = self.default_model.clone();
        c.body_limit = self.body_limit_mib.saturating_mul(1024 * 1024);
        c.request_timeout = seconds("timeout", self.timeout)?;
        let poll = seconds("poll", self.poll)?;
        c.poll_interval = (!poll.is_zero()).then_some(poll);
        // The token comes from the environment, never the command line (shell history, `ps`).
        c.admin_token = std::env::var("KILN_ADMIN_TOKEN")
            .ok()
            .filter(|t| !t.is_empty());
        if !self.no_log {
            let mut log = LogConfig::new(project.join(".kiln").join("logs"));
            log.rotate_rows = self.log_rotate_rows;
            log.rotate_interval = seconds("log-rotate-seconds", self.log_rotate_seconds)?;
            c.log = Some(log);
        }
        c.check().map_err(usage)?;
        Ok(c)
    }
}

fn usage(e: ServeError) -> CliError {
    match e {
        ServeError::Config { .. } | ServeError::Model { .. } => CliError::Usage(e.to_string()),
        other => CliError::Failed(other.to_string()),
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs, project: &Path, json: bool) -> CliResult<()> {
    let config = args.config(project)?;
    let source = RegistrySource::open(project).map_err(usage)?;
    // Structured request and reload logs go to stderr; stdout carries only the address line.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
    kiln_serve::serve_blocking(config, Arc::new(source), |addr| {
        if json {
            outln!(
                "{}",
                serde_json::json!({ "listening": format!("http://{addr}") })
            );
        } else {
            outln!("listening on http://{addr}");
        }
    })
    .map_err(|e| CliError::Failed(e.to_string()))
}
