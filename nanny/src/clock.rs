//! Time, behind a trait so that the rate limiter is tested with a fake clock and never sleeps
//! in unit tests.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use nix::time::{clock_gettime, ClockId};

/// A source of monotonic time that can also sleep.
pub trait Clock: Send + Sync {
    /// Time since an arbitrary fixed origin; never goes backwards.
    fn now(&self) -> Duration;
    /// Blocks the calling thread for about `duration`.
    fn sleep(&self, duration: Duration);
}

/// The system's `CLOCK_MONOTONIC`, which every process on the machine shares: the supervisor
/// and the sandbox compute the same runtime from it.
#[derive(Debug, Clone, Copy, Default)]
pub struct MonotonicClock;

impl Clock for MonotonicClock {
    fn now(&self) -> Duration {
        monotonic_now()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// `CLOCK_MONOTONIC` now, as a duration since the kernel's (boot-time) origin.
pub fn monotonic_now() -> Duration {
    match clock_gettime(ClockId::CLOCK_MONOTONIC) {
        Ok(spec) => Duration::from(spec),
        // CLOCK_MONOTONIC cannot fail on Linux; a zero keeps callers well-defined regardless.
        Err(_) => Duration::ZERO,
    }
}

/// A clock that only moves when told to: `sleep` advances it by the requested duration and
/// records the request. For tests (here and in the crates that use the accountant).
#[derive(Debug, Default)]
pub struct FakeClock {
    state: Mutex<FakeState>,
}

#[derive(Debug, Default)]
struct FakeState {
    now: Duration,
    sleeps: Vec<Duration>,
}

impl FakeClock {
    /// A fake clock at time zero.
    pub fn new() -> FakeClock {
        FakeClock::default()
    }

    /// Moves the clock forward by `by` without recording a sleep.
    pub fn advance(&self, by: Duration) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.now += by;
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .sleeps
            .clone()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .now
    }

    fn sleep(&self, duration: Duration) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.now += duration;
        state.sleeps.push(duration);
    }
}
