//! SPEC §2, rule by rule and action family by action family. Every decision here is also
//! checked against the naive reference evaluator.

// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::{json, Value};
use steward_core::access::{
    reference, AccessConfig, Asset, Decision, MatchedPolicies, OwnerKind, PolicyEngine, PolicyRef, PreviewRequest, Reason,
    Request, RequestError,
};
use steward_core::masking::{MaskOptions, MaskType};

const SNOW: &str = "default/snowflake/1700000000";
const LOOKER: &str = "default/looker/1700000001";

struct Fixture {
    config: AccessConfig,
    engine: PolicyEngine,
}

impl Fixture {
    fn new(config: Value) -> Self {
        let config = AccessConfig::from_value(&config).unwrap_or_else(|e| panic!("{e}"));
        let engine = PolicyEngine::compile(&config).unwrap();
        Fixture { config, engine }
    }

    fn try_decide(&self, request: &Request) -> Result<Decision, RequestError> {
        let compiled = self.engine.decide(request);
        let naive = reference::decide(&self.config, request);
        assert_eq!(compiled, naive, "engine and reference disagree on {request:?}");
        compiled
    }

    fn decide(&self, user: &str, action: &str, asset: Asset) -> Decision {
        self.try_decide(&request(user, action, asset)).unwrap()
    }
}

fn request(user: &str, action: &str, asset: Asset) -> Request {
    Request { user: user.into(), action: action.into(), asset }
}

fn asset(qn: &str, type_name: &str, tags: &[&str]) -> Asset {
    Asset {
        qualified_name: qn.parse().unwrap(),
        type_name: type_name.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        glossary: None,
    }
}

fn table(path: &str) -> Asset {
    asset(&format!("{SNOW}/{path}"), "Table", &[])
}

fn tagged(path: &str, tags: &[&str]) -> Asset {
    asset(&format!("{SNOW}/{path}"), "Column", tags)
}

fn term(glossary: &str) -> Asset {
    Asset { glossary: Some(glossary.into()), ..asset("term-1@abc", "AtlasGlossaryTerm", &[]) }
}

fn by(owner: OwnerKind, owner_name: &str, policy: &str) -> Option<PolicyRef> {
    Some(PolicyRef::new(owner, owner_name, policy))
}

fn names(policies: &MatchedPolicies) -> Vec<String> {
    policies.iter().map(|p| format!("{}/{}", p.owner_name, p.policy)).collect()
}

/// Users `ana` (member, group analysts), `sam` (admin), `gus` (guest, group analysts), and the
/// two connections; no policies.
fn base() -> Value {
    json!({
        "users": [
            {"name": "ana", "role": "member", "groups": ["analysts"]},
            {"name": "sam", "role": "admin", "groups": []},
            {"name": "gus", "role": "guest", "groups": ["analysts"]}
        ],
        "groups": ["analysts", "snowflake-admins"],
        "connections": [
            {"qualifiedName": SNOW, "name": "Snowflake", "connector": "snowflake", "admins": {}},
            {"qualifiedName": LOOKER, "name": "Looker", "connector": "looker", "admins": {}}
        ]
    })
}

fn with(mut config: Value, key: &str, value: Value) -> Value {
    config[key] = value;
    config
}

fn persona(name: &str, users: &[&str], groups: &[&str], policies: Value) -> Value {
    json!({"name": name, "users": users, "groups": groups, "policies": policies})
}

fn metadata(name: &str, effect: &str, actions: &[&str], resources: &[&str]) -> Value {
    json!({"name": name, "kind": "metadata", "effect": effect, "actions": actions, "resources": resources})
}

// ---- Rule 1: denied by default -------------------------------------------------------------

#[test]
fn implicit_deny_without_any_grant() {
    let f = Fixture::new(base());
    let d = f.decide("ana", "read", table("DB/S/T"));
    assert!(!d.allowed);
    assert_eq!(d.reason, Reason::ImplicitDeny);
    assert_eq!(d.decided_by, None);
    assert!(d.policies.is_empty());
    assert_eq!(f.decide("ana", "query", table("DB/S/T")).reason, Reason::ImplicitDeny);
}

