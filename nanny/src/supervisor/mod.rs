//! The supervisor: the parent process, which never runs Python. It forks the sandbox child,
//! relays its output, and enforces from outside what the sandbox cannot be trusted to
//! enforce on itself, in one event loop (`poll` on the output ring's wake-ups and the stderr
//! pipe, a pidfd for the child, the broker and a signalfd), with a timeout for the next
//! [`TICK`]; relayed output is written by a thread of its own, so no reader can stall it.
//!
//! The parts: configuration and the fork (this file), the watch loop (`watch.rs`), the
//! per-tick limit checks (`checks.rs`), the CPU duty cycle (`duty_cycle.rs`), the kernel
//! backstops' sizes (`backstop.rs`), the standard-input relay (`stdin.rs`) and the verdict
//! (`verdict.rs`).
//!
//! * **CPU share** (`cpu`, a fraction of one core): a cgroup CPU quota when the supervisor may
//!   create a cgroup, else RepyV2's duty cycle done finer: every tick the child's CPU time is
//!   compared with its budget (`share × wall time`), and a child over budget is stopped
//!   (SIGSTOP) exactly long enough to pay its debt, then continued (SIGCONT). Either way the
//!   stops go to the page's stop-time ring for `getresources()`. A share of at least the number
//!   of usable cores is no limit.
//! * **Fixed limits**: resident memory every tick, the vessel directory every 0.5 s; over the
//!   limit the child is killed (SIGKILL) and the reason recorded (RepyV2's code 98). A cgroup
//!   memory cap slightly above the limit, or else an address-space rlimit set in the child,
//!   is the kernel's backstop against a burst between two samples.
//! * **Run limits**: `wall-time`, `cpu-time` (the child's CPU clock), and `output` (bytes
//!   relayed: exactly the limit is written, then the child is killed).
//! * **Operations** (RepyV2 §9): the stop file and the status files, every second.
//! * SIGINT, SIGTERM and SIGHUP kill the child; the result is still produced.
//! * **Standard input** ([`Stdin::Relay`]): the loop relays the caller's input into the
//!   child's stdin pipe, paced by the rate, cut at the total, never blocking (`stdin.rs`).
//!   Ordinary runs only: a batch's stdin is `/dev/null`.
//!
//! Nothing enforced here is read from the shared page, which the sandbox can write.

mod backstop;
mod batch;
mod checks;
mod duty_cycle;
mod stdin;
mod verdict;
mod watch;

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::time::Duration;

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::{fork, getpid, pipe2, ForkResult, Pid};
use restrictions::{ResourceId, Restrictions};

use std::sync::Arc;

use crate::cgroup::{Group, Placement};
use crate::clock::monotonic_now;
use crate::measure;
use crate::output::{OutputTarget, Relay};
use crate::page::{SharedPage, StopTime};
use crate::process::{
    child_main, CgroupJoins, ChildEnd, ChildStdin, ChildWiring, Gate, Stdin, StdinLimits,
};
use crate::ring::RingReader;
use crate::status::{Status, StatusFiles};

use backstop::{cfs_period, whole_bytes, MIN_CGROUP_SHARE};
pub use backstop::{cgroup_memory_cap, rlimit_as_bytes, CpuMechanism, MemoryBackstop};
pub use batch::{BatchDriver, CallLimits};
use duty_cycle::CpuState;
use stdin::StdinRelay;
use watch::{ChildUsage, Segment, SegmentEnd, Streams, Watch};

/// How often the supervisor samples the child (memory, CPU time, CPU share, wall time).
pub const TICK: Duration = Duration::from_millis(20);

/// How often the vessel directory is measured.
pub const DISK_PERIOD: Duration = Duration::from_millis(500);
/// How often the stop file is checked and the `Started` status rewritten (RepyV2: 1 s).
pub const OPERATIONS_PERIOD: Duration = Duration::from_secs(1);
/// How often cgroup throttling is turned into stop-time entries.
const CGROUP_STOP_WINDOW: Duration = Duration::from_millis(100);

