//! The sandbox catalog's state and how its endpoints change it: assets with tags (direct and
//! propagated down the qualified-name hierarchy), custom metadata and announcements; type
//! definitions; tokens; and the access config every request is authorised against.
//!
//! Wire shapes come from `steward_core::catalog`; query evaluation is core's. This module only
//! keeps the data and applies the catalog's write semantics.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use steward_core::catalog::entity::{
    attr, BulkOptions, BulkRequest, BusinessAttributes, Classification, Entity, EntityHeader, EntityMutationResponse,
    EntityStatus,
};
use steward_core::catalog::error::{codes, ErrorBody};
use steward_core::catalog::search::{
    self, field, FieldValue, IndexSearchRequest, IndexSearchResponse, Query, Scalar, SearchDocument, SortField,
};
use steward_core::catalog::typedefs::{BusinessMetadataDef, ClassificationDef, StructDef, TypeCategory, TypeDefs};
use steward_core::catalog::whoami::{WhoAmI, API_TOKEN_ROLE};

use steward_core::access::{import_catalog_policies, ImportIssueKind, OwnerKind};
use steward_core::catalog::access_entities::{self, Naming};

use crate::sandbox::authorize::{AccessControl, AssetRef, Denied, Permission};
use crate::sandbox::seeded::{guid_for, hashed_id};

/// Creation time of the demo's access-control entities.
const ACCESS_EPOCH_MS: i64 = 1_699_000_000_000;

/// Searches may not page past this many hits (the SDKs switch to timestamp ranges before).
pub const MAX_RESULT_WINDOW: u64 = 100_000;

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
    fn read_tags(&self) -> Vec<Classification> {
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

/// Super types by type name, as `__superTypeNames` indexes them.
fn super_types(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "Database" | "Schema" | "Table" | "View" | "MaterialisedView" | "Column" => &["SQL", "Catalog", "Asset", "Referenceable"],
        "Persona" | "Purpose" => &["AccessControl", "Asset", "Referenceable"],
        _ => &["Asset", "Referenceable"],
    }
}

