//! Reading values the JavaScript engine owns, without copying them.
//!
//! Response bodies are parsed once, by the engine (`JSON.parse`), and caller inputs are the caller's
//! own objects. The core decides from a few fields of them (a status code, `errors[]`, the `next_*`
//! cursor, a token answer, the fields of an input) and never copies the rest: it reads through the
//! [`Doc`] trait, implemented for `JsValue` in the wasm build (`js::value`) and for
//! `serde_json::Value` in native tests. Items the core does not decide on stay handles and go back
//! to the caller as the engine's own objects.
//!
//! Nothing here fails: a missing member, a wrong type or an out-of-range index reads as "absent".

#[allow(unused_imports)]
use crate::prelude::*;

use crate::secret::{is_sensitive_name, redact_text};

/// What kind of value a [`Doc`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `undefined`: a missing member.
    Absent,
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    Text,
    /// An array.
    Array,
    /// A plain object (or any object that is not an array, a `Date` or a `Blob`).
    Object,
    /// A `Date` (caller inputs only; read with [`Doc::number`] as Unix milliseconds).
    Date,
}

/// A JSON-like value owned by the host engine: an object member, an array element, a string, a
/// number. Cloning clones the handle, not the value.
pub trait Doc: Clone {
    /// The kind of value.
    fn kind(&self) -> Kind;
    /// An object's member, `None` when missing (or when this is not an object).
    fn get(&self, key: &str) -> Option<Self>;
    /// An array's element, `None` when out of range (or when this is not an array).
    fn at(&self, index: usize) -> Option<Self>;
    /// An array's length; 0 for anything else.
    fn len(&self) -> usize;
    /// An object's own keys, in the engine's order; empty for anything else.
    fn keys(&self) -> Vec<String>;
    /// A string's text (copied: call it only for the short fields the core decides on).
    fn text(&self) -> Option<String>;
    /// The first `max_chars` characters of a string (for excerpts of long texts).
    fn text_head(&self, max_chars: usize) -> Option<String> {
        self.text().map(|t| t.chars().take(max_chars).collect())
    }
    /// A number (a `Date` as Unix milliseconds).
    fn number(&self) -> Option<f64>;
    /// A boolean.
    fn boolean(&self) -> Option<bool>;
    /// A number as the engine prints it (`String(n)`): `12`, `0.93`, `1e+21`.
    fn number_text(&self) -> Option<String>;
    /// The value as JSON text, written by the host (`JSON.stringify`): for nested values a form
    /// field carries as text (`extend_data`).
    fn json_text(&self) -> Option<String>;
    /// For a string of JSON text: the value the host's JSON parser reads from it (a leading byte
    /// order mark is skipped); `None` when this is not a string or not JSON.
    fn parse_json(&self) -> Option<Self>;

    /// True for `undefined` and `null` (both mean "not given").
    fn is_nothing(&self) -> bool {
        matches!(self.kind(), Kind::Absent | Kind::Null)
    }

    /// True when there are no array elements (or this is not an array).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A present, non-null member.
    fn given(&self, key: &str) -> Option<Self> {
        self.get(key).filter(|v| !v.is_nothing())
    }
}

/// An integer from a number without fraction or a string of ASCII digits (optionally negative,
/// at most 18 digits): servers and callers write ids both ways.
pub fn integer<D: Doc>(value: &D) -> Option<i64> {
    match value.kind() {
        Kind::Number => value.number().filter(|n| libm::trunc(*n) == *n && n.abs() < 9.0e15).map(|n| n as i64),
        Kind::Text => parse_integer(&value.text()?),
        _ => None,
    }
}

/// Parses `-?[0-9]{1,18}`.
pub fn parse_integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A string from a string, a number or a boolean (what a form field or a message would show).
pub fn scalar_text<D: Doc>(value: &D) -> Option<String> {
    match value.kind() {
        Kind::Text => value.text(),
        Kind::Number => value.number_text(),
        Kind::Bool => value.boolean().map(|b| if b { "true" } else { "false" }.to_string()),
        _ => None,
    }
}

