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

use std::collections::HashMap;
use std::time::Instant;

use steward_core::access::batch::RequestStrings;
use steward_core::access::scenario::{generate, requests, ScenarioSize};
use steward_core::access::PolicyEngine;

fn main() {
    let scenario = generate(ScenarioSize::default(), 42);
    let engine = PolicyEngine::compile(&scenario.config).unwrap_or_else(|e| panic!("{e}"));
    let all: Vec<_> = requests(&scenario, 100_000, 7).into_iter().filter(|r| engine.decide(r).is_ok()).collect();
    let mut known: HashMap<String, u32> = HashMap::new();
    let mut fresh: Vec<String> = Vec::new();
    let mut words = Vec::new();
    let mut id = |s: &str, fresh: &mut Vec<String>| {
        let next = u32::try_from(known.len()).unwrap();
        *known.entry(s.to_owned()).or_insert_with(|| {
            fresh.push(s.to_owned());
            next
        })
    };
    for r in &all {
        words.push(id(&r.user, &mut fresh));
        words.push(id(&r.action, &mut fresh));
        words.push(id(r.asset.qualified_name.as_str(), &mut fresh));
        words.push(id(&r.asset.type_name, &mut fresh));
        words.push(r.asset.glossary.as_deref().map_or(0, |g| id(g, &mut fresh) + 1));
        words.push(u32::try_from(r.asset.tags.len()).unwrap());
        for tag in &r.asset.tags {
            words.push(id(tag, &mut fresh));
        }
    }
    let mut strings = RequestStrings::default();
    strings.extend(&fresh.join("\0"), fresh.len()).unwrap();
    let mut out = Vec::new();
    strings.decide_packed(&engine, &words, all.len(), true, &mut out).unwrap();
    for _ in 0..5 {
        out.clear();
        let t = Instant::now();
        strings.decide_packed(&engine, &words, all.len(), true, &mut out).unwrap();
        println!("{:.3} µs/decision ({} requests, {} strings)", t.elapsed().as_secs_f64() * 1e6 / all.len() as f64, all.len(), fresh.len());
    }
}
