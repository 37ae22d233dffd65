//! Concurrent registration: writers with their own connections (threads, then processes) all
//! register versions of one model at once, and every registration gets its own number.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Barrier};

use kiln_registry::{Artifact, Registry};

const PER_WRITER: usize = 20;

fn register_many(project: &Path, artifact: &Artifact, writer: &str) -> Vec<u32> {
    let reg = Registry::open(project).expect("opens");
    (0..PER_WRITER)
        .map(|i| {
            let run = reg
                .start_run(kiln_registry::RunKind::Train, &Default::default())
                .expect("starts run");
            let v = reg
                .register("churn", artifact, Some(run))
                .unwrap_or_else(|e| panic!("{writer} registration {i}: {e}"));
            reg.finish_run(run, &Default::default())
                .expect("finishes run");
            v.version
        })
        .collect()
}

fn assert_distinct_and_complete(project: &Path, mut versions: Vec<u32>, writers: usize) {
    let n = writers * PER_WRITER;
    versions.sort_unstable();
    assert_eq!(versions, (1..=n as u32).collect::<Vec<_>>());
    let reg = Registry::open(project).expect("opens");
    assert_eq!(reg.list_versions("churn").expect("lists").len(), n);
    assert_eq!(reg.list_runs(&Default::default()).expect("lists").len(), n);
}

#[test]
fn two_threads_with_their_own_connections_get_distinct_versions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let artifact = Arc::new(common::artifact("churn"));
    // Both threads open the (not yet existing) database at the same moment, so creation and
    // migration race too.
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let (project, artifact, barrier) =
                (dir.path().to_path_buf(), artifact.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                register_many(&project, &artifact, &format!("thread {t}"))
            })
        })
        .collect();
    let versions: Vec<u32> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("thread finished"))
        .collect();
    assert_distinct_and_complete(dir.path(), versions, 2);
}

/// The child side of the process test; it does nothing unless started by it.
#[test]
#[ignore = "started as a child process by two_processes_get_distinct_versions"]
fn child_registers_versions() {
    let project = std::env::var("KILN_REGISTRY_TEST_PROJECT").expect("set by the parent test");
    let artifact = common::artifact("churn");
    let versions = register_many(Path::new(&project), &artifact, "child");
    println!("versions={versions:?}");
}

#[test]
fn two_processes_get_distinct_versions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "child_registers_versions",
                    "--nocapture",
                ])
                .env("KILN_REGISTRY_TEST_PROJECT", dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("starts child")
        })
        .collect();
    let mut versions = Vec::new();
    for child in children {
        let out = child.wait_with_output().expect("child finished");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("versions="))
            .unwrap_or_else(|| panic!("child printed no versions:\n{stdout}"));
        versions.extend(
            serde_json::from_str::<Vec<u32>>(line).expect("a JSON list of version numbers"),
        );
    }
    assert_distinct_and_complete(dir.path(), versions, 2);
}
