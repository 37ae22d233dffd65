//! The error type of the registry crate.
//!
//! A registry error is read by someone looking at a terminal or a server log, often long after
//! the model was trained, so every message names the file, model, version, alias or run it is
//! about and — for the "unknown …" cases — lists what does exist, so the next command can be
//! typed without a second look-up.

use std::path::PathBuf;

/// Shorthand for results of registry operations.
pub type Result<T> = std::result::Result<T, RegistryError>;

/// Everything that can go wrong while writing, reading or looking up models and runs.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A file or folder could not be read, written, renamed or removed.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "create folder", ...).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file does not start with the artifact magic bytes.
    #[error("`{origin}` is not a kiln model artifact (it does not start with `KILNMDL`)")]
    NotAnArtifact {
        /// The file (or "artifact bytes" for in-memory input).
        origin: String,
    },
    /// The artifact was written by a newer kiln in a format this one cannot read.
    #[error(
        "`{origin}` uses artifact format version {found}, but this kiln reads versions 1 to {supported}; upgrade kiln to load it"
    )]
    NewerFormat {
        /// The file.
        origin: String,
        /// The version in the file.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The header says a format version that never existed (0).
    #[error(
        "`{origin}` has artifact format version {found}, which does not exist; the file is corrupt"
    )]
    InvalidFormatVersion {
        /// The file.
        origin: String,
        /// The version in the file.
        found: u32,
    },
    /// The file ends before a section its header announced.
    #[error(
        "`{origin}` is truncated: the {section} needs {needed} bytes but only {available} remain; the file was not copied completely"
    )]
    Truncated {
        /// The file.
        origin: String,
        /// Which part ("header", "manifest", "payload length", "payload").
        section: &'static str,
        /// Bytes the section needs.
        needed: u64,
        /// Bytes left in the file.
        available: u64,
    },
    /// Bytes follow the payload: the file was appended to or is two files glued together.
    #[error("`{origin}` has {extra} unexpected bytes after the payload; the file is corrupt")]
    TrailingBytes {
        /// The file.
        origin: String,
        /// How many bytes follow the payload.
        extra: u64,
    },
    /// Content does not hash to the digest recorded for it.
    #[error(
        "`{origin}`: the {what} has SHA-256 {actual} but {expected} was recorded; the file is corrupt"
    )]
    DigestMismatch {
        /// The file.
        origin: String,
        /// What was hashed ("payload", "artifact file").
        what: &'static str,
        /// The recorded digest.
        expected: String,
        /// The digest of the bytes found.
        actual: String,
    },
    /// The manifest is not valid JSON of the expected shape.
    #[error("`{origin}`: the manifest is not valid ({reason}); the file is corrupt")]
    CorruptManifest {
        /// The file.
        origin: String,
        /// What the JSON reader said.
        reason: String,
    },
    /// The payload did not decompress or did not decode into a fitted pipeline.
    #[error("`{origin}`: the model payload cannot be decoded ({reason}); the file is corrupt")]
    CorruptPayload {
        /// The file.
        origin: String,
        /// What the decompressor or JSON reader said.
        reason: String,
    },
    /// An artifact could not be built from what was given.
    #[error("cannot build the model artifact: {0}")]
    InvalidArtifact(String),
    /// A digest is not 64 lower-case hexadecimal characters.
    #[error("`{0}` is not a SHA-256 digest (expected 64 lower-case hexadecimal characters)")]
    InvalidDigest(String),
    /// No file in the artifact store has this digest.
    #[error("the artifact {digest} is missing from `{}`; it was removed outside kiln", path.display())]
    MissingArtifact {
        /// The digest the metadata store points at.
        digest: String,
        /// Where the file was expected.
        path: PathBuf,
    },
    /// A model, alias or reference name is not usable.
    #[error("invalid {what} `{value}`: {reason}")]
    InvalidName {
        /// "model name", "alias", "model reference", ...
        what: &'static str,
        /// The text given.
        value: String,
        /// What is expected instead.
        reason: String,
    },
    /// A number or piece of run data cannot be stored.
    #[error("invalid {what}: {reason}")]
    InvalidValue {
        /// The argument ("metric `roc_auc`", "config", ...).
        what: String,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// No model has this name.
    #[error(
        "no model named `{name}`; {}",
        list_or_none("registered models", known)
    )]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The models that exist.
        known: Vec<String>,
    },
    /// The model exists but not this version.
    #[error("model `{name}` has no version {version}{}; {}", if *deleted { " (it was deleted)" } else { "" }, list_or_none("versions", known))]
    UnknownVersion {
        /// The model.
        name: String,
        /// The version asked for.
        version: u32,
        /// True when the version existed and was deleted.
        deleted: bool,
        /// The versions that exist.
        known: Vec<u32>,
    },
    /// Every version of the model was deleted, so "the latest version" does not exist.
    #[error("model `{0}` has no versions left (all were deleted); register a new one")]
    NoVersions(String),
    /// The model exists but has no such alias.
    #[error(
        "model `{name}` has no alias `{alias}`; {}",
        list_or_none("aliases", known)
    )]
    UnknownAlias {
        /// The model.
        name: String,
        /// The alias asked for.
        alias: String,
        /// The aliases that exist.
        known: Vec<String>,
    },
    /// No run has this id.
    #[error("no run with id {0}")]
    UnknownRun(i64),
    /// A run that already ended cannot end again.
    #[error("run {id} already {status}; only a running run can be finished or failed")]
    RunAlreadyEnded {
        /// The run.
        id: i64,
        /// "finished" or "failed".
        status: &'static str,
    },
    /// A version an alias points at cannot be deleted.
    #[error(
        "cannot delete version {version} of `{name}`: {} still point{} at it; move or remove {} first",
        quoted(aliases), if aliases.len() == 1 { "s" } else { "" }, if aliases.len() == 1 { "it" } else { "them" }
    )]
    VersionInUse {
        /// The model.
        name: String,
        /// The version.
        version: u32,
        /// The aliases pointing at it.
        aliases: Vec<String>,
    },
    /// A rollback has no earlier version to go back to.
    #[error("cannot roll back `{name}@{alias}`: {reason}")]
    NoRollback {
        /// The model.
        name: String,
        /// The alias.
        alias: String,
        /// Why ("it was never moved", "version 2 was deleted", ...).
        reason: String,
    },
    /// The SQLite metadata store failed.
    #[error("metadata store `{}`: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was created by a newer kiln.
    #[error(
        "metadata store `{}` has schema version {found}, but this kiln knows versions up to {supported}; upgrade kiln",
        path.display()
    )]
    NewerStore {
        /// The database file.
        path: PathBuf,
        /// The schema version in the file.
        found: u32,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// A stored row holds a value this build cannot interpret.
    #[error(
        "metadata store: {what} holds `{value}`, which is not valid; the database is corrupt or was edited by hand"
    )]
    CorruptRecord {
        /// The table and column.
        what: String,
        /// The value found.
        value: String,
    },
}

/// "known: `a`, `b`" or "none exist yet", for the unknown-name errors.
fn list_or_none<T: std::fmt::Display>(what: &str, known: &[T]) -> String {
    if known.is_empty() {
        format!("no {what} exist yet")
    } else {
        format!("{what}: {}", quoted(known))
    }
}

/// `a`, `b`, `c`
fn quoted<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