/// Types the bulk endpoint may create or update.
const ASSET_TYPES: [&str; 7] = ["Connection", "Database", "Schema", "Table", "View", "MaterialisedView", "Column"];

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
    tags: Vec<ClassificationDef>,
    business_metadata: Vec<BusinessMetadataDef>,
    structs: Vec<StructDef>,
    tokens: BTreeMap<String, String>,
    access: AccessControl,
    entities: BTreeMap<String, StoredEntity>,
    by_unique: HashMap<(String, String), String>,
    by_qualified_name: HashMap<String, String>,
    /// Qualified name → guids, sorted: prefix scans for searches.
    by_path: BTreeMap<String, Vec<String>>,
    created: u64,
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
            by_path: BTreeMap::new(),
            created: state.created,
        };
        catalog.sync_access_entities("sandbox-admin", ACCESS_EPOCH_MS);
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

    fn reindex(&mut self) {
        self.by_unique.clear();
        self.by_qualified_name.clear();
        self.by_path.clear();
        for e in self.entities.values() {
            let qn = e.qualified_name().to_owned();
            self.by_unique.insert((e.type_name.clone(), qn.clone()), e.guid.clone());
            self.by_path.entry(qn.clone()).or_default().push(e.guid.clone());
            self.by_qualified_name.entry(qn).or_insert_with(|| e.guid.clone());
        }
        self.recompute_propagation();
    }

    /// Tags with `propagate: true` show on every asset below (by qualified name) as propagated,
    /// from the nearest ancestor, unless the asset carries the tag itself.
    fn recompute_propagation(&mut self) {
        let mut derived: Vec<(String, Vec<Classification>)> = Vec::new();
        for e in self.entities.values() {
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
            if !found.is_empty() || !e.propagated.is_empty() {
                derived.push((e.guid.clone(), found));
            }
        }
        for (guid, found) in derived {
            if let Some(e) = self.entities.get_mut(&guid) {
                e.propagated = found;
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

    fn authorize(&self, user: &str, permission: Permission, e: &StoredEntity) -> Result<(), ApiError> {
        Ok(self.access.authorize(user, permission, &self.asset_ref(e))?)
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
        let exists = |list: &[(String, String)], display: &str| list.iter().any(|(_, d)| d.eq_ignore_ascii_case(display));
        let mut tag_names: Vec<(String, String)> = self.tags.iter().map(|t| (t.name.clone(), t.display_name.clone())).collect();
        for def in request.classification_defs {
            let display = if def.display_name.is_empty() { def.name.clone() } else { def.display_name.clone() };
            if display.trim().is_empty() {
                return Err(ApiError::invalid("classificationDefs[].displayName: empty"));
            }
            if exists(&tag_names, &display) {
                return Err(already_exists(&display));
            }
            let id = hashed_id(&format!("tag:{display}"));
            tag_names.push((id.clone(), display.clone()));
            created.classification_defs.push(ClassificationDef {
                name: id,
                guid: Some(guid_for(&format!("typedef:tag:{display}"))),
                display_name: display,
                ..def
            });
        }
        let mut set_names: Vec<(String, String)> =
            self.business_metadata.iter().map(|s| (s.name.clone(), s.display_name.clone())).collect();
        for def in request.business_metadata_defs {
            let display = if def.display_name.is_empty() { def.name.clone() } else { def.display_name.clone() };
            if display.trim().is_empty() {
                return Err(ApiError::invalid("businessMetadataDefs[].displayName: empty"));
            }
            if exists(&set_names, &display) {
                return Err(already_exists(&display));
            }
            let set_id = hashed_id(&format!("cm:{display}"));
            set_names.push((set_id.clone(), display.clone()));
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
        Ok(updated)
    }

    /// `POST indexsearch`: hits the user may read, sorted and paged.
    pub fn search(&self, user: &str, request: &IndexSearchRequest) -> Result<IndexSearchResponse, ApiError> {
        self.search_using(user, request, true)
    }

    /// [`Catalog::search`], with or without narrowing by the indexes (the full scan is the
    /// reference the narrowed search is tested against).
    fn search_using(&self, user: &str, request: &IndexSearchRequest, use_indexes: bool) -> Result<IndexSearchResponse, ApiError> {
        let dsl = &request.dsl;
        if dsl.from.saturating_add(dsl.size) > MAX_RESULT_WINDOW {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                codes::INVALID_SEARCH,
                format!("Result window is too large, from + size must be less than or equal to {MAX_RESULT_WINDOW}; page by __timestamp ranges instead"),
            ));
        }
        let candidates = if use_indexes { self.candidates(&dsl.query) } else { None };
        let scope: Box<dyn Iterator<Item = &StoredEntity>> = match &candidates {
            Some(narrowed) => Box::new(narrowed.iter().copied()),
            None => Box::new(self.entities.values()),
        };
        let mut hits: Vec<&StoredEntity> = scope
            .filter(|e| {
                let doc = Indexed { entity: e };
                dsl.query.matches(&doc) && dsl.post_filter.as_ref().map_or(true, |f| f.matches(&doc))
            })
            .filter(|e| self.authorize(user, Permission::Read, e).is_ok())
            .collect();
        // Storage is in guid order, which is also the default and the usual paging sort.
        let guid_order = dsl.sort.is_empty() || dsl.sort == [SortField::guid()];
        if !guid_order {
            hits.sort_by(|a, b| {
                search::compare_documents(&dsl.sort, &Indexed { entity: a }, &Indexed { entity: b })
            });
        }
        let total = hits.len() as u64;
        let from = usize::try_from(dsl.from).unwrap_or(usize::MAX);
        let size = usize::try_from(dsl.size).unwrap_or(usize::MAX);
        let page = hits
            .into_iter()
            .skip(from)
            .take(size)
            .map(|e| self.header(e, &request.attributes, request.exclude_classifications))
            .collect();
        Ok(IndexSearchResponse::page(total, page))
    }

    /// The assets a query can match, in guid order, when one of the clauses every match
    /// satisfies names qualified names, guids, a qualified-name prefix or an ancestor
    /// (`schemaQualifiedName` and the like: the denormalised ancestors are prefixes of the
    /// qualified name); `None` means every asset. The whole query is still evaluated on them.
    fn candidates(&self, query: &Query) -> Option<Vec<&StoredEntity>> {
        let mut best: Option<Vec<&StoredEntity>> = None;
        for leaf in query.required_leaves() {
            let narrowed = match leaf {
                Query::Term { field, value, case_insensitive: false } => self.narrow(search::base_field(field), std::slice::from_ref(value)),
                Query::Terms { field, values } => self.narrow(search::base_field(field), values),
                Query::Prefix { field, value, case_insensitive: false } if search::base_field(field) == field::QUALIFIED_NAME => {
                    Some(self.under_prefix(value).collect())
                }
                _ => None,
            };
            if let Some(found) = narrowed {
                if best.as_ref().map_or(true, |b| found.len() < b.len()) {
                    best = Some(found);
                }
            }
        }
        let mut best = best?;
        best.sort_by(|a, b| a.guid.cmp(&b.guid));
        best.dedup_by(|a, b| a.guid == b.guid);
        Some(best)
    }

    fn narrow(&self, field: &str, values: &[Scalar]) -> Option<Vec<&StoredEntity>> {
        let texts = values.iter().filter_map(|v| match v {
            Scalar::Str(s) => Some(s.as_str()),
            _ => None,
        });
        match field {
            field::QUALIFIED_NAME => Some(
                texts.filter_map(|qn| self.by_path.get(qn)).flatten().filter_map(|g| self.entities.get(g)).collect(),
            ),
            field::GUID => Some(texts.filter_map(|g| self.entities.get(g)).collect()),
            "connectionQualifiedName" | "databaseQualifiedName" | "schemaQualifiedName" | "tableQualifiedName" | "viewQualifiedName" => {
                Some(texts.flat_map(|ancestor| self.under_prefix(&format!("{ancestor}/")).collect::<Vec<_>>()).collect())
            }
            _ => None,
        }
    }

    fn under_prefix<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a StoredEntity> + 'a {
        let prefix = prefix.to_owned();
        self.by_path
            .range(prefix.clone()..)
            .take_while(move |(qn, _)| qn.starts_with(prefix.as_str()))
            .flat_map(|(_, guids)| guids)
            .filter_map(|g| self.entities.get(g))
    }

    /// The header of an asset with the requested attributes (`qualifiedName` and `name` always;
    /// custom metadata as `<setId>.<attrId>`).
    pub fn header(&self, e: &StoredEntity, attributes: &[String], exclude_tags: bool) -> EntityHeader {
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
        self.authorize(user, Permission::Read, e)?;
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
        self.authorize(user, Permission::Read, e)?;
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

    /// Validates custom-metadata values and merges them into `current` (`null` removes; with
    /// `overwrite`, sets not named are cleared).
    fn merged_business_attributes(
        &self,
        current: &BusinessAttributes,
        incoming: &BusinessAttributes,
        overwrite: bool,
    ) -> Result<BusinessAttributes, ApiError> {
        let mut merged = if overwrite { BusinessAttributes::new() } else { current.clone() };
        for (set_id, values) in incoming {
            let set = self
                .business_metadata
                .iter()
                .find(|s| &s.name == set_id)
                .ok_or_else(|| bad_custom_metadata(codes::UNKNOWN_CUSTOM_METADATA, format!("unknown custom-metadata set {set_id:?}")))?;
            let slot = merged.entry(set_id.clone()).or_default();
            for (attr_id, value) in values {
                let def = set.attribute(attr_id).ok_or_else(|| {
                    bad_custom_metadata(
                        codes::UNKNOWN_CUSTOM_METADATA,
                        format!("unknown attribute {attr_id:?} in custom-metadata set {:?}", set.display_name),
                    )
                })?;
                if def.is_archived() {
                    return Err(bad_custom_metadata(
                        codes::INVALID_CUSTOM_METADATA,
                        format!("attribute {:?} of {:?} is archived", def.display_name, set.display_name),
                    ));
                }
                if !def.accepts(value) {
                    return Err(bad_custom_metadata(
                        codes::INVALID_CUSTOM_METADATA,
                        format!("{}.{}: expected a {} value, got {value}", set.display_name, def.display_name, def.type_name),
                    ));
                }
                if value.is_null() {
                    slot.remove(attr_id);
                } else {
                    slot.insert(attr_id.clone(), value.clone());
                }
            }
        }
        merged.retain(|_, values| !values.is_empty());
        Ok(merged)
    }

    /// `POST entity/guid/{guid}/businessmetadata` (needs `update-custom-metadata`).
    pub fn write_business_metadata(
        &mut self,
        user: &str,
        guid: &str,
        incoming: &BusinessAttributes,
        overwrite: bool,
        now: i64,
    ) -> Result<bool, ApiError> {
        let e = self.entities.get(guid).ok_or_else(|| guid_not_found(guid))?;
        self.authorize(user, Permission::UpdateCustomMetadata, e)?;
        let merged = self.merged_business_attributes(&e.business_attributes, incoming, overwrite)?;
        if merged == e.business_attributes {
            return Ok(false);
        }
        if let Some(e) = self.entities.get_mut(guid) {
            e.business_attributes = merged;
            touch(e, user, now);
        }
        Ok(true)
    }

    /// `POST entity/bulk`: validates and authorises every entity first, then applies them all
    /// (a refused entity fails the whole request, as the catalog does).
    pub fn bulk(&mut self, user: &str, options: BulkOptions, request: BulkRequest, now: i64) -> Result<EntityMutationResponse, ApiError> {
        if request.entities.iter().any(|e| access_entities::TYPES.contains(&e.type_name.as_str())) {
            return self.bulk_access_control(user, request, now);
        }
        let mut plans = Vec::with_capacity(request.entities.len());
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        for (i, entity) in request.entities.into_iter().enumerate() {
            let plan = self.plan(user, options, entity, now).map_err(|mut e| {
                e.body.error_message = format!("entities[{i}]: {}", e.body.error_message);
                e
            })?;
            if !seen.insert((plan.type_name.clone(), plan.qualified_name.clone())) {
                return Err(ApiError::invalid(format!("entities[{i}]: {} appears twice in the request", plan.qualified_name)));
            }
            plans.push(plan);
        }
        let mut response = EntityMutationResponse::default();
        let mut tags_changed = false;
        for plan in plans {
            tags_changed |= plan.tags.is_some() || plan.create;
            let guid = plan.guid.clone();
            if let Some(placeholder) = &plan.placeholder {
                response.guid_assignments.insert(placeholder.clone(), guid.clone());
            }
            if plan.create {
                self.created += 1;
                let e = StoredEntity {
                    type_name: plan.type_name.clone(),
                    guid: guid.clone(),
                    status: EntityStatus::Active,
                    attributes: plan.attributes,
                    tags: plan.tags.unwrap_or_default(),
                    business_attributes: plan.business.unwrap_or_default(),
                    created_by: user.to_owned(),
                    updated_by: user.to_owned(),
                    create_time: now,
                    update_time: now,
                    version: 1,
                    propagated: Vec::new(),
                };
                self.by_unique.insert((plan.type_name.clone(), plan.qualified_name.clone()), guid.clone());
                self.by_qualified_name.entry(plan.qualified_name.clone()).or_insert_with(|| guid.clone());
                self.by_path.entry(plan.qualified_name.clone()).or_default().push(guid.clone());
                self.entities.insert(guid.clone(), e);
                if let Some(e) = self.entities.get(&guid) {
                    response.mutated_entities.create.push(mutation_header(e));
                }
                continue;
            }
            if !plan.changed() {
                continue;
            }
            if let Some(e) = self.entities.get_mut(&guid) {
                for (k, v) in plan.attributes {
                    if v.is_null() {
                        e.attributes.remove(&k);
                    } else {
                        e.attributes.insert(k, v);
                    }
                }
                if let Some(tags) = plan.tags {
                    e.tags = tags;
                }
                if let Some(business) = plan.business {
                    e.business_attributes = business;
                }
                touch(e, user, now);
                response.mutated_entities.update.push(mutation_header(e));
            }
        }
        if tags_changed {
            self.recompute_propagation();
        }
        Ok(response)
    }

    /// The access config's personas, purposes and policies as catalog entities (replacing the
    /// previous ones; unchanged entities keep their times).
    fn sync_access_entities(&mut self, user: &str, now: i64) {
        let tags = self.tags.clone();
        let tag_id = move |display: &str| tags.iter().find(|t| t.display_name == display).map_or_else(|| display.to_owned(), |t| t.name.clone());
        let naming = Naming { id: &hashed_id, guid: &guid_for, tag_id: &tag_id };
        let exported = access_entities::export(self.access.typed(), &naming);
        let previous: HashMap<String, StoredEntity> = self
            .entities
            .iter()
            .filter(|(_, e)| access_entities::TYPES.contains(&e.type_name.as_str()))
            .map(|(g, e)| (g.clone(), e.clone()))
            .collect();
        self.entities.retain(|_, e| !access_entities::TYPES.contains(&e.type_name.as_str()));
        for e in exported {
            let stored = match previous.get(&e.guid) {
                Some(old) if old.attributes == e.attributes => old.clone(),
                Some(old) => StoredEntity { attributes: e.attributes, updated_by: user.to_owned(), update_time: now, version: old.version + 1, ..old.clone() },
                None => StoredEntity {
                    type_name: e.type_name.to_owned(),
                    guid: e.guid.clone(),
                    status: EntityStatus::Active,
                    attributes: e.attributes,
                    tags: Vec::new(),
                    business_attributes: BusinessAttributes::new(),
                    created_by: user.to_owned(),
                    updated_by: user.to_owned(),
                    create_time: now,
                    update_time: now,
                    version: 1,
                    propagated: Vec::new(),
                },
            };
            self.entities.insert(e.guid, stored);
        }
    }

    /// `POST entity/bulk` with `Persona`, `Purpose` or `AuthPolicy` entities (admin users only,
    /// one policy per request, no duplicate policy name in an owner): the entities are merged
    /// into the current ones, read back into an access config with core's import, validated and
    /// compiled; the next request is authorised by the new config.
    fn bulk_access_control(&mut self, user: &str, request: BulkRequest, now: i64) -> Result<EntityMutationResponse, ApiError> {
        self.access.authorize_admin(user)?;
        if request.entities.iter().any(|e| !access_entities::TYPES.contains(&e.type_name.as_str())) {
            return Err(ApiError::invalid("Persona, Purpose and AuthPolicy entities are written on their own, not with other assets"));
        }
        if request.entities.iter().filter(|e| e.type_name == "AuthPolicy").count() > 1 {
            return Err(ApiError::invalid("only one AuthPolicy may be created or updated per request"));
        }
        let tags = self.tags.clone();
        let tag_id = move |display: &str| tags.iter().find(|t| t.display_name == display).map_or_else(|| display.to_owned(), |t| t.name.clone());
        let naming = Naming { id: &hashed_id, guid: &guid_for, tag_id: &tag_id };
        let mut list: Vec<(String, String, Map<String, Value>)> = self
            .entities
            .values()
            .filter(|e| access_entities::TYPES.contains(&e.type_name.as_str()))
            .map(|e| (e.type_name.clone(), e.guid.clone(), e.attributes.clone()))
            .collect();
        let mut touched: Vec<(String, bool, Option<String>)> = Vec::new();
        for (i, entity) in request.entities.into_iter().enumerate() {
            let at = |e: ApiError| ApiError { body: Box::new(ErrorBody { error_message: format!("entities[{i}]: {}", e.body.error_message), ..*e.body }), ..e };
            let found = match entity.existing_guid() {
                Some(guid) => Some(list.iter().position(|(_, g, _)| g == guid).ok_or_else(|| at(guid_not_found(guid)))?),
                None => entity.qualified_name().and_then(|qn| {
                    list.iter().position(|(t, _, a)| *t == entity.type_name && a.get(attr::QUALIFIED_NAME).and_then(Value::as_str) == Some(qn))
                }),
            };
            let name = entity.attributes.get(attr::NAME).and_then(Value::as_str).map(str::to_owned);
            let index = match found {
                Some(index) => {
                    let Some((_, guid, attributes)) = list.get_mut(index) else { continue };
                    if name.as_deref().is_some_and(|n| attributes.get(attr::NAME).and_then(Value::as_str) != Some(n)) {
                        return Err(at(ApiError::invalid("renaming a persona, purpose or policy is not supported by the sandbox")));
                    }
                    for (k, v) in entity.attributes {
                        if k == attr::QUALIFIED_NAME {
                            continue;
                        }
                        if v.is_null() {
                            attributes.remove(&k);
                        } else {
                            attributes.insert(k, v);
                        }
                    }
                    touched.push((guid.clone(), false, None));
                    index
                }
                None => {
                    let name = name.filter(|n| !n.trim().is_empty()).ok_or_else(|| at(ApiError::invalid("attributes.name: missing")))?;
                    let qualified_name = match entity.type_name.as_str() {
                        "Persona" => naming.owner_qualified_name(OwnerKind::Persona, &name),
                        "Purpose" => naming.owner_qualified_name(OwnerKind::Purpose, &name),
                        _ => {
                            let owner = entity.attributes.get("accessControl").ok_or_else(|| at(ApiError::invalid("attributes.accessControl: missing (the persona or purpose of the policy)")))?;
                            let owner_guid = owner.get("guid").and_then(Value::as_str).map(str::to_owned).or_else(|| {
                                let qn = owner.get("uniqueAttributes").and_then(|u| u.get(attr::QUALIFIED_NAME)).and_then(Value::as_str)?;
                                list.iter().find(|(t, _, a)| t != "AuthPolicy" && a.get(attr::QUALIFIED_NAME).and_then(Value::as_str) == Some(qn)).map(|(_, g, _)| g.clone())
                            });
                            let owner_guid = owner_guid
                                .filter(|g| list.iter().any(|(t, og, _)| t != "AuthPolicy" && og == g))
                                .ok_or_else(|| at(ApiError::new(StatusCode::NOT_FOUND, codes::GUID_NOT_FOUND, "the policy's persona or purpose (accessControl) does not exist")))?;
                            naming.policy_qualified_name(&owner_guid, &name)
                        }
                    };
                    let guid = guid_for(&qualified_name);
                    if list.iter().any(|(_, g, _)| *g == guid) {
                        let what = if entity.type_name == "AuthPolicy" { "a policy" } else { "an entity" };
                        return Err(at(ApiError::new(
                            StatusCode::CONFLICT,
                            if entity.type_name == "AuthPolicy" { codes::DUPLICATE_POLICY } else { codes::TYPE_ALREADY_EXISTS },
                            format!("{what} named {name:?} already exists there"),
                        )));
                    }
                    let mut attributes = entity.attributes;
                    attributes.insert(attr::QUALIFIED_NAME.to_owned(), Value::String(qualified_name));
                    list.push((entity.type_name.clone(), guid.clone(), attributes));
                    touched.push((guid, true, entity.guid.filter(|g| g.starts_with('-'))));
                    list.len() - 1
                }
            };
            // A duplicate policy name in one persona or purpose is refused, as the catalog does.
            if let Some((t, guid, attributes)) = list.get(index) {
                if t == "AuthPolicy" {
                    let owner = attributes.get("accessControl").and_then(|a| a.get("guid")).cloned();
                    let duplicate = list.iter().any(|(ot, og, oa)| {
                        ot == "AuthPolicy" && og != guid && oa.get(attr::NAME) == attributes.get(attr::NAME)
                            && oa.get("accessControl").and_then(|a| a.get("guid")).cloned() == owner
                    });
                    if duplicate {
                        return Err(at(ApiError::new(StatusCode::CONFLICT, codes::DUPLICATE_POLICY, "a policy with this name already exists in the persona or purpose")));
                    }
                }
            }
        }
        let entities: Vec<Value> = list
            .iter()
            .map(|(t, g, a)| serde_json::json!({"typeName": t, "guid": g, "status": "ACTIVE", "attributes": a}))
            .collect();
        let tag_defs = serde_json::json!({"classificationDefs": self.tags});
        let imported = import_catalog_policies(&Value::Array(entities), Some(&tag_defs));
        let problems: Vec<String> =
            imported.issues.iter().filter(|i| i.kind != ImportIssueKind::AssumedRole).map(|i| format!("{}: {}", i.location, i.message)).collect();
        if !problems.is_empty() {
            return Err(ApiError::invalid(format!("the access-control entities are not valid: {}", problems.join("; "))));
        }
        let mut config = self.access.typed().clone();
        config.personas = imported.config.personas;
        config.purposes = imported.config.purposes;
        let value = serde_json::to_value(&config).map_err(|e| ApiError::invalid(e.to_string()))?;
        self.access = AccessControl::from_json(value).map_err(ApiError::invalid)?;
        self.sync_access_entities(user, now);
        self.reindex();
        let mut response = EntityMutationResponse::default();
        for (guid, created, placeholder) in touched {
            let Some(e) = self.entities.get(&guid) else { continue };
            if let Some(p) = placeholder {
                response.guid_assignments.insert(p, guid.clone());
            }
            if created {
                response.mutated_entities.create.push(mutation_header(e));
            } else {
                response.mutated_entities.update.push(mutation_header(e));
            }
        }
        Ok(response)
    }

    /// `PUT entity/uniqueAttribute/type/{type}`: changes attributes of an existing asset (never
    /// creates one); answered in `PARTIAL_UPDATE`.
    pub fn partial_update(
        &mut self,
        user: &str,
        type_name: &str,
        qualified_name: &str,
        mut entity: steward_core::catalog::entity::BulkEntity,
        now: i64,
    ) -> Result<EntityMutationResponse, ApiError> {
        if !self.by_unique.contains_key(&(type_name.to_owned(), qualified_name.to_owned())) {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                codes::UNIQUE_ATTRIBUTE_NOT_FOUND,
                format!("Instance {type_name} with unique attribute {{qualifiedName={qualified_name}}} does not exist"),
            ));
        }
        entity.type_name = type_name.to_owned();
        entity.guid = None;
        entity.attributes.insert(attr::QUALIFIED_NAME.to_owned(), Value::String(qualified_name.to_owned()));
        let mut response = self.bulk(user, BulkOptions::default(), BulkRequest { entities: vec![entity] }, now)?;
        response.mutated_entities.partial_update = std::mem::take(&mut response.mutated_entities.update);
        Ok(response)
    }

    fn plan(&self, user: &str, options: BulkOptions, entity: steward_core::catalog::entity::BulkEntity, now: i64) -> Result<Plan, ApiError> {
        if !ASSET_TYPES.contains(&entity.type_name.as_str()) {
            return Err(unknown_type(&entity.type_name));
        }
        let existing = match entity.existing_guid() {
            Some(guid) => Some(self.entities.get(guid).ok_or_else(|| guid_not_found(guid))?),
            None => {
                let qn = entity
                    .qualified_name()
                    .ok_or_else(|| ApiError::invalid("attributes.qualifiedName: missing (required to find or create the asset)"))?;
                self.by_unique.get(&(entity.type_name.clone(), qn.to_owned())).and_then(|g| self.entities.get(g))
            }
        };
        if let Some(e) = existing {
            if e.type_name != entity.type_name {
                return Err(ApiError::invalid(format!("guid {} is a {}, not a {}", e.guid, e.type_name, entity.type_name)));
            }
        }
        let tags = self.planned_tags(options, &entity, existing.map_or(&[][..], |e| &e.tags))?;
        let business = match (&entity.business_attributes, options.replace_business_attributes) {
            (Some(incoming), true) => {
                let empty = BusinessAttributes::new();
                let current = existing.map_or(&empty, |e| &e.business_attributes);
                let merged = self.merged_business_attributes(current, incoming, options.overwrite_business_attributes)?;
                (merged != *current).then_some(merged)
            }
            _ => None,
        };
        let Some(e) = existing else {
            return self.plan_create(user, entity, tags, business);
        };
        // Authorise what the request asks for, whether or not it changes anything.
        let asks_update = entity.attributes.iter().any(|(k, v)| {
            k != attr::QUALIFIED_NAME && !(k == attr::NAME && v.as_str() == Some(e.name()))
        });
        if asks_update {
            self.authorize(user, Permission::Update, e)?;
        }
        if let Some(new_tags) = &tags {
            let adds = if options.replace_tags {
                new_tags.iter().any(|t| !e.tags.contains(t))
            } else {
                entity.add_or_update_classifications.as_ref().is_some_and(|a| !a.is_empty())
            };
            let removes = if options.replace_tags {
                e.tags.iter().any(|t| !new_tags.iter().any(|n| n.type_name == t.type_name))
            } else {
                entity.remove_classifications.as_ref().is_some_and(|r| !r.is_empty())
            };
            if adds {
                self.authorize(user, Permission::AddTags, e)?;
            }
            if removes {
                self.authorize(user, Permission::RemoveTags, e)?;
            }
        }
        if options.replace_business_attributes && entity.business_attributes.is_some() {
            self.authorize(user, Permission::UpdateCustomMetadata, e)?;
        }
        Ok(Plan {
            type_name: e.type_name.clone(),
            qualified_name: e.qualified_name().to_owned(),
            guid: e.guid.clone(),
            placeholder: entity.guid.clone().filter(|g| g.starts_with('-')),
            create: false,
            attributes: changed_attributes(e, &entity.attributes, user, now),
            tags: tags.filter(|t| *t != e.tags),
            business,
        })
    }

    fn plan_create(
        &self,
        user: &str,
        entity: steward_core::catalog::entity::BulkEntity,
        tags: Option<Vec<Classification>>,
        business: Option<BusinessAttributes>,
    ) -> Result<Plan, ApiError> {
        let qn = entity.qualified_name().unwrap_or_default().to_owned();
        if !entity.attributes.get(attr::NAME).and_then(Value::as_str).is_some_and(|n| !n.is_empty()) {
            return Err(ApiError::invalid(format!("attributes.name: missing (required to create {qn})")));
        }
        let mut attributes = entity.attributes.clone();
        let segments: Vec<&str> = qn.split('/').collect();
        if let (Some(prefix), Some(connector)) = (segments.get(..3), segments.get(1)) {
            attributes.entry("connectionQualifiedName").or_insert_with(|| Value::String(prefix.join("/")));
            attributes.entry("connectorName").or_insert_with(|| Value::String((*connector).to_owned()));
        }
        let probe = StoredEntity {
            type_name: entity.type_name.clone(),
            guid: String::new(),
            status: EntityStatus::Active,
            attributes: attributes.clone(),
            tags: tags.clone().unwrap_or_default(),
            business_attributes: BusinessAttributes::new(),
            created_by: user.to_owned(),
            updated_by: user.to_owned(),
            create_time: 0,
            update_time: 0,
            version: 0,
            propagated: Vec::new(),
        };
        self.authorize(user, Permission::Create, &probe)?;
        Ok(Plan {
            guid: guid_for(&format!("created:{}:{qn}:{}", entity.type_name, self.created)),
            type_name: entity.type_name,
            qualified_name: qn,
            placeholder: entity.guid.filter(|g| g.starts_with('-')),
            create: true,
            attributes,
            tags,
            business,
        })
    }

    /// The asset's tags after the request, when the request changes tags (only with
    /// `appendTags=true` or `replaceTags=true`).
    fn planned_tags(
        &self,
        options: BulkOptions,
        entity: &steward_core::catalog::entity::BulkEntity,
        current: &[Classification],
    ) -> Result<Option<Vec<Classification>>, ApiError> {
        let stored = |c: &Classification| Classification { entity_guid: None, entity_status: None, ..c.clone() };
        let known = |c: &Classification| {
            if self.tags.iter().any(|t| t.name == c.type_name) {
                Ok(())
            } else {
                Err(unknown_type(&c.type_name))
            }
        };
        if options.replace_tags {
            let Some(wanted) = &entity.classifications else { return Ok(None) };
            wanted.iter().try_for_each(known)?;
            return Ok(Some(wanted.iter().map(stored).collect()));
        }
        if !options.append_tags {
            return Ok(None);
        }
        let (adds, removes) = (entity.add_or_update_classifications.as_deref(), entity.remove_classifications.as_deref());
        if adds.is_none() && removes.is_none() {
            return Ok(None);
        }
        let mut tags = current.to_vec();
        for add in adds.unwrap_or_default() {
            known(add)?;
            tags.retain(|t| t.type_name != add.type_name);
            tags.push(stored(add));
        }
        for remove in removes.unwrap_or_default() {
            known(remove)?;
            tags.retain(|t| t.type_name != remove.type_name);
        }
        Ok(Some(tags))
    }
}

