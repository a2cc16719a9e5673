//! Importing the catalog's Persona / Purpose / AuthPolicy entities: everything translatable is
//! translated, everything else is reported — never silently dropped or widened.

// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::{json, Value};
use steward_core::access::{
    import_catalog_policies, Action, DataAction, Effect, ImportIssueKind, MetadataAction, PolicyEngine, PolicyKind,
    Reason, Request, Resource, Role,
};
use steward_core::masking::MaskType;

const SNOW: &str = "default/snowflake/1700000000";

fn policy(guid: &str, owner_guid: &str, category: &str, attributes: Value) -> Value {
    let mut attrs = json!({
        "policyCategory": category,
        "isPolicyEnabled": true,
        "accessControl": {"typeName": if category == "persona" { "Persona" } else { "Purpose" }, "guid": owner_guid},
    });
    for (k, v) in attributes.as_object().unwrap() {
        attrs[k] = v.clone();
    }
    json!({"typeName": "AuthPolicy", "guid": guid, "status": "ACTIVE", "attributes": attrs})
}

fn tag_defs() -> Value {
    json!({"classificationDefs": [{"name": "cTrLMeBjKNeRV7HzBSL11u", "displayName": "PII", "description": "", "options": {"color": "Red"}}],
           "structDefs": [{"name": "SourceTagAttachment"}]})
}

fn export() -> Value {
    json!([
        {"typeName": "Connection", "guid": "c1", "attributes": {"qualifiedName": SNOW, "name": "Snowflake",
            "connectorName": "snowflake", "adminUsers": [], "adminGroups": ["snowflake-admins"], "adminRoles": ["$admin", "0f9a-role-uuid"]}},
        {"typeName": "AtlasGlossary", "guid": "gl1", "attributes": {"qualifiedName": "xYz123", "name": "Business"}},
        {"typeName": "Persona", "guid": "p1", "attributes": {"name": "Marketing analytics", "isAccessControlEnabled": true,
            "personaUsers": ["ana"], "personaGroups": ["marketing"], "policies": [{"typeName": "AuthPolicy", "guid": "ap1"}]}},
        {"typeName": "Purpose", "guid": "q1", "attributes": {"name": "PII", "isAccessControlEnabled": true,
            "purposeClassifications": ["cTrLMeBjKNeRV7HzBSL11u", "deletedTagId"]}},
        policy("ap1", "p1", "persona", json!({"name": "Looker read/write", "policySubCategory": "metadata", "policyType": "allow",
            "policyActions": ["persona-asset-read", "persona-asset-update", "persona-entity-remove-classification", "persona-fly"],
            "policyResources": ["entity:default/looker/1700000001/marketing"], "policyUsers": ["ana"], "policyGroups": ["marketing"]})),
        policy("ap2", "p1", "persona", json!({"name": "Query marketing", "policySubCategory": "data", "policyType": "allow",
            "policyActions": ["select"], "policyResources": [format!("entity:{SNOW}/MARKETING"), "entity-type:*"]})),
        policy("ap3", "p1", "persona", json!({"name": "Glossary", "policySubCategory": "glossary", "policyType": "allow",
            "policyActions": ["persona-glossary-update", "persona-glossary-add-classifications"], "policyResources": ["entity:xYz123", "entity:unknownGlossaryQN"]})),
        policy("ap4", "p1", "persona", json!({"name": "Domains", "policySubCategory": "domain", "policyType": "allow",
            "policyActions": ["persona-domain-read", "persona-domain-product-create"], "policyResources": ["entity:All domains"]})),
        policy("ap5", "q1", "purpose", json!({"name": "Hash PII", "policySubCategory": "data", "policyType": "dataMask",
            "policyActions": ["select"], "policyMaskType": "heka:MASK_HASH", "policyGroups": ["public"], "policyResources": ["tag:cTrLMeBjKNeRV7HzBSL11u"]})),
        policy("ap6", "q1", "purpose", json!({"name": "Keep the PII tag", "policySubCategory": "metadata", "policyType": "deny",
            "policyActions": ["entity-remove-classification"], "policyGroups": ["public"]})),
        policy("ap7", "q1", "purpose", json!({"name": "Rows", "policySubCategory": "data", "policyType": "rowFilter",
            "policyActions": ["select"], "policyGroups": ["public"]})),
        policy("ap8", "q1", "purpose", json!({"name": "Except", "policySubCategory": "metadata", "policyType": "allowExceptions",
            "policyActions": ["entity-read"], "policyGroups": ["public"]})),
        policy("ap9", "p1", "persona", json!({"name": "Tables only", "policySubCategory": "metadata", "policyType": "allow",
            "policyActions": ["persona-asset-read"], "policyResources": [format!("entity:{SNOW}"), "entity-type:Table"]})),
        policy("ap10", "q1", "purpose", json!({"name": "Mask analysts", "policySubCategory": "data", "policyType": "dataMask",
            "policyActions": ["select"], "policyMaskType": "MASK_NULL", "policyGroups": ["analysts"], "isPolicyEnabled": false})),
        policy("ap11", "gone", "purpose", json!({"name": "Orphan", "policySubCategory": "data", "policyType": "allow", "policyActions": ["select"]}))
    ])
}

