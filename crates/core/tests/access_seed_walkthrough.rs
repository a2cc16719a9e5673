//! The seed's walkthrough (002, "Interactions"), step by step, ending with exactly
//! `examples/access-config.json`. Each step is checked with the compiled engine and the
//! reference evaluator.

// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::{json, Value};
use steward_core::access::{reference, AccessConfig, Decision, PolicyEngine, PreviewRequest, Reason, Request};
use steward_core::masking::{MaskOptions, MaskType};

const SNOW: &str = "default/snowflake/1700000000";
const LOOKER: &str = "default/looker/1700000001";

fn example() -> Value {
    let path = format!("{}/../../examples/access-config.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Step {
    config: AccessConfig,
    engine: PolicyEngine,
}

impl Step {
    fn new(config: &Value) -> Step {
        let config = AccessConfig::from_value(config).unwrap_or_else(|e| panic!("{e}"));
        let engine = PolicyEngine::compile(&config).unwrap();
        Step { config, engine }
    }

    fn ana(&self, action: &str, qualified_name: &str, type_name: &str, tags: &[&str]) -> Decision {
        let request: Request = serde_json::from_value(json!({
            "user": "ana", "action": action,
            "asset": {"qualifiedName": qualified_name, "typeName": type_name, "tags": tags, "glossary": "Business"}
        }))
        .unwrap();
        let decision = self.engine.decide(&request).unwrap();
        assert_eq!(Ok(&decision), reference::decide(&self.config, &request).as_ref());
        decision
    }
}

fn snowflake_table() -> String {
    format!("{SNOW}/SALES/PUBLIC/CUSTOMERS")
}

fn looker_dashboard() -> String {
    format!("{LOOKER}/marketing/dashboards/campaigns")
}

#[test]
fn seed_walkthrough_step_by_step() {
    let full = example();

    // 1. A new user joins; no access policy is set up: nothing is granted (except reading
    //    glossaries, which everyone may do).
    let mut config = full.clone();
    config["users"][0]["groups"] = json!([]);
    config["personas"] = json!([]);
    config["purposes"] = json!([]);
    let step = Step::new(&config);
    for action in ["read", "update", "query"] {
        let d = step.ana(action, &snowflake_table(), "Table", &[]);
        assert_eq!((d.allowed, d.reason), (false, Reason::ImplicitDeny), "{action}");
    }
    assert_eq!(step.ana("read", "term-1@glossary", "AtlasGlossaryTerm", &[]).reason, Reason::GlossaryDefault);

    // 2. Added to the group that administers the Snowflake connection: full read/write on all
    //    Snowflake metadata, and query/preview of its data. Nothing on Looker yet.
    config["users"][0]["groups"] = json!(["snowflake-admins"]);
    let step = Step::new(&config);
    for action in ["read", "update", "update-custom-metadata", "add-tags", "remove-tags", "add-terms", "remove-terms", "create", "delete", "query"] {
        let d = step.ana(action, &snowflake_table(), "Table", &[]);
        assert_eq!((d.allowed, d.reason), (true, Reason::ConnectionAdmin), "{action}");
    }
    assert!(!step.ana("read", &looker_dashboard(), "LookerDashboard", &[]).allowed);

    // 3. Added to a persona with read/write on a Looker project: Snowflake and the project.
    config["personas"] = full["personas"].clone();
    let step = Step::new(&config);
    let d = step.ana("update", &looker_dashboard(), "LookerDashboard", &[]);
    assert_eq!((d.allowed, d.reason), (true, Reason::PersonaGrant));
    assert_eq!(d.decided_by.unwrap().policy(), "Looker marketing read/write");
    assert!(!step.ana("read", &format!("{LOOKER}/finance/dashboards/budget"), "LookerDashboard", &[]).allowed);
    assert!(step.ana("update", &snowflake_table(), "Table", &[]).allowed);

    // 4. A purpose masks PII data: still full read/write on metadata, still query, but PII
    //    columns come back hashed.
    let mut purpose = full["purposes"][0].clone();
    purpose["policies"] = json!([full["purposes"][0]["policies"][0]]);
    config["purposes"] = json!([purpose]);
    let step = Step::new(&config);
    let email = format!("{}/EMAIL", snowflake_table());
    assert!(step.ana("update", &email, "Column", &["PII"]).allowed);
    assert!(step.ana("remove-tags", &email, "Column", &["PII"]).allowed);
    let d = step.ana("query", &email, "Column", &["PII"]);
    assert_eq!((d.allowed, d.mask), (true, Some(MaskType::Hash)));
    assert_eq!(step.ana("query", &format!("{}/COUNTRY", snowflake_table()), "Column", &[]).mask, None);
    let preview: PreviewRequest = serde_json::from_value(json!({
        "user": "ana",
        "asset": {"qualifiedName": snowflake_table(), "typeName": "Table"},
        "columns": [
            {"name": "EMAIL", "tags": ["PII"], "values": ["panda", null]},
            {"name": "COUNTRY", "tags": [], "values": ["NZ"]}
        ]
    }))
    .unwrap();
    let preview = step.engine.preview_table(&preview, &MaskOptions::default()).unwrap();
    assert_eq!(
        preview.columns[0].values,
        Some(vec![Some("a7cdf5d0586b392473dd0cd08c9ba833240006a8a7310bf9bc8bf1aefdfaeadb".to_owned()), None])
    );
    assert_eq!(preview.columns[1].values, Some(vec![Some("NZ".to_owned())]));

    // 5. The purpose also denies removing the PII tag: no longer full read/write — the PII tag
    //    can't be removed, on Snowflake or on the Looker project, connection admin or not.
    config["purposes"] = full["purposes"].clone();
    assert_eq!(config, full, "the last step is the shipped example");
    let step = Step::new(&config);
    let d = step.ana("remove-tags", &email, "Column", &["PII"]);
    assert_eq!((d.allowed, d.reason), (false, Reason::DenyPolicy));
    assert_eq!(d.decided_by.unwrap().policy(), "Keep the PII tag");
    let d = step.ana("remove-tags", &looker_dashboard(), "LookerDashboard", &["PII"]);
    assert_eq!((d.allowed, d.reason), (false, Reason::DenyPolicy));
    // Everything else still stands.
    assert!(step.ana("add-tags", &email, "Column", &["PII"]).allowed);
    assert!(step.ana("remove-tags", &format!("{}/COUNTRY", snowflake_table()), "Column", &[]).allowed);
    assert_eq!(step.ana("query", &email, "Column", &["PII"]).mask, Some(MaskType::Hash));
}
