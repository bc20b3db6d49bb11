//! A host value for the fuzz targets: [`Val`] implements the library's [`Doc`] trait the way the
//! wasm build's `JsValue` does (`src/js/value.rs` and `src/js/host.js`), quirks included, so the
//! targets see what the core sees in production:
//!
//! - a member or element that is `undefined` reads as absent, but its key is still listed;
//! - `keys()` crosses as one NUL-joined string, so a key holding NUL reads as two keys and an
//!   object whose only key is `""` reads as having none;
//! - own keys come in the engine's order (array-index keys ascending first, then insertion order);
//! - members reached through the prototype (`constructor`, `toString`, `__proto__` …) are
//!   functions or objects, an array has `length` and its indices as members;
//! - `text_head` cuts after UTF-16 code units (a cut surrogate pair becomes U+FFFD);
//! - `number_text` is JavaScript's `String(n)` (`NaN`, `Infinity`, `1e+21`);
//! - a `Date` reads as its Unix milliseconds, `None` when invalid;
//! - `parse_json` skips one leading byte order mark.

use std::fmt::Write as _;
use std::rc::Rc;

use cyzen_senselink::doc::{Doc, Kind};

/// A JavaScript value as the engine hands it to the core.
#[derive(Clone, Debug)]
pub enum Val {
    /// `undefined`.
    Undefined,
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (any `f64`, `NaN` and the infinities included: a caller can pass them).
    Num(f64),
    /// A string.
    Str(Rc<str>),
    /// An array (`undefined` elements are holes).
    Arr(Rc<[Val]>),
    /// A plain object: own enumerable members in the engine's key order, no duplicate keys.
    Obj(Rc<[(String, Val)]>),
    /// A `Date` holding Unix milliseconds (`NaN`: an invalid date).
    Date(f64),
    /// A function (a prototype member such as `obj.constructor`): `typeof` is `"function"`.
    Func,
}

const OBJECT_PROTOTYPE: &[&str] = &[
    "constructor",
    "toString",
    "toLocaleString",
    "valueOf",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

const ARRAY_PROTOTYPE: &[&str] = &[
    "at", "concat", "entries", "every", "fill", "filter", "find", "findIndex", "flat", "flatMap", "forEach", "includes",
    "indexOf", "join", "keys", "map", "pop", "push", "reduce", "reverse", "shift", "slice", "some", "sort", "splice",
    "values",
];

const DATE_PROTOTYPE: &[&str] = &["getTime", "getFullYear", "toISOString", "toJSON", "getDay", "getMonth", "setTime"];

/// Whether `key` is a canonical array index (`"0"`, `"17"`, not `"01"`), as the engine orders keys.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || !key.bytes().all(|b| b.is_ascii_digit()) || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    key.parse::<u64>().ok().filter(|n| *n < u64::from(u32::MAX)).map(|n| n as u32)
}

impl Val {
    /// A string value.
    pub fn str(text: &str) -> Val {
        Val::Str(Rc::from(text))
    }

    /// An array value.
    pub fn array(items: Vec<Val>) -> Val {
        Val::Arr(Rc::from(items))
    }

    /// An object built as the engine builds one: a repeated key keeps its first position and its
    /// last value, and array-index keys come first, in ascending order.
    pub fn object(members: Vec<(String, Val)>) -> Val {
        let mut out: Vec<(String, Val)> = Vec::with_capacity(members.len());
        for (key, value) in members {
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
        }
        let (mut indices, names): (Vec<_>, Vec<_>) = out.into_iter().partition(|(k, _)| array_index(k).is_some());
        indices.sort_by_key(|(k, _)| array_index(k));
        indices.extend(names);
        Val::Obj(Rc::from(indices))
    }

    /// The value `JSON.parse` gives for a `serde_json` value (numbers become doubles).
    pub fn from_json(value: &serde_json::Value) -> Val {
        match value {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(b) => Val::Bool(*b),
            serde_json::Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Val::str(s),
            serde_json::Value::Array(items) => Val::array(items.iter().map(Val::from_json).collect()),
            serde_json::Value::Object(members) => {
                Val::object(members.iter().map(|(k, v)| (k.clone(), Val::from_json(v))).collect())
            }
        }
    }

