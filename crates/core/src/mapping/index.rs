//! The catalog indexed once for mapping: every schema, table-like asset and column with its
//! parent path taken from its qualified name, in hash tables keyed by (parent path, name
//! compared case-insensitively) so that each local asset finds its candidates in constant time.
//! Keys are hashed and compared in place (no lower-cased copies): mapping runs on tens of
//! thousands of assets in WebAssembly, where every allocation shows.

use std::collections::{BTreeSet, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use hashbrown::HashTable;
use smallvec::{smallvec, SmallVec};

use super::asset::CatalogAsset;
use super::names::{eq_folded, hash_folded, strip_identifier_quotes};
use crate::access::index::FxHasher;
use crate::access::qualified_name::connection_of;

/// What a catalog asset can map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `Schema` ↔ datastore.
    Schema,
    /// `Table`, `View`, `MaterialisedView` ↔ container.
    Container,
    /// `Column` ↔ field.
    Column,
}

impl Kind {
    fn of(type_name: &str) -> Option<Self> {
        match type_name {
            "Schema" => Some(Self::Schema),
            "Table" | "View" | "MaterialisedView" => Some(Self::Container),
            "Column" => Some(Self::Column),
            _ => None,
        }
    }
}

/// One catalog asset that mapping can use, with its path taken apart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub asset: &'a CatalogAsset,
    pub kind: Kind,
    /// The parent's qualified name: the connection of a schema, the schema of a table-like
    /// asset, the table-like asset of a column.
    pub parent: &'a str,
    /// A schema's database segment, quotes stripped (empty for other kinds).
    pub database: &'a str,
    /// The last path segment, quotes stripped.
    pub segment: &'a str,
}

impl Entry<'_> {
    /// How a person names it in a reason: `DB.SCHEMA` for a schema, else the last segment.
    pub fn display_name(&self) -> String {
        match self.kind {
            Kind::Schema => format!("{}.{}", self.database, self.segment),
            Kind::Container | Kind::Column => self.segment.to_owned(),
        }
    }

    /// The type in words, for reasons: `schema`, `table`, `materialised view`, …
    pub fn type_words(&self) -> &'static str {
        match self.asset.type_name.as_str() {
            "Schema" => "schema",
            "Table" => "table",
            "View" => "view",
            "MaterialisedView" => "materialised view",
            "Column" => "column",
            _ => "asset",
        }
    }
}

/// The catalog, indexed (see the module doc). Candidate lists hold entry numbers in catalog
/// order, active and deleted alike: the caller needs the deleted ones to explain a miss.
pub(crate) struct CatalogIndex<'a> {
    entries: Vec<Entry<'a>>,
    /// (database, schema) → schemas in every connection.
    schemas: Buckets,
    /// (schema qualified name, name) → tables, views and materialised views.
    containers: Buckets,
    /// (table-like qualified name, name) → columns.
    columns: Buckets,
    /// Every connection some asset lives in, sorted.
    connections: BTreeSet<&'a str>,
}

impl<'a> CatalogIndex<'a> {
    /// Indexes `catalog`. A guid seen twice (offset paging can repeat a hit) counts once, the
    /// first time; a schema whose path is not `<connection>/<DB>/<SCHEMA>` is left out.
    pub fn build(catalog: &'a [CatalogAsset]) -> Self {
        let mut index = Self {
            entries: Vec::with_capacity(catalog.len()),
            schemas: Buckets::default(),
            containers: Buckets::default(),
            columns: Buckets::default(),
            connections: BTreeSet::new(),
        };
        let mut seen: HashSet<&str, BuildHasherDefault<FxHasher>> = HashSet::default();
        seen.reserve(catalog.len());
        // Children usually come together: hash their parent's path once.
        let mut last_parent = Parent::new("");
        for asset in catalog {
            if !seen.insert(asset.guid.as_str()) {
                continue;
            }
            if let Some(connection) = connection_of(&asset.qualified_name) {
                index.connections.insert(connection);
            }
            let Some(kind) = Kind::of(&asset.type_name) else { continue };
            let Some(entry) = Self::entry(asset, kind) else { continue };
            let number = index.entries.len();
            if entry.parent != last_parent.path {
                last_parent = Parent::new(entry.parent);
            }
            let entries = &index.entries;
            match kind {
                Kind::Schema => index.schemas.insert(schema_hash(entry.database, entry.segment), number, |m| {
                    is_schema(entries, m, entry.database, entry.segment)
                }),
                Kind::Container => index.containers.insert(last_parent.hash(entry.segment), number, |m| {
                    is_child(entries, m, entry.parent, entry.segment)
                }),
                Kind::Column => index.columns.insert(last_parent.hash(entry.segment), number, |m| {
                    is_child(entries, m, entry.parent, entry.segment)
                }),
            }
            index.entries.push(entry);
        }
        index
    }

