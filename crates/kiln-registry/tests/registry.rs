//! The `Registry` facade on a real project folder: runs, registration, resolution, aliases,
//! rollback and deletion, and what is (not) left behind when an operation fails.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use kiln_registry::{
    AliasChangeKind, Artifact, ModelRef, Registry, RegistryError, RunConfig, RunFilter, RunId,
    RunKind, RunOutcome, RunStatus, SqliteStore, VersionStatus,
};

fn open(dir: &Path) -> Registry {
    Registry::open(dir).expect("opens")
}

fn artifact_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join(".kiln/artifacts")).map_or(0, |d| d.count())
}

/// An artifact whose bytes differ from `common::artifact` (another metric value).
fn other_artifact(score: f64) -> Artifact {
    let mut a = common::artifact("churn");
    a.manifest.metrics.insert("test_roc_auc".into(), score);
    a
}

#[test]
fn open_creates_the_kiln_folder_and_needs_an_existing_project() {
    let dir = tempfile::tempdir().expect("temp dir");
    open(dir.path());
    assert!(dir.path().join(".kiln/kiln.db").is_file());
    let store = SqliteStore::open(&dir.path().join(".kiln/kiln.db")).expect("reopens");
    assert_eq!(store.schema_version().expect("version"), 1);
    // WAL mode is a property of the file once set.
    let mode: String = journal_mode_from_header(dir.path());
    assert_eq!(mode, "wal");

    let missing = dir.path().join("no-such-project");
    let msg = Registry::open(&missing).expect_err("missing").to_string();
    assert!(
        msg.contains("no-such-project") && msg.contains("no such folder"),
        "{msg}"
    );
    assert!(!missing.exists(), "a typo does not create folders");
}

/// The journal mode as recorded in the database header: bytes 18 and 19 are 2 in WAL mode.
fn journal_mode_from_header(dir: &Path) -> String {
    let header = std::fs::read(dir.join(".kiln/kiln.db")).expect("db file");
    if header[18] == 2 && header[19] == 2 {
        "wal".into()
    } else {
        "rollback".into()
    }
}

#[test]
fn register_resolve_and_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    let artifact = common::artifact("churn");
    let v1 = reg.register("churn", &artifact, None).expect("registers");
    assert_eq!((v1.name.as_str(), v1.version), ("churn", 1));
    assert_eq!(v1.status, VersionStatus::Ready);
    assert_eq!(v1.metrics, artifact.manifest.metrics);
    assert_eq!(v1.data_fingerprint, artifact.manifest.data_fingerprint);
    assert_eq!(v1.artifact_digest.len(), 64);
    let path = reg.artifact_path(&v1).expect("path");
    assert!(path.ends_with(format!("{}.kiln", v1.artifact_digest)));
    assert_eq!(
        kiln_registry::sha256_hex(&std::fs::read(&path).expect("file")),
        v1.artifact_digest
    );

    let v2 = reg
        .register("churn", &other_artifact(0.9), None)
        .expect("registers");
    assert_eq!(v2.version, 2);
    assert_eq!(
        reg.resolve(&ModelRef::parse("churn").expect("ref"))
            .expect("latest")
            .version,
        2
    );
    assert_eq!(
        reg.resolve(&ModelRef::parse("churn/1").expect("ref"))
            .expect("v1"),
        v1
    );

    let (version, loaded) = reg
        .load(&ModelRef::parse("churn/1").expect("ref"))
        .expect("loads");
    assert_eq!(version, v1);
    assert_eq!(loaded, artifact);
    let frame = common::score_frame();
    assert_eq!(
        common::prediction_bits(&loaded.pipeline, &frame),
        common::prediction_bits(&artifact.pipeline, &frame)
    );

    let models = reg.list_models().expect("lists");
    assert_eq!(models.len(), 1);
    assert_eq!(models[0].latest_version, Some(2));
    assert_eq!(models[0].version_count, 2);
    let versions: Vec<u32> = reg
        .list_versions("churn")
        .expect("lists")
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, [1, 2]);
    reg.set_description("churn", "monthly churn")
        .expect("describes");
    assert_eq!(
        reg.list_models().expect("lists")[0].description,
        "monthly churn"
    );
}

