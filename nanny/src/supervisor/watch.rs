//! The watch loop: one thread, `poll` on the child's output (ring and stderr pipe), a pidfd
//! for the child, the listening-socket broker, a signalfd, and the standard-input relay's
//! source and pipe (`stdin.rs`), waking at least every tick.

use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::sys::signalfd::SignalFd;
use nix::unistd::Pid;

use std::sync::Arc;

use crate::cgroup::Group;
use crate::clock::monotonic_now;
use crate::output::{Relay, Stream};
use crate::page::{SharedPage, StopTime};
use crate::process::ChildEnd;
use crate::ring::{RingReader, DRAIN_DELAY, RING_BYTES};
use crate::status::StatusFiles;
use crate::zygote::{Report, ZygoteLink, REPORT_TIMEOUT};

use super::duty_cycle::{CpuState, StopResume};
use super::stdin::StdinRelay;
use super::{Kill, KillReason, SuperviseError, TICK};

/// How soon the loop looks again at a relay whose buffer is full.
const RELAY_RETRY: Duration = Duration::from_millis(5);
/// Bytes read from a pipe at once.
const READ_CHUNK: usize = 64 * 1024;
/// Reads per pipe once the child is gone (a descendant still writing cannot hold the
/// supervisor forever).
const MAX_DRAIN_READS: usize = 1024;

/// The supervisor's state while the child runs.
pub(super) struct Watch<'a> {
    pub(super) pid: Pid,
    pub(super) page: &'a SharedPage,
    pub(super) start: Duration,
    pub(super) vessel: PathBuf,
    pub(super) tcp_ports: std::collections::BTreeSet<u16>,
    pub(super) memory_limit: u64,
    /// Extra memory allowed until the program's first line (see `SupervisorConfig`).
    pub(super) preparation_allowance: u64,
    /// Whether the sandbox said its program's first line runs (the allowance is over).
    pub(super) program_started: bool,
    pub(super) thread_limit: u64,
    pub(super) disk_limit: u64,
    pub(super) wall_time: Option<Duration>,
    pub(super) cpu_time: Option<Duration>,
    pub(super) output_limit: Option<u64>,
    pub(super) stop_file: Option<PathBuf>,
    pub(super) status: Option<StatusFiles>,
    pub(super) relay: Relay,
    /// The standard-input relay, if the run relays one (never in a batch).
    pub(super) stdin: Option<StdinRelay>,
    pub(super) cpu: CpuState,
    pub(super) cpu_group: Option<Arc<Group>>,
    pub(super) memory_group: Option<Arc<Group>>,
    /// The pids cgroup, kept until the child is gone.
    pub(super) pids_group: Option<Arc<Group>>,
    pub(super) killed: Option<Kill>,
    pub(super) relayed: u64,
    pub(super) dropped: u64,
    pub(super) rss_peak: u64,
    pub(super) disk_peak: u64,
    pub(super) next_tick: Duration,
    pub(super) next_disk: Duration,
    pub(super) next_operations: Duration,
    pub(super) next_cgroup_window: Duration,
    pub(super) last_throttled: Duration,
}

/// The child's resource usage from wait4.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ChildUsage {
    pub(super) cpu_seconds: f64,
    pub(super) peak_rss_bytes: u64,
}

