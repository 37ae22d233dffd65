//! Terminal output helpers: human-readable sizes, aligned tables, JSON, progress spinners.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::{CliError, CliResult};

/// Bytes as `1.2 MB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Seconds as `12 ms` or `1.23 s`.
pub fn human_seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) -> CliResult<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Failed(e.to_string()))?;
    outln!("{text}");
    Ok(())
}

/// Left-aligned columns separated by two spaces; the first row is the header.
pub fn table(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, s)| format!("{s:<w$}", w = widths[c]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A spinner on stderr for work that may take a while; invisible when stderr is not a terminal
/// or when JSON output was asked for.
pub fn spinner(message: impl Into<String>, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(message.into());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// Writes command output to stdout. When the reader has gone away (a closed pipe) the program
/// exits with status 0, as Unix tools do; any other write failure exits with status 1.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// Progress of a multi-stage job on stderr: a bar for stages with a known length (folds,
/// candidates), a spinner otherwise. Hidden for `--json` or when stderr is not a terminal.
pub struct StageProgress {
    quiet: bool,
    bar: std::sync::Mutex<Option<ProgressBar>>,
}

impl StageProgress {
    /// A progress display; `quiet` hides it.
    pub fn new(quiet: bool) -> Self {
        StageProgress {
            quiet,
            bar: std::sync::Mutex::new(None),
        }
    }

    /// Clears whatever is shown.
    pub fn finish(&self) {
        if let Ok(mut bar) = self.bar.lock()
            && let Some(b) = bar.take()
        {
            b.finish_and_clear();
        }
    }
}

impl kiln_project::workflow::Progress for StageProgress {
    fn stage(&self, message: &str, steps: Option<usize>) {
        self.finish();
        let bar = match (self.quiet, steps) {
            (true, _) => ProgressBar::hidden(),
            (false, None) => spinner(message.to_string(), false),
            (false, Some(n)) => {
                let pb = ProgressBar::new(n as u64);
                pb.set_style(
                    ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} [{elapsed}]")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                pb.set_message(message.to_string());
                pb
            }
        };
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, done: usize) {
        if let Ok(slot) = self.bar.lock()
            && let Some(b) = slot.as_ref()
        {
            b.set_position(done as u64);
        }
    }
}
