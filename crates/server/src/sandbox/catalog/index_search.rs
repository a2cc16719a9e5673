//! `POST indexsearch` over the stored assets: the search index ([`super::index`]) gives the
//! candidates in guid order (the matches themselves when it answers every clause), core
//! evaluates whatever the index left open, the user's cached `read` decisions keep the hits they
//! may read, then the hits are sorted, paged and turned into headers (custom metadata flattened
//! as `<setId>.<attrId>`).

use std::cmp::Ordering;

use axum::http::StatusCode;
use serde_json::Value;
use steward_core::access::MetadataAction;
use steward_core::catalog::error::codes;
use steward_core::catalog::search::{
    self, field, FieldValue, IndexSearchRequest, IndexSearchResponse, SearchDocument, SortField, SortOrder,
};

use super::index::{intersect_all, Doc, Plan};
use super::store::{entity_header, ApiError, Catalog, StoredEntity};

/// Searches may not page past this many hits (the SDKs switch to timestamp ranges before).
pub const MAX_RESULT_WINDOW: u64 = 100_000;

/// Super types by type name, as `__superTypeNames` indexes them.
fn super_types(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "Database" | "Schema" | "Table" | "View" | "MaterialisedView" | "Column" => &["SQL", "Catalog", "Asset", "Referenceable"],
        "Persona" | "Purpose" => &["AccessControl", "Asset", "Referenceable"],
        _ => &["Asset", "Referenceable"],
    }
}

/// A sort key the index orders by without reading the assets.
#[derive(Debug, Clone, Copy)]
enum IndexedSort {
    Guid(SortOrder),
    Created(SortOrder),
}

impl Catalog {
    /// `POST indexsearch`: hits the user may read, sorted and paged.
    pub fn search(&self, user: &str, request: &IndexSearchRequest) -> Result<IndexSearchResponse, ApiError> {
        self.search_using(user, request, true)
    }

