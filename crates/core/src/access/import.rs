//! Importing the catalog's own access-control entities (API-NOTES "Access-control entities"):
//! `Persona`, `Purpose` and `AuthPolicy` (and `Connection` admins, `AtlasGlossary` names) become
//! an [`AccessConfig`], plus a list of everything that could not be translated exactly.
//!
//! Nothing is dropped or widened silently: every approximation is an [`ImportIssue`]. Where an
//! exact translation is impossible the import errs towards *less* access:
//! - an `allow` policy restricted to entity types other than `*` is skipped (ignoring the
//!   restriction would grant more);
//! - a `deny` or mask policy keeps its broader scope when a restriction can't be expressed;
//! - a mask policy with a missing or unknown mask masks with `NULLIFY`;
//! - users named by the export are declared with role `guest` (the export has no roles) and no
//!   groups (group membership is not in the export).
//!
//! Purpose policies apply to their own `policyUsers` / `policyGroups` (`public` = everyone); a
//! purpose whose policies name different audiences is split into one purpose per audience.
//! Persona policies apply to the persona's members (`personaUsers`, `personaGroups`; when those
//! are absent, the union of its policies' users and groups).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::action::{Action, Effect, GlossaryAction, PolicyKind, Role};
use super::decision::OwnerKind;
use super::model::{AccessConfig, Connection, ConnectionAdmins, Group, Persona, Policy, Purpose, Resource, User};
use super::qualified_name::QualifiedName;
use crate::catalog::typedefs::{ClassificationDef, TypeDefs};
use crate::masking::MaskType;

/// What the import produced: `{config, issues}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportResult {
    /// The translated access config (valid: it compiles as it is).
    pub config: AccessConfig,
    /// Everything that could not be translated exactly, in input order.
    pub issues: Vec<ImportIssue>,
}

/// One thing the import could not translate exactly: `{location, kind, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    /// Where in the input, e.g. `entities[4].attributes.policyActions[1]`.
    pub location: String,
    /// What sort of problem.
    pub kind: ImportIssueKind,
    /// What happened, naming the entity.
    pub message: String,
}

/// The sorts of import issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportIssueKind {
    /// The input is not an entity list, or an entity is malformed.
    InvalidInput,
    /// An action string with no Steward equivalent (dropped from the policy).
    UnknownAction,
    /// `rowFilter`, `allowExceptions`, `denyExceptions` or another policy type (policy skipped).
    UnsupportedPolicyType,
    /// A `policySubCategory` other than metadata, data, glossary, domain (policy skipped).
    UnsupportedPolicyKind,
    /// A resource with no Steward equivalent.
    UnsupportedResource,
    /// A policy whose persona or purpose is not in the export (policy skipped).
    UnknownOwner,
    /// A tag id with no definition (kept as the id; probably a deleted tag).
    UnresolvedTag,
    /// A glossary qualified name with no `AtlasGlossary` entity in the export (kept as is).
    UnresolvedGlossary,
    /// A missing or unknown mask type (masked with `NULLIFY`).
    UnknownMask,
    /// A connection admin role that is not `$admin`, `$member` or `$guest`.
    UnknownRole,
    /// A user's role is not in the export: declared as `guest`.
    AssumedRole,
    /// An audience Steward cannot express (a persona for `public`).
    UnsupportedAudience,
    /// A purpose split in several because its policies name different audiences.
    SplitPurpose,
    /// A duplicate name, renamed.
    RenamedDuplicate,
    /// A policy with nothing left to translate, skipped.
    SkippedPolicy,
    /// A deleted entity, or one of a type the import does not read.
    SkippedEntity,
}

struct Issues(Vec<ImportIssue>);

impl Issues {
    fn add(&mut self, location: impl Into<String>, kind: ImportIssueKind, message: impl Into<String>) {
        self.0.push(ImportIssue { location: location.into(), kind, message: message.into() });
    }
}

/// One entity of the input with its location.
struct Entity<'v> {
    at: String,
    type_name: &'v str,
    guid: Option<&'v str>,
    attributes: &'v Map<String, Value>,
    relationships: Option<&'v Map<String, Value>>,
    deleted: bool,
}

