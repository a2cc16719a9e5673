//! The sandbox catalog's search index, kept as a search engine keeps one: for each indexed field,
//! the documents holding each value as a sorted list of document numbers (postings). Documents
//! are numbered in guid order, so intersecting postings gives the hits already in the default
//! (and usual paging) sort. Creation times, sorted, answer `range` on `__timestamp` and sorts by
//! it. And per user, the `read` decision of each document once it was asked for — what a search
//! engine's document-level security caches per role — forgotten for a document whose tags
//! change and for everyone when the access config or the tag definitions change.
//!
//! The index only ever narrows: a query clause it answers exactly ([`SearchIndex::plan`]) needs
//! no further evaluation; any other clause is evaluated by core on each candidate.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Bound;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use serde_json::Value;
use steward_core::catalog::entity::attr;
use steward_core::catalog::search::{self, field, Query, RangeBounds, Scalar};

use super::store::StoredEntity;

/// A document number: the asset's rank in guid order.
pub(super) type Doc = u32;

/// A field with postings: `__typeName`, `__state`, `__traitNames`, `__propagatedTraitNames`,
/// then the attributes of [`ATTRIBUTES`] in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Field(usize);

const TYPE_NAME: Field = Field(0);
const STATE: Field = Field(1);
const TRAIT_NAMES: Field = Field(2);
const PROPAGATED_TRAIT_NAMES: Field = Field(3);
const FIRST_ATTRIBUTE: usize = 4;
const QUALIFIED_NAME: Field = Field(FIRST_ATTRIBUTE);

/// Attributes with postings: the qualified name (first: kept sorted, for prefixes), the name,
/// and the denormalised ancestors a sync filters on.
const ATTRIBUTES: [&str; 8] = [
    attr::QUALIFIED_NAME,
    attr::NAME,
    "connectionQualifiedName",
    "connectorName",
    "databaseQualifiedName",
    "schemaQualifiedName",
    "tableQualifiedName",
    "viewQualifiedName",
];

const FIELDS: usize = FIRST_ATTRIBUTE + ATTRIBUTES.len();

impl Field {
    /// The indexed field a query names (already without `.keyword`).
    fn named(name: &str) -> Option<Self> {
        match name {
            field::TYPE_NAME => Some(TYPE_NAME),
            field::STATE => Some(STATE),
            field::TRAIT_NAMES => Some(TRAIT_NAMES),
            field::PROPAGATED_TRAIT_NAMES => Some(PROPAGATED_TRAIT_NAMES),
            other => ATTRIBUTES.iter().position(|a| *a == other).map(|i| Self(FIRST_ATTRIBUTE + i)),
        }
    }
}

/// Calls `key` with each value an asset is indexed under, as `index_search::Indexed` exposes
/// its fields to queries, and `untyped` with each field where it holds a number or a boolean
/// (which a text lookup could not find).
fn visit_keys(e: &StoredEntity, key: &mut dyn FnMut(Field, &str), untyped: &mut dyn FnMut(Field)) {
    key(TYPE_NAME, &e.type_name);
    key(STATE, e.status.as_str());
    e.tags.iter().for_each(|t| key(TRAIT_NAMES, &t.type_name));
    e.propagated.iter().for_each(|t| key(PROPAGATED_TRAIT_NAMES, &t.type_name));
    for (i, name) in ATTRIBUTES.iter().enumerate() {
        if let Some(value) = e.attributes.get(*name) {
            let field = Field(FIRST_ATTRIBUTE + i);
            if !texts(value, &mut |s| key(field, s)) {
                untyped(field);
            }
        }
    }
}

/// The values an asset is indexed under, sorted, and its untyped fields (see [`visit_keys`]):
/// taken before and after a write to re-index what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DocKeys {
    keys: Vec<(Field, String)>,
    untyped: Vec<Field>,
}

impl DocKeys {
    /// The keys of an asset.
    pub(super) fn of(e: &StoredEntity) -> Self {
        let mut keys = Vec::new();
        let mut untyped = Vec::new();
        visit_keys(e, &mut |field, value| keys.push((field, value.to_owned())), &mut |field| untyped.push(field));
        keys.sort();
        keys.dedup();
        Self { keys, untyped }
    }
}

