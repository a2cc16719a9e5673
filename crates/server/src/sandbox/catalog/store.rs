//! The sandbox catalog's state and how its endpoints change it: assets with tags (direct and
//! propagated down the qualified-name hierarchy), custom metadata and announcements; type
//! definitions; tokens; and the access config every request is authorised against.
//!
//! Wire shapes come from `steward_core::catalog`; query evaluation is core's. This module only
//! keeps the data and applies the catalog's write semantics.
//!
//! Tag propagation here is the sandbox's imitation of the catalog, so that reads, searches and
//! access decisions see the propagated tags a tenant would show; it is not a product rule.
//! Steward itself never propagates a tag: it reads the tags the catalog answers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use steward_core::access::MetadataAction;
use steward_core::catalog::entity::{
    attr, BusinessAttributes, Classification, Entity, EntityHeader,
    EntityStatus,
};
use steward_core::catalog::error::{codes, ErrorBody};
use steward_core::catalog::typedefs::{BusinessMetadataDef, ClassificationDef, StructDef, TypeCategory, TypeDefs};
use steward_core::catalog::whoami::{WhoAmI, API_TOKEN_ROLE};


use super::index::{DocKeys, SearchIndex};
use crate::sandbox::authorize::{AccessControl, AssetRef, Denied};
use crate::sandbox::seeded::{guid_for, hashed_id};

/// An error answered in the catalog's format.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Body (boxed: errors travel far in `Result`s).
    pub body: Box<ErrorBody>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self { status, body: Box::new(ErrorBody::new(code, message)) }
    }

    /// 400 invalid parameters.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::INVALID_PARAMETERS, message)
    }

    /// The same error, its message prefixed with the entity's place in a bulk request.
    #[must_use]
    pub fn at_entity(mut self, index: usize) -> Self {
        self.body.error_message = format!("entities[{index}]: {}", self.body.error_message);
        self
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        Self { status: StatusCode::FORBIDDEN, body: Box::new(denied.to_error_body()) }
    }
}

/// One stored asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredEntity {
    /// Type name.
    pub type_name: String,
    /// Guid.
    pub guid: String,
    /// Status.
    #[serde(default)]
    pub status: EntityStatus,
    /// Attributes (relationship references included).
    pub attributes: Map<String, Value>,
    /// Directly attached tags (with their propagation flags).
    #[serde(default)]
    pub tags: Vec<Classification>,
    /// Custom metadata.
    #[serde(default)]
    pub business_attributes: BusinessAttributes,
    /// Creator.
    pub created_by: String,
    /// Last writer.
    pub updated_by: String,
    /// Epoch ms.
    pub create_time: i64,
    /// Epoch ms.
    pub update_time: i64,
    /// Version counter.
    #[serde(default)]
    pub version: u64,
    /// Tags propagated onto this asset (derived, not stored).
    #[serde(skip)]
    pub propagated: Vec<Classification>,
}

impl StoredEntity {
    /// A new active asset written by `user` at `now`, without tags or custom metadata.
    pub fn new(type_name: &str, guid: String, attributes: Map<String, Value>, user: &str, now: i64) -> Self {
        Self {
            type_name: type_name.to_owned(),
            guid,
            status: EntityStatus::Active,
            attributes,
            tags: Vec::new(),
            business_attributes: BusinessAttributes::new(),
            created_by: user.to_owned(),
            updated_by: user.to_owned(),
            create_time: now,
            update_time: now,
            version: 1,
            propagated: Vec::new(),
        }
    }

    /// The qualified name ("" when missing).
    pub fn qualified_name(&self) -> &str {
        self.attributes.get(attr::QUALIFIED_NAME).and_then(Value::as_str).unwrap_or_default()
    }

    /// The name ("" when missing).
    pub fn name(&self) -> &str {
        self.attributes.get(attr::NAME).and_then(Value::as_str).unwrap_or_default()
    }

    fn has_tag(&self, id: &str) -> bool {
        self.tags.iter().any(|t| t.type_name == id)
    }

    /// Direct then propagated tags, as reads answer them (`entityGuid` set).
    pub(super) fn read_tags(&self) -> Vec<Classification> {
        let direct = self.tags.iter().map(|t| Classification {
            entity_guid: Some(self.guid.clone()),
            entity_status: Some(self.status),
            propagate: Some(t.propagate.unwrap_or(false)),
            remove_propagations_on_entity_delete: Some(t.remove_propagations_on_entity_delete.unwrap_or(true)),
            restrict_propagation_through_lineage: Some(t.restrict_propagation_through_lineage.unwrap_or(false)),
            restrict_propagation_through_hierarchy: Some(t.restrict_propagation_through_hierarchy.unwrap_or(false)),
            ..t.clone()
        });
        direct.chain(self.propagated.iter().cloned()).collect()
    }
}