    /// [`Catalog::search`], through the index or by evaluating the query on every asset and
    /// deciding every hit afresh (the reference the index is tested against).
    fn search_using(&self, user: &str, request: &IndexSearchRequest, use_index: bool) -> Result<IndexSearchResponse, ApiError> {
        let dsl = &request.dsl;
        if dsl.from.saturating_add(dsl.size) > MAX_RESULT_WINDOW {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                codes::INVALID_SEARCH,
                format!("Result window is too large, from + size must be less than or equal to {MAX_RESULT_WINDOW}; page by __timestamp ranges instead"),
            ));
        }
        let from = usize::try_from(dsl.from).unwrap_or(usize::MAX);
        let size = usize::try_from(dsl.size).unwrap_or(usize::MAX);
        let (total, page) = if use_index {
            let mut hits = self.indexed_hits(user, request);
            self.order_up_to(&mut hits, &dsl.sort, from.saturating_add(size));
            let page: Vec<&StoredEntity> =
                hits.iter().skip(from).take(size).filter_map(|doc| self.index.guid(*doc).and_then(|g| self.entities.get(g))).collect();
            (hits.len(), page)
        } else {
            let hits = self.scanned_hits(user, request);
            (hits.len(), hits.into_iter().skip(from).take(size).collect())
        };
        let page = page.into_iter().map(|e| entity_header(e, &request.attributes, request.exclude_classifications)).collect();
        Ok(IndexSearchResponse::page(total as u64, page))
    }

    /// Every asset the query (and post filter) matches and the user may read, sorted: the
    /// naive way.
    fn scanned_hits(&self, user: &str, request: &IndexSearchRequest) -> Vec<&StoredEntity> {
        let dsl = &request.dsl;
        let mut hits: Vec<&StoredEntity> = self
            .entities
            .values()
            .filter(|e| {
                let doc = Indexed { entity: e };
                dsl.query.matches(&doc) && dsl.post_filter.as_ref().is_none_or(|f| f.matches(&doc))
            })
            .filter(|e| self.authorize(user, MetadataAction::Read, e).is_ok())
            .collect();
        if !is_guid_order(&dsl.sort) {
            hits.sort_by(|a, b| search::compare_documents(&dsl.sort, &Indexed { entity: a }, &Indexed { entity: b }));
        }
        hits
    }

    /// The same hits through the index, as document numbers: candidates from the postings
    /// (already in guid order), the query evaluated only where the index could not answer it,
    /// `read` decided once per asset and user; sorted unless the index sorts them (by guid or
    /// creation time: see [`Catalog::search_using`]).
    fn indexed_hits(&self, user: &str, request: &IndexSearchRequest) -> Vec<Doc> {
        let dsl = &request.dsl;
        let Plan { docs, exact } = match &dsl.post_filter {
            None => self.index.plan(&dsl.query),
            Some(filter) => {
                let (query, filter) = (self.index.plan(&dsl.query), self.index.plan(filter));
                let docs = intersect_all(query.docs.into_iter().chain(filter.docs).collect());
                Plan { docs, exact: query.exact && filter.exact }
            }
        };
        let entity = |doc: Doc| self.index.guid(doc).and_then(|g| self.entities.get(g));
        let decisions = self.index.decisions(user);
        let keep = |doc: &Doc| {
            let doc = *doc;
            let evaluated = if exact {
                None
            } else {
                let Some(e) = entity(doc) else { return false };
                let indexed = Indexed { entity: e };
                if !(dsl.query.matches(&indexed) && dsl.post_filter.as_ref().is_none_or(|f| f.matches(&indexed))) {
                    return false;
                }
                Some(e)
            };
            decisions.allows(doc, || evaluated.or_else(|| entity(doc)).is_some_and(|e| self.allows(user, MetadataAction::Read, e)))
        };
        let all = Doc::try_from(self.index.len()).unwrap_or(Doc::MAX);
        let hits: Vec<Doc> = match &docs {
            Some(list) => list.iter().filter(|d| keep(d)).copied().collect(),
            None => (0..all).filter(keep).collect(),
        };
        if dsl.sort.iter().all(|key| indexed_sort(key).is_some()) {
            return hits;
        }
        // Stable: ties stay in guid order, as in the full scan.
        let mut found: Vec<(Doc, &StoredEntity)> = hits.into_iter().filter_map(|doc| entity(doc).map(|e| (doc, e))).collect();
        found.sort_by(|(_, a), (_, b)| search::compare_documents(&dsl.sort, &Indexed { entity: a }, &Indexed { entity: b }));
        found.into_iter().map(|(doc, _)| doc).collect()
    }

    /// Puts the first `end` hits in the order of a sort the index knows (by guid or creation
    /// time), ties in guid order as the full scan's stable sort leaves them; the hits after the
    /// page only need to come after it.
    fn order_up_to(&self, hits: &mut [Doc], sort: &[SortField], end: usize) {
        if is_guid_order(sort) {
            return;
        }
        let Some(keys) = sort.iter().map(indexed_sort).collect::<Option<Vec<_>>>() else { return };
        let order = |a: &Doc, b: &Doc| keys.iter().map(|key| self.compare_indexed(*key, *a, *b)).find(|o| o.is_ne()).unwrap_or_else(|| a.cmp(b));
        let end = end.min(hits.len());
        if end > 0 && end < hits.len() {
            hits.select_nth_unstable_by(end - 1, order);
        }
        if let Some(head) = hits.get_mut(..end) {
            head.sort_unstable_by(order);
        }
    }

    fn compare_indexed(&self, key: IndexedSort, a: Doc, b: Doc) -> Ordering {
        let (order, ordering) = match key {
            IndexedSort::Guid(order) => (order, a.cmp(&b)),
            IndexedSort::Created(order) => (order, self.index.created(a).cmp(&self.index.created(b))),
        };
        match order {
            SortOrder::Asc => ordering,
            SortOrder::Desc => ordering.reverse(),
        }
    }
}

/// Whether hits in guid order are already sorted (the default and the usual paging sort).
fn is_guid_order(sort: &[SortField]) -> bool {
    sort.is_empty() || sort == [SortField::guid()]
}

fn indexed_sort(key: &SortField) -> Option<IndexedSort> {
    match search::base_field(&key.field) {
        field::GUID => Some(IndexedSort::Guid(key.order)),
        field::TIMESTAMP => Some(IndexedSort::Created(key.order)),
        _ => None,
    }
}

