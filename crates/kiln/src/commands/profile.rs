//! `kiln data profile`: streams the file into kiln-stats' `ProfileBuilder` and prints the profile
//! as text, JSON or a self-contained HTML file. All statistics live in kiln-stats; this file only
//! reads, times and formats.

use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use kiln_data::csv::CsvChunks;
use kiln_data::io::{Format, read_any};
use kiln_stats::profile::{ColumnProfile, Profile, ProfileBuilder, ProfileOptions, html};
use serde::Serialize;

use super::read::csv_options;
use crate::cli::ProfileArgs;
use crate::error::{CliError, CliResult};
use crate::output::{human_bytes, human_seconds, print_json, table};

/// Files at least this large get a progress bar (when stderr is a terminal).
const PROGRESS_BYTES: u64 = 64 << 20;
/// Bytes per streamed chunk: large enough for type inference from the first chunk to be reliable.
const CHUNK_BYTES: usize = 32 << 20;

/// What `kiln data profile --json` prints: the profile (see `crates/kiln-stats/PROFILE.md`) with
/// the file and in-process timings added at the top level.
#[derive(Debug, Serialize)]
pub struct ProfileReport {
    /// The file profiled.
    pub file: String,
    /// Seconds spent reading and parsing the file.
    pub read_seconds: f64,
    /// Seconds spent computing the profile (accumulating chunks and finishing), excluding reading.
    pub profile_seconds: f64,
    /// Where the HTML report was written, if asked for.
    pub html: Option<String>,
    /// The profile itself.
    #[serde(flatten)]
    pub profile: Profile,
}

/// Runs `kiln data profile`.
pub fn run(args: ProfileArgs, json: bool) -> CliResult<()> {
    let options = ProfileOptions {
        sample_rows: args.sample_rows,
        correlation_rows: args.correlation_rows,
        seed: args.seed,
    };
    let mut builder = ProfileBuilder::new(options)?;
    let mut csv = csv_options(&args.read)?;
    let size = std::fs::metadata(&args.file)
        .map_err(|e| kiln_data::DataError::io(&args.file, e))?
        .len();
    let pb = progress(size, json);
    let (mut read_s, mut profile_s) = (0.0, 0.0);
    let is_tsv = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    if Format::of(&args.file)? == Format::Csv {
        if is_tsv && args.read.delimiter.is_none() {
            csv.delimiter = b'\t';
        }
        csv.chunk_bytes = CHUNK_BYTES;
        let mut chunks = CsvChunks::open(&args.file, csv)?;
        loop {
            let t = Instant::now();
            let next = chunks.next();
            read_s += t.elapsed().as_secs_f64();
            let Some(frame) = next else { break };
            let frame = frame?;
            let t = Instant::now();
            builder.push(&frame)?;
            profile_s += t.elapsed().as_secs_f64();
            pb.set_position(chunks.bytes_read());
            pb.set_message(format!("{} rows", builder.rows()));
        }
    } else {
        let t = Instant::now();
        let frame = read_any(&args.file, &csv)?;
        read_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        builder.push(&frame)?;
        profile_s += t.elapsed().as_secs_f64();
    }
    pb.set_message("correlations");
    let t = Instant::now();
    let profile = builder.finish()?;
    profile_s += t.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let title = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    if let Some(out) = &args.html {
        std::fs::write(out, html::render(&profile, &title))
            .map_err(|e| CliError::Failed(format!("writing {}: {e}", out.display())))?;
    }
    let report = ProfileReport {
        file: args.file.display().to_string(),
        read_seconds: read_s,
        profile_seconds: profile_s,
        html: args.html.as_ref().map(|p| p.display().to_string()),
        profile,
    };
    if json {
        print_json(&report)
    } else {
        print_text(&report, size);
        Ok(())
    }
}