/// Calls `found` with every text in `value` (arrays flattened, as queries see them); `false`
/// when `value` also holds a number or a boolean.
fn texts(value: &Value, found: &mut dyn FnMut(&str)) -> bool {
    match value {
        Value::String(s) => {
            found(s);
            true
        }
        Value::Array(items) => {
            // Every item is visited, texts after a number included.
            let mut only_text = true;
            for v in items {
                only_text &= texts(v, found);
            }
            only_text
        }
        Value::Null | Value::Object(_) => true,
        Value::Number(_) | Value::Bool(_) => false,
    }
}

/// The postings of one field: value → documents. Qualified names are kept sorted (prefix
/// queries range over them); other fields are hashed.
#[derive(Debug, Clone)]
enum Values {
    Hashed(HashMap<String, Vec<Doc>>),
    Sorted(BTreeMap<String, Vec<Doc>>),
}

impl Values {
    fn get(&self, value: &str) -> Option<&Vec<Doc>> {
        match self {
            Self::Hashed(map) => map.get(value),
            Self::Sorted(map) => map.get(value),
        }
    }

    /// Adds `doc` under `value` (documents arrive in order when the index is built).
    fn add(&mut self, value: &str, doc: Doc) {
        let list = match self {
            Self::Hashed(map) => match map.get_mut(value) {
                Some(list) => list,
                None => map.entry(value.to_owned()).or_default(),
            },
            Self::Sorted(map) => match map.get_mut(value) {
                Some(list) => list,
                None => map.entry(value.to_owned()).or_default(),
            },
        };
        match list.last() {
            Some(last) if *last < doc => list.push(doc),
            None => list.push(doc),
            Some(_) => {
                if let Err(at) = list.binary_search(&doc) {
                    list.insert(at, doc);
                }
            }
        }
    }

    fn remove(&mut self, value: &str, doc: Doc) {
        let emptied = {
            let list = match self {
                Self::Hashed(map) => map.get_mut(value),
                Self::Sorted(map) => map.get_mut(value),
            };
            let Some(list) = list else { return };
            if let Ok(at) = list.binary_search(&doc) {
                list.remove(at);
            }
            list.is_empty()
        };
        if emptied {
            match self {
                Self::Hashed(map) => map.remove(value),
                Self::Sorted(map) => map.remove(value),
            };
        }
    }

    /// The postings of every value starting with `prefix`.
    fn with_prefix<'a>(&'a self, prefix: &'a str) -> Box<dyn Iterator<Item = &'a [Doc]> + 'a> {
        match self {
            Self::Hashed(map) => Box::new(map.iter().filter(move |(k, _)| k.starts_with(prefix)).map(|(_, l)| l.as_slice())),
            Self::Sorted(map) => Box::new(
                map.range::<str, _>((Bound::Included(prefix), Bound::Unbounded)).take_while(move |(k, _)| k.starts_with(prefix)).map(|(_, l)| l.as_slice()),
            ),
        }
    }
}

/// How much of a query the index answers.
pub(super) struct Plan<'a> {
    /// The candidates, in document order; `None` is every document.
    pub(super) docs: Option<Cow<'a, [Doc]>>,
    /// Whether the candidates are exactly the matches (nothing left to evaluate).
    pub(super) exact: bool,
}

/// The search index of a catalog tenant.
#[derive(Debug, Clone)]
pub(super) struct SearchIndex {
    guids: Vec<String>,
    numbers: HashMap<String, Doc>,
    /// Postings per field, in [`Field`] order.
    postings: Vec<Values>,
    /// Fields some document holds a number or boolean in: their postings can't answer a query.
    untyped: Vec<Field>,
    /// Creation time of each document (epoch ms).
    created: Vec<i64>,
    /// `(creation time, document)`, sorted.
    by_created: Vec<(i64, Doc)>,
    read: ReadDecisions,
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self::build(std::iter::empty())
    }
}