impl<'v> Entity<'v> {
    fn attr(&self, name: &str) -> Option<&'v Value> {
        self.attributes.get(name).filter(|v| !v.is_null())
    }

    fn str_attr(&self, name: &str) -> Option<&'v str> {
        self.attr(name).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    fn bool_attr(&self, name: &str, default: bool) -> bool {
        self.attr(name).and_then(Value::as_bool).unwrap_or(default)
    }

    fn strings(&self, name: &str) -> Vec<&'v str> {
        match self.attr(name) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).filter(|s| !s.is_empty()).collect(),
            Some(Value::String(s)) if !s.is_empty() => vec![s.as_str()],
            _ => Vec::new(),
        }
    }

    fn relation(&self, name: &str) -> Option<&'v Value> {
        self.attr(name).or_else(|| self.relationships.and_then(|r| r.get(name)).filter(|v| !v.is_null()))
    }

    fn display(&self) -> String {
        let name = self.str_attr("name").or(self.guid).unwrap_or("?");
        format!("{} {name:?}", self.type_name)
    }
}

fn entity<'v>(value: &'v Value, at: String) -> Option<Entity<'v>> {
    let map = value.as_object()?;
    let type_name = map.get("typeName")?.as_str()?;
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let attributes = match map.get("attributes") {
        Some(Value::Object(a)) => a,
        _ => EMPTY.get_or_init(Map::new),
    };
    let status = map.get("status").and_then(Value::as_str).or_else(|| attributes.get("__state").and_then(Value::as_str));
    Some(Entity {
        at,
        type_name,
        guid: map.get("guid").and_then(Value::as_str).filter(|g| !g.is_empty()),
        attributes,
        relationships: map.get("relationshipAttributes").and_then(Value::as_object),
        deleted: matches!(status, Some("DELETED" | "PURGED")),
    })
}

/// Flattens the accepted input shapes: an array of entities, a search response `{entities}`,
/// a single-entity response `{entity, referredEntities}`, or one entity. Policies embedded in a
/// persona's or purpose's `policies` (with their attributes) are read too.
fn collect<'v>(input: &'v Value, issues: &mut Issues) -> Vec<Entity<'v>> {
    let mut roots: Vec<(String, &'v Value)> = Vec::new();
    match input {
        Value::Array(items) => roots.extend(items.iter().enumerate().map(|(i, v)| (format!("entities[{i}]"), v))),
        Value::Object(map) => {
            if let Some(Value::Array(items)) = map.get("entities") {
                roots.extend(items.iter().enumerate().map(|(i, v)| (format!("entities[{i}]"), v)));
            } else if let Some(one) = map.get("entity") {
                roots.push(("entity".to_owned(), one));
            } else if map.contains_key("typeName") {
                roots.push((String::new(), input));
            }
            if let Some(Value::Object(referred)) = map.get("referredEntities") {
                roots.extend(referred.iter().map(|(guid, v)| (format!("referredEntities.{guid}"), v)));
            }
        }
        _ => {}
    }
    if roots.is_empty() && !matches!(input, Value::Array(_)) {
        issues.add("", ImportIssueKind::InvalidInput, "expected an array of catalog entities (or a search response with `entities`)");
    }
    let mut out = Vec::new();
    for (at, value) in roots {
        let Some(e) = entity(value, at.clone()) else {
            issues.add(at, ImportIssueKind::InvalidInput, "not an entity (an object with typeName and attributes)");
            continue;
        };
        if matches!(e.type_name, "Persona" | "Purpose") {
            if let Some(Value::Array(policies)) = e.relation("policies") {
                for (i, p) in policies.iter().enumerate() {
                    let embedded = p.get("attributes").is_some_and(|a| a.get("policyType").is_some());
                    if embedded {
                        if let Some(policy) = entity(p, format!("{at}.attributes.policies[{i}]")) {
                            out.push(policy);
                        }
                    }
                }
            }
        }
        out.push(e);
    }
    out
}

