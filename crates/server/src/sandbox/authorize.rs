//! The one place the sandbox asks core whether a caller may do something, and the server holds
//! no rule of its own: every catalog request passes through [`AccessControl::authorize`] (or
//! [`AccessControl::authorize_admin`]), which asks core's decision function — the same `decide`
//! a user previews in the page — or core's admin rule; every Hightouch list passes through
//! [`authorize_hightouch`], which asks the key's role policy as core evaluates it (SPEC §4).

use serde_json::Value;
use steward_core::access::{qualified_name, rules, AccessConfig, Decision, MetadataAction, OwnerKind, PolicyEngine, RequestView, Role};
use steward_core::catalog::access_entities;
use steward_core::catalog::error::{codes, ErrorBody};
use steward_core::hightouch::api::ListEndpoint;
use steward_core::hightouch::policy::{self, RolePolicy};

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

    /// The user's role, if the user exists.
    pub fn role_of(&self, user: &str) -> Option<Role> {
        self.typed.users.iter().find(|u| u.name == user).map(|u| u.role)
    }

    /// May `user` do `action` on `asset`? On an access-control entity core's admin rule decides
    /// (the catalog's wire layer says which types need it); on every other asset, core's
    /// `decide`.
    pub fn authorize(&self, user: &str, action: MetadataAction, asset: &AssetRef<'_>) -> Result<(), Denied> {
        let denied = |reason: String| Denied {
            user: user.to_owned(),
            permission: action.name().to_owned(),
            asset: Some(asset.qualified_name.to_owned()),
            reason,
        };
        if access_entities::needs_admin(asset.type_name) {
            return self.authorize_admin(user).map_err(|d| denied(d.reason));
        }
        let decision = self.decide(user, action, asset).map_err(denied)?;
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
    pub fn allows(&self, user: &str, action: MetadataAction, asset: &AssetRef<'_>) -> bool {
        if access_entities::needs_admin(asset.type_name) {
            return self.authorize_admin(user).is_ok();
        }
        self.decide(user, action, asset).is_ok_and(|d| d.allowed)
    }

    /// Core's decision on the request, or why it could not be decided. Core resolves the
    /// metadata action in the family the asset's type takes (SPEC §2): on a glossary or domain
    /// asset it is that family's action of the same name, or an error, never a grant.
    fn decide(&self, user: &str, action: MetadataAction, asset: &AssetRef<'_>) -> Result<Decision, String> {
        qualified_name::check(asset.qualified_name).map_err(|e| e.to_string())?;
        let request = RequestView {
            user,
            action: action.name(),
            qualified_name: asset.qualified_name,
            type_name: asset.type_name,
            tags: &asset.tags,
            glossary: None,
        };
        self.engine.decide_view(&request).map_err(|e| e.to_string())
    }

    /// May `user` change the catalog's own configuration (type definitions, access-control
    /// entities)? Asks core's admin rule.
    pub fn authorize_admin(&self, user: &str) -> Result<(), Denied> {
        match rules::admin_only(self.role_of(user)) {
            None => Ok(()),
            Some(_) => Err(Denied {
                user: user.to_owned(),
                permission: "admin-role".to_owned(),
                asset: None,
                reason: "only admin users may do this".to_owned(),
            }),
        }
    }
}

/// A Hightouch key's role policy does not allow a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HightouchDenied {
    /// The action the list needs.
    pub action: policy::Action,
    /// On which resource.
    pub resource: policy::Resource,
}

impl HightouchDenied {
    /// Hightouch's 403 message.
    pub fn message(&self) -> String {
        format!("Forbidden: this API key's role does not allow \"{}\" on \"{}\"", self.action, self.resource)
    }
}

