//! Fuzz target: Hightouch role-policy parsing, the round trip through the document, decisions
//! (`explain` against a reference) and the catalog's least-privilege check. See `src/lib.rs`
//! for the properties.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| steward_core_fuzz_hightouch::run(data));
