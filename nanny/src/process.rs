//! Forks the sandbox child and waits for it.
//!
//! The parent never runs Python: it forks before the interpreter exists, and the child
//! arranges to be killed when the parent dies, so no sandbox outlives its supervisor.

use nix::sys::signal::Signal;
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
    /// It exited with this code.
    Exited(i32),
    /// It was killed by this signal.
    Signaled(Signal),
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
/// parent died between the fork and the child's arming of that signal.
///
/// The caller must be single-threaded (the parent is, until it forks).
pub fn fork_sandbox(sandbox: impl FnOnce() -> i32) -> Result<SandboxChild, ProcessError> {
    let parent = nix::unistd::getpid();
    // SAFETY: the process is single-threaded here (the supervisor starts no thread before
    // forking), so the child may run arbitrary code after fork.
    match unsafe { fork() }.map_err(ProcessError::Fork)? {
        ForkResult::Parent { child } => Ok(SandboxChild { pid: child }),
        ForkResult::Child => {
            // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and no pointers.
            let armed = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
            if armed != 0 || getppid() != parent {
                exit_now(LOST_SUPERVISOR);
            }
            let code = sandbox();
            exit_now(code)
        }
    }
}

/// The exit code of a child that lost its supervisor (RepyV2's code 70).
pub const LOST_SUPERVISOR: i32 = 70;

/// Ends the current process at once with `code`: no atexit handlers, no interpreter
/// finalisation, no user finalizers. Output is never buffered in the sandbox, so none is lost.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit is always safe to call; it does not return.
    unsafe { libc::_exit(code) }
}
