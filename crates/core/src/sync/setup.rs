//! The setup assistant (SPEC §5, seed steps 1–8): a persona for the integration's token with a
//! metadata policy granting read, update, update-custom-metadata, add-tags and remove-tags on
//! the chosen connections, and the token's user added. Pure: given what the catalog holds, the
//! entities to create or update — none when everything is in place, so a second run changes
//! nothing — and, for a token that may not do it, the exact settings to create by hand.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::catalog::entity::{attr, BulkEntity, EntityHeader};

/// The persona's name unless the user names another.
pub const DEFAULT_PERSONA: &str = "Data Quality Integration";
/// The policy's name unless the user names another.
pub const DEFAULT_POLICY: &str = "Data quality sync";
/// The catalog's action strings of the five actions the integration needs (API-NOTES).
pub const POLICY_ACTIONS: [&str; 5] = [
    "persona-asset-read",
    "persona-asset-update",
    "persona-business-update-metadata",
    "persona-entity-add-classification",
    "persona-entity-remove-classification",
];
/// The same actions as Steward names them.
pub const ACTION_NAMES: [&str; 5] = ["read", "update", "update-custom-metadata", "add-tags", "remove-tags"];

/// Attributes a search of Persona and AuthPolicy entities must return for [`plan_persona`] and [`plan_policy`].
pub const SEARCH_ATTRIBUTES: [&str; 12] = [
    "qualifiedName",
    "name",
    "personaUsers",
    "personaGroups",
    "isAccessControlEnabled",
    "policyCategory",
    "policySubCategory",
    "policyType",
    "policyActions",
    "policyResources",
    "isPolicyEnabled",
    "accessControl",
];

/// What to set up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupRequest {
    /// Connections (qualified names) the integration syncs.
    pub connections: Vec<String>,
    /// The persona's name.
    #[serde(default = "default_persona")]
    pub persona_name: String,
    /// The policy's name.
    #[serde(default = "default_policy")]
    pub policy_name: String,
}

fn default_persona() -> String {
    DEFAULT_PERSONA.to_owned()
}

fn default_policy() -> String {
    DEFAULT_POLICY.to_owned()
}

impl SetupRequest {
    /// Checks the request, naming what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.connections.is_empty() {
            return Err("connections: name at least one connection (e.g. default/snowflake/1700000000)".to_owned());
        }
        for (i, c) in self.connections.iter().enumerate() {
            let parts: Vec<&str> = c.split('/').collect();
            if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
                return Err(format!("connections[{i}]: expected a connection qualified name default/<connector>/<epoch>, got {c:?}"));
            }
        }
        if self.persona_name.trim().is_empty() {
            return Err("personaName: empty".to_owned());
        }
        if self.policy_name.trim().is_empty() {
            return Err("policyName: empty".to_owned());
        }
        Ok(())
    }

    /// The policy's resources.
    pub fn resources(&self) -> Vec<String> {
        self.connections.iter().map(|c| format!("entity:{c}")).collect()
    }
}

/// One step of the setup and what it needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupStep {
    /// `persona`, `user` or `policy`.
    pub step: &'static str,
    /// `exists`, `create` or `update` (the wasm crate reports `created` / `updated` once sent).
    pub status: String,
    /// In words.
    pub detail: String,
    /// The entity to send, when something must change.
    #[serde(skip)]
    pub entity: Option<BulkEntity>,
}

/// The settings to create by hand (the seed's screens), for a token that may not.
pub fn manual_settings(request: &SetupRequest, user: &str) -> Value {
    json!({
        "persona": {"name": request.persona_name, "users": [user], "enabled": true},
        "policy": {
            "name": request.policy_name, "kind": "metadata", "effect": "allow",
            "actions": ACTION_NAMES, "resources": request.resources(),
            "catalogActions": POLICY_ACTIONS,
        },
        "steps": [
            "Governance → Personas → New Persona: name it, Create",
            "Add policies → New Policy → Metadata policy: name it, select the connection(s), allow read, update, update custom metadata, add tags and remove tags on all their assets",
            format!("Add the user {user} (the integration's API token) to the persona"),
        ],
    })
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value.and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default()
}

fn text<'a>(header: &'a EntityHeader, name: &str) -> Option<&'a str> {
    header.attributes.get(name).and_then(Value::as_str)
}

