//! Dataset fingerprints for lineage: a SHA-256 over the schema and every cell's logical value.
//!
//! Hashing logical values (not Arrow buffers) makes the fingerprint independent of how the data
//! was read: the same table from CSV or Parquet, sliced or not, gets the same digest.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::frame::Frame;

/// What identifies a dataset version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// `sha256:` + hex digest of schema and content.
    pub digest: String,
    /// Rows.
    pub n_rows: usize,
    /// Columns.
    pub n_cols: usize,
}

/// Computes the fingerprint of a frame (columns hashed in parallel).
pub fn fingerprint(frame: &Frame) -> Fingerprint {
    let column_digests: Vec<[u8; 32]> = (0..frame.n_cols())
        .into_par_iter()
        .map(|c| {
            let mut h = Sha256::new();
            let (field, _) = frame.column_at(c);
            h.update(field.name.as_bytes());
            h.update([0]);
            h.update(field.column_type.name().as_bytes());
            h.update(field.role.name().as_bytes());
            for row in 0..frame.n_rows() {
                match frame.cell_text(row, c) {
                    // A length prefix keeps "ab","c" apart from "a","bc".
                    Some(t) => {
                        h.update((t.len() as u64).to_le_bytes());
                        h.update(t.as_bytes());
                    }
                    None => h.update(u64::MAX.to_le_bytes()),
                }
            }
            h.finalize().into()
        })
        .collect();
    let mut h = Sha256::new();
    h.update((frame.n_rows() as u64).to_le_bytes());
    for d in &column_digests {
        h.update(d);
    }
    let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Fingerprint {
        digest: format!("sha256:{digest}"),
        n_rows: frame.n_rows(),
        n_cols: frame.n_cols(),
    }
}