/// Everything the supervisor needs besides the sandbox closure.
#[derive(Debug)]
pub struct SupervisorConfig {
    /// The policy.
    pub restrictions: Restrictions,
    /// The vessel directory (measured for `diskused`; a relative path is relative to the
    /// supervisor's current directory while it runs).
    pub vessel: PathBuf,
    /// RepyV2's `--stop FILE`: checked every second; it may not exist at start.
    pub stop_file: Option<PathBuf>,
    /// RepyV2's `--status PREFIX`: `PREFIX-<Status>-<unix time>` files.
    pub status_prefix: Option<PathBuf>,
    /// Where the sandbox's output goes (`--logfile` is [`OutputTarget::Logfile`]).
    pub output: OutputTarget,
    /// What the sandbox's standard input is (default [`Stdin::Null`]). A relay
    /// ([`Stdin::Relay`]) is for [`Supervisor::run`] only: [`Supervisor::run_batch`] refuses
    /// it.
    pub stdin: Stdin,
    /// Try cgroups for the CPU share and the memory backstop (default true). Without them
    /// the CPU share is enforced by stop/resume and memory by an rlimit.
    pub use_cgroups: bool,
    /// Without a cgroup memory cap, set RLIMIT_AS in the child (default true). Turn it off
    /// only if the confinement step sets its own.
    pub rlimit_backstop: bool,
    /// Memory the sandbox may use on top of `memory` before the program's first line, while
    /// the checker parses and checks it and CPython compiles it (work that grows with the
    /// source, not with what the program does). From the program's first line on, the limit
    /// is `memory` alone: the memory check, and the cgroup cap, which is lowered then.
    pub preparation_allowance: u64,
}

impl SupervisorConfig {
    /// A configuration with output to the terminal, stdin on `/dev/null`, no stop or status
    /// files, cgroups tried and the rlimit backstop on.
    pub fn new(restrictions: Restrictions, vessel: impl Into<PathBuf>) -> SupervisorConfig {
        SupervisorConfig {
            restrictions,
            vessel: vessel.into(),
            stop_file: None,
            status_prefix: None,
            output: OutputTarget::Inherit,
            stdin: Stdin::Null,
            use_cgroups: true,
            rlimit_backstop: true,
            preparation_allowance: 0,
        }
    }
}

/// Errors that prevent supervising a run (a run that happened always gives a [`RunResult`]).
#[derive(Debug, thiserror::Error)]
pub enum SuperviseError {
    /// RepyV2 refused to start when the stop file already existed.
    #[error("the stop file '{}' already exists", path.display())]
    StopFileExists {
        /// The stop file.
        path: PathBuf,
    },
    /// The circular log cannot be created.
    #[error("cannot open the log file '{}'", path.display())]
    Logfile {
        /// The log's prefix.
        path: PathBuf,
        /// The system error.
        #[source]
        source: io::Error,
    },
    /// The status files cannot be written.
    #[error("cannot write status files with the prefix '{}'", path.display())]
    StatusFiles {
        /// The prefix.
        path: PathBuf,
        /// The system error.
        #[source]
        source: io::Error,
    },
    /// pipe2(2) failed.
    #[error("cannot create a pipe for the sandbox's output")]
    Pipe(#[source] nix::Error),
    /// Blocking the termination signals or creating the signalfd failed.
    #[error("cannot set up the supervisor's signal handling")]
    Signals(#[source] nix::Error),
    /// fork(2) failed.
    #[error("cannot fork the sandbox process")]
    Fork(#[source] nix::Error),
    /// The output ring cannot be created.
    #[error(transparent)]
    Ring(#[from] crate::ring::RingError),
    /// poll(2) failed.
    #[error("cannot poll the sandbox's pipes")]
    Poll(#[source] nix::Error),
    /// pipe2(2) failed for the standard-input relay.
    #[error("cannot create a pipe for the sandbox's standard input")]
    StdinPipe(#[source] nix::Error),
    /// [`Supervisor::run_batch`] was given [`Stdin::Relay`]: a batch's calls are forks of one
    /// zygote, and one input stream cannot be relayed to each; a batch's stdin is
    /// `/dev/null`.
    #[error(
        "standard input cannot be relayed to a batch (its calls would share one stream): \
         a batch reads /dev/null"
    )]
    StdinInBatch,
    /// wait4(2) failed.
    #[error("cannot wait for the sandbox process {pid}")]
    Wait {
        /// The child.
        pid: Pid,
        /// The system error.
        #[source]
        source: nix::Error,
    },
}

/// Why the supervisor killed the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillReason {
    /// Resident memory over `memory` (RepyV2's code 98).
    Memory,
    /// The vessel directory over `diskused` (RepyV2's code 98).
    Disk,
    /// Longer than `wall-time`.
    WallTime,
    /// More CPU time than `cpu-time`.
    CpuTime,
    /// More output than `output`.
    Output,
    /// More threads than `events` allows, started behind the API's back (code 98, as the
    /// other fixed resources).
    Threads,
    /// The stop file asked for it, with this exit code.
    Stopped(i32),
    /// The supervisor received SIGINT, SIGTERM or SIGHUP.
    Interrupted,
    /// The program's output could not be delivered: the reader went away (a closed pipe) or
    /// its destination failed (a full disk).
    OutputUnwritable,
}

/// A kill by the supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kill {
    /// Why.
    pub reason: KillReason,
    /// One line naming the resource, its use and its limit, e.g.
    /// `memory use 31457280 bytes over the limit of 30000000 bytes`.
    pub message: String,
}

/// A renewable resource's totals over the run (from the shared page).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenewableTotal {
    /// The resource.
    pub resource: ResourceId,
    /// Units charged.
    pub charged: u64,
    /// Seconds callers waited for the bucket to drain.
    pub throttled_seconds: f64,
}

/// The outcome of a supervised run: plain data, rendered by the binary.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// How the child ended.
    pub end: ChildEnd,
    /// Why the supervisor killed it, if it did.
    pub killed_for: Option<Kill>,
    /// Seconds from the child's start to its end.
    pub wall_seconds: f64,
    /// User + system CPU seconds of the child, all its threads (wait4's rusage).
    pub cpu_seconds: f64,
    /// Peak resident memory of the child in bytes (rusage maxrss).
    pub peak_rss_bytes: u64,
    /// Peak of the vessel directory's disk use as sampled, in bytes.
    pub peak_disk_bytes: u64,
    /// Per renewable resource: units charged and seconds throttled (from the page).
    pub renewable: Vec<RenewableTotal>,
    /// Per item resource: the most held at once (from the page).
    pub item_peaks: Vec<(ResourceId, u64)>,
    /// Output bytes relayed (stdout + stderr), never more than the `output` limit.
    pub output_bytes: u64,
    /// Output bytes read but not relayed because they were over the `output` limit.
    pub output_dropped_bytes: u64,
    /// Bytes relayed to the program's standard input ([`Stdin::Relay`]): written into its
    /// pipe, never more than the relay's total (the program may have read fewer). 0 with
    /// [`Stdin::Null`] and in a batch.
    pub stdin_bytes: u64,
    /// Whether the relay stopped at its total while the source still had input: at least one
    /// byte past the total was offered during the run (and not relayed).
    pub stdin_truncated: bool,
    /// CPU stop times, oldest first (at most 100).
    pub stop_times: Vec<StopTime>,
    /// How the CPU share was enforced.
    pub cpu_mechanism: CpuMechanism,
    /// What backed the memory limit in the kernel.
    pub memory_backstop: MemoryBackstop,
    /// Whether a pids cgroup held the thread limit in the kernel.
    pub threads_backstop: bool,
    /// Whether the page still carried its marker (false: the sandbox scribbled on it, and
    /// the page-derived numbers above are not to be trusted).
    pub page_intact: bool,
}

