//! The sandbox's personas, purposes and policies as the catalog shows them (`Persona`,
//! `Purpose`, `AuthPolicy`, exported by core from the access config), and how an admin changes
//! them through the bulk endpoint: the entities are merged, read back into an access config by
//! core's import, validated and compiled, and the next request is authorised by the new config.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_core::access::{import_catalog_policies, ImportIssueKind, OwnerKind};
use steward_core::catalog::access_entities::{self, Naming};
use steward_core::catalog::entity::{attr, BulkRequest, EntityMutationResponse};
use steward_core::catalog::error::codes;

use super::store::{guid_not_found, mutation_header, ApiError, Catalog, StoredEntity};
use crate::sandbox::authorize::AccessControl;
use crate::sandbox::seeded::{guid_for, hashed_id};

/// Creation time of the demo's access-control entities (before every demo asset).
pub(super) const DEMO_TIME_MS: i64 = 1_699_000_000_000;

/// How exported entities are named in the sandbox.
fn naming<'a>(tag_id: &'a dyn Fn(&str) -> String) -> Naming<'a> {
    Naming { id: &hashed_id, guid: &guid_for, tag_id }
}

impl Catalog {
    /// The id of a tag by display name (the name itself when there is no such tag).
    fn tag_id(&self, display: &str) -> String {
        self.tags.iter().find(|t| t.display_name == display).map_or_else(|| display.to_owned(), |t| t.name.clone())
    }

    /// The access config's personas, purposes and policies as catalog entities (replacing the
    /// previous ones; unchanged entities keep their times).
    pub(super) fn sync_access_entities(&mut self, user: &str, now: i64) {
        let exported = {
            let tag_id = |display: &str| self.tag_id(display);
            access_entities::export(self.access.typed(), &naming(&tag_id))
        };
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
                Some(old) => StoredEntity { attributes: e.attributes, updated_by: user.to_owned(), update_time: now, version: old.version.saturating_add(1), ..old.clone() },
                None => StoredEntity::new(e.type_name, e.guid.clone(), e.attributes, user, now),
            };
            self.entities.insert(e.guid, stored);
        }
    }

    /// `POST entity/bulk` with `Persona`, `Purpose` or `AuthPolicy` entities (admin users only,
    /// one policy per request, no duplicate policy name in an owner): the entities are merged
    /// into the current ones, read back into an access config with core's import, validated and
    /// compiled; the next request is authorised by the new config.
    pub(super) fn bulk_access_control(&mut self, user: &str, request: BulkRequest, now: i64) -> Result<EntityMutationResponse, ApiError> {
        self.access.authorize_admin(user)?;
        if request.entities.iter().any(|e| !access_entities::TYPES.contains(&e.type_name.as_str())) {
            return Err(ApiError::invalid("Persona, Purpose and AuthPolicy entities are written on their own, not with other assets"));
        }
        if request.entities.iter().filter(|e| e.type_name == "AuthPolicy").count() > 1 {
            return Err(ApiError::invalid("only one AuthPolicy may be created or updated per request"));
        }
        let tag_id = |display: &str| self.tag_id(display);
        let naming = naming(&tag_id);
        let mut list: Vec<(String, String, Map<String, Value>)> = self
            .entities
            .values()
            .filter(|e| access_entities::TYPES.contains(&e.type_name.as_str()))
            .map(|e| (e.type_name.clone(), e.guid.clone(), e.attributes.clone()))
            .collect();
        let mut touched: Vec<(String, bool, Option<String>)> = Vec::new();
        for (i, entity) in request.entities.into_iter().enumerate() {
            let at = |e: ApiError| e.at_entity(i);
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
}
