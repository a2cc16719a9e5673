//! Hightouch's role-policy language (SPEC §4):
//! `{"version": "2022-04-26", "policies": [{"effect", "actions", "resource", "conditions"?}]}`.
//!
//! Parsing reports located errors for what makes a document unusable (bad JSON, unknown version,
//! a missing or malformed field) and located warnings for names this crate does not know (the
//! full public lists of actions and resources are not available). Evaluation is deny-wins with
//! default deny.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::{json, Value};

/// The only policy-language version.
pub const VERSION: &str = "2022-04-26";

/// `allow` or `deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Grants the actions on the resources.
    Allow,
    /// Takes them away again, whatever else allows them.
    Deny,
}

/// An action of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `read`.
    Read,
    /// `create`.
    Create,
    /// `update`.
    Update,
    /// `delete`.
    Delete,
    /// `manage`.
    Manage,
    /// `run`.
    Run,
    /// `preview`.
    Preview,
    /// `approve`.
    Approve,
    /// `*`: every action.
    Any,
    /// A name this crate does not know (kept, matched only by itself, warned about).
    Other(String),
}

impl Action {
    /// Reads an action name.
    pub fn parse(name: &str) -> Self {
        match name {
            "read" => Self::Read,
            "create" => Self::Create,
            "update" => Self::Update,
            "delete" => Self::Delete,
            "manage" => Self::Manage,
            "run" => Self::Run,
            "preview" => Self::Preview,
            "approve" => Self::Approve,
            "*" => Self::Any,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Manage => "manage",
            Self::Run => "run",
            Self::Preview => "preview",
            Self::Approve => "approve",
            Self::Any => "*",
            Self::Other(name) => name,
        }
    }

    fn covers(&self, wanted: &Action) -> bool {
        *self == Self::Any || self == wanted
    }
}

/// A resource of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// `workspace`.
    Workspace,
    /// `source`.
    Source,
    /// `destination`.
    Destination,
    /// `model`.
    Model,
    /// `sync`.
    Sync,
    /// `sync_templates`.
    SyncTemplates,
    /// `*`: every resource.
    Any,
    /// A name this crate does not know (kept, matched only by itself, warned about).
    Other(String),
}

impl Resource {
    /// The six resources the catalog's crawler reads (seed 001).
    pub const CATALOG: [Resource; 6] = [
        Resource::Workspace,
        Resource::Source,
        Resource::Destination,
        Resource::Model,
        Resource::Sync,
        Resource::SyncTemplates,
    ];

    /// Reads a resource name.
    pub fn parse(name: &str) -> Self {
        match name {
            "workspace" => Self::Workspace,
            "source" => Self::Source,
            "destination" => Self::Destination,
            "model" => Self::Model,
            "sync" => Self::Sync,
            "sync_templates" => Self::SyncTemplates,
            "*" => Self::Any,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Workspace => "workspace",
            Self::Source => "source",
            Self::Destination => "destination",
            Self::Model => "model",
            Self::Sync => "sync",
            Self::SyncTemplates => "sync_templates",
            Self::Any => "*",
            Self::Other(name) => name,
        }
    }

    fn covers(&self, wanted: &Resource) -> bool {
        *self == Self::Any || self == wanted
    }
}

macro_rules! wire_name {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}
wire_name!(Action);
wire_name!(Resource);

/// One statement of a policy. Serialises in the document's key order: `effect`, `actions`,
/// `resource`, then `conditions` when present.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// Allow or deny.
    pub effect: Effect,
    /// Actions it names.
    pub actions: Vec<Action>,
    /// Resources it names (the document's `resource`; a single string reads as a list of one).
    #[serde(rename = "resource")]
    pub resources: Vec<Resource>,
    /// Conditions, kept as written. They need request context this crate does not have, so a
    /// conditional allow grants nothing here and a conditional deny always applies (never a
    /// silent grant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Value>,
}

impl Statement {
    fn names(&self, action: &Action, resource: &Resource) -> bool {
        self.actions.iter().any(|a| a.covers(action)) && self.resources.iter().any(|r| r.covers(resource))
    }

