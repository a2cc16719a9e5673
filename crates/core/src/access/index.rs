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

/// The path hash of a whole path: the hash [`prefixes`] gives for its last prefix.
pub fn path_hash(path: &str) -> u64 {
    prefixes(path).last().map_or(0, |(_, hash, _)| hash)
}

/// The Fx hash of a whole name (users).
pub fn name_hash(name: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(name.as_bytes());
    hasher.hash
}

/// Spreads a folded hash over all 64 bits (murmur3's `fmix64`): the table indexes by the low
/// bits, which a multiply leaves weakest.
fn mix(hash: u64) -> u64 {
    let mut h = hash;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
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

/// Names numbered in the order they were first inserted. The text of every name is kept in one
/// buffer and the hash table holds only numbers, so a lookup reads a few small, contiguous
/// blocks of memory instead of a table of pointers to one allocation per name. The caller
/// supplies each name's hash (so paths can be hashed prefix by prefix); a hit is always
/// confirmed by comparing the text.
#[derive(Debug, Default, Clone)]
pub struct NameTable {
    text: String,
    /// Each name's hash (by number), for growing the table.
    hashes: Vec<u64>,
    by_hash: hashbrown::HashTable<Slot>,
}

/// A name as the hash table holds it: where its text is, so a lookup reads the slot and the
/// text and nothing else, and its number.
#[derive(Debug, Clone, Copy)]
struct Slot {
    start: u32,
    end: u32,
    number: u32,
}

impl NameTable {
    /// How many names are numbered.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether no name is numbered.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The number of `name` (whose hash is `hash`), if it has one.
    pub fn get(&self, hash: u64, name: &str) -> Option<u32> {
        let text = self.text.as_bytes();
        self.by_hash
            .find(mix(hash), |slot| text.get(slot.start as usize..slot.end as usize) == Some(name.as_bytes()))
            .map(|slot| slot.number)
    }

    /// The number of `name` (whose hash is `hash`), numbering it when it is new. `None` when the
    /// table is full (more than `u32::MAX` bytes or names), which no config reaches.
    pub fn insert(&mut self, hash: u64, name: &str) -> Option<u32> {
        if let Some(n) = self.get(hash, name) {
            return Some(n);
        }
        let number = u32::try_from(self.hashes.len()).ok()?;
        let start = u32::try_from(self.text.len()).ok()?;
        let end = u32::try_from(self.text.len().checked_add(name.len())?).ok()?;
        self.text.push_str(name);
        self.hashes.push(mix(hash));
        let hashes = &self.hashes;
        let slot = Slot { start, end, number };
        self.by_hash.insert_unique(mix(hash), slot, |s| hashes.get(s.number as usize).copied().unwrap_or_default());
        Some(number)
    }
}

/// Every `entity:` / `domain:` resource path of the config, each numbered once (its node);
/// persona policies are indexed by node, so an asset's covering nodes are found once per asset,
/// whatever the action (and a caller that sees an asset again may keep them).
///
/// Keys are found by a hash folded segment by segment, so walking the prefixes of an asset's
/// path hashes each byte once; only prefixes with a segment count some key has are looked up,
/// and a hit is confirmed by comparing the text.
#[derive(Debug, Default, Clone)]
pub struct PathIndex {
    paths: NameTable,
    /// Bit `n` is set when some key has `n` segments (`n` ≥ 63 shares bit 63).
    depths: u64,
}

impl PathIndex {
    /// The node of `path`, numbering it when it is new (`None` only past `u32::MAX` paths).
    pub fn insert(&mut self, path: &str) -> Option<u32> {
        let (segments, hash, _) = prefixes(path).last()?;
        self.depths |= depth_bit(segments);
        self.paths.insert(hash, path)
    }

    /// How many nodes are numbered.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether no path is numbered.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether some key has `segments` segments.
    pub fn has_depth(&self, segments: usize) -> bool {
        self.depths & depth_bit(segments) != 0
    }

    /// The node of the prefix `prefix` of `segments` segments whose hash is `hash` (as
    /// [`prefixes`] gives them), if it is a key.
    pub fn node(&self, segments: usize, hash: u64, prefix: &str) -> Option<u32> {
        if self.has_depth(segments) {
            self.paths.get(hash, prefix)
        } else {
            None
        }
    }
}

/// The `/` prefixes of `path`, shortest first, ending with `path` itself, each with its number
/// of segments and its path hash: `a/b` → `(1, …, "a")`, `(2, …, "a/b")`. One pass over the
/// bytes hashes them all. The hash is cheap and weak on purpose (a rotate and xor per byte, a
/// multiply per segment): tables spread it with [`NameTable`]'s finaliser and confirm every hit
/// by comparing the text.
pub fn prefixes(path: &str) -> Prefixes<'_> {
    Prefixes { path, start: 0, segments: 0, hash: 0 }
}

