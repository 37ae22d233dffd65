//! The Pipeline: one spec that turns a raw `Frame` into the model matrix, fitted on training
//! rows only and applied identically everywhere after.
//!
//! `PipelineSpec` is the `[prep]` section of `kiln.toml`: blocks that route columns (by name,
//! type or role, like scikit-learn's `ColumnTransformer`) through steps, optional steps on the
//! joined result, the target and an optional resampler. `fit` resolves the selectors against
//! the training frame once and stores the concrete input columns, so a fitted pipeline is plain
//! data (`serde`), and `transform` on one row gives exactly that row of the batch.

mod apply;

use kiln_data::{ColumnType, Frame, Role};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::resample::ResampleSpec;
use crate::split::Fold;
use crate::steps::{FitContext, FittedStep, StepSpec};
use crate::table::Table;
use apply::{encode_target_fit, read_inputs};

/// Which columns a block takes. A column is selected when it is named, or when `types` is
/// given and it has one of those types and one of `roles` (default: `feature`). Columns already
/// taken by an earlier block are not selected again by type; the target never is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ColumnSelector {
    /// Explicit column names (each must exist).
    #[serde(default)]
    pub names: Vec<String>,
    /// Column types to take.
    #[serde(default)]
    pub types: Vec<ColumnType>,
    /// Roles to take (default `["feature"]`).
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// A group of columns and the steps they go through, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSpec {
    /// Name used in messages.
    pub name: String,
    /// Column routing.
    pub columns: ColumnSelector,
    /// Steps, applied in order.
    #[serde(default)]
    pub steps: Vec<StepSpec>,
}

/// What happens to feature columns no block selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Remainder {
    /// Leave them out (default).
    #[default]
    Drop,
    /// Numeric feature columns pass through unchanged (after all blocks).
    Passthrough,
}

/// Classification targets are label-encoded; regression targets are used as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Classes become codes `0..k` (sorted class labels).
    Classification,
    /// The target is numeric.
    Regression,
}

/// The `[prep]` section: everything needed to prepare a model matrix.
///
/// ```
/// use kiln_data::csv::read_csv_bytes;
/// use kiln_prep::PipelineSpec;
///
/// let spec = PipelineSpec::from_toml(r#"
///     target = "label"
///     [[blocks]]
///     name = "numbers"
///     columns = { types = ["numeric", "integer"] }
///     steps = [{ kind = "simple_imputer", strategy = "median" }, { kind = "standard_scaler" }]
///     [[blocks]]
///     name = "colour"
///     columns = { names = ["colour"] }
///     steps = [{ kind = "one_hot_encoder", handle_unknown = "ignore" }]
/// "#, "kiln.toml")?;
/// let train = read_csv_bytes(b"x,colour,label\n1,red,a\n,blue,b\n3,red,a\n5,blue,b\n", "train", &Default::default())?;
/// let (fitted, prepared) = spec.fit_transform(&train)?;
/// assert_eq!(fitted.feature_names, ["x", "colour=blue", "colour=red"]);
/// assert_eq!(prepared.y.unwrap(), [0.0, 1.0, 0.0, 1.0]);
///
/// // Serving: one raw row with a missing number and an unseen colour.
/// let row = read_csv_bytes(b"x,colour\n,green\n", "request", &Default::default())?;
/// let x = fitted.transform(&row)?;
/// assert_eq!(x.row(0).to_vec(), [0.0, 0.0, 0.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PipelineSpec {
    /// Target column (default: the frame's column with role `target`, if any).
    #[serde(default)]
    pub target: Option<String>,
    /// Task (default: classification for categorical, text and boolean targets).
    #[serde(default)]
    pub task: Option<Task>,
    /// Columns never selected by type or role (leaky or irrelevant columns, e.g. an outcome
    /// recorded after the fact). Each must exist.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Column blocks, in output order.
    #[serde(default)]
    pub blocks: Vec<BlockSpec>,
    /// Feature columns no block selected.
    #[serde(default)]
    pub remainder: Remainder,
    /// Steps on the joined output of all blocks (PCA, selection, ...).
    #[serde(default)]
    pub after: Vec<StepSpec>,
    /// Resampling of the training rows (never applied at transform time).
    #[serde(default)]
    pub resample: Option<ResampleSpec>,
    /// Seed for every random step.
    #[serde(default)]
    pub seed: u64,
}

/// An input column a fitted pipeline reads, with the kind of values it expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputColumn {
    /// Column name.
    pub name: String,
    /// True when read as categories, false when read as numbers.
    pub categorical: bool,
}

/// A fitted block: its input columns and fitted steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedBlock {
    /// Block name.
    pub name: String,
    /// Resolved input columns.
    pub inputs: Vec<InputColumn>,
    /// Fitted steps.
    pub steps: Vec<FittedStep>,
}

/// How the target was encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetEncoding {
    /// Target column.
    pub column: String,
    /// Sorted class labels for classification (`classes[code]`), `None` for regression.
    pub classes: Option<Vec<String>>,
}