fn tag_names(tag_defs: Option<&Value>, issues: &mut Issues) -> HashMap<String, String> {
    let Some(defs) = tag_defs.filter(|d| !d.is_null()) else { return HashMap::new() };
    // Read in place, as the catalog client reads typedefs: one reader of these types in the module.
    let parsed: Result<Vec<ClassificationDef>, _> = match defs {
        Value::Array(_) => Vec::deserialize(defs),
        _ => TypeDefs::deserialize(defs).map(|t| t.classification_defs),
    };
    match parsed {
        Ok(list) => list.into_iter().map(|d| (d.name, d.display_name)).collect(),
        Err(e) => {
            issues.add("tagDefs", ImportIssueKind::InvalidInput, format!("tag definitions not readable ({e}); tag ids kept as they are"));
            HashMap::new()
        }
    }
}

/// The Steward action for a catalog action string in a policy of `kind`.
pub fn catalog_action(kind: PolicyKind, name: &str) -> Option<Action> {
    let steward = match (kind, name) {
        (PolicyKind::Metadata, "persona-asset-read" | "entity-read") => "read",
        (PolicyKind::Metadata, "persona-asset-update" | "entity-update") => "update",
        (PolicyKind::Metadata, "persona-business-update-metadata" | "entity-update-business-metadata") => {
            "update-custom-metadata"
        }
        (PolicyKind::Metadata, "persona-entity-add-classification" | "entity-add-classification") => "add-tags",
        (PolicyKind::Metadata, "persona-entity-remove-classification" | "entity-remove-classification") => "remove-tags",
        (PolicyKind::Metadata, "persona-add-terms" | "purpose-add-terms") => "add-terms",
        (PolicyKind::Metadata, "persona-remove-terms" | "purpose-remove-terms") => "remove-terms",
        (PolicyKind::Metadata, "persona-api-create" | "entity-create") => "create",
        (PolicyKind::Metadata, "persona-api-delete" | "entity-delete") => "delete",
        (PolicyKind::Data, "select") => "query",
        (PolicyKind::Glossary, "persona-glossary-read") => "read",
        (PolicyKind::Glossary, "persona-glossary-create") => "create",
        (PolicyKind::Glossary, "persona-glossary-update") => "update",
        (PolicyKind::Glossary, "persona-glossary-delete") => "delete",
        (PolicyKind::Glossary, "persona-glossary-update-custom-metadata") => "update-custom-metadata",
        (PolicyKind::Glossary, "persona-glossary-add-classifications") => "add-tags",
        (PolicyKind::Glossary, "persona-glossary-delete-classifications") => "remove-tags",
        (PolicyKind::Domain, "persona-domain-read") => "read",
        (PolicyKind::Domain, "persona-domain-update") => "update-domain",
        (PolicyKind::Domain, "persona-domain-sub-domain-create") => "create-subdomain",
        (PolicyKind::Domain, "persona-domain-sub-domain-update") => "update-subdomain",
        (PolicyKind::Domain, "persona-domain-product-create") => "create-product",
        (PolicyKind::Domain, "persona-domain-product-update") => "update-product",
        (PolicyKind::Domain, "persona-domain-product-delete") => "delete-product",
        (PolicyKind::Domain, "persona-domain-business-update-metadata") => "update-custom-metadata-domain",
        (PolicyKind::Domain, "persona-domain-sub-domain-business-update-metadata") => "update-custom-metadata-subdomain",
        (PolicyKind::Domain, "persona-domain-product-business-update-metadata") => "update-custom-metadata-product",
        _ => return None,
    };
    Action::parse_in(kind.family(), steward)
}

/// Who a purpose policy applies to.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Audience {
    all_users: bool,
    users: BTreeSet<String>,
    groups: BTreeSet<String>,
}

struct OwnerDraft {
    kind: OwnerKind,
    name: String,
    enabled: bool,
    users: Vec<String>,
    groups: Vec<String>,
    tags: Vec<String>,
    public: bool,
    policy_guids: Vec<String>,
    policies: Vec<(Audience, Policy)>,
}

