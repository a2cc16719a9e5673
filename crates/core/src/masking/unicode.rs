//! REDACT's character classes: Unicode General Category, not Rust's derived properties.
//!
//! `char::is_uppercase` is the `Uppercase` property (Lu plus Other_Uppercase, so `Ⓐ` counts) and
//! `char::is_numeric` covers Nd, Nl and No (so `½` counts); the warehouses' `\p{Lu}`, `\p{Ll}`,
//! `\p{Nd}` are the General Category, and so is SPEC §3.

use std::sync::OnceLock;

use unicode_general_category::{get_general_category, GeneralCategory};

/// The Unicode version REDACT's classes come from (the warehouses may lag behind for characters
/// assigned in the newest versions).
pub const UNICODE_VERSION: (u64, u64, u64) = unicode_general_category::UNICODE_VERSION;

/// What REDACT writes for an ASCII byte: `A-Z` → `X`, `a-z` → `x`, `0-9` → `0`, the rest kept.
#[inline(always)]
pub(crate) fn redact_ascii(b: u8) -> u8 {
    // Range checks by wrapping subtraction: three compares and selects, no branches, so loops
    // over bytes vectorise.
    let upper = b.wrapping_sub(b'A') < 26;
    let lower = b.wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    if upper {
        b'X'
    } else if lower {
        b'x'
    } else if digit {
        b'0'
    } else {
        b
    }
}

/// What REDACT writes for one character: `X` for Lu, `x` for Ll, `0` for Nd, else the character.
#[inline]
pub(crate) fn redact_char(c: char) -> char {
    if c.is_ascii() {
        // ASCII letters and digits are exactly Lu / Ll / Nd in ASCII; skip the table.
        return char::from(redact_ascii(c as u8));
    }
    match get_general_category(c) {
        GeneralCategory::UppercaseLetter => 'X',
        GeneralCategory::LowercaseLetter => 'x',
        GeneralCategory::DecimalNumber => '0',
        _ => c,
    }
}

/// What REDACT writes for each character of the Basic Multilingual Plane, by code point: `X`,
/// `x` or `0`, or 0 for a character it keeps (surrogate code points included). Built once from
/// [`redact_char`], so it agrees with it by construction: one load per character instead of
/// the two-level category lookup, for the UTF-16 path where most text is in the BMP.
pub(crate) fn bmp_redactions() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=u16::MAX)
            .map(|unit| {
                char::from_u32(u32::from(unit))
                    .map(|c| (c, redact_char(c)))
                    .filter(|(c, redacted)| c != redacted)
                    // Replacements are ASCII.
                    .map_or(0, |(_, redacted)| redacted as u8)
            })
            .collect()
    })
}

/// The three classes REDACT replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedactClass {
    /// General Category Lu → `X`.
    Upper,
    /// General Category Ll → `x`.
    Lower,
    /// General Category Nd → `0`.
    Digit,
}

impl RedactClass {
    fn category(self) -> GeneralCategory {
        match self {
            RedactClass::Upper => GeneralCategory::UppercaseLetter,
            RedactClass::Lower => GeneralCategory::LowercaseLetter,
            RedactClass::Digit => GeneralCategory::DecimalNumber,
        }
    }
}

/// The code point ranges (inclusive) of one class, ascending; computed once by scanning every
/// scalar value, so the SQL that spells the class out agrees with [`redact_char`] by construction.
pub(crate) fn class_ranges(class: RedactClass) -> &'static [(char, char)] {
    static UPPER: OnceLock<Vec<(char, char)>> = OnceLock::new();
    static LOWER: OnceLock<Vec<(char, char)>> = OnceLock::new();
    static DIGIT: OnceLock<Vec<(char, char)>> = OnceLock::new();
    let cell = match class {
        RedactClass::Upper => &UPPER,
        RedactClass::Lower => &LOWER,
        RedactClass::Digit => &DIGIT,
    };
    cell.get_or_init(|| scan_ranges(class.category()))
}

fn scan_ranges(category: GeneralCategory) -> Vec<(char, char)> {
    let mut ranges: Vec<(char, char)> = Vec::new();
    // `'\0'..=char::MAX` skips the surrogate gap, which has no letters or digits anyway.
    for c in '\0'..=char::MAX {
        if get_general_category(c) != category {
            continue;
        }
        match ranges.last_mut() {
            Some((_, end)) if u32::from(*end) + 1 == u32::from(c) => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bmp_table_agrees_with_redact_char() {
        let table = bmp_redactions();
        assert_eq!(table.len(), 0x10000);
        for unit in 0..=u16::MAX {
            let written = table[usize::from(unit)];
            match char::from_u32(u32::from(unit)) {
                Some(c) if redact_char(c) != c => assert_eq!(char::from(written), redact_char(c), "{c:?}"),
                _ => assert_eq!(written, 0, "{unit:#x}"),
            }
        }
    }

    #[test]
    fn class_ranges_agree_with_redact_char_on_every_scalar_value() {
        let classes = [
            (RedactClass::Upper, 'X'),
            (RedactClass::Lower, 'x'),
            (RedactClass::Digit, '0'),
        ];
        for c in '\0'..=char::MAX {
            let expected = redact_char(c);
            let in_class = classes.iter().find(|(class, _)| {
                let ranges = class_ranges(*class);
                // Ranges are ascending and disjoint: the last range starting at or before `c`.
                let idx = ranges.partition_point(|(lo, _)| *lo <= c);
                idx > 0 && ranges[idx - 1].1 >= c
            });
            match in_class {
                Some((_, replacement)) => assert_eq!(expected, *replacement, "{c:?}"),
                None => assert_eq!(expected, c, "{c:?}"),
            }
        }
    }
}
