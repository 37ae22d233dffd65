//! `kiln runs list | show | compare`: what every train, evaluate and tune run did.

use std::collections::BTreeSet;
use std::path::Path;

use kiln_registry::{RunFilter, RunId, RunRecord};

use super::models::short;
use super::predict::open_existing;
use crate::cli::RunsCommand;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, table};

/// Runs one `kiln runs` command.
pub fn run(command: RunsCommand, project_dir: &Path, json: bool) -> CliResult<()> {
    let registry = open_existing(project_dir)?;
    match command {
        RunsCommand::List { limit } => {
            let runs = registry.list_runs(&RunFilter {
                limit: Some(limit),
                ..RunFilter::default()
            })?;
            if json {
                return print_json(&runs);
            }
            let mut rows = vec![vec![
                "id".to_string(),
                "kind".into(),
                "status".into(),
                "started".into(),
                "data".into(),
                "headline".into(),
            ]];
            for r in &runs {
                rows.push(vec![
                    r.id.to_string(),
                    r.kind.to_string(),
                    r.status.to_string(),
                    r.started_at.clone(),
                    r.config.data_path.clone().unwrap_or_default(),
                    headline(r),
                ]);
            }
            out!("{}", table(&rows));
        }
        RunsCommand::Show { id, open } => {
            let r = registry.get_run(RunId(id))?;
            if open {
                let Some(path) = &r.outcome.report_path else {
                    return Err(CliError::Failed(format!("run {id} has no report")));
                };
                outln!("{path}");
                return Ok(());
            }
            if json {
                return print_json(&r);
            }
            outln!("run {} — {} ({})", r.id, r.kind, r.status);
            outln!("  started:     {}", r.started_at);
            outln!("  finished:    {}", r.finished_at.as_deref().unwrap_or("-"));
            outln!(
                "  data:        {}",
                r.config.data_path.as_deref().unwrap_or("-")
            );
            if let Some(f) = &r.outcome.data_fingerprint {
                outln!("  fingerprint: {}", short(f));
            }
            if let Some(s) = r.config.seed {
                outln!("  seed:        {s}");
            }
            if let Some(d) = &r.outcome.artifact_digest {
                outln!("  artifact:    {}", short(d));
            }
            if let Some(p) = &r.outcome.report_path {
                outln!("  report:      {p}");
            }
            if let Some(e) = &r.error {
                outln!("  error:       {e}");
            }
            outln!(
                "  environment: {} {} · {} CPUs · kiln {}",
                r.environment.os,
                r.environment.arch,
                r.environment.cpus,
                r.environment.kiln_version
            );
            if !r.outcome.metrics.is_empty() {
                outln!("  metrics:");
                for (k, v) in &r.outcome.metrics {
                    outln!("    {k:<28} {v:.6}");
                }
            }
            if !r.outcome.timings.is_empty() {
                outln!("  timings:");
                for (k, v) in &r.outcome.timings {
                    outln!("    {k:<28} {v:.3} s");
                }
            }
        }
        RunsCommand::Compare { ids } => {
            let runs = ids
                .iter()
                .map(|&id| registry.get_run(RunId(id)))
                .collect::<Result<Vec<_>, _>>()?;
            if json {
                return print_json(&runs);
            }
            let keys: BTreeSet<&String> =
                runs.iter().flat_map(|r| r.outcome.metrics.keys()).collect();
            let mut header = vec!["metric".to_string()];
            header.extend(runs.iter().map(|r| format!("run {}", r.id)));
            let mut rows = vec![header];
            for k in keys {
                let mut row = vec![k.clone()];
                row.extend(runs.iter().map(|r| {
                    r.outcome
                        .metrics
                        .get(k)
                        .map_or("-".into(), |v| format!("{v:.4}"))
                }));
                rows.push(row);
            }
            let mut data = vec!["data".to_string()];
            data.extend(runs.iter().map(|r| {
                r.outcome
                    .data_fingerprint
                    .as_deref()
                    .map_or("-".to_string(), |f| short(f).to_string())
            }));
            rows.push(data);
            out!("{}", table(&rows));
        }
    }
    Ok(())
}

/// One line about a run: its first test metric, or its error.
fn headline(r: &RunRecord) -> String {
    if let Some(e) = &r.error {
        return format!("error: {}", e.chars().take(60).collect::<String>());
    }
    r.outcome
        .metrics
        .iter()
        .find(|(k, _)| k.starts_with("test_"))
        .or_else(|| r.outcome.metrics.iter().next())
        .map(|(k, v)| format!("{k} {v:.4}"))
        .unwrap_or_default()
}