// ---- Rule 2: grants combine -----------------------------------------------------------------

#[test]
fn connection_admin_by_user_grants_every_metadata_action_and_query() {
    let mut config = base();
    config["connections"][0]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    for action in ["read", "update", "update-custom-metadata", "add-tags", "remove-tags", "add-terms", "remove-terms", "create", "delete", "query"] {
        let d = f.decide("ana", action, table("DB/S/T"));
        assert!(d.allowed, "{action}");
        assert_eq!(d.reason, Reason::ConnectionAdmin);
    }
    // The connection asset itself is in its own connection.
    assert!(f.decide("ana", "update", asset(SNOW, "Connection", &[])).allowed);
}

#[test]
fn connection_admin_by_group() {
    let mut config = base();
    config["connections"][0]["admins"] = json!({"groups": ["analysts"]});
    let f = Fixture::new(config);
    assert_eq!(f.decide("ana", "update", table("DB/S/T")).reason, Reason::ConnectionAdmin);
    assert_eq!(f.decide("sam", "update", table("DB/S/T")).reason, Reason::ImplicitDeny);
}

#[test]
fn connection_admin_by_role() {
    let mut config = base();
    config["connections"][0]["admins"] = json!({"roles": ["admin"]});
    let f = Fixture::new(config);
    assert_eq!(f.decide("sam", "delete", table("DB/S/T")).reason, Reason::ConnectionAdmin);
    assert_eq!(f.decide("ana", "delete", table("DB/S/T")).reason, Reason::ImplicitDeny);
}

#[test]
fn connection_admin_does_not_reach_other_connections() {
    let mut config = base();
    config["connections"][0]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    let d = f.decide("ana", "read", asset(&format!("{LOOKER}/marketing"), "LookerProject", &[]));
    assert_eq!(d.reason, Reason::ImplicitDeny);
    // A look-alike connection id is another connection.
    let d = f.decide("ana", "read", asset("default/snowflake/17000000001/DB", "Database", &[]));
    assert_eq!(d.reason, Reason::ImplicitDeny);
}

#[test]
fn connection_admin_does_not_cover_glossary_or_domain_actions() {
    let mut config = base();
    config["connections"][0]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    assert_eq!(f.decide("ana", "update", term("Business")).reason, Reason::ImplicitDeny);
    assert_eq!(f.decide("ana", "read", asset("default/domain/d1/super", "DataDomain", &[])).reason, Reason::ImplicitDeny);
}

#[test]
fn persona_grant_by_user_and_by_group() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([
            persona("direct", &["ana"], &[], json!([metadata("read it", "allow", &["read"], &[&format!("entity:{SNOW}/DB")])])),
            persona("via group", &[], &["analysts"], json!([metadata("update it", "allow", &["update"], &[&format!("entity:{SNOW}/DB")])]))
        ]),
    ));
    let d = f.decide("ana", "read", table("DB/S/T"));
    assert_eq!((d.allowed, d.reason), (true, Reason::PersonaGrant));
    assert_eq!(d.decided_by, by(OwnerKind::Persona, "direct", "read it"));
    let d = f.decide("ana", "update", table("DB/S/T"));
    assert_eq!(d.decided_by, by(OwnerKind::Persona, "via group", "update it"));
    // sam is in neither.
    assert_eq!(f.decide("sam", "read", table("DB/S/T")).reason, Reason::ImplicitDeny);
}

#[test]
fn entity_resource_covers_only_at_segment_boundaries() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([persona("p", &["ana"], &[], json!([metadata("db", "allow", &["read"], &[&format!("entity:{SNOW}/DB")])]))]),
    ));
    assert!(f.decide("ana", "read", asset(&format!("{SNOW}/DB"), "Database", &[])).allowed);
    assert!(f.decide("ana", "read", table("DB/S/T")).allowed);
    assert!(!f.decide("ana", "read", asset(&format!("{SNOW}/DB2"), "Database", &[])).allowed);
    assert!(!f.decide("ana", "read", table("DB2/S/T")).allowed);
    assert!(!f.decide("ana", "read", asset(SNOW, "Connection", &[])).allowed);
}

