//! The access config: the example loads, the JSON Schema matches the engine's vocabulary, and
//! every problem is reported with its location — a config with any problem is refused whole.

// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::{json, Value};
use steward_core::access::{
    AccessConfig, DataAction, DomainAction, Effect, GlossaryAction, MetadataAction, PolicyEngine, PolicyKind, Role,
};

fn repo_file(path: &str) -> String {
    let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn problems(config: Value) -> Vec<String> {
    match AccessConfig::from_value(&config) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.errors().iter().map(ToString::to_string).collect(),
    }
}

fn assert_problem(config: Value, expected: &str) {
    let found = problems(config);
    assert!(found.iter().any(|p| p == expected), "expected {expected:?} in {found:#?}");
}

fn minimal() -> Value {
    json!({
        "users": [{"name": "ana", "role": "member", "groups": ["g"]}],
        "groups": ["g"],
        "personas": [{"name": "p", "users": ["ana"], "policies": [
            {"name": "read", "kind": "metadata", "effect": "allow", "actions": ["read"], "resources": ["*"]}
        ]}]
    })
}

#[test]
fn the_example_config_loads_and_compiles() {
    let text = repo_file("examples/access-config.json");
    let config = AccessConfig::from_json_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.connections.len(), 2);
    assert_eq!(config.personas.len(), 1);
    assert_eq!(config.purposes.len(), 1);
    PolicyEngine::compile(&config).unwrap();
    PolicyEngine::from_json_str(&text).unwrap();
}

#[test]
fn a_config_serialises_back_to_itself() {
    let config = AccessConfig::from_json_str(&repo_file("examples/access-config.json")).unwrap();
    let again = AccessConfig::from_value(&serde_json::to_value(&config).unwrap()).unwrap();
    assert_eq!(config, again);
}

