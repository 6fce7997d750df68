//! RepyV2's CPU duty cycle done finer, for a child the supervisor cannot put in a cgroup: every
//! tick the child's CPU time is compared with its budget (`share × wall time`), and a child
//! over budget is stopped (SIGSTOP) exactly long enough to pay its debt.

use std::time::Duration;

/// How much unused CPU share a stop/resume child may save up for a burst (in wall time).
const CPU_BURST: Duration = Duration::from_millis(100);

/// The CPU share state while the child runs.
#[derive(Debug)]
pub(super) enum CpuState {
    None,
    Cgroup,
    StopResume(StopResume),
}

impl CpuState {
    pub(super) fn stop_resume(share: f64) -> CpuState {
        CpuState::StopResume(StopResume {
            share,
            balance: 0.0,
            last_wall: None,
            last_cpu: Duration::ZERO,
            stopped: None,
        })
    }
}

/// RepyV2's duty cycle, per tick: the child earns `share × wall` CPU seconds and spends what
/// it uses; in debt it is stopped until the debt is paid.
#[derive(Debug)]
pub(super) struct StopResume {
    pub(super) share: f64,
    /// CPU seconds the child may still use (negative: owed).
    pub(super) balance: f64,
    pub(super) last_wall: Option<Duration>,
    pub(super) last_cpu: Duration,
    /// `(began, resume_at)` while the child is stopped.
    pub(super) stopped: Option<(Duration, Duration)>,
}

impl StopResume {
    /// Accounts a sample; returns how long to stop the child, if it is over budget.
    pub(super) fn sample(&mut self, now: Duration, cpu: Duration) -> Option<Duration> {
        let Some(last_wall) = self.last_wall.replace(now) else {
            self.last_cpu = cpu;
            return None;
        };
        let earned = now.saturating_sub(last_wall).as_secs_f64() * self.share;
        let used = cpu.saturating_sub(self.last_cpu).as_secs_f64();
        self.last_cpu = cpu;
        let cap = CPU_BURST.as_secs_f64() * self.share;
        self.balance = (self.balance + earned - used).min(cap);
        if self.balance >= 0.0 {
            return None;
        }
        let stop = Duration::try_from_secs_f64(-self.balance / self.share).unwrap_or(CPU_BURST);
        // The stop earns exactly the debt; the clock restarts when the child resumes.
        self.balance = 0.0;
        Some(stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn sampler(share: f64) -> StopResume {
        match CpuState::stop_resume(share) {
            CpuState::StopResume(sr) => sr,
            _ => unreachable!("stop_resume makes a StopResume"),
        }
    }

    #[test]
    fn a_child_within_its_share_is_never_stopped() {
        let mut sr = sampler(0.5);
        assert_eq!(
            sr.sample(ms(0), ms(0)),
            None,
            "the first sample only starts the clock"
        );
        for tick in 1..=50 {
            // 10 ms of CPU per 20 ms of wall time: exactly half a core.
            assert_eq!(sr.sample(ms(20 * tick), ms(10 * tick)), None, "tick {tick}");
        }
    }

    #[test]
    fn a_child_over_its_share_is_stopped_just_long_enough_to_pay() {
        let mut sr = sampler(0.25);
        sr.sample(ms(0), ms(0));
        // 20 ms of wall time earns 5 ms; the child used 20 ms: 15 ms in debt, which takes
        // 60 ms of stopped wall time to earn back at a quarter of a core.
        let stop = sr.sample(ms(20), ms(20)).expect("stopped");
        assert!((stop.as_secs_f64() - 0.060).abs() < 1e-9, "{stop:?}");
        assert_eq!(sr.balance, 0.0, "the stop pays the whole debt");
    }

    #[test]
    fn saved_up_share_is_capped_at_one_burst() {
        let mut sr = sampler(0.5);
        sr.sample(ms(0), ms(0));
        // Ten idle seconds save at most CPU_BURST × share.
        sr.sample(ms(10_000), ms(0));
        assert!((sr.balance - CPU_BURST.as_secs_f64() * 0.5).abs() < 1e-9);
        // A burst of 50 ms of CPU in the next 20 ms (earning 10 ms) is then free...
        assert_eq!(sr.sample(ms(10_020), ms(50)), None);
        // ...and the next one is not.
        assert!(sr.sample(ms(10_040), ms(100)).is_some());
    }
}
