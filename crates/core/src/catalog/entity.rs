//! Entities (assets) on the wire: the bulk upsert, custom-metadata writes, reads by guid or by
//! unique attribute, and the headers that searches and mutations answer with.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `POST /api/meta/entity/bulk`.
pub const BULK_PATH: &str = "/api/meta/entity/bulk";
/// `GET /api/meta/entity/guid/{guid}`.
pub const GUID_PATH_PREFIX: &str = "/api/meta/entity/guid/";
/// `GET /api/meta/entity/uniqueAttribute/type/{typeName}?attr:qualifiedName=…`.
pub const UNIQUE_ATTRIBUTE_PATH_PREFIX: &str = "/api/meta/entity/uniqueAttribute/type/";
/// The query parameter naming the qualified name in a read by unique attribute.
pub const UNIQUE_QUALIFIED_NAME_PARAM: &str = "attr:qualifiedName";

/// Custom-metadata values: set id → attribute id → value (`null` removes).
pub type BusinessAttributes = BTreeMap<String, Map<String, Value>>;

/// Names of the attributes Steward reads and writes.
pub mod attr {
    /// The unique, case-sensitive path of an asset.
    pub const QUALIFIED_NAME: &str = "qualifiedName";
    /// The asset's name.
    pub const NAME: &str = "name";
    /// `information` | `warning` | `issue`.
    pub const ANNOUNCEMENT_TYPE: &str = "announcementType";
    /// Announcement title.
    pub const ANNOUNCEMENT_TITLE: &str = "announcementTitle";
    /// Announcement text.
    pub const ANNOUNCEMENT_MESSAGE: &str = "announcementMessage";
    /// Kept by the server: when the announcement was last written (epoch ms).
    pub const ANNOUNCEMENT_UPDATED_AT: &str = "announcementUpdatedAt";
    /// Kept by the server: who last wrote the announcement.
    pub const ANNOUNCEMENT_UPDATED_BY: &str = "announcementUpdatedBy";
    /// The three attributes a client writes to set an announcement (all `null` removes it).
    pub const ANNOUNCEMENT_FIELDS: [&str; 3] = [ANNOUNCEMENT_TYPE, ANNOUNCEMENT_TITLE, ANNOUNCEMENT_MESSAGE];
    /// Connection admins: usernames.
    pub const ADMIN_USERS: &str = "adminUsers";
    /// Connection admins: group names.
    pub const ADMIN_GROUPS: &str = "adminGroups";
    /// Connection admins: role ids.
    pub const ADMIN_ROLES: &str = "adminRoles";
}

/// Kinds of announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnouncementType {
    /// Informational.
    Information,
    /// A warning (Steward's anomaly alerts).
    Warning,
    /// An issue.
    Issue,
}

impl AnnouncementType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Information => "information",
            Self::Warning => "warning",
            Self::Issue => "issue",
        }
    }
}

impl FromStr for AnnouncementType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "information" => Ok(Self::Information),
            "warning" => Ok(Self::Warning),
            "issue" => Ok(Self::Issue),
            other => Err(format!("unknown announcement type {other:?} (expected information, warning or issue)")),
        }
    }
}

/// `ACTIVE`, `DELETED` or `PURGED`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityStatus {
    /// Live.
    #[default]
    Active,
    /// Soft-deleted: searches still return it unless filtered on `__state`.
    Deleted,
    /// Hard-deleted.
    Purged,
}

impl EntityStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Deleted => "DELETED",
            Self::Purged => "PURGED",
        }
    }
}