/// Plans the persona step: `found` is the persona of that name, if any.
pub fn plan_persona(request: &SetupRequest, user: &str, found: Option<&EntityHeader>) -> Vec<SetupStep> {
    let Some(persona) = found else {
        let mut entity = BulkEntity::minimal("Persona", request.persona_name.clone(), request.persona_name.clone());
        entity.guid = Some("-1".to_owned());
        entity.attributes.insert("personaUsers".into(), json!([user]));
        entity.attributes.insert("personaGroups".into(), json!([]));
        entity.attributes.insert("isAccessControlEnabled".into(), json!(true));
        return vec![SetupStep {
            step: "persona",
            status: "create".into(),
            detail: format!("persona \"{}\" with the user {user}", request.persona_name),
            entity: Some(entity),
        }];
    };
    let mut users = strings(persona.attributes.get("personaUsers"));
    let enabled = persona.attributes.get("isAccessControlEnabled").and_then(Value::as_bool).unwrap_or(true);
    let has_user = users.iter().any(|u| u == user);
    let change = (!has_user || !enabled).then(|| {
        if !has_user {
            users.push(user.to_owned());
        }
        let qn = text(persona, attr::QUALIFIED_NAME).unwrap_or_default();
        let mut entity = BulkEntity::minimal("Persona", qn, request.persona_name.clone());
        entity.guid = Some(persona.guid.clone());
        entity.attributes.insert("personaUsers".into(), json!(users));
        entity.attributes.insert("isAccessControlEnabled".into(), json!(true));
        entity
    });
    // One write does both; it goes with the first step that needs it.
    let (persona_change, user_change) = if enabled { (None, change) } else { (change, None) };
    vec![
        SetupStep {
            step: "persona",
            status: if enabled { "exists".into() } else { "update".into() },
            detail: if enabled {
                format!("persona \"{}\" exists", request.persona_name)
            } else {
                format!("persona \"{}\" is disabled: enable it", request.persona_name)
            },
            entity: persona_change,
        },
        SetupStep {
            step: "user",
            status: if has_user { "exists".into() } else { "update".into() },
            detail: if has_user { format!("{user} is in the persona") } else { format!("add {user} to the persona") },
            entity: user_change,
        },
    ]
}

