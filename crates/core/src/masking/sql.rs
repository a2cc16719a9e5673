//! The same masks as warehouse SQL (SPEC §3, "warehouse-native enforcement"): an expression over
//! one column that gives, row by row, exactly what [`super::mask`] gives for the column's text.
//!
//! Per dialect:
//!
//! | mask | PostgreSQL | DuckDB | Snowflake | Databricks |
//! |---|---|---|---|---|
//! | partial masks | `rpad(left(t, 4), char_length(t), 'X')` | same, `CAST(length(t) AS INTEGER)` | same, `length(t)` | same, `char_length(t)` |
//! | REDACT | `regexp_replace` with the Lu/Ll/Nd code point ranges spelled out | `\p{Lu}`, `\p{Ll}`, `\p{Nd}` | ranges spelled out | `\p{Lu}`, … (Java regex) |
//! | HASH | `encode(sha256(convert_to(t, 'UTF8')), 'hex')` | `sha256(t)` | `sha2(t, 256)` | `sha2(t, 256)` |
//! | keyed HASH | pgcrypto's `hmac` | — (no HMAC) | — (no HMAC) | `hmac` (Runtime 19+) |
//! | NULLIFY | `CAST(NULL AS TEXT)` | `CAST(NULL AS VARCHAR)` | same | `CAST(NULL AS STRING)` |
//!
//! All string functions used count characters (code points), not bytes, in each engine, and all
//! are strict: null stays null. `t` is the column cast to the engine's text type, so numeric and
//! boolean columns work too — but with the *engine's* text for them (PostgreSQL writes numeric
//! `1.0` as `1.0`, JavaScript as `1`), so the preview equals the SQL exactly for text columns.
//!
//! Why PostgreSQL and Snowflake spell REDACT's classes out: their regex classes are not the
//! Unicode General Category. PostgreSQL's `[[:upper:]]`/`[[:digit:]]` follow the database's
//! `LC_CTYPE` (under `C.UTF-8`, `٣` is not a digit and `Ⓐ` is upper) and its regex has no
//! `\p{…}`; Snowflake documents POSIX ERE with ASCII-only `\d`. A bracket expression listing every
//! Lu, Ll or Nd code point range (taken from the same table as the preview) matches exactly,
//! whatever the locale, at the cost of a longer statement (about 6 KB). PostgreSQL's version is
//! proven against a real server by `tests/masking-sql.test.mjs`; Snowflake's and Databricks' are
//! written from their public documentation. DuckDB (RE2) and Java know `\p{Lu}` natively; they
//! may lag the preview's Unicode version for characters assigned in the newest versions.
//!
//! The database must store text as UTF-8 (PostgreSQL: `ENCODING 'UTF8'`).

use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;
use std::sync::OnceLock;

use super::unicode::{class_ranges, RedactClass};
use super::{MaskError, MaskType};

/// A SQL engine Steward emits masks for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL 13 or later (for `sha256`), UTF-8 database.
    Postgres,
    /// DuckDB.
    #[serde(rename = "duckdb")]
    DuckDb,
    /// Snowflake.
    Snowflake,
    /// Databricks SQL / Databricks Runtime (Spark SQL).
    Databricks,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 4] = [
        Dialect::Postgres,
        Dialect::DuckDb,
        Dialect::Snowflake,
        Dialect::Databricks,
    ];

    /// The dialect's name as the API spells it (`postgres`, `duckdb`, `snowflake`, `databricks`).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::DuckDb => "duckdb",
            Dialect::Snowflake => "snowflake",
            Dialect::Databricks => "databricks",
        }
    }

    /// The engine's unbounded text type, for casts.
    fn text_type(self) -> &'static str {
        match self {
            Dialect::Postgres => "TEXT",
            Dialect::DuckDb | Dialect::Snowflake => "VARCHAR",
            Dialect::Databricks => "STRING",
        }
    }

    /// The length of `text` in characters, typed as the engine's `lpad`/`rpad` want it.
    fn char_length(self, text: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Databricks => format!("char_length({text})"),
            Dialect::Snowflake => format!("length({text})"),
            // DuckDB's length is a BIGINT, and its rpad/lpad take an INTEGER.
            Dialect::DuckDb => format!("CAST(length({text}) AS INTEGER)"),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = MaskError;

    /// Accepts the names of [`Dialect::name`] in any case, and `postgresql`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            "duckdb" => Ok(Dialect::DuckDb),
            "snowflake" => Ok(Dialect::Snowflake),
            "databricks" => Ok(Dialect::Databricks),
            _ => Err(MaskError::UnknownDialect(s.to_owned())),
        }
    }
}

