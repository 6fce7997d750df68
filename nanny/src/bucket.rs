//! RepyV2's leaky bucket with pay-after semantics, as a pure state machine over time values
//! passed in by the caller (no clock, no lock, no sleeping here).
//!
//! Configuration ([`RateSpec`]) is kept apart from live state ([`LeakyBucket`]). One charge is
//! (reference §7.1): drain `consumed -= elapsed * limit`, floored at 0; add the quantity; while
//! `consumed > limit` the caller waits `(consumed - limit) / limit` seconds and drains again.
//! The operation itself has already happened (or is about to happen with a quantity of 0), so
//! one operation can exceed the per-second budget and later ones pay for it.

use std::time::Duration;

/// The longest single wait the bucket asks for; a longer debt is paid in several waits.
const MAX_WAIT: Duration = Duration::from_secs(3600);

/// How a renewable resource is limited, from the policy's value in units per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateSpec {
    /// This many units per second (finite and positive).
    PerSecond(f64),
    /// No limit: charges are counted and never wait.
    Unlimited,
    /// A rate of 0 (or a value that is not a number): the resource may not be used at all.
    ///
    /// RepyV2 died with an internal error on such a charge; repy refuses the operation
    /// instead (the API raises `ResourceForbiddenError`).
    Forbidden,
}

impl RateSpec {
    /// The spec for a policy value in units per second.
    pub fn from_limit(per_second: f64) -> RateSpec {
        if per_second.is_nan() || per_second <= 0.0 {
            RateSpec::Forbidden
        } else if per_second.is_infinite() {
            RateSpec::Unlimited
        } else {
            RateSpec::PerSecond(per_second)
        }
    }
}

/// What the caller of [`LeakyBucket::charge`] or [`LeakyBucket::poll`] must do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The bucket is at or under its limit: go on.
    Granted,
    /// The bucket is over its limit: wait this long, then [`LeakyBucket::poll`] again.
    Wait(Duration),
}

/// The live state of one renewable resource.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakyBucket {
    /// Units per second; `f64::INFINITY` for an unlimited resource.
    rate: f64,
    /// Units charged and not yet drained.
    consumed: f64,
    /// When `consumed` was last drained.
    last_update: Duration,
}

impl LeakyBucket {
    /// An empty bucket draining at `rate` units per second (`f64::INFINITY` for no limit),
    /// last updated at `now`. A forbidden spec has no bucket.
    pub fn new(spec: RateSpec, now: Duration) -> Option<LeakyBucket> {
        let rate = match spec {
            RateSpec::PerSecond(rate) => rate,
            RateSpec::Unlimited => f64::INFINITY,
            RateSpec::Forbidden => return None,
        };
        Some(LeakyBucket {
            rate,
            consumed: 0.0,
            last_update: now,
        })
    }

    /// Units charged and not yet drained, as of the last charge or poll (not decayed to now:
    /// `getresources()` reports exactly this).
    pub fn level(&self) -> f64 {
        self.consumed
    }

    /// Drains for the time elapsed since the last update, then adds `quantity`.
    pub fn charge(&mut self, now: Duration, quantity: f64) -> Decision {
        self.drain(now);
        if quantity.is_finite() && quantity > 0.0 {
            self.consumed += quantity;
        }
        self.decide()
    }

    /// Drains for the time elapsed since the last update and says whether to go on.
    pub fn poll(&mut self, now: Duration) -> Decision {
        self.drain(now);
        self.decide()
    }

    fn drain(&mut self, now: Duration) {
        // A clock that went backwards is ignored, as in RepyV2 (a monotonic clock does not).
        let Some(elapsed) = now.checked_sub(self.last_update) else {
            return;
        };
        self.last_update = now;
        let reduction = elapsed.as_secs_f64() * self.rate;
        self.consumed = if reduction.is_nan() || reduction >= self.consumed {
            0.0
        } else {
            self.consumed - reduction
        };
    }

