//! Clients for the **cyzen** (RedFox field-sales SaaS) and **SenseLink** (SenseTime face-recognition
//! access control) HTTP APIs, built to be compiled to WebAssembly and used from JavaScript in browsers,
//! Cloudflare Workers, Node, Deno and Bun.
//!
//! The JavaScript engine owns the bytes, the objects and the JSON; Rust owns the decisions. Everything
//! that decides *what* to send and *how to read the answer* is plain Rust, testable natively:
//! - [`doc`]: reading the few fields the clients decide on from values the engine owns (parsed
//!   bodies, the caller's inputs) without copying them;
//! - [`http`]: plain request values and answers;
//! - [`error`]: the one error model, with stable string codes;
//! - [`runtime`]: the small trait the clients do their I/O through (send, sleep, clock, token store);
//! - [`senselink`] and [`cyzen`]: request building, signing, OAuth state, pacing, paging, retry
//!   decisions and response verdicts for each service, each driven by one table of endpoints.
//!
//! Only on `wasm32` is there a thin layer on top, `js`: the JavaScript API, and the [`runtime::Runtime`]
//! whose I/O the package's JavaScript driver performs (the runtime's `fetch`, timers and the caller's
//! token store).
// The package's wasm is `no_std` (with `alloc`): the standard library's panic machinery (hooks,
// payload formatting, locations) and everything `core::fmt` it keeps alive are not linked; a panic
// is the `unreachable` trap below, which the package's wrapper turns into `INTERNAL`. The `std`
// feature (on by default: what `wasm-pack build` and `wasm-pack test` build, the latter with a test
// harness that needs `std`) keeps `std`; the package builds without it (scripts/entries.mjs).
// Native builds always have `std`.
#![cfg_attr(all(target_arch = "wasm32", not(test), not(feature = "std")), no_std)]
#![deny(missing_docs)]
// No panic reachable from caller or server data: a trap in wasm leaves promises unsettled and can
// poison the instance. Tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::string_slice, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;

/// What the standard prelude gives a `std` crate, for the `no_std` wasm build.
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
}

pub mod cyzen;
pub mod date;
pub mod doc;
pub mod error;
pub mod http;
pub mod retry;
pub mod runtime;
pub mod secret;
pub mod senselink;

#[cfg(target_arch = "wasm32")]
mod js;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod generated;

pub use error::{Error, ErrorCode};

/// A panic in the `no_std` wasm build traps at once (the package's wrapper sees a `RuntimeError`,
/// rejects the pending calls with `INTERNAL` and starts a fresh instance). The message is never
/// formatted, so no formatting code is kept for it.
#[cfg(all(target_arch = "wasm32", not(test), not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(all(target_arch = "wasm32", not(test), not(feature = "std")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