/// A fitted pipeline: plain data, serialisable, applied by `transform`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPipeline {
    /// Fitted blocks.
    pub blocks: Vec<FittedBlock>,
    /// Fitted steps on the joined output.
    pub after: Vec<FittedStep>,
    /// Names of the model matrix columns.
    pub feature_names: Vec<String>,
    /// Target encoding, when a target was given.
    pub target: Option<TargetEncoding>,
}

/// The training-time output of `PipelineSpec::fit_transform`.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Model matrix (column-major), after resampling.
    pub x: Array2<f64>,
    /// Encoded target, after resampling.
    pub y: Option<Vec<f64>>,
    /// Per-row weights from the resampler (balanced class weights), if any.
    pub weights: Option<Vec<f64>>,
}

/// One cross-validation fold prepared without leakage: the pipeline is fitted on the fold's
/// training rows only, then applied to its test rows.
#[derive(Debug, Clone)]
pub struct PreparedFold {
    /// The pipeline fitted on this fold's training rows.
    pub pipeline: FittedPipeline,
    /// Training data (resampled if the spec says so).
    pub train: Prepared,
    /// Test matrix (never resampled).
    pub x_test: Array2<f64>,
    /// Test target.
    pub y_test: Option<Vec<f64>>,
}

impl PipelineSpec {
    /// Parses a spec from TOML: either the bare section or a whole `kiln.toml` with `[prep]`.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self> {
        let value: toml::Table = toml::from_str(text).map_err(|e| PrepError::Format {
            origin: origin.into(),
            message: e.to_string(),
        })?;
        let section = match value.get("prep") {
            Some(toml::Value::Table(t)) => t.clone(),
            _ => value,
        };
        let spec: PipelineSpec =
            section
                .try_into()
                .map_err(|e: toml::de::Error| PrepError::Format {
                    origin: origin.into(),
                    message: e.to_string(),
                })?;
        spec.check()?;
        Ok(spec)
    }

    /// Validates every step and resampler.
    pub fn check(&self) -> Result<()> {
        for block in &self.blocks {
            if block.columns.names.is_empty()
                && block.columns.types.is_empty()
                && block.columns.roles.is_empty()
            {
                return Err(PrepError::param(
                    format!("block '{}'", block.name),
                    "columns",
                    "selects nothing; give names, types or roles",
                ));
            }
            for step in &block.steps {
                step.check()?;
            }
        }
        for step in &self.after {
            step.check()?;
        }
        if let Some(r) = &self.resample {
            r.check()?;
        }
        Ok(())
    }

    /// The target of `frame` encoded exactly as `fit` would encode it on these rows (sorted class
    /// labels → codes, or numeric values). Cross-validation uses it to stratify folds and to
    /// check that every fold's training rows see every class, before any step is fitted.
    pub fn encode_target(&self, frame: &Frame) -> Result<(TargetEncoding, Vec<f64>)> {
        let name = self.target_name(frame).ok_or_else(|| {
            PrepError::input(
                "target",
                "no target column: set `target` in [prep] or give a column the role `target`",
            )
        })?;
        encode_target_fit(frame, &name, self.task)
    }

    fn target_name(&self, frame: &Frame) -> Option<String> {
        self.target.clone().or_else(|| {
            frame
                .schema()
                .names_with_role(Role::Target)
                .first()
                .map(|s| s.to_string())
        })
    }

    /// Resolves each block's selector to concrete columns of `frame`.
    fn resolve(&self, frame: &Frame, target: Option<&str>) -> Result<Vec<Vec<InputColumn>>> {
        let schema = frame.schema();
        for name in &self.exclude {
            schema.index_of(name)?;
        }
        let mut taken: Vec<String> = self.exclude.clone();
        let mut out = Vec::new();
        for block in &self.blocks {
            let mut names: Vec<String> = Vec::new();
            for name in &block.columns.names {
                schema.index_of(name)?;
                if Some(name.as_str()) == target {
                    return Err(PrepError::param(
                        format!("block '{}'", block.name),
                        "columns",
                        format!("'{name}' is the target; it cannot also be an input"),
                    ));
                }
                names.push(name.clone());
            }
            let roles = if block.columns.roles.is_empty() {
                vec![Role::Feature]
            } else {
                block.columns.roles.clone()
            };
            if !block.columns.types.is_empty() || !block.columns.roles.is_empty() {
                for f in &schema.fields {
                    let type_ok = block.columns.types.is_empty()
                        || block.columns.types.contains(&f.column_type);
                    if type_ok
                        && roles.contains(&f.role)
                        && Some(f.name.as_str()) != target
                        && !taken.contains(&f.name)
                        && !names.contains(&f.name)
                    {
                        names.push(f.name.clone());
                    }
                }
            }
            let inputs = names
                .iter()
                .map(|n| {
                    let t = schema.field(n)?.column_type;
                    Ok(InputColumn {
                        name: n.clone(),
                        categorical: !t.is_numeric(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            taken.extend(names);
            out.push(inputs);
        }
        if self.remainder == Remainder::Passthrough {
            let rest: Vec<InputColumn> = schema
                .fields
                .iter()
                .filter(|f| {
                    f.role == Role::Feature
                        && f.column_type.is_numeric()
                        && Some(f.name.as_str()) != target
                        && !taken.contains(&f.name)
                })
                .map(|f| InputColumn {
                    name: f.name.clone(),
                    categorical: false,
                })
                .collect();
            out.push(rest);
        }
        Ok(out)
    }

    /// Fits on `frame` (training rows only) and returns the fitted pipeline.
    pub fn fit(&self, frame: &Frame) -> Result<FittedPipeline> {
        Ok(self.fit_transform(frame)?.0)
    }

    /// Fits on `frame` and returns the training matrix as the model should see it: with
    /// cross-fitted target encodings, training-only noise and resampling applied.
    pub fn fit_transform(&self, frame: &Frame) -> Result<(FittedPipeline, Prepared)> {
        self.check()?;
        let target_name = self.target_name(frame);
        let (target, y) = match &target_name {
            Some(name) => {
                let (enc, y) = encode_target_fit(frame, name, self.task)?;
                (Some(enc), Some(y))
            }
            None => (None, None),
        };
        let n_classes = target
            .as_ref()
            .and_then(|t| t.classes.as_ref().map(Vec::len));
        let ctx = FitContext {
            y: y.as_deref(),
            n_classes,
            seed: self.seed,
        };
        let inputs = self.resolve(frame, target_name.as_deref())?;
        let mut blocks = Vec::new();
        let mut parts = Vec::new();
        for (b, cols) in inputs.into_iter().enumerate() {
            let (name, specs): (String, &[StepSpec]) = match self.blocks.get(b) {
                Some(block) => (block.name.clone(), &block.steps),
                None => ("remainder".into(), &[]),
            };
            let mut table = read_inputs(frame, &cols)?;
            let mut steps = Vec::new();
            for (s, spec) in specs.iter().enumerate() {
                let step_ctx = FitContext {
                    seed: self.seed.wrapping_add((b * 1000 + s) as u64),
                    ..ctx
                };
                let (fitted, out) = spec
                    .fit_transform(table, &step_ctx)
                    .map_err(|e| in_block(&name, spec.kind(), e))?;
                steps.push(fitted);
                table = out;
            }
            parts.push(table);
            blocks.push(FittedBlock {
                name,
                inputs: cols,
                steps,
            });
        }
        let mut table = Table::hstack(parts, frame.n_rows());
        let mut after = Vec::new();
        for (s, spec) in self.after.iter().enumerate() {
            let step_ctx = FitContext {
                seed: self.seed.wrapping_add(1_000_000 + s as u64),
                ..ctx
            };
            let (fitted, out) = spec
                .fit_transform(table, &step_ctx)
                .map_err(|e| in_block("after", spec.kind(), e))?;
            after.push(fitted);
            table = out;
        }
        check_unique(&table.names)?;
        let x = table.to_matrix()?;
        let pipeline = FittedPipeline {
            blocks,
            after,
            feature_names: table.names.clone(),
            target,
        };
        let pipeline_names = pipeline.feature_names.clone();
        let prepared = match &self.resample {
            Some(r) => {
                let y = y.ok_or_else(|| {
                    PrepError::input(
                        "resample",
                        "needs a target; set `target` in the [prep] section",
                    )
                })?;
                if n_classes.is_none() {
                    return Err(PrepError::input(
                        "resample",
                        "balances classes, but the target is a regression target; set task = \"classification\" or remove [prep.resample]",
                    ));
                }
                let out = r.resample_named(&x, &pipeline_names, &y, self.seed)?;
                Prepared {
                    x: out.x,
                    y: Some(out.y),
                    weights: out.weights,
                }
            }
            None => Prepared {
                x,
                y,
                weights: None,
            },
        };
        Ok((pipeline, prepared))
    }

    /// Leakage-safe cross-validation data: for each fold, fits the whole pipeline on that
    /// fold's training rows only and transforms its test rows with it.
    pub fn fit_folds(&self, frame: &Frame, folds: &[Fold]) -> Result<Vec<PreparedFold>> {
        folds
            .iter()
            .map(|fold| {
                let train = frame.take(&fold.train)?;
                let test = frame.take(&fold.test)?;
                let (pipeline, train) = self.fit_transform(&train)?;
                let x_test = pipeline.transform(&test)?;
                let y_test = pipeline
                    .target
                    .as_ref()
                    .map(|_| pipeline.encode_target(&test))
                    .transpose()?;
                Ok(PreparedFold {
                    pipeline,
                    train,
                    x_test,
                    y_test,
                })
            })
            .collect()
    }
}

fn in_block(block: &str, step: &str, e: PrepError) -> PrepError {
    match e {
        PrepError::Input { what, message } => {
            PrepError::input(format!("block '{block}', step {step}: {what}"), message)
        }
        other => other,
    }
}

fn check_unique(names: &[String]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for n in names {
        if !seen.insert(n) {
            return Err(PrepError::input(
                "pipeline output",
                format!(
                    "feature name '{n}' appears twice; a column is probably selected by two blocks"
                ),
            ));
        }
    }
    Ok(())
}
