//! `kiln.toml`: the project configuration, as serde data.
//!
//! One file says where the data is, how to split it, how to prepare it, which models to try,
//! how to tune them, the gate a new model must pass against production, and where to register
//! it. Every section but `[data]` is optional and has a default that follows the field's
//! practice (80/20 stratified split, 5-fold cross-validation, ROC-AUC / log-loss / RMSE by task).
//! Unknown keys are errors, and a parse error names the line and the key.
//!
//! ```toml
//! [data]
//! path = "train.csv"
//! target = "churned"
//! roles = { customer_id = "id" }
//!
//! [split]
//! test_size = 0.2
//! seed = 7
//! cv_folds = 5
//!
//! [[model]]
//! kind = "gbdt"
//! n_estimators = 200
//!
//! [[model]]
//! kind = "random_forest"
//!
//! [gate]
//! metric = "roc_auc"
//! max_drop = 0.005
//!
//! [register]
//! name = "churn"
//! alias = "production"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kiln_data::{ColumnType, Role, SchemaOverrides};
use kiln_eval::Metric;
use kiln_models::ModelSpec;
use kiln_prep::PipelineSpec;
use serde::{Deserialize, Serialize};

use crate::error::{ProjectError, Result};

/// The whole `kiln.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Where the training data is and what it means.
    pub data: DataSection,
    /// Held-out test split and cross-validation.
    #[serde(default)]
    pub split: SplitSection,
    /// The preparation pipeline; chosen per model from the schema when absent.
    #[serde(default)]
    pub prep: Option<PipelineSpec>,
    /// Candidate models: one `[model]` table or several `[[model]]` tables.
    #[serde(default, deserialize_with = "one_or_many")]
    pub model: Vec<ModelSpec>,
    /// The metric that picks the best candidate and drives the gate.
    #[serde(default)]
    pub train: TrainSection,
    /// Hyper-parameter search of the first candidate (`kiln tune`, and `kiln train` before its
    /// cross-validation).
    #[serde(default)]
    pub tune: Option<kiln_eval::SearchSpec>,
    /// What a new model must achieve against the current production version.
    #[serde(default)]
    pub gate: Option<GateSection>,
    /// Where the trained model is registered.
    #[serde(default)]
    pub register: RegisterSection,
}

/// `[data]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// Training data file (CSV, TSV, Parquet, NDJSON); relative paths are relative to kiln.toml.
    pub path: PathBuf,
    /// The column to predict.
    pub target: String,
    /// A schema/overrides TOML file (`[columns.X] type/role`), relative to kiln.toml.
    #[serde(default)]
    pub schema: Option<PathBuf>,
    /// Column roles (`id`, `ignore`, `weight`, `time`, ...), e.g. `{ customer_id = "id" }`.
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    /// Forced column types, e.g. `{ zip = "categorical" }`.
    #[serde(default)]
    pub types: BTreeMap<String, ColumnType>,
}

/// `[split]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitSection {
    /// Share of rows held out for the one final test (default 0.2).
    #[serde(default = "default_test_size")]
    pub test_size: f64,
    /// Seed for the split, the folds and every seeded model (default 42).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Stratify by class (default: yes for classification).
    #[serde(default)]
    pub stratify: Option<bool>,
    /// Keep all rows of a group on one side (e.g. `customer_id`).
    #[serde(default)]
    pub group: Option<String>,
    /// Split by time: the latest rows are the test set (e.g. `event_date`).
    #[serde(default)]
    pub time: Option<String>,
    /// Cross-validation folds on the training rows (default 5; 0 or 1 skips CV).
    #[serde(default = "default_folds")]
    pub cv_folds: usize,
    /// Repeats of the cross-validation with different shuffles (default 1).
    #[serde(default = "default_repeats")]
    pub cv_repeats: usize,
}

/// `[train]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainSection {
    /// Selection metric (default: `roc_auc` binary, `log_loss` multiclass, `rmse` regression).
    #[serde(default)]
    pub metric: Option<Metric>,
}

/// `[gate]`: promotion rule against the version the alias points at now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSection {
    /// Metric compared on the same held-out rows (default: the selection metric).
    #[serde(default)]
    pub metric: Option<Metric>,
    /// Largest allowed drop (in the metric's own units, direction-aware) vs the current version.
    #[serde(default)]
    pub max_drop: f64,
}

