//! The compiled index behind [`super::PolicyEngine`]: policies keyed by the resource path they
//! name (so an asset looks up only its own path prefixes), by glossary, and by tag; plus per-user
//! membership bit sets, so a decision touches only the policies that can apply.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher (the `FxHash` of rustc). Keys are names from the
/// user's own config, so flooding resistance buys nothing here and SipHash would cost a third
/// of a decision.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (slot, byte) in word.iter_mut().zip(rest) {
                *slot = *byte;
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weakest; hash tables index by them (as rustc-hash 2).
        self.hash.rotate_left(26)
    }
}

/// The Fx hash of one path segment.
fn segment_hash(segment: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(segment.as_bytes());
    hasher.hash
}

/// Folds the next segment's hash into a prefix hash.
fn extend_path_hash(prefix: u64, segment: &str) -> u64 {
    (prefix.rotate_left(5) ^ segment_hash(segment)).wrapping_mul(SEED)
}

/// The path hash of a whole path (the same value the prefix walk reaches at its end).
pub fn path_hash(path: &str) -> u64 {
    path.split('/').fold(0, extend_path_hash)
}

/// A hasher for keys that already are well-mixed 64-bit hashes: a final avalanche only.
#[derive(Debug, Default, Clone, Copy)]
pub struct PrehashedHasher {
    hash: u64,
}

impl Hasher for PrehashedHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.hash = (self.hash.rotate_left(8) ^ u64::from(*byte)).wrapping_mul(SEED);
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.hash = i;
    }

    fn finish(&self) -> u64 {
        // murmur3's fmix64.
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// One policy as the index holds it: which policy and whose (persona or purpose index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Global policy id: its position in config order (personas, then purposes).
    pub policy: u32,
    /// Index of the owning persona or purpose in the config.
    pub owner: u32,
}

/// Every `entity:` / `domain:` resource path of the config, each numbered once (its node);
/// the per-action indexes key persona policies by node, so an asset's covering nodes are found
/// once per asset, whatever the action (and a caller that sees an asset again may keep them).
///
/// Keys are found by a hash folded segment by segment, so walking the prefixes of an asset's
/// path hashes each byte once; only prefixes with a segment count some key has are looked up,
/// and a hit is confirmed by comparing the text.
#[derive(Debug, Default, Clone)]
pub struct PathIndex {
    by_hash: HashMap<u64, PathKey, BuildHasherDefault<PrehashedHasher>>,
    /// Bit `n` is set when some key has `n` segments (`n` ≥ 63 shares bit 63).
    depths: u64,
    nodes: u32,
}

#[derive(Debug, Clone)]
struct PathKey {
    path: Box<str>,
    node: u32,
    /// Other paths with the same 64-bit hash (practically never any).
    colliding: Vec<PathKey>,
}

impl PathIndex {
    /// The node of `path`, numbering it when it is new.
    pub fn insert(&mut self, path: &str) -> u32 {
        self.depths |= depth_bit(path.split('/').count());
        let next = self.nodes;
        let node = match self.by_hash.entry(path_hash(path)) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(PathKey { path: Box::from(path), node: next, colliding: Vec::new() });
                next
            }
            std::collections::hash_map::Entry::Occupied(mut slot) => {
                let key = slot.get_mut();
                if &*key.path == path {
                    key.node
                } else if let Some(other) = key.colliding.iter().find(|k| &*k.path == path) {
                    other.node
                } else {
                    key.colliding.push(PathKey { path: Box::from(path), node: next, colliding: Vec::new() });
                    next
                }
            }
        };
        if node == next {
            self.nodes = self.nodes.saturating_add(1);
        }
        node
    }

    /// Calls `visit` with the node of every key that is `path` or one of its ancestors,
    /// shortest first.
    pub fn for_each_covering(&self, path: &str, mut visit: impl FnMut(u32)) {
        if self.depths == 0 {
            return;
        }
        let mut hash = 0u64;
        let mut end = 0usize;
        for (depth, segment) in path.split('/').enumerate() {
            hash = extend_path_hash(hash, segment);
            end += segment.len() + usize::from(depth > 0);
            if self.depths & depth_bit(depth + 1) == 0 {
                continue;
            }
            let Some(key) = self.by_hash.get(&hash) else { continue };
            let Some(prefix) = path.get(..end) else { continue };
            if &*key.path == prefix {
                visit(key.node);
            } else if let Some(other) = key.colliding.iter().find(|k| &*k.path == prefix) {
                visit(other.node);
            }
        }
    }
}

