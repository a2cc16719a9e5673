//! The local inventory (SPEC §5): what the data-quality tool that embeds Steward knows —
//! datastores (one database schema each), containers (tables and views) and fields (columns),
//! each with an id, its name, its own tags, its external tags and its quality results.
//!
//! Lenient where real tools differ (ids as strings or numbers; `quality`, any dimension, tags
//! absent; `database` / `schema` derived from a `DATABASE.SCHEMA` name), strict where a wrong
//! value would push wrong metadata: a missing name, a score outside 0–100, a negative count is a
//! located error (`datastores[2].containers[0].quality.score: …`).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A local asset id, as the tool has it: a number or a string (kept as given).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AssetId {
    /// A numeric id.
    Number(u64),
    /// A text id.
    Text(String),
}

impl fmt::Display for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(s) => f.write_str(s),
        }
    }
}

impl From<u64> for AssetId {
    fn from(n: u64) -> Self {
        Self::Number(n)
    }
}

/// The whole inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// Datastores.
    pub datastores: Vec<Datastore>,
}

/// A datastore: one database schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Datastore {
    /// Local id.
    pub id: AssetId,
    /// Display name, usually `DATABASE.SCHEMA`.
    pub name: String,
    /// Connector type, e.g. `snowflake` (chooses catalog connections when none are named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// Database name (from `name` when absent).
    #[serde(default)]
    pub database: String,
    /// Schema name (from `name` when absent).
    #[serde(default)]
    pub schema: String,
    /// The tool's own (user) tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Tags pulled from the catalog.
    #[serde(default)]
    pub external_tags: Vec<String>,
    /// Quality results, when the tool has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
    /// Tables and views.
    #[serde(default)]
    pub containers: Vec<Container>,
}

impl Datastore {
    /// `(database, schema)`: the fields when set, else `name` split at its last dot, as
    /// [`Inventory::validated`] fills them (so an inventory built in code maps the same way).
    pub fn database_and_schema(&self) -> Option<(&str, &str)> {
        let derived = self.name.rsplit_once('.');
        let database = if self.database.is_empty() { derived.map(|(d, _)| d)? } else { self.database.as_str() };
        let schema = if self.schema.is_empty() { derived.map(|(_, s)| s)? } else { self.schema.as_str() };
        Some((database, schema))
    }

    /// The connector, when set and not blank.
    pub fn connector(&self) -> Option<&str> {
        self.connector.as_deref().map(str::trim).filter(|c| !c.is_empty())
    }
}

/// A table or view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Local id.
    pub id: AssetId,
    /// Name as the tool has it (may differ in case or carry identifier quotes).
    pub name: String,
    /// `table` or `view` (informative: the mapping accepts any table-like catalog type).
    #[serde(default = "table", skip_serializing_if = "String::is_empty")]
    pub container_type: String,
    /// The tool's own tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Tags pulled from the catalog.
    #[serde(default)]
    pub external_tags: Vec<String>,
    /// Quality results, when the tool has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
    /// Columns.
    #[serde(default)]
    pub fields: Vec<Field>,
}

fn table() -> String {
    "table".to_owned()
}

/// A column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Local id.
    pub id: AssetId,
    /// Name.
    pub name: String,
    /// Warehouse type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    /// The tool's own tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Tags pulled from the catalog.
    #[serde(default)]
    pub external_tags: Vec<String>,
    /// Quality results, when the tool has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
}

/// Quality results of one asset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quality {
    /// Quality score, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The eight dimensions, each 0–100 or absent.
    #[serde(default)]
    pub dimensions: Dimensions,
    /// Active checks.
    #[serde(default)]
    pub checks: u32,
    /// Active anomalies.
    #[serde(default)]
    pub anomalies: u32,
    /// Link to the asset in the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The eight quality dimensions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // the names are the documentation
pub struct Dimensions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conformity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeliness: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
}

/// The eight dimensions' names, in the seed's order.
pub const DIMENSION_NAMES: [&str; 8] =
    ["completeness", "coverage", "conformity", "consistency", "precision", "timeliness", "volume", "accuracy"];

