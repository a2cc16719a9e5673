//! `POST /api/meta/search/indexsearch`: the request, the query subset (bool, term, terms, prefix,
//! exists, range, match_all), sorting, the response, and a pure evaluator of the query over any
//! document that exposes index fields ([`SearchDocument`]).

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use super::entity::EntityHeader;

/// Path of the index-search endpoint.
pub const PATH: &str = "/api/meta/search/indexsearch";

/// Index fields (a `.keyword` suffix names the same field).
pub mod field {
    /// Type name of the asset.
    pub const TYPE_NAME: &str = "__typeName";
    /// Super types of the asset's type.
    pub const SUPER_TYPE_NAMES: &str = "__superTypeNames";
    /// `ACTIVE` / `DELETED` / `PURGED`.
    pub const STATE: &str = "__state";
    /// The guid (the stable paging sort).
    pub const GUID: &str = "__guid";
    /// Ids of directly attached tags.
    pub const TRAIT_NAMES: &str = "__traitNames";
    /// Ids of propagated tags.
    pub const PROPAGATED_TRAIT_NAMES: &str = "__propagatedTraitNames";
    /// Creation time, epoch ms.
    pub const TIMESTAMP: &str = "__timestamp";
    /// Last modification, epoch ms.
    pub const MODIFICATION_TIMESTAMP: &str = "__modificationTimestamp";
    /// Who created the asset.
    pub const CREATED_BY: &str = "__createdBy";
    /// Who last modified the asset.
    pub const MODIFIED_BY: &str = "__modifiedBy";
    /// The asset's qualified name.
    pub const QUALIFIED_NAME: &str = "qualifiedName";
    /// The asset's name.
    pub const NAME: &str = "name";
}

/// Strips the `.keyword` sub-field suffix: `name.keyword` and `name` search the same values.
pub fn base_field(name: &str) -> &str {
    name.strip_suffix(".keyword").unwrap_or(name)
}

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexSearchRequest {
    /// The Elasticsearch-style query.
    pub dsl: Dsl,
    /// Attributes to return (custom metadata as `<setId>.<attrId>`).
    #[serde(default)]
    pub attributes: Vec<String>,
    /// Attributes to return on related entities.
    #[serde(default)]
    pub relation_attributes: Vec<String>,
    /// Leave the tags out of the answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_classifications: bool,
    /// Leave the glossary terms out of the answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_meanings: bool,
}

impl IndexSearchRequest {
    /// A request for `query`, one page, sorted by guid (stable offset paging).
    pub fn new(query: Query, from: u64, size: u64, attributes: Vec<String>) -> Self {
        Self {
            dsl: Dsl {
                from,
                size,
                query,
                post_filter: None,
                sort: vec![SortField::guid()],
                track_total_hits: Some(true),
            },
            attributes,
            relation_attributes: Vec::new(),
            exclude_classifications: false,
            exclude_meanings: false,
        }
    }

    /// The same request for the next page (`from += size`).
    #[must_use]
    pub fn next_page(mut self) -> Self {
        self.dsl.from = self.dsl.from.saturating_add(self.dsl.size);
        self
    }
}

/// The `dsl` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dsl {
    /// Offset of the first hit.
    #[serde(default)]
    pub from: u64,
    /// Page size.
    #[serde(default = "default_size")]
    pub size: u64,
    /// The query (`match_all` when absent).
    #[serde(default = "Query::match_all")]
    pub query: Query,
    /// A filter applied after the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_filter: Option<Query>,
    /// Sort keys, e.g. `[{"__guid": {"order": "asc"}}]`.
    #[serde(default, deserialize_with = "read_sort")]
    pub sort: Vec<SortField>,
    /// Ask for the exact total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_total_hits: Option<bool>,
}

fn default_size() -> u64 {
    10
}

/// The response body. `entities` is absent when nothing matched (paging ends there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexSearchResponse {
    /// `INDEX`.
    #[serde(default = "index_query_type")]
    pub query_type: String,
    /// Total hits (all pages).
    #[serde(default)]
    pub approximate_count: u64,
    /// This page's hits; absent when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<EntityHeader>>,
}

fn index_query_type() -> String {
    "INDEX".to_owned()
}

impl IndexSearchResponse {
    /// A response for one page of `total` hits (no `entities` key when the page is empty).
    pub fn page(total: u64, entities: Vec<EntityHeader>) -> Self {
        Self {
            query_type: index_query_type(),
            approximate_count: total,
            entities: if entities.is_empty() { None } else { Some(entities) },
        }
    }

