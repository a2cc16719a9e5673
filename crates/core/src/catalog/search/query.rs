//! The query subset the catalog clients use, as typed values: read from its JSON form (errors
//! name the place in the query) and written back to it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

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
    /// How many of `clauses` `should` clauses must match.
    pub(super) fn required(self, clauses: usize) -> usize {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalog::search::test_doc::column;

    fn query(json: Value) -> Query {
        Query::parse(&json).unwrap()
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
}
