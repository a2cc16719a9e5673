//! A steady workload for profilers that count rather than time (the machine is shared and
//! noisy): builds the access benchmark's scenario, then decides 20,000 requests in fresh batches
//! of 1,000, as the `decide/batch` benchmark does. Under callgrind, only `decide` is counted:
//!
//! ```text
//! cargo build --release -p steward-core --example decide_profile
//! valgrind --tool=callgrind --cache-sim=yes --LL=1048576,16,64 \
//!   --toggle-collect='steward_core::access::engine::PolicyEngine::decide' \
//!   target/release/examples/decide_profile
//! ```
//!
//! `--LL` models the machine's 1 MiB L2, so "LL misses" counts reads that leave it; divide the
//! totals by 20,000 for per-decision figures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use steward_core::access::scenario::{generate, requests, ScenarioSize};
use steward_core::access::PolicyEngine;

fn main() {
    let scenario = generate(ScenarioSize::default(), 42);
    let engine = PolicyEngine::compile(&scenario.config).unwrap_or_else(|e| panic!("{e}"));
    let all = requests(&scenario, 100_000, 7);
    let mut allowed = 0usize;
    for batch in all.chunks(1_000).take(20) {
        let batch = batch.to_vec();
        for request in &batch {
            if engine.decide(black_box(request)).is_ok_and(|d| d.allowed) {
                allowed += 1;
            }
        }
    }
    println!("20000 decisions, {allowed} allowed");
}
