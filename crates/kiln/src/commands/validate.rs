//! `kiln data schema` and `kiln data validate`: infer a schema from a reference file and check a
//! new file against it (kiln-monitor does the work; this file reads, prints and sets the exit code).

use std::path::Path;

use kiln_monitor::validate::{
    DataSchema, Severity, ValidationReport, infer_schema, validate as check,
};
use serde::Serialize;

use super::read::read_frame;
use crate::cli::{ReadArgs, SchemaArgs, ValidateArgs};
use crate::error::{CliError, CliResult};
use crate::output::{print_json, spinner, table};

#[derive(Serialize)]
struct SchemaReport<'a> {
    file: String,
    output: String,
    rows: usize,
    schema: &'a DataSchema,
}

/// Runs `kiln data schema`.
pub fn schema(args: SchemaArgs, json: bool) -> CliResult<()> {
    let (frame, _) = read_frame(&args.file, &args.read, json)?;
    let schema = infer_schema(&frame, args.slack)?;
    schema.write(&args.output)?;
    if json {
        return print_json(&SchemaReport {
            file: args.file.display().to_string(),
            output: args.output.display().to_string(),
            rows: frame.n_rows(),
            schema: &schema,
        });
    }
    outln!(
        "wrote {} ({} columns, from {} rows of {})",
        args.output.display(),
        schema.columns.len(),
        frame.n_rows(),
        args.file.display()
    );
    Ok(())
}

#[derive(Serialize)]
struct ValidateOutput<'a> {
    file: String,
    /// The schema file checked against (`kiln data validate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<String>,
    /// The model whose input schema was checked against (`kiln monitor validate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    /// Row numbers in `example_rows` are 1-based data rows (the header is not counted).
    row_numbering: &'static str,
    #[serde(flatten)]
    report: &'a ValidationReport,
}

/// What a file was validated against, as the report names it.
pub enum Against<'a> {
    /// A schema file.
    Schema(&'a Path),
    /// A registered model, e.g. `model churn/3 (churn@production)`.
    Model(&'a str),
}

/// Runs `kiln data validate`; a violation of severity error fails with exit code 1.
pub fn validate(args: ValidateArgs, json: bool) -> CliResult<()> {
    let schema = DataSchema::read(&args.schema)?;
    let read = ReadArgs::inferred(args.delimiter);
    // Types are inferred, not forced, so a cell that no longer parses is reported as a type
    // mismatch with its rows instead of stopping the read.
    let (frame, _) = read_frame(&args.file, &read, json)?;
    let pb = spinner("validating", json);
    let report = check(&frame, &schema)?;
    pb.finish_and_clear();
    print_report(&args.file, Against::Schema(&args.schema), &report, json)
}

/// Prints a validation report (table or JSON) and sets the exit code: 1 when a violation of
/// severity error was found.
pub fn print_report(
    file: &Path,
    against: Against<'_>,
    report: &ValidationReport,
    json: bool,
) -> CliResult<()> {
    let (schema, model) = match against {
        Against::Schema(p) => (Some(p.display().to_string()), None),
        Against::Model(m) => (None, Some(m.to_string())),
    };
    if json {
        print_json(&ValidateOutput {
            file: file.display().to_string(),
            schema,
            model,
            row_numbering: "1-based data rows; row 1 is the first row after the header",
            report,
        })?;
    } else {
        outln!(
            "{}: {} rows checked against {}: {} errors, {} warnings",
            file.display(),
            report.rows,
            schema.or(model).unwrap_or_default(),
            report.errors,
            report.warnings
        );
        if !report.violations.is_empty() {
            let mut rows = vec![vec![
                "severity".to_string(),
                "column".into(),
                "violation".into(),
                "count".into(),
                "example rows".into(),
                "detail".into(),
            ]];
            for v in &report.violations {
                rows.push(vec![
                    match v.severity {
                        Severity::Error => "error".into(),
                        Severity::Warning => "warning".into(),
                    },
                    v.column.clone(),
                    serde_plain(&v.kind),
                    v.count.to_string(),
                    v.example_rows
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                    v.message.clone(),
                ]);
            }
            outln!();
            out!("{}", table(&rows));
            outln!(
                "\nExample rows are 1-based data rows (row 1 is the first row after the header)."
            );
        }
    }
    if report.passed {
        Ok(())
    } else if json {
        // The report on stdout is the whole answer; exit 1 without a second JSON document.
        use std::io::Write;
        let _ = std::io::stdout().flush();
        eprintln!(
            "error: validation failed: {} violation(s) of severity error",
            report.errors
        );
        std::process::exit(1);
    } else {
        // Reported: exit code 1 after the printed report, whichever command printed it.
        Err(CliError::Reported(format!(
            "validation failed: {} violation(s) of severity error",
            report.errors
        )))
    }
}

/// The snake_case name serde gives a unit enum variant.
fn serde_plain<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
