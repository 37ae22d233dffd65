//! `POST /invocations` and `GET /ping`: MLflow's scoring protocol, so clients and tools written
//! for an MLflow model server work unchanged.
//!
//! The body holds exactly one of `dataframe_split` (pandas "split" orient: `columns`, `data`,
//! optional `index`), `dataframe_records` (a list of row objects), `instances` or `inputs`
//! (TensorFlow-serving style: a list of row objects, a list of row arrays in input-schema
//! order, or an object of column arrays), and optionally `params`, which kiln models take none
//! of and which is accepted and ignored as MLflow does for models without parameters. The reply
//! is `{"predictions": [...]}` with class labels for classifiers (as a scikit-learn pyfunc
//! returns them) and values for regressors. Errors use MLflow's shape,
//! `{"error_code": "BAD_REQUEST", "message": ...}`, with status 400 for anything the client
//! sent.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kiln_data::{Frame, Schema};
use kiln_eval::Predictions;
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{ApiError, ErrorCode};
use crate::input::{Rows, frame_from_rows, kind};
use crate::routes::{PredictionList, json_bytes};
use crate::scoring::{ModelLabel, RequestId, body_bytes, score};
use crate::state::{AppState, ServedModel};

/// The keys that carry rows; exactly one must be present.
const DATA_KEYS: [&str; 4] = [
    "dataframe_split",
    "dataframe_records",
    "instances",
    "inputs",
];

/// Reads an MLflow scoring body into the rows it carries.
pub fn mlflow_rows(body: &Value) -> Result<Rows<'_>, ApiError> {
    let Value::Object(map) = body else {
        return Err(ApiError::bad_request(format!(
            "expected a JSON object with one of {}, got {}",
            DATA_KEYS.join(", "),
            kind(body)
        )));
    };
    if let Some(k) = map
        .keys()
        .find(|k| !DATA_KEYS.contains(&k.as_str()) && k.as_str() != "params")
    {
        return Err(ApiError::bad_request(format!(
            "unknown key '{k}'; the body must hold exactly one of {} (and optionally params)",
            DATA_KEYS.join(", ")
        ))
        .with_field(k));
    }
    if let Some(params) = map.get("params")
        && !params.is_object()
    {
        return Err(ApiError::bad_request(format!(
            "params is {}; expected an object",
            kind(params)
        ))
        .with_field("params"));
    }
    let present: Vec<&str> = DATA_KEYS
        .into_iter()
        .filter(|k| map.contains_key(*k))
        .collect();
    let key = match present.as_slice() {
        [one] => *one,
        [] => {
            return Err(ApiError::bad_request(format!(
                "the body must hold one of {}",
                DATA_KEYS.join(", ")
            )));
        }
        many => {
            return Err(ApiError::bad_request(format!(
                "the body holds {}; send exactly one",
                many.join(" and ")
            )));
        }
    };
    let value = &map[key];
    let shape_error = |expected: &str| {
        ApiError::bad_request(format!("{key} is {}; expected {expected}", kind(value)))
            .with_field(key)
    };
    match key {
        "dataframe_split" => {
            let Value::Object(split) = value else {
                return Err(shape_error("an object with columns and data"));
            };
            if let Some(k) = split
                .keys()
                .find(|k| !matches!(k.as_str(), "columns" | "data" | "index"))
            {
                return Err(ApiError::bad_request(format!(
                    "dataframe_split has an unknown key '{k}'; expected columns, data and optionally index"
                ))
                .with_field(format!("dataframe_split.{k}")));
            }
            let Some(Value::Array(data)) = split.get("data") else {
                return Err(
                    ApiError::bad_request("dataframe_split.data must be an array of rows")
                        .with_field("dataframe_split.data"),
                );
            };
            if let Some(index) = split.get("index") {
                match index {
                    Value::Array(ix) if ix.len() == data.len() => {}
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "dataframe_split.index must be an array of {} labels, one per data row",
                            data.len()
                        ))
                        .with_field("dataframe_split.index"));
                    }
                }
            }
            match split.get("columns") {
                Some(Value::Array(columns)) => Ok(Rows::Split { columns, data }),
                // pandas writes no columns for a frame with default (positional) column names.
                None => Ok(Rows::Positional(data)),
                Some(other) => Err(ApiError::bad_request(format!(
                    "dataframe_split.columns is {}; expected an array of column names",
                    kind(other)
                ))
                .with_field("dataframe_split.columns")),
            }
        }
        "dataframe_records" => match value {
            Value::Array(rows) => Ok(Rows::Records(rows)),
            _ => Err(shape_error("an array of row objects")),
        },
        _ => tensor_rows(key, value),
    }
}

/// `instances` / `inputs`: a list of row objects, a list of row arrays, or an object of columns.
fn tensor_rows<'a>(key: &str, value: &'a Value) -> Result<Rows<'a>, ApiError> {
    match value {
        Value::Array(rows) => match rows.first() {
            Some(Value::Array(_)) => Ok(Rows::Positional(rows)),
            _ => Ok(Rows::Records(rows)),
        },
        Value::Object(columns) => {
            let arrays = columns.values().filter(|v| v.is_array()).count();
            if arrays == columns.len() {
                Ok(Rows::Columns(columns))
            } else if arrays == 0 {
                Ok(Rows::Records(std::slice::from_ref(value)))
            } else {
                Err(ApiError::bad_request(format!(
                    "{key} mixes arrays and single values; send {{\"column\": [values...]}} for every column, or one row object"
                ))
                .with_field(key))
            }
        }
        other => Err(ApiError::bad_request(format!(
            "{key} is {}; expected a list of rows or an object of columns",
            kind(other)
        ))
        .with_field(key)),
    }
}

