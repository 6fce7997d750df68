//! A sandboxed run, from the parent's side: load the policy, read the program, hand the
//! child to the supervisor, and turn how the run ended into an exit status and a report.

use std::path::{Path, PathBuf};

use nanny::{
    ChildEnd, KillReason, OutputTarget, RunResult, SharedPage, Supervisor, SupervisorConfig,
};
use restrictions::{ResourceId, Restrictions};

use crate::child::{self, ChildPlan};
use crate::cli::RunArgs;
use crate::exit::ExitStatus;
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

/// Why a program file cannot be turned into source text.
#[derive(Debug, thiserror::Error)]
pub enum ProgramReadError {
    /// The file cannot be read (missing, a directory, no permission, an I/O error).
    #[error("cannot read the program file '{}': {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than any program the checker accepts (it is not read further).
    #[error(
        "the program file '{}' is larger than {limit} bytes, the most the checker accepts (E002)",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The checker's limit in bytes.
        limit: usize,
    },
    /// The file was read but is not UTF-8.
    #[error(
        "the program file '{}' is not valid UTF-8: invalid byte at line {line}, column {column} (byte offset {offset}); repy reads programs as UTF-8 only",
        path.display()
    )]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based character column of the first invalid byte.
        column: usize,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
}

/// Reads the program as UTF-8, or explains precisely why it cannot be.
pub fn read_program(path: &Path) -> Result<String, ProgramReadError> {
    use std::io::Read as _;
    let io = |source| ProgramReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Never more than the checker accepts (plus a BOM and one byte to know it is more):
    // `/dev/zero` or a huge sparse file must not fill the supervisor's memory.
    let limit = safe_check::MAX_SOURCE_BYTES;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(limit as u64 + 4)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let content = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .map_or(bytes.len(), <[u8]>::len);
    if content > limit {
        return Err(ProgramReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    // A UTF-8 byte-order mark (some editors write one) is not part of the program.
    let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = &e.as_bytes()[..offset];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = String::from_utf8_lossy(valid)
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.chars().count())
            + 1;
        ProgramReadError::NotUtf8 {
            path: path.to_path_buf(),
            line,
            column,
            offset,
        }
    })
}

/// Runs a program in the sandbox and returns the process exit code; writes the report if
/// asked, however the run ends.
pub fn run(mut args: RunArgs, binary: crate::Binary) -> u8 {
    // The report, stop file, status and log prefixes are the caller's files: a relative path
    // means the directory repy was started in, not the vessel directory the run moves into.
    if let Ok(cwd) = std::env::current_dir() {
        crate::targets::resolve(&mut args, &cwd);
    }
    let mut report = Report::new(&args);
    // Dropped at the end of this function: the temporary vessel is removed after the report
    // has been written (unless kept).
    let temp_vessel = if args.vessel_temp {
        match crate::vessel::TempVessel::create(&args.vessel_copy, args.keep_vessel) {
            Ok(temp) => {
                args.cwd = Some(temp.path().to_path_buf());
                Some(temp)
            }
            Err(message) => {
                let code = early(&mut report, ExitStatus::Usage, message);
                write_report(&args, &report);
                return code;
            }
        }
    } else {
        None
    };
    let vessel = args.cwd.clone().unwrap_or_else(|| PathBuf::from("."));
    if let Ok(vessel) = vessel.canonicalize() {
        if let Err(refused) = crate::targets::check(&args, &vessel) {
            if refused.is_report {
                args.report = None;
            }
            let code = early(&mut report, ExitStatus::Usage, refused.message);
            write_report(&args, &report);
            return code;
        }
    }
    let code = run_reporting(args.clone(), binary, &mut report);
    if let Some(temp) = &temp_vessel {
        report.set_vessel(temp.path(), temp.is_kept());
        if temp.is_kept() {
            eprintln!("repy: the vessel is kept at {}", temp.path().display());
        }
    }
    write_report(&args, &report);
    code
}

/// Writes the report where `--report` asked, if it did.
fn write_report(args: &RunArgs, report: &Report) {
    if let Some(path) = &args.report {
        if let Err(err) = std::fs::write(path, report.to_json()) {
            eprintln!("repy: cannot write the report '{}': {err}", path.display());
        }
    }
}

/// Ends a run early with `status`, recording it in the report.
fn early(report: &mut Report, status: ExitStatus, message: String) -> u8 {
    eprintln!("repy: {message}");
    report.finish_early(status, message);
    status.code()
}