/// CPU share enforcement chosen before the fork.
#[derive(Debug)]
enum CpuPlan {
    None,
    Cgroup { group: Arc<Group>, share: f64 },
    StopResume { share: f64 },
}

/// Memory backstop chosen before the fork.
#[derive(Debug)]
enum MemoryPlan {
    None,
    Cgroup(Arc<Group>),
    Rlimit(u64),
}

/// Threads the kernel may count beyond twice `events` before the supervisor kills the
/// sandbox.
pub const THREAD_MARGIN: u64 = 2;

/// Tasks the pids cgroup allows beyond the supervisor's own thread limit.
pub const PIDS_MARGIN: u64 = 8;

/// A supervisor, configured and ready to fork the sandbox.
#[derive(Debug)]
pub struct Supervisor {
    vessel: PathBuf,
    /// The local TCP ports the broker may listen on (`connport`).
    tcp_ports: std::collections::BTreeSet<u16>,
    memory_limit: u64,
    preparation_allowance: u64,
    thread_limit: u64,
    /// A pids cgroup holding the thread limit in the kernel, when one could be made.
    pids: Option<Arc<Group>>,
    /// Why a controller got no cgroup, one line each (for `repy doctor`).
    cgroup_fallbacks: Vec<String>,
    disk_limit: u64,
    wall_time: Option<Duration>,
    cpu_time: Option<Duration>,
    output_limit: Option<u64>,
    stop_file: Option<PathBuf>,
    status: Option<StatusFiles>,
    relay: Relay,
    stdin: Stdin,
    cpu: CpuPlan,
    memory: MemoryPlan,
}