    fn entry(asset: &'a CatalogAsset, kind: Kind) -> Option<Entry<'a>> {
        let qualified_name = asset.qualified_name.as_str();
        match kind {
            Kind::Schema => {
                let connection = connection_of(qualified_name)?;
                let rest = qualified_name.strip_prefix(connection)?.strip_prefix('/')?;
                let (database, schema) = rest.split_once('/')?;
                if database.is_empty() || schema.is_empty() || schema.contains('/') {
                    return None;
                }
                Some(Entry {
                    asset,
                    kind,
                    parent: connection,
                    database: strip_identifier_quotes(database),
                    segment: strip_identifier_quotes(schema),
                })
            }
            Kind::Container | Kind::Column => {
                let (parent, last) = qualified_name.rsplit_once('/')?;
                if parent.is_empty() || last.is_empty() {
                    return None;
                }
                Some(Entry { asset, kind, parent, database: "", segment: strip_identifier_quotes(last) })
            }
        }
    }

    /// The entries, numbered as candidate lists number them.
    pub fn entries(&self) -> &[Entry<'a>] {
        &self.entries
    }

    /// Entry `number` (always present for numbers this index handed out).
    pub fn entry_at(&self, number: usize) -> Option<&Entry<'a>> {
        self.entries.get(number)
    }

    /// Schemas named `database.schema` case-insensitively (quotes stripped), in every
    /// connection.
    pub fn schemas_named(&self, database: &str, schema: &str) -> &[usize] {
        let (database, schema) = (strip_identifier_quotes(database), strip_identifier_quotes(schema));
        self.schemas.get(schema_hash(database, schema), |m| is_schema(&self.entries, m, database, schema))
    }

    /// Table-like assets directly in `schema` named `name` case-insensitively (quotes
    /// stripped).
    pub fn containers_named(&self, schema: &Parent<'_>, name: &str) -> &[usize] {
        let name = strip_identifier_quotes(name);
        self.containers.get(schema.hash(name), |m| is_child(&self.entries, m, schema.path, name))
    }

    /// Columns of `container` named `name` case-insensitively (quotes stripped).
    pub fn columns_named(&self, container: &Parent<'_>, name: &str) -> &[usize] {
        let name = strip_identifier_quotes(name);
        self.columns.get(container.hash(name), |m| is_child(&self.entries, m, container.path, name))
    }

    /// Every connection some catalog asset lives in, sorted.
    pub fn connections(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.connections.iter().copied()
    }
}

fn schema_hash(database: &str, schema: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hash_folded(&mut hasher, database);
    hash_folded(&mut hasher, schema);
    hasher.finish()
}

/// A parent's qualified name, hashed once for all its children's lookups.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parent<'p> {
    path: &'p str,
    hasher: FxHasher,
}

impl<'p> Parent<'p> {
    /// The parent at `path`.
    pub fn new(path: &'p str) -> Self {
        let mut hasher = FxHasher::default();
        hasher.write(path.as_bytes());
        Self { path, hasher }
    }

    /// The hash of the key (this parent, `name`).
    fn hash(&self, name: &str) -> u64 {
        let mut hasher = self.hasher;
        hash_folded(&mut hasher, name);
        hasher.finish()
    }
}

fn is_schema(entries: &[Entry<'_>], number: usize, database: &str, schema: &str) -> bool {
    entries.get(number).is_some_and(|e| eq_folded(e.database, database) && eq_folded(e.segment, schema))
}

fn is_child(entries: &[Entry<'_>], number: usize, parent: &str, name: &str) -> bool {
    entries.get(number).is_some_and(|e| e.parent == parent && eq_folded(e.segment, name))
}

/// Entry numbers grouped by key. The table holds only the key's hash and the numbers; a key is
/// compared through its first member (`same_key`).
#[derive(Default)]
struct Buckets {
    table: HashTable<Bucket>,
}

struct Bucket {
    hash: u64,
    members: SmallVec<[usize; 1]>,
}

impl Buckets {
    fn insert(&mut self, hash: u64, number: usize, same_key: impl Fn(usize) -> bool) {
        let found = self.table.find_mut(hash, |b| b.hash == hash && b.members.first().is_some_and(|&m| same_key(m)));
        match found {
            Some(bucket) => bucket.members.push(number),
            None => {
                self.table.insert_unique(hash, Bucket { hash, members: smallvec![number] }, |b| b.hash);
            }
        }
    }

    fn get(&self, hash: u64, same_key: impl Fn(usize) -> bool) -> &[usize] {
        self.table
            .find(hash, |b| b.hash == hash && b.members.first().is_some_and(|&m| same_key(m)))
            .map_or(&[], |b| b.members.as_slice())
    }
}
