//! Content-addressed artifact files: `<dir>/<sha256 of the file bytes>.kiln`.
//!
//! Naming a file by the hash of its bytes makes storing idempotent (the same model registered
//! twice is one file), makes a corrupted file detectable on every read, and lets several model
//! versions share one file. The metadata store holds the digests; this module only moves bytes.
//! An object-store backend for teams would offer the same four operations.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::atomic_write::write_atomic;
use crate::error::{RegistryError, Result};

/// Lower-case hex SHA-256 of `bytes`: the one digest format of the registry.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A folder of artifact files named by their SHA-256.
#[derive(Debug, Clone)]
pub struct ArtifactStore {
    dir: PathBuf,
}

/// The result of [`ArtifactStore::put`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredArtifact {
    /// Lower-case hex SHA-256 of the bytes: the file's name.
    pub digest: String,
    /// False when a file with these bytes was already there (nothing was written).
    pub created: bool,
}

impl ArtifactStore {
    /// A store in `dir`; the folder is created on first write.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ArtifactStore { dir: dir.into() }
    }

    /// The folder holding the files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file with `digest` lives (whether or not it exists).
    pub fn path(&self, digest: &str) -> Result<PathBuf> {
        check_digest(digest)?;
        Ok(self.dir.join(format!("{digest}.kiln")))
    }

    /// True when a file with `digest` exists.
    pub fn contains(&self, digest: &str) -> Result<bool> {
        Ok(self.path(digest)?.is_file())
    }

    /// Stores `bytes` atomically under their digest. Storing bytes that are already there is a
    /// no-op; a file of that name whose content does not match (damaged on disk) is replaced.
    pub fn put(&self, bytes: &[u8]) -> Result<StoredArtifact> {
        let digest = sha256_hex(bytes);
        let path = self.path(&digest)?;
        if let Ok(existing) = fs::read(&path)
            && sha256_hex(&existing) == digest
        {
            return Ok(StoredArtifact {
                digest,
                created: false,
            });
        }
        fs::create_dir_all(&self.dir).map_err(|source| RegistryError::Io {
            action: "create folder",
            path: self.dir.clone(),
            source,
        })?;
        write_atomic(&path, bytes)?;
        Ok(StoredArtifact {
            digest,
            created: true,
        })
    }

    /// Reads the file with `digest` and checks that its bytes still hash to it.
    pub fn get(&self, digest: &str) -> Result<Vec<u8>> {
        let path = self.path(digest)?;
        let bytes = fs::read(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                RegistryError::MissingArtifact {
                    digest: digest.to_string(),
                    path: path.clone(),
                }
            } else {
                RegistryError::Io {
                    action: "read",
                    path: path.clone(),
                    source,
                }
            }
        })?;
        let actual = sha256_hex(&bytes);
        if actual != digest {
            return Err(RegistryError::DigestMismatch {
                origin: path.display().to_string(),
                what: "artifact file",
                expected: digest.to_string(),
                actual,
            });
        }
        Ok(bytes)
    }

    /// Removes the file with `digest`; a file that is already gone is not an error.
    pub fn remove(&self, digest: &str) -> Result<()> {
        let path = self.path(digest)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(RegistryError::Io {
                action: "remove",
                path,
                source,
            }),
        }
    }
}

/// A digest becomes a file name, so anything but 64 lower-case hex characters is refused
/// (no path separators, no `..`).
fn check_digest(digest: &str) -> Result<()> {
    if digest.len() == 64
        && digest
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(RegistryError::InvalidDigest(digest.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        // The FIPS 180-2 test vector for "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn put_is_idempotent_and_get_checks_the_digest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ArtifactStore::new(dir.path().join("artifacts"));
        let first = store.put(b"model bytes").expect("stores");
        assert!(first.created);
        let again = store.put(b"model bytes").expect("stores again");
        assert_eq!(again.digest, first.digest);
        assert!(!again.created, "identical bytes are not written twice");
        assert_eq!(store.get(&first.digest).expect("reads"), b"model bytes");
        assert_eq!(fs::read_dir(store.dir()).expect("lists").count(), 1);

        // Damage the file on disk: reading says so, and storing the bytes again repairs it.
        let path = store.path(&first.digest).expect("valid digest");
        fs::write(&path, b"model bytez").expect("damages");
        let msg = store.get(&first.digest).expect_err("corrupt").to_string();
        assert!(
            msg.contains("artifact file") && msg.contains("corrupt"),
            "{msg}"
        );
        assert!(store.put(b"model bytes").expect("repairs").created);
        assert_eq!(store.get(&first.digest).expect("reads"), b"model bytes");

        store.remove(&first.digest).expect("removes");
        store.remove(&first.digest).expect("removing twice is fine");
        let err = store.get(&first.digest).expect_err("gone");
        assert!(
            matches!(err, RegistryError::MissingArtifact { .. }),
            "{err}"
        );
    }

    #[test]
    fn refuses_digests_that_are_not_plain_hex() {
        let store = ArtifactStore::new("unused");
        for bad in ["", "../../etc/passwd", &"A".repeat(64), &"a".repeat(63)] {
            let err = store.path(bad).expect_err("invalid");
            assert!(
                matches!(err, RegistryError::InvalidDigest(_)),
                "{bad}: {err}"
            );
        }
    }
}