impl Supervisor {
    /// Checks the configuration and prepares the backstops: fails if the stop file exists or
    /// the log/status files cannot be written; creates the cgroups if allowed and possible.
    pub fn new(config: SupervisorConfig) -> Result<Supervisor, SuperviseError> {
        if let Some(path) = &config.stop_file {
            if path.exists() {
                return Err(SuperviseError::StopFileExists { path: path.clone() });
            }
        }
        let log_prefix = match &config.output {
            OutputTarget::Logfile(prefix) => Some(prefix.clone()),
            _ => None,
        };
        let relay = Relay::open(config.output).map_err(|source| SuperviseError::Logfile {
            path: log_prefix.unwrap_or_default(),
            source,
        })?;
        let status =
            match &config.status_prefix {
                Some(prefix) => Some(StatusFiles::new(prefix).map_err(|source| {
                    SuperviseError::StatusFiles {
                        path: prefix.clone(),
                        source,
                    }
                })?),
                None => None,
            };
        let policy = &config.restrictions;
        let share = policy.limit(ResourceId::Cpu);
        let cores = usable_cores() as f64;
        let cpu_share = (share.is_finite() && share < cores)
            // The policy requires a positive share; a non-positive one is taken as the least.
            .then_some(if share > 0.0 { share } else { MIN_CGROUP_SHARE });
        // One placement for every controller: on cgroup v2 they share one group.
        let mut controllers = vec!["memory", "pids"];
        if cpu_share.is_some_and(|share| share >= MIN_CGROUP_SHARE) {
            controllers.insert(0, "cpu");
        }
        let mut placement = if config.use_cgroups {
            Placement::create(&controllers)
        } else {
            Placement::default()
        };
        let cgroup_fallbacks = placement
            .refused
            .iter()
            .map(|(controller, err)| format!("{controller}: {err}"))
            .collect();
        let cpu = if let Some(share) = cpu_share {
            let group = placement
                .take("cpu")
                .filter(|g| g.set_cpu_share(share, cfs_period(share)).is_ok());
            match group {
                Some(group) => CpuPlan::Cgroup { group, share },
                None => CpuPlan::StopResume { share },
            }
        } else {
            CpuPlan::None
        };
        let memory_limit = whole_bytes(policy.limit(ResourceId::Memory));
        let group = placement.take("memory").filter(|g| {
            g.set_memory_cap(cgroup_memory_cap(
                memory_limit.saturating_add(config.preparation_allowance),
            ))
            .is_ok()
        });
        let memory = match group {
            Some(group) => MemoryPlan::Cgroup(group),
            None if config.rlimit_backstop => {
                // An address-space limit cannot be lowered from outside once the program
                // runs: it keeps the preparation allowance (the supervisor's own check does
                // not).
                let threads = whole_bytes(policy.limit(ResourceId::Events));
                MemoryPlan::Rlimit(rlimit_as_bytes(
                    memory_limit.saturating_add(config.preparation_allowance),
                    threads,
                ))
            }
            None => MemoryPlan::None,
        };
        let thread_limit = whole_bytes(policy.limit(ResourceId::Events))
            .saturating_mul(2)
            .saturating_add(THREAD_MARGIN);
        // The kernel's backstop under the supervisor's thread count: past pids.max, creating
        // a thread fails (the API raises, a raw clone gets EAGAIN) instead of exhausting the
        // host. Its margin above the supervisor's limit leaves the kill to the supervisor.
        let pids = placement.take("pids").filter(|g| {
            g.set_pids_max(thread_limit.saturating_add(PIDS_MARGIN))
                .is_ok()
        });
        Ok(Supervisor {
            tcp_ports: policy.connport().clone(),
            vessel: config.vessel,
            pids,
            cgroup_fallbacks,
            memory_limit,
            preparation_allowance: config.preparation_allowance,
            // The kernel's count of the child's threads may not pass twice `events` plus a
            // small margin: `events` threads hold their items (the main program one,
            // `createthread` the others), and as many more may have given theirs back and be
            // exiting. A program that starts threads behind the API's back is killed.
            thread_limit,
            disk_limit: whole_bytes(policy.limit(ResourceId::Diskused)),
            wall_time: policy.wall_time(),
            cpu_time: policy.cpu_time(),
            output_limit: policy.output(),
            stop_file: config.stop_file,
            status,
            relay,
            stdin: config.stdin,
            cpu,
            memory,
        })
    }

    /// How the CPU share will be enforced (if the cgroup then refuses the child, the run
    /// falls back to stop/resume and its result says so).
    pub fn cpu_mechanism(&self) -> CpuMechanism {
        match self.cpu {
            CpuPlan::None => CpuMechanism::None,
            CpuPlan::Cgroup { .. } => CpuMechanism::Cgroup,
            CpuPlan::StopResume { .. } => CpuMechanism::StopResume,
        }
    }

    /// Whether a pids cgroup backs the thread count (the report's `threads_backstop`).
    pub fn threads_backstop(&self) -> bool {
        self.pids.is_some()
    }