#[test]
fn import_translates_personas_purposes_and_connections() {
    let result = import_catalog_policies(&export(), Some(&tag_defs()));
    let config = &result.config;

    assert_eq!(config.connections.len(), 1);
    assert_eq!(config.connections[0].admins.groups, ["snowflake-admins"]);
    assert_eq!(config.connections[0].admins.roles, [Role::Admin]);

    let persona = &config.personas[0];
    assert_eq!(persona.name, "Marketing analytics");
    assert_eq!((persona.users.clone(), persona.groups.clone()), (vec!["ana".to_owned()], vec!["marketing".to_owned()]));
    let names: Vec<&str> = persona.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Looker read/write", "Query marketing", "Glossary", "Domains"]);
    assert_eq!(
        persona.policies[0].actions,
        [Action::Metadata(MetadataAction::Read), Action::Metadata(MetadataAction::Update), Action::Metadata(MetadataAction::RemoveTags)]
    );
    assert_eq!(persona.policies[1].actions, [Action::Data(DataAction::Query)]);
    assert_eq!(persona.policies[1].resources, [Resource::Entity(format!("{SNOW}/MARKETING").parse().unwrap())]);
    assert_eq!(
        persona.policies[2].resources,
        [Resource::Glossary("Business".into()), Resource::Glossary("unknownGlossaryQN".into())]
    );
    assert_eq!(persona.policies[3].resources, [Resource::All]);
    assert_eq!(persona.policies[3].kind, PolicyKind::Domain);

    // Purpose policies for everyone, and a disabled one for a group: split by audience.
    assert_eq!(config.purposes.len(), 2);
    let pii = &config.purposes[0];
    assert_eq!(pii.name, "PII");
    assert_eq!(pii.tags, ["PII", "deletedTagId"]);
    assert!(pii.all_users);
    assert_eq!(pii.policies[0].effect, Effect::Mask);
    assert_eq!(pii.policies[0].mask, Some(MaskType::Hash));
    assert_eq!(pii.policies[1].effect, Effect::Deny);
    assert_eq!(pii.policies[1].actions, [Action::Metadata(MetadataAction::RemoveTags)]);
    let split = &config.purposes[1];
    assert_eq!((split.name.as_str(), split.groups.clone()), ("PII (2)", vec!["analysts".to_owned()]));
    assert_eq!(split.policies[0].mask, Some(MaskType::Nullify));
    assert!(!split.policies[0].enabled);

    // The result compiles as it is.
    PolicyEngine::compile(config).unwrap();
}

#[test]
fn import_reports_everything_it_could_not_translate() {
    let result = import_catalog_policies(&export(), Some(&tag_defs()));
    let kinds: Vec<(ImportIssueKind, &str)> = result.issues.iter().map(|i| (i.kind, i.location.as_str())).collect();
    for expected in [
        (ImportIssueKind::UnknownRole, "entities[0].attributes.adminRoles[1]"),
        (ImportIssueKind::UnresolvedTag, "entities[3].attributes.purposeClassifications[1]"),
        (ImportIssueKind::UnknownAction, "entities[4].attributes.policyActions[3]"),
        (ImportIssueKind::UnresolvedGlossary, "entities[6].attributes.policyResources[1]"),
        (ImportIssueKind::UnsupportedPolicyType, "entities[10].attributes.policyType"),
        (ImportIssueKind::UnsupportedPolicyType, "entities[11].attributes.policyType"),
        (ImportIssueKind::UnsupportedResource, "entities[12].attributes.policyResources[1]"),
        (ImportIssueKind::UnknownOwner, "entities[14]"),
        (ImportIssueKind::SplitPurpose, ""),
    ] {
        assert!(kinds.contains(&expected), "missing {expected:?} in {:#?}", result.issues);
    }
    let rows = result.issues.iter().find(|i| i.location == "entities[10].attributes.policyType").unwrap();
    assert_eq!(rows.message, "policy \"Rows\" of \"PII\": policyType \"rowFilter\" has no Steward equivalent; not imported");
    // An allow policy restricted to a type is skipped rather than widened.
    assert!(result.config.personas[0].policies.iter().all(|p| p.name != "Tables only"));
    // Users are declared as guests (the export has no roles), and that is reported.
    assert_eq!(result.config.users.iter().map(|u| (u.name.as_str(), u.role)).collect::<Vec<_>>(), [("ana", Role::Guest)]);
    assert!(kinds.contains(&(ImportIssueKind::AssumedRole, "config.users[0]")));
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["issues"][0]["kind"], "unknown-role");
}