#[test]
fn the_schema_names_the_same_vocabulary_as_the_engine() {
    let schema: Value = serde_json::from_str(&repo_file("schema/access-config.schema.json")).unwrap();
    let defs = &schema["$defs"];
    let strings = |v: &Value| -> Vec<String> { v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect() };
    assert_eq!(strings(&defs["role"]["enum"]), Role::ALL.iter().map(|r| r.name()).collect::<Vec<_>>());
    let policy = &defs["personaPolicy"];
    assert_eq!(strings(&policy["properties"]["kind"]["enum"]), PolicyKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>());
    assert_eq!(strings(&policy["properties"]["effect"]["enum"]), Effect::ALL.iter().map(|e| e.name()).collect::<Vec<_>>());
    let actions_of = |kind: &str| -> Vec<String> {
        let branch = policy["allOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["if"]["properties"]["kind"]["const"] == kind)
            .unwrap_or_else(|| panic!("no branch for {kind}"));
        strings(&branch["then"]["properties"]["actions"]["items"]["enum"])
    };
    assert_eq!(actions_of("metadata"), MetadataAction::ALL.iter().map(|a| a.name()).collect::<Vec<_>>());
    assert_eq!(actions_of("data"), DataAction::ALL.iter().map(|a| a.name()).collect::<Vec<_>>());
    assert_eq!(actions_of("glossary"), GlossaryAction::ALL.iter().map(|a| a.name()).collect::<Vec<_>>());
    assert_eq!(actions_of("domain"), DomainAction::ALL.iter().map(|a| a.name()).collect::<Vec<_>>());
    for mask in strings(&defs["maskType"]["enum"]) {
        assert!(mask.parse::<steward_core::masking::MaskType>().is_ok(), "{mask}");
    }
}

#[test]
fn unknown_action_is_located() {
    let mut config = minimal();
    config["personas"] = json!([
        {"name": "p0"}, {"name": "p1"},
        {"name": "p2", "policies": [{"name": "x", "kind": "metadata", "effect": "allow", "actions": ["read", "reed"], "resources": ["*"]}]}
    ]);
    assert_eq!(problems(config), ["personas[2].policies[0].actions[1]: unknown action \"reed\""]);
}

#[test]
fn every_problem_is_reported_and_the_config_is_refused_whole() {
    let config = json!({
        "users": [
            {"name": "ana", "role": "owner", "groups": ["nobody"]},
            {"name": "ana", "role": "member"}
        ],
        "groups": ["g"],
        "connections": [{"qualifiedName": "default/snowflake/1/DB", "name": "S", "connector": "snowflake"}],
        "personas": [{"name": "p", "users": ["bob"], "policies": [
            {"name": "a", "kind": "metadata", "effect": "mask", "actions": ["read"], "resources": ["entity:default/x"]},
            {"name": "a", "kind": "data", "effect": "allow", "actions": ["query"], "resources": ["db:DB"], "mask": "HASH"}
        ]}],
        "purposes": [{"name": "q", "tags": ["PII"], "policies": [
            {"name": "g", "kind": "glossary", "effect": "allow", "actions": ["update"]},
            {"name": "r", "kind": "metadata", "effect": "deny", "actions": ["remove-tags"], "resources": ["*"]}
        ]}],
        "extra": true
    });
    let found = problems(config.clone());
    for expected in [
        "extra: unknown field \"extra\" (expected one of: $schema, description, users, groups, connections, personas, purposes)",
        "users[0].role: unknown role \"owner\" (expected admin, member, guest)",
        "users[0].groups[0]: unknown group \"nobody\" (not in groups)",
        "users[1].name: duplicate user \"ana\" (first at users[0].name)",
        "connections[0].qualifiedName: \"default/snowflake/1/DB\" is not a connection qualified name (default/<connector>/<id>: three segments)",
        "personas[0].users[0]: unknown user \"bob\" (not in users)",
        "personas[0].policies[0].effect: effect \"mask\" exists only on data policies",
        "personas[0].policies[0].mask: a policy with effect \"mask\" needs a mask",
        "personas[0].policies[0].resources[0]: resource \"entity:default/x\" must name a connection or an asset inside one (default/<connector>/<id>/…)",
        "personas[0].policies[1].resources[0]: malformed resource \"db:DB\" (expected \"*\", \"entity:<qualifiedName>\", \"glossary:<name>\" or \"domain:<qualifiedName>\")",
        "personas[0].policies[1].mask: only a policy with effect \"mask\" takes a mask",
        "personas[0].policies[1].name: duplicate policy \"a\" (first at personas[0].policies[0].name)",
        "purposes[0].policies[0].kind: glossary policies exist only in personas",
        "purposes[0].policies[1].resources: purpose policies have no resources: the purpose's tags scope them",
    ] {
        assert!(found.iter().any(|p| p == expected), "missing {expected:?} in {found:#?}");
    }
    assert_eq!(found.len(), 14, "{found:#?}");
    // The engine refuses it too, with the same list.
    let text = serde_json::to_string(&config).unwrap();
    let err = PolicyEngine::from_json_str(&text).unwrap_err();
    assert_eq!(err.errors().len(), 14);
    assert!(err.to_string().starts_with("invalid access config (14 problems):\n  extra: unknown field"));
}

#[test]
fn actions_must_belong_to_the_policy_kind() {
    let mut config = minimal();
    config["personas"][0]["policies"][0]["actions"] = json!(["link-terms", "manage-policies", 3]);
    let found = problems(config);
    assert_eq!(
        found,
        [
            "personas[0].policies[0].actions[0]: \"link-terms\" is a glossary action, not a metadata action",
            "personas[0].policies[0].actions[1]: \"manage-policies\" is not granted by policies: a user who is both an admin and a connection admin has it",
            "personas[0].policies[0].actions[2]: expected a string, found a number",
        ]
    );
}

#[test]
fn glossary_read_cannot_be_denied() {
    let mut config = minimal();
    config["personas"][0]["policies"] =
        json!([{"name": "x", "kind": "glossary", "effect": "deny", "actions": ["update", "read"], "resources": ["glossary:G"]}]);
    assert_problem(config, "personas[0].policies[0].actions[1]: glossary read is granted to everyone and cannot be denied");
}

#[test]
fn resources_must_fit_the_policy_kind() {
    let mut config = minimal();
    config["personas"][0]["policies"] = json!([
        {"name": "x", "kind": "glossary", "effect": "allow", "actions": ["update"], "resources": ["entity:default/snowflake/1"]},
        {"name": "y", "kind": "metadata", "effect": "allow", "actions": ["read"], "resources": ["entity:default/snowflake/1/DB/"]},
        {"name": "z", "kind": "domain", "effect": "allow", "actions": ["read"], "resources": []}
    ]);
    let found = problems(config);
    assert_eq!(
        found,
        [
            "personas[0].policies[0].resources[0]: resource \"entity:default/snowflake/1\" does not fit a glossary policy (use \"glossary:<name>\" or \"*\")",
            "personas[0].policies[1].resources[0]: malformed resource \"entity:default/snowflake/1/DB/\": qualified name \"default/snowflake/1/DB/\" has an empty path segment",
            "personas[0].policies[2].resources: a persona policy needs at least one resource",
        ]
    );
}

#[test]
fn unknown_mask_and_wrong_types_are_located() {
    let mut config = minimal();
    config["personas"][0]["enabled"] = json!("yes");
    config["personas"][0]["policies"] =
        json!([{"name": "m", "kind": "data", "effect": "mask", "actions": ["query"], "resources": ["*"], "mask": "BLUR"}]);
    let found = problems(config);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0], "personas[0].enabled: expected true or false, found a string");
    assert!(found[1].starts_with("personas[0].policies[0].mask: unknown mask type \"BLUR\""), "{}", found[1]);
}