impl SearchIndex {
    /// Indexes `entities` (in guid order, as the catalog keeps them).
    pub(super) fn build<'a>(entities: impl Iterator<Item = &'a StoredEntity>) -> Self {
        let postings = (0..FIELDS).map(|i| if Field(i) == QUALIFIED_NAME { Values::Sorted(BTreeMap::new()) } else { Values::Hashed(HashMap::new()) }).collect();
        let mut index = Self {
            guids: Vec::new(),
            numbers: HashMap::new(),
            postings,
            untyped: Vec::new(),
            created: Vec::new(),
            by_created: Vec::new(),
            read: ReadDecisions::default(),
        };
        for (doc, e) in (0..).zip(entities) {
            index.guids.push(e.guid.clone());
            index.numbers.insert(e.guid.clone(), doc);
            index.created.push(e.create_time);
            index.by_created.push((e.create_time, doc));
            let Self { postings, untyped, .. } = &mut index;
            visit_keys(
                e,
                &mut |field, value| {
                    if let Some(values) = postings.get_mut(field.0) {
                        values.add(value, doc);
                    }
                },
                &mut |field| {
                    if !untyped.contains(&field) {
                        untyped.push(field);
                    }
                },
            );
        }
        index.by_created.sort_unstable();
        index
    }

    /// Number of documents.
    pub(super) fn len(&self) -> usize {
        self.guids.len()
    }

    /// The guid of a document.
    pub(super) fn guid(&self, doc: Doc) -> Option<&str> {
        self.guids.get(doc as usize).map(String::as_str)
    }

    /// The creation time of a document.
    pub(super) fn created(&self, doc: Doc) -> i64 {
        self.created.get(doc as usize).copied().unwrap_or(i64::MAX)
    }

    /// Re-indexes an existing asset whose keys went from `before` to `after` (its number and
    /// creation time never change); its `read` decisions are forgotten when they did.
    pub(super) fn update(&mut self, guid: &str, before: &DocKeys, after: DocKeys) {
        if *before == after {
            return;
        }
        let Some(&doc) = self.numbers.get(guid) else { return };
        for (field, value) in &before.keys {
            if after.keys.binary_search_by(|(f, v)| (f, v.as_str()).cmp(&(field, value.as_str()))).is_err() {
                if let Some(values) = self.postings.get_mut(field.0) {
                    values.remove(value, doc);
                }
            }
        }
        for (field, value) in &after.keys {
            if let Some(values) = self.postings.get_mut(field.0) {
                values.add(value, doc);
            }
        }
        for field in after.untyped {
            if !self.untyped.contains(&field) {
                self.untyped.push(field);
            }
        }
        self.read.forget_doc(doc);
    }

    /// The documents whose qualified name is `qualified_name` or below it (`qualified_name/…`).
    pub(super) fn at_or_under(&self, qualified_name: &str) -> Vec<Doc> {
        let Some(values) = self.postings.get(QUALIFIED_NAME.0) else { return Vec::new() };
        let below = format!("{qualified_name}/");
        union(values.get(qualified_name).map(Vec::as_slice).into_iter().chain(values.with_prefix(&below)))
    }

    /// Forgets every `read` decision (the access config or the tag names changed).
    pub(super) fn forget_decisions(&mut self) {
        self.read = ReadDecisions::default();
    }

    /// The `read` decisions of `user` (fetch once per search).
    pub(super) fn decisions(&self, user: &str) -> UserDecisions {
        self.read.of(user, self.len())
    }

    /// What the index can say of `query`: candidates from the clauses every match satisfies, and
    /// whether they are exactly the matches (a conjunction of clauses all answered exactly).
    pub(super) fn plan<'a>(&'a self, query: &Query) -> Plan<'a> {
        let mut lists: Vec<Cow<'a, [Doc]>> = Vec::new();
        let mut exact = conjunction(query);
        for leaf in query.required_leaves() {
            match self.leaf(leaf) {
                Some(docs) => lists.push(docs),
                None => exact = false,
            }
        }
        Plan { docs: intersect_all(lists), exact }
    }

    /// The documents matching one leaf clause, when the index knows them exactly.
    fn leaf<'a>(&'a self, query: &Query) -> Option<Cow<'a, [Doc]>> {
        match query {
            Query::MatchAll => None,
            Query::Term { field, value, case_insensitive: false } => self.terms(search::base_field(field), std::slice::from_ref(value)),
            Query::Terms { field, values } => self.terms(search::base_field(field), values),
            Query::Prefix { field, value, case_insensitive: false } => {
                Some(Cow::Owned(union(self.values_of(search::base_field(field))?.with_prefix(value))))
            }
            Query::Range { field, bounds } if search::base_field(field) == field::TIMESTAMP => Some(Cow::Owned(self.created_within(bounds))),
            _ => None,
        }
    }

    fn values_of(&self, name: &str) -> Option<&Values> {
        let field = Field::named(name)?;
        if self.untyped.contains(&field) {
            return None;
        }
        self.postings.get(field.0)
    }

    fn terms<'a>(&'a self, name: &str, values: &[Scalar]) -> Option<Cow<'a, [Doc]>> {
        let texts: Vec<&str> = values
            .iter()
            .map(|v| match v {
                Scalar::Str(s) => Some(s.as_str()),
                // A keyword field also matches a number or boolean by its text: not a lookup.
                Scalar::Num(_) | Scalar::Bool(_) => None,
            })
            .collect::<Option<_>>()?;
        if name == field::GUID {
            let mut docs: Vec<Doc> = texts.iter().filter_map(|g| self.numbers.get(*g).copied()).collect();
            docs.sort_unstable();
            docs.dedup();
            return Some(Cow::Owned(docs));
        }
        let values = self.values_of(name)?;
        let mut lists = texts.iter().filter_map(|t| values.get(t)).map(Vec::as_slice);
        match (lists.next(), lists.next()) {
            (None, _) => Some(Cow::Owned(Vec::new())),
            (Some(one), None) => Some(Cow::Borrowed(one)),
            (Some(a), Some(b)) => Some(Cow::Owned(union([a, b].into_iter().chain(lists)))),
        }
    }

    /// The documents created within `bounds` (compared as core's `range` compares numbers).
    fn created_within(&self, bounds: &RangeBounds) -> Vec<Doc> {
        let number = |bound: &Option<Scalar>| -> Option<Option<f64>> {
            bound.as_ref().map(|b| match b {
                Scalar::Num(n) => Some(*n),
                Scalar::Str(s) => s.trim().parse::<f64>().ok(),
                Scalar::Bool(_) => None,
            })
        };
        let (Some(gt), Some(gte), Some(lt), Some(lte)) =
            (none_is_open(number(&bounds.gt)), none_is_open(number(&bounds.gte)), none_is_open(number(&bounds.lt)), none_is_open(number(&bounds.lte)))
        else {
            // A bound that is not a number matches nothing.
            return Vec::new();
        };
        #[allow(clippy::cast_precision_loss)] // epoch ms fit f64 exactly, as the query sees them
        let as_f64 = |t: i64| t as f64;
        let above = |t: i64| gt.is_none_or(|b| as_f64(t) > b) && gte.is_none_or(|b| as_f64(t) >= b);
        let below = |t: i64| lt.is_none_or(|b| as_f64(t) < b) && lte.is_none_or(|b| as_f64(t) <= b);
        let start = self.by_created.partition_point(|(t, _)| !above(*t));
        let end = self.by_created.partition_point(|(t, _)| below(*t)).max(start);
        let mut docs: Vec<Doc> = self.by_created.get(start..end).unwrap_or_default().iter().map(|(_, d)| *d).collect();
        docs.sort_unstable();
        docs
    }
}

