//! kiln-registry: where trained models and the runs that made them are kept.
//!
//! Three parts, one facade:
//! - the [`Artifact`]: one file holding a [`kiln_eval::FittedModelPipeline`] and its
//!   [`Manifest`] (schema, spec, metrics, data fingerprint, drift reference profile), checked on
//!   every load;
//! - the [`MetadataStore`] ([`SqliteStore`] in `<project>/.kiln/kiln.db`): runs, models,
//!   numbered versions, aliases and their history;
//! - the [`ArtifactStore`]: artifact files in `<project>/.kiln/artifacts/`, named by the SHA-256
//!   of their bytes.
//!
//! [`Registry`] ties them together so no caller can write a version row whose file is missing:
//! the artifact file is always written before the row that points at it, and every change to
//! the store is one transaction.
//!
//! Models are referred to by a [`ModelRef`]: `name/3` is version 3, `name@production` is
//! whatever the alias points at, and a bare `name` is the **latest** version — the highest
//! version number that has not been deleted, i.e. the most recently registered model, which is
//! not necessarily the one in production.
//!
//! ```
//! use kiln_data::csv::read_csv_bytes;
//! use kiln_eval::ModelPipelineSpec;
//! use kiln_registry::{Artifact, ModelRef, Registry, RunConfig, RunKind, RunOutcome, TrainingSummary};
//!
//! let data = read_csv_bytes(
//!     b"x,label\n1.5,low\n2.5,low\n3.5,low\n7.5,high\n8.5,high\n9.5,high\n",
//!     "train.csv",
//!     &Default::default(),
//! )?;
//! let spec: ModelPipelineSpec = serde_json::from_value(serde_json::json!({
//!     "prep": { "target": "label", "remainder": "passthrough" },
//!     "model": { "kind": "decision_tree", "max_depth": 2 },
//! }))?;
//! let pipeline = spec.fit(&data)?;
//!
//! let project = tempfile::tempdir()?;
//! let registry = Registry::open(project.path())?;
//! let run = registry.start_run(RunKind::Train, &RunConfig::default())?;
//! let training = TrainingSummary {
//!     data_fingerprint: kiln_data::fingerprint(&data).digest,
//!     training_rows: data.n_rows() as u64,
//!     ..Default::default()
//! };
//! let artifact = Artifact::new("churn", spec, pipeline, training)?;
//! let version = registry.register("churn", &artifact, Some(run))?;
//! registry.finish_run(run, &RunOutcome::default())?;
//! registry.set_alias("churn", "production", version.version, "first model")?;
//!
//! let (loaded, model) = registry.load(&ModelRef::parse("churn@production")?)?;
//! assert_eq!(loaded.version, 1);
//! assert_eq!(model.pipeline.predict(&data)?.labels.unwrap()[0], "low");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod artifact;
mod artifact_store;
mod atomic_write;
mod error;
mod model_ref;
mod run;
mod store;
mod text_enum;
mod timestamp;

use std::fs;
use std::path::{Path, PathBuf};

pub use artifact::{Artifact, FORMAT_VERSION, MAGIC, Manifest, TrainingSummary};
pub use artifact_store::{ArtifactStore, StoredArtifact, sha256_hex};
pub use error::{RegistryError, Result};
pub use model_ref::{ModelRef, check_name};
pub use run::{
    Environment, RunConfig, RunFilter, RunId, RunKind, RunOutcome, RunRecord, RunStatus,
};
pub use store::{
    AliasChange, AliasChangeKind, DeletedVersion, MetadataStore, ModelSummary, ModelVersion,
    NewModelVersion, SqliteStore, VersionStatus,
};
pub use timestamp::{now_rfc3339, rfc3339};

/// The folder inside a project that holds the registry.
pub const KILN_DIR: &str = ".kiln";

/// The SQLite database inside [`KILN_DIR`].
pub const DB_FILE: &str = "kiln.db";

/// The artifact folder inside [`KILN_DIR`].
pub const ARTIFACTS_DIR: &str = "artifacts";

