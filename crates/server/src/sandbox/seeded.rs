//! Deterministic pseudo-randomness: the demo data, sample rows and fault decisions are the same
//! on every run and every machine, so a failing test replays.

use sha2::{Digest, Sha256};
pub(crate) use steward_core::seeded::{unit_of, SplitMix64};

/// A stable 64-bit hash of some parts (SHA-256, first 8 bytes).
pub(crate) fn hash64(parts: &[&[u8]]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    for (slot, byte) in first.iter_mut().zip(digest.iter()) {
        *slot = *byte;
    }
    u64::from_le_bytes(first)
}

/// A guid in the catalog's format (a UUID with version 5 bits), derived from a name.
pub(crate) fn guid_for(name: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"steward-sandbox-guid\0");
    hasher.update(name.as_bytes());
    let d = hasher.finalize();
    let hex: String = d.iter().take(16).enumerate().map(|(i, b)| match i {
        6 => format!("{:02x}", (b & 0x0f) | 0x50),
        8 => format!("{:02x}", (b & 0x3f) | 0x80),
        _ => format!("{b:02x}"),
    }).collect();
    let part = |a: usize, b: usize| hex.get(a..b).unwrap_or_default().to_owned();
    format!("{}-{}-{}-{}-{}", part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32))
}

/// An id like the catalog's hashed tag and custom-metadata ids (22 base-62 characters).
pub(crate) fn hashed_id(name: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = SplitMix64::new(hash64(&[b"steward-sandbox-id", name.as_bytes()]));
    (0..22).map(|_| char::from(*rng.pick(ALPHABET).unwrap_or(&b'x'))).collect()
}

/// A generator seeded from a name: the same name gives the same values.
pub(crate) fn rng_for(name: &str) -> SplitMix64 {
    SplitMix64::new(hash64(&[name.as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_shaped_like_the_catalogs() {
        assert_eq!(guid_for("a"), guid_for("a"));
        assert_ne!(guid_for("a"), guid_for("b"));
        let g = guid_for("default/snowflake/1700000000");
        assert_eq!(g.len(), 36);
        assert_eq!(g.chars().nth(14), Some('5'));
        let id = hashed_id("PII");
        assert_eq!(id.len(), 22);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
