//! Realistic, deterministic sample rows for a demo table (`GET /sandbox/sample`), for the masked
//! preview: names (non-ASCII too), emails, phone and card numbers, free text with emoji and
//! combining marks, dates, amounts, and nulls.

use serde::Serialize;
use serde_json::Value;

use super::seeded::{rng_for, SplitMix64};

/// Rows answered when the request does not say.
pub const DEFAULT_ROWS: usize = 20;
/// Most rows one request may ask for.
pub const MAX_ROWS: usize = 1_000;

/// One column of a sample, as `previewTable` takes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleColumn {
    /// Column name.
    pub name: String,
    /// Warehouse type.
    pub data_type: String,
    /// Tag display names (direct and propagated).
    pub tags: Vec<String>,
    /// Values, one per row.
    pub values: Vec<Value>,
}

const FIRST: [&str; 16] = ["José", "Zoë", "Søren", "Łukasz", "Aiyana", "Thảo", "王芳", "Ольга", "محمد", "Siobhán", "François", "Björk", "Ana", "John", "Mary", "Priya"];
const LAST: [&str; 14] = ["García", "Müller", "O'Brien", "Nakamura", "Kowalski", "Østergaard", "Smith", "Dubois", "Иванова", "李", "Ndlovu", "Haddad", "Nguyễn", "Johnson"];
const ASCII_FIRST: [&str; 8] = ["jose", "zoe", "soren", "lukasz", "aiyana", "thao", "olga", "priya"];
const ASCII_LAST: [&str; 8] = ["garcia", "muller", "obrien", "nakamura", "kowalski", "ostergaard", "smith", "dubois"];
const DOMAINS: [&str; 5] = ["example.com", "mail.example.org", "example.net", "corp.example.com", "exämple.de"];
const STREETS: [&str; 8] = ["Main Street", "Königstraße", "Rue de l'Église", "Calle Mayor", "Baker Street", "Via Roma", "Åsgatan", "1st Avenue"];
const CITIES: [&str; 9] = ["Zürich", "São Paulo", "Kraków", "New York", "東京", "Reykjavík", "Lagos", "München", "Montréal"];
const COUNTRIES: [&str; 9] = ["CH", "BR", "PL", "US", "JP", "IS", "NG", "DE", "CA"];
const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "JPY", "CHF"];
const STATUSES: [&str; 5] = ["active", "pending", "shipped", "cancelled", "complete"];
const TEXTS: [&str; 8] = [
    "Called twice — prefers email 📧",
    "VIP; handle with care ✓",
    "Ünïcödé naïve café résumé",
    "Delivery to back door (code 4417)",
    "e\u{301}cole cafe\u{301} — combining marks",
    "日本語のメモ",
    "Needs follow-up 🙂👍",
    "n/a",
];
const WORDS: [&str; 8] = ["alpha", "bravo", "delta", "echo", "golf", "kilo", "lima", "sierra"];

fn luhn_check_digit(digits: &[u32]) -> u32 {
    // Digits of the number without its check digit; double every second from the right.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { let x = d * 2; if x > 9 { x - 9 } else { x } } else { *d })
        .sum();
    (10 - sum % 10) % 10
}

fn card_number(rng: &mut SplitMix64) -> String {
    let mut digits: Vec<u32> = match rng.below(3) {
        0 => vec![4],
        1 => vec![5, 1 + rng.below(5) as u32],
        _ => vec![6, 0, 1, 1],
    };
    while digits.len() < 15 {
        digits.push(rng.below(10) as u32);
    }
    let check = luhn_check_digit(&digits);
    digits.push(check);
    let text: String = digits.iter().filter_map(|d| char::from_digit(*d, 10)).collect();
    text.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect::<Vec<_>>().join(" ")
}

fn pick<'a>(rng: &mut SplitMix64, items: &[&'a str]) -> &'a str {
    rng.pick(items).copied().unwrap_or_default()
}

fn date(rng: &mut SplitMix64, from_year: usize, years: usize) -> String {
    format!("{}-{:02}-{:02}", from_year + rng.below(years), 1 + rng.below(12), 1 + rng.below(28))
}

