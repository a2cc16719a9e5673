//! The searches a sync sends (SPEC §5 "Network behaviour"): the catalog's schemas in the chosen
//! connections, then every table, view and column of the mapped schemas — active assets only,
//! sorted by guid for stable offset paging, and by creation time past the index's result window
//! (the way the catalog's SDKs page beyond 100,000 hits).

use crate::catalog::search::{field, IndexSearchRequest, Query, RangeBounds, Scalar, SortField, SortOrder};
use crate::sync::inventory::Inventory;

/// Searches may not page past this many hits (`from + size`).
pub const RESULT_WINDOW: u64 = 100_000;

/// Catalog types a container maps to.
pub const CONTAINER_TYPES: [&str; 3] = ["Table", "View", "MaterialisedView"];

/// Which connections a run reads: the ones named, or every one of the inventory's connectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Connection qualified names.
    Connections(Vec<String>),
    /// Connector names (`snowflake`, …).
    Connectors(Vec<String>),
}

impl Scope {
    /// The scope of a run.
    pub fn of(inventory: &Inventory, connections: &[String]) -> Self {
        if !connections.is_empty() {
            return Self::Connections(connections.to_vec());
        }
        let mut connectors: Vec<String> = inventory.datastores.iter().filter_map(|d| d.connector.clone()).collect();
        connectors.sort();
        connectors.dedup();
        Self::Connectors(connectors)
    }

    fn clause(&self) -> Option<Query> {
        match self {
            Self::Connections(qns) => Some(Query::terms("connectionQualifiedName", qns.iter().map(String::as_str))),
            Self::Connectors(names) if names.is_empty() => None,
            Self::Connectors(names) => Some(Query::terms("connectorName", names.iter().map(String::as_str))),
        }
    }
}

fn active() -> Query {
    Query::term(field::STATE, "ACTIVE")
}

/// The schemas of the scope.
pub fn schemas(scope: &Scope, page_size: u64, attributes: Vec<String>) -> IndexSearchRequest {
    let mut filter = vec![Query::term("__typeName.keyword", "Schema"), active()];
    filter.extend(scope.clause());
    IndexSearchRequest::new(Query::filter(filter), 0, page_size, attributes)
}

/// Tables, views and columns of the given schemas.
pub fn assets_of_schemas(schema_qualified_names: &[String], page_size: u64, attributes: Vec<String>) -> IndexSearchRequest {
    let types = CONTAINER_TYPES.iter().copied().chain(["Column"]);
    let filter = vec![
        Query::terms("__typeName.keyword", types),
        Query::terms("schemaQualifiedName", schema_qualified_names.iter().map(String::as_str)),
        active(),
    ];
    IndexSearchRequest::new(Query::filter(filter), 0, page_size, attributes)
}

/// Every page of `request` that offset paging can reach, given the total the first page
/// reported: the `from` of each page after the first.
pub fn offset_pages(total: u64, page_size: u64) -> Vec<u64> {
    let last = total.min(RESULT_WINDOW);
    let mut froms = Vec::new();
    let mut from = page_size;
    while from < last && from.saturating_add(page_size) <= RESULT_WINDOW {
        froms.push(from);
        from = from.saturating_add(page_size);
    }
    froms
}

/// Whether offset paging can reach every hit.
pub fn fits_window(total: u64, page_size: u64) -> bool {
    total.div_ceil(page_size.max(1)).saturating_mul(page_size) <= RESULT_WINDOW
}

/// The first page of `request` sorted by creation time then guid, for paging past the window.
pub fn by_creation_time(mut request: IndexSearchRequest) -> IndexSearchRequest {
    request.dsl.from = 0;
    request.dsl.sort = vec![SortField { field: field::TIMESTAMP.to_owned(), order: SortOrder::Asc }, SortField::guid()];
    request
}

/// The next page after a page whose last hit was created at `last_created` (epoch ms): every
/// hit created at or after it (the caller drops the guids it already has at that instant).
pub fn created_since(request: &IndexSearchRequest, base_query: &Query, last_created: i64) -> IndexSearchRequest {
    let mut next = request.clone();
    #[allow(clippy::cast_precision_loss)] // epoch ms fit f64 exactly
    let since = Scalar::Num(last_created as f64);
    let range = Query::Range {
        field: field::TIMESTAMP.to_owned(),
        bounds: RangeBounds { gte: Some(since), ..RangeBounds::default() },
    };
    next.dsl.query = Query::filter(vec![base_query.clone(), range]);
    next.dsl.from = 0;
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_pages_stop_at_the_total_and_at_the_window() {
        assert_eq!(offset_pages(900, 300), [300, 600]);
        assert_eq!(offset_pages(901, 300), [300, 600, 900]);
        assert!(offset_pages(250, 300).is_empty());
        let pages = offset_pages(250_000, 300);
        assert_eq!(pages.last().copied(), Some(99_600));
        assert!(fits_window(99_900, 300));
        assert!(!fits_window(100_001, 300));
    }

    #[test]
    fn the_asset_search_names_types_schemas_and_active_state() {
        let request = assets_of_schemas(&["c/DB/S".to_owned()], 300, vec!["name".into()]);
        let json = serde_json::to_value(&request).unwrap();
        let text = json.to_string();
        for needle in ["\"Table\"", "\"MaterialisedView\"", "\"Column\"", "schemaQualifiedName", "\"ACTIVE\"", "__guid"] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }
}
