//! Sandbox tenants: a local catalog that speaks the catalog's wire format, with demo data and
//! fixed demo credentials (README).

mod catalog;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use steward_core::catalog::typedefs::{ClassificationDef, StructDef};

/// A sandbox user a token acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxUser {
    /// Username (as `whoami` would answer).
    pub name: String,
}

/// The state of one sandbox catalog tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// API token → the user it acts as.
    pub tokens: BTreeMap<String, SandboxUser>,
    /// Tag definitions.
    pub tags: Vec<ClassificationDef>,
    /// Struct definitions (always answered alongside tags).
    pub structs: Vec<StructDef>,
}

/// The demo credentials documented in the README.
pub const DEMO_TOKENS: [(&str, &str); 3] = [
    ("sandbox-admin-token", "sandbox-admin"),
    ("sandbox-integration-token", "service-account-apikey-integration"),
    ("sandbox-guest-token", "sandbox-guest"),
];

impl Tenant {
    /// The demo tenant `npm start` and the tests use.
    pub fn demo() -> Self {
        let tokens = DEMO_TOKENS
            .iter()
            .map(|(token, user)| ((*token).to_owned(), SandboxUser { name: (*user).to_owned() }))
            .collect();
        let tag = |id: &str, name: &str, color: &str| ClassificationDef {
            name: id.to_owned(),
            display_name: name.to_owned(),
            description: format!("{name} (sandbox demo tag)"),
            options: BTreeMap::from([("color".to_owned(), color.to_owned())]),
        };
        Self {
            tokens,
            tags: vec![
                tag("cTrLMeBjKNeRV7HzBSL11u", "PII", "Red"),
                tag("Kq3wZ8bYd1Xg2nP5sT7vLm", "Confidential", "Yellow"),
                tag("f8RbN2xQp0LcV6tYh3JwEa", "Finance", "Green"),
                tag("Zt5mH1dPq7WsK9cXa2VnLb", "Sensitive", "Red"),
                tag("Ru4eG8kYb3NfJ6pTw1MzQc", "Deprecated", "Grey"),
            ],
            structs: vec![StructDef { name: "SourceTagAttachment".to_owned() }],
        }
    }
}

/// Routes of the sandbox tenants.
pub fn router(tenant: Tenant) -> Router {
    catalog::router(Arc::new(tenant))
}
