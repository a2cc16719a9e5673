//! Hightouch REST API subset: `GET /api/v1/sources|destinations|models|syncs` and
//! `/api/v1/syncs/{id}/runs`, paged with `limit`/`offset`, answering `{data, hasMore}`.

use serde::{Deserialize, Serialize};

use super::policy::{Action, Resource};

/// Prefix of every endpoint (the base URL is `https://api.hightouch.com`).
pub const PREFIX: &str = "/api/v1";
/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: u32 = 100;
/// Largest `limit` accepted.
pub const MAX_LIMIT: u32 = 1000;

/// The list endpoints, each readable with `read` on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListEndpoint {
    /// `/api/v1/sources`.
    Sources,
    /// `/api/v1/destinations`.
    Destinations,
    /// `/api/v1/models`.
    Models,
    /// `/api/v1/syncs`.
    Syncs,
    /// `/api/v1/syncs/{id}/runs`.
    SyncRuns,
}

impl ListEndpoint {
    /// The four top-level lists the key check reads.
    pub const CHECKED: [ListEndpoint; 4] = [Self::Sources, Self::Destinations, Self::Models, Self::Syncs];

    /// The path segment (`sources`, …; `runs` below a sync).
    pub fn segment(self) -> &'static str {
        match self {
            Self::Sources => "sources",
            Self::Destinations => "destinations",
            Self::Models => "models",
            Self::Syncs => "syncs",
            Self::SyncRuns => "runs",
        }
    }

    /// The list path (for runs: of sync `id`).
    pub fn path(self, sync_id: Option<&str>) -> String {
        match (self, sync_id) {
            (Self::SyncRuns, Some(id)) => format!("{PREFIX}/syncs/{id}/runs"),
            (s, _) => format!("{PREFIX}/{}", s.segment()),
        }
    }

    /// The resource a key's role must allow `read` on.
    pub fn resource(self) -> Resource {
        match self {
            Self::Sources => Resource::Source,
            Self::Destinations => Resource::Destination,
            Self::Models => Resource::Model,
            Self::Syncs | Self::SyncRuns => Resource::Sync,
        }
    }

    /// The action a list needs.
    pub fn action(self) -> Action {
        Action::Read
    }
}

/// `limit` and `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParams {
    /// Page size, 1..=[`MAX_LIMIT`].
    pub limit: u32,
    /// Items to skip.
    pub offset: u64,
}

impl Default for PageParams {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, offset: 0 }
    }
}

impl PageParams {
    /// Reads decoded query pairs; a bad value is an error naming the parameter.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, String> {
        let mut params = Self::default();
        for (key, value) in pairs {
            match key {
                "limit" => {
                    params.limit = value
                        .parse()
                        .ok()
                        .filter(|l| (1..=MAX_LIMIT).contains(l))
                        .ok_or_else(|| format!("limit: expected an integer from 1 to {MAX_LIMIT}, got {value:?}"))?;
                }
                "offset" => {
                    params.offset =
                        value.parse().map_err(|_| format!("offset: expected a non-negative integer, got {value:?}"))?;
                }
                _ => {}
            }
        }
        Ok(params)
    }

    /// The query string (without `?`).
    pub fn to_query(self) -> String {
        format!("limit={}&offset={}", self.limit, self.offset)
    }

    /// This page of `items`, with whether more follow.
    pub fn page<T: Clone>(self, items: &[T]) -> Page<T> {
        let start = usize::try_from(self.offset).unwrap_or(usize::MAX).min(items.len());
        let end = start.saturating_add(usize::try_from(self.limit).unwrap_or(usize::MAX)).min(items.len());
        Page { data: items.get(start..end).unwrap_or_default().to_vec(), has_more: end < items.len() }
    }

    /// The parameters of the next page.
    #[must_use]
    pub fn next(self) -> Self {
        Self { limit: self.limit, offset: self.offset.saturating_add(u64::from(self.limit)) }
    }
}

/// `{"data": [...], "hasMore": bool}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// This page's objects.
    pub data: Vec<T>,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
}

/// Hightouch's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub message: String,
}

/// A source (a warehouse or database Hightouch reads from) or a destination (a tool it writes
/// to): the API answers both in this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connector {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Workspace.
    pub workspace_id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Connector type, e.g. `snowflake` for a source, `salesforce` for a destination.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A source (a warehouse or database Hightouch reads from).
pub type Source = Connector;

/// A destination (a tool Hightouch writes to).
pub type Destination = Connector;

/// A model (a query over a source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Workspace.
    pub workspace_id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// The source it queries.
    pub source_id: String,
    /// `raw_sql`, `table`, `dbt`, …
    #[serde(default)]
    pub query_type: String,
    /// Primary key column.
    #[serde(default)]
    pub primary_key: String,
}

/// A sync (a model written to a destination on a schedule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sync {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Workspace.
    pub workspace_id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// The model it syncs.
    pub model_id: String,
    /// The destination it writes to.
    pub destination_id: String,
    /// `success`, `failed`, `warning`, `disabled`, `pending`, …
    pub status: String,
    /// The schedule, as Hightouch writes it.
    #[serde(default)]
    pub schedule: Option<serde_json::Value>,
    /// RFC 3339 time of the last run.
    #[serde(default)]
    pub last_run_at: Option<String>,
    /// Whether the sync is disabled.
    #[serde(default)]
    pub disabled: bool,
}

/// One run of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    /// Id.
    pub id: String,
    /// The sync.
    pub sync_id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339, absent while running.
    #[serde(default)]
    pub finished_at: Option<String>,
    /// `success`, `failed`, `warning`, `running`, …
    pub status: String,
    /// Rows the run touched.
    #[serde(default)]
    pub planned_rows: u64,
    /// The error of a failed run.
    #[serde(default)]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_page_of_syncs_in_the_api_shape() {
        let json = json!({"data": [{"id": "1", "slug": "orders-to-sf", "workspaceId": "w1",
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z", "modelId": "3",
            "destinationId": "4", "status": "success", "schedule": {"type": "interval"},
            "lastRunAt": "2024-01-02T00:00:00Z"}], "hasMore": true});
        let page: Page<Sync> = serde_json::from_value(json).unwrap();
        assert!(page.has_more);
        assert_eq!(page.data[0].model_id, "3");
        assert_eq!(page.data[0].name, "");
    }

    #[test]
    fn paging_reads_limit_and_offset_and_cuts_pages() {
        let params = PageParams::from_pairs([("limit", "2"), ("offset", "3")]).unwrap();
        let items = [1, 2, 3, 4, 5, 6];
        assert_eq!(params.page(&items), Page { data: vec![4, 5], has_more: true });
        assert_eq!(params.next().page(&items), Page { data: vec![6], has_more: false });
        assert_eq!(PageParams { limit: 10, offset: 100 }.page(&items), Page { data: vec![], has_more: false });
        assert_eq!(PageParams::default().limit, DEFAULT_LIMIT);
        assert!(PageParams::from_pairs([("limit", "0")]).unwrap_err().starts_with("limit:"));
        assert!(PageParams::from_pairs([("offset", "-1")]).unwrap_err().starts_with("offset:"));
    }

    #[test]
    fn each_list_needs_read_on_its_resource() {
        assert_eq!(ListEndpoint::Destinations.resource(), Resource::Destination);
        assert_eq!(ListEndpoint::SyncRuns.resource(), Resource::Sync);
        assert_eq!(ListEndpoint::SyncRuns.path(Some("7")), "/api/v1/syncs/7/runs");
        assert_eq!(ListEndpoint::Models.path(None), "/api/v1/models");
    }
}
