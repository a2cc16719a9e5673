//! Property tests: the invariants of SPEC §3 on arbitrary strings (any Unicode scalar values,
//! not only the corpus), plus the column, transport and CSV paths agreeing with one-value masking.

// Test code: a failed unwrap or index is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use steward_core::masking::{
    hash, mask, mask_column, mask_column_packed, mask_csv, mask_joined_ascii, mask_joined_utf16,
    redact, show_first_4, show_last_4, split_joined_utf16, MaskOptions, MaskType, Masker,
    NULL_CELL,
};

/// A JS string's code units: any UTF-16, lone surrogates included, weighted towards surrogates
/// (pairs, lone ones, and halves that would pair up across cells), ASCII, and units of two UTF-8
/// bytes; and strings of one script, whose units all take as many UTF-8 bytes (HASH transcodes
/// those by a loop of their own), long enough to cross SHA-256 block boundaries, or short ones
/// of the units at the edges of those widths.
fn js_string() -> impl Strategy<Value = Vec<u16>> {
    let unit = prop_oneof![
        0x20u16..0x7f,
        0x80u16..0x800,
        0xd800u16..0xdc00,
        0xdc00u16..0xe000,
        Just(0xd83d),
        Just(0xdc4d),
        Just(0xfeff),
        any::<u16>(),
    ];
    let one_width = prop_oneof![
        prop::collection::vec(prop_oneof![0x0u16..0x80, Just(0x7f)], 0..80),
        prop::collection::vec(prop_oneof![0x80u16..0x800, Just(0x80), Just(0x7ff)], 0..80),
        prop::collection::vec(
            prop_oneof![
                0x800u16..0xd800,
                0xe000u16..=0xffff,
                Just(0x800),
                Just(0xd7ff),
                Just(0xe000),
                Just(0xffff),
            ],
            0..80,
        ),
        // Short runs of the units at each width's edges, so a cell can miss a class by one.
        prop::collection::vec(
            prop::sample::select(vec![
                0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xffff,
            ]),
            1..5,
        ),
    ];
    prop_oneof![
        prop::collection::vec(unit, 0..12),
        tricky_string().prop_map(|s| s.encode_utf16().collect()),
        one_width,
    ]
}

/// `(joined units, lengths)` for a column of optional JS strings, as js/masking.js builds them.
fn js_column(values: &[Option<Vec<u16>>]) -> (Vec<u16>, Vec<u32>) {
    let joined = values.iter().flatten().flatten().copied().collect();
    let lengths = values
        .iter()
        .map(|v| v.as_ref().map_or(NULL_CELL, |units| units.len() as u32))
        .collect();
    (joined, lengths)
}

fn any_mask() -> impl Strategy<Value = MaskType> {
    prop::sample::select(MaskType::ALL.to_vec())
}