/// What one bulk entity will change.
struct Plan {
    type_name: String,
    qualified_name: String,
    guid: String,
    placeholder: Option<String>,
    create: bool,
    /// Attributes to set (`null` removes).
    attributes: Map<String, Value>,
    tags: Option<Vec<Classification>>,
    business: Option<BusinessAttributes>,
}

impl Plan {
    fn changed(&self) -> bool {
        !self.attributes.is_empty() || self.tags.is_some() || self.business.is_some()
    }
}

/// The attributes of a bulk entity that differ from the stored asset. Announcements: the three
/// fields set together (the server keeps who and when); all three `null` removes them.
fn changed_attributes(e: &StoredEntity, incoming: &Map<String, Value>, user: &str, now: i64) -> Map<String, Value> {
    let mut changes = Map::new();
    for (key, value) in incoming {
        let server_kept = key == attr::QUALIFIED_NAME || key == attr::ANNOUNCEMENT_UPDATED_AT || key == attr::ANNOUNCEMENT_UPDATED_BY;
        if server_kept {
            continue;
        }
        let current = e.attributes.get(key).unwrap_or(&Value::Null);
        if current != value {
            changes.insert(key.clone(), value.clone());
        }
    }
    if attr::ANNOUNCEMENT_FIELDS.iter().any(|f| changes.contains_key(*f)) {
        let removing = attr::ANNOUNCEMENT_FIELDS
            .iter()
            .all(|f| incoming.get(*f).is_some_and(Value::is_null) || (!incoming.contains_key(*f) && !e.attributes.contains_key(*f)));
        if removing {
            changes.insert(attr::ANNOUNCEMENT_UPDATED_AT.to_owned(), Value::Null);
            changes.insert(attr::ANNOUNCEMENT_UPDATED_BY.to_owned(), Value::Null);
        } else {
            changes.insert(attr::ANNOUNCEMENT_UPDATED_AT.to_owned(), Value::from(now));
            changes.insert(attr::ANNOUNCEMENT_UPDATED_BY.to_owned(), Value::String(user.to_owned()));
        }
    }
    changes
}

