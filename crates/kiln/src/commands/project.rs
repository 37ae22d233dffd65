//! The project configuration of `kiln train` / `kiln tune`: `kiln.toml` (given, or found in the
//! current folder) with command-line flags on top, or flags alone.

use std::path::Path;
use std::time::Instant;

use kiln_data::{ColumnType, Frame, Role};
use kiln_eval::Metric;
use kiln_models::ModelSpec;
use kiln_project::data::read_project_frame;
use kiln_project::{DataSection, ProjectConfig};

use super::read::split_pair;
use crate::cli::ProjectArgs;
use crate::error::{CliError, CliResult};
use crate::output::spinner;

/// Builds the configuration from `kiln.toml` and the flags.
pub fn load_config(args: &ProjectArgs) -> CliResult<ProjectConfig> {
    let default_file = Path::new("kiln.toml");
    let file = match (&args.config, &args.file) {
        (Some(path), _) => Some(path.clone()),
        (None, None) if default_file.exists() => Some(default_file.to_path_buf()),
        _ => None,
    };
    let mut config = match file {
        Some(path) => ProjectConfig::read(&path)?,
        None => {
            let (Some(path), Some(target)) = (&args.file, &args.target) else {
                return Err(CliError::Usage(
                    "no kiln.toml here: give a data file and --target (kiln train FILE --target COL), or --config FILE".into(),
                ));
            };
            ProjectConfig {
                data: DataSection {
                    path: path.clone(),
                    target: target.clone(),
                    schema: None,
                    roles: Default::default(),
                    types: Default::default(),
                },
                split: Default::default(),
                prep: None,
                model: Vec::new(),
                train: Default::default(),
                tune: None,
                gate: None,
                register: Default::default(),
            }
        }
    };
    if let Some(path) = &args.file {
        config.data.path = path.clone();
    }
    if let Some(target) = &args.target {
        config.data.target = target.clone();
    }
    for r in &args.roles {
        let (col, role) = split_pair("role", r)?;
        let role: Role = role
            .parse()
            .map_err(|e: kiln_data::DataError| CliError::Usage(e.to_string()))?;
        config.data.roles.insert(col.to_string(), role);
    }
    for t in &args.types {
        let (col, ty) = split_pair("type", t)?;
        let ty: ColumnType = ty
            .parse()
            .map_err(|e: kiln_data::DataError| CliError::Usage(e.to_string()))?;
        config.data.types.insert(col.to_string(), ty);
    }
    if !args.models.is_empty() {
        config.model = args
            .models
            .iter()
            .map(|m| parse_model(m))
            .collect::<CliResult<_>>()?;
    }
    if let Some(m) = &args.metric {
        config.train.metric = Some(parse_metric(m)?);
    }
    if let Some(f) = args.folds {
        config.split.cv_folds = f;
    }
    if let Some(s) = args.seed {
        config.split.seed = s;
    }
    if let Some(t) = args.test_size {
        config.split.test_size = t;
    }
    config.check("command line")?;
    Ok(config)
}

/// `--model gbdt` or `--model '{"kind": "gbdt", "num_leaves": 63}'`.
pub fn parse_model(text: &str) -> CliResult<ModelSpec> {
    let json = if text.trim_start().starts_with('{') {
        text.to_string()
    } else {
        serde_json::json!({ "kind": text }).to_string()
    };
    let spec: ModelSpec =
        serde_json::from_str(&json).map_err(|e| CliError::Usage(format!("--model {text}: {e}")))?;
    spec.check()
        .map_err(|e| CliError::Usage(format!("--model {text}: {e}")))?;
    Ok(spec)
}

/// A metric by its configuration name.
pub fn parse_metric(name: &str) -> CliResult<Metric> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| {
        CliError::Usage(format!(
            "--metric {name}: unknown metric; known: {}",
            Metric::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// Reads the project's data with a spinner; returns the frame and the seconds it took.
pub fn read_data(config: &ProjectConfig, quiet: bool) -> CliResult<(Frame, f64)> {
    let pb = spinner(format!("reading {}", config.data.path.display()), quiet);
    let start = Instant::now();
    let frame = read_project_frame(config);
    pb.finish_and_clear();
    Ok((frame?, start.elapsed().as_secs_f64()))
}
