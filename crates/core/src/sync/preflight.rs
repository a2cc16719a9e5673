//! The permissions preflight (SPEC §5): before a run writes anything, which local assets the
//! token can't read (searches hide them, so the qualified names the inventory implies are
//! probed: the catalog answers 403 where it would refuse) and which mapped assets it can't
//! write (predicted by the access config, when one is given).

use serde::Serialize;

use super::inventory::{AssetId, Inventory};
use super::plan::TagNames;
use crate::access::{Asset, OwnerKind, PolicyEngine, QualifiedName, Request};
use crate::catalog::entity::EntityHeader;
use crate::mapping::{strip_identifier_quotes, Level, MappedAsset, MappingReport};
use crate::sync::queries::CONTAINER_TYPES;

/// A local asset the token can't read or write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Blocked {
    /// The local asset's id.
    pub asset_id: AssetId,
    /// As the tool spells it.
    pub asset: String,
    /// Its level.
    pub level: Level,
    /// The catalog asset (found, or implied by the inventory).
    pub qualified_name: String,
    /// The actions refused (`read`, or the write actions).
    pub actions: Vec<String>,
    /// Why: the catalog's own 403 message or the access config's decision.
    pub reason: String,
}

/// A qualified name to probe for a local asset the search did not return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The local asset's id.
    pub asset_id: AssetId,
    /// As the tool spells it.
    pub asset: String,
    /// Its level.
    pub level: Level,
    /// Type names to try, in order.
    pub type_names: Vec<&'static str>,
    /// The implied qualified name.
    pub qualified_name: String,
    /// Index of the probe of its datastore (for containers): a container under a schema the
    /// token can't read is refused with it.
    pub parent: Option<usize>,
}

/// The probes for the datastores and containers the mapping could not place, in each of the
/// connections (qualified names) the run considers. Fields are not probed: a column is read
/// with its table.
pub fn probes(inventory: &Inventory, mapping: &MappingReport, connections: &[String]) -> Vec<Probe> {
    let mut out = Vec::new();
    for unmapped in &mapping.unmapped_local {
        let Some(store) = inventory.datastores.get(unmapped.local.datastore) else { continue };
        let database = strip_identifier_quotes(&store.database);
        let schema = strip_identifier_quotes(&store.schema);
        for connection in connections {
            let schema_qn = format!("{connection}/{database}/{schema}");
            match (unmapped.level, unmapped.local.container) {
                (Level::Datastore, _) => out.push(Probe {
                    asset_id: unmapped.local_id.clone(),
                    asset: unmapped.local_path.clone(),
                    level: Level::Datastore,
                    type_names: vec!["Schema"],
                    qualified_name: schema_qn,
                    parent: None,
                }),
                (Level::Container, Some(c)) => {
                    let Some(container) = store.containers.get(c) else { continue };
                    let parent = out.iter().position(|p: &Probe| p.level == Level::Datastore && p.qualified_name == schema_qn);
                    out.push(Probe {
                        asset_id: unmapped.local_id.clone(),
                        asset: unmapped.local_path.clone(),
                        level: Level::Container,
                        type_names: CONTAINER_TYPES.to_vec(),
                        qualified_name: format!("{schema_qn}/{}", strip_identifier_quotes(&container.name)),
                        parent,
                    });
                }
                _ => {}
            }
        }
    }
    out
}

/// The write actions a sync needs on a mapped asset.
pub fn write_actions(tags: bool, metadata: bool, announcements: bool) -> Vec<&'static str> {
    let mut actions = Vec::new();
    if tags {
        actions.push("read");
    }
    if metadata {
        actions.push("update-custom-metadata");
    }
    if announcements {
        actions.push("update");
    }
    actions
}

/// The mapped assets the access config says `user` may not read or write, for `actions`.
pub fn predicted_refusals(
    engine: &PolicyEngine,
    user: &str,
    mapping: &MappingReport,
    header_of: &dyn Fn(&str) -> Option<EntityHeader>,
    tags: &TagNames,
    actions: &[&str],
) -> Vec<Blocked> {
    let mut out = Vec::new();
    for m in &mapping.mapped {
        let Ok(qualified_name) = QualifiedName::parse(&m.qualified_name) else { continue };
        let mut asset = Asset::new(qualified_name, m.type_name.clone());
        if let Some(header) = header_of(&m.guid) {
            asset.tags = header.classifications.iter().filter_map(|c| tags.display(&c.type_name)).map(str::to_owned).collect();
        }
        let mut refused = Vec::new();
        let mut why = Vec::new();
        for action in actions {
            let request = Request { user: user.to_owned(), action: (*action).to_owned(), asset: asset.clone() };
            match engine.decide(&request) {
                Ok(decision) if decision.allowed => {}
                Ok(decision) => {
                    refused.push((*action).to_owned());
                    let by = decision
                        .decided_by
                        .map(|p| {
                            let owner = if p.owner() == OwnerKind::Persona { "persona" } else { "purpose" };
                            format!(" by {owner} \"{}\" policy \"{}\"", p.owner_name(), p.policy())
                        })
                        .unwrap_or_default();
                    why.push(format!("{action}: {}{by}", decision.reason.name()));
                }
                Err(e) => {
                    refused.push((*action).to_owned());
                    why.push(format!("{action}: {e}"));
                }
            }
        }
        if !refused.is_empty() {
            out.push(blocked(m, refused, format!("the access config refuses {}", why.join("; "))));
        }
    }
    out
}

/// A blocked entry for a mapped asset.
pub fn blocked(m: &MappedAsset, actions: Vec<String>, reason: String) -> Blocked {
    Blocked { asset_id: m.local_id.clone(), asset: m.local_path.clone(), level: m.level, qualified_name: m.qualified_name.clone(), actions, reason }
}
