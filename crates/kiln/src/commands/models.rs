//! `kiln models list | show | promote | rollback | delete`: the registry's versions and aliases.

use std::path::Path;

use kiln_registry::ModelRef;

use super::predict::open_existing;
use crate::cli::ModelsCommand;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, table};

/// Runs one `kiln models` command.
pub fn run(command: ModelsCommand, project_dir: &Path, json: bool) -> CliResult<()> {
    let registry = open_existing(project_dir)?;
    match command {
        ModelsCommand::List => {
            let models = registry.list_models()?;
            if json {
                return print_json(&models);
            }
            if models.is_empty() {
                outln!("No models registered yet. Train one: kiln train FILE --target COL");
                return Ok(());
            }
            let mut rows = vec![vec![
                "name".to_string(),
                "latest".into(),
                "versions".into(),
                "aliases".into(),
                "created".into(),
            ]];
            for m in &models {
                rows.push(vec![
                    m.name.clone(),
                    m.latest_version.map_or("-".into(), |v| v.to_string()),
                    m.version_count.to_string(),
                    aliases_text(&m.aliases),
                    m.created_at.clone(),
                ]);
            }
            out!("{}", table(&rows));
        }
        ModelsCommand::Show { reference } => {
            let r = ModelRef::parse(&reference)?;
            if let ModelRef::Latest { name } = &r {
                let versions = registry.list_versions(name)?;
                let aliases = registry.aliases(name)?;
                if json {
                    return print_json(&serde_json::json!({
                        "name": name,
                        "aliases": aliases,
                        "versions": versions,
                        "alias_history": registry.alias_history(name, None)?,
                    }));
                }
                let mut rows = vec![vec![
                    "version".to_string(),
                    "created".into(),
                    "run".into(),
                    "aliases".into(),
                    "test metrics".into(),
                ]];
                for v in &versions {
                    let here: Vec<&str> = aliases
                        .iter()
                        .filter(|(_, n)| **n == v.version)
                        .map(|(a, _)| a.as_str())
                        .collect();
                    rows.push(vec![
                        v.version.to_string(),
                        v.created_at.clone(),
                        v.run_id.map_or("-".into(), |r| r.to_string()),
                        here.join(", "),
                        test_metrics_text(&v.metrics),
                    ]);
                }
                outln!("{name}\n");
                out!("{}", table(&rows));
                return Ok(());
            }
            let version = registry.resolve(&r)?;
            let manifest = registry.manifest(&version)?;
            if json {
                return print_json(&serde_json::json!({
                    "version": version,
                    "artifact": registry.artifact_path(&version)?,
                    "manifest": manifest,
                }));
            }
            outln!(
                "{}/{}  ({})",
                version.name,
                version.version,
                version.created_at
            );
            outln!("  task:        {:?}", manifest.task);
            if let Some(c) = &manifest.classes {
                outln!("  classes:     {}", c.join(", "));
            }
            outln!(
                "  target:      {}",
                manifest.target_column.as_deref().unwrap_or("-")
            );
            outln!(
                "  inputs:      {}",
                manifest
                    .input_schema
                    .fields
                    .iter()
                    .map(|f| format!("{} ({})", f.name, f.column_type))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            outln!(
                "  features:    {} after preparation",
                manifest.feature_names.len()
            );
            outln!(
                "  model:       {}",
                serde_json::to_string(&manifest.spec.model).unwrap_or_default()
            );
            outln!(
                "  trained on:  {} rows, data {}",
                manifest.training_rows,
                short(&manifest.data_fingerprint)
            );
            outln!(
                "  run:         {}",
                version.run_id.map_or("-".into(), |r| r.to_string())
            );
            outln!(
                "  artifact:    {}",
                registry.artifact_path(&version)?.display()
            );
            outln!("  metrics:");
            for (k, v) in &manifest.metrics {
                outln!("    {k:<28} {v:.6}");
            }
        }
        ModelsCommand::Promote {
            reference,
            alias,
            reason,
        } => {
            let version = registry.resolve(&ModelRef::parse(&reference)?)?;
            let before = registry.set_alias(&version.name, &alias, version.version, &reason)?;
            if json {
                return print_json(&serde_json::json!({
                    "name": version.name, "alias": alias, "from": before, "to": version.version,
                }));
            }
            outln!(
                "{}@{alias}: {} → {}",
                version.name,
                before.map_or("(none)".into(), |v| v.to_string()),
                version.version
            );
        }
        ModelsCommand::Rollback { name, alias } => {
            let (from, to) = registry.rollback(&name, &alias)?;
            if json {
                return print_json(&serde_json::json!({
                    "name": name, "alias": alias, "from": from, "to": to,
                }));
            }
            outln!("{name}@{alias}: {from} → {to} (rolled back)");
        }
        ModelsCommand::Delete { reference } => {
            let ModelRef::Version { name, version } = ModelRef::parse(&reference)? else {
                return Err(CliError::Usage(format!(
                    "delete takes name/VERSION (got '{reference}'), so one version is deleted at a time"
                )));
            };
            let deleted = registry.delete_version(&name, version)?;
            if json {
                return print_json(&deleted);
            }
            outln!(
                "Deleted {name}/{version}{}.",
                if deleted.artifact_removed {
                    " and its artifact file"
                } else {
                    " (its artifact file is shared with another version and stays)"
                }
            );
        }
    }
    Ok(())
}

fn aliases_text(aliases: &std::collections::BTreeMap<String, u32>) -> String {
    aliases
        .iter()
        .map(|(a, v)| format!("{a}→{v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn test_metrics_text(metrics: &std::collections::BTreeMap<String, f64>) -> String {
    metrics
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("test_").map(|m| format!("{m} {v:.4}")))
        .take(3)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The first 12 hex digits of a digest, enough to tell data sets apart by eye.
pub fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}
