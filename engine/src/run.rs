//! A job from the parent's side: load the policy, read the program, hand the child to the
//! supervisor, and turn how the run ended into an outcome with its exit status and report.

use std::path::{Path, PathBuf};

use nanny::handoff::{Handoff, Slot};
use nanny::{
    ChildEnd, KillReason, OutputTarget, RunResult, SharedPage, Supervisor, SupervisorConfig,
};
use restrictions::{ResourceId, Restrictions};

use crate::batch::{Batch, Driver};
use crate::pool::{Pool, PoolDriver};

/// The calls of a job that has them: a batch's, or a warm pool's requests.
pub(crate) enum Calls<'x, 'a> {
    /// `repy call --batch`.
    Batch(&'x mut Batch<'a>),
    /// A warm pool.
    Pool(&'x mut Pool<'a>),
}
use crate::capture::Capture;
use crate::child::{self, ChildPlan};
use crate::exit::ExitStatus;
use crate::job::{Job, OutputChoice, PolicySource, ProgramSource, StdinChoice, VesselChoice};
use crate::outcome::Outcome;
use crate::report::Report;

/// Finds `path` relative to the current directory, or else (as RepyV2 did, since it changed
/// into the vessel directory first) relative to the vessel directory.
fn locate(path: &Path, vessel: &Path) -> PathBuf {
    if path.is_absolute() || path.exists() {
        return path.to_path_buf();
    }
    let in_vessel = vessel.join(path);
    if in_vessel.exists() {
        in_vessel
    } else {
        path.to_path_buf()
    }
}

/// Runs a job in the sandbox and returns its outcome; writes the report where the job asks,
/// however the run ends.
///
/// The calling process must be single-threaded (the engine forks), and the run changes its
/// current directory to the vessel.
pub fn run(job: Job) -> Outcome {
    run_job(job, None)
}

/// [`run`], or with `batch` a batch's top level and calls (see [`crate::run_batch`]) or a
/// pool's zygote and requests (see [`crate::run_pool`]).
pub(crate) fn run_job(mut job: Job, batch: Option<Calls<'_, '_>>) -> Outcome {
    let mut report = Report::new(&job);
    let mut outcome = Outcome::new();
    // Dropped at the end of this function: the temporary vessel is removed after the report
    // has been written (unless kept).
    let temp_vessel = match &job.vessel {
        VesselChoice::Temp { copy, keep } => match crate::vessel::TempVessel::create(copy, *keep) {
            Ok(temp) => Some(temp),
            Err(message) => {
                early(&mut outcome, &mut report, ExitStatus::Usage, message);
                return finish(job, outcome, report);
            }
        },
        _ => None,
    };
    let vessel = match (&job.vessel, &temp_vessel) {
        (_, Some(temp)) => temp.path().to_path_buf(),
        (VesselChoice::Dir(dir), None) => dir.clone(),
        _ => PathBuf::from("."),
    };
    if let Ok(vessel) = vessel.canonicalize() {
        if let Err(refused) = crate::targets::check(&job, &vessel) {
            if refused.is_report {
                job.report_file = None;
            }
            early(
                &mut outcome,
                &mut report,
                ExitStatus::Usage,
                refused.message,
            );
            return finish(job, outcome, report);
        }
    }
    run_reporting(&job, &vessel, &mut report, &mut outcome, batch);
    if let Some(temp) = &temp_vessel {
        report.set_vessel(temp.path(), temp.is_kept());
        if temp.is_kept() {
            eprintln!("repy: the vessel is kept at {}", temp.path().display());
            outcome.kept_vessel = Some(temp.path().to_path_buf());
        }
    }
    let outcome = finish(job, outcome, report);
    drop(temp_vessel);
    outcome
}

/// Ends `job` before it starts with `status` and `message` (a caller's usage error): the
/// message is printed, and the report written if the job asks for one.
pub fn refuse(job: Job, status: ExitStatus, message: String) -> Outcome {
    let mut report = Report::new(&job);
    let mut outcome = Outcome::new();
    early(&mut outcome, &mut report, status, message);
    finish(job, outcome, report)
}

/// Writes the report where the job asked, if it did, and puts it in the outcome.
fn finish(job: Job, mut outcome: Outcome, report: Report) -> Outcome {
    if let Some(path) = &job.report_file {
        if let Err(err) = std::fs::write(path, report.to_json()) {
            eprintln!("repy: cannot write the report '{}': {err}", path.display());
        }
    }
    outcome.report = report.into_value();
    outcome
}

/// Ends a run early with `status`, recording it in the report.
fn early(outcome: &mut Outcome, report: &mut Report, status: ExitStatus, message: String) {
    eprintln!("repy: {message}");
    report.finish_early(status, message);
    outcome.status = status;
    outcome.exit_code = status.code();
}

/// An error's message followed by its causes' (`cannot map …: cannot map N bytes …: ENOMEM`).
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

