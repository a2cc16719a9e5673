//! `POST /api/meta/search/indexsearch`: the request, the query subset (bool, term, terms, prefix,
//! exists, range, match_all), sorting, the response, and a pure evaluator of the query over any
//! document that exposes index fields ([`SearchDocument`]).
//!
//! Where things live:
//! - `request` — the endpoint's path, request (`dsl`, attributes) and response (one page);
//! - `query` — the query DSL as typed values, read from and written back to its JSON form;
//! - `evaluation` — whether a document matches a query, as the catalog's index answers it;
//! - `sort` — sort keys and the order they put documents in.
//!
//! The index fields and `.keyword` stripping below are shared by all four.

mod evaluation;
mod query;
mod request;
mod sort;

pub use evaluation::{FieldValue, SearchDocument};
pub use query::{BoolQuery, MinimumShouldMatch, Query, QueryError, RangeBounds, Scalar};
pub use request::{Dsl, IndexSearchRequest, IndexSearchResponse, PATH};
pub use sort::{compare_documents, SortField, SortOrder};

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

/// The document the unit tests of each part search.
#[cfg(test)]
mod test_doc {
    use std::collections::BTreeMap;

    use serde_json::{json, Value};

    use super::{FieldValue, SearchDocument};

    /// A document with fixed field values.
    pub(super) struct Doc(pub(super) BTreeMap<&'static str, Vec<Value>>);

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

    pub(super) fn column() -> Doc {
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
}
