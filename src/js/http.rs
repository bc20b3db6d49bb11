//! `httpRequest`: one request through the library's transport, exposed for callers who need an
//! endpoint the typed clients do not cover, and used by the tests to exercise the network path.

use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{self, get, is_absent, opt_function, opt_signal, opt_string, opt_uint, set, string_pairs};
use super::to_js_error;
use crate::error::Error;
use crate::fetch::FetchRuntime;
use crate::http::{Body, FilePart, Method, Part, Request, ResponseKind};
use crate::runtime::Runtime;

/// Reads the transport options every call accepts: `fetch`, `timeoutMs`, `signal`.
pub fn runtime_from(options: &JsValue, default_fetch: Option<js_sys::Function>, default_timeout: Option<u32>) -> Result<FetchRuntime, Error> {
    let timeout = opt_uint(options, "timeoutMs")?;
    if let Some(ms) = timeout {
        if ms == 0 || ms > u64::from(u32::MAX) {
            return Err(Error::invalid_input("timeoutMs", "must be between 1 and 4294967295"));
        }
    }
    Ok(FetchRuntime {
        fetch: opt_function(options, "fetch")?.or(default_fetch),
        timeout_ms: timeout.map(|ms| ms as u32).or(default_timeout),
        signal: opt_signal(options, "signal")?,
    })
}

fn multipart_parts(value: &JsValue) -> Result<Vec<Part>, Error> {
    if !Array::is_array(value) {
        return Err(Error::invalid_input("multipart", "must be an array of { name, value } or { name, file } fields"));
    }
    let mut parts = Vec::new();
    for (index, field) in Array::from(value).iter().enumerate() {
        let at = format!("multipart[{index}]");
        let name = opt_string(&field, "name")?.ok_or_else(|| Error::invalid_input(&at, "needs a name"))?;
        let file = get(&field, "file");
        if is_absent(&file) {
            let text = convert::scalar_to_string(&get(&field, "value"), &format!("{at}.value"))?;
            parts.push(Part::text(name, text));
            continue;
        }
        let (data, file_name, blob_type) = convert::file_input(&file, &format!("{at}.file"))?;
        let filename = opt_string(&field, "filename")?.or(file_name).unwrap_or_else(|| "blob".to_string());
        let content_type = opt_string(&field, "contentType")?
            .or_else(|| (!blob_type.is_empty()).then_some(blob_type))
            .unwrap_or_else(|| "application/octet-stream".to_string());
        parts.push(Part::file(name, FilePart { filename, content_type, data }));
    }
    Ok(parts)
}

fn request_from(options: &JsValue) -> Result<Request, Error> {
    if !options.is_object() {
        return Err(Error::invalid_input("options", "must be an object"));
    }
    let url = opt_string(options, "url")?.ok_or_else(|| Error::invalid_input("url", "is required"))?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Error::invalid_input("url", "must be an absolute http(s) URL"));
    }
    let method = match opt_string(options, "method")? {
        Some(name) => Method::parse(&name).ok_or_else(|| Error::invalid_input("method", "must be GET, POST, PUT, PATCH or DELETE"))?,
        None => Method::Get,
    };
    let mut request = Request::new(method, url);
    request.query = string_pairs(&get(options, "query"), "query")?;
    request.headers = string_pairs(&get(options, "headers"), "headers")?;
    let form = get(options, "form");
    let json = get(options, "json");
    let multipart = get(options, "multipart");
    let given = [&form, &json, &multipart].iter().filter(|v| !is_absent(v)).count();
    if given > 1 {
        return Err(Error::invalid_input("options", "give at most one of form, json and multipart"));
    }
    if given == 1 && method == Method::Get {
        return Err(Error::invalid_input("method", "a GET request cannot have a body"));
    }
    request.body = if !is_absent(&form) {
        Body::Form(string_pairs(&form, "form")?)
    } else if !is_absent(&json) {
        let text = js_sys::JSON::stringify(&json).map_err(|_| Error::invalid_input("json", "cannot be serialised as JSON"))?;
        Body::Json(text.as_string().unwrap_or_default())
    } else if !is_absent(&multipart) {
        Body::Multipart(multipart_parts(&multipart)?)
    } else {
        Body::Empty
    };
    request.response_kind = match opt_string(options, "responseType")?.as_deref() {
        None | Some("bytes") => ResponseKind::Bytes,
        Some("blob") => ResponseKind::Blob,
        Some(_) => return Err(Error::invalid_input("responseType", "must be \"bytes\" or \"blob\"")),
    };
    Ok(request)
}

/// Sends one HTTP request through the library's transport (global `fetch` or `options.fetch`,
/// `redirect: "manual"`, per-call `timeoutMs`, `signal`) and resolves with
/// `{ status, headers, body: Uint8Array, blob? }`. Any HTTP status resolves; network failures,
/// timeouts and aborts reject with typed errors (`NETWORK`, `TIMEOUT`, `ABORTED`), and invalid
/// options reject with `INVALID_INPUT` before anything is sent.
#[wasm_bindgen(js_name = httpRequest)]
pub fn http_request(options: JsValue) -> js_sys::Promise {
    super::spawn_promise(Box::pin(http_request_async(options)))
}

async fn http_request_async(options: JsValue) -> Result<JsValue, JsValue> {
    let run = async {
        let request = request_from(&options)?;
        let runtime = runtime_from(&options, None, None)?;
        runtime.send(request).await
    };
    let response = run.await.map_err(to_js_error)?;
    let out = Object::new();
    set(&out, "status", &JsValue::from(response.status));
    let headers = Object::new();
    for (name, value) in &response.headers {
        let existing = get(&headers, name);
        let joined = match existing.as_string() {
            Some(previous) => format!("{previous}, {value}"),
            None => value.clone(),
        };
        set(&headers, name, &JsValue::from_str(&joined));
    }
    set(&out, "headers", &headers);
    set(&out, "body", &Uint8Array::from(response.body.as_slice()));
    if let Some(blob) = &response.blob {
        if let Some(value) = blob.downcast_ref::<web_sys::Blob>() {
            set(&out, "blob", value);
        }
    }
    Ok(out.into())
}
