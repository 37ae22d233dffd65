//! `kiln quickstart`: the main job on a bundled dataset with missing values and categoricals.
//!
//! Today it loads `auto_mpg`, shows what kiln infers about it (types, roles, missing values)
//! and its fingerprint, and prints the next commands. Later stages of the workflow (profile,
//! train, register, serve) join this command as they land.

use std::time::Instant;

use kiln_data::datasets;

use super::data::{InfoReport, print_info};
use crate::error::CliResult;
use crate::output::print_json;

const DATASET: &str = "auto_mpg";

/// Runs the quickstart.
pub fn run(json: bool) -> CliResult<()> {
    let start = Instant::now();
    let info = datasets::info(DATASET)?;
    let frame = datasets::load(DATASET)?;
    let read_seconds = start.elapsed().as_secs_f64();
    let report = InfoReport {
        file: format!("{DATASET} (bundled: {})", info.file),
        format: "csv".into(),
        file_bytes: datasets::csv_bytes(DATASET)?.len() as u64,
        rows: frame.n_rows(),
        columns: frame.n_cols(),
        read_seconds,
        memory_bytes: frame.memory_bytes(),
        fingerprint: kiln_data::fingerprint(&frame).digest,
        schema: kiln_data::summary::summarize(&frame),
    };
    if json {
        return print_json(&serde_json::json!({
            "dataset": info,
            "info": report,
        }));
    }
    outln!("kiln quickstart — {}\n", info.description);
    print_info(&report);
    outln!(
        "\nTarget: {} ({}). Source: {}. Licence: {}.",
        info.target,
        info.task,
        info.source,
        info.licence
    );
    outln!("\nNext:");
    outln!("  kiln datasets export {DATASET} -o {DATASET}.csv");
    outln!("  kiln data info {DATASET}.csv --target {}", info.target);
    outln!("  kiln data convert {DATASET}.csv {DATASET}.parquet --sort-low-cardinality");
    Ok(())
}
