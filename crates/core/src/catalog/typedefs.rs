//! `GET/POST /api/meta/types/typedefs`: tag (classification) and custom-metadata
//! (business metadata) definitions.
//!
//! Entities and writes always use ids (`name`); users always see `displayName`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// Path of the type-definitions endpoint.
pub const PATH: &str = "/api/meta/types/typedefs";

/// The typedefs response (and the create request, which carries only the lists it creates).
///
/// The sandbox answers every list; the official SDK reads an empty `structDefs` as an expired
/// token, so the struct definitions are always included.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeDefs {
    /// Tag definitions: internal id in `name`, what users see in `displayName`.
    #[serde(default)]
    pub classification_defs: Vec<ClassificationDef>,
    /// Struct definitions, e.g. `SourceTagAttachment`.
    #[serde(default)]
    pub struct_defs: Vec<StructDef>,
    /// Custom-metadata sets.
    #[serde(default)]
    pub business_metadata_defs: Vec<BusinessMetadataDef>,
    /// Enum definitions (Steward reads none; answered so every list is present).
    #[serde(default)]
    pub enum_defs: Vec<serde_json::Value>,
    /// Entity type definitions (Steward reads none; answered so every list is present).
    #[serde(default)]
    pub entity_defs: Vec<serde_json::Value>,
    /// Relationship definitions (Steward reads none; answered so every list is present).
    #[serde(default)]
    pub relationship_defs: Vec<serde_json::Value>,
}

/// A category of type definition, as named by the `type` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeCategory {
    /// Tags.
    Classification,
    /// Custom-metadata sets.
    BusinessMetadata,
    /// Structs.
    Struct,
    /// Enums.
    Enum,
    /// Entity types.
    Entity,
    /// Relationship types.
    Relationship,
}

impl TypeCategory {
    /// Reads a `type` parameter value in any case (`classification`, `CLASSIFICATION`,
    /// `business_metadata`, `BUSINESS_METADATA`, …).
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value.to_ascii_lowercase().as_str() {
            "classification" => Self::Classification,
            "business_metadata" | "businessmetadata" => Self::BusinessMetadata,
            "struct" => Self::Struct,
            "enum" => Self::Enum,
            "entity" => Self::Entity,
            "relationship" => Self::Relationship,
            _ => return None,
        })
    }

    /// The lower-case wire name (`classification`, `business_metadata`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Classification => "classification",
            Self::BusinessMetadata => "business_metadata",
            Self::Struct => "struct",
            Self::Enum => "enum",
            Self::Entity => "entity",
            Self::Relationship => "relationship",
        }
    }
}

/// One tag definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassificationDef {
    /// Internal hashed id, e.g. `cTrLMeBjKNeRV7HzBSL11u` (on create: the display name).
    pub name: String,
    /// The name users see, e.g. `PII`.
    #[serde(default)]
    pub display_name: String,
    /// Definition guid, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// Display options such as `color`; values are strings.
    #[serde(default, deserialize_with = "string_options")]
    pub options: BTreeMap<String, String>,
}

/// One struct definition (only its name matters to Steward).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StructDef {
    /// Struct type name, e.g. `SourceTagAttachment`.
    pub name: String,
    /// Category, `STRUCT`.
    #[serde(default = "struct_category")]
    pub category: String,
    /// Attributes of the struct.
    #[serde(default)]
    pub attribute_defs: Vec<AttributeDef>,
}

fn struct_category() -> String {
    "STRUCT".to_owned()
}

/// One custom-metadata set, e.g. `Data Quality`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessMetadataDef {
    /// Internal id of the set (on create: the display name).
    pub name: String,
    /// What users see, e.g. `Data Quality`.
    #[serde(default)]
    pub display_name: String,
    /// Definition guid, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// The attributes, archived ones included (they keep their id).
    #[serde(default)]
    pub attribute_defs: Vec<AttributeDef>,
    /// Display options; values are strings.
    #[serde(default, deserialize_with = "string_options", skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

impl BusinessMetadataDef {
    /// The attributes that are not archived.
    pub fn active_attributes(&self) -> impl Iterator<Item = &AttributeDef> {
        self.attribute_defs.iter().filter(|a| !a.is_archived())
    }

    /// The attribute with this id, archived or not.
    pub fn attribute(&self, id: &str) -> Option<&AttributeDef> {
        self.attribute_defs.iter().find(|a| a.name == id)
    }

    /// The active attribute users know by this display name.
    pub fn active_attribute_named(&self, display_name: &str) -> Option<&AttributeDef> {
        self.active_attributes().find(|a| a.display_name == display_name)
    }
}

/// One attribute of a custom-metadata set (or struct).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeDef {
    /// Internal id (on create: the display name).
    pub name: String,
    /// What users see, e.g. `Quality Score`.
    #[serde(default)]
    pub display_name: String,
    /// Value type: `float`, `int`, `long`, `string`, `boolean`, `date`, …
    pub type_name: String,
    /// `SINGLE` (Steward writes only single values).
    #[serde(default = "single")]
    pub cardinality: String,
    /// Whether a value may be absent.
    #[serde(default = "yes")]
    pub is_optional: bool,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Options; values are strings: `customType` (`url`), `isArchived` (`"true"`), …
    #[serde(default, deserialize_with = "string_options")]
    pub options: BTreeMap<String, String>,
}

fn single() -> String {
    "SINGLE".to_owned()
}

fn yes() -> bool {
    true
}