    /// Why a resource has no cgroup here, one line per controller (`cpu: …`), empty when
    /// every wanted controller got one; `repy doctor` shows them.
    pub fn cgroup_fallbacks(&self) -> &[String] {
        &self.cgroup_fallbacks
    }

    /// What will back the memory limit in the kernel.
    pub fn memory_backstop(&self) -> MemoryBackstop {
        match self.memory {
            MemoryPlan::None => MemoryBackstop::None,
            MemoryPlan::Cgroup(_) => MemoryBackstop::Cgroup,
            MemoryPlan::Rlimit(_) => MemoryBackstop::Rlimit,
        }
    }

    /// Forks the sandbox child, which runs `sandbox` (its return value is the child's exit
    /// code) with stdout and stderr connected to the supervisor; supervises it until it is
    /// gone and its output drained; returns the result.
    ///
    /// `page` must have been created before (its clone, moved into `sandbox`, is the child's
    /// page). The calling process must be single-threaded, as for any fork that runs more
    /// than async-signal-safe code in the child.
    pub fn run(
        self,
        page: &SharedPage,
        sandbox: impl FnOnce(&mut Gate) -> i32,
    ) -> Result<RunResult, SuperviseError> {
        self.fork_then(page, false, sandbox, |supervisor, forked, sigfd| {
            supervisor.supervise(page, forked, sigfd)
        })
    }

    /// Like [`Supervisor::run`], for a batch: the child runs the program's top level and, if
    /// it finishes, becomes a zygote (its [`Gate::take_control`] gives the control channel)
    /// that forks one process per call; each call is watched with the run's limits as a run
    /// of its own, and `driver` gets its result. Returns the top level's result.
    ///
    /// A batch's standard input is `/dev/null`: a configuration with [`Stdin::Relay`] is
    /// refused with [`SuperviseError::StdinInBatch`] before anything is forked (its source is
    /// closed).
    pub fn run_batch(
        self,
        page: &SharedPage,
        driver: &mut dyn BatchDriver,
        sandbox: impl FnOnce(&mut Gate) -> i32,
    ) -> Result<RunResult, SuperviseError> {
        if matches!(self.stdin, Stdin::Relay { .. }) {
            return Err(SuperviseError::StdinInBatch);
        }
        self.fork_then(page, true, sandbox, |supervisor, forked, sigfd| {
            supervisor.supervise_batch(page, forked, sigfd, driver)
        })
    }