    /// Whether this (unconditional) deny takes away all of `grant`: its actions cover the
    /// grant's action and its resources the grant's resource (`*` is only covered by `*`).
    fn removes(&self, grant: &Grant) -> bool {
        self.effect == Effect::Deny && self.conditions.is_none() && self.names(&grant.action, &grant.resource)
    }

    /// The same statement, up to the order of its names.
    fn same_as(&self, other: &Statement) -> bool {
        fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
            a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
        }
        self.effect == other.effect
            && self.conditions == other.conditions
            && same_set(&self.actions, &other.actions)
            && same_set(&self.resources, &other.resources)
    }
}

/// A problem in a policy document, located by a path such as `policies[0].actions[1]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where, e.g. `policies[0].effect` (`(root)` for the whole document).
    pub path: String,
    /// What.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl Problem {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

/// A document that can't be used, with every located error found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Hightouch role policy: {}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct PolicyError {
    /// The errors, in document order.
    pub problems: Vec<Problem>,
}

/// A parsed role policy. Serialises as the document: `{"version", "policies": [..]}`, keys in
/// the order the setup guide writes them.
#[derive(Debug, Clone, PartialEq)]
pub struct RolePolicy {
    /// The statements, in document order.
    pub statements: Vec<Statement>,
    /// Located warnings: unknown names (with the closest known one), unknown keys, conditions,
    /// duplicate statements, an empty list.
    pub warnings: Vec<Problem>,
}

impl Serialize for RolePolicy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut document = serializer.serialize_struct("RolePolicy", 2)?;
        document.serialize_field("version", VERSION)?;
        document.serialize_field("policies", &self.statements)?;
        document.end()
    }
}

/// Why [`RolePolicy::explain`] decided as it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Whether the action is allowed on the resource.
    pub allowed: bool,
    /// The index in `policies` of the statement that decided; `None` when nothing allowed it
    /// (denied by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
    /// That statement's effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// The decision in words, naming the statement (and conditions set aside, if any).
    pub message: String,
}