#[test]
fn imported_policies_decide_like_the_catalog() {
    let mut result = import_catalog_policies(&export(), Some(&tag_defs()));
    result.config.users[0].role = Role::Member;
    let engine = PolicyEngine::compile(&result.config).unwrap();
    let decide = |action: &str, qn: &str, tags: Value| {
        let request: Request = serde_json::from_value(json!({"user": "ana", "action": action,
            "asset": {"qualifiedName": qn, "typeName": "Column", "tags": tags}}))
        .unwrap();
        engine.decide(&request).unwrap()
    };
    let d = decide("query", &format!("{SNOW}/MARKETING/S/T/EMAIL"), json!(["PII"]));
    assert_eq!((d.allowed, d.reason, d.mask), (true, Reason::PersonaGrant, Some(MaskType::Hash)));
    let d = decide("remove-tags", "default/looker/1700000001/marketing/x", json!(["PII"]));
    assert_eq!(d.reason, Reason::DenyPolicy);
    let d = decide("remove-tags", "default/looker/1700000001/marketing/x", json!([]));
    assert_eq!(d.reason, Reason::PersonaGrant);
}

#[test]
fn mask_types_are_accepted_with_and_without_the_heka_prefix_and_unknown_masks_nullify() {
    for (wire, expected) in [
        ("MASK_SHOW_FIRST_4", MaskType::ShowFirst4),
        ("heka:MASK_SHOW_LAST_4", MaskType::ShowLast4),
        ("MASK_REDACT", MaskType::Redact),
        ("heka:MASK_NULL", MaskType::Nullify),
        ("MASK_BLUR", MaskType::Nullify),
    ] {
        let entities = json!([
            {"typeName": "Purpose", "guid": "q", "attributes": {"name": "Q", "purposeClassifications": ["t"]}},
            policy("m", "q", "purpose", json!({"name": "m", "policySubCategory": "data", "policyType": "dataMask",
                "policyActions": ["select"], "policyMaskType": wire, "policyGroups": ["public"]}))
        ]);
        let result = import_catalog_policies(&entities, Some(&json!([{"name": "t", "displayName": "T"}])));
        assert_eq!(result.config.purposes[0].policies[0].mask, Some(expected), "{wire}");
        assert_eq!(result.config.purposes[0].tags, ["T"]);
        let unknown = result.issues.iter().any(|i| i.kind == ImportIssueKind::UnknownMask);
        assert_eq!(unknown, wire == "MASK_BLUR", "{wire}: {:?}", result.issues);
    }
}

#[test]
fn a_deny_with_an_untranslatable_action_keeps_the_rest_and_says_it_restricts_less() {
    let entities = json!({"entities": [
        {"typeName": "Persona", "guid": "p", "attributes": {"name": "P", "personaUsers": ["bo"]}},
        policy("d", "p", "persona", json!({"name": "d", "policySubCategory": "metadata", "policyType": "deny",
            "policyActions": ["persona-asset-update", "persona-teleport"], "policyResources": [format!("entity:{SNOW}")]}))
    ]});
    let result = import_catalog_policies(&entities, None);
    assert_eq!(result.config.personas[0].policies[0].actions, [Action::Metadata(MetadataAction::Update)]);
    let issue = result.issues.iter().find(|i| i.kind == ImportIssueKind::UnknownAction).unwrap();
    assert!(issue.message.ends_with("(this policy now restricts less than in the catalog)"), "{}", issue.message);
}

#[test]
fn not_an_entity_list_is_reported() {
    let result = import_catalog_policies(&json!("nope"), None);
    assert_eq!(result.issues[0].kind, ImportIssueKind::InvalidInput);
    assert!(result.config.personas.is_empty());
}

#[test]
fn every_catalog_action_string_of_the_api_notes_is_understood() {
    let known = steward_core::access::import::known_catalog_actions();
    // 9 persona + 9 purpose metadata strings, `select`, 7 glossary, 10 domain.
    assert_eq!(known.len(), 36);
    assert!(known.contains(&(PolicyKind::Metadata, "persona-entity-remove-classification")));
    assert!(known.contains(&(PolicyKind::Metadata, "entity-remove-classification")));
    assert!(known.contains(&(PolicyKind::Domain, "persona-domain-product-business-update-metadata")));
}
