//! [`SqliteStore`]: the metadata store in one embedded SQLite file (`.kiln/kiln.db`).
//!
//! The database runs in WAL mode so a server reading models never blocks a training run writing
//! one, with a busy timeout so concurrent writers wait instead of failing. Every change is one
//! `BEGIN IMMEDIATE` transaction: the write lock is taken before anything is read, so reading
//! `max(version)` and inserting `max + 1` cannot interleave with another process doing the same.

mod queries;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use serde::Serialize;

use super::migrations::{MIGRATIONS, migrate};
use super::{
    AliasChange, AliasChangeKind, DeletedVersion, MetadataStore, ModelSummary, ModelVersion,
    NewModelVersion, VersionStatus,
};
use crate::artifact::check_metrics;
use crate::error::{RegistryError, Result};
use crate::model_ref::check_name;
use crate::run::{
    Environment, RunConfig, RunFilter, RunId, RunKind, RunOutcome, RunRecord, RunStatus,
};
use crate::timestamp::now_rfc3339;
use queries::{RUN_COLUMNS, VERSION_COLUMNS};

/// How long a writer waits for another process's transaction before giving up. Registry
/// transactions take milliseconds; the margin covers a slow disk and many parallel jobs.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The metadata store in a SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

/// Attaches the database path to SQLite errors.
trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T>;
}

impl<T> AtPath<T> for rusqlite::Result<T> {
    fn at(self, path: &Path) -> Result<T> {
        self.map_err(|source| RegistryError::Sqlite {
            path: path.to_path_buf(),
            source,
        })
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// The parent folder must exist.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path).at(path)?;
        conn.busy_timeout(BUSY_TIMEOUT).at(path)?;
        // journal_mode answers with the mode in force; WAL persists in the file once set.
        // Switching a fresh file to WAL can answer "busy" at once, without the busy handler,
        // when another process is doing the same (two first `kiln train`s): retry briefly.
        let mut attempts = 0;
        loop {
            match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
                Ok(_) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy && attempts < 200 =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                Err(e) => return Err(e).at(path),
            }
        }
        // foreign_keys is per connection; NORMAL sync is durable enough in WAL mode (a power
        // cut can lose the last commit, never corrupt the file) and much faster than FULL.
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            .at(path)?;
        migrate(&mut conn, path, MIGRATIONS)?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .at(&self.path)
    }

    /// A write transaction holding the database lock from its first statement.
    fn write(&self) -> Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate).at(&self.path)
    }

    /// A read transaction, so several queries see one snapshot.
    fn read(&self) -> Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred).at(&self.path)
    }

    fn to_json<T: Serialize>(&self, what: &str, value: &T) -> Result<String> {
        serde_json::to_string(value).map_err(|e| RegistryError::InvalidValue {
            what: what.to_string(),
            reason: format!("it cannot be stored as JSON: {e}"),
        })
    }

    /// Ends a running run; `fill` adds the columns specific to finishing or failing.
    fn end_run(
        &self,
        id: RunId,
        status: RunStatus,
        fill: impl FnOnce(&Connection) -> rusqlite::Result<usize>,
    ) -> Result<()> {
        let tx = self.write()?;
        match self.run_status(&tx, id)? {
            RunStatus::Running => {}
            ended => {
                return Err(RegistryError::RunAlreadyEnded {
                    id: id.0,
                    status: ended.as_str(),
                });
            }
        }
        fill(&tx).at(&self.path)?;
        tx.execute(
            "UPDATE runs SET status = ?2, finished_at = ?3 WHERE id = ?1",
            params![id.0, status.as_str(), now_rfc3339()],
        )
        .at(&self.path)?;
        tx.commit().at(&self.path)
    }
}

