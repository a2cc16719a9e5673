//! What a sync run answers (SPEC §9 `runSync`): counts, requests sent, every asset's external
//! tags, the planned writes of a dry run, and the log.

use std::collections::BTreeMap;

use serde::Serialize;

use super::inventory::Inventory;
use super::plan::{AssetWrite, LogEntry, LogResult, Mode};

/// Phases a run reports progress in, in order.
pub const PHASES: [&str; 6] = ["typedefs", "search", "map", "pull", "push", "done"];

/// The counts of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // the names are the documentation (SPEC §9)
pub struct Counts {
    pub mapped: usize,
    pub unmapped: usize,
    pub ambiguous: usize,
    pub tags_added: usize,
    pub tags_removed: usize,
    pub metadata_written: usize,
    pub metadata_unchanged: usize,
    pub announcements_set: usize,
    pub announcements_cleared: usize,
    pub announcements_kept: usize,
    pub errors: usize,
}

/// Requests sent, by kind (retries of one request count once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCounts {
    /// Index searches.
    pub searches: usize,
    /// Reads: type definitions, the current user, assets by qualified name.
    pub reads: usize,
    /// Writes: bulk upserts and type definitions.
    pub writes: usize,
}

/// The report of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// What ran.
    pub mode: Mode,
    /// Whether no write was sent.
    pub dry_run: bool,
    /// Whether the run was cancelled (the report covers what was done until then).
    pub cancelled: bool,
    /// Counts.
    pub counts: Counts,
    /// Requests sent.
    pub requests: RequestCounts,
    /// Every local asset's external tags after the run, by local id (pull only).
    pub external_tags: BTreeMap<String, Vec<String>>,
    /// External tags no asset carries any more (the tool drops them).
    pub dropped_tags: Vec<String>,
    /// The inventory with the pulled external tags applied (pull only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    /// The writes a dry run would send (and, on a real run, the writes sent).
    pub planned_writes: Vec<AssetWrite>,
    /// One entry per asset and action.
    pub log: Vec<LogEntry>,
    /// Wall time, ms.
    pub duration_ms: f64,
}

impl SyncReport {
    /// Adds log entries, counting errors.
    pub fn extend_log(&mut self, entries: impl IntoIterator<Item = LogEntry>) {
        for entry in entries {
            if entry.result == LogResult::Error {
                self.counts.errors += 1;
            }
            self.log.push(entry);
        }
    }
}
