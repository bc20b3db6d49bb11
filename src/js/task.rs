//! The runtime the clients' async code runs on in the wasm build: a mailbox, driven from JavaScript.
//!
//! A [`Task`] is one call of a client (a SenseLink operation, a cyzen page, an OAuth step). Polling
//! it runs the core until it needs the host: it parks the action it needs (send this request, sleep,
//! read or write the token store) and the task hands that action to the package's JavaScript driver
//! (`pkg-template/src/driver.ts`), which performs it with the runtime's own `fetch`, `setTimeout`
//! and the caller's store, and feeds the outcome back with [`Task::respond`], [`Task::fail`] or
//! [`Task::resume`]. There is no executor and no promise plumbing in wasm: every step is one plain
//! call, and the JavaScript engine owns every promise, body and `Blob`.
//!
//! Dropping a task (its `free()`, called by the driver when the call ends for any reason) drops the
//! core's future, which releases its pacing slot and any refresh lease it held.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use super::value::{object, set};
use super::to_js_error;
use crate::error::{Error, ErrorCode};
use crate::http::{Body, Expect, Part, Payload, Request, Response, Target};
use crate::runtime::Runtime;

/// What a task asks the host to do.
enum Action {
    Send(Request),
    Sleep(u64),
    Load(String),
    Save(String, Option<String>),
}

/// What the host did.
enum Outcome {
    Response(Response<JsValue>),
    Failed(Error),
    Value(JsValue),
}

/// The mailbox between a task's future and its driver.
#[derive(Default)]
struct Mailbox {
    now: Cell<f64>,
    action: RefCell<Option<Action>>,
    outcome: RefCell<Option<Outcome>>,
}

/// The runtime a task's future runs on: every operation is a round trip through the mailbox.
#[derive(Clone, Default)]
pub struct HostRuntime(Rc<Mailbox>);

/// A parked action, completed when the driver has fed its outcome.
struct HostCall {
    mailbox: Rc<Mailbox>,
    action: Option<Action>,
}

impl Future for HostCall {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Outcome> {
        if let Some(action) = self.action.take() {
            *self.mailbox.action.borrow_mut() = Some(action);
            return Poll::Pending;
        }
        match self.mailbox.outcome.borrow_mut().take() {
            Some(outcome) => Poll::Ready(outcome),
            None => Poll::Pending,
        }
    }
}

fn protocol_error() -> Error {
    Error::new(ErrorCode::Decode, "the driver answered an action with the wrong kind of outcome")
}

impl HostRuntime {
    fn call(&self, action: Action) -> HostCall {
        HostCall { mailbox: self.0.clone(), action: Some(action) }
    }
}

impl Runtime for HostRuntime {
    type Value = JsValue;

    fn now_ms(&self) -> f64 {
        self.0.now.get()
    }

    async fn sleep(&self, ms: u64) -> Result<(), Error> {
        match self.call(Action::Sleep(ms)).await {
            Outcome::Failed(error) => Err(error),
            _ => Ok(()),
        }
    }

    async fn send(&self, request: Request) -> Result<Response<JsValue>, Error> {
        match self.call(Action::Send(request)).await {
            Outcome::Response(response) => Ok(response),
            Outcome::Failed(error) => Err(error),
            Outcome::Value(_) => Err(protocol_error()),
        }
    }

    async fn load(&self, key: &str) -> Result<Option<JsValue>, Error> {
        match self.call(Action::Load(key.to_string())).await {
            Outcome::Value(value) => Ok(Some(value).filter(|v| !v.is_undefined() && !v.is_null())),
            Outcome::Failed(error) => Err(error),
            Outcome::Response(_) => Err(protocol_error()),
        }
    }

    async fn save(&self, key: &str, value: Option<String>) -> Result<(), Error> {
        match self.call(Action::Save(key.to_string(), value)).await {
            Outcome::Failed(error) => Err(error),
            _ => Ok(()),
        }
    }
}

/// A boxed core future producing the call's JavaScript result.
pub type CoreFuture = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// One call of a client, stepped by the package's JavaScript driver. Not part of the public API.
#[wasm_bindgen]
pub struct Task {
    future: Option<CoreFuture>,
    runtime: HostRuntime,
}

impl Task {
    /// A task running `make(runtime)`.
    pub fn new<F: Future<Output = Result<JsValue, Error>> + 'static>(make: impl FnOnce(HostRuntime) -> F) -> Task {
        let runtime = HostRuntime::default();
        Task { future: Some(Box::pin(make(runtime.clone()))), runtime }
    }

    /// Runs the future until it parks an action or ends.
    fn run(&mut self, now: f64, outcome: Option<Outcome>) -> Result<JsValue, JsValue> {
        self.runtime.0.now.set(now);
        *self.runtime.0.outcome.borrow_mut() = outcome;
        let Some(future) = self.future.as_mut() else {
            return Err(to_js_error(Error::new(ErrorCode::Decode, "this call has already ended")));
        };
        match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => {
                self.future = None;
                let value = result.map_err(to_js_error)?;
                Ok(object(&[("kind", JsValue::from_str("done")), ("value", value)]).into())
            }
            Poll::Pending => match self.runtime.0.action.borrow_mut().take() {
                Some(action) => Ok(action_object(action)),
                None => {
                    self.future = None;
                    Err(to_js_error(Error::new(ErrorCode::Decode, "a call stopped without asking for anything")))
                }
            },
        }
    }
}