    /// This page's hits (empty when the key was absent).
    pub fn hits(&self) -> &[EntityHeader] {
        self.entities.as_deref().unwrap_or(&[])
    }
}

/// A scalar in a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Text.
    Str(String),
    /// A number (epoch ms fit exactly).
    Num(f64),
    /// A boolean.
    Bool(bool),
}

impl Scalar {
    fn from_json(value: &Value, at: &str) -> Result<Self, QueryError> {
        match value {
            Value::String(s) => Ok(Self::Str(s.clone())),
            Value::Number(n) => n.as_f64().map(Self::Num).ok_or_else(|| QueryError::at(at, "number out of range")),
            Value::Bool(b) => Ok(Self::Bool(*b)),
            other => Err(QueryError::at(at, format!("expected a string, number or boolean, got {other}"))),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Self::Str(s) => Value::String(s.clone()),
            Self::Num(n) => number_json(*n),
            Self::Bool(b) => Value::Bool(*b),
        }
    }
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Self::Str(s.to_owned())
    }
}

impl From<String> for Scalar {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}

fn number_json(n: f64) -> Value {
    // Whole numbers go back out as integers (timestamps), others as floats.
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)] // whole and within i64 range: checked above
        let whole = n as i64;
        Value::from(whole)
    } else {
        Value::from(n)
    }
}

/// Bounds of a `range` query; any may be absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RangeBounds {
    /// Greater than.
    pub gt: Option<Scalar>,
    /// Greater than or equal.
    pub gte: Option<Scalar>,
    /// Less than.
    pub lt: Option<Scalar>,
    /// Less than or equal.
    pub lte: Option<Scalar>,
}

/// The `bool` compound query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoolQuery {
    /// Must match (no scoring).
    pub filter: Vec<Query>,
    /// Must match.
    pub must: Vec<Query>,
    /// Must not match.
    pub must_not: Vec<Query>,
    /// Should match: at least `minimum_should_match` of them (1 when the query has no `filter`
    /// or `must`, else 0).
    pub should: Vec<Query>,
    /// Explicit minimum of `should` clauses.
    pub minimum_should_match: Option<MinimumShouldMatch>,
}

/// `minimum_should_match`: a count (negative: all but that many) or a percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MinimumShouldMatch {
    /// A number of clauses.
    Count(i64),
    /// A percentage of the clauses, rounded down.
    Percent(i64),
}

impl MinimumShouldMatch {
    fn required(self, clauses: usize) -> usize {
        let n = i64::try_from(clauses).unwrap_or(i64::MAX);
        let required = match self {
            Self::Count(c) if c < 0 => n.saturating_add(c),
            Self::Count(c) => c,
            Self::Percent(p) if p < 0 => n.saturating_sub(n.saturating_mul(p.saturating_neg()) / 100),
            Self::Percent(p) => n.saturating_mul(p) / 100,
        };
        usize::try_from(required.clamp(0, n)).unwrap_or(0)
    }

    fn to_json(self) -> Value {
        match self {
            Self::Count(c) => Value::from(c),
            Self::Percent(p) => Value::String(format!("{p}%")),
        }
    }
}

/// The query subset the catalog clients use.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// Every document.
    MatchAll,
    /// A compound query.
    Bool(Box<BoolQuery>),
    /// Exact value (`case_insensitive` for keyword fields).
    Term {
        /// Index field.
        field: String,
        /// Value.
        value: Scalar,
        /// Compare case-insensitively.
        case_insensitive: bool,
    },
    /// Any of the values.
    Terms {
        /// Index field.
        field: String,
        /// Values.
        values: Vec<Scalar>,
    },
    /// Text prefix.
    Prefix {
        /// Index field.
        field: String,
        /// Prefix.
        value: String,
        /// Compare case-insensitively.
        case_insensitive: bool,
    },
    /// The field has a value.
    Exists {
        /// Index field.
        field: String,
    },
    /// Values within bounds (numbers, or text compared by code point).
    Range {
        /// Index field.
        field: String,
        /// Bounds.
        bounds: RangeBounds,
    },
}

/// A query the sandbox can't read, with where in the query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct QueryError {
    /// Path inside the query, e.g. `query.bool.filter[1].term`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl QueryError {
    fn at(path: &str, message: impl Into<String>) -> Self {
        Self { path: path.to_owned(), message: message.into() }
    }
}

