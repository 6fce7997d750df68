//! A batch (`repy call --batch`): the child runs the program's top level once and becomes a
//! zygote; each call runs in a fork of it, watched by the same loop, with the same limits, as
//! a run of its own (wall time, CPU time, memory, threads and output per call; the disk quota
//! over the shared vessel), and gets a result of its own. One call's kill ends that call only.
//!
//! The call processes are the zygote's children, not the supervisor's: the supervisor checks
//! that each reported pid is the zygote's child, watches it through a pidfd and `/proc`, and
//! kills it itself; the zygote reports how it ended (see `crate::zygote`).

use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::sys::signalfd::SignalFd;
use nix::unistd::Pid;

use crate::cgroup::Group;
use crate::clock::monotonic_now;
use crate::measure;
use crate::page::SharedPage;
use crate::process::ChildEnd;
use crate::zygote::{Report, Waiting, ZygoteLink, REPORT_TIMEOUT};

use super::duty_cycle::CpuState;
use super::watch::{ChildUsage, Segment, SegmentEnd, Streams, Watch};
use super::{
    conclude, pidfd_open, streams, Forked, Kill, KillReason, RunResult, SuperviseError, Supervisor,
};

/// How long the zygote has to exit once the batch is over before it is killed.
const ZYGOTE_EXIT_GRACE: Duration = Duration::from_secs(2);

/// What a batch's caller provides: the calls, and what to do with each result.
pub trait BatchDriver {
    /// The top level finished and the zygote waits for calls: `result` is the top level's.
    fn top_level_finished(&mut self, result: &RunResult);
    /// Prepares the next call (writes its request where the zygote reads it) and says whether
    /// there is one; `false` ends the batch.
    fn next_call(&mut self) -> bool;
    /// The call just asked for ended: its result, as a run's.
    fn call_ended(&mut self, result: RunResult);
    /// The limits of the call just asked for, when they are not the batch's own (a warm
    /// pool's requests each bring theirs, never above the batch's: see [`CallLimits`]).
    fn call_limits(&self) -> Option<CallLimits> {
        None
    }
}

/// A call's own limits, each at most the batch's (the supervisor takes the smaller): the
/// ones the supervisor enforces on a run from outside. Every other limit of a call (rates,
/// items, ports) is the batch's.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CallLimits {
    /// Resident memory, bytes.
    pub memory: Option<u64>,
    /// Wall-clock time.
    pub wall_time: Option<Duration>,
    /// CPU time.
    pub cpu_time: Option<Duration>,
    /// Bytes of output.
    pub output: Option<u64>,
}

/// The limits a watch enforces that a call may lower, as the batch set them.
#[derive(Debug, Clone, Copy)]
struct BatchLimits {
    memory: u64,
    wall_time: Option<Duration>,
    cpu_time: Option<Duration>,
    output: Option<u64>,
}

impl BatchLimits {
    fn of(watch: &Watch<'_>) -> Self {
        BatchLimits {
            memory: watch.memory_limit,
            wall_time: watch.wall_time,
            cpu_time: watch.cpu_time,
            output: watch.output_limit,
        }
    }

    /// Sets `watch`'s limits for a call: the batch's, lowered to the call's own.
    fn apply(self, call: Option<CallLimits>, watch: &mut Watch<'_>) {
        let call = call.unwrap_or_default();
        let lower = |batch: Option<Duration>, call: Option<Duration>| match (batch, call) {
            (Some(b), Some(c)) => Some(b.min(c)),
            (b, c) => b.or(c),
        };
        watch.memory_limit = call.memory.map_or(self.memory, |m| m.min(self.memory));
        watch.wall_time = lower(self.wall_time, call.wall_time);
        watch.cpu_time = lower(self.cpu_time, call.cpu_time);
        watch.output_limit = match (self.output, call.output) {
            (Some(b), Some(c)) => Some(b.min(c)),
            (b, c) => b.or(c),
        };
    }
}

