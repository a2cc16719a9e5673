//! How names compare: identifier quotes stripped, then case-insensitively, with an exact-case
//! match preferred.

use std::hash::Hasher;

/// The identifier without one pair of enclosing quotes: `"PRODUCTS"`, `` `PRODUCTS` `` and
/// `[PRODUCTS]` all give `PRODUCTS`. Whitespace around the name is trimmed first; the text
/// inside the quotes is kept as it is (a doubled quote inside stays doubled).
pub fn strip_identifier_quotes(name: &str) -> &str {
    let name = name.trim();
    for (open, close) in [('"', '"'), ('`', '`'), ('[', ']')] {
        if let Some(inner) = name.strip_prefix(open).and_then(|rest| rest.strip_suffix(close)) {
            return inner;
        }
    }
    name
}

/// Whether two (already stripped) names are equal case-insensitively: compared as their
/// lower-case characters, without allocating.
pub(crate) fn eq_folded(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// Feeds `name`'s lower-case characters to `hasher`, then an end mark: names that are
/// [`eq_folded`] hash alike.
pub(crate) fn hash_folded(hasher: &mut impl Hasher, name: &str) {
    if name.is_ascii() {
        for byte in name.bytes() {
            hasher.write_u32(u32::from(byte.to_ascii_lowercase()));
        }
    } else {
        for c in name.chars().flat_map(char::to_lowercase) {
            hasher.write_u32(u32::from(c));
        }
    }
    // Not a char: ends the name, so ("ab", "c") and ("a", "bc") differ.
    hasher.write_u32(u32::MAX);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_one_pair_of_double_quotes_backticks_or_brackets() {
        assert_eq!(strip_identifier_quotes("\"PRODUCTS\""), "PRODUCTS");
        assert_eq!(strip_identifier_quotes("`orders`"), "orders");
        assert_eq!(strip_identifier_quotes("[Order Lines]"), "Order Lines");
        assert_eq!(strip_identifier_quotes(" \"A B\" "), "A B");
        assert_eq!(strip_identifier_quotes("\"\"X\"\""), "\"X\"");
    }

    #[test]
    fn leaves_unbalanced_or_unquoted_names_alone() {
        assert_eq!(strip_identifier_quotes("\"PRODUCTS"), "\"PRODUCTS");
        assert_eq!(strip_identifier_quotes("[PRODUCTS\""), "[PRODUCTS\"");
        assert_eq!(strip_identifier_quotes("\""), "\"");
        assert_eq!(strip_identifier_quotes("ID"), "ID");
    }

    #[test]
    fn folded_names_compare_and_hash_alike() {
        use crate::access::index::FxHasher;
        let hash = |name: &str| {
            let mut hasher = FxHasher::default();
            hash_folded(&mut hasher, name);
            hasher.finish()
        };
        for (a, b) in [("Products", "PRODUCTS"), ("straße", "STRAßE"), ("ÉTÉ", "été")] {
            assert!(eq_folded(a, b), "{a} {b}");
            assert_eq!(hash(a), hash(b), "{a} {b}");
        }
        assert!(!eq_folded("ORDERS", "ORDER"));
        assert!(!eq_folded("été", "ete"));
    }
}