#[test]
fn connector_must_match_the_qualified_name() {
    let mut config = minimal();
    config["connections"] = json!([{"qualifiedName": "default/snowflake/1", "name": "S", "connector": "looker"}]);
    assert_problem(
        config,
        "connections[0].connector: connector \"looker\" does not match the qualified name \"default/snowflake/1\" (its second segment)",
    );
}

#[test]
fn a_purpose_needs_a_tag_and_a_policy_needs_an_action() {
    let mut config = minimal();
    config["purposes"] = json!([{"name": "q", "tags": [], "policies": [{"name": "x", "kind": "data", "effect": "allow", "actions": []}]}]);
    let found = problems(config);
    assert_eq!(
        found,
        ["purposes[0].tags: a purpose needs at least one tag", "purposes[0].policies[0].actions: a policy needs at least one action"]
    );
}

#[test]
fn not_json_and_not_an_object_are_refused() {
    let err = AccessConfig::from_json_str("{").unwrap_err();
    assert!(err.errors()[0].message.starts_with("not valid JSON"));
    assert_eq!(problems(json!([])), ["expected an object, found an array"]);
}

#[test]
fn a_config_built_in_code_is_validated_by_compile() {
    let mut config = AccessConfig::from_value(&minimal()).unwrap();
    config.personas[0].policies[0].effect = Effect::Mask;
    config.personas[0].users.push("zed".into());
    let err = PolicyEngine::compile(&config).unwrap_err();
    let found: Vec<String> = err.errors().iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "personas[0].policies[0].effect: effect \"mask\" exists only on data policies",
            "personas[0].policies[0].mask: a policy with effect \"mask\" needs a mask",
            "personas[0].users[1]: unknown user \"zed\" (not in users)",
        ]
    );
}

#[test]
fn serde_deserialize_runs_every_check() {
    let err = serde_json::from_value::<AccessConfig>(json!({"users": [{"name": "a", "role": "x"}]})).unwrap_err();
    assert!(err.to_string().contains("users[0].role: unknown role \"x\""), "{err}");
}