#[test]
fn identical_artifacts_share_one_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    let artifact = common::artifact("churn");
    let a = reg.register("churn", &artifact, None).expect("registers");
    let b = reg
        .register("churn-copy", &artifact, None)
        .expect("registers");
    assert_eq!(a.artifact_digest, b.artifact_digest);
    assert_eq!(artifact_files(dir.path()), 1);
}

#[test]
fn unknown_names_list_what_exists() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    let msg = reg
        .resolve(&ModelRef::parse("churn").expect("ref"))
        .expect_err("empty")
        .to_string();
    assert_eq!(
        msg,
        "no model named `churn`; no registered models exist yet"
    );

    reg.register("churn", &common::artifact("churn"), None)
        .expect("registers");
    reg.register("fraud", &common::artifact("churn"), None)
        .expect("registers");
    let err = reg
        .resolve(&ModelRef::parse("chrun/1").expect("ref"))
        .expect_err("typo");
    assert!(matches!(err, RegistryError::UnknownModel { .. }));
    assert!(
        err.to_string()
            .contains("registered models: `churn`, `fraud`"),
        "{err}"
    );

    let msg = reg
        .resolve(&ModelRef::parse("churn/7").expect("ref"))
        .expect_err("v7")
        .to_string();
    assert_eq!(msg, "model `churn` has no version 7; versions: `1`");

    let msg = reg
        .resolve(&ModelRef::parse("churn@production").expect("ref"))
        .expect_err("alias")
        .to_string();
    assert_eq!(
        msg,
        "model `churn` has no alias `production`; no aliases exist yet"
    );
    reg.set_alias("churn", "staging", 1, "try").expect("sets");
    let msg = reg
        .resolve(&ModelRef::parse("churn@production").expect("ref"))
        .expect_err("alias")
        .to_string();
    assert!(msg.ends_with("aliases: `staging`"), "{msg}");

    let msg = reg
        .set_alias("churn", "production", 3, "typo")
        .expect_err("v3")
        .to_string();
    assert!(msg.contains("no version 3"), "{msg}");
    let msg = reg
        .set_alias("churn", "prod uction", 1, "typo")
        .expect_err("bad alias")
        .to_string();
    assert!(msg.contains("invalid alias"), "{msg}");
    let msg = reg
        .register("my model", &common::artifact("churn"), None)
        .expect_err("bad name")
        .to_string();
    assert!(msg.contains("invalid model name `my model`"), "{msg}");
}

