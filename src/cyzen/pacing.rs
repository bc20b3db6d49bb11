//! Pacing: at most N requests in *any* window of one second (a sliding window, not a token bucket:
//! a bucket that bursts N and refills continuously lets N + 1 requests into some 1-second window),
//! and at most 6 requests in flight (the Workers limit on simultaneous connections).
//!
//! The server's counting method is unknown and it sees a request somewhat after the client sends
//! it, so a send time stays in the window for `window_ms + margin_ms` (defaults 1000 + 100 ms).
//! [`Pacer::try_acquire`] never waits itself: it says how long to sleep, and each caller sleeps on
//! its own timer (in Workers, a request must not wait on another request's promise).

use std::collections::VecDeque;

/// How often a caller re-checks the in-flight cap while it is full.
pub const IN_FLIGHT_POLL_MS: f64 = 20.0;

/// Sliding-window limiter plus in-flight counter.
#[derive(Debug)]
pub struct Pacer {
    limit: usize,
    span_ms: f64,
    max_in_flight: usize,
    sent: VecDeque<f64>,
    in_flight: usize,
}

impl Pacer {
    /// `limit` requests per `window_ms` (+ `margin_ms`), at most `max_in_flight` at once.
    pub fn new(limit: usize, window_ms: f64, margin_ms: f64, max_in_flight: usize) -> Pacer {
        Pacer { limit: limit.max(1), span_ms: window_ms + margin_ms, max_in_flight: max_in_flight.max(1), sent: VecDeque::new(), in_flight: 0 }
    }

    /// Takes a slot at `now_ms` (recording the send), or says how many milliseconds to wait first.
    pub fn try_acquire(&mut self, now_ms: f64) -> Result<(), f64> {
        while self.sent.front().is_some_and(|t| now_ms - t >= self.span_ms) {
            self.sent.pop_front();
        }
        if self.sent.len() >= self.limit {
            let oldest = self.sent[self.sent.len() - self.limit];
            return Err((oldest + self.span_ms - now_ms).max(1.0));
        }
        if self.in_flight >= self.max_in_flight {
            return Err(IN_FLIGHT_POLL_MS);
        }
        self.sent.push_back(now_ms);
        self.in_flight += 1;
        Ok(())
    }

    /// Takes an in-flight slot only (token endpoint requests: not counted in the API's window).
    pub fn try_acquire_flight(&mut self) -> Result<(), f64> {
        if self.in_flight >= self.max_in_flight {
            return Err(IN_FLIGHT_POLL_MS);
        }
        self.in_flight += 1;
        Ok(())
    }

    /// A request taken with [`Pacer::try_acquire`] finished (or was dropped).
    pub fn release(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Requests currently in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }
}

/// The largest number of times falling inside any half-open window `[t, t + window_ms)`.
pub fn max_in_any_window(times: &[f64], window_ms: f64) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
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
                Ok(()) => {
                    sent.push(now);
                    pacer.release();
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
            pacer.try_acquire(0.0).unwrap();
        }
        assert_eq!(pacer.try_acquire(200.0), Err(800.0));
        assert_eq!(pacer.try_acquire(1000.0), Ok(()));
    }

    #[test]
    fn margin_extends_the_window() {
        let mut pacer = Pacer::new(1, 1000.0, 100.0, 6);
        pacer.try_acquire(0.0).unwrap();
        assert_eq!(pacer.try_acquire(1000.0), Err(100.0));
        assert!(pacer.try_acquire(1100.0).is_ok());
    }

    #[test]
    fn in_flight_cap() {
        let mut pacer = Pacer::new(100, 1000.0, 0.0, 6);
        for _ in 0..6 {
            pacer.try_acquire(0.0).unwrap();
        }
        assert_eq!(pacer.in_flight(), 6);
        assert_eq!(pacer.try_acquire(0.0), Err(IN_FLIGHT_POLL_MS));
        pacer.release();
        assert!(pacer.try_acquire(0.0).is_ok());
    }
}
