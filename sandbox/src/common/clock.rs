//! The server clock as the emulators see it: the host's clock plus an offset tests can move.

use std::ops::Add;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::platform;

/// Shared, cheaply clonable clock. `POST /__admin/clock` changes the offset, which lets tests
/// play a server whose clock is skewed (e.g. to check timestamp-expiry handling) or move time
/// forward (cyzen tokens, codes and rate-limit windows follow it) without waiting.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

/// A point on the clock's monotonic scale (offset included), for expiries and windows: unlike
/// wall time it never jumps when the host's clock is set, but it moves with the test offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment(i128);

impl Moment {
    /// Time from `earlier` to `self`; zero when `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Moment) -> Duration {
        let nanos = (self.0 - earlier.0).max(0);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

impl Add<Duration> for Moment {
    type Output = Moment;

    fn add(self, duration: Duration) -> Moment {
        Moment(self.0.saturating_add(duration.as_nanos() as i128))
    }
}

impl Clock {
    /// Unix time in milliseconds, offset applied.
    pub fn now_ms(&self) -> i64 {
        platform::wall_ms() + self.offset_ms()
    }

    /// Unix time in seconds, offset applied.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Now on the monotonic scale, offset applied.
    pub fn moment(&self) -> Moment {
        Moment(platform::monotonic_ns() + i128::from(self.offset_ms()) * 1_000_000)
    }

    /// Current offset from the wall clock.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock `offset_ms` away from the wall clock (0 = real time).
    pub fn set_offset_ms(&self, offset_ms: i64) {
        self.offset_ms.store(offset_ms, Ordering::Relaxed);
    }
}
