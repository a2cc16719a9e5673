//! Masking exports (SPEC §3, §9): `mask`, `maskColumn`, `maskCsv`, `maskSql`. Only conversions
//! between JS values and `steward_core::masking` live here; every rule is in core.
//!
//! How JS values are read (the same for `mask` and every cell of `maskColumn`):
//! - strings as they are; a string holding a lone UTF-16 surrogate (not valid Unicode) is read
//!   with U+FFFD in its place, as `TextEncoder` does, so it masks like its replacement form;
//! - numbers as `String(n)` (`1.0` → `"1"`, `NaN` → `"NaN"`), booleans as `"true"`/`"false"`,
//!   bigints as their decimal digits;
//! - `null` and `undefined` are null, and stay null;
//! - anything else (objects, arrays, functions, symbols) is an `INVALID_VALUE` error naming the
//!   element.
//!
//! Error codes: `INVALID_MASK`, `INVALID_VALUE`, `INVALID_OPTIONS`, `INVALID_CSV`,
//! `INVALID_DIALECT`, `INVALID_COLUMN`, `UNSUPPORTED_SQL`.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use steward_core::masking::{
    self, Dialect, MaskError, MaskOptions, MaskType, MaskedUnits, SqlOptions,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{ErrorCode, StewardError};

#[wasm_bindgen(typescript_custom_section)]
const MASKING_TYPES: &'static str = r#"
/** A mask: Steward's name or the catalog's wire name (`MASK_HASH`, `heka:MASK_NULL`, …). */
export type MaskType = "SHOW_FIRST_4" | "SHOW_LAST_4" | "HASH" | "NULLIFY" | "REDACT" | (string & {});
/** A value the masks accept: numbers, booleans and bigints are masked as their text; `null` and `undefined` stay null. */
export type MaskableValue = string | number | boolean | bigint | null | undefined;
/** `key`: a secret that turns HASH into HMAC-SHA-256 (hex), consistent within one key. Text is used as its UTF-8 bytes. */
export interface MaskOptions { key?: string | Uint8Array }
/** A SQL engine `maskSql` writes for. */
export type SqlDialect = "postgres" | "duckdb" | "snowflake" | "databricks";
/** `keySql`: a SQL expression yielding the HMAC key as text for a keyed HASH, e.g. a bind parameter (`$1`). Inserted verbatim: never build it from untrusted input. */
export interface MaskSqlOptions { keySql?: string }
"#;

#[wasm_bindgen]
extern "C" {
    /// The optional `options` argument of the masks, typed `MaskOptions` for TypeScript.
    #[wasm_bindgen(typescript_type = "MaskOptions")]
    pub type MaskOptionsArg;

    /// The optional `options` argument of `maskSql`, typed `MaskSqlOptions` for TypeScript.
    #[wasm_bindgen(typescript_type = "MaskSqlOptions")]
    pub type MaskSqlOptionsArg;
}

/// Masks one value: `mask("1234 Street Name", "REDACT")` → `"0000 Xxxxxx Xxxx"`; null stays null.
#[wasm_bindgen(js_name = mask, unchecked_return_type = "string | null")]
pub fn mask(
    #[wasm_bindgen(unchecked_param_type = "MaskableValue")] value: JsValue,
    #[wasm_bindgen(js_name = maskType, unchecked_param_type = "MaskType")] mask_type: JsValue,
    options: Option<MaskOptionsArg>,
) -> Result<JsValue, StewardError> {
    let mask_type = parse_mask(&mask_type)?;
    let options = mask_options(options.map(JsValue::from))?;
    let text = cell_text(&value, || "value".to_owned())?;
    Ok(masking::mask(text.as_deref(), mask_type, &options)
        .map_or(JsValue::NULL, |s| JsValue::from_str(&s)))
}