/// Types the bulk endpoint may create or update.
pub(super) const ASSET_TYPES: [&str; 7] = ["Connection", "Database", "Schema", "Table", "View", "MaterialisedView", "Column"];

/// The serialised form of a catalog tenant (part of the `--state` file).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogState {
    /// Tag definitions.
    pub tags: Vec<ClassificationDef>,
    /// Custom-metadata sets.
    pub business_metadata: Vec<BusinessMetadataDef>,
    /// Struct definitions.
    pub structs: Vec<StructDef>,
    /// API token → username.
    pub tokens: BTreeMap<String, String>,
    /// The access config (SPEC §2).
    pub access: Value,
    /// Assets, in guid order.
    pub entities: Vec<StoredEntity>,
    /// How many assets clients created (seeds their guids).
    #[serde(default)]
    pub created: u64,
}

/// A catalog tenant.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(super) tags: Vec<ClassificationDef>,
    pub(super) business_metadata: Vec<BusinessMetadataDef>,
    structs: Vec<StructDef>,
    tokens: BTreeMap<String, String>,
    pub(super) access: AccessControl,
    pub(super) entities: BTreeMap<String, StoredEntity>,
    pub(super) by_unique: HashMap<(String, String), String>,
    pub(super) by_qualified_name: HashMap<String, String>,
    /// What searches look assets up in.
    pub(super) index: SearchIndex,
    pub(super) created: u64,
}

impl Catalog {
    /// Builds a tenant from its serialised form.
    pub fn from_state(state: CatalogState) -> Result<Self, String> {
        let access = AccessControl::from_json(state.access)?;
        let mut catalog = Self {
            tags: state.tags,
            business_metadata: state.business_metadata,
            structs: state.structs,
            tokens: state.tokens,
            access,
            entities: state.entities.into_iter().map(|e| (e.guid.clone(), e)).collect(),
            by_unique: HashMap::new(),
            by_qualified_name: HashMap::new(),
            index: SearchIndex::default(),
            created: state.created,
        };
        catalog.sync_access_entities("sandbox-admin", super::access_control::DEMO_TIME_MS);
        catalog.reindex();
        Ok(catalog)
    }

    /// The serialised form.
    pub fn to_state(&self) -> CatalogState {
        CatalogState {
            tags: self.tags.clone(),
            business_metadata: self.business_metadata.clone(),
            structs: self.structs.clone(),
            tokens: self.tokens.clone(),
            access: self.access.config().clone(),
            entities: self.entities.values().cloned().collect(),
            created: self.created,
        }
    }

    /// Number of assets (deleted ones included).
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// Whether there are no assets.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// All assets in guid order.
    pub fn entities(&self) -> impl Iterator<Item = &StoredEntity> {
        self.entities.values()
    }

    pub(super) fn reindex(&mut self) {
        self.by_unique.clear();
        self.by_qualified_name.clear();
        for e in self.entities.values() {
            let qn = e.qualified_name().to_owned();
            self.by_unique.insert((e.type_name.clone(), qn.clone()), e.guid.clone());
            self.by_qualified_name.entry(qn).or_insert_with(|| e.guid.clone());
        }
        self.recompute_propagation();
        self.rebuild_search_index();
    }

    /// Indexes every asset anew (after assets were added or removed: documents are numbered in
    /// guid order); every cached decision is forgotten with the old index.
    pub(super) fn rebuild_search_index(&mut self) {
        self.index = SearchIndex::build(self.entities.values());
    }

    /// Tags with `propagate: true` show on every asset below (by qualified name) as propagated,
    /// from the nearest ancestor, unless the asset carries the tag itself. Assets whose
    /// propagated tags change are re-indexed.
    pub(super) fn recompute_propagation(&mut self) {
        let derived = self.derive_propagation(self.entities.values());
        self.apply_propagation(derived);
    }