#[test]
fn connection_resource_covers_the_whole_connection_and_star_covers_everything() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([
            persona("conn", &["ana"], &[], json!([metadata("all of snowflake", "allow", &["read"], &[&format!("entity:{SNOW}")])])),
            persona("star", &["sam"], &[], json!([metadata("everything", "allow", &["update"], &["*"])]))
        ]),
    ));
    assert!(f.decide("ana", "read", table("DB/S/T")).allowed);
    assert!(f.decide("ana", "read", asset(SNOW, "Connection", &[])).allowed);
    assert!(!f.decide("ana", "read", asset(&format!("{LOOKER}/x"), "LookerProject", &[])).allowed);
    assert!(f.decide("sam", "update", asset(&format!("{LOOKER}/x"), "LookerProject", &[])).allowed);
    // `*` covers everything *of the policy's kind*: a metadata policy grants no data.
    assert!(!f.decide("sam", "query", table("DB/S/T")).allowed);
}

#[test]
fn purpose_grant_by_tag_intersection() {
    let f = Fixture::new(with(
        base(),
        "purposes",
        json!([{"name": "finance", "tags": ["FIN", "SOX"], "users": ["ana"],
                "policies": [{"name": "read finance", "kind": "metadata", "effect": "allow", "actions": ["read"]}]}]),
    ));
    let d = f.decide("ana", "read", tagged("DB/S/T/C", &["PII", "SOX"]));
    assert_eq!((d.allowed, d.reason), (true, Reason::PurposeGrant));
    assert_eq!(d.decided_by, by(OwnerKind::Purpose, "finance", "read finance"));
    assert_eq!(f.decide("ana", "read", tagged("DB/S/T/C", &["PII"])).reason, Reason::ImplicitDeny);
    assert_eq!(f.decide("ana", "read", tagged("DB/S/T/C", &[])).reason, Reason::ImplicitDeny);
    // Tags compare exactly (case-sensitive display names).
    assert_eq!(f.decide("ana", "read", tagged("DB/S/T/C", &["sox"])).reason, Reason::ImplicitDeny);
}

#[test]
fn purpose_applies_to_all_users_or_to_named_users_and_groups() {
    let f = Fixture::new(with(
        base(),
        "purposes",
        json!([
            {"name": "everyone", "tags": ["A"], "allUsers": true,
             "policies": [{"name": "read", "kind": "metadata", "effect": "allow", "actions": ["read"]}]},
            {"name": "analysts only", "tags": ["B"], "groups": ["analysts"],
             "policies": [{"name": "read", "kind": "metadata", "effect": "allow", "actions": ["read"]}]}
        ]),
    ));
    assert!(f.decide("sam", "read", tagged("T/C", &["A"])).allowed);
    assert!(f.decide("ana", "read", tagged("T/C", &["B"])).allowed);
    assert!(!f.decide("sam", "read", tagged("T/C", &["B"])).allowed);
}

#[test]
fn glossary_read_is_granted_to_everyone() {
    let f = Fixture::new(base());
    for user in ["ana", "sam", "gus"] {
        let d = f.decide(user, "read", term("Business"));
        assert_eq!((d.allowed, d.reason), (true, Reason::GlossaryDefault), "{user}");
    }
    // Glossary read is not metadata read: a table stays denied.
    assert!(!f.decide("ana", "read", table("T")).allowed);
}

// ---- Action families -----------------------------------------------------------------------

#[test]
fn glossary_policies_grant_within_their_glossary_only() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([persona("editors", &["ana"], &[], json!([
            {"name": "edit business", "kind": "glossary", "effect": "allow", "actions": ["create", "update", "link-terms"], "resources": ["glossary:Business"]}
        ]))]),
    ));
    for action in ["create", "update", "link-terms"] {
        assert_eq!(f.decide("ana", action, term("Business")).reason, Reason::PersonaGrant, "{action}");
    }
    assert_eq!(f.decide("ana", "delete", term("Business")).reason, Reason::ImplicitDeny);
    assert_eq!(f.decide("ana", "update", term("Finance")).reason, Reason::ImplicitDeny);
    let category = Asset { glossary: Some("Business".into()), ..asset("cat-1@abc", "AtlasGlossaryCategory", &[]) };
    assert!(f.decide("ana", "update", category).allowed);
}