impl MetadataStore for SqliteStore {
    fn start_run(
        &self,
        kind: RunKind,
        config: &RunConfig,
        environment: &Environment,
    ) -> Result<RunId> {
        let config_json = self.to_json("run config", &config.config)?;
        let environment = self.to_json("environment", environment)?;
        self.conn
            .execute(
                "INSERT INTO runs (kind, status, started_at, config, seed, data_path, environment) \
                 VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6)",
                params![
                    kind.as_str(),
                    now_rfc3339(),
                    config_json,
                    config.seed.map(|s| s.to_string()),
                    config.data_path,
                    environment
                ],
            )
            .at(&self.path)?;
        Ok(RunId(self.conn.last_insert_rowid()))
    }

    fn finish_run(&self, id: RunId, outcome: &RunOutcome) -> Result<()> {
        outcome.check()?;
        let params_json = self.to_json("run params", &outcome.params)?;
        let metrics = self.to_json("run metrics", &outcome.metrics)?;
        let fold_metrics = self.to_json("fold metrics", &outcome.fold_metrics)?;
        let timings = self.to_json("timings", &outcome.timings)?;
        self.end_run(id, RunStatus::Finished, |conn| {
            conn.execute(
                "UPDATE runs SET data_fingerprint = ?2, params = ?3, metrics = ?4, \
                 fold_metrics = ?5, timings = ?6, artifact_digest = ?7, report_path = ?8 \
                 WHERE id = ?1",
                params![
                    id.0,
                    outcome.data_fingerprint,
                    params_json,
                    metrics,
                    fold_metrics,
                    timings,
                    outcome.artifact_digest,
                    outcome.report_path
                ],
            )
        })
    }

    fn fail_run(&self, id: RunId, message: &str) -> Result<()> {
        self.end_run(id, RunStatus::Failed, |conn| {
            conn.execute(
                "UPDATE runs SET error = ?2 WHERE id = ?1",
                params![id.0, message],
            )
        })
    }

    fn get_run(&self, id: RunId) -> Result<RunRecord> {
        self.query_runs(
            &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
            &[&id.0],
        )?
        .into_iter()
        .next()
        .ok_or(RegistryError::UnknownRun(id.0))
    }

    fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>> {
        // SQLite reads a negative LIMIT as "no limit".
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        self.query_runs(
            &format!(
                "SELECT {RUN_COLUMNS} FROM runs \
                 WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR status = ?2) \
                 ORDER BY id DESC LIMIT ?3"
            ),
            &[
                &filter.kind.map(RunKind::as_str),
                &filter.status.map(RunStatus::as_str),
                &limit,
            ],
        )
    }

