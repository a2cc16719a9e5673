//! The packed batch path that `decideMany` runs in wasm (`access::batch`), natively: the
//! benchmark scenario's 100,000 requests numbered as `js/access.js` numbers them, then decided
//! five times with every string already resolved (the warm path), printing µs per decision.
//! Under callgrind (`--toggle-collect='steward_core::access::batch::RequestStrings::decide_packed'`)
//! it shows where the wasm stage's time goes without a browser or Node in the way:
//!
//! ```text
//! cargo run --release -p steward-core --example packed_profile
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use steward_core::access::batch::{RequestStrings, StringNumbering};
use steward_core::access::scenario::{generate, requests, ScenarioSize};
use steward_core::access::PolicyEngine;

fn main() {
    let scenario = generate(ScenarioSize::default(), 42);
    let engine = PolicyEngine::compile(&scenario.config).unwrap_or_else(|e| panic!("{e}"));
    let all: Vec<_> = requests(&scenario, 100_000, 7).into_iter().filter(|r| engine.decide(r).is_ok()).collect();
    let encoded = StringNumbering::default().encode(&all);
    let mut strings = RequestStrings::default();
    strings.extend(&encoded.fresh, encoded.fresh_count).unwrap();
    let mut out = Vec::new();
    strings.decide_packed(&engine, &encoded.words, all.len(), true, &mut out).unwrap();
    for _ in 0..5 {
        out.clear();
        let t = Instant::now();
        strings.decide_packed(&engine, &encoded.words, all.len(), true, &mut out).unwrap();
        println!("{:.3} µs/decision ({} requests, {} strings)", t.elapsed().as_secs_f64() * 1e6 / all.len() as f64, all.len(), encoded.fresh_count);
    }
}
