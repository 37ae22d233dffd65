//! The native routes: predict, feedback, model listing, health, readiness, metrics and the
//! admin reload. Handlers are plain async functions over explicit state; the MLflow route lives
//! in `mlflow.rs`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kiln_data::{Frame, Schema};
use kiln_eval::Predictions;
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::input::{frame_from_rows, kind, native_rows};
use crate::log::{FeedbackRecord, now_micros};
use crate::scoring::{ModelLabel, RequestId, body_bytes, score};
use crate::state::{AppState, ServedModel, reload};

/// The native response body.
#[derive(Serialize)]
struct PredictResponse<'a> {
    model: &'a str,
    version: u32,
    request_id: &'a str,
    predictions: PredictionList<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    probabilities: Option<Vec<Vec<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    classes: Option<&'a [String]>,
}

/// Class labels for classifiers, values for regressors. Floats are written by serde_json in
/// their shortest round-trip form, so a client parses back the exact bits `predict` returned.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum PredictionList<'a> {
    Labels(&'a [String]),
    Values(&'a [f64]),
}

impl<'a> PredictionList<'a> {
    pub(crate) fn of(p: &'a Predictions) -> Self {
        match &p.labels {
            Some(labels) => PredictionList::Labels(labels),
            None => PredictionList::Values(&p.values),
        }
    }
}

fn native_parse(body: &Value, schema: &Schema) -> Result<Frame, ApiError> {
    frame_from_rows(native_rows(body)?, schema)
}

fn native_render(m: &ServedModel, p: &Predictions, request_id: &str) -> Result<Vec<u8>, ApiError> {
    let response = PredictResponse {
        model: &m.model.name,
        version: m.model.key.version,
        request_id,
        predictions: PredictionList::of(p),
        probabilities: p
            .probabilities
            .as_ref()
            .map(|pr| pr.outer_iter().map(|row| row.to_vec()).collect()),
        classes: m.model.pipeline.classes(),
    };
    serde_json::to_vec(&response)
        .map_err(|e| ApiError::internal(format!("writing the response: {e}")))
}

/// A JSON body with the model label attached for the metrics layer.
pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>, label: Option<ModelLabel>) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(label) = label {
        response.extensions_mut().insert(label);
    }
    response
}

/// An error response that still names the model, so its failures are counted against it.
pub(crate) fn error_for(e: ApiError, model: Option<&ServedModel>) -> Response {
    let mut response = e.into_response();
    if let Some(m) = model {
        response.extensions_mut().insert(ModelLabel::of(m));
    }
    response
}

fn model_name(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(name)| name)
        .map_err(|e| ApiError::bad_request(format!("bad model name in the path: {e}")))
}

/// `POST /v1/models/{name}/predict`.
pub async fn predict(
    State(state): State<Arc<AppState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let model = match model_name(path).and_then(|name| state.model(&name)) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let body = match body_bytes(&state, body) {
        Ok(b) => b,
        Err(e) => return error_for(e, Some(&model)),
    };
    match score(
        &state,
        model.clone(),
        body,
        &request_id,
        native_parse,
        native_render,
    )
    .await
    {
        Ok((out, _rows)) => json_bytes(StatusCode::OK, out, Some(ModelLabel::of(&model))),
        Err(e) => error_for(e, Some(&model)),
    }
}

/// `POST /v1/models/{name}/feedback`: `{"request_id": ..., "row": 0, "label": ...}` or a list
/// of them; `row` defaults to 0 (the only row of a single-row request).
pub async fn feedback(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        let name = model_name(path)?;
        let set = state.snapshot();
        if !set.slots.contains_key(&name) {
            return Err(ApiError::unknown_model(&name, &set.names()));
        }
        let Some(log) = &state.log else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "log_disabled",
                "this server keeps no prediction log, so feedback has nowhere to go; start it with a log directory",
            ));
        };
        let body = body_bytes(&state, body)?;
        let value: Value = serde_json::from_slice(&body).map_err(|e| ApiError::invalid_json(&e))?;
        let items: Vec<&Value> = match &value {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        if items.is_empty() {
            return Err(ApiError::bad_request("no feedback items; send at least one"));
        }
        let now = now_micros();
        let records = items
            .iter()
            .enumerate()
            .map(|(i, item)| feedback_record(i, item, &name, now))
            .collect::<Result<Vec<_>, _>>()?;
        let n = records.len();
        if !log.feedback(records) {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "log_busy",
                "the feedback log is behind; retry shortly",
            ));
        }
        Ok(n)
    }
    .await;
    match result {
        Ok(n) => (StatusCode::ACCEPTED, Json(json!({ "accepted": n }))).into_response(),
        Err(e) => e.into_response(),
    }
}