fn run_reporting(args: RunArgs, binary: crate::Binary, report: &mut Report) -> u8 {
    #[cfg(not(feature = "test-real-builtins"))]
    let crate::Binary::Repy = binary;
    let (Some(restrictions), Some(program)) = (args.restrictions, args.program) else {
        return early(
            report,
            ExitStatus::Usage,
            "a restrictions file and a program are required (see repy --help)".into(),
        );
    };
    let vessel = args.cwd.clone().unwrap_or_else(|| PathBuf::from("."));
    if !vessel.is_dir() {
        return early(
            report,
            ExitStatus::Usage,
            format!(
                "the vessel directory '{}' does not exist or is not a directory",
                vessel.display()
            ),
        );
    }
    let restrictions_path = locate(&restrictions, &vessel);
    // The same validation as `repy restrictions check`: a file it calls valid runs.
    let policy = match Restrictions::load_runnable(&restrictions_path) {
        Ok(policy) => policy,
        Err(err) => {
            eprintln!("{err}");
            return early(
                report,
                ExitStatus::BadRestrictions,
                format!(
                    "the restrictions file '{}' is invalid; nothing was run",
                    restrictions_path.display()
                ),
            );
        }
    };
    report.set_limits(&policy);
    let program_path = locate(&program, &vessel);
    let source = match read_program(&program_path) {
        Ok(source) => source,
        Err(err) => return early(report, ExitStatus::ProgramUnreadable, err.to_string()),
    };
    let vessel = match vessel.canonicalize() {
        Ok(vessel) => vessel,
        Err(err) => {
            return early(
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
    config.stop_file = args.stop.clone();
    config.status_prefix = args.status.clone();
    if let Some(prefix) = &args.logfile {
        config.output = OutputTarget::Logfile(prefix.clone());
    }
    let supervisor = match Supervisor::new(config) {
        Ok(supervisor) => supervisor,
        Err(err) => return early(report, ExitStatus::Usage, err.to_string()),
    };
    let page = match SharedPage::create() {
        Ok(page) => page,
        Err(err) => {
            return early(
                report,
                ExitStatus::InternalError,
                format!("cannot map the accounting page: {err}"),
            )
        }
    };
    let handoff = match crate::handoff::Handoff::create() {
        Ok(handoff) => handoff,
        Err(err) => {
            return early(
                report,
                ExitStatus::InternalError,
                format!("cannot map the hand-off page: {err}"),
            )
        }
    };
    if let Err(err) = std::env::set_current_dir(&vessel) {
        return early(
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
        filename: program.display().to_string(),
        callargs: args.args,
        execinfo: args.execinfo,
        policy,
        page: page.clone(),
        vessel: vessel.clone(),
        allow_degraded: args.allow_degraded.clone(),
        handoff,
        #[cfg(feature = "test-real-builtins")]
        test_real_builtins: binary == crate::Binary::TestRealBuiltins,
    };
    let result = match supervisor.run(&page, move |gate| child::run(plan, gate)) {
        Ok(result) => result,
        Err(err) => return early(report, ExitStatus::InternalError, err.to_string()),
    };
    let (status, code) = outcome(&result);
    let message = match (&result.killed_for, result.end) {
        (Some(kill), _) if !matches!(kill.reason, KillReason::Stopped(_)) => {
            Some(format!("repy: {} ({})\n", kill.message, status.verdict()))
        }
        (None, ChildEnd::Signaled(signal)) => Some(format!(
            "repy: the sandbox process crashed: killed by {signal}\n"
        )),
        _ => None,
    };
    if let Some(message) = message {
        // With --logfile the program's output is in the log, and so is why it ended (as in
        // RepyV2); the terminal gets it only if the log cannot be written.
        let logged = args
            .logfile
            .as_deref()
            .is_some_and(|prefix| nanny::output::append_to_log(prefix, message.as_bytes()).is_ok());
        if !logged {
            eprint!("{message}");
        }
    }
    report.finish(status, code, &result);
    report.set_confinement(handoff.read(crate::handoff::Slot::Confinement));
    report.set_outcome(status, handoff.read(crate::handoff::Slot::Outcome));
    code
}

/// The run's status and exit code from how the supervisor saw it end.
fn outcome(result: &RunResult) -> (ExitStatus, u8) {
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
