//! The metadata store: runs, models, model versions, aliases and their history.
//!
//! [`MetadataStore`] is what the [`crate::Registry`] needs from a database; [`SqliteStore`]
//! implements it in one embedded file for a single machine, and a Postgres store for a team can
//! implement the same trait. Every method is one transaction, so a failure never leaves a
//! half-applied change; version numbers are allocated inside a write transaction, so concurrent
//! registrations from several processes get distinct versions.

mod migrations;
mod sqlite;

use std::collections::BTreeMap;

pub use sqlite::SqliteStore;

use crate::error::Result;
use crate::run::{Environment, RunConfig, RunFilter, RunId, RunKind, RunOutcome, RunRecord};
use crate::text_enum::text_enum;

/// Whether a version can still be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// Registered and loadable.
    Ready,
    /// Deleted: the row stays so its number is never reused and lineage survives.
    Deleted,
}

text_enum!(VersionStatus, "version status", { Ready => "ready", Deleted => "deleted" });

/// One registered version of a model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModelVersion {
    /// The model name.
    pub name: String,
    /// The version number, from 1, never reused.
    pub version: u32,
    /// SHA-256 of the artifact file.
    pub artifact_digest: String,
    /// The run that produced it, if recorded.
    pub run_id: Option<RunId>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// The metrics from the artifact manifest.
    pub metrics: BTreeMap<String, f64>,
    /// The training-data fingerprint from the manifest.
    pub data_fingerprint: String,
    /// Ready or deleted.
    pub status: VersionStatus,
}

/// What the registry hands the store when registering a version; the store adds the number.
#[derive(Debug, Clone, PartialEq)]
pub struct NewModelVersion {
    /// The model name (created on first registration).
    pub name: String,
    /// SHA-256 of the artifact file, already in the artifact store.
    pub artifact_digest: String,
    /// The run that produced it.
    pub run_id: Option<RunId>,
    /// Metrics to list without opening the artifact.
    pub metrics: BTreeMap<String, f64>,
    /// The training-data fingerprint.
    pub data_fingerprint: String,
}

/// A model and where its versions and aliases stand.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModelSummary {
    /// The model name.
    pub name: String,
    /// When its first version was registered, RFC 3339 UTC.
    pub created_at: String,
    /// Free text set by the user.
    pub description: String,
    /// The highest version that is not deleted.
    pub latest_version: Option<u32>,
    /// How many versions are not deleted.
    pub version_count: u32,
    /// Alias → version.
    pub aliases: BTreeMap<String, u32>,
}

/// How an alias changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasChangeKind {
    /// Pointed at a version by hand (or by a promotion).
    Set,
    /// Moved back to the version it pointed at before the last move.
    Rollback,
    /// Removed.
    Remove,
}

text_enum!(AliasChangeKind, "alias change", { Set => "set", Rollback => "rollback", Remove => "remove" });

/// One entry of an alias's history: who pointed it where, when and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AliasChange {
    /// The model name.
    pub name: String,
    /// The alias.
    pub alias: String,
    /// The version before (none when the alias was created).
    pub from_version: Option<u32>,
    /// The version after (none when the alias was removed).
    pub to_version: Option<u32>,
    /// RFC 3339 UTC.
    pub at: String,
    /// Why, as given.
    pub reason: String,
    /// Set, rollback or remove.
    pub kind: AliasChangeKind,
}

/// A deleted version and whether its artifact file went with it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeletedVersion {
    /// The version, now with status [`VersionStatus::Deleted`].
    pub version: ModelVersion,
    /// False when another version still uses the same artifact file.
    pub artifact_removed: bool,
}

/// What the registry needs from a database. Errors for unknown names list what exists.
pub trait MetadataStore: Send {
    /// Records a run as running and returns its id.
    fn start_run(
        &self,
        kind: RunKind,
        config: &RunConfig,
        environment: &Environment,
    ) -> Result<RunId>;
    /// Marks a running run finished and records what it produced.
    fn finish_run(&self, id: RunId, outcome: &RunOutcome) -> Result<()>;
    /// Marks a running run failed with `message`.
    fn fail_run(&self, id: RunId, message: &str) -> Result<()>;
    /// One run.
    fn get_run(&self, id: RunId) -> Result<RunRecord>;
    /// Runs matching `filter`, newest first.
    fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>>;

    /// Creates the model if needed and allocates the next version number atomically.
    fn register_version(&self, new: &NewModelVersion) -> Result<ModelVersion>;
    /// True when a version that is not deleted uses the artifact with `digest`.
    fn digest_in_use(&self, digest: &str) -> Result<bool>;
    /// One version that is not deleted.
    fn get_version(&self, name: &str, version: u32) -> Result<ModelVersion>;
    /// The highest version that is not deleted.
    fn latest_version(&self, name: &str) -> Result<ModelVersion>;
    /// Every model, by name.
    fn list_models(&self) -> Result<Vec<ModelSummary>>;
    /// The versions of `name` that are not deleted, oldest first.
    fn list_versions(&self, name: &str) -> Result<Vec<ModelVersion>>;
    /// Sets a model's description.
    fn set_description(&self, name: &str, description: &str) -> Result<()>;
    /// Deletes a version (refused while an alias points at it). When no other version uses
    /// its artifact, `remove_artifact` is called with the digest before the change is
    /// committed, so a failure to remove the file leaves the version in place.
    fn delete_version(
        &self,
        name: &str,
        version: u32,
        remove_artifact: &mut dyn FnMut(&str) -> Result<()>,
    ) -> Result<DeletedVersion>;

    /// Points `alias` at `version`, recording the change; returns the previous version.
    fn set_alias(&self, name: &str, alias: &str, version: u32, reason: &str)
    -> Result<Option<u32>>;
    /// Removes `alias`, recording the change; returns the version it pointed at.
    fn remove_alias(&self, name: &str, alias: &str, reason: &str) -> Result<u32>;
    /// The version `alias` points at, if it exists (an unknown model is an error).
    fn alias_version(&self, name: &str, alias: &str) -> Result<Option<u32>>;
    /// Alias → version for one model.
    fn aliases(&self, name: &str) -> Result<BTreeMap<String, u32>>;
    /// The changes of one alias (or all aliases of the model), oldest first.
    fn alias_history(&self, name: &str, alias: Option<&str>) -> Result<Vec<AliasChange>>;
    /// Moves `alias` back to the version it pointed at before its last move; returns
    /// `(from, to)`. Repeated rollbacks walk further back through the history.
    fn rollback_alias(&self, name: &str, alias: &str, reason: &str) -> Result<(u32, u32)>;
}
