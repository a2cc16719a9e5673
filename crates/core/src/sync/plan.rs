//! The pure plan of a sync run (SPEC §5): given the inventory, the mapping and what the catalog
//! holds for each mapped asset, which external tags each local asset gets (pull), and which
//! custom-metadata values and announcements to write (push). Nothing here does I/O: the wasm
//! crate fetches the catalog's state, calls these functions and sends the writes.
//!
//! Rules, in the words of the spec:
//! - Pull: a mapped asset's catalog tags become its external tags, by display name; propagated
//!   tags only with `includePropagated`; a tag gone from the catalog goes from the external
//!   tags; local tags are never touched, and a local tag named like a catalog tag is left as it
//!   is (not doubled as an external tag) unless `overwriteTags`, which turns it into the
//!   external tag. Table tags never reach columns: each asset reads only its own tags.
//! - Push: only values that differ from what the catalog holds are written (numbers compare as
//!   numbers), so a second run with no change writes nothing.
//! - Announcements: ours carry [`ANNOUNCEMENT_MARKER`]; an asset with active anomalies gets a
//!   `warning`, ours is removed when the count drops to zero, and an announcement without the
//!   marker (someone else's) is never overwritten or removed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::inventory::{AssetId, Inventory, Quality};
use super::quality_set::{self, ResolvedSet};
use crate::catalog::entity::{attr, AnnouncementType, BulkEntity, EntityHeader};
use crate::catalog::typedefs::ClassificationDef;
use crate::mapping::{LocalRef, MappedAsset, MappingReport};

/// What a run does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Catalog tags → external tags.
    Pull,
    /// Quality results (and announcements) → catalog.
    Push,
    /// Both.
    #[default]
    Both,
}

impl Mode {
    /// Whether the run pulls tags.
    pub fn pulls(self) -> bool {
        matches!(self, Self::Pull | Self::Both)
    }

    /// Whether the run pushes metadata.
    pub fn pushes(self) -> bool {
        matches!(self, Self::Push | Self::Both)
    }
}

/// Options of a run (`runSync({options})`), all optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SyncOptions {
    /// Plan and report, send no write.
    pub dry_run: bool,
    /// Raise and clear anomaly announcements.
    pub announcements: bool,
    /// Turn a local tag named like a catalog tag into the external tag.
    pub overwrite_tags: bool,
    /// Pull propagated tags too.
    pub include_propagated: bool,
    /// Display name of the custom-metadata set.
    pub metadata_set: String,
    /// Catalog connections to map into (qualified names); empty: by each datastore's connector.
    pub connections: Vec<String>,
    /// Entities per bulk write (1–20).
    pub batch_size: usize,
    /// Requests in flight at once (1–16).
    pub concurrency: usize,
    /// Request budget per minute (0: no limit). The catalog documents about 1,800 per client.
    pub requests_per_minute: u32,
    /// Results per search page (1–300... the catalog's usual page).
    pub page_size: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            announcements: true,
            overwrite_tags: false,
            include_propagated: false,
            metadata_set: quality_set::DEFAULT_SET_NAME.to_owned(),
            connections: Vec::new(),
            batch_size: MAX_BATCH,
            concurrency: 4,
            requests_per_minute: 1_800,
            page_size: 300,
        }
    }
}

/// The most entities one bulk write carries (the catalog SDKs' examples batch 20).
pub const MAX_BATCH: usize = 20;

impl SyncOptions {
    /// Checks the numbers, naming the option at fault.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_BATCH).contains(&self.batch_size) {
            return Err(format!("options.batchSize: expected 1 to {MAX_BATCH}, got {}", self.batch_size));
        }
        if !(1..=16).contains(&self.concurrency) {
            return Err(format!("options.concurrency: expected 1 to 16, got {}", self.concurrency));
        }
        if !(1..=1000).contains(&self.page_size) {
            return Err(format!("options.pageSize: expected 1 to 1000, got {}", self.page_size));
        }
        if self.metadata_set.trim().is_empty() {
            return Err("options.metadataSet: empty".to_owned());
        }
        Ok(())
    }
}

