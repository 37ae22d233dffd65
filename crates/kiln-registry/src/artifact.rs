//! The model artifact: one file that holds a trained pipeline and everything known about it.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! b"KILNMDL\0"            8 bytes   magic
//! format version          u32       1
//! manifest length         u64
//! manifest                JSON      Manifest (readable with `head -c`, no decoding needed)
//! payload length          u64
//! payload                 zstd      JSON of the FittedModelPipeline
//! ```
//!
//! The manifest is separate from the payload so listings, the server's model page and drift
//! checks can read name, schema, metrics and the reference profile without decompressing a model
//! that may be hundreds of megabytes. The manifest records the SHA-256 of the payload bytes, so
//! a flipped bit in the model is caught before anything is decoded. The payload is JSON written
//! with `float_roundtrip`, so a reloaded model predicts bit for bit what the trained one did.
//!
//! Compatibility: a reader accepts every format version from 1 to [`FORMAT_VERSION`] and refuses
//! newer ones with an "upgrade kiln" error. Fields added to the manifest within a format version
//! must carry `#[serde(default)]`, so older files keep loading; unknown fields are ignored so a
//! file from a slightly newer kiln of the same format version still loads.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use kiln_eval::{FittedModelPipeline, ModelPipelineSpec};
use kiln_prep::Task;
use serde::{Deserialize, Serialize};

use crate::artifact_store::sha256_hex;
use crate::atomic_write::write_atomic;
use crate::error::{RegistryError, Result};
use crate::model_ref::check_name;
use crate::timestamp::now_rfc3339;

/// The first eight bytes of every artifact.
pub const MAGIC: &[u8; 8] = b"KILNMDL\0";

/// The artifact format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// zstd's own default: models are written once per training run but a large forest can be tens
/// of megabytes of JSON, and higher levels cost seconds there for a few percent of size.
const ZSTD_LEVEL: i32 = 3;

/// What an artifact says about its model, readable without decoding the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The artifact format version the file was written in.
    pub format_version: u32,
    /// The kiln release that wrote the file.
    pub kiln_version: String,
    /// When the artifact was built, RFC 3339 UTC.
    pub created_at: String,
    /// The model name it was trained under (the registry name is authoritative once registered).
    pub model_name: String,
    /// Classification or regression.
    pub task: Task,
    /// Class labels in code order, for classifiers.
    pub classes: Option<Vec<String>>,
    /// The column the model predicts.
    pub target_column: Option<String>,
    /// The raw columns (name, type, role) the pipeline reads.
    pub input_schema: kiln_data::Schema,
    /// The columns of the model matrix, after preparation.
    pub feature_names: Vec<String>,
    /// The pipeline spec as given in the configuration.
    pub spec: ModelPipelineSpec,
    /// Scores measured during training (`cv_roc_auc_mean`, `test_roc_auc`, ...).
    pub metrics: BTreeMap<String, f64>,
    /// `kiln_data::fingerprint` digest of the training data.
    pub data_fingerprint: String,
    /// Rows the final model was trained on.
    pub training_rows: u64,
    /// The drift reference profile of the training data, as built by kiln-monitor; stored as
    /// opaque JSON because kiln-monitor builds on top of this crate.
    pub reference_profile: Option<serde_json::Value>,
    /// The model's predictions on its held-out test rows, as a kiln-monitor reference profile
    /// (the reference of prediction drift in `kiln monitor predictions`); opaque JSON for the
    /// same reason as `reference_profile`. Absent in artifacts written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction_reference: Option<serde_json::Value>,
    /// Lower-case hex SHA-256 of the payload bytes as stored (compressed).
    pub payload_sha256: String,
}

/// What training knows about a model beyond the fitted pipeline itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingSummary {
    /// Scores measured during training; every value must be finite.
    pub metrics: BTreeMap<String, f64>,
    /// `kiln_data::fingerprint(&frame).digest` of the training data.
    pub data_fingerprint: String,
    /// Rows the final model was trained on.
    pub training_rows: u64,
    /// The drift reference profile, if one was built.
    pub reference_profile: Option<serde_json::Value>,
    /// The reference profile of the test-set predictions, if one was built.
    pub prediction_reference: Option<serde_json::Value>,
}

/// A trained pipeline and its manifest: the unit kiln stores, ships and serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    /// Everything known about the model.
    pub manifest: Manifest,
    /// The trained pipeline.
    pub pipeline: FittedModelPipeline,
}