/// Longest server text (a message, a description) kept on an error, in characters.
pub const MESSAGE_CHARS: usize = 500;

/// A server text for an error: a string (or a number, a boolean) with every `secret` masked, cut
/// to `max_chars` characters (`…` marks the cut). Only the head of a long string is read, so a
/// 50 MB `message` costs no more than a short one; the head read reaches past the cut by the
/// longest secret, so a secret straddling the cut is masked too.
pub fn bounded_text<D: Doc>(value: &D, secrets: &[&str], max_chars: usize) -> Option<String> {
    let text = if value.kind() == Kind::Text {
        let longest = secrets.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        value.text_head(max_chars.saturating_add(longest).saturating_add(1))?
    } else {
        scalar_text(value)?
    };
    let masked = redact_text(&text, secrets);
    let mut chars = masked.chars();
    let head: String = chars.by_ref().take(max_chars).collect();
    Some(if chars.next().is_some() { head + "…" } else { head })
}

/// Longest excerpt of a body or value kept on an error, in characters.
pub const EXCERPT_CHARS: usize = 300;

/// A short JSON rendering of a value for error messages and excerpts: object members whose names
/// carry credentials are `"[redacted]"`, every `secret` is masked wherever it appears in a string,
/// and the walk stops after `max_chars` characters (`…` marks the cut), so a huge answer costs no
/// more than a small one. Redaction works on the parsed values, so escapes in the raw text
/// (`"refresh\u005ftoken"`) cannot hide a credential.
pub fn excerpt<D: Doc>(value: &D, secrets: &[&str], max_chars: usize) -> String {
    let mut out = Excerpt { text: String::new(), chars: 0, max: max_chars, cut: false };
    write_value(&mut out, value, secrets, 0);
    if out.cut {
        out.text.push('…');
    }
    out.text
}

struct Excerpt {
    text: String,
    chars: usize,
    max: usize,
    cut: bool,
}

impl Excerpt {
    fn push(&mut self, piece: &str) {
        if self.cut {
            return;
        }
        for ch in piece.chars() {
            if self.chars >= self.max {
                self.cut = true;
                return;
            }
            self.text.push(ch);
            self.chars += 1;
        }
    }

    fn full(&self) -> bool {
        self.cut
    }
}

fn write_value<D: Doc>(out: &mut Excerpt, value: &D, secrets: &[&str], depth: usize) {
    if out.full() {
        return;
    }
    match value.kind() {
        Kind::Absent | Kind::Null => out.push("null"),
        Kind::Bool | Kind::Number | Kind::Date => out.push(&scalar_text(value).unwrap_or_else(|| "null".into())),
        Kind::Text => write_string(out, &redact_text(&value.text().unwrap_or_default(), secrets)),
        Kind::Array if depth > 8 => out.push("[…]"),
        Kind::Object if depth > 8 => out.push("{…}"),
        Kind::Array => {
            out.push("[");
            for index in 0..value.len() {
                if out.full() {
                    return;
                }
                if index > 0 {
                    out.push(",");
                }
                if let Some(item) = value.at(index) {
                    write_value(out, &item, secrets, depth + 1);
                }
            }
            out.push("]");
        }
        Kind::Object => {
            out.push("{");
            for (index, key) in value.keys().iter().enumerate() {
                if out.full() {
                    return;
                }
                if index > 0 {
                    out.push(",");
                }
                write_string(out, key);
                out.push(":");
                match value.get(key) {
                    Some(_) if is_sensitive_name(key) => out.push("\"[redacted]\""),
                    Some(member) => write_value(out, &member, secrets, depth + 1),
                    None => out.push("null"),
                }
            }
            out.push("}");
        }
    }
}

fn write_string(out: &mut Excerpt, text: &str) {
    out.push(&json_string(text));
}

