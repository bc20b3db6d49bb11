//! Structured inputs from the fuzzer's bytes (through `arbitrary::Unstructured`): texts built from
//! the words the parsers decide on, dates with a multi-byte character at byte offset 10 or 19
//! (where `parse_datetime` and `windows::parse` cut), numbers at the edges (`NaN`, ±∞, 2^53,
//! `1e21`), and nested JSON-like values whose keys come from each target's dictionary.

use arbitrary::Unstructured;

use crate::val::Val;

/// The names and words one target's values are made of.
#[derive(Clone, Copy)]
pub struct Dict {
    /// Object keys the code under test reads.
    pub keys: &'static [&'static str],
    /// String values it compares against.
    pub words: &'static [&'static str],
}

/// Words useful everywhere.
pub const COMMON_WORDS: &[&str] = &[
    "", " ", "0", "1", "-1", "200", "true", "false", "null", "a", "é", "あ", "佐藤 太郎", "名=値", "\"", "\\", "=", "&", "%", "%zz",
    "%E3%81%82", "+", "\u{feff}", "\u{0}", "\n", "𝄞", "２０２４", "\u{3000}", "sign=abc", "\"refresh_token\":\"rt\"",
    "2024-04-01", "2024-04-01T00:00:00", "2024-04-01 00:00:00", "2024-02-29T23:59:59Z", "2024-04-01T09:00:00+09:00",
    "2024-04-01T00:00:00.123Z", "Sun, 06 Nov 1994 08:49:37 GMT", "18446744073709551616", "9007199254740993",
    "123456789012345678", "1234567890123456789", "-0", "1e3", "{\"a\":1}", "[1,2]", "\u{feff}{\"code\":200}",
];

/// Strings where the date parsers cut (byte offsets 10 and 19).
pub const DATE_BASES: &[&str] = &[
    "2024-04-01",
    "2024-04-01T00:00:00",
    "2024-04-01 12:30:45",
    "2024-04-01T12:30:45.123Z",
    "2024-04-01T12:30:45+09:00",
    "2024-04-01T12:30:45-00:30",
    "2018-07-20 12:30:45.0",
    "9999-12-31T23:59:59",
    "0000-01-01T00:00:00+23:59",
    "2024-02-29T00:00:00z",
];

/// Characters of 2, 3 and 4 bytes (full-width digits, kana, an ideographic space, a BOM…).
pub const MULTIBYTE: &[&str] = &["０", "１", "９", "あ", "é", "𝄞", "\u{3000}", "\u{feff}", "ー", "：", "－", "Ｔ", "\u{80}", "\u{7ff}"];

const SEPARATORS: &[&str] = &["-", ":", "T", " ", ".", "+", "Z", "=", "&", "?", "#", "/", ",", ";", "\"", "\\", "\t", "\n", "%", "0", "00", "9"];

/// Numbers at the edges of what the readers check.
pub const NUMBERS: &[f64] = &[
    0.0, -0.0, 1.0, -1.0, 0.5, 2.5, 12.0, 20.0, 100.0, 101.0, 200.0, 400.0, 401.0, 403.0, 404.0, 429.0, 498.0, 503.0, 600.0, 610.0,
    700.0, 709.0, 30001.0, 30002.0, 30003.0, 40000.0, 40001.0, 40002.0, 40003.0, 50001.0, 1e9, 1_000_000_001.0,
    1_743_433_200_000.0, 8.64e15, -8.64e15, 8.64e15 + 1.0, 9.0e15, 9_007_199_254_740_992.0, 9_007_199_254_740_993.0,
    1e18, 9.223_372_036_854_776e18, -9.223_372_036_854_776e18, 1.8446744073709552e19, 1e21, 1e300, f64::MAX, f64::MIN,
    f64::MIN_POSITIVE, 5e-324, 1e-7, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 4_294_967_295.0, 4_294_967_296.0,
];