    /// `JSON.parse(text)`, `None` where it would throw. (`serde_json` also refuses numbers out of
    /// the double range and lone surrogate escapes, which the engine accepts: a small difference
    /// that only makes some texts read as "not JSON".)
    pub fn parse(text: &str) -> Option<Val> {
        serde_json::from_str::<serde_json::Value>(text).ok().map(|v| Val::from_json(&v))
    }

    fn is_undefined(&self) -> bool {
        matches!(self, Val::Undefined)
    }
}

/// JavaScript's `String(n)` for a number.
pub fn js_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        return "0".into();
    }
    let abs = n.abs();
    if (1e-6..1e21).contains(&abs) {
        // Rust prints the shortest round-tripping digits without an exponent, as JavaScript does here.
        format!("{n}")
    } else {
        let text = format!("{n:e}");
        match text.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => text,
        }
    }
}

/// `JSON.stringify`'s quoting (short `\b` and `\f` escapes): this stands in for the engine, so it
/// is not the library's `doc::json_string` (which the `secrets` target checks).
fn json_quote(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `JSON.stringify(value)`: `None` for `undefined` and functions.
fn stringify(out: &mut String, value: &Val, depth: usize) -> bool {
    match value {
        Val::Undefined | Val::Func => return false,
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(n) if n.is_finite() => out.push_str(&js_number(*n)),
        Val::Num(_) => out.push_str("null"),
        Val::Str(s) => json_quote(out, s),
        Val::Date(ms) if ms.is_finite() => {
            // `toJSON` gives the ISO form; the digits matter little here, only that it is a string.
            let _ = write!(out, "\"{}Z\"", js_number(*ms));
        }
        Val::Date(_) => out.push_str("null"),
        Val::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if depth > 200 || !stringify(out, item, depth + 1) {
                    out.push_str("null");
                }
            }
            out.push(']');
        }
        Val::Obj(members) => {
            out.push('{');
            let mut first = true;
            for (key, member) in members.iter() {
                if member.is_undefined() || matches!(member, Val::Func) || depth > 200 {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                json_quote(out, key);
                out.push(':');
                stringify(out, member, depth + 1);
            }
            out.push('}');
        }
    }
    true
}

/// `JSON.stringify(value)`.
pub fn to_json(value: &Val) -> Option<String> {
    let mut out = String::new();
    stringify(&mut out, value, 0).then_some(out)
}

impl Doc for Val {
    fn kind(&self) -> Kind {
        match self {
            Val::Undefined => Kind::Absent,
            Val::Null => Kind::Null,
            Val::Bool(_) => Kind::Bool,
            Val::Num(_) => Kind::Number,
            Val::Str(_) => Kind::Text,
            Val::Arr(_) => Kind::Array,
            Val::Obj(_) | Val::Func => Kind::Object,
            Val::Date(_) => Kind::Date,
        }
    }

    fn get(&self, key: &str) -> Option<Val> {
        let found = match self {
            Val::Obj(members) => match members.iter().find(|(k, _)| k == key) {
                Some((_, v)) => v.clone(),
                None if key == "__proto__" => Val::Obj(Rc::from(Vec::new())),
                None if OBJECT_PROTOTYPE.contains(&key) => Val::Func,
                None => Val::Undefined,
            },
            Val::Arr(items) => {
                if key == "length" {
                    Val::Num(items.len() as f64)
                } else if let Some(index) = array_index(key) {
                    items.get(index as usize).cloned().unwrap_or(Val::Undefined)
                } else if key == "__proto__" {
                    Val::array(Vec::new())
                } else if OBJECT_PROTOTYPE.contains(&key) || ARRAY_PROTOTYPE.contains(&key) {
                    Val::Func
                } else {
                    Val::Undefined
                }
            }
            Val::Date(_) if OBJECT_PROTOTYPE.contains(&key) || DATE_PROTOTYPE.contains(&key) => Val::Func,
            Val::Date(_) if key == "__proto__" => Val::Obj(Rc::from(Vec::new())),
            _ => Val::Undefined,
        };
        (!found.is_undefined()).then_some(found)
    }

