//! What masking guarantees for any input, checked by the fuzz target (`fuzz_targets/masks.rs`)
//! and, on stable, by `crates/core/tests/masking_fuzz_seeds.rs` over the seed corpus.
//!
//! Input layout: the first byte picks the mask (low bits) and whether HASH is keyed (high bit);
//! the rest is the value, read as UTF-8 with invalid sequences replaced by U+FFFD (what a JS
//! string with lone surrogates becomes at the wasm boundary), and read again as UTF-16 code
//! units, lone surrogates and all, for the column path `maskColumn` takes with what JS holds.

// Checking code: a failed assertion is the finding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use steward_core::masking::{
    mask, mask_column_packed, mask_csv, mask_joined_utf16, mask_sql, split_joined_utf16, Dialect,
    MaskOptions, MaskType, Masker, NULL_CELL,
};

/// Decodes `data` and checks every invariant on it.
pub fn check(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mask_type = MaskType::ALL[usize::from(selector & 0x7f) % MaskType::ALL.len()];
    let options = if selector & 0x80 != 0 {
        MaskOptions {
            hash_key: Some(rest.iter().take(16).copied().collect()),
        }
    } else {
        MaskOptions::default()
    };
    let value = String::from_utf8_lossy(rest);
    check_value(&value, mask_type, &options);
    let units: Vec<u16> = rest
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    check_utf16(&units, mask_type, &options);

    // Structured inputs may be rejected, never panic. The first header field is a real column,
    // so masking gets past the header.
    let column = value.split([',', '\n', '\r']).next().unwrap_or_default();
    let _ = mask_csv(&value, [(column, mask_type)], &options);
    for dialect in Dialect::ALL {
        let _ = mask_sql(mask_type, &value, dialect);
    }
}

/// The invariants of SPEC §3 for one value and mask.
pub fn check_value(value: &str, mask_type: MaskType, options: &MaskOptions) {
    let out = mask(Some(value), mask_type, options);
    let input: Vec<char> = value.chars().collect();
    assert_eq!(mask(None, mask_type, options), None, "null stays null");

    match mask_type {
        MaskType::Nullify => assert_eq!(out, None),
        MaskType::Hash => {
            let out = out.as_deref().expect("HASH of a value is a value");
            assert_eq!(out.len(), 64);
            assert!(
                out.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{out}"
            );
            assert_eq!(
                mask(Some(value), mask_type, options).as_deref(),
                Some(out),
                "consistent"
            );
        }
        MaskType::ShowFirst4 | MaskType::ShowLast4 | MaskType::Redact => {
            let output: Vec<char> = out
                .as_deref()
                .expect("a value stays a value")
                .chars()
                .collect();
            assert_eq!(output.len(), input.len(), "length in characters");
            for (i, (o, c)) in output.iter().zip(&input).enumerate() {
                let kept = match mask_type {
                    MaskType::ShowFirst4 => i < 4,
                    MaskType::ShowLast4 => i + 4 >= input.len(),
                    _ => false,
                };
                if kept {
                    assert_eq!(o, c, "kept character {i}");
                } else if mask_type == MaskType::Redact {
                    assert!(o == c || matches!(o, 'X' | 'x' | '0'), "{c:?} → {o:?}");
                } else {
                    assert_eq!(*o, 'X', "hidden character {i}");
                }
            }
        }
    }

    // The column paths agree with one-value masking, and the wasm transport round-trips.
    let column = mask_column_packed(&[Some(value), None, Some(value)], mask_type, options);
    assert_eq!(column.to_vec(), vec![out.clone(), None, out.clone()]);
    if let Some((separator, joined)) = column.joined() {
        let cells: Vec<&str> = joined.split(separator).collect();
        assert_eq!(
            cells,
            vec![
                out.as_deref().unwrap_or(""),
                "",
                out.as_deref().unwrap_or("")
            ]
        );
    }
    let units = u32::try_from(value.encode_utf16().count()).unwrap();
    assert_eq!(
        split_joined_utf16(value, &[Some(units), None]),
        Some(vec![Some(value), None])
    );
}

/// The UTF-16 column path (what `maskColumn` hands the wasm module: the code units of a JS
/// string, which may hold lone surrogates) masks `units` as one-value masking masks the text
/// `TextEncoder` would make of them, here as the cell between a null and an empty one.
pub fn check_utf16(units: &[u16], mask_type: MaskType, options: &MaskOptions) {
    let cell = u32::try_from(units.len()).unwrap();
    let mut lengths = [NULL_CELL, cell, 0];
    let masked = mask_joined_utf16(units, &mut lengths, &Masker::new(mask_type, options))
        .expect("lengths that add up are accepted")
        .into_utf16();
    let text = String::from_utf16_lossy(units);
    let expected = [
        None,
        mask(Some(&text), mask_type, options),
        mask(Some(""), mask_type, options),
    ];
    let mut rest = masked.as_slice();
    for (length, expected) in lengths.iter().zip(expected) {
        let actual = (*length != NULL_CELL).then(|| {
            let (cell, tail) = rest.split_at(*length as usize);
            rest = tail;
            String::from_utf16(cell).expect("masked cells are valid UTF-16")
        });
        assert_eq!(actual, expected, "units {units:04x?}");
    }
    assert!(rest.is_empty(), "masked text beyond the cells");
}
