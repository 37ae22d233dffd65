//! Where served models come from: the [`ModelSource`] trait, the registry-backed
//! [`RegistrySource`] and an in-memory source.
//!
//! The server needs two things from a model store: a cheap `resolve` (which version does
//! `quickstart@production` name right now?) that the reload loop can call every few seconds, and
//! a `load` that reads the artifact. Keeping that behind a small trait lets the server run on
//! the registry, on an in-memory set (tests, embedding), or on anything else that can name
//! versions. References are the registry's [`ModelRef`] (`name`, `name/3`, `name@alias`), one
//! syntax everywhere.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use kiln_eval::FittedModelPipeline;
pub use kiln_registry::ModelRef;
use kiln_registry::{Registry, check_name};
use serde::Serialize;

use crate::error::{Result, ServeError};

/// Identifies one stored version of a model: the reload loop swaps models when this changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionKey {
    /// The version number (1, 2, ...).
    pub version: u32,
    /// The artifact digest, so a version rewritten in place is also noticed.
    pub digest: String,
}

/// A model ready to serve.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    /// The model name.
    pub name: String,
    /// Which version this is.
    pub key: VersionKey,
    /// The pipeline every prediction goes through.
    pub pipeline: Arc<FittedModelPipeline>,
    /// Metrics recorded with the version (from the artifact manifest), shown by `/v1/models`.
    pub metrics: serde_json::Value,
}

/// A store of model versions the server can serve from.
pub trait ModelSource: Send + Sync + 'static {
    /// The version `spec` names now. Called by the reload loop on every poll: keep it cheap.
    fn resolve(&self, spec: &ModelRef) -> Result<VersionKey>;
    /// Loads the version `spec` names now.
    fn load(&self, spec: &ModelRef) -> Result<LoadedModel>;
}

/// One stored version: a pipeline, or the reason it cannot be loaded (a corrupt artifact).
#[derive(Debug, Clone)]
enum StoredVersion {
    Ready {
        pipeline: Arc<FittedModelPipeline>,
        metrics: serde_json::Value,
    },
    Broken(String),
}

#[derive(Debug, Default)]
struct StoredModel {
    versions: Vec<StoredVersion>,
    aliases: BTreeMap<String, u32>,
}

/// Model versions and aliases held in memory. Cloning shares the same store, so a test (or an
/// embedding program) can keep a handle and move aliases while the server runs.
#[derive(Debug, Clone, Default)]
pub struct InMemorySource {
    models: Arc<Mutex<BTreeMap<String, StoredModel>>>,
}

impl InMemorySource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    fn with_models<T>(&self, f: impl FnOnce(&mut BTreeMap<String, StoredModel>) -> T) -> T {
        // A panic while holding the lock cannot leave the map half-updated (every update is a
        // single insert or push), so a poisoned lock is safe to keep using.
        let mut guard = self.models.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    fn push(&self, name: &str, version: StoredVersion) -> Result<u32> {
        check_name("model name", name).map_err(|e| ServeError::model(name, e.to_string()))?;
        self.with_models(|m| {
            let model = m.entry(name.to_string()).or_default();
            model.versions.push(version);
            u32::try_from(model.versions.len())
                .map_err(|_| ServeError::model(name, "too many versions"))
        })
    }

    /// Adds a new version of `name` and returns its number.
    pub fn add_version(
        &self,
        name: &str,
        pipeline: FittedModelPipeline,
        metrics: serde_json::Value,
    ) -> Result<u32> {
        self.push(
            name,
            StoredVersion::Ready {
                pipeline: Arc::new(pipeline),
                metrics,
            },
        )
    }

    /// Adds a version that resolves but fails to load with `reason`, as a corrupt artifact
    /// would; it lets callers check that a failed reload keeps the old model serving.
    pub fn add_broken_version(&self, name: &str, reason: &str) -> Result<u32> {
        self.push(name, StoredVersion::Broken(reason.to_string()))
    }

    /// Points `alias` of `name` at `version`.
    pub fn set_alias(&self, name: &str, alias: &str, version: u32) -> Result<()> {
        check_name("alias", alias).map_err(|e| ServeError::model(name, e.to_string()))?;
        self.with_models(|m| {
            let model = m
                .get_mut(name)
                .ok_or_else(|| ServeError::model(name, "no such model"))?;
            if version == 0 || version as usize > model.versions.len() {
                return Err(ServeError::model(
                    name,
                    format!(
                        "version {version} does not exist (versions 1..={})",
                        model.versions.len()
                    ),
                ));
            }
            model.aliases.insert(alias.to_string(), version);
            Ok(())
        })
    }

