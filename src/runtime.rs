//! The I/O the clients need, as one small trait: send a request, sleep, read the clock.
//!
//! The clients are generic over [`Runtime`], so the same paging, pacing, retry and OAuth code runs on
//! the wasm `fetch` runtime in production and on scripted, virtual-time runtimes in native tests. The
//! trait has no `Send` bounds: wasm is single-threaded and JavaScript values are not `Send`.

use std::future::Future;

use crate::error::{Error, ErrorCode};
use crate::http::{Request, Response};

/// Sends requests and keeps time for a client.
pub trait Runtime {
    /// Current time as Unix milliseconds (`Date.now()` on wasm).
    fn now_ms(&self) -> f64;

    /// Waits `ms` milliseconds. Fails with `ABORTED` when the call is cancelled meanwhile.
    fn sleep(&self, ms: u64) -> impl Future<Output = Result<(), Error>>;

    /// Sends one request and reads the whole response. Network failures, timeouts and aborts are
    /// errors; any HTTP status is a response.
    fn send(&self, request: Request) -> impl Future<Output = Result<Response, Error>>;
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