/// `Some(None)` for an absent bound, `Some(Some(b))` for a number, `None` for a bound that is
/// not a number.
fn none_is_open(bound: Option<Option<f64>>) -> Option<Option<f64>> {
    match bound {
        None => Some(None),
        Some(Some(b)) => Some(Some(b)),
        Some(None) => None,
    }
}

/// Whether `query` is only a conjunction of clauses (no `must_not`, no `should`): then its
/// matches are the intersection of its leaves' matches.
fn conjunction(query: &Query) -> bool {
    match query {
        Query::Bool(b) => b.must_not.is_empty() && b.should.is_empty() && b.filter.iter().chain(&b.must).all(conjunction),
        _ => true,
    }
}

/// The union of sorted lists, sorted.
fn union<'a>(lists: impl IntoIterator<Item = &'a [Doc]>) -> Vec<Doc> {
    let lists: Vec<&[Doc]> = lists.into_iter().collect();
    if lists.len() > 16 {
        // Many small lists (a prefix over qualified names): sort once.
        let mut all: Vec<Doc> = lists.concat();
        all.sort_unstable();
        all.dedup();
        return all;
    }
    lists.into_iter().fold(Vec::new(), |acc, list| merge(&acc, list))
}

fn merge(a: &[Doc], b: &[Doc]) -> Vec<Doc> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (a.iter().peekable(), b.iter().peekable());
    loop {
        match (i.peek(), j.peek()) {
            (Some(&&x), Some(&&y)) => {
                if x <= y {
                    out.push(x);
                    i.next();
                    if x == y {
                        j.next();
                    }
                } else {
                    out.push(y);
                    j.next();
                }
            }
            (Some(_), None) => {
                out.extend(i);
                break;
            }
            (None, Some(_)) => {
                out.extend(j);
                break;
            }
            (None, None) => break,
        }
    }
    out
}

