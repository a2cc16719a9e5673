//! The one place the sandbox decides whether a token's user may do something: every catalog
//! request passes through [`AccessControl::authorize`] (or [`AccessControl::authorize_admin`]).
//!
//! INTERIM: until `steward_core::access` lands, [`interim`] evaluates a minimal subset of the
//! access config (connection admins, persona metadata policies with deny-wins, the guest
//! ceiling, default deny). It is replaced by a call to core's decision function; callers don't
//! change.

use serde_json::Value;
use steward_core::catalog::error::{codes, ErrorBody};

/// A metadata action a request needs (names as in SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// `read`: see the asset, its tags and custom metadata.
    Read,
    /// `update`: change attributes, announcements included.
    Update,
    /// `update-custom-metadata`.
    UpdateCustomMetadata,
    /// `add-tags`.
    AddTags,
    /// `remove-tags`.
    RemoveTags,
    /// `create`.
    Create,
    /// `delete`.
    Delete,
}

impl Permission {
    /// The action's public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Update => "update",
            Self::UpdateCustomMetadata => "update-custom-metadata",
            Self::AddTags => "add-tags",
            Self::RemoveTags => "remove-tags",
            Self::Create => "create",
            Self::Delete => "delete",
        }
    }
}

/// What the access model needs to know of an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRef<'a> {
    /// Qualified name (the connection is its first three segments).
    pub qualified_name: &'a str,
    /// Type name.
    pub type_name: &'a str,
    /// Tag display names, direct and propagated.
    pub tags: Vec<&'a str>,
}

/// A refusal, naming the missing permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// Who asked.
    pub user: String,
    /// The missing permission (`add-tags`, `admin role`, …).
    pub permission: String,
    /// On which asset, when there is one.
    pub asset: Option<String>,
    /// Why: the decision's reason (`implicit-deny`, `deny-policy`, `guest-ceiling`, …).
    pub reason: String,
}

impl Denied {
    /// The catalog's 403 body.
    pub fn to_error_body(&self) -> ErrorBody {
        let on = self.asset.as_deref().map(|qn| format!(" on {qn}")).unwrap_or_default();
        ErrorBody::new(
            codes::UNAUTHORIZED_ACCESS,
            format!(
                "{} is not authorized to perform {}{on}: missing permission \"{}\" ({})",
                self.user, self.permission, self.permission, self.reason
            ),
        )
        .with_cause(format!("missing permission: {}", self.permission))
    }
}

/// The tenant's access config (SPEC §2 JSON) and its compiled form.
#[derive(Debug, Clone)]
pub struct AccessControl {
    config: Value,
    model: interim::Model,
}

impl AccessControl {
    /// Reads an access config.
    pub fn from_json(config: Value) -> Result<Self, String> {
        let model = interim::Model::from_json(&config)?;
        Ok(Self { config, model })
    }

    /// The config as given.
    pub fn config(&self) -> &Value {
        &self.config
    }

    /// The user's role (`admin`, `member`, `guest`), if the user exists.
    pub fn role_of(&self, user: &str) -> Option<&str> {
        self.model.role_of(user)
    }

    /// May `user` do `permission` on `asset`?
    pub fn authorize(&self, user: &str, permission: Permission, asset: &AssetRef<'_>) -> Result<(), Denied> {
        self.model.decide(user, permission, asset).map_err(|reason| Denied {
            user: user.to_owned(),
            permission: permission.as_str().to_owned(),
            asset: Some(asset.qualified_name.to_owned()),
            reason: reason.to_owned(),
        })
    }

    /// Is `user` an admin user (needed to create type definitions)?
    pub fn authorize_admin(&self, user: &str) -> Result<(), Denied> {
        if self.role_of(user) == Some("admin") {
            Ok(())
        } else {
            Err(Denied {
                user: user.to_owned(),
                permission: "admin-role".to_owned(),
                asset: None,
                reason: "only admin users may create or change type definitions".to_owned(),
            })
        }
    }
}

/// INTERIM rule (see the module doc), deliberately small.
mod interim {
    use serde::Deserialize;
    use serde_json::Value;

