//! The sandbox child of a batch (`repy call --batch`) once the program's top level has
//! finished: a zygote that forks one process per call, and the call process itself.
//!
//! The zygote keeps the accounting page as the top level left it and puts it back after each
//! call, so no call's charges, held items or throttling reach the next; each call is a fresh
//! fork of the same state, so nothing else of one call (globals, threads, the API's own
//! state) reaches the next either. Files are the exception: they live in the vessel.

use pyo3::Python;

use crate::child::{eprint_raw, record, ChildPlan};
use crate::exit::ExitStatus;
use nanny::handoff::Slot;

/// Serves calls until the supervisor ends the batch; returns the zygote's exit status.
///
/// A call's process is forked when the call is asked for, or earlier, when the supervisor
/// offers (`nanny::zygote::Request::ForkAhead`, once the previous call is over): then it is
/// announced at once and waits at the [`GoSignal`] until the supervisor watches it.
pub(crate) fn serve_calls(
    py: Python<'_>,
    plan: &ChildPlan,
    prepared: &api::program::Prepared,
    control: &nanny::zygote::ZygoteControl,
) -> ExitStatus {
    use nanny::zygote::{Request, Verdict};
    let top_level = plan.page.snapshot();
    let go = match GoSignal::new() {
        Ok(go) => go,
        Err(err) => {
            eprint_raw(&format!(
                "repy: internal error: cannot make the calls' go signal: {err}\n"
            ));
            return ExitStatus::InternalError;
        }
    };
    if !control.ready() {
        return ExitStatus::LostSupervisor;
    }
    let zygote = nix::unistd::getpid();
    let fork = || -> Result<nix::unistd::Pid, ExitStatus> {
        // The page as the top level left it, for this call: put back only now, when the
        // supervisor has read the previous call's totals (it offers to fork ahead, or asks
        // for the next call, only after).
        plan.page.restore(&top_level);
        // Each call starts with an empty broker: no answer (nor listening socket) meant for
        // an earlier call that ended before reading it.
        api::net::discard_stale_broker_replies();
        go.arm();
        match api::program::fork_for_call(py) {
            Ok(0) => {
                // The control channel is the zygote's: a call neither reads its requests nor
                // writes its reports.
                for fd in control.fds() {
                    // SAFETY: closing descriptors this fresh child holds and never uses.
                    unsafe {
                        libc::close(fd);
                    }
                }
                nanny::exit::exit_with_code(run_call(py, plan, prepared, zygote, &go))
            }
            Ok(pid) => {
                let pid = nix::unistd::Pid::from_raw(pid);
                if control.forked(pid) {
                    Ok(pid)
                } else {
                    Err(ExitStatus::LostSupervisor)
                }
            }
            Err(err) => {
                eprint_raw(&format!(
                    "repy: internal error: cannot fork a call: {err}\n"
                ));
                Err(ExitStatus::InternalError)
            }
        }
    };
    loop {
        // Asked for a call, or offered to fork ahead: either way the process is forked and
        // reported now, and the supervisor watches it when its call comes.
        match control.next() {
            Request::End => break,
            Request::Call | Request::ForkAhead => {}
        }
        let mut pid = match fork() {
            Ok(pid) => pid,
            Err(status) => return status,
        };
        loop {
            match control.await_watch() {
                Verdict::Watched => break,
                // It ended while it waited (killed from outside): reaped, and replaced.
                Verdict::Discard => {
                    let _ = wait_for(pid);
                    pid = match fork() {
                        Ok(pid) => pid,
                        Err(status) => return status,
                    };
                }
                Verdict::End => return ExitStatus::Finished,
            }
        }
        go.release();
        let end = wait_for(pid);
        if !control.ended(end) {
            return ExitStatus::LostSupervisor;
        }
    }
    ExitStatus::Finished
}

/// Where a call process forked ahead waits until its call may start: a word in a page shared
/// by the zygote and the processes it forks, with a futex on it. Only one call process is
/// ever alive at a time (the next is forked after the previous has ended and been reaped), so
/// no call can release the next one; the page is zeroed before each fork and a call process
/// unmaps it as soon as it is released, so no call leaves anything in it for the next. (A
/// batch's zygote taken over through native code could release a waiting process early, and
/// gain nothing it did not have: it runs unwatched between calls already.)
struct GoSignal {
    word: *const std::sync::atomic::AtomicU32,
}

impl GoSignal {
    /// Maps the shared page (allowed under the zygote's confinement: no `PROT_EXEC`).
    fn new() -> std::io::Result<GoSignal> {
        // SAFETY: a fresh anonymous shared mapping of one page; nothing else refers to it.
        let page = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if page == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(GoSignal {
            word: page.cast::<std::sync::atomic::AtomicU32>(),
        })
    }

    fn word(&self) -> &std::sync::atomic::AtomicU32 {
        // SAFETY: the page is mapped for the process's whole life (never unmapped) and
        // zero-filled, a valid AtomicU32 at its start.
        unsafe { &*self.word }
    }

    /// Before a fork: the next call process will wait, and finds the page empty.
    fn arm(&self) {
        // SAFETY: the page is mapped, writable and 4096 bytes long; no other process maps it
        // now (the previous call process has been reaped).
        unsafe {
            std::ptr::write_bytes(self.word.cast_mut().cast::<u8>(), 0, 4096);
        }
        self.word().store(0, std::sync::atomic::Ordering::SeqCst);
    }