    fn find(&self, spec: &ModelRef) -> Result<(u32, StoredVersion)> {
        let name = spec.name();
        self.with_models(|m| {
            let model = m
                .get(name)
                .ok_or_else(|| ServeError::model(name, "no such model"))?;
            let version = match spec {
                ModelRef::Latest { .. } => model.versions.len() as u32,
                ModelRef::Version { version, .. } => *version,
                ModelRef::Alias { alias, .. } => *model
                    .aliases
                    .get(alias)
                    .ok_or_else(|| ServeError::model(name, format!("no alias '{alias}'")))?,
            };
            let stored = version
                .checked_sub(1)
                .and_then(|i| model.versions.get(i as usize))
                .ok_or_else(|| {
                    ServeError::model(name, format!("version {version} does not exist"))
                })?;
            Ok((version, stored.clone()))
        })
    }
}

/// A digest for an in-memory version: the version number and the pipeline's address never
/// repeat together within one process.
fn memory_digest(version: u32, stored: &StoredVersion) -> String {
    match stored {
        StoredVersion::Ready { pipeline, .. } => {
            format!("memory:{version}:{:x}", Arc::as_ptr(pipeline) as usize)
        }
        StoredVersion::Broken(_) => format!("memory:{version}:broken"),
    }
}

impl ModelSource for InMemorySource {
    fn resolve(&self, spec: &ModelRef) -> Result<VersionKey> {
        let (version, stored) = self.find(spec)?;
        Ok(VersionKey {
            version,
            digest: memory_digest(version, &stored),
        })
    }

    fn load(&self, spec: &ModelRef) -> Result<LoadedModel> {
        let (version, stored) = self.find(spec)?;
        let digest = memory_digest(version, &stored);
        match stored {
            StoredVersion::Ready { pipeline, metrics } => Ok(LoadedModel {
                name: spec.name().to_string(),
                key: VersionKey { version, digest },
                pipeline,
                metrics,
            }),
            StoredVersion::Broken(reason) => Err(ServeError::model(
                spec.name(),
                format!("version {version} cannot be loaded: {reason}"),
            )),
        }
    }
}

/// Models from a project's registry (`<project>/.kiln/`): `resolve` is one metadata query,
/// `load` reads the artifact and checks its digests.
pub struct RegistrySource {
    // The SQLite connection is `Send` but not `Sync`; calls are short and reloads are already
    // serialised, so one lock costs nothing.
    registry: Mutex<Registry>,
}

impl std::fmt::Debug for RegistrySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrySource").finish_non_exhaustive()
    }
}

impl RegistrySource {
    /// Serves from an opened registry.
    pub fn new(registry: Registry) -> Self {
        RegistrySource {
            registry: Mutex::new(registry),
        }
    }

    /// Opens the registry of the project in `project_dir`.
    pub fn open(project_dir: &std::path::Path) -> Result<Self> {
        let registry = Registry::open(project_dir)
            .map_err(|e| ServeError::config("project", e.to_string()))?;
        Ok(Self::new(registry))
    }

    fn with_registry<T>(&self, f: impl FnOnce(&Registry) -> T) -> T {
        // A panic inside a registry call leaves no half-written state in memory (the store's
        // writes are transactions), so a poisoned lock is safe to keep using.
        let guard = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        f(&guard)
    }
}

impl ModelSource for RegistrySource {
    fn resolve(&self, spec: &ModelRef) -> Result<VersionKey> {
        let v = self
            .with_registry(|r| r.resolve(spec))
            .map_err(|e| ServeError::model(spec.to_string(), e.to_string()))?;
        Ok(VersionKey {
            version: v.version,
            digest: v.artifact_digest,
        })
    }

    fn load(&self, spec: &ModelRef) -> Result<LoadedModel> {
        let (v, artifact) = self
            .with_registry(|r| r.load(spec))
            .map_err(|e| ServeError::model(spec.to_string(), e.to_string()))?;
        let metrics = serde_json::to_value(&artifact.manifest.metrics)
            .map_err(|e| ServeError::model(spec.to_string(), e.to_string()))?;
        Ok(LoadedModel {
            name: v.name,
            key: VersionKey {
                version: v.version,
                digest: v.artifact_digest,
            },
            pipeline: Arc::new(artifact.pipeline),
            metrics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_versions_resolve_but_do_not_load() {
        let src = InMemorySource::new();
        assert_eq!(src.add_broken_version("m", "bad digest").unwrap(), 1);
        let spec = ModelRef::parse("m").unwrap();
        assert!(src.add_broken_version("bad name", "x").is_err());
        assert_eq!(src.resolve(&spec).unwrap().version, 1);
        let e = src.load(&spec).unwrap_err().to_string();
        assert!(e.contains("cannot be loaded: bad digest"), "{e}");
        let e = src.set_alias("m", "prod", 2).unwrap_err().to_string();
        assert!(e.contains("version 2 does not exist"), "{e}");
        let e = src
            .resolve(&ModelRef::parse("m@prod").unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no alias 'prod'"), "{e}");
    }
}
