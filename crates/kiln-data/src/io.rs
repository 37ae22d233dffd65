//! Reading and writing by file extension, so every command accepts CSV, Parquet and NDJSON alike.
//!
//! `.csv` / `.txt` (comma), `.tsv` (tab), `.parquet` / `.pq`, `.ndjson` / `.jsonl` / `.json`
//! (one object per line). CSV options apply to text formats; Parquet keeps its stored types
//! (role overrides still apply).

use std::path::Path;

use crate::csv::{CsvOptions, read_csv, write_csv};
use crate::error::{DataError, Result};
use crate::frame::Frame;
use crate::ndjson::{read_ndjson, write_ndjson};
use crate::parquet_io::{ParquetWriteOptions, read_parquet, write_parquet};

/// File formats kiln reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON.
    Ndjson,
}

impl Format {
    /// The format a path's extension names.
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            "ndjson" | "jsonl" | "json" => Ok(Format::Ndjson),
            _ => Err(DataError::invalid(
                "file name",
                format!(
                    "{}: unknown extension '{ext}'; use .csv, .tsv, .parquet or .ndjson/.jsonl",
                    path.display()
                ),
            )),
        }
    }
}

/// Reads any supported file. For `.tsv` the delimiter defaults to a tab.
pub fn read_any(path: &Path, options: &CsvOptions) -> Result<Frame> {
    let mut frame = match Format::of(path)? {
        Format::Csv => {
            let is_tsv = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
            if is_tsv && options.delimiter == b',' {
                let tsv = CsvOptions {
                    delimiter: b'\t',
                    ..options.clone()
                };
                return read_csv(path, &tsv);
            }
            return read_csv(path, options);
        }
        Format::Parquet => read_parquet(path, None)?,
        Format::Ndjson => return read_ndjson(path, &options.infer, &options.overrides),
    };
    // Parquet carries its own types; role overrides still apply.
    frame.apply_role_overrides(&options.overrides)?;
    Ok(frame)
}

/// Writes any supported format, chosen by the extension.
pub fn write_any(frame: &Frame, path: &Path, parquet: &ParquetWriteOptions) -> Result<()> {
    match Format::of(path)? {
        Format::Csv => write_csv(frame, path),
        Format::Parquet => write_parquet(frame, path, parquet),
        Format::Ndjson => write_ndjson(frame, path),
    }
}
