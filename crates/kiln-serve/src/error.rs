//! The two error types of the server.
//!
//! [`ServeError`] is for the operator: a bad configuration, a model that cannot be resolved or
//! loaded, a log that cannot be written. [`ApiError`] is for the client: every bad request
//! becomes one, with an HTTP status, a stable machine-readable `code`, a message written for a
//! person and, where known, the offending `field` and `row`. Handlers never panic on request
//! data; they return an `ApiError`, which renders as
//! `{"error": {"code": ..., "message": ..., "field": ..., "row": ...}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Everything that can go wrong outside a single request.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A configuration value is invalid.
    #[error("invalid {what}: {message}")]
    Config {
        /// The option involved.
        what: String,
        /// Why it is wrong and what is expected.
        message: String,
    },
    /// A model reference could not be resolved or its artifact could not be loaded.
    #[error("model '{spec}': {message}")]
    Model {
        /// The model reference as configured (`name`, `name/3`, `name@alias`).
        spec: String,
        /// What went wrong.
        message: String,
    },
    /// Reading or writing the prediction or feedback log failed.
    #[error(transparent)]
    Data(#[from] kiln_data::DataError),
    /// The operating system refused something (binding the port, creating a directory).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl ServeError {
    /// A configuration error.
    pub fn config(what: impl Into<String>, message: impl Into<String>) -> Self {
        ServeError::Config {
            what: what.into(),
            message: message.into(),
        }
    }

    /// A model resolution or loading error.
    pub fn model(spec: impl Into<String>, message: impl Into<String>) -> Self {
        ServeError::Model {
            spec: spec.into(),
            message: message.into(),
        }
    }

    /// An I/O error while doing `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        ServeError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Shorthand for server results.
pub type Result<T, E = ServeError> = std::result::Result<T, E>;

/// A request that cannot be answered with predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    /// The HTTP status.
    #[serde(skip)]
    pub status: StatusCode,
    /// A stable code a client can branch on (`invalid_json`, `schema_mismatch`, ...).
    pub code: &'static str,
    /// What was wrong and what was expected.
    pub message: String,
    /// The offending field or column, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The offending row (0-based, in request order), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

impl ApiError {
    /// An error with no field or row.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            row: None,
        }
    }

    /// The same error naming a field.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same error naming a row.
    pub fn with_row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }

    /// 400: the body is not JSON.
    pub fn invalid_json(e: &serde_json::Error) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the request body is not valid JSON: {e}"),
        )
    }

    /// 400: the JSON does not have the shape the route expects.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 422: the rows do not fit the model's input schema.
    pub fn schema_mismatch(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "schema_mismatch", message)
    }

    /// 404: no model of this name is served.
    pub fn unknown_model(name: &str, served: &[String]) -> Self {
        let list = if served.is_empty() {
            "none".to_string()
        } else {
            served.join(", ")
        };
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_model",
            format!("no model named '{name}' is served; served models: {list}"),
        )
    }

    /// 413: the body is larger than the configured limit.
    pub fn too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!(
                "the request body is larger than the limit of {limit} bytes; send smaller batches"
            ),
        )
    }

    /// 503: the model is configured but not loaded yet.
    pub fn not_ready(name: &str) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "model_not_ready",
            format!("model '{name}' is not loaded yet; retry shortly (see /readyz)"),
        )
    }

    /// 504: scoring took longer than the per-request timeout.
    pub fn timeout(seconds: f64) -> Self {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            format!("the request took longer than the {seconds} s timeout; send smaller batches"),
        )
    }

    /// 500: something failed that the client could not have caused.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// The JSON body `{"error": {...}}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let code = ErrorCode(self.code);
        let mut response = (status, axum::Json(self.body())).into_response();
        response.extensions_mut().insert(code);
        response
    }
}

/// The `code` of an error response, left in the response extensions so the metrics layer can
/// count errors by code without parsing bodies.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);
