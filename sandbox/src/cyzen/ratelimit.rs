//! Per-token rate limit over a sliding 1-second window (the strictest reading of "5 calls per second
//! per access token"): a call is accepted only if fewer than `limit` accepted calls of the same token
//! happened in the preceding second (inclusive). Over-limit calls are answered 503/429 and do NOT
//! enter the window. Counters prove what a client did: accepted, rejected and the largest number of
//! accepted calls ever seen inside any 1-second window.

use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use crate::common::clock::{Clock, Moment};
use std::time::Duration;

const WINDOW: Duration = Duration::from_secs(1);

#[derive(Default, Debug)]
pub struct TokenRate {
    window: VecDeque<Moment>,
    pub accepted: u64,
    pub rejected: u64,
    pub max_in_window: u64,
}

#[derive(Default, Debug)]
pub struct Rates {
    pub tokens: BTreeMap<String, TokenRate>,
    /// Windows are read on this clock (moving its offset forward empties them).
    pub clock: Clock,
}

impl Rates {
    /// Record a call; `Err(wait)` when it is over the limit (`limit == 0`: never limited).
    pub fn check(&mut self, token: &str, limit: u32) -> Result<(), Duration> {
        let now = self.clock.moment();
        let e = self.tokens.entry(token.to_string()).or_default();
        while let Some(&first) = e.window.front() {
            // A clock moved back (a test offset) starts the window over rather than stalling it.
            if now.saturating_duration_since(first) > WINDOW || now < first {
                e.window.pop_front();
            } else {
                break;
            }
        }
        if limit > 0 && e.window.len() >= limit as usize {
            e.rejected += 1;
            let first = *e.window.front().expect("non-empty window");
            return Err(WINDOW.saturating_sub(now.saturating_duration_since(first)));
        }
        e.window.push_back(now);
        e.accepted += 1;
        e.max_in_window = e.max_in_window.max(e.window.len() as u64);
        Ok(())
    }

    pub fn reset(&mut self) {
        self.tokens.clear();
    }

    pub fn to_json(&self) -> Value {
        let mut tokens = serde_json::Map::new();
        let (mut acc, mut rej, mut max) = (0, 0, 0);
        for (t, r) in &self.tokens {
            acc += r.accepted;
            rej += r.rejected;
            max = max.max(r.max_in_window);
            tokens.insert(
                t.clone(),
                json!({"accepted": r.accepted, "rejected": r.rejected, "max_in_1s": r.max_in_window}),
            );
        }
        json!({"accepted": acc, "rejected": rej, "max_in_1s": max, "tokens": tokens})
    }
}

/// `Retry-After` value in whole seconds (at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    let s = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    s.max(1)
}