fn depth_bit(segments: usize) -> u64 {
    1u64 << segments.min(63)
}

/// Everything indexed for one action (e.g. metadata `update`): only policies that list it.
#[derive(Debug, Default, Clone)]
pub struct ActionIndex {
    /// Persona policies with resource `*`.
    pub persona_all: Vec<Entry>,
    /// Persona policies by the node ([`PathIndex`]) of an `entity:` or `domain:` path.
    pub persona_paths: FxHashMap<u32, Vec<Entry>>,
    /// Persona policies by the glossary name of a `glossary:` resource.
    pub persona_glossaries: FxHashMap<Box<str>, Vec<Entry>>,
    /// Purpose policies by tag number (see `PolicyEngine`'s tag numbering).
    pub purpose_tags: FxHashMap<u32, TagEntries>,
}

/// The purpose policies of one tag (for one action).
#[derive(Debug, Default, Clone)]
pub struct TagEntries {
    /// Policy ids of purposes for all users (no membership to check).
    pub all_users: Vec<u32>,
    /// Policies of purposes for named users and groups.
    pub members: Vec<Entry>,
}

/// Pushes the policy of every entry whose owner passes `member`, checking each owner once per
/// run (entries are stored grouped by owner).
pub fn collect_members(entries: &[Entry], ids: &mut Vec<u32>, member: impl Fn(u32) -> bool) {
    let mut owner = u32::MAX;
    let mut is_member = false;
    for entry in entries {
        if entry.owner != owner {
            owner = entry.owner;
            is_member = member(owner);
        }
        if is_member {
            ids.push(entry.policy);
        }
    }
}

/// A fixed-width bit matrix: one row of `words` 64-bit words per user.
#[derive(Debug, Default, Clone)]
pub struct BitRows {
    words: usize,
    bits: Vec<u64>,
}

impl BitRows {
    /// `rows` rows of `columns` bits, all clear.
    pub fn new(rows: usize, columns: usize) -> Self {
        let words = columns.div_ceil(64);
        BitRows { words, bits: vec![0; rows.saturating_mul(words)] }
    }

    /// Sets bit `column` of row `row` (out-of-range positions are ignored).
    pub fn set(&mut self, row: usize, column: usize) {
        if let Some(word) = self.bits.get_mut(row * self.words + column / 64) {
            *word |= 1u64 << (column % 64);
        }
    }

    /// Reads the first and last word of a row, so that its cache lines start loading before
    /// the row is needed.
    pub fn touch(&self, row: usize) {
        let first = self.bits.get(row * self.words).copied().unwrap_or_default();
        let last = self.bits.get((row * self.words + self.words).saturating_sub(1)).copied().unwrap_or_default();
        std::hint::black_box(first ^ last);
    }

    /// Whether bit `column` of row `row` is set.
    pub fn get(&self, row: usize, column: usize) -> bool {
        self.bits.get(row * self.words + column / 64).is_some_and(|word| word & (1u64 << (column % 64)) != 0)
    }
}

/// The `/` prefixes of a path, shortest first, ending with the path itself:
/// `a/b/c` → `a`, `a/b`, `a/b/c`.
pub fn path_prefixes(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').filter_map(move |(i, _)| path.get(..i)).chain(std::iter::once(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_prefixes_stop_at_slashes() {
        let prefixes: Vec<&str> = path_prefixes("a/b/c").collect();
        assert_eq!(prefixes, ["a", "a/b", "a/b/c"]);
    }

    #[test]
    fn path_index_visits_the_path_and_its_ancestors_only() {
        let mut index = PathIndex::default();
        assert_eq!(index.insert("a/b"), 0);
        assert_eq!(index.insert("a/b/c"), 1);
        assert_eq!(index.insert("a/bc"), 2);
        assert_eq!(index.insert("a/b"), 0);
        let visit = |path: &str| {
            let mut seen = Vec::new();
            index.for_each_covering(path, |node| seen.push(node));
            seen
        };
        assert_eq!(visit("a/b/c/d"), [0, 1]);
        assert_eq!(visit("a/b"), [0]);
        assert_eq!(visit("a/bc/d"), [2]);
        assert_eq!(visit("a"), Vec::<u32>::new());
        assert_eq!(visit("a/b2"), Vec::<u32>::new());
    }

    #[test]
    fn bit_rows_are_independent() {
        let mut rows = BitRows::new(3, 130);
        rows.set(1, 129);
        assert!(rows.get(1, 129));
        assert!(!rows.get(0, 129));
        assert!(!rows.get(2, 129));
        assert!(!rows.get(1, 128));
    }
}