impl Query {
    /// `{"match_all": {}}`.
    pub fn match_all() -> Self {
        Self::MatchAll
    }

    /// `{"term": {field: value}}`.
    pub fn term(field: impl Into<String>, value: impl Into<Scalar>) -> Self {
        Self::Term { field: field.into(), value: value.into(), case_insensitive: false }
    }

    /// `{"terms": {field: [values]}}`.
    pub fn terms<S: Into<Scalar>>(field: impl Into<String>, values: impl IntoIterator<Item = S>) -> Self {
        Self::Terms { field: field.into(), values: values.into_iter().map(Into::into).collect() }
    }

    /// `{"prefix": {field: value}}`.
    pub fn prefix(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::Prefix { field: field.into(), value: value.into(), case_insensitive: false }
    }

    /// `{"exists": {"field": field}}`.
    pub fn exists(field: impl Into<String>) -> Self {
        Self::Exists { field: field.into() }
    }

    /// `{"bool": {"filter": [...]}}`.
    pub fn filter(clauses: Vec<Query>) -> Self {
        Self::Bool(Box::new(BoolQuery { filter: clauses, ..BoolQuery::default() }))
    }

    /// Reads a query from its JSON form; errors name the place in the query.
    pub fn parse(value: &Value) -> Result<Self, QueryError> {
        parse_query(value, "query")
    }

    /// The JSON form.
    pub fn to_json(&self) -> Value {
        match self {
            Self::MatchAll => json!({"match_all": {}}),
            Self::Bool(b) => {
                let mut body = Map::new();
                for (key, clauses) in [("filter", &b.filter), ("must", &b.must), ("must_not", &b.must_not), ("should", &b.should)] {
                    if !clauses.is_empty() {
                        body.insert(key.to_owned(), Value::Array(clauses.iter().map(Query::to_json).collect()));
                    }
                }
                if let Some(m) = b.minimum_should_match {
                    body.insert("minimum_should_match".to_owned(), m.to_json());
                }
                json!({ "bool": body })
            }
            Self::Term { field, value, case_insensitive } => {
                let mut inner = Map::new();
                inner.insert("value".to_owned(), value.to_json());
                if *case_insensitive {
                    inner.insert("case_insensitive".to_owned(), Value::Bool(true));
                }
                json!({ "term": { field.as_str(): inner } })
            }
            Self::Terms { field, values } => {
                json!({ "terms": { field.as_str(): values.iter().map(Scalar::to_json).collect::<Vec<_>>() } })
            }
            Self::Prefix { field, value, case_insensitive } => {
                let mut inner = Map::new();
                inner.insert("value".to_owned(), Value::String(value.clone()));
                if *case_insensitive {
                    inner.insert("case_insensitive".to_owned(), Value::Bool(true));
                }
                json!({ "prefix": { field.as_str(): inner } })
            }
            Self::Exists { field } => json!({ "exists": { "field": field } }),
            Self::Range { field, bounds } => {
                let mut inner = Map::new();
                for (key, bound) in [("gt", &bounds.gt), ("gte", &bounds.gte), ("lt", &bounds.lt), ("lte", &bounds.lte)] {
                    if let Some(b) = bound {
                        inner.insert(key.to_owned(), b.to_json());
                    }
                }
                json!({ "range": { field.as_str(): inner } })
            }
        }
    }

    /// The leaf clauses every match satisfies: the query itself when it is a leaf, else the
    /// `filter` and `must` clauses of its `bool`, recursively. An index can pick its candidates
    /// from these (then still evaluate the whole query on them).
    pub fn required_leaves(&self) -> Vec<&Query> {
        let mut leaves = Vec::new();
        self.collect_required(&mut leaves);
        leaves
    }