#[test]
fn aliases_move_and_roll_back_through_their_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    for score in [0.7, 0.8, 0.9] {
        reg.register("churn", &other_artifact(score), None)
            .expect("registers");
    }
    assert_eq!(
        reg.alias_version("churn", "production").expect("reads"),
        None
    );
    assert_eq!(
        reg.set_alias("churn", "production", 1, "first")
            .expect("sets"),
        None
    );
    assert_eq!(
        reg.set_alias("churn", "production", 2, "better auc")
            .expect("moves"),
        Some(1)
    );
    // Setting the same version again is a no-op, not a history entry.
    assert_eq!(
        reg.set_alias("churn", "production", 2, "again")
            .expect("same"),
        Some(2)
    );
    assert_eq!(
        reg.set_alias("churn", "production", 3, "even better")
            .expect("moves"),
        Some(2)
    );
    let production = ModelRef::parse("churn@production").expect("ref");
    assert_eq!(reg.resolve(&production).expect("resolves").version, 3);

    assert_eq!(
        reg.rollback("churn", "production").expect("rolls back"),
        (3, 2)
    );
    assert_eq!(
        reg.rollback("churn", "production").expect("further"),
        (2, 1)
    );
    let msg = reg
        .rollback("churn", "production")
        .expect_err("nothing before 1")
        .to_string();
    assert!(msg.contains("cannot roll back `churn@production`"), "{msg}");
    assert_eq!(
        reg.alias_version("churn", "production").expect("reads"),
        Some(1)
    );

    // A new move after a rollback is undone by the next rollback.
    reg.set_alias("churn", "production", 3, "retry")
        .expect("moves");
    assert_eq!(
        reg.rollback("churn", "production").expect("rolls back"),
        (3, 1)
    );

    let history = reg
        .alias_history("churn", Some("production"))
        .expect("history");
    let moves: Vec<_> = history
        .iter()
        .map(|c| (c.kind, c.from_version, c.to_version))
        .collect();
    assert_eq!(
        moves,
        [
            (AliasChangeKind::Set, None, Some(1)),
            (AliasChangeKind::Set, Some(1), Some(2)),
            (AliasChangeKind::Set, Some(2), Some(3)),
            (AliasChangeKind::Rollback, Some(3), Some(2)),
            (AliasChangeKind::Rollback, Some(2), Some(1)),
            (AliasChangeKind::Set, Some(1), Some(3)),
            (AliasChangeKind::Rollback, Some(3), Some(1)),
        ]
    );
    assert_eq!(history[1].reason, "better auc");
    assert_eq!(history[3].reason, "rollback");

    // Aliases are independent; removing one is recorded and it can be rolled back no more.
    reg.set_alias("churn", "staging", 3, "candidate")
        .expect("sets");
    assert_eq!(
        reg.aliases("churn").expect("lists"),
        BTreeMap::from([("production".to_string(), 1), ("staging".to_string(), 3)])
    );
    assert_eq!(
        reg.remove_alias("churn", "staging", "promoted")
            .expect("removes"),
        3
    );
    let err = reg.rollback("churn", "staging").expect_err("gone");
    assert!(matches!(err, RegistryError::UnknownAlias { .. }), "{err}");
    assert_eq!(reg.alias_history("churn", None).expect("all").len(), 9);
}

#[test]
fn rollback_to_a_deleted_version_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    for score in [0.7, 0.8] {
        reg.register("churn", &other_artifact(score), None)
            .expect("registers");
    }
    reg.set_alias("churn", "production", 1, "first")
        .expect("sets");
    reg.set_alias("churn", "production", 2, "second")
        .expect("moves");
    reg.delete_version("churn", 1).expect("deletes");
    let msg = reg
        .rollback("churn", "production")
        .expect_err("deleted")
        .to_string();
    assert!(msg.contains("1, was deleted"), "{msg}");
    assert_eq!(
        reg.alias_version("churn", "production").expect("reads"),
        Some(2)
    );
}

