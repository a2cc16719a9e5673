//! How a whole column crosses the wasm boundary in a few native calls instead of one per cell.
//!
//! Copying a million JS strings into wasm one by one, or building a million JS strings from
//! wasm one by one, costs far more than masking them. Instead, on `maskColumn`'s path
//! (js/masking.js):
//! - in: JavaScript writes every cell's code units into one buffer in the module's memory (a
//!   byte each while the column is ASCII, two once it is not) and their lengths into another;
//! - [`mask_joined_ascii`] / [`mask_joined_utf16`] mask the column in one call and answer one
//!   text and the masked lengths, which JavaScript decodes once and slices.
//!
//! (`maskColumn`'s fallback, for the values that path can't write, masks cell by cell with
//! [`super::mask_column`].)
//!
//! [`split_joined_utf16`] and [`MaskedColumn::joined`] are the same idea over `&str`: cut a
//! concatenation of cells back into cells by their UTF-16 lengths, and join masked cells by a
//! separator no cell contains. The package does not cross columns this way.

use super::values::redact_ascii_in_place;
use super::{utf16, MaskType, MaskedColumn, Masker};

/// Separators [`MaskedColumn::joined`] tries, in order: ASCII control characters that real data
/// almost never holds (tab, newlines and carriage return excluded).
const SEPARATORS: [char; 29] = [
    '\u{0}', '\u{1}', '\u{2}', '\u{3}', '\u{4}', '\u{5}', '\u{6}', '\u{7}', '\u{8}', '\u{b}',
    '\u{c}', '\u{e}', '\u{f}', '\u{10}', '\u{11}', '\u{12}', '\u{13}', '\u{14}', '\u{15}',
    '\u{16}', '\u{17}', '\u{18}', '\u{19}', '\u{1a}', '\u{1b}', '\u{1c}', '\u{1d}', '\u{1e}',
    '\u{1f}',
];

/// Cuts `joined` — the cells' texts concatenated, as JS `array.join("")` makes it — back into
/// cells, given each cell's length in UTF-16 code units (`None` for a null cell, which adds no
/// text). `None` if the lengths don't add up to `joined` exactly.
///
/// A lone surrogate in a JS string reaches Rust as U+FFFD: one code unit either way, so the
/// lengths still line up.
pub fn split_joined_utf16<'a>(
    joined: &'a str,
    lengths: &[Option<u32>],
) -> Option<Vec<Option<&'a str>>> {
    let mut rest = joined;
    let mut cells = Vec::with_capacity(lengths.len());
    for length in lengths {
        cells.push(match length {
            None => None,
            Some(units) => {
                let (cell, tail) = take_utf16(rest, usize::try_from(*units).ok()?)?;
                rest = tail;
                Some(cell)
            }
        });
    }
    rest.is_empty().then_some(cells)
}

/// The length a null cell has in the `lengths` of [`mask_joined_ascii`] and
/// [`mask_joined_utf16`] (no JS string is this long).
pub const NULL_CELL: u32 = u32::MAX;

/// Masks a whole column that crossed the wasm boundary as one ASCII text, and returns the
/// masked column as one text: `maskColumn`'s fast path (js/masking.js) for ASCII columns.
///
/// `text` is the cells' texts concatenated (JS `array.join("")`), and `lengths[i]` is cell
/// `i`'s length, or [`NULL_CELL`] for null. On return the masked cells are concatenated in the
/// returned text and `lengths[i]` is masked cell `i`'s length, or [`NULL_CELL`] if it is null
/// (every cell under NULLIFY). `None` if `text` is not ASCII or the lengths don't add up to it
/// exactly; `lengths` is then unchanged.
pub fn mask_joined_ascii(text: &[u8], lengths: &mut [u32], masker: &Masker) -> Option<String> {
    let total = lengths
        .iter()
        .filter(|l| **l != NULL_CELL)
        .try_fold(0usize, |sum, l| sum.checked_add(usize::try_from(*l).ok()?))?;
    if total != text.len() || !text.is_ascii() {
        return None;
    }
    // ASCII: bytes are characters and UTF-16 code units, and any cut is a character boundary.
    let text = std::str::from_utf8(text).ok()?;
    match masker.mask_type() {
        MaskType::Redact => {
            // REDACT maps byte to byte, so the cells need no cutting: one pass over the column.
            let mut out = text.as_bytes().to_vec();
            redact_ascii_in_place(&mut out);
            String::from_utf8(out).ok()
        }
        MaskType::Nullify => {
            lengths.fill(NULL_CELL);
            Some(String::new())
        }
        MaskType::Hash => {
            let mut out: Vec<u8> = Vec::with_capacity(lengths.len().saturating_mul(64));
            let mut start = 0;
            for length in lengths.iter_mut().filter(|l| **l != NULL_CELL) {
                let end = start + *length as usize;
                masker.write_hash(text.as_bytes().get(start..end)?, &mut out);
                start = end;
                *length = 64;
            }
            String::from_utf8(out).ok()
        }
        MaskType::ShowFirst4 | MaskType::ShowLast4 => {
            // The partial masks keep the length of ASCII cells.
            let mut out: Vec<u8> = Vec::with_capacity(text.len());
            let mut start = 0;
            for length in lengths.iter().filter(|l| **l != NULL_CELL) {
                let end = start + *length as usize;
                masker.mask_into(text.get(start..end)?, &mut out);
                start = end;
            }
            String::from_utf8(out).ok()
        }
    }
}

