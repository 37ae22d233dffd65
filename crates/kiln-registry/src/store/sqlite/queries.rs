//! Reading rows back into records, and the look-ups every store operation starts with
//! ("does this model exist?", "which versions are ready?"), each producing the "unknown …"
//! error that lists what does exist.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::de::DeserializeOwned;

use super::{AtPath, SqliteStore};
use crate::error::{RegistryError, Result};
use crate::run::{RunConfig, RunId, RunKind, RunOutcome, RunRecord, RunStatus};
use crate::store::{AliasChange, AliasChangeKind, ModelVersion, VersionStatus};

pub(super) const RUN_COLUMNS: &str = "id, kind, status, started_at, finished_at, config, seed, data_path, \
    data_fingerprint, params, metrics, fold_metrics, timings, environment, artifact_digest, \
    report_path, error";

pub(super) const VERSION_COLUMNS: &str =
    "name, version, artifact_digest, run_id, created_at, metrics, data_fingerprint, status";

/// A `runs` row as text, before the JSON columns are parsed.
struct RunRow {
    id: i64,
    kind: String,
    status: String,
    started_at: String,
    finished_at: Option<String>,
    config: String,
    seed: Option<String>,
    data_path: Option<String>,
    data_fingerprint: Option<String>,
    params: Option<String>,
    metrics: Option<String>,
    fold_metrics: Option<String>,
    timings: Option<String>,
    environment: String,
    artifact_digest: Option<String>,
    report_path: Option<String>,
    error: Option<String>,
}

/// A `model_versions` row before the JSON column is parsed.
struct VersionRow {
    name: String,
    version: u32,
    artifact_digest: String,
    run_id: Option<i64>,
    created_at: String,
    metrics: String,
    data_fingerprint: String,
    status: String,
}