#[wasm_bindgen]
impl Task {
    /// Starts the call: returns its first action (`{ kind: "send" | "sleep" | "load" | "save" |
    /// "done", … }`); throws the call's typed error when it fails (e.g. `INVALID_INPUT`).
    pub fn start(&mut self, now: f64) -> Result<JsValue, JsValue> {
        self.run(now, None)
    }

    /// The answer to a `send`: its status, the body as the driver read it (`kind` `"json"`: the
    /// parsed value; `"text"`: a string; `"blob"`: a `Blob`; `"empty"`), and three headers.
    #[allow(clippy::too_many_arguments)]
    pub fn respond(
        &mut self,
        now: f64,
        status: u16,
        kind: &str,
        body: JsValue,
        retry_after: Option<String>,
        date: Option<String>,
        request_id: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let body = match kind {
            "json" => Payload::Json(body),
            "text" => Payload::Text(body),
            "blob" => Payload::Blob(body),
            _ => Payload::Empty,
        };
        let response = Response { status, retry_after, date, request_id, body };
        self.run(now, Some(Outcome::Response(response)))
    }

    /// A `send` or `sleep` that failed: `code` is `NETWORK`, `TIMEOUT` or `ABORTED` (or a store
    /// failure, `OAUTH_ERROR`); `cause` is kept on the error.
    pub fn fail(&mut self, now: f64, code: &str, message: String, cause: JsValue) -> Result<JsValue, JsValue> {
        let code = match code {
            "TIMEOUT" => ErrorCode::Timeout,
            "ABORTED" => ErrorCode::Aborted,
            "OAUTH_ERROR" => ErrorCode::OAuthError,
            _ => ErrorCode::Network,
        };
        let mut error = Error::new(code, message);
        if !cause.is_undefined() {
            error = error.with_cause(Rc::new(cause));
        }
        self.run(now, Some(Outcome::Failed(error)))
    }

    /// The end of a `sleep` or `save`, or the value a `load` found (parsed JSON, or `null`).
    pub fn resume(&mut self, now: f64, value: JsValue) -> Result<JsValue, JsValue> {
        self.run(now, Some(Outcome::Value(value)))
    }
}

fn pairs_array(pairs: &[(String, String)]) -> Array {
    pairs.iter().map(|(k, v)| JsValue::from(Array::of2(&JsValue::from_str(k), &JsValue::from_str(v)))).collect()
}

/// The JavaScript form of an action.
fn action_object(action: Action) -> JsValue {
    let out = Object::new();
    match action {
        Action::Send(request) => {
            set(&out, "kind", &JsValue::from_str("send"));
            set(&out, "url", &JsValue::from_str(&request.full_url()));
            let method = request.method();
            if method != crate::http::Method::Get {
                set(&out, "method", &JsValue::from_str(method.as_str()));
            }
            if !request.headers.is_empty() {
                set(&out, "headers", &pairs_array(&request.headers));
            }
            if request.expect == Expect::Blob {
                set(&out, "expect", &JsValue::from_str("blob"));
            }
            if request.target == Target::TokenEndpoint {
                set(&out, "token", &JsValue::TRUE);
            }
            match request.body {
                Body::Empty => {}
                Body::Form(fields) => set(&out, "form", &JsValue::from_str(&crate::http::form_urlencode(&fields))),
                Body::Json(text) => set(&out, "json", &JsValue::from_str(&text)),
                Body::Multipart(parts) => set(&out, "multipart", &parts_array(parts)),
            }
        }
        Action::Sleep(ms) => {
            set(&out, "kind", &JsValue::from_str("sleep"));
            set(&out, "ms", &JsValue::from_f64(ms as f64));
        }
        Action::Load(key) => {
            set(&out, "kind", &JsValue::from_str("load"));
            set(&out, "key", &JsValue::from_str(&key));
        }
        Action::Save(key, value) => {
            set(&out, "kind", &JsValue::from_str("save"));
            set(&out, "key", &JsValue::from_str(&key));
            set(&out, "value", &value.map_or(JsValue::NULL, |v| JsValue::from_str(&v)));
        }
    }
    out.into()
}

/// Multipart parts as `[name, value]` (text) or `[name, blob, filename, type]` (a file: the very
/// `Blob` the caller gave).
fn parts_array(parts: Vec<Part>) -> Array {
    parts
        .into_iter()
        .map(|part| -> JsValue {
            match part {
                Part::Text { name, value } => Array::of2(&JsValue::from_str(&name), &JsValue::from_str(&value)).into(),
                Part::File { name, data, filename, content_type } => {
                    let blob = data.downcast_ref::<JsValue>().cloned().unwrap_or(JsValue::UNDEFINED);
                    Array::of4(&JsValue::from_str(&name), &blob, &JsValue::from_str(&filename), &JsValue::from_str(&content_type)).into()
                }
            }
        })
        .collect()
}