impl RolePolicy {
    /// Parses and validates a policy document given as JSON text.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let value: Value = serde_json::from_str(text).map_err(|e| PolicyError {
            problems: vec![Problem::at("(root)", format!("invalid JSON: {e}"))],
        })?;
        Self::from_json(&value)
    }

    /// Parses and validates a policy document.
    pub fn from_json(value: &Value) -> Result<Self, PolicyError> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let Some(root) = value.as_object() else {
            return Err(PolicyError { problems: vec![Problem::at("(root)", "expected a JSON object")] });
        };
        match root.get("version") {
            None => errors.push(Problem::at("version", format!("missing (expected \"{VERSION}\")"))),
            Some(Value::String(v)) if v == VERSION => {}
            Some(other) => errors.push(Problem::at("version", format!("unknown version {other} (expected \"{VERSION}\")"))),
        }
        for key in root.keys().filter(|k| !matches!(k.as_str(), "version" | "policies")) {
            warnings.push(Problem::at(key.clone(), "unknown key (ignored)"));
        }
        let mut statements = Vec::new();
        match root.get("policies") {
            None => errors.push(Problem::at("policies", "missing (expected an array of statements)")),
            Some(Value::Array(items)) => {
                if items.is_empty() {
                    warnings.push(Problem::at("policies", "no statements: the role allows nothing"));
                }
                let mut seen: Vec<(usize, Statement)> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if let Some(statement) = parse_statement(item, &format!("policies[{i}]"), &mut errors, &mut warnings) {
                        if let Some((first, _)) = seen.iter().find(|(_, s)| s.same_as(&statement)) {
                            warnings.push(Problem::at(format!("policies[{i}]"), format!("duplicates policies[{first}] (it changes nothing)")));
                        }
                        seen.push((i, statement.clone()));
                        statements.push(statement);
                    }
                }
            }
            Some(_) => errors.push(Problem::at("policies", "expected an array of statements")),
        }
        if errors.is_empty() {
            Ok(Self { statements, warnings })
        } else {
            Err(PolicyError { problems: errors })
        }
    }

    /// Whether the policy allows `action` on `resource`: some unconditional allow statement names
    /// both, and no deny statement does (deny wins; nothing is allowed by default).
    pub fn allows(&self, action: &Action, resource: &Resource) -> bool {
        self.explain(action, resource).allowed
    }

    /// [`RolePolicy::allows`] with the statement that decided: the first deny naming both (a
    /// conditional one included: its conditions can't be evaluated here, so it counts), else
    /// the first unconditional allow naming both, else none (denied by default).
    pub fn explain(&self, action: &Action, resource: &Resource) -> Explanation {
        let naming = |effect: Effect| self.statements.iter().enumerate().filter(move |(_, s)| s.effect == effect && s.names(action, resource));
        if let Some((i, deny)) = naming(Effect::Deny).next() {
            let conditional = if deny.conditions.is_some() { " (its conditions are not evaluated here, so it always applies)" } else { "" };
            return Explanation {
                allowed: false,
                statement: Some(i),
                effect: Some(Effect::Deny),
                message: format!("policies[{i}] denies \"{action}\" on \"{resource}\"{conditional}; deny wins"),
            };
        }
        if let Some((i, _)) = naming(Effect::Allow).find(|(_, s)| s.conditions.is_none()) {
            return Explanation {
                allowed: true,
                statement: Some(i),
                effect: Some(Effect::Allow),
                message: format!("policies[{i}] allows \"{action}\" on \"{resource}\""),
            };
        }
        let conditional: Vec<String> = naming(Effect::Allow).map(|(i, _)| format!("policies[{i}]")).collect();
        let message = if conditional.is_empty() {
            format!("no statement allows \"{action}\" on \"{resource}\": denied by default")
        } else {
            format!(
                "only {} allow(s) \"{action}\" on \"{resource}\", under conditions that are not evaluated here: denied by default",
                conditional.join(", ")
            )
        };
        Explanation { allowed: false, statement: None, effect: None, message }
    }

    /// [`RolePolicy::allows`] by wire names.
    pub fn allows_named(&self, action: &str, resource: &str) -> bool {
        self.allows(&Action::parse(action), &Resource::parse(resource))
    }

    /// Checks the policy against the catalog's needs (least privilege): `read` on the six
    /// resources, nothing more.
    ///
    /// Conditions can't be evaluated here, so both lists assume the worst: a conditional allow
    /// grants nothing towards `missing` but counts as a grant for `too_broad`; a conditional
    /// deny takes a needed read away but never takes a grant off `too_broad`.
    pub fn check_catalog_role(&self) -> CatalogRoleCheck {
        let missing: Vec<Resource> =
            Resource::CATALOG.iter().filter(|r| !self.allows(&Action::Read, r)).cloned().collect();
        let mut too_broad: Vec<Grant> = Vec::new();
        for statement in self.statements.iter().filter(|s| s.effect == Effect::Allow) {
            for action in &statement.actions {
                for resource in &statement.resources {
                    let grant = Grant { action: action.clone(), resource: resource.clone() };
                    let needed = grant.action == Action::Read && Resource::CATALOG.contains(&grant.resource);
                    let removed = self.statements.iter().any(|d| d.removes(&grant));
                    if !needed && !removed && !too_broad.contains(&grant) {
                        too_broad.push(grant);
                    }
                }
            }
        }
        CatalogRoleCheck { ok: missing.is_empty() && too_broad.is_empty(), missing, too_broad, warnings: self.warnings.clone() }
    }

    /// The JSON document as a value (keys sorted, as `serde_json::Value` keeps them; serialise
    /// the policy itself for the document's own key order).
    pub fn to_json(&self) -> Value {
        json!({ "version": VERSION, "policies": self.statements })
    }
}

/// The read-only role the catalog needs, exactly as seed 001 writes it.
pub fn catalog_role() -> RolePolicy {
    RolePolicy {
        statements: vec![Statement {
            effect: Effect::Allow,
            actions: vec![Action::Read],
            resources: Resource::CATALOG.to_vec(),
            conditions: None,
        }],
        warnings: Vec::new(),
    }
}

