//! The engine's values, read in place: [`Doc`] for `JsValue`, and small builders for the plain
//! objects handed back to JavaScript.
//!
//! Reading a member costs one call into JavaScript; a member's name crosses as a string once and is
//! then kept as a JavaScript string in a small cache (the same few names are read on every call:
//! `code`, `data`, `errors`, the input fields). Nothing here copies a whole value into wasm memory:
//! only the strings and numbers the core asks for.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::{Array, JsString, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::doc::{Doc, Kind};

#[wasm_bindgen(module = "/src/js/host.js")]
extern "C" {
    /// The kind of a value in one call: 0 undefined, 1 null, 2 boolean, 3 number, 4 string,
    /// 5 array, 6 other object, 7 `Date`.
    #[wasm_bindgen(js_name = kindOf)]
    fn kind_of(value: &JsValue) -> u8;

    /// `object[key]` for an object, else `undefined`.
    #[wasm_bindgen(js_name = memberOf)]
    fn member_of(object: &JsValue, key: &JsValue) -> JsValue;

    /// `array[index]` for an array, else `undefined`.
    #[wasm_bindgen(js_name = elementOf)]
    fn element_of(array: &JsValue, index: u32) -> JsValue;

    /// `array.length` for an array, else 0.
    #[wasm_bindgen(js_name = lengthOf)]
    fn length_of(array: &JsValue) -> u32;

    /// An object's own keys joined by NUL.
    #[wasm_bindgen(js_name = keysOf)]
    fn keys_of(object: &JsValue) -> String;

    /// An object from NUL-separated names and values.
    #[wasm_bindgen(js_name = pairsOf)]
    fn pairs_of(joined: &str) -> JsValue;

    /// `object[key] = value`.
    #[wasm_bindgen(js_name = setMember)]
    fn set_member(object: &JsValue, key: &JsValue, value: &JsValue) -> JsValue;

    /// `array.push(value)`.
    fn append(array: &JsValue, value: &JsValue) -> JsValue;

    /// `text.slice(0, length)`.
    #[wasm_bindgen(js_name = headOf)]
    fn head_of(text: &JsValue, length: u32) -> JsValue;

    /// The string without a leading byte order mark.
    #[wasm_bindgen(js_name = withoutBom)]
    fn without_bom(text: &JsValue) -> JsValue;

    /// `date.getTime()` as a number value.
    #[wasm_bindgen(js_name = timeOf)]
    fn time_of(date: &JsValue) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JavaScript string, without copying it into wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;

    /// `JSON.stringify`.
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;

    /// `String(n)`.
    #[wasm_bindgen(js_name = String)]
    fn string_of(value: &JsValue) -> JsString;
}

/// Most names kept; the rest are passed each time.
const KEY_CACHE: usize = 96;

static KEYS: super::Global<Vec<(String, JsValue)>> = super::Global::new(Vec::new());

/// A member name as a JavaScript string (from the cache when it was used before).
pub fn key(name: &str) -> JsValue {
    let cached = KEYS.cell().borrow().iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if let Some(value) = cached {
        return value;
    }
    let value = JsValue::from_str(name);
    let mut keys = KEYS.cell().borrow_mut();
    if keys.len() < KEY_CACHE {
        keys.push((name.to_string(), value.clone()));
    }
    value
}

impl Doc for JsValue {
    fn kind(&self) -> Kind {
        match kind_of(self) {
            0 => Kind::Absent,
            1 => Kind::Null,
            2 => Kind::Bool,
            3 => Kind::Number,
            4 => Kind::Text,
            5 => Kind::Array,
            7 => Kind::Date,
            _ => Kind::Object,
        }
    }

    fn get(&self, name: &str) -> Option<JsValue> {
        Some(member_of(self, &key(name))).filter(|v| !v.is_undefined())
    }

    fn at(&self, index: usize) -> Option<JsValue> {
        Some(element_of(self, u32::try_from(index).ok()?)).filter(|v| !v.is_undefined())
    }

    fn len(&self) -> usize {
        length_of(self) as usize
    }

    fn keys(&self) -> Vec<String> {
        let joined = keys_of(self);
        if joined.is_empty() {
            return Vec::new();
        }
        joined.split('\0').map(str::to_string).collect()
    }

