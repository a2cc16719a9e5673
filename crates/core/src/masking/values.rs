//! The five masks on one value, written so a column of values costs little more than a copy.
//!
//! Every mask writes into a byte buffer the caller owns ([`Masker::mask_into`]), so a column is
//! masked into one allocation; ASCII values (most identifiers, emails, card numbers) take a
//! byte-wise path that the compiler vectorises. What is written is always valid UTF-8: ASCII
//! bytes, or whole characters copied from a `&str`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::unicode::{bmp_redactions, redact_ascii, redact_char};
use super::{MaskOptions, MaskType};

/// How many characters the partial masks keep.
pub(crate) const KEEP: usize = 4;

/// A mask prepared once for many values: the HMAC key schedule of a keyed HASH is computed here,
/// not per value.
#[derive(Clone)]
pub struct Masker {
    mask: MaskType,
    /// Set only for a keyed HASH: the HMAC state after absorbing the key, cloned per value.
    keyed: Option<Hmac<Sha256>>,
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material, not even its HMAC state.
        f.debug_struct("Masker")
            .field("mask", &self.mask)
            .field("keyed", &self.keyed.is_some())
            .finish()
    }
}

impl Masker {
    /// Prepares `mask` with `options`.
    pub fn new(mask: MaskType, options: &MaskOptions) -> Self {
        let keyed = match (mask, options.hash_key.as_deref()) {
            // HMAC accepts keys of any length, so this never fails; a failure would only
            // mean "no key", which the `Err` arm can't produce in practice.
            (MaskType::Hash, Some(key)) => Hmac::<Sha256>::new_from_slice(key).ok(),
            _ => None,
        };
        Masker { mask, keyed }
    }

    /// The mask this masker applies.
    pub fn mask_type(&self) -> MaskType {
        self.mask
    }

    /// Masks one value; `None` (null) stays null, and NULLIFY makes every value null.
    pub fn mask(&self, value: Option<&str>) -> Option<String> {
        let value = value?;
        let mut out = Vec::with_capacity(self.output_capacity(value));
        if !self.mask_into(value, &mut out) {
            return None;
        }
        // `mask_into` only writes valid UTF-8, so this never takes the `Err` arm.
        String::from_utf8(out).ok()
    }

    /// Appends the masked form of a non-null `value` to `out` and returns `true`, or returns
    /// `false` (writing nothing) when the result is null (NULLIFY).
    pub fn mask_into(&self, value: &str, out: &mut Vec<u8>) -> bool {
        match self.mask {
            MaskType::ShowFirst4 => write_show_first_4(value, out),
            MaskType::ShowLast4 => write_show_last_4(value, out),
            MaskType::Redact => write_redact(value, out),
            MaskType::Hash => self.write_hash(value.as_bytes(), out),
            MaskType::Nullify => return false,
        }
        true
    }

    /// Appends the 64 lowercase hex digits of the (keyed) SHA-256 of `utf8`, the UTF-8 bytes of
    /// a value: HASH for callers that hold the bytes rather than a `&str` (the UTF-16 column
    /// path transcodes each cell into one reused buffer). Whatever the mask, this hashes.
    pub(crate) fn write_hash(&self, utf8: &[u8], out: &mut Vec<u8>) {
        match &self.keyed {
            None => write_hex(&Sha256::digest(utf8), out),
            Some(prepared) => {
                let mut mac = prepared.clone();
                mac.update(utf8);
                write_hex(&mac.finalize().into_bytes(), out);
            }
        }
    }

    /// Bytes the masked form of `value` takes, to size buffers up front (exact except for
    /// REDACT on non-ASCII text, where replacing a multi-byte letter by `X` shrinks it).
    pub fn output_capacity(&self, value: &str) -> usize {
        match self.mask {
            MaskType::Hash => 64,
            MaskType::Nullify => 0,
            MaskType::ShowFirst4 | MaskType::ShowLast4 | MaskType::Redact => value.len(),
        }
    }
}

/// Keeps the first 4 characters and replaces every other one with `X`.
pub fn show_first_4(value: &str) -> String {
    masked_string(value, write_show_first_4)
}

/// Keeps the last 4 characters and replaces every other one with `X`.
pub fn show_last_4(value: &str) -> String {
    masked_string(value, write_show_last_4)
}

/// Uppercase letters (Lu) → `X`, lowercase letters (Ll) → `x`, decimal digits (Nd) → `0`, every
/// other character kept (titlecase and modifier letters, other numbers such as `½`, marks,
/// symbols, emoji, CJK ideographs, which are category Lo).
pub fn redact(value: &str) -> String {
    masked_string(value, write_redact)
}

