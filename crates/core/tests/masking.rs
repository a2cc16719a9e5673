//! SPEC §3, rule by rule: every example row of the table, then the rules around it.

// Test code: a failed unwrap or index is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use steward_core::masking::{
    canonical_text, hash, mask, mask_column, mask_column_packed, redact, show_first_4, show_last_4,
    MaskOptions, MaskType, Masker,
};

const SHA256_OF_NOTHING: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn plain(value: &str, mask_type: MaskType) -> Option<String> {
    mask(Some(value), mask_type, &MaskOptions::default())
}

fn keyed(key: &str) -> MaskOptions {
    MaskOptions {
        hash_key: Some(key.as_bytes().to_vec()),
    }
}

// --- The examples of SPEC §3, one test per row. ---

#[test]
fn show_first_4_keeps_the_first_four_characters_and_xs_the_rest() {
    assert_eq!(
        plain("1234 5678 9012 3456", MaskType::ShowFirst4).as_deref(),
        Some("1234XXXXXXXXXXXXXXX")
    );
}

#[test]
fn show_last_4_keeps_the_last_four_characters_and_xs_the_rest() {
    assert_eq!(
        plain("1234 5678 9012 3456", MaskType::ShowLast4).as_deref(),
        Some("XXXXXXXXXXXXXXX3456")
    );
}

#[test]
fn hash_is_the_lowercase_hex_sha256_of_the_utf8_bytes() {
    assert_eq!(
        plain("panda", MaskType::Hash).as_deref(),
        Some("a7cdf5d0586b392473dd0cd08c9ba833240006a8a7310bf9bc8bf1aefdfaeadb")
    );
}

#[test]
fn nullify_makes_the_value_null() {
    assert_eq!(plain("1234", MaskType::Nullify), None);
}

#[test]
fn redact_turns_uppercase_into_x_lowercase_into_small_x_and_digits_into_zero() {
    assert_eq!(
        plain("1234 Street Name", MaskType::Redact).as_deref(),
        Some("0000 Xxxxxx Xxxx")
    );
}

// --- REDACT goes by Unicode General Category. ---

#[test]
fn redact_replaces_accented_letters_by_their_case() {
    assert_eq!(redact("é"), "x");
    assert_eq!(redact("É"), "X");
    assert_eq!(redact("Ærøskøbing"), "Xxxxxxxxxx");
    assert_eq!(redact("straße"), "xxxxxx");
}

#[test]
fn redact_replaces_non_latin_cased_letters() {
    assert_eq!(redact("Αθήνα"), "Xxxxx");
    assert_eq!(redact("Москва"), "Xxxxxx");
    assert_eq!(redact("Երևան"), "Xxxxx");
    // Mathematical bold capital A (U+1D400) is Lu, outside the BMP.
    assert_eq!(redact("𝐀𝐚"), "Xx");
}

#[test]
fn redact_turns_decimal_digits_of_every_script_into_zero() {
    assert_eq!(redact("٠١٢٣٤٥٦٧٨٩"), "0000000000"); // Arabic-Indic
    assert_eq!(redact("०१२"), "000"); // Devanagari
    assert_eq!(redact("๓"), "0"); // Thai
    assert_eq!(redact("０９"), "00"); // fullwidth
    assert_eq!(redact("𝟎"), "0"); // mathematical bold digit zero
}

#[test]
fn redact_keeps_numbers_that_are_not_decimal_digits() {
    // ½ and ² are No, Ⅻ is Nl, ① is No: not decimal digits, so kept.
    assert_eq!(redact("½²Ⅻ①"), "½²Ⅻ①");
}

#[test]
fn redact_keeps_letters_that_are_neither_upper_nor_lowercase() {
    // Ⓐ is So (though Unicode calls it Other_Uppercase), ǅ is Lt, ʰ is Lm, ª is Lo.
    assert_eq!(redact("Ⓐⓐǅʰª"), "Ⓐⓐǅʰª");
}

#[test]
fn redact_keeps_cjk_hangul_kana_and_emoji() {
    assert_eq!(redact("東京タワー한국"), "東京タワー한국");
    assert_eq!(redact("👩‍👩‍👧‍👦🇫🇷👍🏽"), "👩‍👩‍👧‍👦🇫🇷👍🏽");
}

