//! The access config (SPEC §2): users, groups, connections, personas, purposes and policies,
//! as typed values. Build one from JSON with [`AccessConfig::from_json_str`] or
//! [`AccessConfig::from_value`] (see `config.rs`), which validate everything and refuse a config
//! with any problem.

use std::fmt;

use serde::Serialize;

use super::action::{Action, Effect, PolicyKind, Role};
use super::qualified_name::QualifiedName;
use crate::masking::MaskType;

/// The whole access config: one JSON document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessConfig {
    /// Every user a policy or connection may name.
    pub users: Vec<User>,
    /// Every group a user, policy or connection may name.
    pub groups: Vec<Group>,
    /// Connections and their admins.
    pub connections: Vec<Connection>,
    /// Personas: policies scoped by resource, for their members.
    pub personas: Vec<Persona>,
    /// Purposes: policies scoped by tag, for their audience.
    pub purposes: Vec<Purpose>,
}

/// A user of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Username, unique in the config.
    pub name: String,
    /// The user's role.
    pub role: Role,
    /// Names of the groups the user belongs to.
    pub groups: Vec<String>,
}

/// A group of users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Group name, unique in the config.
    pub name: String,
}

/// A connection to a data source and who administers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// `default/<connector>/<epoch>`: exactly three segments.
    pub qualified_name: QualifiedName,
    /// Display name.
    pub name: String,
    /// Connector, the second segment of the qualified name (`snowflake`, `looker`, …).
    pub connector: String,
    /// The connection admins.
    pub admins: ConnectionAdmins,
}

/// The connection admins: named users, members of named groups, and holders of named roles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionAdmins {
    /// Usernames.
    pub users: Vec<String>,
    /// Group names.
    pub groups: Vec<String>,
    /// Roles whose every holder is an admin of the connection.
    pub roles: Vec<Role>,
}

/// A persona: a set of members and the policies they get, scoped by resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Persona {
    /// Name, unique among personas.
    pub name: String,
    /// A disabled persona does nothing.
    pub enabled: bool,
    /// Member usernames.
    pub users: Vec<String>,
    /// Member group names.
    pub groups: Vec<String>,
    /// The persona's policies (any of the four kinds).
    pub policies: Vec<Policy>,
}

/// A purpose: policies scoped by tag, for everyone or for named users and groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Purpose {
    /// Name, unique among purposes.
    pub name: String,
    /// A disabled purpose does nothing.
    pub enabled: bool,
    /// Tags (display names): the purpose covers assets carrying any of them.
    pub tags: Vec<String>,
    /// Applies to every user.
    pub all_users: bool,
    /// Usernames it applies to.
    pub users: Vec<String>,
    /// Group names it applies to.
    pub groups: Vec<String>,
    /// The purpose's policies (metadata and data only, without resources).
    pub policies: Vec<Policy>,
}

/// One policy of a persona or a purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Name, unique within its persona or purpose.
    pub name: String,
    /// Which family of actions it governs.
    pub kind: PolicyKind,
    /// Allow, deny or (data policies only) mask.
    pub effect: Effect,
    /// Actions of the kind's family.
    pub actions: Vec<Action>,
    /// What it covers (persona policies); empty for purpose policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    /// The mask of an `effect: "mask"` policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<MaskType>,
    /// A disabled policy does nothing.
    pub enabled: bool,
}

/// What a persona policy covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `*`: everything of the policy's kind.
    All,
    /// `entity:<qualifiedName>`: that asset and every asset below it (metadata and data).
    Entity(QualifiedName),
    /// `glossary:<name>`: that glossary's terms and categories (glossary policies).
    Glossary(String),
    /// `domain:<qualifiedName>`: that domain and everything below it (domain policies).
    Domain(QualifiedName),
}

/// Why a resource string is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// Not `*` and no known prefix.
    #[error("malformed resource {0:?} (expected \"*\", \"entity:<qualifiedName>\", \"glossary:<name>\" or \"domain:<qualifiedName>\")")]
    UnknownForm(String),
    /// A qualified name that is empty or has an empty segment.
    #[error("malformed resource {resource:?}: {reason}")]
    BadQualifiedName {
        /// The resource as written.
        resource: String,
        /// What is wrong with its qualified name.
        reason: super::qualified_name::QualifiedNameError,
    },
    /// `glossary:` with no name.
    #[error("malformed resource {0:?}: the glossary name is empty")]
    EmptyGlossary(String),
}

impl Resource {
    /// Parses `*`, `entity:<QN>`, `glossary:<name>` or `domain:<QN>`.
    pub fn parse(s: &str) -> Result<Resource, ResourceError> {
        let qualified = |qn: &str, make: fn(QualifiedName) -> Resource| {
            QualifiedName::parse(qn)
                .map(make)
                .map_err(|reason| ResourceError::BadQualifiedName { resource: s.to_owned(), reason })
        };
        if s == "*" {
            Ok(Resource::All)
        } else if let Some(qn) = s.strip_prefix("entity:") {
            qualified(qn, Resource::Entity)
        } else if let Some(qn) = s.strip_prefix("domain:") {
            qualified(qn, Resource::Domain)
        } else if let Some(name) = s.strip_prefix("glossary:") {
            if name.is_empty() {
                Err(ResourceError::EmptyGlossary(s.to_owned()))
            } else {
                Ok(Resource::Glossary(name.to_owned()))
            }
        } else {
            Err(ResourceError::UnknownForm(s.to_owned()))
        }
    }

    /// The policy kinds this resource form can scope.
    pub fn fits(&self, kind: PolicyKind) -> bool {
        match self {
            Resource::All => true,
            Resource::Entity(_) => matches!(kind, PolicyKind::Metadata | PolicyKind::Data),
            Resource::Glossary(_) => kind == PolicyKind::Glossary,
            Resource::Domain(_) => kind == PolicyKind::Domain,
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::All => f.write_str("*"),
            Resource::Entity(qn) => write!(f, "entity:{qn}"),
            Resource::Glossary(name) => write!(f, "glossary:{name}"),
            Resource::Domain(qn) => write!(f, "domain:{qn}"),
        }
    }
}

impl Serialize for Resource {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl std::str::FromStr for Resource {
    type Err = ResourceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Resource::parse(s)
    }
}

impl Group {
    /// A group with this name.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}
