//! Pacing: at most N requests in *any* window of one second (a sliding window, not a token bucket:
//! a bucket that bursts N and refills continuously lets N + 1 requests into some 1-second window),
//! and at most 6 requests in flight (the Workers limit on simultaneous connections).
//!
//! The server counts a request when it *arrives*, which is somewhere between the moment the client
//! sent it and the moment the answer came back. A slot is therefore held from the send until one
//! window (+ a small margin, default 10 ms, for the server's window boundary) after the answer
//! arrived: whatever the network's latency and jitter, the server can never see more than N in a
//! window, and on a fast link the pace stays within a few percent of the ceiling.
//! [`Pacer::try_acquire`] never waits itself: it says how long to sleep, and each caller sleeps on
//! its own timer (in Workers, a request must not wait on another request's promise).

#[allow(unused_imports)]
use crate::prelude::*;

/// How often a caller re-checks while every blocking slot is still in flight.
pub const IN_FLIGHT_POLL_MS: f64 = 20.0;

/// Identifies a slot taken with [`Pacer::try_acquire`], to release it.
pub type SlotId = u64;

#[derive(Debug)]
struct Held {
    id: SlotId,
    /// When the slot was taken.
    taken_ms: f64,
    /// When the answer arrived; `None` while the request is in flight.
    done_ms: Option<f64>,
}

/// Sliding-window limiter plus in-flight counter.
#[derive(Debug)]
pub struct Pacer {
    limit: usize,
    span_ms: f64,
    max_in_flight: usize,
    held: Vec<Held>,
    next_id: SlotId,
    in_flight: usize,
}

impl Pacer {
    /// `limit` requests per `window_ms` (+ `margin_ms`), at most `max_in_flight` at once.
    pub fn new(limit: usize, window_ms: f64, margin_ms: f64, max_in_flight: usize) -> Pacer {
        Pacer {
            limit: limit.max(1),
            span_ms: window_ms + margin_ms,
            max_in_flight: max_in_flight.max(1),
            held: Vec::new(),
            next_id: 0,
            in_flight: 0,
        }
    }