    fn register_version(&self, new: &NewModelVersion) -> Result<ModelVersion> {
        check_name("model name", &new.name)?;
        check_metrics(&new.metrics)?;
        let metrics = self.to_json("metrics", &new.metrics)?;
        let now = now_rfc3339();
        let tx = self.write()?;
        if let Some(run) = new.run_id {
            self.run_status(&tx, run)?;
        }
        tx.execute(
            "INSERT OR IGNORE INTO models (name, created_at) VALUES (?1, ?2)",
            params![new.name, now],
        )
        .at(&self.path)?;
        // Deleted versions keep their rows, so a number is never handed out twice.
        let version: u32 = tx
            .query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?1",
                [&new.name],
                |r| r.get(0),
            )
            .at(&self.path)?;
        tx.execute(
            "INSERT INTO model_versions \
             (name, version, artifact_digest, run_id, created_at, metrics, data_fingerprint, status) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'ready')",
            params![
                new.name,
                version,
                new.artifact_digest,
                new.run_id.map(|r| r.0),
                now,
                metrics,
                new.data_fingerprint
            ],
        )
        .at(&self.path)?;
        tx.commit().at(&self.path)?;
        Ok(ModelVersion {
            name: new.name.clone(),
            version,
            artifact_digest: new.artifact_digest.clone(),
            run_id: new.run_id,
            created_at: now,
            metrics: new.metrics.clone(),
            data_fingerprint: new.data_fingerprint.clone(),
            status: VersionStatus::Ready,
        })
    }

    fn digest_in_use(&self, digest: &str) -> Result<bool> {
        let count: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM model_versions WHERE artifact_digest = ?1 AND status = 'ready'",
                [digest],
                |r| r.get(0),
            )
            .at(&self.path)?;
        Ok(count > 0)
    }

    fn get_version(&self, name: &str, version: u32) -> Result<ModelVersion> {
        let tx = self.read()?;
        self.ready_version(&tx, name, version)
    }

    fn latest_version(&self, name: &str) -> Result<ModelVersion> {
        let tx = self.read()?;
        self.require_model(&tx, name)?;
        self.query_versions(
            &tx,
            &format!(
                "SELECT {VERSION_COLUMNS} FROM model_versions \
                 WHERE name = ?1 AND status = 'ready' ORDER BY version DESC LIMIT 1"
            ),
            &[&name],
        )?
        .into_iter()
        .next()
        .ok_or_else(|| RegistryError::NoVersions(name.to_string()))
    }

    fn list_models(&self) -> Result<Vec<ModelSummary>> {
        let tx = self.read()?;
        let models: Vec<(String, String, String)> = tx
            .prepare("SELECT name, created_at, description FROM models ORDER BY name")
            .at(&self.path)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .at(&self.path)?
            .collect::<rusqlite::Result<_>>()
            .at(&self.path)?;
        models
            .into_iter()
            .map(|(name, created_at, description)| {
                let (latest_version, version_count): (Option<u32>, u32) = tx
                    .query_row(
                        "SELECT MAX(version), COUNT(*) FROM model_versions \
                         WHERE name = ?1 AND status = 'ready'",
                        [&name],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .at(&self.path)?;
                let aliases = self.alias_map(&tx, &name)?;
                Ok(ModelSummary {
                    name,
                    created_at,
                    description,
                    latest_version,
                    version_count,
                    aliases,
                })
            })
            .collect()
    }

    fn list_versions(&self, name: &str) -> Result<Vec<ModelVersion>> {
        let tx = self.read()?;
        self.require_model(&tx, name)?;
        self.ready_versions(&tx, name)
    }

    fn set_description(&self, name: &str, description: &str) -> Result<()> {
        let tx = self.write()?;
        self.require_model(&tx, name)?;
        tx.execute(
            "UPDATE models SET description = ?2 WHERE name = ?1",
            [name, description],
        )
        .at(&self.path)?;
        tx.commit().at(&self.path)
    }

    fn delete_version(
        &self,
        name: &str,
        version: u32,
        remove_artifact: &mut dyn FnMut(&str) -> Result<()>,
    ) -> Result<DeletedVersion> {
        let tx = self.write()?;
        let mut deleted = self.ready_version(&tx, name, version)?;
        let pointing: Vec<String> = self
            .alias_map(&tx, name)?
            .into_iter()
            .filter(|&(_, v)| v == version)
            .map(|(alias, _)| alias)
            .collect();
        if !pointing.is_empty() {
            return Err(RegistryError::VersionInUse {
                name: name.to_string(),
                version,
                aliases: pointing,
            });
        }
        tx.execute(
            "UPDATE model_versions SET status = 'deleted' WHERE name = ?1 AND version = ?2",
            params![name, version],
        )
        .at(&self.path)?;
        let still_used: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM model_versions WHERE artifact_digest = ?1 AND status = 'ready'",
                [&deleted.artifact_digest],
                |r| r.get(0),
            )
            .at(&self.path)?;
        // The file goes while the write lock is held: a concurrent registration of the same
        // bytes either committed before (and keeps the file alive via `still_used`) or commits
        // after and finds the file missing (the registry then writes it again).
        let artifact_removed = still_used == 0;
        if artifact_removed {
            remove_artifact(&deleted.artifact_digest)?;
        }
        tx.commit().at(&self.path)?;
        deleted.status = VersionStatus::Deleted;
        Ok(DeletedVersion {
            version: deleted,
            artifact_removed,
        })
    }

    fn set_alias(
        &self,
        name: &str,
        alias: &str,
        version: u32,
        reason: &str,
    ) -> Result<Option<u32>> {
        check_name("alias", alias)?;
        let tx = self.write()?;
        self.ready_version(&tx, name, version)?;
        let previous = self.current_alias(&tx, name, alias)?;
        if previous == Some(version) {
            // Already there: no history entry, so a rollback does not "go back" to itself.
            return Ok(previous);
        }
        let now = now_rfc3339();
        tx.execute(
            "INSERT INTO aliases (name, alias, version, updated_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (name, alias) DO UPDATE SET version = ?3, updated_at = ?4",
            params![name, alias, version, now],
        )
        .at(&self.path)?;
        self.record_alias_change(
            &tx,
            name,
            alias,
            previous,
            Some(version),
            reason,
            AliasChangeKind::Set,
            &now,
        )?;
        tx.commit().at(&self.path)?;
        Ok(previous)
    }

    fn remove_alias(&self, name: &str, alias: &str, reason: &str) -> Result<u32> {
        let tx = self.write()?;
        self.require_model(&tx, name)?;
        let Some(previous) = self.current_alias(&tx, name, alias)? else {
            return Err(self.unknown_alias(&tx, name, alias)?);
        };
        tx.execute(
            "DELETE FROM aliases WHERE name = ?1 AND alias = ?2",
            [name, alias],
        )
        .at(&self.path)?;
        self.record_alias_change(
            &tx,
            name,
            alias,
            Some(previous),
            None,
            reason,
            AliasChangeKind::Remove,
            &now_rfc3339(),
        )?;
        tx.commit().at(&self.path)?;
        Ok(previous)
    }

    fn alias_version(&self, name: &str, alias: &str) -> Result<Option<u32>> {
        let tx = self.read()?;
        self.require_model(&tx, name)?;
        self.current_alias(&tx, name, alias)
    }

    fn aliases(&self, name: &str) -> Result<BTreeMap<String, u32>> {
        let tx = self.read()?;
        self.require_model(&tx, name)?;
        self.alias_map(&tx, name)
    }

    fn alias_history(&self, name: &str, alias: Option<&str>) -> Result<Vec<AliasChange>> {
        let tx = self.read()?;
        self.require_model(&tx, name)?;
        self.history(&tx, name, alias)
    }

    fn rollback_alias(&self, name: &str, alias: &str, reason: &str) -> Result<(u32, u32)> {
        let tx = self.write()?;
        self.require_model(&tx, name)?;
        let Some(current) = self.current_alias(&tx, name, alias)? else {
            return Err(self.unknown_alias(&tx, name, alias)?);
        };
        // Replay the history as a stack: a set pushes, a rollback pops, a removal starts over.
        // The entry below the top is where the alias was before its last move.
        let mut stack: Vec<u32> = Vec::new();
        for change in self.history(&tx, name, Some(alias))? {
            match (change.kind, change.to_version) {
                (AliasChangeKind::Set, Some(to)) => stack.push(to),
                (AliasChangeKind::Rollback, _) => {
                    stack.pop();
                }
                (AliasChangeKind::Remove, _) | (AliasChangeKind::Set, None) => stack.clear(),
            }
        }
        let no_rollback = |reason: String| RegistryError::NoRollback {
            name: name.to_string(),
            alias: alias.to_string(),
            reason,
        };
        let target = match stack.len() {
            0 | 1 => {
                return Err(no_rollback(format!(
                    "it has pointed only at version {current} since it was created; there is no earlier version to go back to"
                )));
            }
            n => stack[n - 2],
        };
        if self.ready_version(&tx, name, target).is_err() {
            return Err(no_rollback(format!(
                "the version it pointed at before, {target}, was deleted; point it at a version with `set_alias`"
            )));
        }
        let now = now_rfc3339();
        tx.execute(
            "UPDATE aliases SET version = ?3, updated_at = ?4 WHERE name = ?1 AND alias = ?2",
            params![name, alias, target, now],
        )
        .at(&self.path)?;
        self.record_alias_change(
            &tx,
            name,
            alias,
            Some(current),
            Some(target),
            reason,
            AliasChangeKind::Rollback,
            &now,
        )?;
        tx.commit().at(&self.path)?;
        Ok((current, target))
    }
}
