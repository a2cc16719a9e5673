//! CSV masking: the page's "paste or upload CSV" preview (SPEC §3, §7).

// Test code: a failed unwrap or index is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use steward_core::masking::{hash, mask_csv, MaskError, MaskOptions, MaskType};

fn masked(text: &str, masks: &[(&str, MaskType)]) -> Result<String, MaskError> {
    mask_csv(text, masks.iter().copied(), &MaskOptions::default())
}

/// Parses CSV the way `mask_csv` does, to check the output round-trips.
fn parse(text: &str) -> Vec<Vec<String>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn masks_only_the_named_columns_and_keeps_the_header() {
    let out = masked(
        "name,card\nAda,1234 5678 9012 3456\n",
        &[("card", MaskType::ShowLast4)],
    )
    .unwrap();
    assert_eq!(out, "name,card\nAda,XXXXXXXXXXXXXXX3456\n");
}

#[test]
fn masks_several_columns_with_different_masks() {
    let out = masked(
        "id,name,email\n1,Ada Lovelace,ada@example.com\n",
        &[
            ("name", MaskType::Redact),
            ("email", MaskType::Hash),
            ("id", MaskType::Nullify),
        ],
    )
    .unwrap();
    assert_eq!(
        out,
        format!(
            "id,name,email\n,Xxx Xxxxxxxx,{}\n",
            hash("ada@example.com", None)
        )
    );
}

#[test]
fn quoted_fields_with_commas_quotes_and_newlines_are_one_field() {
    let text = "note,n\n\"Hello, \"\"World\"\"\nLine 2\",7\n";
    let out = masked(text, &[("note", MaskType::Redact)]).unwrap();
    assert_eq!(out, "note,n\n\"Xxxxx, \"\"Xxxxx\"\"\nXxxx 0\",7\n");
    assert_eq!(
        parse(&out),
        vec![vec!["note", "n"], vec!["Xxxxx, \"Xxxxx\"\nXxxx 0", "7"]]
    );
}

#[test]
fn crlf_input_gives_crlf_output() {
    let out = masked("a,b\r\nxy,Zz\r\nQQ,1\r\n", &[("b", MaskType::Redact)]).unwrap();
    assert_eq!(out, "a,b\r\nxy,Xx\r\nQQ,0\r\n");
}

#[test]
fn a_utf8_bom_is_kept_and_not_part_of_the_first_column_name() {
    let out = masked(
        "\u{feff}email,x\nalice,1\n",
        &[("email", MaskType::ShowFirst4)],
    )
    .unwrap();
    assert_eq!(out, "\u{feff}email,x\nalicX,1\n");
}

#[test]
fn a_text_without_a_final_newline_gets_none_back() {
    assert_eq!(
        masked("a\nhello", &[("a", MaskType::Redact)]).unwrap(),
        "a\nxxxxx"
    );
    assert_eq!(
        masked("a\r\nhello", &[("a", MaskType::Redact)]).unwrap(),
        "a\r\nxxxxx"
    );
}

#[test]
fn empty_fields_are_null_and_stay_empty_under_every_mask() {
    for mask in MaskType::ALL {
        let out = masked("a,b\n,1\n", &[("a", mask)]).unwrap();
        assert_eq!(parse(&out), vec![vec!["a", "b"], vec!["", "1"]], "{mask}");
    }
}

#[test]
fn nullify_empties_the_field() {
    assert_eq!(
        masked("a,b\nsecret,1\n", &[("a", MaskType::Nullify)]).unwrap(),
        "a,b\n,1\n"
    );
}

#[test]
fn a_single_column_row_that_becomes_empty_still_round_trips() {
    let out = masked("a\nsecret\nother\n", &[("a", MaskType::Nullify)]).unwrap();
    assert_eq!(parse(&out), vec![vec!["a"], vec![""], vec![""]]);
}

#[test]
fn masked_values_that_need_quotes_get_them() {
    // REDACT keeps the comma and the quote; the writer must quote the field again.
    let out = masked("v\n\"Ab,\"\"c\"\n", &[("v", MaskType::ShowFirst4)]).unwrap();
    assert_eq!(
        parse(&out),
        vec![vec!["v".to_owned()], vec!["Ab,\"X".to_owned()]]
    );
}