impl fmt::Display for EntityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tag on an entity. On reads, `entityGuid` names the asset the tag is attached to: another
/// asset's guid means the tag is propagated from that asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Classification {
    /// The tag's internal id.
    pub type_name: String,
    /// The asset the tag is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_guid: Option<String>,
    /// Status of that asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_status: Option<EntityStatus>,
    /// Whether the tag propagates to child assets (and through lineage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagate: Option<bool>,
    /// Whether propagated copies disappear when the source asset is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_propagations_on_entity_delete: Option<bool>,
    /// Whether propagation stops at lineage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_propagation_through_lineage: Option<bool>,
    /// Whether propagation stops at the asset hierarchy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_propagation_through_hierarchy: Option<bool>,
}

impl Classification {
    /// A tag to add or remove, by id, with no flags.
    pub fn named(type_name: impl Into<String>) -> Self {
        Self {
            type_name: type_name.into(),
            entity_guid: None,
            entity_status: None,
            propagate: None,
            remove_propagations_on_entity_delete: None,
            restrict_propagation_through_lineage: None,
            restrict_propagation_through_hierarchy: None,
        }
    }

    /// Whether this (read) tag is propagated onto `guid` from another asset.
    pub fn is_propagated_onto(&self, guid: &str) -> bool {
        self.entity_guid.as_deref().is_some_and(|g| g != guid)
    }
}

/// A reference to another entity, as relationship attributes carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityRef {
    /// The referenced entity's guid.
    pub guid: String,
    /// Its type.
    pub type_name: String,
    /// Its unique attributes (`qualifiedName`).
    #[serde(default)]
    pub unique_attributes: Map<String, Value>,
}

/// The entity header that searches and mutation responses carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityHeader {
    /// Type name, e.g. `Table`.
    pub type_name: String,
    /// The entity's guid.
    pub guid: String,
    /// `ACTIVE` or `DELETED`.
    #[serde(default)]
    pub status: EntityStatus,
    /// Usually the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_text: Option<String>,
    /// The requested attributes; custom metadata flattened as `<setId>.<attrId>`.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// Ids of every tag on the entity, direct and propagated.
    #[serde(default)]
    pub classification_names: Vec<String>,
    /// The tags, with the asset each comes from.
    #[serde(default)]
    pub classifications: Vec<Classification>,
    /// Linked glossary terms.
    #[serde(default)]
    pub meaning_names: Vec<String>,
    /// Labels.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Who last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// Epoch ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<i64>,
    /// Epoch ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<i64>,
}

impl EntityHeader {
    /// The `qualifiedName` attribute, if present.
    pub fn qualified_name(&self) -> Option<&str> {
        self.attributes.get(attr::QUALIFIED_NAME).and_then(Value::as_str)
    }

    /// The tags directly attached to this entity (not propagated onto it).
    pub fn direct_tags(&self) -> impl Iterator<Item = &Classification> {
        self.classifications.iter().filter(|c| !c.is_propagated_onto(&self.guid))
    }

    /// The tags propagated onto this entity from other assets.
    pub fn propagated_tags(&self) -> impl Iterator<Item = &Classification> {
        self.classifications.iter().filter(|c| c.is_propagated_onto(&self.guid))
    }
}

/// A full entity as `GET` answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    /// Type name.
    pub type_name: String,
    /// Guid.
    pub guid: String,
    /// Status.
    #[serde(default)]
    pub status: EntityStatus,
    /// Every attribute (relationship references included).
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// Custom metadata: set id → attribute id → value.
    #[serde(default)]
    pub business_attributes: BusinessAttributes,
    /// Tags, direct and propagated.
    #[serde(default)]
    pub classifications: Vec<Classification>,
    /// Linked glossary terms.
    #[serde(default)]
    pub meaning_names: Vec<String>,
    /// Labels.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Who last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// Epoch ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<i64>,
    /// Epoch ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<i64>,
    /// Version counter.
    #[serde(default)]
    pub version: u64,
}

/// `{"entity": {...}, "referredEntities": {}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityWithExtInfo {
    /// The entity.
    pub entity: Entity,
    /// Entities it refers to (the sandbox answers none).
    #[serde(default)]
    pub referred_entities: Map<String, Value>,
}