    /// [`Catalog::recompute_propagation`] for the assets at or below the qualified names whose
    /// tags changed: no other asset's propagated tags can change (the index must hold every
    /// asset, as it does unless assets were just added).
    pub(super) fn recompute_propagation_under(&mut self, retagged: &[String]) {
        let mut docs: Vec<_> = retagged.iter().flat_map(|qn| self.index.at_or_under(qn)).collect();
        docs.sort_unstable();
        docs.dedup();
        let scope = docs.into_iter().filter_map(|doc| self.index.guid(doc)).filter_map(|g| self.entities.get(g));
        let derived = self.derive_propagation(scope);
        self.apply_propagation(derived);
    }

    /// The assets of `scope` whose propagated tags differ from what their ancestors propagate,
    /// with what they propagate.
    fn derive_propagation<'a>(&'a self, scope: impl Iterator<Item = &'a StoredEntity>) -> Vec<(String, Vec<Classification>)> {
        let mut derived = Vec::new();
        for e in scope {
            let mut found: Vec<Classification> = Vec::new();
            let mut qn = e.qualified_name();
            while let Some((parent, _)) = qn.rsplit_once('/') {
                qn = parent;
                let Some(ancestor) = self.by_qualified_name.get(parent).and_then(|g| self.entities.get(g)) else { continue };
                for tag in &ancestor.tags {
                    let propagates = tag.propagate == Some(true) && tag.restrict_propagation_through_hierarchy != Some(true);
                    let gone = ancestor.status != EntityStatus::Active && tag.remove_propagations_on_entity_delete != Some(false);
                    if !propagates || gone || e.has_tag(&tag.type_name) || found.iter().any(|f| f.type_name == tag.type_name) {
                        continue;
                    }
                    found.push(Classification {
                        type_name: tag.type_name.clone(),
                        entity_guid: Some(ancestor.guid.clone()),
                        entity_status: Some(ancestor.status),
                        propagate: Some(true),
                        remove_propagations_on_entity_delete: Some(tag.remove_propagations_on_entity_delete.unwrap_or(true)),
                        restrict_propagation_through_lineage: Some(tag.restrict_propagation_through_lineage.unwrap_or(false)),
                        restrict_propagation_through_hierarchy: Some(false),
                    });
                }
            }
            if found != e.propagated {
                derived.push((e.guid.clone(), found));
            }
        }
        derived
    }

    fn apply_propagation(&mut self, derived: Vec<(String, Vec<Classification>)>) {
        for (guid, found) in derived {
            if let Some(e) = self.entities.get_mut(&guid) {
                let before = DocKeys::of(e);
                e.propagated = found;
                self.index.update(&guid, &before, DocKeys::of(e));
            }
        }
    }

    /// The user a bearer token acts as.
    pub fn user_for_token(&self, token: &str) -> Option<&str> {
        self.tokens.get(token).map(String::as_str)
    }

    /// The access config and its compiled form.
    pub fn access(&self) -> &AccessControl {
        &self.access
    }

    /// `whoami` for a user.
    pub fn whoami(&self, user: &str) -> WhoAmI {
        let mut roles: Vec<String> = self.access.role_of(user).map(|r| format!("${r}")).into_iter().collect();
        if user.starts_with("service-account-apikey-") {
            roles.push(API_TOKEN_ROLE.to_owned());
        }
        WhoAmI {
            id: guid_for(&format!("user:{user}")),
            username: user.to_owned(),
            email: (!user.starts_with("service-account-")).then(|| format!("{user}@sandbox.steward.local")),
            first_name: None,
            last_name: None,
            enabled: true,
            roles,
        }
    }

    fn tag_display_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.tags.iter().find(|t| t.name == id).map_or(id, |t| t.display_name.as_str())
    }

    /// What the access model sees of an asset: its qualified name, type and tag display names.
    pub fn asset_ref<'a>(&'a self, e: &'a StoredEntity) -> AssetRef<'a> {
        AssetRef {
            qualified_name: e.qualified_name(),
            type_name: &e.type_name,
            tags: e.tags.iter().chain(&e.propagated).map(|t| self.tag_display_name(&t.type_name)).collect(),
        }
    }

    pub(super) fn authorize(&self, user: &str, action: MetadataAction, e: &StoredEntity) -> Result<(), ApiError> {
        Ok(self.access.authorize(user, action, &self.asset_ref(e))?)
    }

    /// Whether [`Catalog::authorize`] would allow it (without explaining a refusal).
    pub(super) fn allows(&self, user: &str, action: MetadataAction, e: &StoredEntity) -> bool {
        self.access.allows(user, action, &self.asset_ref(e))
    }

    /// `GET typedefs`: the requested categories (all when none), struct definitions always.
    pub fn typedefs(&self, categories: &BTreeSet<TypeCategory>) -> TypeDefs {
        let wants = |c| categories.is_empty() || categories.contains(&c);
        TypeDefs {
            classification_defs: if wants(TypeCategory::Classification) { self.tags.clone() } else { Vec::new() },
            business_metadata_defs: if wants(TypeCategory::BusinessMetadata) { self.business_metadata.clone() } else { Vec::new() },
            // The official SDK reads an empty structDefs list as an expired token.
            struct_defs: self.structs.clone(),
            ..TypeDefs::default()
        }
    }

    /// `POST typedefs` (admin): creates tags and custom-metadata sets; the server assigns ids.
    pub fn create_typedefs(&mut self, user: &str, request: TypeDefs) -> Result<TypeDefs, ApiError> {
        self.access.authorize_admin(user)?;
        let mut created = TypeDefs::default();
        let mut tag_names: Vec<String> = self.tags.iter().map(|t| t.display_name.clone()).collect();
        for def in request.classification_defs {
            let (id, display) = claim_name(&mut tag_names, &def.name, &def.display_name, "classificationDefs", "tag")?;
            created.classification_defs.push(ClassificationDef {
                name: id,
                guid: Some(guid_for(&format!("typedef:tag:{display}"))),
                display_name: display,
                ..def
            });
        }
        let mut set_names: Vec<String> = self.business_metadata.iter().map(|s| s.display_name.clone()).collect();
        for def in request.business_metadata_defs {
            let (set_id, display) = claim_name(&mut set_names, &def.name, &def.display_name, "businessMetadataDefs", "cm")?;
            let attribute_defs = def
                .attribute_defs
                .into_iter()
                .map(|a| {
                    let attr_display = if a.display_name.is_empty() { a.name.clone() } else { a.display_name.clone() };
                    steward_core::catalog::typedefs::AttributeDef {
                        name: hashed_id(&format!("cm:{display}:{attr_display}")),
                        display_name: attr_display,
                        ..a
                    }
                })
                .collect();
            created.business_metadata_defs.push(BusinessMetadataDef {
                name: set_id,
                guid: Some(guid_for(&format!("typedef:cm:{display}"))),
                display_name: display,
                attribute_defs,
                ..def
            });
        }
        self.tags.extend(created.classification_defs.iter().cloned());
        self.business_metadata.extend(created.business_metadata_defs.iter().cloned());
        // Decisions read tags by display name: a new definition can name a tag already in use.
        self.index.forget_decisions();
        created.struct_defs = Vec::new();
        Ok(created)
    }

    /// `PUT typedefs` (admin): updates existing sets (new attributes get ids; archiving is an
    /// option) and tag descriptions and options.
    pub fn update_typedefs(&mut self, user: &str, request: TypeDefs) -> Result<TypeDefs, ApiError> {
        self.access.authorize_admin(user)?;
        let mut updated = TypeDefs::default();
        let mut tags = self.tags.clone();
        for def in request.classification_defs {
            let Some(existing) = tags.iter_mut().find(|t| t.name == def.name || t.display_name == def.display_name) else {
                return Err(unknown_type(&def.name));
            };
            existing.description = def.description;
            existing.options = def.options;
            updated.classification_defs.push(existing.clone());
        }
        let mut sets = self.business_metadata.clone();
        for def in request.business_metadata_defs {
            let Some(existing) = sets.iter_mut().find(|s| s.name == def.name || s.display_name == def.display_name) else {
                return Err(unknown_type(&def.name));
            };
            let mut attributes = Vec::new();
            for a in def.attribute_defs {
                let id = match existing.attribute_defs.iter().find(|e| e.name == a.name) {
                    Some(known) => known.name.clone(),
                    None => hashed_id(&format!("cm:{}:{}", existing.display_name, a.display_name)),
                };
                attributes.push(steward_core::catalog::typedefs::AttributeDef { name: id, ..a });
            }
            // Attributes are archived, never dropped: keep any the request left out.
            for old in &existing.attribute_defs {
                if !attributes.iter().any(|a| a.name == old.name) {
                    attributes.push(old.clone());
                }
            }
            existing.attribute_defs = attributes;
            existing.description = def.description;
            updated.business_metadata_defs.push(existing.clone());
        }
        self.tags = tags;
        self.business_metadata = sets;
        self.index.forget_decisions();
        Ok(updated)
    }

    fn full_entity(e: &StoredEntity) -> Entity {
        Entity {
            type_name: e.type_name.clone(),
            guid: e.guid.clone(),
            status: e.status,
            attributes: e.attributes.clone(),
            business_attributes: e.business_attributes.clone(),
            classifications: e.read_tags(),
            meaning_names: Vec::new(),
            labels: Vec::new(),
            created_by: Some(e.created_by.clone()),
            updated_by: Some(e.updated_by.clone()),
            create_time: Some(e.create_time),
            update_time: Some(e.update_time),
            version: e.version,
        }
    }

    /// `GET entity/guid/{guid}` (needs `read`).
    pub fn get_by_guid(&self, user: &str, guid: &str) -> Result<Entity, ApiError> {
        let e = self.entities.get(guid).ok_or_else(|| guid_not_found(guid))?;
        self.authorize(user, MetadataAction::Read, e)?;
        Ok(Self::full_entity(e))
    }

    /// `GET entity/uniqueAttribute/type/{type}?attr:qualifiedName=…` (needs `read`).
    pub fn get_by_qualified_name(&self, user: &str, type_name: &str, qualified_name: &str) -> Result<Entity, ApiError> {
        let e = self
            .by_unique
            .get(&(type_name.to_owned(), qualified_name.to_owned()))
            .and_then(|g| self.entities.get(g))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    codes::UNIQUE_ATTRIBUTE_NOT_FOUND,
                    format!("Instance {type_name} with unique attribute {{qualifiedName={qualified_name}}} does not exist"),
                )
            })?;
        self.authorize(user, MetadataAction::Read, e)?;
        Ok(Self::full_entity(e))
    }

    /// Looks up an asset by guid.
    pub fn entity(&self, guid: &str) -> Option<&StoredEntity> {
        self.entities.get(guid)
    }

    /// Looks up an asset by qualified name (any type).
    pub fn entity_by_qualified_name(&self, qualified_name: &str) -> Option<&StoredEntity> {
        self.by_qualified_name.get(qualified_name).and_then(|g| self.entities.get(g))
    }

    /// The columns of a table or view, in order.
    pub fn columns_of(&self, table_qualified_name: &str) -> Vec<&StoredEntity> {
        let prefix = format!("{table_qualified_name}/");
        let mut columns: Vec<&StoredEntity> = self
            .entities
            .values()
            .filter(|e| e.type_name == "Column" && e.qualified_name().starts_with(&prefix))
            .collect();
        columns.sort_by_key(|c| c.attributes.get("order").and_then(Value::as_i64).unwrap_or(i64::MAX));
        columns
    }

    /// Tag display names of an asset, direct and propagated.
    pub fn tag_names(&self, e: &StoredEntity) -> Vec<String> {
        self.asset_ref(e).tags.into_iter().map(str::to_owned).collect()
    }
}

