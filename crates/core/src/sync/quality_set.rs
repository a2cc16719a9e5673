//! The custom-metadata set the sync writes (SPEC §5 "Push metadata"): by default `Data Quality`,
//! with Quality Score, the eight dimensions, Check Count, Anomaly Count and URL.
//!
//! The catalog names sets and attributes by internal ids; users (and this module's callers)
//! know them by display name. [`resolve`] finds the set among the tenant's definitions and says
//! what is missing; [`values`] turns one asset's quality results into attribute values.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::inventory::Quality;
use crate::catalog::typedefs::{AttributeDef, BusinessMetadataDef};

/// The set's display name unless the user names another.
pub const DEFAULT_SET_NAME: &str = "Data Quality";

/// What an attribute of the set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Quality score, 0–100.
    Score,
    /// One of the eight dimensions, by index into [`super::inventory::DIMENSION_NAMES`].
    Dimension(usize),
    /// Active checks.
    Checks,
    /// Active anomalies.
    Anomalies,
    /// Link to the asset in the data-quality tool.
    Url,
}

/// The set's attributes: display name, catalog value type, what it holds.
pub const ATTRIBUTES: [(&str, &str, Measure); 12] = [
    ("Quality Score", "float", Measure::Score),
    ("Completeness", "float", Measure::Dimension(0)),
    ("Coverage", "float", Measure::Dimension(1)),
    ("Conformity", "float", Measure::Dimension(2)),
    ("Consistency", "float", Measure::Dimension(3)),
    ("Precision", "float", Measure::Dimension(4)),
    ("Timeliness", "float", Measure::Dimension(5)),
    ("Volume", "float", Measure::Dimension(6)),
    ("Accuracy", "float", Measure::Dimension(7)),
    ("Check Count", "int", Measure::Checks),
    ("Anomaly Count", "int", Measure::Anomalies),
    ("URL", "string", Measure::Url),
];

/// The set found in the tenant, with the id of every attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSet {
    /// The set's internal id.
    pub set_id: String,
    /// The set's display name.
    pub display_name: String,
    /// `(measure, attribute id)` of each attribute, in [`ATTRIBUTES`] order.
    pub attributes: Vec<(Measure, String)>,
}

impl ResolvedSet {
    /// The attribute names to request in a search: `<setId>.<attrId>`.
    pub fn search_attributes(&self) -> impl Iterator<Item = String> + '_ {
        self.attributes.iter().map(|(_, id)| format!("{}.{id}", self.set_id))
    }
}

/// What [`resolve`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum SetStatus {
    /// The set and every attribute exist.
    Ready(ResolvedSet),
    /// No set of that name: this definition creates it (`POST typedefs`, admin).
    Missing(BusinessMetadataDef),
    /// The set lacks attributes (or has them only archived): this definition, the existing
    /// set plus the missing attributes, adds them (`PUT typedefs`, admin).
    Incomplete {
        /// The updated definition.
        update: BusinessMetadataDef,
        /// Display names of the attributes it adds.
        missing: Vec<String>,
    },
}

impl SetStatus {
    /// Display names of the attributes that must be created by hand when the token may not.
    pub fn missing_attributes(&self) -> Vec<String> {
        match self {
            Self::Ready(_) => Vec::new(),
            Self::Missing(_) => ATTRIBUTES.iter().map(|(name, ..)| (*name).to_owned()).collect(),
            Self::Incomplete { missing, .. } => missing.clone(),
        }
    }
}

