//! Masking a whole column at once: the mask is prepared once, and the packed form writes every
//! cell into a single buffer (one allocation per column instead of one per cell).

use super::values::redact_ascii_in_place;
use super::{MaskOptions, MaskType, Masker};

/// A masked column held in one text buffer: non-null cells are consecutive slices of
/// [`MaskedColumn::text`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaskedColumn {
    text: String,
    /// Byte offset in `text` where each cell ends (a null cell is empty and ends where the
    /// previous one did).
    ends: Vec<usize>,
    /// Whether each cell is null.
    nulls: Vec<bool>,
}

impl MaskedColumn {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `index`: `None` past the end, `Some(None)` for null, `Some(Some(text))` otherwise.
    pub fn get(&self, index: usize) -> Option<Option<&str>> {
        let end = *self.ends.get(index)?;
        if *self.nulls.get(index)? {
            return Some(None);
        }
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        Some(self.text.get(start..end))
    }

    /// The cells in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|i| self.get(i).flatten())
    }

    /// Every non-null cell, concatenated in order.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cells as owned strings.
    pub fn to_vec(&self) -> Vec<Option<String>> {
        self.iter().map(|cell| cell.map(str::to_owned)).collect()
    }
}

/// Masks a column of values (`None` is null); the result has one entry per value, in order.
pub fn mask_column<S: AsRef<str>>(
    values: &[Option<S>],
    mask: MaskType,
    options: &MaskOptions,
) -> Vec<Option<String>> {
    if mask == MaskType::Nullify {
        return vec![None; values.len()];
    }
    let masker = Masker::new(mask, options);
    values
        .iter()
        .map(|value| masker.mask(value.as_ref().map(AsRef::as_ref)))
        .collect()
}

/// Masks a column of values into a [`MaskedColumn`]: one buffer for the whole column, sized
/// before masking starts, so masking never reallocates.
pub fn mask_column_packed<S: AsRef<str>>(
    values: &[Option<S>],
    mask: MaskType,
    options: &MaskOptions,
) -> MaskedColumn {
    let masker = Masker::new(mask, options);
    let capacity = values
        .iter()
        .flatten()
        .map(|v| masker.output_capacity(v.as_ref()))
        .sum();
    let mut bytes: Vec<u8> = Vec::with_capacity(capacity);
    let mut ends = Vec::with_capacity(values.len());
    let mut nulls = Vec::with_capacity(values.len());
    // REDACT of an ASCII value only rewrites bytes: copy those values as they are and redact the
    // whole buffer in one pass at the end, rather than one short loop (and its tail) per cell.
    // The final pass is idempotent and leaves non-ASCII bytes alone, so cells already redacted
    // character by character come through unchanged.
    let deferred_redact = mask == MaskType::Redact;
    for value in values {
        let written = match value {
            Some(value) if deferred_redact && value.as_ref().is_ascii() => {
                bytes.extend_from_slice(value.as_ref().as_bytes());
                true
            }
            Some(value) => masker.mask_into(value.as_ref(), &mut bytes),
            None => false,
        };
        ends.push(bytes.len());
        nulls.push(!written);
    }
    if deferred_redact {
        redact_ascii_in_place(&mut bytes);
    }
    // Every cell is valid UTF-8 (see `values`), so this is one fast validation pass.
    let text = String::from_utf8(bytes).unwrap_or_default();
    MaskedColumn { text, ends, nulls }
}
