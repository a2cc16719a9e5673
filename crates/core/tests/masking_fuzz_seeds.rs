//! Replays the fuzz seed corpus (`crates/core/fuzz/corpus/masks`) through the fuzz target's own
//! checks, on stable Rust, so CI covers them without nightly or cargo-fuzz. To fuzz for real,
//! see `crates/core/fuzz/Cargo.toml`.

// Test code: a failed unwrap or index is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/invariants.rs"]
mod invariants;

use std::path::PathBuf;

use steward_core::masking::MaskType;

#[test]
fn every_seed_of_the_fuzz_corpus_keeps_the_invariants() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/masks");
    let mut seeds = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        // Every seed under every mask, keyed and not, not only the mask its first byte picks.
        for selector in 0..=u8::MAX {
            if usize::from(selector & 0x7f) < MaskType::ALL.len() {
                let mut input = data.clone();
                if let Some(first) = input.first_mut() {
                    *first = selector;
                }
                invariants::check(&input);
            }
        }
        seeds += 1;
    }
    assert!(seeds >= 10, "{seeds} seeds in {}", dir.display());
}
