//! Pieces shared by both emulators: the accept loop (native), CORS, request log, fault injection,
//! the adjustable clock, the host's time and timers, seeded randomness and date helpers.

pub mod clock;
pub mod connection;
pub mod cors;
pub mod faults;
pub mod platform;
pub mod png;
pub mod request_log;
pub mod rng;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;
pub mod time;

/// Paths under this prefix are test hooks: never logged, never faulted.
pub const ADMIN_PREFIX: &str = "/__admin";

/// Whether `path` is a test hook (see [`ADMIN_PREFIX`]).
pub fn is_admin_path(path: &str) -> bool {
    path == ADMIN_PREFIX || path.starts_with("/__admin/")
}
