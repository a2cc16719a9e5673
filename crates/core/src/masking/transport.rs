//! How a whole column crosses the wasm boundary in a few native calls instead of one per cell.
//!
//! Copying a million JS strings into wasm one by one, or building a million JS strings from
//! wasm one by one, costs far more than masking them. Instead:
//! - in: JavaScript concatenates the cells natively (`array.join("")`), the text crosses once,
//!   and [`split_joined_utf16`] cuts it back into cells using each cell's `length` (UTF-16 code
//!   units, which JS reports cheaply);
//! - out: [`MaskedColumn::joined`] joins the masked cells with a separator no cell contains, the
//!   text crosses once, and JavaScript splits it natively (`text.split(separator)`).

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
        mask => {
            // The partial masks keep the length of ASCII cells; HASH makes every one 64.
            let hash = mask == MaskType::Hash;
            let mut out: Vec<u8> = Vec::with_capacity(if hash {
                lengths.len().saturating_mul(64)
            } else {
                text.len()
            });
            let mut start = 0;
            for length in lengths.iter_mut().filter(|l| **l != NULL_CELL) {
                let end = start + *length as usize;
                masker.mask_into(text.get(start..end)?, &mut out);
                start = end;
                if hash {
                    *length = 64;
                }
            }
            String::from_utf8(out).ok()
        }
    }
}

/// [`mask_joined_ascii`] for any text, as UTF-16 code units (what a JS string holds, lone
/// surrogates included: each reads as U+FFFD). Lengths are in code units; the masked column is
/// answered as UTF-16 code units too, so non-ASCII text is never transcoded on either side.
/// `None` if the lengths don't add up to `units` exactly (then `lengths` holds no meaning).
pub fn mask_joined_utf16(units: &[u16], lengths: &mut [u32], masker: &Masker) -> Option<Vec<u16>> {
    let mut out: Vec<u16> = Vec::with_capacity(match masker.mask_type() {
        MaskType::Hash => lengths.len().saturating_mul(64),
        MaskType::Nullify => 0,
        _ => units.len(),
    });
    let mut scratch = (String::new(), Vec::new());
    let mut rest = units;
    for length in lengths.iter_mut() {
        if *length == NULL_CELL {
            continue;
        }
        let (cell, tail) = rest.split_at_checked(usize::try_from(*length).ok()?)?;
        rest = tail;
        let start = out.len();
        *length = if utf16::mask_into(masker, cell, &mut out, &mut scratch) {
            u32::try_from(out.len() - start).ok()?
        } else {
            NULL_CELL
        };
    }
    rest.is_empty().then_some(out)
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
