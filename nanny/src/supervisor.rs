//! The supervisor: the parent process, which never runs Python. It forks the sandbox child,
//! relays its output, and enforces from outside what the sandbox cannot be trusted to
//! enforce on itself, all in one single-threaded event loop (`poll` on the two output pipes,
//! a pidfd for the child and a signalfd), with a timeout for the next [`TICK`]:
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
//!
//! Nothing enforced here is read from the shared page, which the sandbox can write.

use std::io;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::time::Duration;

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::{fork, getpid, pipe2, ForkResult, Pid};
use restrictions::{ResourceId, Restrictions};

use std::sync::Arc;

use crate::cgroup::{Group, Placement};
use crate::clock::monotonic_now;
use crate::measure;
use crate::output::{OutputTarget, Relay, Stream};
use crate::page::{SharedPage, StopTime};
use crate::process::{child_main, CgroupJoins, ChildEnd, ChildWiring, Gate};
use crate::resource::{Item, Renewable};
use crate::ring::{RingReader, DRAIN_DELAY, RING_BYTES};
use crate::status::{Status, StatusFiles, StopRequest, STOPPED};

/// How often the supervisor samples the child (memory, CPU time, CPU share, wall time).
pub const TICK: Duration = Duration::from_millis(20);
/// How soon the loop looks again at a relay whose buffer is full.
const RELAY_RETRY: Duration = Duration::from_millis(5);

/// How often the vessel directory is measured.
pub const DISK_PERIOD: Duration = Duration::from_millis(500);
/// How often the stop file is checked and the `Started` status rewritten (RepyV2: 1 s).
pub const OPERATIONS_PERIOD: Duration = Duration::from_secs(1);
/// How much unused CPU share a stop/resume child may save up for a burst (in wall time).
const CPU_BURST: Duration = Duration::from_millis(100);
/// How often cgroup throttling is turned into stop-time entries.
const CGROUP_STOP_WINDOW: Duration = Duration::from_millis(100);
/// The CFS period of a cgroup CPU quota (longer for tiny shares: a quota is at least 1 ms).
const CFS_PERIOD: Duration = Duration::from_millis(20);
/// The smallest CPU share a cgroup quota can express (1 ms per 1 s period).
const MIN_CGROUP_SHARE: f64 = 0.001;
/// Bytes read from a pipe at once.
const READ_CHUNK: usize = 64 * 1024;
/// Reads per pipe once the child is gone (a descendant still writing cannot hold the
/// supervisor forever).
const MAX_DRAIN_READS: usize = 1024;

/// How the CPU share was enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuMechanism {
    /// A cgroup CPU quota (`cpu.cfs_quota_us` or `cpu.max`).
    Cgroup,
    /// SIGSTOP/SIGCONT from the supervisor.
    StopResume,
    /// No throttling: the share is at least the number of usable cores.
    None,
}

impl CpuMechanism {
    /// The name used in the report: `cgroup`, `stop-resume` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            CpuMechanism::Cgroup => "cgroup",
            CpuMechanism::StopResume => "stop-resume",
            CpuMechanism::None => "none",
        }
    }
}

/// What the kernel holds against a memory burst between two samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryBackstop {
    /// A cgroup memory cap of [`cgroup_memory_cap`] bytes.
    Cgroup,
    /// RLIMIT_AS of [`rlimit_as_bytes`] bytes, set in the child before the sandbox runs.
    Rlimit,
    /// Nothing (disabled by the configuration, or the cgroup could not take the child).
    None,
}

impl MemoryBackstop {
    /// The name used in the report: `cgroup`, `rlimit` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryBackstop::Cgroup => "cgroup",
            MemoryBackstop::Rlimit => "rlimit",
            MemoryBackstop::None => "none",
        }
    }
}

/// The cgroup memory cap for a `memory` limit: the limit plus 1/16 and 8 MiB, so that the
/// supervisor's own sampling (with its exact message) normally acts first, and the kernel
/// only when an allocation burst outruns it. The cgroup also counts the child's page cache
/// and kernel memory, which the kernel reclaims before it kills.
pub fn cgroup_memory_cap(memory_limit: u64) -> u64 {
    memory_limit
        .saturating_add(memory_limit / 16)
        .saturating_add(8 << 20)
}

