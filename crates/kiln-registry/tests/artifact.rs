//! The artifact file: round trips that predict bit for bit, and one clear error per kind of
//! damage (flipped payload byte, truncation at every section, wrong magic, newer or invalid
//! version, trailing bytes, broken manifest).

mod common;

use kiln_prep::Task;
use kiln_registry::{Artifact, FORMAT_VERSION, RegistryError, TrainingSummary};

/// Where the sections of a version-1 file start: (manifest, payload length, payload).
fn offsets(bytes: &[u8]) -> (usize, usize, usize) {
    let manifest_len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes")) as usize;
    (20, 20 + manifest_len, 28 + manifest_len)
}

#[test]
fn round_trip_predicts_bit_for_bit() {
    let artifact = common::artifact("churn");
    let bytes = artifact.to_bytes().expect("encodes");
    assert_eq!(&bytes[..8], b"KILNMDL\0");
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().expect("4")), 1);
    let back = Artifact::from_bytes(&bytes).expect("decodes");
    assert_eq!(back, artifact);
    let frame = common::score_frame();
    assert_eq!(
        common::prediction_bits(&back.pipeline, &frame),
        common::prediction_bits(&artifact.pipeline, &frame)
    );
    // Encoding is deterministic: the same artifact gives the same bytes (and digest).
    assert_eq!(back.to_bytes().expect("encodes again"), bytes);
}

#[test]
fn manifest_describes_the_pipeline() {
    let artifact = common::artifact("churn");
    let m = &artifact.manifest;
    assert_eq!(m.format_version, FORMAT_VERSION);
    assert_eq!(m.kiln_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(m.model_name, "churn");
    assert_eq!(m.task, Task::Classification);
    assert_eq!(m.classes, Some(vec!["high".to_string(), "low".into()]));
    assert_eq!(m.target_column.as_deref(), Some("label"));
    assert_eq!(m.input_schema.names().collect::<Vec<_>>(), ["x", "colour"]);
    assert_eq!(m.feature_names, artifact.pipeline.prep.feature_names);
    assert_eq!(m.spec, common::spec());
    assert_eq!(m.training_rows, 90);
    assert!(m.data_fingerprint.starts_with("sha256:"));
    assert_eq!(m.metrics["test_roc_auc"], 0.875);
    assert!(m.reference_profile.is_some());
    // RFC 3339 UTC with milliseconds: 2026-11-28T01:51:25.123Z
    assert_eq!(m.created_at.len(), 24, "{}", m.created_at);
    assert!(m.created_at.ends_with('Z') && m.created_at.as_bytes()[10] == b'T');
}

#[test]
fn the_prediction_reference_round_trips_and_is_left_out_when_absent() {
    let mut artifact = common::artifact("churn");
    assert!(artifact.manifest.prediction_reference.is_none());
    let bytes = artifact.to_bytes().expect("encodes");
    let (start, end, _) = offsets(&bytes);
    let manifest = std::str::from_utf8(&bytes[start..end]).expect("utf-8");
    // Absent, the key is not written: a manifest reads as it did before the field existed.
    assert!(!manifest.contains("prediction_reference"), "{manifest}");
    artifact.manifest.prediction_reference = Some(serde_json::json!({"rows": 30}));
    let back = Artifact::from_bytes(&artifact.to_bytes().expect("encodes")).expect("decodes");
    assert_eq!(
        back.manifest.prediction_reference,
        artifact.manifest.prediction_reference
    );
}

#[test]
fn write_read_and_read_manifest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("churn.kiln");
    let artifact = common::artifact("churn");
    artifact.write(&path).expect("writes");
    assert_eq!(Artifact::read(&path).expect("reads"), artifact);
    assert_eq!(
        Artifact::read_manifest(&path).expect("reads manifest"),
        artifact.manifest
    );
}