#[test]
fn redact_keeps_combining_marks_after_the_replaced_letter() {
    // "e" + COMBINING ACUTE ACCENT: two scalar values, the mark (Mn) is kept.
    assert_eq!(redact("e\u{301}"), "x\u{301}");
    // Keycap one: "1" + VS16 + COMBINING ENCLOSING KEYCAP; the digit is still a digit.
    assert_eq!(redact("1\u{fe0f}\u{20e3}"), "0\u{fe0f}\u{20e3}");
}

#[test]
fn redact_keeps_punctuation_spaces_and_controls() {
    assert_eq!(redact("a-b_c @d.e\t\n\u{a0}!"), "x-x_x @x.x\t\n\u{a0}!");
}

// --- Partial masks count Unicode scalar values. ---

#[test]
fn partial_masks_leave_values_of_four_characters_or_fewer_unchanged() {
    for value in ["", "a", "ab", "abc", "abcd", "é東👍🏽", "👩‍👩"] {
        assert!(value.chars().count() <= 4, "{value}");
        assert_eq!(show_first_4(value), value);
        assert_eq!(show_last_4(value), value);
    }
}

#[test]
fn partial_masks_count_characters_not_bytes() {
    assert_eq!(show_first_4("éèêëa"), "éèêëX");
    assert_eq!(show_last_4("aéèêë"), "Xéèêë");
    assert_eq!(show_first_4("東京都港区芝公園"), "東京都港XXXX");
    assert_eq!(show_last_4("東京都港区芝公園"), "XXXX区芝公園");
}

#[test]
fn partial_masks_count_scalar_values_not_graphemes() {
    // A family emoji is 7 scalar values (4 people joined by 3 ZWJ); SPEC §3 counts scalars.
    let family = "👩\u{200d}👩\u{200d}👧\u{200d}👦";
    assert_eq!(show_first_4(family), "👩\u{200d}👩\u{200d}XXX");
    assert_eq!(show_last_4(family), "XXX\u{200d}👧\u{200d}👦");
}

#[test]
fn partial_masks_and_redact_keep_the_length_in_characters() {
    for value in [
        "1234 5678 9012 3456",
        "Ærøskøbing",
        "👩‍👩‍👧‍👦 family",
        "e\u{301}\u{301}\u{301}xyz",
    ] {
        let chars = value.chars().count();
        assert_eq!(show_first_4(value).chars().count(), chars);
        assert_eq!(show_last_4(value).chars().count(), chars);
        assert_eq!(redact(value).chars().count(), chars);
    }
}

// --- Null and empty. ---

#[test]
fn null_stays_null_under_every_mask() {
    for mask_type in MaskType::ALL {
        assert_eq!(
            mask(None, mask_type, &MaskOptions::default()),
            None,
            "{mask_type}"
        );
        assert_eq!(mask(None, mask_type, &keyed("k")), None, "{mask_type}");
    }
}

#[test]
fn empty_stays_empty_under_the_partial_masks_and_redact() {
    for mask_type in [MaskType::ShowFirst4, MaskType::ShowLast4, MaskType::Redact] {
        assert_eq!(plain("", mask_type).as_deref(), Some(""), "{mask_type}");
    }
}

#[test]
fn empty_hashes_to_the_sha256_of_no_bytes() {
    assert_eq!(
        plain("", MaskType::Hash).as_deref(),
        Some(SHA256_OF_NOTHING)
    );
}

#[test]
fn nullify_makes_empty_null_too() {
    assert_eq!(plain("", MaskType::Nullify), None);
}

// --- HASH and the keyed HASH. ---

#[test]
fn hash_is_consistent_so_hashed_columns_still_join() {
    assert_eq!(
        hash("alice@example.com", None),
        hash("alice@example.com", None)
    );
    assert_ne!(
        hash("alice@example.com", None),
        hash("bob@example.com", None)
    );
}

#[test]
fn hash_of_non_ascii_text_hashes_its_utf8_bytes() {
    // printf 'é' | sha256sum
    assert_eq!(
        hash("é", None),
        "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"
    );
}

