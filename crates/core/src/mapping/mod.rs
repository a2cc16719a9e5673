//! Asset mapping (SPEC §5 "Mapping"): which catalog asset each local asset is.
//!
//! - A datastore maps to the `Schema` whose qualified name is `<connection>/<DATABASE>/<SCHEMA>`
//!   in one of the connections it considers: the ones named in [`MappingOptions::connections`],
//!   or else every connection whose connector (2nd path segment) is the datastore's connector,
//!   or every connection when the datastore names no connector.
//! - A container maps to a `Table`, `View` or `MaterialisedView` directly in its datastore's
//!   schema; a field to a `Column` of its container's table. Parentage is read from the
//!   qualified-name path, never from the `name` attribute.
//! - Names compare after [`strip_identifier_quotes`], case-insensitively. Among the candidates
//!   an exact-case match wins; two or more equally good ones make the local asset *ambiguous*.
//!   Two local siblings that end up on the same catalog asset are settled the same way (an
//!   exact-case claim wins, equal claims are all ambiguous) so that no catalog asset receives
//!   two assets' metadata.
//! - The unsure case maps nothing: an ambiguous or unmapped asset's children are reported
//!   unmapped with their parent as the reason, and soft-deleted catalog assets are never
//!   candidates (a miss that only deleted assets would fill says so).
//!
//! The report is deterministic and lists `mapped` parents before children in inventory order.
//! The catalog is indexed once in hash maps keyed by (parent path, folded name), so mapping is
//! linear in the number of assets apart from sorting the report.
//!
//! ```
//! use steward_core::mapping::{map_assets, CatalogAsset, MappingOptions};
//! use steward_core::sync::inventory::Inventory;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let inventory = Inventory::from_json(r#"{"datastores": [{"id": 1, "name": "SALES_DB.SALES",
//!   "connector": "snowflake", "containers": [{"id": 2, "name": "\"PRODUCTS\""}]}]}"#)?;
//! let catalog: Vec<CatalogAsset> = serde_json::from_str(r#"[
//!   {"typeName": "Schema", "guid": "s", "qualifiedName": "default/snowflake/1700000000/SALES_DB/SALES", "name": "SALES"},
//!   {"typeName": "Table", "guid": "t", "status": "ACTIVE",
//!    "attributes": {"qualifiedName": "default/snowflake/1700000000/SALES_DB/SALES/PRODUCTS", "name": "PRODUCTS"}}
//! ]"#)?;
//! let report = map_assets(&inventory, &catalog, &MappingOptions::default());
//! let guids: Vec<&str> = report.mapped.iter().map(|m| m.guid.as_str()).collect();
//! assert_eq!(guids, ["s", "t"]);
//! assert_eq!(report.mapped[1].local_path, "SALES_DB.SALES.\"PRODUCTS\"");
//! # Ok(())
//! # }
//! ```

mod asset;
mod index;
mod matcher;
mod names;

use serde::{Deserialize, Serialize};

pub use asset::CatalogAsset;
pub use matcher::map_assets;
pub use names::strip_identifier_quotes;

use crate::sync::inventory::AssetId;

/// Which catalog connections mapping looks in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MappingOptions {
    /// Connection qualified names (`default/<connector>/<epoch>`). Empty: each datastore looks
    /// in every connection of its connector (every connection when it names none).
    pub connections: Vec<String>,
}

/// The level of a local asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A datastore ↔ `Schema`.
    Datastore,
    /// A container ↔ `Table`, `View` or `MaterialisedView`.
    Container,
    /// A field ↔ `Column`.
    Field,
}

impl Level {
    /// The wire name, also used in reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Datastore => "datastore",
            Self::Container => "container",
            Self::Field => "field",
        }
    }
}

/// Where a local asset sits in the inventory: `inventory.datastores[datastore]`, then
/// `.containers[container]`, then `.fields[field]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalRef {
    /// Index of the datastore.
    pub datastore: usize,
    /// Index of the container within the datastore, for containers and fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<usize>,
    /// Index of the field within the container, for fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<usize>,
}

/// A local asset and the catalog asset it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappedAsset {
    /// Where the local asset is in the inventory.
    pub local: LocalRef,
    /// The local asset's id.
    pub local_id: AssetId,
    /// Its level.
    pub level: Level,
    /// `DATABASE.SCHEMA[.CONTAINER[.FIELD]]` as the tool spells the names.
    pub local_path: String,
    /// The catalog asset's guid.
    pub guid: String,
    /// Its type name.
    pub type_name: String,
    /// Its qualified name.
    pub qualified_name: String,
    /// The catalog's name of it.
    pub name: String,
    /// Whether the names match in case too (after quote stripping).
    pub exact_case: bool,
}

/// A local asset with no catalog asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnmappedLocal {
    /// Where the local asset is in the inventory.
    pub local: LocalRef,
    /// The local asset's id.
    pub local_id: AssetId,
    /// Its level.
    pub level: Level,
    /// `DATABASE.SCHEMA[.CONTAINER[.FIELD]]` as the tool spells the names.
    pub local_path: String,
    /// Why, as a sentence.
    pub reason: String,
}

/// A catalog schema, table-like asset or column that no local asset maps to. Listed are the
/// schemas of the connections mapping looked in, and the tables and columns under mapped
/// parents only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnmappedCatalog {
    /// The catalog asset's guid.
    pub guid: String,
    /// Its type name.
    pub type_name: String,
    /// Its qualified name.
    pub qualified_name: String,
    /// Why, as a sentence.
    pub reason: String,
}

/// A local asset with more than one equally good catalog asset: not mapped, not synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmbiguousAsset {
    /// Where the local asset is in the inventory.
    pub local: LocalRef,
    /// The local asset's id.
    pub local_id: AssetId,
    /// Its level.
    pub level: Level,
    /// `DATABASE.SCHEMA[.CONTAINER[.FIELD]]` as the tool spells the names.
    pub local_path: String,
    /// Qualified names of the competing catalog assets, sorted.
    pub candidates: Vec<String>,
    /// Why, as a sentence.
    pub reason: String,
}

/// The outcome of [`map_assets`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingReport {
    /// Mapped assets, parents before children, in inventory order.
    pub mapped: Vec<MappedAsset>,
    /// Local assets with no catalog asset, in inventory order.
    pub unmapped_local: Vec<UnmappedLocal>,
    /// Catalog assets no local asset maps to, by qualified name.
    pub unmapped_catalog: Vec<UnmappedCatalog>,
    /// Local assets with several equally good catalog assets, in inventory order.
    pub ambiguous: Vec<AmbiguousAsset>,
}