    fn decide(&self) -> Decision {
        if !self.rate.is_finite() || self.consumed <= self.rate {
            return Decision::Granted;
        }
        let seconds = (self.consumed - self.rate) / self.rate;
        // Round up to whole nanoseconds, so that after the wait the drain reaches the limit;
        // a debt worth less than one nanosecond is float noise and granted.
        let nanos = (seconds * 1e9).ceil();
        if nanos < 1.0 {
            return Decision::Granted;
        }
        let wait = Duration::try_from_secs_f64(nanos / 1e9).unwrap_or(MAX_WAIT);
        Decision::Wait(wait.min(MAX_WAIT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn bucket(rate: f64) -> LeakyBucket {
        LeakyBucket::new(RateSpec::from_limit(rate), Duration::ZERO).unwrap()
    }

    #[test]
    fn bucket_pays_after_the_operation() {
        // RepyV2's verified example: 3001 bytes at 1000 B/s waits ~2 s, then the next
        // operation's pre-charge is immediate.
        let mut b = bucket(1000.0);
        assert_eq!(b.charge(Duration::ZERO, 0.0), Decision::Granted);
        let Decision::Wait(wait) = b.charge(Duration::ZERO, 3001.0) else {
            panic!("a charge over the limit must wait");
        };
        assert_eq!(wait, Duration::from_millis(2001));
        assert_eq!(b.poll(wait), Decision::Granted);
        assert!((b.level() - 1000.0).abs() < 1e-6, "level {}", b.level());
        assert_eq!(b.charge(wait, 0.0), Decision::Granted);
        // A small charge right after pays for the whole debt above the limit.
        assert_eq!(
            b.charge(wait, 500.0),
            Decision::Wait(Duration::from_millis(500))
        );
    }

    #[test]
    fn bucket_allows_a_burst_up_to_the_limit_without_waiting() {
        let mut b = bucket(1000.0);
        assert_eq!(b.charge(Duration::ZERO, 600.0), Decision::Granted);
        assert_eq!(b.charge(Duration::ZERO, 400.0), Decision::Granted);
        assert_eq!(b.level(), 1000.0);
        assert_eq!(
            b.charge(Duration::ZERO, 1.0),
            Decision::Wait(Duration::from_millis(1))
        );
    }

    #[test]
    fn bucket_drains_with_time_and_floors_at_zero() {
        let mut b = bucket(100.0);
        b.charge(Duration::ZERO, 50.0);
        b.poll(secs(0.25));
        assert!((b.level() - 25.0).abs() < 1e-9);
        b.poll(secs(10.0));
        assert_eq!(b.level(), 0.0);
        // The level is as of the last update, not decayed to a later time.
        b.charge(secs(10.0), 70.0);
        assert_eq!(b.level(), 70.0);
    }

    #[test]
    fn bucket_ignores_a_clock_going_backwards() {
        let mut b = bucket(100.0);
        b.charge(secs(5.0), 80.0);
        assert_eq!(b.poll(secs(1.0)), Decision::Granted);
        assert_eq!(b.level(), 80.0);
    }

    #[test]
    fn bucket_waits_repeatedly_until_under_the_limit() {
        let mut b = bucket(10.0);
        let mut now = Duration::ZERO;
        let mut decision = b.charge(now, 1000.0);
        let mut waits = 0;
        while let Decision::Wait(d) = decision {
            waits += 1;
            now += d;
            decision = b.poll(now);
        }
        assert_eq!(waits, 1);
        assert!((now.as_secs_f64() - 99.0).abs() < 1e-6, "{now:?}");
    }

    #[test]
    fn rate_zero_is_forbidden_and_infinity_unlimited() {
        assert_eq!(RateSpec::from_limit(0.0), RateSpec::Forbidden);
        assert_eq!(RateSpec::from_limit(-1.0), RateSpec::Forbidden);
        assert_eq!(RateSpec::from_limit(f64::NAN), RateSpec::Forbidden);
        assert!(LeakyBucket::new(RateSpec::Forbidden, Duration::ZERO).is_none());
        let mut b = LeakyBucket::new(RateSpec::Unlimited, Duration::ZERO).unwrap();
        assert_eq!(b.charge(Duration::ZERO, 1e18), Decision::Granted);
    }

    #[test]
    fn bucket_caps_a_single_wait() {
        let mut b = bucket(1e-6);
        assert_eq!(b.charge(Duration::ZERO, 1e12), Decision::Wait(MAX_WAIT));
    }
}