    fn collect_required<'a>(&'a self, leaves: &mut Vec<&'a Query>) {
        match self {
            Self::MatchAll => {}
            Self::Bool(b) => b.filter.iter().chain(&b.must).for_each(|q| q.collect_required(leaves)),
            leaf => leaves.push(leaf),
        }
    }

    /// Whether `doc` matches.
    pub fn matches<D: SearchDocument + ?Sized>(&self, doc: &D) -> bool {
        match self {
            Self::MatchAll => true,
            Self::Bool(b) => b.matches(doc),
            Self::Term { field, value, case_insensitive } => {
                doc.any_value(base_field(field), &mut |v| scalar_equals(v, value, *case_insensitive))
            }
            Self::Terms { field, values } => {
                doc.any_value(base_field(field), &mut |v| values.iter().any(|value| scalar_equals(v, value, false)))
            }
            Self::Prefix { field, value, case_insensitive } => doc.any_value(base_field(field), &mut |v| match v {
                FieldValue::Str(s) if *case_insensitive => starts_with_ignoring_case(s, value),
                FieldValue::Str(s) => s.starts_with(value.as_str()),
                _ => false,
            }),
            Self::Exists { field } => doc.any_value(base_field(field), &mut |_| true),
            Self::Range { field, bounds } => doc.any_value(base_field(field), &mut |v| bounds.contains(v)),
        }
    }
}

impl BoolQuery {
    fn matches<D: SearchDocument + ?Sized>(&self, doc: &D) -> bool {
        if !self.filter.iter().chain(&self.must).all(|q| q.matches(doc)) {
            return false;
        }
        if self.must_not.iter().any(|q| q.matches(doc)) {
            return false;
        }
        if self.should.is_empty() {
            return true;
        }
        let required = match self.minimum_should_match {
            Some(m) => m.required(self.should.len()),
            None if self.filter.is_empty() && self.must.is_empty() => 1,
            None => 0,
        };
        if required == 0 {
            return true;
        }
        let mut matched = 0usize;
        for q in &self.should {
            if q.matches(doc) {
                matched += 1;
                if matched >= required {
                    return true;
                }
            }
        }
        false
    }
}

impl RangeBounds {
    fn contains(&self, value: FieldValue<'_>) -> bool {
        let check = |bound: &Option<Scalar>, ok: fn(Ordering) -> bool| match bound {
            None => true,
            Some(b) => compare_to_scalar(value, b).is_some_and(ok),
        };
        check(&self.gt, Ordering::is_gt)
            && check(&self.gte, Ordering::is_ge)
            && check(&self.lt, Ordering::is_lt)
            && check(&self.lte, Ordering::is_le)
    }
}

impl Serialize for Query {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Query {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Query::parse(&value).map_err(serde::de::Error::custom)
    }
}

fn single_entry<'a>(value: &'a Value, at: &str) -> Result<(&'a String, &'a Value), QueryError> {
    let object = value.as_object().ok_or_else(|| QueryError::at(at, "expected an object"))?;
    let mut entries = object.iter();
    match (entries.next(), entries.next()) {
        (Some(entry), None) => Ok(entry),
        (None, _) => Err(QueryError::at(at, "empty query object")),
        (Some(_), Some(_)) => Err(QueryError::at(at, "expected exactly one key")),
    }
}

fn parse_query(value: &Value, at: &str) -> Result<Query, QueryError> {
    let (kind, body) = single_entry(value, at)?;
    let here = format!("{at}.{kind}");
    match kind.as_str() {
        "match_all" => Ok(Query::MatchAll),
        "bool" => parse_bool(body, &here),
        "term" => {
            let (field, spec) = single_entry(body, &here)?;
            let (value, case_insensitive) = match spec {
                Value::Object(o) => {
                    let v = o.get("value").ok_or_else(|| QueryError::at(&format!("{here}.{field}"), "missing \"value\""))?;
                    (v, o.get("case_insensitive").and_then(Value::as_bool).unwrap_or(false))
                }
                v => (v, false),
            };
            Ok(Query::Term {
                field: field.clone(),
                value: Scalar::from_json(value, &format!("{here}.{field}"))?,
                case_insensitive,
            })
        }
        "terms" => {
            let object = body.as_object().ok_or_else(|| QueryError::at(&here, "expected an object"))?;
            // `boost` may sit beside the field.
            let mut fields = object.iter().filter(|(k, _)| k.as_str() != "boost");
            let (field, list) = match (fields.next(), fields.next()) {
                (Some(entry), None) => entry,
                _ => return Err(QueryError::at(&here, "expected exactly one field")),
            };
            let at_field = format!("{here}.{field}");
            let list = list.as_array().ok_or_else(|| QueryError::at(&at_field, "expected an array of values"))?;
            let values = list
                .iter()
                .enumerate()
                .map(|(i, v)| Scalar::from_json(v, &format!("{at_field}[{i}]")))
                .collect::<Result<_, _>>()?;
            Ok(Query::Terms { field: field.clone(), values })
        }
        "prefix" => {
            let (field, spec) = single_entry(body, &here)?;
            let at_field = format!("{here}.{field}");
            let (value, case_insensitive) = match spec {
                Value::Object(o) => (o.get("value"), o.get("case_insensitive").and_then(Value::as_bool).unwrap_or(false)),
                v => (Some(v), false),
            };
            let value = value
                .and_then(Value::as_str)
                .ok_or_else(|| QueryError::at(&at_field, "expected a string prefix"))?;
            Ok(Query::Prefix { field: field.clone(), value: value.to_owned(), case_insensitive })
        }
        "exists" => {
            let field = body
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| QueryError::at(&here, "expected {\"field\": name}"))?;
            Ok(Query::Exists { field: field.to_owned() })
        }
        "range" => {
            let (field, spec) = single_entry(body, &here)?;
            let at_field = format!("{here}.{field}");
            let object = spec.as_object().ok_or_else(|| QueryError::at(&at_field, "expected an object of bounds"))?;
            let mut bounds = RangeBounds::default();
            for (key, v) in object {
                let at_key = format!("{at_field}.{key}");
                let slot = match key.as_str() {
                    "gt" => &mut bounds.gt,
                    "gte" => &mut bounds.gte,
                    "lt" => &mut bounds.lt,
                    "lte" => &mut bounds.lte,
                    "format" | "boost" | "time_zone" => continue,
                    other => return Err(QueryError::at(&at_key, format!("unknown range bound {other:?}"))),
                };
                if !v.is_null() {
                    *slot = Some(Scalar::from_json(v, &at_key)?);
                }
            }
            Ok(Query::Range { field: field.clone(), bounds })
        }
        other => Err(QueryError::at(
            at,
            format!("unsupported query type {other:?} (supported: bool, term, terms, prefix, exists, range, match_all)"),
        )),
    }
}

