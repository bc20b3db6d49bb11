//! Reading JavaScript option objects and turning crate values into JavaScript values.
//!
//! Option objects are read property by property (not through serde) where they may hold `Blob`s,
//! functions or `AbortSignal`s, and every wrong type becomes an `INVALID_INPUT` error naming the
//! property, so a caller's mistake never reaches the network.

use js_sys::{Array, ArrayBuffer, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, Blob, File};

use crate::error::{Detail, Error};
use crate::http::{BlobHandle, FileData};

/// A property of an object (`undefined` when missing or when `obj` is not an object).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// True for `undefined` and `null`.
pub fn is_absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// An optional string property.
pub fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let value = get(obj, key);
    if is_absent(&value) {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| Error::invalid_input(key, "must be a string"))
}

/// A required, non-empty string property.
pub fn req_string(obj: &JsValue, key: &str) -> Result<String, Error> {
    match opt_string(obj, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Error::invalid_input(key, "is required")),
    }
}

/// An optional non-negative integer property (at most 2^53).
pub fn opt_uint(obj: &JsValue, key: &str) -> Result<Option<u64>, Error> {
    let value = get(obj, key);
    if is_absent(&value) {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_992.0 => Ok(Some(n as u64)),
        _ => Err(Error::invalid_input(key, "must be a non-negative integer")),
    }
}

/// An optional number property (finite).
pub fn opt_number(obj: &JsValue, key: &str) -> Result<Option<f64>, Error> {
    let value = get(obj, key);
    if is_absent(&value) {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(Error::invalid_input(key, "must be a finite number")),
    }
}

/// An optional boolean property.
pub fn opt_bool(obj: &JsValue, key: &str) -> Result<Option<bool>, Error> {
    let value = get(obj, key);
    if is_absent(&value) {
        return Ok(None);
    }
    value.as_bool().map(Some).ok_or_else(|| Error::invalid_input(key, "must be a boolean"))
}

/// An optional function property.
pub fn opt_function(obj: &JsValue, key: &str) -> Result<Option<Function>, Error> {
    let value = get(obj, key);
    if is_absent(&value) {
        return Ok(None);
    }
    value.dyn_into::<Function>().map(Some).map_err(|_| Error::invalid_input(key, "must be a function"))
}

/// An optional `AbortSignal` property.
pub fn opt_signal(obj: &JsValue, key: &str) -> Result<Option<AbortSignal>, Error> {
    let value = get(obj, key);
    if is_absent(&value) {
        return Ok(None);
    }
    value.dyn_into::<AbortSignal>().map(Some).map_err(|_| Error::invalid_input(key, "must be an AbortSignal"))
}

/// A scalar rendered the way a form or query string carries it (`true`, `12`, `text`).
pub fn scalar_to_string(value: &JsValue, key: &str) -> Result<String, Error> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    if let Some(b) = value.as_bool() {
        return Ok(if b { "true" } else { "false" }.to_string());
    }
    match value.as_f64() {
        Some(n) if n.is_finite() => Ok(format_number(n)),
        _ => Err(Error::invalid_input(key, "must be a string, a finite number or a boolean")),
    }
}

/// A number as JavaScript prints it (`String(n)`): integers without a trailing `.0`. Formatting goes
/// through JavaScript so Rust's float formatting (≈ 15 KB of wasm) is never linked in.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return (n as i64).to_string();
    }
    js_sys::Number::from(n).to_string_with_radix(10).map(String::from).unwrap_or_default()
}

/// `{a: 1, b: "x"}` or `[["a", "1"], ...]` as ordered string pairs; `undefined`/`null` values are
/// skipped (they mean "not given").
pub fn string_pairs(value: &JsValue, key: &str) -> Result<Vec<(String, String)>, Error> {
    let mut pairs = Vec::new();
    if is_absent(value) {
        return Ok(pairs);
    }
    if Array::is_array(value) {
        for entry in Array::from(value).iter() {
            let pair = Array::from(&entry);
            let name = pair.get(0).as_string().ok_or_else(|| Error::invalid_input(key, "entries must be [name, value] pairs"))?;
            pairs.push((name.clone(), scalar_to_string(&pair.get(1), &format!("{key}.{name}"))?));
        }
        return Ok(pairs);
    }
    if !value.is_object() {
        return Err(Error::invalid_input(key, "must be an object"));
    }
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let pair = Array::from(&entry);
        let name = pair.get(0).as_string().unwrap_or_default();
        let item = pair.get(1);
        if is_absent(&item) {
            continue;
        }
        pairs.push((name.clone(), scalar_to_string(&item, &format!("{key}.{name}"))?));
    }
    Ok(pairs)
}

/// File input accepted wherever the API takes a file: `Blob`/`File`, `Uint8Array` or `ArrayBuffer`.
/// Every kind ends up as a `Blob` handle, so no file's bytes are ever copied into wasm memory: bytes
/// are wrapped in a `Blob` by the runtime (a copy that stays on the JavaScript side). Returns the
/// data and, for a `File`, its name and type.
pub fn file_input(value: &JsValue, key: &str) -> Result<(FileData, Option<String>, String), Error> {
    let wrapped;
    let blob = if let Some(blob) = value.dyn_ref::<Blob>() {
        blob
    } else if value.is_instance_of::<Uint8Array>() || value.is_instance_of::<ArrayBuffer>() {
        wrapped = Blob::new_with_u8_array_sequence(&Array::of1(value))
            .map_err(|_| Error::invalid_input(key, "could not be read as a Blob"))?;
        &wrapped
    } else {
        return Err(Error::invalid_input(key, "must be a Blob, File, Uint8Array or ArrayBuffer"));
    };
    let name = value.dyn_ref::<File>().map(|f| f.name()).filter(|n| !n.is_empty());
    let content_type = blob.type_();
    let handle = BlobHandle::new(blob.clone(), blob.size() as u64, content_type.clone());
    Ok((FileData::Blob(handle), name, content_type))
}

/// Up to `n` leading bytes of a `Uint8Array` or `ArrayBuffer` (copied; for format sniffing).
pub fn leading_bytes(value: &JsValue, n: u32) -> Option<Vec<u8>> {
    let bytes = match value.dyn_ref::<ArrayBuffer>() {
        Some(buffer) => Uint8Array::new(buffer),
        None => value.dyn_ref::<Uint8Array>()?.clone(),
    };
    Some(bytes.subarray(0, n.min(bytes.length())).to_vec())
}

/// Sets a property on an object being built.
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Ordered string pairs as a plain object.
pub fn pairs_to_object(pairs: &[(String, String)]) -> Object {
    let obj = Object::new();
    for (k, v) in pairs {
        set(&obj, k, &JsValue::from_str(v));
    }
    obj
}

/// A detail value as JavaScript.
pub fn detail_to_js(detail: &Detail) -> JsValue {
    match detail {
        Detail::Str(s) => JsValue::from_str(s),
        Detail::Num(n) => JsValue::from_f64(*n),
        Detail::Bool(b) => JsValue::from_bool(*b),
        Detail::Json(text) => js_sys::JSON::parse(text).unwrap_or_else(|_| JsValue::from_str(text)),
        Detail::Pairs(pairs) => pairs_to_object(pairs).into(),
    }
}
