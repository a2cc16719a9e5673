//! Sort keys (`{"__guid": {"order": "asc"}}` and the shorter forms) and the order they put
//! documents in; documents without a value go last.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Value};

use super::evaluation::{FieldValue, SearchDocument};
use super::{base_field, field};

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending.
    #[default]
    Asc,
    /// Descending.
    Desc,
}

/// One sort key: `{"__guid": {"order": "asc"}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortField {
    /// Index field.
    pub field: String,
    /// Direction.
    pub order: SortOrder,
}

impl SortField {
    /// The stable paging sort, `__guid` ascending.
    pub fn guid() -> Self {
        Self { field: field::GUID.to_owned(), order: SortOrder::Asc }
    }

    /// Orders two documents by this key; documents without a value go last.
    pub fn compare<D: SearchDocument + ?Sized>(&self, a: &D, b: &D) -> Ordering {
        let field = base_field(&self.field);
        match (first_value(a, field), first_value(b, field)) {
            (Some(x), Some(y)) => {
                let o = x.cmp(&y);
                if self.order == SortOrder::Desc {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
}

/// Orders documents by the sort keys in turn.
pub fn compare_documents<D: SearchDocument + ?Sized>(sort: &[SortField], a: &D, b: &D) -> Ordering {
    sort.iter().map(|key| key.compare(a, b)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

/// A sortable copy of a field value.
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    Num(f64),
    Str(String),
}

impl Eq for SortKey {}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Num(a), Self::Num(b)) => a.total_cmp(b),
            (Self::Str(a), Self::Str(b)) => a.cmp(b),
            (Self::Num(_), Self::Str(_)) => Ordering::Less,
            (Self::Str(_), Self::Num(_)) => Ordering::Greater,
        }
    }
}

fn first_value<D: SearchDocument + ?Sized>(doc: &D, field: &str) -> Option<SortKey> {
    let mut key = None;
    doc.any_value(field, &mut |v| {
        key = Some(match v {
            FieldValue::Str(s) => SortKey::Str(s.to_owned()),
            FieldValue::Num(n) => SortKey::Num(n),
            FieldValue::Bool(b) => SortKey::Num(if b { 1.0 } else { 0.0 }),
        });
        true
    });
    key
}

impl Serialize for SortField {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let order = match self.order {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        };
        json!({ self.field.as_str(): { "order": order } }).serialize(serializer)
    }
}

impl fmt::Display for SortField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.field, self.order)
    }
}

/// Reads `sort` as a list (or a single entry) of `"field"`, `{"field": "asc"}` or
/// `{"field": {"order": "asc"}}`.
pub(super) fn read_sort<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<SortField>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(single) => vec![single],
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_sort_field(item).map_err(|m| serde::de::Error::custom(format!("sort[{i}]: {m}"))))
        .collect()
}

fn parse_sort_field(item: &Value) -> Result<SortField, String> {
    let parse_order = |v: &Value| match v.as_str() {
        Some("asc" | "ASC") => Ok(SortOrder::Asc),
        Some("desc" | "DESC") => Ok(SortOrder::Desc),
        _ => Err(format!("unknown sort order {v}")),
    };
    match item {
        Value::String(field) => Ok(SortField { field: field.clone(), order: SortOrder::Asc }),
        Value::Object(o) => {
            let mut entries = o.iter();
            let (field, spec) = match (entries.next(), entries.next()) {
                (Some(entry), None) => entry,
                _ => return Err("expected exactly one field".to_owned()),
            };
            let order = match spec {
                Value::Object(s) => s.get("order").map(parse_order).transpose()?.unwrap_or_default(),
                other => parse_order(other)?,
            };
            Ok(SortField { field: field.clone(), order })
        }
        other => Err(format!("expected a field name or object, got {other}")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::catalog::search::request::Dsl;
    use crate::catalog::search::test_doc::{column, Doc};
    use crate::catalog::search::Query;

    #[test]
    fn sort_reads_every_form_and_orders_missing_values_last() {
        let dsl: Dsl = serde_json::from_value(json!({"sort": ["name", {"__timestamp": "desc"}, {"__guid": {"order": "asc"}}]})).unwrap();
        assert_eq!(dsl.sort.len(), 3);
        assert_eq!(dsl.sort[1].order, SortOrder::Desc);
        assert_eq!(dsl.size, 10);
        assert_eq!(dsl.query, Query::MatchAll);
        let a = column();
        let b = Doc(BTreeMap::from([("__guid", vec![json!("a-guid")])]));
        let by_guid = [SortField::guid()];
        assert_eq!(compare_documents(&by_guid, &b, &a), Ordering::Less);
        let by_name = [SortField { field: "name.keyword".into(), order: SortOrder::Asc }];
        assert_eq!(compare_documents(&by_name, &a, &b), Ordering::Less, "a document without the field sorts last");
    }
}