/// Options for [`mask_sql_with`].
#[derive(Debug, Clone, Default)]
pub struct SqlOptions {
    /// For the keyed HASH: a SQL expression that yields the HMAC key as text, e.g. a bind
    /// parameter (`$1`, `:mask_key`) or `current_setting('steward.mask_key')`. It is inserted
    /// verbatim — so never build it from untrusted input — and the key itself should never be
    /// written into the statement, where query logs would keep it. `None` gives the plain HASH.
    pub hash_key_sql: Option<String>,
}

/// The SQL expression that masks `column` with `mask` in `dialect` (unkeyed HASH).
///
/// `column` is one identifier, exactly as stored (PostgreSQL folds unquoted names to lower case,
/// Snowflake to upper case); it is always quoted, with embedded quotes escaped.
pub fn mask_sql(mask: MaskType, column: &str, dialect: Dialect) -> Result<String, MaskError> {
    mask_sql_with(mask, column, dialect, &SqlOptions::default())
}

/// [`mask_sql`] with options (the keyed HASH).
pub fn mask_sql_with(
    mask: MaskType,
    column: &str,
    dialect: Dialect,
    options: &SqlOptions,
) -> Result<String, MaskError> {
    let text = format!(
        "CAST({} AS {})",
        quote_identifier(column, dialect)?,
        dialect.text_type()
    );
    let length = dialect.char_length(&text);
    Ok(match mask {
        MaskType::Nullify => format!("CAST(NULL AS {})", dialect.text_type()),
        // `rpad`/`lpad` truncate to, or pad up to, the given length: values of 4 characters or
        // fewer come back whole, longer ones get `X` for every character past (before) the 4.
        MaskType::ShowFirst4 => format!("rpad(left({text}, 4), {length}, 'X')"),
        MaskType::ShowLast4 => format!("lpad(right({text}, 4), {length}, 'X')"),
        MaskType::Hash => match options.hash_key_sql.as_deref() {
            None => unkeyed_hash(&text, dialect),
            Some(key) => keyed_hash(&text, key, dialect)?,
        },
        MaskType::Redact => redact(&text, dialect),
    })
}

fn unkeyed_hash(text: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => format!("encode(sha256(convert_to({text}, 'UTF8')), 'hex')"),
        Dialect::DuckDb => format!("sha256({text})"),
        Dialect::Snowflake | Dialect::Databricks => format!("sha2({text}, 256)"),
    }
}

fn keyed_hash(text: &str, key: &str, dialect: Dialect) -> Result<String, MaskError> {
    let unsupported = |reason| MaskError::UnsupportedSql {
        mask: MaskType::Hash,
        dialect,
        reason,
    };
    if key.trim().is_empty() {
        return Err(unsupported("the key expression is empty"));
    }
    match dialect {
        // pgcrypto's hmac(data, key, type); core PostgreSQL has no HMAC.
        Dialect::Postgres => {
            Ok(format!("encode(hmac(convert_to({text}, 'UTF8'), convert_to({key}, 'UTF8'), 'sha256'), 'hex')"))
        }
        // hmac(key, message, algorithm) returns BINARY; `hex` is upper case.
        Dialect::Databricks => Ok(format!("lower(hex(hmac(CAST({key} AS BINARY), CAST({text} AS BINARY), 'SHA-256')))")),
        Dialect::DuckDb => Err(unsupported(
            "DuckDB has no built-in HMAC; mask the column before loading it, or use the unkeyed HASH",
        )),
        Dialect::Snowflake => Err(unsupported(
            "Snowflake has no built-in HMAC; use a secure UDF, or the unkeyed HASH (SHA2)",
        )),
    }
}