impl Watch<'_> {
    pub(super) fn runtime_at(&self, instant: Duration) -> f64 {
        instant.saturating_sub(self.start).as_secs_f64()
    }

    /// Kills the child for `reason` (the first reason is the one kept).
    pub(super) fn kill(&mut self, reason: KillReason, message: String) {
        if self.killed.is_none() {
            self.killed = Some(Kill { reason, message });
        }
        let _ = kill(self.pid, Signal::SIGKILL);
    }

    /// Runs the loop until the segment ends: the watched process is gone (reaped, or for a
    /// batch's call process, reported by the zygote) and its output drained, or, for a
    /// zygote's top level, the zygote says it is ready for calls.
    pub(super) fn event_loop(
        &mut self,
        io: &mut Streams,
        segment: Segment<'_>,
        sigfd: &SignalFd,
    ) -> Result<SegmentEnd, SuperviseError> {
        let mut buffer = vec![0u8; READ_CHUNK];
        // Whether the zygote's reports are still listened to during its top level.
        let mut reports_open = true;
        let (pidfd, zygote) = match segment {
            Segment::Child { pidfd } => (pidfd, None),
            Segment::TopLevel { pidfd, zygote } => (pidfd, Some((zygote, false))),
            Segment::Call { pidfd, zygote } => (Some(pidfd), Some((zygote, true))),
        };
        loop {
            let now = monotonic_now();
            if now >= self.next_tick {
                // After a kill only the reaping is left to wait for.
                if self.killed.is_none() {
                    self.tick(now);
                }
                self.next_tick = now + TICK;
                // Whatever the wake-ups, the ring is relayed at least every tick.
                io.drain_at = Some(now);
            }
            if io.drain_at.is_some_and(|at| now >= at) {
                if self.relay.has_room() {
                    io.drain_at = None;
                    self.drain_ring(&io.ring);
                } else {
                    io.drain_at = Some(now + RELAY_RETRY);
                }
            }
            if let CpuState::StopResume(sr) = &mut self.cpu {
                if let Some((began, resume_at)) = sr.stopped {
                    if now >= resume_at {
                        let _ = kill(self.pid, Signal::SIGCONT);
                        sr.stopped = None;
                        sr.last_wall = Some(now);
                        let stop = StopTime {
                            runtime_at_stop: began.saturating_sub(self.start).as_secs_f64(),
                            seconds_stopped: now.saturating_sub(began).as_secs_f64(),
                        };
                        self.page.push_stop(stop);
                    }
                }
            }
            // The relay says what to watch now: the source while the rate, the total and the
            // pipe's room allow a read, the pipe while bytes wait for room.
            let stdin_interest = self.stdin.as_mut().map(|relay| relay.interest(now));
            let mut wake = io
                .drain_at
                .map_or(self.next_wakeup(), |at| at.min(self.next_wakeup()));
            if let Some(at) = stdin_interest.and_then(|interest| interest.wake) {
                wake = wake.min(at);
            }
            if !self.relay.has_room() {
                // The writer thread makes room on its own time: look again soon.
                wake = wake.min(monotonic_now() + RELAY_RETRY);
            }
            let timeout = wake.saturating_sub(monotonic_now());
            let timeout_ms = timeout.as_micros().div_ceil(1000);
            let timeout =
                PollTimeout::try_from(timeout_ms.min(60_000) as i32).unwrap_or(PollTimeout::ZERO);

            let mut fds = Vec::with_capacity(6);
            let mut which = Vec::with_capacity(6);
            // Past the relay's buffer, the sandbox's output waits in the sandbox (its ring and
            // its pipe fill, and it blocks), never in this loop.
            let relay_room = self.relay.has_room();
            for (index, pipe) in io.pipes.iter().enumerate() {
                if let Some(pipe) = pipe.as_ref().filter(|_| relay_room) {
                    fds.push(PollFd::new(pipe.as_fd(), PollFlags::POLLIN));
                    which.push(Source::Pipe(index));
                }
            }
            if let Some(pidfd) = &pidfd {
                fds.push(PollFd::new(pidfd.as_fd(), PollFlags::POLLIN));
                which.push(Source::Child);
            }
            if let Some((zygote, false)) = zygote.as_ref().filter(|_| reports_open) {
                fds.push(PollFd::new(zygote.reports_fd(), PollFlags::POLLIN));
                which.push(Source::Zygote);
            }
            if let Some(broker) = &io.broker {
                fds.push(PollFd::new(broker.as_fd(), PollFlags::POLLIN));
                which.push(Source::Broker);
            }
            if io.ring_open {
                fds.push(PollFd::new(io.ring.notify_fd(), PollFlags::POLLIN));
                which.push(Source::Ring);
            }
            fds.push(PollFd::new(sigfd.as_fd(), PollFlags::POLLIN));
            which.push(Source::Signal);
            if let (Some(relay), Some(interest)) = (self.stdin.as_ref(), stdin_interest) {
                if let Some(fd) = relay.source_fd().filter(|_| interest.source) {
                    fds.push(PollFd::new(fd, PollFlags::POLLIN));
                    which.push(Source::StdinInput);
                }
                if let (Some(fd), Some(events)) = (relay.sink_fd(), interest.sink) {
                    fds.push(PollFd::new(fd, events));
                    which.push(Source::StdinSink);
                }
            }
            match poll(&mut fds, timeout) {
                Ok(_) => {}
                Err(Errno::EINTR) => continue,
                Err(err) => return Err(SuperviseError::Poll(err)),
            }
            let ready: Vec<(Source, PollFlags)> = fds
                .iter()
                .zip(&which)
                .filter_map(|(fd, source)| {
                    fd.revents()
                        .filter(|r| !r.is_empty())
                        .map(|revents| (*source, revents))
                })
                .collect();
            drop(fds);
            let mut child_ready = pidfd.is_none();
            let mut zygote_ready = false;
            for (source, revents) in ready {
                match source {
                    Source::Pipe(index) => {
                        if let Some(slot) = io.pipes.get_mut(index) {
                            self.read_pipe(slot, index, &mut buffer);
                        }
                    }
                    Source::Child => child_ready = true,
                    // End of file with nothing to read: the zygote closed its end without a
                    // word, as it does when its top level did not finish and it is exiting.
                    // That is no broken channel: stop listening, and let its pidfd say how it
                    // ended (a kill here would race with its exit and turn a refused program
                    // into a crash).
                    Source::Zygote if !revents.contains(PollFlags::POLLIN) => {
                        reports_open = false;
                    }
                    Source::Zygote => zygote_ready = true,
                    Source::Ring => {
                        io.ring_open = io.ring.take_wakeups();
                        // A busy program's lines are gathered for DRAIN_DELAY; a ring filling
                        // up is relayed at once.
                        if io.ring.pending() >= RING_BYTES / 4 {
                            io.drain_at = Some(Duration::ZERO);
                        } else if io.drain_at.is_none() {
                            io.drain_at = Some(monotonic_now() + DRAIN_DELAY);
                        }
                    }
                    Source::Signal => self.read_signals(sigfd),
                    Source::StdinInput => {
                        if let Some(relay) = self.stdin.as_mut() {
                            relay.on_source(monotonic_now());
                        }
                    }
                    Source::StdinSink => {
                        if let Some(relay) = self.stdin.as_mut() {
                            relay.on_sink(revents);
                        }
                    }
                    Source::Broker => {
                        let open = io
                            .broker
                            .as_ref()
                            .is_some_and(|end| crate::broker::serve_one(end, &self.tcp_ports));
                        if !open {
                            io.broker = None;
                        }
                    }
                }
            }
            if zygote_ready && self.killed.is_none() {
                if let Some((zygote, _)) = &zygote {
                    // The top level is over when the zygote says so; anything else it writes
                    // is a broken channel: the zygote is killed, and the run ends as crashed.
                    if zygote.read(REPORT_TIMEOUT) == Some(Report::Ready) {
                        self.drain_all(io, &mut buffer);
                        return Ok(SegmentEnd::Ready(monotonic_now()));
                    }
                    let _ = kill(self.pid, Signal::SIGKILL);
                    reports_open = false;
                }
            }
            let ended = match (&zygote, child_ready) {
                (_, false) => None,
                (Some((zygote, true)), true) => Some(self.call_end(zygote)),
                (_, true) => self.reap(pidfd.is_some())?,
            };
            if let Some((end, usage)) = ended {
                let end_time = monotonic_now();
                self.drain_all(io, &mut buffer);
                return Ok(SegmentEnd::Ended(end, usage, end_time));
            }
        }
    }

    /// Drains what the watched process left: the pipes, without waiting for the end of file
    /// (a descendant could hold the pipes open), then the ring, which the sandbox emptied
    /// before each write to standard error, so what is left came after.
    fn drain_all(&mut self, io: &mut Streams, buffer: &mut [u8]) {
        for (index, slot) in io.pipes.iter_mut().enumerate() {
            for _ in 0..MAX_DRAIN_READS {
                if !self.read_pipe(slot, index, buffer) {
                    break;
                }
            }
        }
        self.drain_ring(&io.ring);
    }

    /// How a batch's call process ended, as its zygote reports it (the process is not the
    /// supervisor's child). A zygote that reports nothing in time, or garbage, leaves the
    /// call ended as killed.
    fn call_end(&mut self, zygote: &ZygoteLink) -> (ChildEnd, ChildUsage) {
        match zygote.read(REPORT_TIMEOUT) {
            Some(Report::Ended(end)) => (
                ChildEnd::from_wait_status(end.status)
                    .unwrap_or(ChildEnd::Signaled(Signal::SIGKILL)),
                ChildUsage {
                    cpu_seconds: end.cpu_micros as f64 / 1e6,
                    peak_rss_bytes: end.peak_rss_kib.saturating_mul(1024),
                },
            ),
            _ => (ChildEnd::Signaled(Signal::SIGKILL), ChildUsage::default()),
        }
    }

    /// Why relayed output could not be delivered, if it could not.
    pub(super) fn output_failure(&self) -> Option<String> {
        let (stream, errno) = self.relay.failure()?;
        let name = match stream {
            Stream::Stdout => "standard output",
            Stream::Stderr => "standard error",
        };
        Some(format!(
            "the program's {name} cannot be delivered: {}",
            errno.desc()
        ))
    }

    /// When the loop must wake up next, data or not.
    pub(super) fn next_wakeup(&self) -> Duration {
        let mut wake = self.next_tick;
        if let CpuState::StopResume(StopResume {
            stopped: Some((_, resume_at)),
            ..
        }) = &self.cpu
        {
            wake = wake.min(*resume_at);
        }
        if let Some(limit) = self.wall_time {
            if self.killed.is_none() {
                wake = wake.min(self.start + limit);
            }
        }
        wake
    }

    /// Reads once from a pipe and relays; returns whether data was read. Closes the pipe at
    /// end of file or on error.
    pub(super) fn read_pipe(
        &mut self,
        slot: &mut Option<OwnedFd>,
        index: usize,
        buffer: &mut [u8],
    ) -> bool {
        let Some(pipe) = slot.as_ref() else {
            return false;
        };
        let n = match nix::unistd::read(pipe, buffer) {
            Ok(0) => {
                *slot = None;
                return false;
            }
            Ok(n) => n,
            Err(Errno::EINTR) => return true,
            Err(Errno::EAGAIN) => return false,
            Err(_) => {
                *slot = None;
                return false;
            }
        };
        let stream = if index == 0 {
            Stream::Stdout
        } else {
            Stream::Stderr
        };
        let data = buffer.get(..n).unwrap_or_default();
        self.relay_output(stream, data);
        true
    }

    /// Relays the output ring's waiting bytes as standard output.
    pub(super) fn drain_ring(&mut self, ring: &RingReader) {
        ring.drain(|bytes| self.relay_output(Stream::Stdout, bytes));
    }

    /// Relays program output, up to the output limit (past it, the child is killed).
    pub(super) fn relay_output(&mut self, stream: Stream, data: &[u8]) {
        let allowed = match self.output_limit {
            Some(limit) => {
                let room = limit.saturating_sub(self.relayed);
                usize::try_from(room).unwrap_or(usize::MAX).min(data.len())
            }
            None => data.len(),
        };
        let (kept, over) = data.split_at(allowed);
        if !kept.is_empty() {
            self.relay.write(stream, kept);
            self.relayed += kept.len() as u64;
        }
        if !over.is_empty() {
            self.dropped += over.len() as u64;
            if let Some(limit) = self.output_limit {
                let message = format!("output over the limit of {limit} bytes");
                self.kill(KillReason::Output, message);
            }
        }
    }

    pub(super) fn read_signals(&mut self, sigfd: &SignalFd) {
        while let Ok(Some(info)) = sigfd.read_signal() {
            let name = i32::try_from(info.ssi_signo)
                .ok()
                .and_then(|n| Signal::try_from(n).ok())
                .map_or_else(|| format!("signal {}", info.ssi_signo), |s| s.to_string());
            self.kill(
                KillReason::Interrupted,
                format!("the supervisor was interrupted by {name}"),
            );
        }
    }

    /// Reaps the child if it has ended (`blocking`: it is known to have ended).
    pub(super) fn reap(
        &mut self,
        blocking: bool,
    ) -> Result<Option<(ChildEnd, ChildUsage)>, SuperviseError> {
        let flags = if blocking { 0 } else { libc::WNOHANG };
        loop {
            let mut status: libc::c_int = 0;
            // SAFETY: an all-zero rusage is a valid value of this plain C struct.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            // SAFETY: wait4 writes into the two out-parameters, which are valid and live.
            let got = unsafe { libc::wait4(self.pid.as_raw(), &mut status, flags, &mut usage) };
            if got == 0 {
                return Ok(None);
            }
            if got < 0 {
                match Errno::last() {
                    Errno::EINTR => continue,
                    source => {
                        return Err(SuperviseError::Wait {
                            pid: self.pid,
                            source,
                        })
                    }
                }
            }
            let Some(end) = ChildEnd::from_wait_status(status) else {
                continue;
            };
            let seconds = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
            let usage = ChildUsage {
                cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
                peak_rss_bytes: crate::measure::memory_use(
                    u64::try_from(usage.ru_maxrss)
                        .unwrap_or(0)
                        .saturating_mul(1024),
                ),
            };
            return Ok(Some((end, usage)));
        }
    }
}

