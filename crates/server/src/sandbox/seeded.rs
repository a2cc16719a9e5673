//! Deterministic pseudo-randomness: the demo data, sample rows and fault decisions are the same
//! on every run and every machine, so a failing test replays.

use sha2::{Digest, Sha256};

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
    (0..22).map(|_| char::from(*ALPHABET.get(rng.below(62) as usize).unwrap_or(&b'x'))).collect()
}

/// SplitMix64: small, fast and good enough for demo data.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A generator seeded from a name.
    pub(crate) fn from_name(name: &str) -> Self {
        Self(hash64(&[name.as_bytes()]))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        unit_of(self.next_u64())
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One item of a non-empty slice (the first when empty is impossible).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
}

/// Maps 64 random bits to `[0, 1)`.
pub(crate) fn unit_of(bits: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // 53 bits fit exactly
    let x = (bits >> 11) as f64;
    x / (1u64 << 53) as f64
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

    #[test]
    fn the_generator_replays() {
        let a: Vec<u64> = { let mut r = SplitMix64::new(7); (0..4).map(|_| r.next_u64()).collect() };
        let b: Vec<u64> = { let mut r = SplitMix64::new(7); (0..4).map(|_| r.next_u64()).collect() };
        assert_eq!(a, b);
        let mut r = SplitMix64::new(1);
        assert!((0..1000).all(|_| { let u = r.unit(); (0.0..1.0).contains(&u) }));
    }
}
