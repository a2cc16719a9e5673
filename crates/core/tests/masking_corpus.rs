//! The masking corpus shared with the SQL tests (`tests/fixtures/mask-corpus.json`), and the
//! invariants every mask keeps over it.
//!
//! The corpus is generated here, deterministically, and the fixture must equal what this file
//! generates (values and the expected output of every mask), so the two can't drift apart.
//! After changing the generator, regenerate with:
//!
//! ```sh
//! STEWARD_WRITE_CORPUS=1 cargo test -p steward-core --test masking_corpus
//! ```
//!
//! Characters come from blocks assigned by Unicode 12 at the latest, so engines whose Unicode
//! tables lag the preview's (DuckDB's RE2) still agree on every value.

// Test code: a failed unwrap or index is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use serde_json::{json, Value};
use steward_core::masking::{mask_column, MaskOptions, MaskType};

/// The key of the keyed-HASH expectations (the SQL test binds the same key).
const CORPUS_KEY: &str = "steward-corpus-key";

use steward_core::seeded::SplitMix64;

/// Character pools, one per script or kind; a generated value mixes one to three of them.
const POOLS: &[&str] = &[
    // ASCII letters, digits, punctuation and space.
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    " .,-_@+()/:;#*!?&%$'\"\\",
    // Latin-1 and Latin Extended-A letters (Lu and Ll), ß and ÿ (Ll with no single uppercase).
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿĀāĂăĄąĆćČčĎďĐđĒēĘęĚěĞğĦħİıĲĳĽľŁłŃńŇňŐőŒœŘřŚśŞşŠšŢţŤťŮůŰűŸŹźŻżŽž",
    // Greek, Cyrillic, Armenian, Georgian (Mkhedruli: Lo), Cherokee (Lu).
    "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώΐΰ",
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяЄєІіЇїЎў",
    "ԱԲԳԴԵԶԷԸԹԺաբգդեզէըթժևაბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰᎠᎡᎢᎣᎤᎥ",
    // Arabic and Hebrew letters (Lo) with Arabic-Indic and Extended Arabic-Indic digits (Nd).
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹אבגדהוזחטיכלמנסעפצקרשת",
    // Devanagari, Bengali, Thai, Tibetan letters and digits; Devanagari vowel signs (Mc/Mn).
    "कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह०१२३४५६७८९ािीुूेैोौ্০১২৩৪৫৬৭৮৯กขคงจฉชซ๐๑๒๓๔๕๖๗๘๙ཀཁག༠༡༢༣",
    // CJK ideographs, kana, Hangul (all Lo), CJK punctuation.
    "東京都港区芝公園中文字漢語日本語大阪北京上海龍鳳あいうえおかきくけこアイウエオカキクケコ한국어서울부산가나다라마。、「」",
    // Fullwidth forms (Lu, Ll, Nd).
    "ＡＢＣＤＥＦＧＺａｂｃｄｅｆｇｚ０１２３４５６７８９",
    // Mathematical alphanumerics, outside the BMP: bold A/a/0, fraktur, double-struck digits.
    "𝐀𝐁𝐂𝐚𝐛𝐜𝟎𝟏𝟐𝔄𝔅𝔞𝔟𝟘𝟙𝟚𝑨𝒂",
    // Numbers that are not decimal digits (No, Nl), letters that are neither Lu nor Ll
    // (Lt, Lm, Lo), and symbols Unicode calls Other_Uppercase / Other_Lowercase (So).
    "½¼¾²³¹⅓⅔ⅠⅡⅢⅣⅻⅫ①②③⑴⒈ǅǈǋʰʱʲˠˤªºⒶⒷⓐⓑ",
    // Emoji, including skin tones and presentation selectors.
    "😀😃😄😁😆😅🤣😂🙂🙃😉😊😇🥰😍🤩😘👍🏽👋🏿❤️✨🔥🎉🚀🌍🍕⚽🐼",
    // Combining marks on their own (they follow whatever precedes them).
    "\u{0300}\u{0301}\u{0302}\u{0303}\u{0308}\u{030a}\u{0327}\u{0336}\u{20dd}\u{20e3}\u{fe0f}",
    // Spaces and separators, including no-break, thin and ideographic space, tab, newlines.
    " \u{a0}\u{2009}\u{3000}\t\n\r\u{2028}\u{200b}\u{200d}",
];

