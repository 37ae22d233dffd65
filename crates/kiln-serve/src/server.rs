//! Wiring: the router, the request layer (request ids, metrics, access log), binding, the poll
//! loop and graceful shutdown.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};

use crate::config::ServeConfig;
use crate::error::{ApiError, ErrorCode, Result, ServeError};
use crate::log::PredictionLog;
use crate::metrics::Metrics;
use crate::scoring::{ModelLabel, RequestId};
use crate::source::ModelSource;
use crate::state::{AppState, reload};
use crate::{mlflow, routes};

/// The router over a state: every route, the body limit and the request layer.
pub fn router(state: Arc<AppState>) -> Router {
    let mut app = Router::new()
        .route("/v1/models/{name}/predict", post(routes::predict))
        .route("/v1/models/{name}/feedback", post(routes::feedback))
        .route("/v1/models", get(routes::list_models))
        .route("/invocations", post(mlflow::invocations))
        .route("/ping", get(mlflow::ping))
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/metrics", get(routes::metrics));
    if state.admin_enabled() {
        app = app.route("/v1/admin/reload", post(routes::admin_reload));
    }
    app.fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), request_layer))
        // Bodies are buffered only up to the limit; `body_bytes` turns the overflow into a
        // JSON 413.
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}

/// The route label of a path: a fixed set, so metric series stay bounded.
fn route_label(path: &str) -> &'static str {
    match path {
        "/invocations" => "invocations",
        "/ping" => "ping",
        "/healthz" => "healthz",
        "/readyz" => "readyz",
        "/metrics" => "metrics",
        "/v1/models" => "models",
        "/v1/admin/reload" => "admin_reload",
        p if p.starts_with("/v1/models/") && p.ends_with("/predict") => "predict",
        p if p.starts_with("/v1/models/") && p.ends_with("/feedback") => "feedback",
        _ => "other",
    }
}

/// Request ids a client may choose: 1–128 characters of `[A-Za-z0-9._:-]`.
pub fn valid_request_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

static REQUEST_SEQ: AtomicU64 = AtomicU64::new(0);

/// A new request id: 64 random bits chosen once per process (from the standard library's
/// randomly seeded hasher) and a counter, so ids do not repeat across requests or replicas.
fn new_request_id() -> String {
    static PREFIX: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let prefix = *PREFIX.get_or_init(|| {
        let mut h = RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.finish()
    });
    let n = REQUEST_SEQ.fetch_add(1, Ordering::Relaxed);
    format!("{prefix:016x}-{n:012x}")
}

