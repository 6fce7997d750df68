//! `repy [run] RESTRICTIONS PROGRAM [ARGS...]`: the command line's words made into an engine
//! job, and the outcome made into an exit code.

use std::path::PathBuf;

use engine::{Job, OutputChoice, PolicySource, ProgramSource, StdinChoice, VesselChoice};

use crate::cli::RunArgs;
use crate::exit::ExitStatus;

/// The job a run's options describe, or a usage error.
pub fn job(args: RunArgs, binary: crate::Binary) -> Result<Job, String> {
    #[cfg(not(feature = "test-real-builtins"))]
    let crate::Binary::Repy = binary;
    let (Some(restrictions), Some(program)) = (args.restrictions, args.program) else {
        return Err("a restrictions file and a program are required (see repy --help)".into());
    };
    let mut job = Job::new(
        PolicySource::File(restrictions),
        ProgramSource::File(program),
    );
    job.args = args.args;
    apply_common(&mut job, args.common);
    #[cfg(feature = "test-real-builtins")]
    {
        job.unrestricted = binary == crate::Binary::TestRealBuiltins;
    }
    Ok(job)
}

/// The options every mode shares: vessel, output, the caller's files, confinement.
pub fn apply_common(job: &mut Job, common: crate::cli::CommonArgs) {
    job.vessel = match (common.cwd, common.vessel_temp) {
        (Some(dir), _) => VesselChoice::Dir(dir),
        (None, true) => VesselChoice::Temp {
            copy: common.vessel_copy,
            keep: common.keep_vessel,
        },
        (None, false) => VesselChoice::Current,
    };
    if let Some(prefix) = common.logfile {
        job.output = OutputChoice::Logfile(prefix);
    }
    job.report_file = common.report;
    job.stop_file = common.stop;
    job.status_prefix = common.status;
    job.execinfo = common.execinfo;
    job.allow_degraded = common.allow_degraded;
    // Without --stdin, the profile's: nothing under repyv2, repy's own stdin under python.
    if let Some(file) = common.stdin {
        job.stdin = StdinChoice::File(file);
    }
    // The caller's files are the caller's: a relative path means the directory repy was
    // started in, not the vessel the run moves into.
    if let Ok(cwd) = std::env::current_dir() {
        job.resolve_caller_paths(&cwd);
    }
}

/// Runs a program in the sandbox and returns the process exit code.
pub fn run(args: RunArgs, binary: crate::Binary) -> u8 {
    let report = args.common.report.clone();
    match job(args, binary) {
        Ok(job) => engine::run(job).exit_code,
        Err(message) => usage(message, report),
    }
}

/// A usage error before any job: printed, and recorded in the report if one was asked for.
pub fn usage(message: String, report: Option<PathBuf>) -> u8 {
    let mut job = Job::new(
        PolicySource::File(PathBuf::new()),
        ProgramSource::File(PathBuf::new()),
    );
    job.report_file = report;
    if let Ok(cwd) = std::env::current_dir() {
        job.resolve_caller_paths(&cwd);
    }
    engine::refuse(job, ExitStatus::Usage, message).exit_code
}