impl Supervisor {
    /// The batch's side of [`Supervisor::run_batch`]. The supervisor makes itself a child
    /// subreaper first (see `fork_then`), so that no process of the batch outlives it unseen.
    pub(super) fn supervise_batch(
        self,
        page: &SharedPage,
        forked: Forked,
        sigfd: &SignalFd,
        driver: &mut dyn BatchDriver,
    ) -> Result<RunResult, SuperviseError> {
        let Forked {
            pid: zygote,
            joined,
            pipes,
            ring,
            go,
            broker,
            link,
            stdin: _,
        } = forked;
        let mut io = streams(pipes, ring, broker);
        let pids = self.pids.clone();
        let pids = pids.as_deref();
        let zygote_fd = pidfd_open(zygote);
        // No relay: `run_batch` refuses one, and the zygote's stdin is /dev/null.
        let (mut watch, cpu_mechanism, memory_backstop) = self.watch(page, zygote, joined, None);
        let _ = nix::unistd::write(&go, &[1]);
        drop(go);
        let Some(mut link) = link else {
            unreachable!("a batch is forked with its control channel")
        };
        let top_level = watch.event_loop(
            &mut io,
            Segment::TopLevel {
                pidfd: zygote_fd.as_ref(),
                zygote: &link,
            },
            sigfd,
        )?;
        let ready_at = match top_level {
            SegmentEnd::Ended(end, usage, end_time) => {
                // The top level did not finish (refused, an exception, a kill): that is the
                // batch's only result.
                return Ok(conclude(
                    &mut watch,
                    sigfd,
                    end,
                    usage,
                    end_time,
                    cpu_mechanism,
                    memory_backstop,
                ));
            }
            SegmentEnd::Ready(at) => at,
        };
        let usage = ChildUsage {
            cpu_seconds: measure::process_cpu(zygote).map_or(0.0, |d| d.as_secs_f64()),
            peak_rss_bytes: 0,
        };
        // The top level's output is delivered before its result.
        let _ = watch.relay.settle(crate::output::FINISH_STALL);
        let top = watch.finish(
            ChildEnd::Exited(0),
            usage,
            ready_at,
            cpu_mechanism,
            memory_backstop,
        );
        if !strays(zygote, pids).is_empty() {
            // The top level forked behind the API's back (only possible past walls 1 and 2):
            // the batch ends here, as a kill.
            watch.killed = Some(forked_behind_the_api());
            end_everything(zygote);
            let usage = ChildUsage::default();
            return Ok(conclude(
                &mut watch,
                sigfd,
                ChildEnd::Signaled(Signal::SIGKILL),
                usage,
                monotonic_now(),
                cpu_mechanism,
                memory_backstop,
            ));
        }
        driver.top_level_finished(&top);
        let _ = link.fork_ahead();
        let batch_limits = BatchLimits::of(&watch);
        let mut interrupted = false;
        let mut strayed = false;
        let mut top = top;
        loop {
            // A signal to repy between two calls ends the batch (during a call, the loop
            // kills the call for it).
            watch.pid = zygote;
            watch.killed = None;
            watch.read_signals(sigfd);
            interrupted |= watch.killed.is_some();
            if interrupted || strayed || !driver.next_call() {
                break;
            }
            batch_limits.apply(driver.call_limits(), &mut watch);
            let result = match self::call(&mut watch, &mut io, &link, zygote, sigfd) {
                Some(Ok((end, usage, end_time))) => {
                    if !watch.relay.settle(crate::output::FINISH_STALL) && watch.killed.is_none() {
                        watch.killed = Some(Kill {
                            reason: KillReason::OutputUnwritable,
                            message: "the call's output could not be delivered".into(),
                        });
                    }
                    strayed = !strays(zygote, pids).is_empty();
                    let mut result =
                        watch.finish(end, usage, end_time, cpu_mechanism, memory_backstop);
                    if strayed {
                        result.killed_for = Some(forked_behind_the_api());
                    } else if result.killed_for.is_none() {
                        result.killed_for = over_time(&watch, &result);
                    }
                    result
                }
                Some(Err(err)) => return Err(err),
                // The zygote failed its part: this call ends as crashed, and the batch here.
                None => {
                    begin_segment(&mut watch, zygote);
                    let result = watch.finish(
                        ChildEnd::Signaled(Signal::SIGKILL),
                        ChildUsage::default(),
                        monotonic_now(),
                        cpu_mechanism,
                        memory_backstop,
                    );
                    driver.call_ended(result);
                    break;
                }
            };
            interrupted = result
                .killed_for
                .as_ref()
                .is_some_and(|kill| kill.reason == KillReason::Interrupted);
            // The call is gone: what it asked the broker and never got stays unanswered (the
            // zygote drops the answers it did not read before the next fork).
            if let Some(end) = io.broker.as_ref() {
                crate::broker::discard_requests(end);
            }
            // The call is over, checked for strays and its totals read: the zygote may fork
            // the next call's process while this call's result is delivered.
            if !interrupted && !strayed {
                let _ = link.fork_ahead();
            }
            driver.call_ended(less_top_level(result, &top));
        }
        watch.pid = zygote;
        link.close();
        if strayed {
            end_everything(zygote);
        } else {
            end_zygote(zygote, zygote_fd.as_ref());
        }
        sweep_children();
        let _ = watch
            .relay
            .finish(crate::output::FINISH_STALL, &mut || false);
        if interrupted {
            top.killed_for = Some(Kill {
                reason: KillReason::Interrupted,
                message: "the batch was interrupted by a signal to repy".into(),
            });
        }
        Ok(top)
    }
}