    /// Takes a slot at `now_ms`, or says how many milliseconds to wait first.
    pub fn try_acquire(&mut self, now_ms: f64) -> Result<SlotId, f64> {
        let span = self.span_ms;
        self.held.retain(|h| h.done_ms.is_none_or(|done| now_ms - done < span));
        if self.held.len() >= self.limit {
            // The slot that frees first is the (len - limit)-th earliest finished one; while the
            // blocking slots are still in flight, nobody knows when: check again shortly.
            let mut finished: Vec<f64> = self.held.iter().filter_map(|h| h.done_ms).collect();
            sort_times(&mut finished);
            let wait = finished.get(self.held.len() - self.limit).map_or(IN_FLIGHT_POLL_MS, |done| done + span - now_ms);
            return Err(wait.max(1.0));
        }
        if self.in_flight >= self.max_in_flight {
            return Err(IN_FLIGHT_POLL_MS);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.held.push(Held { id, taken_ms: now_ms, done_ms: None });
        self.in_flight += 1;
        Ok(id)
    }

    /// Takes an in-flight slot only (token endpoint requests: not counted in the API's window).
    pub fn try_acquire_flight(&mut self) -> Result<(), f64> {
        if self.in_flight >= self.max_in_flight {
            return Err(IN_FLIGHT_POLL_MS);
        }
        self.in_flight += 1;
        Ok(())
    }

    /// The request of slot `id` got its answer (or was dropped) at `now_ms`: its window starts now.
    pub fn finish(&mut self, id: SlotId, now_ms: f64) {
        if let Some(held) = self.held.iter_mut().find(|h| h.id == id && h.done_ms.is_none()) {
            held.done_ms = Some(now_ms);
            self.in_flight = self.in_flight.saturating_sub(1);
        }
    }

    /// A request taken with [`Pacer::try_acquire_flight`] finished (or was dropped).
    pub fn release_flight(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Finishes, at `now_ms`, every slot still in flight that was taken `lease_ms` or more ago: its
    /// holder is gone without saying so (a coordinator's isolate that died mid-request). Returns
    /// how many it finished.
    pub fn finish_stale(&mut self, now_ms: f64, lease_ms: f64) -> usize {
        let mut finished = 0;
        for held in self.held.iter_mut().filter(|h| h.done_ms.is_none() && now_ms - h.taken_ms >= lease_ms) {
            held.done_ms = Some(now_ms);
            finished += 1;
        }
        self.in_flight = self.in_flight.saturating_sub(finished);
        finished
    }

    /// Requests currently in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }
}

/// Sorts a handful of times ascending. An insertion sort: the lists hold at most a few dozen entries,
/// and the standard library's generic sort costs about 2 KB of wasm.
fn sort_times(times: &mut [f64]) {
    for i in 1..times.len() {
        let mut j = i;
        while let (Some(before), Some(at)) = (j.checked_sub(1).and_then(|k| times.get(k)), times.get(j)) {
            if before <= at {
                break;
            }
            times.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// The largest number of times falling inside any half-open window `[t, t + window_ms)` (tests).
#[cfg(test)]
pub fn max_in_any_window(times: &[f64], window_ms: f64) -> usize {
    let mut sorted = times.to_vec();
    sort_times(&mut sorted);
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..sorted.len() {
        while sorted[hi] - sorted[lo] >= window_ms {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_never_admits_more_than_the_limit() {
        let mut pacer = Pacer::new(5, 1000.0, 0.0, 100);
        let mut now = 0.0;
        let mut sent = Vec::new();
        while sent.len() < 40 {
            match pacer.try_acquire(now) {
                Ok(id) => {
                    sent.push(now);
                    pacer.finish(id, now);
                }
                Err(wait) => now += wait,
            }
            now += 7.0; // callers arrive continuously
        }
        assert!(max_in_any_window(&sent, 1000.0) <= 5);
        // …and it is not slower than it must be: 40 requests in about 8 windows.
        assert!(sent[39] < 8.0 * 1000.0 + 50.0, "{}", sent[39]);
    }

    #[test]
    fn a_token_bucket_would_break_the_sliding_window() {
        // Burst 5 at t=0, then a bucket refilling 5/s admits one more at t=200 — 6 in [0, 1000).
        assert_eq!(max_in_any_window(&[0.0, 0.0, 0.0, 0.0, 0.0, 200.0], 1000.0), 6);
        let mut pacer = Pacer::new(5, 1000.0, 0.0, 100);
        for _ in 0..5 {
            let id = pacer.try_acquire(0.0).unwrap();
            pacer.finish(id, 0.0);
        }
        assert_eq!(pacer.try_acquire(200.0), Err(800.0));
        assert!(pacer.try_acquire(1000.0).is_ok());
    }

    #[test]
    fn margin_extends_the_window() {
        let mut pacer = Pacer::new(1, 1000.0, 100.0, 6);
        let id = pacer.try_acquire(0.0).unwrap();
        pacer.finish(id, 0.0);
        assert_eq!(pacer.try_acquire(1000.0), Err(100.0));
        assert!(pacer.try_acquire(1100.0).is_ok());
    }

    #[test]
    fn the_window_starts_when_the_answer_arrives() {
        // However late the server saw a request, it was before its answer came back: the slot is
        // free one window after the answer, not after the send.
        let mut pacer = Pacer::new(1, 1000.0, 0.0, 6);
        let id = pacer.try_acquire(0.0).unwrap();
        assert_eq!(pacer.try_acquire(1500.0), Err(IN_FLIGHT_POLL_MS), "still in flight: unknown");
        pacer.finish(id, 300.0);
        assert_eq!(pacer.try_acquire(1200.0), Err(100.0));
        assert!(pacer.try_acquire(1300.0).is_ok());
    }

    #[test]
    fn a_slot_whose_holder_vanished_is_finished_after_its_lease() {
        let mut pacer = Pacer::new(1, 1000.0, 0.0, 6);
        let _lost = pacer.try_acquire(0.0).unwrap();
        assert_eq!(pacer.finish_stale(29_999.0, 30_000.0), 0);
        assert_eq!(pacer.try_acquire(29_999.0), Err(IN_FLIGHT_POLL_MS));
        assert_eq!(pacer.finish_stale(30_000.0, 30_000.0), 1);
        assert_eq!(pacer.in_flight(), 0);
        // Its window runs from the lease's end, as if the answer had arrived then.
        assert_eq!(pacer.try_acquire(30_500.0), Err(500.0));
        assert!(pacer.try_acquire(31_000.0).is_ok());
    }

    #[test]
    fn in_flight_cap() {
        let mut pacer = Pacer::new(100, 1000.0, 0.0, 6);
        let ids: Vec<SlotId> = (0..6).map(|_| pacer.try_acquire(0.0).unwrap()).collect();
        assert_eq!(pacer.in_flight(), 6);
        assert_eq!(pacer.try_acquire(0.0), Err(IN_FLIGHT_POLL_MS));
        pacer.finish(ids[0], 5.0);
        assert!(pacer.try_acquire(5.0).is_ok());
    }
}
