//! Helpers shared by the CLI test files (each test file is its own crate and includes this
//! module with `mod common;`).

use assert_cmd::Command;

/// Runs `command` with `args` and checks it fails as a usage or input error: exit code 2 and
/// `expect` in the error output.
pub fn fails_with_2(mut command: Command, args: &[&str], expect: &str) {
    let out = command.args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains(expect),
        "{args:?}: expected '{expect}' in: {err}"
    );
}
