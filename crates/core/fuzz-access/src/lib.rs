//! The properties the access fuzz target checks on any input. Shared with the corpus replay
//! test in `crates/core/tests/access_fuzz_corpus.rs` (included there by path), so keep it free
//! of anything but `steward_core` and `serde_json`.
//!
//! Input: JSON `{"config": <access config>, "requests": [<request>...], "preview": <preview
//! request>?}`, or a bare access config, or catalog entities for the import. Anything else
//! must be refused cleanly.
//!
//! Properties:
//! - nothing panics;
//! - a refused config names at least one located problem;
//! - an accepted config compiles, and serialises back to an equal config;
//! - every request gets the same answer (decision or error) from the compiled engine and from
//!   the reference evaluator, and so does the preview;
//! - the catalog import never panics and its config always compiles.

use serde_json::Value;
use steward_core::access::{
    import_catalog_policies, reference, AccessConfig, PolicyEngine, PreviewRequest, Request,
};
use steward_core::masking::MaskOptions;

/// Checks every property on one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let value = match serde_json::from_str::<Value>(text) {
        Ok(value) => value,
        Err(_) => {
            let refused = AccessConfig::from_json_str(text);
            assert!(refused.is_err_and(|e| !e.errors().is_empty()));
            return;
        }
    };

    let imported = import_catalog_policies(&value, value.get("tagDefs"));
    assert!(PolicyEngine::compile(&imported.config).is_ok(), "imported config must compile: {:?}", imported);

    let config_value = value.get("config").unwrap_or(&value);
    let config = match AccessConfig::from_value(config_value) {
        Ok(config) => config,
        Err(errors) => {
            assert!(!errors.errors().is_empty());
            return;
        }
    };
    let engine = match PolicyEngine::compile(&config) {
        Ok(engine) => engine,
        Err(errors) => {
            assert!(errors.errors().is_empty(), "a parsed config must compile: {errors}");
            return;
        }
    };
    let round_trip = serde_json::to_value(&config).map(|v| AccessConfig::from_value(&v));
    assert!(matches!(&round_trip, Ok(Ok(again)) if *again == config), "round trip: {round_trip:?}");

    if let Some(Value::Array(requests)) = value.get("requests") {
        for raw in requests {
            let Ok(request) = serde_json::from_value::<Request>(raw.clone()) else { continue };
            let compiled = engine.decide(&request);
            let naive = reference::decide(&config, &request);
            assert_eq!(compiled, naive, "request {request:?}");
        }
    }
    if let Some(raw) = value.get("preview") {
        if let Ok(preview) = serde_json::from_value::<PreviewRequest>(raw.clone()) {
            let options = MaskOptions::default();
            assert_eq!(engine.preview_table(&preview, &options), reference::preview_table(&config, &preview, &options));
        }
    }
}
