//! Masking chosen columns of a CSV text (the page's "paste or upload CSV" preview).
//!
//! Parsing and writing use the `csv` crate (RFC 4180: quoted fields, `""` escapes, newlines
//! inside quotes, CRLF or LF). The output keeps the input's shape: the same header, a UTF-8 BOM
//! if the input had one, the same line terminator, a final newline only if the input had one,
//! and it parses back with the same parser into the same number of rows and fields. Fields are
//! re-quoted only where needed, so an unmasked field may lose quotes it didn't need.
//!
//! CSV has no null: an empty field is read as null (as PostgreSQL's `COPY … CSV` and Snowflake's
//! `EMPTY_FIELD_AS_NULL` read it), so it stays empty under every mask instead of hashing to the
//! SHA-256 of no bytes. Blank lines are skipped, as the parser skips them.

use ::csv::{ReaderBuilder, StringRecord, Terminator, WriterBuilder};

use super::{MaskError, MaskOptions, MaskType, Masker};

/// Masks the named columns of a CSV text whose first row is a header; other columns pass
/// through. `masks_by_column` pairs a header name (exact, case-sensitive) with its mask; giving
/// the same column two different masks is an error, as is a name the header lacks or has twice.
///
/// A data row with a different number of fields than the header is an error that names it:
/// `row 7 (line 9): expected 4 fields, found 3`.
pub fn mask_csv<I, S>(
    text: &str,
    masks_by_column: I,
    options: &MaskOptions,
) -> Result<String, MaskError>
where
    I: IntoIterator<Item = (S, MaskType)>,
    S: AsRef<str>,
{
    let wanted = collect_masks(masks_by_column)?;
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };

    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        // Field counts are checked here, to report them with the row and line.
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut header = StringRecord::new();
    if !reader.read_record(&mut header).map_err(csv_error)? {
        return if wanted.is_empty() {
            Ok(text.to_owned())
        } else {
            Err(MaskError::MissingHeader)
        };
    }
    let terminator = detect_terminator(body, reader.position().byte());
    let field_masks = resolve_columns(&header, wanted, options)?;

    let mut writer = WriterBuilder::new()
        .terminator(terminator)
        .from_writer(Vec::with_capacity(body.len() + body.len() / 8 + bom.len()));
    let write_error = |e: ::csv::Error| MaskError::Csv(format!("writing the masked CSV: {e}"));
    writer.write_record(&header).map_err(write_error)?;

    let mut record = StringRecord::new();
    let mut masked: Vec<u8> = Vec::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        if record.len() != header.len() {
            let position = record.position();
            return Err(MaskError::RaggedRow {
                row: position.map_or(0, ::csv::Position::record),
                line: position.map_or(0, ::csv::Position::line),
                expected: header.len(),
                found: record.len(),
            });
        }
        for (field, masker) in record.iter().zip(&field_masks) {
            match masker {
                // An empty field is null (see the module comment): nothing to mask.
                Some(masker) if !field.is_empty() => {
                    masked.clear();
                    masker.mask_into(field, &mut masked);
                    writer.write_field(&masked).map_err(write_error)?;
                }
                _ => writer.write_field(field).map_err(write_error)?,
            }
        }
        writer
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(write_error)?;
    }

    let bytes = writer
        .into_inner()
        .map_err(|e| MaskError::Csv(format!("writing the masked CSV: {}", e.error())))?;
    let mut out = String::with_capacity(bom.len() + bytes.len());
    out.push_str(bom);
    out.push_str(
        &String::from_utf8(bytes)
            .map_err(|e| MaskError::Csv(format!("writing the masked CSV: {e}")))?,
    );
    if !body.ends_with(['\n', '\r']) {
        // The writer ends every row; a text without a final newline gets none back.
        let terminator = if matches!(terminator, Terminator::CRLF) {
            "\r\n"
        } else {
            "\n"
        };
        if let Some(kept) = out.strip_suffix(terminator).map(str::len) {
            out.truncate(kept);
        }
    }
    Ok(out)
}

/// Collects `(column, mask)` pairs, rejecting a column given two different masks.
fn collect_masks<I, S>(masks_by_column: I) -> Result<Vec<(String, MaskType)>, MaskError>
where
    I: IntoIterator<Item = (S, MaskType)>,
    S: AsRef<str>,
{
    let mut wanted: Vec<(String, MaskType)> = Vec::new();
    for (column, mask) in masks_by_column {
        let column = column.as_ref();
        match wanted.iter().find(|(c, _)| c == column) {
            Some((_, first)) if *first != mask => {
                return Err(MaskError::ConflictingMasks {
                    column: column.to_owned(),
                    first: *first,
                    second: mask,
                });
            }
            Some(_) => {}
            None => wanted.push((column.to_owned(), mask)),
        }
    }
    Ok(wanted)
}

/// One prepared mask (or none) per header field.
fn resolve_columns(
    header: &StringRecord,
    wanted: Vec<(String, MaskType)>,
    options: &MaskOptions,
) -> Result<Vec<Option<Masker>>, MaskError> {
    let mut field_masks: Vec<Option<Masker>> = header.iter().map(|_| None).collect();
    for (column, mask) in wanted {
        let mut positions = header
            .iter()
            .enumerate()
            .filter(|(_, name)| *name == column)
            .map(|(i, _)| i);
        let Some(index) = positions.next() else {
            let available = header
                .iter()
                .map(|name| format!("{name:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(MaskError::UnknownColumn { column, available });
        };
        if let Some(second) = positions.next() {
            return Err(MaskError::DuplicateColumn {
                column,
                first: index + 1,
                second: second + 1,
            });
        }
        if let Some(slot) = field_masks.get_mut(index) {
            *slot = Some(Masker::new(mask, options));
        }
    }
    Ok(field_masks)
}

/// The input's line terminator, read from the end of the header row: CRLF or LF.
fn detect_terminator(body: &str, header_end: u64) -> Terminator {
    let header_end = usize::try_from(header_end).unwrap_or(usize::MAX);
    let (before, after) = body.split_at_checked(header_end).unwrap_or((body, ""));
    // The parser may stop between `\r` and `\n`, so look on both sides of where it stopped.
    let crlf = before.ends_with("\r\n") || (before.ends_with('\r') && after.starts_with('\n'));
    if crlf {
        Terminator::CRLF
    } else {
        Terminator::Any(b'\n')
    }
}

fn csv_error(e: ::csv::Error) -> MaskError {
    // The parser's message already carries the record, line and byte position.
    MaskError::Csv(e.to_string())
}