    use super::{AssetRef, Permission};

    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default)]
    struct User {
        name: String,
        role: String,
        groups: Vec<String>,
    }

    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default)]
    struct Admins {
        users: Vec<String>,
        groups: Vec<String>,
        roles: Vec<String>,
    }

    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "camelCase")]
    struct Connection {
        qualified_name: String,
        admins: Admins,
    }

    #[derive(Debug, Clone, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Policy {
        #[serde(default)]
        kind: String,
        #[serde(default)]
        effect: String,
        #[serde(default)]
        actions: Vec<String>,
        #[serde(default)]
        resources: Vec<String>,
        #[serde(default = "yes")]
        enabled: bool,
    }

    #[derive(Debug, Clone, Deserialize)]
    struct Persona {
        #[serde(default = "yes")]
        enabled: bool,
        #[serde(default)]
        users: Vec<String>,
        #[serde(default)]
        groups: Vec<String>,
        #[serde(default)]
        policies: Vec<Policy>,
    }

    fn yes() -> bool {
        true
    }

    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default)]
    pub(super) struct Model {
        users: Vec<User>,
        connections: Vec<Connection>,
        personas: Vec<Persona>,
    }

    impl Model {
        pub(super) fn from_json(config: &Value) -> Result<Self, String> {
            serde_json::from_value(config.clone()).map_err(|e| format!("access config: {e}"))
        }

        pub(super) fn role_of(&self, user: &str) -> Option<&str> {
            self.users.iter().find(|u| u.name == user).map(|u| u.role.as_str())
        }

        pub(super) fn decide(&self, user: &str, permission: Permission, asset: &AssetRef<'_>) -> Result<(), &'static str> {
            let Some(who) = self.users.iter().find(|u| u.name == user) else { return Err("implicit-deny") };
            let member = |users: &[String], groups: &[String]| {
                users.contains(&who.name) || groups.iter().any(|g| who.groups.contains(g))
            };
            let action = permission.as_str();
            let applicable = self
                .personas
                .iter()
                .filter(|p| p.enabled && member(&p.users, &p.groups))
                .flat_map(|p| &p.policies)
                .filter(|p| p.enabled && p.kind == "metadata" && p.actions.iter().any(|a| a == action || a == "*"))
                .filter(|p| p.resources.iter().any(|r| covers(r, asset.qualified_name)));
            let (denies, allows): (Vec<&Policy>, Vec<&Policy>) = applicable.partition(|p| p.effect == "deny");
            if !denies.is_empty() {
                return Err("deny-policy");
            }
            let connection_admin = self.connections.iter().any(|c| {
                within(asset.qualified_name, &c.qualified_name)
                    && (member(&c.admins.users, &c.admins.groups) || c.admins.roles.contains(&who.role))
            });
            let granted = connection_admin || !allows.is_empty();
            if granted && who.role == "guest" && permission != Permission::Read {
                return Err("guest-ceiling");
            }
            if granted {
                Ok(())
            } else {
                Err("implicit-deny")
            }
        }
    }

    /// `entity:<QN>` covers that asset and everything below it, at a `/` boundary.
    fn covers(resource: &str, qualified_name: &str) -> bool {
        match resource.strip_prefix("entity:") {
            Some(prefix) => within(qualified_name, prefix),
            None => resource == "*",
        }
    }

    fn within(qualified_name: &str, prefix: &str) -> bool {
        qualified_name == prefix
            || qualified_name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> AccessControl {
        AccessControl::from_json(serde_json::from_str(include_str!("../../demo/access-config.json")).unwrap()).unwrap()
    }

    fn table(qn: &str) -> AssetRef<'_> {
        AssetRef { qualified_name: qn, type_name: "Table", tags: vec![] }
    }

    #[test]
    fn the_demo_users_get_what_the_readme_promises() {
        let access = demo();
        let sales = table("default/snowflake/1700000000/SALES_DB/SALES/ORDERS");
        let finance = table("default/snowflake/1700000000/FINANCE_DB/LEDGER/ACCOUNTS");
        let postgres = table("default/postgres/1700000100/APP/PUBLIC/USERS");
        let integration = "service-account-apikey-integration";
        for p in [Permission::Read, Permission::Update, Permission::UpdateCustomMetadata, Permission::AddTags, Permission::RemoveTags] {
            assert!(access.authorize(integration, p, &finance).is_ok(), "{p:?}");
            assert!(access.authorize("sandbox-admin", p, &postgres).is_ok(), "{p:?}");
        }
        assert_eq!(access.authorize(integration, Permission::Create, &sales).unwrap_err().reason, "implicit-deny");
        assert!(access.authorize(integration, Permission::Read, &postgres).is_err());
        assert!(access.authorize("sandbox-guest", Permission::Read, &sales).is_ok());
        assert!(access.authorize("sandbox-guest", Permission::Read, &finance).is_err());
        let denied = access.authorize("sandbox-guest", Permission::AddTags, &sales).unwrap_err();
        assert_eq!(denied.reason, "guest-ceiling");
        assert!(denied.to_error_body().error_message.contains("missing permission \"add-tags\""));
        assert!(access.authorize("nobody", Permission::Read, &sales).is_err());
        assert!(access.authorize_admin("sandbox-admin").is_ok());
        assert!(access.authorize_admin(integration).is_err());
    }

    #[test]
    fn resources_cover_at_path_boundaries_only() {
        let access = demo();
        let lookalike = table("default/snowflake/1700000000/SALES_DB2/S/T");
        assert!(access.authorize("sandbox-guest", Permission::Read, &lookalike).is_err());
    }
}