/// Asks the zygote for one call and watches it to its end; `None` if the zygote does not
/// fork one, reports a process that is not its child, or cannot be watched (it is killed).
fn call(
    watch: &mut Watch<'_>,
    io: &mut Streams,
    link: &ZygoteLink,
    zygote: Pid,
    sigfd: &SignalFd,
) -> Option<Result<(ChildEnd, ChildUsage, Duration), SuperviseError>> {
    let give_up = || {
        let _ = kill(zygote, Signal::SIGKILL);
        None
    };
    // The call's clocks start when it is asked for: whatever happens between the request and
    // the zygote's report of the fork counts against the call.
    let asked = monotonic_now();
    // A process forked ahead was announced already; otherwise the zygote is asked for one.
    let (mut report, mut announced) = match link.read_waiting() {
        Waiting::Record(report) => (Some(report), true),
        Waiting::Broken => return give_up(),
        Waiting::Nothing => {
            if !link.request() {
                return give_up();
            }
            (link.read(REPORT_TIMEOUT), false)
        }
    };
    let (pid, pidfd) = loop {
        let Some(Report::Forked(pid)) = report else {
            return give_up();
        };
        if pid.as_raw() <= 0 {
            return give_up();
        }
        // The pidfd first, then the parent: the pidfd holds that very process, so the check
        // cannot pass for a process that took the pid of one the zygote reaped meanwhile.
        // Never watch (nor kill) a process the zygote did not fork.
        let Some(pidfd) = pidfd_open(pid) else {
            return give_up();
        };
        if measure::parent_pid(pid).ok() != Some(zygote) {
            return give_up();
        }
        // The zygote reaps the call only once the supervisor holds its pidfd (until then the
        // call stays at least a zombie, so the checks above cannot miss it). A process
        // announced ahead waits for its call: one that has ended was killed while it waited,
        // and is replaced, once. One forked when asked for may have run already (a zygote
        // whose calls do not wait, as the protocol allows) and is watched as it is.
        if !(announced && has_ended(&pidfd)) {
            break (pid, pidfd);
        }
        announced = false;
        if !link.discard() {
            return give_up();
        }
        report = link.read(REPORT_TIMEOUT);
    };
    if !link.watching() {
        return give_up();
    }
    begin_segment(watch, pid);
    watch.start = asked;
    let end = watch.event_loop(
        io,
        Segment::Call {
            pidfd: &pidfd,
            zygote: link,
        },
        sigfd,
    );
    Some(end.map(|end| match end {
        SegmentEnd::Ended(end, usage, end_time) => (end, usage, end_time),
        SegmentEnd::Ready(at) => (
            ChildEnd::Signaled(Signal::SIGKILL),
            ChildUsage::default(),
            at,
        ),
    }))
}

/// Whether the process behind `pidfd` has ended, without waiting.
fn has_ended(pidfd: &std::os::fd::OwnedFd) -> bool {
    ends_within(pidfd, nix::poll::PollTimeout::ZERO)
}

/// Whether the process behind `pidfd` has ended or ends within `timeout` (a pidfd polls
/// readable then).
fn ends_within(pidfd: &std::os::fd::OwnedFd, timeout: nix::poll::PollTimeout) -> bool {
    use nix::poll::{poll, PollFd, PollFlags};
    use std::os::fd::AsFd as _;
    let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
    matches!(poll(&mut fds, timeout), Ok(n) if n > 0)
}

