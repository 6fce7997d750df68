//! Forks the sandbox child.
//!
//! The parent never runs Python: it forks before the interpreter exists, and the child
//! arranges to be killed when the parent dies, so no sandbox outlives its supervisor.
//!
//! [`fork_sandbox`] is the bare fork (the child's output is the parent's); the
//! [`Supervisor`](crate::Supervisor) forks itself and enters the child through `child_main`,
//! which also moves it into its cgroups, wires its stdout/stderr to the supervisor's pipes and
//! its stdin as the configuration says ([`Stdin`]: `/dev/null`, or the read end of the pipe
//! the supervisor relays input into), ignores `SIGXFSZ`, empties its environment, sets the
//! memory backstop, and holds it until the supervisor is watching.

use std::ffi::CString;

use crate::ring::RingWriter;
use crate::ExitStatus;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};
use std::panic::{catch_unwind, AssertUnwindSafe};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::signal::{SigSet, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, getppid, ForkResult, Pid};

/// Errors while starting or watching the sandbox child.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// fork(2) failed.
    #[error("cannot fork the sandbox process")]
    Fork(#[source] nix::Error),
    /// waitpid(2) failed.
    #[error("cannot wait for the sandbox process {pid}")]
    Wait {
        /// The child being waited for.
        pid: Pid,
        /// The system error.
        #[source]
        source: nix::Error,
    },
}

/// How the sandbox child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildEnd {
    /// It exited with this code. A death by a signal that has no name here (a real-time
    /// signal, which only someone outside could send) is reported as `Exited(128 + number)`,
    /// the shell's convention.
    Exited(i32),
    /// It was killed by this signal.
    Signaled(Signal),
}

impl ChildEnd {
    /// Decodes a status from wait(2).
    pub(crate) fn from_wait_status(status: libc::c_int) -> Option<ChildEnd> {
        if libc::WIFEXITED(status) {
            Some(ChildEnd::Exited(libc::WEXITSTATUS(status)))
        } else if libc::WIFSIGNALED(status) {
            let number = libc::WTERMSIG(status);
            Some(match Signal::try_from(number) {
                Ok(signal) => ChildEnd::Signaled(signal),
                Err(_) => ChildEnd::Exited(128 + number),
            })
        } else {
            None
        }
    }
}

/// A running sandbox child.
#[derive(Debug)]
pub struct SandboxChild {
    pid: Pid,
}

impl SandboxChild {
    /// The child's process id.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Blocks until the child ends (stops and continues are not ends).
    pub fn wait(&self) -> Result<ChildEnd, ProcessError> {
        loop {
            match waitpid(self.pid, None) {
                Ok(WaitStatus::Exited(_, code)) => return Ok(ChildEnd::Exited(code)),
                Ok(WaitStatus::Signaled(_, signal, _)) => return Ok(ChildEnd::Signaled(signal)),
                Ok(_) => continue,
                Err(nix::Error::EINTR) => continue,
                Err(source) => {
                    return Err(ProcessError::Wait {
                        pid: self.pid,
                        source,
                    })
                }
            }
        }
    }
}

/// Forks; the child runs `sandbox` and exits with the code it returns, the parent gets the
/// child's handle. The child is killed (SIGKILL) if the parent dies, including when the
/// parent died between the fork and the child's arming of that signal. A panic in `sandbox`
/// ends the child with [`INTERNAL_ERROR`]; it never unwinds into the parent's code.
///
/// The caller must be single-threaded (the parent is, until it forks).
pub fn fork_sandbox(sandbox: impl FnOnce() -> i32) -> Result<SandboxChild, ProcessError> {
    let parent = nix::unistd::getpid();
    // SAFETY: the process is single-threaded here (the supervisor starts no thread before
    // forking), so the child may run arbitrary code after fork.
    match unsafe { fork() }.map_err(ProcessError::Fork)? {
        ForkResult::Parent { child } => Ok(SandboxChild { pid: child }),
        ForkResult::Child => {
            arm_parent_death_signal(parent);
            exit_now(run_sandbox(sandbox))
        }
    }
}