#[test]
fn read_manifest_does_not_need_a_valid_payload() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("churn.kiln");
    let mut bytes = common::artifact("churn").to_bytes().expect("encodes");
    let (_, _, payload) = offsets(&bytes);
    bytes[payload + 3] ^= 0xff;
    std::fs::write(&path, &bytes).expect("writes");
    // The manifest alone is still readable (listings keep working) ...
    assert!(Artifact::read_manifest(&path).is_ok());
    // ... but loading the model is refused.
    let err = Artifact::read(&path).expect_err("corrupt payload");
    assert!(matches!(err, RegistryError::DigestMismatch { .. }), "{err}");
}

fn load_err(bytes: &[u8]) -> (RegistryError, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("damaged.kiln");
    std::fs::write(&path, bytes).expect("writes");
    let err = Artifact::read(&path).expect_err("damaged file");
    let msg = err.to_string();
    assert!(
        msg.contains("damaged.kiln"),
        "the error names the file: {msg}"
    );
    // The manifest reader reports the same header and length problems.
    if !matches!(
        err,
        RegistryError::DigestMismatch { .. } | RegistryError::CorruptPayload { .. }
    ) {
        let manifest_err = Artifact::read_manifest(&path).expect_err("damaged file");
        assert_eq!(
            std::mem::discriminant(&manifest_err),
            std::mem::discriminant(&err),
            "{manifest_err} vs {err}"
        );
    }
    (err, msg)
}