/// Plans the policy step for the persona with guid `persona_guid`, given its policies.
pub fn plan_policy(request: &SetupRequest, persona_guid: &str, policies: &[EntityHeader]) -> SetupStep {
    let resources = request.resources();
    let in_persona = |p: &&EntityHeader| {
        p.attributes.get("accessControl").and_then(|a| a.get("guid")).and_then(Value::as_str) == Some(persona_guid)
    };
    let covers = |p: &EntityHeader| {
        let actions = strings(p.attributes.get("policyActions"));
        let have = strings(p.attributes.get("policyResources"));
        text(p, "policySubCategory") == Some("metadata")
            && text(p, "policyType") == Some("allow")
            && p.attributes.get("isPolicyEnabled").and_then(Value::as_bool).unwrap_or(true)
            && POLICY_ACTIONS.iter().all(|a| actions.iter().any(|x| x == a))
            && resources.iter().all(|r| have.iter().any(|h| h == r))
    };
    if let Some(existing) = policies.iter().filter(in_persona).find(|p| covers(p)) {
        let name = text(existing, attr::NAME).unwrap_or("unnamed");
        return SetupStep { step: "policy", status: "exists".into(), detail: format!("policy \"{name}\" already grants the five actions"), entity: None };
    }
    let named = policies.iter().filter(in_persona).find(|p| text(p, attr::NAME) == Some(request.policy_name.as_str()));
    let mut attributes = Map::new();
    let (status, detail, guid, qn) = match named {
        Some(p) => {
            let mut actions = strings(p.attributes.get("policyActions"));
            let mut have = strings(p.attributes.get("policyResources"));
            for a in POLICY_ACTIONS {
                if !actions.iter().any(|x| x == a) {
                    actions.push(a.to_owned());
                }
            }
            for r in &resources {
                if !have.contains(r) {
                    have.push(r.clone());
                }
            }
            attributes.insert("policyActions".into(), json!(actions));
            attributes.insert("policyResources".into(), json!(have));
            attributes.insert("policyType".into(), json!("allow"));
            attributes.insert("isPolicyEnabled".into(), json!(true));
            let qn = text(p, attr::QUALIFIED_NAME).unwrap_or_default().to_owned();
            ("update", format!("policy \"{}\": add the missing actions and connections", request.policy_name), p.guid.clone(), qn)
        }
        None => {
            attributes.insert("policyCategory".into(), json!("persona"));
            attributes.insert("policySubCategory".into(), json!("metadata"));
            attributes.insert("policyType".into(), json!("allow"));
            attributes.insert("policyActions".into(), json!(POLICY_ACTIONS));
            attributes.insert("policyResources".into(), json!(resources));
            attributes.insert("policyUsers".into(), json!([]));
            attributes.insert("policyGroups".into(), json!([]));
            attributes.insert("isPolicyEnabled".into(), json!(true));
            if let Some(first) = request.connections.first() {
                attributes.insert("connectionQualifiedName".into(), json!(first));
            }
            attributes.insert("accessControl".into(), json!({"typeName": "Persona", "guid": persona_guid}));
            (
                "create",
                format!("metadata policy \"{}\": read, update, update custom metadata, add and remove tags on {}", request.policy_name, request.connections.join(", ")),
                "-2".to_owned(),
                request.policy_name.clone(),
            )
        }
    };
    let mut entity = BulkEntity::minimal("AuthPolicy", qn, request.policy_name.clone());
    entity.guid = Some(guid);
    entity.attributes.extend(attributes);
    SetupStep { step: "policy", status: status.into(), detail, entity: Some(entity) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SetupRequest {
        SetupRequest { connections: vec!["default/snowflake/1".into()], persona_name: DEFAULT_PERSONA.into(), policy_name: DEFAULT_POLICY.into() }
    }

    fn header(type_name: &str, guid: &str, attributes: Value) -> EntityHeader {
        serde_json::from_value(json!({"typeName": type_name, "guid": guid, "attributes": attributes})).unwrap()
    }

    #[test]
    fn a_missing_persona_is_created_with_the_user() {
        let steps = plan_persona(&request(), "svc", None);
        assert_eq!(steps[0].status, "create");
        assert_eq!(steps[0].entity.as_ref().unwrap().attributes["personaUsers"], json!(["svc"]));
    }

    #[test]
    fn an_existing_persona_with_the_user_and_a_covering_policy_needs_nothing() {
        let persona = header("Persona", "p1", json!({"qualifiedName": "default/x", "name": DEFAULT_PERSONA, "personaUsers": ["svc"], "isAccessControlEnabled": true}));
        let steps = plan_persona(&request(), "svc", Some(&persona));
        assert!(steps.iter().all(|s| s.entity.is_none() && s.status == "exists"), "{steps:?}");
        let policy = header("AuthPolicy", "a1", json!({"name": "any", "policySubCategory": "metadata", "policyType": "allow",
            "policyActions": POLICY_ACTIONS, "policyResources": ["entity:default/snowflake/1"], "accessControl": {"guid": "p1"}}));
        let step = plan_policy(&request(), "p1", &[policy]);
        assert_eq!(step.status, "exists");
        assert!(step.entity.is_none());
    }

    #[test]
    fn a_named_policy_missing_an_action_is_updated_not_duplicated() {
        let policy = header("AuthPolicy", "a1", json!({"qualifiedName": "p1/a", "name": DEFAULT_POLICY, "policySubCategory": "metadata", "policyType": "allow",
            "policyActions": ["persona-asset-read"], "policyResources": ["entity:default/snowflake/1"], "accessControl": {"guid": "p1"}}));
        let step = plan_policy(&request(), "p1", &[policy]);
        assert_eq!(step.status, "update");
        let entity = step.entity.unwrap();
        assert_eq!(entity.guid.as_deref(), Some("a1"));
        assert_eq!(entity.attributes["policyActions"].as_array().unwrap().len(), 5);
    }

    #[test]
    fn connections_must_be_connection_qualified_names() {
        let mut bad = request();
        bad.connections = vec!["default/snowflake/1/DB".into()];
        assert!(bad.validate().unwrap_err().starts_with("connections[0]:"));
    }
}
