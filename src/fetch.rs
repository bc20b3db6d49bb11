//! The [`Runtime`] over the JavaScript runtime's own globals: `fetch`, `setTimeout`, `Date.now()`.
//!
//! Globals are bound directly (never through `window`), so the same code runs in pages, web workers,
//! Cloudflare Workers and Node. Every call gets its own `AbortController`, aborted when the per-call
//! timeout fires, when the caller's `AbortSignal` fires, or when the Rust future is dropped.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Blob, BlobPropertyBag, FormData, Headers, RequestInit, RequestRedirect};

use crate::error::{Error, ErrorCode};
use crate::http::{Body, FileData, PartValue, Request, Response, ResponseKind};
use crate::runtime::Runtime;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Promise;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Sends through the global `fetch` (or a caller-supplied one) with an optional per-call timeout and
/// caller `AbortSignal`. Cheap to create: build one per call with that call's options.
#[derive(Clone, Default)]
pub struct FetchRuntime {
    /// A `fetch`-compatible function to use instead of the global one (proxies, tracing, test doubles).
    pub fetch: Option<Function>,
    /// Abort a request that takes longer than this.
    pub timeout_ms: Option<u32>,
    /// The caller's cancellation signal.
    pub signal: Option<AbortSignal>,
}

/// Converts a JavaScript exception into an error that keeps it as its cause.
pub fn js_error(code: ErrorCode, context: &str, value: JsValue) -> Error {
    let detail = js_sys::Reflect::get(&value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| value.as_string())
        .unwrap_or_default();
    let message = if detail.is_empty() { context.to_string() } else { format!("{context}: {detail}") };
    Error::new(code, message).with_cause(Rc::new(value))
}

fn signal_aborted(signal: &Option<AbortSignal>) -> bool {
    signal.as_ref().is_some_and(|s| s.aborted())
}

fn aborted_error(signal: &Option<AbortSignal>) -> Error {
    let error = Error::new(ErrorCode::Aborted, "the call was aborted by its AbortSignal");
    match signal {
        Some(s) => error.with_cause(Rc::new(s.reason())),
        None => error,
    }
}

/// Aborts the fetch unless it completed; clears the timer and the listener on the caller's signal.
/// Dropping the Rust future drops this guard, which is how an abandoned call stops its request.
struct InFlight {
    controller: AbortController,
    done: bool,
    timer: Option<JsValue>,
    _on_timeout: Option<Closure<dyn FnMut()>>,
    caller_signal: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(timer) = &self.timer {
            clear_timeout(timer);
        }
        if let Some((signal, listener)) = &self.caller_signal {
            let _ = signal.remove_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
        }
        if !self.done {
            self.controller.abort();
        }
    }
}

fn build_body(body: &Body, headers: &Headers) -> Result<Option<JsValue>, Error> {
    let set_type = |value: &str| {
        headers.set("content-type", value).map_err(|e| js_error(ErrorCode::InvalidInput, "bad header", e))
    };
    Ok(match body {
        Body::Empty => None,
        Body::Form(fields) => {
            set_type("application/x-www-form-urlencoded;charset=UTF-8")?;
            Some(JsValue::from_str(&crate::http::form_urlencode(fields)))
        }
        Body::Json(text) => {
            set_type("application/json")?;
            Some(JsValue::from_str(text))
        }
        Body::Bytes { content_type, data } => {
            set_type(content_type)?;
            Some(Uint8Array::from(data.as_slice()).into())
        }
        // No Content-Type header: the runtime writes `multipart/form-data; boundary=…` itself.
        Body::Multipart(parts) => {
            let form = FormData::new().map_err(|e| js_error(ErrorCode::InvalidInput, "FormData is unavailable", e))?;
            for part in parts {
                let appended = match &part.value {
                    PartValue::Text(text) => form.append_with_str(&part.name, text),
                    PartValue::File(file) => {
                        let blob = match &file.data {
                            FileData::Blob(handle) => {
                                let blob = handle
                                    .downcast_ref::<Blob>()
                                    .cloned()
                                    .ok_or_else(|| Error::invalid_input(&part.name, "the file handle is not a Blob"))?;
                                if file.content_type.is_empty() || blob.type_() == file.content_type {
                                    blob
                                } else {
                                    // Re-labelling wraps the Blob by reference: its bytes still never
                                    // enter wasm memory.
                                    let options = BlobPropertyBag::new();
                                    options.set_type(&file.content_type);
                                    Blob::new_with_blob_sequence_and_options(&Array::of1(&blob), &options)
                                        .map_err(|e| js_error(ErrorCode::InvalidInput, "could not relabel a Blob", e))?
                                }
                            }
                            FileData::Bytes(bytes) => {
                                let options = BlobPropertyBag::new();
                                options.set_type(&file.content_type);
                                let chunks = Array::of1(&Uint8Array::from(bytes.as_slice()));
                                Blob::new_with_u8_array_sequence_and_options(&chunks, &options)
                                    .map_err(|e| js_error(ErrorCode::InvalidInput, "could not build a Blob", e))?
                            }
                        };
                        form.append_with_blob_and_filename(&part.name, &blob, &file.filename)
                    }
                };
                appended.map_err(|e| js_error(ErrorCode::InvalidInput, "could not append to FormData", e))?;
            }
            Some(form.into())
        }
    })
}