/// What a poll entry watches.
#[derive(Debug, Clone, Copy)]
enum Source {
    Pipe(usize),
    Ring,
    Child,
    Zygote,
    Signal,
    Broker,
    /// The standard-input relay's source.
    StdinInput,
    /// The standard-input relay's pipe (its write end).
    StdinSink,
}

/// The sandbox's output and broker, watched across the segments of a run.
pub(super) struct Streams {
    /// The stdout and stderr pipes (closed at end of file).
    pub(super) pipes: [Option<OwnedFd>; 2],
    /// The output ring.
    pub(super) ring: RingReader,
    /// Whether the sandbox's end of the ring's wake-up pipe is still open.
    pub(super) ring_open: bool,
    /// The listening-socket broker, until the sandbox closes it.
    pub(super) broker: Option<OwnedFd>,
    /// When to relay the output ring next (set by a wake-up from the sandbox).
    pub(super) drain_at: Option<Duration>,
}

/// What one pass of the watch loop watches.
pub(super) enum Segment<'a> {
    /// The supervisor's own child, to its end (reaped with `wait4`).
    Child {
        /// Its pidfd, if the kernel gives one.
        pidfd: Option<&'a OwnedFd>,
    },
    /// A batch's zygote running the program's top level: until it is ready for calls, or
    /// its end.
    TopLevel {
        /// The zygote's pidfd.
        pidfd: Option<&'a OwnedFd>,
        /// The control channel.
        zygote: &'a ZygoteLink,
    },
    /// One call process forked by the zygote, to its end (reported by the zygote).
    Call {
        /// The call process's pidfd.
        pidfd: &'a OwnedFd,
        /// The control channel.
        zygote: &'a ZygoteLink,
    },
}

/// How a segment ended.
pub(super) enum SegmentEnd {
    /// The watched process ended, with its usage, at this instant.
    Ended(ChildEnd, ChildUsage, Duration),
    /// The zygote finished the top level, at this instant.
    Ready(Duration),
}