/// Masks a whole column: `maskColumn(values, "HASH")` → an array of the same length, in order.
///
/// The package exports js/masking.js's `maskColumn` instead, which crosses the column through
/// buffers in the module's memory (`columnReserve` … `columnRelease`, below). It falls back to
/// this function, which reads and masks the cells one by one, for what that path can't write:
/// `values` that is not an array, a cell of another kind (the located `INVALID_VALUE` error is
/// thrown here), or cells that change while they are read.
#[wasm_bindgen(js_name = maskColumn, unchecked_return_type = "(string | null)[]")]
pub fn mask_column(
    #[wasm_bindgen(unchecked_param_type = "MaskableValue[]")] values: JsValue,
    #[wasm_bindgen(js_name = maskType, unchecked_param_type = "MaskType")] mask_type: JsValue,
    options: Option<MaskOptionsArg>,
) -> Result<JsValue, StewardError> {
    let mask_type = parse_mask(&mask_type)?;
    let options = mask_options(options.map(JsValue::from))?;
    if !Array::is_array(&values) {
        return Err(StewardError::new(
            ErrorCode::InvalidValue,
            format!("values: expected an array, found {}", describe(&values)),
        ));
    }
    let values: Array = values.unchecked_into();
    // Every cell is read before any is masked, so a bad cell fails under every mask, NULLIFY
    // included.
    let texts = (0..values.length())
        .map(|i| cell_text(&values.get(i), || format!("values[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(masking::mask_column(&texts, mask_type, &options)
        .into_iter()
        .map(|cell| cell.map_or(JsValue::NULL, JsValue::from))
        .collect::<Array>()
        .into())
}

/// `maskColumn`'s fast path, step 1 (js/masking.js): checks the mask and options exactly as
/// `maskColumn` does, first, with the same errors, and answers the mask's own name (`"HASH"` for
/// `heka:MASK_HASH`): NULLIFY needs no cell's text, and HASH's hex is decoded its own way.
#[wasm_bindgen(js_name = columnMaskName, skip_typescript)]
pub fn column_mask_name(
    mask_type: JsValue,
    options: Option<MaskOptionsArg>,
) -> Result<String, StewardError> {
    let mask_type = parse_mask(&mask_type)?;
    mask_options(options.map(JsValue::from))?;
    Ok(mask_type.name().to_owned())
}

// `maskColumn`'s fast path, step 2 (js/masking.js): the column crosses through buffers in the
// module's memory that JS reads and writes in place, so no text is copied on its way in or out:
// JS writes the cells' UTF-16 code units straight into `ColumnScratch::text` (one byte each
// while the column is ASCII), wasm masks them into `ColumnScratch::out`, and JS decodes that
// into one string which it slices. The buffers live between these calls only: one column at a
// time (wasm is single-threaded, and nothing else runs between the calls), released at the end.
// Addresses are byte offsets into the memory `columnMemory` answers.

/// The column `maskColumn` is masking, while it crosses.
#[derive(Default)]
struct ColumnScratch {
    /// Each cell's length in UTF-16 code units (`NULL_CELL` for null), then its masked length.
    lengths: Vec<u32>,
    /// The cells' text while every character so far is ASCII, one byte per code unit.
    ascii: Vec<u8>,
    /// The cells' text as UTF-16 code units, once a cell is not ASCII.
    units: Vec<u16>,
    /// Whether the text is in `units` rather than `ascii`.
    wide: bool,
    /// The masked column's text.
    out: Option<MaskedUnits>,
}

thread_local! {
    static COLUMN: RefCell<ColumnScratch> = RefCell::new(ColumnScratch::default());
}

/// The address of a buffer, as JS indexes the module's memory.
fn address<T>(buffer: &[T]) -> u32 {
    // wasm32 addresses are 32-bit; natively (never used there) this saturates.
    u32::try_from(buffer.as_ptr() as usize).unwrap_or(u32::MAX)
}

/// The module's `WebAssembly.Memory`, whose buffer the column buffers live in.
#[wasm_bindgen(js_name = columnMemory, skip_typescript)]
pub fn column_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Reserves the buffers of a column of `cells` cells and `units` code units of text, ASCII to
/// begin with; answers `[lengths address, text address]`. JS writes the lengths and the text.
#[wasm_bindgen(js_name = columnReserve, skip_typescript)]
pub fn column_reserve(cells: u32, units: u32) -> Vec<u32> {
    COLUMN.with_borrow_mut(|column| {
        *column = ColumnScratch {
            lengths: vec![0; cells as usize],
            ascii: vec![0; units as usize],
            ..ColumnScratch::default()
        };
        vec![address(&column.lengths), address(&column.ascii)]
    })
}

/// The column has a cell that is not ASCII: moves the first `written` characters JS wrote into
/// a UTF-16 buffer of the same length, where JS goes on writing; answers its address.
#[wasm_bindgen(js_name = columnWiden, skip_typescript)]
pub fn column_widen(written: u32) -> u32 {
    COLUMN.with_borrow_mut(|column| {
        let ascii = std::mem::take(&mut column.ascii);
        let mut units: Vec<u16> = Vec::with_capacity(ascii.len());
        units.extend(ascii.iter().take(written as usize).map(|b| u16::from(*b)));
        units.resize(ascii.len(), 0);
        column.units = units;
        column.wide = true;
        address(&column.units)
    })
}

/// Masks the reserved column. Answers `[lengths address, text address, text length, wide]`:
/// the masked lengths replace the lengths in place (`NULL_CELL` for null), and the masked text
/// is ASCII bytes (`wide` 0) or UTF-16 code units (`wide` 1). `undefined` if the lengths don't
/// add up to the text (JS then takes the cell-by-cell path).
#[wasm_bindgen(js_name = columnMask, skip_typescript)]
pub fn column_mask(
    mask_type: JsValue,
    options: Option<MaskOptionsArg>,
) -> Result<Option<Vec<u32>>, StewardError> {
    let masker = column_masker(&mask_type, options)?;
    Ok(COLUMN.with_borrow_mut(|column| {
        let ColumnScratch {
            lengths,
            ascii,
            units,
            wide,
            out,
        } = column;
        let masked = if *wide {
            masking::mask_joined_utf16(units, lengths, &masker)?
        } else {
            MaskedUnits::Ascii(masking::mask_joined_ascii(ascii, lengths, &masker)?.into_bytes())
        };
        let answer = match &masked {
            MaskedUnits::Ascii(text) => [address(text), u32::try_from(text.len()).ok()?, 0],
            MaskedUnits::Utf16(text) => [address(text), u32::try_from(text.len()).ok()?, 1],
        };
        *out = Some(masked);
        Some(vec![address(lengths), answer[0], answer[1], answer[2]])
    }))
}

/// Frees the column's buffers (JS has read what it needs).
#[wasm_bindgen(js_name = columnRelease, skip_typescript)]
pub fn column_release() {
    COLUMN.with_borrow_mut(|column| *column = ColumnScratch::default());
}

fn column_masker(
    mask_type: &JsValue,
    options: Option<MaskOptionsArg>,
) -> Result<masking::Masker, StewardError> {
    let mask_type = parse_mask(mask_type)?;
    let options = mask_options(options.map(JsValue::from))?;
    Ok(masking::Masker::new(mask_type, &options))
}

/// Masks columns of a CSV text whose first row is a header:
/// `maskCsv(text, {email: "HASH", name: "REDACT"})` → the masked CSV text, same shape (BOM,
/// line endings, quoting where needed). Empty fields are null and stay empty.
#[wasm_bindgen(js_name = maskCsv)]
pub fn mask_csv(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(js_name = masksByColumn, unchecked_param_type = "Record<string, MaskType> | Map<string, MaskType>")]
    masks_by_column: JsValue,
    options: Option<MaskOptionsArg>,
) -> Result<String, StewardError> {
    let text = text.as_string().ok_or_else(|| {
        StewardError::new(
            ErrorCode::InvalidCsv,
            format!("text: expected a string, found {}", describe(&text)),
        )
    })?;
    let options = mask_options(options.map(JsValue::from))?;
    let masks = masks_by_column_entries(&masks_by_column)?;
    masking::mask_csv(&text, masks, &options).map_err(mask_error)
}

/// The SQL expression that applies a mask to a column in a warehouse:
/// `maskSql("HASH", "email", "postgres")` → `encode(sha256(convert_to(CAST("email" AS TEXT), 'UTF8')), 'hex')`.
/// The column is one identifier, quoted for the dialect.
#[wasm_bindgen(js_name = maskSql)]
pub fn mask_sql(
    #[wasm_bindgen(js_name = maskType, unchecked_param_type = "MaskType")] mask_type: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] column: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SqlDialect")] dialect: JsValue,
    options: Option<MaskSqlOptionsArg>,
) -> Result<String, StewardError> {
    let mask_type = parse_mask(&mask_type)?;
    let column = column.as_string().ok_or_else(|| {
        StewardError::new(
            ErrorCode::InvalidColumn,
            format!("column: expected a string, found {}", describe(&column)),
        )
    })?;
    let dialect: Dialect = dialect
        .as_string()
        .ok_or_else(|| {
            StewardError::new(
                ErrorCode::InvalidDialect,
                format!("dialect: expected a string, found {}", describe(&dialect)),
            )
        })?
        .parse()
        .map_err(mask_error)?;
    let options = sql_options(options.map(JsValue::from))?;
    masking::mask_sql_with(mask_type, &column, dialect, &options).map_err(mask_error)
}

fn parse_mask(name: &JsValue) -> Result<MaskType, StewardError> {
    let Some(text) = name.as_string() else {
        return Err(StewardError::new(
            ErrorCode::InvalidMask,
            format!("maskType: expected a string, found {}", describe(name)),
        ));
    };
    text.parse().map_err(|e: masking::UnknownMaskType| {
        StewardError::new(ErrorCode::InvalidMask, format!("maskType: {e}"))
    })
}

/// The one place a `MaskError` becomes a JS error code.
fn mask_error(error: MaskError) -> StewardError {
    let code = match &error {
        MaskError::UnknownMask(_) => ErrorCode::InvalidMask,
        MaskError::UnknownDialect(_) => ErrorCode::InvalidDialect,
        MaskError::UnknownColumn { .. }
        | MaskError::DuplicateColumn { .. }
        | MaskError::ConflictingMasks { .. }
        | MaskError::MissingHeader
        | MaskError::RaggedRow { .. }
        | MaskError::Csv(_) => ErrorCode::InvalidCsv,
        MaskError::InvalidColumn { .. } => ErrorCode::InvalidColumn,
        MaskError::UnsupportedSql { .. } => ErrorCode::UnsupportedSql,
    };
    StewardError::new(code, error.to_string())
}

/// The text one JS value is masked as; `None` for null and undefined.
fn cell_text(value: &JsValue, at: impl Fn() -> String) -> Result<Option<String>, StewardError> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    if let Some(number) = value.as_f64() {
        return Ok(Some(masking::number_text(number)));
    }
    if let Some(boolean) = value.as_bool() {
        return Ok(Some(boolean.to_string()));
    }
    if value.is_bigint() {
        let digits = value
            .unchecked_ref::<js_sys::BigInt>()
            .to_string(10)
            .ok()
            .and_then(|s| s.as_string());
        return Ok(digits);
    }
    Err(StewardError::new(
        ErrorCode::InvalidValue,
        format!(
            "{}: expected a string, number, boolean or null, found {}",
            at(),
            describe(value)
        ),
    ))
}