/// An action on a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// The action.
    pub action: Action,
    /// The resource.
    pub resource: Resource,
}

/// The least-privilege check of a pasted role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogRoleCheck {
    /// Read-only and covers all six resources.
    pub ok: bool,
    /// Resources the catalog needs `read` on but does not get.
    pub missing: Vec<Resource>,
    /// Grants beyond `read` on the six resources.
    pub too_broad: Vec<Grant>,
    /// The policy's located warnings.
    pub warnings: Vec<Problem>,
}

fn parse_statement(item: &Value, at: &str, errors: &mut Vec<Problem>, warnings: &mut Vec<Problem>) -> Option<Statement> {
    let Some(object) = item.as_object() else {
        errors.push(Problem::at(at, "expected an object"));
        return None;
    };
    let effect = match object.get("effect") {
        Some(Value::String(e)) if e == "allow" => Some(Effect::Allow),
        Some(Value::String(e)) if e == "deny" => Some(Effect::Deny),
        None => {
            errors.push(Problem::at(format!("{at}.effect"), "missing (expected \"allow\" or \"deny\")"));
            None
        }
        Some(other) => {
            errors.push(Problem::at(format!("{at}.effect"), format!("expected \"allow\" or \"deny\", got {other}")));
            None
        }
    };
    let actions = names(object.get("actions"), &format!("{at}.actions"), "action", KNOWN_ACTIONS, errors, warnings, |n| {
        let a = Action::parse(n);
        let known = !matches!(a, Action::Other(_));
        (a, known)
    });
    let resources = names(object.get("resource"), &format!("{at}.resource"), "resource", KNOWN_RESOURCES, errors, warnings, |n| {
        let r = Resource::parse(n);
        let known = !matches!(r, Resource::Other(_));
        (r, known)
    });
    for key in object.keys().filter(|k| !matches!(k.as_str(), "effect" | "actions" | "resource" | "conditions")) {
        warnings.push(Problem::at(format!("{at}.{key}"), "unknown key (ignored)"));
    }
    let conditions = object.get("conditions").filter(|c| !c.is_null()).cloned();
    if conditions.is_some() {
        warnings.push(Problem::at(
            format!("{at}.conditions"),
            "conditions are not evaluated here: a conditional allow grants nothing, a conditional deny always applies",
        ));
    }
    Some(Statement { effect: effect?, actions: actions?, resources: resources?, conditions })
}

/// The action names this crate knows (API-NOTES: the public list is not available).
const KNOWN_ACTIONS: &[&str] = &["read", "create", "update", "delete", "manage", "run", "preview", "approve"];
/// The resource names this crate knows: the six the catalog needs.
const KNOWN_RESOURCES: &[&str] = &["workspace", "source", "destination", "model", "sync", "sync_templates"];