#[test]
fn keyed_hash_is_hmac_sha256_in_lowercase_hex() {
    // RFC 4231, test case 2.
    assert_eq!(
        mask(
            Some("what do ya want for nothing?"),
            MaskType::Hash,
            &keyed("Jefe")
        )
        .as_deref(),
        Some("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    );
}

#[test]
fn keyed_hash_is_consistent_within_one_key_and_differs_across_keys() {
    let a = mask(Some("+1 555 0100"), MaskType::Hash, &keyed("secret-1"));
    assert_eq!(
        a,
        mask(Some("+1 555 0100"), MaskType::Hash, &keyed("secret-1"))
    );
    assert_ne!(
        a,
        mask(Some("+1 555 0100"), MaskType::Hash, &keyed("secret-2"))
    );
    assert_ne!(a, plain("+1 555 0100", MaskType::Hash));
}

#[test]
fn a_key_changes_only_the_hash_mask() {
    for mask_type in [
        MaskType::ShowFirst4,
        MaskType::ShowLast4,
        MaskType::Redact,
        MaskType::Nullify,
    ] {
        assert_eq!(
            mask(Some("Secret 123"), mask_type, &keyed("k")),
            plain("Secret 123", mask_type)
        );
    }
}

#[test]
fn a_prepared_keyed_masker_gives_the_same_hash_as_one_shot_masking() {
    let masker = Masker::new(MaskType::Hash, &keyed("k"));
    for value in ["", "a", "alice@example.com"] {
        assert_eq!(
            masker.mask(Some(value)),
            mask(Some(value), MaskType::Hash, &keyed("k"))
        );
        assert_eq!(masker.mask(Some(value)), Some(hash(value, Some(b"k"))));
    }
}

#[test]
fn masker_debug_output_never_shows_the_key() {
    let masker = Masker::new(MaskType::Hash, &keyed("top-secret"));
    let printed = format!("{masker:?}");
    assert!(!printed.contains("top-secret"), "{printed}");
}

// --- Numbers and booleans are masked as their canonical text. ---

#[test]
fn numbers_and_booleans_are_masked_as_their_canonical_text() {
    let text = |v: serde_json::Value| canonical_text(&v);
    assert_eq!(
        mask(
            text(serde_json::json!(1.0)).as_deref(),
            MaskType::Hash,
            &MaskOptions::default()
        ),
        plain("1", MaskType::Hash)
    );
    assert_eq!(
        mask(
            text(serde_json::json!(12345678)).as_deref(),
            MaskType::ShowLast4,
            &MaskOptions::default()
        )
        .as_deref(),
        Some("XXXX5678")
    );
    assert_eq!(
        mask(
            text(serde_json::json!(true)).as_deref(),
            MaskType::Redact,
            &MaskOptions::default()
        )
        .as_deref(),
        Some("xxxx")
    );
    assert_eq!(
        mask(
            text(serde_json::json!(null)).as_deref(),
            MaskType::Redact,
            &MaskOptions::default()
        ),
        None
    );
}

// --- Columns. ---

#[test]
fn mask_column_masks_every_value_in_order_and_keeps_nulls() {
    let values = [Some("1234 5678"), None, Some(""), Some("ab")];
    for mask_type in MaskType::ALL {
        let expected: Vec<Option<String>> = values
            .iter()
            .map(|v| mask(*v, mask_type, &MaskOptions::default()))
            .collect();
        assert_eq!(
            mask_column(&values, mask_type, &MaskOptions::default()),
            expected,
            "{mask_type}"
        );
        let packed = mask_column_packed(&values, mask_type, &MaskOptions::default());
        assert_eq!(packed.to_vec(), expected, "{mask_type}");
        assert_eq!(packed.len(), values.len());
    }
}

#[test]
fn packed_column_tells_null_from_empty_and_out_of_range() {
    let packed = mask_column_packed(
        &[Some(""), None, Some("abcdef")],
        MaskType::ShowFirst4,
        &MaskOptions::default(),
    );
    assert_eq!(packed.get(0), Some(Some("")));
    assert_eq!(packed.get(1), Some(None));
    assert_eq!(packed.get(2), Some(Some("abcdXX")));
    assert_eq!(packed.get(3), None);
    assert_eq!(packed.text(), "abcdXX");
}

#[test]
fn mask_column_accepts_owned_strings() {
    let values = vec![Some("Alice".to_owned()), None];
    assert_eq!(
        mask_column(&values, MaskType::Redact, &MaskOptions::default()),
        vec![Some("Xxxxx".to_owned()), None]
    );
}