/// Hand-picked values: the SPEC examples, edge lengths, and sequences a random mix rarely hits.
const SPECIAL: &[&str] = &[
    "",
    "1234 5678 9012 3456",
    "panda",
    "1234",
    "1234 Street Name",
    "a",
    "ab",
    "abc",
    "abcd",
    "abcde",
    "é",
    "É",
    "e\u{301}",
    "e\u{301}\u{301}\u{301}\u{301}",
    "Zoë Ærøskøbing",
    "straße",
    "ΣΊΣΥΦΟΣ σίσυφος",
    "Москва",
    "٠١٢٣٤٥٦٧٨٩",
    "۱۲۳۴۵",
    "०१२३४५६७८९",
    "๐๑๒",
    "０１２３",
    "𝟎𝟏𝟐𝟑𝟒",
    "𝐀𝐚",
    "½",
    "Ⓐ",
    "ⓐ",
    "ǅ",
    "ʰ",
    "ª",
    "Ⅻ",
    "①②③④⑤",
    "東京",
    "東京都港区芝公園",
    "한국어",
    "👍",
    "👍🏽",
    "👩\u{200d}👩\u{200d}👧\u{200d}👦",
    "👨\u{200d}💻 at work",
    "🏳\u{fe0f}\u{200d}🌈",
    "🇫🇷🇩🇪🇯🇵",
    "1\u{fe0f}\u{20e3}",
    "#\u{fe0f}\u{20e3}",
    "a\u{200b}b",
    "\u{a0}\u{a0}",
    "tab\there",
    "line\nbreak",
    "crlf\r\nline",
    "O'Brien",
    "say \"hi\"",
    "back\\slash",
    "'; DROP TABLE corpus; --",
    "100% _wild_",
    "\\1 & $& $1",
    "alice@example.com",
    "+1 (555) 010-0199",
    "DE89 3704 0044 0532 0130 00",
    "4111-1111-1111-1111",
    "000-00-0000",
    "2024-02-29T12:34:56Z",
    "  leading and trailing  ",
    "مرحبا بالعالم ١٢٣",
    "שלום עולם",
    "नमस्ते दुनिया १२३",
    "สวัสดี ๑๒๓",
    "ꙮ",
    "ⅰⅱⅲ",
    "ﬁﬂ",
    "İstanbul ıi",
];

fn generated(rng: &mut SplitMix64) -> String {
    let pools: Vec<Vec<char>> = POOLS.iter().map(|p| p.chars().collect()).collect();
    let length = match rng.below(100) {
        0..=39 => 1 + rng.below(5),
        40..=89 => 6 + rng.below(40),
        90..=98 => 50 + rng.below(200),
        _ => 1000 + rng.below(1000),
    };
    let mix: Vec<&Vec<char>> = (0..1 + rng.below(3)).map(|_| rng.pick(&pools).unwrap()).collect();
    (0..length)
        .map(|_| {
            let pool = *rng.pick(&mix).unwrap();
            *rng.pick(pool).unwrap()
        })
        .collect()
}

/// The corpus: the special values, nulls, and deterministic random mixes; 1,200 values.
fn corpus() -> Vec<Option<String>> {
    let mut values: Vec<Option<String>> = SPECIAL.iter().map(|s| Some((*s).to_owned())).collect();
    values.extend([None, None, None]);
    let mut rng = SplitMix64::new(0x5eed_cafe_f00d_1234);
    while values.len() < 1200 {
        // Sprinkle nulls and empties through the random part too.
        values.push(match rng.below(50) {
            0 => None,
            1 => Some(String::new()),
            _ => Some(generated(&mut rng)),
        });
    }
    values
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mask-corpus.json")
}