/// A masked column's text as [`mask_joined_utf16`] answers it: one byte per character when the
/// masked text is ASCII (always for HASH), which JS turns into a string fastest; else UTF-16
/// code units. Either way each character is one UTF-16 code unit of the JS string per byte or
/// unit, so the masked lengths count both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaskedUnits {
    /// ASCII text, one byte per character.
    Ascii(Vec<u8>),
    /// UTF-16 code units (lone surrogates already replaced by U+FFFD).
    Utf16(Vec<u16>),
}

impl MaskedUnits {
    /// The text as UTF-16 code units, whichever form it has.
    pub fn into_utf16(self) -> Vec<u16> {
        match self {
            MaskedUnits::Ascii(bytes) => bytes.into_iter().map(u16::from).collect(),
            MaskedUnits::Utf16(units) => units,
        }
    }
}

/// [`mask_joined_ascii`] for any text, as UTF-16 code units (what a JS string holds, lone
/// surrogates included: each reads as U+FFFD). Lengths are in code units, in and out. The
/// partial masks and REDACT work on the code units themselves, so non-ASCII text is never
/// transcoded; HASH transcodes each cell to UTF-8 into one reused buffer and answers ASCII hex.
/// `None` if the lengths don't add up to `units` exactly (then `lengths` holds no meaning).
pub fn mask_joined_utf16(
    units: &[u16],
    lengths: &mut [u32],
    masker: &Masker,
) -> Option<MaskedUnits> {
    match masker.mask_type() {
        MaskType::Nullify => {
            for_each_cell(units, lengths, |_| Some(NULL_CELL))?;
            Some(MaskedUnits::Ascii(Vec::new()))
        }
        MaskType::Hash => {
            // Each cell's UTF-8 goes into one reused buffer, and is hashed from there.
            let mut out = Vec::with_capacity(lengths.len().saturating_mul(64));
            let mut utf8 = Vec::new();
            for_each_cell(units, lengths, |cell| {
                let written = utf16::write_utf8(cell, &mut utf8);
                masker.write_hash(utf8.get(..written)?, &mut out);
                Some(64)
            })?;
            Some(MaskedUnits::Ascii(out))
        }
        mask => {
            let mut out: Vec<u16> = Vec::with_capacity(units.len());
            for_each_cell(units, lengths, |cell| {
                let start = out.len();
                utf16::write_text_mask(mask, cell, &mut out).then_some(())?;
                u32::try_from(out.len() - start).ok()
            })?;
            // Masks of Latin text are often ASCII (`Zoë` → `Xxx`): answer those as bytes.
            if out.iter().all(|unit| *unit < 0x80) {
                return Some(MaskedUnits::Ascii(out.into_iter().map(|u| u as u8).collect()));
            }
            Some(MaskedUnits::Utf16(out))
        }
    }
}

/// Cuts a joined UTF-16 column into its cells by `lengths` (skipping null cells) and replaces
/// each cell's length with what `mask` answers for the cell: its masked length, or
/// [`NULL_CELL`]. `None` if `mask` does, or if the lengths don't add up to `units` exactly.
fn for_each_cell(
    units: &[u16],
    lengths: &mut [u32],
    mut mask: impl FnMut(&[u16]) -> Option<u32>,
) -> Option<()> {
    let mut rest = units;
    for length in lengths.iter_mut().filter(|l| **l != NULL_CELL) {
        let (cell, tail) = rest.split_at_checked(usize::try_from(*length).ok()?)?;
        rest = tail;
        *length = mask(cell)?;
    }
    rest.is_empty().then_some(())
}

/// Splits off the first `units` UTF-16 code units of `text`; `None` if `text` is shorter or the
/// cut would fall inside a surrogate pair.
fn take_utf16(text: &str, units: usize) -> Option<(&str, &str)> {
    // Fast path: ASCII characters are one code unit and one byte each.
    if let Some((head, tail)) = text.split_at_checked(units) {
        if head.is_ascii() {
            return Some((head, tail));
        }
    }
    let mut counted = 0;
    for (offset, c) in text.char_indices() {
        if counted == units {
            return text.split_at_checked(offset);
        }
        counted += c.len_utf16();
        if counted > units {
            return None;
        }
    }
    (counted == units).then_some((text, ""))
}