/// The exit code of a child that lost its supervisor (RepyV2's code 70).
pub const LOST_SUPERVISOR: i32 = ExitStatus::LostSupervisor as i32;

/// The exit code of a child whose set-up failed or whose sandbox closure panicked (repy's
/// internal-error code).
pub const INTERNAL_ERROR: i32 = ExitStatus::InternalError as i32;

/// Ends the current process at once with `code` (see [`crate::exit::exit_with_code`]).
fn exit_now(code: i32) -> ! {
    crate::exit::exit_with_code(code)
}

/// Child side: be killed with the parent; give up at once if the parent is already gone.
fn arm_parent_death_signal(parent: Pid) {
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and no pointers.
    let armed = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    if armed != 0 || getppid() != parent {
        exit_now(LOST_SUPERVISOR);
    }
}

fn run_sandbox(sandbox: impl FnOnce() -> i32) -> i32 {
    catch_unwind(AssertUnwindSafe(sandbox)).unwrap_or(INTERNAL_ERROR)
}

/// The sandbox child's standard input (`SupervisorConfig::stdin`).
///
/// Never the caller's own descriptor: a program that escaped the walls must not read the
/// terminal or the pipe it was started from. Its descriptor 0 is either `/dev/null` or the
/// read end of a pipe that only the supervisor writes, with what it relays from the source.
#[derive(Debug, Default)]
pub enum Stdin {
    /// `/dev/null`: every read sees end of file at once. The default, and what the `repyv2`
    /// profile always has: the capability API reads no standard input.
    #[default]
    Null,
    /// Input relayed by the supervisor: the child's descriptor 0 is the read end of a pipe
    /// made before the fork; the supervisor's watch loop copies what `source` offers into the
    /// pipe's write end, at most `limits.rate` bytes per second and `limits.total` bytes in
    /// all, and closes the write end at the source's end of file, when the total is reached,
    /// or when the source fails (an error reads as end of file), so that the program then
    /// sees end of file. The run's result counts the bytes relayed
    /// (`RunResult::stdin_bytes`) and says whether the source offered more than the total
    /// (`RunResult::stdin_truncated`).
    ///
    /// Ordinary runs only: [`Supervisor::run_batch`](crate::Supervisor::run_batch) refuses
    /// a relay (a batch's calls are forks of one zygote, which would share one stream).
    ///
    /// The source may be any readable descriptor (a pipe, a file, a terminal, a socket, a
    /// character device); the relay owns it and closes it, at the latest when the run ends
    /// (pass a duplicate, e.g. `std::io::stdin().as_fd().try_clone_to_owned()`, to keep the
    /// caller's own descriptor 0 open). It never changes the source's file status flags,
    /// which the caller's shell may share: see `supervisor::stdin` for how it reads
    /// without blocking. As for any fork of the supervisor's, the caller must be
    /// single-threaded: a process forked meanwhile by another thread would hold the pipe's
    /// write end, and the program would not see end of file before that process ends.
    Relay {
        /// Where the input comes from.
        source: OwnedFd,
        /// How much may be relayed, and how fast.
        limits: StdinLimits,
    },
}

/// The limits on relayed standard input ([`Stdin::Relay`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StdinLimits {
    /// Bytes relayed in all (`None`: no limit). Past it the program sees end of file and
    /// the rest of the source is not read (one byte is, to tell whether the input was cut).
    pub total: Option<u64>,
    /// Bytes per second (`None`: no limit), charged on the supervisor's leaky bucket
    /// ([`crate::bucket`]), RepyV2's semantics for every rate: one second's worth may come
    /// at once, then the input is paced. A rate of 0 (or not a number) relays nothing: the
    /// program sees end of file at once.
    pub rate: Option<f64>,
}

/// What the child's descriptor 0 becomes, decided by the supervisor before the fork.
#[derive(Debug)]
pub(crate) enum ChildStdin {
    /// `/dev/null`.
    Null,
    /// The read end of the supervisor's relay pipe.
    Pipe(OwnedFd),
}