fn mlflow_parse(body: &Value, schema: &Schema) -> Result<Frame, ApiError> {
    frame_from_rows(mlflow_rows(body)?, schema)
}

#[derive(Serialize)]
struct InvocationsResponse<'a> {
    predictions: PredictionList<'a>,
}

fn mlflow_render(_: &ServedModel, p: &Predictions, _: &str) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(&InvocationsResponse {
        predictions: PredictionList::of(p),
    })
    .map_err(|e| ApiError::internal(format!("writing the response: {e}")))
}

/// MLflow's error code for a status.
fn error_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "RESOURCE_DOES_NOT_EXIST",
        400..=499 => "BAD_REQUEST",
        503 | 504 => "TEMPORARILY_UNAVAILABLE",
        _ => "INTERNAL_ERROR",
    }
}

/// An error in MLflow's shape: client errors are 400 as MLflow's server answers them, except an
/// unknown model (404); server-side errors keep their status.
pub fn mlflow_error(e: ApiError, model: Option<&ServedModel>) -> Response {
    let status = match e.status.as_u16() {
        404 => StatusCode::NOT_FOUND,
        400..=499 => StatusCode::BAD_REQUEST,
        _ => e.status,
    };
    let mut message = e.message.clone();
    if let Some(field) = &e.field
        && !message.contains(field.as_str())
    {
        message = format!("{message} (field '{field}')");
    }
    let body = json!({ "error_code": error_code(e.status), "message": message });
    let mut response = (status, axum::Json(body)).into_response();
    response.extensions_mut().insert(ErrorCode(e.code));
    if let Some(m) = model {
        response.extensions_mut().insert(ModelLabel::of(m));
    }
    response
}

/// `POST /invocations`: scores the only served model, or the default one.
pub async fn invocations(
    State(state): State<Arc<AppState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let set = state.snapshot();
    let name = match (&state.config.default_model, set.slots.len()) {
        (Some(d), _) => d.clone(),
        (None, 1) => set.names().remove(0),
        (None, _) => {
            return mlflow_error(
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "no_default_model",
                    format!(
                        "several models are served ({}); start the server with a default model for /invocations, or use /v1/models/{{name}}/predict",
                        set.names().join(", ")
                    ),
                ),
                None,
            );
        }
    };
    let model = match state.model(&name) {
        Ok(m) => m,
        Err(e) => return mlflow_error(e, None),
    };
    let body = match body_bytes(&state, body) {
        Ok(b) => b,
        Err(e) => return mlflow_error(e, Some(&model)),
    };
    match score(
        &state,
        model.clone(),
        body,
        &request_id,
        mlflow_parse,
        mlflow_render,
    )
    .await
    {
        Ok((out, _)) => json_bytes(StatusCode::OK, out, Some(ModelLabel::of(&model))),
        Err(e) => mlflow_error(e, Some(&model)),
    }
}

/// `GET /ping`: MLflow's health check.
pub async fn ping() -> Response {
    (StatusCode::OK, "\n").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_data_key() {
        let e = mlflow_rows(&json!({})).unwrap_err();
        assert!(e.message.contains("must hold one of"), "{}", e.message);
        let e = mlflow_rows(&json!({"inputs": [], "instances": []})).unwrap_err();
        assert!(e.message.contains("instances and inputs"), "{}", e.message);
        let e = mlflow_rows(&json!({"inputs": [], "extra": 1})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("extra"));
        let e = mlflow_rows(&json!({"inputs": [], "params": 3})).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("params"));
        let e = mlflow_rows(
            &json!({"dataframe_split": {"columns": ["a"], "data": [[1]], "index": [0, 1]}}),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("dataframe_split.index"));
        let e = mlflow_rows(&json!({"inputs": {"a": [1], "b": 2}})).unwrap_err();
        assert!(e.message.contains("mixes arrays"), "{}", e.message);
        assert!(matches!(
            mlflow_rows(&json!({"inputs": {"a": [1], "b": [2]}})).unwrap(),
            Rows::Columns(_)
        ));
        assert!(matches!(
            mlflow_rows(&json!({"instances": [[1, 2]]})).unwrap(),
            Rows::Positional(_)
        ));
        assert!(matches!(
            mlflow_rows(&json!({"dataframe_records": [{"a": 1}], "params": {}})).unwrap(),
            Rows::Records(_)
        ));
    }

    #[test]
    fn error_codes_follow_mlflow() {
        assert_eq!(error_code(StatusCode::UNPROCESSABLE_ENTITY), "BAD_REQUEST");
        assert_eq!(error_code(StatusCode::NOT_FOUND), "RESOURCE_DOES_NOT_EXIST");
        assert_eq!(
            error_code(StatusCode::GATEWAY_TIMEOUT),
            "TEMPORARILY_UNAVAILABLE"
        );
        assert_eq!(
            error_code(StatusCode::INTERNAL_SERVER_ERROR),
            "INTERNAL_ERROR"
        );
    }
}