fn pick<'s>(u: &mut Unstructured<'_>, items: &[&'s str]) -> &'s str {
    u.choose(items).copied().unwrap_or("")
}

/// The largest char boundary of `text` at or before `at`.
pub fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `text` with `ch` put at byte offset `at` (replacing the character there, or inserted).
pub fn put_at(text: &str, at: usize, ch: &str, replace: bool) -> String {
    let at = floor_boundary(text, at);
    let (head, tail) = text.split_at(at);
    let tail = if replace { tail.char_indices().nth(1).map_or("", |(i, _)| &tail[i..]) } else { tail };
    format!("{head}{ch}{tail}")
}

/// An integer in `0..=max`, 0 when the bytes run out.
pub fn small(u: &mut Unstructured<'_>, max: u32) -> u32 {
    u.int_in_range(0..=max).unwrap_or(0)
}

/// A number: an edge value, a small integer, or any double.
pub fn number(u: &mut Unstructured<'_>) -> f64 {
    match small(u, 3) {
        0 => u.choose(NUMBERS).copied().unwrap_or(0.0),
        1 => f64::from(u.int_in_range(-3i32..=120).unwrap_or(0)),
        2 => f64::from_bits(u.arbitrary::<u64>().unwrap_or(0)),
        _ => u.arbitrary::<i64>().unwrap_or(0) as f64 / f64::from(1u32 << small(u, 12)),
    }
}

/// A text.
pub fn text(u: &mut Unstructured<'_>, dict: &Dict) -> String {
    match small(u, 10) {
        0 | 1 => pick(u, dict.words).to_string(),
        2 => pick(u, COMMON_WORDS).to_string(),
        3 => u.arbitrary::<String>().unwrap_or_default(),
        4 => {
            // A few pieces glued together.
            let mut out = String::new();
            for _ in 0..=small(u, 4) {
                let piece = match small(u, 4) {
                    0 => pick(u, dict.words).to_string(),
                    1 => pick(u, SEPARATORS).to_string(),
                    2 => pick(u, MULTIBYTE).to_string(),
                    3 => u.int_in_range(0u32..=99_999).unwrap_or(0).to_string(),
                    _ => pick(u, COMMON_WORDS).to_string(),
                };
                out.push_str(&piece);
            }
            out
        }
        5 => {
            // A date with a multi-byte character where the parsers cut.
            let base = pick(u, DATE_BASES);
            let at = match small(u, 6) {
                0 => 10,
                1 => 19,
                2 => 9,
                3 => 18,
                4 => 11,
                5 => 20,
                _ => small(u, 30) as usize,
            };
            let ch = pick(u, MULTIBYTE);
            let once = put_at(base, at, ch, u.arbitrary().unwrap_or(true));
            if u.arbitrary().unwrap_or(false) {
                put_at(&once, if at == 10 { 19 } else { 10 }, pick(u, MULTIBYTE), true)
            } else {
                once
            }
        }
        6 => {
            // A known word, mutated.
            let word = if u.arbitrary().unwrap_or(true) { pick(u, dict.words) } else { pick(u, DATE_BASES) };
            let at = small(u, word.len() as u32) as usize;
            match small(u, 3) {
                0 => put_at(word, at, pick(u, MULTIBYTE), false),
                1 => put_at(word, at, pick(u, SEPARATORS), true),
                2 => word[..floor_boundary(word, at)].to_string(),
                _ => format!("{word}{word}"),
            }
        }
        7 => {
            // A long text (for the cuts at 40, 300, 500 and 4000 characters).
            let piece = if u.arbitrary().unwrap_or(true) { pick(u, MULTIBYTE) } else { pick(u, dict.words) };
            let times = 1 + small(u, 600) as usize;
            let mut out = piece.repeat(times.min(8192 / piece.len().max(1)));
            if u.arbitrary().unwrap_or(false) {
                out.push_str(pick(u, dict.words));
            }
            out
        }
        8 => {
            // A number written as text.
            match small(u, 3) {
                0 => u.arbitrary::<i64>().unwrap_or(0).to_string(),
                1 => crate::val::js_number(number(u)),
                2 => format!(" {} ", small(u, 1000)),
                _ => format!("{:0>width$}", small(u, 99), width = small(u, 20) as usize),
            }
        }
        9 => pick(u, dict.keys).to_string(),
        _ => pick(u, DATE_BASES).to_string(),
    }
}

/// A key of an object: mostly one the code reads.
pub fn key(u: &mut Unstructured<'_>, dict: &Dict) -> String {
    match small(u, 7) {
        0 => text(u, dict),
        1 => format!("next_{}", pick(u, &["id", "spot_id", "report_id", "start_date", "x", "", "user_id"])),
        2 => pick(u, &["constructor", "__proto__", "toString", "length", "0", "1", "", "a\0b", "valueOf"]).to_string(),
        _ => pick(u, dict.keys).to_string(),
    }
}

/// Deepest nesting generated (the excerpt writer stops at 9).
pub const MAX_DEPTH: u32 = 11;

/// A JSON-like value (with `undefined`, `Date`s, `NaN` and the infinities, as a caller may pass).
pub fn value(u: &mut Unstructured<'_>, dict: &Dict, depth: u32) -> Val {
    let scalar_only = depth >= MAX_DEPTH || u.is_empty();
    match small(u, if scalar_only { 6 } else { 10 }) {
        0 => Val::Undefined,
        1 => Val::Null,
        2 => Val::Bool(u.arbitrary().unwrap_or(false)),
        3 => Val::Num(number(u)),
        4 | 5 => Val::str(&text(u, dict)),
        6 => Val::Date(match small(u, 3) {
            0 => f64::NAN,
            1 => number(u).clamp(-8.64e15, 8.64e15),
            _ => f64::from(u.int_in_range(0u32..=4_102_444_800).unwrap_or(0)) * 1000.0,
        }),
        7 => {
            let length = match small(u, 7) {
                7 => 20 + small(u, 120),
                n => n,
            };
            Val::array((0..length).map(|_| value(u, dict, depth + 1)).collect())
        }
        _ => object(u, dict, depth),
    }
}

/// An object value.
pub fn object(u: &mut Unstructured<'_>, dict: &Dict, depth: u32) -> Val {
    let count = small(u, 9);
    Val::object((0..count).map(|_| (key(u, dict), value(u, dict, depth + 1))).collect())
}

/// An object whose members are the given names (each present with probability ½) plus a few
/// others, with values of every kind.
pub fn object_with(u: &mut Unstructured<'_>, names: &[&str], dict: &Dict) -> Val {
    let mut members = Vec::new();
    for name in names {
        if u.arbitrary().unwrap_or(false) {
            members.push((name.to_string(), value(u, dict, 1)));
        }
    }
    for _ in 0..small(u, 2) {
        members.push((key(u, dict), value(u, dict, 1)));
    }
    Val::object(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_at_respects_char_boundaries() {
        assert_eq!(put_at("2024-04-01T00:00:00", 10, "あ", true), "2024-04-01あ00:00:00");
        assert_eq!(put_at("2024-04-01T00:00:00", 19, "０", false), "2024-04-01T00:00:00０");
        assert_eq!(put_at("ああ", 4, "x", true), "あx");
        assert_eq!(floor_boundary("ああ", 4), 3);
    }

    #[test]
    fn values_from_any_bytes() {
        let dict = Dict { keys: &["a"], words: &["b"] };
        for seed in 0..200u32 {
            let bytes: Vec<u8> = (0..512u32).map(|i| (i.wrapping_mul(seed).wrapping_add(seed * 7) % 251) as u8).collect();
            let mut u = Unstructured::new(&bytes);
            let _ = value(&mut u, &dict, 0);
            let _ = text(&mut u, &dict);
        }
    }
}
