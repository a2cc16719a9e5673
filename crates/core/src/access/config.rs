//! Reading and validating the access config. Every problem is collected with its JSON location
//! (`personas[2].policies[0].actions[1]: unknown action "reed"`) and a config with any problem is
//! refused whole: it never half-loads.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::{Map, Value};

use super::action::{Action, ActionFamily, AdminAction, Effect, GlossaryAction, PolicyKind, Role};
use super::decision::OwnerKind;
use super::model::{AccessConfig, Connection, ConnectionAdmins, Group, Persona, Policy, Purpose, Resource, User};
use super::qualified_name::QualifiedName;
use crate::masking::MaskType;

/// One problem in an access config, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigError {
    /// JSON path of the offending value, e.g. `personas[2].policies[0].actions[1]`; empty for
    /// the document itself.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

/// Every problem found in a refused access config (never empty).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(f, "invalid access config ({count} problem{}):", if count == 1 { "" } else { "s" })?;
        for error in &self.0 {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl ConfigErrors {
    /// The problems, in document order.
    pub fn errors(&self) -> &[ConfigError] {
        &self.0
    }
}

impl AccessConfig {
    /// Parses and validates a config from JSON text.
    pub fn from_json_str(text: &str) -> Result<AccessConfig, ConfigErrors> {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => AccessConfig::from_value(&value),
            Err(e) => Err(ConfigErrors(vec![ConfigError {
                location: String::new(),
                message: format!("not valid JSON: {e}"),
            }])),
        }
    }

    /// Parses and validates a config from a JSON value.
    pub fn from_value(value: &Value) -> Result<AccessConfig, ConfigErrors> {
        let mut reader = Reader::default();
        let config = reader.config(value);
        let mut errors = reader.errors;
        if let Some(config) = &config {
            check_references(config, &mut errors);
        }
        if errors.is_empty() {
            // `config` is only `None` when an error was recorded.
            config.ok_or_else(|| ConfigErrors(Vec::new()))
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// Checks a config built in code (parsing already runs every check): the same rules, the
    /// same located messages.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut errors = Vec::new();
        let mut non_empty = |location: String, text: &str| {
            if text.is_empty() {
                errors.push(error(location, "must not be empty"));
            }
        };
        for (i, user) in self.users.iter().enumerate() {
            non_empty(format!("users[{i}].name"), &user.name);
        }
        for (i, group) in self.groups.iter().enumerate() {
            non_empty(format!("groups[{i}].name"), &group.name);
        }
        for (i, connection) in self.connections.iter().enumerate() {
            non_empty(format!("connections[{i}].name"), &connection.name);
        }
        for (i, persona) in self.personas.iter().enumerate() {
            non_empty(format!("personas[{i}].name"), &persona.name);
            for (j, policy) in persona.policies.iter().enumerate() {
                non_empty(format!("personas[{i}].policies[{j}].name"), &policy.name);
            }
        }
        for (i, purpose) in self.purposes.iter().enumerate() {
            non_empty(format!("purposes[{i}].name"), &purpose.name);
            for (j, tag) in purpose.tags.iter().enumerate() {
                non_empty(format!("purposes[{i}].tags[{j}]"), tag);
            }
            for (j, policy) in purpose.policies.iter().enumerate() {
                non_empty(format!("purposes[{i}].policies[{j}].name"), &policy.name);
            }
        }
        for (p, persona) in self.personas.iter().enumerate() {
            for (i, policy) in persona.policies.iter().enumerate() {
                let at = format!("personas[{p}].policies[{i}]");
                check_policy(OwnerKind::Persona, &PolicyParts::of(policy), &at, &mut errors);
            }
        }
        for (p, purpose) in self.purposes.iter().enumerate() {
            if purpose.tags.is_empty() {
                errors.push(error(format!("purposes[{p}].tags"), "a purpose needs at least one tag"));
            }
            for (i, policy) in purpose.policies.iter().enumerate() {
                let at = format!("purposes[{p}].policies[{i}]");
                check_policy(OwnerKind::Purpose, &PolicyParts::of(policy), &at, &mut errors);
            }
        }
        for (c, connection) in self.connections.iter().enumerate() {
            check_connection_name(connection, &format!("connections[{c}]"), &mut errors);
        }
        check_references(self, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(errors))
        }
    }
}

