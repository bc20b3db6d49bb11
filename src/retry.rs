//! Retry decisions: which failures are retried, and after how long.
//!
//! Shared by both clients. SenseLink retries reads only (its writes are never repeated); cyzen:
//! - 503 and 429 (cyzen's rate-limit answers, today and announced) are retried for every call: the
//!   server refused the call before acting on it.
//! - Other 5xx and connection failures are retried only for idempotent calls (GET, PUT, DELETE):
//!   a POST whose fate is unknown is never repeated blindly.
//! - The wait is the server's `Retry-After` when it sends one (seconds or HTTP-date), else
//!   randomised exponential backoff: base 1, 2, 4, 8, 16 s, each multiplied by a uniform factor in
//!   [0.5, 1.0) ("equal jitter": never shorter than half the base, so a burst of callers spreads
//!   out without hammering the server).
//! - A `Retry-After` longer than [`RetryPolicy::max_wait_ms`] ends the retries (`RATE_LIMITED`
//!   with `retryAfterMs`), so a call never hangs for minutes.

#[allow(unused_imports)]
use crate::prelude::*;

/// Retry settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 5: waits of 1, 2, 4, 8, 16 s).
    pub max_retries: u32,
    /// First backoff base in milliseconds (default 1000).
    pub base_ms: u64,
    /// Longest `Retry-After` honoured (default 60 s).
    pub max_wait_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 5, base_ms: 1000, max_wait_ms: 60_000 }
    }
}

/// What went wrong with one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// An HTTP status.
    Status(u16),
    /// No response (connection refused, reset, DNS).
    Network,
}

/// Whether the failure is one of cyzen's rate-limit answers.
pub fn is_rate_limit(status: u16) -> bool {
    status == 503 || status == 429
}

/// Backoff for retry number `retry` (0-based) with jitter `unit` in [0, 1): base·2^retry·(0.5 + unit/2).
pub fn backoff_ms(policy: &RetryPolicy, retry: u32, unit: f64) -> u64 {
    let base = policy.base_ms.saturating_mul(1u64 << retry.min(20));
    (base as f64 * (0.5 + unit.clamp(0.0, 1.0) / 2.0)) as u64
}

/// `Some(wait_ms)` to retry after `retries_done` retries, `None` to give up.
pub fn decide(
    policy: &RetryPolicy,
    failure: Failure,
    idempotent: bool,
    retries_done: u32,
    retry_after_ms: Option<u64>,
    unit: f64,
) -> Option<u64> {
    let retryable = match failure {
        Failure::Status(status) if is_rate_limit(status) => true,
        Failure::Status(status) => (500..600).contains(&status) && idempotent,
        Failure::Network => idempotent,
    };
    if !retryable || retries_done >= policy.max_retries {
        return None;
    }
    match retry_after_ms {
        Some(ms) if ms > policy.max_wait_ms => None,
        Some(ms) => Some(ms),
        None => Some(backoff_ms(policy, retries_done, unit)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_in_half_to_full() {
        let p = RetryPolicy::default();
        let bases = [1000, 2000, 4000, 8000, 16000];
        for (i, base) in bases.iter().enumerate() {
            assert_eq!(backoff_ms(&p, i as u32, 0.0), base / 2);
            assert_eq!(backoff_ms(&p, i as u32, 0.999_999), base - 1);
        }
    }

    #[test]
    fn rate_limits_are_retried_for_every_call() {
        let p = RetryPolicy::default();
        assert!(decide(&p, Failure::Status(503), false, 0, None, 0.5).is_some());
        assert!(decide(&p, Failure::Status(429), false, 4, None, 0.5).is_some());
        assert_eq!(decide(&p, Failure::Status(429), false, 5, None, 0.5), None);
    }

    #[test]
    fn other_failures_only_for_idempotent_calls() {
        let p = RetryPolicy::default();
        assert!(decide(&p, Failure::Status(500), true, 0, None, 0.5).is_some());
        assert!(decide(&p, Failure::Status(502), false, 0, None, 0.5).is_none());
        assert!(decide(&p, Failure::Network, true, 0, None, 0.5).is_some());
        assert!(decide(&p, Failure::Network, false, 0, None, 0.5).is_none());
        for status in [400, 401, 404, 409] {
            assert!(decide(&p, Failure::Status(status), true, 0, None, 0.5).is_none());
        }
    }

    #[test]
    fn retry_after_wins_unless_too_long() {
        let p = RetryPolicy::default();
        assert_eq!(decide(&p, Failure::Status(503), true, 3, Some(1500), 0.5), Some(1500));
        assert_eq!(decide(&p, Failure::Status(429), true, 0, Some(0), 0.5), Some(0));
        assert_eq!(decide(&p, Failure::Status(429), true, 0, Some(61_000), 0.5), None);
    }
}
