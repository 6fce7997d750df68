//! What a caller asks the engine to run: a [`Job`].

use std::path::PathBuf;

use restrictions::Restrictions;
use serde_json::{Map, Value};

/// Where the policy comes from.
#[derive(Debug, Clone)]
pub enum PolicySource {
    /// A restrictions file (TOML or RepyV2's legacy format, detected). A relative path is
    /// looked up in the current directory first, then (as RepyV2 did) in the vessel.
    File(PathBuf),
    /// A policy the caller has loaded and validated already; `name` is shown in the report.
    Loaded {
        /// The policy.
        policy: Box<Restrictions>,
        /// How the report names it.
        name: String,
    },
}

impl PolicySource {
    /// How the report names the policy.
    pub fn name(&self) -> String {
        match self {
            PolicySource::File(path) => path.display().to_string(),
            PolicySource::Loaded { name, .. } => name.clone(),
        }
    }
}

/// Where the program comes from.
#[derive(Debug, Clone)]
pub enum ProgramSource {
    /// A program file, read as UTF-8. A relative path is looked up in the current directory
    /// first, then in the vessel.
    File(PathBuf),
    /// Source text given by the caller (`repy eval -c`); `filename` names it in tracebacks.
    Text {
        /// The program.
        source: String,
        /// Its name in tracebacks and violations, e.g. `<string>`.
        filename: String,
    },
}

impl ProgramSource {
    /// How tracebacks and the report name the program.
    pub fn name(&self) -> String {
        match self {
            ProgramSource::File(path) => path.display().to_string(),
            ProgramSource::Text { filename, .. } => filename.clone(),
        }
    }
}

/// What the engine does with the program.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Run the program to its end (`repy run`).
    Run,
    /// Evaluate the program, which must be one expression, and return its value
    /// (`repy eval --expr`).
    Expression,
    /// Run the program's top level, then call `function` with `args` and `kwargs` and return
    /// its value (`repy call`).
    Call(Call),
    /// Run the program's top level once, then each call of a batch in a fork of that state
    /// (`repy call --batch`, see [`crate::run_batch`]).
    Batch,
    /// A warm pool: an interpreter made ready (namespace built, confined, no program), then
    /// each request's program run in a fresh fork of it (see [`crate::run_pool`]).
    Pool,
}

/// One call of a function of the program (also a line of `repy call --batch`'s input, where
/// `function` may be left out for the command line's).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// The name of a function defined at the program's top level.
    #[serde(default)]
    pub function: String,
    /// Positional arguments, as JSON values.
    #[serde(default)]
    pub args: Vec<Value>,
    /// Keyword arguments, as JSON values.
    #[serde(default)]
    pub kwargs: Map<String, Value>,
}

/// The vessel directory of a job: the only directory its files live in.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum VesselChoice {
    /// The current directory, as in RepyV2.
    #[default]
    Current,
    /// A directory chosen by the caller (`--cwd`).
    Dir(PathBuf),
    /// A new, empty directory for this job, removed after it unless `keep`; `copy` names
    /// files to place in it first.
    Temp {
        /// Files copied in under their own names.
        copy: Vec<PathBuf>,
        /// Keep the directory after the job.
        keep: bool,
    },
}

/// Where the program's standard output and error go.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum OutputChoice {
    /// To the engine's own standard output and error, as they are written.
    #[default]
    Inherit,
    /// Kept and returned in the outcome (`stdout`, `stderr`).
    Capture,
    /// RepyV2's circular log `PREFIX.old` / `PREFIX.new`.
    Logfile(PathBuf),
}

/// What the program reads on its standard input.
///
/// Only the `python` profile reads one; under `repyv2` (as in RepyV2) the program's standard
/// input is always empty, and a job that asks for one ([`StdinChoice::Caller`],
/// [`StdinChoice::File`]) is refused before anything runs, a usage error naming the
/// profile key. The profile is the policy's: the job has no profile of its own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StdinChoice {
    /// The profile's: nothing under `repyv2`, the caller's standard input under `python`.
    #[default]
    Profile,
    /// Nothing: the program reads end of file at once (`/dev/null`).
    Null,
    /// The engine's own standard input, relayed to the program (`python` profile only).
    Caller,
    /// A file of the caller's, relayed to the program (`--stdin FILE`; `python` profile
    /// only). A relative path is relative to the caller's directory, not the vessel.
    File(PathBuf),
}

/// A job for the engine: everything a run needs.
#[derive(Debug, Clone)]
pub struct Job {
    /// The policy.
    pub policy: PolicySource,
    /// The program.
    pub program: ProgramSource,
    /// Run it, evaluate it or call one of its functions.
    pub mode: Mode,
    /// The program's arguments (`callargs`).
    pub args: Vec<String>,
    /// The vessel directory.
    pub vessel: VesselChoice,
    /// Where the output goes.
    pub output: OutputChoice,
    /// What the program reads on standard input (see [`StdinChoice`]).
    pub stdin: StdinChoice,
    /// Write the run report here, however the run ends.
    pub report_file: Option<PathBuf>,
    /// RepyV2's `--stop FILE`.
    pub stop_file: Option<PathBuf>,
    /// RepyV2's `--status PREFIX`.
    pub status_prefix: Option<PathBuf>,
    /// Print RepyV2's `--execinfo` banner first.
    pub execinfo: bool,
    /// Confinement layers allowed to be missing.
    pub allow_degraded: Vec<confine::Layer>,
    /// TEST ONLY: run with the real builtins and no checker.
    #[cfg(feature = "test-real-builtins")]
    pub unrestricted: bool,
}

impl Job {
    /// A job that runs `program` under `policy` in the current directory, with output to
    /// the engine's own standard output and error.
    pub fn new(policy: PolicySource, program: ProgramSource) -> Job {
        Job {
            policy,
            program,
            mode: Mode::Run,
            args: Vec::new(),
            vessel: VesselChoice::Current,
            output: OutputChoice::Inherit,
            stdin: StdinChoice::Profile,
            report_file: None,
            stop_file: None,
            status_prefix: None,
            execinfo: false,
            allow_degraded: Vec::new(),
            #[cfg(feature = "test-real-builtins")]
            unrestricted: false,
        }
    }

    /// Makes the caller's paths (report, stop file, status and log prefixes, the standard
    /// input file) absolute against `caller_dir`: they never mean the vessel, which the run
    /// moves into.
    pub fn resolve_caller_paths(&mut self, caller_dir: &std::path::Path) {
        let log = match &mut self.output {
            OutputChoice::Logfile(prefix) => Some(prefix),
            _ => None,
        };
        let stdin = match &mut self.stdin {
            StdinChoice::File(path) => Some(path),
            _ => None,
        };
        for path in [
            self.report_file.as_mut(),
            self.stop_file.as_mut(),
            self.status_prefix.as_mut(),
            log,
            stdin,
        ]
        .into_iter()
        .flatten()
        {
            if path.is_relative() {
                *path = caller_dir.join(&*path);
            }
        }
    }

    /// The log prefix, if the output goes to a circular log.
    pub fn logfile(&self) -> Option<&std::path::Path> {
        match &self.output {
            OutputChoice::Logfile(prefix) => Some(prefix),
            _ => None,
        }
    }
}