/// An asset as the index sees it.
struct Indexed<'a> {
    entity: &'a StoredEntity,
}

impl SearchDocument for Indexed<'_> {
    fn any_value(&self, name: &str, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
        let e = self.entity;
        match name {
            field::TYPE_NAME => visit(FieldValue::Str(&e.type_name)),
            field::SUPER_TYPE_NAMES => super_types(&e.type_name).iter().any(|s| visit(FieldValue::Str(s))),
            field::STATE => visit(FieldValue::Str(e.status.as_str())),
            field::GUID => visit(FieldValue::Str(&e.guid)),
            field::TRAIT_NAMES => e.tags.iter().any(|t| visit(FieldValue::Str(&t.type_name))),
            field::PROPAGATED_TRAIT_NAMES => e.propagated.iter().any(|t| visit(FieldValue::Str(&t.type_name))),
            "__classificationNames" => e.tags.iter().chain(&e.propagated).any(|t| visit(FieldValue::Str(&t.type_name))),
            #[allow(clippy::cast_precision_loss)] // epoch ms fit f64 exactly
            field::TIMESTAMP => visit(FieldValue::Num(e.create_time as f64)),
            #[allow(clippy::cast_precision_loss)]
            field::MODIFICATION_TIMESTAMP => visit(FieldValue::Num(e.update_time as f64)),
            field::CREATED_BY => visit(FieldValue::Str(&e.created_by)),
            field::MODIFIED_BY => visit(FieldValue::Str(&e.updated_by)),
            other => match e.attributes.get(other) {
                Some(value) => visit_json(value, visit),
                None => other.split_once('.').is_some_and(|(set, attribute)| {
                    e.business_attributes.get(set).and_then(|v| v.get(attribute)).is_some_and(|v| visit_json(v, visit))
                }),
            },
        }
    }
}

