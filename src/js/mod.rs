//! The JavaScript API (wasm only). Thin: read options, start [`task::Task`]s that run the core, and
//! turn results and errors into JavaScript values.
//!
//! The hand-written wrapper in `pkg-template/` drives the tasks (`driver.ts`), shapes SenseLink
//! answers with the decoders generated from the core's tables, and adds TypeScript types, async
//! iterators and the error classes (registered here through `__setErrorFactory` at load time).
//!
//! Each part of the API is a cargo feature (see `Cargo.toml`); the package's wasm builds have some
//! of them each (`scripts/entries.mjs`), which leaves some shared helpers unused.
#![cfg_attr(
    not(all(
        feature = "cyzen",
        feature = "senselink",
        feature = "proxies",
        feature = "coordinator",
        feature = "import",
        feature = "events"
    )),
    allow(dead_code, unused_imports)
)]

#[allow(unused_imports)]
use crate::prelude::*;

mod config;
#[cfg(feature = "coordinator")]
mod coordinator;
#[cfg(feature = "cyzen")]
mod cyzen;
#[cfg(feature = "events")]
mod events;
#[cfg(feature = "proxies")]
mod proxies;
#[cfg(feature = "senselink")]
mod senselink;
#[cfg(any(feature = "cyzen", feature = "senselink"))]
mod task;
mod value;

#[cfg(all(test, feature = "cyzen", feature = "senselink", feature = "events"))]
mod tests;

use core::cell::RefCell;

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;

use crate::error::{Detail, Error};
use value::{array_of, object, pairs_object, parse_or_text, set};

#[wasm_bindgen(module = "/src/js/host.js")]
extern "C" {
    /// `factory(code, message, props)` (it throws only if the factory is broken).
    #[wasm_bindgen(js_name = callFactory, catch)]
    fn call_factory(factory: &Function, code: &JsValue, message: &JsValue, props: &Object) -> Result<JsValue, JsValue>;

    /// An `Error` named `CyzenSenseLinkError` carrying `code` and `props`.
    #[wasm_bindgen(js_name = plainError)]
    fn plain_error(message: &JsValue, code: &JsValue, props: &Object) -> JsValue;
}

/// A global of the wasm instance (what `thread_local!` is in a `std` build): the module runs on one
/// thread, and the package never shares an instance's memory with another thread.
pub(crate) struct Global<T>(RefCell<T>);

// SAFETY: wasm32-unknown-unknown without the `atomics` feature has exactly one thread.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// A global holding `value`.
    pub(crate) const fn new(value: T) -> Global<T> {
        Global(RefCell::new(value))
    }

    /// The value's cell.
    pub(crate) fn cell(&self) -> &RefCell<T> {
        &self.0
    }
}

static ERROR_FACTORY: Global<Option<Function>> = Global::new(None);

/// Registers the function that turns `(code, message, props)` into an instance of the package's
/// error classes. Called by the package loader after every (re)instantiation; not part of the
/// public API.
#[wasm_bindgen(js_name = __setErrorFactory)]
pub fn set_error_factory(factory: Function) {
    *ERROR_FACTORY.cell().borrow_mut() = Some(factory);
}

/// Makes the module trap (the `unreachable` a panic ends in), so that tests can check the
/// recovery: every pending call rejects with `INTERNAL` and the next call runs on a fresh
/// instance. Not part of the public API; never call it in production. (A panic hook would tell the
/// JavaScript side earlier, but `std::panic::set_hook` costs 46 KB of wasm; every call into the
/// module goes through the wrapper's `wasmCall`, which sees the trap as a `RuntimeError`.)
#[wasm_bindgen(js_name = __trapForTests)]
pub fn trap_for_tests() {
    core::arch::wasm32::unreachable()
}

fn detail_to_js(detail: &Detail) -> JsValue {
    match detail {
        Detail::Str(s) => JsValue::from_str(s),
        Detail::Num(n) => JsValue::from_f64(*n),
        Detail::Bool(b) => JsValue::from_bool(*b),
        Detail::Json(text) => parse_or_text(text),
        Detail::Pairs(pairs) => pairs_object(pairs),
        Detail::Issues(issues) => array_of(issues.iter().map(|(field, message)| -> JsValue {
            object(&[("field", JsValue::from_str(field)), ("message", JsValue::from_str(message))]).into()
        }))
        .into(),
    }
}

/// Converts a crate error into a JavaScript `Error` (an instance of the package's classes once the
/// loader registered them) with `code`, `status`, `retryAfterMs`, `body`, `field`, details and `cause`.
pub fn to_js_error(error: Error) -> JsValue {
    let props = Object::new();
    if let Some(status) = error.status {
        set(&props, "status", &JsValue::from(status));
    }
    if let Some(ms) = error.retry_after_ms {
        set(&props, "retryAfterMs", &JsValue::from_f64(ms as f64));
    }
    if let Some(body) = &error.body {
        set(&props, "body", &JsValue::from_str(body));
    }
    if let Some(field) = &error.field {
        set(&props, "field", &JsValue::from_str(field));
    }
    for (name, value) in &error.details {
        set(&props, name, &detail_to_js(value));
    }
    if let Some(cause) = error.cause.as_ref().and_then(|c| c.0.downcast_ref::<JsValue>()) {
        set(&props, "cause", cause);
    }
    let code = JsValue::from_str(error.code.as_str());
    let message = JsValue::from_str(&error.message);
    let made = ERROR_FACTORY.cell().borrow().as_ref().map(|f| call_factory(f, &code, &message, &props));
    match made {
        Some(Ok(value)) => value,
        _ => plain_error(&message, &code, &props),
    }
}

/// `md5(timestamp + "#" + appSecret)` in lower-case hex: the SenseLink request signature.
#[cfg(feature = "senselink")]
#[wasm_bindgen(js_name = senselinkSign)]
pub fn senselink_sign(timestamp: &str, app_secret: &str) -> String {
    crate::senselink::sign::sign(timestamp, app_secret)
}