    /// Forks the sandbox child (with a batch's control channel when `batch`), then runs
    /// `supervise` in the parent with the parent's ends of everything.
    fn fork_then(
        mut self,
        page: &SharedPage,
        batch: bool,
        sandbox: impl FnOnce(&mut Gate) -> i32,
        supervise: impl FnOnce(Supervisor, Forked, &SignalFd) -> Result<RunResult, SuperviseError>,
    ) -> Result<RunResult, SuperviseError> {
        let _ = page;
        let (out_r, out_w) = pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::Pipe)?;
        let (err_r, err_w) = pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::Pipe)?;
        let (go_r, go_w) = pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::Pipe)?;
        let (broker_parent, broker_child) = crate::broker::pair().map_err(SuperviseError::Pipe)?;
        let (joined_r, joined_w) = pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::Pipe)?;
        // The relay's pipe: the child's end becomes its descriptor 0, the supervisor's is
        // closed in the child (and close-on-exec), so that the program sees end of file
        // when the supervisor closes it.
        let (child_stdin, stdin_relay) = match std::mem::take(&mut self.stdin) {
            Stdin::Null => (ChildStdin::Null, None),
            Stdin::Relay { source, limits } => {
                let (read_end, write_end) =
                    pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::StdinPipe)?;
                let relay = RelayEnds {
                    source,
                    write_end,
                    limits,
                };
                (ChildStdin::Pipe(read_end), Some(relay))
            }
        };
        let (link, control) = if batch {
            // Orphans of the batch's processes come to the supervisor, which kills them at
            // the end (only a sandbox past walls 1 and 2 can make any).
            // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes an integer and no pointers.
            unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
            let (link, control) = crate::zygote::channel().map_err(SuperviseError::Pipe)?;
            (Some(link), Some(control))
        } else {
            (None, None)
        };
        let (ring_writer, ring_reader) = crate::ring::OutputRing::create()
            .map_err(SuperviseError::Ring)?
            .split();
        // The child moves itself into the groups (fast, see `cgroup::join_self`); the paths
        // are made here so that it only has system calls to make.
        let cgroups = CgroupJoins {
            files: [
                match &self.cpu {
                    CpuPlan::Cgroup { group, .. } => group.self_join_file().ok(),
                    _ => None,
                },
                match &self.memory {
                    MemoryPlan::Cgroup(group) => group.self_join_file().ok(),
                    _ => None,
                },
                self.pids.as_ref().and_then(|g| g.self_join_file().ok()),
            ],
            report: joined_w,
        };
        let mut signals = SigSet::empty();
        for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
            signals.add(signal);
        }
        // While relaying stdin, SIGPIPE (a write after the program closed its end gives EPIPE)
        // and SIGTTIN (a read of the terminal from the background gives EIO) are blocked
        // too, not read from the signalfd: neither may kill or stop the supervisor.
        let mut blocked = signals;
        if stdin_relay.is_some() {
            blocked.add(Signal::SIGPIPE);
            blocked.add(Signal::SIGTTIN);
        }
        let old_mask = blocked
            .thread_swap_mask(SigmaskHow::SIG_BLOCK)
            .map_err(SuperviseError::Signals)?;
        let sigfd =
            match SignalFd::with_flags(&signals, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC) {
                Ok(fd) => fd,
                Err(err) => {
                    let _ = old_mask.thread_set_mask();
                    return Err(SuperviseError::Signals(err));
                }
            };
        let parent = getpid();
        // SAFETY: the supervisor is single-threaded when it forks (documented requirement),
        // so the child may run arbitrary code; it never returns from this function (it ends
        // in `child_main`, which exits) and never drops the supervisor's state.
        let forked = unsafe { fork() };
        match forked {
            Err(err) => {
                let _ = old_mask.thread_set_mask();
                Err(SuperviseError::Fork(err))
            }
            Ok(ForkResult::Child) => {
                // Close the supervisor's descriptors in the child; keep the cgroups alive
                // (their destructors would remove them from the child).
                drop(out_r);
                drop(err_r);
                drop(go_w);
                drop(broker_parent);
                drop(ring_reader);
                drop(joined_r);
                drop(sigfd);
                drop(link);
                drop(stdin_relay);
                drop(self.relay);
                std::mem::forget(self.cpu);
                std::mem::forget(self.pids);
                let rlimit_as = match self.memory {
                    MemoryPlan::Rlimit(bytes) => Some(bytes),
                    other => {
                        std::mem::forget(other);
                        None
                    }
                };
                child_main(
                    ChildWiring {
                        parent,
                        stdout: out_w,
                        stderr: err_w,
                        stdin: child_stdin,
                        go: go_r,
                        broker: broker_child,
                        mask: old_mask,
                        rlimit_as,
                        cgroups,
                        output: ring_writer,
                        control,
                    },
                    sandbox,
                )
            }
            Ok(ForkResult::Parent { child }) => {
                drop(out_w);
                drop(err_w);
                drop(go_r);
                drop(broker_child);
                drop(ring_writer);
                drop(cgroups);
                drop(control);
                drop(sandbox);
                drop(child_stdin);
                self.relay.start();
                let relaying = stdin_relay.is_some();
                let joined = read_joined(&joined_r);
                drop(joined_r);
                let forked = Forked {
                    pid: child,
                    joined,
                    pipes: [out_r, err_r],
                    ring: ring_reader,
                    go: go_w,
                    broker: broker_parent,
                    link,
                    stdin: stdin_relay,
                };
                let result = supervise(self, forked, &sigfd);
                // Signals that arrived after the last read are consumed, not delivered.
                while let Ok(Some(_)) = sigfd.read_signal() {}
                if relaying {
                    discard_pending(Signal::SIGPIPE);
                }
                let _ = old_mask.thread_set_mask();
                result
            }
        }
    }

    /// The watch over the child `pid`, with its CPU and memory enforcement as the child's
    /// cgroups allow.
    fn watch<'p>(
        self,
        page: &'p SharedPage,
        pid: Pid,
        joined: [bool; 3],
        stdin: Option<RelayEnds>,
    ) -> (Watch<'p>, CpuMechanism, MemoryBackstop) {
        let (cpu_state, cpu_group, cpu_mechanism) = match self.cpu {
            CpuPlan::None => (CpuState::None, None, CpuMechanism::None),
            CpuPlan::Cgroup { group, .. } if joined[0] && group.contains(pid) => {
                (CpuState::Cgroup, Some(group), CpuMechanism::Cgroup)
            }
            // The cgroup refused the child: fall back to stop/resume.
            CpuPlan::Cgroup { share, .. } | CpuPlan::StopResume { share } => {
                (CpuState::stop_resume(share), None, CpuMechanism::StopResume)
            }
        };
        let (memory_group, memory_backstop) = match self.memory {
            MemoryPlan::None => (None, MemoryBackstop::None),
            MemoryPlan::Rlimit(_) => (None, MemoryBackstop::Rlimit),
            MemoryPlan::Cgroup(group) if joined[1] && group.contains(pid) => {
                (Some(group), MemoryBackstop::Cgroup)
            }
            MemoryPlan::Cgroup(_) => (None, MemoryBackstop::None),
        };
        let pids_group = self.pids.filter(|group| joined[2] && group.contains(pid));
        let start = monotonic_now();
        page.set_start(start);
        let stdin =
            stdin.map(|ends| StdinRelay::new(ends.source, ends.write_end, ends.limits, start));
        let watch = Watch {
            pids_group,
            pid,
            page,
            start,
            vessel: self.vessel,
            tcp_ports: self.tcp_ports,
            memory_limit: self.memory_limit,
            preparation_allowance: self.preparation_allowance,
            program_started: false,
            thread_limit: self.thread_limit,
            disk_limit: self.disk_limit,
            wall_time: self.wall_time,
            cpu_time: self.cpu_time,
            output_limit: self.output_limit,
            stop_file: self.stop_file,
            status: self.status,
            relay: self.relay,
            stdin,
            cpu: cpu_state,
            cpu_group,
            memory_group,
            killed: None,
            relayed: 0,
            dropped: 0,
            rss_peak: 0,
            disk_peak: 0,
            next_tick: start,
            next_disk: start,
            next_operations: start,
            next_cgroup_window: start + CGROUP_STOP_WINDOW,
            last_throttled: Duration::ZERO,
        };
        (watch, cpu_mechanism, memory_backstop)
    }

    fn supervise(
        self,
        page: &SharedPage,
        forked: Forked,
        sigfd: &SignalFd,
    ) -> Result<RunResult, SuperviseError> {
        let Forked {
            pid,
            joined,
            pipes,
            ring,
            go,
            broker,
            link: _,
            stdin,
        } = forked;
        let mut io = streams(pipes, ring, broker);
        let pidfd = pidfd_open(pid);
        let (mut watch, cpu_mechanism, memory_backstop) = self.watch(page, pid, joined, stdin);
        if let Some(status) = &watch.status {
            let _ = status.write(Status::Started);
        }
        // Let the child start. If it is already gone, the loop below reaps it.
        let _ = nix::unistd::write(&go, &[1]);
        drop(go);
        let SegmentEnd::Ended(end, usage, end_time) = watch.event_loop(
            &mut io,
            Segment::Child {
                pidfd: pidfd.as_ref(),
            },
            sigfd,
        )?
        else {
            unreachable!("an ordinary run's loop ends only with the child")
        };
        Ok(conclude(
            &mut watch,
            sigfd,
            end,
            usage,
            end_time,
            cpu_mechanism,
            memory_backstop,
        ))
    }
}

