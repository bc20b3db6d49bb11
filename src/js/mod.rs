//! The JavaScript API (wasm only). Thin: read options, call the core, convert results and errors.
//!
//! The hand-written wrapper in `pkg-template/` re-exports these with TypeScript types, async
//! iterators and the error classes (registered here through `__setErrorFactory` at load time).

mod convert;
mod cyzen;
mod http;
mod senselink;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::Error;
use convert::{detail_to_js, set};

thread_local! {
    static ERROR_FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the function that turns `(code, message, props)` into an instance of the package's
/// error classes. Called once by the package loader; not part of the public API.
#[wasm_bindgen(js_name = __setErrorFactory)]
pub fn set_error_factory(factory: Function) {
    // `try_with`: `with` would link a panic message for a slot accessed during thread teardown,
    // which cannot happen on wasm.
    let _ = ERROR_FACTORY.try_with(|slot| *slot.borrow_mut() = Some(factory));
}

/// A future resolved or rejected by an async export.
pub type JsResultFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// Runs an async export's future as a `Promise`. Every export goes through this one instantiation
/// of `future_to_promise`: each distinct future type would otherwise get its own copy of the task
/// and promise plumbing.
pub fn spawn_promise(future: JsResultFuture) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(future)
}

/// Converts a crate error into a JavaScript `Error` (an instance of the package's classes once the
/// loader registered them) with `code`, `status`, `retryAfterMs`, `body`, `field`, details and `cause`.
pub fn to_js_error(error: Error) -> JsValue {
    let props = Object::new();
    set(&props, "code", &JsValue::from_str(error.code.as_str()));
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
    if let Some(cause) = &error.cause {
        if let Some(value) = cause.0.downcast_ref::<JsValue>() {
            set(&props, "cause", value);
        }
    }
    let code = JsValue::from_str(error.code.as_str());
    let message = JsValue::from_str(&error.message);
    let made = ERROR_FACTORY
        .try_with(|slot| slot.borrow().as_ref().map(|f| f.call3(&JsValue::UNDEFINED, &code, &message, &props)))
        .ok()
        .flatten();
    match made {
        Some(Ok(value)) => value,
        _ => {
            let plain = js_sys::Error::new(&error.message);
            plain.set_name("CyzenSenseLinkError");
            let _ = Object::assign(plain.unchecked_ref(), &props);
            plain.into()
        }
    }
}

/// `md5(timestamp + "#" + appSecret)` in lower-case hex: the SenseLink request signature.
#[wasm_bindgen(js_name = senselinkSign)]
pub fn senselink_sign(timestamp: &str, app_secret: &str) -> String {
    crate::senselink::sign::sign(timestamp, app_secret)
}