#[test]
fn a_flipped_payload_byte_is_a_digest_mismatch() {
    let mut bytes = common::artifact("churn").to_bytes().expect("encodes");
    let (_, _, payload) = offsets(&bytes);
    let last = bytes.len() - 1;
    for at in [payload, payload + (last - payload) / 2, last] {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x01;
        let (err, msg) = load_err(&damaged);
        assert!(
            matches!(
                err,
                RegistryError::DigestMismatch {
                    what: "payload",
                    ..
                }
            ),
            "{msg}"
        );
        assert!(msg.contains("corrupt"), "{msg}");
    }
    // A payload that hashes right but is not zstd (the digest updated by hand) is caught too.
    let (_, _, payload) = offsets(&bytes);
    let junk = vec![7u8; bytes.len() - payload];
    let digest = kiln_registry::sha256_hex(&junk);
    let mut artifact = Artifact::from_bytes(&bytes).expect("valid");
    artifact.manifest.payload_sha256 = digest.clone();
    let json = serde_json::to_vec_pretty(&artifact.manifest).expect("serialises");
    bytes.truncate(12);
    bytes.extend_from_slice(&(json.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&json);
    bytes.extend_from_slice(&(junk.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&junk);
    let (err, msg) = load_err(&bytes);
    assert!(matches!(err, RegistryError::CorruptPayload { .. }), "{msg}");
}

#[test]
fn truncation_anywhere_is_reported_with_the_section() {
    let bytes = common::artifact("churn").to_bytes().expect("encodes");
    let (manifest, payload_len, payload) = offsets(&bytes);
    for (cut, section) in [
        (0, "header"),
        (5, "header"),
        (10, "header"),
        (15, "manifest length"),
        (manifest + 10, "manifest"),
        (payload_len + 3, "payload length"),
        (payload + 1, "payload"),
        (bytes.len() - 1, "payload"),
    ] {
        let (err, msg) = load_err(&bytes[..cut]);
        match err {
            RegistryError::Truncated { section: s, .. } => assert_eq!(s, section, "cut {cut}"),
            other => panic!("cut at {cut}: expected truncation, got {other}"),
        }
        assert!(msg.contains("truncated"), "{msg}");
    }
}

#[test]
fn wrong_magic_is_not_an_artifact() {
    let mut bytes = common::artifact("churn").to_bytes().expect("encodes");
    bytes[0] = b'P';
    let (err, msg) = load_err(&bytes);
    assert!(matches!(err, RegistryError::NotAnArtifact { .. }), "{msg}");
    assert!(msg.contains("not a kiln model artifact"), "{msg}");
    // A short file that is not an artifact at all is not reported as truncated.
    let (err, _) = load_err(b"PAR1");
    assert!(matches!(err, RegistryError::NotAnArtifact { .. }), "{err}");
}

#[test]
fn a_newer_version_asks_for_an_upgrade_and_version_zero_is_invalid() {
    let mut bytes = common::artifact("churn").to_bytes().expect("encodes");
    bytes[8..12].copy_from_slice(&99u32.to_le_bytes());
    let (err, msg) = load_err(&bytes);
    assert!(
        matches!(
            err,
            RegistryError::NewerFormat {
                found: 99,
                supported: 1,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("format version 99") && msg.contains("upgrade kiln"),
        "{msg}"
    );
    bytes[8..12].copy_from_slice(&0u32.to_le_bytes());
    let (err, msg) = load_err(&bytes);
    assert!(
        matches!(err, RegistryError::InvalidFormatVersion { found: 0, .. }),
        "{msg}"
    );
}

#[test]
fn trailing_bytes_and_a_broken_manifest_are_corruption() {
    let bytes = common::artifact("churn").to_bytes().expect("encodes");
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"extra");
    let (err, msg) = load_err(&longer);
    assert!(
        matches!(err, RegistryError::TrailingBytes { extra: 5, .. }),
        "{msg}"
    );

    let (manifest, _, _) = offsets(&bytes);
    let mut broken = bytes.clone();
    assert_eq!(broken[manifest], b'{');
    broken[manifest] = b'[';
    let (err, msg) = load_err(&broken);
    assert!(
        matches!(err, RegistryError::CorruptManifest { .. }),
        "{msg}"
    );
    assert!(msg.contains("manifest is not valid"), "{msg}");

    // A manifest whose version disagrees with the header.
    let mut artifact = Artifact::from_bytes(&bytes).expect("valid");
    artifact.manifest.format_version = 2;
    let json = serde_json::to_vec(&artifact.manifest).expect("serialises");
    let (_, payload_len, _) = offsets(&bytes);
    let mut mismatched = bytes[..12].to_vec();
    mismatched.extend_from_slice(&(json.len() as u64).to_le_bytes());
    mismatched.extend_from_slice(&json);
    mismatched.extend_from_slice(&bytes[payload_len..]);
    let (err, msg) = load_err(&mismatched);
    assert!(
        matches!(err, RegistryError::CorruptManifest { .. }),
        "{msg}"
    );
    assert!(msg.contains("header says 1"), "{msg}");
}

#[test]
fn in_memory_errors_name_the_bytes() {
    let msg = Artifact::from_bytes(b"").expect_err("empty").to_string();
    assert!(
        msg.contains("artifact bytes") && msg.contains("truncated"),
        "{msg}"
    );
}

#[test]
fn refuses_unstorable_metrics_and_names() {
    let training = |metric: f64| TrainingSummary {
        metrics: [("roc_auc".to_string(), metric)].into(),
        ..Default::default()
    };
    for bad in [f64::NAN, f64::INFINITY] {
        let msg = Artifact::new("churn", common::spec(), common::fitted(), training(bad))
            .expect_err("non-finite metric")
            .to_string();
        assert!(
            msg.contains("metric `roc_auc`") && msg.contains("finite"),
            "{msg}"
        );
    }
    let msg = Artifact::new("my model", common::spec(), common::fitted(), training(0.5))
        .expect_err("bad name")
        .to_string();
    assert!(msg.contains("invalid model name `my model`"), "{msg}");
    // A metric made non-finite after construction is caught when writing.
    let mut artifact = common::artifact("churn");
    artifact.manifest.metrics.insert("r2".into(), f64::NAN);
    assert!(artifact.to_bytes().is_err());
}

#[test]
fn the_written_digest_follows_the_pipeline() {
    // Changing the pipeline after construction cannot produce a file with a stale digest.
    let mut artifact = common::artifact("churn");
    let before = artifact.to_bytes().expect("encodes");
    artifact.pipeline.input_schema = kiln_data::Schema::default();
    let after = artifact.to_bytes().expect("encodes");
    assert_ne!(before, after);
    let back = Artifact::from_bytes(&after).expect("still consistent");
    assert_eq!(back.pipeline.input_schema.len(), 0);
}
