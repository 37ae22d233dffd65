//! The `kiln` binary: parses arguments and hands each command to the library crates.
//! No algorithm lives here (see STYLE.md, "a thin binary over focused crates").

/// `println!` for command output: a reader that closes the pipe early (`kiln … | head`) ends
/// the program quietly instead of a broken-pipe panic.
macro_rules! outln {
    () => { $crate::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` with the same broken-pipe handling as `outln!`.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!($($arg)*)) };
}

mod cli;
mod commands;
mod error;
mod output;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let json = cli.json;
    let project = cli.project.clone();
    let result = match cli.command {
        cli::Command::Data(cmd) => commands::data::run(*cmd, json),
        cli::Command::Datasets(cmd) => commands::datasets::run(cmd, json),
        cli::Command::Quickstart => commands::quickstart::run(&project, json),
        cli::Command::Train(args) => commands::train::run(args, &project, json),
        cli::Command::Tune(args) => commands::train::tune(args, &project, json),
        cli::Command::Evaluate(args) => commands::predict::evaluate_command(args, &project, json),
        cli::Command::Predict(args) => commands::predict::run(args, &project, json),
        cli::Command::Models(cmd) => commands::models::run(cmd, &project, json),
        cli::Command::Runs(cmd) => commands::runs::run(cmd, &project, json),
        cli::Command::Serve(args) => commands::serve::run(args, &project, json),
        cli::Command::Monitor(cmd) => commands::monitor::run(cmd, &project, json),
    };
    if let Err(e) = result {
        if json && !matches!(e, error::CliError::Reported(_)) {
            let body = serde_json::json!({ "error": e.to_string() });
            outln!("{body}");
        }
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