/// The known name closest to `name`, when it is close enough to be a slip (a plural, a typo,
/// another case).
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::levenshtein(&lower, k), *k))
        .filter(|(distance, k)| *distance <= 2.max(k.len() / 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Reads a list of names (a single string is accepted as a one-item list).
fn names<T>(
    value: Option<&Value>,
    at: &str,
    what: &str,
    known_names: &[&str],
    errors: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
    parse: impl Fn(&str) -> (T, bool),
) -> Option<Vec<T>> {
    let items: Vec<&Value> = match value {
        None => {
            errors.push(Problem::at(at, format!("missing (expected a list of {what}s)")));
            return None;
        }
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::String(_)) => vec![single],
        Some(other) => {
            errors.push(Problem::at(at, format!("expected a list of {what}s, got {other}")));
            return None;
        }
    };
    if items.is_empty() {
        warnings.push(Problem::at(at, format!("no {what}s: the statement names nothing")));
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let here = if matches!(value, Some(Value::Array(_))) { format!("{at}[{i}]") } else { at.to_owned() };
        match item.as_str() {
            Some(name) => {
                let (parsed, known) = parse(name);
                if !known {
                    let hint = match closest(name, known_names) {
                        Some(near) => format!(": did you mean \"{near}\"?"),
                        None => format!(" (known: {}, *)", known_names.join(", ")),
                    };
                    warnings.push(Problem::at(here, format!("unknown {what} {name:?}{hint}")));
                }
                out.push(parsed);
            }
            None => {
                errors.push(Problem::at(here, format!("expected a {what} name, got {item}")));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The role of seed 001, verbatim.
    const SEED_ROLE: &str = r#"{
    "version": "2022-04-26",
    "policies": [
    {
    "effect": "allow",
    "actions": [
    "read"
    ],
    "resource": [
    "workspace",
    "source",
    "destination",
    "model",
    "sync",
    "sync_templates"
    ]
    }
    ]
    }"#;

    #[test]
    fn the_seed_role_reads_only_the_six_resources() {
        let role = RolePolicy::parse(SEED_ROLE).unwrap();
        assert!(role.warnings.is_empty());
        for r in ["workspace", "source", "destination", "model", "sync", "sync_templates"] {
            assert!(role.allows_named("read", r), "{r}");
            assert!(!role.allows_named("update", r), "{r}");
        }
        assert!(!role.allows_named("read", "audience"));
        let check = role.check_catalog_role();
        assert!(check.ok, "{check:?}");
    }

    #[test]
    fn the_generated_catalog_role_is_exactly_the_seeds() {
        let seed: Value = serde_json::from_str(SEED_ROLE).unwrap();
        assert_eq!(catalog_role().to_json(), seed);
        assert!(catalog_role().check_catalog_role().ok);
    }

    #[test]
    fn deny_wins_over_allow_and_nothing_is_allowed_by_default() {
        let role = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [
                {"effect": "allow", "actions": ["*"], "resource": "*"},
                {"effect": "deny", "actions": ["read"], "resource": ["destination"]}]}"#,
        )
        .unwrap();
        assert!(role.allows_named("delete", "sync"));
        assert!(!role.allows_named("read", "destination"));
        let empty = RolePolicy::parse(r#"{"version": "2022-04-26", "policies": []}"#).unwrap();
        assert!(!empty.allows_named("read", "workspace"));
    }

    #[test]
    fn a_broad_role_is_named_too_broad_and_a_partial_role_names_what_is_missing() {
        let broad = RolePolicy::parse(r#"{"version": "2022-04-26", "policies": [{"effect": "allow", "actions": ["*"], "resource": ["*"]}]}"#)
            .unwrap()
            .check_catalog_role();
        assert!(!broad.ok);
        assert!(broad.missing.is_empty());
        assert_eq!(broad.too_broad, vec![Grant { action: Action::Any, resource: Resource::Any }]);
        let partial = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [{"effect": "allow", "actions": ["read", "update"], "resource": ["workspace", "source"]}]}"#,
        )
        .unwrap()
        .check_catalog_role();
        assert_eq!(partial.missing, [Resource::Destination, Resource::Model, Resource::Sync, Resource::SyncTemplates]);
        assert_eq!(partial.too_broad.len(), 2);
        let json = serde_json::to_value(&partial).unwrap();
        assert_eq!(json["tooBroad"][0], json!({"action": "update", "resource": "workspace"}));
        assert_eq!(json["missing"][0], "destination");
    }

    #[test]
    fn unknown_names_are_located_warnings_and_match_nothing_else() {
        let role = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [{"effect": "allow", "actions": ["read", "reed"], "resource": ["sources", "model"]}]}"#,
        )
        .unwrap();
        let warnings: Vec<String> = role.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            [
                "policies[0].actions[1]: unknown action \"reed\": did you mean \"read\"?",
                "policies[0].resource[0]: unknown resource \"sources\": did you mean \"source\"?"
            ]
        );
        assert!(!role.allows_named("read", "source"));
        assert!(role.allows_named("read", "model"));
        assert!(role.check_catalog_role().warnings.len() == 2);
    }

    #[test]
    fn a_misspelt_name_is_matched_to_the_closest_known_one() {
        let role = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [{"effect": "allow", "actions": ["Read", "manag", "launch"], "resource": ["modle", "sync_template", "audience"]}]}"#,
        )
        .unwrap();
        let warnings: Vec<&str> = role.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(
            warnings,
            [
                "unknown action \"Read\": did you mean \"read\"?",
                "unknown action \"manag\": did you mean \"manage\"?",
                "unknown action \"launch\" (known: read, create, update, delete, manage, run, preview, approve, *)",
                "unknown resource \"modle\": did you mean \"model\"?",
                "unknown resource \"sync_template\": did you mean \"sync_templates\"?",
                "unknown resource \"audience\" (known: workspace, source, destination, model, sync, sync_templates, *)",
            ]
        );
        // Names are case-sensitive: a near miss grants nothing.
        assert!(!role.allows_named("read", "model"));
    }

    #[test]
    fn explain_names_the_deciding_statement() {
        let role = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [
                {"effect": "allow", "actions": ["*"], "resource": "*"},
                {"effect": "deny", "actions": ["delete"], "resource": ["sync"]},
                {"effect": "allow", "actions": ["run"], "resource": ["audience"], "conditions": {"id": ["1"]}}]}"#,
        )
        .unwrap();
        let e = role.explain(&Action::Read, &Resource::Model);
        assert_eq!((e.allowed, e.statement, e.effect), (true, Some(0), Some(Effect::Allow)));
        assert_eq!(e.message, "policies[0] allows \"read\" on \"model\"");
        let e = role.explain(&Action::Delete, &Resource::Sync);
        assert_eq!((e.allowed, e.statement, e.effect), (false, Some(1), Some(Effect::Deny)));
        assert!(e.message.ends_with("deny wins"), "{}", e.message);
        let readonly = catalog_role();
        let e = readonly.explain(&Action::Update, &Resource::Sync);
        assert_eq!((e.allowed, e.statement, e.effect), (false, None, None));
        assert_eq!(e.message, "no statement allows \"update\" on \"sync\": denied by default");
        let only_conditional = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [{"effect": "allow", "actions": ["read"], "resource": ["source"], "conditions": {"id": ["1"]}}]}"#,
        )
        .unwrap();
        let e = only_conditional.explain(&Action::Read, &Resource::Source);
        assert!(!e.allowed && e.statement.is_none());
        assert!(e.message.starts_with("only policies[0] allow(s)"), "{}", e.message);
        let json = serde_json::to_value(role.explain(&Action::Read, &Resource::Model)).unwrap();
        assert_eq!(json["effect"], "allow");
        assert_eq!(json["statement"], 0);
    }

    #[test]
    fn a_deny_overrides_a_wildcard_allow_and_still_leaves_the_rest_too_broad() {
        let role = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [
                {"effect": "allow", "actions": ["*"], "resource": ["*"]},
                {"effect": "deny", "actions": ["*"], "resource": ["destination"]}]}"#,
        )
        .unwrap();
        assert!(!role.allows_named("read", "destination"));
        let check = role.check_catalog_role();
        assert_eq!(check.missing, [Resource::Destination]);
        assert_eq!(check.too_broad, [Grant { action: Action::Any, resource: Resource::Any }]);
    }

    #[test]
    fn an_unconditional_deny_takes_a_grant_off_too_broad_but_a_conditional_one_does_not() {
        let role = |deny_conditions: &str| {
            RolePolicy::parse(&format!(
                r#"{{"version": "2022-04-26", "policies": [
                    {{"effect": "allow", "actions": ["read"], "resource": ["workspace", "source", "destination", "model", "sync", "sync_templates"]}},
                    {{"effect": "allow", "actions": ["update"], "resource": ["sync"]}},
                    {{"effect": "deny", "actions": ["update"], "resource": ["sync"]{deny_conditions}}}]}}"#
            ))
            .unwrap()
            .check_catalog_role()
        };
        let unconditional = role("");
        assert!(unconditional.ok, "{unconditional:?}");
        let conditional = role(r#", "conditions": {"sync": {"id": ["7"]}}"#);
        assert!(!conditional.ok);
        assert_eq!(conditional.too_broad, [Grant { action: Action::Update, resource: Resource::Sync }]);
        assert!(conditional.missing.is_empty());
    }

    #[test]
    fn a_conditional_allow_counts_as_too_broad_but_never_covers_a_need() {
        let check = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [{"effect": "allow", "actions": ["read", "delete"], "resource": ["workspace", "source", "destination", "model", "sync", "sync_templates"], "conditions": {"id": ["1"]}}]}"#,
        )
        .unwrap()
        .check_catalog_role();
        assert_eq!(check.missing.len(), 6);
        assert_eq!(check.too_broad.len(), 6);
        assert!(check.too_broad.iter().all(|g| g.action == Action::Delete));
    }

    #[test]
    fn duplicate_statements_and_an_empty_list_are_warnings() {
        let role = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [
                {"effect": "allow", "actions": ["read"], "resource": ["source", "model"]},
                {"effect": "allow", "actions": ["read"], "resource": ["model", "source"]},
                {"effect": "deny", "actions": ["read"], "resource": ["model", "source"]}]}"#,
        )
        .unwrap();
        let warnings: Vec<String> = role.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings, ["policies[1]: duplicates policies[0] (it changes nothing)"]);
        let empty = RolePolicy::parse(r#"{"version": "2022-04-26", "policies": []}"#).unwrap();
        assert_eq!(empty.warnings[0].to_string(), "policies: no statements: the role allows nothing");
        assert_eq!(empty.check_catalog_role().missing.len(), 6);
    }

    #[test]
    fn the_catalog_role_serialises_in_the_seeds_key_order() {
        let compact: String = SEED_ROLE.split_whitespace().collect();
        assert_eq!(serde_json::to_string(&catalog_role()).unwrap(), compact);
        let parsed = RolePolicy::parse(SEED_ROLE).unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), compact);
    }

    #[test]
    fn a_single_string_resource_reads_as_a_list_and_writes_as_one() {
        let role = RolePolicy::parse(r#"{"version": "2022-04-26", "policies": [{"effect": "allow", "actions": "read", "resource": "source"}]}"#).unwrap();
        assert!(role.allows_named("read", "source"));
        assert_eq!(
            serde_json::to_string(&role).unwrap(),
            r#"{"version":"2022-04-26","policies":[{"effect":"allow","actions":["read"],"resource":["source"]}]}"#
        );
    }

    #[test]
    fn unusable_documents_are_located_errors_all_at_once() {
        let err = RolePolicy::parse(
            r#"{"version": "2023-01-01", "policies": [{"effect": "permit", "actions": "read", "resource": [1]}, {"effect": "deny"}]}"#,
        )
        .unwrap_err();
        let problems: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "version: unknown version \"2023-01-01\" (expected \"2022-04-26\")",
                "policies[0].effect: expected \"allow\" or \"deny\", got \"permit\"",
                "policies[0].resource[0]: expected a resource name, got 1",
                "policies[1].actions: missing (expected a list of actions)",
                "policies[1].resource: missing (expected a list of resources)",
            ]
        );
        assert!(RolePolicy::parse("{not json").unwrap_err().to_string().contains("(root): invalid JSON"));
        assert!(RolePolicy::parse("[]").is_err());
    }

    #[test]
    fn a_conditional_allow_grants_nothing_and_a_conditional_deny_applies() {
        let role = RolePolicy::parse(
            r#"{"version": "2022-04-26", "policies": [
                {"effect": "allow", "actions": ["read"], "resource": ["source"], "conditions": {"source": {"id": ["1"]}}},
                {"effect": "allow", "actions": ["read"], "resource": ["model", "sync"]},
                {"effect": "deny", "actions": ["read"], "resource": ["sync"], "conditions": {"sync": {"id": ["2"]}}}]}"#,
        )
        .unwrap();
        assert!(!role.allows_named("read", "source"));
        assert!(role.allows_named("read", "model"));
        assert!(!role.allows_named("read", "sync"));
        assert_eq!(role.warnings.len(), 2);
    }
}
