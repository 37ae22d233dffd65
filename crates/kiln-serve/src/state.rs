//! The served set and its hot reload.
//!
//! The set of loaded models is an immutable snapshot behind `RwLock<Arc<ModelSet>>`: a request
//! clones the `Arc` of its model once, at the start, and finishes on that model even if a reload
//! swaps in a new version meanwhile. A reload builds a new snapshot (copy on write) and swaps the
//! pointer; the lock is held only for that pointer copy, never while loading.
//!
//! [`reload`] re-resolves every reference (`quickstart@production` → version 7) and loads the
//! versions that changed, off the async runtime. A version that fails to load leaves the old one
//! serving, counts a reload failure and is not retried on every poll (only when the reference
//! moves again or a reload is asked for on the admin route).

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::ServeConfig;
use crate::error::{ApiError, Result};
use crate::log::{PredictionLog, now_micros};
use crate::metrics::Metrics;
use crate::source::{LoadedModel, ModelRef, ModelSource, VersionKey};

/// A loaded model as served.
#[derive(Debug)]
pub struct ServedModel {
    /// The model and its pipeline.
    pub model: LoadedModel,
    /// The version as a metric label.
    pub version_label: String,
    /// When it was loaded, microseconds since the epoch.
    pub loaded_at: i64,
}

/// One configured reference and what it currently serves.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The reference as configured.
    pub spec_text: String,
    /// The parsed reference.
    pub spec: ModelRef,
    /// The model serving now; `None` until the first load succeeds.
    pub current: Option<Arc<ServedModel>>,
    /// The last version that failed to load, so polling does not retry it every time.
    pub failed: Option<VersionKey>,
    /// Why the last load or resolve failed, for `/v1/models`.
    pub last_error: Option<String>,
}

/// The served models by name.
#[derive(Debug, Clone, Default)]
pub struct ModelSet {
    /// Slots by served name.
    pub slots: BTreeMap<String, Slot>,
}

impl ModelSet {
    /// True when every configured model has a loaded version.
    pub fn all_loaded(&self) -> bool {
        self.slots.values().all(|s| s.current.is_some())
    }

    /// The served names.
    pub fn names(&self) -> Vec<String> {
        self.slots.keys().cloned().collect()
    }
}

