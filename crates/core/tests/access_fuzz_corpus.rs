//! Replays the seed corpus of the access fuzz target as an ordinary test, so CI needs no
//! nightly. The fuzzer itself (nightly + cargo-fuzz):
//!
//! ```text
//! cd crates/core/fuzz-access && mkdir -p /tmp/access-corpus
//! cargo +nightly fuzz run --fuzz-dir . config_decide /tmp/access-corpus corpus/config_decide -- -dict=config_decide.dict -max_total_time=60
//! ```
//!
//! Findings the fuzzer saves (`artifacts/config_decide/…`) can be copied into the corpus to be
//! replayed here for good.

// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../fuzz-access/src/lib.rs"]
mod harness;

#[test]
fn access_fuzz_seed_corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz-access/corpus/config_decide");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        harness::run(&data);
        count += 1;
    }
    assert!(count >= 5, "seed corpus in {} has only {count} files", dir.display());
}

#[test]
fn access_fuzz_harness_survives_odd_inputs() {
    for input in [&b""[..], b"\xff\xfe", b"null", b"[]", b"{}", b"{\"config\": 3}", b"{\"config\": {}, \"requests\": [1, {}]}"] {
        harness::run(input);
    }
}
