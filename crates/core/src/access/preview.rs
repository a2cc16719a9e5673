//! "What would this user see in this table": the `query` decision per column, and the column's
//! values under the winning mask. A denied `query` returns no values at all (not masked values).

use serde::{Deserialize, Serialize};

use super::decision::{Decision, PolicyRef, Reason};
use super::request::{Asset, Request, RequestError};
use crate::masking::{self, MaskOptions, MaskType};

/// `{user, asset, columns: [{name, tags, values}]}`: the table and its columns' values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewRequest {
    /// Username.
    pub user: String,
    /// The table (or view) the columns belong to.
    pub asset: Asset,
    /// Its columns, with their values.
    pub columns: Vec<PreviewColumn>,
}

/// One column of a preview request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewColumn {
    /// Column name; the column's qualified name is the table's plus `/<name>`.
    pub name: String,
    /// The column's own tags (table tags do not cascade to columns).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The values (`null` is SQL null; numbers and booleans are read as their JSON text).
    #[serde(default, deserialize_with = "deserialize_values")]
    pub values: Vec<Option<String>>,
}

fn deserialize_values<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Option<String>>, D::Error> {
    let values = Vec::<serde_json::Value>::deserialize(deserializer)?;
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| match value {
            // Numbers and booleans as their canonical text, exactly as `mask` reads them.
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                Err(serde::de::Error::custom(format!("values[{i}]: expected a string, number, boolean or null")))
            }
            scalar => Ok(masking::canonical_text(&scalar)),
        })
        .collect()
}

/// The preview: `{columns: [...]}` in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// One entry per requested column.
    pub columns: Vec<PreviewedColumn>,
}

/// One column of a preview: `{name, allowed, mask, reason, decidedBy?, maskedBy?, values}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewedColumn {
    /// Column name.
    pub name: String,
    /// Whether the user may query the column.
    pub allowed: bool,
    /// The mask applied (`null` for none).
    pub mask: Option<MaskType>,
    /// Why the column is (not) visible: the `query` decision's reason.
    pub reason: Reason,
    /// The policy that decided, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<PolicyRef>,
    /// The policy whose mask won, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_by: Option<PolicyRef>,
    /// The masked values, or `null` when the user may not query the column.
    pub values: Option<Vec<Option<String>>>,
}

/// Builds the preview with any `decide` function (the compiled engine or the reference).
///
/// The table itself is decided first: when `query` on the table is denied, every column is
/// withheld with the table's reason. Otherwise each column is decided as a `Column` asset below
/// the table, carrying only its own tags (purposes match by the column's tags, personas by
/// resource).
pub fn preview_table<F>(decide: F, request: &PreviewRequest, options: &MaskOptions) -> Result<Preview, RequestError>
where
    F: Fn(&Request) -> Result<Decision, RequestError>,
{
    let table = decide(&Request { user: request.user.clone(), action: "query".to_owned(), asset: request.asset.clone() })?;
    let mut columns = Vec::with_capacity(request.columns.len());
    for (i, column) in request.columns.iter().enumerate() {
        let decision = if table.allowed {
            let qualified_name = format!("{}/{}", request.asset.qualified_name, column.name);
            let qualified_name = super::qualified_name::QualifiedName::parse(&qualified_name).map_err(|e| {
                RequestError::Malformed { location: format!("columns[{i}].name"), message: e.to_string() }
            })?;
            let asset = Asset { qualified_name, type_name: "Column".to_owned(), tags: column.tags.clone(), glossary: None };
            decide(&Request { user: request.user.clone(), action: "query".to_owned(), asset })?
        } else {
            table.clone()
        };
        let values = decision.allowed.then(|| match decision.mask {
            // One prepared mask per column (the keyed hash sets up its HMAC once).
            Some(mask) => masking::mask_column(&column.values, mask, options),
            None => column.values.clone(),
        });
        columns.push(PreviewedColumn {
            name: column.name.clone(),
            allowed: decision.allowed,
            mask: decision.mask,
            reason: decision.reason,
            decided_by: decision.decided_by,
            masked_by: decision.masked_by,
            values,
        });
    }
    Ok(Preview { columns })
}