/// `[register]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterSection {
    /// Model name in the registry (default: the data file's stem).
    #[serde(default)]
    pub name: Option<String>,
    /// Alias moved to the new version when the gate passes (default `production`).
    #[serde(default = "default_alias")]
    pub alias: String,
}

impl Default for SplitSection {
    fn default() -> Self {
        SplitSection {
            test_size: default_test_size(),
            seed: default_seed(),
            stratify: None,
            group: None,
            time: None,
            cv_folds: default_folds(),
            cv_repeats: default_repeats(),
        }
    }
}

impl Default for RegisterSection {
    fn default() -> Self {
        RegisterSection {
            name: None,
            alias: default_alias(),
        }
    }
}

fn default_test_size() -> f64 {
    0.2
}
fn default_seed() -> u64 {
    42
}
fn default_folds() -> usize {
    5
}
fn default_repeats() -> usize {
    1
}
fn default_alias() -> String {
    "production".into()
}

/// Accepts `[model]` (one table) or `[[model]]` (an array of tables).
fn one_or_many<'de, D>(deserializer: D) -> std::result::Result<Vec<ModelSpec>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    // Parsed as a value first: an untagged enum would hide which key of which model is wrong.
    let value = toml::Value::deserialize(deserializer)?;
    match value {
        toml::Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                v.try_into().map_err(|e: toml::de::Error| {
                    serde::de::Error::custom(format!("model #{}: {}", i + 1, e.message()))
                })
            })
            .collect(),
        other => other
            .try_into()
            .map(|m: ModelSpec| vec![m])
            .map_err(|e: toml::de::Error| serde::de::Error::custom(e.message().to_string())),
    }
}

impl ProjectConfig {
    /// Parses and checks a `kiln.toml`; `origin` names the file in messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self> {
        let config: ProjectConfig = toml::from_str(text).map_err(|e| ProjectError::Config {
            origin: origin.into(),
            message: e.to_string(),
        })?;
        config.check(origin)?;
        Ok(config)
    }

    /// Reads a `kiln.toml` and makes its relative paths relative to the file's folder.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| ProjectError::Config {
            origin: path.display().to_string(),
            message: format!("cannot read: {e}"),
        })?;
        let mut config = Self::from_toml(&text, &path.display().to_string())?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.data.path = base.join(&config.data.path);
        if let Some(schema) = &config.data.schema {
            config.data.schema = Some(base.join(schema));
        }
        Ok(config)
    }

    /// Checks ranges the types cannot express.
    pub fn check(&self, origin: &str) -> Result<()> {
        let bad = |key: &str, message: String| ProjectError::Config {
            origin: origin.into(),
            message: format!("{key}: {message}"),
        };
        let s = &self.split;
        if !(s.test_size > 0.0 && s.test_size < 1.0) {
            return Err(bad(
                "split.test_size",
                format!(
                    "is {}; expected a share strictly between 0 and 1",
                    s.test_size
                ),
            ));
        }
        if s.cv_repeats == 0 {
            return Err(bad("split.cv_repeats", "is 0; expected at least 1".into()));
        }
        if s.group.is_some() && s.time.is_some() {
            return Err(bad(
                "split",
                "has both `group` and `time`; choose one way to split".into(),
            ));
        }
        if let Some(g) = &self.gate
            && !(g.max_drop.is_finite() && g.max_drop >= 0.0)
        {
            return Err(bad(
                "gate.max_drop",
                format!("is {}; expected a finite value ≥ 0", g.max_drop),
            ));
        }
        if let Some(name) = &self.register.name {
            check_model_name(name).map_err(|m| bad("register.name", m))?;
        }
        if self.register.alias.is_empty()
            || !self
                .register
                .alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(bad(
                "register.alias",
                format!(
                    "'{}' is not a valid alias; use letters, digits, '-' and '_'",
                    self.register.alias
                ),
            ));
        }
        for (i, m) in self.model.iter().enumerate() {
            m.check()
                .map_err(|e| bad(&format!("model #{}", i + 1), e.to_string()))?;
        }
        if let Some(p) = &self.prep {
            p.check().map_err(|e| bad("prep", e.to_string()))?;
        }
        if let Some(t) = &self.tune {
            t.check().map_err(|e| bad("tune", e.to_string()))?;
        }
        Ok(())
    }

    /// The read options for the data file: `[data]` roles, types, schema file and target.
    pub fn overrides(&self) -> Result<SchemaOverrides> {
        let mut overrides = match &self.data.schema {
            Some(path) => SchemaOverrides::read(path)?,
            None => SchemaOverrides::default(),
        };
        for (name, ty) in &self.data.types {
            overrides.set_type(name, *ty);
        }
        for (name, role) in &self.data.roles {
            overrides.set_role(name, *role);
        }
        overrides.set_role(&self.data.target, Role::Target);
        Ok(overrides)
    }

    /// The registry name: `[register] name`, or the data file's stem.
    pub fn model_name(&self) -> Result<String> {
        if let Some(n) = &self.register.name {
            return Ok(n.clone());
        }
        let stem = self
            .data
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let name: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        check_model_name(&name).map_err(|m| ProjectError::Config {
            origin: "kiln.toml".into(),
            message: format!("register.name: not set, and the file stem cannot serve: {m}"),
        })?;
        Ok(name)
    }
}

