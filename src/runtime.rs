//! The I/O the clients need, as one small trait: send a request, sleep, read the clock, and keep a
//! few strings in the caller's key/value store.
//!
//! The clients are async code generic over [`Runtime`]. In the wasm build the runtime is a mailbox
//! (`js::task`): each operation parks the request it needs, the package's JavaScript driver
//! performs it (the runtime's `fetch`, `setTimeout`, the caller's token store) and hands the outcome
//! back. In native tests it is a scripted, virtual-time runtime. The trait has no `Send` bounds:
//! wasm is single-threaded and JavaScript values are not `Send`.

#[allow(unused_imports)]
use crate::prelude::*;

use core::future::Future;

use crate::doc::Doc;
use crate::error::{Error, ErrorCode};
use crate::http::{Request, Response};

/// Why a client waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// For a slot of the client's own pacing (its rate limit, or its in-flight limit).
    Pacing,
    /// Before retry number `attempt` (1-based) of a request that failed with HTTP `status`, or
    /// with no answer (`None`: a network failure).
    Retry {
        /// The failed attempt's status, `None` for a network failure.
        status: Option<u16>,
        /// Which retry this wait precedes (1 for the first).
        attempt: u32,
    },
    /// For a token refresh another call is performing.
    Refresh,
}

/// Sends requests, keeps time and reaches the token store for a client.
pub trait Runtime {
    /// The host's values: parsed bodies, stored values, blobs.
    type Value: Doc;

    /// Current time as Unix milliseconds.
    fn now_ms(&self) -> f64;

    /// Waits `ms` milliseconds, for the reason `why` (the host reports it to the caller's hooks).
    /// Fails with `ABORTED` or `TIMEOUT` when the call is cancelled or its deadline passes.
    fn sleep(&self, ms: u64, why: Wait) -> impl Future<Output = Result<(), Error>>;

    /// Sends one request. Network failures, timeouts and aborts are errors; any HTTP status is a
    /// response.
    fn send(&self, request: Request) -> impl Future<Output = Result<Response<Self::Value>, Error>>;

    /// The value stored under `key` (parsed as JSON by the host), if any.
    fn load(&self, key: &str) -> impl Future<Output = Result<Option<Self::Value>, Error>>;

    /// Stores a JSON text under `key` (`None` deletes it).
    fn save(&self, key: &str, value: Option<String>) -> impl Future<Output = Result<(), Error>>;

    /// Takes the lock `key` shared with other client instances (other isolates, other machines)
    /// before a step that must run once for all of them: a token refresh. The host's coordinator
    /// decides; without one (the default) it is granted at once, the instance's own single-flight
    /// being enough. Fails with `TIMEOUT` or `ABORTED` when the call's deadline passes first.
    /// (No default body: a runtime that wraps another must pass it on, not drop it.)
    fn lock(&self, key: &str) -> impl Future<Output = Result<(), Error>>;

    /// Gives back the lock `key` taken with [`Runtime::lock`] (the host also gives it back when
    /// the call ends holding it).
    fn unlock(&self, key: &str) -> impl Future<Output = ()>;
}

/// Fills `buf` with cryptographically secure random bytes (`crypto.getRandomValues` on wasm).
pub fn random_bytes(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|_error| {
        // On wasm the one possible failure is a missing `crypto.getRandomValues`; naming it here
        // keeps getrandom's table of error texts (for every platform) out of the wasm.
        #[cfg(target_arch = "wasm32")]
        let detail = "Web Crypto API is unavailable";
        #[cfg(not(target_arch = "wasm32"))]
        let detail = _error.to_string();
        Error::new(ErrorCode::Network, format!("no secure random source: {detail}"))
    })
}

/// A uniformly distributed number in `[0, 1)` from the secure random source (0.5 if it fails, which
/// only weakens backoff jitter).
pub fn random_unit() -> f64 {
    let mut bytes = [0u8; 4];
    if random_bytes(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / 4_294_967_296.0
}
