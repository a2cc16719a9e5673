//! The text a non-string value is masked as (SPEC §3: "numbers and booleans are masked as their
//! canonical text").
//!
//! Canonical means JavaScript's `String(value)`: the browser preview receives JS numbers, so the
//! native side must spell them the same way or a hashed number would differ between the two.

use serde_json::Value;

/// The largest integer a JS number (an IEEE double) represents exactly: 2^53.
const MAX_SAFE_INTEGER: u64 = 1 << 53;

/// The text a JSON value is masked as; `None` for JSON null.
///
/// - strings: themselves;
/// - booleans: `true` / `false`;
/// - numbers: JavaScript's `String(n)` ([`number_text`]): `1.0` → `1`, `1e21` → `1e+21`,
///   `-0` → `0`. Integers beyond ±2^53 are rounded to the nearest double first, as JS does when
///   it parses the same JSON, so native and browser previews agree;
/// - arrays and objects (which SPEC §3 doesn't mask): their compact JSON text, so the function is
///   total; boundaries that take user input should reject them instead.
pub fn canonical_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(
            if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER) {
                i.to_string()
            } else {
                // `as_f64` is `Some` for every number without serde_json's arbitrary precision.
                n.as_f64().map_or_else(|| n.to_string(), number_text)
            },
        ),
        Value::Array(_) | Value::Object(_) => Some(value.to_string()),
    }
}

/// JavaScript's `Number.prototype.toString()` for a double (ECMAScript `Number::toString`):
/// the shortest digits that round-trip, in fixed notation for 1e-7 < |x| < 1e21 and exponential
/// notation (`1e+21`, `1.5e-7`) outside; `NaN`, `Infinity`, `-Infinity`; `-0` → `0`.
pub fn number_text(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` without a precision prints the shortest round-tripping digits, as JS does;
    // only the layout differs. "1.2345e-7" → digits "12345", exponent -7.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    // In the spec's terms: k digits, and the decimal point sits after n of them.
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let n = exponent + 1;

    let mut out = String::with_capacity(digits.len() + 8);
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        push_zeros(&mut out, n - k);
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits
            .split_at_checked(usize::try_from(n).unwrap_or(0))
            .unwrap_or((&digits, ""));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        push_zeros(&mut out, -n);
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at_checked(1).unwrap_or((&digits, ""));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        out.push_str(&(n - 1).unsigned_abs().to_string());
    }
    out
}

fn push_zeros(out: &mut String, count: i64) {
    for _ in 0..count {
        out.push('0');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_spelled_as_javascript_spells_them() {
        // Expected values are what `String(x)` prints in Node.
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (100.0, "100"),
            (123456789.125, "123456789.125"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.5e-7, "1.5e-7"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (0.000123, "0.000123"),
            (-0.0, "0"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (2f64.powi(53), "9007199254740992"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, expected) in cases {
            assert_eq!(number_text(*x), *expected, "{x:e}");
        }
    }

    #[test]
    fn canonical_text_of_json_values_is_their_javascript_string() {
        assert_eq!(canonical_text(&json!(null)), None);
        assert_eq!(canonical_text(&json!("a b")), Some("a b".into()));
        assert_eq!(canonical_text(&json!(true)), Some("true".into()));
        assert_eq!(canonical_text(&json!(false)), Some("false".into()));
        assert_eq!(canonical_text(&json!(1.0)), Some("1".into()));
        assert_eq!(canonical_text(&json!(42)), Some("42".into()));
        assert_eq!(canonical_text(&json!(-7)), Some("-7".into()));
        assert_eq!(canonical_text(&json!(2.5e-8)), Some("2.5e-8".into()));
        // Beyond 2^53 JS rounds to a double: JSON.parse("12345678901234567890") is 12345678901234567000.
        assert_eq!(
            canonical_text(&json!(12345678901234567890u64)),
            Some("12345678901234567000".into())
        );
        assert_eq!(canonical_text(&json!([1, "a"])), Some("[1,\"a\"]".into()));
    }
}