impl Artifact {
    /// Builds an artifact for a freshly trained pipeline; task, classes, target, input schema and
    /// feature names are taken from the pipeline so they cannot disagree with it.
    ///
    /// Fails on an invalid model name, a non-finite or unnamed metric, or a pipeline that cannot
    /// be serialised.
    pub fn new(
        model_name: &str,
        spec: ModelPipelineSpec,
        pipeline: FittedModelPipeline,
        training: TrainingSummary,
    ) -> Result<Self> {
        check_name("model name", model_name)?;
        check_metrics(&training.metrics)?;
        let payload = encode_payload(&pipeline)?;
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            kiln_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: now_rfc3339(),
            model_name: model_name.to_string(),
            task: pipeline.task(),
            classes: pipeline.classes().map(<[String]>::to_vec),
            target_column: pipeline.target_column().map(str::to_string),
            input_schema: pipeline.input_schema.clone(),
            feature_names: pipeline.prep.feature_names.clone(),
            spec,
            metrics: training.metrics,
            data_fingerprint: training.data_fingerprint,
            training_rows: training.training_rows,
            reference_profile: training.reference_profile,
            prediction_reference: training.prediction_reference,
            payload_sha256: sha256_hex(&payload),
        };
        Ok(Artifact { manifest, pipeline })
    }

    /// The file bytes, in the current format version. The payload digest in the written
    /// manifest is recomputed from the pipeline, so it is right even if `pipeline` was changed.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        check_metrics(&self.manifest.metrics)?;
        let payload = encode_payload(&self.pipeline)?;
        let mut manifest = self.manifest.clone();
        manifest.format_version = FORMAT_VERSION;
        manifest.payload_sha256 = sha256_hex(&payload);
        let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| {
            RegistryError::InvalidArtifact(format!("the manifest cannot be serialised: {e}"))
        })?;
        let mut out = Vec::with_capacity(MAGIC.len() + 4 + 16 + manifest.len() + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(manifest.len() as u64).to_le_bytes());
        out.extend_from_slice(&manifest);
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Decodes artifact bytes, checking magic, version, lengths, payload digest and JSON.
    /// Errors name the input "artifact bytes"; [`Artifact::read`] names the file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        decode(bytes, "artifact bytes")
    }

    /// Writes the artifact to `path` atomically: readers see the old file or the new one.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, &self.to_bytes()?)
    }

    /// Reads and fully checks the artifact at `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| RegistryError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })?;
        decode(&bytes, &path.display().to_string())
    }

    /// Reads only the manifest of the artifact at `path`: the header and the declared lengths
    /// are checked, the payload is neither read nor decoded (so its digest is not verified).
    pub fn read_manifest(path: &Path) -> Result<Manifest> {
        let io = |action: &'static str| {
            move |source| RegistryError::Io {
                action,
                path: path.to_path_buf(),
                source,
            }
        };
        let file = File::open(path).map_err(io("open"))?;
        let total = file.metadata().map_err(io("read"))?.len();
        let origin = path.display().to_string();
        let mut sections = Sections {
            reader: BufReader::new(file),
            remaining: total,
            origin: &origin,
        };
        let version = sections.header()?;
        let manifest = sections.manifest(version)?;
        let payload_len = sections.u64("payload length")?;
        sections.check_length(payload_len, "payload")?;
        sections.check_end(payload_len)?;
        Ok(manifest)
    }
}

/// Decodes and checks artifact bytes; errors name `origin` (a file path or "artifact bytes").
pub(crate) fn decode(bytes: &[u8], origin: &str) -> Result<Artifact> {
    let mut sections = Sections {
        reader: bytes,
        remaining: bytes.len() as u64,
        origin,
    };
    let version = sections.header()?;
    // One arm per format version ever written; older versions keep loading.
    match version {
        1 => {
            let manifest = sections.manifest(version)?;
            let payload_len = sections.u64("payload length")?;
            let payload = sections.bytes(payload_len, "payload")?;
            sections.check_end(0)?;
            let actual = sha256_hex(&payload);
            if actual != manifest.payload_sha256 {
                return Err(RegistryError::DigestMismatch {
                    origin: origin.to_string(),
                    what: "payload",
                    expected: manifest.payload_sha256,
                    actual,
                });
            }
            let pipeline = decode_payload(&payload, origin)?;
            Ok(Artifact { manifest, pipeline })
        }
        // `header` refuses 0 and anything newer than FORMAT_VERSION.
        other => Err(RegistryError::NewerFormat {
            origin: origin.to_string(),
            found: other,
            supported: FORMAT_VERSION,
        }),
    }
}