#[test]
fn delete_refuses_aliased_versions_and_keeps_shared_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    let shared = common::artifact("churn");
    reg.register("churn", &shared, None).expect("v1");
    reg.register("churn", &shared, None)
        .expect("v2, same bytes");
    reg.register("churn", &other_artifact(0.5), None)
        .expect("v3");
    assert_eq!(artifact_files(dir.path()), 2);

    reg.set_alias("churn", "production", 1, "first")
        .expect("sets");
    reg.set_alias("churn", "canary", 1, "first").expect("sets");
    let err = reg.delete_version("churn", 1).expect_err("aliased");
    assert_eq!(
        err.to_string(),
        "cannot delete version 1 of `churn`: `canary`, `production` still point at it; move or remove them first"
    );
    reg.remove_alias("churn", "canary", "done")
        .expect("removes");
    reg.set_alias("churn", "production", 3, "move")
        .expect("moves");

    let deleted = reg.delete_version("churn", 1).expect("deletes");
    assert_eq!(deleted.version.status, VersionStatus::Deleted);
    assert!(!deleted.artifact_removed, "version 2 still uses the file");
    assert_eq!(artifact_files(dir.path()), 2);
    let deleted = reg.delete_version("churn", 2).expect("deletes");
    assert!(deleted.artifact_removed);
    assert_eq!(artifact_files(dir.path()), 1);

    let msg = reg
        .resolve(&ModelRef::parse("churn/1").expect("ref"))
        .expect_err("deleted")
        .to_string();
    assert_eq!(
        msg,
        "model `churn` has no version 1 (it was deleted); versions: `3`"
    );
    let err = reg.delete_version("churn", 2).expect_err("twice");
    assert!(
        matches!(err, RegistryError::UnknownVersion { deleted: true, .. }),
        "{err}"
    );

    // Numbers are never reused, and "latest" skips deleted versions.
    assert_eq!(reg.register("churn", &shared, None).expect("v4").version, 4);
    assert_eq!(
        artifact_files(dir.path()),
        2,
        "the shared file is written again"
    );
    reg.set_alias("churn", "production", 4, "move")
        .expect("moves");
    reg.delete_version("churn", 3).expect("deletes");
    reg.delete_version("churn", 4).expect_err("aliased");
    reg.remove_alias("churn", "production", "retire")
        .expect("removes");
    reg.delete_version("churn", 4).expect("deletes");
    assert_eq!(artifact_files(dir.path()), 0);
    let err = reg
        .resolve(&ModelRef::parse("churn").expect("ref"))
        .expect_err("none left");
    assert!(matches!(err, RegistryError::NoVersions(_)), "{err}");
    assert_eq!(reg.list_models().expect("lists")[0].latest_version, None);
    assert!(reg.list_versions("churn").expect("lists").is_empty());
}

#[test]
fn a_missing_or_damaged_artifact_file_is_reported_on_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    let v = reg
        .register("churn", &common::artifact("churn"), None)
        .expect("registers");
    let path = reg.artifact_path(&v).expect("path");
    let mut bytes = std::fs::read(&path).expect("reads");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).expect("damages");
    let latest = ModelRef::parse("churn").expect("ref");
    let msg = reg.load(&latest).expect_err("damaged").to_string();
    assert!(
        msg.contains("artifact file has SHA-256") && msg.contains("corrupt"),
        "{msg}"
    );
    std::fs::remove_file(&path).expect("removes");
    let err = reg.load(&latest).expect_err("missing");
    assert!(
        matches!(err, RegistryError::MissingArtifact { .. }),
        "{err}"
    );
}