/// On create, the display name is `displayName`, else `name` (which the server then replaces
/// with an id).
/// Claims a new typedef's display name among the `taken` ones (compared case-insensitively, as
/// the catalog does): the id the server assigns it (`prefix:display`, hashed) and the name.
fn claim_name(taken: &mut Vec<String>, name: &str, display_name: &str, list: &str, prefix: &str) -> Result<(String, String), ApiError> {
    let display = display_name_of(name, display_name, list)?;
    if taken.iter().any(|d| d.eq_ignore_ascii_case(&display)) {
        return Err(already_exists(&display));
    }
    taken.push(display.clone());
    Ok((hashed_id(&format!("{prefix}:{display}")), display))
}

fn display_name_of(name: &str, display_name: &str, list: &str) -> Result<String, ApiError> {
    let display = if display_name.is_empty() { name } else { display_name };
    if display.trim().is_empty() {
        return Err(ApiError::invalid(format!("{list}[].displayName: empty")));
    }
    Ok(display.to_owned())
}

/// The header a mutation response lists an asset with: qualified name and name, tag ids.
pub(super) fn mutation_header(e: &StoredEntity) -> EntityHeader {
    let mut header = entity_header(e, &[], true);
    header.classification_names = e.tags.iter().map(|t| t.type_name.clone()).collect();
    header
}