/// Points the watch at a new call process, with fresh per-run counters: its own wall and CPU
/// clock, output count, peaks and kill.
fn begin_segment(watch: &mut Watch<'_>, pid: Pid) {
    let now = monotonic_now();
    watch.pid = pid;
    watch.start = now;
    watch.killed = None;
    watch.relayed = 0;
    watch.dropped = 0;
    watch.rss_peak = 0;
    watch.disk_peak = 0;
    // A call runs compiled code only: no preparation allowance.
    watch.program_started = true;
    // The first sample comes a period in, not at once: a call just forked from the idle
    // zygote cannot be over any limit yet, and the vessel is looked at when the call ends.
    watch.next_tick = now + super::TICK;
    watch.next_disk = now + super::DISK_PERIOD;
    if let CpuState::StopResume(sr) = &mut watch.cpu {
        sr.balance = 0.0;
        sr.last_wall = None;
        sr.last_cpu = Duration::ZERO;
        sr.stopped = None;
    }
}

/// A call's renewable totals without the top level's (the zygote restores the page to the
/// top level's state before each call).
fn less_top_level(mut result: RunResult, top: &RunResult) -> RunResult {
    for total in &mut result.renewable {
        if let Some(base) = top.renewable.iter().find(|t| t.resource == total.resource) {
            total.charged = total.charged.saturating_sub(base.charged);
            total.throttled_seconds = (total.throttled_seconds - base.throttled_seconds).max(0.0);
        }
    }
    result
}

/// A call that ended by itself over its wall or CPU time (before a tick could kill it) is
/// judged over it all the same.
fn over_time(watch: &Watch<'_>, result: &RunResult) -> Option<Kill> {
    if let Some(limit) = watch.cpu_time {
        if result.cpu_seconds > limit.as_secs_f64() {
            return Some(Kill {
                reason: KillReason::CpuTime,
                message: format!(
                    "CPU time {:.3} seconds over the limit of {} seconds",
                    result.cpu_seconds,
                    limit.as_secs_f64()
                ),
            });
        }
    }
    if let Some(limit) = watch.wall_time {
        if result.wall_seconds > limit.as_secs_f64() {
            return Some(Kill {
                reason: KillReason::WallTime,
                message: format!(
                    "wall time {:.3} seconds over the limit of {} seconds",
                    result.wall_seconds,
                    limit.as_secs_f64()
                ),
            });
        }
    }
    None
}

/// The kill of a batch whose sandbox made a process behind the API's back.
fn forked_behind_the_api() -> Kill {
    Kill {
        reason: KillReason::Threads,
        message: "the sandbox started a process behind the API's back".into(),
    }
}

/// Processes that should not exist between two calls: children of the zygote, and children
/// of the supervisor (a subreaper in a batch, so orphans come to it) other than the zygote.
///
/// With a pids cgroup the kernel counts every task the sandbox made (a process cannot leave
/// its group: Landlock keeps the cgroup files out of reach), so a count of one, the zygote
/// alone, answers at once; any other count, or no group, is looked into through `/proc`.
fn strays(zygote: Pid, pids: Option<&Group>) -> Vec<Pid> {
    if pids.and_then(Group::pids_current) == Some(1) {
        return Vec::new();
    }
    let mut found = measure::children(zygote);
    found.extend(
        measure::children(nix::unistd::getpid())
            .into_iter()
            .filter(|pid| *pid != zygote),
    );
    found
}

/// Kills the zygote and every stray process, and reaps them.
fn end_everything(zygote: Pid) {
    for pid in strays(zygote, None) {
        let _ = kill(pid, Signal::SIGKILL);
    }
    let _ = kill(zygote, Signal::SIGKILL);
    let _ = nix::sys::wait::waitpid(zygote, None);
    sweep_children();
}

/// Kills and reaps every child the supervisor still has (orphans of the batch's processes
/// come to it, a subreaper), until none is left.
fn sweep_children() {
    for _ in 0..100 {
        let children = measure::children(nix::unistd::getpid());
        if children.is_empty() {
            return;
        }
        for pid in &children {
            let _ = kill(*pid, Signal::SIGKILL);
        }
        for pid in children {
            let _ = nix::sys::wait::waitpid(pid, None);
        }
    }
}

/// Lets the zygote exit (its requests are closed), kills it after a grace period, and reaps
/// it.
fn end_zygote(zygote: Pid, pidfd: Option<&std::os::fd::OwnedFd>) {
    use nix::poll::PollTimeout;
    let millis = u16::try_from(ZYGOTE_EXIT_GRACE.as_millis()).unwrap_or(u16::MAX);
    let exited = pidfd.is_some_and(|fd| ends_within(fd, PollTimeout::from(millis)));
    if !exited {
        let _ = kill(zygote, Signal::SIGKILL);
    }
    let _ = nix::sys::wait::waitpid(zygote, None);
}