#[test]
fn glossary_actions_apply_to_glossary_types_only() {
    let f = Fixture::new(base());
    let err = f.try_decide(&request("ana", "link-terms", table("T"))).unwrap_err();
    assert!(matches!(err, RequestError::WrongFamily { .. }), "{err}");
    assert!(err.to_string().starts_with("action: \"link-terms\""), "{err}");
    let err = f.try_decide(&request("ana", "query", term("Business"))).unwrap_err();
    assert!(matches!(err, RequestError::WrongFamily { .. }));
    let no_glossary = asset("term-1@abc", "AtlasGlossaryTerm", &[]);
    assert!(matches!(f.try_decide(&request("ana", "read", no_glossary)), Err(RequestError::MissingGlossary(_))));
}

#[test]
fn domain_policies_cover_the_domain_and_everything_below_it() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([persona("domain owners", &["ana"], &[], json!([
            {"name": "sales domain", "kind": "domain", "effect": "allow",
             "actions": ["read", "update-domain", "create-product", "update-custom-metadata-product"],
             "resources": ["domain:default/domain/sales/super"]}
        ]))]),
    ));
    let domain = asset("default/domain/sales/super", "DataDomain", &[]);
    let product = asset("default/domain/sales/super/product/p1/super", "DataProduct", &[]);
    let other = asset("default/domain/sales2/super", "DataDomain", &[]);
    assert!(f.decide("ana", "read", domain.clone()).allowed);
    assert!(f.decide("ana", "update-domain", domain).allowed);
    assert!(f.decide("ana", "update-custom-metadata-product", product.clone()).allowed);
    assert!(!f.decide("ana", "delete-product", product).allowed);
    assert!(!f.decide("ana", "read", other).allowed);
    // Domain read is not a default.
    assert_eq!(f.decide("sam", "read", asset("default/domain/sales/super", "DataDomain", &[])).reason, Reason::ImplicitDeny);
    // Domain assets take domain actions only.
    let err = f.try_decide(&request("ana", "update", asset("default/domain/sales/super", "DataDomain", &[]))).unwrap_err();
    assert!(matches!(err, RequestError::WrongFamily { .. }));
}

#[test]
fn data_policies_grant_query_and_metadata_policies_do_not() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([persona("p", &["ana"], &[], json!([
            {"name": "query db", "kind": "data", "effect": "allow", "actions": ["query"], "resources": [format!("entity:{SNOW}/DB")]},
            metadata("read db", "allow", &["read"], &[&format!("entity:{SNOW}/DB")])
        ]))]),
    ));
    let d = f.decide("ana", "query", table("DB/S/T"));
    assert_eq!(d.decided_by, by(OwnerKind::Persona, "p", "query db"));
    assert_eq!(names(&d.policies), ["p/query db"]);
    let d = f.decide("ana", "read", table("DB/S/T"));
    assert_eq!(d.decided_by, by(OwnerKind::Persona, "p", "read db"));
}

#[test]
fn manage_policies_needs_admin_role_and_connection_admin() {
    let mut config = base();
    config["users"][0]["role"] = json!("member");
    config["connections"][0]["admins"] = json!({"users": ["ana", "sam"]});
    config["connections"][1]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    let snow = asset(SNOW, "Connection", &[]);
    let looker = asset(LOOKER, "Connection", &[]);
    let d = f.decide("sam", "manage-policies", snow.clone());
    assert_eq!((d.allowed, d.reason), (true, Reason::ConnectionAdmin));
    // Connection admin without the admin role.
    assert_eq!(f.decide("ana", "manage-policies", snow).reason, Reason::NotAdmin);
    // Admin role without connection admin.
    assert_eq!(f.decide("sam", "manage-policies", looker).reason, Reason::NotAdmin);
    // Only on connections.
    let err = f.try_decide(&request("sam", "manage-policies", table("T"))).unwrap_err();
    assert!(matches!(err, RequestError::WrongFamily { .. }));
}