/// What one handler call can see: the configuration, the source, the served set, the counters
/// and the logs.
pub struct AppState {
    /// The settings the server started with.
    pub config: ServeConfig,
    /// Where models come from.
    pub source: Arc<dyn ModelSource>,
    models: RwLock<Arc<ModelSet>>,
    /// The counters behind `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The prediction and feedback logs, when configured.
    pub log: Option<PredictionLog>,
    /// SHA-256 of the admin token; comparing digests keeps the comparison's time independent
    /// of the token's length and content.
    admin_digest: Option<[u8; 32]>,
    /// One reload at a time (the poll loop and the admin route may race).
    reload_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config.addr)
            .field("models", &self.snapshot().names())
            .finish_non_exhaustive()
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl AppState {
    /// State for a checked configuration; no model is loaded yet.
    pub fn new(
        config: ServeConfig,
        source: Arc<dyn ModelSource>,
        metrics: Arc<Metrics>,
        log: Option<PredictionLog>,
    ) -> Result<Self> {
        config.check()?;
        let slots = config
            .model_refs()?
            .into_iter()
            .map(|(spec_text, spec)| {
                (
                    spec.name().to_string(),
                    Slot {
                        spec_text,
                        spec,
                        current: None,
                        failed: None,
                        last_error: None,
                    },
                )
            })
            .collect();
        let admin_digest = config
            .admin_token
            .as_deref()
            .map(|t| sha256(t.trim().as_bytes()));
        Ok(AppState {
            config,
            source,
            models: RwLock::new(Arc::new(ModelSet { slots })),
            metrics,
            log,
            admin_digest,
            reload_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The served set now.
    pub fn snapshot(&self) -> Arc<ModelSet> {
        // The guarded value is a single `Arc`, replaced whole: never observable half-written,
        // so a poisoned lock is still consistent.
        self.models
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn update_slot(&self, name: &str, f: impl FnOnce(&mut Slot)) {
        let mut guard = self.models.write().unwrap_or_else(PoisonError::into_inner);
        let mut set = ModelSet::clone(&guard);
        if let Some(slot) = set.slots.get_mut(name) {
            f(slot);
        }
        *guard = Arc::new(set);
    }

    /// The model serving `name`: 404 when no such model is configured, 503 before it loads.
    pub fn model(&self, name: &str) -> Result<Arc<ServedModel>, ApiError> {
        let set = self.snapshot();
        match set.slots.get(name) {
            None => Err(ApiError::unknown_model(name, &set.names())),
            Some(Slot { current: None, .. }) => Err(ApiError::not_ready(name)),
            Some(Slot {
                current: Some(m), ..
            }) => Ok(m.clone()),
        }
    }

    /// True when admin routes exist (a token is configured).
    pub fn admin_enabled(&self) -> bool {
        self.admin_digest.is_some()
    }

    /// Whether `token` is the admin token, compared in constant time.
    pub fn admin_token_matches(&self, token: &str) -> bool {
        let Some(expected) = &self.admin_digest else {
            return false;
        };
        let given = sha256(token.as_bytes());
        expected
            .iter()
            .zip(given.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// What a reload did for one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReloadOutcome {
    /// The served name.
    pub model: String,
    /// The reference.
    pub spec: String,
    /// The version serving before.
    pub from: Option<u32>,
    /// The version serving after.
    pub to: Option<u32>,
    /// `unchanged`, `loaded`, `failed` or `skipped` (a version that already failed).
    pub status: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Re-resolves every reference and loads the versions that moved. `retry_failed` also retries
/// a version that failed before (the admin route); polling leaves those alone.
pub async fn reload(state: &Arc<AppState>, retry_failed: bool) -> Vec<ReloadOutcome> {
    let _one_at_a_time = state.reload_lock.lock().await;
    let slots: Vec<(String, Slot)> = state
        .snapshot()
        .slots
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut outcomes = Vec::with_capacity(slots.len());
    for (name, slot) in slots {
        outcomes.push(reload_one(state, &name, slot, retry_failed).await);
    }
    outcomes
}

async fn reload_one(
    state: &Arc<AppState>,
    name: &str,
    slot: Slot,
    retry_failed: bool,
) -> ReloadOutcome {
    let from = slot.current.as_ref().map(|m| m.model.key.version);
    let mut outcome = ReloadOutcome {
        model: name.to_string(),
        spec: slot.spec_text.clone(),
        from,
        to: from,
        status: "unchanged",
        error: None,
    };
    let fail = |outcome: &mut ReloadOutcome, key: Option<VersionKey>, message: String| {
        tracing::warn!(model = name, spec = %slot.spec_text, error = %message, "model not reloaded; the current version keeps serving");
        state.metrics.reload_failure(name);
        state.update_slot(name, |s| {
            if key.is_some() {
                s.failed = key;
            }
            s.last_error = Some(message.clone());
        });
        outcome.status = "failed";
        outcome.error = Some(message);
    };
    // Registry look-ups and artifact reads are blocking I/O: keep them off the runtime.
    let source = state.source.clone();
    let spec = slot.spec.clone();
    let resolved = tokio::task::spawn_blocking(move || source.resolve(&spec)).await;
    let key = match resolved {
        Ok(Ok(key)) => key,
        Ok(Err(e)) => {
            fail(&mut outcome, None, e.to_string());
            return outcome;
        }
        Err(e) => {
            fail(&mut outcome, None, format!("resolving panicked: {e}"));
            return outcome;
        }
    };
    if slot.current.as_ref().is_some_and(|m| m.model.key == key) {
        return outcome;
    }
    if !retry_failed && slot.failed.as_ref() == Some(&key) {
        outcome.status = "skipped";
        outcome.error = slot.last_error.clone();
        return outcome;
    }
    let source = state.source.clone();
    let spec = slot.spec.clone();
    let loaded = tokio::task::spawn_blocking(move || source.load(&spec)).await;
    match loaded {
        Ok(Ok(model)) => {
            let version = model.key.version;
            let served = Arc::new(ServedModel {
                version_label: version.to_string(),
                model,
                loaded_at: now_micros(),
            });
            state.update_slot(name, |s| {
                s.current = Some(served);
                s.failed = None;
                s.last_error = None;
            });
            if from.is_some() {
                state.metrics.reload(name);
            }
            tracing::info!(model = name, spec = %slot.spec_text, from = ?from, to = version, "model loaded");
            outcome.to = Some(version);
            outcome.status = "loaded";
        }
        Ok(Err(e)) => fail(&mut outcome, Some(key), e.to_string()),
        Err(e) => fail(&mut outcome, Some(key), format!("loading panicked: {e}")),
    }
    outcome
}