fn redact(text: &str, dialect: Dialect) -> String {
    let classes = [
        (RedactClass::Upper, 'X'),
        (RedactClass::Lower, 'x'),
        (RedactClass::Digit, '0'),
    ];
    // Upper first: its replacement `X` is not Ll or Nd, and `x` is not Nd, so no pass undoes
    // an earlier one.
    classes.iter().fold(
        text.to_owned(),
        |inner, (class, replacement)| match dialect {
            Dialect::Postgres => format!(
                "regexp_replace({inner}, '{}', '{replacement}', 'g')",
                bracket(*class)
            ),
            Dialect::Snowflake => format!(
                "regexp_replace({inner}, '{}', '{replacement}')",
                bracket(*class)
            ),
            Dialect::DuckDb => format!(
                "regexp_replace({inner}, '{}', '{replacement}', 'g')",
                property(*class)
            ),
            // A raw literal (r'…'): Spark would otherwise eat the backslash.
            Dialect::Databricks => format!(
                "regexp_replace({inner}, r'{}', '{replacement}')",
                property(*class)
            ),
        },
    )
}

fn property(class: RedactClass) -> &'static str {
    match class {
        RedactClass::Upper => r"\p{Lu}",
        RedactClass::Lower => r"\p{Ll}",
        RedactClass::Digit => r"\p{Nd}",
    }
}

/// A bracket expression matching exactly the class's code points: `[A-ZÀ-ÖØ-Þ…]`. No Lu, Ll or
/// Nd character is special inside brackets (`]`, `^`, `-`, `\`, `[`) or in a SQL string (`'`).
fn bracket(class: RedactClass) -> &'static str {
    static UPPER: OnceLock<String> = OnceLock::new();
    static LOWER: OnceLock<String> = OnceLock::new();
    static DIGIT: OnceLock<String> = OnceLock::new();
    let cell = match class {
        RedactClass::Upper => &UPPER,
        RedactClass::Lower => &LOWER,
        RedactClass::Digit => &DIGIT,
    };
    cell.get_or_init(|| {
        let mut out = String::from("[");
        for (lo, hi) in class_ranges(class) {
            match u32::from(*hi) - u32::from(*lo) {
                0 => out.push(*lo),
                1 => {
                    out.push(*lo);
                    out.push(*hi);
                }
                _ => {
                    let _ = write!(out, "{lo}-{hi}");
                }
            }
        }
        out.push(']');
        out
    })
}

/// Quotes one identifier for `dialect`, doubling any embedded quote character.
fn quote_identifier(column: &str, dialect: Dialect) -> Result<String, MaskError> {
    let invalid = |reason| MaskError::InvalidColumn {
        column: column.to_owned(),
        reason,
    };
    if column.is_empty() {
        return Err(invalid("a column name must not be empty"));
    }
    if column.contains('\0') {
        return Err(invalid("a column name must not contain the NUL character"));
    }
    let quote = match dialect {
        Dialect::Databricks => '`',
        Dialect::Postgres | Dialect::DuckDb | Dialect::Snowflake => '"',
    };
    let mut quoted = String::with_capacity(column.len() + 2);
    quoted.push(quote);
    for c in column.chars() {
        if c == quote {
            quoted.push(quote);
        }
        quoted.push(c);
    }
    quoted.push(quote);
    Ok(quoted)
}