    /// Lets the waiting call process start.
    fn release(&self) {
        self.word().store(1, std::sync::atomic::Ordering::SeqCst);
        // SAFETY: FUTEX_WAKE on a word of a live shared mapping; no other pointer is read.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.word,
                libc::FUTEX_WAKE,
                i32::MAX,
                0,
                0,
                0,
            );
        }
    }

    /// In the call process, once released: unmaps the page, so the program cannot write in
    /// it for the next call process to read.
    fn leave(&self) {
        // SAFETY: unmapping this process's copy of the page; nothing reads it afterwards (the
        // call process only waits once).
        unsafe {
            libc::munmap(self.word.cast_mut().cast::<libc::c_void>(), 4096);
        }
    }

    /// In the call process: waits until released.
    fn wait(&self) {
        while self.word().load(std::sync::atomic::Ordering::SeqCst) == 0 {
            // SAFETY: FUTEX_WAIT on a word of a live shared mapping, while it holds 0, with
            // no timeout.
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    self.word,
                    libc::FUTEX_WAIT,
                    0,
                    std::ptr::null::<libc::timespec>(),
                    0,
                    0,
                );
            }
        }
    }
}

/// Waits for a call process and says how it ended.
fn wait_for(pid: nix::unistd::Pid) -> nanny::zygote::CallEnd {
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: an all-zero rusage is a valid value of this plain C struct.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: wait4 writes into the two out-parameters, which are valid and live.
        let got = unsafe { libc::wait4(pid.as_raw(), &mut status, 0, &mut usage) };
        if got == pid.as_raw() {
            let micros = |tv: libc::timeval| {
                u64::try_from(tv.tv_sec).unwrap_or(0) * 1_000_000
                    + u64::try_from(tv.tv_usec).unwrap_or(0)
            };
            return nanny::zygote::CallEnd {
                status,
                cpu_micros: micros(usage.ru_utime) + micros(usage.ru_stime),
                peak_rss_kib: nanny::measure::memory_use(
                    u64::try_from(usage.ru_maxrss)
                        .unwrap_or(0)
                        .saturating_mul(1024),
                ) / 1024,
            };
        }
        if got < 0 && nix::errno::Errno::last() != nix::errno::Errno::EINTR {
            // Not waitable: report it killed.
            return nanny::zygote::CallEnd {
                status: libc::SIGKILL,
                cpu_micros: 0,
                peak_rss_kib: 0,
            };
        }
    }
}

/// The call process: narrows its filter back to a run's, waits for its call to start, reads
/// it and runs it; returns its exit code.
fn run_call(
    py: Python<'_>,
    plan: &ChildPlan,
    prepared: &api::program::Prepared,
    zygote: nix::unistd::Pid,
    go: &GoSignal,
) -> i32 {
    let internal = |message: &str| {
        eprint_raw(&format!("repy: internal error: {message}\n"));
        i32::from(ExitStatus::InternalError.code())
    };
    // Dies with the zygote (which dies with the supervisor); a zygote already gone means the
    // batch is over.
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and no pointers.
    let armed = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    if armed != 0 || nix::unistd::getppid() != zygote {
        return i32::from(ExitStatus::LostSupervisor.code());
    }
    if let Err(err) = confine::forbid_fork() {
        return internal(&format!("cannot narrow the call's seccomp filter: {err}"));
    }
    // Ready: the rest waits for the call to be asked for and watched.
    go.wait();
    go.leave();
    if plan.mode == crate::job::Mode::Pool {
        return match run_warm(py, plan, prepared) {
            Ok(status) => i32::from(status.code()),
            Err(message) => internal(&message),
        };
    }
    let Some(request) = plan
        .handoff
        .read(Slot::Request)
        .and_then(|text| serde_json::from_str::<crate::job::Call>(&text).ok())
    else {
        return internal("the call's request is unreadable");
    };
    let outcome = match prepared.call_in_fork(
        py,
        &plan.source,
        &plan.filename,
        &request.function,
        &request.args,
        &request.kwargs,
    ) {
        Ok(outcome) => outcome,
        Err(err) => return internal(&format!("cannot make the call: {err}")),
    };
    i32::from(record(py, &plan.handoff, outcome, None).code())
}

/// A warm pool's call process: checks the request's program against the request's modules
/// (never more than the pool's) and runs it in the pristine namespace the zygote holds, as a
/// fresh run would: run it, evaluate it, or run it and call one of its functions.
fn run_warm(
    py: Python<'_>,
    plan: &ChildPlan,
    prepared: &api::program::Prepared,
) -> Result<ExitStatus, String> {
    let request = plan
        .handoff
        .read(Slot::Request)
        .and_then(|text| serde_json::from_str::<crate::pool::WarmRequest>(&text).ok())
        .ok_or("the request is unreadable")?;
    let mut options = crate::profile::checker_options(&plan.policy);
    options
        .modules
        .retain(|module| request.modules.contains(module));
    api::doctest_support::set_checker_options(&options);
    let mut refused = None;
    let check = |py: Python<'_>, source: &str, filename: &str| {
        crate::refusal::violations(py, source, filename, &options, &mut refused)
    };
    let (step, name) = match &request.mode {
        crate::pool::WarmMode::Run => (api::program::Step::Run, "__main__".to_owned()),
        crate::pool::WarmMode::Eval => (api::program::Step::Expression, "__main__".to_owned()),
        crate::pool::WarmMode::Call => (
            api::program::Step::Call {
                function: request.function.clone(),
                args: request.args.clone(),
                kwargs: request.kwargs.clone(),
            },
            crate::child::module_name(&request.filename),
        ),
    };
    prepared
        .begin_in_fork(py)
        .map_err(|err| format!("cannot start the request: {err}"))?;
    prepared
        .set_module_name(py, &name)
        .map_err(|err| format!("cannot name the program: {err}"))?;
    let outcome = prepared
        .run_step(py, &request.source, &request.filename, &step, check)
        .map_err(|err| format!("cannot run the request: {err}"))?;
    Ok(record(py, &plan.handoff, outcome, refused))
}