impl Dimensions {
    /// `(name, value)` of each dimension, in the seed's order.
    pub fn iter(&self) -> [(&'static str, Option<f64>); 8] {
        [
            ("completeness", self.completeness),
            ("coverage", self.coverage),
            ("conformity", self.conformity),
            ("consistency", self.consistency),
            ("precision", self.precision),
            ("timeliness", self.timeliness),
            ("volume", self.volume),
            ("accuracy", self.accuracy),
        ]
    }
}

/// An inventory that could not be read, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InventoryError {
    /// Where, e.g. `datastores[2].containers[0].quality.score`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl InventoryError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl Inventory {
    /// Reads an inventory from JSON text: lenient shape, strict values (see the module doc).
    pub fn from_json(text: &str) -> Result<Self, InventoryError> {
        // Straight from the text (an inventory of 72,000 assets is ~23 MB: a `Value` first would
        // cost seconds); only a failure is read again as a `Value` to name the place.
        match serde_json::from_str::<Self>(text) {
            Ok(inventory) => inventory.validated(),
            Err(e) => match serde_json::from_str::<Value>(text) {
                Ok(value) => Err(locate(&value, &e.to_string())),
                Err(_) => Err(InventoryError::at("inventory", e.to_string())),
            },
        }
    }

    /// Reads an inventory from a JSON value; an error names the place (`datastores[2].name`).
    pub fn from_value(value: &Value) -> Result<Self, InventoryError> {
        match Self::deserialize(value) {
            Ok(inventory) => inventory.validated(),
            Err(e) => Err(locate(value, &e.to_string())),
        }
    }

    /// Fills derived names and checks every value (see the module doc).
    pub fn validated(mut self) -> Result<Self, InventoryError> {
        for (d, store) in self.datastores.iter_mut().enumerate() {
            let at = format!("datastores[{d}]");
            if store.name.trim().is_empty() {
                return Err(InventoryError::at(format!("{at}.name"), "empty name"));
            }
            if store.database.is_empty() || store.schema.is_empty() {
                let Some((database, schema)) = store.name.rsplit_once('.') else {
                    return Err(InventoryError::at(
                        format!("{at}.database"),
                        format!("missing database and schema, and name {:?} is not DATABASE.SCHEMA", store.name),
                    ));
                };
                if store.database.is_empty() {
                    store.database = database.to_owned();
                }
                if store.schema.is_empty() {
                    store.schema = schema.to_owned();
                }
            }
            check_quality(store.quality.as_ref(), &at)?;
            for (c, container) in store.containers.iter().enumerate() {
                let at = format!("{at}.containers[{c}]");
                if container.name.trim().is_empty() {
                    return Err(InventoryError::at(format!("{at}.name"), "empty name"));
                }
                check_quality(container.quality.as_ref(), &at)?;
                for (f, field) in container.fields.iter().enumerate() {
                    let at = format!("{at}.fields[{f}]");
                    if field.name.trim().is_empty() {
                        return Err(InventoryError::at(format!("{at}.name"), "empty name"));
                    }
                    check_quality(field.quality.as_ref(), &at)?;
                }
            }
        }
        Ok(self)
    }

    /// How many assets (datastores, containers and fields) the inventory holds.
    pub fn asset_count(&self) -> usize {
        self.datastores.iter().map(|d| 1 + d.containers.iter().map(|c| 1 + c.fields.len()).sum::<usize>()).sum()
    }
}

/// Where a value that did not read as an inventory went wrong: the deepest datastore,
/// container, field or quality value that fails on its own (one walk, on the error path only).
fn locate(value: &Value, message: &str) -> InventoryError {
    let Some(stores) = value.get("datastores").and_then(Value::as_array) else {
        return InventoryError::at("inventory", message);
    };
    for (d, store) in stores.iter().enumerate() {
        let at = format!("datastores[{d}]");
        if let Err(e) = reread::<Datastore>(store) {
            return locate_children(store, "containers", &at, &e, |c, at, msg| {
                locate_children(c, "fields", at, msg, locate_quality)
            });
        }
    }
    InventoryError::at("inventory", message)
}

/// The first child in `key` that fails, located further by `deeper`; else the asset's quality.
fn locate_children(
    asset: &Value,
    key: &str,
    at: &str,
    message: &str,
    deeper: impl Fn(&Value, &str, &str) -> InventoryError,
) -> InventoryError {
    let children = asset.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (i, child) in children.iter().enumerate() {
        let child_at = format!("{at}.{key}[{i}]");
        let fails = if key == "containers" { reread::<Container>(child).err() } else { reread::<Field>(child).err() };
        if let Some(e) = fails {
            return deeper(child, &child_at, &e);
        }
    }
    locate_quality(asset, at, message)
}