/// Assigns the request id, times the request, counts it and logs it.
async fn request_layer(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let route = route_label(req.uri().path());
    let method = req.method().clone();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
        .map_or_else(new_request_id, str::to_string);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let limit = state.config.body_limit as u64;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // A body declared over the limit is refused before a byte of it is read.
    let mut response = if declared.is_some_and(|n| n > limit) {
        let e = ApiError::too_large(state.config.body_limit);
        if route == "invocations" {
            mlflow::mlflow_error(e, None)
        } else {
            e.into_response()
        }
    } else {
        next.run(req).await
    };
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    let label = response.extensions().get::<ModelLabel>().cloned();
    let (model, version) = label
        .as_ref()
        .map_or(("", ""), |l| (l.model.as_str(), l.version.as_str()));
    state.metrics.request(route, model, version, status);
    if let Some(ErrorCode(code)) = response.extensions().get::<ErrorCode>() {
        state.metrics.error(route, code);
    }
    if label.is_some() && matches!(route, "predict" | "invocations") {
        state.metrics.latency(model, version, elapsed);
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    let latency_ms = elapsed.as_secs_f64() * 1e3;
    if matches!(route, "healthz" | "readyz" | "metrics" | "ping") && status < 400 {
        tracing::debug!(%method, route, status, latency_ms, request_id, "request");
    } else if status >= 500 {
        tracing::warn!(%method, route, status, model, version, latency_ms, request_id, "request");
    } else {
        tracing::info!(%method, route, status, model, version, latency_ms, request_id, "request");
    }
    response
}

/// A bound server, not yet serving.
#[derive(Debug)]
pub struct Server {
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
}

impl Server {
    /// Checks the configuration, starts the logs and binds the address. Models are loaded when
    /// the server runs, in the background, so `/healthz` answers at once and `/readyz` turns
    /// 200 when they are in.
    pub async fn bind(config: ServeConfig, source: Arc<dyn ModelSource>) -> Result<Server> {
        config.check()?;
        let metrics = Arc::new(Metrics::default());
        let log = match &config.log {
            Some(c) => Some(PredictionLog::start(c.clone(), metrics.clone())?),
            None => None,
        };
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| ServeError::io(format!("binding {}", config.addr), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError::io("reading the bound address", e))?;
        let state = Arc::new(AppState::new(config, source, metrics, log)?);
        Ok(Server {
            state,
            listener,
            addr,
        })
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (served set, metrics), for embedding programs.
    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish, stops polling
    /// and writes the buffered log rows.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let state = self.state;
        let loader = tokio::spawn(load_and_poll(state.clone()));
        tracing::info!(addr = %self.addr, models = ?state.config.models, "serving");
        let served = axum::serve(self.listener, router(state.clone()))
            .with_graceful_shutdown(shutdown)
            .await;
        loader.abort();
        let log_state = state.clone();
        // Writing the last log files is blocking file I/O.
        let _ = tokio::task::spawn_blocking(move || {
            if let Some(log) = &log_state.log {
                log.shutdown();
            }
        })
        .await;
        tracing::info!("stopped");
        served.map_err(|e| ServeError::io("serving", e))
    }
}

/// Loads every model, then re-resolves them on the poll interval.
async fn load_and_poll(state: Arc<AppState>) {
    reload(&state, true).await;
    let Some(interval) = state.config.poll_interval else {
        return;
    };
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        reload(&state, false).await;
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Runs a server until Ctrl-C or SIGTERM on a runtime of its own (for the CLI); `on_listening`
/// is called with the bound address once the port is open.
pub fn serve_blocking(
    config: ServeConfig,
    source: Arc<dyn ModelSource>,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::io("starting the runtime", e))?;
    runtime.block_on(async {
        let server = Server::bind(config, source).await?;
        on_listening(server.local_addr());
        server.run(shutdown_signal()).await
    })
}

/// A server running on a thread and runtime of its own; for tests, benchmarks and programs
/// that embed the server next to synchronous code.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl RunningServer {
    /// Binds and starts serving; returns once the port is open (models may still be loading).
    pub fn start(config: ServeConfig, source: Arc<dyn ModelSource>) -> Result<RunningServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| ServeError::io("starting the runtime", e))?;
        let server = runtime.block_on(Server::bind(config, source))?;
        let addr = server.local_addr();
        let state = server.state();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("kiln-serve".into())
            .spawn(move || {
                runtime.block_on(server.run(async {
                    // A dropped sender also means stop.
                    let _ = stopped.await;
                }))
            })
            .map_err(|e| ServeError::io("starting the server thread", e))?;
        Ok(RunningServer {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Stops gracefully and waits until the logs are written.
    pub fn stop(mut self) -> Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| {
                ServeError::io(
                    "stopping",
                    std::io::Error::other("the server thread panicked"),
                )
            })?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Err(e) = self.stop_inner() {
            tracing::error!(error = %e, "server did not stop cleanly");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_labels_are_a_fixed_set() {
        assert_eq!(route_label("/v1/models/churn/predict"), "predict");
        assert_eq!(route_label("/v1/models/x/feedback"), "feedback");
        assert_eq!(route_label("/v1/models/x/other"), "other");
        assert_eq!(route_label("/anything"), "other");
    }

    #[test]
    fn request_ids_are_unique_and_valid() {
        let a = new_request_id();
        let b = new_request_id();
        assert_ne!(a, b);
        assert!(valid_request_id(&a), "{a}");
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a b"));
        assert!(!valid_request_id(&"x".repeat(129)));
    }
}