impl<'de> serde::Deserialize<'de> for AccessConfig {
    /// Deserialises through [`AccessConfig::from_value`], so every check runs; the error lists
    /// every located problem.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        AccessConfig::from_value(&value).map_err(serde::de::Error::custom)
    }
}

fn error(location: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError { location: location.into(), message: message.into() }
}

fn child(parent: &str, field: &str) -> String {
    if parent.is_empty() {
        field.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Walks the JSON, building typed values and recording every problem.
#[derive(Default)]
struct Reader {
    errors: Vec<ConfigError>,
}

impl Reader {
    fn fail(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.errors.push(error(location, message));
    }

    /// The value as an object whose fields are all in `allowed`.
    fn object<'v>(&mut self, value: &'v Value, at: &str, allowed: &[&str]) -> Option<&'v Map<String, Value>> {
        let Value::Object(map) = value else {
            self.fail(at, format!("expected an object, found {}", describe(value)));
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.fail(child(at, key), format!("unknown field {key:?} (expected one of: {})", allowed.join(", ")));
            }
        }
        Some(map)
    }

    fn string(&mut self, map: &Map<String, Value>, field: &str, at: &str, required: bool) -> Option<String> {
        match map.get(field) {
            None | Some(Value::Null) if !required => None,
            None | Some(Value::Null) => {
                self.fail(child(at, field), "missing required field");
                None
            }
            Some(Value::String(s)) if s.is_empty() => {
                self.fail(child(at, field), "must not be empty");
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.fail(child(at, field), format!("expected a string, found {}", describe(other)));
                None
            }
        }
    }

    fn boolean(&mut self, map: &Map<String, Value>, field: &str, at: &str, default: bool) -> bool {
        match map.get(field) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.fail(child(at, field), format!("expected true or false, found {}", describe(other)));
                default
            }
        }
    }

    /// The elements of an array field, each with its location; absent or null is empty.
    fn array<'v>(&mut self, map: &'v Map<String, Value>, field: &str, at: &str, required: bool) -> Vec<(String, &'v Value)> {
        let location = child(at, field);
        match map.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(location, "missing required field");
                }
                Vec::new()
            }
            Some(Value::Array(items)) => {
                items.iter().enumerate().map(|(i, v)| (format!("{location}[{i}]"), v)).collect()
            }
            Some(other) => {
                self.fail(location, format!("expected an array, found {}", describe(other)));
                Vec::new()
            }
        }
    }

    fn strings(&mut self, map: &Map<String, Value>, field: &str, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (location, value) in self.array(map, field, at, false) {
            match value {
                Value::String(s) if !s.is_empty() => out.push(s.clone()),
                Value::String(_) => self.fail(location, "must not be empty"),
                other => self.fail(location, format!("expected a string, found {}", describe(other))),
            }
        }
        out
    }

    fn parsed<T>(&mut self, map: &Map<String, Value>, field: &str, at: &str, what: &str, parse: fn(&str) -> Option<T>, names: &[&str]) -> Option<T> {
        let text = self.string(map, field, at, true)?;
        let parsed = parse(&text);
        if parsed.is_none() {
            self.fail(child(at, field), format!("unknown {what} {text:?} (expected {})", names.join(", ")));
        }
        parsed
    }

    fn config(&mut self, value: &Value) -> Option<AccessConfig> {
        let map = self.object(value, "", &["$schema", "description", "users", "groups", "connections", "personas", "purposes"])?;
        if let Some(schema) = map.get("$schema") {
            if !schema.is_string() {
                self.fail("$schema", format!("expected a string, found {}", describe(schema)));
            }
        }
        if let Some(description) = map.get("description") {
            if !description.is_string() {
                self.fail("description", format!("expected a string, found {}", describe(description)));
            }
        }
        let users = self.array(map, "users", "", false).into_iter().filter_map(|(at, v)| self.user(v, &at)).collect();
        let groups = self.array(map, "groups", "", false).into_iter().filter_map(|(at, v)| self.group(v, &at)).collect();
        let connections =
            self.array(map, "connections", "", false).into_iter().filter_map(|(at, v)| self.connection(v, &at)).collect();
        let personas = self.array(map, "personas", "", false).into_iter().filter_map(|(at, v)| self.persona(v, &at)).collect();
        let purposes = self.array(map, "purposes", "", false).into_iter().filter_map(|(at, v)| self.purpose(v, &at)).collect();
        Some(AccessConfig { users, groups, connections, personas, purposes })
    }

    fn user(&mut self, value: &Value, at: &str) -> Option<User> {
        let map = self.object(value, at, &["name", "role", "groups", "email", "description"])?;
        let name = self.string(map, "name", at, true);
        let role = self.parsed(map, "role", at, "role", Role::parse, &["admin", "member", "guest"]);
        let groups = self.strings(map, "groups", at);
        self.string(map, "email", at, false);
        self.string(map, "description", at, false);
        // A user with a bad role is still returned so references to it don't cascade.
        Some(User { name: name.unwrap_or_default(), role: role.unwrap_or(Role::Guest), groups })
    }

    fn group(&mut self, value: &Value, at: &str) -> Option<Group> {
        match value {
            Value::String(s) if !s.is_empty() => Some(Group::new(s.clone())),
            Value::String(_) => {
                self.fail(at, "must not be empty");
                None
            }
            _ => {
                let map = self.object(value, at, &["name", "description"])?;
                self.string(map, "description", at, false);
                self.string(map, "name", at, true).map(Group::new)
            }
        }
    }

    fn connection(&mut self, value: &Value, at: &str) -> Option<Connection> {
        let map = self.object(value, at, &["qualifiedName", "name", "connector", "admins", "description"])?;
        let qn = self.string(map, "qualifiedName", at, true).and_then(|qn| match QualifiedName::parse(&qn) {
            Ok(qn) => Some(qn),
            Err(e) => {
                self.fail(child(at, "qualifiedName"), e.to_string());
                None
            }
        });
        let name = self.string(map, "name", at, true);
        let connector = self.string(map, "connector", at, true);
        self.string(map, "description", at, false);
        let admins_at = child(at, "admins");
        let admins = match map.get("admins") {
            None | Some(Value::Null) => ConnectionAdmins::default(),
            Some(admins) => match self.object(admins, &admins_at, &["users", "groups", "roles"]) {
                None => ConnectionAdmins::default(),
                Some(admins) => {
                    let users = self.strings(admins, "users", &admins_at);
                    let groups = self.strings(admins, "groups", &admins_at);
                    let mut roles = Vec::new();
                    for (location, role) in self.array(admins, "roles", &admins_at, false) {
                        match role.as_str().map(|r| (r, Role::parse(r))) {
                            Some((_, Some(role))) => roles.push(role),
                            Some((r, None)) => {
                                self.fail(location, format!("unknown role {r:?} (expected admin, member, guest)"))
                            }
                            None => self.fail(location, format!("expected a string, found {}", describe(role))),
                        }
                    }
                    ConnectionAdmins { users, groups, roles }
                }
            },
        };
        let connection = Connection {
            qualified_name: qn?,
            name: name.unwrap_or_default(),
            connector: connector.unwrap_or_default(),
            admins,
        };
        let mut errors = Vec::new();
        check_connection_name(&connection, at, &mut errors);
        self.errors.extend(errors);
        Some(connection)
    }

    fn persona(&mut self, value: &Value, at: &str) -> Option<Persona> {
        let map = self.object(value, at, &["name", "enabled", "users", "groups", "policies", "description"])?;
        let name = self.string(map, "name", at, true);
        self.string(map, "description", at, false);
        let enabled = self.boolean(map, "enabled", at, true);
        let users = self.strings(map, "users", at);
        let groups = self.strings(map, "groups", at);
        let policies = self
            .array(map, "policies", at, false)
            .into_iter()
            .filter_map(|(p_at, v)| self.policy(v, &p_at, OwnerKind::Persona))
            .collect();
        Some(Persona { name: name.unwrap_or_default(), enabled, users, groups, policies })
    }

    fn purpose(&mut self, value: &Value, at: &str) -> Option<Purpose> {
        let map =
            self.object(value, at, &["name", "enabled", "tags", "allUsers", "users", "groups", "policies", "description"])?;
        let name = self.string(map, "name", at, true);
        self.string(map, "description", at, false);
        let enabled = self.boolean(map, "enabled", at, true);
        let tags = self.strings(map, "tags", at);
        if tags.is_empty() && matches!(map.get("tags"), None | Some(Value::Array(_)) | Some(Value::Null)) {
            self.fail(child(at, "tags"), "a purpose needs at least one tag");
        }
        let all_users = self.boolean(map, "allUsers", at, false);
        let users = self.strings(map, "users", at);
        let groups = self.strings(map, "groups", at);
        let policies = self
            .array(map, "policies", at, false)
            .into_iter()
            .filter_map(|(p_at, v)| self.policy(v, &p_at, OwnerKind::Purpose))
            .collect();
        Some(Purpose { name: name.unwrap_or_default(), enabled, tags, all_users, users, groups, policies })
    }

    fn policy(&mut self, value: &Value, at: &str, owner: OwnerKind) -> Option<Policy> {
        let map = self.object(value, at, &["name", "kind", "effect", "actions", "resources", "mask", "enabled", "description"])?;
        let before = self.errors.len();
        let name = self.string(map, "name", at, true);
        self.string(map, "description", at, false);
        let kind = self.parsed(map, "kind", at, "policy kind", PolicyKind::parse, &["metadata", "data", "glossary", "domain"]);
        let effect = self.parsed(map, "effect", at, "effect", Effect::parse, &["allow", "deny", "mask"]);
        let enabled = self.boolean(map, "enabled", at, true);

        let mut actions = Vec::new();
        let action_values = self.array(map, "actions", at, true);
        let actions_empty = action_values.is_empty() && matches!(map.get("actions"), Some(Value::Array(_)));
        for (location, value) in action_values {
            let Some(text) = value.as_str() else {
                self.fail(location, format!("expected a string, found {}", describe(value)));
                continue;
            };
            match kind.map(|k| (k, Action::parse_in(k.family(), text))) {
                Some((_, Some(action))) => actions.push(action),
                Some((kind, None)) => self.fail(location, wrong_action_message(kind, text)),
                None if Action::families_of(text).is_empty() => {
                    self.fail(location, format!("unknown action {text:?}"))
                }
                None => {}
            }
        }

        let mut resources = Vec::new();
        let resource_values = self.array(map, "resources", at, false);
        let resources_given = !resource_values.is_empty();
        for (location, value) in resource_values {
            let Some(text) = value.as_str() else {
                self.fail(location, format!("expected a string, found {}", describe(value)));
                continue;
            };
            match Resource::parse(text) {
                Ok(resource) => resources.push((location, resource)),
                Err(e) => self.fail(location, e.to_string()),
            }
        }

        let mask_given = !matches!(map.get("mask"), None | Some(Value::Null));
        let mask = match map.get("mask") {
            None | Some(Value::Null) => None,
            Some(Value::String(m)) => match m.parse::<MaskType>() {
                Ok(mask) => Some(mask),
                Err(e) => {
                    self.fail(child(at, "mask"), e.to_string());
                    None
                }
            },
            Some(other) => {
                self.fail(child(at, "mask"), format!("expected a string, found {}", describe(other)));
                None
            }
        };

        let parts = PolicyParts {
            kind,
            effect,
            actions: &actions,
            actions_empty,
            resources: resources.iter().map(|(loc, r)| (Some(loc.as_str()), r)).collect(),
            resources_given,
            mask_given,
        };
        let mut errors = Vec::new();
        check_policy(owner, &parts, at, &mut errors);
        self.errors.extend(errors);

        if self.errors.len() > before {
            // The config is refused anyway; keep the name so duplicate checks stay accurate.
            return name.map(|name| Policy {
                name,
                kind: kind.unwrap_or(PolicyKind::Metadata),
                effect: effect.unwrap_or(Effect::Deny),
                actions: Vec::new(),
                resources: Vec::new(),
                mask: None,
                enabled,
            });
        }
        Some(Policy {
            name: name.unwrap_or_default(),
            kind: kind.unwrap_or(PolicyKind::Metadata),
            effect: effect.unwrap_or(Effect::Deny),
            actions,
            resources: resources.into_iter().map(|(_, r)| r).collect(),
            mask,
            enabled,
        })
    }
}

