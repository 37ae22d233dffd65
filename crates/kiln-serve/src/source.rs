//! Where served models come from: the [`ModelSource`] trait, the model reference syntax and an
//! in-memory source.
//!
//! The server needs two things from a model store: a cheap `resolve` (which version does
//! `quickstart@production` name right now?) that the reload loop can call every few seconds, and
//! a `load` that reads the artifact. Keeping that behind a small trait lets the server run on
//! the registry, on an in-memory set (tests, embedding), or on anything else that can name
//! versions.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use kiln_eval::FittedModelPipeline;
use serde::Serialize;

use crate::error::{Result, ServeError};

/// What a model reference selects within a model name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// `name`: the newest version.
    Latest,
    /// `name/3`: one fixed version.
    Version(u64),
    /// `name@production`: whatever version the alias points to.
    Alias(String),
}

/// A parsed model reference: `name`, `name/3` or `name@alias`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    /// The model name; also the name the model is served under.
    pub name: String,
    /// Which version.
    pub selector: Selector,
}

impl ModelRef {
    /// Parses a reference, naming what is wrong with a bad one.
    pub fn parse(spec: &str) -> Result<ModelRef> {
        let bad = |message: String| ServeError::model(spec, message);
        let spec_trim = spec.trim();
        let (name, selector) = if let Some((name, alias)) = spec_trim.split_once('@') {
            if !valid_name(alias) {
                return Err(bad(format!(
                    "alias '{alias}' is not a name (letters, digits, '_', '-', '.')"
                )));
            }
            (name, Selector::Alias(alias.to_string()))
        } else if let Some((name, version)) = spec_trim.split_once('/') {
            let v: u64 = version.parse().ok().filter(|&v| v >= 1).ok_or_else(|| {
                bad(format!(
                    "version '{version}' is not a positive whole number"
                ))
            })?;
            (name, Selector::Version(v))
        } else {
            (spec_trim, Selector::Latest)
        };
        if !valid_name(name) {
            return Err(bad(format!(
                "model name '{name}' is not a name (letters, digits, '_', '-', '.'); expected name, name/3 or name@alias"
            )));
        }
        Ok(ModelRef {
            name: name.to_string(),
            selector,
        })
    }
}

/// Names and aliases: non-empty, at most 128 characters of `[A-Za-z0-9_.-]`, so they are safe
/// in URLs, file names and metric labels.
pub fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Identifies one stored version of a model: the reload loop swaps models when this changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionKey {
    /// The version number (1, 2, ...).
    pub version: u64,
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
    aliases: BTreeMap<String, u64>,
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

    fn push(&self, name: &str, version: StoredVersion) -> Result<u64> {
        if !valid_name(name) {
            return Err(ServeError::model(name, "not a valid model name"));
        }
        Ok(self.with_models(|m| {
            let model = m.entry(name.to_string()).or_default();
            model.versions.push(version);
            model.versions.len() as u64
        }))
    }

    /// Adds a new version of `name` and returns its number.
    pub fn add_version(
        &self,
        name: &str,
        pipeline: FittedModelPipeline,
        metrics: serde_json::Value,
    ) -> Result<u64> {
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
    pub fn add_broken_version(&self, name: &str, reason: &str) -> Result<u64> {
        self.push(name, StoredVersion::Broken(reason.to_string()))
    }

    /// Points `alias` of `name` at `version`.
    pub fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        if !valid_name(alias) {
            return Err(ServeError::model(
                name,
                format!("alias '{alias}' is not a name"),
            ));
        }
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

    fn find(&self, spec: &ModelRef) -> Result<(u64, StoredVersion)> {
        self.with_models(|m| {
            let model = m
                .get(&spec.name)
                .ok_or_else(|| ServeError::model(&spec.name, "no such model"))?;
            let version = match &spec.selector {
                Selector::Latest => model.versions.len() as u64,
                Selector::Version(v) => *v,
                Selector::Alias(a) => *model
                    .aliases
                    .get(a)
                    .ok_or_else(|| ServeError::model(&spec.name, format!("no alias '{a}'")))?,
            };
            let stored = version
                .checked_sub(1)
                .and_then(|i| model.versions.get(i as usize))
                .ok_or_else(|| {
                    ServeError::model(&spec.name, format!("version {version} does not exist"))
                })?;
            Ok((version, stored.clone()))
        })
    }
}

/// A digest for an in-memory version: the version number and the pipeline's address never
/// repeat together within one process.
fn memory_digest(version: u64, stored: &StoredVersion) -> String {
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
                name: spec.name.clone(),
                key: VersionKey { version, digest },
                pipeline,
                metrics,
            }),
            StoredVersion::Broken(reason) => Err(ServeError::model(
                &spec.name,
                format!("version {version} cannot be loaded: {reason}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_reference_forms_and_rejects_bad_ones() {
        let s = ModelRef::parse("quickstart@production").unwrap();
        assert_eq!(s.name, "quickstart");
        assert_eq!(s.selector, Selector::Alias("production".into()));
        assert_eq!(
            ModelRef::parse("churn/3").unwrap().selector,
            Selector::Version(3)
        );
        assert_eq!(ModelRef::parse("churn").unwrap().selector, Selector::Latest);
        for bad in ["", "churn/0", "churn/x", "a b", "churn@", "@prod", "x/1/2"] {
            let e = ModelRef::parse(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("model '{bad}'")), "{bad}: {e}");
        }
    }

    #[test]
    fn broken_versions_resolve_but_do_not_load() {
        let src = InMemorySource::new();
        assert_eq!(src.add_broken_version("m", "bad digest").unwrap(), 1);
        let spec = ModelRef::parse("m").unwrap();
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