/// The model registry of one project: runs, model versions, aliases and artifact files.
pub struct Registry {
    store: Box<dyn MetadataStore>,
    artifacts: ArtifactStore,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("artifacts", &self.artifacts)
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// Opens the registry of the project in `project_dir` (which must exist), creating
    /// `.kiln/` and its database on first use.
    pub fn open(project_dir: &Path) -> Result<Self> {
        if !project_dir.is_dir() {
            return Err(RegistryError::Io {
                action: "open project folder",
                path: project_dir.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such folder (the registry lives in `.kiln/` of an existing project folder)",
                ),
            });
        }
        let kiln_dir = project_dir.join(KILN_DIR);
        fs::create_dir_all(&kiln_dir).map_err(|source| RegistryError::Io {
            action: "create folder",
            path: kiln_dir.clone(),
            source,
        })?;
        let store = SqliteStore::open(&kiln_dir.join(DB_FILE))?;
        Ok(Registry::with_store(
            Box::new(store),
            ArtifactStore::new(kiln_dir.join(ARTIFACTS_DIR)),
        ))
    }

    /// A registry over any metadata store and artifact folder (a Postgres store, tests).
    pub fn with_store(store: Box<dyn MetadataStore>, artifacts: ArtifactStore) -> Self {
        Registry { store, artifacts }
    }

    /// The metadata store.
    pub fn store(&self) -> &dyn MetadataStore {
        self.store.as_ref()
    }

    /// The artifact files.
    pub fn artifacts(&self) -> &ArtifactStore {
        &self.artifacts
    }

    /// Records the start of a run (with the current [`Environment`]) and returns its id.
    pub fn start_run(&self, kind: RunKind, config: &RunConfig) -> Result<RunId> {
        self.store.start_run(kind, config, &Environment::current())
    }

    /// Marks a running run finished with what it produced.
    pub fn finish_run(&self, id: RunId, outcome: &RunOutcome) -> Result<()> {
        self.store.finish_run(id, outcome)
    }

    /// Marks a running run failed with `message`.
    pub fn fail_run(&self, id: RunId, message: &str) -> Result<()> {
        self.store.fail_run(id, message)
    }

    /// Runs matching `filter`, newest first.
    pub fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>> {
        self.store.list_runs(filter)
    }

    /// One run.
    pub fn get_run(&self, id: RunId) -> Result<RunRecord> {
        self.store.get_run(id)
    }

    /// Stores `artifact` and registers it as the next version of `name` (created on first use).
    /// The artifact file is written before the version row, and removed again if the row
    /// cannot be written and nothing else uses it.
    pub fn register(
        &self,
        name: &str,
        artifact: &Artifact,
        run_id: Option<RunId>,
    ) -> Result<ModelVersion> {
        check_name("model name", name)?;
        let bytes = artifact.to_bytes()?;
        let stored = self.artifacts.put(&bytes)?;
        let new = NewModelVersion {
            name: name.to_string(),
            artifact_digest: stored.digest.clone(),
            run_id,
            metrics: artifact.manifest.metrics.clone(),
            data_fingerprint: artifact.manifest.data_fingerprint.clone(),
        };
        let version = match self.store.register_version(&new) {
            Ok(v) => v,
            Err(e) => {
                if stored.created && !self.store.digest_in_use(&stored.digest).unwrap_or(true) {
                    // Best effort: the registration error is the one to report; an orphan
                    // file is harmless and is rewritten by the next identical registration.
                    let _ = self.artifacts.remove(&stored.digest);
                }
                return Err(e);
            }
        };
        // A concurrent delete of another version with the same bytes may have removed the
        // file between `put` and the insert (see `MetadataStore::delete_version`).
        if !self.artifacts.contains(&stored.digest)? {
            self.artifacts.put(&bytes)?;
        }
        Ok(version)
    }

    /// The version a reference points at. A bare name is the latest version (the highest
    /// version number that has not been deleted).
    pub fn resolve(&self, reference: &ModelRef) -> Result<ModelVersion> {
        match reference {
            ModelRef::Latest { name } => self.store.latest_version(name),
            ModelRef::Version { name, version } => self.store.get_version(name, *version),
            ModelRef::Alias { name, alias } => match self.store.alias_version(name, alias)? {
                Some(version) => self.store.get_version(name, version),
                None => Err(RegistryError::UnknownAlias {
                    name: name.clone(),
                    alias: alias.clone(),
                    known: self.store.aliases(name)?.into_keys().collect(),
                }),
            },
        }
    }

    /// Resolves a reference and loads its artifact, checking the file digest, the format and
    /// the payload digest.
    pub fn load(&self, reference: &ModelRef) -> Result<(ModelVersion, Artifact)> {
        let version = self.resolve(reference)?;
        let artifact = self.load_version(&version)?;
        Ok((version, artifact))
    }

    /// Loads the artifact of an already resolved version.
    pub fn load_version(&self, version: &ModelVersion) -> Result<Artifact> {
        let bytes = self.artifacts.get(&version.artifact_digest)?;
        let path = self.artifacts.path(&version.artifact_digest)?;
        artifact::decode(&bytes, &path.display().to_string())
    }

    /// The manifest of a version's artifact, without reading or decoding the model payload
    /// (for listings and model pages).
    pub fn manifest(&self, version: &ModelVersion) -> Result<Manifest> {
        Artifact::read_manifest(&self.artifacts.path(&version.artifact_digest)?)
    }

    /// The artifact file of a version (for copying or serving it elsewhere).
    pub fn artifact_path(&self, version: &ModelVersion) -> Result<PathBuf> {
        self.artifacts.path(&version.artifact_digest)
    }

    /// Every model, by name, with its latest version and aliases.
    pub fn list_models(&self) -> Result<Vec<store::ModelSummary>> {
        self.store.list_models()
    }

    /// The versions of `name` that are not deleted, oldest first.
    pub fn list_versions(&self, name: &str) -> Result<Vec<ModelVersion>> {
        self.store.list_versions(name)
    }

    /// Sets a model's free-text description.
    pub fn set_description(&self, name: &str, description: &str) -> Result<()> {
        self.store.set_description(name, description)
    }

    /// Points `alias` of `name` at `version`, recording `reason`; returns the version it
    /// pointed at before. Setting an alias to the version it already has changes nothing.
    pub fn set_alias(
        &self,
        name: &str,
        alias: &str,
        version: u32,
        reason: &str,
    ) -> Result<Option<u32>> {
        self.store.set_alias(name, alias, version, reason)
    }

    /// Removes `alias` of `name`; returns the version it pointed at.
    pub fn remove_alias(&self, name: &str, alias: &str, reason: &str) -> Result<u32> {
        self.store.remove_alias(name, alias, reason)
    }

    /// The version `alias` of `name` points at, if the alias exists.
    pub fn alias_version(&self, name: &str, alias: &str) -> Result<Option<u32>> {
        self.store.alias_version(name, alias)
    }

    /// Alias → version for `name`.
    pub fn aliases(&self, name: &str) -> Result<std::collections::BTreeMap<String, u32>> {
        self.store.aliases(name)
    }

    /// The changes of one alias (or every alias when `None`) of `name`, oldest first.
    pub fn alias_history(&self, name: &str, alias: Option<&str>) -> Result<Vec<AliasChange>> {
        self.store.alias_history(name, alias)
    }

    /// Moves `alias` back to the version it pointed at before its last move and returns
    /// `(from, to)`. Rolling back again walks further back; a version deleted meanwhile stops
    /// the rollback with an error.
    pub fn rollback(&self, name: &str, alias: &str) -> Result<(u32, u32)> {
        self.store.rollback_alias(name, alias, "rollback")
    }

    /// Deletes a version. Refused while an alias points at it. The version number is not
    /// reused; the artifact file is removed only when no other version uses the same bytes.
    pub fn delete_version(&self, name: &str, version: u32) -> Result<DeletedVersion> {
        self.store
            .delete_version(name, version, &mut |digest| self.artifacts.remove(digest))
    }
}