#[test]
fn runs_are_recorded_from_start_to_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    let config = RunConfig {
        config: serde_json::json!({"model": {"kind": "gbdt"}}),
        seed: Some(u64::MAX),
        data_path: Some("data/train.csv".into()),
    };
    let run = reg.start_run(RunKind::Train, &config).expect("starts");
    let record = reg.get_run(run).expect("reads");
    assert_eq!(record.status, RunStatus::Running);
    assert_eq!(record.config, config, "a seed above i64::MAX survives");
    assert!(record.finished_at.is_none());
    assert_eq!(record.environment.kiln_version, env!("CARGO_PKG_VERSION"));

    let artifact = common::artifact("churn");
    let version = reg
        .register("churn", &artifact, Some(run))
        .expect("registers");
    assert_eq!(version.run_id, Some(run));
    let outcome = RunOutcome {
        data_fingerprint: Some(artifact.manifest.data_fingerprint.clone()),
        params: serde_json::json!({"learning_rate": 0.3}),
        metrics: artifact.manifest.metrics.clone(),
        fold_metrics: vec![
            [("roc_auc".to_string(), 0.9)].into(),
            [("roc_auc".to_string(), 0.925)].into(),
        ],
        timings: [("fit".to_string(), 0.25)].into(),
        artifact_digest: Some(version.artifact_digest.clone()),
        report_path: Some("reports/run-1.html".into()),
    };
    reg.finish_run(run, &outcome).expect("finishes");
    let record = reg.get_run(run).expect("reads");
    assert_eq!(record.status, RunStatus::Finished);
    assert_eq!(record.outcome, outcome);
    assert!(record.finished_at.as_deref() >= Some(record.started_at.as_str()));
    let msg = reg.fail_run(run, "late").expect_err("ended").to_string();
    assert_eq!(
        msg,
        "run 1 already finished; only a running run can be finished or failed"
    );

    let failed = reg
        .start_run(RunKind::Evaluate, &RunConfig::default())
        .expect("starts");
    reg.fail_run(failed, "column `x` not found").expect("fails");
    let record = reg.get_run(failed).expect("reads");
    assert_eq!(record.status, RunStatus::Failed);
    assert_eq!(record.error.as_deref(), Some("column `x` not found"));
    reg.start_run(RunKind::Tune, &RunConfig::default())
        .expect("starts");

    let ids = |filter: RunFilter| -> Vec<i64> {
        reg.list_runs(&filter)
            .expect("lists")
            .iter()
            .map(|r| r.id.0)
            .collect()
    };
    assert_eq!(ids(RunFilter::default()), [3, 2, 1]);
    assert_eq!(
        ids(RunFilter {
            kind: Some(RunKind::Train),
            ..Default::default()
        }),
        [1]
    );
    assert_eq!(
        ids(RunFilter {
            status: Some(RunStatus::Failed),
            ..Default::default()
        }),
        [2]
    );
    assert_eq!(
        ids(RunFilter {
            limit: Some(2),
            ..Default::default()
        }),
        [3, 2]
    );

    let err = reg.get_run(RunId(42)).expect_err("unknown");
    assert_eq!(err.to_string(), "no run with id 42");
    let mut bad = RunOutcome::default();
    bad.metrics.insert("roc_auc".into(), f64::NAN);
    let running = RunId(3);
    let msg = reg.finish_run(running, &bad).expect_err("NaN").to_string();
    assert!(msg.contains("metric `roc_auc`"), "{msg}");
    assert_eq!(
        reg.get_run(running).expect("reads").status,
        RunStatus::Running
    );
}

#[test]
fn a_failed_registration_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = open(dir.path());
    let err = reg
        .register("churn", &common::artifact("churn"), Some(RunId(99)))
        .expect_err("unknown run");
    assert!(matches!(err, RegistryError::UnknownRun(99)), "{err}");
    assert_eq!(
        artifact_files(dir.path()),
        0,
        "the new file is removed again"
    );
    assert!(reg.list_models().expect("lists").is_empty(), "no model row");
    // A file shared with an existing version is kept.
    let artifact = common::artifact("churn");
    reg.register("churn", &artifact, None).expect("registers");
    reg.register("churn", &artifact, Some(RunId(99)))
        .expect_err("unknown run");
    assert_eq!(artifact_files(dir.path()), 1);
    assert_eq!(reg.list_versions("churn").expect("lists").len(), 1);
}

#[test]
fn state_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let reg = open(dir.path());
        reg.register("churn", &common::artifact("churn"), None)
            .expect("registers");
        reg.set_alias("churn", "production", 1, "first")
            .expect("sets");
    }
    let reg = open(dir.path());
    let (v, _) = reg
        .load(&ModelRef::parse("churn@production").expect("ref"))
        .expect("loads");
    assert_eq!(v.version, 1);
}

#[test]
fn a_database_that_is_not_sqlite_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".kiln")).expect("creates");
    std::fs::write(
        dir.path().join(".kiln/kiln.db"),
        b"not a database, just text",
    )
    .expect("writes");
    let msg = Registry::open(dir.path()).expect_err("garbage").to_string();
    assert!(
        msg.contains("kiln.db") && msg.contains("not a database"),
        "{msg}"
    );
}