fn feedback_record(
    i: usize,
    item: &Value,
    model: &str,
    now: i64,
) -> Result<FeedbackRecord, ApiError> {
    let bad = |field: &str, message: String| {
        ApiError::bad_request(format!("feedback item {i}: {message}"))
            .with_field(field)
            .with_row(i)
    };
    let Value::Object(map) = item else {
        return Err(bad("", format!("is {}; expected an object", kind(item))));
    };
    if let Some(k) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "request_id" | "row" | "label"))
    {
        return Err(bad(
            k,
            format!("unknown field '{k}'; expected request_id, row, label"),
        ));
    }
    let request_id = match map.get("request_id") {
        Some(Value::String(s)) if crate::server::valid_request_id(s) => s.clone(),
        Some(other) => {
            return Err(bad(
                "request_id",
                format!(
                    "request_id is {} {other}; expected the request id a prediction returned",
                    kind(other)
                ),
            ));
        }
        None => return Err(bad("request_id", "request_id is missing".into())),
    };
    let row = match map.get("row") {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|r| r <= i64::MAX as u64) => {
            n.as_u64().map_or(0, |r| r as i64)
        }
        Some(other) => {
            return Err(bad(
                "row",
                format!("row is {other}; expected a row index (0, 1, ...)"),
            ));
        }
    };
    let label = match map.get("label") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(other) => {
            return Err(bad(
                "label",
                format!(
                    "label is {}; expected a string, number or boolean",
                    kind(other)
                ),
            ));
        }
        None => return Err(bad("label", "label is missing".into())),
    };
    Ok(FeedbackRecord {
        request_id,
        row,
        model: model.to_string(),
        label,
        timestamp: now,
    })
}

/// `GET /v1/models`: every configured model, what version serves it, its input schema, classes
/// and recorded metrics.
pub async fn list_models(State(state): State<Arc<AppState>>) -> Response {
    let set = state.snapshot();
    let models: Vec<Value> = set
        .slots
        .iter()
        .map(|(name, slot)| match &slot.current {
            Some(m) => {
                let p = &m.model.pipeline;
                json!({
                    "name": name,
                    "spec": slot.spec_text,
                    "loaded": true,
                    "version": m.model.key.version,
                    "digest": m.model.key.digest,
                    "loaded_at": kiln_data::datetime::format_micros(m.loaded_at),
                    "task": match p.task() {
                        kiln_prep::Task::Classification => "classification",
                        kiln_prep::Task::Regression => "regression",
                    },
                    "input_schema": p.input_schema.fields,
                    "classes": p.classes(),
                    "metrics": m.model.metrics,
                    "last_error": slot.last_error,
                })
            }
            None => json!({
                "name": name,
                "spec": slot.spec_text,
                "loaded": false,
                "last_error": slot.last_error,
            }),
        })
        .collect();
    Json(json!({ "models": models })).into_response()
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// `GET /readyz`: 200 once every configured model is loaded, 503 before.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let set = state.snapshot();
    let waiting: Vec<&String> = set
        .slots
        .iter()
        .filter(|(_, s)| s.current.is_none())
        .map(|(n, _)| n)
        .collect();
    if waiting.is_empty() {
        Json(json!({ "status": "ready" })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "loading", "waiting_for": waiting })),
        )
            .into_response()
    }
}

/// `GET /metrics`: Prometheus text exposition.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// `POST /v1/admin/reload`: re-resolve every model now (retrying versions that failed before).
/// Needs `Authorization: Bearer <token>`; only routed when a token is configured.
pub async fn admin_reload(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match token {
        Some(t) if state.admin_token_matches(t) => {}
        _ => {
            let mut response = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the admin routes need Authorization: Bearer <token>",
            )
            .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            return response;
        }
    }
    let outcomes = reload(&state, true).await;
    Json(json!({ "results": outcomes })).into_response()
}

/// Unknown paths.
pub async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; see POST /v1/models/{name}/predict, POST /invocations, GET /v1/models",
    )
    .into_response()
}

/// Known paths with the wrong method.
pub async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method",
    )
    .into_response()
}