// ---- Rule 3: explicit denies take priority --------------------------------------------------

#[test]
fn persona_deny_beats_persona_grant() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([
            persona("grant", &["ana"], &[], json!([metadata("allow update", "allow", &["update"], &["*"])])),
            persona("restrict", &[], &["analysts"], json!([metadata("no updates on S", "deny", &["update"], &[&format!("entity:{SNOW}/DB/S")])]))
        ]),
    ));
    let d = f.decide("ana", "update", table("DB/S/T"));
    assert_eq!((d.allowed, d.reason), (false, Reason::DenyPolicy));
    assert_eq!(d.decided_by, by(OwnerKind::Persona, "restrict", "no updates on S"));
    assert_eq!(names(&d.policies), ["grant/allow update", "restrict/no updates on S"]);
    assert!(f.decide("ana", "update", table("DB/S2/T")).allowed);
}

#[test]
fn purpose_deny_beats_connection_admin() {
    let mut config = with(
        base(),
        "purposes",
        json!([{"name": "PII", "tags": ["PII"], "allUsers": true,
                "policies": [{"name": "keep the tag", "kind": "metadata", "effect": "deny", "actions": ["remove-tags"]}]}]),
    );
    config["connections"][0]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    let d = f.decide("ana", "remove-tags", tagged("DB/S/T/EMAIL", &["PII"]));
    assert_eq!((d.allowed, d.reason), (false, Reason::DenyPolicy));
    assert_eq!(d.decided_by, by(OwnerKind::Purpose, "PII", "keep the tag"));
    assert_eq!(f.decide("ana", "remove-tags", tagged("DB/S/T/ID", &[])).reason, Reason::ConnectionAdmin);
}

#[test]
fn first_deny_in_config_order_is_reported() {
    let f = Fixture::new(with(
        with(
            base(),
            "personas",
            json!([persona("z persona", &["ana"], &[], json!([metadata("persona deny", "deny", &["read"], &["*"])]))]),
        ),
        "purposes",
        json!([{"name": "a purpose", "tags": ["X"], "allUsers": true,
                "policies": [{"name": "purpose deny", "kind": "metadata", "effect": "deny", "actions": ["read"]}]}]),
    ));
    let d = f.decide("ana", "read", tagged("T/C", &["X"]));
    assert_eq!(d.decided_by, by(OwnerKind::Persona, "z persona", "persona deny"));
    assert_eq!(names(&d.policies), ["z persona/persona deny", "a purpose/purpose deny"]);
}

#[test]
fn guest_never_gets_a_write_action() {
    let mut config = with(
        base(),
        "personas",
        json!([persona("everything", &["gus"], &[], json!([
            metadata("all metadata", "allow", &["read", "update", "delete"], &["*"]),
            {"name": "all data", "kind": "data", "effect": "allow", "actions": ["query"], "resources": ["*"]},
            {"name": "glossary", "kind": "glossary", "effect": "allow", "actions": ["update"], "resources": ["*"]}
        ]))]),
    );
    config["connections"][0]["admins"] = json!({"users": ["gus"]});
    let f = Fixture::new(config);
    for action in ["update", "delete", "add-tags"] {
        let d = f.decide("gus", action, table("DB/S/T"));
        assert_eq!((d.allowed, d.reason), (false, Reason::GuestCeiling), "{action}");
    }
    assert_eq!(f.decide("gus", "update", term("Business")).reason, Reason::GuestCeiling);
    // Reads and queries are not writes.
    assert_eq!(f.decide("gus", "read", table("DB/S/T")).reason, Reason::ConnectionAdmin);
    assert_eq!(f.decide("gus", "query", table("DB/S/T")).reason, Reason::ConnectionAdmin);
    assert_eq!(f.decide("gus", "read", asset(&format!("{LOOKER}/x"), "LookerProject", &[])).reason, Reason::PersonaGrant);
}

