//! Hyper-parameter search: grid, random and successive-halving search over any parameter of a
//! model pipeline, each candidate scored by cross-validation on the training rows only.
//!
//! A [`SearchSpec`] is the `[tune]` section of `kiln.toml`. Its parameter space maps a dotted
//! path into the pipeline spec's JSON form to a [`Distribution`]: `"learning_rate"` (a bare path
//! is read under `model`), `"model.num_leaves"`, `"prep.seed"`, or a path through lists such as
//! `"prep.blocks.0.steps.1.strategy"`. A candidate is applied by editing the spec's
//! `serde_json::Value` and deserialising it back ([`apply_params`]), so every parameter of every
//! model and step is searchable without code per model, and a wrong path is an error that lists
//! the names available at that point.
//!
//! The search sees only the frame it is given — the training rows. The test split is never an
//! argument here, so it cannot influence which candidate wins.
//!
//! Halving follows scikit-learn's `HalvingRandomSearchCV` with `resource = n_samples`: round `i`
//! cross-validates the surviving candidates on `min_resources · factorⁱ` training rows (capped
//! at all rows) and keeps the best `⌈n / factor⌉`. Rows are subsampled before the folds are cut
//! (stratified for classification, so every round sees every class), where scikit-learn
//! subsamples each fold's rows; both give each round a uniform subsample of that size.

use std::collections::BTreeMap;
use std::time::Instant;

use kiln_data::Frame;
use kiln_prep::{PrepError, Task, split};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cv::{CvSpec, cross_validate, encoded_target};
use crate::metric::Metric;
use crate::pipeline::{ModelPipelineSpec, PipelineError, PipelineResult};

/// How candidates are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Every combination of the listed values (last parameter, in name order, varies fastest).
    Grid,
    /// `n_iter` candidates drawn with `seed`.
    Random,
    /// Successive halving over random candidates, with training rows as the resource.
    Halving,
}

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
const MAX_GRID: usize = 100_000;

impl Distribution {
    /// The values of a finite distribution, or `None` for a continuous one.
    fn finite_values(&self) -> Option<Vec<Value>> {
        match self {
            Distribution::Values(v) => Some(v.clone()),
            Distribution::Int([a, b]) => Some((*a..=*b).map(Value::from).collect()),
            Distribution::Uniform(_) | Distribution::LogUniform(_) => None,
        }
    }