/// The policy of the job, or why it cannot be used (already printed).
fn load_policy(job: &Job, vessel: &Path) -> Result<Restrictions, String> {
    match &job.policy {
        PolicySource::Loaded { policy, .. } => Ok((**policy).clone()),
        PolicySource::File(path) => {
            let path = locate(path, vessel);
            // The same validation as `repy restrictions check`: a file it calls valid runs.
            crate::profile::load_restrictions(&path).map_err(|err| {
                eprintln!("{err}");
                format!(
                    "the restrictions file '{}' is invalid; nothing was run",
                    path.display()
                )
            })
        }
    }
}

fn run_reporting(
    job: &Job,
    vessel: &Path,
    report: &mut Report,
    outcome: &mut Outcome,
    batch: Option<Calls<'_, '_>>,
) {
    if !vessel.is_dir() {
        return early(
            outcome,
            report,
            ExitStatus::Usage,
            format!(
                "the vessel directory '{}' does not exist or is not a directory",
                vessel.display()
            ),
        );
    }
    let policy = match load_policy(job, vessel) {
        Ok(policy) => policy,
        Err(message) => return early(outcome, report, ExitStatus::BadRestrictions, message),
    };
    report.set_limits(&policy);
    // Under the policy's profile: what the program reads on standard input (only `python`
    // reads one), and whether this build runs that profile at all. Both are the caller's
    // mistakes, refused before the program is even read.
    let policy_name = job.policy.name();
    let stdin = match crate::profile::stdin_for(&job.stdin, &policy, &policy_name) {
        Ok(stdin) => stdin,
        Err(message) => return early(outcome, report, ExitStatus::Usage, message),
    };
    if batch.is_some() && stdin != StdinChoice::Null {
        // The calls are forks of one program, which would share one input stream.
        return early(
            outcome,
            report,
            ExitStatus::Usage,
            "a batch's program reads no standard input (its calls would share one); nothing \
             was run"
                .into(),
        );
    }
    let stdin = match crate::profile::nanny_stdin(&stdin, &policy) {
        Ok(stdin) => stdin,
        Err(message) => return early(outcome, report, ExitStatus::Usage, message),
    };
    let (source, filename) = match &job.program {
        ProgramSource::Text { source, filename } => {
            if source.len() > safe_check::MAX_SOURCE_BYTES {
                return early(
                    outcome,
                    report,
                    ExitStatus::ProgramUnreadable,
                    format!(
                        "the program '{filename}' is larger than {} bytes, the most the checker \
                         accepts (E002)",
                        safe_check::MAX_SOURCE_BYTES
                    ),
                );
            }
            (source.clone(), filename.clone())
        }
        ProgramSource::File(path) => match crate::program::read_program(&locate(path, vessel)) {
            Ok(source) => (source, path.display().to_string()),
            Err(err) => {
                return early(
                    outcome,
                    report,
                    ExitStatus::ProgramUnreadable,
                    err.to_string(),
                )
            }
        },
    };
    let vessel = match vessel.canonicalize() {
        Ok(vessel) => vessel,
        Err(err) => {
            return early(
                outcome,
                report,
                ExitStatus::Usage,
                format!("cannot resolve the vessel directory: {err}"),
            )
        }
    };
    // A vessel already over its disk quota would be killed at the first measurement with
    // nothing saying why: refuse it now, naming the directory.
    let disk_limit = policy.limit(ResourceId::Diskused);
    if let Ok(used) = nanny::measure::disk_usage(&vessel) {
        if used as f64 > disk_limit {
            return early(
                outcome,
                report,
                ExitStatus::Usage,
                format!(
                    "the vessel directory '{}' already uses {used} bytes, over the diskused \
                     limit of {disk_limit} bytes; nothing was run (choose another --cwd, or \
                     --vessel-temp)",
                    vessel.display()
                ),
            );
        }
    }
    let mut config = SupervisorConfig::new(policy.clone(), &vessel);
    config.preparation_allowance = safe_check::preparation_allowance(source.len());
    config.stop_file = job.stop_file.clone();
    config.status_prefix = job.status_prefix.clone();
    // The nanny wires the child's standard input (a relay only under the `python` profile)
    // and the rest of its process state before the sandbox closure runs.
    config.stdin = stdin;
    let mut capture = match &job.output {
        OutputChoice::Inherit => None,
        OutputChoice::Logfile(prefix) => {
            config.output = OutputTarget::Logfile(prefix.clone());
            None
        }
        OutputChoice::Capture => match Capture::create() {
            Ok((capture, target)) => {
                config.output = target;
                Some(capture)
            }
            Err(err) => {
                return early(
                    outcome,
                    report,
                    ExitStatus::InternalError,
                    format!("cannot create the files that capture the output: {err}"),
                )
            }
        },
    };
    let supervisor = match Supervisor::new(config) {
        Ok(supervisor) => supervisor,
        Err(err) => return early(outcome, report, ExitStatus::Usage, err.to_string()),
    };
    let page = match SharedPage::create() {
        Ok(page) => page,
        Err(err) => {
            return early(
                outcome,
                report,
                ExitStatus::InternalError,
                with_causes(&err),
            )
        }
    };
    let handoff = match Handoff::create() {
        Ok(handoff) => handoff,
        Err(err) => {
            return early(
                outcome,
                report,
                ExitStatus::InternalError,
                with_causes(&err),
            )
        }
    };
    if let Err(err) = std::env::set_current_dir(&vessel) {
        return early(
            outcome,
            report,
            ExitStatus::Usage,
            format!(
                "cannot enter the vessel directory '{}': {err}",
                vessel.display()
            ),
        );
    }
    let plan = ChildPlan {
        source,
        filename,
        mode: job.mode.clone(),
        callargs: job.args.clone(),
        execinfo: job.execinfo,
        policy,
        page: page.clone(),
        vessel: vessel.clone(),
        allow_degraded: job.allow_degraded.clone(),
        handoff: handoff.clone(),
        #[cfg(feature = "test-real-builtins")]
        test_real_builtins: job.unrestricted,
    };
    let is_batch = batch.is_some();
    let mut top_level_output = None;
    let result = match (batch, capture.as_mut()) {
        (None, _) => supervisor.run(&page, move |gate| child::run(plan, gate)),
        (Some(Calls::Batch(batch)), Some(capture)) => {
            let mut driver = Driver::new(batch, handoff.clone(), capture, report.clone());
            let result =
                supervisor.run_batch(&page, &mut driver, move |gate| child::run(plan, gate));
            top_level_output = driver.top_level_output();
            result
        }
        (Some(Calls::Pool(pool)), Some(capture)) => {
            let mut driver = PoolDriver::new(pool, handoff.clone(), capture, report.clone());
            let result =
                supervisor.run_batch(&page, &mut driver, move |gate| child::run(plan, gate));
            top_level_output = driver.top_level_output();
            result
        }
        (Some(_), None) => {
            return early(
                outcome,
                report,
                ExitStatus::InternalError,
                "a batch must capture its output".into(),
            )
        }
    };
    let result = match result {
        Ok(result) => result,
        Err(err) => return early(outcome, report, ExitStatus::InternalError, err.to_string()),
    };
    let (status, code) = self::outcome(&result);
    let message = match (&result.killed_for, result.end) {
        (Some(kill), _) if !matches!(kill.reason, KillReason::Stopped(_)) => {
            Some(format!("repy: {} ({})\n", kill.message, status.verdict()))
        }
        (None, ChildEnd::Signaled(signal)) => Some(format!(
            "repy: the sandbox process crashed: killed by {signal}\n"
        )),
        _ => None,
    };
    if let Some(message) = message.filter(|_| !is_batch) {
        // With --logfile the program's output is in the log, and so is why it ended (as in
        // RepyV2); the terminal gets it only if the log cannot be written.
        let logged = job
            .logfile()
            .is_some_and(|prefix| nanny::output::append_to_log(prefix, message.as_bytes()).is_ok());
        if !logged {
            eprint!("{message}");
        }
    }
    report.finish(status, code, &result);
    report.set_confinement(handoff.read(Slot::Confinement));
    report.set_outcome(status, handoff.read(Slot::Outcome));
    outcome.status = status;
    outcome.exit_code = code;
    if status == ExitStatus::Finished && job.mode != crate::job::Mode::Run {
        outcome.value = handoff
            .read(Slot::Value)
            .and_then(|text| serde_json::from_str(&text).ok());
    }
    if let Some(capture) = capture {
        let (stdout, stderr) = top_level_output.unwrap_or_else(|| capture.collect());
        outcome.stdout = stdout;
        outcome.stderr = stderr;
    }
}

/// The run's status and exit code from how the supervisor saw it end.
pub(crate) fn outcome(result: &RunResult) -> (ExitStatus, u8) {
    if let Some(kill) = &result.killed_for {
        let status = match kill.reason {
            KillReason::Memory | KillReason::Disk | KillReason::Threads => {
                ExitStatus::ResourceKilled
            }
            KillReason::WallTime => ExitStatus::WallTimeLimit,
            KillReason::CpuTime => ExitStatus::CpuTimeLimit,
            KillReason::Output => ExitStatus::OutputLimit,
            KillReason::Interrupted => ExitStatus::Interrupted,
            KillReason::OutputUnwritable => ExitStatus::OutputUnwritable,
            KillReason::Stopped(code) => {
                return (
                    ExitStatus::Stopped,
                    u8::try_from(code).unwrap_or(ExitStatus::Stopped.code()),
                );
            }
        };
        return (status, status.code());
    }
    let status = match result.end {
        ChildEnd::Exited(code) => ExitStatus::from_code(code).unwrap_or_else(|| {
            eprintln!("repy: the sandbox exited with unexpected code {code}");
            ExitStatus::InternalError
        }),
        ChildEnd::Signaled(_) => ExitStatus::Crashed,
    };
    (status, status.code())
}