/// May a key bound to `role` call `endpoint`? Core's wire layer says what the endpoint needs,
/// core's role-policy evaluation answers (SPEC §4).
pub fn authorize_hightouch(role: &RolePolicy, endpoint: ListEndpoint) -> Result<(), HightouchDenied> {
    let (action, resource) = (endpoint.action(), endpoint.resource());
    if role.allows(&action, &resource) {
        Ok(())
    } else {
        Err(HightouchDenied { action, resource })
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
        for p in [MetadataAction::Read, MetadataAction::Update, MetadataAction::UpdateCustomMetadata, MetadataAction::AddTags, MetadataAction::RemoveTags] {
            assert!(access.authorize(integration, p, &finance).is_ok(), "{p:?}");
            assert!(access.authorize("sandbox-admin", p, &postgres).is_ok(), "{p:?}");
        }
        assert_eq!(access.authorize(integration, MetadataAction::Create, &sales).unwrap_err().reason, "implicit-deny");
        let persona = AssetRef { qualified_name: "default/p1", type_name: "Persona", tags: vec![] };
        assert!(access.authorize("sandbox-admin", MetadataAction::Read, &persona).is_ok());
        assert!(access.authorize(integration, MetadataAction::Read, &persona).is_err());
        assert!(access.authorize(integration, MetadataAction::Read, &postgres).is_err());
        assert!(access.authorize("sandbox-guest", MetadataAction::Read, &sales).is_ok());
        assert!(access.authorize("sandbox-guest", MetadataAction::Read, &finance).is_err());
        let denied = access.authorize("sandbox-guest", MetadataAction::AddTags, &sales).unwrap_err();
        assert!(denied.reason.starts_with("guest-ceiling"), "{}", denied.reason);
        assert!(denied.to_error_body().error_message.contains("missing permission \"add-tags\""));
        assert!(access.authorize("nobody", MetadataAction::Read, &sales).is_err());
        assert!(access.authorize_admin("sandbox-admin").is_ok());
        assert!(access.authorize_admin(integration).is_err());
    }

    #[test]
    fn the_restricted_integration_is_refused_hr_and_the_unconfigured_member_everything() {
        let access = demo();
        let hr = table("default/snowflake/1700000000/FINANCE_DB/HR/EMPLOYEES");
        let ledger = table("default/snowflake/1700000000/FINANCE_DB/LEDGER/ACCOUNTS");
        let restricted = "service-account-apikey-restricted";
        for p in [MetadataAction::Read, MetadataAction::Update, MetadataAction::UpdateCustomMetadata, MetadataAction::AddTags, MetadataAction::RemoveTags] {
            assert!(access.authorize(restricted, p, &ledger).is_ok(), "{p:?}");
            let denied = access.authorize(restricted, p, &hr).unwrap_err();
            assert!(denied.reason.starts_with("deny-policy") && denied.reason.contains("No HR metadata"), "{}", denied.reason);
            assert!(!access.allows(restricted, p, &hr));
            assert!(!access.allows("service-account-apikey-unconfigured", p, &ledger), "{p:?}");
        }
        assert_eq!(access.authorize("service-account-apikey-unconfigured", MetadataAction::Read, &ledger).unwrap_err().reason, "implicit-deny");
    }

    #[test]
    fn a_hightouch_key_lists_only_what_its_role_policy_allows() {
        let readonly = policy::catalog_role();
        for endpoint in [ListEndpoint::Sources, ListEndpoint::Destinations, ListEndpoint::Models, ListEndpoint::Syncs, ListEndpoint::SyncRuns] {
            assert!(authorize_hightouch(&readonly, endpoint).is_ok(), "{endpoint:?}");
        }
        let partial = RolePolicy::from_json(&serde_json::json!({"version": policy::VERSION, "policies": [
            {"effect": "allow", "actions": ["read"], "resource": ["workspace", "source", "model"]}]}))
        .unwrap();
        assert!(authorize_hightouch(&partial, ListEndpoint::Models).is_ok());
        let denied = authorize_hightouch(&partial, ListEndpoint::Destinations).unwrap_err();
        assert_eq!(denied.message(), "Forbidden: this API key's role does not allow \"read\" on \"destination\"");
    }

    #[test]
    fn resources_cover_at_path_boundaries_only() {
        let access = demo();
        let lookalike = table("default/snowflake/1700000000/SALES_DB2/S/T");
        assert!(access.authorize("sandbox-guest", MetadataAction::Read, &lookalike).is_err());
    }
}