/// Tag display names by internal id (`GET typedefs?type=classification`).
#[derive(Debug, Clone, Default)]
pub struct TagNames {
    by_id: HashMap<String, String>,
}

impl TagNames {
    /// From the tenant's tag definitions.
    pub fn new(defs: &[ClassificationDef]) -> Self {
        let by_id = defs
            .iter()
            .map(|d| (d.name.clone(), if d.display_name.is_empty() { d.name.clone() } else { d.display_name.clone() }))
            .collect();
        Self { by_id }
    }

    /// The display name of a tag id.
    pub fn display(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }
}

/// What a log entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogAction {
    /// Mapping a local asset to the catalog.
    Map,
    /// External tags.
    Tags,
    /// Custom metadata.
    Metadata,
    /// Announcements.
    Announcement,
    /// The custom-metadata set's definition.
    Typedefs,
    /// Reading the catalog.
    Search,
}

/// How it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogResult {
    /// Mapped to a catalog asset.
    Mapped,
    /// No catalog asset.
    Unmapped,
    /// Several equally good catalog assets: not synced.
    Ambiguous,
    /// Tags changed.
    Updated,
    /// Nothing to change.
    Unchanged,
    /// Written to the catalog.
    Written,
    /// Would be written (dry run).
    Planned,
    /// Announcement raised.
    Set,
    /// Announcement removed.
    Cleared,
    /// Someone else's announcement left alone.
    Kept,
    /// Not synced, with the reason.
    Skipped,
    /// Failed; the message is the catalog's own.
    Error,
    /// Created (the custom-metadata set).
    Created,
}

/// One line of the sync log: one asset and one action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// The local asset's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<AssetId>,
    /// The local asset, as the tool spells it (`SALES_DB.SALES.ORDERS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// The catalog asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualified_name: Option<String>,
    /// What.
    pub action: LogAction,
    /// How it went.
    pub result: LogResult,
    /// Details a person reads.
    pub message: String,
}

impl LogEntry {
    /// An entry about a mapped asset.
    pub fn for_mapped(mapped: &MappedAsset, action: LogAction, result: LogResult, message: impl Into<String>) -> Self {
        Self {
            asset_id: Some(mapped.local_id.clone()),
            asset: Some(mapped.local_path.clone()),
            qualified_name: Some(mapped.qualified_name.clone()),
            action,
            result,
            message: message.into(),
        }
    }

    /// An entry about the run as a whole.
    pub fn general(action: LogAction, result: LogResult, message: impl Into<String>) -> Self {
        Self { asset_id: None, asset: None, qualified_name: None, action, result, message: message.into() }
    }
}

/// The mapping as log entries: one per local asset.
pub fn mapping_log(mapping: &MappingReport) -> Vec<LogEntry> {
    let mut log = Vec::with_capacity(mapping.mapped.len() + mapping.unmapped_local.len() + mapping.ambiguous.len());
    for m in &mapping.mapped {
        let how = if m.exact_case { "" } else { " (case-insensitive match)" };
        log.push(LogEntry::for_mapped(m, LogAction::Map, LogResult::Mapped, format!("mapped to {}{how}", m.qualified_name)));
    }
    for u in &mapping.unmapped_local {
        log.push(LogEntry {
            asset_id: Some(u.local_id.clone()),
            asset: Some(u.local_path.clone()),
            qualified_name: None,
            action: LogAction::Map,
            result: LogResult::Unmapped,
            message: u.reason.clone(),
        });
    }
    for a in &mapping.ambiguous {
        log.push(LogEntry {
            asset_id: Some(a.local_id.clone()),
            asset: Some(a.local_path.clone()),
            qualified_name: None,
            action: LogAction::Map,
            result: LogResult::Ambiguous,
            message: a.reason.clone(),
        });
    }
    log
}

/// The local asset a mapping points at: its tags, external tags and quality.
struct LocalView<'a> {
    tags: &'a [String],
    external_tags: &'a [String],
    quality: Option<&'a Quality>,
}

