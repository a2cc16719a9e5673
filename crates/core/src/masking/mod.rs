//! Masking (SPEC §3): the five masks, applied to one value, a column, a CSV file, or emitted as
//! warehouse SQL.
//!
//! - [`mask`] masks one value; [`Masker`] prepares a mask once (e.g. the HMAC key schedule) and
//!   applies it to many; [`mask_column`] / [`mask_column_packed`] mask a whole column.
//! - [`mask_csv`] masks chosen columns of a CSV text.
//! - [`mask_sql`] emits the same mask as SQL for PostgreSQL, DuckDB, Snowflake and Databricks.
//! - [`canonical_text`] / [`number_text`] give the text a number or boolean is masked as.
//! - [`mask_joined_ascii`] / [`mask_joined_utf16`] mask a column that crossed the wasm boundary
//!   as one text and answer one text (the package's `maskColumn`, whose fallback masks cell by
//!   cell with [`mask_column`]); [`split_joined_utf16`] / [`MaskedColumn::joined`] cut a joined
//!   text into cells and join masked cells by a separator no cell holds, which the package does
//!   not use.
//!
//! Characters are Unicode scalar values, so the partial masks and REDACT keep the length of a
//! value in characters. Every function here is total on valid input: no string makes it panic.

mod canonical;
mod column;
mod csv;
mod error;
mod sql;
mod transport;
mod unicode;
mod utf16;
mod values;

use std::fmt;
use std::str::FromStr;

pub use self::canonical::{canonical_text, number_text};
pub use self::column::{mask_column, mask_column_packed, MaskedColumn};
pub use self::csv::mask_csv;
pub use self::error::MaskError;
pub use self::sql::{mask_sql, mask_sql_with, Dialect, SqlOptions};
pub use self::transport::{
    mask_joined_ascii, mask_joined_utf16, split_joined_utf16, MaskedUnits, NULL_CELL,
};
pub use self::unicode::UNICODE_VERSION;
pub use self::values::{hash, redact, show_first_4, show_last_4, Masker};

/// A masking rule, as a data policy names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MaskType {
    /// Keep the first 4 characters, replace the rest with `X`.
    #[serde(rename = "SHOW_FIRST_4")]
    ShowFirst4,
    /// Keep the last 4 characters, replace the rest with `X`.
    #[serde(rename = "SHOW_LAST_4")]
    ShowLast4,
    /// Lowercase hex SHA-256 of the UTF-8 bytes (or HMAC-SHA-256 with a key).
    Hash,
    /// Replace the value with null.
    Nullify,
    /// Uppercase letters → `X`, lowercase → `x`, decimal digits → `0`, the rest kept.
    Redact,
}

impl MaskType {
    /// Every mask type, in the order of SPEC §3.
    pub const ALL: [MaskType; 5] = [
        MaskType::ShowFirst4,
        MaskType::ShowLast4,
        MaskType::Hash,
        MaskType::Nullify,
        MaskType::Redact,
    ];

    /// Steward's own name of the mask (`SHOW_FIRST_4`, …).
    pub fn name(self) -> &'static str {
        match self {
            MaskType::ShowFirst4 => "SHOW_FIRST_4",
            MaskType::ShowLast4 => "SHOW_LAST_4",
            MaskType::Hash => "HASH",
            MaskType::Nullify => "NULLIFY",
            MaskType::Redact => "REDACT",
        }
    }
}

impl fmt::Display for MaskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A mask name that is neither Steward's nor the catalog's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mask type {0:?} (expected SHOW_FIRST_4, SHOW_LAST_4, HASH, NULLIFY or REDACT)")]
pub struct UnknownMaskType(pub String);

impl FromStr for MaskType {
    type Err = UnknownMaskType;

    /// Accepts Steward's names and the catalog's wire names (`MASK_HASH`, `heka:MASK_NULL`, …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.strip_prefix("heka:").unwrap_or(s);
        let bare = bare.strip_prefix("MASK_").unwrap_or(bare);
        match bare {
            "SHOW_FIRST_4" => Ok(MaskType::ShowFirst4),
            "SHOW_LAST_4" => Ok(MaskType::ShowLast4),
            "HASH" => Ok(MaskType::Hash),
            "NULLIFY" | "NULL" => Ok(MaskType::Nullify),
            "REDACT" => Ok(MaskType::Redact),
            _ => Err(UnknownMaskType(s.to_owned())),
        }
    }
}

/// Options that change how a mask is applied.
#[derive(Debug, Clone, Default)]
pub struct MaskOptions {
    /// Secret for the keyed HASH (HMAC-SHA-256, hex output); `None` gives plain SHA-256, which is
    /// what the warehouses compute and so what joins across assets. Any key length works,
    /// including empty (HMAC pads or hashes the key); boundaries that take user input should
    /// reject an empty key as a likely mistake.
    pub hash_key: Option<Vec<u8>>,
}

/// Masks one value; `None` is SQL null and stays null (and NULLIFY makes every value null).
///
/// For many values prefer [`Masker`] or [`mask_column`]: they prepare the mask once.
pub fn mask(value: Option<&str>, mask: MaskType, options: &MaskOptions) -> Option<String> {
    Masker::new(mask, options).mask(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_names_accept_steward_and_catalog_wire_names() {
        for mask in MaskType::ALL {
            assert_eq!(mask.name().parse(), Ok(mask));
            assert_eq!(format!("MASK_{}", mask.name()).parse(), Ok(mask));
            assert_eq!(format!("heka:MASK_{}", mask.name()).parse(), Ok(mask));
        }
        assert_eq!("heka:MASK_NULL".parse(), Ok(MaskType::Nullify));
        assert_eq!("MASK_NULL".parse(), Ok(MaskType::Nullify));
    }

    #[test]
    fn unknown_mask_names_are_rejected_with_the_name() {
        let err = "reed".parse::<MaskType>().unwrap_err();
        assert_eq!(err, UnknownMaskType("reed".into()));
        assert!(err.to_string().contains("\"reed\""));
        // Names are exact: no case folding, so a typo never silently picks a mask.
        assert!("hash".parse::<MaskType>().is_err());
    }
}
