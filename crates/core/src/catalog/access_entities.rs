//! The access config as the catalog shows it: `Persona`, `Purpose` and `AuthPolicy` entities
//! (API-NOTES "Access-control entities"). This is the inverse of
//! [`crate::access::import_catalog_policies`] and uses the same action table
//! ([`crate::access::import::catalog_action`]), so a config exported here imports back to itself.

use serde_json::{json, Map, Value};

use crate::access::import::{catalog_action, known_catalog_actions};
use crate::access::{AccessConfig, Action, Effect, OwnerKind, Policy, PolicyKind, Resource};
use crate::masking::MaskType;

/// Type names of the access-control entities.
pub const TYPES: [&str; 3] = ["Persona", "Purpose", "AuthPolicy"];

/// Whether a request on an asset of `type_name` needs the admin role rather than an action
/// decided by policies: the access-control entities are the catalog's own configuration, which
/// it lets only admin users read or write, whatever the action
/// ([`crate::access::rules::admin_only`]). It lives here, beside the entities' wire types,
/// because it says what the catalog's entity endpoints need of a type, not a rule of the access
/// model's policies.
pub fn needs_admin(type_name: &str) -> bool {
    TYPES.contains(&type_name)
}

/// One exported entity: its type, qualified name and attributes (`qualifiedName` and `name`
/// included; references to other entities carry their guids).
#[derive(Debug, Clone, PartialEq)]
pub struct AccessEntity {
    /// `Persona`, `Purpose` or `AuthPolicy`.
    pub type_name: &'static str,
    /// Qualified name.
    pub qualified_name: String,
    /// Guid.
    pub guid: String,
    /// Attributes.
    pub attributes: Map<String, Value>,
}

/// How exported entities are named: `id(seed)` gives an opaque id for a seed string (the
/// catalog's ids look like `cTrLMeBjKNeRV7HzBSL11u`), `guid(qualified name)` an entity guid,
/// `tag_id(display name)` a tag's id.
pub struct Naming<'a> {
    /// Opaque id of a seed string.
    pub id: &'a dyn Fn(&str) -> String,
    /// Guid of a qualified name.
    pub guid: &'a dyn Fn(&str) -> String,
    /// Tag id of a display name.
    pub tag_id: &'a dyn Fn(&str) -> String,
}

impl Naming<'_> {
    /// The qualified name of a persona or purpose.
    pub fn owner_qualified_name(&self, owner: OwnerKind, name: &str) -> String {
        let kind = match owner {
            OwnerKind::Persona => "persona",
            OwnerKind::Purpose => "purpose",
        };
        format!("default/{}", (self.id)(&format!("{kind}:{name}")))
    }

    /// The qualified name of a policy of the owner with guid `owner_guid`.
    pub fn policy_qualified_name(&self, owner_guid: &str, policy_name: &str) -> String {
        format!("{owner_guid}/{}", (self.id)(&format!("policy:{owner_guid}:{policy_name}")))
    }
}

/// The catalog's name of a mask (`heka:MASK_REDACT`, …).
pub fn mask_wire_name(mask: MaskType) -> &'static str {
    match mask {
        MaskType::ShowFirst4 => "heka:MASK_SHOW_FIRST_4",
        MaskType::ShowLast4 => "heka:MASK_SHOW_LAST_4",
        MaskType::Hash => "heka:MASK_HASH",
        MaskType::Nullify => "heka:MASK_NULL",
        MaskType::Redact => "heka:MASK_REDACT",
    }
}

/// The catalog's action string for a Steward action in a persona's or a purpose's policy
/// (`None` for an action the catalog has no string for, such as glossary `link-terms`).
pub fn catalog_action_name(owner: OwnerKind, kind: PolicyKind, action: Action) -> Option<&'static str> {
    let candidates = known_catalog_actions();
    let matching = candidates.iter().filter(|(k, name)| *k == kind && catalog_action(kind, name) == Some(action)).map(|(_, n)| *n);
    let mut first = None;
    for name in matching {
        let persona_style = name.starts_with("persona-");
        let fits = match (owner, kind) {
            (OwnerKind::Persona, PolicyKind::Metadata) => persona_style,
            (OwnerKind::Purpose, PolicyKind::Metadata) => !persona_style,
            _ => true,
        };
        if fits {
            return Some(name);
        }
        first = first.or(Some(name));
    }
    first
}

fn reference(type_name: &str, guid: &str, qualified_name: &str) -> Value {
    json!({"guid": guid, "typeName": type_name, "uniqueAttributes": {"qualifiedName": qualified_name}})
}

