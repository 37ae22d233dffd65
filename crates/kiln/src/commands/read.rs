//! Turning the shared reading flags (`--delimiter`, `--type`, `--role`, `--schema`, …) into
//! kiln-data options, and reading a file with a spinner.

use std::path::Path;
use std::time::Instant;

use kiln_data::csv::CsvOptions;
use kiln_data::{ColumnType, Frame, Role, SchemaOverrides};

use crate::cli::ReadArgs;
use crate::error::{CliError, CliResult};
use crate::output::{human_bytes, spinner};

/// Splits `COL=VALUE`, naming the flag on error.
pub fn split_pair<'a>(flag: &str, text: &'a str) -> CliResult<(&'a str, &'a str)> {
    text.split_once('=')
        .filter(|(c, v)| !c.is_empty() && !v.is_empty())
        .ok_or_else(|| CliError::Usage(format!("--{flag} expects COL=VALUE, got '{text}'")))
}

/// CSV options from the flags.
pub fn csv_options(args: &ReadArgs) -> CliResult<CsvOptions> {
    let mut options = CsvOptions::default();
    if let Some(d) = args.delimiter {
        if !d.is_ascii() {
            return Err(CliError::Usage(format!(
                "--delimiter must be one ASCII character, got {d:?}"
            )));
        }
        options.delimiter = d as u8;
    }
    options.has_header = !args.no_header;
    options.na_tokens.extend(args.na.iter().cloned());
    let mut overrides = match &args.schema {
        Some(path) => SchemaOverrides::read(path)?,
        None => SchemaOverrides::default(),
    };
    for t in &args.types {
        let (col, ty) = split_pair("type", t)?;
        let ty: ColumnType = ty
            .parse()
            .map_err(|e: kiln_data::DataError| CliError::Usage(e.to_string()))?;
        overrides.set_type(col, ty);
    }
    for r in &args.roles {
        let (col, role) = split_pair("role", r)?;
        let role: Role = role
            .parse()
            .map_err(|e: kiln_data::DataError| CliError::Usage(e.to_string()))?;
        overrides.set_role(col, role);
    }
    if let Some(target) = &args.target {
        overrides.set_role(target, Role::Target);
    }
    options.overrides = overrides;
    Ok(options)
}

/// Reads any supported file, showing a spinner; returns the frame and the seconds it took.
pub fn read_frame(path: &Path, args: &ReadArgs, quiet: bool) -> CliResult<(Frame, f64)> {
    let options = csv_options(args)?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let pb = spinner(
        format!("reading {} ({})", path.display(), human_bytes(size)),
        quiet,
    );
    let start = Instant::now();
    let frame = kiln_data::io::read_any(path, &options);
    let seconds = start.elapsed().as_secs_f64();
    pb.finish_and_clear();
    Ok((frame?, seconds))
}
