//! The masks over UTF-16 text, as JavaScript holds it, so a non-ASCII column can cross the wasm
//! boundary without being transcoded to UTF-8 and back (which costs more than masking it).
//!
//! Every function here masks exactly as its UTF-8 counterpart in `values` does on the same
//! text read as Unicode scalar values, where a lone surrogate (which JS strings may hold) reads
//! as U+FFFD, as `TextEncoder` reads it: a surrogate pair is one character, a lone surrogate is
//! one character written as U+FFFD.
//!
//! HASH hashes UTF-8 bytes: [`write_utf8`] transcodes a cell into a buffer the column reuses.

use std::char::REPLACEMENT_CHARACTER;

use super::unicode::{bmp_redactions, redact_char};
use super::values::KEEP;
use super::MaskType;

const X: u16 = b'X' as u16;
const REPLACEMENT: u16 = 0xfffd;

fn is_high(unit: u16) -> bool {
    (0xd800..0xdc00).contains(&unit)
}

fn is_low(unit: u16) -> bool {
    (0xdc00..0xe000).contains(&unit)
}

fn is_surrogate(unit: u16) -> bool {
    (0xd800..0xe000).contains(&unit)
}

/// Appends the masked form of one cell to `out` for the masks that keep the cell's own
/// characters (SHOW_FIRST_4, SHOW_LAST_4, REDACT) and returns `true`. HASH and NULLIFY answer
/// something else (hex digits of the UTF-8, or null: see [`write_utf8`] and `transport`), so for
/// them this writes nothing and returns `false`.
pub(crate) fn write_text_mask(mask: MaskType, cell: &[u16], out: &mut Vec<u16>) -> bool {
    match mask {
        MaskType::ShowFirst4 => write_show_first_4(cell, out),
        MaskType::ShowLast4 => write_show_last_4(cell, out),
        MaskType::Redact => write_redact(cell, out),
        MaskType::Hash | MaskType::Nullify => return false,
    }
    true
}

/// Writes the UTF-8 of `units` at the start of `room`, each lone surrogate as U+FFFD (as
/// `TextEncoder` writes it), and answers how many bytes that took: the bytes HASH hashes.
///
/// `room` grows to 3 bytes per unit plus 4 (the most UTF-8 takes is 3 bytes per unit; a pair is
/// 4 bytes for 2 units). Most cells are in one script, so every unit of the cell has the same
/// UTF-8 width ([`one_width`]), and such a cell is written by a loop without a branch per unit
/// (which the compiler vectorises for one and two bytes). Other cells go through
/// [`write_utf8_mixed`].
pub(crate) fn write_utf8(units: &[u16], room: &mut Vec<u8>) -> usize {
    let needed = units.len().saturating_mul(3).saturating_add(4);
    if room.len() < needed {
        room.resize(needed, 0);
    }
    match one_width(units) {
        Some(Width::One) => {
            for (byte, &unit) in room.iter_mut().zip(units) {
                *byte = unit as u8;
            }
            units.len()
        }
        Some(Width::Two) => {
            for (pair, &unit) in room.chunks_exact_mut(2).zip(units) {
                pair.copy_from_slice(&two_byte_utf8(unit).to_le_bytes());
            }
            units.len() * 2
        }
        Some(Width::Three) => {
            // Written as 4 bytes each, of which the next character overwrites the last.
            let mut at = 0;
            for &unit in units {
                if let Some(slot) = room.get_mut(at..at + 4) {
                    slot.copy_from_slice(&three_byte_utf8(unit).to_le_bytes());
                }
                at += 3;
            }
            at
        }
        None => write_utf8_mixed(units, room),
    }
}

/// How many UTF-8 bytes each unit of a cell takes, when they all take as many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    One,
    Two,
    /// Three, and no unit is a surrogate.
    Three,
}

impl Width {
    /// The width of units from `low` to `high`, if they all have the same one.
    fn of(low: u16, high: u16) -> Option<Width> {
        if high < 0x80 {
            Some(Width::One)
        } else if low >= 0x80 && high < 0x800 {
            Some(Width::Two)
        } else if low >= 0x800 && (high < 0xd800 || low >= 0xe000) {
            Some(Width::Three)
        } else {
            None
        }
    }
}