/// What the supervised child needs between the fork and the sandbox closure.
pub(crate) struct ChildWiring {
    /// The supervisor's pid, to detect its death.
    pub(crate) parent: Pid,
    /// Becomes the child's stdout.
    pub(crate) stdout: OwnedFd,
    /// Becomes the child's stderr.
    pub(crate) stderr: OwnedFd,
    /// What the child's stdin becomes.
    pub(crate) stdin: ChildStdin,
    /// The supervisor writes one byte here once the child may start.
    pub(crate) go: OwnedFd,
    /// The sandbox's end of the listening-socket broker ([`crate::broker`]).
    pub(crate) broker: OwnedFd,
    /// The signal mask to restore (the supervisor blocks its termination signals).
    pub(crate) mask: SigSet,
    /// An address-space limit to set when no cgroup holds the memory backstop.
    pub(crate) rlimit_as: Option<u64>,
    /// The cgroups the child moves itself into.
    pub(crate) cgroups: CgroupJoins,
    /// The child's end of the output ring.
    pub(crate) output: RingWriter,
    /// A batch's control channel, for a child that becomes a zygote.
    pub(crate) control: Option<crate::zygote::ZygoteControl>,
}

/// The cgroups the child joins before anything else, and where it reports which it joined.
pub(crate) struct CgroupJoins {
    /// The CPU, memory and pids groups' self-join files, where there is such a group.
    pub(crate) files: [Option<CString>; 3],
    /// The child writes one byte here: bit `i` set if it joined `files[i]`.
    pub(crate) report: OwnedFd,
}

impl CgroupJoins {
    /// Joins every group, then reports. Must run while the child has a single thread.
    fn join(self) {
        let mut mask = 0u8;
        for (bit, file) in self.files.iter().enumerate() {
            let Some(file) = file else { continue };
            // On cgroup v2 one group holds every controller: joined once, it counts for all.
            let earlier = self.files[..bit]
                .iter()
                .position(|f| f.as_ref() == Some(file));
            let joined = match earlier {
                Some(index) => mask & (1 << index) != 0,
                None => crate::cgroup::join_self(file),
            };
            if joined {
                mask |= 1 << bit;
            }
        }
        // If the supervisor is gone the child will notice at the gate.
        let _ = nix::unistd::write(&self.report, &[mask]);
    }
}

/// The sandbox child's wait for the supervisor: the child is in its cgroups (it moved
/// itself there first thing after the fork) and the supervisor is watching it. The child may prepare (initialise the interpreter) before passing the
/// gate, overlapping its start-up with the supervisor's set-up, but must pass it before any
/// untrusted code runs.
#[derive(Debug)]
pub struct Gate {
    go: Option<OwnedFd>,
    broker: Option<OwnedFd>,
    output: Option<RingWriter>,
    control: Option<crate::zygote::ZygoteControl>,
}

impl Gate {
    /// Takes the sandbox's end of the supervisor's listening-socket broker (see
    /// [`crate::broker::request_listener`]); `None` once taken.
    pub fn take_broker(&mut self) -> Option<OwnedFd> {
        self.broker.take()
    }

    /// Takes the sandbox's end of the output ring ([`crate::ring`]): where the program's
    /// standard output goes. `None` once taken.
    pub fn take_output(&mut self) -> Option<RingWriter> {
        self.output.take()
    }

    /// Takes the zygote's end of a batch's control channel (`Supervisor::run_batch`); `None`
    /// in an ordinary run, or once taken.
    pub fn take_control(&mut self) -> Option<crate::zygote::ZygoteControl> {
        self.control.take()
    }

    /// The descriptor the gate reads, while the gate is still closed: a child that closes
    /// descriptors before passing the gate must keep this one.
    pub fn fd(&self) -> Option<std::os::fd::RawFd> {
        self.go.as_ref().map(std::os::fd::AsRawFd::as_raw_fd)
    }