/// Strings weighted towards what breaks masks: multi-byte and astral characters, combining
/// marks, ZWJ, controls, quotes and CSV punctuation.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 ]{0,12}",
        "[éÉßΣσ٣३東👍\u{301}\u{200d},\"\n\r]{0,12}",
        prop::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn partial_masks_and_redact_keep_the_length_in_characters(value in tricky_string()) {
        let chars = value.chars().count();
        prop_assert_eq!(show_first_4(&value).chars().count(), chars);
        prop_assert_eq!(show_last_4(&value).chars().count(), chars);
        prop_assert_eq!(redact(&value).chars().count(), chars);
    }

    #[test]
    fn values_of_four_characters_or_fewer_are_unchanged_by_the_partial_masks(value in "\\PC{0,4}") {
        prop_assert_eq!(show_first_4(&value), value.clone());
        prop_assert_eq!(show_last_4(&value), value);
    }

    #[test]
    fn show_first_4_keeps_exactly_the_first_four_characters(value in tricky_string()) {
        let out: Vec<char> = show_first_4(&value).chars().collect();
        for (i, (o, c)) in out.iter().zip(value.chars()).enumerate() {
            prop_assert_eq!(*o, if i < 4 { c } else { 'X' });
        }
    }

    #[test]
    fn show_last_4_keeps_exactly_the_last_four_characters(value in tricky_string()) {
        let chars: Vec<char> = value.chars().collect();
        let out: Vec<char> = show_last_4(&value).chars().collect();
        for (i, (o, c)) in out.iter().zip(&chars).enumerate() {
            prop_assert_eq!(*o, if i + 4 >= chars.len() { *c } else { 'X' });
        }
    }

    #[test]
    fn redact_is_idempotent(value in tricky_string()) {
        let once = redact(&value);
        prop_assert_eq!(redact(&once), once);
    }

    #[test]
    fn hash_is_consistent_and_lowercase_hex(value in tricky_string(), key in prop::collection::vec(any::<u8>(), 1..40)) {
        let plain = hash(&value, None);
        prop_assert_eq!(&plain, &hash(&value, None));
        prop_assert_eq!(plain.len(), 64);
        prop_assert!(plain.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        let keyed = hash(&value, Some(&key));
        prop_assert_eq!(&keyed, &hash(&value, Some(&key)));
        prop_assert_ne!(keyed, plain);
    }

    #[test]
    fn different_values_hash_differently(a in tricky_string(), b in tricky_string()) {
        prop_assume!(a != b);
        prop_assert_ne!(hash(&a, None), hash(&b, None));
    }

    #[test]
    fn nullify_is_idempotent_and_null_stays_null(value in proptest::option::of(tricky_string()), mask_type in any_mask()) {
        let options = MaskOptions::default();
        let once = mask(value.as_deref(), MaskType::Nullify, &options);
        prop_assert_eq!(&once, &None);
        prop_assert_eq!(mask(once.as_deref(), MaskType::Nullify, &options), None);
        prop_assert_eq!(mask(None, mask_type, &options), None);
    }

    #[test]
    fn no_mask_panics_on_any_string(value in any::<String>(), mask_type in any_mask(), keyed in any::<bool>()) {
        let options = MaskOptions { hash_key: keyed.then(|| b"k".to_vec()) };
        let _ = mask(Some(&value), mask_type, &options);
        let _ = mask_csv(&value, [("a", mask_type)], &options);
    }

    #[test]
    fn column_masking_agrees_with_one_value_masking(
        values in prop::collection::vec(proptest::option::of(tricky_string()), 0..30),
        mask_type in any_mask(),
    ) {
        let options = MaskOptions::default();
        let one_by_one: Vec<Option<String>> = values.iter().map(|v| mask(v.as_deref(), mask_type, &options)).collect();
        prop_assert_eq!(&mask_column(&values, mask_type, &options), &one_by_one);
        let packed = mask_column_packed(&values, mask_type, &options);
        prop_assert_eq!(&packed.to_vec(), &one_by_one);
        if let Some((separator, joined)) = packed.joined() {
            let cells: Vec<&str> = joined.split(separator).collect();
            let expected: Vec<&str> = one_by_one.iter().map(|c| c.as_deref().unwrap_or("")).collect();
            prop_assert_eq!(if values.is_empty() { vec![] } else { cells }, expected);
        }
    }

    #[test]
    fn utf16_lengths_split_a_join_back_into_its_cells(values in prop::collection::vec(proptest::option::of(tricky_string()), 0..30)) {
        let joined: String = values.iter().flatten().map(String::as_str).collect();
        let lengths: Vec<Option<u32>> = values.iter().map(|v| v.as_ref().map(|s| s.encode_utf16().count() as u32)).collect();
        let cells = split_joined_utf16(&joined, &lengths).unwrap();
        prop_assert_eq!(cells, values.iter().map(Option::as_deref).collect::<Vec<_>>());
    }

    #[test]
    fn utf16_column_masking_agrees_with_one_value_masking_of_the_text_js_would_encode(
        values in prop::collection::vec(proptest::option::of(js_string()), 0..20),
        mask_type in any_mask(),
        keyed in any::<bool>(),
    ) {
        let options = MaskOptions { hash_key: keyed.then(|| b"k".to_vec()) };
        let (joined, mut lengths) = js_column(&values);
        let masked = mask_joined_utf16(&joined, &mut lengths, &Masker::new(mask_type, &options)).unwrap().into_utf16();
        // Each cell on its own, lone surrogates read as U+FFFD (what `TextEncoder` does), even
        // where a cell ends with a high surrogate and the next starts with a low one.
        let mut rest = masked.as_slice();
        for (value, length) in values.iter().zip(&lengths) {
            let expected = mask(value.as_ref().map(|v| String::from_utf16_lossy(v)).as_deref(), mask_type, &options);
            let actual = (*length != NULL_CELL).then(|| {
                let (cell, tail) = rest.split_at(*length as usize);
                rest = tail;
                String::from_utf16(cell).unwrap()
            });
            prop_assert_eq!(actual, expected);
        }
        prop_assert!(rest.is_empty());
    }

    #[test]
    fn ascii_column_masking_agrees_with_one_value_masking(
        values in prop::collection::vec(proptest::option::of("[ -~]{0,12}"), 0..20),
        mask_type in any_mask(),
    ) {
        let options = MaskOptions::default();
        let joined: String = values.iter().flatten().map(String::as_str).collect();
        let mut lengths: Vec<u32> = values.iter().map(|v| v.as_ref().map_or(NULL_CELL, |s| s.len() as u32)).collect();
        let masked = mask_joined_ascii(joined.as_bytes(), &mut lengths, &Masker::new(mask_type, &options)).unwrap();
        let mut rest = masked.as_str();
        for (value, length) in values.iter().zip(&lengths) {
            let actual = (*length != NULL_CELL).then(|| {
                let (cell, tail) = rest.split_at(*length as usize);
                rest = tail;
                cell.to_owned()
            });
            prop_assert_eq!(actual, mask(value.as_deref(), mask_type, &options));
        }
        prop_assert!(rest.is_empty());
    }

    #[test]
    fn joined_columns_whose_lengths_do_not_add_up_are_refused(values in prop::collection::vec(js_string(), 1..10), extra in 1u32..3) {
        let masker = Masker::new(MaskType::Redact, &MaskOptions::default());
        let (joined, mut lengths) = js_column(&values.into_iter().map(Some).collect::<Vec<_>>());
        if let Some(last) = lengths.last_mut() { *last += extra; }
        prop_assert_eq!(mask_joined_utf16(&joined, &mut lengths.clone(), &masker), None);
        let ascii = vec![b'a'; joined.len()];
        prop_assert_eq!(mask_joined_ascii(&ascii, &mut lengths, &masker), None);
    }

    #[test]
    fn masked_csv_parses_back_to_the_same_shape_with_masked_cells(
        rows in prop::collection::vec(prop::collection::vec(tricky_string(), 3), 1..8),
        mask_type in any_mask(),
    ) {
        let mut writer = csv::Writer::from_writer(vec![]);
        writer.write_record(["a", "b", "c"]).unwrap();
        for row in &rows {
            writer.write_record(row).unwrap();
        }
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let out = mask_csv(&text, [("b", mask_type)], &MaskOptions::default()).unwrap();

        let parse = |t: &str| -> Vec<Vec<String>> {
            csv::ReaderBuilder::new().has_headers(false).from_reader(t.as_bytes())
                .records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
        };
        let (before, after) = (parse(&text), parse(&out));
        prop_assert_eq!(before.len(), after.len());
        for (b, a) in before.iter().zip(&after).skip(1) {
            prop_assert_eq!(&a[0], &b[0]);
            prop_assert_eq!(&a[2], &b[2]);
            let expected = if b[1].is_empty() { String::new() } else { mask(Some(&b[1]), mask_type, &MaskOptions::default()).unwrap_or_default() };
            prop_assert_eq!(&a[1], &expected);
        }
    }
}