fn progress(size: u64, quiet: bool) -> ProgressBar {
    if quiet || size < PROGRESS_BYTES {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(size);
    pb.set_style(
        ProgressStyle::with_template(
            "profiling {bar:30} {bytes}/{total_bytes} {msg} [{elapsed}, eta {eta}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

/// A number for the terminal: 4 significant digits, `-` when undefined.
fn n(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) if v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-3) => format!("{v:.3e}"),
        Some(v) => {
            let s = format!("{v:.4}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    }
}

fn summary_cells(c: &ColumnProfile) -> Vec<String> {
    if let Some(s) = &c.numeric {
        return vec![
            n(s.mean),
            n(s.std),
            n(s.min),
            n(s.median),
            n(s.max),
            n(s.skew),
        ];
    }
    // Six empty statistic cells keep the top-values column aligned for text columns.
    let mut cells = vec![String::new(); 6];
    if let Some(cat) = &c.categorical {
        let top: Vec<String> = cat
            .frequencies
            .iter()
            .take(3)
            .map(|f| format!("{} ({})", f.value, f.count))
            .collect();
        cells.push(top.join(", "));
    }
    if let Some(d) = &c.datetime {
        cells.push(format!(
            "{} .. {}",
            d.min.as_deref().unwrap_or("-"),
            d.max.as_deref().unwrap_or("-")
        ));
    }
    cells
}

fn print_text(r: &ProfileReport, size: u64) {
    let p = &r.profile;
    outln!(
        "{}  ·  {} rows × {} columns  ·  {}  ·  read {}, profiled {}",
        r.file,
        p.rows,
        p.n_columns,
        human_bytes(size),
        human_seconds(r.read_seconds),
        human_seconds(r.profile_seconds)
    );
    if p.rows == 0 {
        outln!("\nThe file has no data rows: only the column names and types are known.");
    } else if !p.sample.exact {
        outln!(
            "quantiles, histograms and outliers from a uniform sample of {} rows; correlations from {} rows",
            p.sample.rows,
            p.sample.correlation_rows
        );
    }
    outln!();
    let mut rows = vec![
        [
            "column",
            "type",
            "role",
            "missing",
            "distinct",
            "mean",
            "std",
            "min",
            "median",
            "max",
            "skew",
            "top values / range",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>(),
    ];
    for c in &p.columns {
        let mut row = vec![
            c.name.clone(),
            c.column_type.to_string(),
            c.role.to_string(),
            format!("{:.1}%", c.missing_pct),
            format!("{}{}", c.distinct, if c.distinct_exact { "" } else { "+" }),
        ];
        row.extend(summary_cells(c));
        rows.push(row);
    }
    out!("{}", table(&rows));
    let flagged: Vec<&ColumnProfile> = p.columns.iter().filter(|c| !c.flags.is_empty()).collect();
    if !flagged.is_empty() {
        outln!("\nFlags");
        for c in flagged {
            for f in &c.flags {
                outln!("  {}: {}", c.name, f.message());
            }
        }
    }
    if let Some(t) = &p.target {
        outln!("\nTarget {} ({})", t.name, t.task);
        if !t.classes.is_empty() {
            let total: u64 = t.classes.iter().map(|c| c.count).sum();
            let shown: Vec<String> = t
                .classes
                .iter()
                .take(10)
                .map(|c| {
                    format!(
                        "{} {} ({:.1}%)",
                        c.value,
                        c.count,
                        100.0 * c.count as f64 / total.max(1) as f64
                    )
                })
                .collect();
            outln!("  classes: {}", shown.join(", "));
        }
        if let Some(w) = &t.imbalance_warning {
            outln!("  warning: {w}");
        }
        let top: Vec<String> = t
            .associations
            .iter()
            .take(8)
            .map(|a| {
                let m = match a.measure.as_str() {
                    "correlation_ratio" => "η",
                    "cramers_v" => "V",
                    _ => "r",
                };
                format!("{} {m}={}", a.column, n(a.value))
            })
            .collect();
        if !top.is_empty() {
            outln!("  strongest associations: {}", top.join(", "));
        }
    }
    if let Some(c) = &p.correlations {
        outln!(
            "\nCorrelations over {} numeric columns (Pearson and Spearman)",
            c.columns.len()
        );
        if c.high.is_empty() && c.nonlinear.is_empty() {
            outln!("  no pair with |r| ≥ 0.9 and no clearly non-linear monotonic pair");
        }
        for pair in &c.high {
            outln!(
                "  {} ~ {}: r = {:.3}: multicollinear (|r| ≥ 0.9); keep one or combine them",
                pair.a,
                pair.b,
                pair.pearson
            );
        }
        for pair in &c.nonlinear {
            outln!(
                "  {} ~ {}: Spearman {:.3} vs Pearson {:.3}: monotonic but not linear; try a log or rank transform",
                pair.a,
                pair.b,
                pair.spearman,
                pair.pearson
            );
        }
        let high_vif: Vec<String> = c
            .vif
            .iter()
            .filter(|v| v.multicollinear)
            .map(|v| format!("{} {:.1}", v.column, v.vif))
            .collect();
        if !high_vif.is_empty() {
            outln!("  VIF ≥ 10 (multicollinear): {}", high_vif.join(", "));
        }
        if let Some(note) = &c.vif_note {
            outln!("  {note}");
        }
    }
    if let Some(h) = &r.html {
        outln!("\nHTML report: {}", Path::new(h).display());
    }
}