/// Every persona, purpose and policy of `config` as catalog entities, owners first, each
/// owner's policies after it.
pub fn export(config: &AccessConfig, naming: &Naming<'_>) -> Vec<AccessEntity> {
    let mut out = Vec::new();
    for persona in &config.personas {
        let qn = naming.owner_qualified_name(OwnerKind::Persona, &persona.name);
        let mut attributes = Map::new();
        attributes.insert("personaUsers".into(), json!(persona.users));
        attributes.insert("personaGroups".into(), json!(persona.groups));
        owner(&mut out, naming, OwnerKind::Persona, &persona.name, persona.enabled, &qn, attributes, &persona.policies, &Audience::Members);
    }
    for purpose in &config.purposes {
        let qn = naming.owner_qualified_name(OwnerKind::Purpose, &purpose.name);
        let mut attributes = Map::new();
        let tags: Vec<String> = purpose.tags.iter().map(|t| (naming.tag_id)(t)).collect();
        attributes.insert("purposeClassifications".into(), json!(tags));
        let mut groups = purpose.groups.clone();
        if purpose.all_users {
            groups.insert(0, "public".to_owned());
        }
        let audience = Audience::Named { users: purpose.users.clone(), groups, tags };
        owner(&mut out, naming, OwnerKind::Purpose, &purpose.name, purpose.enabled, &qn, attributes, &purpose.policies, &audience);
    }
    out
}

enum Audience {
    /// Persona policies apply to the persona's members.
    Members,
    /// Purpose policies name their audience and cover the purpose's tags.
    Named { users: Vec<String>, groups: Vec<String>, tags: Vec<String> },
}

#[allow(clippy::too_many_arguments)]
fn owner(
    out: &mut Vec<AccessEntity>,
    naming: &Naming<'_>,
    kind: OwnerKind,
    name: &str,
    enabled: bool,
    qualified_name: &str,
    mut attributes: Map<String, Value>,
    policies: &[Policy],
    audience: &Audience,
) {
    let type_name = match kind {
        OwnerKind::Persona => "Persona",
        OwnerKind::Purpose => "Purpose",
    };
    let guid = (naming.guid)(qualified_name);
    let exported: Vec<AccessEntity> = policies.iter().map(|p| policy(naming, kind, type_name, &guid, qualified_name, p, audience)).collect();
    attributes.insert("qualifiedName".into(), json!(qualified_name));
    attributes.insert("name".into(), json!(name));
    attributes.insert("displayName".into(), json!(name));
    attributes.insert("isAccessControlEnabled".into(), json!(enabled));
    attributes.insert(
        "policies".into(),
        Value::Array(exported.iter().map(|p| reference("AuthPolicy", &p.guid, &p.qualified_name)).collect()),
    );
    out.push(AccessEntity { type_name, qualified_name: qualified_name.to_owned(), guid, attributes });
    out.extend(exported);
}