fn local<'a>(inventory: &'a Inventory, at: &LocalRef) -> Option<LocalView<'a>> {
    let store = inventory.datastores.get(at.datastore)?;
    let Some(c) = at.container else {
        return Some(LocalView { tags: &store.tags, external_tags: &store.external_tags, quality: store.quality.as_ref() });
    };
    let container = store.containers.get(c)?;
    let Some(f) = at.field else {
        return Some(LocalView {
            tags: &container.tags,
            external_tags: &container.external_tags,
            quality: container.quality.as_ref(),
        });
    };
    let field = container.fields.get(f)?;
    Some(LocalView { tags: &field.tags, external_tags: &field.external_tags, quality: field.quality.as_ref() })
}

/// One mapped asset's tags after the pull.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PulledTags {
    /// Where in the inventory.
    #[serde(skip)]
    pub local: LocalRef,
    /// The local asset's id.
    pub asset_id: AssetId,
    /// The new external tags.
    pub external_tags: Vec<String>,
    /// Added since the last sync.
    pub added: Vec<String>,
    /// Removed since the last sync.
    pub removed: Vec<String>,
    /// Local tags that became external (`overwriteTags`).
    pub replaced_local: Vec<String>,
}

/// The pull: every mapped asset's new external tags.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PullPlan {
    /// One entry per mapped asset, in mapping order.
    pub assets: Vec<PulledTags>,
    /// Tag ids with no definition (a definition refresh may name them; otherwise deleted tags).
    pub unknown_tag_ids: BTreeSet<String>,
    /// The log entries.
    #[serde(skip)]
    pub log: Vec<LogEntry>,
}

impl PullPlan {
    /// Tags added, over all assets.
    pub fn added(&self) -> usize {
        self.assets.iter().map(|a| a.added.len()).sum()
    }

    /// Tags removed, over all assets.
    pub fn removed(&self) -> usize {
        self.assets.iter().map(|a| a.removed.len()).sum()
    }
}

fn contains_ignoring_case(list: &[String], name: &str) -> bool {
    list.iter().any(|t| t.eq_ignore_ascii_case(name) || t.to_lowercase() == name.to_lowercase())
}

/// Plans the pull. `headers` holds the catalog's answer for each mapped asset, by guid.
pub fn plan_pull(
    inventory: &Inventory,
    mapping: &MappingReport,
    headers: &HashMap<String, EntityHeader>,
    tags: &TagNames,
    options: &SyncOptions,
) -> PullPlan {
    let mut plan = PullPlan::default();
    for m in &mapping.mapped {
        let (Some(view), Some(header)) = (local(inventory, &m.local), headers.get(&m.guid)) else { continue };
        let mut catalog_tags: Vec<String> = Vec::new();
        let chosen = header.classifications.iter().filter(|c| options.include_propagated || !c.is_propagated_onto(&header.guid));
        // A search answer may carry only `classificationNames` (no details): those are all direct.
        let ids: Vec<&str> = if header.classifications.is_empty() {
            header.classification_names.iter().map(String::as_str).collect()
        } else {
            chosen.map(|c| c.type_name.as_str()).collect()
        };
        for id in ids {
            match tags.display(id) {
                Some(name) if !catalog_tags.iter().any(|t| t == name) => catalog_tags.push(name.to_owned()),
                Some(_) => {}
                None => {
                    plan.unknown_tag_ids.insert(id.to_owned());
                }
            }
        }
        catalog_tags.sort();
        let mut external = Vec::new();
        let mut replaced_local = Vec::new();
        let mut kept_local = Vec::new();
        for tag in catalog_tags {
            if contains_ignoring_case(view.tags, &tag) {
                if options.overwrite_tags {
                    replaced_local.push(tag.clone());
                    external.push(tag);
                } else {
                    kept_local.push(tag);
                }
            } else {
                external.push(tag);
            }
        }
        let added: Vec<String> = external.iter().filter(|t| !view.external_tags.contains(t)).cloned().collect();
        let removed: Vec<String> = view.external_tags.iter().filter(|t| !external.contains(t)).cloned().collect();
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("added {}", added.join(", ")));
        }
        if !removed.is_empty() {
            parts.push(format!("removed {}", removed.join(", ")));
        }
        if !replaced_local.is_empty() {
            parts.push(format!("local tag {} now external (overwrite tags)", replaced_local.join(", ")));
        }
        if !kept_local.is_empty() {
            parts.push(format!("local tag {} kept as it is", kept_local.join(", ")));
        }
        let changed = !added.is_empty() || !removed.is_empty() || !replaced_local.is_empty();
        let message = if parts.is_empty() {
            format!("external tags unchanged: {}", if external.is_empty() { "none".to_owned() } else { external.join(", ") })
        } else {
            parts.join("; ")
        };
        let result = if changed { LogResult::Updated } else { LogResult::Unchanged };
        plan.log.push(LogEntry::for_mapped(m, LogAction::Tags, result, message));
        plan.assets.push(PulledTags { local: m.local, asset_id: m.local_id.clone(), external_tags: external, added, removed, replaced_local });
    }
    plan
}

