//! [`map_assets`]: the rules of the module doc applied level by level — datastores, then the
//! containers of each mapped datastore, then the fields of each mapped container — each level
//! choosing per local asset (`Mapper::pick`) and then settling sibling claims on one catalog
//! asset (`Mapper::settle`).

use smallvec::SmallVec;

use super::index::{CatalogIndex, Entry, Kind, Parent};
use super::names::strip_identifier_quotes;
use super::{
    AmbiguousAsset, CatalogAsset, Level, LocalRef, MappedAsset, MappingOptions, MappingReport, UnmappedCatalog,
    UnmappedLocal,
};
use crate::access::index::FxHashMap;
use crate::sync::inventory::{AssetId, Container, Datastore, Inventory};

/// Maps the local inventory onto the catalog (see the module doc for the rules).
pub fn map_assets(inventory: &Inventory, catalog: &[CatalogAsset], options: &MappingOptions) -> MappingReport {
    let index = CatalogIndex::build(catalog);
    let mut mapper = Mapper {
        index: &index,
        options,
        report: MappingReport::default(),
        mapped: vec![false; index.entries().len()],
        notes: FxHashMap::default(),
        mapped_schemas: FxHashMap::default(),
        mapped_containers: FxHashMap::default(),
    };
    mapper.map_datastores(inventory);
    mapper.list_unmapped_catalog(inventory);
    mapper.report
}

/// A catalog entry with its number in the index.
#[derive(Clone, Copy)]
struct Candidate<'i, 'a> {
    number: usize,
    entry: &'i Entry<'a>,
}

impl<'a> Candidate<'_, 'a> {
    fn qualified_name(&self) -> &'a str {
        self.entry.asset.qualified_name.as_str()
    }
}

/// Candidates of one local asset: nearly always one, kept on the stack.
type Candidates<'i, 'a> = SmallVec<[Candidate<'i, 'a>; 2]>;

/// The best candidates of one local asset.
enum Pick<'i, 'a> {
    /// One best candidate; `passed_over` are case-insensitive ones an exact match beat.
    One { candidate: Candidate<'i, 'a>, exact: bool, passed_over: Candidates<'i, 'a> },
    /// Two or more equally good ones.
    Tie { candidates: Vec<Candidate<'i, 'a>>, exact: bool },
    /// No active candidate, but this soft-deleted one.
    Deleted(Candidate<'i, 'a>),
    /// Nothing at all.
    Nothing,
}

/// What one local asset gets.
enum Choice<'i, 'a> {
    Mapped { candidate: Candidate<'i, 'a>, exact: bool },
    Ambiguous { candidates: Vec<Candidate<'i, 'a>>, reason: String },
    Unmapped { reason: String },
}

/// What was recorded, for the children.
enum Recorded<'i, 'a> {
    Mapped(Candidate<'i, 'a>),
    Ambiguous,
    Unmapped,
}

/// The connections one datastore looks in.
#[derive(Clone, Copy)]
enum Scope<'o> {
    /// Those named in the options.
    Named(&'o [String]),
    /// Those of this connector.
    Connector(&'o str),
    /// All of them (the datastore names no connector).
    Every,
}

impl Scope<'_> {
    fn admits(self, connection: &str) -> bool {
        match self {
            Self::Named(names) => names.iter().any(|n| n == connection),
            Self::Connector(connector) => connector_of(connection).is_some_and(|c| c.eq_ignore_ascii_case(connector)),
            Self::Every => true,
        }
    }
}

/// The 2nd segment of `default/<connector>/<epoch>`.
fn connector_of(connection: &str) -> Option<&str> {
    connection.split('/').nth(1)
}

struct Mapper<'i, 'a> {
    index: &'i CatalogIndex<'a>,
    options: &'i MappingOptions,
    report: MappingReport,
    /// Whether some local asset maps to entry `n`.
    mapped: Vec<bool>,
    /// Why an entry some local asset considered is not mapped (the first reason found).
    notes: FxHashMap<usize, String>,
    /// Mapped schema qualified name → the datastore's local path.
    mapped_schemas: FxHashMap<&'a str, String>,
    /// Mapped table-like qualified name → the container's local path.
    mapped_containers: FxHashMap<&'a str, String>,
}