fn touch(e: &mut StoredEntity, user: &str, now: i64) {
    e.updated_by = user.to_owned();
    e.update_time = now;
    e.version += 1;
}

fn mutation_header(e: &StoredEntity) -> EntityHeader {
    let mut attributes = Map::new();
    for key in [attr::QUALIFIED_NAME, attr::NAME] {
        if let Some(v) = e.attributes.get(key) {
            attributes.insert(key.to_owned(), v.clone());
        }
    }
    EntityHeader {
        type_name: e.type_name.clone(),
        guid: e.guid.clone(),
        status: e.status,
        display_text: Some(e.name().to_owned()),
        attributes,
        classification_names: e.tags.iter().map(|t| t.type_name.clone()).collect(),
        classifications: Vec::new(),
        meaning_names: Vec::new(),
        labels: Vec::new(),
        created_by: Some(e.created_by.clone()),
        updated_by: Some(e.updated_by.clone()),
        create_time: Some(e.create_time),
        update_time: Some(e.update_time),
    }
}

fn guid_not_found(guid: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, codes::GUID_NOT_FOUND, format!("Given instance guid {guid} is invalid/not found"))
}

fn unknown_type(name: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, codes::TYPE_NAME_NOT_FOUND, format!("Given typename {name} was invalid"))
}