fn parse_bool(body: &Value, at: &str) -> Result<Query, QueryError> {
    let object = body.as_object().ok_or_else(|| QueryError::at(at, "expected an object"))?;
    let mut query = BoolQuery::default();
    for (key, value) in object {
        let here = format!("{at}.{key}");
        let slot = match key.as_str() {
            "filter" => &mut query.filter,
            "must" => &mut query.must,
            "must_not" => &mut query.must_not,
            "should" => &mut query.should,
            "minimum_should_match" => {
                query.minimum_should_match = Some(parse_minimum_should_match(value, &here)?);
                continue;
            }
            "boost" | "_name" => continue,
            other => return Err(QueryError::at(&here, format!("unknown bool clause {other:?}"))),
        };
        // A clause list may also be written as a single query.
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    slot.push(parse_query(item, &format!("{here}[{i}]"))?);
                }
            }
            single => slot.push(parse_query(single, &here)?),
        }
    }
    Ok(Query::Bool(Box::new(query)))
}

/// Reads `minimum_should_match`: a count, as a JSON integer or a string, anywhere in `i64` (past
/// the number of `should` clauses it saturates: more than there are means all of them, fewer
/// than minus that many means none), or a percentage from `-100%` to `100%`. Anything else is an
/// error naming the value — a number that is not an `i64` integer, a percentage out of that
/// range (a share of the clauses beyond all of them means nothing, and its arithmetic could
/// overflow), text that is no number — so a query never wraps or panics on it.
fn parse_minimum_should_match(value: &Value, at: &str) -> Result<MinimumShouldMatch, QueryError> {
    let bad = || QueryError::at(at, format!("expected a count or a percentage from -100% to 100%, got {value}"));
    match value {
        Value::Number(n) => n.as_i64().map(MinimumShouldMatch::Count).ok_or_else(bad),
        Value::String(s) => {
            let s = s.trim();
            match s.strip_suffix('%') {
                Some(p) => {
                    p.trim().parse::<i64>().ok().filter(|p| (-100..=100).contains(p)).map(MinimumShouldMatch::Percent).ok_or_else(bad)
                }
                None => s.parse().map(MinimumShouldMatch::Count).map_err(|_| bad()),
            }
        }
        _ => Err(bad()),
    }
}

/// One value of an index field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    /// Keyword text.
    Str(&'a str),
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
}