/// A string as a JSON string literal.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                let code = u32::from(c) as usize;
                out.push(char::from(*HEX.get(code >> 4).unwrap_or(&b'0')));
                out.push(char::from(*HEX.get(code & 15).unwrap_or(&b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
pub(crate) mod testing {
    //! `serde_json::Value` as the host value in native tests: the engine's part is played by
    //! `serde_json`'s parser.
    use super::{Doc, Kind};
    use serde_json::Value;

    impl Doc for Value {
        fn kind(&self) -> Kind {
            match self {
                Value::Null => Kind::Null,
                Value::Bool(_) => Kind::Bool,
                Value::Number(_) => Kind::Number,
                Value::String(_) => Kind::Text,
                Value::Array(_) => Kind::Array,
                Value::Object(_) => Kind::Object,
            }
        }
        fn get(&self, key: &str) -> Option<Value> {
            self.as_object()?.get(key).cloned()
        }
        fn at(&self, index: usize) -> Option<Value> {
            self.as_array()?.get(index).cloned()
        }
        fn len(&self) -> usize {
            self.as_array().map_or(0, Vec::len)
        }
        fn keys(&self) -> Vec<String> {
            self.as_object().map_or_else(Vec::new, |o| o.keys().cloned().collect())
        }
        fn text(&self) -> Option<String> {
            self.as_str().map(str::to_string)
        }
        fn number(&self) -> Option<f64> {
            self.as_f64()
        }
        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }
        fn number_text(&self) -> Option<String> {
            self.as_number().map(|n| n.to_string())
        }
        fn json_text(&self) -> Option<String> {
            serde_json::to_string(self).ok()
        }
        fn parse_json(&self) -> Option<Value> {
            serde_json::from_str(self.as_str()?.trim_start_matches('\u{feff}')).ok()
        }
    }

    /// Parses JSON text as the engine would.
    pub fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("test JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bounded_texts_are_masked_then_cut() {
        use serde_json::Value;
        let long = Value::String(format!("{}secret-tail", "x".repeat(8)));
        assert_eq!(bounded_text(&long, &["secret-tail"], 10).as_deref(), Some("xxxxxxxx[r…"));
        assert_eq!(bounded_text(&Value::String("short".into()), &[], 10).as_deref(), Some("short"));
        assert_eq!(
            bounded_text(&Value::String("短い日本語のメッセージ".into()), &[], 5).as_deref(),
            Some("短い日本語…")
        );
        assert_eq!(bounded_text(&serde_json::json!(42), &[], 10).as_deref(), Some("42"));
        assert_eq!(bounded_text(&serde_json::json!({"a": 1}), &[], 10), None);
        let huge = Value::String("y".repeat(1_000_000));
        assert_eq!(bounded_text(&huge, &[], MESSAGE_CHARS).map(|t| t.chars().count()), Some(MESSAGE_CHARS + 1));
    }

    #[test]
    fn integers_from_numbers_and_digit_strings() {
        assert_eq!(integer(&json!(12)), Some(12));
        assert_eq!(integer(&json!(12.0)), Some(12));
        assert_eq!(integer(&json!(12.5)), None);
        assert_eq!(integer(&json!("-7")), Some(-7));
        assert_eq!(integer(&json!("7a")), None);
        assert_eq!(integer(&json!("")), None);
        assert_eq!(integer(&json!("1234567890123456789")), None);
        assert_eq!(integer(&json!(null)), None);
    }

    #[test]
    fn excerpts_redact_parsed_values_and_stop_early() {
        let body = json!({"access_token": "at-1", "refresh_token": "rt-1", "note": "echo s3cr3t-value", "n": [1, 2.5, true, null]});
        let text = excerpt(&body, &["s3cr3t-value"], EXCERPT_CHARS);
        assert!(!text.contains("at-1") && !text.contains("rt-1") && !text.contains("s3cr3t-value"), "{text}");
        assert!(text.contains("\"n\":[1,2.5,true,null]"), "{text}");
        // The name is compared after parsing: an escaped key is still a credential.
        let escaped = super::testing::parse(r#"{"refresh\u005ftoken":"rt-2"}"#);
        assert!(!excerpt(&escaped, &[], 100).contains("rt-2"));
        let long = json!({"items": (0..10_000).collect::<Vec<_>>()});
        let cut = excerpt(&long, &[], 50);
        assert_eq!(cut.chars().count(), 51);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
    }
}