    fn text(&self) -> Option<String> {
        self.as_string()
    }

    fn text_head(&self, max_chars: usize) -> Option<String> {
        let text = self.dyn_ref::<JsString>()?;
        let end = u32::try_from(max_chars).unwrap_or(u32::MAX).min(text.length());
        head_of(text, end).as_string()
    }

    fn number(&self) -> Option<f64> {
        match self.as_f64() {
            Some(n) => Some(n),
            None => self.dyn_ref::<js_sys::Date>().and_then(|date| time_of(date).as_f64()).filter(|t| t.is_finite()),
        }
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn number_text(&self) -> Option<String> {
        self.as_f64()?;
        string_of(self).as_string()
    }

    fn json_text(&self) -> Option<String> {
        json_stringify(self).ok()?.as_string()
    }

    fn parse_json(&self) -> Option<JsValue> {
        let text = self.dyn_ref::<JsString>()?;
        json_parse(&without_bom(text)).ok()
    }
}

/// Sets a member on an object being built.
pub fn set(object: &Object, name: &str, value: &JsValue) {
    set_member(object, &key(name), value);
}

/// An array of `values` (what `collect::<Array>()` builds, through `append`).
pub fn array_of(values: impl IntoIterator<Item = JsValue>) -> Array {
    let out = Array::new();
    for value in values {
        append(&out, &value);
    }
    out
}

/// A plain object from name/value pairs.
pub fn object(members: &[(&str, JsValue)]) -> Object {
    let out = Object::new();
    for (name, value) in members {
        set(&out, name, value);
    }
    out
}

/// Ordered string pairs as a plain object (one call across the boundary).
pub fn pairs_object(pairs: &[(String, String)]) -> JsValue {
    let mut joined = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            joined.push('\0');
        }
        joined.push_str(name);
        joined.push('\0');
        joined.push_str(value);
    }
    pairs_of(&joined)
}

/// Parses JSON text the core wrote (details kept on errors), falling back to the text itself.
pub fn parse_or_text(text: &str) -> JsValue {
    let value = JsValue::from_str(text);
    json_parse(&value).unwrap_or(value)
}

/// An optional string option (`INVALID_INPUT` naming it when it is another type).
pub fn opt_text(options: &JsValue, name: &str) -> Result<Option<String>, crate::error::Error> {
    match options.get(name).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(value) => {
            value.as_string().map(Some).ok_or_else(|| crate::error::Error::invalid_input(name, "must be a string"))
        }
    }
}

/// An optional finite number option.
pub fn opt_number(options: &JsValue, name: &str) -> Result<Option<f64>, crate::error::Error> {
    match options.get(name).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(value) => match value.as_f64() {
            Some(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(crate::error::Error::invalid_input(name, "must be a finite number")),
        },
    }
}

/// An optional integer option in `min..=max`.
pub fn opt_int(options: &JsValue, name: &str, min: u32, max: u32) -> Result<Option<u32>, crate::error::Error> {
    match opt_number(options, name) {
        Ok(Some(n)) if libm::trunc(n) == n && n >= f64::from(min) && n <= f64::from(max) => Ok(Some(n as u32)),
        Ok(None) => Ok(None),
        _ => Err(crate::error::Error::invalid_input(name, format!("must be an integer from {min} to {max}"))),
    }
}

/// An optional boolean option.
pub fn opt_bool(options: &JsValue, name: &str) -> Result<Option<bool>, crate::error::Error> {
    match options.get(name).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(value) => {
            value.as_bool().map(Some).ok_or_else(|| crate::error::Error::invalid_input(name, "must be a boolean"))
        }
    }
}

/// Option names of an `allow` list: an array of strings, or `["@default"]` when absent.
pub fn allow_patterns(options: &JsValue) -> Result<Vec<String>, crate::error::Error> {
    let Some(allow) = options.get("allow").filter(|a| a.kind() == Kind::Array) else {
        return Ok(vec!["@default".to_string()]);
    };
    (0..allow.len())
        .map(|i| {
            allow
                .at(i)
                .and_then(|p| p.as_string())
                .ok_or_else(|| crate::error::Error::invalid_input(format!("allow[{i}]"), "must be a string"))
        })
        .collect()
}
