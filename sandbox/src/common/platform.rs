//! What the emulator needs from the world around it: the wall clock, a monotonic clock, a timer
//! and one outgoing HTTP request (the SenseLink event push). Everything else is a pure
//! request → response function (the axum `Router`, a `tower::Service`).
//!
//! Two implementations, chosen at compile time: native (std time, tokio timers, reqwest) for the
//! `sandbox` binary, and wasm32 (`Date.now()`, `performance.now()`, `setTimeout` and `fetch` of the
//! JavaScript host) for the npm package `cyzen-senselink-sandbox`.
//!
//! Why cfg'd functions and not a trait object handed to every state: there is exactly one host per
//! build (a binary never runs on two), so a trait would only add a type parameter or a `dyn` to
//! every state struct for no second implementation at run time. Tests that need control of time
//! move the [`Clock`](super::clock::Clock) offset instead (`POST /__admin/clock`), which both
//! front-ends share. Measured: axum 0.8 with `default-features = false` (features `json`, `query`,
//! `form`, `multipart`, `macros`, `matched-path`, `original-uri`; no `tokio`, no `http1`),
//! tower-http's CORS layer, multer and futures-util compile for `wasm32-unknown-unknown` as they
//! are; only tokio, hyper and reqwest had to move to the native side.

use std::future::Future;
use std::pin::Pin;

/// How one event push ended.
#[derive(Debug)]
pub enum PushOutcome {
    /// The subscriber answered with this HTTP status.
    Answered(u16),
    /// No answer within the deadline.
    TimedOut,
    /// The request failed (connection refused, DNS, …).
    Failed(String),
}

/// A boxed future that may cross threads on the native build (axum needs `Send` futures).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::{BoxFuture, PushOutcome};
    use std::sync::OnceLock;
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    pub fn wall_ms() -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }

    pub fn monotonic_ns() -> i128 {
        static START: OnceLock<Instant> = OnceLock::new();
        START.get_or_init(Instant::now).elapsed().as_nanos() as i128
    }

    pub fn sleep(ms: u64) -> BoxFuture<()> {
        Box::pin(tokio::time::sleep(Duration::from_millis(ms)))
    }

    fn client() -> &'static reqwest::Client {
        static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
        CLIENT.get_or_init(|| reqwest::Client::builder().no_proxy().build().unwrap_or_default())
    }

    pub fn post_json(url: String, body: String, timeout_ms: u64) -> BoxFuture<PushOutcome> {
        Box::pin(async move {
            let outcome = client()
                .post(&url)
                .timeout(Duration::from_millis(timeout_ms))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await;
            match outcome {
                Ok(response) => PushOutcome::Answered(response.status().as_u16()),
                Err(e) if e.is_timeout() => PushOutcome::TimedOut,
                Err(e) => PushOutcome::Failed(e.to_string()),
            }
        })
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::{BoxFuture, PushOutcome};
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    #[wasm_bindgen(inline_js = r#"
export function wall_ms() { return Date.now(); }
const perf = globalThis.performance;
export function monotonic_ms() { return perf ? perf.now() : Date.now(); }
export function sleep_ms(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
export async function post_json(url, body, timeoutMs) {
  try {
    const response = await fetch(url, {
      method: "POST", headers: { "content-type": "application/json" }, body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  } catch (error) {
    if (error && error.name === "TimeoutError") return -1;
    const cause = error && error.cause ? `: ${error.cause.message ?? error.cause}` : "";
    return String((error && error.message) || error) + cause;
  }
}
"#)]
    extern "C" {
        #[wasm_bindgen(js_name = wall_ms)]
        fn wall_ms_raw() -> f64;
        fn monotonic_ms() -> f64;
        fn sleep_ms(ms: f64) -> js_sys::Promise;
        #[wasm_bindgen(js_name = post_json)]
        fn post_json_js(url: &str, body: &str, timeout_ms: f64) -> js_sys::Promise;
    }

    /// wasm32-unknown-unknown (without the `atomics` target feature) has exactly one thread, so a
    /// JavaScript future never crosses threads; axum still asks for `Send`.
    struct SingleThreaded<F>(F);
    // SAFETY: see above: there is no second thread this value could be sent to.
    unsafe impl<F> Send for SingleThreaded<F> {}
    impl<F: Future + Unpin> Future for SingleThreaded<F> {
        type Output = F::Output;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            Pin::new(&mut self.0).poll(cx)
        }
    }

    pub fn wall_ms() -> i64 {
        wall_ms_raw() as i64
    }

    pub fn monotonic_ns() -> i128 {
        (monotonic_ms() * 1_000_000.0) as i128
    }

    pub fn sleep(ms: u64) -> BoxFuture<()> {
        let timer = SingleThreaded(JsFuture::from(sleep_ms(ms as f64)));
        Box::pin(async move {
            let _ = timer.await;
        })
    }

    pub fn post_json(url: String, body: String, timeout_ms: u64) -> BoxFuture<PushOutcome> {
        let request = SingleThreaded(JsFuture::from(post_json_js(&url, &body, timeout_ms as f64)));
        Box::pin(async move {
            match request.await {
                Ok(value) => match value.as_f64() {
                    Some(status) if status < 0.0 => PushOutcome::TimedOut,
                    Some(status) => PushOutcome::Answered(status as u16),
                    None => PushOutcome::Failed(value.as_string().unwrap_or_else(|| "fetch failed".into())),
                },
                Err(error) => PushOutcome::Failed(error.as_string().unwrap_or_else(|| "fetch failed".into())),
            }
        })
    }
}

/// Unix time in milliseconds from the host's wall clock (no test offset).
pub fn wall_ms() -> i64 {
    imp::wall_ms()
}

/// Nanoseconds on the host's monotonic clock since an arbitrary start.
pub fn monotonic_ns() -> i128 {
    imp::monotonic_ns()
}

/// Completes after `ms` milliseconds (the host's timer).
pub fn sleep(ms: u64) -> BoxFuture<()> {
    imp::sleep(ms)
}

/// POSTs `body` as `application/json` to `url`, giving up after `timeout_ms`.
pub fn post_json(url: String, body: String, timeout_ms: u64) -> BoxFuture<PushOutcome> {
    imp::post_json(url, body, timeout_ms)
}