/// Iterator of [`prefixes`].
#[derive(Debug, Clone)]
pub struct Prefixes<'a> {
    path: &'a str,
    /// Where the next segment starts (past the end when done).
    start: usize,
    segments: usize,
    hash: u64,
}

impl<'a> Iterator for Prefixes<'a> {
    type Item = (usize, u64, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.path.as_bytes().get(self.start..)?;
        // Segments are short: a plain loop beats `memchr`'s set-up.
        let mut hash = if self.segments == 0 { 0 } else { self.hash.wrapping_mul(SEED) };
        let mut end = self.start;
        for byte in rest.iter().take_while(|b| **b != b'/') {
            hash = hash.rotate_left(5) ^ u64::from(*byte);
            end += 1;
        }
        self.hash = hash;
        self.segments += 1;
        self.start = end + 1;
        Some((self.segments, hash, self.path.get(..end)?))
    }
}

fn depth_bit(segments: usize) -> u64 {
    1u64 << segments.min(63)
}

/// A set of actions policies can list, one bit per action slot (see the engine's
/// `action_slot`).
pub type ActionSet = u32;

/// Persona policies by resource-path node ([`PathIndex`]) and action slot: one run of entries
/// per node and action that some policy lists there, in policy order. A node keeps the set of
/// slots it has runs for, so finding a run is a bit count, not a search.
#[derive(Debug, Default, Clone)]
pub struct PathPolicies {
    /// Per node: the slots with a run, and the position in `starts` of its first run.
    nodes: Vec<(ActionSet, u32)>,
    /// Run `r` is `entries[starts[r]..starts[r + 1]]`; runs are in node, then slot order.
    starts: Vec<u32>,
    entries: Vec<Entry>,
}

impl PathPolicies {
    /// Builds the runs from `(node, slot, entry)` triples in any order, for nodes `0..nodes`;
    /// a policy naming a path twice is kept once.
    pub fn new(nodes: usize, mut triples: Vec<(u32, u8, Entry)>) -> Self {
        triples.sort_unstable_by_key(|(node, slot, entry)| (*node, *slot, entry.policy));
        triples.dedup_by_key(|(node, slot, entry)| (*node, *slot, entry.policy));
        let mut policies = PathPolicies { nodes: vec![(0, 0); nodes], starts: Vec::new(), entries: Vec::new() };
        let mut current: Option<(u32, u8)> = None;
        for (node, slot, entry) in triples {
            if current != Some((node, slot)) {
                current = Some((node, slot));
                let run = u32::try_from(policies.starts.len()).unwrap_or(u32::MAX);
                if let Some((slots, first)) = policies.nodes.get_mut(node as usize) {
                    if *slots == 0 {
                        *first = run;
                    }
                    *slots |= 1 << slot;
                }
                policies.starts.push(u32::try_from(policies.entries.len()).unwrap_or(u32::MAX));
            }
            policies.entries.push(entry);
        }
        policies.starts.push(u32::try_from(policies.entries.len()).unwrap_or(u32::MAX));
        policies
    }

