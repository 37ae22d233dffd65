//! The search space: the distributions a parameter is drawn from ([`Distribution`]) and how a
//! candidate's values are written into a pipeline spec ([`apply_params`]) — by editing the
//! spec's JSON form along a dotted path and deserialising it back, so every parameter of every
//! model and preparation step is searchable without code per model.

use std::collections::BTreeMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::tune_param;
use crate::pipeline::{ModelPipelineSpec, PipelineError, PipelineResult};

/// The values one parameter may take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// One of these values (any JSON/TOML value: numbers, strings, booleans, tables).
    Values(Vec<Value>),
    /// A float drawn uniformly from `[a, b]`.
    Uniform([f64; 2]),
    /// A float whose logarithm is uniform on `[ln a, ln b]` (`0 < a < b`).
    LogUniform([f64; 2]),
    /// An integer drawn uniformly from `a..=b` (both ends included).
    Int([i64; 2]),
}

/// Largest grid a search will enumerate; a bigger space is almost certainly a mistake.
pub(crate) const MAX_GRID: usize = 100_000;

impl Distribution {
    /// The values of a finite distribution, or `None` for a continuous one.
    pub(crate) fn finite_values(&self) -> Option<Vec<Value>> {
        match self {
            Distribution::Values(v) => Some(v.clone()),
            Distribution::Int([a, b]) => Some((*a..=*b).map(Value::from).collect()),
            Distribution::Uniform(_) | Distribution::LogUniform(_) => None,
        }
    }

    pub(crate) fn check(&self, path: &str) -> PipelineResult<()> {
        let bad = |message: String| Err(tune_param(&format!("params.{path}"), message));
        match self {
            Distribution::Values(v) if v.is_empty() => bad("`values` is empty".into()),
            Distribution::Uniform([a, b]) if !(a.is_finite() && b.is_finite() && a <= b) => {
                bad(format!("`uniform = [{a}, {b}]` needs finite a <= b"))
            }
            Distribution::LogUniform([a, b])
                if !(a.is_finite() && b.is_finite() && 0.0 < *a && a <= b) =>
            {
                bad(format!(
                    "`log_uniform = [{a}, {b}]` needs finite 0 < a <= b"
                ))
            }
            Distribution::Int([a, b]) if a > b => bad(format!("`int = [{a}, {b}]` needs a <= b")),
            Distribution::Int([a, b]) if b.abs_diff(*a) >= MAX_GRID as u64 => bad(format!(
                "`int = [{a}, {b}]` spans more than {MAX_GRID} values; use log_uniform or a narrower range"
            )),
            _ => Ok(()),
        }
    }

    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> Value {
        match self {
            Distribution::Values(v) => v[rng.random_range(0..v.len())].clone(),
            Distribution::Uniform([a, b]) => float_value(a + (b - a) * rng.random::<f64>()),
            Distribution::LogUniform([a, b]) => {
                let (la, lb) = (a.ln(), b.ln());
                float_value((la + (lb - la) * rng.random::<f64>()).exp())
            }
            Distribution::Int([a, b]) => Value::from(rng.random_range(*a..=*b)),
        }
    }
}

/// A finite float as a JSON number (`check` rules out non-finite bounds, so draws are finite).
fn float_value(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// One candidate's parameter values, by path.
pub type Params = BTreeMap<String, Value>;

/// Every combination of finite distributions; the last path (in name order) varies fastest.
pub(crate) fn grid(params: &BTreeMap<String, Distribution>) -> Vec<Params> {
    let mut out: Vec<Params> = vec![BTreeMap::new()];
    for (path, d) in params {
        let values = d.finite_values().unwrap_or_default();
        out = out
            .into_iter()
            .flat_map(|base| {
                values.iter().map(move |v| {
                    let mut p = base.clone();
                    p.insert(path.clone(), v.clone());
                    p
                })
            })
            .collect();
    }
    out
}

/// Returns `spec` with each parameter path set to its value.
///
/// A path without a `model.` or `prep.` prefix is read under `model`. Every segment must name an
/// existing field (or a list index); the edited JSON must deserialise back into a valid spec.
///
/// ```
/// use kiln_eval::{apply_params, ModelPipelineSpec};
/// let spec: ModelPipelineSpec = toml::from_str(r#"
///     prep = { target = "y" }
///     model = { kind = "gbdt", learning_rate = 0.1 }
/// "#)?;
/// let params = [("learning_rate".to_string(), serde_json::json!(0.05))].into();
/// let tuned = apply_params(&spec, &params)?;
/// let kiln_models::ModelSpec::Gbdt(g) = &tuned.model else { unreachable!() };
/// assert_eq!(g.learning_rate, 0.05);
/// let bad = [("learning_rat".to_string(), serde_json::json!(0.05))].into();
/// assert!(apply_params(&spec, &bad).unwrap_err().to_string().contains("learning_rate"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_params(
    spec: &ModelPipelineSpec,
    params: &Params,
) -> PipelineResult<ModelPipelineSpec> {
    let json_error =
        |what: &str, e: serde_json::Error| PipelineError::Invalid(format!("{what}: {e}"));
    let mut root = serde_json::to_value(spec).map_err(|e| json_error("the pipeline spec", e))?;
    for (path, value) in params {
        set_path(&mut root, path, value.clone())?;
    }
    let out: ModelPipelineSpec = serde_json::from_value(root)
        .map_err(|e| json_error(&format!("the spec with {}", params_text(params)), e))?;
    out.check()?;
    Ok(out)
}

/// Parameters as compact JSON, for messages.
pub(crate) fn params_text(params: &Params) -> String {
    serde_json::to_string(params).unwrap_or_else(|_| format!("{params:?}"))
}

fn set_path(root: &mut Value, path: &str, value: Value) -> PipelineResult<()> {
    let mut segments: Vec<&str> = path.split('.').collect();
    if !matches!(segments.first(), Some(&"model" | &"prep")) {
        segments.insert(0, "model");
    }
    let unknown = |at: &str, available: String| {
        PipelineError::Invalid(format!(
            "unknown parameter path '{path}': no '{at}' here; expected one of: {available}"
        ))
    };
    let mut node = root;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match node {
            Value::Object(map) => {
                if !map.contains_key(*seg) {
                    let keys: Vec<&str> = map
                        .keys()
                        .map(String::as_str)
                        .filter(|k| *k != "kind")
                        .collect();
                    return Err(unknown(seg, keys.join(", ")));
                }
                // Checked just above: the key exists.
                map.get_mut(*seg).expect("key present")
            }
            Value::Array(items) => {
                let len = items.len();
                match seg.parse::<usize>().ok().filter(|&k| k < len) {
                    Some(k) => &mut items[k],
                    None => return Err(unknown(seg, format!("a list index 0..{len}"))),
                }
            }
            _ => {
                return Err(unknown(
                    seg,
                    "nothing: the path goes past a single value".into(),
                ));
            }
        };
        if last {
            *node = value;
            return Ok(());
        }
    }
    Ok(())
}