impl SqliteStore {
    pub(super) fn run_status(&self, conn: &Connection, id: RunId) -> Result<RunStatus> {
        let status: Option<String> = conn
            .query_row("SELECT status FROM runs WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .optional()
            .at(&self.path)?;
        let status = status.ok_or(RegistryError::UnknownRun(id.0))?;
        parse_text("runs.status", &status, RunStatus::parse)
    }

    pub(super) fn query_runs(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<RunRecord>> {
        let mut stmt = self.conn.prepare(sql).at(&self.path)?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    status: r.get(2)?,
                    started_at: r.get(3)?,
                    finished_at: r.get(4)?,
                    config: r.get(5)?,
                    seed: r.get(6)?,
                    data_path: r.get(7)?,
                    data_fingerprint: r.get(8)?,
                    params: r.get(9)?,
                    metrics: r.get(10)?,
                    fold_metrics: r.get(11)?,
                    timings: r.get(12)?,
                    environment: r.get(13)?,
                    artifact_digest: r.get(14)?,
                    report_path: r.get(15)?,
                    error: r.get(16)?,
                })
            })
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)?;
        rows.into_iter().map(run_record).collect()
    }

    pub(super) fn query_versions(
        &self,
        conn: &Connection,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ModelVersion>> {
        let mut stmt = conn.prepare(sql).at(&self.path)?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(VersionRow {
                    name: r.get(0)?,
                    version: r.get(1)?,
                    artifact_digest: r.get(2)?,
                    run_id: r.get(3)?,
                    created_at: r.get(4)?,
                    metrics: r.get(5)?,
                    data_fingerprint: r.get(6)?,
                    status: r.get(7)?,
                })
            })
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)?;
        rows.into_iter().map(model_version).collect()
    }

    pub(super) fn model_names(&self, conn: &Connection) -> Result<Vec<String>> {
        let mut stmt = conn
            .prepare("SELECT name FROM models ORDER BY name")
            .at(&self.path)?;
        stmt.query_map([], |r| r.get(0))
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)
    }

    /// Fails with [`RegistryError::UnknownModel`] (listing the models) unless `name` exists.
    pub(super) fn require_model(&self, conn: &Connection, name: &str) -> Result<()> {
        let exists = conn
            .query_row("SELECT 1 FROM models WHERE name = ?1", [name], |_| Ok(()))
            .optional()
            .at(&self.path)?
            .is_some();
        if exists {
            Ok(())
        } else {
            Err(RegistryError::UnknownModel {
                name: name.to_string(),
                known: self.model_names(conn)?,
            })
        }
    }

    pub(super) fn ready_versions(
        &self,
        conn: &Connection,
        name: &str,
    ) -> Result<Vec<ModelVersion>> {
        self.query_versions(
            conn,
            &format!(
                "SELECT {VERSION_COLUMNS} FROM model_versions \
                 WHERE name = ?1 AND status = 'ready' ORDER BY version"
            ),
            &[&name],
        )
    }

    /// A version that is ready, or the "unknown model / version" error listing what exists.
    pub(super) fn ready_version(
        &self,
        conn: &Connection,
        name: &str,
        version: u32,
    ) -> Result<ModelVersion> {
        self.require_model(conn, name)?;
        let found = self.query_versions(
            conn,
            &format!(
                "SELECT {VERSION_COLUMNS} FROM model_versions WHERE name = ?1 AND version = ?2"
            ),
            &[&name, &version],
        )?;
        match found.into_iter().next() {
            Some(v) if v.status == VersionStatus::Ready => Ok(v),
            other => Err(RegistryError::UnknownVersion {
                name: name.to_string(),
                version,
                deleted: other.is_some(),
                known: self
                    .ready_versions(conn, name)?
                    .iter()
                    .map(|v| v.version)
                    .collect(),
            }),
        }
    }

    pub(super) fn alias_map(&self, conn: &Connection, name: &str) -> Result<BTreeMap<String, u32>> {
        let mut stmt = conn
            .prepare("SELECT alias, version FROM aliases WHERE name = ?1 ORDER BY alias")
            .at(&self.path)?;
        stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))
            .at(&self.path)?
            .collect::<rusqlite::Result<BTreeMap<_, _>>>()
            .at(&self.path)
    }

    pub(super) fn current_alias(
        &self,
        conn: &Connection,
        name: &str,
        alias: &str,
    ) -> Result<Option<u32>> {
        conn.query_row(
            "SELECT version FROM aliases WHERE name = ?1 AND alias = ?2",
            [name, alias],
            |r| r.get(0),
        )
        .optional()
        .at(&self.path)
    }

    pub(super) fn unknown_alias(
        &self,
        conn: &Connection,
        name: &str,
        alias: &str,
    ) -> Result<RegistryError> {
        Ok(RegistryError::UnknownAlias {
            name: name.to_string(),
            alias: alias.to_string(),
            known: self.alias_map(conn, name)?.into_keys().collect(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn record_alias_change(
        &self,
        conn: &Connection,
        name: &str,
        alias: &str,
        from: Option<u32>,
        to: Option<u32>,
        reason: &str,
        kind: AliasChangeKind,
        at: &str,
    ) -> Result<()> {
        conn.execute(
            "INSERT INTO alias_history (name, alias, from_version, to_version, at, reason, kind) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![name, alias, from, to, at, reason, kind.as_str()],
        )
        .at(&self.path)?;
        Ok(())
    }

    pub(super) fn history(
        &self,
        conn: &Connection,
        name: &str,
        alias: Option<&str>,
    ) -> Result<Vec<AliasChange>> {
        let mut stmt = conn
            .prepare(
                "SELECT name, alias, from_version, to_version, at, reason, kind FROM alias_history \
                 WHERE name = ?1 AND (?2 IS NULL OR alias = ?2) ORDER BY id",
            )
            .at(&self.path)?;
        let rows = stmt
            .query_map(params![name, alias], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<u32>>(2)?,
                    r.get::<_, Option<u32>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)?;
        rows.into_iter()
            .map(
                |(name, alias, from_version, to_version, at, reason, kind)| {
                    let kind = parse_text("alias_history.kind", &kind, AliasChangeKind::parse)?;
                    Ok(AliasChange {
                        name,
                        alias,
                        from_version,
                        to_version,
                        at,
                        reason,
                        kind,
                    })
                },
            )
            .collect()
    }
}

fn parse_text<T>(what: &str, value: &str, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    parse(value).map_err(|_| RegistryError::CorruptRecord {
        what: what.to_string(),
        value: value.to_string(),
    })
}

fn parse_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| RegistryError::CorruptRecord {
        what: what.to_string(),
        value: text.to_string(),
    })
}

fn parse_json_or_default<T: DeserializeOwned + Default>(
    what: &str,
    text: Option<String>,
) -> Result<T> {
    text.map_or_else(|| Ok(T::default()), |t| parse_json(what, &t))
}

fn run_record(row: RunRow) -> Result<RunRecord> {
    let seed = match row.seed {
        Some(text) => Some(
            text.parse::<u64>()
                .map_err(|_| RegistryError::CorruptRecord {
                    what: "runs.seed".into(),
                    value: text.clone(),
                })?,
        ),
        None => None,
    };
    Ok(RunRecord {
        id: RunId(row.id),
        kind: parse_text("runs.kind", &row.kind, RunKind::parse)?,
        status: parse_text("runs.status", &row.status, RunStatus::parse)?,
        started_at: row.started_at,
        finished_at: row.finished_at,
        config: RunConfig {
            config: parse_json("runs.config", &row.config)?,
            seed,
            data_path: row.data_path,
        },
        outcome: RunOutcome {
            data_fingerprint: row.data_fingerprint,
            params: parse_json_or_default("runs.params", row.params)?,
            metrics: parse_json_or_default("runs.metrics", row.metrics)?,
            fold_metrics: parse_json_or_default("runs.fold_metrics", row.fold_metrics)?,
            timings: parse_json_or_default("runs.timings", row.timings)?,
            artifact_digest: row.artifact_digest,
            report_path: row.report_path,
        },
        environment: parse_json("runs.environment", &row.environment)?,
        error: row.error,
    })
}

fn model_version(row: VersionRow) -> Result<ModelVersion> {
    let status = parse_text("model_versions.status", &row.status, VersionStatus::parse)?;
    Ok(ModelVersion {
        metrics: parse_json("model_versions.metrics", &row.metrics)?,
        name: row.name,
        version: row.version,
        artifact_digest: row.artifact_digest,
        run_id: row.run_id.map(RunId),
        created_at: row.created_at,
        data_fingerprint: row.data_fingerprint,
        status,
    })
}