/// "an object", "an array", "a function", … for error messages (never the value itself: it may
/// be the very data being masked).
fn describe(value: &JsValue) -> &'static str {
    if value.is_null() {
        "null"
    } else if value.is_undefined() {
        "undefined"
    } else if Array::is_array(value) {
        "an array"
    } else if value.is_string() {
        "a string"
    } else if value.as_f64().is_some() {
        "a number"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.is_bigint() {
        "a bigint"
    } else if value.is_function() {
        "a function"
    } else if value.is_symbol() {
        "a symbol"
    } else {
        "an object"
    }
}

/// Reads `{key?}`. Unknown properties are errors: a misspelt `key` must not silently give the
/// unkeyed hash.
fn mask_options(options: Option<JsValue>) -> Result<MaskOptions, StewardError> {
    let invalid = |message: String| StewardError::new(ErrorCode::InvalidOptions, message);
    let Some(options) = plain_object(options, "options", &["key"])? else {
        return Ok(MaskOptions::default());
    };
    let key = Reflect::get(&options, &JsValue::from_str("key"))
        .map_err(|_| invalid("options.key: unreadable".into()))?;
    let hash_key = if key.is_null() || key.is_undefined() {
        None
    } else if let Some(text) = key.as_string() {
        Some(text.into_bytes())
    } else if let Some(bytes) = key.dyn_ref::<Uint8Array>() {
        Some(bytes.to_vec())
    } else {
        return Err(invalid(format!(
            "options.key: expected a string or Uint8Array, found {}",
            describe(&key)
        )));
    };
    if hash_key.as_ref().is_some_and(Vec::is_empty) {
        return Err(invalid("options.key: the key must not be empty".into()));
    }
    Ok(MaskOptions { hash_key })
}

