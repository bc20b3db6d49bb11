//! The sliding window behind the coordinator (`CyzenTokenCoordinator`, `durableObjectCoordinator`
//! in `pkg-template/src/coordinator.ts`): server-side only (feature `coordinator`).

#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;

use crate::cyzen::pacing::Pacer;

/// The sliding-window pacer on its own, for the package's coordinator (`pkg-template/src/
/// coordinator.ts`): the Durable Object that paces every isolate using one token, and the local
/// fallback when that object cannot be reached. The same rule as a client's own pacing. Not part of
/// the public API.
#[wasm_bindgen]
pub struct PacingWindow {
    pacer: Pacer,
}

#[wasm_bindgen]
impl PacingWindow {
    /// `limit` requests per `window_ms` (+ `margin_ms`), at most `max_in_flight` at once.
    #[wasm_bindgen(constructor)]
    pub fn new(limit: u32, window_ms: f64, margin_ms: f64, max_in_flight: u32) -> PacingWindow {
        PacingWindow { pacer: Pacer::new(limit as usize, window_ms, margin_ms, max_in_flight as usize) }
    }

    /// Takes a slot at `now`: its id (≥ 0), or minus the milliseconds to wait before asking again.
    pub fn acquire(&mut self, now: f64) -> f64 {
        match self.pacer.try_acquire(now) {
            Ok(id) => id as f64,
            Err(wait) => -wait.max(1.0),
        }
    }

    /// The request of slot `id` got its answer at `now`.
    pub fn finish(&mut self, id: f64, now: f64) {
        self.pacer.finish(id as u64, now);
    }

    /// Takes a slot at `now` for a taker allowing `limit` requests per window (its slots keep that
    /// limit while held), taken back at `lease_until` if still unfinished: its id (≥ 0), or minus
    /// the milliseconds to wait before asking again.
    #[wasm_bindgen(js_name = acquireFor)]
    pub fn acquire_for(&mut self, now: f64, limit: u32, lease_until: f64) -> f64 {
        match self.pacer.try_acquire_for(now, limit as usize, lease_until) {
            Ok(id) => id as f64,
            Err(wait) => -wait.max(1.0),
        }
    }

    /// Gives slot `id` back unused (nothing was sent with it): it leaves no window. Returns whether
    /// it was held.
    pub fn cancel(&mut self, id: f64) -> bool {
        self.pacer.cancel(id as u64)
    }

    /// Finishes, at `now`, the slots whose lease ended (their holders are gone); returns how many.
    #[wasm_bindgen(js_name = finishExpired)]
    pub fn finish_expired(&mut self, now: f64) -> u32 {
        self.pacer.finish_expired(now) as u32
    }
}
