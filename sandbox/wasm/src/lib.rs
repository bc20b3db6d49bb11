//! The sandbox's in-process front-end: the emulator (`cyzen_senselink_sandbox::app`, an axum
//! `Router`) compiled to wasm32 and driven from JavaScript, one request at a time. The npm package
//! `cyzen-senselink-sandbox` (sandbox/npm/) wraps it into `createSandbox()`, whose `fetch` turns a
//! standard `Request` into the arguments of [`SandboxCore::handle`] and its answer back into a
//! standard `Response`.
//!
//! The other front-end is the native server (`sandbox` binary, tokio + hyper). Both run the same
//! router; they differ only in how a request arrives and how a dropped connection shows: here a
//! `drop` fault resolves to a "dropped" answer, which the JavaScript side turns into a rejected
//! `fetch` (a `TypeError`, as browsers and Node give).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;

use axum::body::{Body, BodyDataStream};
use axum::http::{header, HeaderName, HeaderValue, Method, Request, Uri};
use axum::Router;
use cyzen_senselink_sandbox::cli::{self, CliError};
use cyzen_senselink_sandbox::common::connection::ConnectionKiller;
use cyzen_senselink_sandbox::{app, Config};
use futures_util::future::{self, Either};
use futures_util::{FutureExt, StreamExt};
use tower::ServiceExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// Bytes of an answer gathered before the first `Response` is handed out, when they are there
/// at once; the rest (and any slower part) is pulled chunk by chunk.
const EAGER_BODY_BYTES: usize = 1 << 20;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The message of the last Rust panic (a sandbox bug: the instance trapped), if any.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// The `sandbox --help` text.
#[wasm_bindgen]
pub fn usage() -> String {
    cli::USAGE.to_string()
}

fn js_error(name: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(name);
    error.into()
}

/// One emulator: its state lives as long as this object.
#[wasm_bindgen]
pub struct SandboxCore {
    router: Router,
    config: Config,
}

#[wasm_bindgen]
impl SandboxCore {
    /// An emulator configured like the `sandbox` binary: `args` are its flags (without the
    /// program name), `env` its environment as `[name, value, name, value, …]`. Throws an `Error`
    /// named `SandboxHelp` for `--help` and `SandboxOptionError` for a bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(args: Vec<String>, env: Vec<String>) -> Result<SandboxCore, JsValue> {
        std::panic::set_hook(Box::new(|info| LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()))));
        let env: Vec<(String, String)> = env.chunks(2).filter_map(|kv| Some((kv.first()?.clone(), kv.get(1)?.clone()))).collect();
        let config = cli::parse(&args, &env).map_err(|e| match e {
            CliError::Help => js_error("SandboxHelp", cli::USAGE),
            CliError::Invalid(message) => js_error("SandboxOptionError", &message),
        })?;
        Ok(SandboxCore { router: app(&config), config })
    }

    /// The lines the binary prints once listening at `base_url` (the first one is
    /// `sandbox listening on <base_url>`).
    pub fn banner(&self, base_url: &str) -> String {
        cli::banner(&self.config, base_url)
    }

    /// The address the options ask to listen on (`--host`).
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> String {
        self.config.listen.ip().to_string()
    }

    /// The port the options ask for (`--port`; 0 = any free port).
    #[wasm_bindgen(getter)]
    pub fn port(&self) -> u16 {
        self.config.listen.port()
    }

    /// The start-up credentials as JSON: `{seed, senselink: {app_key, app_secret, edition},
    /// cyzen: <CyzenConfig>}`.
    pub fn settings(&self) -> String {
        serde_json::json!({
            "seed": self.config.seed,
            "senselink": {
                "app_key": self.config.senselink.app_key,
                "app_secret": self.config.senselink.app_secret,
                "edition": self.config.senselink.edition.as_str(),
            },
            "cyzen": serde_json::to_value(&self.config.cyzen).unwrap_or_default(),
        })
        .to_string()
    }

    /// Answers one request. `headers` is `[name, value, …]`; `cancel`, when given, is a promise
    /// that settles when the caller gives up (its `AbortSignal`): the handler is then dropped, as
    /// the native server drops it when the client closes the connection. Resolves to a
    /// [`SandboxResponse`]; rejects with a `TypeError` for a request the router cannot take.
    pub fn handle(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: Vec<u8>,
        cancel: Option<js_sys::Promise>,
    ) -> js_sys::Promise {
        let request = match build_request(method, url, &headers, body) {
            Ok(request) => request,
            Err(message) => return js_sys::Promise::reject(&js_sys::TypeError::new(&message)),
        };
        let router = self.router.clone();
        future_to_promise(async move { Ok(answer(router, request, cancel).await.into()) })
    }
}

fn build_request(method: &str, url: &str, headers: &[String], body: Vec<u8>) -> Result<Request<Body>, String> {
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| format!("invalid method {method:?}"))?;
    let uri: Uri = url.parse().map_err(|_| format!("invalid URL {url:?}"))?;
    let mut request = Request::new(Body::from(body));
    *request.method_mut() = method;
    for pair in headers.chunks(2) {
        let (Some(name), Some(value)) = (pair.first(), pair.get(1)) else { continue };
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("invalid header name {name:?}"))?;
        let value = HeaderValue::from_str(value).map_err(|_| format!("invalid value of header {name}"))?;
        request.headers_mut().append(name, value);
    }
    // What a client writes on the wire and a `Request` object leaves out.
    if !request.headers().contains_key(header::HOST) {
        if let Some(authority) = uri.authority().and_then(|a| HeaderValue::from_str(a.as_str()).ok()) {
            request.headers_mut().insert(header::HOST, authority);
        }
    }
    *request.uri_mut() = uri;
    Ok(request)
}