/// The header of an asset with the requested attributes (`qualifiedName` and `name` always;
/// custom metadata as `<setId>.<attrId>`), with or without its tags.
pub(super) fn entity_header(e: &StoredEntity, attributes: &[String], exclude_tags: bool) -> EntityHeader {
    let mut out = Map::new();
    for key in [attr::QUALIFIED_NAME, attr::NAME] {
        if let Some(v) = e.attributes.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    for key in attributes {
        if let Some(v) = e.attributes.get(key) {
            out.insert(key.clone(), v.clone());
        } else if let Some(v) = key
            .split_once('.')
            .and_then(|(set, attribute)| e.business_attributes.get(set).and_then(|values| values.get(attribute)))
        {
            out.insert(key.clone(), v.clone());
        }
    }
    let classifications = if exclude_tags { Vec::new() } else { e.read_tags() };
    EntityHeader {
        type_name: e.type_name.clone(),
        guid: e.guid.clone(),
        status: e.status,
        display_text: Some(e.name().to_owned()),
        attributes: out,
        classification_names: classifications.iter().map(|c| c.type_name.clone()).collect(),
        classifications,
        meaning_names: Vec::new(),
        labels: Vec::new(),
        created_by: Some(e.created_by.clone()),
        updated_by: Some(e.updated_by.clone()),
        create_time: Some(e.create_time),
        update_time: Some(e.update_time),
    }
}

pub(super) fn guid_not_found(guid: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, codes::GUID_NOT_FOUND, format!("Given instance guid {guid} is invalid/not found"))
}

