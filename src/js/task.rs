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

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::to_js_error;
use super::value::array_of;
use crate::error::{Detail, Error, ErrorCode};
use crate::http::{Body, Expect, Part, Payload, Request, Response, Target};
use crate::runtime::{Runtime, Wait};

#[wasm_bindgen(module = "/src/js/host.js")]
extern "C" {
    #[wasm_bindgen(js_name = sendStep)]
    #[allow(clippy::too_many_arguments)]
    fn send_step(
        url: &str,
        method: Option<&str>,
        headers: JsValue,
        form: Option<String>,
        json: Option<String>,
        multipart: JsValue,
        blob: bool,
        token: bool,
    ) -> JsValue;
    #[wasm_bindgen(js_name = sleepStep)]
    fn sleep_step(ms: f64, why: &str, status: Option<u16>, attempt: Option<u32>) -> JsValue;
    #[wasm_bindgen(js_name = loadStep)]
    fn load_step(key: &str) -> JsValue;
    #[wasm_bindgen(js_name = saveStep)]
    fn save_step(key: &str, value: Option<String>) -> JsValue;
    #[wasm_bindgen(js_name = lockStep)]
    fn lock_step(key: &str, held: bool) -> JsValue;
    #[wasm_bindgen(js_name = doneStep)]
    fn done_step(value: JsValue) -> JsValue;
}

/// What a task asks the host to do.
enum Action {
    Send(Request),
    Sleep(u64, Wait),
    Load(String),
    Save(String, Option<String>),
    /// Take (`true`) or give back (`false`) a lock shared with other instances.
    Lock(String, bool),
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
            let mut slot = self.mailbox.action.borrow_mut();
            // One action at a time: the driver performs one and answers it. A second one parked
            // before the first was answered (two host calls awaited together) would overwrite it
            // and leave its caller waiting forever, so it fails instead.
            if slot.is_some() {
                return Poll::Ready(Outcome::Failed(Error::new(
                    ErrorCode::Internal,
                    "a call asked for two host actions at once (a bug in cyzen-senselink: please report it)",
                )));
            }
            *slot = Some(action);
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

    async fn sleep(&self, ms: u64, why: Wait) -> Result<(), Error> {
        match self.call(Action::Sleep(ms, why)).await {
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

    async fn lock(&self, key: &str) -> Result<(), Error> {
        match self.call(Action::Lock(key.to_string(), true)).await {
            Outcome::Failed(error) => Err(error),
            _ => Ok(()),
        }
    }

    async fn unlock(&self, key: &str) {
        // Giving back cannot fail the call: the driver also releases what a call still holds
        // when it ends, and a coordinator's lock has a lease.
        let _ = self.call(Action::Lock(key.to_string(), false)).await;
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
                Ok(done_step(result.map_err(to_js_error)?))
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
    /// "lock" | "unlock" | "done", … }`); throws the call's typed error when it fails (e.g. `INVALID_INPUT`).
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

    /// A `send` or `sleep` that failed: `code` is `NETWORK`, `TIMEOUT`, `ABORTED` or
    /// `RESPONSE_TOO_LARGE` (with the answer's `status` and the `limit` it passed), or a store
    /// failure, `OAUTH_ERROR`; `cause` is kept on the error.
    pub fn fail(
        &mut self,
        now: f64,
        code: &str,
        message: String,
        cause: JsValue,
        status: Option<u16>,
        limit: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let code = match code {
            "TIMEOUT" => ErrorCode::Timeout,
            "ABORTED" => ErrorCode::Aborted,
            "RESPONSE_TOO_LARGE" => ErrorCode::ResponseTooLarge,
            "OAUTH_ERROR" => ErrorCode::OAuthError,
            _ => ErrorCode::Network,
        };
        let mut error = Error::new(code, message);
        error.status = status;
        if let Some(limit) = limit {
            error = error.with_detail("limit", Detail::Num(limit));
        }
        if !cause.is_undefined() {
            error = error.with_cause(Rc::new(cause));
        }
        self.run(now, Some(Outcome::Failed(error)))
    }

    /// The end of a `sleep`, `save`, `lock` or `unlock`, or the value a `load` found (parsed JSON, or `null`).
    pub fn resume(&mut self, now: f64, value: JsValue) -> Result<JsValue, JsValue> {
        self.run(now, Some(Outcome::Value(value)))
    }
}

fn pairs_array(pairs: &[(String, String)]) -> Array {
    array_of(pairs.iter().map(|(k, v)| JsValue::from(Array::of2(&JsValue::from_str(k), &JsValue::from_str(v)))))
}

/// The JavaScript form of an action (one call across the boundary).
fn action_object(action: Action) -> JsValue {
    match action {
        Action::Send(request) => {
            let method = request.method();
            let url = request.full_url();
            let headers =
                if request.headers.is_empty() { JsValue::UNDEFINED } else { pairs_array(&request.headers).into() };
            let (expect_blob, to_token_endpoint) =
                (request.expect == Expect::Blob, request.target == Target::TokenEndpoint);
            let (form, json, multipart) = match request.body {
                Body::Empty => (None, None, JsValue::UNDEFINED),
                Body::Form(fields) => (Some(crate::http::form_urlencode(&fields)), None, JsValue::UNDEFINED),
                Body::Json(text) => (None, Some(text), JsValue::UNDEFINED),
                Body::Multipart(parts) => (None, None, parts_array(parts).into()),
            };
            send_step(
                &url,
                (method != crate::http::Method::Get).then(|| method.as_str()),
                headers,
                form,
                json,
                multipart,
                expect_blob,
                to_token_endpoint,
            )
        }
        Action::Sleep(ms, Wait::Pacing) => sleep_step(ms as f64, "pacing", None, None),
        Action::Sleep(ms, Wait::Refresh) => sleep_step(ms as f64, "refresh", None, None),
        Action::Sleep(ms, Wait::Retry { status, attempt }) => sleep_step(ms as f64, "retry", status, Some(attempt)),
        Action::Load(key) => load_step(&key),
        Action::Save(key, value) => save_step(&key, value),
        Action::Lock(key, held) => lock_step(&key, held),
    }
}

/// Multipart parts as `[name, value]` (text) or `[name, blob, filename, type]` (a file: the very
/// `Blob` the caller gave).
fn parts_array(parts: Vec<Part>) -> Array {
    array_of(parts.into_iter().map(|part| -> JsValue {
        match part {
            Part::Text { name, value } => Array::of2(&JsValue::from_str(&name), &JsValue::from_str(&value)).into(),
            Part::File { name, data, filename, content_type } => {
                let blob = data.downcast_ref::<JsValue>().cloned().unwrap_or(JsValue::UNDEFINED);
                Array::of4(
                    &JsValue::from_str(&name),
                    &blob,
                    &JsValue::from_str(&filename),
                    &JsValue::from_str(&content_type),
                )
                .into()
            }
        }
    }))
}