/// The UTF-8 width every unit of `units` has, if it is the same for all (an empty cell is one
/// byte wide). The first 8 units are looked at first, so a cell that mixes widths from its
/// start (text that mixes scripts within a cell) costs a few units of this, not a whole pass.
fn one_width(units: &[u16]) -> Option<Width> {
    let (head, tail) = units.split_at(units.len().min(8));
    let (low, high) = low_high(head, (u16::MAX, 0));
    Width::of(low, high)?;
    let (low, high) = low_high(tail, (low, high));
    Width::of(low, high)
}

/// The smallest and largest of `units` and `start`.
fn low_high(units: &[u16], start: (u16, u16)) -> (u16, u16) {
    units
        .iter()
        .fold(start, |(low, high), &unit| (low.min(unit), high.max(unit)))
}

/// [`write_utf8`] for a cell whose characters differ in UTF-8 width, or that holds surrogates:
/// every character is written as 4 bytes, of which the next one overwrites the unused ones, so
/// there is no branch on the UTF-8 length of BMP characters, which in such a cell is as good as
/// random. `room` is already long enough (see [`write_utf8`]).
fn write_utf8_mixed(units: &[u16], room: &mut [u8]) -> usize {
    let mut at = 0;
    let mut rest = units;
    while let Some((&unit, tail)) = rest.split_first() {
        rest = tail;
        let (bytes, len) = if !is_surrogate(unit) {
            bmp_utf8(unit)
        } else {
            let scalar = match rest.split_first() {
                Some((&low, tail)) if is_high(unit) && is_low(low) => {
                    rest = tail;
                    0x10000 + ((u32::from(unit) - 0xd800) << 10) + (u32::from(low) - 0xdc00)
                }
                _ => u32::from(REPLACEMENT),
            };
            let c = char::from_u32(scalar).unwrap_or(REPLACEMENT_CHARACTER);
            let mut bytes = [0; 4];
            let len = c.encode_utf8(&mut bytes).len();
            (bytes, len)
        };
        if let Some(slot) = room.get_mut(at..at + 4) {
            slot.copy_from_slice(&bytes);
        }
        at += len;
    }
    at
}

/// The UTF-8 of a BMP character that is not a surrogate, padded to 4 bytes, and its length:
/// the three encodings are computed and the right one selected arithmetically.
#[inline(always)]
fn bmp_utf8(unit: u16) -> ([u8; 4], usize) {
    let two = unit >= 0x80;
    let three = unit >= 0x800;
    // All three computed before choosing, so the choice compiles to selects, not branches.
    let (one_byte, two_bytes, three_bytes) =
        (u32::from(unit), u32::from(two_byte_utf8(unit)), three_byte_utf8(unit));
    let word = if three {
        three_bytes
    } else if two {
        two_bytes
    } else {
        one_byte
    };
    (word.to_le_bytes(), 1 + usize::from(two) + usize::from(three))
}

/// The two UTF-8 bytes of a character in U+0080..U+07FF, first byte lowest.
#[inline(always)]
fn two_byte_utf8(unit: u16) -> u16 {
    (0xc0 | (unit >> 6)) | ((0x80 | (unit & 0x3f)) << 8)
}

/// The three UTF-8 bytes of a BMP character from U+0800 that is not a surrogate, first byte
/// lowest.
#[inline(always)]
fn three_byte_utf8(unit: u16) -> u32 {
    let u = u32::from(unit);
    (0xe0 | (u >> 12)) | ((0x80 | ((u >> 6) & 0x3f)) << 8) | ((0x80 | (u & 0x3f)) << 16)
}

/// Characters in `units`: a surrogate pair counts once, like every other unit.
fn char_count(units: &[u16]) -> usize {
    let mut pairs = 0;
    let mut after_high = false;
    for &unit in units {
        pairs += usize::from(after_high && is_low(unit));
        after_high = is_high(unit);
    }
    units.len() - pairs
}

/// Appends `units` with every lone surrogate replaced by U+FFFD.
fn push_replacing_lone(units: &[u16], out: &mut Vec<u16>) {
    if !units.iter().any(|u| is_surrogate(*u)) {
        out.extend_from_slice(units);
        return;
    }
    let mut buf = [0; 2];
    for c in char::decode_utf16(units.iter().copied()) {
        out.extend_from_slice(c.unwrap_or(REPLACEMENT_CHARACTER).encode_utf16(&mut buf));
    }
}

