//! The SQLite schema, as an ordered list of migrations, and the code that applies them.
//!
//! `PRAGMA user_version` holds how many migrations a database has had. Opening a database
//! applies the missing ones in order, each in its own write transaction together with the
//! version bump, so a crash mid-way leaves the database at the previous version, and two
//! processes opening a fresh database at once do not both apply the same migration. A database
//! from a newer kiln (more migrations than this build knows) is refused rather than guessed at.
//!
//! Migrations are append-only: a released one is never edited, a change is a new entry.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{RegistryError, Result};

/// Every migration, in order; entry `i` takes the database from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: runs, models, versions, aliases and their history.
    r#"
    CREATE TABLE runs (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        kind             TEXT NOT NULL CHECK (kind IN ('train', 'evaluate', 'tune')),
        status           TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
        started_at       TEXT NOT NULL,
        finished_at      TEXT,
        config           TEXT NOT NULL,          -- JSON
        seed             TEXT,                   -- decimal u64 (above i64::MAX fits too)
        data_path        TEXT,
        data_fingerprint TEXT,
        params           TEXT,                   -- JSON
        metrics          TEXT,                   -- JSON object name -> number
        fold_metrics     TEXT,                   -- JSON array of such objects
        timings          TEXT,                   -- JSON object phase -> seconds
        environment      TEXT NOT NULL,          -- JSON
        artifact_digest  TEXT,
        report_path      TEXT,
        error            TEXT
    );
    CREATE INDEX runs_by_kind ON runs (kind, id);

    CREATE TABLE models (
        name        TEXT PRIMARY KEY,
        created_at  TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT ''
    );

    CREATE TABLE model_versions (
        name             TEXT NOT NULL REFERENCES models (name),
        version          INTEGER NOT NULL CHECK (version >= 1),
        artifact_digest  TEXT NOT NULL,
        run_id           INTEGER REFERENCES runs (id),
        created_at       TEXT NOT NULL,
        metrics          TEXT NOT NULL,          -- JSON object name -> number
        data_fingerprint TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('ready', 'deleted')),
        PRIMARY KEY (name, version)
    );
    CREATE INDEX model_versions_by_digest ON model_versions (artifact_digest);

    CREATE TABLE aliases (
        name       TEXT NOT NULL,
        alias      TEXT NOT NULL,
        version    INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
    );

    CREATE TABLE alias_history (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        name         TEXT NOT NULL REFERENCES models (name),
        alias        TEXT NOT NULL,
        from_version INTEGER,
        to_version   INTEGER,
        at           TEXT NOT NULL,
        reason       TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('set', 'rollback', 'remove'))
    );
    CREATE INDEX alias_history_by_alias ON alias_history (name, alias, id);
    "#,
];

/// Brings `conn` to the latest schema version of `migrations`; returns the version reached.
pub(crate) fn migrate(conn: &mut Connection, path: &Path, migrations: &[&str]) -> Result<u32> {
    let sql = |source| RegistryError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let target = migrations.len() as u32;
    loop {
        // IMMEDIATE takes the write lock before reading the version, so the version read is
        // the one the migration applies to even with another process opening the same file.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let current: u32 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql)?;
        if current > target {
            return Err(RegistryError::NewerStore {
                path: path.to_path_buf(),
                found: current,
                supported: target,
            });
        }
        if current == target {
            tx.commit().map_err(sql)?;
            return Ok(current);
        }
        tx.execute_batch(migrations[current as usize])
            .map_err(sql)?;
        // PRAGMA takes no bound parameters; the value is a number formatted here.
        tx.execute_batch(&format!("PRAGMA user_version = {}", current + 1))
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> u32 {
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("reads version")
    }

    #[test]
    fn fresh_database_gets_every_migration() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kiln.db");
        let mut conn = Connection::open(&path).expect("opens");
        assert_eq!(
            migrate(&mut conn, &path, MIGRATIONS).expect("migrates"),
            MIGRATIONS.len() as u32
        );
        assert_eq!(version(&conn), MIGRATIONS.len() as u32);
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .expect("prepares")
            .query_map([], |r| r.get(0))
            .expect("queries")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(
            tables,
            [
                "alias_history",
                "aliases",
                "model_versions",
                "models",
                "runs"
            ]
        );
        // Opening again changes nothing.
        assert_eq!(
            migrate(&mut conn, &path, MIGRATIONS).expect("again"),
            MIGRATIONS.len() as u32
        );
    }

    #[test]
    fn existing_database_gets_only_the_new_migrations_and_keeps_its_rows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kiln.db");
        let mut conn = Connection::open(&path).expect("opens");
        let v1 = ["CREATE TABLE t (x INTEGER NOT NULL)"];
        assert_eq!(migrate(&mut conn, &path, &v1).expect("v1"), 1);
        conn.execute("INSERT INTO t (x) VALUES (7)", [])
            .expect("inserts");
        // Version 2 adds a column with a default; version 1 is not run again (it would fail:
        // the table exists).
        let v2 = [
            v1[0],
            "ALTER TABLE t ADD COLUMN y TEXT NOT NULL DEFAULT 'old'",
        ];
        drop(conn);
        let mut conn = Connection::open(&path).expect("reopens");
        assert_eq!(migrate(&mut conn, &path, &v2).expect("v2"), 2);
        let row: (i64, String) = conn
            .query_row("SELECT x, y FROM t", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("row kept");
        assert_eq!(row, (7, "old".to_string()));
    }

    #[test]
    fn a_failing_migration_leaves_the_previous_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kiln.db");
        let mut conn = Connection::open(&path).expect("opens");
        let migrations = [
            "CREATE TABLE a (x INTEGER)",
            "CREATE TABLE b (x INTEGER); CREATE TABLE a (y INTEGER)",
        ];
        let err = migrate(&mut conn, &path, &migrations).expect_err("second fails");
        assert!(err.to_string().contains("kiln.db"), "{err}");
        assert_eq!(version(&conn), 1);
        let b_exists: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'b'",
                [],
                |r| r.get(0),
            )
            .expect("queries");
        assert_eq!(b_exists, 0, "the failed migration was rolled back whole");
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kiln.db");
        let mut conn = Connection::open(&path).expect("opens");
        conn.execute_batch("PRAGMA user_version = 99")
            .expect("sets version");
        let msg = migrate(&mut conn, &path, MIGRATIONS)
            .expect_err("newer")
            .to_string();
        assert!(
            msg.contains("schema version 99") && msg.contains("upgrade kiln"),
            "{msg}"
        );
    }
}