fn attribute_def(display: &str, type_name: &str) -> AttributeDef {
    let mut options = BTreeMap::new();
    if type_name == "string" && display == "URL" {
        options.insert("customType".to_owned(), "url".to_owned());
    }
    options.insert("applicableEntityTypes".to_owned(), r#"["Schema","Table","View","MaterialisedView","Column"]"#.to_owned());
    AttributeDef {
        name: display.to_owned(),
        display_name: display.to_owned(),
        type_name: type_name.to_owned(),
        cardinality: "SINGLE".to_owned(),
        is_optional: true,
        description: String::new(),
        options,
    }
}

/// The definition that creates the set (on create the catalog takes display names as names and
/// assigns ids).
pub fn definition(set_name: &str) -> BusinessMetadataDef {
    BusinessMetadataDef {
        name: set_name.to_owned(),
        display_name: set_name.to_owned(),
        guid: None,
        description: "Quality results pushed by the data-quality sync (Steward)".to_owned(),
        attribute_defs: ATTRIBUTES.iter().map(|(display, t, _)| attribute_def(display, t)).collect(),
        options: BTreeMap::new(),
    }
}

/// Finds the set named `set_name` (by display name) among the tenant's definitions.
pub fn resolve(defs: &[BusinessMetadataDef], set_name: &str) -> SetStatus {
    let Some(set) = defs.iter().find(|s| s.display_name == set_name) else {
        return SetStatus::Missing(definition(set_name));
    };
    let mut attributes = Vec::new();
    let mut missing = Vec::new();
    for (display, _, measure) in ATTRIBUTES {
        match set.active_attribute_named(display) {
            Some(def) => attributes.push((measure, def.name.clone())),
            None => missing.push(display.to_owned()),
        }
    }
    if missing.is_empty() {
        return SetStatus::Ready(ResolvedSet { set_id: set.name.clone(), display_name: set.display_name.clone(), attributes });
    }
    let mut update = set.clone();
    for (display, type_name, _) in ATTRIBUTES.iter().filter(|(d, ..)| missing.iter().any(|m| m == d)) {
        update.attribute_defs.push(attribute_def(display, type_name));
    }
    SetStatus::Incomplete { update, missing }
}

/// One asset's quality results as attribute values (`null` where the tool has no value, so a
/// value the tool no longer has is removed from the catalog too).
pub fn values(quality: &Quality, set: &ResolvedSet) -> Map<String, Value> {
    let dimensions = quality.dimensions.iter();
    let number = |v: Option<f64>| v.and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number);
    // Inserted one by one: collecting into a map would add a sort to the module (~4 KB gzipped).
    let mut values = Map::new();
    for (measure, id) in &set.attributes {
        let value = match measure {
            Measure::Score => number(quality.score),
            Measure::Dimension(i) => number(dimensions.get(*i).and_then(|(_, v)| *v)),
            Measure::Checks => Value::from(quality.checks),
            Measure::Anomalies => Value::from(quality.anomalies),
            Measure::Url => quality.url.clone().map_or(Value::Null, Value::String),
        };
        values.insert(id.clone(), value);
    }
    values
}

/// Whether a value the catalog holds equals the one the sync would write: numbers compare as
/// numbers (`50` = `50.0`), absent equals `null`.
pub fn same_value(current: Option<&Value>, wanted: &Value) -> bool {
    match (current.unwrap_or(&Value::Null), wanted) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::inventory::Dimensions;
    use serde_json::json;

    fn ready() -> ResolvedSet {
        let defs = vec![BusinessMetadataDef {
            name: "dq1".into(),
            display_name: DEFAULT_SET_NAME.into(),
            guid: None,
            description: String::new(),
            attribute_defs: ATTRIBUTES
                .iter()
                .map(|(d, t, _)| AttributeDef { name: format!("id-{d}"), ..attribute_def(d, t) })
                .collect(),
            options: BTreeMap::new(),
        }];
        match resolve(&defs, DEFAULT_SET_NAME) {
            SetStatus::Ready(set) => set,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_set_is_created_with_all_twelve_attributes() {
        let SetStatus::Missing(def) = resolve(&[], "Data Quality") else { panic!() };
        let names: Vec<&str> = def.attribute_defs.iter().map(|a| a.display_name.as_str()).collect();
        assert_eq!(names.len(), 12);
        assert_eq!(names[0], "Quality Score");
        assert_eq!(names[11], "URL");
    }

    #[test]
    fn an_archived_attribute_counts_as_missing_and_is_added_back() {
        let set = ready();
        let mut def = definition(DEFAULT_SET_NAME);
        def.name = set.set_id.clone();
        for a in &mut def.attribute_defs {
            a.name = format!("id-{}", a.display_name);
        }
        def.attribute_defs[0].options.insert("isArchived".into(), "true".into());
        let SetStatus::Incomplete { update, missing } = resolve(&[def], DEFAULT_SET_NAME) else { panic!() };
        assert_eq!(missing, ["Quality Score"]);
        assert_eq!(update.attribute_defs.len(), 13, "the archived one is kept, a new one added");
    }

    #[test]
    fn values_write_null_for_what_the_tool_does_not_have() {
        let quality = Quality {
            score: Some(93.5),
            dimensions: Dimensions { volume: Some(50.0), ..Dimensions::default() },
            checks: 4,
            anomalies: 0,
            url: None,
        };
        let v = values(&quality, &ready());
        assert_eq!(v["id-Quality Score"], json!(93.5));
        assert_eq!(v["id-Volume"], json!(50.0));
        assert_eq!(v["id-Accuracy"], Value::Null);
        assert_eq!(v["id-Check Count"], json!(4));
        assert_eq!(v["id-URL"], Value::Null);
    }

    #[test]
    fn numbers_compare_as_numbers() {
        assert!(same_value(Some(&json!(50)), &json!(50.0)));
        assert!(same_value(None, &Value::Null));
        assert!(!same_value(Some(&json!(50.5)), &json!(50)));
        assert!(!same_value(Some(&json!("50")), &json!(50)));
    }
}
