//! Dataset fingerprints for lineage: a SHA-256 over the schema and every cell's logical value.
//!
//! Hashing logical values (not Arrow buffers) makes the fingerprint independent of how the data
//! was read: the same table from CSV or Parquet, sliced or not, gets the same digest.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};

use crate::frame::Frame;
use crate::schema::ColumnType;

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
            let (field, array) = frame.column_at(c);
            let mut h = BufferedHash::default();
            h.put(field.name.as_bytes());
            h.put(&[0]);
            h.put(field.column_type.name().as_bytes());
            h.put(field.role.name().as_bytes());
            hash_values(&mut h, field.column_type, array.as_ref());
            h.finish()
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

/// Feeds each cell as a presence byte plus its value bytes (strings length-prefixed, so
/// "ab","c" differs from "a","bc"); categorical cells are hashed by their category text, so the
/// dictionary layout does not matter.
fn hash_values(h: &mut BufferedHash, column_type: ColumnType, array: &dyn Array) {
    let n = array.len();
    let put_str = |h: &mut BufferedHash, s: &str| {
        h.put(&(s.len() as u64).to_le_bytes());
        h.put(s.as_bytes());
    };
    for i in 0..n {
        if array.is_null(i) {
            h.put(&[0]);
            continue;
        }
        h.put(&[1]);
        match column_type {
            ColumnType::Numeric => h.put(
                &array
                    .as_primitive::<Float64Type>()
                    .value(i)
                    .to_bits()
                    .to_le_bytes(),
            ),
            ColumnType::Integer => h.put(&array.as_primitive::<Int64Type>().value(i).to_le_bytes()),
            ColumnType::Datetime => h.put(
                &array
                    .as_primitive::<TimestampMicrosecondType>()
                    .value(i)
                    .to_le_bytes(),
            ),
            ColumnType::Boolean => h.put(&[array.as_boolean().value(i) as u8]),
            ColumnType::Text => put_str(h, array.as_string::<i32>().value(i)),
            ColumnType::Categorical => {
                let d = array.as_dictionary::<Int32Type>();
                let key = d.keys().value(i) as usize;
                put_str(h, d.values().as_string::<i32>().value(key));
            }
        }
    }
}

/// SHA-256 fed through a 64 KiB buffer: hashing millions of tiny cells one `update` at a time
/// costs more than the hashing itself.
#[derive(Default)]
struct BufferedHash {
    hasher: Sha256,
    buffer: Vec<u8>,
}

impl BufferedHash {
    fn put(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= 1 << 16 {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
        }
    }

    fn finish(mut self) -> [u8; 32] {
        self.hasher.update(&self.buffer);
        self.hasher.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_same_digest_regardless_of_source_layout() {
        let csv =
            crate::csv::read_csv_bytes(b"a,b\n1,x\n2,y\n3,x\n4,x\n", "t", &Default::default())
                .unwrap();
        let sliced = crate::Frame::concat(&[csv.slice(0, 2), csv.slice(2, 2)]).unwrap();
        assert_eq!(fingerprint(&csv), fingerprint(&sliced));
        let other =
            crate::csv::read_csv_bytes(b"a,b\n1,x\n2,y\n3,x\n5,x\n", "t", &Default::default())
                .unwrap();
        assert_ne!(fingerprint(&csv).digest, fingerprint(&other).digest);
    }
}