impl<'i, 'a> Mapper<'i, 'a> {
    // --- Datastores ↔ schemas -------------------------------------------------------------

    fn map_datastores(&mut self, inventory: &Inventory) {
        let stores = &inventory.datastores;
        let paths: Vec<String> = stores.iter().map(datastore_path).collect();
        let mut choices: Vec<Choice<'i, 'a>> =
            stores.iter().zip(&paths).map(|(store, path)| self.choose_schema(store, path)).collect();
        self.settle(&mut choices, &paths);
        for (d, ((store, path), choice)) in stores.iter().zip(paths).zip(choices).enumerate() {
            let local = LocalRef { datastore: d, container: None, field: None };
            match self.record(local, &store.id, Level::Datastore, path.clone(), choice) {
                Recorded::Mapped(schema) => {
                    self.mapped_schemas.insert(schema.qualified_name(), path.clone());
                    self.map_containers(d, store, &path, schema.qualified_name());
                }
                Recorded::Ambiguous => {
                    self.unmapped_below_datastore(d, store, &path, &format!("its datastore {path} is ambiguous"))
                }
                Recorded::Unmapped => {
                    self.unmapped_below_datastore(d, store, &path, &format!("its datastore {path} is not mapped"))
                }
            }
        }
    }

    fn choose_schema(&mut self, store: &Datastore, path: &str) -> Choice<'i, 'a> {
        let Some((database, schema)) = store.database_and_schema() else {
            return Choice::Unmapped {
                reason: format!("datastore {path} has no database and schema, and its name is not DATABASE.SCHEMA"),
            };
        };
        let scope = scope_of(self.options, store);
        let (database_exact, schema_exact) = (strip_identifier_quotes(database), strip_identifier_quotes(schema));
        let pick = self.pick(
            self.index.schemas_named(database, schema),
            |entry| scope.admits(entry.parent),
            |entry| entry.database == database_exact && entry.segment == schema_exact,
        );
        let wanted = format!("{database_exact}.{schema_exact}");
        let index = self.index;
        self.resolve(pick, Level::Datastore, path, path, "", || no_schema_reason(index, &wanted, scope))
    }

    // --- Containers ↔ tables, views, materialised views --------------------------------------

    fn map_containers(&mut self, d: usize, store: &Datastore, store_path: &str, schema: &'a str) {
        let parent = Parent::new(schema);
        let paths: Vec<String> = store.containers.iter().map(|c| format!("{store_path}.{}", c.name)).collect();
        let mut choices: Vec<Choice<'i, 'a>> = store
            .containers
            .iter()
            .zip(&paths)
            .map(|(container, path)| {
                let exact = strip_identifier_quotes(&container.name);
                let pick =
                    self.pick(self.index.containers_named(&parent, &container.name), |_| true, |e| e.segment == exact);
                let reason = || format!("no table or view {exact} in schema {schema}");
                self.resolve(pick, Level::Container, path, &container.name, store_path, reason)
            })
            .collect();
        self.settle(&mut choices, &paths);
        for (c, ((container, path), choice)) in store.containers.iter().zip(paths).zip(choices).enumerate() {
            let local = LocalRef { datastore: d, container: Some(c), field: None };
            match self.record(local, &container.id, Level::Container, path.clone(), choice) {
                Recorded::Mapped(table) => {
                    self.mapped_containers.insert(table.qualified_name(), path.clone());
                    self.map_fields(local, container, &path, table);
                }
                Recorded::Ambiguous => {
                    self.unmapped_fields(local, container, &path, &format!("its container {path} is ambiguous"))
                }
                Recorded::Unmapped => {
                    self.unmapped_fields(local, container, &path, &format!("its container {path} is not mapped"))
                }
            }
        }
    }

    // --- Fields ↔ columns ------------------------------------------------------------------

