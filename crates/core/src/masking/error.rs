//! The one error type of masking: every variant names the input at fault.

use super::{Dialect, MaskType, UnknownMaskType};

/// Why a masking request (CSV, SQL, a mask name) could not be carried out.
///
/// Masking a single value never fails; only inputs with structure (a CSV text, a column
/// identifier, a dialect or mask name) can be wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaskError {
    /// A mask name that is neither Steward's nor the catalog's.
    #[error(transparent)]
    UnknownMask(#[from] UnknownMaskType),

    /// A SQL dialect Steward doesn't emit.
    #[error("unknown SQL dialect {0:?} (expected postgres, duckdb, snowflake or databricks)")]
    UnknownDialect(String),

    /// A column to mask that the CSV header doesn't have.
    #[error("column {column:?} is not in the CSV header (columns: {available})")]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// The header's columns, quoted and comma-separated, to spot a typo.
        available: String,
    },

    /// A column to mask whose name appears more than once in the header: which one is meant
    /// is ambiguous, and masking only one would leak the other.
    #[error(
        "column {column:?} appears more than once in the CSV header (fields {first} and {second})"
    )]
    DuplicateColumn {
        /// The column asked for.
        column: String,
        /// 1-based field number of its first occurrence.
        first: usize,
        /// 1-based field number of its second occurrence.
        second: usize,
    },

    /// The same column given two different masks.
    #[error("column {column:?} is given two masks ({first} and {second})")]
    ConflictingMasks {
        /// The column.
        column: String,
        /// The first mask given.
        first: MaskType,
        /// The second mask given.
        second: MaskType,
    },

    /// Masks were asked for but the CSV text has no header row (it is empty).
    #[error("the CSV text is empty: expected a header row naming the columns")]
    MissingHeader,

    /// A data row with a different number of fields than the header.
    #[error("row {row} (line {line}): expected {expected} fields, found {found}")]
    RaggedRow {
        /// 1-based data row (the header is row 0).
        row: u64,
        /// 1-based line of the text where the row starts (rows may span lines inside quotes).
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },

    /// The CSV parser or writer failed.
    #[error("CSV: {0}")]
    Csv(String),

    /// A column identifier that can't be quoted for SQL.
    #[error("column {column:?}: {reason}")]
    InvalidColumn {
        /// The identifier as given.
        column: String,
        /// Why it can't be used.
        reason: &'static str,
    },

    /// A keyed mask the dialect has no SQL for (the keyed HASH where the engine has no HMAC).
    #[error("{mask} with a key has no {dialect} SQL: {reason}")]
    UnsupportedSql {
        /// The mask asked for.
        mask: MaskType,
        /// The dialect asked for.
        dialect: Dialect,
        /// Why, and what to do instead.
        reason: &'static str,
    },
}
