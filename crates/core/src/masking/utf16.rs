//! The masks over UTF-16 text, as JavaScript holds it, so a non-ASCII column can cross the wasm
//! boundary without being transcoded to UTF-8 and back (which costs more than masking it).
//!
//! Every function here masks exactly as its UTF-8 counterpart in `values` does on the same
//! text read as Unicode scalar values, where a lone surrogate (which JS strings may hold) reads
//! as U+FFFD, as `TextEncoder` reads it: a surrogate pair is one character, a lone surrogate is
//! one character written as U+FFFD.

use std::char::REPLACEMENT_CHARACTER;

use super::unicode::{bmp_redactions, redact_char};
use super::values::KEEP;
use super::{MaskType, Masker};

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

/// Appends the masked form of one cell to `out` and returns `true`, or returns `false` (writing
/// nothing) when the result is null (NULLIFY). `scratch` is reused between cells by HASH, which
/// hashes the UTF-8 bytes.
pub(crate) fn mask_into(
    masker: &Masker,
    cell: &[u16],
    out: &mut Vec<u16>,
    scratch: &mut (String, Vec<u8>),
) -> bool {
    match masker.mask_type() {
        MaskType::ShowFirst4 => write_show_first_4(cell, out),
        MaskType::ShowLast4 => write_show_last_4(cell, out),
        MaskType::Redact => write_redact(cell, out),
        MaskType::Hash => {
            let (text, hex) = scratch;
            text.clear();
            text.extend(
                char::decode_utf16(cell.iter().copied())
                    .map(|c| c.unwrap_or(REPLACEMENT_CHARACTER)),
            );
            hex.clear();
            masker.mask_into(text, hex);
            // Hex digits are ASCII: one unit per byte.
            out.extend(hex.iter().map(|b| u16::from(*b)));
        }
        MaskType::Nullify => return false,
    }
    true
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