/// Something the query can be evaluated on: a document of index fields, each with zero or more
/// values.
pub trait SearchDocument {
    /// Calls `visit` with each value of `field` (already without `.keyword`) until it returns
    /// `true`; returns whether it did.
    fn any_value(&self, field: &str, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool;
}

fn scalar_equals(value: FieldValue<'_>, wanted: &Scalar, case_insensitive: bool) -> bool {
    match (value, wanted) {
        (FieldValue::Str(s), Scalar::Str(w)) if case_insensitive => eq_ignoring_case(s, w),
        (FieldValue::Str(s), Scalar::Str(w)) => s == w,
        (FieldValue::Num(n), Scalar::Num(w)) => n == *w,
        (FieldValue::Bool(b), Scalar::Bool(w)) => b == *w,
        // Keyword fields compare numbers and booleans by their text.
        (FieldValue::Str(s), Scalar::Num(w)) => s.parse::<f64>().is_ok_and(|n| n == *w),
        (FieldValue::Str(s), Scalar::Bool(w)) => s == if *w { "true" } else { "false" },
        (FieldValue::Num(n), Scalar::Str(w)) => w.parse::<f64>().is_ok_and(|w| n == w),
        (FieldValue::Bool(b), Scalar::Str(w)) => w == if b { "true" } else { "false" },
        _ => false,
    }
}

fn eq_ignoring_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

fn starts_with_ignoring_case(s: &str, prefix: &str) -> bool {
    if s.is_ascii() && prefix.is_ascii() {
        s.len() >= prefix.len() && s.as_bytes().get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    } else {
        s.to_lowercase().starts_with(&prefix.to_lowercase())
    }
}

fn compare_to_scalar(value: FieldValue<'_>, bound: &Scalar) -> Option<Ordering> {
    match (value, bound) {
        (FieldValue::Num(n), Scalar::Num(b)) => n.partial_cmp(b),
        (FieldValue::Num(n), Scalar::Str(b)) => b.trim().parse::<f64>().ok().and_then(|b| n.partial_cmp(&b)),
        (FieldValue::Str(s), Scalar::Str(b)) => Some(s.cmp(b.as_str())),
        (FieldValue::Str(s), Scalar::Num(b)) => s.parse::<f64>().ok().and_then(|n| n.partial_cmp(b)),
        _ => None,
    }
}

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
fn read_sort<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<SortField>, D::Error> {
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
    use super::*;
    use std::collections::BTreeMap;

    /// A document with fixed field values.
    struct Doc(BTreeMap<&'static str, Vec<Value>>);

    impl SearchDocument for Doc {
        fn any_value(&self, field: &str, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
            self.0.get(field).is_some_and(|values| {
                values.iter().any(|v| match v {
                    Value::String(s) => visit(FieldValue::Str(s)),
                    Value::Number(n) => n.as_f64().is_some_and(|n| visit(FieldValue::Num(n))),
                    Value::Bool(b) => visit(FieldValue::Bool(*b)),
                    _ => false,
                })
            })
        }
    }

    fn column() -> Doc {
        Doc(BTreeMap::from([
            ("__typeName", vec![json!("Column")]),
            ("__superTypeNames", vec![json!("SQL"), json!("Catalog"), json!("Asset")]),
            ("__state", vec![json!("ACTIVE")]),
            ("__guid", vec![json!("b-guid")]),
            ("qualifiedName", vec![json!("default/snowflake/1657037873/SAMPLE_DB/FOOD_BEV/USERS/EMAIL")]),
            ("name", vec![json!("EMAIL")]),
            ("__traitNames", vec![json!("cTrLMeBjKNeRV7HzBSL11u")]),
            ("__propagatedTraitNames", vec![json!("Kq3wZ8bYd1Xg2nP5sT7vLm")]),
            ("__timestamp", vec![json!(1_700_000_000_000_i64)]),
        ]))
    }

    fn query(json: Value) -> Query {
        Query::parse(&json).unwrap()
    }

    #[test]
    fn reads_the_api_notes_request_and_answers_its_example_query() {
        let request: IndexSearchRequest = serde_json::from_value(json!({
            "dsl": {"from": 0, "size": 300, "query": {"bool": {"filter": [
                {"term": {"__typeName.keyword": {"value": "Column"}}},
                {"term": {"__state": "ACTIVE"}},
                {"terms": {"qualifiedName": ["x", "default/snowflake/1657037873/SAMPLE_DB/FOOD_BEV/USERS/EMAIL"]}},
                {"prefix": {"connectionQualifiedName": {"value": "default/snowflake"}}}
            ]}}, "post_filter": {"exists": {"field": "__traitNames"}},
            "sort": [{"__guid": {"order": "asc"}}], "track_total_hits": true},
            "attributes": ["name", "wQ8.aS1"], "relationAttributes": [], "excludeClassifications": false
        }))
        .unwrap();
        assert_eq!(request.dsl.size, 300);
        assert_eq!(request.dsl.sort, vec![SortField::guid()]);
        assert_eq!(request.attributes, ["name", "wQ8.aS1"]);
        let mut doc = column();
        doc.0.insert("connectionQualifiedName", vec![json!("default/snowflake/1657037873")]);
        assert!(request.dsl.query.matches(&doc));
        assert!(request.dsl.post_filter.unwrap().matches(&doc));
    }

    #[test]
    fn term_reads_both_forms_and_honours_case_insensitive() {
        let doc = column();
        assert!(query(json!({"term": {"name.keyword": "EMAIL"}})).matches(&doc));
        assert!(!query(json!({"term": {"name.keyword": "email"}})).matches(&doc));
        assert!(query(json!({"term": {"name.keyword": {"value": "email", "case_insensitive": true}}})).matches(&doc));
        assert!(query(json!({"term": {"__timestamp": 1_700_000_000_000_i64}})).matches(&doc));
    }

    #[test]
    fn trait_names_and_propagated_trait_names_are_separate_fields() {
        let doc = column();
        assert!(query(json!({"terms": {"__traitNames": ["cTrLMeBjKNeRV7HzBSL11u"]}})).matches(&doc));
        assert!(!query(json!({"terms": {"__traitNames": ["Kq3wZ8bYd1Xg2nP5sT7vLm"]}})).matches(&doc));
        assert!(query(json!({"terms": {"__propagatedTraitNames": ["Kq3wZ8bYd1Xg2nP5sT7vLm"]}})).matches(&doc));
    }

    #[test]
    fn bool_should_needs_one_match_without_filter_or_must_and_none_with_them() {
        let doc = column();
        let should_only = json!({"bool": {"should": [{"term": {"name": "NOPE"}}, {"term": {"name": "ALSO_NOPE"}}]}});
        assert!(!query(should_only).matches(&doc));
        let with_filter = json!({"bool": {"filter": {"term": {"name": "EMAIL"}}, "should": [{"term": {"name": "NOPE"}}]}});
        assert!(query(with_filter).matches(&doc));
        let explicit = json!({"bool": {"filter": {"term": {"name": "EMAIL"}}, "should": [{"term": {"name": "NOPE"}}],
            "minimum_should_match": 1}});
        assert!(!query(explicit).matches(&doc));
        let percent = json!({"bool": {"should": [{"term": {"name": "EMAIL"}}, {"term": {"name": "NOPE"}}],
            "minimum_should_match": "50%"}});
        assert!(query(percent).matches(&doc));
    }

    #[test]
    fn minimum_should_match_saturates_extreme_counts_and_refuses_what_is_no_count_or_percentage() {
        let doc = column();
        let with = |m: Value| {
            Query::parse(&json!({"bool": {"should": [{"term": {"name": "EMAIL"}}, {"term": {"name": "NOPE"}}], "minimum_should_match": m}}))
        };
        for (m, matches) in [
            (json!("9223372036854775807"), false),
            (json!(i64::MAX), false),
            (json!("-9223372036854775808"), true),
            (json!(i64::MIN), true),
            (json!("100%"), false),
            (json!("-100%"), true),
            (json!(" 50 % "), true),
            (json!("-50%"), true),
        ] {
            assert_eq!(with(m.clone()).unwrap().matches(&doc), matches, "{m}");
        }
        for bad in [
            json!("-9223372036854775808%"),
            json!("9223372036854775807%"),
            json!("150%"),
            json!("-101%"),
            json!(""),
            json!("%"),
            json!("abc"),
            json!("9223372036854775808"),
            json!(9_223_372_036_854_775_808_u64),
            json!(u64::MAX),
            json!(1e300),
            json!(1.5),
            json!(null),
            json!([1]),
        ] {
            let error = with(bad.clone()).unwrap_err();
            assert_eq!(error.path, "query.bool.minimum_should_match", "{bad}");
            assert!(error.message.contains("-100% to 100%"), "{bad}: {error}");
        }
    }

    #[test]
    fn must_not_excludes_and_exists_checks_presence() {
        let doc = column();
        assert!(!query(json!({"bool": {"must_not": [{"term": {"__typeName.keyword": "Column"}}]}})).matches(&doc));
        assert!(query(json!({"bool": {"must_not": {"exists": {"field": "announcementType"}}}})).matches(&doc));
        assert!(query(json!({"exists": {"field": "__traitNames"}})).matches(&doc));
    }

    #[test]
    fn range_on_timestamp_with_inclusive_and_exclusive_bounds() {
        let doc = column();
        assert!(query(json!({"range": {"__timestamp": {"gte": 1_700_000_000_000_i64, "lt": 1_800_000_000_000_i64}}})).matches(&doc));
        assert!(!query(json!({"range": {"__timestamp": {"gt": 1_700_000_000_000_i64}}})).matches(&doc));
        assert!(query(json!({"range": {"__timestamp": {"lte": "1700000000000"}}})).matches(&doc));
    }

    #[test]
    fn prefix_respects_case_unless_told_otherwise() {
        let doc = column();
        assert!(query(json!({"prefix": {"qualifiedName": "default/snowflake/1657037873/SAMPLE_DB"}})).matches(&doc));
        assert!(!query(json!({"prefix": {"qualifiedName": "default/snowflake/1657037873/sample_db"}})).matches(&doc));
        assert!(query(json!({"prefix": {"qualifiedName": {"value": "DEFAULT/", "case_insensitive": true}}})).matches(&doc));
    }

    #[test]
    fn unsupported_or_malformed_queries_are_located_errors() {
        let err = Query::parse(&json!({"bool": {"filter": [{"term": {"a": "b"}}, {"match": {"name": "x"}}]}})).unwrap_err();
        assert_eq!(err.path, "query.bool.filter[1]");
        assert!(err.message.contains("unsupported query type \"match\""), "{err}");
        let err = Query::parse(&json!({"terms": {"qualifiedName": "not-a-list"}})).unwrap_err();
        assert_eq!(err.to_string(), "query.terms.qualifiedName: expected an array of values");
        let err = Query::parse(&json!({"range": {"__timestamp": {"after": 1}}})).unwrap_err();
        assert_eq!(err.path, "query.range.__timestamp.after");
    }

    #[test]
    fn queries_write_back_to_json_that_reads_the_same() {
        let q = query(json!({"bool": {"filter": [{"term": {"__typeName.keyword": {"value": "Table", "case_insensitive": true}}},
            {"terms": {"__guid": ["a", "b"]}}, {"prefix": {"qualifiedName": "x/"}}, {"exists": {"field": "name"}},
            {"range": {"__timestamp": {"gte": 5, "lt": 7.5}}}], "should": [{"match_all": {}}], "minimum_should_match": "50%",
            "must_not": [{"term": {"__state": "DELETED"}}]}}));
        assert_eq!(Query::parse(&q.to_json()).unwrap(), q);
        assert_eq!(Query::term("__guid", "x").to_json(), json!({"term": {"__guid": {"value": "x"}}}));
    }

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

    #[test]
    fn required_leaves_are_the_filter_and_must_clauses_at_any_depth() {
        let q = query(json!({"bool": {"filter": [{"term": {"a": "1"}}, {"bool": {"must": [{"prefix": {"b": "x"}}],
            "should": [{"term": {"c": "2"}}]}}], "should": [{"term": {"d": "3"}}], "must_not": [{"term": {"e": "4"}}]}}));
        let fields: Vec<String> = q.required_leaves().iter().map(|l| match l {
            Query::Term { field, .. } | Query::Prefix { field, .. } => field.clone(),
            _ => String::new(),
        }).collect();
        assert_eq!(fields, ["a", "b"]);
        assert!(Query::match_all().required_leaves().is_empty());
        assert_eq!(Query::exists("x").required_leaves().len(), 1);
    }

    #[test]
    fn an_empty_page_has_no_entities_key() {
        let empty = serde_json::to_value(IndexSearchResponse::page(0, Vec::new())).unwrap();
        assert_eq!(empty, json!({"queryType": "INDEX", "approximateCount": 0}));
        let parsed: IndexSearchResponse = serde_json::from_value(json!({"queryType": "INDEX", "approximateCount": 3})).unwrap();
        assert!(parsed.hits().is_empty());
    }

    #[test]
    fn next_page_advances_by_the_page_size() {
        let request = IndexSearchRequest::new(Query::match_all(), 0, 300, vec![]).next_page();
        assert_eq!(request.dsl.from, 300);
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["dsl"]["sort"], json!([{"__guid": {"order": "asc"}}]));
    }
}
