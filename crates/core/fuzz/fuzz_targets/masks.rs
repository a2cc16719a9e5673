//! Fuzz target: arbitrary bytes → a mask, options and a string; every mask, the column, CSV and
//! SQL paths must keep their invariants and never panic (see `invariants.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| invariants::check(data));
