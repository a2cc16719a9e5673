//! Fuzz target: access config parsing + validation + compilation, decisions (compiled engine
//! against the reference evaluator) and catalog import. See `src/lib.rs` for the properties.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| steward_core_fuzz_access::run(data));