/// The intersection of sorted lists, smallest first; `None` (every document) when there are none.
pub(super) fn intersect_all(mut lists: Vec<Cow<'_, [Doc]>>) -> Option<Cow<'_, [Doc]>> {
    lists.sort_by_key(|l| l.len());
    let mut lists = lists.into_iter();
    let mut result = lists.next()?;
    for list in lists {
        if result.is_empty() {
            break;
        }
        result = Cow::Owned(intersect(&result, &list));
    }
    Some(result)
}

fn intersect(small: &[Doc], large: &[Doc]) -> Vec<Doc> {
    let mut out = Vec::with_capacity(small.len());
    if small.len().saturating_mul(16) < large.len() {
        // Far fewer on one side: look each up.
        let mut rest = large;
        for &doc in small {
            let at = rest.partition_point(|&d| d < doc);
            rest = rest.get(at..).unwrap_or_default();
            if rest.first() == Some(&doc) {
                out.push(doc);
            }
        }
        return out;
    }
    let (mut i, mut j) = (small.iter().peekable(), large.iter().peekable());
    while let (Some(&&x), Some(&&y)) = (i.peek(), j.peek()) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => {
                i.next();
            }
            std::cmp::Ordering::Greater => {
                j.next();
            }
            std::cmp::Ordering::Equal => {
                out.push(x);
                i.next();
                j.next();
            }
        }
    }
    out
}

const UNKNOWN: u8 = 0;
const ALLOWED: u8 = 1;
const DENIED: u8 = 2;

/// One user's cached `read` decisions, one slot per document. Searches share them under the
/// catalog's read lock (two searches may decide the same document twice, with the same answer);
/// they are forgotten under its write lock.
#[derive(Clone)]
pub(super) struct UserDecisions(Arc<[AtomicU8]>);

impl UserDecisions {
    /// Whether the document is readable, decided by `decide` the first time only.
    pub(super) fn allows(&self, doc: Doc, decide: impl FnOnce() -> bool) -> bool {
        let Some(slot) = self.0.get(doc as usize) else { return decide() };
        match slot.load(Ordering::Relaxed) {
            ALLOWED => true,
            DENIED => false,
            _ => {
                let allowed = decide();
                slot.store(if allowed { ALLOWED } else { DENIED }, Ordering::Relaxed);
                allowed
            }
        }
    }
}

/// Every user's cached `read` decisions.
#[derive(Default)]
struct ReadDecisions {
    users: RwLock<HashMap<String, UserDecisions>>,
}

impl ReadDecisions {
    fn of(&self, user: &str, docs: usize) -> UserDecisions {
        if let Some(found) = self.users.read().unwrap_or_else(PoisonError::into_inner).get(user) {
            return found.clone();
        }
        let mut users = self.users.write().unwrap_or_else(PoisonError::into_inner);
        users.entry(user.to_owned()).or_insert_with(|| UserDecisions((0..docs).map(|_| AtomicU8::new(UNKNOWN)).collect())).clone()
    }

    fn forget_doc(&mut self, doc: Doc) {
        let users = self.users.get_mut().unwrap_or_else(PoisonError::into_inner);
        for decisions in users.values() {
            if let Some(slot) = decisions.0.get(doc as usize) {
                slot.store(UNKNOWN, Ordering::Relaxed);
            }
        }
    }
}

/// A copy of the catalog starts with no decisions.
impl Clone for ReadDecisions {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl fmt::Debug for ReadDecisions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let users = self.users.read().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("ReadDecisions").field("users", &users).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_and_intersections_of_sorted_lists() {
        assert_eq!(union([&[1, 4, 9][..], &[2, 4, 10][..], &[][..]]), [1, 2, 4, 9, 10]);
        let many: Vec<Vec<Doc>> = (0..40).rev().map(|i| vec![i, i + 1]).collect();
        assert_eq!(union(many.iter().map(Vec::as_slice)), (0..=40).collect::<Vec<_>>());
        assert_eq!(intersect(&[2, 5, 7], &[1, 2, 3, 5, 8]), [2, 5]);
        let large: Vec<Doc> = (0..1000).map(|i| i * 2).collect();
        assert_eq!(intersect(&[3, 4, 998, 1998, 2001], &large), [4, 998, 1998]);
        let lists = vec![Cow::Owned(vec![1, 2, 3, 4]), Cow::Borrowed(&[2, 4, 6][..]), Cow::Owned(vec![0, 4])];
        assert_eq!(intersect_all(lists).unwrap().as_ref(), [4]);
        assert!(intersect_all(Vec::new()).is_none());
    }
}
