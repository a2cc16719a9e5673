//! The index-search endpoint: its path, the request body (`dsl`, attributes to return) and the
//! response (one page of hits and the total).

use serde::{Deserialize, Serialize};

use super::query::Query;
use super::sort::{read_sort, SortField};
use crate::catalog::entity::EntityHeader;

/// Path of the index-search endpoint.
pub const PATH: &str = "/api/meta/search/indexsearch";

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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalog::search::test_doc::column;

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