    /// The entries of node `node` for action slot `slot`, in policy order.
    pub fn of(&self, node: u32, slot: usize) -> &[Entry] {
        let Some((slots, first)) = self.nodes.get(node as usize) else { return &[] };
        let Some(bit) = u32::try_from(slot).ok().and_then(|slot| ActionSet::checked_shl(1, slot)) else { return &[] };
        if slots & bit == 0 {
            return &[];
        }
        let run = *first as usize + (slots & (bit - 1)).count_ones() as usize;
        match (self.starts.get(run), self.starts.get(run + 1)) {
            (Some(start), Some(end)) => self.entries.get(*start as usize..*end as usize).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// Everything else indexed for one action (e.g. metadata `update`): only policies that list it.
#[derive(Debug, Default, Clone)]
pub struct ActionIndex {
    /// Persona policies with resource `*`.
    pub persona_all: OwnerRuns,
    /// Persona policies by the glossary name of a `glossary:` resource.
    pub persona_glossaries: FxHashMap<Box<str>, OwnerRuns>,
    /// Purpose policies by tag number (see `PolicyEngine`'s tag numbering).
    pub purpose_tags: Vec<TagEntries>,
}

/// The purpose policies of one tag (for one action).
#[derive(Debug, Default, Clone)]
pub struct TagEntries {
    /// Policy ids of purposes for all users (no membership to check).
    pub all_users: Vec<u32>,
    /// Policies of purposes for named users and groups.
    pub members: OwnerRuns,
}

/// Policy ids grouped by owner (persona or purpose), in the order they were pushed: each
/// owner's membership is checked once per run, then its policies are copied whole.
#[derive(Debug, Default, Clone)]
pub struct OwnerRuns {
    /// `(owner, end)`: the run's policies end at `end` in `ids`, starting where the previous
    /// run ends.
    runs: Vec<(u32, u32)>,
    ids: Vec<u32>,
}

impl OwnerRuns {
    /// Adds a policy after the ones already pushed.
    pub fn push(&mut self, entry: Entry) {
        self.ids.push(entry.policy);
        let end = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        match self.runs.last_mut() {
            Some((owner, last)) if *owner == entry.owner => *last = end,
            _ => self.runs.push((entry.owner, end)),
        }
    }

    /// Whether no policy was pushed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Appends to `out` the policies of every owner that passes `member`, in push order.
    pub fn collect(&self, out: &mut Vec<u32>, member: impl Fn(u32) -> bool) {
        let mut start = 0usize;
        for (owner, end) in &self.runs {
            let end = *end as usize;
            if member(*owner) {
                out.extend_from_slice(self.ids.get(start..end).unwrap_or_default());
            }
            start = end;
        }
    }
}

/// Pushes the policy of every entry whose owner passes `member`, checking each owner once per
/// run of its entries (entries are in policy order, so grouped by owner).
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

/// 1,024 bits on a 128-byte boundary: two cache lines that the hardware fetches together.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(128))]
struct Block([u64; 16]);

const BLOCK_BITS: usize = 1024;

/// A fixed-width bit matrix: one row per user, each row starting on a 128-byte boundary so a
/// row of up to 1,024 columns costs one memory fetch.
#[derive(Debug, Default, Clone)]
pub struct BitRows {
    blocks_per_row: usize,
    blocks: Vec<Block>,
}

impl BitRows {
    /// `rows` rows of `columns` bits, all clear.
    pub fn new(rows: usize, columns: usize) -> Self {
        let blocks_per_row = columns.div_ceil(BLOCK_BITS).max(1);
        BitRows { blocks_per_row, blocks: vec![Block([0; 16]); rows.saturating_mul(blocks_per_row)] }
    }

    fn word(&self, row: usize, column: usize) -> Option<&u64> {
        let block = self.blocks.get(row * self.blocks_per_row + column / BLOCK_BITS)?;
        block.0.get((column % BLOCK_BITS) / 64)
    }

    /// Sets bit `column` of row `row` (out-of-range positions are ignored).
    pub fn set(&mut self, row: usize, column: usize) {
        let index = row * self.blocks_per_row + column / BLOCK_BITS;
        if let Some(word) = self.blocks.get_mut(index).and_then(|block| block.0.get_mut((column % BLOCK_BITS) / 64)) {
            *word |= 1u64 << (column % 64);
        }
    }

    /// Reads the first and last word of a row, so that its memory starts loading before the
    /// row is needed.
    pub fn touch(&self, row: usize) {
        let last = (self.blocks_per_row * BLOCK_BITS).saturating_sub(1);
        std::hint::black_box((self.word(row, 0).copied(), self.word(row, last).copied()));
    }

    /// Whether bit `column` of row `row` is set.
    pub fn get(&self, row: usize, column: usize) -> bool {
        self.word(row, column).is_some_and(|word| word & (1u64 << (column % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_stop_at_slashes_and_hash_like_whole_paths() {
        let seen: Vec<(usize, u64, &str)> = prefixes("a/bc/d").collect();
        let expected: Vec<(usize, u64, &str)> =
            [(1, "a"), (2, "a/bc"), (3, "a/bc/d")].into_iter().map(|(n, p)| (n, path_hash(p), p)).collect();
        assert_eq!(seen, expected);
        assert_eq!(prefixes("").map(|(n, _, p)| (n, p)).collect::<Vec<_>>(), [(1, "")]);
    }

    #[test]
    fn path_index_visits_the_path_and_its_ancestors_only() {
        let mut index = PathIndex::default();
        assert_eq!(index.insert("a/b"), Some(0));
        assert_eq!(index.insert("a/b/c"), Some(1));
        assert_eq!(index.insert("a/bc"), Some(2));
        assert_eq!(index.insert("a/b"), Some(0));
        let visit = |path: &str| -> Vec<u32> {
            prefixes(path).filter_map(|(segments, hash, prefix)| index.node(segments, hash, prefix)).collect()
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

    #[test]
    fn bit_rows_wider_than_a_block_keep_rows_apart() {
        let mut rows = BitRows::new(3, 2_500);
        rows.set(1, 2_499);
        rows.set(2, 0);
        rows.set(0, 1_024);
        assert!(rows.get(1, 2_499) && rows.get(2, 0) && rows.get(0, 1_024));
        assert!(!rows.get(2, 2_499) && !rows.get(1, 0) && !rows.get(1, 1_024) && !rows.get(0, 0));
        assert!(!rows.get(3, 0), "a row past the end is empty");
    }

    #[test]
    fn names_with_the_same_hash_keep_their_own_numbers() {
        let mut names = NameTable::default();
        assert_eq!(names.insert(7, "alice"), Some(0));
        assert_eq!(names.insert(7, "bob"), Some(1));
        assert_eq!(names.insert(name_hash("carol"), "carol"), Some(2));
        assert_eq!(names.insert(7, "alice"), Some(0));
        assert_eq!((names.get(7, "alice"), names.get(7, "bob"), names.get(7, "carol")), (Some(0), Some(1), None));
        assert_eq!(names.get(name_hash("carol"), "carol"), Some(2));
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn path_policies_keep_policy_order_per_node_and_action_and_drop_repeats() {
        let entry = |policy| Entry { policy, owner: policy / 10 };
        let triples = vec![(2, 0, entry(5)), (0, 3, entry(9)), (0, 3, entry(3)), (0, 1, entry(9)), (0, 3, entry(9)), (2, 31, entry(6))];
        let policies = PathPolicies::new(3, triples);
        assert_eq!(policies.of(0, 3), [entry(3), entry(9)]);
        assert_eq!(policies.of(0, 1), [entry(9)]);
        assert_eq!(policies.of(0, 0), []);
        assert_eq!(policies.of(1, 3), []);
        assert_eq!(policies.of(2, 0), [entry(5)]);
        assert_eq!(policies.of(2, 31), [entry(6)]);
        assert_eq!(policies.of(3, 0), []);
    }
}
