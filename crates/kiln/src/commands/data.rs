//! `kiln data info | convert | synth | drift`.

use std::path::Path;
use std::time::Instant;

use kiln_data::io::{Format, write_any};
use kiln_data::parquet_io::ParquetWriteOptions;
use kiln_data::summary::{ColumnSummary, summarize};
use kiln_data::synth::{ClassificationSpec, ColumnDrift, RegressionSpec, drifted_copy};
use kiln_data::{Frame, fingerprint};
use serde::Serialize;

use super::read::{read_frame, split_pair};
use crate::cli::{ConvertArgs, DataCommand, DriftArgs, InfoArgs, SynthArgs, SynthKind};
use crate::error::{CliError, CliResult};
use crate::output::{human_bytes, human_seconds, print_json, spinner, table};

/// Runs one `kiln data` command.
pub fn run(command: DataCommand, json: bool) -> CliResult<()> {
    match command {
        DataCommand::Info(args) => info(args, json),
        DataCommand::Convert(args) => convert(args, json),
        DataCommand::Synth(args) => synth(args, json),
        DataCommand::Drift(args) => drift(args, json),
        DataCommand::Profile(args) => super::profile::run(args, json),
        DataCommand::Schema(args) => super::validate::schema(args, json),
        DataCommand::Validate(args) => super::validate::validate(args, json),
    }
}

/// What `kiln data info --json` prints (a stable, documented shape).
#[derive(Debug, Serialize)]
pub struct InfoReport {
    /// The file described.
    pub file: String,
    /// csv, parquet or ndjson.
    pub format: String,
    /// Size on disk.
    pub file_bytes: u64,
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub columns: usize,
    /// Seconds spent reading and typing the file, measured in-process.
    pub read_seconds: f64,
    /// Memory held by the loaded columns.
    pub memory_bytes: usize,
    /// Content fingerprint for lineage.
    pub fingerprint: String,
    /// Per-column facts.
    pub schema: Vec<ColumnSummary>,
}

/// Builds the info report for a loaded frame.
pub fn info_report(path: &Path, frame: &Frame, read_seconds: f64) -> InfoReport {
    let format = match Format::of(path) {
        Ok(Format::Csv) => "csv",
        Ok(Format::Parquet) => "parquet",
        Ok(Format::Ndjson) => "ndjson",
        Err(_) => "unknown",
    };
    InfoReport {
        file: path.display().to_string(),
        format: format.to_string(),
        file_bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        rows: frame.n_rows(),
        columns: frame.n_cols(),
        read_seconds,
        memory_bytes: frame.memory_bytes(),
        fingerprint: fingerprint(frame).digest,
        schema: summarize(frame),
    }
}

/// Prints an info report as text.
pub fn print_info(r: &InfoReport) {
    outln!(
        "{}  ·  {} rows × {} columns  ·  {} {}  ·  read in {}  ·  {} in memory",
        r.file,
        r.rows,
        r.columns,
        r.format.to_uppercase(),
        human_bytes(r.file_bytes),
        human_seconds(r.read_seconds),
        human_bytes(r.memory_bytes as u64)
    );
    outln!("fingerprint {}\n", r.fingerprint);
    let mut rows = vec![vec![
        "column".to_string(),
        "type".into(),
        "role".into(),
        "missing".into(),
        "distinct".into(),
        "memory".into(),
    ]];
    for c in &r.schema {
        rows.push(vec![
            c.name.clone(),
            c.column_type.to_string(),
            c.role.to_string(),
            format!("{:.1}%", c.missing_pct),
            c.distinct.to_string(),
            human_bytes(c.memory_bytes as u64),
        ]);
    }
    out!("{}", table(&rows));
}

fn info(args: InfoArgs, json: bool) -> CliResult<()> {
    let (frame, seconds) = read_frame(&args.file, &args.read, json)?;
    let report = info_report(&args.file, &frame, seconds);
    if json {
        print_json(&report)
    } else {
        print_info(&report);
        Ok(())
    }
}

#[derive(Serialize)]
struct ConvertReport {
    input: String,
    output: String,
    rows: usize,
    columns: usize,
    output_bytes: u64,
    /// Size of the same data written without sorting (only with --sort-low-cardinality).
    unsorted_bytes: Option<u64>,
    /// sorted / unsorted size.
    size_ratio: Option<f64>,
}

fn file_size(path: &Path) -> CliResult<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| CliError::Failed(format!("{}: {e}", path.display())))
}

