//! Writes: the bulk upsert (tags with `appendTags`/`replaceTags`, custom metadata merged,
//! announcements, creation only of genuinely new assets), the single-asset custom-metadata write
//! and the partial update by unique attribute. Every entity of a request is validated and
//! authorised before any is applied: a refused entity fails the whole request.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_core::access::MetadataAction;
use steward_core::catalog::access_entities;
use steward_core::catalog::entity::{
    attr, BulkEntity, BulkOptions, BulkRequest, BusinessAttributes, Classification, EntityMutationResponse,
};
use steward_core::catalog::error::codes;

use super::index::DocKeys;
use super::store::{bad_custom_metadata, guid_not_found, mutation_header, unknown_type, ApiError, Catalog, StoredEntity, ASSET_TYPES};
use crate::sandbox::seeded::guid_for;

impl Catalog {
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
        self.authorize(user, MetadataAction::UpdateCustomMetadata, e)?;
        let merged = self.merged_business_attributes(&e.business_attributes, incoming, overwrite)?;
        if merged == e.business_attributes {
            return Ok(false);
        }
        if let Some(e) = self.entities.get_mut(guid) {
            let before = DocKeys::of(e);
            e.business_attributes = merged;
            touch(e, user, now);
            self.index.update(guid, &before, DocKeys::of(e));
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
            let plan = self.plan(user, options, entity, now).map_err(|e| e.at_entity(i))?;
            if !seen.insert((plan.type_name.clone(), plan.qualified_name.clone())) {
                return Err(ApiError::invalid(format!("entities[{i}]: {} appears twice in the request", plan.qualified_name)));
            }
            plans.push(plan);
        }
        let mut response = EntityMutationResponse::default();
        let mut retagged: Vec<String> = Vec::new();
        let mut created = false;
        for plan in plans {
            if plan.tags.is_some() && !plan.create {
                retagged.push(plan.qualified_name.clone());
            }
            created |= plan.create;
            let guid = plan.guid.clone();
            if let Some(placeholder) = &plan.placeholder {
                response.guid_assignments.insert(placeholder.clone(), guid.clone());
            }
            if plan.create {
                self.created = self.created.saturating_add(1);
                let e = StoredEntity {
                    tags: plan.tags.unwrap_or_default(),
                    business_attributes: plan.business.unwrap_or_default(),
                    ..StoredEntity::new(&plan.type_name, guid.clone(), plan.attributes, user, now)
                };
                self.by_unique.insert((plan.type_name.clone(), plan.qualified_name.clone()), guid.clone());
                self.by_qualified_name.entry(plan.qualified_name.clone()).or_insert_with(|| guid.clone());
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
                let before = DocKeys::of(e);
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
                self.index.update(&guid, &before, DocKeys::of(e));
            }
        }
        if created {
            self.recompute_propagation();
            self.rebuild_search_index();
        } else if !retagged.is_empty() {
            self.recompute_propagation_under(&retagged);
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
        mut entity: BulkEntity,
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

    fn plan(&self, user: &str, options: BulkOptions, entity: BulkEntity, now: i64) -> Result<Plan, ApiError> {
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
            self.authorize(user, MetadataAction::Update, e)?;
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
                self.authorize(user, MetadataAction::AddTags, e)?;
            }
            if removes {
                self.authorize(user, MetadataAction::RemoveTags, e)?;
            }
        }
        if options.replace_business_attributes && entity.business_attributes.is_some() {
            self.authorize(user, MetadataAction::UpdateCustomMetadata, e)?;
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
        entity: BulkEntity,
        tags: Option<Vec<Classification>>,
        business: Option<BusinessAttributes>,
    ) -> Result<Plan, ApiError> {
        let qn = entity.qualified_name().unwrap_or_default().to_owned();
        if entity.attributes.get(attr::NAME).and_then(Value::as_str).is_none_or(|n| n.is_empty()) {
            return Err(ApiError::invalid(format!("attributes.name: missing (required to create {qn})")));
        }
        let mut attributes = entity.attributes.clone();
        let segments: Vec<&str> = qn.split('/').collect();
        if let (Some(prefix), Some(connector)) = (segments.get(..3), segments.get(1)) {
            attributes.entry("connectionQualifiedName").or_insert_with(|| Value::String(prefix.join("/")));
            attributes.entry("connectorName").or_insert_with(|| Value::String((*connector).to_owned()));
        }
        let probe = StoredEntity {
            tags: tags.clone().unwrap_or_default(),
            ..StoredEntity::new(&entity.type_name, String::new(), attributes.clone(), user, 0)
        };
        self.authorize(user, MetadataAction::Create, &probe)?;
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
        entity: &BulkEntity,
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
    e.version = e.version.saturating_add(1);
}