fn value(column: &str, data_type: &str, row: usize, rng: &mut SplitMix64) -> Value {
    let id_like = column.ends_with("_ID") || column == "ID";
    if !id_like && rng.chance(0.08) {
        return Value::Null;
    }
    let text = |s: String| Value::String(s);
    match column {
        c if c.contains("EMAIL") => text(format!("{}.{}{}@{}", pick(rng, &ASCII_FIRST), pick(rng, &ASCII_LAST), rng.below(100), pick(rng, &DOMAINS))),
        "FIRST_NAME" => text(pick(rng, &FIRST).to_owned()),
        "LAST_NAME" => text(pick(rng, &LAST).to_owned()),
        "FULL_NAME" | "CARD_HOLDER" => text(format!("{} {}", pick(rng, &FIRST), pick(rng, &LAST))),
        "PHONE" => text(match rng.below(4) {
            0 => format!("+1 415-555-{:04}", rng.below(10_000)),
            1 => format!("+44 20 7946 {:04}", rng.below(10_000)),
            2 => format!("+49 30 {:06}", rng.below(1_000_000)),
            _ => format!("(212) 555-{:04}", rng.below(10_000)),
        }),
        "CARD_NUMBER" => text(card_number(rng)),
        "SSN" => text(format!("9{:02}-{:02}-{:04}", rng.below(100), 1 + rng.below(99), rng.below(10_000))),
        "IBAN" => text(format!("DE{:02} {:04} {:04} {:04} {:04} {:02}", rng.below(100), rng.below(10_000), rng.below(10_000), rng.below(10_000), rng.below(10_000), rng.below(100))),
        "EXPIRY" => text(format!("{:02}/{}", 1 + rng.below(12), 26 + rng.below(6))),
        "IP_ADDRESS" => text(format!("203.0.113.{}", rng.below(255))),
        "PAGE_URL" => text(format!("https://shop.example.com/p/{}", rng.below(10_000))),
        "CITY" => text(pick(rng, &CITIES).to_owned()),
        "COUNTRY" => text(pick(rng, &COUNTRIES).to_owned()),
        "CURRENCY" => text(pick(rng, &CURRENCIES).to_owned()),
        "STATUS" => text(pick(rng, &STATUSES).to_owned()),
        c if c.contains("ADDRESS") => text(format!("{} {}, {}", 1 + rng.below(300), pick(rng, &STREETS), pick(rng, &CITIES))),
        "NOTES" | "DESCRIPTION" | "COMMENT" | "PAYLOAD" | "ERROR_MESSAGE" | "REASON" => text(pick(rng, &TEXTS).to_owned()),
        _ => match data_type {
            "NUMBER" if id_like => Value::from(1_000 + row * 7 + rng.below(7)),
            "NUMBER" => Value::from(rng.below(10_000)),
            "FLOAT" => Value::from(((rng.unit() * 2_000.0) * 100.0).round() / 100.0),
            "BOOLEAN" => Value::Bool(rng.chance(0.5)),
            "DATE" if column == "DATE_OF_BIRTH" => text(date(rng, 1950, 55)),
            "DATE" => text(date(rng, 2019, 6)),
            "TIMESTAMP_NTZ" => text(format!("{} {:02}:{:02}:{:02}", date(rng, 2022, 3), rng.below(24), rng.below(60), rng.below(60))),
            _ if id_like => text(format!("{:08x}-{:04x}", rng.next_u64() as u32, rng.below(0x10000))),
            _ => text(format!("{} {}", pick(rng, &WORDS), rng.below(1_000))),
        },
    }
}

/// `rows` sample values for each `(name, dataType, tags)` column of the table `qualified_name`.
pub fn rows(qualified_name: &str, columns: Vec<(String, String, Vec<String>)>, rows: usize) -> Vec<SampleColumn> {
    columns
        .into_iter()
        .map(|(name, data_type, tags)| {
            let mut rng = rng_for(&format!("sample:{qualified_name}/{name}"));
            let values = (0..rows).map(|row| value(&name, &data_type, row, &mut rng)).collect();
            SampleColumn { name, data_type, tags, values }
        })
        .collect()
}

/// The same sample as CSV (header row, RFC 4180 quoting, nulls as empty cells).
pub fn to_csv(columns: &[SampleColumn]) -> String {
    let cell = |v: &Value| -> String {
        let raw = match v {
            Value::Null => return String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if raw.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", raw.replace('"', "\"\""))
        } else {
            raw
        }
    };
    let mut out = columns.iter().map(|c| cell(&Value::String(c.name.clone()))).collect::<Vec<_>>().join(",");
    out.push('\n');
    let count = columns.iter().map(|c| c.values.len()).max().unwrap_or(0);
    for row in 0..count {
        let line: Vec<String> = columns.iter().map(|c| c.values.get(row).map(cell).unwrap_or_default()).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_pass_the_luhn_check() {
        let mut rng = SplitMix64::new(3);
        for _ in 0..50 {
            let card = card_number(&mut rng);
            let digits: Vec<u32> = card.chars().filter_map(|c| c.to_digit(10)).collect();
            let (check, body) = digits.split_last().unwrap();
            assert_eq!(luhn_check_digit(body), *check, "{card}");
            assert_eq!(card.len(), 19);
        }
    }

    #[test]
    fn samples_are_deterministic_and_realistic() {
        let columns = || vec![
            ("EMAIL".to_owned(), "VARCHAR".to_owned(), vec!["PII".to_owned()]),
            ("FIRST_NAME".to_owned(), "VARCHAR".to_owned(), vec![]),
            ("CUSTOMER_ID".to_owned(), "NUMBER".to_owned(), vec![]),
        ];
        let a = rows("q/T", columns(), 200);
        assert_eq!(a, rows("q/T", columns(), 200));
        assert!(a[0].values.iter().filter_map(Value::as_str).all(|e| e.contains('@')));
        assert!(a[0].values.iter().any(Value::is_null), "some nulls");
        assert!(a[1].values.iter().filter_map(Value::as_str).any(|n| !n.is_ascii()), "non-ASCII names");
        assert!(a[2].values.iter().all(Value::is_number), "ids are never null");
        let csv = to_csv(&a);
        assert_eq!(csv.lines().count(), 201);
        assert!(csv.starts_with("EMAIL,FIRST_NAME,CUSTOMER_ID\n"));
    }
}