#[test]
fn output_round_trips_through_the_same_parser() {
    let text = "\u{feff}id,name,note\r\n1,Zoë,\"multi\r\nline, \"\"quoted\"\"\"\r\n2,,東京\r\n3,👩‍👩‍👧‍👦,e\u{301}\r\n";
    let masks = [
        ("name", MaskType::Redact),
        ("note", MaskType::ShowLast4),
        ("id", MaskType::Hash),
    ];
    let out = masked(text, &masks).unwrap();
    let rows = parse(&out);
    let input = parse(text);
    assert_eq!(rows.len(), input.len());
    assert_eq!(rows[0], input[0]);
    for (row_out, row_in) in rows.iter().zip(&input).skip(1) {
        assert_eq!(row_out.len(), row_in.len());
        assert_eq!(row_out[1].chars().count(), row_in[1].chars().count());
        assert_eq!(row_out[2].chars().count(), row_in[2].chars().count());
        assert_eq!(row_out[0], hash(&row_in[0], None));
    }
}

#[test]
fn a_ragged_row_is_an_error_naming_the_row_and_line() {
    let text = "a,b,c,d\n1,2,3,4\n\"x\ny\",2,3,4\n1,2,3\n";
    let err = masked(text, &[("a", MaskType::Redact)]).unwrap_err();
    assert_eq!(
        err,
        MaskError::RaggedRow {
            row: 3,
            line: 5,
            expected: 4,
            found: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "row 3 (line 5): expected 4 fields, found 3"
    );
}

#[test]
fn a_ragged_row_is_an_error_even_when_no_column_is_masked() {
    assert!(matches!(
        masked("a,b\n1\n", &[]),
        Err(MaskError::RaggedRow {
            row: 1,
            line: 2,
            expected: 2,
            found: 1
        })
    ));
}

#[test]
fn an_unknown_column_is_an_error_listing_the_header() {
    let err = masked("email,name\nx,y\n", &[("mail", MaskType::Hash)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "column \"mail\" is not in the CSV header (columns: \"email\", \"name\")"
    );
}

#[test]
fn column_names_match_exactly() {
    assert!(matches!(
        masked("Email\nx\n", &[("email", MaskType::Hash)]),
        Err(MaskError::UnknownColumn { .. })
    ));
}

#[test]
fn a_masked_column_named_twice_in_the_header_is_an_error() {
    let err = masked("email,x,email\na,b,c\n", &[("email", MaskType::Hash)]).unwrap_err();
    assert_eq!(
        err,
        MaskError::DuplicateColumn {
            column: "email".into(),
            first: 1,
            second: 3
        }
    );
}

#[test]
fn one_column_with_two_different_masks_is_an_error() {
    let err = masked("a\nx\n", &[("a", MaskType::Hash), ("a", MaskType::Redact)]).unwrap_err();
    assert!(matches!(err, MaskError::ConflictingMasks { .. }), "{err}");
    // The same mask twice is harmless.
    assert!(masked("a\nx\n", &[("a", MaskType::Hash), ("a", MaskType::Hash)]).is_ok());
}

#[test]
fn an_empty_text_with_masks_is_an_error_and_without_masks_is_returned_as_is() {
    assert_eq!(
        masked("", &[("a", MaskType::Hash)]),
        Err(MaskError::MissingHeader)
    );
    assert_eq!(masked("", &[]).unwrap(), "");
}

#[test]
fn a_header_only_text_is_returned_with_its_header() {
    assert_eq!(masked("a,b\n", &[("a", MaskType::Hash)]).unwrap(), "a,b\n");
}

#[test]
fn keyed_hash_applies_to_csv_columns() {
    let options = MaskOptions {
        hash_key: Some(b"k".to_vec()),
    };
    let out = mask_csv("e\nx@y.z\n", [("e", MaskType::Hash)], &options).unwrap();
    assert_eq!(out, format!("e\n{}\n", hash("x@y.z", Some(b"k"))));
}

#[test]
fn masks_can_be_given_as_a_map() {
    let masks: std::collections::BTreeMap<String, MaskType> =
        [("a".to_owned(), MaskType::Redact)].into();
    assert_eq!(
        mask_csv("a\nQ1\n", masks, &MaskOptions::default()).unwrap(),
        "a\nX0\n"
    );
}
