//! The catalog's access model (SPEC §2): roles, connection admins, personas, purposes and the
//! four policy kinds, evaluated locally with explained decisions.
//!
//! Where things live:
//! - `action` — the vocabulary: actions per family, roles, effects, policy kinds;
//! - `qualified_name` — qualified names and segment-aware coverage;
//! - `model` — the access config as typed values; `config` — reading and validating it;
//! - `request` — requests and request errors; `decision` — what a decision says;
//! - `rules` — the rules of SPEC §2, one function per rule, and their precedence;
//! - `engine` / `index` — the compiled engine; `reference` — the naive evaluator it is tested
//!   against; `preview` — the masked table preview; `import` — the catalog's policy entities;
//! - `scenario` — deterministic large configs and requests for benchmarks and tests.
//!
//! `reference` and `scenario` serve only tests and benches: they build with the `testing`
//! feature (this crate's own tests, benches and examples turn it on).
//!
//! ```
//! use steward_core::access::{PolicyEngine, Request};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = PolicyEngine::from_json_str(r#"{
//!   "users": [{"name": "ana", "role": "member", "groups": ["snowflake-admins"]}],
//!   "groups": ["snowflake-admins"],
//!   "connections": [{"qualifiedName": "default/snowflake/1700000000", "name": "Snowflake",
//!     "connector": "snowflake", "admins": {"groups": ["snowflake-admins"]}}]
//! }"#)?;
//! let request: Request = serde_json::from_str(r#"{"user": "ana", "action": "update",
//!   "asset": {"qualifiedName": "default/snowflake/1700000000/DB/S/T", "typeName": "Table"}}"#)?;
//! let decision = engine.decide(&request)?;
//! assert!(decision.allowed);
//! assert_eq!(serde_json::to_value(&decision)?["reason"], "connection-admin");
//! # Ok(())
//! # }
//! ```

pub mod action;
pub mod batch;
pub mod config;
pub mod decision;
pub mod engine;
pub mod import;
pub mod index;
pub mod model;
pub mod preview;
pub mod qualified_name;
#[cfg(feature = "testing")]
pub mod reference;
pub mod request;
pub mod rules;
#[cfg(feature = "testing")]
pub mod scenario;

pub use action::{
    Action, ActionFamily, AdminAction, AssetClass, DataAction, DomainAction, Effect, GlossaryAction, MetadataAction,
    PolicyKind, Role,
};
pub use config::{ConfigError, ConfigErrors};
pub use decision::{Decision, MatchedIter, MatchedPolicies, MatchedPolicy, OwnerKind, PolicyRef, Reason, Verdict};
pub use engine::{BatchError, PolicyEngine, ResolvedRequest};
pub use import::{import_catalog_policies, ImportIssue, ImportIssueKind, ImportResult};
pub use model::{AccessConfig, Connection, ConnectionAdmins, Group, Persona, Policy, Purpose, Resource, User};
pub use preview::{Preview, PreviewColumn, PreviewRequest, PreviewedColumn};
pub use qualified_name::QualifiedName;
pub use request::{Asset, Request, RequestError, RequestView};