    fn map_fields(
        &mut self,
        container_ref: LocalRef,
        container: &Container,
        container_path: &str,
        table: Candidate<'i, 'a>,
    ) {
        let table_name = table.qualified_name();
        let parent = Parent::new(table_name);
        let paths: Vec<String> = container.fields.iter().map(|f| format!("{container_path}.{}", f.name)).collect();
        let mut choices: Vec<Choice<'i, 'a>> = container
            .fields
            .iter()
            .zip(&paths)
            .map(|(field, path)| {
                let exact = strip_identifier_quotes(&field.name);
                let pick = self.pick(self.index.columns_named(&parent, &field.name), |_| true, |e| e.segment == exact);
                let reason = || format!("no column {exact} in {} {table_name}", table.entry.type_words());
                self.resolve(pick, Level::Field, path, &field.name, container_path, reason)
            })
            .collect();
        self.settle(&mut choices, &paths);
        for (f, ((field, path), choice)) in container.fields.iter().zip(paths).zip(choices).enumerate() {
            let local = LocalRef { field: Some(f), ..container_ref };
            self.record(local, &field.id, Level::Field, path, choice);
        }
    }

    // --- One local asset's candidates ------------------------------------------------------

    /// The best of `numbers`: only `admit`ted, active entries count; an exact-case one wins;
    /// equally good ones tie.
    fn pick(
        &self,
        numbers: &[usize],
        admit: impl Fn(&Entry<'a>) -> bool,
        is_exact: impl Fn(&Entry<'a>) -> bool,
    ) -> Pick<'i, 'a> {
        let index = self.index;
        let mut active = Candidates::new();
        let mut deleted = None;
        for &number in numbers {
            let Some(entry) = index.entry_at(number) else { continue };
            if !admit(entry) {
                continue;
            }
            let candidate = Candidate { number, entry };
            if entry.asset.is_active() {
                active.push(candidate);
            } else if deleted.is_none() {
                deleted = Some(candidate);
            }
        }
        let (exact, inexact): (Candidates<'i, 'a>, Candidates<'i, 'a>) =
            active.into_iter().partition(|c| is_exact(c.entry));
        match (exact.as_slice(), inexact.as_slice()) {
            ([one], _) => Pick::One { candidate: *one, exact: true, passed_over: inexact },
            ([], []) => deleted.map_or(Pick::Nothing, Pick::Deleted),
            ([], [one]) => Pick::One { candidate: *one, exact: false, passed_over: Candidates::new() },
            ([], _) => Pick::Tie { candidates: inexact.into_vec(), exact: false },
            _ => Pick::Tie { candidates: exact.into_vec(), exact: true },
        }
    }

    /// Turns a pick into a choice with its reason. `name` is the local name as the tool spells
    /// it, `place` the local parent's path (unused for datastores, whose place is a connection).
    fn resolve(
        &mut self,
        pick: Pick<'i, 'a>,
        level: Level,
        path: &str,
        name: &str,
        place: &str,
        nothing: impl FnOnce() -> String,
    ) -> Choice<'i, 'a> {
        match pick {
            Pick::One { candidate, exact, passed_over } => {
                for other in passed_over {
                    self.note(other.number, || {
                        format!(
                            "{} {path} maps to the exact-case {} instead",
                            level.as_str(),
                            candidate.entry.display_name()
                        )
                    });
                }
                Choice::Mapped { candidate, exact }
            }
            Pick::Tie { mut candidates, exact } => {
                sort_by_name(&mut candidates);
                let reason = tie_reason(name, &candidates, exact, place);
                for candidate in &candidates {
                    self.note(candidate.number, || {
                        format!(
                            "it is one of {} equally good candidates of the ambiguous {} {path}",
                            candidates.len(),
                            level.as_str()
                        )
                    });
                }
                Choice::Ambiguous { candidates, reason }
            }
            Pick::Deleted(candidate) => Choice::Unmapped {
                reason: format!(
                    "only a soft-deleted {} matches ({})",
                    candidate.entry.type_words(),
                    candidate.qualified_name()
                ),
            },
            Pick::Nothing => Choice::Unmapped { reason: nothing() },
        }
    }

    /// Siblings that picked the same catalog asset: one exact-case claim keeps it and the
    /// others lose it; equally good claims are all ambiguous.
    fn settle(&mut self, choices: &mut [Choice<'i, 'a>], paths: &[String]) {
        let mut claims: Vec<(usize, usize, bool)> = choices
            .iter()
            .enumerate()
            .filter_map(|(i, choice)| match choice {
                Choice::Mapped { candidate, exact } => Some((candidate.number, i, *exact)),
                _ => None,
            })
            .collect();
        claims.sort_unstable();
        for group in claims.chunk_by(|a, b| a.0 == b.0) {
            let [(_, first, _), _, ..] = group else { continue };
            let Some(Choice::Mapped { candidate, .. }) = choices.get(*first) else { continue };
            let candidate = *candidate;
            let qualified_name = candidate.qualified_name();
            let path_of = |i: usize| paths.get(i).map_or("", String::as_str);
            let exact: Vec<usize> = group.iter().filter(|c| c.2).map(|c| c.1).collect();
            let mut settled: Vec<(usize, Choice<'i, 'a>)> = Vec::new();
            if let [winner] = exact.as_slice() {
                let lost = format!(
                    "its only match {qualified_name} is taken by {}, which matches it exactly",
                    path_of(*winner)
                );
                settled.extend(group.iter().filter(|c| !c.2).map(|c| (c.1, Choice::Unmapped { reason: lost.clone() })));
            } else {
                // No single exact claim: the best claims (exact ones, else all) tie.
                let tied: Vec<&str> = group.iter().filter(|c| exact.is_empty() || c.2).map(|c| path_of(c.1)).collect();
                let names = join_words(&tied, 5);
                let how = match (exact.is_empty(), tied.len()) {
                    (false, _) => "exactly",
                    (true, 2) => "case-insensitively and neither exactly",
                    (true, _) => "case-insensitively and none exactly",
                };
                let all = if tied.len() == 2 { "both" } else { "all" };
                let tie = format!("{names} {all} match {qualified_name} {how}");
                let lost = format!("its only match {qualified_name} is matched exactly by {names}");
                self.note(candidate.number, || format!("{names} match it equally, so none is mapped"));
                for &(_, i, is_exact) in group {
                    let choice = if exact.is_empty() || is_exact {
                        Choice::Ambiguous { candidates: vec![candidate], reason: tie.clone() }
                    } else {
                        Choice::Unmapped { reason: lost.clone() }
                    };
                    settled.push((i, choice));
                }
            }
            for (i, choice) in settled {
                if let Some(slot) = choices.get_mut(i) {
                    *slot = choice;
                }
            }
        }
    }

    fn note(&mut self, number: usize, reason: impl FnOnce() -> String) {
        self.notes.entry(number).or_insert_with(reason);
    }

    // --- The report ------------------------------------------------------------------------

    fn record(
        &mut self,
        local: LocalRef,
        id: &AssetId,
        level: Level,
        local_path: String,
        choice: Choice<'i, 'a>,
    ) -> Recorded<'i, 'a> {
        let local_id = id.clone();
        match choice {
            Choice::Mapped { candidate, exact } => {
                if let Some(mapped) = self.mapped.get_mut(candidate.number) {
                    *mapped = true;
                }
                let asset = candidate.entry.asset;
                self.report.mapped.push(MappedAsset {
                    local,
                    local_id,
                    level,
                    local_path,
                    guid: asset.guid.clone(),
                    type_name: asset.type_name.clone(),
                    qualified_name: asset.qualified_name.clone(),
                    name: asset.name.clone(),
                    exact_case: exact,
                });
                Recorded::Mapped(candidate)
            }
            Choice::Ambiguous { candidates, reason } => {
                let candidates = candidates.iter().map(|c| c.qualified_name().to_owned()).collect();
                self.report.ambiguous.push(AmbiguousAsset { local, local_id, level, local_path, candidates, reason });
                Recorded::Ambiguous
            }
            Choice::Unmapped { reason } => {
                self.report.unmapped_local.push(UnmappedLocal { local, local_id, level, local_path, reason });
                Recorded::Unmapped
            }
        }
    }

    fn unmapped_below_datastore(&mut self, d: usize, store: &Datastore, store_path: &str, reason: &str) {
        for (c, container) in store.containers.iter().enumerate() {
            let local = LocalRef { datastore: d, container: Some(c), field: None };
            let path = format!("{store_path}.{}", container.name);
            self.report.unmapped_local.push(UnmappedLocal {
                local,
                local_id: container.id.clone(),
                level: Level::Container,
                local_path: path.clone(),
                reason: reason.to_owned(),
            });
            self.unmapped_fields(local, container, &path, reason);
        }
    }

    fn unmapped_fields(&mut self, container_ref: LocalRef, container: &Container, container_path: &str, reason: &str) {
        for (f, field) in container.fields.iter().enumerate() {
            self.report.unmapped_local.push(UnmappedLocal {
                local: LocalRef { field: Some(f), ..container_ref },
                local_id: field.id.clone(),
                level: Level::Field,
                local_path: format!("{container_path}.{}", field.name),
                reason: reason.to_owned(),
            });
        }
    }

    /// Active schemas of the connections looked in, and active tables and columns under mapped
    /// parents, that no local asset maps to; sorted by qualified name.
    fn list_unmapped_catalog(&mut self, inventory: &Inventory) {
        let scopes = self.considered_scopes(inventory);
        let index = self.index;
        let mut unmapped: Vec<Candidate<'i, 'a>> = Vec::new();
        for (number, entry) in index.entries().iter().enumerate() {
            let candidate = Candidate { number, entry };
            let Some(reason) = self.unmapped_reason(candidate, &scopes) else { continue };
            // A reason noted while mapping wins; the notes then hold every reason.
            self.note(number, || reason);
            unmapped.push(candidate);
        }
        sort_by_name(&mut unmapped);
        self.report.unmapped_catalog = unmapped
            .into_iter()
            .map(|candidate| {
                let asset = candidate.entry.asset;
                UnmappedCatalog {
                    guid: asset.guid.clone(),
                    type_name: asset.type_name.clone(),
                    qualified_name: asset.qualified_name.clone(),
                    reason: self.notes.remove(&candidate.number).unwrap_or_default(),
                }
            })
            .collect();
    }

    /// Why an entry is an unmapped catalog asset; `None` when it is mapped, deleted, or not
    /// where mapping looked.
    fn unmapped_reason(&self, candidate: Candidate<'i, 'a>, scopes: &[Scope<'_>]) -> Option<String> {
        let (number, entry) = (candidate.number, candidate.entry);
        if !entry.asset.is_active() || self.mapped.get(number).copied().unwrap_or(false) {
            return None;
        }
        let reason = match entry.kind {
            Kind::Schema if scopes.iter().any(|s| s.admits(entry.parent)) => {
                format!("no local datastore matches schema {}", entry.display_name())
            }
            Kind::Container => {
                let store = self.mapped_schemas.get(entry.parent)?;
                format!("no container of datastore {store} matches {} {}", entry.type_words(), entry.segment)
            }
            Kind::Column => {
                let container = self.mapped_containers.get(entry.parent)?;
                format!("no field of container {container} matches column {}", entry.segment)
            }
            Kind::Schema => return None,
        };
        Some(reason)
    }

    /// The distinct scopes the datastores looked in.
    fn considered_scopes(&self, inventory: &'i Inventory) -> Vec<Scope<'i>> {
        if !self.options.connections.is_empty() {
            return vec![Scope::Named(&self.options.connections)];
        }
        let mut connectors: Vec<&str> = Vec::new();
        for store in &inventory.datastores {
            match store.connector() {
                None => return vec![Scope::Every],
                Some(c) if !connectors.iter().any(|k| k.eq_ignore_ascii_case(c)) => connectors.push(c),
                Some(_) => {}
            }
        }
        connectors.into_iter().map(Scope::Connector).collect()
    }
}

/// The connections `store` looks in.
fn scope_of<'s>(options: &'s MappingOptions, store: &'s Datastore) -> Scope<'s> {
    if !options.connections.is_empty() {
        return Scope::Named(&options.connections);
    }
    store.connector().map_or(Scope::Every, Scope::Connector)
}

/// Why no schema `wanted` was found in the connections of `scope`.
fn no_schema_reason(index: &CatalogIndex<'_>, wanted: &str, scope: Scope<'_>) -> String {
    let connections: Vec<&str> = match scope {
        Scope::Named(names) => names.iter().map(String::as_str).collect(),
        Scope::Connector(_) | Scope::Every => index.connections().filter(|c| scope.admits(c)).collect(),
    };
    match (scope, connections.as_slice()) {
        (Scope::Connector(connector), []) => {
            format!("no schema {wanted}: the catalog has no connection with connector {connector}")
        }
        (_, []) => format!("no schema {wanted}: the catalog has no connection"),
        (_, [one]) => format!("no schema {wanted} in connection {one}"),
        (_, many) => format!("no schema {wanted} in connections {}", join_words(many, 3)),
    }
}

/// `DATABASE.SCHEMA` as the tool spells it (the name when it has neither).
fn datastore_path(store: &Datastore) -> String {
    store.database_and_schema().map_or_else(|| store.name.clone(), |(database, schema)| format!("{database}.{schema}"))
}

/// Sorts by qualified name, then guid. Ties and the unmapped catalog assets share it: each sort
/// the module carries costs about 3 KB gzipped.
fn sort_by_name(candidates: &mut [Candidate<'_, '_>]) {
    candidates.sort_by(|a, b| {
        let (a, b) = (a.entry.asset, b.entry.asset);
        a.qualified_name.cmp(&b.qualified_name).then_with(|| a.guid.cmp(&b.guid))
    });
}

/// Why `name` is ambiguous between `candidates` (sorted, at least two).
fn tie_reason(name: &str, candidates: &[Candidate<'_, '_>], exact: bool, place: &str) -> String {
    let how = match (exact, candidates.len()) {
        (true, _) => "exactly",
        (false, 2) => "case-insensitively and neither exactly",
        (false, _) => "case-insensitively and none exactly",
    };
    let qualified_names: Vec<&str> = candidates.iter().map(Candidate::qualified_name).collect();
    if qualified_names.windows(2).all(|w| matches!(w, [a, b] if a == b)) {
        let one = qualified_names.first().copied().unwrap_or_default();
        return format!("{name} matches {} active catalog assets with the same qualified name {one}", candidates.len());
    }
    let parents: Vec<&str> = candidates.iter().map(|c| c.entry.parent).collect();
    let one_parent = parents.windows(2).all(|w| matches!(w, [a, b] if a == b));
    let schemas = candidates.iter().all(|c| c.entry.kind == Kind::Schema);
    if schemas && !one_parent {
        return format!(
            "{name} matches {} {how}; name one connection in the mapping options to choose",
            join_words(&qualified_names, 5)
        );
    }
    let place = if schemas { parents.first().copied().unwrap_or_default() } else { place };
    let mut names: Vec<String> = candidates.iter().map(|c| c.entry.display_name()).collect();
    names.dedup();
    if names.len() < candidates.len() {
        names = qualified_names.iter().map(|q| (*q).to_owned()).collect();
    }
    format!("{name} matches {} in {place} {how}", join_words(&names, 5))
}

/// `A`, `A and B`, `A, B and C`; past `max` items, `A, B, C and 4 more`.
fn join_words<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let shown: Vec<&str> = items.iter().take(max).map(AsRef::as_ref).collect();
    let rest = items.len().saturating_sub(max);
    if rest > 0 {
        return format!("{} and {rest} more", shown.join(", "));
    }
    match shown.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        Some((last, _)) => (*last).to_owned(),
        None => String::new(),
    }
}
