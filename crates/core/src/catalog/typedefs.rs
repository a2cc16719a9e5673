//! `GET /api/meta/types/typedefs`: tag (classification) and custom-metadata definitions.

use serde::{Deserialize, Serialize};

/// Path of the type-definitions endpoint.
pub const PATH: &str = "/api/meta/types/typedefs";

/// The typedefs response; every `*Defs` list the request asked for is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeDefs {
    /// Tag definitions: internal id in `name`, what users see in `displayName`.
    #[serde(default)]
    pub classification_defs: Vec<ClassificationDef>,
    /// Struct definitions; the official SDK reads an empty list as an expired token.
    #[serde(default)]
    pub struct_defs: Vec<StructDef>,
}

/// One tag definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassificationDef {
    /// Internal hashed id, e.g. `cTrLMeBjKNeRV7HzBSL11u`.
    pub name: String,
    /// The name users see, e.g. `PII`.
    pub display_name: String,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// Display options such as `color`; values are strings.
    #[serde(default)]
    pub options: std::collections::BTreeMap<String, String>,
}

/// One struct definition (only its name matters to Steward).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StructDef {
    /// Struct type name, e.g. `SourceTagAttachment`.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_api_notes_example() {
        let json = r#"{"classificationDefs": [{"name": "cTrLMeBjKNeRV7HzBSL11u",
            "displayName": "PII", "description": "", "options": {"color": "Red"}}]}"#;
        let defs: TypeDefs = serde_json::from_str(json).unwrap();
        assert_eq!(defs.classification_defs[0].display_name, "PII");
        assert!(defs.struct_defs.is_empty());
    }
}