/// Lowercase hex SHA-256 of the UTF-8 bytes, or HMAC-SHA-256 when a key is given.
pub fn hash(value: &str, key: Option<&[u8]>) -> String {
    let options = MaskOptions {
        hash_key: key.map(<[u8]>::to_vec),
    };
    Masker::new(MaskType::Hash, &options)
        .mask(Some(value))
        .unwrap_or_default()
}

fn masked_string(value: &str, write: fn(&str, &mut Vec<u8>)) -> String {
    let mut out = Vec::with_capacity(value.len());
    write(value, &mut out);
    // The writers only emit valid UTF-8 (see the module comment).
    String::from_utf8(out).unwrap_or_default()
}

fn write_show_first_4(value: &str, out: &mut Vec<u8>) {
    // Byte offset just past the 4th character (or the whole value if it is shorter), and how
    // many characters follow it; for ASCII, where characters are bytes, without decoding.
    let (keep_end, hidden_chars) = if value.is_ascii() {
        let keep_end = value.len().min(KEEP);
        (keep_end, value.len() - keep_end)
    } else {
        let keep_end = value
            .char_indices()
            .nth(KEEP)
            .map_or(value.len(), |(i, _)| i);
        (
            keep_end,
            value
                .get(keep_end..)
                .map_or(0, |hidden| hidden.chars().count()),
        )
    };
    out.extend_from_slice(value.as_bytes().get(..keep_end).unwrap_or_default());
    push_x(out, hidden_chars);
}

fn write_show_last_4(value: &str, out: &mut Vec<u8>) {
    // Byte offset of the 4th character from the end (or 0 if the value is shorter), and how
    // many characters precede it.
    let (keep_start, hidden_chars) = if value.is_ascii() {
        let keep_start = value.len().saturating_sub(KEEP);
        (keep_start, keep_start)
    } else {
        let keep_start = value
            .char_indices()
            .rev()
            .nth(KEEP - 1)
            .map_or(0, |(i, _)| i);
        (
            keep_start,
            value
                .get(..keep_start)
                .map_or(0, |hidden| hidden.chars().count()),
        )
    };
    push_x(out, hidden_chars);
    out.extend_from_slice(value.as_bytes().get(keep_start..).unwrap_or_default());
}

fn push_x(out: &mut Vec<u8>, count: usize) {
    out.resize(out.len() + count, b'X');
}

fn write_redact(value: &str, out: &mut Vec<u8>) {
    if value.is_ascii() {
        // One byte per character: copy, then map in place — a branch-free loop over a plain
        // slice, which the compiler vectorises.
        let start = out.len();
        out.extend_from_slice(value.as_bytes());
        if let Some(written) = out.get_mut(start..) {
            redact_ascii_in_place(written);
        }
        return;
    }
    // Copy runs of kept characters (CJK, emoji, marks, punctuation) whole; only letters and
    // digits are rewritten, each to one ASCII byte.
    let bytes = value.as_bytes();
    let bmp = bmp_redactions();
    let mut run_start = 0;
    for (i, c) in value.char_indices() {
        // Replacements are `X`, `x` or `0`: ASCII (0: the character is kept).
        let replacement = match bmp.get(c as usize) {
            Some(redacted) => *redacted,
            None => Some(redact_char(c))
                .filter(|r| *r != c)
                .map_or(0, |r| r as u8),
        };
        if replacement != 0 {
            out.extend_from_slice(bytes.get(run_start..i).unwrap_or_default());
            out.push(replacement);
            run_start = i + c.len_utf8();
        }
    }
    out.extend_from_slice(bytes.get(run_start..).unwrap_or_default());
}

/// REDACT's ASCII rule over a byte slice, in place. Idempotent, and it leaves bytes ≥ 0x80 (the
/// parts of multi-byte characters) alone, so it may run over text that is already redacted.
pub(crate) fn redact_ascii_in_place(bytes: &mut [u8]) {
    for b in bytes {
        *b = redact_ascii(*b);
    }
}

fn write_hex(bytes: &[u8], out: &mut Vec<u8>) {
    // Digests are 32 bytes: fill a stack buffer, then append it in one copy.
    let mut hex = [0u8; 64];
    for (pair, b) in hex.chunks_exact_mut(2).zip(bytes) {
        if let [high, low] = pair {
            *high = hex_digit(b >> 4);
            *low = hex_digit(b & 0x0f);
        }
    }
    out.extend_from_slice(hex.get(..bytes.len() * 2).unwrap_or(&hex));
}

#[inline(always)]
fn hex_digit(nibble: u8) -> u8 {
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'a' + (nibble - 10)
    }
}
