//! Clients for the **cyzen** (RedFox field-sales SaaS) and **SenseLink** (SenseTime face-recognition
//! access control) HTTP APIs, built to be compiled to WebAssembly and used from JavaScript in browsers,
//! Cloudflare Workers and Node.
//!
//! The crate is split so that everything that decides *what* to send and *how to read the answer* is
//! plain Rust, testable natively:
//! - [`http`]: plain request/response values (URL, query, headers, form / JSON / multipart bodies);
//! - [`error`]: the one error model, with stable string codes;
//! - [`json`]: JSON values, parsing and writing (the subset of `serde_json` the code needs, small in
//!   wasm);
//! - [`runtime`]: the small trait the clients use for I/O (send, sleep, clock, randomness);
//! - [`senselink`] and [`cyzen`]: request building, signing, OAuth state, paging, retry decisions and
//!   response decoding for each service.
//!
//! Only on `wasm32` are there two thin layers on top: `fetch` (the [`runtime::Runtime`] implementation
//! over the runtime's global `fetch`, `setTimeout` and `crypto`) and `js` (the JavaScript API), plus
//! the allocator (`heap`).
#![deny(missing_docs)]

pub mod date;
pub mod error;
pub mod http;
pub mod json;
pub mod runtime;
pub mod secret;
pub mod cyzen;
pub mod senselink;

#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(any(test, target_arch = "wasm32"))]
mod heap;

/// On single-threaded wasm the heap is `heap::Heap`, a small size-class allocator, instead of
/// `dlmalloc` (a few hundred bytes of wasm instead of ~7 KB).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();

pub use error::{Error, ErrorCode};