impl AttributeDef {
    /// Archived attributes keep their id but must be skipped.
    pub fn is_archived(&self) -> bool {
        self.options.get("isArchived").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The value type, when it is one Steward knows.
    pub fn value_type(&self) -> Option<ValueType> {
        ValueType::parse(&self.type_name)
    }

    /// Whether `value` may be written to this attribute (`null` always may: it removes).
    pub fn accepts(&self, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (self.value_type(), value) {
            (_, Value::Null) => true,
            (None, _) => true,
            (Some(ValueType::Float), Value::Number(_)) => true,
            (Some(ValueType::Int | ValueType::Date), Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Some(ValueType::String), Value::String(_)) => true,
            (Some(ValueType::Boolean), Value::Bool(_)) => true,
            _ => false,
        }
    }
}

/// The value types of custom-metadata attributes Steward writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// `float` / `double`.
    Float,
    /// `int` / `long` / `short` / `byte`.
    Int,
    /// `string` (URLs are strings with `customType: url`).
    String,
    /// `boolean`.
    Boolean,
    /// `date`: epoch milliseconds.
    Date,
}

impl ValueType {
    /// Reads a `typeName`.
    pub fn parse(type_name: &str) -> Option<Self> {
        Some(match type_name {
            "float" | "double" => Self::Float,
            "int" | "long" | "short" | "byte" => Self::Int,
            "string" => Self::String,
            "boolean" => Self::Boolean,
            "date" => Self::Date,
            _ => return None,
        })
    }
}

/// Option values are strings on the wire; accept other scalars and keep their text.
fn string_options<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<BTreeMap<String, serde_json::Value>> = Option::deserialize(deserializer)?;
    // Inserted one by one: collecting into a map would add a sort to the module (~4 KB gzipped).
    let mut options = BTreeMap::new();
    for (k, v) in raw.unwrap_or_default() {
        match v {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => {
                options.insert(k, s);
            }
            other => {
                options.insert(k, other.to_string());
            }
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_api_notes_classification_example() {
        let json = r#"{"classificationDefs": [{"name": "cTrLMeBjKNeRV7HzBSL11u",
            "displayName": "PII", "description": "", "options": {"color": "Red"}}]}"#;
        let defs: TypeDefs = serde_json::from_str(json).unwrap();
        assert_eq!(defs.classification_defs[0].display_name, "PII");
        assert_eq!(defs.classification_defs[0].options["color"], "Red");
        assert!(defs.struct_defs.is_empty());
    }

    #[test]
    fn reads_the_api_notes_business_metadata_example_and_skips_archived_attributes() {
        let json = r#"{"businessMetadataDefs": [{"name": "wQ8cd3Lq1xZ0aB", "displayName": "Data Quality",
            "guid": "0b7e-guid", "attributeDefs": [
              {"name": "aS1", "displayName": "Quality Score", "typeName": "float", "cardinality": "SINGLE",
               "options": {"maxStrLength": "100"}},
              {"name": "aU2", "displayName": "URL", "typeName": "string", "cardinality": "SINGLE",
               "options": {"customType": "url"}},
              {"name": "aOld", "displayName": "Quality Score-archived-1700000000", "typeName": "float",
               "cardinality": "SINGLE", "options": {"isArchived": "true", "archivedBy": "admin"}}]}]}"#;
        let defs: TypeDefs = serde_json::from_str(json).unwrap();
        let set = &defs.business_metadata_defs[0];
        assert_eq!(set.display_name, "Data Quality");
        let active: Vec<&str> = set.active_attributes().map(|a| a.display_name.as_str()).collect();
        assert_eq!(active, ["Quality Score", "URL"]);
        assert!(set.attribute("aOld").unwrap().is_archived());
        assert_eq!(set.active_attribute_named("URL").unwrap().options["customType"], "url");
    }

    #[test]
    fn non_string_option_values_are_kept_as_text() {
        let json = r#"{"name": "a", "typeName": "float", "options": {"isArchived": true, "x": null}}"#;
        let attr: AttributeDef = serde_json::from_str(json).unwrap();
        assert!(attr.is_archived());
        assert!(!attr.options.contains_key("x"));
        assert_eq!(attr.cardinality, "SINGLE");
    }

    #[test]
    fn attribute_types_accept_matching_values_and_null() {
        let attr = |t: &str| AttributeDef {
            name: "a".into(),
            display_name: "A".into(),
            type_name: t.into(),
            cardinality: single(),
            is_optional: true,
            description: String::new(),
            options: BTreeMap::new(),
        };
        use serde_json::json;
        assert!(attr("float").accepts(&json!(93.5)));
        assert!(attr("int").accepts(&json!(4)));
        assert!(!attr("int").accepts(&json!(4.5)));
        assert!(attr("date").accepts(&json!(1_700_000_000_000_i64)));
        assert!(!attr("string").accepts(&json!(4)));
        assert!(attr("boolean").accepts(&json!(true)));
        assert!(attr("float").accepts(&json!(null)));
    }

    #[test]
    fn type_categories_parse_in_any_case() {
        assert_eq!(TypeCategory::parse("CLASSIFICATION"), Some(TypeCategory::Classification));
        assert_eq!(TypeCategory::parse("business_metadata"), Some(TypeCategory::BusinessMetadata));
        assert_eq!(TypeCategory::parse("STRUCT"), Some(TypeCategory::Struct));
        assert_eq!(TypeCategory::parse("nonsense"), None);
    }
}