fn already_exists(name: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, codes::TYPE_ALREADY_EXISTS, format!("Given type {name} already exists"))
}

fn bad_custom_metadata(code: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// An asset as the index sees it.
struct Indexed<'a> {
    entity: &'a StoredEntity,
}

impl SearchDocument for Indexed<'_> {
    fn any_value(&self, name: &str, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
        let e = self.entity;
        match name {
            field::TYPE_NAME => visit(FieldValue::Str(&e.type_name)),
            field::SUPER_TYPE_NAMES => super_types(&e.type_name).iter().any(|s| visit(FieldValue::Str(s))),
            field::STATE => visit(FieldValue::Str(e.status.as_str())),
            field::GUID => visit(FieldValue::Str(&e.guid)),
            field::TRAIT_NAMES => e.tags.iter().any(|t| visit(FieldValue::Str(&t.type_name))),
            field::PROPAGATED_TRAIT_NAMES => e.propagated.iter().any(|t| visit(FieldValue::Str(&t.type_name))),
            "__classificationNames" => e.tags.iter().chain(&e.propagated).any(|t| visit(FieldValue::Str(&t.type_name))),
            #[allow(clippy::cast_precision_loss)] // epoch ms fit f64 exactly
            field::TIMESTAMP => visit(FieldValue::Num(e.create_time as f64)),
            #[allow(clippy::cast_precision_loss)]
            field::MODIFICATION_TIMESTAMP => visit(FieldValue::Num(e.update_time as f64)),
            field::CREATED_BY => visit(FieldValue::Str(&e.created_by)),
            field::MODIFIED_BY => visit(FieldValue::Str(&e.updated_by)),
            other => match e.attributes.get(other) {
                Some(value) => visit_json(value, visit),
                None => other.split_once('.').is_some_and(|(set, attribute)| {
                    e.business_attributes.get(set).and_then(|v| v.get(attribute)).is_some_and(|v| visit_json(v, visit))
                }),
            },
        }
    }
}

