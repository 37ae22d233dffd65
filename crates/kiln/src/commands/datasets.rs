//! `kiln datasets list | export`.

use kiln_data::datasets;
use kiln_data::io::{Format, write_any};
use kiln_data::parquet_io::ParquetWriteOptions;

use crate::cli::DatasetsCommand;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, table};

/// Runs one `kiln datasets` command.
pub fn run(command: DatasetsCommand, json: bool) -> CliResult<()> {
    match command {
        DatasetsCommand::List => {
            let all = datasets::list();
            if json {
                return print_json(&all);
            }
            let mut rows = vec![vec![
                "name".to_string(),
                "task".into(),
                "target".into(),
                "rows".into(),
                "cols".into(),
                "description".into(),
            ]];
            for d in &all {
                rows.push(vec![
                    d.name.clone(),
                    d.task.clone(),
                    d.target.clone(),
                    d.rows.to_string(),
                    d.columns.to_string(),
                    d.description.clone(),
                ]);
            }
            out!("{}", table(&rows));
            outln!(
                "\nSources and licences: kiln datasets list --json (or crates/kiln-data/datasets/README.md)."
            );
            Ok(())
        }
        DatasetsCommand::Export { name, output } => {
            let frame = datasets::load(&name)?;
            if Format::of(&output)? == Format::Csv {
                // CSV keeps the original bytes exactly.
                std::fs::write(&output, datasets::csv_bytes(&name)?)
                    .map_err(|e| CliError::Failed(format!("{}: {e}", output.display())))?;
            } else {
                write_any(&frame, &output, &ParquetWriteOptions::default())?;
            }
            if json {
                return print_json(&serde_json::json!({
                    "dataset": name,
                    "output": output.display().to_string(),
                    "rows": frame.n_rows(),
                    "columns": frame.n_cols(),
                }));
            }
            outln!(
                "wrote {} ({} rows × {} columns)",
                output.display(),
                frame.n_rows(),
                frame.n_cols()
            );
            Ok(())
        }
    }
}
