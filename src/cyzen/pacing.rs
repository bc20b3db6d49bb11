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
    /// The rate its taker asked for: no window holding this slot may hold more slots than this
    /// (a stricter client's limit binds while its slots are held, and ends with them).
    limit: usize,
    /// When a slot still in flight is taken back ([`Pacer::finish_expired`]): its taker's deadline.
    lease_until_ms: f64,
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
        self.try_acquire_for(now_ms, self.limit, f64::INFINITY)
    }

    /// Takes a slot at `now_ms` for a taker allowing `limit` requests per window, held at most until
    /// `lease_until_ms` unless finished sooner; or says how many milliseconds to wait first.
    ///
    /// Every held slot keeps the limit its taker asked for, and a slot is granted only when the
    /// slots held with it (those whose window reaches `now_ms`) stay within the smallest limit among
    /// them and `limit`: a stricter taker's limit binds as long as its slots are held, and no
    /// longer; a looser taker never pushes the count past a stricter one's.
    pub fn try_acquire_for(&mut self, now_ms: f64, limit: usize, lease_until_ms: f64) -> Result<SlotId, f64> {
        let span = self.span_ms;
        let limit = limit.max(1);
        self.held.retain(|h| h.done_ms.is_none_or(|done| now_ms - done < span));
        if !fits(self.held.iter().map(|h| h.limit), self.held.len(), limit) {
            // Free the held slots in the order their windows end (in flight: unknown, last) until
            // the rest fit; the window of the last one freed ends when the new slot may go. While
            // that one is still in flight, nobody knows when: check again shortly.
            let mut order: Vec<(f64, usize)> =
                self.held.iter().map(|h| (h.done_ms.unwrap_or(f64::INFINITY), h.limit)).collect();
            sort_by_time(&mut order, |(done, _)| *done);
            let mut wait = IN_FLIGHT_POLL_MS;
            for (freed, (done, _)) in order.iter().enumerate() {
                let rest = order.iter().skip(freed + 1);
                if fits(rest.map(|(_, l)| *l), order.len() - freed - 1, limit) {
                    if done.is_finite() {
                        wait = done + span - now_ms;
                    }
                    break;
                }
            }
            return Err(wait.max(1.0));
        }
        if self.in_flight >= self.max_in_flight {
            return Err(IN_FLIGHT_POLL_MS);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.held.push(Held { id, taken_ms: now_ms, done_ms: None, limit, lease_until_ms });
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

    /// Gives slot `id` back unused, as if it had never been taken: nothing was sent with it (a
    /// coordinator's grant nobody claimed). Returns whether it was held and in flight.
    pub fn cancel(&mut self, id: SlotId) -> bool {
        let before = self.held.len();
        self.held.retain(|h| h.id != id || h.done_ms.is_some());
        let cancelled = self.held.len() < before;
        if cancelled {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        cancelled
    }

    /// Finishes, at `now_ms`, every slot still in flight whose lease (`lease_until_ms` of
    /// [`Pacer::try_acquire_for`]) has ended: its taker's deadline passed without it giving the slot
    /// back (a coordinator's isolate that died mid-request). Returns how many it finished.
    pub fn finish_expired(&mut self, now_ms: f64) -> usize {
        let mut finished = 0;
        for held in self.held.iter_mut().filter(|h| h.done_ms.is_none() && now_ms >= h.lease_until_ms) {
            held.done_ms = Some(now_ms);
            finished += 1;
        }
        self.in_flight = self.in_flight.saturating_sub(finished);
        finished
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

/// Whether `count` held slots with these `limits` leave room for one more taken with `limit`.
fn fits(limits: impl Iterator<Item = usize>, count: usize, limit: usize) -> bool {
    count < limits.fold(limit, usize::min)
}

/// Sorts a handful of items by a time, ascending. An insertion sort: the lists hold at most a few
/// dozen entries, and the standard library's generic sort costs about 2 KB of wasm.
fn sort_by_time<T>(items: &mut [T], time: impl Fn(&T) -> f64) {
    for i in 1..items.len() {
        let mut j = i;
        while let (Some(before), Some(at)) = (j.checked_sub(1).and_then(|k| items.get(k)), items.get(j)) {
            if time(before) <= time(at) {
                break;
            }
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// The largest number of times falling inside any half-open window `[t, t + window_ms)` (tests).
#[cfg(test)]
pub fn max_in_any_window(times: &[f64], window_ms: f64) -> usize {
    let mut sorted = times.to_vec();
    sort_by_time(&mut sorted, |t| *t);
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
    fn a_stricter_limit_counts_the_slots_already_held() {
        // Five slots at 5/s, answered at 0, 100, …, 400; then a client asking for 4/s: the five
        // still count, so it waits until only three are left (the second one's window ends).
        let mut pacer = Pacer::new(5, 1000.0, 0.0, 64);
        for t in [0.0, 100.0, 200.0, 300.0, 400.0] {
            let id = pacer.try_acquire_for(t, 5, f64::INFINITY).unwrap();
            pacer.finish(id, t);
        }
        assert_eq!(pacer.try_acquire_for(500.0, 4, f64::INFINITY), Err(600.0));
        assert_eq!(pacer.try_acquire_for(1099.0, 4, f64::INFINITY), Err(1.0));
        assert!(pacer.try_acquire_for(1100.0, 4, f64::INFINITY).is_ok());
        // Now four are held, one of them at 4/s: a 5/s client waits too.
        assert_eq!(pacer.try_acquire_for(1100.0, 5, f64::INFINITY), Err(100.0));
    }

    #[test]
    fn a_stricter_limit_ends_with_its_slots() {
        let mut pacer = Pacer::new(5, 1000.0, 0.0, 64);
        let strict = pacer.try_acquire_for(0.0, 1, f64::INFINITY).unwrap();
        pacer.finish(strict, 0.0);
        // While the 1/s slot's window lasts, nobody may join it…
        assert_eq!(pacer.try_acquire_for(10.0, 5, f64::INFINITY), Err(990.0));
        // …and once it has ended, 5/s holds again: five at once.
        for _ in 0..5 {
            assert!(pacer.try_acquire_for(1000.0, 5, f64::INFINITY).is_ok());
        }
        assert_eq!(pacer.try_acquire_for(1000.0, 5, f64::INFINITY), Err(IN_FLIGHT_POLL_MS));
    }

    #[test]
    fn a_looser_limit_never_pushes_past_a_stricter_one() {
        let mut pacer = Pacer::new(5, 1000.0, 0.0, 64);
        let a = pacer.try_acquire_for(0.0, 5, f64::INFINITY).unwrap();
        let b = pacer.try_acquire_for(0.0, 2, f64::INFINITY).unwrap();
        pacer.finish(a, 50.0);
        pacer.finish(b, 80.0);
        // Two held, one of them at 2/s: the next waits for the first window to end, whatever its own rate.
        assert_eq!(pacer.try_acquire_for(100.0, 5, f64::INFINITY), Err(950.0));
        assert_eq!(pacer.try_acquire_for(100.0, 2, f64::INFINITY), Err(950.0));
        let mut times = vec![0.0, 0.0];
        let mut now = 100.0;
        while times.len() < 12 {
            match pacer.try_acquire_for(now, if times.len() % 2 == 0 { 5 } else { 2 }, f64::INFINITY) {
                Ok(id) => {
                    times.push(now);
                    pacer.finish(id, now);
                }
                Err(wait) => now += wait,
            }
        }
        assert!(max_in_any_window(&times, 1000.0) <= 2, "{times:?}");
    }

    #[test]
    fn a_cancelled_slot_leaves_no_window() {
        let mut pacer = Pacer::new(1, 1000.0, 0.0, 6);
        let unused = pacer.try_acquire(0.0).unwrap();
        assert_eq!(pacer.try_acquire(0.0), Err(IN_FLIGHT_POLL_MS));
        assert!(pacer.cancel(unused));
        assert_eq!(pacer.in_flight(), 0);
        let used = pacer.try_acquire(10.0).unwrap();
        // Only a slot in flight can be cancelled: a finished one keeps its window.
        pacer.finish(used, 20.0);
        assert!(!pacer.cancel(used));
        assert!(!pacer.cancel(unused));
        assert_eq!(pacer.try_acquire(30.0), Err(990.0));
    }

    #[test]
    fn a_slot_is_taken_back_when_its_lease_ends() {
        let mut pacer = Pacer::new(1, 1000.0, 0.0, 6);
        let _lost = pacer.try_acquire_for(0.0, 1, 300.0).unwrap();
        assert_eq!(pacer.finish_expired(299.0), 0);
        assert_eq!(pacer.try_acquire_for(299.0, 1, 5000.0), Err(IN_FLIGHT_POLL_MS));
        assert_eq!(pacer.finish_expired(300.0), 1);
        assert_eq!(pacer.in_flight(), 0);
        // Its window runs from the lease's end, as if the answer had arrived then.
        assert_eq!(pacer.try_acquire_for(800.0, 1, 5000.0), Err(500.0));
        let kept = pacer.try_acquire_for(1300.0, 1, f64::INFINITY).unwrap();
        assert_eq!(pacer.finish_expired(1e12), 0, "no lease: held until finished");
        pacer.finish(kept, 1400.0);
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