    fn at(&self, index: usize) -> Option<Val> {
        // The wasm build passes the index as a u32.
        let index = u32::try_from(index).ok()? as usize;
        match self {
            Val::Arr(items) => items.get(index).filter(|v| !v.is_undefined()).cloned(),
            _ => None,
        }
    }

    fn len(&self) -> usize {
        match self {
            Val::Arr(items) => items.len(),
            _ => 0,
        }
    }

    fn keys(&self) -> Vec<String> {
        let Val::Obj(members) = self else { return Vec::new() };
        // As `keysOf` + `split('\0')` in the wasm build.
        let joined = members.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join("\0");
        if joined.is_empty() {
            return Vec::new();
        }
        joined.split('\0').map(str::to_string).collect()
    }

    fn text(&self) -> Option<String> {
        match self {
            Val::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }

    fn text_head(&self, max_chars: usize) -> Option<String> {
        let Val::Str(s) = self else { return None };
        // `text.slice(0, max)` counts UTF-16 code units; the engine's string → UTF-8 copy turns a
        // lone surrogate into U+FFFD.
        let max = u32::try_from(max_chars).unwrap_or(u32::MAX) as usize;
        let mut out = String::new();
        let mut units = 0usize;
        for ch in s.chars() {
            let width = ch.len_utf16();
            if units + width > max {
                if units < max {
                    out.push('\u{fffd}');
                }
                break;
            }
            units += width;
            out.push(ch);
        }
        Some(out)
    }

    fn number(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            Val::Date(ms) => Some(*ms).filter(|t| t.is_finite()),
            _ => None,
        }
    }

    fn boolean(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn number_text(&self) -> Option<String> {
        match self {
            Val::Num(n) => Some(js_number(*n)),
            _ => None,
        }
    }

    fn json_text(&self) -> Option<String> {
        to_json(self)
    }

    fn parse_json(&self) -> Option<Val> {
        let Val::Str(s) = self else { return None };
        Val::parse(s.strip_prefix('\u{feff}').unwrap_or(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_javascript_does() {
        for (n, text) in [(1e21, "1e+21"), (1e20, "100000000000000000000"), (0.93, "0.93"), (12.0, "12"), (-0.0, "0"),
            (1e-7, "1e-7"), (f64::NAN, "NaN"), (f64::NEG_INFINITY, "-Infinity"), (1.5e300, "1.5e+300")] {
            assert_eq!(js_number(n), text);
        }
    }

    #[test]
    fn keys_follow_the_engine() {
        let o = Val::object(vec![("b".into(), Val::Null), ("2".into(), Val::Null), ("1".into(), Val::Null), ("b".into(), Val::Bool(true)), ("01".into(), Val::Null)]);
        assert_eq!(o.keys(), ["1", "2", "b", "01"]);
        assert!(matches!(o.get("b"), Some(Val::Bool(true))));
        assert!(matches!(o.get("constructor"), Some(Val::Func)));
        let only_empty = Val::object(vec![(String::new(), Val::Null)]);
        assert!(only_empty.keys().is_empty());
        let nul = Val::object(vec![("a\0b".into(), Val::Null)]);
        assert_eq!(nul.keys(), ["a", "b"]);
        let undefined = Val::object(vec![("u".into(), Val::Undefined)]);
        assert_eq!(undefined.keys(), ["u"]);
        assert!(undefined.get("u").is_none());
    }

    #[test]
    fn text_heads_count_utf16_units() {
        let s = Val::str("a𝄞b");
        assert_eq!(s.text_head(1).unwrap(), "a");
        assert_eq!(s.text_head(2).unwrap(), "a\u{fffd}");
        assert_eq!(s.text_head(3).unwrap(), "a𝄞");
        assert_eq!(s.text_head(10).unwrap(), "a𝄞b");
    }

    #[test]
    fn json_round_trip() {
        let v = Val::parse("\u{feff}{\"a\":[1,null,\"x\"]}".trim_start_matches('\u{feff}')).unwrap();
        assert_eq!(to_json(&v).unwrap(), r#"{"a":[1,null,"x"]}"#);
        assert!(Val::str("\u{feff}[1]").parse_json().is_some());
        assert!(to_json(&Val::Undefined).is_none());
    }
}
