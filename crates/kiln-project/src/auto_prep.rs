//! The preparation kiln chooses when `kiln.toml` has no `[prep]`: a sensible pipeline per model,
//! read off the schema.
//!
//! - Models that take missing values natively (GBDT): numbers pass through with their NaNs,
//!   categoricals are ordinal-encoded (unseen → the "other" bin) and declared categorical to
//!   the model, so it makes native categorical splits.
//! - Other models: numbers get median imputation, categoricals a one-hot encoding in which
//!   missing is its own level and unseen categories are all-zero rows; models that compare
//!   distances or weigh coefficients (linear, logistic, SVM, kNN, k-means) also get a standard
//!   scaler, as scikit-learn's documentation recommends.
//!
//! Text and datetime columns are left out (they need a vectorizer or a date expansion that only
//! the user can choose); [`auto_prep`] returns their names so the caller can say so.

use kiln_data::{ColumnType, Role, Schema};
use kiln_models::ModelSpec;
use kiln_prep::PipelineSpec;

use crate::error::{ProjectError, Result};

/// A chosen pipeline, the model adjusted to it, and the columns left out.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoPrep {
    /// The preparation.
    pub prep: PipelineSpec,
    /// The model spec, with categorical features declared where the model supports them.
    pub model: ModelSpec,
    /// Feature columns the pipeline does not use (text, datetime), by name.
    pub skipped: Vec<String>,
}

/// Model kinds that are sensitive to feature scale.
const SCALE_SENSITIVE: &[&str] = &[
    "linear_regression",
    "ridge",
    "lasso",
    "elastic_net",
    "huber",
    "logistic_regression",
    "linear_svm",
    "svm",
    "svc",
    "svr",
    "knn",
    "k_nearest_neighbors",
];

/// The serde `kind` tag of a model spec.
pub fn model_kind(model: &ModelSpec) -> String {
    serde_json::to_value(model)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// Builds the default pipeline for `model` on data with `schema`, predicting `target`.
pub fn auto_prep(schema: &Schema, target: &str, model: &ModelSpec, seed: u64) -> Result<AutoPrep> {
    schema.index_of(target).map_err(|_| {
        ProjectError::Invalid(format!(
            "target column '{target}' is not in the data (columns: {})",
            schema.names().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let features: Vec<_> = schema
        .fields
        .iter()
        .filter(|f| f.role == Role::Feature && f.name != target)
        .collect();
    let n_categorical = features
        .iter()
        .filter(|f| f.column_type == ColumnType::Categorical)
        .count();
    let n_numeric = features
        .iter()
        .filter(|f| f.column_type.is_numeric())
        .count();
    let skipped: Vec<String> = features
        .iter()
        .filter(|f| matches!(f.column_type, ColumnType::Text | ColumnType::Datetime))
        .map(|f| f.name.clone())
        .collect();
    if n_categorical + n_numeric == 0 {
        return Err(ProjectError::Invalid(format!(
            "no usable feature columns: every column other than the target '{target}' is an id, ignored, text or datetime"
        )));
    }
    let native = model.handles_missing();
    let scale = SCALE_SENSITIVE.contains(&model_kind(model).as_str());
    let mut blocks = Vec::new();
    // Categoricals first, so their model-matrix positions are 0..n_categorical.
    if n_categorical > 0 {
        let steps = if native {
            r#"[{ kind = "ordinal_encoder", unknown_value = -1.0 }]"#
        } else {
            r#"[{ kind = "one_hot_encoder", handle_unknown = "ignore" }]"#
        };
        blocks.push(format!(
            "[[blocks]]\nname = \"categories\"\ncolumns = {{ types = [\"categorical\"] }}\nsteps = {steps}\n"
        ));
    }
    if n_numeric > 0 {
        let mut steps: Vec<&str> = Vec::new();
        if !native {
            steps.push(r#"{ kind = "simple_imputer", strategy = "median" }"#);
        }
        if scale {
            steps.push(r#"{ kind = "standard_scaler" }"#);
        }
        blocks.push(format!(
            "[[blocks]]\nname = \"numbers\"\ncolumns = {{ types = [\"numeric\", \"integer\", \"boolean\"] }}\nsteps = [{}]\n",
            steps.join(", ")
        ));
    }
    let text = format!(
        "target = {}\nseed = {seed}\n{}",
        toml_string(target),
        blocks.join("\n")
    );
    let prep = PipelineSpec::from_toml(&text, "automatic preparation")?;
    let mut model = model.clone();
    if let ModelSpec::Gbdt(g) = &mut model
        && n_categorical > 0
        && g.categorical_features.is_empty()
    {
        g.categorical_features = (0..n_categorical).collect();
    }
    Ok(AutoPrep {
        prep,
        model,
        skipped,
    })
}

/// A TOML basic string literal.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_data::Field;

    fn schema() -> Schema {
        Schema::new(vec![
            Field::new("id", ColumnType::Integer).with_role(Role::Id),
            Field::new("x", ColumnType::Numeric),
            Field::new("n", ColumnType::Integer),
            Field::new("colour", ColumnType::Categorical),
            Field::new("note", ColumnType::Text),
            Field::new("y", ColumnType::Categorical).with_role(Role::Target),
        ])
        .expect("valid schema")
    }

    #[test]
    fn gbdt_gets_native_missing_and_categoricals() {
        let model: ModelSpec = serde_json::from_str(r#"{"kind": "gbdt"}"#).expect("spec");
        let auto = auto_prep(&schema(), "y", &model, 7).expect("prep");
        assert_eq!(auto.skipped, ["note"]);
        assert_eq!(auto.prep.blocks.len(), 2);
        assert_eq!(auto.prep.blocks[0].steps.len(), 1);
        assert!(auto.prep.blocks[1].steps.is_empty());
        let ModelSpec::Gbdt(g) = &auto.model else {
            panic!("still a gbdt")
        };
        assert_eq!(g.categorical_features, [0]);
    }

    #[test]
    fn trees_get_imputation_and_one_hot() {
        let model: ModelSpec = serde_json::from_str(r#"{"kind": "random_forest"}"#).expect("spec");
        let auto = auto_prep(&schema(), "y", &model, 7).expect("prep");
        assert_eq!(auto.prep.blocks[1].steps.len(), 1);
        assert_eq!(auto.model, model);
    }

    #[test]
    fn unknown_target_and_no_features_are_errors() {
        let model: ModelSpec = serde_json::from_str(r#"{"kind": "gbdt"}"#).expect("spec");
        let e = auto_prep(&schema(), "nope", &model, 0).expect_err("unknown target");
        assert!(e.to_string().contains("'nope'"), "{e}");
        let only = Schema::new(vec![
            Field::new("note", ColumnType::Text),
            Field::new("y", ColumnType::Numeric),
        ])
        .expect("schema");
        let e = auto_prep(&only, "y", &model, 0).expect_err("no features");
        assert!(e.to_string().contains("no usable feature"), "{e}");
    }
}