/// Applies a pull to the inventory; returns the external tags no asset carries any more.
pub fn apply_pull(inventory: &mut Inventory, plan: &PullPlan) -> Vec<String> {
    let before = all_external_tags(inventory);
    for pulled in &plan.assets {
        let Some(store) = inventory.datastores.get_mut(pulled.local.datastore) else { continue };
        let (tags, external) = match pulled.local.container {
            None => (&mut store.tags, &mut store.external_tags),
            Some(c) => {
                let Some(container) = store.containers.get_mut(c) else { continue };
                match pulled.local.field {
                    None => (&mut container.tags, &mut container.external_tags),
                    Some(f) => {
                        let Some(field) = container.fields.get_mut(f) else { continue };
                        (&mut field.tags, &mut field.external_tags)
                    }
                }
            }
        };
        tags.retain(|t| !contains_ignoring_case(&pulled.replaced_local, t));
        external.clone_from(&pulled.external_tags);
    }
    let after = all_external_tags(inventory);
    before.difference(&after).cloned().collect()
}

fn all_external_tags(inventory: &Inventory) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for store in &inventory.datastores {
        all.extend(store.external_tags.iter().cloned());
        for c in &store.containers {
            all.extend(c.external_tags.iter().cloned());
            for f in &c.fields {
                all.extend(f.external_tags.iter().cloned());
            }
        }
    }
    all
}

/// Every asset's external tags, by local id.
pub fn external_tags_by_id(inventory: &Inventory) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for store in &inventory.datastores {
        out.insert(store.id.to_string(), store.external_tags.clone());
        for c in &store.containers {
            out.insert(c.id.to_string(), c.external_tags.clone());
            for f in &c.fields {
                out.insert(f.id.to_string(), f.external_tags.clone());
            }
        }
    }
    out
}

/// Ends the message of every announcement the sync writes, so it knows its own.
pub const ANNOUNCEMENT_MARKER: &str = "(posted by the data-quality sync)";

/// An announcement change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum AnnouncementChange {
    /// Raise or update ours.
    Set {
        /// Title.
        title: String,
        /// Message (ends with the marker).
        message: String,
    },
    /// Remove ours.
    Clear,
}

/// The announcement for an asset with `anomalies` active anomalies.
pub fn anomaly_announcement(anomalies: u32, asset_name: &str, url: Option<&str>) -> (String, String) {
    let noun = if anomalies == 1 { "anomaly" } else { "anomalies" };
    let title = format!("{anomalies} active data-quality {noun}");
    let link = url.map(|u| format!(" Review them at {u}")).unwrap_or_default();
    let message = format!("{asset_name} has {anomalies} active {noun}.{link} {ANNOUNCEMENT_MARKER}");
    (title, message)
}

fn text_attr<'a>(header: &'a EntityHeader, name: &str) -> Option<&'a str> {
    header.attributes.get(name).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// One changed attribute, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeChange {
    /// Display name.
    pub attribute: String,
    /// What the catalog holds.
    pub from: Value,
    /// What the sync writes.
    pub to: Value,
}