/// One entity in a bulk upsert.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkEntity {
    /// Type name.
    pub type_name: String,
    /// An existing guid, or a negative placeholder (`-1`) the response maps to the real guid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// At least `qualifiedName` and `name`; anything else is written.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// Custom metadata, merged (`replaceBusinessAttributes=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_attributes: Option<BusinessAttributes>,
    /// Tags to add (`appendTags=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_or_update_classifications: Option<Vec<Classification>>,
    /// Tags to remove (`appendTags=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_classifications: Option<Vec<Classification>>,
    /// The whole tag list (`replaceTags=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classifications: Option<Vec<Classification>>,
}

impl BulkEntity {
    /// The minimal entity for an update: type, qualified name and name.
    pub fn minimal(type_name: impl Into<String>, qualified_name: impl Into<String>, name: impl Into<String>) -> Self {
        let mut attributes = Map::new();
        attributes.insert(attr::QUALIFIED_NAME.to_owned(), Value::String(qualified_name.into()));
        attributes.insert(attr::NAME.to_owned(), Value::String(name.into()));
        Self { type_name: type_name.into(), attributes, ..Self::default() }
    }

    /// The `qualifiedName` attribute, if present.
    pub fn qualified_name(&self) -> Option<&str> {
        self.attributes.get(attr::QUALIFIED_NAME).and_then(Value::as_str)
    }

    /// The guid when it names an existing entity (not a negative placeholder).
    pub fn existing_guid(&self) -> Option<&str> {
        self.guid.as_deref().filter(|g| !g.starts_with('-') && !g.is_empty())
    }
}

/// `{"entities": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BulkRequest {
    /// The entities to create or update.
    pub entities: Vec<BulkEntity>,
}

/// `PUT /api/meta/entity/uniqueAttribute/type/{typeName}?attr:qualifiedName=…`: a partial update
/// of one existing asset's attributes (`{"entity": {...}}`), answered in `PARTIAL_UPDATE`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartialUpdateRequest {
    /// The attributes to change (`null` removes).
    pub entity: BulkEntity,
}

/// The query parameters of `POST /api/meta/entity/bulk`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkOptions {
    /// `appendTags=true`: apply `addOrUpdateClassifications` and `removeClassifications`.
    pub append_tags: bool,
    /// `replaceTags=true`: replace the tags with `classifications`.
    pub replace_tags: bool,
    /// `replaceBusinessAttributes=true`: apply `businessAttributes`.
    pub replace_business_attributes: bool,
    /// `overwriteBusinessAttributes=true`: replace all custom metadata instead of merging.
    pub overwrite_business_attributes: bool,
}

impl BulkOptions {
    /// Reads decoded query pairs (unknown keys are ignored; only `true` turns a flag on).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut options = Self::default();
        for (key, value) in pairs {
            let on = value.eq_ignore_ascii_case("true");
            match key {
                "appendTags" => options.append_tags = on,
                "replaceTags" | "replaceClassifications" => options.replace_tags = on,
                "replaceBusinessAttributes" => options.replace_business_attributes = on,
                "overwriteBusinessAttributes" => options.overwrite_business_attributes = on,
                _ => {}
            }
        }
        options
    }

    /// The query string (without `?`).
    pub fn to_query(self) -> String {
        format!(
            "appendTags={}&replaceTags={}&replaceBusinessAttributes={}&overwriteBusinessAttributes={}",
            self.append_tags, self.replace_tags, self.replace_business_attributes, self.overwrite_business_attributes
        )
    }
}