fn visit_json(value: &Value, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
    match value {
        Value::String(s) => visit(FieldValue::Str(s)),
        Value::Number(n) => n.as_f64().is_some_and(|n| visit(FieldValue::Num(n))),
        Value::Bool(b) => visit(FieldValue::Bool(*b)),
        Value::Array(items) => items.iter().any(|v| visit_json(v, visit)),
        Value::Null | Value::Object(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::catalog::demo::{self, DemoOptions};
    use serde_json::json;

    fn demo_catalog() -> Catalog {
        Catalog::from_state(demo::state(DemoOptions::default()).unwrap()).unwrap()
    }

    /// Differential test: narrowing by the qualified-name indexes never changes an answer.
    #[test]
    fn indexed_search_agrees_with_a_full_scan() {
        let catalog = demo_catalog();
        let sf = "default/snowflake/1700000000";
        let some_guid = catalog.entities().nth(7).unwrap().guid.clone();
        let queries = [
            json!({"term": {"qualifiedName": format!("{sf}/SALES_DB/SALES/ORDERS")}}),
            json!({"terms": {"qualifiedName": [format!("{sf}/SALES_DB/SALES/ORDERS"), format!("{sf}/SALES_DB/SALES/NOPE"), format!("{sf}/SALES_DB")]}}),
            json!({"term": {"__guid": some_guid}}),
            json!({"bool": {"filter": [{"term": {"__typeName.keyword": "Column"}}, {"term": {"schemaQualifiedName": format!("{sf}/SALES_DB/MARKETING")}}]}}),
            json!({"bool": {"filter": [{"term": {"tableQualifiedName": format!("{sf}/SALES_DB/SALES/CUSTOMERS")}}], "must_not": [{"term": {"name": "EMAIL"}}]}}),
            json!({"bool": {"filter": [{"prefix": {"qualifiedName": format!("{sf}/FINANCE_DB/")}}, {"terms": {"__propagatedTraitNames": ["f8RbN2xQp0LcV6tYh3JwEa"]}}]}}),
            json!({"bool": {"must": [{"prefix": {"qualifiedName": format!("{sf}/SALES_DB/SALES/ORD")}}, {"term": {"connectionQualifiedName": sf}}]}}),
            json!({"bool": {"filter": [{"term": {"databaseQualifiedName": format!("{sf}/FINANCE_DB")}}, {"term": {"__typeName.keyword": "Schema"}}]}}),
            json!({"term": {"qualifiedName": {"value": format!("{sf}/sales_db"), "case_insensitive": true}}}),
            json!({"bool": {"should": [{"term": {"qualifiedName": format!("{sf}/SALES_DB")}}, {"term": {"__typeName.keyword": "Database"}}]}}),
            json!({"match_all": {}}),
        ];
        for user in ["sandbox-admin", "service-account-apikey-integration", "sandbox-guest"] {
            for query in &queries {
                let request: IndexSearchRequest = serde_json::from_value(json!({"dsl": {"from": 0, "size": 5000, "query": query}, "attributes": ["name"]})).unwrap();
                let indexed = catalog.search_using(user, &request, true).unwrap();
                let scanned = catalog.search_using(user, &request, false).unwrap();
                assert_eq!(indexed, scanned, "{user}: {query}");
            }
        }
    }

    #[test]
    fn propagation_comes_from_the_nearest_ancestor_and_skips_direct_tags() {
        let catalog = demo_catalog();
        let card = catalog.entity_by_qualified_name("default/snowflake/1700000000/FINANCE_DB/PAYMENTS/CARDS/CARD_NUMBER").unwrap();
        let schema = catalog.entity_by_qualified_name("default/snowflake/1700000000/FINANCE_DB/PAYMENTS").unwrap();
        assert_eq!(card.propagated.len(), 1);
        assert_eq!(card.propagated[0].entity_guid.as_deref(), Some(schema.guid.as_str()));
        let orders_old_column = catalog.entity_by_qualified_name("default/snowflake/1700000000/SALES_DB/SALES/ORDERS_OLD/AMOUNT").unwrap();
        assert!(orders_old_column.propagated.is_empty(), "Deprecated does not propagate");
    }
}
