//! The catalog side of the mapping: one asset as a search answers it, reduced to what mapping
//! needs.

use serde::{Deserialize, Serialize};

use crate::catalog::entity::{EntityHeader, EntityStatus};

/// A catalog asset (schema, table, view, materialised view, column or any other type, which
/// mapping ignores). Reads the flat shape `{typeName, guid, qualifiedName, name, status?}` and
/// the search-header shape `{typeName, guid, status?, attributes: {qualifiedName, name}}`;
/// writes the flat shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "WireAsset")]
pub struct CatalogAsset {
    /// The asset's guid.
    pub guid: String,
    /// Type name, e.g. `Schema`, `Table`, `View`, `MaterialisedView`, `Column`.
    pub type_name: String,
    /// The case-sensitive path that decides parentage.
    pub qualified_name: String,
    /// The catalog's name (the last path segment when the catalog sent none).
    pub name: String,
    /// `ACTIVE`, or soft- / hard-deleted (never a mapping candidate).
    pub status: EntityStatus,
}

impl CatalogAsset {
    /// The asset a search or mutation header describes; `None` without a `qualifiedName`.
    pub fn from_header(header: &EntityHeader) -> Option<Self> {
        let name = header.attributes.get(crate::catalog::entity::attr::NAME).and_then(serde_json::Value::as_str);
        Some(Self::assemble(
            header.guid.clone(),
            header.type_name.clone(),
            header.status,
            header.qualified_name()?.to_owned(),
            name.map(str::to_owned).or_else(|| header.display_text.clone()),
        ))
    }

    /// Whether the asset is live (`ACTIVE`).
    pub fn is_active(&self) -> bool {
        self.status == EntityStatus::Active
    }

    fn assemble(
        guid: String,
        type_name: String,
        status: EntityStatus,
        qualified_name: String,
        name: Option<String>,
    ) -> Self {
        let name = name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| qualified_name.rsplit('/').next().unwrap_or_default().to_owned());
        Self { guid, type_name, qualified_name, name, status }
    }
}

/// Both JSON shapes at once: flat keys win over `attributes`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAsset {
    type_name: String,
    guid: String,
    #[serde(default)]
    status: Option<EntityStatus>,
    #[serde(default)]
    qualified_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    display_text: Option<String>,
    #[serde(default)]
    attributes: Option<WireAttributes>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAttributes {
    #[serde(default)]
    qualified_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

impl TryFrom<WireAsset> for CatalogAsset {
    type Error = String;

    fn try_from(wire: WireAsset) -> Result<Self, Self::Error> {
        let (attr_qualified_name, attr_name) = match wire.attributes {
            Some(a) => (a.qualified_name, a.name),
            None => (None, None),
        };
        let Some(qualified_name) = wire.qualified_name.or(attr_qualified_name).filter(|q| !q.is_empty()) else {
            return Err(format!("catalog asset {} ({}) has no qualifiedName", wire.guid, wire.type_name));
        };
        let name = wire.name.or(attr_name).or(wire.display_text);
        Ok(Self::assemble(wire.guid, wire.type_name, wire.status.unwrap_or_default(), qualified_name, name))
    }
}