fn wrong_action_message(kind: PolicyKind, text: &str) -> String {
    let families = Action::families_of(text);
    if families.contains(&ActionFamily::Admin) {
        return format!("{text:?} is not granted by policies: a user who is both an admin and a connection admin has it");
    }
    if families.is_empty() {
        return format!("unknown action {text:?}");
    }
    let names: Vec<&str> = families.iter().map(|f| f.name()).collect();
    format!("{text:?} is a {} action, not a {} action", names.join("/"), kind.name())
}

/// The pieces of a policy that the per-policy rules look at; parts that failed to parse are
/// `None` so that one mistake doesn't produce a cascade of follow-on messages.
struct PolicyParts<'a> {
    kind: Option<PolicyKind>,
    effect: Option<Effect>,
    actions: &'a [Action],
    /// The policy lists no action at all (as opposed to only actions that failed to parse).
    actions_empty: bool,
    resources: Vec<(Option<&'a str>, &'a Resource)>,
    resources_given: bool,
    mask_given: bool,
}

impl<'a> PolicyParts<'a> {
    fn of(policy: &'a Policy) -> Self {
        PolicyParts {
            kind: Some(policy.kind),
            effect: Some(policy.effect),
            actions: &policy.actions,
            actions_empty: policy.actions.is_empty(),
            resources: policy.resources.iter().map(|r| (None, r)).collect(),
            resources_given: !policy.resources.is_empty(),
            mask_given: policy.mask.is_some(),
        }
    }
}