    /// Blocks until the supervisor lets the child start; ends the child (code 70) if the
    /// supervisor died or gave up. Later calls return at once.
    pub fn wait(&mut self) {
        let Some(go) = self.go.take() else {
            return;
        };
        let mut byte = [0u8; 1];
        loop {
            match nix::unistd::read(&go, &mut byte) {
                Ok(1) => break,
                Err(Errno::EINTR) => continue,
                // End of file: the supervisor died or gave up before letting the child start.
                _ => exit_now(LOST_SUPERVISOR),
            }
        }
    }
}

/// Child side of a supervised fork: joins the cgroups, restores the signal mask, wires
/// stdout/stderr and stdin, sets up the process state no sandbox inherits from the caller
/// ([`isolate_process_state`]), sets the memory backstop, then runs `sandbox` with the
/// [`Gate`] it must pass before running untrusted code, and exits. Every descriptor of the
/// supervisor's other than these must have been closed by the caller.
pub(crate) fn child_main(wiring: ChildWiring, sandbox: impl FnOnce(&mut Gate) -> i32) -> ! {
    arm_parent_death_signal(wiring.parent);
    // First, while the child has one thread and has allocated nothing, so that its
    // interpreter's memory is charged to the sandbox's group.
    wiring.cgroups.join();
    if wiring.mask.thread_set_mask().is_err() {
        exit_now(INTERNAL_ERROR);
    }
    for (from, to) in [
        (&wiring.stdout, libc::STDOUT_FILENO),
        (&wiring.stderr, libc::STDERR_FILENO),
    ] {
        // SAFETY: dup2 on two valid descriptor numbers; `to` (1 or 2) is replaced
        // atomically and `from` stays owned by its OwnedFd.
        if unsafe { libc::dup2(from.as_raw_fd(), to) } < 0 {
            exit_now(INTERNAL_ERROR);
        }
    }
    drop(wiring.stdout);
    drop(wiring.stderr);
    if wire_stdin(wiring.stdin).is_err() {
        exit_now(INTERNAL_ERROR);
    }
    if isolate_process_state().is_err() {
        exit_now(INTERNAL_ERROR);
    }
    if let Some(bytes) = wiring.rlimit_as {
        set_address_space_limit(bytes);
    }
    let mut gate = Gate {
        go: Some(wiring.go),
        broker: Some(wiring.broker),
        output: Some(wiring.output),
        control: wiring.control,
    };
    let code = run_sandbox(|| {
        let code = sandbox(&mut gate);
        // A sandbox that never passed the gate still ends only under supervision.
        gate.wait();
        code
    });
    exit_now(code)
}

/// Makes the child's stdin what `stdin` says.
fn wire_stdin(stdin: ChildStdin) -> Result<(), Errno> {
    let fd = match stdin {
        ChildStdin::Null => nix::fcntl::open(
            c"/dev/null",
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )?,
        ChildStdin::Pipe(read_end) => read_end,
    };
    install_as_stdin(fd)
}

/// Makes `fd` the process's descriptor 0, inherited across `exec` (without `O_CLOEXEC`).
fn install_as_stdin(fd: OwnedFd) -> Result<(), Errno> {
    if fd.as_raw_fd() == libc::STDIN_FILENO {
        // Already descriptor 0 (the caller had none): dup2 would do nothing and the drop
        // would close it. Keep it, inheritable.
        nix::fcntl::fcntl(
            &fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
        )?;
        let _ = fd.into_raw_fd();
        return Ok(());
    }
    // SAFETY: dup2 on two valid descriptor numbers; descriptor 0 is replaced atomically
    // (without O_CLOEXEC) and `fd` stays owned by its OwnedFd, closed when it drops.
    if unsafe { libc::dup2(fd.as_raw_fd(), libc::STDIN_FILENO) } < 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// The process state the sandbox child must not inherit from the caller, set before the
/// sandbox closure runs:
///
/// * `SIGXFSZ` is ignored, so that a write past the file-size backstop (confinement's
///   `RLIMIT_FSIZE`) fails with `EFBIG` instead of killing the sandbox;
/// * the environment is emptied: nothing of the caller's (tokens, paths, `PYTHON*`
///   variables) reaches the program or the interpreter. The sandbox closure runs with an
///   empty environment.
fn isolate_process_state() -> Result<(), Errno> {
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler code.
    if unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) } == libc::SIG_ERR {
        return Err(Errno::last());
    }
    // SAFETY: the child has one thread (it was just forked and has started none), so nothing
    // reads or writes the environment at the same time.
    if unsafe { libc::clearenv() } != 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// Lowers RLIMIT_AS to `bytes` (never above an existing hard limit) and, with glibc, keeps