/// Reads the sections of an artifact from a file or a slice, checking every declared length
/// against the bytes that remain before allocating for it.
struct Sections<'a, R> {
    reader: R,
    remaining: u64,
    origin: &'a str,
}

impl<R: Read> Sections<'_, R> {
    /// Magic and format version.
    fn header(&mut self) -> Result<u32> {
        let total = self.remaining;
        let start = self.bytes(total.min(MAGIC.len() as u64), "header")?;
        if start[..] != MAGIC[..start.len()] {
            return Err(RegistryError::NotAnArtifact {
                origin: self.origin.to_string(),
            });
        }
        if start.len() < MAGIC.len() || self.remaining < 4 {
            return Err(RegistryError::Truncated {
                origin: self.origin.to_string(),
                section: "header",
                needed: MAGIC.len() as u64 + 4,
                available: total,
            });
        }
        let version = self.u32("header")?;
        if version == 0 {
            return Err(RegistryError::InvalidFormatVersion {
                origin: self.origin.to_string(),
                found: version,
            });
        }
        if version > FORMAT_VERSION {
            return Err(RegistryError::NewerFormat {
                origin: self.origin.to_string(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        Ok(version)
    }

    /// Manifest length and manifest JSON, which must agree with the header's version.
    fn manifest(&mut self, version: u32) -> Result<Manifest> {
        let len = self.u64("manifest length")?;
        let json = self.bytes(len, "manifest")?;
        let manifest: Manifest =
            serde_json::from_slice(&json).map_err(|e| RegistryError::CorruptManifest {
                origin: self.origin.to_string(),
                reason: e.to_string(),
            })?;
        if manifest.format_version != version {
            return Err(RegistryError::CorruptManifest {
                origin: self.origin.to_string(),
                reason: format!(
                    "it says format version {} but the header says {version}",
                    manifest.format_version
                ),
            });
        }
        Ok(manifest)
    }

    fn check_length(&self, needed: u64, section: &'static str) -> Result<()> {
        if needed > self.remaining {
            return Err(RegistryError::Truncated {
                origin: self.origin.to_string(),
                section,
                needed,
                available: self.remaining,
            });
        }
        Ok(())
    }

    /// After the last section read, exactly `expected` bytes may remain.
    fn check_end(&self, expected: u64) -> Result<()> {
        if self.remaining > expected {
            return Err(RegistryError::TrailingBytes {
                origin: self.origin.to_string(),
                extra: self.remaining - expected,
            });
        }
        Ok(())
    }

    fn bytes(&mut self, len: u64, section: &'static str) -> Result<Vec<u8>> {
        self.check_length(len, section)?;
        // `len` is at most the bytes that remain, so the buffer is never larger than the file.
        let mut buf = vec![0; len as usize];
        self.reader
            .read_exact(&mut buf)
            .map_err(|source| RegistryError::Io {
                action: "read",
                path: self.origin.into(),
                source,
            })?;
        self.remaining -= len;
        Ok(buf)
    }

    fn u32(&mut self, section: &'static str) -> Result<u32> {
        let b = self.bytes(4, section)?;
        // Exactly four bytes were read.
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    fn u64(&mut self, section: &'static str) -> Result<u64> {
        let b = self.bytes(8, section)?;
        // Exactly eight bytes were read.
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
}

fn encode_payload(pipeline: &FittedModelPipeline) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(pipeline).map_err(|e| {
        RegistryError::InvalidArtifact(format!("the fitted pipeline cannot be serialised: {e}"))
    })?;
    zstd::bulk::compress(&json, ZSTD_LEVEL)
        .map_err(|e| RegistryError::InvalidArtifact(format!("compressing the model failed: {e}")))
}

fn decode_payload(payload: &[u8], origin: &str) -> Result<FittedModelPipeline> {
    let corrupt = |reason: String| RegistryError::CorruptPayload {
        origin: origin.to_string(),
        reason,
    };
    let json = zstd::stream::decode_all(payload).map_err(|e| corrupt(format!("zstd: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| corrupt(format!("JSON: {e}")))
}

/// Metrics are stored as JSON numbers, which cannot be NaN or infinite.
pub(crate) fn check_metrics(metrics: &BTreeMap<String, f64>) -> Result<()> {
    for (name, value) in metrics {
        if name.trim().is_empty() {
            return Err(RegistryError::InvalidValue {
                what: "metric name".into(),
                reason: "metric names must not be empty".into(),
            });
        }
        if !value.is_finite() {
            return Err(RegistryError::InvalidValue {
                what: format!("metric `{name}`"),
                reason: format!("{value} is not a finite number"),
            });
        }
    }
    Ok(())
}
