//! Fuzz targets for every reader of caller or server data in `cyzen-senselink`.
//!
//! The library is compiled to wasm with `panic = "abort"`: a panic there traps, leaves the call's
//! promise unsettled and can poison the instance. Clippy denies `unwrap`, indexing and string
//! slicing in its non-test code; these targets are the second line of defence. Each target is a
//! plain function of the fuzzer's bytes (see [`targets`]); `fuzz_targets/*.rs` hand them to
//! libFuzzer, and `tests/replay.rs` runs them over the committed corpus in a normal `cargo test`.
//!
//! Input formats (what the seeds in `corpus/<target>/` are):
//! - text targets (`dates`, `http_text`, `secrets`, `proxies`): the bytes as UTF-8 (lossy), some
//!   split into lines (see each target);
//! - value targets (`senselink_events`, `senselink_envelope`, `senselink_plan`, `cyzen_answers`,
//!   `cyzen_cursors`, `doc_values`): bytes that are JSON text are the value (a body, an input, a
//!   filter or a cursor), run under a small grid of statuses and settings; any other bytes drive a
//!   structured generator ([`gen`]) that builds the value and the settings, with `undefined`,
//!   `Date`s, `NaN` and the infinities a caller may pass.
//!
//! With `FUZZ_SHOW=1` in the environment a target prints its decoded input before running it:
//! `FUZZ_SHOW=1 fuzz/target/<triple>/release/<target> <crash file>` shows what a crash file means.

pub mod gen;
pub mod targets;
pub mod val;

pub use val::Val;

/// Whether to print each decoded input (`FUZZ_SHOW=1`).
pub fn show() -> bool {
    static SHOW: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SHOW.get_or_init(|| std::env::var_os("FUZZ_SHOW").is_some_and(|v| !v.is_empty() && v != "0"))
}