async fn answer(router: Router, mut request: Request<Body>, cancel: Option<js_sys::Promise>) -> SandboxResponse {
    let killer = ConnectionKiller::default();
    request.extensions_mut().insert(killer.clone());
    let cancelled: std::pin::Pin<Box<dyn Future<Output = ()>>> = match cancel {
        Some(promise) => Box::pin(JsFuture::from(promise).map(|_| ())),
        None => Box::pin(future::pending()),
    };
    let call = pin!(router.oneshot(request));
    let ended = pin!(future::select(killer.killed(), cancelled));
    let response = match future::select(call, ended).await {
        Either::Left((Ok(response), _)) if !killer.is_killed() => response,
        Either::Left((Err(never), _)) => match never {},
        Either::Right((Either::Right(_), _)) => return SandboxResponse::ended(Ended::Cancelled),
        _ => return SandboxResponse::ended(Ended::Dropped),
    };
    let (parts, body) = response.into_parts();
    let mut headers = Vec::with_capacity(parts.headers.len() * 2);
    for (name, value) in &parts.headers {
        headers.push(name.as_str().to_string());
        headers.push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    // Take what the body has ready now (a whole JSON answer, in the usual case).
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let mut error = None;
    let mut done = false;
    while head.len() < EAGER_BODY_BYTES {
        match stream.next().now_or_never() {
            Some(Some(Ok(chunk))) => head.extend_from_slice(&chunk),
            Some(Some(Err(e))) => {
                error = Some(e.to_string());
                break;
            }
            Some(None) => {
                done = true;
                break;
            }
            None => break,
        }
    }
    SandboxResponse {
        status: parts.status.as_u16(),
        headers,
        head: Some(head),
        error,
        rest: Rc::new(RefCell::new(if done { None } else { Some(stream) })),
        ended: None,
    }
}

#[derive(Clone, Copy)]
enum Ended {
    /// The handler closed the connection without an answer (`drop`, `drop-after`).
    Dropped,
    /// The caller gave up first.
    Cancelled,
}

/// An answer of [`SandboxCore::handle`]: status, headers, the body's first bytes and a way to pull
/// the rest; or no answer at all ([`dropped`](Self::dropped), [`cancelled`](Self::cancelled)).
#[wasm_bindgen]
pub struct SandboxResponse {
    status: u16,
    headers: Vec<String>,
    head: Option<Vec<u8>>,
    /// The body failed after `head` (a `truncate` fault).
    error: Option<String>,
    rest: Rc<RefCell<Option<BodyDataStream>>>,
    ended: Option<Ended>,
}

impl SandboxResponse {
    fn ended(how: Ended) -> Self {
        SandboxResponse { status: 0, headers: Vec::new(), head: None, error: None, rest: Rc::default(), ended: Some(how) }
    }
}

#[wasm_bindgen]
impl SandboxResponse {
    /// The connection was closed without an answer.
    #[wasm_bindgen(getter)]
    pub fn dropped(&self) -> bool {
        matches!(self.ended, Some(Ended::Dropped))
    }

    /// The caller's cancel promise settled before the answer.
    #[wasm_bindgen(getter)]
    pub fn cancelled(&self) -> bool {
        matches!(self.ended, Some(Ended::Cancelled))
    }

    /// HTTP status.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Headers as `[name, value, …]` (names lowercase, repeated names repeated).
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> Vec<String> {
        self.headers.clone()
    }

    /// The body's first bytes (once; later calls give an empty array).
    #[wasm_bindgen(js_name = takeHead)]
    pub fn take_head(&mut self) -> Vec<u8> {
        self.head.take().unwrap_or_default()
    }

    /// Why the body stopped after its first bytes (`truncate`), if it did.
    #[wasm_bindgen(getter)]
    pub fn error(&self) -> Option<String> {
        self.error.clone()
    }

    /// Whether more of the body may follow the first bytes (pull it with [`next`](Self::next)).
    #[wasm_bindgen(getter, js_name = hasMore)]
    pub fn has_more(&self) -> bool {
        self.error.is_none() && self.rest.borrow().is_some()
    }

    /// The next chunk of the body: a `Uint8Array`, `undefined` at the end; rejects with the
    /// reason when the body fails mid-way. One call at a time.
    pub fn next(&self) -> js_sys::Promise {
        let rest = self.rest.clone();
        future_to_promise(async move {
            let Some(mut stream) = rest.borrow_mut().take() else { return Ok(JsValue::UNDEFINED) };
            match stream.next().await {
                Some(Ok(chunk)) => {
                    *rest.borrow_mut() = Some(stream);
                    Ok(js_sys::Uint8Array::from(&chunk[..]).into())
                }
                Some(Err(e)) => Err(JsValue::from_str(&e.to_string())),
                None => Ok(JsValue::UNDEFINED),
            }
        })
    }

    /// Stops the body (the reader went away): the producer is dropped.
    pub fn cancel(&self) {
        self.rest.borrow_mut().take();
    }
}
