//! Replays the seed corpus of the Hightouch role-policy fuzz target as an ordinary test, so CI
//! needs no nightly. The fuzzer itself (nightly + cargo-fuzz):
//!
//! ```text
//! cd crates/core/fuzz-hightouch && mkdir -p /tmp/role-corpus
//! cargo +nightly fuzz run --fuzz-dir . role_policy /tmp/role-corpus corpus/role_policy -- -dict=role_policy.dict -max_total_time=60
//! ```
//!
//! Findings the fuzzer saves (`artifacts/role_policy/…`) can be copied into the corpus to be
//! replayed here for good.

// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../fuzz-hightouch/src/lib.rs"]
mod harness;

#[test]
fn hightouch_fuzz_seed_corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz-hightouch/corpus/role_policy");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        harness::run(&data);
        count += 1;
    }
    assert!(count >= 10, "seed corpus in {} has only {count} files", dir.display());
}

#[test]
fn hightouch_fuzz_harness_survives_odd_inputs() {
    for input in [
        &b""[..],
        b"\xff\xfe",
        b"null",
        b"[]",
        b"{}",
        b"\"2022-04-26\"",
        b"{\"version\": 20220426, \"policies\": []}",
        b"{\"version\": \"2022-04-26\", \"policies\": {}}",
        b"{\"version\": \"2022-04-26\", \"policies\": [null, 1, \"allow\", {}]}",
        b"{\"version\": \"2022-04-26\", \"policies\": [{\"effect\": \"allow\", \"actions\": [1e400], \"resource\": \"*\"}]}",
        b"{\"version\": \"2022-04-26\", \"policies\": [{\"effect\": \"allow\", \"actions\": \"*\", \"resource\": \"*\", \"conditions\": 123456789012345678901234567890}]}",
        b"{\"version\": \"2022-04-26\", \"policies\": [{\"effect\": \"deny\", \"actions\": \"*\", \"resource\": \"*\", \"conditions\": -1e308}]}",
        b"{\"version\": \"2022-04-26\", \"version\": \"1\", \"policies\": []}",
    ] {
        harness::run(input);
    }
}