fn convert(args: ConvertArgs, json: bool) -> CliResult<()> {
    let (frame, _) = read_frame(&args.input, &args.read, json)?;
    let out_format = Format::of(&args.output)?;
    if args.sort_low_cardinality && out_format != Format::Parquet {
        return Err(CliError::Usage(
            "--sort-low-cardinality applies to Parquet output only".into(),
        ));
    }
    let options = ParquetWriteOptions {
        zstd_level: args.zstd_level,
        sort_low_cardinality: args.sort_low_cardinality,
        ..Default::default()
    };
    let pb = spinner(format!("writing {}", args.output.display()), json);
    write_any(&frame, &args.output, &options)?;
    let output_bytes = file_size(&args.output)?;
    let unsorted_bytes = if args.sort_low_cardinality {
        // Measure the gain honestly: write the unsorted layout too, then remove it.
        let tmp = args.output.with_extension("unsorted.parquet");
        let plain = ParquetWriteOptions {
            sort_low_cardinality: false,
            ..options.clone()
        };
        write_any(&frame, &tmp, &plain)?;
        let size = file_size(&tmp)?;
        let _ = std::fs::remove_file(&tmp);
        Some(size)
    } else {
        None
    };
    pb.finish_and_clear();
    let report = ConvertReport {
        input: args.input.display().to_string(),
        output: args.output.display().to_string(),
        rows: frame.n_rows(),
        columns: frame.n_cols(),
        output_bytes,
        unsorted_bytes,
        size_ratio: unsorted_bytes.map(|u| output_bytes as f64 / u.max(1) as f64),
    };
    if json {
        return print_json(&report);
    }
    outln!(
        "wrote {} ({} rows × {} columns, {})",
        report.output,
        report.rows,
        report.columns,
        human_bytes(output_bytes)
    );
    if let (Some(u), Some(r)) = (report.unsorted_bytes, report.size_ratio) {
        outln!(
            "sorted by low-cardinality columns: {} vs {} unsorted ({:.2}×, {:.1}% smaller)",
            human_bytes(output_bytes),
            human_bytes(u),
            r,
            100.0 * (1.0 - r)
        );
    }
    Ok(())
}

#[derive(Serialize)]
struct WriteReport {
    output: String,
    rows: usize,
    columns: usize,
    output_bytes: u64,
    seconds: f64,
}

fn write_report(frame: &Frame, path: &Path, start: Instant, json: bool) -> CliResult<()> {
    let report = WriteReport {
        output: path.display().to_string(),
        rows: frame.n_rows(),
        columns: frame.n_cols(),
        output_bytes: file_size(path)?,
        seconds: start.elapsed().as_secs_f64(),
    };
    if json {
        return print_json(&report);
    }
    outln!(
        "wrote {} ({} rows × {} columns, {}) in {}",
        report.output,
        report.rows,
        report.columns,
        human_bytes(report.output_bytes),
        human_seconds(report.seconds)
    );
    Ok(())
}

fn synth(args: SynthArgs, json: bool) -> CliResult<()> {
    Format::of(&args.output)?;
    let start = Instant::now();
    let pb = spinner(format!("generating {} rows", args.rows), json);
    let frame = match args.kind {
        SynthKind::Classification => ClassificationSpec {
            rows: args.rows,
            features: args.features,
            informative: args.informative.unwrap_or(2),
            redundant: args.redundant,
            classes: args.classes,
            clusters_per_class: args.clusters_per_class,
            class_sep: args.class_sep,
            weights: args.weights.clone(),
            flip_y: args.flip_y,
            missing_rate: args.missing_rate,
            categorical: args.categorical,
            categories: args.categories,
            seed: args.seed,
        }
        .generate()?,
        SynthKind::Regression => RegressionSpec {
            rows: args.rows,
            features: args.features,
            informative: args.informative.unwrap_or(args.features.min(5)),
            noise: args.noise,
            bias: 0.0,
            missing_rate: args.missing_rate,
            categorical: args.categorical,
            categories: args.categories,
            seed: args.seed,
        }
        .generate()?,
    };
    pb.set_message(format!("writing {}", args.output.display()));
    write_any(&frame, &args.output, &ParquetWriteOptions::default())?;
    pb.finish_and_clear();
    write_report(&frame, &args.output, start, json)
}

fn parse_amounts(flag: &str, items: &[String]) -> CliResult<Vec<(String, f64)>> {
    items
        .iter()
        .map(|item| {
            let (col, v) = split_pair(flag, item)?;
            let v: f64 = v
                .parse()
                .map_err(|_| CliError::Usage(format!("--{flag} {item}: '{v}' is not a number")))?;
            Ok((col.to_string(), v))
        })
        .collect()
}

fn drift(args: DriftArgs, json: bool) -> CliResult<()> {
    let start = Instant::now();
    let (frame, _) = read_frame(&args.input, &args.read, json)?;
    let mut drifts: Vec<ColumnDrift> = Vec::new();
    for (col, v) in parse_amounts("shift", &args.shifts)? {
        drift_for(&mut drifts, col).mean_shift = v;
    }
    for (col, v) in parse_amounts("scale", &args.scales)? {
        drift_for(&mut drifts, col).scale = v;
    }
    for (col, v) in parse_amounts("mix", &args.mixes)? {
        drift_for(&mut drifts, col).category_mix = v;
    }
    if drifts.is_empty() {
        return Err(CliError::Usage(
            "name at least one --shift, --scale or --mix".into(),
        ));
    }
    let drifted = drifted_copy(&frame, &drifts, args.seed)?;
    write_any(&drifted, &args.output, &ParquetWriteOptions::default())?;
    write_report(&drifted, &args.output, start, json)
}

/// The drift entry of a column, created on first mention.
fn drift_for(drifts: &mut Vec<ColumnDrift>, column: String) -> &mut ColumnDrift {
    let i = match drifts.iter().position(|d| d.column == column) {
        Some(i) => i,
        None => {
            drifts.push(ColumnDrift {
                column,
                ..Default::default()
            });
            drifts.len() - 1
        }
    };
    &mut drifts[i]
}