fn visit_json(value: &Value, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
    match value {
        Value::String(s) => visit(FieldValue::Str(s)),
        Value::Number(n) => n.as_f64().is_some_and(|n| visit(FieldValue::Num(n))),
        Value::Bool(b) => visit(FieldValue::Bool(*b)),
        Value::Array(items) => items.iter().any(|v| visit_json(v, visit)),
        Value::Null | Value::Object(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::catalog::demo::{self, DemoOptions};
    use serde_json::json;
    use steward_core::catalog::entity::{BulkOptions, BulkRequest};
    use steward_core::catalog::typedefs::TypeDefs;

    const SF: &str = "default/snowflake/1700000000";
    const USERS: [&str; 5] = [
        "sandbox-admin",
        "service-account-apikey-integration",
        "sandbox-guest",
        "service-account-apikey-restricted",
        "service-account-apikey-unconfigured",
    ];
    const PII: &str = "cTrLMeBjKNeRV7HzBSL11u";
    const FINANCE: &str = "f8RbN2xQp0LcV6tYh3JwEa";
    const SENSITIVE: &str = "Zt5mH1dPq7WsK9cXa2VnLb";

    fn demo_catalog() -> Catalog {
        Catalog::from_state(demo::state(DemoOptions::default()).unwrap()).unwrap()
    }

    fn schemas() -> Vec<String> {
        ["SALES_DB/SALES", "SALES_DB/MARKETING", "SALES_DB/STAGING", "FINANCE_DB/LEDGER", "FINANCE_DB/PAYMENTS", "FINANCE_DB/HR", "NOPE_DB/NOPE"]
            .iter()
            .map(|s| format!("{SF}/{s}"))
            .collect()
    }

    /// Queries of every shape the index answers, or answers in part, or leaves to core.
    fn queries(catalog: &Catalog) -> Vec<Value> {
        let guids: Vec<String> = catalog.entities().step_by(97).map(|e| e.guid.clone()).collect();
        let sync_types = json!({"terms": {"__typeName.keyword": ["Table", "View", "MaterialisedView", "Column"]}});
        vec![
            json!({"term": {"qualifiedName": format!("{SF}/SALES_DB/SALES/ORDERS")}}),
            json!({"terms": {"qualifiedName": [format!("{SF}/SALES_DB/SALES/ORDERS"), format!("{SF}/SALES_DB/SALES/NOPE"), format!("{SF}/SALES_DB")]}}),
            json!({"term": {"__guid": guids[1]}}),
            json!({"terms": {"__guid": [guids[3], guids[2], "no-such-guid", guids[3]]}}),
            json!({"bool": {"filter": [{"term": {"__typeName.keyword": "Column"}}, {"term": {"schemaQualifiedName": format!("{SF}/SALES_DB/MARKETING")}}]}}),
            json!({"bool": {"filter": [{"term": {"tableQualifiedName": format!("{SF}/SALES_DB/SALES/CUSTOMERS")}}], "must_not": [{"term": {"name": "EMAIL"}}]}}),
            json!({"bool": {"filter": [{"prefix": {"qualifiedName": format!("{SF}/FINANCE_DB/")}}, {"terms": {"__propagatedTraitNames": [FINANCE]}}]}}),
            json!({"bool": {"must": [{"prefix": {"qualifiedName": format!("{SF}/SALES_DB/SALES/ORD")}}, {"term": {"connectionQualifiedName": SF}}]}}),
            json!({"bool": {"filter": [{"term": {"databaseQualifiedName": format!("{SF}/FINANCE_DB")}}, {"term": {"__typeName.keyword": "Schema"}}]}}),
            json!({"term": {"qualifiedName": {"value": format!("{SF}/sales_db"), "case_insensitive": true}}}),
            json!({"bool": {"should": [{"term": {"qualifiedName": format!("{SF}/SALES_DB")}}, {"term": {"__typeName.keyword": "Database"}}]}}),
            json!({"bool": {"filter": [{"exists": {"field": "announcementType"}}], "should": [{"term": {"name": "ORDERS"}}], "minimum_should_match": 1}}),
            json!({"match_all": {}}),
            json!({"bool": {}}),
            // What a sync sends: its tables, views and columns by schema; the schemas; existence.
            json!({"bool": {"filter": [sync_types, {"terms": {"schemaQualifiedName": schemas()}}, {"term": {"__state": "ACTIVE"}}]}}),
            json!({"bool": {"filter": [{"terms": {"__typeName.keyword": ["Schema"]}}, {"term": {"connectionQualifiedName": SF}}, {"term": {"__state": "ACTIVE"}}]}}),
            json!({"bool": {"filter": [{"terms": {"qualifiedName": schemas()}}]}}),
            json!({"bool": {"filter": [sync_types, {"term": {"__state": "ACTIVE"}}, {"range": {"__timestamp": {"gte": 1_700_000_200_000_i64, "lt": 1_700_000_900_000_i64}}}]}}),
            json!({"range": {"__timestamp": {"gt": "1700000500000"}}}),
            json!({"range": {"__timestamp": {"lte": true}}}),
            json!({"range": {"__modificationTimestamp": {"gte": 1_700_000_500_000_i64}}}),
            json!({"term": {"__state": "DELETED"}}),
            json!({"terms": {"__typeName.keyword": []}}),
            json!({"terms": {"__typeName.keyword": ["Persona", "Purpose", "AuthPolicy"]}}),
            json!({"terms": {"__traitNames": [PII, SENSITIVE]}}),
            json!({"bool": {"filter": [{"prefix": {"schemaQualifiedName": format!("{SF}/SALES_DB/")}}, {"term": {"name.keyword": "EMAIL"}}]}}),
            json!({"terms": {"connectorName": ["postgres", "5"]}}),
            json!({"terms": {"name": [5, "ORDERS"]}}),
            json!({"bool": {"filter": [{"term": {"__superTypeNames.keyword": "SQL"}}, {"prefix": {"name": "CUST"}}]}}),
        ]
    }

    /// Sorts: the paging sort, none, by creation time (how a client pages past the result
    /// window), descending, and sorts the index leaves to core.
    fn sorts() -> Vec<Value> {
        vec![
            json!([{"__guid": {"order": "asc"}}]),
            json!([]),
            json!([{"__timestamp": {"order": "asc"}}, {"__guid": {"order": "asc"}}]),
            json!([{"__timestamp": "desc"}]),
            json!([{"__guid": {"order": "desc"}}]),
            json!(["name.keyword", {"__guid": {"order": "asc"}}]),
            json!([{"__modificationTimestamp": {"order": "desc"}}]),
        ]
    }

    /// Differential check: the index answers every query, sort, page and post filter as the
    /// full scan does, for every demo user.
    fn assert_index_agrees(catalog: &Catalog, when: &str) {
        let post_filters = [None, Some(json!({"term": {"__typeName.keyword": "Column"}})), Some(json!({"bool": {"must_not": {"term": {"name": "ID"}}}}))];
        for (i, query) in queries(catalog).iter().enumerate() {
            for user in USERS {
                let sorts = sorts();
                let sort = &sorts[i % sorts.len()];
                let post_filter = &post_filters[i % post_filters.len()];
                let pages: &[(u64, u64)] = if i % 3 == 0 { &[(0, 5000), (7, 13)] } else { &[(0, 5000)] };
                for &(from, size) in pages {
                    let mut dsl = json!({"from": from, "size": size, "query": query, "sort": sort, "track_total_hits": true});
                    if let Some(filter) = post_filter {
                        dsl["post_filter"] = filter.clone();
                    }
                    let request: IndexSearchRequest = serde_json::from_value(json!({"dsl": dsl, "attributes": ["name", "connectorName"]})).unwrap();
                    let indexed = catalog.search_using(user, &request, true).unwrap();
                    let scanned = catalog.search_using(user, &request, false).unwrap();
                    assert_eq!(indexed, scanned, "{when}: {user}: {dsl}");
                }
            }
        }
        // Every sort on the sync's query.
        let sync = &queries(catalog)[14];
        for sort in sorts() {
            let request: IndexSearchRequest =
                serde_json::from_value(json!({"dsl": {"from": 3, "size": 400, "query": sync, "sort": sort}, "attributes": ["name"]})).unwrap();
            for user in USERS {
                assert_eq!(catalog.search_using(user, &request, true).unwrap(), catalog.search_using(user, &request, false).unwrap(), "{when}: {user}: {sort}");
            }
        }
    }

    fn bulk(catalog: &mut Catalog, user: &str, options: &str, entities: Value) {
        let options = BulkOptions::from_pairs(options.split('&').filter_map(|p| p.split_once('=')));
        let request: BulkRequest = serde_json::from_value(json!({"entities": entities})).unwrap();
        catalog.bulk(user, options, request, 1_800_000_000_000).unwrap();
    }

    fn hits(catalog: &Catalog, user: &str, query: Value) -> u64 {
        let request: IndexSearchRequest = serde_json::from_value(json!({"dsl": {"size": 1, "query": query}})).unwrap();
        catalog.search(user, &request).unwrap().approximate_count
    }

    /// Differential test: the index (postings and cached decisions) never changes an answer.
    #[test]
    fn indexed_search_agrees_with_a_full_scan() {
        assert_index_agrees(&demo_catalog(), "demo");
    }

    /// The same after every kind of write, with the decisions cached before each: tags (and
    /// their propagation) that an access policy reads, indexed attributes, a value that is not
    /// text, a new asset, new tag definitions, a new policy.
    #[test]
    fn indexed_search_agrees_with_a_full_scan_after_writes() {
        let mut catalog = demo_catalog();
        let integration = "service-account-apikey-integration";
        let orders = format!("{SF}/SALES_DB/SALES/ORDERS");
        let under_orders = json!({"bool": {"should": [{"term": {"qualifiedName": orders}}, {"prefix": {"qualifiedName": format!("{orders}/")}}]}});
        assert_index_agrees(&catalog, "before");
        let seen = hits(&catalog, integration, under_orders.clone());
        assert!(seen > 1);

        // A purpose that hides `Sensitive` assets from the integration.
        bulk(&mut catalog, "sandbox-admin", "", json!([{"typeName": "Purpose", "guid": "-1", "attributes": {"qualifiedName": "Hide sensitive",
            "name": "Hide sensitive", "purposeClassifications": [SENSITIVE], "isAccessControlEnabled": true}}]));
        let purpose = catalog.entities().find(|e| e.type_name == "Purpose" && e.name() == "Hide sensitive").unwrap().guid.clone();
        bulk(&mut catalog, "sandbox-admin", "", json!([{"typeName": "AuthPolicy", "attributes": {"qualifiedName": "no read", "name": "no read",
            "policyCategory": "purpose", "policySubCategory": "metadata", "policyType": "deny", "policyActions": ["entity-read"],
            "policyResources": [format!("tag:{SENSITIVE}")], "policyUsers": [integration], "policyGroups": [],
            "accessControl": {"typeName": "Purpose", "guid": purpose}}}]));
        assert_index_agrees(&catalog, "new purpose");
        assert_eq!(hits(&catalog, integration, under_orders.clone()), seen);

        // Tagging the table hides it and, by propagation, its columns.
        let tag = |add: bool| {
            let key = if add { "addOrUpdateClassifications" } else { "removeClassifications" };
            json!([{"typeName": "Table", "attributes": {"qualifiedName": orders, "name": "ORDERS"}, key: [{"typeName": SENSITIVE, "propagate": true}]}])
        };
        bulk(&mut catalog, "sandbox-admin", "appendTags=true", tag(true));
        assert_eq!(hits(&catalog, integration, under_orders.clone()), 0);
        assert_index_agrees(&catalog, "tagged");
        bulk(&mut catalog, "sandbox-admin", "appendTags=true", tag(false));
        assert_eq!(hits(&catalog, integration, under_orders.clone()), seen);
        assert_index_agrees(&catalog, "untagged");

        // Indexed attributes change; a number where text was.
        let email = format!("{SF}/SALES_DB/SALES/CUSTOMERS/EMAIL");
        bulk(&mut catalog, "sandbox-admin", "", json!([
            {"typeName": "Column", "attributes": {"qualifiedName": email, "name": "EMAIL", "schemaQualifiedName": format!("{SF}/SALES_DB/MARKETING")}},
            {"typeName": "Table", "attributes": {"qualifiedName": format!("{SF}/SALES_DB/SALES/RETURNS"), "name": "RETURNS", "connectorName": 5}},
        ]));
        assert_eq!(hits(&catalog, "sandbox-admin", json!({"terms": {"connectorName": ["5"]}})), 1);
        assert_index_agrees(&catalog, "attributes");

        // A new asset renumbers every document.
        bulk(&mut catalog, "sandbox-admin", "appendTags=true", json!([{"typeName": "Table", "attributes": {"qualifiedName": format!("{SF}/SALES_DB/SALES/BRAND_NEW"),
            "name": "BRAND_NEW", "schemaQualifiedName": format!("{SF}/SALES_DB/SALES")}, "addOrUpdateClassifications": [{"typeName": PII}]}]));
        assert_eq!(hits(&catalog, integration, json!({"term": {"qualifiedName": format!("{SF}/SALES_DB/SALES/BRAND_NEW")}})), 1);
        assert_index_agrees(&catalog, "created");

        // New tag definitions are read by name.
        let defs: TypeDefs = serde_json::from_value(json!({"classificationDefs": [{"name": "Restricted", "displayName": "Restricted"}]})).unwrap();
        catalog.create_typedefs("sandbox-admin", defs).unwrap();
        assert_index_agrees(&catalog, "typedefs");
    }

    #[test]
    fn propagation_comes_from_the_nearest_ancestor_and_skips_direct_tags() {
        let catalog = demo_catalog();
        let card = catalog.entity_by_qualified_name("default/snowflake/1700000000/FINANCE_DB/PAYMENTS/CARDS/CARD_NUMBER").unwrap();
        let schema = catalog.entity_by_qualified_name("default/snowflake/1700000000/FINANCE_DB/PAYMENTS").unwrap();
        assert_eq!(card.propagated.len(), 1);
        assert_eq!(card.propagated[0].entity_guid.as_deref(), Some(schema.guid.as_str()));
        let orders_old_column = catalog.entity_by_qualified_name("default/snowflake/1700000000/SALES_DB/SALES/ORDERS_OLD/AMOUNT").unwrap();
        assert!(orders_old_column.propagated.is_empty(), "Deprecated does not propagate");
    }
}