/// The per-policy rules of SPEC §2.
fn check_policy(owner: OwnerKind, parts: &PolicyParts<'_>, at: &str, errors: &mut Vec<ConfigError>) {
    if let Some(kind) = parts.kind {
        if owner == OwnerKind::Purpose && matches!(kind, PolicyKind::Glossary | PolicyKind::Domain) {
            errors.push(error(
                child(at, "kind"),
                format!("{} policies exist only in personas", kind.name()),
            ));
        }
        for (i, action) in parts.actions.iter().enumerate() {
            if action.family() != kind.family() {
                errors.push(error(format!("{}[{i}]", child(at, "actions")), wrong_action_message(kind, action.name())));
            }
        }
        if kind == PolicyKind::Glossary && parts.effect == Some(Effect::Deny) {
            if let Some(i) = parts.actions.iter().position(|a| *a == Action::Glossary(GlossaryAction::Read)) {
                errors.push(error(
                    format!("{}[{i}]", child(at, "actions")),
                    "glossary read is granted to everyone and cannot be denied",
                ));
            }
        }
        if parts.effect == Some(Effect::Mask) && kind != PolicyKind::Data {
            errors.push(error(child(at, "effect"), "effect \"mask\" exists only on data policies"));
        }
    }
    if parts.actions.contains(&Action::Admin(AdminAction::ManagePolicies)) {
        errors.push(error(child(at, "actions"), wrong_action_message(PolicyKind::Metadata, "manage-policies")));
    }
    match (parts.effect, parts.mask_given) {
        (Some(Effect::Mask), false) => {
            errors.push(error(child(at, "mask"), "a policy with effect \"mask\" needs a mask"));
        }
        (Some(Effect::Allow | Effect::Deny), true) => {
            errors.push(error(child(at, "mask"), "only a policy with effect \"mask\" takes a mask"));
        }
        _ => {}
    }
    match owner {
        OwnerKind::Purpose => {
            if parts.resources_given {
                errors.push(error(
                    child(at, "resources"),
                    "purpose policies have no resources: the purpose's tags scope them",
                ));
            }
        }
        OwnerKind::Persona => {
            if !parts.resources_given {
                errors.push(error(child(at, "resources"), "a persona policy needs at least one resource"));
            }
            for (i, (location, resource)) in parts.resources.iter().enumerate() {
                let location =
                    location.map(str::to_owned).unwrap_or_else(|| format!("{}[{i}]", child(at, "resources")));
                if let Some(kind) = parts.kind {
                    if !resource.fits(kind) {
                        errors.push(error(
                            location.clone(),
                            format!("resource \"{resource}\" does not fit a {} policy ({})", kind.name(), resource_hint(kind)),
                        ));
                        continue;
                    }
                }
                if let Resource::Entity(qn) = resource {
                    if qn.connection().is_none() {
                        errors.push(error(
                            location,
                            format!("resource \"{resource}\" must name a connection or an asset inside one (default/<connector>/<id>/…)"),
                        ));
                    }
                }
            }
        }
    }
    if parts.actions_empty {
        errors.push(error(child(at, "actions"), "a policy needs at least one action"));
    }
}