/// The RLIMIT_AS for a `memory` limit when no cgroup is available: the limit, plus 128 MiB
/// for the interpreter's and the binary's own mappings (an embedded CPython 3.11 starts at
/// about 17 MB of address space, measured with `VmSize` of `python3.11`), plus 9 MiB per
/// thread allowed (`events`) for its 8 MiB stack and guard. It assumes one malloc arena,
/// which the child sets when it applies this limit (glibc reserves 64 MiB per extra arena).
pub fn rlimit_as_bytes(memory_limit: u64, max_threads: u64) -> u64 {
    memory_limit
        .saturating_add(128 << 20)
        .saturating_add(max_threads.saturating_mul(9 << 20))
}

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
    /// A configuration with output to the terminal, no stop or status files, cgroups tried
    /// and the rlimit backstop on.
    pub fn new(restrictions: Restrictions, vessel: impl Into<PathBuf>) -> SupervisorConfig {
        SupervisorConfig {
            restrictions,
            vessel: vessel.into(),
            stop_file: None,
            status_prefix: None,
            output: OutputTarget::Inherit,
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
    cpu: CpuPlan,
    memory: MemoryPlan,
}

/// A policy quantity in bytes as an integer (policy values are whole and non-negative).
fn whole_bytes(value: f64) -> u64 {
    if value.is_nan() {
        0
    } else {
        value.max(0.0).floor() as u64
    }
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
        let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
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
        let (out_r, out_w) = pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::Pipe)?;
        let (err_r, err_w) = pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::Pipe)?;
        let (go_r, go_w) = pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::Pipe)?;
        let (broker_parent, broker_child) = crate::broker::pair().map_err(SuperviseError::Pipe)?;
        let (joined_r, joined_w) = pipe2(OFlag::O_CLOEXEC).map_err(SuperviseError::Pipe)?;
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
        let old_mask = signals
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
                        go: go_r,
                        broker: broker_child,
                        mask: old_mask,
                        rlimit_as,
                        cgroups,
                        output: ring_writer,
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
                drop(sandbox);
                let joined = read_joined(&joined_r);
                drop(joined_r);
                let result = self.supervise(
                    page,
                    child,
                    joined,
                    [out_r, err_r],
                    ring_reader,
                    go_w,
                    broker_parent,
                    &sigfd,
                );
                // Signals that arrived after the last read are consumed, not delivered.
                while let Ok(Some(_)) = sigfd.read_signal() {}
                let _ = old_mask.thread_set_mask();
                result
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn supervise(
        self,
        page: &SharedPage,
        pid: Pid,
        joined: [bool; 3],
        pipes: [OwnedFd; 2],
        ring: RingReader,
        go: OwnedFd,
        broker: OwnedFd,
        sigfd: &SignalFd,
    ) -> Result<RunResult, SuperviseError> {
        for pipe in &pipes {
            let _ = fcntl(pipe, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
        }
        let pidfd = pidfd_open(pid);
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
        let mut watch = Watch {
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
        if let Some(status) = &watch.status {
            let _ = status.write(Status::Started);
        }
        // Let the child start. If it is already gone, the loop below reaps it.
        let _ = nix::unistd::write(&go, &[1]);
        drop(go);
        let (end, usage, end_time) = watch.event_loop(pipes, ring, pidfd, broker, sigfd)?;
        // One last look at the vessel: a run that ended between two scans still reports what
        // it left on disk.
        if let Ok(used) = measure::disk_usage(&watch.vessel) {
            watch.disk_peak = watch.disk_peak.max(used);
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
        Ok(watch.finish(end, usage, end_time, cpu_mechanism, memory_backstop))
    }
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

/// The CFS period for a share: 20 ms, longer when the quota would be under 1 ms.
fn cfs_period(share: f64) -> Duration {
    let needed = Duration::from_micros(1_000).div_f64(share.max(MIN_CGROUP_SHARE));
    CFS_PERIOD.max(needed).min(Duration::from_secs(1))
}

/// Opens a pidfd for `pid` (Linux 5.3+); `None` on older kernels (then the loop polls).
fn pidfd_open(pid: Pid) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid.as_raw(), 0) };
    let fd = i32::try_from(fd).ok().filter(|&fd| fd >= 0)?;
    // SAFETY: the kernel just returned this descriptor to us; nothing else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The CPU share state while the child runs.
#[derive(Debug)]
enum CpuState {
    None,
    Cgroup,
    StopResume(StopResume),
}

impl CpuState {
    fn stop_resume(share: f64) -> CpuState {
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
struct StopResume {
    share: f64,
    /// CPU seconds the child may still use (negative: owed).
    balance: f64,
    last_wall: Option<Duration>,
    last_cpu: Duration,
    /// `(began, resume_at)` while the child is stopped.
    stopped: Option<(Duration, Duration)>,
}

impl StopResume {
    /// Accounts a sample; returns how long to stop the child, if it is over budget.
    fn sample(&mut self, now: Duration, cpu: Duration) -> Option<Duration> {
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

/// The supervisor's state while the child runs.
struct Watch<'a> {
    pid: Pid,
    page: &'a SharedPage,
    start: Duration,
    vessel: PathBuf,
    tcp_ports: std::collections::BTreeSet<u16>,
    memory_limit: u64,
    /// Extra memory allowed until the program's first line (see `SupervisorConfig`).
    preparation_allowance: u64,
    /// Whether the sandbox said its program's first line runs (the allowance is over).
    program_started: bool,
    thread_limit: u64,
    disk_limit: u64,
    wall_time: Option<Duration>,
    cpu_time: Option<Duration>,
    output_limit: Option<u64>,
    stop_file: Option<PathBuf>,
    status: Option<StatusFiles>,
    relay: Relay,
    cpu: CpuState,
    cpu_group: Option<Arc<Group>>,
    memory_group: Option<Arc<Group>>,
    /// The pids cgroup, kept until the child is gone.
    pids_group: Option<Arc<Group>>,
    killed: Option<Kill>,
    relayed: u64,
    dropped: u64,
    rss_peak: u64,
    disk_peak: u64,
    next_tick: Duration,
    next_disk: Duration,
    next_operations: Duration,
    next_cgroup_window: Duration,
    last_throttled: Duration,
}

/// The child's resource usage from wait4.
#[derive(Debug, Clone, Copy, Default)]
struct ChildUsage {
    cpu_seconds: f64,
    peak_rss_bytes: u64,
}

impl Watch<'_> {
    fn runtime_at(&self, instant: Duration) -> f64 {
        instant.saturating_sub(self.start).as_secs_f64()
    }

    /// Kills the child for `reason` (the first reason is the one kept).
    fn kill(&mut self, reason: KillReason, message: String) {
        if self.killed.is_none() {
            self.killed = Some(Kill { reason, message });
        }
        let _ = kill(self.pid, Signal::SIGKILL);
    }

    /// Runs the loop until the child is reaped and its pipes are drained.
    fn event_loop(
        &mut self,
        pipes: [OwnedFd; 2],
        ring: RingReader,
        pidfd: Option<OwnedFd>,
        broker: OwnedFd,
        sigfd: &SignalFd,
    ) -> Result<(ChildEnd, ChildUsage, Duration), SuperviseError> {
        let mut pipes: [Option<OwnedFd>; 2] = pipes.map(Some);
        // When to relay the output ring next (set by a wake-up from the child).
        let mut drain_at: Option<Duration> = None;
        // Whether the child's end of the ring's wake-up pipe is still open.
        let mut ring_open = true;
        let mut broker = Some(broker);
        let mut buffer = vec![0u8; READ_CHUNK];
        loop {
            let now = monotonic_now();
            if now >= self.next_tick {
                // After a kill only the reaping is left to wait for.
                if self.killed.is_none() {
                    self.tick(now);
                }
                self.next_tick = now + TICK;
                // Whatever the wake-ups, the ring is relayed at least every tick.
                drain_at = Some(now);
            }
            if drain_at.is_some_and(|at| now >= at) {
                if self.relay.has_room() {
                    drain_at = None;
                    self.drain_ring(&ring);
                } else {
                    drain_at = Some(now + RELAY_RETRY);
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
            let mut wake = drain_at.map_or(self.next_wakeup(), |at| at.min(self.next_wakeup()));
            if !self.relay.has_room() {
                // The writer thread makes room on its own time: look again soon.
                wake = wake.min(monotonic_now() + RELAY_RETRY);
            }
            let timeout = wake.saturating_sub(monotonic_now());
            let timeout_ms = timeout.as_micros().div_ceil(1000);
            let timeout =
                PollTimeout::try_from(timeout_ms.min(60_000) as i32).unwrap_or(PollTimeout::ZERO);

            let mut fds = Vec::with_capacity(4);
            let mut which = Vec::with_capacity(4);
            // Past the relay's buffer, the sandbox's output waits in the sandbox (its ring and
            // its pipe fill, and it blocks), never in this loop.
            let relay_room = self.relay.has_room();
            for (index, pipe) in pipes.iter().enumerate() {
                if let Some(pipe) = pipe.as_ref().filter(|_| relay_room) {
                    fds.push(PollFd::new(pipe.as_fd(), PollFlags::POLLIN));
                    which.push(Source::Pipe(index));
                }
            }
            if let Some(pidfd) = &pidfd {
                fds.push(PollFd::new(pidfd.as_fd(), PollFlags::POLLIN));
                which.push(Source::Child);
            }
            if let Some(broker) = &broker {
                fds.push(PollFd::new(broker.as_fd(), PollFlags::POLLIN));
                which.push(Source::Broker);
            }
            if ring_open {
                fds.push(PollFd::new(ring.notify_fd(), PollFlags::POLLIN));
                which.push(Source::Ring);
            }
            fds.push(PollFd::new(sigfd.as_fd(), PollFlags::POLLIN));
            which.push(Source::Signal);
            match poll(&mut fds, timeout) {
                Ok(_) => {}
                Err(Errno::EINTR) => continue,
                Err(err) => return Err(SuperviseError::Poll(err)),
            }
            let ready: Vec<Source> = fds
                .iter()
                .zip(&which)
                .filter(|(fd, _)| fd.revents().is_some_and(|r| !r.is_empty()))
                .map(|(_, source)| *source)
                .collect();
            drop(fds);
            let mut child_ready = pidfd.is_none();
            for source in ready {
                match source {
                    Source::Pipe(index) => {
                        if let Some(slot) = pipes.get_mut(index) {
                            self.read_pipe(slot, index, &mut buffer);
                        }
                    }
                    Source::Child => child_ready = true,
                    Source::Ring => {
                        ring_open = ring.take_wakeups();
                        // A busy program's lines are gathered for DRAIN_DELAY; a ring filling
                        // up is relayed at once.
                        if ring.pending() >= RING_BYTES / 4 {
                            drain_at = Some(Duration::ZERO);
                        } else if drain_at.is_none() {
                            drain_at = Some(monotonic_now() + DRAIN_DELAY);
                        }
                    }
                    Source::Signal => self.read_signals(sigfd),
                    Source::Broker => {
                        let open = broker
                            .as_ref()
                            .is_some_and(|end| crate::broker::serve_one(end, &self.tcp_ports));
                        if !open {
                            broker = None;
                        }
                    }
                }
            }
            if child_ready {
                if let Some((end, usage)) = self.reap(pidfd.is_some())? {
                    let end_time = monotonic_now();
                    // The child is gone: drain what it left in the pipes without waiting for
                    // the end of file (a descendant could hold the pipes open).
                    for (index, slot) in pipes.iter_mut().enumerate() {
                        for _ in 0..MAX_DRAIN_READS {
                            if !self.read_pipe(slot, index, &mut buffer) {
                                break;
                            }
                        }
                    }
                    // Then the ring: the child emptied it before each write to standard
                    // error, so what is left came after. One drain holds all it can hold.
                    self.drain_ring(&ring);
                    return Ok((end, usage, end_time));
                }
            }
        }
    }

    /// Why relayed output could not be delivered, if it could not.
    fn output_failure(&self) -> Option<String> {
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
    fn next_wakeup(&self) -> Duration {
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
    fn read_pipe(&mut self, slot: &mut Option<OwnedFd>, index: usize, buffer: &mut [u8]) -> bool {
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
    fn drain_ring(&mut self, ring: &RingReader) {
        ring.drain(|bytes| self.relay_output(Stream::Stdout, bytes));
    }

    /// Relays program output, up to the output limit (past it, the child is killed).
    fn relay_output(&mut self, stream: Stream, data: &[u8]) {
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

    fn read_signals(&mut self, sigfd: &SignalFd) {
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
    fn reap(&mut self, blocking: bool) -> Result<Option<(ChildEnd, ChildUsage)>, SuperviseError> {
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
                peak_rss_bytes: u64::try_from(usage.ru_maxrss)
                    .unwrap_or(0)
                    .saturating_mul(1024),
            };
            return Ok(Some((end, usage)));
        }
    }

    /// One sample of everything the supervisor enforces.
    fn tick(&mut self, now: Duration) {
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

    fn check_stop_file(&mut self) {
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

    fn finish(
        mut self,
        end: ChildEnd,
        usage: ChildUsage,
        end_time: Duration,
        cpu_mechanism: CpuMechanism,
        memory_backstop: MemoryBackstop,
    ) -> RunResult {
        let killed_by_sigkill = end == ChildEnd::Signaled(Signal::SIGKILL);
        // A kill that did not take effect (the child ended by itself first) is not the
        // verdict, except those whose effect happened anyway (output cut or undeliverable,
        // stop asked for, supervisor interrupted).
        let killed_for = self.killed.take().filter(|kill| match kill.reason {
            KillReason::Output
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
                (_, ChildEnd::Exited(56)) => Status::ThreadErr,
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
            stop_times: page.stop_times(),
            cpu_mechanism,
            memory_backstop,
            threads_backstop: self.pids_group.is_some(),
            page_intact: page.is_intact(),
        }
    }
}

/// What a poll entry watches.
#[derive(Debug, Clone, Copy)]
enum Source {
    Pipe(usize),
    Ring,
    Child,
    Signal,
    Broker,
}