fn fixture() -> Value {
    let values = corpus();
    let column = |mask: MaskType, options: &MaskOptions| json!(mask_column(&values, mask, options));
    let plain = MaskOptions::default();
    let keyed = MaskOptions {
        hash_key: Some(CORPUS_KEY.as_bytes().to_vec()),
    };
    json!({
        "description": "Masking corpus: values of many scripts and lengths, and what each mask gives for them (SPEC §3). Generated by crates/core/tests/masking_corpus.rs; do not edit by hand.",
        "count": values.len(),
        "hashKey": CORPUS_KEY,
        "values": values,
        "expected": {
            "SHOW_FIRST_4": column(MaskType::ShowFirst4, &plain),
            "SHOW_LAST_4": column(MaskType::ShowLast4, &plain),
            "HASH": column(MaskType::Hash, &plain),
            "NULLIFY": column(MaskType::Nullify, &plain),
            "REDACT": column(MaskType::Redact, &plain),
            "HASH_KEYED": column(MaskType::Hash, &keyed),
        },
    })
}

#[test]
fn corpus_fixture_equals_what_the_generator_produces() {
    let expected = fixture();
    let path = fixture_path();
    if std::env::var_os("STEWARD_WRITE_CORPUS").is_some() {
        let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; regenerate with STEWARD_WRITE_CORPUS=1",
            path.display()
        )
    });
    let actual: Value = serde_json::from_str(&text).unwrap();
    assert!(
        actual == expected,
        "{} is stale; regenerate with STEWARD_WRITE_CORPUS=1",
        path.display()
    );
}

#[test]
fn corpus_has_the_variety_the_sql_tests_rely_on() {
    let values = corpus();
    assert!(values.len() >= 1000);
    let strings: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
    assert!(values.iter().filter(|v| v.is_none()).count() >= 3, "nulls");
    assert!(strings.contains(&""), "empty");
    for n in 1..=5 {
        assert!(
            strings.iter().filter(|s| s.chars().count() == n).count() >= 20,
            "{n}-character values"
        );
    }
    assert!(
        strings.iter().any(|s| s.chars().count() >= 1000),
        "long values"
    );
    assert!(
        strings
            .iter()
            .any(|s| !s.is_ascii() && s.chars().any(|c| c.len_utf8() == 4)),
        "astral characters"
    );
    assert!(
        strings.iter().any(|s| s.contains('\u{200d}')),
        "ZWJ sequences"
    );
    assert!(
        strings.iter().any(|s| s.contains('\u{301}')),
        "combining marks"
    );
    assert!(
        strings.iter().any(|s| s.contains('٣')),
        "Arabic-Indic digits"
    );
    // PostgreSQL text can't hold NUL; the corpus must not either.
    assert!(strings.iter().all(|s| !s.contains('\0')));
}

#[test]
fn every_mask_keeps_its_invariants_over_the_corpus() {
    let values = corpus();
    let options = MaskOptions::default();
    for mask in MaskType::ALL {
        let masked = mask_column(&values, mask, &options);
        for (value, out) in values.iter().zip(&masked) {
            match (mask, value, out) {
                (_, None, out) => assert_eq!(out, &None),
                (MaskType::Nullify, Some(_), out) => assert_eq!(out, &None),
                (MaskType::Hash, Some(_), Some(out)) => {
                    assert_eq!(out.len(), 64);
                    assert!(out
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
                }
                (_, Some(value), Some(out)) => {
                    assert_eq!(
                        out.chars().count(),
                        value.chars().count(),
                        "{mask} {value:?}"
                    );
                    if value.chars().count() <= 4 && mask != MaskType::Redact {
                        assert_eq!(out, value);
                    }
                }
                (_, Some(value), None) => panic!("{mask} made {value:?} null"),
            }
        }
    }
}