fn policy(
    naming: &Naming<'_>,
    owner: OwnerKind,
    owner_type: &str,
    owner_guid: &str,
    owner_qualified_name: &str,
    policy: &Policy,
    audience: &Audience,
) -> AccessEntity {
    let qualified_name = naming.policy_qualified_name(owner_guid, &policy.name);
    let actions: Vec<&str> = policy.actions.iter().filter_map(|a| catalog_action_name(owner, policy.kind, *a)).collect();
    let (users, groups, resources): (Vec<String>, Vec<String>, Vec<String>) = match audience {
        Audience::Members => {
            let mut resources: Vec<String> = policy
                .resources
                .iter()
                .map(|r| match r {
                    Resource::All if policy.kind == PolicyKind::Domain => "entity:All domains".to_owned(),
                    Resource::All => "entity:*".to_owned(),
                    Resource::Entity(qn) | Resource::Domain(qn) => format!("entity:{qn}"),
                    // The catalog names glossaries by qualified name; the sandbox has none, so
                    // the name stands in (the import reads it back as the name).
                    Resource::Glossary(name) => format!("entity:{name}"),
                })
                .collect();
            if policy.kind == PolicyKind::Data {
                resources.push("entity-type:*".to_owned());
            }
            (Vec::new(), Vec::new(), resources)
        }
        Audience::Named { users, groups, tags } => {
            (users.clone(), groups.clone(), tags.iter().map(|t| format!("tag:{t}")).collect())
        }
    };
    let connection = policy.resources.iter().find_map(|r| match r {
        Resource::Entity(qn) => qn.connection().map(str::to_owned),
        _ => None,
    });
    let mut attributes = Map::new();
    attributes.insert("qualifiedName".into(), json!(qualified_name));
    attributes.insert("name".into(), json!(policy.name));
    attributes.insert("policyCategory".into(), json!(if owner == OwnerKind::Persona { "persona" } else { "purpose" }));
    attributes.insert("policySubCategory".into(), json!(policy.kind.name()));
    let policy_type = match policy.effect {
        Effect::Allow => "allow",
        Effect::Deny => "deny",
        Effect::Mask => "dataMask",
    };
    attributes.insert("policyType".into(), json!(policy_type));
    attributes.insert("policyServiceName".into(), json!(if policy.kind == PolicyKind::Data { "heka" } else { "atlas" }));
    attributes.insert("policyActions".into(), json!(actions));
    attributes.insert("policyResources".into(), json!(resources));
    attributes.insert("policyUsers".into(), json!(users));
    attributes.insert("policyGroups".into(), json!(groups));
    attributes.insert("policyRoles".into(), json!([]));
    if let Some(mask) = policy.mask {
        attributes.insert("policyMaskType".into(), json!(mask_wire_name(mask)));
    }
    attributes.insert("isPolicyEnabled".into(), json!(policy.enabled));
    if let Some(connection) = connection {
        attributes.insert("connectionQualifiedName".into(), json!(connection));
    }
    attributes.insert("accessControl".into(), reference(owner_type, owner_guid, owner_qualified_name));
    let guid = (naming.guid)(&qualified_name);
    AccessEntity { type_name: "AuthPolicy", qualified_name, guid, attributes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::import_catalog_policies;

    #[test]
    fn the_access_control_entities_need_the_admin_role_and_assets_do_not() {
        for type_name in TYPES {
            assert!(needs_admin(type_name), "{type_name}");
        }
        assert!(!needs_admin("Table") && !needs_admin("Connection") && !needs_admin("AtlasGlossaryTerm"));
    }

    const CONFIG: &str = r#"{
      "users": [{"name": "ana", "role": "member", "groups": ["analysts"]}, {"name": "bo", "role": "guest", "groups": []}],
      "groups": [{"name": "analysts"}],
      "connections": [{"qualifiedName": "default/snowflake/1700000000", "name": "sf", "connector": "snowflake",
        "admins": {"users": ["ana"], "groups": [], "roles": []}}],
      "personas": [{"name": "Integration", "enabled": true, "users": ["ana"], "groups": ["analysts"], "policies": [
        {"name": "meta", "kind": "metadata", "effect": "allow", "actions": ["read", "update", "update-custom-metadata", "add-tags", "remove-tags", "create", "delete", "add-terms", "remove-terms"],
         "resources": ["entity:default/snowflake/1700000000"]},
        {"name": "no deletes", "kind": "metadata", "effect": "deny", "actions": ["delete"], "resources": ["*"]},
        {"name": "data", "kind": "data", "effect": "allow", "actions": ["query"], "resources": ["entity:default/snowflake/1700000000/DB"]}]}],
      "purposes": [{"name": "PII", "enabled": true, "tags": ["PII"], "allUsers": true, "users": [], "groups": [], "policies": [
        {"name": "mask", "kind": "data", "effect": "mask", "actions": ["query"], "mask": "HASH"},
        {"name": "keep tags", "kind": "metadata", "effect": "deny", "actions": ["remove-tags"], "enabled": false}]}]
    }"#;

    fn naming_export(config: &AccessConfig) -> Vec<AccessEntity> {
        let id = |s: &str| format!("id-{}", s.len());
        let guid = |qn: &str| format!("g:{qn}");
        let tag_id = |t: &str| format!("tag-{t}");
        export(config, &Naming { id: &id, guid: &guid, tag_id: &tag_id })
    }

    #[test]
    fn the_export_reads_back_as_the_same_personas_and_purposes() {
        let config = AccessConfig::from_json_str(CONFIG).unwrap();
        let entities = naming_export(&config);
        let kinds: Vec<&str> = entities.iter().map(|e| e.type_name).collect();
        assert_eq!(kinds, ["Persona", "AuthPolicy", "AuthPolicy", "AuthPolicy", "Purpose", "AuthPolicy", "AuthPolicy"]);
        let list: Vec<Value> = entities
            .iter()
            .map(|e| json!({"typeName": e.type_name, "guid": e.guid, "status": "ACTIVE", "attributes": e.attributes}))
            .collect();
        let tags = json!({"classificationDefs": [{"name": "tag-PII", "displayName": "PII"}]});
        let imported = import_catalog_policies(&Value::Array(list), Some(&tags));
        let unexpected: Vec<String> = imported.issues.iter().filter(|i| !format!("{:?}", i.kind).contains("AssumedRole")).map(|i| i.message.clone()).collect();
        assert!(unexpected.is_empty(), "{unexpected:?}");
        assert_eq!(imported.config.personas, config.personas);
        assert_eq!(imported.config.purposes, config.purposes);
    }

    #[test]
    fn policies_carry_the_catalogs_strings_and_their_owner() {
        let config = AccessConfig::from_json_str(CONFIG).unwrap();
        let entities = naming_export(&config);
        let meta = &entities[1].attributes;
        assert_eq!(meta["policyActions"][0], "persona-asset-read");
        assert_eq!(meta["policyResources"], json!(["entity:default/snowflake/1700000000"]));
        assert_eq!(meta["accessControl"]["guid"], json!(entities[0].guid));
        assert_eq!(meta["connectionQualifiedName"], "default/snowflake/1700000000");
        assert_eq!(entities[3].attributes["policyResources"], json!(["entity:default/snowflake/1700000000/DB", "entity-type:*"]));
        let mask = &entities[5].attributes;
        assert_eq!((mask["policyType"].as_str(), mask["policyMaskType"].as_str()), (Some("dataMask"), Some("heka:MASK_HASH")));
        assert_eq!(mask["policyGroups"], json!(["public"]));
        assert_eq!(mask["policyResources"], json!(["tag:tag-PII"]));
        assert_eq!(entities[6].attributes["policyActions"], json!(["entity-remove-classification"]));
        assert_eq!(entities[4].attributes["purposeClassifications"], json!(["tag-PII"]));
        assert_eq!(entities[0].attributes["policies"].as_array().unwrap().len(), 3);
    }
}
