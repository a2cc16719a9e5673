//! `POST indexsearch` over the stored assets: core evaluates the query; the store narrows the
//! candidates with its qualified-name indexes, keeps the hits the user may read, sorts, pages
//! and builds the headers (custom metadata flattened as `<setId>.<attrId>`).

use axum::http::StatusCode;
use serde_json::Value;
use steward_core::catalog::error::codes;
use steward_core::catalog::search::{
    self, field, FieldValue, IndexSearchRequest, IndexSearchResponse, Query, Scalar, SearchDocument, SortField,
};

use super::store::{entity_header, ApiError, Catalog, StoredEntity};
use crate::sandbox::authorize::Permission;

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

impl Catalog {
    /// `POST indexsearch`: hits the user may read, sorted and paged.
    pub fn search(&self, user: &str, request: &IndexSearchRequest) -> Result<IndexSearchResponse, ApiError> {
        self.search_using(user, request, true)
    }

    /// [`Catalog::search`], with or without narrowing by the indexes (the full scan is the
    /// reference the narrowed search is tested against).
    fn search_using(&self, user: &str, request: &IndexSearchRequest, use_indexes: bool) -> Result<IndexSearchResponse, ApiError> {
        let dsl = &request.dsl;
        if dsl.from.saturating_add(dsl.size) > MAX_RESULT_WINDOW {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                codes::INVALID_SEARCH,
                format!("Result window is too large, from + size must be less than or equal to {MAX_RESULT_WINDOW}; page by __timestamp ranges instead"),
            ));
        }
        let candidates = if use_indexes { self.candidates(&dsl.query) } else { None };
        let scope: Box<dyn Iterator<Item = &StoredEntity>> = match &candidates {
            Some(narrowed) => Box::new(narrowed.iter().copied()),
            None => Box::new(self.entities.values()),
        };
        let mut hits: Vec<&StoredEntity> = scope
            .filter(|e| {
                let doc = Indexed { entity: e };
                dsl.query.matches(&doc) && dsl.post_filter.as_ref().is_none_or(|f| f.matches(&doc))
            })
            .filter(|e| self.authorize(user, Permission::Read, e).is_ok())
            .collect();
        // Storage is in guid order, which is also the default and the usual paging sort.
        let guid_order = dsl.sort.is_empty() || dsl.sort == [SortField::guid()];
        if !guid_order {
            hits.sort_by(|a, b| {
                search::compare_documents(&dsl.sort, &Indexed { entity: a }, &Indexed { entity: b })
            });
        }
        let total = hits.len() as u64;
        let from = usize::try_from(dsl.from).unwrap_or(usize::MAX);
        let size = usize::try_from(dsl.size).unwrap_or(usize::MAX);
        let page = hits
            .into_iter()
            .skip(from)
            .take(size)
            .map(|e| entity_header(e, &request.attributes, request.exclude_classifications))
            .collect();
        Ok(IndexSearchResponse::page(total, page))
    }

    /// The assets a query can match, in guid order, when one of the clauses every match
    /// satisfies names qualified names, guids, a qualified-name prefix or an ancestor
    /// (`schemaQualifiedName` and the like: the denormalised ancestors are prefixes of the
    /// qualified name); `None` means every asset. The whole query is still evaluated on them.
    fn candidates(&self, query: &Query) -> Option<Vec<&StoredEntity>> {
        let mut best: Option<Vec<&StoredEntity>> = None;
        for leaf in query.required_leaves() {
            let narrowed = match leaf {
                Query::Term { field, value, case_insensitive: false } => self.narrow(search::base_field(field), std::slice::from_ref(value)),
                Query::Terms { field, values } => self.narrow(search::base_field(field), values),
                Query::Prefix { field, value, case_insensitive: false } if search::base_field(field) == field::QUALIFIED_NAME => {
                    Some(self.under_prefix(value).collect())
                }
                _ => None,
            };
            if let Some(found) = narrowed {
                if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                    best = Some(found);
                }
            }
        }
        let mut best = best?;
        best.sort_by(|a, b| a.guid.cmp(&b.guid));
        best.dedup_by(|a, b| a.guid == b.guid);
        Some(best)
    }

    fn narrow(&self, field: &str, values: &[Scalar]) -> Option<Vec<&StoredEntity>> {
        let texts = values.iter().filter_map(|v| match v {
            Scalar::Str(s) => Some(s.as_str()),
            _ => None,
        });
        match field {
            field::QUALIFIED_NAME => Some(
                texts.filter_map(|qn| self.by_path.get(qn)).flatten().filter_map(|g| self.entities.get(g)).collect(),
            ),
            field::GUID => Some(texts.filter_map(|g| self.entities.get(g)).collect()),
            "connectionQualifiedName" | "databaseQualifiedName" | "schemaQualifiedName" | "tableQualifiedName" | "viewQualifiedName" => {
                Some(texts.flat_map(|ancestor| self.under_prefix(&format!("{ancestor}/")).collect::<Vec<_>>()).collect())
            }
            _ => None,
        }
    }

    fn under_prefix<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a StoredEntity> + 'a {
        let prefix = prefix.to_owned();
        self.by_path
            .range(prefix.clone()..)
            .take_while(move |(qn, _)| qn.starts_with(prefix.as_str()))
            .flat_map(|(_, guids)| guids)
            .filter_map(|g| self.entities.get(g))
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

    fn demo_catalog() -> Catalog {
        Catalog::from_state(demo::state(DemoOptions::default()).unwrap()).unwrap()
    }

    /// Differential test: narrowing by the qualified-name indexes never changes an answer.
    #[test]
    fn indexed_search_agrees_with_a_full_scan() {
        let catalog = demo_catalog();
        let sf = "default/snowflake/1700000000";
        let some_guid = catalog.entities().nth(7).unwrap().guid.clone();
        let queries = [
            json!({"term": {"qualifiedName": format!("{sf}/SALES_DB/SALES/ORDERS")}}),
            json!({"terms": {"qualifiedName": [format!("{sf}/SALES_DB/SALES/ORDERS"), format!("{sf}/SALES_DB/SALES/NOPE"), format!("{sf}/SALES_DB")]}}),
            json!({"term": {"__guid": some_guid}}),
            json!({"bool": {"filter": [{"term": {"__typeName.keyword": "Column"}}, {"term": {"schemaQualifiedName": format!("{sf}/SALES_DB/MARKETING")}}]}}),
            json!({"bool": {"filter": [{"term": {"tableQualifiedName": format!("{sf}/SALES_DB/SALES/CUSTOMERS")}}], "must_not": [{"term": {"name": "EMAIL"}}]}}),
            json!({"bool": {"filter": [{"prefix": {"qualifiedName": format!("{sf}/FINANCE_DB/")}}, {"terms": {"__propagatedTraitNames": ["f8RbN2xQp0LcV6tYh3JwEa"]}}]}}),
            json!({"bool": {"must": [{"prefix": {"qualifiedName": format!("{sf}/SALES_DB/SALES/ORD")}}, {"term": {"connectionQualifiedName": sf}}]}}),
            json!({"bool": {"filter": [{"term": {"databaseQualifiedName": format!("{sf}/FINANCE_DB")}}, {"term": {"__typeName.keyword": "Schema"}}]}}),
            json!({"term": {"qualifiedName": {"value": format!("{sf}/sales_db"), "case_insensitive": true}}}),
            json!({"bool": {"should": [{"term": {"qualifiedName": format!("{sf}/SALES_DB")}}, {"term": {"__typeName.keyword": "Database"}}]}}),
            json!({"match_all": {}}),
        ];
        for user in ["sandbox-admin", "service-account-apikey-integration", "sandbox-guest"] {
            for query in &queries {
                let request: IndexSearchRequest = serde_json::from_value(json!({"dsl": {"from": 0, "size": 5000, "query": query}, "attributes": ["name"]})).unwrap();
                let indexed = catalog.search_using(user, &request, true).unwrap();
                let scanned = catalog.search_using(user, &request, false).unwrap();
                assert_eq!(indexed, scanned, "{user}: {query}");
            }
        }
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