pub(super) fn unknown_type(name: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, codes::TYPE_NAME_NOT_FOUND, format!("Given typename {name} was invalid"))
}

fn already_exists(name: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, codes::TYPE_ALREADY_EXISTS, format!("Given type {name} already exists"))
}

pub(super) fn bad_custom_metadata(code: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::catalog::demo::{self, DemoOptions};
    use serde_json::json;
    use steward_core::catalog::entity::{BulkOptions, BulkRequest};

    /// Differential test: propagation recomputed below the retagged assets only equals
    /// propagation recomputed over every asset, after each of a series of tag writes at every
    /// level (propagating or not, restricted through the hierarchy, added over a propagated one,
    /// removed).
    #[test]
    fn propagation_below_the_retagged_assets_equals_a_full_recompute() {
        let mut catalog = Catalog::from_state(demo::state(DemoOptions::default()).unwrap()).unwrap();
        let sf = "default/snowflake/1700000000";
        let [pii, confidential, finance, sensitive] = ["cTrLMeBjKNeRV7HzBSL11u", "Kq3wZ8bYd1Xg2nP5sT7vLm", "f8RbN2xQp0LcV6tYh3JwEa", "Zt5mH1dPq7WsK9cXa2VnLb"];
        let writes = [
            (format!("{sf}/SALES_DB"), "Database", json!({"addOrUpdateClassifications": [{"typeName": sensitive, "propagate": true}]})),
            (format!("{sf}/SALES_DB/SALES/ORDERS"), "Table", json!({"addOrUpdateClassifications": [{"typeName": sensitive, "propagate": false}]})),
            (format!("{sf}/SALES_DB/SALES"), "Schema", json!({"addOrUpdateClassifications": [{"typeName": pii, "propagate": true, "restrictPropagationThroughHierarchy": true}]})),
            (format!("{sf}/FINANCE_DB/PAYMENTS"), "Schema", json!({"removeClassifications": [{"typeName": finance}]})),
            (format!("{sf}/FINANCE_DB/PAYMENTS/CARDS"), "Table", json!({"addOrUpdateClassifications": [{"typeName": confidential, "propagate": true}]})),
            (format!("{sf}/SALES_DB"), "Database", json!({"removeClassifications": [{"typeName": sensitive}]})),
            (format!("{sf}/FINANCE_DB/HR"), "Schema", json!({"addOrUpdateClassifications": [{"typeName": confidential, "propagate": false}]})),
        ];
        for (qn, type_name, change) in writes {
            let mut entity = json!({"typeName": type_name, "attributes": {"qualifiedName": qn, "name": qn.rsplit('/').next().unwrap()}});
            entity.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
            let request: BulkRequest = serde_json::from_value(json!({"entities": [entity]})).unwrap();
            catalog.bulk("sandbox-admin", BulkOptions { append_tags: true, ..BulkOptions::default() }, request, 1_800_000_000_000).unwrap();
            let mut full = catalog.clone();
            full.recompute_propagation();
            let propagated = |c: &Catalog| c.entities().map(|e| (e.guid.clone(), e.propagated.clone())).collect::<Vec<_>>();
            assert_eq!(propagated(&catalog), propagated(&full), "after a write on {qn}");
        }
    }
}
