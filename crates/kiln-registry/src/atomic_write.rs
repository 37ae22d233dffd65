//! Writing a file so that readers see either the old content or the new, never half of it.
//!
//! Artifacts are read by servers while training writes new ones, and a killed process must not
//! leave a truncated model where a good one was expected. The bytes go to a temporary file in the
//! same folder (so the rename cannot cross file systems), are flushed to disk, and the temporary
//! file is renamed over the target — a single atomic step on every platform kiln supports.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{RegistryError, Result};

/// Distinguishes temporary files of concurrent writers inside one process; the process id
/// distinguishes processes.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically (temporary file + flush + rename).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| RegistryError::Io {
            action: "write",
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"),
        })?
        .to_string_lossy();
    let temp = dir.join(format!(
        ".{file_name}.tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_and_rename(&temp, path, bytes);
    if result.is_err() {
        // Best effort: the temporary file is garbage either way, and the original error is
        // the one worth reporting.
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_and_rename(temp: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |action: &'static str, p: &Path| {
        let p = p.to_path_buf();
        move |source| RegistryError::Io {
            action,
            path: p,
            source,
        }
    };
    let mut file = File::create(temp).map_err(io("create", temp))?;
    file.write_all(bytes).map_err(io("write", temp))?;
    // The data must be on disk before the rename makes it visible, or a crash could leave
    // the new name pointing at an empty file.
    file.sync_all().map_err(io("flush", temp))?;
    drop(file);
    fs::rename(temp, path).map_err(io("rename into place", path))?;
    sync_parent(path);
    Ok(())
}

/// Flushes the folder entry so the rename itself survives a crash. Only meaningful (and only
/// possible) on Unix; a failure leaves a complete file that may be renamed late, so it is not
/// reported.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("model.kiln");
        write_atomic(&path, b"first").expect("writes");
        write_atomic(&path, b"second").expect("overwrites");
        assert_eq!(fs::read(&path).expect("reads"), b"second");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("lists")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("model.kiln")]);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("no-such-folder").join("model.kiln");
        let msg = write_atomic(&path, b"x").expect_err("fails").to_string();
        assert!(msg.contains("no-such-folder"), "{msg}");
    }
}
