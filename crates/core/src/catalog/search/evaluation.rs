//! Whether a document matches a query, as the catalog's index answers it, over any document
//! that exposes index fields ([`SearchDocument`]); the sandbox answers its searches with this.

use std::cmp::Ordering;

use super::base_field;
use super::query::{BoolQuery, Query, RangeBounds, Scalar};

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

impl Query {
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::catalog::search::test_doc::column;

    fn query(json: Value) -> Query {
        Query::parse(&json).unwrap()
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
}