/// malloc to one arena: each extra per-thread arena reserves 64 MiB of address space, which
/// would make an address-space limit meaningless for a threaded program.
fn set_address_space_limit(bytes: u64) {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let hard = getrlimit(Resource::RLIMIT_AS).map_or(u64::MAX, |(_, hard)| hard);
    let value = bytes.min(hard);
    if setrlimit(Resource::RLIMIT_AS, value, value).is_err() {
        exit_now(INTERNAL_ERROR);
    }
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt takes two integers; called before the sandbox starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fork_sandbox_reports_exit_codes_and_contains_panics() {
        let child = fork_sandbox(|| 3).unwrap();
        assert_eq!(child.wait().unwrap(), ChildEnd::Exited(3));
        let child = fork_sandbox(|| {
            std::panic::set_hook(Box::new(|_| {}));
            panic!("inside the child")
        })
        .unwrap();
        assert_eq!(child.wait().unwrap(), ChildEnd::Exited(INTERNAL_ERROR));
    }

    #[test]
    fn a_gate_whose_supervisor_is_gone_ends_the_child_as_lost_supervisor() {
        // The supervisor's end of the go pipe closes before it lets the child start (it died
        // or gave up): the child ends with RepyV2's 70 and never runs the sandbox.
        let child = fork_sandbox(|| {
            let (go, supervisor_end) = nix::unistd::pipe().expect("pipe");
            drop(supervisor_end);
            let mut gate = Gate {
                go: Some(go),
                broker: None,
                output: None,
                control: None,
            };
            gate.wait();
            0
        })
        .unwrap();
        assert_eq!(child.wait().unwrap(), ChildEnd::Exited(LOST_SUPERVISOR));
        assert_eq!(LOST_SUPERVISOR, 70);
    }

    #[test]
    fn stdin_is_wired_even_when_the_caller_had_no_descriptor_0() {
        // With descriptor 0 closed, /dev/null opens as 0 itself: it must stay open, and be
        // inherited across exec.
        let child = fork_sandbox(|| {
            // SAFETY: closing descriptor 0 of this forked child only.
            unsafe { libc::close(0) };
            if wire_stdin(ChildStdin::Null).is_err() {
                return 1;
            }
            let Ok(flags) = nix::fcntl::fcntl(
                // SAFETY: descriptor 0 was just installed and stays open while borrowed.
                unsafe { std::os::fd::BorrowedFd::borrow_raw(0) },
                nix::fcntl::FcntlArg::F_GETFD,
            ) else {
                return 2;
            };
            if flags & libc::FD_CLOEXEC != 0 {
                return 3;
            }
            let mut byte = [0u8; 1];
            // SAFETY: reading at most one byte into a live buffer.
            match unsafe { libc::read(0, byte.as_mut_ptr().cast(), 1) } {
                0 => 0,
                _ => 4,
            }
        })
        .unwrap();
        assert_eq!(child.wait().unwrap(), ChildEnd::Exited(0));
    }

    #[test]
    fn wait_status_decoding() {
        assert_eq!(
            ChildEnd::from_wait_status(7 << 8),
            Some(ChildEnd::Exited(7))
        );
        assert_eq!(
            ChildEnd::from_wait_status(libc::SIGSEGV),
            Some(ChildEnd::Signaled(Signal::SIGSEGV))
        );
        assert_eq!(ChildEnd::from_wait_status(40), Some(ChildEnd::Exited(168)));
        // A stopped child (0x7f in the low byte) has not ended.
        assert_eq!(ChildEnd::from_wait_status(0x137f), None);
    }
}