impl MaskedColumn {
    /// The cells joined by a separator character that no cell contains (null cells are empty),
    /// so JavaScript can split them in one call; `None` in the unlikely case that every
    /// candidate separator occurs in some cell.
    pub fn joined(&self) -> Option<(char, String)> {
        let mut present = [false; 32];
        for b in self.text().bytes().filter(|b| *b < 0x20) {
            if let Some(slot) = present.get_mut(usize::from(b)) {
                *slot = true;
            }
        }
        let separator = SEPARATORS
            .into_iter()
            .find(|c| !present.get(*c as usize).copied().unwrap_or(true))?;
        let mut out = String::with_capacity(self.text().len() + self.len());
        for (i, cell) in self.iter().enumerate() {
            if i > 0 {
                out.push(separator);
            }
            out.push_str(cell.unwrap_or(""));
        }
        Some((separator, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::masking::{mask_column_packed, MaskOptions, MaskType};

    fn utf16_lengths(cells: &[Option<&str>]) -> Vec<Option<u32>> {
        cells
            .iter()
            .map(|c| c.map(|s| s.encode_utf16().count() as u32))
            .collect()
    }

    #[test]
    fn split_recovers_the_cells_of_a_join() {
        let cells = [
            Some("ab"),
            None,
            Some(""),
            Some("é👍x"),
            Some("東京"),
            None,
            Some("tail"),
        ];
        let joined: String = cells.iter().flatten().copied().collect();
        assert_eq!(
            split_joined_utf16(&joined, &utf16_lengths(&cells)),
            Some(cells.to_vec())
        );
    }

    #[test]
    fn split_refuses_lengths_that_do_not_add_up() {
        assert_eq!(split_joined_utf16("abc", &[Some(2)]), None);
        assert_eq!(split_joined_utf16("abc", &[Some(4)]), None);
        // 👍 is two UTF-16 units: a cut after one would split the pair.
        assert_eq!(split_joined_utf16("👍", &[Some(1), Some(1)]), None);
        assert_eq!(split_joined_utf16("", &[]), Some(vec![]));
    }

    #[test]
    fn joined_uses_a_separator_no_cell_contains() {
        let column = mask_column_packed(
            &[Some("a\u{0}b"), None, Some("c\u{1}")],
            MaskType::ShowFirst4,
            &MaskOptions::default(),
        );
        let (separator, text) = column.joined().unwrap();
        assert_eq!(separator, '\u{2}');
        assert_eq!(
            text.split(separator).collect::<Vec<_>>(),
            vec!["a\u{0}b", "", "c\u{1}"]
        );
    }

    fn utf16(text: &str) -> Vec<u16> {
        text.encode_utf16().collect()
    }

    #[test]
    fn a_utf16_column_answers_bytes_when_the_masked_text_is_ascii() {
        let masker = |mask| Masker::new(mask, &MaskOptions::default());
        let units = utf16("Zoë東京");
        let mut lengths = [3, NULL_CELL, 2];
        let hashed = mask_joined_utf16(&units, &mut lengths, &masker(MaskType::Hash));
        assert!(matches!(hashed, Some(MaskedUnits::Ascii(ref hex)) if hex.len() == 128));
        assert_eq!(lengths, [64, NULL_CELL, 64]);

        let mut lengths = [3, NULL_CELL, 2];
        let redacted = mask_joined_utf16(&units, &mut lengths, &masker(MaskType::Redact));
        assert_eq!(redacted, Some(MaskedUnits::Utf16(utf16("Xxx東京"))));
        let mut lengths = [3];
        let latin = mask_joined_utf16(&utf16("Zoë"), &mut lengths, &masker(MaskType::Redact));
        assert_eq!(latin, Some(MaskedUnits::Ascii(b"Xxx".to_vec())));

        let mut lengths = [3, NULL_CELL, 2];
        let nulls = mask_joined_utf16(&units, &mut lengths, &masker(MaskType::Nullify));
        assert_eq!(nulls, Some(MaskedUnits::Ascii(Vec::new())));
        assert_eq!(lengths, [NULL_CELL; 3]);
        // Even NULLIFY refuses lengths that don't add up.
        assert_eq!(mask_joined_utf16(&units, &mut [3, 3], &masker(MaskType::Nullify)), None);
    }

    #[test]
    fn joined_gives_up_when_every_separator_occurs() {
        let all: String = SEPARATORS.iter().collect();
        let column = mask_column_packed(
            &[Some(all.as_str())],
            MaskType::Redact,
            &MaskOptions::default(),
        );
        assert_eq!(column.joined(), None);
    }
}
