//! The verdict: how the run ended, as the supervisor saw it (which kill counts, the kernel's
//! OOM kill, the final status file) and the run's totals.

use std::time::Duration;

use nix::sys::signal::Signal;

use crate::process::ChildEnd;
use crate::resource::{Item, Renewable};
use crate::status::{Status, STOPPED, THREAD_ERR};

use super::stdin::StdinRelay;
use super::watch::{ChildUsage, Watch};
use super::{CpuMechanism, Kill, KillReason, MemoryBackstop, RenewableTotal, RunResult};

impl Watch<'_> {
    pub(super) fn finish(
        &mut self,
        end: ChildEnd,
        usage: ChildUsage,
        end_time: Duration,
        cpu_mechanism: CpuMechanism,
        memory_backstop: MemoryBackstop,
    ) -> RunResult {
        let killed_by_sigkill = end == ChildEnd::Signaled(Signal::SIGKILL);
        // A kill that did not take effect (the child ended by itself first) is not the
        // verdict, except those whose effect happened anyway (output cut or undeliverable,
        // stop asked for, supervisor interrupted, the vessel left over the disk quota).
        let killed_for = self.killed.take().filter(|kill| match kill.reason {
            KillReason::Disk
            | KillReason::Output
            | KillReason::OutputUnwritable
            | KillReason::Stopped(_)
            | KillReason::Interrupted => true,
            _ => killed_by_sigkill,
        });
        // Killed by nobody here, by SIGKILL, in a memory cgroup that saw an OOM kill: the
        // kernel backstop acted.
        let killed_for = killed_for.or_else(|| {
            let group = self.memory_group.as_ref()?;
            (killed_by_sigkill && group.oom_kills() > 0).then(|| {
                let used = group
                    .memory_peak()
                    .unwrap_or(0)
                    .max(self.rss_peak)
                    .max(usage.peak_rss_bytes);
                Kill {
                    reason: KillReason::Memory,
                    message: format!(
                        "memory use {used} bytes over the limit of {} bytes",
                        self.memory_limit
                    ),
                }
            })
        });
        if let Some(status) = &self.status {
            let final_status = match (&killed_for, end) {
                (
                    Some(Kill {
                        reason: KillReason::Stopped(code),
                        ..
                    }),
                    _,
                ) => {
                    if *code == STOPPED {
                        Status::Stopped
                    } else {
                        Status::Terminated
                    }
                }
                (_, ChildEnd::Exited(THREAD_ERR)) => Status::ThreadErr,
                _ => Status::Terminated,
            };
            let _ = status.write(final_status);
        }
        let page = self.page;
        RunResult {
            end,
            killed_for,
            wall_seconds: end_time.saturating_sub(self.start).as_secs_f64(),
            cpu_seconds: usage.cpu_seconds,
            // wait4's ru_maxrss can miss the peak the supervisor sampled (and killed for).
            peak_rss_bytes: usage.peak_rss_bytes.max(self.rss_peak),
            peak_disk_bytes: self.disk_peak,
            renewable: Renewable::ALL
                .into_iter()
                .map(|r| {
                    let totals = page.rate_totals(r);
                    RenewableTotal {
                        resource: r.id(),
                        charged: totals.charged,
                        throttled_seconds: totals.throttled.as_secs_f64(),
                    }
                })
                .collect(),
            item_peaks: Item::ALL
                .into_iter()
                .map(|i| (i.id(), page.item_counts(i).peak))
                .collect(),
            output_bytes: self.relayed,
            output_dropped_bytes: self.dropped,
            stdin_bytes: self.stdin.as_ref().map_or(0, StdinRelay::relayed),
            stdin_truncated: self.stdin.as_ref().is_some_and(StdinRelay::truncated),
            stop_times: page.stop_times(),
            cpu_mechanism,
            memory_backstop,
            threads_backstop: self.pids_group.is_some(),
            page_intact: page.is_intact(),
        }
    }
}
