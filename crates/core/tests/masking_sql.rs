//! Warehouse SQL for the masks. PostgreSQL and DuckDB output is proven equal to the preview on a
//! real server by `tests/masking-sql.test.mjs`; these tests pin the shape of every dialect's SQL
//! (Snowflake and Databricks follow their public docs) and the errors.

// Test code: a failed unwrap or index is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use steward_core::masking::{mask_sql, mask_sql_with, Dialect, MaskError, MaskType, SqlOptions};

fn sql(mask: MaskType, column: &str, dialect: Dialect) -> String {
    mask_sql(mask, column, dialect).unwrap()
}

fn keyed(key_sql: &str) -> SqlOptions {
    SqlOptions {
        hash_key_sql: Some(key_sql.to_owned()),
    }
}

#[test]
fn dialect_names_parse_in_any_case() {
    for dialect in Dialect::ALL {
        assert_eq!(dialect.name().parse::<Dialect>().unwrap(), dialect);
        assert_eq!(
            dialect.name().to_uppercase().parse::<Dialect>().unwrap(),
            dialect
        );
    }
    assert_eq!("PostgreSQL".parse::<Dialect>().unwrap(), Dialect::Postgres);
    assert_eq!(
        "oracle".parse::<Dialect>(),
        Err(MaskError::UnknownDialect("oracle".into()))
    );
}