/// The buckets of a mutation response. An unchanged asset may appear in none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MutatedEntities {
    /// Created assets.
    #[serde(rename = "CREATE", default, skip_serializing_if = "Vec::is_empty")]
    pub create: Vec<EntityHeader>,
    /// Updated assets.
    #[serde(rename = "UPDATE", default, skip_serializing_if = "Vec::is_empty")]
    pub update: Vec<EntityHeader>,
    /// Partially updated assets.
    #[serde(rename = "PARTIAL_UPDATE", default, skip_serializing_if = "Vec::is_empty")]
    pub partial_update: Vec<EntityHeader>,
    /// Deleted assets.
    #[serde(rename = "DELETE", default, skip_serializing_if = "Vec::is_empty")]
    pub delete: Vec<EntityHeader>,
}

/// `{"mutatedEntities": {...}, "guidAssignments": {"-1": "real-guid"}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityMutationResponse {
    /// The buckets.
    #[serde(default)]
    pub mutated_entities: MutatedEntities,
    /// Placeholder guid → assigned guid.
    #[serde(default)]
    pub guid_assignments: BTreeMap<String, String>,
}

/// The path of the custom-metadata write on one asset.
pub fn business_metadata_path(guid: &str) -> String {
    format!("{GUID_PATH_PREFIX}{guid}/businessmetadata")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_search_entity_with_a_propagated_tag() {
        // The entity shape of API-NOTES "Search" (response).
        let json = json!({"typeName": "Column", "guid": "col-1", "status": "ACTIVE", "displayText": "EMAIL",
            "attributes": {"qualifiedName": "default/snowflake/1657037873/SAMPLE_DB/FOOD_BEV/USERS/EMAIL",
                "name": "EMAIL", "wQ8.aS1": 93.5},
            "classificationNames": ["cTrLMeBjKNeRV7HzBSL11u", "Kq3wZ8bYd1Xg2nP5sT7vLm"],
            "classifications": [
                {"typeName": "cTrLMeBjKNeRV7HzBSL11u", "entityGuid": "col-1", "entityStatus": "ACTIVE",
                 "propagate": false, "removePropagationsOnEntityDelete": true,
                 "restrictPropagationThroughLineage": false, "restrictPropagationThroughHierarchy": false},
                {"typeName": "Kq3wZ8bYd1Xg2nP5sT7vLm", "entityGuid": "table-1", "entityStatus": "ACTIVE",
                 "propagate": true, "removePropagationsOnEntityDelete": true,
                 "restrictPropagationThroughLineage": false, "restrictPropagationThroughHierarchy": false}],
            "meaningNames": [], "labels": [], "createdBy": "admin", "updatedBy": "admin",
            "createTime": 1_700_000_000_000_i64, "updateTime": 1_700_000_000_000_i64});
        let header: EntityHeader = serde_json::from_value(json).unwrap();
        assert_eq!(header.qualified_name().unwrap(), "default/snowflake/1657037873/SAMPLE_DB/FOOD_BEV/USERS/EMAIL");
        let direct: Vec<&str> = header.direct_tags().map(|c| c.type_name.as_str()).collect();
        let propagated: Vec<&str> = header.propagated_tags().map(|c| c.type_name.as_str()).collect();
        assert_eq!(direct, ["cTrLMeBjKNeRV7HzBSL11u"]);
        assert_eq!(propagated, ["Kq3wZ8bYd1Xg2nP5sT7vLm"]);
        assert_eq!(header.attributes["wQ8.aS1"], 93.5);
    }

    #[test]
    fn reads_the_api_notes_tag_bulk_payload() {
        let json = json!({"entities": [{"typeName": "Table",
            "attributes": {"qualifiedName": "default/snowflake/1/DB/S/T", "name": "T"},
            "addOrUpdateClassifications": [{"typeName": "cTrLMeBjKNeRV7HzBSL11u", "propagate": true}],
            "removeClassifications": [{"typeName": "Kq3wZ8bYd1Xg2nP5sT7vLm"}]}]});
        let bulk: BulkRequest = serde_json::from_value(json).unwrap();
        let entity = &bulk.entities[0];
        assert_eq!(entity.qualified_name(), Some("default/snowflake/1/DB/S/T"));
        assert_eq!(entity.add_or_update_classifications.as_ref().unwrap()[0].propagate, Some(true));
        assert_eq!(entity.remove_classifications.as_ref().unwrap()[0].type_name, "Kq3wZ8bYd1Xg2nP5sT7vLm");
        assert_eq!(entity.existing_guid(), None);
    }

    #[test]
    fn reads_a_bulk_payload_with_custom_metadata_and_an_announcement() {
        let json = json!({"entities": [{"typeName": "Table", "guid": "-1",
            "attributes": {"qualifiedName": "q", "name": "T", "announcementType": "warning",
                "announcementTitle": "3 active anomalies", "announcementMessage": "See https://dq/x"},
            "businessAttributes": {"wQ8": {"aS1": 93.5, "aU2": null}}}]});
        let bulk: BulkRequest = serde_json::from_value(json).unwrap();
        let entity = &bulk.entities[0];
        let cm = entity.business_attributes.as_ref().unwrap();
        assert_eq!(cm["wQ8"]["aS1"], 93.5);
        assert!(cm["wQ8"]["aU2"].is_null());
        assert_eq!(entity.guid.as_deref(), Some("-1"));
        assert_eq!(entity.existing_guid(), None);
        assert_eq!(entity.attributes[attr::ANNOUNCEMENT_TYPE].as_str().unwrap().parse(), Ok(AnnouncementType::Warning));
    }

    #[test]
    fn reads_the_api_notes_mutation_response_and_writes_only_non_empty_buckets() {
        let json = json!({"mutatedEntities": {"UPDATE": [{"typeName": "Table", "guid": "g1",
            "attributes": {"qualifiedName": "q", "name": "T"}}]}, "guidAssignments": {"-1": "g1"}});
        let response: EntityMutationResponse = serde_json::from_value(json).unwrap();
        assert_eq!(response.mutated_entities.update[0].guid, "g1");
        assert_eq!(response.guid_assignments["-1"], "g1");
        let back = serde_json::to_value(&response).unwrap();
        assert!(back["mutatedEntities"].get("CREATE").is_none());
        assert_eq!(back["mutatedEntities"]["UPDATE"][0]["status"], "ACTIVE");
    }

    #[test]
    fn reads_an_entity_get_answer_with_business_attributes() {
        let json = json!({"entity": {"typeName": "Table", "guid": "g1", "status": "ACTIVE",
            "attributes": {"qualifiedName": "q", "name": "T"},
            "businessAttributes": {"wQ8": {"aS1": 93.5}}}, "referredEntities": {}});
        let got: EntityWithExtInfo = serde_json::from_value(json).unwrap();
        assert_eq!(got.entity.business_attributes["wQ8"]["aS1"], 93.5);
    }

    #[test]
    fn reads_a_partial_update_by_unique_attribute() {
        let json = json!({"entity": {"typeName": "Table", "attributes": {"qualifiedName": "q", "name": "T",
            "announcementType": null, "announcementTitle": null, "announcementMessage": null}}});
        let request: PartialUpdateRequest = serde_json::from_value(json).unwrap();
        assert!(request.entity.attributes[attr::ANNOUNCEMENT_TYPE].is_null());
    }

    #[test]
    fn bulk_options_read_the_flags_of_the_query() {
        let options = BulkOptions::from_pairs([("appendTags", "true"), ("replaceTags", "false")]);
        assert!(options.append_tags && !options.replace_tags);
        let options = BulkOptions::from_pairs([("replaceBusinessAttributes", "TRUE"), ("overwriteBusinessAttributes", "false")]);
        assert!(options.replace_business_attributes && !options.overwrite_business_attributes);
        assert_eq!(
            BulkOptions { append_tags: true, ..BulkOptions::default() }.to_query(),
            "appendTags=true&replaceTags=false&replaceBusinessAttributes=false&overwriteBusinessAttributes=false"
        );
    }
}
