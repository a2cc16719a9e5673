//! The five masks of SPEC §3, applied to single values.
//!
//! Characters are Unicode scalar values, so the partial masks and REDACT keep the length of a
//! value in characters. Every function here is total: no input makes it panic.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A masking rule, as a data policy names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
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
    /// Secret for the keyed HASH (HMAC-SHA-256); `None` gives plain SHA-256.
    pub hash_key: Option<Vec<u8>>,
}

/// Masks one value; `None` is SQL null and stays null.
pub fn mask(value: Option<&str>, mask: MaskType, options: &MaskOptions) -> Option<String> {
    let value = value?;
    match mask {
        MaskType::ShowFirst4 => Some(show_first_4(value)),
        MaskType::ShowLast4 => Some(show_last_4(value)),
        MaskType::Hash => Some(hash(value, options.hash_key.as_deref())),
        MaskType::Nullify => None,
        MaskType::Redact => Some(redact(value)),
    }
}

/// Keeps the first 4 characters and replaces every other one with `X`.
pub fn show_first_4(value: &str) -> String {
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 4 { c } else { 'X' })
        .collect()
}

/// Keeps the last 4 characters and replaces every other one with `X`.
pub fn show_last_4(value: &str) -> String {
    let len = value.chars().count();
    let keep_from = len.saturating_sub(4);
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i >= keep_from { c } else { 'X' })
        .collect()
}

/// Uppercase letters → `X`, lowercase → `x`, decimal digits → `0`, everything else kept.
pub fn redact(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                'X'
            } else if c.is_lowercase() {
                'x'
            } else if c.is_numeric() {
                '0'
            } else {
                c
            }
        })
        .collect()
}

/// Lowercase hex SHA-256 of the UTF-8 bytes, or HMAC-SHA-256 when a key is given.
pub fn hash(value: &str, key: Option<&[u8]>) -> String {
    match key {
        None => hex(&Sha256::digest(value.as_bytes())),
        Some(key) => match Hmac::<Sha256>::new_from_slice(key) {
            Ok(mut mac) => {
                mac.update(value.as_bytes());
                hex(&mac.finalize().into_bytes())
            }
            // HMAC accepts keys of any length; this arm only satisfies the type.
            Err(_) => hex(&Sha256::digest(value.as_bytes())),
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_follows_the_spec_example() {
        assert_eq!(redact("1234 Street Name"), "0000 Xxxxxx Xxxx");
    }

    #[test]
    fn mask_names_accept_catalog_wire_names() {
        assert_eq!("heka:MASK_NULL".parse(), Ok(MaskType::Nullify));
        assert_eq!("MASK_HASH".parse(), Ok(MaskType::Hash));
        assert!("reed".parse::<MaskType>().is_err());
    }
}