/// The writes for one asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetWrite {
    /// The local asset's id.
    pub asset_id: AssetId,
    /// The local asset, as the tool spells it.
    pub asset: String,
    /// The catalog's guid.
    pub guid: String,
    /// The catalog's type.
    pub type_name: String,
    /// The catalog's qualified name (never the local spelling).
    pub qualified_name: String,
    /// The catalog's name.
    pub name: String,
    /// Changed custom-metadata values, by attribute id.
    #[serde(skip)]
    pub metadata: Map<String, Value>,
    /// The same changes by display name, for people.
    pub changes: Vec<AttributeChange>,
    /// The announcement change, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announcement: Option<AnnouncementChange>,
}

impl AssetWrite {
    /// The entity of a bulk write: the catalog's guid, type, qualified name and name (so the
    /// bulk endpoint can neither rename nor create), the changed values, the announcement.
    pub fn to_bulk_entity(&self, set_id: &str) -> BulkEntity {
        let mut entity = BulkEntity::minimal(&self.type_name, &self.qualified_name, &self.name);
        entity.guid = Some(self.guid.clone());
        if !self.metadata.is_empty() {
            entity.business_attributes = Some(BTreeMap::from([(set_id.to_owned(), self.metadata.clone())]));
        }
        match &self.announcement {
            Some(AnnouncementChange::Set { title, message }) => {
                entity.attributes.insert(attr::ANNOUNCEMENT_TYPE.into(), Value::from(AnnouncementType::Warning.as_str()));
                entity.attributes.insert(attr::ANNOUNCEMENT_TITLE.into(), Value::from(title.as_str()));
                entity.attributes.insert(attr::ANNOUNCEMENT_MESSAGE.into(), Value::from(message.as_str()));
            }
            Some(AnnouncementChange::Clear) => {
                for field in attr::ANNOUNCEMENT_FIELDS {
                    entity.attributes.insert(field.into(), Value::Null);
                }
            }
            None => {}
        }
        entity
    }

    /// What the write does, in words.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.changes.is_empty() {
            let names: Vec<&str> = self.changes.iter().map(|c| c.attribute.as_str()).collect();
            parts.push(format!("metadata {}", names.join(", ")));
        }
        match &self.announcement {
            Some(AnnouncementChange::Set { title, .. }) => parts.push(format!("announcement \"{title}\"")),
            Some(AnnouncementChange::Clear) => parts.push("announcement removed".to_owned()),
            None => {}
        }
        parts.join("; ")
    }
}

/// The push: what to write, and the counts of what needs nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushPlan {
    /// Assets with something to write, in mapping order.
    pub writes: Vec<AssetWrite>,
    /// Assets whose metadata already holds every value.
    #[serde(skip)]
    pub metadata_unchanged: usize,
    /// Assets whose metadata the plan changes.
    #[serde(skip)]
    pub metadata_changed: usize,
    /// Someone else's announcements left alone on assets with anomalies.
    #[serde(skip)]
    pub announcements_kept: usize,
    /// Log entries for what needs no write (unchanged, kept, skipped).
    #[serde(skip)]
    pub log: Vec<LogEntry>,
}

