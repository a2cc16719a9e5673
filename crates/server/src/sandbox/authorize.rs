//! The one place the sandbox decides whether a token's user may do something: every catalog
//! request passes through [`AccessControl::authorize`] (or [`AccessControl::authorize_admin`]),
//! which asks core's decision function — the same `decide` a user previews in the page.

use serde_json::Value;
use steward_core::access::{qualified_name, AccessConfig, Decision, OwnerKind, PolicyEngine, RequestView, Role};
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
    /// The missing permission (`add-tags`, `admin-role`, …).
    pub permission: String,
    /// On which asset, when there is one.
    pub asset: Option<String>,
    /// Why: the decision's reason (`implicit-deny`, `deny-policy`, `guest-ceiling`, …) and the
    /// deciding policy, or why the request could not be decided.
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

/// Types of the access-control entities: only admin users read or write them.
const ACCESS_CONTROL_TYPES: [&str; 3] = ["Persona", "Purpose", "AuthPolicy"];

/// The tenant's access config (SPEC §2 JSON), validated and compiled once.
#[derive(Debug, Clone)]
pub struct AccessControl {
    config: Value,
    typed: AccessConfig,
    engine: PolicyEngine,
}

impl AccessControl {
    /// Reads, validates and compiles an access config; errors are located.
    pub fn from_json(config: Value) -> Result<Self, String> {
        let typed = AccessConfig::from_value(&config).map_err(|e| format!("access config: {e}"))?;
        let engine = PolicyEngine::compile(&typed).map_err(|e| format!("access config: {e}"))?;
        Ok(Self { config, typed, engine })
    }

    /// The config as given.
    pub fn config(&self) -> &Value {
        &self.config
    }

    /// The config as typed values.
    pub fn typed(&self) -> &AccessConfig {
        &self.typed
    }

    /// The user's role (`admin`, `member`, `guest`), if the user exists.
    pub fn role_of(&self, user: &str) -> Option<&str> {
        self.typed.users.iter().find(|u| u.name == user).map(|u| u.role.name())
    }

    /// May `user` do `permission` on `asset`? Asks core's `decide`.
    pub fn authorize(&self, user: &str, permission: Permission, asset: &AssetRef<'_>) -> Result<(), Denied> {
        let denied = |reason: String| Denied {
            user: user.to_owned(),
            permission: permission.as_str().to_owned(),
            asset: Some(asset.qualified_name.to_owned()),
            reason,
        };
        if ACCESS_CONTROL_TYPES.contains(&asset.type_name) {
            return self.authorize_admin(user).map_err(|d| denied(d.reason));
        }
        let decision = self.decide(user, permission, asset).map_err(denied)?;
        if decision.allowed {
            return Ok(());
        }
        let by = decision
            .decided_by
            .as_ref()
            .map(|p| {
                let owner = match p.owner() {
                    OwnerKind::Persona => "persona",
                    OwnerKind::Purpose => "purpose",
                };
                format!(": {owner} {:?} policy {:?}", p.owner_name(), p.policy())
            })
            .unwrap_or_default();
        Err(denied(format!("{}{by}", decision.reason.name())))
    }

    /// Whether [`AccessControl::authorize`] would allow it (without explaining a refusal).
    pub fn allows(&self, user: &str, permission: Permission, asset: &AssetRef<'_>) -> bool {
        if ACCESS_CONTROL_TYPES.contains(&asset.type_name) {
            return self.authorize_admin(user).is_ok();
        }
        self.decide(user, permission, asset).is_ok_and(|d| d.allowed)
    }

    /// Core's decision on the request, or why it could not be decided.
    fn decide(&self, user: &str, permission: Permission, asset: &AssetRef<'_>) -> Result<Decision, String> {
        qualified_name::check(asset.qualified_name).map_err(|e| e.to_string())?;
        let request = RequestView {
            user,
            action: permission.as_str(),
            qualified_name: asset.qualified_name,
            type_name: asset.type_name,
            tags: &asset.tags,
            glossary: None,
        };
        self.engine.decide_view(&request).map_err(|e| e.to_string())
    }

    /// Is `user` an admin user (needed to create type definitions and access-control
    /// entities)?
    pub fn authorize_admin(&self, user: &str) -> Result<(), Denied> {
        let admin = self.typed.users.iter().any(|u| u.name == user && u.role == Role::Admin);
        if admin {
            Ok(())
        } else {
            Err(Denied {
                user: user.to_owned(),
                permission: "admin-role".to_owned(),
                asset: None,
                reason: "only admin users may do this".to_owned(),
            })
        }
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
        let persona = AssetRef { qualified_name: "default/p1", type_name: "Persona", tags: vec![] };
        assert!(access.authorize("sandbox-admin", Permission::Read, &persona).is_ok());
        assert!(access.authorize(integration, Permission::Read, &persona).is_err());
        assert!(access.authorize(integration, Permission::Read, &postgres).is_err());
        assert!(access.authorize("sandbox-guest", Permission::Read, &sales).is_ok());
        assert!(access.authorize("sandbox-guest", Permission::Read, &finance).is_err());
        let denied = access.authorize("sandbox-guest", Permission::AddTags, &sales).unwrap_err();
        assert!(denied.reason.starts_with("guest-ceiling"), "{}", denied.reason);
        assert!(denied.to_error_body().error_message.contains("missing permission \"add-tags\""));
        assert!(access.authorize("nobody", Permission::Read, &sales).is_err());
        assert!(access.authorize_admin("sandbox-admin").is_ok());
        assert!(access.authorize_admin(integration).is_err());
    }

    #[test]
    fn the_restricted_integration_is_refused_hr_and_the_unconfigured_member_everything() {
        let access = demo();
        let hr = table("default/snowflake/1700000000/FINANCE_DB/HR/EMPLOYEES");
        let ledger = table("default/snowflake/1700000000/FINANCE_DB/LEDGER/ACCOUNTS");
        let restricted = "service-account-apikey-restricted";
        for p in [Permission::Read, Permission::Update, Permission::UpdateCustomMetadata, Permission::AddTags, Permission::RemoveTags] {
            assert!(access.authorize(restricted, p, &ledger).is_ok(), "{p:?}");
            let denied = access.authorize(restricted, p, &hr).unwrap_err();
            assert!(denied.reason.starts_with("deny-policy") && denied.reason.contains("No HR metadata"), "{}", denied.reason);
            assert!(!access.allows(restricted, p, &hr));
            assert!(!access.allows("service-account-apikey-unconfigured", p, &ledger), "{p:?}");
        }
        assert_eq!(access.authorize("service-account-apikey-unconfigured", Permission::Read, &ledger).unwrap_err().reason, "implicit-deny");
    }

    #[test]
    fn resources_cover_at_path_boundaries_only() {
        let access = demo();
        let lookalike = table("default/snowflake/1700000000/SALES_DB2/S/T");
        assert!(access.authorize("sandbox-guest", Permission::Read, &lookalike).is_err());
    }
}