/// Units taken by the first `chars` characters of `units` (fewer if it is shorter).
fn prefix_units(units: &[u16], chars: usize) -> usize {
    let mut at = 0;
    for _ in 0..chars {
        match units.get(at..at + 2) {
            Some([high, low]) if is_high(*high) && is_low(*low) => at += 2,
            _ if at < units.len() => at += 1,
            _ => break,
        }
    }
    at
}

/// Units taken by the last `chars` characters of `units` (fewer if it is shorter).
fn suffix_units(units: &[u16], chars: usize) -> usize {
    let mut start = units.len();
    for _ in 0..chars {
        match start.checked_sub(2).and_then(|s| units.get(s..start)) {
            Some([high, low]) if is_high(*high) && is_low(*low) => start -= 2,
            _ if start > 0 => start -= 1,
            _ => break,
        }
    }
    units.len() - start
}

fn write_show_first_4(cell: &[u16], out: &mut Vec<u16>) {
    let (kept, hidden) = cell
        .split_at_checked(prefix_units(cell, KEEP))
        .unwrap_or((cell, &[]));
    push_replacing_lone(kept, out);
    out.resize(out.len() + char_count(hidden), X);
}

fn write_show_last_4(cell: &[u16], out: &mut Vec<u16>) {
    let (hidden, kept) = cell
        .split_at_checked(cell.len().saturating_sub(suffix_units(cell, KEEP)))
        .unwrap_or((&[], cell));
    out.resize(out.len() + char_count(hidden), X);
    push_replacing_lone(kept, out);
}

fn write_redact(cell: &[u16], out: &mut Vec<u16>) {
    let bmp = bmp_redactions();
    let mut units = cell.iter();
    while let Some(&unit) = units.next() {
        if !is_surrogate(unit) {
            // A BMP character, ASCII included: the table says what it becomes.
            let redacted = bmp.get(usize::from(unit)).copied().unwrap_or(0);
            out.push(if redacted == 0 {
                unit
            } else {
                u16::from(redacted)
            });
            continue;
        }
        let pair = is_high(unit)
            .then(|| units.as_slice().first().copied())
            .flatten()
            .filter(|low| is_low(*low));
        match pair {
            Some(low) => {
                units.next();
                let c = char::decode_utf16([unit, low])
                    .next()
                    .and_then(Result::ok)
                    .unwrap_or(REPLACEMENT_CHARACTER);
                let redacted = redact_char(c);
                if redacted == c {
                    out.extend_from_slice(&[unit, low]);
                } else {
                    // Replacements are ASCII.
                    out.push(redacted as u16);
                }
            }
            // A lone surrogate reads as U+FFFD, a symbol (So) that REDACT keeps.
            None => out.push(REPLACEMENT),
        }
    }
}

#[cfg(test)]
mod tests {
    // What HASH hashes for any UTF-16 is a property of tests/masking_props.rs (each cell of a
    // column transcoded through one reused buffer, against `TextEncoder`'s reading).
    use super::*;

    #[test]
    fn write_utf8_replaces_each_lone_surrogate_and_keeps_pairs() {
        let mut out = Vec::new();
        let written = write_utf8(&[0xd83d, 0xdc4d, 0xdc4d, 0xd83d, 0x41, 0xd800], &mut out);
        assert_eq!(std::str::from_utf8(&out[..written]), Ok("👍\u{fffd}\u{fffd}A\u{fffd}"));
    }

    /// What `TextEncoder` makes of `units`.
    fn expected(units: &[u16]) -> Vec<u8> {
        String::from_utf16_lossy(units).into_bytes()
    }

    #[test]
    fn write_utf8_agrees_with_the_standard_library_on_every_unit_and_next_to_each_width_edge() {
        // Each unit alone, repeated (a cell of one width), and beside every edge of a width, so
        // a cell one unit outside a width's loop is caught, also when that unit comes late.
        const EDGES: [u16; 13] = [
            0x0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000,
            0xfffd, 0xffff,
        ];
        let mut room = Vec::new();
        let mut check = |units: &[u16]| {
            let written = write_utf8(units, &mut room);
            assert_eq!(room[..written], expected(units), "units {units:04x?}");
        };
        for unit in 0..=u16::MAX {
            check(&[unit]);
            check(&[unit; 5]);
            for edge in EDGES {
                check(&[unit, edge]);
                check(&[edge, unit, unit]);
                let mut late = [unit; 40];
                late[33] = edge;
                check(&late);
            }
        }
    }
}