fn resource_hint(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Metadata | PolicyKind::Data => "use \"entity:<qualifiedName>\" or \"*\"",
        PolicyKind::Glossary => "use \"glossary:<name>\" or \"*\"",
        PolicyKind::Domain => "use \"domain:<qualifiedName>\" or \"*\"",
    }
}

fn check_connection_name(connection: &Connection, at: &str, errors: &mut Vec<ConfigError>) {
    let qn = connection.qualified_name.as_str();
    let segments: Vec<&str> = qn.split('/').collect();
    if segments.len() != 3 {
        errors.push(error(
            child(at, "qualifiedName"),
            format!("{qn:?} is not a connection qualified name (default/<connector>/<id>: three segments)"),
        ));
    } else if segments.get(1).copied() != Some(connection.connector.as_str()) && !connection.connector.is_empty() {
        errors.push(error(
            child(at, "connector"),
            format!(
                "connector {:?} does not match the qualified name {qn:?} (its second segment)",
                connection.connector
            ),
        ));
    }
    let connector = &connection.connector;
    if !connector.is_empty() && !connector.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        errors.push(error(child(at, "connector"), format!("connector {connector:?} must match ^[a-z0-9-]+$")));
    }
}

/// Cross-entity rules: unique names and references to declared users and groups.
fn check_references(config: &AccessConfig, errors: &mut Vec<ConfigError>) {
    fn unique<'a>(names: impl Iterator<Item = (String, &'a str)>, what: &str, errors: &mut Vec<ConfigError>) {
        let mut seen: HashMap<&str, String> = HashMap::new();
        for (location, name) in names {
            if name.is_empty() {
                continue;
            }
            match seen.get(name) {
                Some(first) => errors.push(error(location, format!("duplicate {what} {name:?} (first at {first})"))),
                None => {
                    seen.insert(name, location);
                }
            }
        }
    }
    unique(config.users.iter().enumerate().map(|(i, u)| (format!("users[{i}].name"), u.name.as_str())), "user", errors);
    unique(config.groups.iter().enumerate().map(|(i, g)| (format!("groups[{i}].name"), g.name.as_str())), "group", errors);
    unique(
        config.connections.iter().enumerate().map(|(i, c)| (format!("connections[{i}].qualifiedName"), c.qualified_name.as_str())),
        "connection",
        errors,
    );
    unique(config.personas.iter().enumerate().map(|(i, p)| (format!("personas[{i}].name"), p.name.as_str())), "persona", errors);
    unique(config.purposes.iter().enumerate().map(|(i, p)| (format!("purposes[{i}].name"), p.name.as_str())), "purpose", errors);
    for (i, persona) in config.personas.iter().enumerate() {
        unique(
            persona.policies.iter().enumerate().map(|(j, p)| (format!("personas[{i}].policies[{j}].name"), p.name.as_str())),
            "policy",
            errors,
        );
    }
    for (i, purpose) in config.purposes.iter().enumerate() {
        unique(
            purpose.policies.iter().enumerate().map(|(j, p)| (format!("purposes[{i}].policies[{j}].name"), p.name.as_str())),
            "policy",
            errors,
        );
    }

    let users: HashSet<&str> = config.users.iter().map(|u| u.name.as_str()).collect();
    let groups: HashSet<&str> = config.groups.iter().map(|g| g.name.as_str()).collect();
    let mut check = |location: String, names: &[String], known: &HashSet<&str>, what: &str| {
        for (i, name) in names.iter().enumerate() {
            if !known.contains(name.as_str()) {
                errors.push(error(format!("{location}[{i}]"), format!("unknown {what} {name:?} (not in {what}s)")));
            }
        }
    };
    for (i, user) in config.users.iter().enumerate() {
        check(format!("users[{i}].groups"), &user.groups, &groups, "group");
    }
    for (i, connection) in config.connections.iter().enumerate() {
        check(format!("connections[{i}].admins.users"), &connection.admins.users, &users, "user");
        check(format!("connections[{i}].admins.groups"), &connection.admins.groups, &groups, "group");
    }
    for (i, persona) in config.personas.iter().enumerate() {
        check(format!("personas[{i}].users"), &persona.users, &users, "user");
        check(format!("personas[{i}].groups"), &persona.groups, &groups, "group");
    }
    for (i, purpose) in config.purposes.iter().enumerate() {
        check(format!("purposes[{i}].users"), &purpose.users, &users, "user");
        check(format!("purposes[{i}].groups"), &purpose.groups, &groups, "group");
    }
}