/// Reads `{keySql?}` for `maskSql`.
fn sql_options(options: Option<JsValue>) -> Result<SqlOptions, StewardError> {
    let Some(options) = plain_object(options, "options", &["keySql"])? else {
        return Ok(SqlOptions::default());
    };
    let key_sql = Reflect::get(&options, &JsValue::from_str("keySql"))
        .map_err(|_| StewardError::new(ErrorCode::InvalidOptions, "options.keySql: unreadable"))?;
    if key_sql.is_null() || key_sql.is_undefined() {
        return Ok(SqlOptions::default());
    }
    let Some(key_sql) = key_sql.as_string() else {
        return Err(StewardError::new(
            ErrorCode::InvalidOptions,
            format!(
                "options.keySql: expected a string, found {}",
                describe(&key_sql)
            ),
        ));
    };
    Ok(SqlOptions {
        hash_key_sql: Some(key_sql),
    })
}

/// `None` for a missing options argument; the object if it is a plain object with only `known`
/// properties; an `INVALID_OPTIONS` error otherwise.
fn plain_object(
    options: Option<JsValue>,
    name: &str,
    known: &[&str],
) -> Result<Option<Object>, StewardError> {
    let Some(options) = options.filter(|o| !o.is_null() && !o.is_undefined()) else {
        return Ok(None);
    };
    if !options.is_object() || Array::is_array(&options) || options.is_function() {
        return Err(StewardError::new(
            ErrorCode::InvalidOptions,
            format!("{name}: expected an object, found {}", describe(&options)),
        ));
    }
    let options: Object = options.unchecked_into();
    for key in Object::keys(&options).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(StewardError::new(
                ErrorCode::InvalidOptions,
                format!(
                    "{name}.{key}: unknown option (expected {})",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(Some(options))
}

/// `{column: maskType}` (or a `Map`) as `(column, MaskType)` pairs, in insertion order.
fn masks_by_column_entries(masks: &JsValue) -> Result<Vec<(String, MaskType)>, StewardError> {
    let entries: Array = if let Some(map) = masks.dyn_ref::<js_sys::Map>() {
        Array::from(&map.entries())
    } else if masks.is_object() && !Array::is_array(masks) && !masks.is_function() {
        Object::entries(masks.unchecked_ref::<Object>())
    } else {
        return Err(StewardError::new(
            ErrorCode::InvalidMask,
            format!(
                "masksByColumn: expected an object like {{\"email\": \"HASH\"}}, found {}",
                describe(masks)
            ),
        ));
    };
    let mut pairs = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let entry: Array = entry.unchecked_into();
        let column = entry.get(0).as_string().unwrap_or_default();
        let name = entry.get(1);
        let mask = name.as_string().and_then(|n| n.parse::<MaskType>().ok()).ok_or_else(|| {
            let shown = name.as_string().map_or_else(|| describe(&name).to_owned(), |n| format!("{n:?}"));
            StewardError::new(
                ErrorCode::InvalidMask,
                format!(
                    "masksByColumn[{column:?}]: unknown mask type {shown} (expected SHOW_FIRST_4, SHOW_LAST_4, HASH, NULLIFY or REDACT)"
                ),
            )
        })?;
        pairs.push((column, mask));
    }
    Ok(pairs)
}