/// Translates the catalog's access-control entities into an access config; `tag_defs` (the
/// classification typedefs response, or its `classificationDefs` list) resolves purpose tag ids
/// to display names.
pub fn import_catalog_policies(entities: &Value, tag_defs: Option<&Value>) -> ImportResult {
    let mut issues = Issues(Vec::new());
    let tags = tag_names(tag_defs, &mut issues);
    let all = collect(entities, &mut issues);

    let glossaries: HashMap<&str, &str> = all
        .iter()
        .filter(|e| e.type_name == "AtlasGlossary")
        .filter_map(|e| Some((e.str_attr("qualifiedName")?, e.str_attr("name")?)))
        .collect();

    let mut owners: Vec<OwnerDraft> = Vec::new();
    let mut owner_by_guid: HashMap<&str, usize> = HashMap::new();
    let mut connections: Vec<Connection> = Vec::new();
    for e in &all {
        if e.deleted {
            issues.add(&e.at, ImportIssueKind::SkippedEntity, format!("{} is deleted; not imported", e.display()));
            continue;
        }
        match e.type_name {
            "Persona" | "Purpose" => {
                let kind = if e.type_name == "Persona" { OwnerKind::Persona } else { OwnerKind::Purpose };
                let name = e.str_attr("name").or_else(|| e.str_attr("displayName")).or(e.guid).unwrap_or("unnamed");
                let mut draft = OwnerDraft {
                    kind,
                    name: name.to_owned(),
                    enabled: e.bool_attr("isAccessControlEnabled", true),
                    users: e.strings("personaUsers").into_iter().map(str::to_owned).collect(),
                    groups: Vec::new(),
                    tags: Vec::new(),
                    public: false,
                    policy_guids: Vec::new(),
                    policies: Vec::new(),
                };
                for group in e.strings("personaGroups") {
                    if group == "public" {
                        draft.public = true;
                    } else {
                        draft.groups.push(group.to_owned());
                    }
                }
                for (i, id) in e.strings("purposeClassifications").into_iter().enumerate() {
                    match tags.get(id) {
                        Some(display) => draft.tags.push(display.clone()),
                        None => {
                            issues.add(
                                format!("{}.attributes.purposeClassifications[{i}]", e.at),
                                ImportIssueKind::UnresolvedTag,
                                format!("{}: tag id {id:?} has no definition (a deleted tag?); kept as the id", e.display()),
                            );
                            draft.tags.push(id.to_owned());
                        }
                    }
                }
                if let Some(Value::Array(refs)) = e.relation("policies") {
                    draft.policy_guids =
                        refs.iter().filter_map(|r| r.get("guid").and_then(Value::as_str)).map(str::to_owned).collect();
                }
                if let Some(guid) = e.guid {
                    owner_by_guid.insert(guid, owners.len());
                }
                owners.push(draft);
            }
            "Connection" => {
                if let Some(connection) = import_connection(e, &mut issues) {
                    connections.push(connection);
                }
            }
            "AuthPolicy" | "AtlasGlossary" => {}
            _ => issues.add(&e.at, ImportIssueKind::SkippedEntity, format!("{}: type not imported", e.display())),
        }
    }

    // Owner of a policy: its accessControl reference, else the owner listing its guid.
    let mut listed_by: HashMap<String, usize> = HashMap::new();
    for (o, owner) in owners.iter().enumerate() {
        for guid in &owner.policy_guids {
            listed_by.insert(guid.clone(), o);
        }
    }
    for e in all.iter().filter(|e| e.type_name == "AuthPolicy" && !e.deleted) {
        let access_control = e.relation("accessControl").and_then(|a| a.get("guid")).and_then(Value::as_str);
        let owner = access_control
            .and_then(|g| owner_by_guid.get(g).copied())
            .or_else(|| e.guid.and_then(|g| listed_by.get(g).copied()))
            .or_else(|| embedded_owner(&e.at, &all, &owner_by_guid));
        let Some(owner) = owner else {
            issues.add(
                &e.at,
                ImportIssueKind::UnknownOwner,
                format!("{}: its persona or purpose is not in the export; not imported", e.display()),
            );
            continue;
        };
        let Some(draft) = owners.get_mut(owner) else { continue };
        if let Some((audience, policy)) = import_policy(e, draft.kind, &draft.name, &glossaries, &mut issues) {
            draft.policies.push((audience, policy));
        }
    }

    let mut config = AccessConfig { connections, ..AccessConfig::default() };
    for draft in owners {
        build_owner(draft, &mut config, &mut issues);
    }
    dedupe_names(&mut config, &mut issues);
    declare_people(&mut config, &mut issues);
    if let Err(errors) = config.validate() {
        for error in errors.0 {
            issues.add(error.location, ImportIssueKind::InvalidInput, format!("translated config is invalid: {}", error.message));
        }
    }
    ImportResult { config, issues: issues.0 }
}