/// A model name is letters, digits, `-` and `_`, starting with a letter (it appears in
/// references like `name@production` and `name/3`, and in URLs).
pub fn check_model_name(name: &str) -> std::result::Result<(), String> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.len() <= 100;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{name}' is not a valid model name; use up to 100 letters, digits, '-' and '_', starting with a letter"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_config_gets_the_defaults() {
        let c = ProjectConfig::from_toml("[data]\npath = \"d.csv\"\ntarget = \"y\"\n", "kiln.toml")
            .expect("valid");
        assert_eq!(c.split, SplitSection::default());
        assert!(c.model.is_empty());
        assert_eq!(c.register.alias, "production");
        assert_eq!(c.model_name().expect("stem"), "d");
    }

    #[test]
    fn one_model_table_or_many() {
        let one = ProjectConfig::from_toml(
            "[data]\npath = \"d.csv\"\ntarget = \"y\"\n[model]\nkind = \"gbdt\"\nn_estimators = 5\n",
            "kiln.toml",
        )
        .expect("valid");
        assert_eq!(one.model.len(), 1);
        let many = ProjectConfig::from_toml(
            "[data]\npath = \"d.csv\"\ntarget = \"y\"\n[[model]]\nkind = \"gbdt\"\n[[model]]\nkind = \"random_forest\"\n",
            "kiln.toml",
        )
        .expect("valid");
        assert_eq!(many.model.len(), 2);
    }

    #[test]
    fn errors_name_the_line_or_the_key() {
        let e = ProjectConfig::from_toml(
            "[data]\npath = \"d.csv\"\ntarget = \"y\"\nsurprise = 1\n",
            "kiln.toml",
        )
        .expect_err("unknown key");
        let m = e.to_string();
        assert!(
            m.contains("kiln.toml") && m.contains("line 4") && m.contains("surprise"),
            "{m}"
        );
        let e = ProjectConfig::from_toml("[data]\npath = \"d.csv\"\n", "kiln.toml")
            .expect_err("no target");
        assert!(e.to_string().contains("target"), "{e}");
        let e = ProjectConfig::from_toml(
            "[data]\npath = \"d.csv\"\ntarget = \"y\"\n[split]\ntest_size = 1.5\n",
            "kiln.toml",
        )
        .expect_err("range");
        assert!(e.to_string().contains("split.test_size"), "{e}");
        let e = ProjectConfig::from_toml(
            "[data]\npath = \"d.csv\"\ntarget = \"y\"\n[model]\nkind = \"gbdt\"\nlearning_rate = -1.0\n",
            "kiln.toml",
        )
        .expect_err("bad model");
        assert!(e.to_string().contains("learning_rate"), "{e}");
        let e = ProjectConfig::from_toml(
            "[data]\npath = \"d.csv\"\ntarget = \"y\"\n[model]\nkind = \"no_such_model\"\n",
            "kiln.toml",
        )
        .expect_err("unknown kind");
        assert!(e.to_string().contains("no_such_model"), "{e}");
        let e = ProjectConfig::from_toml(
            "[data]\npath = \"d.csv\"\ntarget = \"y\"\n[register]\nname = \"has space\"\n",
            "kiln.toml",
        )
        .expect_err("bad name");
        assert!(e.to_string().contains("register.name"), "{e}");
    }
}