#[test]
fn deny_policy_is_reported_before_guest_ceiling() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([persona("p", &["gus"], &[], json!([metadata("no updates", "deny", &["update"], &["*"])]))]),
    ));
    let d = f.decide("gus", "update", table("T"));
    assert_eq!((d.allowed, d.reason), (false, Reason::DenyPolicy));
}

#[test]
fn grant_precedence_is_connection_admin_then_persona_then_purpose() {
    let mut config = with(
        with(
            base(),
            "personas",
            json!([persona("p", &["ana", "sam"], &[], json!([metadata("persona read", "allow", &["read"], &["*"])]))]),
        ),
        "purposes",
        json!([{"name": "q", "tags": ["X"], "allUsers": true,
                "policies": [{"name": "purpose read", "kind": "metadata", "effect": "allow", "actions": ["read"]}]}]),
    );
    config["connections"][0]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    let d = f.decide("ana", "read", tagged("T/C", &["X"]));
    assert_eq!((d.reason, d.decided_by.clone()), (Reason::ConnectionAdmin, None));
    assert_eq!(names(&d.policies), ["p/persona read", "q/purpose read"]);
    assert_eq!(f.decide("sam", "read", tagged("T/C", &["X"])).reason, Reason::PersonaGrant);
    assert_eq!(f.decide("gus", "read", tagged("T/C", &["X"])).reason, Reason::PurposeGrant);
}

#[test]
fn disabled_personas_purposes_and_policies_do_nothing() {
    let f = Fixture::new(with(
        with(
            base(),
            "personas",
            json!([
                {"name": "off", "enabled": false, "users": ["ana"], "policies": [metadata("deny", "deny", &["read"], &["*"])]},
                {"name": "on", "users": ["ana"], "policies": [
                    {"name": "disabled deny", "kind": "metadata", "effect": "deny", "actions": ["read"], "resources": ["*"], "enabled": false},
                    metadata("read", "allow", &["read"], &["*"])
                ]}
            ]),
        ),
        "purposes",
        json!([{"name": "off purpose", "enabled": false, "tags": ["X"], "allUsers": true,
                "policies": [{"name": "deny", "kind": "metadata", "effect": "deny", "actions": ["read"]}]}]),
    ));
    let d = f.decide("ana", "read", tagged("T/C", &["X"]));
    assert_eq!((d.allowed, d.reason), (true, Reason::PersonaGrant));
    assert_eq!(names(&d.policies), ["on/read"]);
}

// ---- Masking ---------------------------------------------------------------------------------

fn mask_policy(name: &str, mask: &str) -> Value {
    json!({"name": name, "kind": "data", "effect": "mask", "actions": ["query"], "mask": mask})
}

#[test]
fn most_restrictive_mask_wins() {
    let mut config = with(
        base(),
        "purposes",
        json!([
            {"name": "a", "tags": ["PII"], "allUsers": true, "policies": [mask_policy("first four", "SHOW_FIRST_4"), mask_policy("redact", "REDACT")]},
            {"name": "b", "tags": ["PHI"], "allUsers": true, "policies": [mask_policy("hash", "MASK_HASH")]},
            {"name": "c", "tags": ["SECRET"], "allUsers": true, "policies": [mask_policy("null", "heka:MASK_NULL")]}
        ]),
    );
    config["connections"][0]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    let mask = |tags: &[&str]| f.decide("ana", "query", tagged("T/C", tags)).mask;
    assert_eq!(mask(&[]), None);
    assert_eq!(mask(&["PII"]), Some(MaskType::Redact));
    assert_eq!(mask(&["PII", "PHI"]), Some(MaskType::Hash));
    assert_eq!(mask(&["PII", "PHI", "SECRET"]), Some(MaskType::Nullify));
    let d = f.decide("ana", "query", tagged("T/C", &["PII", "PHI"]));
    assert_eq!(d.masked_by, by(OwnerKind::Purpose, "b", "hash"));
    assert_eq!(d.reason, Reason::ConnectionAdmin, "a mask grants nothing and decides nothing");
}