/// The owner of a policy embedded at `<owner>.attributes.policies[i]`.
fn embedded_owner(at: &str, all: &[Entity<'_>], owner_by_guid: &HashMap<&str, usize>) -> Option<usize> {
    let (owner_at, _) = at.split_once(".attributes.policies[")?;
    let owner = all.iter().find(|e| e.at == owner_at)?;
    owner_by_guid.get(owner.guid?).copied()
}

fn import_connection(e: &Entity<'_>, issues: &mut Issues) -> Option<Connection> {
    let qn_text = e.str_attr("qualifiedName").unwrap_or_default();
    let segments: Vec<&str> = qn_text.split('/').collect();
    let connector = segments.get(1).copied().unwrap_or_default();
    let connector_ok =
        !connector.is_empty() && connector.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let qualified_name = match QualifiedName::parse(qn_text) {
        Ok(qn) if segments.len() == 3 && connector_ok => qn,
        _ => {
            issues.add(
                format!("{}.attributes.qualifiedName", e.at),
                ImportIssueKind::InvalidInput,
                format!("{}: {qn_text:?} is not a connection qualified name (default/<connector>/<id>); not imported", e.display()),
            );
            return None;
        }
    };
    let connector = connector.to_owned();
    let mut roles = Vec::new();
    for (i, role) in e.strings("adminRoles").into_iter().enumerate() {
        match role.strip_prefix('$').and_then(Role::parse) {
            Some(r) => roles.push(r),
            None => issues.add(
                format!("{}.attributes.adminRoles[{i}]", e.at),
                ImportIssueKind::UnknownRole,
                format!("{}: admin role {role:?} is not $admin, $member or $guest; not imported", e.display()),
            ),
        }
    }
    Some(Connection {
        qualified_name,
        name: e.str_attr("name").unwrap_or(qn_text).to_owned(),
        connector,
        admins: ConnectionAdmins {
            users: e.strings("adminUsers").into_iter().map(str::to_owned).collect(),
            groups: e.strings("adminGroups").into_iter().map(str::to_owned).collect(),
            roles,
        },
    })
}

fn import_policy(
    e: &Entity<'_>,
    owner: OwnerKind,
    owner_name: &str,
    glossaries: &HashMap<&str, &str>,
    issues: &mut Issues,
) -> Option<(Audience, Policy)> {
    let name = e.str_attr("name").or(e.guid).unwrap_or("unnamed").to_owned();
    let what = format!("policy {name:?} of {owner_name:?}");
    let sub_category = e.str_attr("policySubCategory").unwrap_or_default();
    let Some(kind) = PolicyKind::parse(sub_category) else {
        issues.add(
            format!("{}.attributes.policySubCategory", e.at),
            ImportIssueKind::UnsupportedPolicyKind,
            format!("{what}: policySubCategory {sub_category:?} is not metadata, data, glossary or domain; not imported"),
        );
        return None;
    };
    if owner == OwnerKind::Purpose && matches!(kind, PolicyKind::Glossary | PolicyKind::Domain) {
        issues.add(
            format!("{}.attributes.policySubCategory", e.at),
            ImportIssueKind::UnsupportedPolicyKind,
            format!("{what}: {} policies exist only in personas; not imported", kind.name()),
        );
        return None;
    }
    let policy_type = e.str_attr("policyType").unwrap_or_default();
    let effect = match policy_type {
        "allow" => Effect::Allow,
        "deny" => Effect::Deny,
        "dataMask" if kind == PolicyKind::Data => Effect::Mask,
        _ => {
            issues.add(
                format!("{}.attributes.policyType", e.at),
                ImportIssueKind::UnsupportedPolicyType,
                format!("{what}: policyType {policy_type:?} has no Steward equivalent; not imported"),
            );
            return None;
        }
    };

    let mut actions: Vec<Action> = Vec::new();
    for (i, text) in e.strings("policyActions").into_iter().enumerate() {
        let at = format!("{}.attributes.policyActions[{i}]", e.at);
        match catalog_action(kind, text) {
            Some(Action::Glossary(GlossaryAction::Read)) if effect == Effect::Deny => issues.add(
                at,
                ImportIssueKind::UnknownAction,
                format!("{what}: glossary read cannot be denied (everyone has it); action dropped"),
            ),
            Some(action) if !actions.contains(&action) => actions.push(action),
            Some(_) => {}
            None => issues.add(
                at,
                ImportIssueKind::UnknownAction,
                format!(
                    "{what}: action {text:?} has no Steward equivalent for a {} policy; dropped{}",
                    kind.name(),
                    if effect == Effect::Allow { "" } else { " (this policy now restricts less than in the catalog)" }
                ),
            ),
        }
    }
    if actions.is_empty() && effect == Effect::Mask {
        actions.push(Action::Data(super::action::DataAction::Query));
    }
    if actions.is_empty() {
        issues.add(&e.at, ImportIssueKind::SkippedPolicy, format!("{what}: no translatable action; not imported"));
        return None;
    }

    let mask = if effect == Effect::Mask {
        let raw = e.str_attr("policyMaskType");
        match raw.map(str::parse::<MaskType>) {
            Some(Ok(mask)) => Some(mask),
            _ => {
                issues.add(
                    format!("{}.attributes.policyMaskType", e.at),
                    ImportIssueKind::UnknownMask,
                    format!("{what}: mask type {:?} is unknown; masked with NULLIFY (the most restrictive)", raw.unwrap_or("")),
                );
                Some(MaskType::Nullify)
            }
        }
    } else {
        None
    };

    let resources = match owner {
        OwnerKind::Purpose => Vec::new(),
        OwnerKind::Persona => import_resources(e, kind, effect, &what, glossaries, issues)?,
    };

    let mut audience = Audience::default();
    for user in e.strings("policyUsers") {
        audience.users.insert(user.to_owned());
    }
    for group in e.strings("policyGroups") {
        if group == "public" {
            audience.all_users = true;
        } else {
            audience.groups.insert(group.to_owned());
        }
    }
    let policy = Policy { name, kind, effect, actions, resources, mask, enabled: e.bool_attr("isPolicyEnabled", true) };
    Some((audience, policy))
}

/// Persona policy resources; `None` when the policy must be skipped.
fn import_resources(
    e: &Entity<'_>,
    kind: PolicyKind,
    effect: Effect,
    what: &str,
    glossaries: &HashMap<&str, &str>,
    issues: &mut Issues,
) -> Option<Vec<Resource>> {
    let mut resources: Vec<Resource> = Vec::new();
    for (i, text) in e.strings("policyResources").into_iter().enumerate() {
        let at = format!("{}.attributes.policyResources[{i}]", e.at);
        if let Some(entity_type) = text.strip_prefix("entity-type:") {
            if entity_type == "*" {
                continue;
            }
            if effect == Effect::Allow {
                issues.add(
                    at,
                    ImportIssueKind::UnsupportedResource,
                    format!("{what}: restricted to entity type {entity_type:?}, which Steward cannot express; not imported (it would grant more)"),
                );
                return None;
            }
            issues.add(
                at,
                ImportIssueKind::UnsupportedResource,
                format!("{what}: restriction to entity type {entity_type:?} ignored; this policy now applies to every type"),
            );
            continue;
        }
        let translated = match (kind, text.strip_prefix("entity:")) {
            (_, Some("*")) => Some(Resource::All),
            (PolicyKind::Domain, Some("All domains")) => Some(Resource::All),
            (PolicyKind::Domain, Some(qn)) => QualifiedName::parse(qn).ok().map(Resource::Domain),
            (PolicyKind::Glossary, Some(qn)) => match glossaries.get(qn) {
                Some(name) => Some(Resource::Glossary((*name).to_owned())),
                None if !qn.is_empty() => {
                    issues.add(
                        at.clone(),
                        ImportIssueKind::UnresolvedGlossary,
                        format!("{what}: glossary {qn:?} is not in the export; its qualified name is used as the glossary name"),
                    );
                    Some(Resource::Glossary(qn.to_owned()))
                }
                None => None,
            },
            (PolicyKind::Metadata | PolicyKind::Data, Some(qn)) => QualifiedName::parse(qn)
                .ok()
                .filter(|qn| qn.connection().is_some() && !qn.as_str().contains('*'))
                .map(Resource::Entity),
            (_, None) => None,
        };
        match translated {
            Some(resource) if !resources.contains(&resource) => resources.push(resource),
            Some(_) => {}
            None => issues.add(
                at,
                ImportIssueKind::UnsupportedResource,
                format!(
                    "{what}: resource {text:?} has no Steward equivalent; dropped{}",
                    if effect == Effect::Allow { "" } else { " (this policy now covers less than in the catalog)" }
                ),
            ),
        }
    }
    if resources.is_empty() {
        issues.add(&e.at, ImportIssueKind::SkippedPolicy, format!("{what}: no translatable resource; not imported"));
        return None;
    }
    Some(resources)
}

fn unique_name(name: &str, taken: &HashSet<String>) -> String {
    let mut n = 2;
    loop {
        let candidate = format!("{name} ({n})");
        if !taken.contains(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

fn dedupe_policies(owner: &str, policies: &mut [Policy], issues: &mut Issues) {
    let mut taken: HashSet<String> = HashSet::new();
    for policy in policies {
        if taken.contains(&policy.name) {
            let renamed = unique_name(&policy.name, &taken);
            issues.add(
                "",
                ImportIssueKind::RenamedDuplicate,
                format!("{owner:?}: two policies named {:?}; the second is now {renamed:?}", policy.name),
            );
            policy.name = renamed;
        }
        taken.insert(policy.name.clone());
    }
}

fn build_owner(draft: OwnerDraft, config: &mut AccessConfig, issues: &mut Issues) {
    match draft.kind {
        OwnerKind::Persona => {
            let mut users = draft.users;
            let mut groups = draft.groups;
            if users.is_empty() && groups.is_empty() && !draft.public {
                for (audience, _) in &draft.policies {
                    users.extend(audience.users.iter().cloned());
                    groups.extend(audience.groups.iter().cloned());
                }
                users.sort();
                users.dedup();
                groups.sort();
                groups.dedup();
            }
            if draft.public || draft.policies.iter().any(|(a, _)| a.all_users) {
                issues.add(
                    "",
                    ImportIssueKind::UnsupportedAudience,
                    format!("persona {:?} applies to everyone (group `public`); Steward personas list their members, so it applies only to those named", draft.name),
                );
            }
            let mut policies: Vec<Policy> = draft.policies.into_iter().map(|(_, p)| p).collect();
            dedupe_policies(&draft.name, &mut policies, issues);
            config.personas.push(Persona { name: draft.name, enabled: draft.enabled, users, groups, policies });
        }
        OwnerKind::Purpose => {
            let mut by_audience: BTreeMap<Audience, Vec<Policy>> = BTreeMap::new();
            let mut order: Vec<Audience> = Vec::new();
            for (audience, policy) in draft.policies {
                if !by_audience.contains_key(&audience) {
                    order.push(audience.clone());
                }
                by_audience.entry(audience).or_default().push(policy);
            }
            if order.is_empty() {
                order.push(Audience::default());
            }
            if order.len() > 1 {
                issues.add(
                    "",
                    ImportIssueKind::SplitPurpose,
                    format!("purpose {:?}: its policies name {} different audiences; imported as {} purposes", draft.name, order.len(), order.len()),
                );
            }
            if draft.tags.is_empty() {
                issues.add(
                    "",
                    ImportIssueKind::SkippedEntity,
                    format!("purpose {:?} has no tags (purposeClassifications), so it covers nothing; not imported", draft.name),
                );
                return;
            }
            for (n, audience) in order.into_iter().enumerate() {
                let mut policies = by_audience.remove(&audience).unwrap_or_default();
                let name = if n == 0 { draft.name.clone() } else { format!("{} ({})", draft.name, n + 1) };
                dedupe_policies(&name, &mut policies, issues);
                config.purposes.push(Purpose {
                    name,
                    enabled: draft.enabled,
                    tags: draft.tags.clone(),
                    all_users: audience.all_users,
                    users: audience.users.into_iter().collect(),
                    groups: audience.groups.into_iter().collect(),
                    policies,
                });
            }
        }
    }
}

fn dedupe_names(config: &mut AccessConfig, issues: &mut Issues) {
    let mut taken: HashSet<String> = HashSet::new();
    for persona in &mut config.personas {
        if taken.contains(&persona.name) {
            let renamed = unique_name(&persona.name, &taken);
            issues.add("", ImportIssueKind::RenamedDuplicate, format!("two personas named {:?}; the second is now {renamed:?}", persona.name));
            persona.name = renamed;
        }
        taken.insert(persona.name.clone());
    }
    taken.clear();
    for purpose in &mut config.purposes {
        if taken.contains(&purpose.name) {
            let renamed = unique_name(&purpose.name, &taken);
            issues.add("", ImportIssueKind::RenamedDuplicate, format!("two purposes named {:?}; the second is now {renamed:?}", purpose.name));
            purpose.name = renamed;
        }
        taken.insert(purpose.name.clone());
    }
    let mut seen = HashSet::new();
    config.connections.retain(|c| seen.insert(c.qualified_name.clone()));
}

/// Declares every user and group the translated config names.
fn declare_people(config: &mut AccessConfig, issues: &mut Issues) {
    let mut users: BTreeSet<String> = BTreeSet::new();
    let mut groups: BTreeSet<String> = BTreeSet::new();
    for c in &config.connections {
        users.extend(c.admins.users.iter().cloned());
        groups.extend(c.admins.groups.iter().cloned());
    }
    for p in &config.personas {
        users.extend(p.users.iter().cloned());
        groups.extend(p.groups.iter().cloned());
    }
    for p in &config.purposes {
        users.extend(p.users.iter().cloned());
        groups.extend(p.groups.iter().cloned());
    }
    for (i, name) in users.iter().enumerate() {
        issues.add(
            format!("config.users[{i}]"),
            ImportIssueKind::AssumedRole,
            format!("user {name:?}: role and groups are not in the export; declared as a guest with no groups (edit to match the catalog)"),
        );
    }
    config.users = users.into_iter().map(|name| User { name, role: Role::Guest, groups: Vec::new() }).collect();
    config.groups = groups.into_iter().map(Group::new).collect();
}

/// Every catalog action string the import understands, per Steward policy kind (for docs and
/// tests).
pub fn known_catalog_actions() -> Vec<(PolicyKind, &'static str)> {
    const NAMES: &[&str] = &[
        "persona-asset-read",
        "persona-asset-update",
        "persona-business-update-metadata",
        "persona-entity-add-classification",
        "persona-entity-remove-classification",
        "persona-add-terms",
        "persona-remove-terms",
        "persona-api-create",
        "persona-api-delete",
        "entity-read",
        "entity-update",
        "entity-update-business-metadata",
        "entity-add-classification",
        "entity-remove-classification",
        "purpose-add-terms",
        "purpose-remove-terms",
        "entity-create",
        "entity-delete",
        "select",
        "persona-glossary-read",
        "persona-glossary-create",
        "persona-glossary-update",
        "persona-glossary-delete",
        "persona-glossary-update-custom-metadata",
        "persona-glossary-add-classifications",
        "persona-glossary-delete-classifications",
        "persona-domain-read",
        "persona-domain-update",
        "persona-domain-sub-domain-create",
        "persona-domain-sub-domain-update",
        "persona-domain-product-create",
        "persona-domain-product-update",
        "persona-domain-product-delete",
        "persona-domain-business-update-metadata",
        "persona-domain-sub-domain-business-update-metadata",
        "persona-domain-product-business-update-metadata",
    ];
    let mut out = Vec::new();
    for kind in PolicyKind::ALL {
        for name in NAMES.iter().copied() {
            if catalog_action(*kind, name).is_some() && !out.contains(&(*kind, name)) {
                out.push((*kind, name));
            }
        }
    }
    out
}