/// The quality value at fault, if the asset's quality is what fails.
fn locate_quality(asset: &Value, at: &str, message: &str) -> InventoryError {
    let Some(quality) = asset.get("quality").filter(|q| reread::<Quality>(q).is_err()) else {
        return InventoryError::at(at, message);
    };
    let Some(fields) = quality.as_object() else {
        return InventoryError::at(format!("{at}.quality"), message);
    };
    for (name, v) in fields {
        let wrong = match name.as_str() {
            "score" => reread::<Option<f64>>(v).err(),
            "checks" | "anomalies" => reread::<u32>(v).err(),
            "url" => reread::<Option<String>>(v).err(),
            "dimensions" => reread::<Dimensions>(v).err(),
            _ => None,
        };
        if let Some(e) = wrong {
            return InventoryError::at(format!("{at}.quality.{name}"), e);
        }
    }
    InventoryError::at(format!("{at}.quality"), message)
}

/// One piece of a failed inventory read again for its own error, from its text: the reader
/// `from_json` uses, not a second one for `Value`s (about 6 KB gzipped). No position: it would
/// count from the piece.
fn reread<T: DeserializeOwned>(piece: &Value) -> Result<T, String> {
    serde_json::from_str(&piece.to_string()).map_err(|e| {
        let message = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        message.strip_suffix(&position).unwrap_or(&message).to_owned()
    })
}

fn check_quality(quality: Option<&Quality>, at: &str) -> Result<(), InventoryError> {
    let Some(quality) = quality else { return Ok(()) };
    let percent = |name: &str, value: Option<f64>| match value {
        Some(v) if !(0.0..=100.0).contains(&v) => {
            Err(InventoryError::at(format!("{at}.quality.{name}"), format!("expected a number from 0 to 100, got {v}")))
        }
        _ => Ok(()),
    };
    percent("score", quality.score)?;
    for (name, value) in quality.dimensions.iter() {
        percent(&format!("dimensions.{name}"), value)?;
    }
    if let Some(url) = &quality.url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(InventoryError::at(format!("{at}.quality.url"), format!("expected an http(s) URL, got {url:?}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_be_numbers_or_strings_and_quality_may_be_absent() {
        let inventory = Inventory::from_json(
            r#"{"datastores": [{"id": "ds-1", "name": "SALES_DB.SALES", "containers": [
                {"id": 7, "name": "ORDERS", "fields": [{"id": "f-1", "name": "ID"}]}]}]}"#,
        )
        .unwrap();
        let store = &inventory.datastores[0];
        assert_eq!((store.database.as_str(), store.schema.as_str()), ("SALES_DB", "SALES"));
        assert_eq!(store.id.to_string(), "ds-1");
        assert_eq!(store.containers[0].id, AssetId::Number(7));
        assert!(store.containers[0].quality.is_none());
        assert_eq!(inventory.asset_count(), 3);
    }

    #[test]
    fn a_missing_name_is_a_located_error() {
        let err = Inventory::from_json(r#"{"datastores": [{"id": 1, "name": "A.B", "containers": [{"id": 2}]}]}"#).unwrap_err();
        assert_eq!(err.path, "datastores[0].containers[0]");
        assert!(err.message.contains("missing field `name`"), "{err}");
    }

    #[test]
    fn a_score_outside_0_to_100_is_a_located_error() {
        let err = Inventory::from_json(
            r#"{"datastores": [{"id": 1, "name": "A.B", "containers": [{"id": 2, "name": "T",
                "quality": {"score": 140, "dimensions": {"volume": 50}}}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "datastores[0].containers[0].quality.score: expected a number from 0 to 100, got 140");
        let err = Inventory::from_json(r#"{"datastores": [{"id": 1, "name": "A.B", "quality": {"score": "high"}}]}"#).unwrap_err();
        assert_eq!(err.path, "datastores[0].quality.score");
    }

    #[test]
    fn a_datastore_needs_a_database_and_schema_or_a_dotted_name() {
        let err = Inventory::from_json(r#"{"datastores": [{"id": 1, "name": "warehouse"}]}"#).unwrap_err();
        assert_eq!(err.path, "datastores[0].database");
    }
}