    fn check(&self, path: &str) -> PipelineResult<()> {
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

    fn sample(&self, rng: &mut ChaCha8Rng) -> Value {
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

fn tune_param(param: &str, message: impl Into<String>) -> PipelineError {
    PipelineError::Prep(PrepError::param("tune", param, message))
}

/// The `[tune]` section: what to search and how.
///
/// ```
/// let tune: kiln_eval::SearchSpec = toml::from_str(r#"
///     strategy = "random"
///     n_iter = 20
///     seed = 7
///     metric = "roc_auc"
///     [params]
///     learning_rate = { log_uniform = [0.01, 0.3] }
///     num_leaves = { int = [8, 64] }
///     "prep.seed" = { values = [1, 2] }
///     [cv]
///     n_splits = 3
/// "#)?;
/// tune.check()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSpec {
    /// Grid, random or halving.
    pub strategy: Strategy,
    /// Parameter path → distribution.
    pub params: BTreeMap<String, Distribution>,
    /// The metric that ranks candidates (default: accuracy for classification, R² for
    /// regression, as scikit-learn's `score`).
    #[serde(default)]
    pub metric: Option<Metric>,
    /// Candidates for random search (default 10); first-round candidates for halving (default:
    /// as many as `rows / min_resources`, scikit-learn's `"exhaust"`).
    #[serde(default)]
    pub n_iter: Option<usize>,
    /// Seed of the draws and of halving's row subsamples.
    #[serde(default)]
    pub seed: u64,
    /// Halving: the fraction of candidates kept each round is `1 / factor` (default 3).
    #[serde(default = "default_factor")]
    pub factor: f64,
    /// Halving: rows in the first round (default `2 · n_splits`, times the class count for
    /// classification, scikit-learn's `"smallest"`).
    #[serde(default)]
    pub min_resources: Option<usize>,
    /// The folds each candidate is scored on.
    #[serde(default)]
    pub cv: CvSpec,
}

fn default_factor() -> f64 {
    3.0
}

impl SearchSpec {
    /// Checks the settings and every distribution.
    pub fn check(&self) -> PipelineResult<()> {
        if self.params.is_empty() {
            return Err(tune_param(
                "params",
                "is empty; give at least one parameter to search",
            ));
        }
        for (path, d) in &self.params {
            d.check(path)?;
        }
        if self.n_iter == Some(0) {
            return Err(tune_param("n_iter", "must be at least 1"));
        }
        match self.strategy {
            Strategy::Grid => {
                if self.n_iter.is_some() {
                    return Err(tune_param(
                        "n_iter",
                        "a grid search tries every combination; remove n_iter or use strategy = \"random\"",
                    ));
                }
                if let Some((path, _)) = self
                    .params
                    .iter()
                    .find(|(_, d)| d.finite_values().is_none())
                {
                    return Err(tune_param(
                        &format!("params.{path}"),
                        "a grid search needs a finite list (`values` or `int`), not a continuous distribution",
                    ));
                }
                self.grid_size()?;
            }
            Strategy::Random => {}
            Strategy::Halving => {
                if !(self.factor.is_finite() && self.factor > 1.0) {
                    return Err(tune_param(
                        "factor",
                        format!("must be a number above 1, got {}", self.factor),
                    ));
                }
                if self.min_resources == Some(0) {
                    return Err(tune_param("min_resources", "must be at least 1 row"));
                }
            }
        }
        self.cv.check()
    }

    /// Number of combinations when every distribution is finite.
    fn grid_size(&self) -> PipelineResult<usize> {
        let mut size = 1usize;
        for (path, d) in &self.params {
            let n = d.finite_values().map_or(0, |v| v.len());
            size = size.saturating_mul(n);
            if size > MAX_GRID {
                return Err(tune_param(
                    &format!("params.{path}"),
                    format!("the grid has more than {MAX_GRID} combinations; use random search"),
                ));
            }
        }
        Ok(size)
    }

    /// The candidates a grid or random search (or halving's first round) evaluates.
    fn candidates(&self, n: usize) -> PipelineResult<Vec<Params>> {
        let all_finite = self.params.values().all(|d| d.finite_values().is_some());
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        if self.strategy == Strategy::Grid || all_finite {
            let grid = grid(&self.params);
            if self.strategy == Strategy::Grid || grid.len() <= n {
                return Ok(grid);
            }
            // A finite space is sampled without replacement, as scikit-learn's ParameterSampler.
            let picks = rand::seq::index::sample(&mut rng, grid.len(), n);
            return Ok(picks.into_iter().map(|i| grid[i].clone()).collect());
        }
        Ok((0..n)
            .map(|_| {
                self.params
                    .iter()
                    .map(|(path, d)| (path.clone(), d.sample(&mut rng)))
                    .collect()
            })
            .collect())
    }
}

/// One candidate's parameter values, by path.
pub type Params = BTreeMap<String, Value>;

/// Every combination of finite distributions; the last path (in name order) varies fastest.
fn grid(params: &BTreeMap<String, Distribution>) -> Vec<Params> {
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
fn params_text(params: &Params) -> String {
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

/// One scored candidate (halving lists a candidate once per round it took part in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Parameter path → value.
    pub params: Params,
    /// Halving round (0-based; 0 for grid and random).
    pub round: usize,
    /// Training rows the candidate was cross-validated on.
    pub n_rows: usize,
    /// Mean validation score over folds.
    pub mean: f64,
    /// Standard deviation (ddof 0) of the validation scores.
    pub std: f64,
    /// Mean training score over folds.
    pub train_mean: f64,
    /// Validation score of each fold.
    pub fold_scores: Vec<f64>,
    /// Seconds spent fitting, summed over folds.
    pub fit_seconds: f64,
}

/// Everything a search found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// The ranking metric.
    pub metric: Metric,
    /// Every evaluation, in the order run.
    pub candidates: Vec<Candidate>,
    /// Index into `candidates` of the winner (best mean in the last round; first on ties).
    pub best: usize,
    /// The winner's parameters.
    pub best_params: Params,
    /// The pipeline spec with the winner's parameters applied.
    pub best_spec: ModelPipelineSpec,
    /// Wall-clock seconds.
    pub total_seconds: f64,
}

impl SearchResult {
    /// The winning candidate.
    pub fn best_candidate(&self) -> &Candidate {
        &self.candidates[self.best]
    }
}

/// The metric a task is scored with when none is named: accuracy or R², as scikit-learn's
/// `score`.
pub fn default_metric(task: Task) -> Metric {
    match task {
        Task::Classification => Metric::Accuracy,
        Task::Regression => Metric::R2,
    }
}

/// Searches `tune`'s space around `spec`, cross-validating each candidate on `train` only.
///
/// `progress(done, total)` is called after each candidate evaluation (for halving, `total`
/// counts every round's evaluations).
///
/// ```
/// use kiln_eval::{search, ModelPipelineSpec, SearchSpec};
/// let frame = kiln_data::datasets::load("iris")?;
/// let spec: ModelPipelineSpec = toml::from_str(r#"
///     prep = { target = "species", remainder = "passthrough" }
///     model = { kind = "decision_tree" }
/// "#)?;
/// let tune: SearchSpec = toml::from_str(r#"
///     strategy = "grid"
///     params = { max_depth = { values = [1, 3] } }
///     cv = { n_splits = 3 }
/// "#)?;
/// let result = search(&spec, &frame, &tune, &|_, _| {})?;
/// assert_eq!(result.candidates.len(), 2);
/// assert_eq!(result.best_params["max_depth"], 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn search(
    spec: &ModelPipelineSpec,
    train: &Frame,
    tune: &SearchSpec,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> PipelineResult<SearchResult> {
    let start = Instant::now();
    tune.check()?;
    spec.check()?;
    let (y, classes) = encoded_target(spec, train)?;
    let task = if classes.is_some() {
        Task::Classification
    } else {
        Task::Regression
    };
    let metric = tune.metric.unwrap_or_else(|| default_metric(task));
    let n_rows = train.n_rows();
    let plan = match tune.strategy {
        Strategy::Grid => Plan::single(tune.candidates(0)?, n_rows),
        Strategy::Random => Plan::single(tune.candidates(tune.n_iter.unwrap_or(10))?, n_rows),
        Strategy::Halving => {
            let n_classes = classes.as_ref().map_or(1, Vec::len);
            let min_resources = tune
                .min_resources
                .unwrap_or(2 * tune.cv.n_splits * n_classes);
            Plan::halving(tune, min_resources, n_rows)?
        }
    };
    // Every candidate spec is built (and checked) before any fitting, so a bad path fails fast.
    let mut alive: Vec<(Params, ModelPipelineSpec)> = plan
        .first
        .into_iter()
        .map(|p| {
            let s = apply_params(spec, &p)?;
            Ok((p, s))
        })
        .collect::<PipelineResult<_>>()?;
    let total = plan.rounds.iter().map(|r| r.1).sum();
    let mut done = 0;
    let mut candidates = Vec::new();
    let mut last_round_start = 0;
    for (round, &(rows, _)) in plan.rounds.iter().enumerate() {
        let frame = if rows >= n_rows {
            train.clone()
        } else {
            let seed = tune.seed.wrapping_add(round as u64);
            let keep = subsample(&y, task, rows, seed)?;
            train.take(&keep)?
        };
        last_round_start = candidates.len();
        for (params, candidate_spec) in &alive {
            let cv = cross_validate(candidate_spec, &frame, &tune.cv, &[metric], &|_, _| {})
                .map_err(|e| PipelineError::Candidate {
                    params: params_text(params),
                    source: Box::new(e),
                })?;
            let summary = &cv.summary[0];
            candidates.push(Candidate {
                params: params.clone(),
                round,
                n_rows: frame.n_rows(),
                mean: summary.valid_mean,
                std: summary.valid_std,
                train_mean: summary.train_mean,
                fold_scores: cv.folds.iter().map(|f| f.valid[0]).collect(),
                fit_seconds: cv.folds.iter().map(|f| f.fit_seconds).sum(),
            });
            done += 1;
            progress(done, total);
        }
        if let Some(&(_, next)) = plan.rounds.get(round + 1) {
            let ranked = rank(&candidates[last_round_start..], metric);
            let keep: Vec<usize> = ranked.into_iter().take(next).collect();
            alive = keep.into_iter().map(|i| alive[i].clone()).collect();
        }
    }
    let best = last_round_start + rank(&candidates[last_round_start..], metric)[0];
    let best_params = candidates[best].params.clone();
    let best_spec = apply_params(spec, &best_params)?;
    Ok(SearchResult {
        metric,
        candidates,
        best,
        best_params,
        best_spec,
        total_seconds: start.elapsed().as_secs_f64(),
    })
}

/// Candidate indices from best to worst mean score; ties keep the earlier candidate first.
fn rank(candidates: &[Candidate], metric: Metric) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (candidates[a].mean, candidates[b].mean);
        if metric.is_better(x, y) {
            std::cmp::Ordering::Less
        } else if metric.is_better(y, x) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    order
}

/// `rows` training rows: stratified by class for classification so every class stays present.
fn subsample(y: &[f64], task: Task, rows: usize, seed: u64) -> PipelineResult<Vec<usize>> {
    let fraction = rows as f64 / y.len() as f64;
    let fold = match task {
        Task::Classification => {
            // Codes come from the target encoding: whole numbers in 0..k.
            let codes: Vec<usize> = y.iter().map(|&c| c as usize).collect();
            split::stratified_train_test_split(&codes, fraction, seed)?
        }
        Task::Regression => split::train_test_split(y.len(), fraction, Some(seed))?,
    };
    Ok(fold.test)
}

/// The candidates of the first round and, per round, (rows, candidates evaluated).
struct Plan {
    first: Vec<Params>,
    rounds: Vec<(usize, usize)>,
}

impl Plan {
    fn single(first: Vec<Params>, rows: usize) -> Plan {
        let n = first.len();
        Plan {
            first,
            rounds: vec![(rows, n)],
        }
    }

    /// scikit-learn's successive-halving schedule with `resource = n_samples`.
    fn halving(
        tune: &SearchSpec,
        min_resources: usize,
        max_resources: usize,
    ) -> PipelineResult<Plan> {
        if min_resources > max_resources {
            return Err(tune_param(
                "min_resources",
                format!(
                    "{min_resources} rows is more than the {max_resources} training rows; lower min_resources or n_splits"
                ),
            ));
        }
        let n_candidates = tune
            .n_iter
            .unwrap_or((max_resources / min_resources).max(1));
        let first = tune.candidates(n_candidates)?;
        let log = |x: usize| ((x as f64).ln() / tune.factor.ln()).floor() as usize;
        let required = 1 + log(first.len());
        let possible = 1 + log(max_resources / min_resources);
        let n_rounds = required.min(possible);
        let mut rounds = Vec::with_capacity(n_rounds);
        let mut alive = first.len();
        for i in 0..n_rounds {
            let rows = (tune.factor.powi(i as i32) * min_resources as f64) as usize;
            rounds.push((rows.min(max_resources), alive));
            alive = (alive as f64 / tune.factor).ceil() as usize;
        }
        Ok(Plan { first, rounds })
    }
}
