//! The scoring path shared by the native and the MLflow routes: body → JSON → frame →
//! `FittedModelPipeline::predict` → response body, off the async runtime and under the
//! request timeout, then the prediction log and the row counter.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use kiln_data::{Frame, Schema};
use kiln_eval::Predictions;
use serde_json::Value;

use crate::error::ApiError;
use crate::log::{ScoredBatch, now_micros};
use crate::state::{AppState, ServedModel};

/// Which served model a response was about; left in the response extensions for the metrics
/// layer.
#[derive(Debug, Clone)]
pub struct ModelLabel {
    /// Served name.
    pub model: String,
    /// Version label.
    pub version: String,
}

impl ModelLabel {
    /// The label of a served model.
    pub fn of(m: &ServedModel) -> Self {
        ModelLabel {
            model: m.model.name.clone(),
            version: m.version_label.clone(),
        }
    }
}

/// The request id: taken from a well-formed `x-request-id` header or generated.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The body, or the right error: 413 over the limit (a declared length over it was already
/// refused by the request layer; this catches chunked bodies), 400 when it cannot be read.
pub fn body_bytes(
    state: &AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, ApiError> {
    match body {
        Ok(b) => Ok(b),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(ApiError::too_large(state.config.body_limit))
        }
        Err(e) => Err(ApiError::bad_request(format!(
            "the request body could not be read: {e}"
        ))),
    }
}

/// How a route reads rows out of its JSON body.
pub type ParseRows = fn(&Value, &Schema) -> Result<Frame, ApiError>;
/// How a route writes its response body.
pub type Render = fn(&ServedModel, &Predictions, &str) -> Result<Vec<u8>, ApiError>;

/// Scores a request body with `model`: parsing, conversion, prediction and rendering run on the
/// blocking pool under the request timeout. Returns the response body and the rows scored.
pub async fn score(
    state: &Arc<AppState>,
    model: Arc<ServedModel>,
    body: Bytes,
    request_id: &str,
    parse: ParseRows,
    render: Render,
) -> Result<(Vec<u8>, usize), ApiError> {
    let work_model = model.clone();
    let rid = request_id.to_string();
    let work = tokio::task::spawn_blocking(move || {
        let value: Value = serde_json::from_slice(&body).map_err(|e| ApiError::invalid_json(&e))?;
        drop(body);
        let pipeline = &work_model.model.pipeline;
        let frame = parse(&value, &pipeline.input_schema)?;
        drop(value);
        let predictions = pipeline.predict(&frame).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "prediction_failed",
                format!("the model could not score these rows: {e}"),
            )
        })?;
        let out = render(&work_model, &predictions, &rid)?;
        Ok::<_, ApiError>((out, frame, predictions))
    });
    let timeout = state.config.request_timeout;
    let (out, frame, predictions) = match tokio::time::timeout(timeout, work).await {
        Err(_) => return Err(ApiError::timeout(timeout.as_secs_f64())),
        Ok(Err(join)) => {
            tracing::error!(error = %join, "scoring task failed");
            return Err(ApiError::internal(
                "scoring failed unexpectedly; see the server log",
            ));
        }
        Ok(Ok(result)) => result?,
    };
    let rows = frame.n_rows();
    state
        .metrics
        .rows_scored(&model.model.name, &model.version_label, rows);
    if let Some(log) = &state.log {
        log.scored(ScoredBatch {
            request_id: request_id.to_string(),
            timestamp: now_micros(),
            model: model.model.name.clone(),
            version: model.model.key.version,
            inputs: frame,
            predictions: Arc::new(predictions),
        });
    }
    Ok((out, rows))
}
