//! The per-tick limit checks: wall and CPU time, the CPU share, memory, threads, disk, the
//! operations of RepyV2's node manager (stop and status files), and undeliverable output.

use std::time::Duration;

use nix::sys::signal::{kill, Signal};

use crate::cgroup::Group;
use crate::measure;
use crate::output::Stream;
use crate::page::StopTime;
use crate::status::{Status, StopRequest};

use super::duty_cycle::CpuState;
use super::watch::Watch;
use super::{
    cgroup_memory_cap, KillReason, CGROUP_STOP_WINDOW, DISK_PERIOD, OPERATIONS_PERIOD,
    THREAD_MARGIN,
};

impl Watch<'_> {
    /// One sample of everything the supervisor enforces.
    pub(super) fn tick(&mut self, now: Duration) {
        if let Some(message) = self.output_failure() {
            return self.kill(KillReason::OutputUnwritable, message);
        }
        let elapsed = now.saturating_sub(self.start);
        if let Some(limit) = self.wall_time {
            if elapsed >= limit {
                let message = format!(
                    "wall time {:.3} seconds over the limit of {} seconds",
                    elapsed.as_secs_f64(),
                    limit.as_secs_f64()
                );
                return self.kill(KillReason::WallTime, message);
            }
        }
        let cpu = measure::process_cpu(self.pid);
        if let (Some(limit), Some(used)) = (self.cpu_time, cpu) {
            if used > limit {
                let message = format!(
                    "cpu time {:.3} seconds over the limit of {} seconds",
                    used.as_secs_f64(),
                    limit.as_secs_f64()
                );
                return self.kill(KillReason::CpuTime, message);
            }
        }
        match &mut self.cpu {
            CpuState::StopResume(sr) if sr.stopped.is_none() => {
                if let Some(stop) = cpu.and_then(|cpu| sr.sample(now, cpu)) {
                    if kill(self.pid, Signal::SIGSTOP).is_ok() {
                        sr.stopped = Some((now, now + stop));
                    }
                }
            }
            CpuState::Cgroup if now >= self.next_cgroup_window => {
                let window_start = self.next_cgroup_window.saturating_sub(CGROUP_STOP_WINDOW);
                self.next_cgroup_window = now + CGROUP_STOP_WINDOW;
                if let Some(total) = self.cpu_group.as_deref().and_then(Group::throttled) {
                    let delta = total.saturating_sub(self.last_throttled);
                    self.last_throttled = total;
                    if !delta.is_zero() {
                        self.page.push_stop(StopTime {
                            runtime_at_stop: self.runtime_at(window_start),
                            seconds_stopped: delta.as_secs_f64(),
                        });
                    }
                }
            }
            _ => {}
        }
        if !self.program_started && self.page.program_started() {
            // Checking and compiling are over: the program's own limit applies from now on,
            // in the kernel too.
            self.program_started = true;
            if let Some(group) = &self.memory_group {
                let _ = group.set_memory_cap(cgroup_memory_cap(self.memory_limit));
            }
        }
        let memory_limit = if self.program_started {
            self.memory_limit
        } else {
            self.memory_limit.saturating_add(self.preparation_allowance)
        };
        if let Ok(rss) = measure::process_rss(self.pid) {
            self.rss_peak = self.rss_peak.max(rss);
            if rss > memory_limit {
                let message = if self.program_started || self.preparation_allowance == 0 {
                    format!("memory use {rss} bytes over the limit of {memory_limit} bytes")
                } else {
                    format!(
                        "memory use {rss} bytes while the program was checked and compiled, over \
                         the limit of {} bytes plus the checker's allowance of {} bytes",
                        self.memory_limit, self.preparation_allowance
                    )
                };
                return self.kill(KillReason::Memory, message);
            }
        }
        if let Ok(threads) = measure::process_threads(self.pid) {
            if threads > self.thread_limit {
                let message = format!(
                    "{threads} threads over the limit of {} (twice events, plus {THREAD_MARGIN})",
                    self.thread_limit
                );
                return self.kill(KillReason::Threads, message);
            }
        }
        if let Some(would_use) = self.page.disk_refused() {
            let message = format!(
                "disk use {would_use} bytes over the limit of {} bytes in the vessel directory \
                 '{}' (the write was refused before it happened)",
                self.disk_limit,
                self.vessel.display()
            );
            return self.kill(KillReason::Disk, message);
        }
        if now >= self.next_disk {
            self.next_disk = now + DISK_PERIOD;
            if let Ok(used) = measure::disk_usage(&self.vessel) {
                self.disk_peak = self.disk_peak.max(used);
                if used > self.disk_limit {
                    let message = format!(
                        "disk use {used} bytes over the limit of {} bytes in the vessel \
                         directory '{}'",
                        self.disk_limit,
                        self.vessel.display()
                    );
                    return self.kill(KillReason::Disk, message);
                }
            }
        }
        if now >= self.next_operations {
            self.next_operations = now + OPERATIONS_PERIOD;
            if let Some(status) = &self.status {
                let _ = status.write(Status::Started);
            }
            self.check_stop_file();
        }
    }

    pub(super) fn check_stop_file(&mut self) {
        let Some(path) = &self.stop_file else {
            return;
        };
        if !path.exists() {
            return;
        }
        // Unreadable counts as empty: stopped (44), as RepyV2's catch-all did.
        let contents = std::fs::read(path).unwrap_or_default();
        let request = StopRequest::parse(&String::from_utf8_lossy(&contents));
        if !request.message.is_empty() {
            let line = format!("{}\n", request.message);
            self.relay.write(Stream::Stdout, line.as_bytes());
        }
        let message = format!(
            "stopped through the stop file with exit code {}",
            request.code
        );
        self.kill(KillReason::Stopped(request.code), message);
    }
}