#[test]
fn mask_ties_are_broken_by_policy_name() {
    let mut config = with(
        base(),
        "purposes",
        json!([
            {"name": "first purpose", "tags": ["PII"], "allUsers": true, "policies": [mask_policy("zeta", "HASH")]},
            {"name": "second purpose", "tags": ["PII"], "allUsers": true, "policies": [mask_policy("alpha", "HASH")]}
        ]),
    );
    config["connections"][0]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    let d = f.decide("ana", "query", tagged("T/C", &["PII"]));
    assert_eq!(d.masked_by, by(OwnerKind::Purpose, "second purpose", "alpha"));
}

#[test]
fn persona_masks_apply_by_resource() {
    let f = Fixture::new(with(
        base(),
        "personas",
        json!([persona("p", &["ana"], &[], json!([
            {"name": "query", "kind": "data", "effect": "allow", "actions": ["query"], "resources": ["*"]},
            {"name": "mask emails", "kind": "data", "effect": "mask", "actions": ["query"], "mask": "SHOW_LAST_4", "resources": [format!("entity:{SNOW}/DB/S/USERS/EMAIL")]}
        ]))]),
    ));
    assert_eq!(f.decide("ana", "query", tagged("DB/S/USERS/EMAIL", &[])).mask, Some(MaskType::ShowLast4));
    assert_eq!(f.decide("ana", "query", tagged("DB/S/USERS/EMAIL_VERIFIED", &[])).mask, None);
}

#[test]
fn mask_policy_grants_nothing_and_a_denied_query_has_no_mask() {
    let f = Fixture::new(with(
        base(),
        "purposes",
        json!([{"name": "PII", "tags": ["PII"], "allUsers": true, "policies": [mask_policy("hash", "HASH")]}]),
    ));
    let d = f.decide("ana", "query", tagged("T/C", &["PII"]));
    assert_eq!((d.allowed, d.reason, d.mask), (false, Reason::ImplicitDeny, None));
    assert_eq!(names(&d.policies), ["PII/hash"], "the mask policy matched and is listed");
}

// ---- Bad requests are errors, never grants ---------------------------------------------------

#[test]
fn unknown_user_and_unknown_action_are_errors_not_grants() {
    let f = Fixture::new(base());
    assert_eq!(
        f.try_decide(&request("mallory", "read", term("Business"))).unwrap_err(),
        RequestError::UnknownUser("mallory".into())
    );
    let err = f.try_decide(&request("ana", "reed", table("T"))).unwrap_err();
    assert_eq!(err.to_string(), "action: unknown action \"reed\"");
}

#[test]
fn malformed_requests_are_located_errors() {
    let bad: Result<Request, _> = serde_json::from_value(json!({"user": "ana", "action": "read",
        "asset": {"qualifiedName": "default//x", "typeName": "Table"}}));
    assert!(bad.unwrap_err().to_string().contains("empty path segment"));
    let bad = Request::from_value(&json!({"user": "ana", "action": "read", "asset": {"qualifiedname": "x", "typeName": "Table"}}));
    assert!(bad.unwrap_err().to_string().contains("unknown field `qualifiedname`"));
}

// ---- Explanations ---------------------------------------------------------------------------

#[test]
fn decisions_serialise_with_the_spec_names() {
    let f = Fixture::new(with(
        base(),
        "purposes",
        json!([{"name": "PII", "tags": ["PII"], "allUsers": true, "policies": [
            {"name": "query PII", "kind": "data", "effect": "allow", "actions": ["query"]},
            mask_policy("hash", "HASH")
        ]}]),
    ));
    let d = f.decide("ana", "query", tagged("T/C", &["PII"]));
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!({
            "allowed": true,
            "reason": "purpose-grant",
            "decidedBy": {"owner": "purpose", "ownerName": "PII", "policy": "query PII"},
            "policies": [
                {"owner": "purpose", "ownerName": "PII", "policy": "query PII", "kind": "data", "effect": "allow"},
                {"owner": "purpose", "ownerName": "PII", "policy": "hash", "kind": "data", "effect": "mask", "mask": "HASH"}
            ],
            "mask": "HASH",
            "maskedBy": {"owner": "purpose", "ownerName": "PII", "policy": "hash"}
        })
    );
    let d = f.decide("ana", "read", tagged("T/C", &[]));
    assert_eq!(serde_json::to_value(&d).unwrap(), json!({"allowed": false, "reason": "implicit-deny", "policies": []}));
}