/// The parent's ends of a freshly forked sandbox child.
struct Forked {
    pid: Pid,
    joined: [bool; 3],
    pipes: [OwnedFd; 2],
    ring: RingReader,
    go: OwnedFd,
    broker: OwnedFd,
    link: Option<crate::zygote::ZygoteLink>,
    /// The standard-input relay's source and pipe end, when it relays.
    stdin: Option<RelayEnds>,
}

/// What the supervisor keeps of a [`Stdin::Relay`] across the fork.
struct RelayEnds {
    source: OwnedFd,
    write_end: OwnedFd,
    limits: StdinLimits,
}

/// Takes `signal` off the calling thread's pending signals (it is blocked there), so that it
/// is not delivered when the mask is restored.
fn discard_pending(signal: Signal) {
    let mut set = SigSet::empty();
    set.add(signal);
    let zero = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: sigtimedwait reads the set and the timeout, both live locals, and with a null
    // info pointer writes nothing; a zero timeout makes it return at once.
    while unsafe { libc::sigtimedwait(set.as_ref(), std::ptr::null_mut(), &zero) } > 0 {}
}

/// The loop's streams over the child's pipes, ring and broker.
fn streams(pipes: [OwnedFd; 2], ring: RingReader, broker: OwnedFd) -> Streams {
    for pipe in &pipes {
        let _ = fcntl(pipe, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
    }
    Streams {
        pipes: pipes.map(Some),
        ring,
        ring_open: true,
        broker: Some(broker),
        drain_at: None,
    }
}

/// The end of a watched process: one last look at the vessel, the relay drained (or given
/// up on), and the verdict and totals.
fn conclude(
    watch: &mut Watch<'_>,
    sigfd: &SignalFd,
    end: ChildEnd,
    usage: ChildUsage,
    end_time: Duration,
    cpu_mechanism: CpuMechanism,
    memory_backstop: MemoryBackstop,
) -> RunResult {
    // One last look at the vessel: a run that ended between two scans still reports what
    // it left on disk.
    if let Ok(used) = measure::disk_usage(&watch.vessel) {
        watch.disk_peak = watch.disk_peak.max(used);
        // Over the quota at the end is over the quota: the verdict is the disk's, not the
        // one the program reached first (a trusted package's writes are measured, not
        // reserved, and the program may end before the next scan).
        if used > watch.disk_limit && watch.killed.is_none() {
            watch.killed = Some(Kill {
                reason: KillReason::Disk,
                message: format!(
                    "disk use {used} bytes over the limit of {} bytes in the vessel directory \
                     '{}' (seen when the run ended)",
                    watch.disk_limit,
                    watch.vessel.display()
                ),
            });
        }
    }
    // The run is over: what waits for the reader is written now (or its destination
    // fails). Output that could not be delivered is the run's verdict. A reader that
    // takes nothing for a while, or a signal to repy, ends the wait: what is left is
    // counted as dropped, and the report is still written.
    let mut interrupted = || sigfd.read_signal().ok().flatten().is_some();
    let undelivered = watch
        .relay
        .finish(crate::output::FINISH_STALL, &mut interrupted);
    watch.dropped = watch.dropped.saturating_add(undelivered);
    if undelivered > 0 && watch.killed.is_none() {
        watch.killed = Some(Kill {
            reason: KillReason::OutputUnwritable,
            message: format!(
                "the program's output was not taken: {undelivered} bytes were still waiting \
                 for the reader when it stopped reading or repy was told to stop"
            ),
        });
    }
    if watch.killed.is_none() {
        if let Some(message) = watch.output_failure() {
            watch.killed = Some(Kill {
                reason: KillReason::OutputUnwritable,
                message,
            });
        }
    }
    watch.finish(end, usage, end_time, cpu_mechanism, memory_backstop)
}

/// Which of the child's cgroups (CPU, memory, pids) it joined, from the byte it reports
/// (bit `i` for `CgroupJoins::files[i]`); none if it died first.
fn read_joined(report: &OwnedFd) -> [bool; 3] {
    let mut byte = [0u8; 1];
    loop {
        match nix::unistd::read(report, &mut byte) {
            Ok(1) => return [0, 1, 2].map(|bit| byte[0] & (1 << bit) != 0),
            Err(nix::errno::Errno::EINTR) => continue,
            _ => return [false; 3],
        }
    }
}

/// Opens a pidfd for `pid` (Linux 5.3+); `None` on older kernels (then the loop polls).
fn pidfd_open(pid: Pid) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid.as_raw(), 0) };
    let fd = i32::try_from(fd).ok().filter(|&fd| fd >= 0)?;
    // SAFETY: the kernel just returned this descriptor to us; nothing else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The cores this process may run on (its affinity mask). Not std's `available_parallelism`,
