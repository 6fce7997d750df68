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
pub(crate) fn serve_calls(
    py: Python<'_>,
    plan: &ChildPlan,
    prepared: &api::program::Prepared,
    control: &nanny::zygote::ZygoteControl,
) -> ExitStatus {
    let top_level = plan.page.snapshot();
    if !control.ready() {
        return ExitStatus::LostSupervisor;
    }
    let zygote = nix::unistd::getpid();
    while control.next_request() {
        // The page as the top level left it, for this call: put back only now, when the
        // supervisor has read the previous call's totals (it asks for the next call after).
        plan.page.restore(&top_level);
        // Each call starts with an empty broker: no answer (nor listening socket) meant for an
        // earlier call that ended before reading it.
        api::net::discard_stale_broker_replies();
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
                nanny::exit::exit_with_code(run_call(py, plan, prepared, zygote))
            }
            Ok(pid) => {
                let pid = nix::unistd::Pid::from_raw(pid);
                if !control.forked(pid) || !control.await_watch() {
                    return ExitStatus::LostSupervisor;
                }
                let end = wait_for(pid);
                if !control.ended(end) {
                    return ExitStatus::LostSupervisor;
                }
            }
            Err(err) => {
                eprint_raw(&format!(
                    "repy: internal error: cannot fork a call: {err}\n"
                ));
                return ExitStatus::InternalError;
            }
        }
    }
    ExitStatus::Finished
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
                peak_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
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

/// The call process: narrows its filter back to a run's, reads its call and runs it; returns
/// its exit code.
fn run_call(
    py: Python<'_>,
    plan: &ChildPlan,
    prepared: &api::program::Prepared,
    zygote: nix::unistd::Pid,
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