#[test]
fn decide_many_answers_in_order_and_names_the_failing_request() {
    let mut config = base();
    config["connections"][0]["admins"] = json!({"users": ["ana"]});
    let f = Fixture::new(config);
    let ok = f.engine.decide_many(&[request("ana", "read", table("T")), request("sam", "read", table("T"))]).unwrap();
    assert_eq!(ok.iter().map(|d| d.allowed).collect::<Vec<_>>(), [true, false]);
    let err = f.engine.decide_many(&[request("ana", "read", table("T")), request("ana", "reed", table("T"))]).unwrap_err();
    assert_eq!(err.index, 1);
    assert_eq!(err.to_string(), "requests[1].action: unknown action \"reed\"");
}

// ---- Preview ----------------------------------------------------------------------------------

#[test]
fn preview_masks_values_per_column_and_withholds_denied_columns() {
    let mut config = with(
        base(),
        "purposes",
        json!([
            {"name": "PII", "tags": ["PII"], "allUsers": true, "policies": [mask_policy("hash", "HASH")]},
            {"name": "Secrets", "tags": ["SECRET"], "allUsers": true, "policies": [
                {"name": "no secrets", "kind": "data", "effect": "deny", "actions": ["query"]}
            ]}
        ]),
    );
    config["connections"][0]["admins"] = json!({"groups": ["analysts"]});
    let f = Fixture::new(config);
    let request: PreviewRequest = serde_json::from_value(json!({
        "user": "ana",
        "asset": {"qualifiedName": format!("{SNOW}/DB/S/USERS"), "typeName": "Table"},
        "columns": [
            {"name": "NAME", "tags": [], "values": ["Ana", null]},
            {"name": "EMAIL", "tags": ["PII"], "values": ["panda", null]},
            {"name": "PASSWORD", "tags": ["SECRET"], "values": ["hunter2"]}
        ]
    }))
    .unwrap();
    let preview = f.engine.preview_table(&request, &MaskOptions::default()).unwrap();
    assert_eq!(preview, reference::preview_table(&f.config, &request, &MaskOptions::default()).unwrap());
    let json = serde_json::to_value(&preview).unwrap();
    assert_eq!(json["columns"][0]["values"], json!(["Ana", null]));
    assert_eq!(json["columns"][0]["mask"], Value::Null);
    assert_eq!(json["columns"][1]["mask"], "HASH");
    assert_eq!(json["columns"][1]["values"], json!(["a7cdf5d0586b392473dd0cd08c9ba833240006a8a7310bf9bc8bf1aefdfaeadb", null]));
    assert_eq!(json["columns"][2]["values"], Value::Null);
    assert_eq!(json["columns"][2]["reason"], "deny-policy");
}

#[test]
fn preview_of_a_table_the_user_may_not_query_returns_no_values() {
    let f = Fixture::new(base());
    let request: PreviewRequest = serde_json::from_value(json!({
        "user": "ana",
        "asset": {"qualifiedName": format!("{SNOW}/DB/S/USERS"), "typeName": "Table"},
        "columns": [{"name": "NAME", "values": ["Ana"]}]
    }))
    .unwrap();
    let preview = f.engine.preview_table(&request, &MaskOptions::default()).unwrap();
    assert_eq!(preview.columns[0].values, None);
    assert_eq!(preview.columns[0].reason, Reason::ImplicitDeny);
}

#[test]
fn an_engine_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<PolicyEngine>();
    shareable::<Decision>();
}