/// which also reads the cgroup's CPU quota through `/proc/self/mountinfo` and the cgroup
/// files, some 0.2 ms of every run's start: a share at or above the mask's size is no limit,
/// and a quota of an enclosing cgroup applies whatever the sandbox's own is.
fn usable_cores() -> usize {
    // SAFETY: `set` is a plain bitmask the kernel fills; the size passed is its own.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            let count = libc::CPU_COUNT(&set);
            if count > 0 {
                return usize::try_from(count).unwrap_or(1);
            }
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_sigpipe_is_discarded_before_the_mask_is_restored() {
        // On a thread of its own: the signal is blocked and raised for that thread only.
        std::thread::spawn(|| {
            let mut set = SigSet::empty();
            set.add(Signal::SIGPIPE);
            let old = set.thread_swap_mask(SigmaskHow::SIG_BLOCK).expect("mask");
            let pending = || {
                let mut pending = SigSet::empty();
                // SAFETY: sigpending writes the pending set into a live sigset_t.
                unsafe { libc::sigpending(std::ptr::from_mut(&mut pending).cast()) };
                pending.contains(Signal::SIGPIPE)
            };
            // SAFETY: pthread_kill to the calling thread with a blocked signal: it stays
            // pending.
            unsafe { libc::pthread_kill(libc::pthread_self(), libc::SIGPIPE) };
            assert!(pending());
            discard_pending(Signal::SIGPIPE);
            assert!(!pending());
            old.thread_set_mask().expect("mask");
        })
        .join()
        .expect("the thread");
    }
}