#[test]
fn identifiers_are_always_quoted_with_embedded_quotes_doubled() {
    assert!(sql(MaskType::Hash, "Email", Dialect::Postgres).contains(r#"CAST("Email" AS TEXT)"#));
    assert!(sql(MaskType::Hash, r#"we"ird"#, Dialect::Postgres).contains(r#""we""ird""#));
    assert!(sql(MaskType::Hash, r#"we"ird"#, Dialect::DuckDb).contains(r#""we""ird""#));
    assert!(sql(MaskType::Hash, r#"we"ird"#, Dialect::Snowflake).contains(r#""we""ird""#));
    assert!(sql(MaskType::Hash, "we`ird", Dialect::Databricks).contains("`we``ird`"));
    // A double quote needs no escaping between backticks, and a backtick none between quotes.
    assert!(sql(MaskType::Hash, r#"a"b"#, Dialect::Databricks).contains(r#"`a"b`"#));
    assert!(sql(MaskType::Hash, "a`b", Dialect::Postgres).contains(r#""a`b""#));
}

#[test]
fn an_injection_attempt_stays_inside_the_identifier() {
    let column = r#"x") FROM t; DROP TABLE t; --"#;
    let out = sql(MaskType::Redact, column, Dialect::Postgres);
    assert!(out.contains(r#""x"") FROM t; DROP TABLE t; --""#), "{out}");
}

#[test]
fn empty_and_nul_column_names_are_errors() {
    for dialect in Dialect::ALL {
        assert!(matches!(
            mask_sql(MaskType::Hash, "", dialect),
            Err(MaskError::InvalidColumn { .. })
        ));
        assert!(matches!(
            mask_sql(MaskType::Hash, "a\0b", dialect),
            Err(MaskError::InvalidColumn { .. })
        ));
    }
}

#[test]
fn partial_masks_pad_to_the_length_in_characters() {
    assert_eq!(
        sql(MaskType::ShowFirst4, "c", Dialect::Postgres),
        r#"rpad(left(CAST("c" AS TEXT), 4), char_length(CAST("c" AS TEXT)), 'X')"#
    );
    assert_eq!(
        sql(MaskType::ShowLast4, "c", Dialect::Postgres),
        r#"lpad(right(CAST("c" AS TEXT), 4), char_length(CAST("c" AS TEXT)), 'X')"#
    );
    assert_eq!(
        sql(MaskType::ShowFirst4, "c", Dialect::DuckDb),
        r#"rpad(left(CAST("c" AS VARCHAR), 4), CAST(length(CAST("c" AS VARCHAR)) AS INTEGER), 'X')"#
    );
    assert_eq!(
        sql(MaskType::ShowLast4, "C", Dialect::Snowflake),
        r#"lpad(right(CAST("C" AS VARCHAR), 4), length(CAST("C" AS VARCHAR)), 'X')"#
    );
    assert_eq!(
        sql(MaskType::ShowFirst4, "c", Dialect::Databricks),
        "rpad(left(CAST(`c` AS STRING), 4), char_length(CAST(`c` AS STRING)), 'X')"
    );
}

#[test]
fn hash_is_hex_sha256_of_the_utf8_text_in_every_dialect() {
    assert_eq!(
        sql(MaskType::Hash, "c", Dialect::Postgres),
        r#"encode(sha256(convert_to(CAST("c" AS TEXT), 'UTF8')), 'hex')"#
    );
    assert_eq!(
        sql(MaskType::Hash, "c", Dialect::DuckDb),
        r#"sha256(CAST("c" AS VARCHAR))"#
    );
    assert_eq!(
        sql(MaskType::Hash, "C", Dialect::Snowflake),
        r#"sha2(CAST("C" AS VARCHAR), 256)"#
    );
    assert_eq!(
        sql(MaskType::Hash, "c", Dialect::Databricks),
        "sha2(CAST(`c` AS STRING), 256)"
    );
}

#[test]
fn nullify_is_a_typed_null() {
    assert_eq!(
        sql(MaskType::Nullify, "c", Dialect::Postgres),
        "CAST(NULL AS TEXT)"
    );
    assert_eq!(
        sql(MaskType::Nullify, "c", Dialect::DuckDb),
        "CAST(NULL AS VARCHAR)"
    );
    assert_eq!(
        sql(MaskType::Nullify, "c", Dialect::Snowflake),
        "CAST(NULL AS VARCHAR)"
    );
    assert_eq!(
        sql(MaskType::Nullify, "c", Dialect::Databricks),
        "CAST(NULL AS STRING)"
    );
}

#[test]
fn redact_uses_unicode_properties_where_the_engine_has_them() {
    let duckdb = sql(MaskType::Redact, "c", Dialect::DuckDb);
    assert_eq!(
        duckdb,
        r#"regexp_replace(regexp_replace(regexp_replace(CAST("c" AS VARCHAR), '\p{Lu}', 'X', 'g'), '\p{Ll}', 'x', 'g'), '\p{Nd}', '0', 'g')"#
    );
    let databricks = sql(MaskType::Redact, "c", Dialect::Databricks);
    assert_eq!(
        databricks,
        r"regexp_replace(regexp_replace(regexp_replace(CAST(`c` AS STRING), r'\p{Lu}', 'X'), r'\p{Ll}', 'x'), r'\p{Nd}', '0')"
    );
}

#[test]
fn redact_spells_the_categories_out_where_regex_classes_follow_the_locale() {
    for dialect in [Dialect::Postgres, Dialect::Snowflake] {
        let out = sql(MaskType::Redact, "c", dialect);
        assert!(
            !out.contains("[[:"),
            "no locale-dependent POSIX classes: {dialect}"
        );
        // Latin, Greek, Armenian capitals; Arabic-Indic and Devanagari digits; astral Lu.
        for c in ['A', 'É', 'Σ', 'Ա', '٣', '३', '𝐀', 'ß', 'ω'] {
            assert!(
                out.contains(c) || in_some_range(&out, c),
                "{dialect}: {c} missing"
            );
        }
        // Characters REDACT keeps must not be listed.
        for c in ['Ⓐ', '½', 'ǅ', '東', '👍'] {
            assert!(!in_some_range(&out, c), "{dialect}: {c} listed");
        }
        assert!(out.len() < 16_000, "{dialect}: {} bytes", out.len());
    }
}

/// Whether `c` falls inside one of the `[…]` bracket expressions of `sql` (singletons or ranges).
fn in_some_range(sql: &str, c: char) -> bool {
    sql.split('[').skip(1).any(|bracket| {
        let body: Vec<char> = bracket.split(']').next().unwrap().chars().collect();
        let mut i = 0;
        while i < body.len() {
            if i + 2 < body.len() && body[i + 1] == '-' {
                if (body[i]..=body[i + 2]).contains(&c) {
                    return true;
                }
                i += 3;
            } else {
                if body[i] == c {
                    return true;
                }
                i += 1;
            }
        }
        false
    })
}

#[test]
fn keyed_hash_uses_hmac_where_the_engine_has_it() {
    assert_eq!(
        mask_sql_with(MaskType::Hash, "c", Dialect::Postgres, &keyed("$1")).unwrap(),
        r#"encode(hmac(convert_to(CAST("c" AS TEXT), 'UTF8'), convert_to($1, 'UTF8'), 'sha256'), 'hex')"#
    );
    assert_eq!(
        mask_sql_with(MaskType::Hash, "c", Dialect::Databricks, &keyed(":key")).unwrap(),
        "lower(hex(hmac(CAST(:key AS BINARY), CAST(CAST(`c` AS STRING) AS BINARY), 'SHA-256')))"
    );
}

#[test]
fn keyed_hash_is_a_clear_error_where_the_engine_has_no_hmac() {
    for dialect in [Dialect::DuckDb, Dialect::Snowflake] {
        let err = mask_sql_with(MaskType::Hash, "c", dialect, &keyed("$1")).unwrap_err();
        assert!(
            matches!(
                err,
                MaskError::UnsupportedSql {
                    mask: MaskType::Hash,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("HMAC"), "{err}");
    }
}

#[test]
fn an_empty_key_expression_is_an_error() {
    assert!(matches!(
        mask_sql_with(MaskType::Hash, "c", Dialect::Postgres, &keyed(" ")),
        Err(MaskError::UnsupportedSql { .. })
    ));
}

#[test]
fn a_key_expression_changes_only_the_hash_mask() {
    for mask in [
        MaskType::ShowFirst4,
        MaskType::ShowLast4,
        MaskType::Redact,
        MaskType::Nullify,
    ] {
        for dialect in Dialect::ALL {
            assert_eq!(
                mask_sql_with(mask, "c", dialect, &keyed("$1")).unwrap(),
                sql(mask, "c", dialect)
            );
        }
    }
}