async fn read_response(response: web_sys::Response, kind: ResponseKind) -> Result<Response, JsValue> {
    let mut headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries {
            let pair: Array = entry?.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default().to_ascii_lowercase();
            headers.push((name, pair.get(1).as_string().unwrap_or_default()));
        }
    }
    let status = response.status();
    let (body, blob) = match kind {
        ResponseKind::Bytes => {
            let buffer = JsFuture::from(response.array_buffer()?).await?;
            (Uint8Array::new(&buffer).to_vec(), None)
        }
        ResponseKind::Blob => {
            let blob: Blob = JsFuture::from(response.blob()?).await?.unchecked_into();
            let size = blob.size() as u64;
            let content_type = blob.type_();
            (Vec::new(), Some(crate::http::BlobHandle::new(blob, size, content_type)))
        }
    };
    Ok(Response { status, headers, body, blob })
}

impl FetchRuntime {
    fn classify(&self, value: JsValue, timed_out: bool, timeout_ms: Option<u32>, reading_body: bool) -> Error {
        if timed_out {
            let ms = timeout_ms.unwrap_or(0);
            return Error::new(ErrorCode::Timeout, format!("no complete response within {ms} ms"))
                .with_cause(Rc::new(value));
        }
        if signal_aborted(&self.signal) {
            return aborted_error(&self.signal);
        }
        let context = if reading_body { "the response body could not be read" } else { "the request failed" };
        js_error(ErrorCode::Network, context, value)
    }
}

impl Runtime for FetchRuntime {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn sleep(&self, ms: u64) -> Result<(), Error> {
        if signal_aborted(&self.signal) {
            return Err(aborted_error(&self.signal));
        }
        let signal = self.signal.clone();
        let mut timer = None;
        let mut listener = None;
        let promise = Promise::new(&mut |resolve, reject| {
            timer = Some(set_timeout(&resolve, ms as f64));
            if let Some(signal) = &signal {
                let reject = reject.clone();
                let on_abort = Closure::<dyn FnMut()>::new(move || {
                    let _ = reject.call0(&JsValue::UNDEFINED);
                });
                let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
                listener = Some(on_abort);
            }
        });
        let outcome = JsFuture::from(promise).await;
        if let Some(timer) = &timer {
            clear_timeout(timer);
        }
        if let (Some(signal), Some(listener)) = (&signal, &listener) {
            let _ = signal.remove_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
        }
        outcome.map(|_| ()).map_err(|_| aborted_error(&self.signal))
    }

    async fn send(&self, request: Request) -> Result<Response, Error> {
        if signal_aborted(&self.signal) {
            return Err(aborted_error(&self.signal));
        }
        let controller = AbortController::new().map_err(|e| js_error(ErrorCode::Network, "AbortController is unavailable", e))?;
        let headers = Headers::new().map_err(|e| js_error(ErrorCode::Network, "Headers is unavailable", e))?;
        for (name, value) in &request.headers {
            headers
                .append(name, value)
                .map_err(|e| js_error(ErrorCode::InvalidInput, &format!("header {name} is not valid"), e))?;
        }
        let body = build_body(&request.body, &headers)?;
        let init = RequestInit::new();
        init.set_method(request.method().as_str());
        init.set_headers(&headers);
        // Redirects are never followed: a token or signed request must not be replayed elsewhere.
        init.set_redirect(RequestRedirect::Manual);
        init.set_signal(Some(&controller.signal()));
        if let Some(body) = &body {
            init.set_body(body);
        }

        let timed_out = Rc::new(Cell::new(false));
        let mut in_flight = InFlight { controller: controller.clone(), done: false, timer: None, _on_timeout: None, caller_signal: None };
        if let Some(ms) = self.timeout_ms {
            let flag = timed_out.clone();
            let controller = controller.clone();
            let on_timeout = Closure::<dyn FnMut()>::new(move || {
                flag.set(true);
                controller.abort();
            });
            in_flight.timer = Some(set_timeout(on_timeout.as_ref().unchecked_ref(), f64::from(ms)));
            in_flight._on_timeout = Some(on_timeout);
        }
        if let Some(signal) = &self.signal {
            let controller = controller.clone();
            let on_abort = Closure::<dyn FnMut()>::new(move || controller.abort());
            let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
            in_flight.caller_signal = Some((signal.clone(), on_abort));
        }

        let url = request.full_url();
        let promise = match &self.fetch {
            Some(custom) => custom
                .call2(&JsValue::UNDEFINED, &JsValue::from_str(&url), &init)
                .map_err(|e| self.classify(e, false, None, false))?
                .dyn_into::<Promise>()
                .unwrap_or_else(|value| Promise::resolve(&value)),
            None => global_fetch(&url, &init),
        };
        let value = JsFuture::from(promise)
            .await
            .map_err(|e| self.classify(e, timed_out.get(), self.timeout_ms, false))?;
        let response: web_sys::Response = value
            .dyn_into()
            .map_err(|v| js_error(ErrorCode::Decode, "fetch did not return a Response", v))?;
        if response.type_() == web_sys::ResponseType::Opaqueredirect {
            in_flight.done = true;
            return Ok(Response { status: 0, ..Response::default() }.with_header("x-opaque-redirect", "1"));
        }
        let result = read_response(response, request.response_kind)
            .await
            .map_err(|e| self.classify(e, timed_out.get(), self.timeout_ms, true));
        in_flight.done = true;
        result
    }
}