/// Plans the push. `headers` holds the catalog's answer for each mapped asset (with the set's
/// values as `<setId>.<attrId>` and the announcement attributes), by guid. Without a set (it is
/// missing and can't be created) only announcements are planned.
pub fn plan_push(
    inventory: &Inventory,
    mapping: &MappingReport,
    headers: &HashMap<String, EntityHeader>,
    set: Option<&ResolvedSet>,
    options: &SyncOptions,
) -> PushPlan {
    let display: HashMap<&str, &str> = set
        .map(|s| s.attributes.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|(measure, id)| {
            quality_set::ATTRIBUTES.iter().find(|(_, _, m)| m == measure).map(|(name, ..)| (id.as_str(), *name))
        })
        .collect();
    let mut plan = PushPlan::default();
    for m in &mapping.mapped {
        let (Some(view), Some(header)) = (local(inventory, &m.local), headers.get(&m.guid)) else { continue };
        let Some(quality) = view.quality else {
            plan.log.push(LogEntry::for_mapped(m, LogAction::Metadata, LogResult::Skipped, "no quality results for this asset"));
            continue;
        };
        let mut metadata = Map::new();
        let mut changes = Vec::new();
        if let Some(set) = set {
            for (id, wanted) in quality_set::values(quality, set) {
                let current = header.attributes.get(&format!("{}.{id}", set.set_id));
                if !quality_set::same_value(current, &wanted) {
                    changes.push(AttributeChange {
                        attribute: display.get(id.as_str()).copied().unwrap_or(id.as_str()).to_owned(),
                        from: current.cloned().unwrap_or(Value::Null),
                        to: wanted.clone(),
                    });
                    metadata.insert(id, wanted);
                }
            }
        }
        // Without a set the run logs once why metadata was not pushed.
        if set.is_some() && metadata.is_empty() {
            plan.metadata_unchanged += 1;
            plan.log.push(LogEntry::for_mapped(m, LogAction::Metadata, LogResult::Unchanged, "custom metadata already up to date"));
        } else if !metadata.is_empty() {
            plan.metadata_changed += 1;
        }
        let announcement = if options.announcements { announcement_change(&mut plan, m, header, quality) } else { None };
        if !metadata.is_empty() || announcement.is_some() {
            plan.writes.push(AssetWrite {
                asset_id: m.local_id.clone(),
                asset: m.local_path.clone(),
                guid: m.guid.clone(),
                type_name: m.type_name.clone(),
                qualified_name: m.qualified_name.clone(),
                name: m.name.clone(),
                metadata,
                changes,
                announcement,
            });
        }
    }
    plan
}

fn announcement_change(plan: &mut PushPlan, m: &MappedAsset, header: &EntityHeader, quality: &Quality) -> Option<AnnouncementChange> {
    let current_message = text_attr(header, attr::ANNOUNCEMENT_MESSAGE);
    let current_title = text_attr(header, attr::ANNOUNCEMENT_TITLE);
    let present = text_attr(header, attr::ANNOUNCEMENT_TYPE).is_some() || current_title.is_some() || current_message.is_some();
    let ours = current_message.is_some_and(|msg| msg.ends_with(ANNOUNCEMENT_MARKER));
    if quality.anomalies == 0 {
        return (present && ours).then_some(AnnouncementChange::Clear);
    }
    if present && !ours {
        plan.announcements_kept += 1;
        let by = text_attr(header, attr::ANNOUNCEMENT_UPDATED_BY).map(|u| format!(" by {u}")).unwrap_or_default();
        plan.log.push(LogEntry::for_mapped(
            m,
            LogAction::Announcement,
            LogResult::Kept,
            format!("kept the announcement{by} (\"{}\"); not replaced with the anomaly alert", current_title.unwrap_or("untitled")),
        ));
        return None;
    }
    let (title, message) = anomaly_announcement(quality.anomalies, &m.name, quality.url.as_deref());
    let same = text_attr(header, attr::ANNOUNCEMENT_TYPE) == Some(AnnouncementType::Warning.as_str())
        && current_title == Some(title.as_str())
        && current_message == Some(message.as_str());
    if same {
        plan.log.push(LogEntry::for_mapped(m, LogAction::Announcement, LogResult::Unchanged, format!("announcement \"{title}\" already set")));
        return None;
    }
    Some(AnnouncementChange::Set { title, message })
}

/// The attributes a search must return for the plan: names, announcements, and the set's values.
pub fn search_attributes(set: Option<&ResolvedSet>) -> Vec<String> {
    let mut attributes: Vec<String> = [
        attr::QUALIFIED_NAME,
        attr::NAME,
        "connectionQualifiedName",
        "schemaQualifiedName",
        attr::ANNOUNCEMENT_TYPE,
        attr::ANNOUNCEMENT_TITLE,
        attr::ANNOUNCEMENT_MESSAGE,
        attr::ANNOUNCEMENT_UPDATED_BY,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if let Some(set) = set {
        attributes.extend(set.search_attributes());
    }
    attributes
}
