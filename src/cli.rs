//! The command line, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Runs an untrusted Python 3 program behind a static checker, a capability API, a resource
/// nanny and kernel confinement.
///
/// repy's options come first. Everything after PROGRAM belongs to the program, which
/// receives those words as `callargs`: options placed there are not interpreted by repy.
#[derive(Debug, Parser)]
#[command(
    name = "repy",
    version,
    args_conflicts_with_subcommands = true,
    override_usage = "repy [OPTIONS] RESTRICTIONS PROGRAM [ARGS]...\n       repy <COMMAND>",
    subcommand_negates_reqs = true,
    after_help = "Exit codes are listed in docs/exit-codes.md."
)]
pub struct Cli {
    /// A subcommand instead of a run.
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// The options of a sandboxed run that every RepyV2-style run shares.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// The vessel directory: the only directory the program's files live in. Defaults to the
    /// current directory, as in RepyV2. RESTRICTIONS and PROGRAM are looked up relative to
    /// the current directory first, then (as RepyV2 did) relative to this directory.
    #[arg(long, value_name = "DIR", conflicts_with = "vessel_temp")]
    pub cwd: Option<PathBuf>,

    /// Run in a new, empty vessel directory made for this run (under $TMPDIR) and removed
    /// afterwards, instead of the current directory; `--vessel-copy` places input files in it.
    #[arg(long)]
    pub vessel_temp: bool,

    /// With --vessel-temp: copy FILE into the new vessel under its own name before the run
    /// (repeat the option, or separate files with commas).
    #[arg(
        long,
        value_name = "FILE",
        requires = "vessel_temp",
        value_delimiter = ','
    )]
    pub vessel_copy: Vec<PathBuf>,

    /// With --vessel-temp: keep the vessel directory after the run (its path is printed on
    /// standard error and recorded in the report) instead of removing it.
    #[arg(long, requires = "vessel_temp")]
    pub keep_vessel: bool,

    /// Print a banner with the program's name and arguments before running it (RepyV2's
    /// `--execinfo`).
    #[arg(long)]
    pub execinfo: bool,

    /// Write a JSON report of the run to FILE (relative to the current directory, not the
    /// vessel), however the run ends (schema in docs/report-format.md).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Stop the program when FILE appears: its contents `CODE;MESSAGE` give the exit code and
    /// a message for stdout (empty or unparsable: code 44). FILE must not exist at start.
    #[arg(long, value_name = "FILE")]
    pub stop: Option<PathBuf>,

    /// Write status files `PREFIX-<Status>-<unix time>` (Started every second, then
    /// Terminated, Stopped or ThreadErr), as RepyV2's node manager expects.
    #[arg(long, value_name = "PREFIX")]
    pub status: Option<PathBuf>,

    /// Send the program's stdout and stderr to a circular log, PREFIX.old and PREFIX.new
    /// (16 KiB each), instead of the terminal.
    #[arg(long, value_name = "PREFIX")]
    pub logfile: Option<PathBuf>,

    /// The python profile only: the program reads FILE on its standard input (relative to
    /// the current directory, not the vessel) instead of repy's own. Under the repyv2
    /// profile, whose programs read no standard input, it is a usage error.
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,

    /// Run even if these confinement layers cannot be applied on this kernel
    /// (comma-separated). Without it, a missing layer refuses the run (exit 110). See
    /// `repy doctor`.
    #[arg(long, value_name = "LAYERS", value_delimiter = ',', value_parser = layer_parser())]
    pub allow_degraded: Vec<confine::Layer>,
}

/// The options and arguments of a sandboxed run.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// RESTRICTIONS PROGRAM [ARGS...]: the restrictions file (repy's TOML format or RepyV2's
    /// legacy format, detected), the Python 3 program (read as UTF-8), and the program's
    /// arguments (`callargs`). As in RepyV2, repy's own options come before RESTRICTIONS:
    /// every word from RESTRICTIONS on is positional, so `--cwd` after PROGRAM reaches the
    /// program, not repy.
    #[arg(
        value_name = "RESTRICTIONS PROGRAM [ARGS]",
        trailing_var_arg = true,
        num_args = 0..
    )]
    pub words: Vec<String>,

    /// The restrictions file (the first word).
    #[arg(skip)]
    pub restrictions: Option<PathBuf>,

    /// The program (the second word).
    #[arg(skip)]
    pub program: Option<PathBuf>,

    /// The program's arguments (the remaining words).
    #[arg(skip)]
    pub args: Vec<String>,
}

impl RunArgs {
    /// Splits the positional words into RESTRICTIONS, PROGRAM and the program's arguments.
    pub fn split_words(&mut self) {
        let mut words = std::mem::take(&mut self.words).into_iter();
        self.restrictions = words.next().map(PathBuf::from);
        self.program = words.next().map(PathBuf::from);
        self.args = words.collect();
    }
}

/// The options of `repy eval` and `repy call`, which run in a fresh vessel by default.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// Run in this vessel directory instead of a new, empty one made for the job (under
    /// $TMPDIR) and removed afterwards.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,

    /// Copy FILE into the new vessel under its own name before the job (repeat the option,
    /// or separate files with commas).
    #[arg(
        long,
        value_name = "FILE",
        value_delimiter = ',',
        conflicts_with = "cwd"
    )]
    pub vessel_copy: Vec<PathBuf>,

    /// Keep the new vessel directory after the job (its path is printed on standard error
    /// and recorded in the report).
    #[arg(long, conflicts_with = "cwd")]
    pub keep_vessel: bool,

    /// Write a JSON report of the run to FILE, however the run ends (schema in
    /// docs/report-format.md).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Print the whole outcome as one JSON object on standard output (verdict, exit_code,
    /// value, stdout, stderr, report) instead of the program's output.
    #[arg(long)]
    pub json: bool,

    /// The python profile only: the program reads FILE on its standard input (relative to
    /// the current directory, not the vessel) instead of repy's own. Under the repyv2
    /// profile, whose programs read no standard input, it is a usage error.
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,

    /// Run even if these confinement layers cannot be applied on this kernel
    /// (comma-separated). See `repy doctor`.
    #[arg(long, value_name = "LAYERS", value_delimiter = ',', value_parser = layer_parser())]
    pub allow_degraded: Vec<confine::Layer>,
}

/// Things repy does besides running a program.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a program (the default: `repy RESTRICTIONS PROGRAM` means `repy run RESTRICTIONS
    /// PROGRAM`).
    Run(RunArgs),
    /// Run source given on the command line; with --expr, evaluate one expression and print
    /// its value as JSON.
    ///
    /// Runs in a new, empty vessel unless --cwd names one. Exit codes are those of a run.
    Eval {
        /// The restrictions file.
        #[arg(value_name = "RESTRICTIONS")]
        restrictions: PathBuf,
        /// The program's source.
        #[arg(short = 'c', long = "code", value_name = "CODE", required = true)]
        code: String,
        /// CODE is one expression: evaluate it and print its value as JSON.
        #[arg(long)]
        expr: bool,
        #[command(flatten)]
        options: EngineArgs,
        /// The program's arguments (`callargs`).
        #[arg(value_name = "ARGS", trailing_var_arg = true, num_args = 0..)]
        args: Vec<String>,
    },
    /// Run a program's top level, then call one of its functions with JSON arguments and
    /// print the value it returns as JSON.
    ///
    /// Runs in a new, empty vessel unless --cwd names one. Exit codes are those of a run; a
    /// missing function or a value JSON cannot carry is an uncaught exception (30).
    Call {
        /// The restrictions file.
        #[arg(value_name = "RESTRICTIONS")]
        restrictions: PathBuf,
        /// The program.
        #[arg(value_name = "PROGRAM")]
        program: PathBuf,
        /// The function to call, defined at the program's top level.
        #[arg(value_name = "FUNCTION")]
        function: String,
        /// The positional arguments, a JSON array.
        #[arg(long, value_name = "JSON", default_value = "[]")]
        args: String,
        /// The keyword arguments, a JSON object.
        #[arg(long, value_name = "JSON", default_value = "{}")]
        kwargs: String,
        /// Compile once, call many times: read one call per line of FILE (`-` for standard
        /// input), each a JSON object `{"args": [...], "kwargs": {...}, "function": "..."}`,
        /// run each in a fresh copy of the program after its top level, and print one JSON
        /// outcome per line, in order. The calls are forks of one program, which would share
        /// one input: its program reads no standard input (so no --stdin).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["args", "kwargs", "stdin"])]
        batch: Option<PathBuf>,
        #[command(flatten)]
        options: EngineArgs,
    },
    /// Check programs with the static checker without running them.
    ///
    /// Exit codes: 0 every program is clean; 5 a program has a violation (or a syntax error);
    /// 7 a program cannot be read (reported as E902 in every format) or is not UTF-8, which
    /// wins over 5; 4 a usage error (a bad --module or --package, or either without
    /// --profile python).
    Check {
        /// How to print the violations.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Check as a run under this profile would (a policy's `profile`).
        #[arg(long, value_name = "PROFILE", default_value = "repyv2", value_parser = profile_parser())]
        profile: restrictions::Profile,
        /// With --profile python: a module the program may import, as the policy's
        /// `[python] modules` lists it (repeat the option, or separate names with commas).
        #[arg(long = "module", value_name = "NAME", value_delimiter = ',')]
        modules: Vec<String>,
        /// With --profile python: a trusted package the program may import, as the policy's
        /// `[python] packages` lists it (repeat the option, or separate names with commas).
        #[arg(long = "package", value_name = "NAME", value_delimiter = ',')]
        packages: Vec<String>,
        /// The programs to check.
        #[arg(required = true, value_name = "PROGRAM")]
        programs: Vec<PathBuf>,
    },
    /// Print the documentation of a checker rule, by id (`R301`) or name.
    Explain {
        /// The rule's id or name; omit it to list every rule.
        rule: Option<String>,
    },
    /// Show what each confinement layer can do on this machine.
    Doctor,
    /// Grade submissions against a test manifest: each test of each submission in a fresh
    /// sandbox of its own, submissions in parallel; a table (or JSON lines) in the order
    /// given.
    ///
    /// The manifest's format and the verdicts are in docs/grading.md. Exit codes: 0 every
    /// submission was graded (whatever its score); 3 the manifest is invalid (every problem
    /// is printed with its line and column; nothing ran); 4 a usage error (the JUnit file
    /// cannot be written).
    Grade {
        /// The test manifest (TOML).
        #[arg(value_name = "MANIFEST")]
        manifest: PathBuf,
        /// The submissions: Python programs.
        #[arg(value_name = "SUBMISSION", required = true)]
        submissions: Vec<PathBuf>,
        /// Print one JSON record per submission (one per line) instead of the table.
        #[arg(long)]
        json: bool,
        /// Also write the results as JUnit XML to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Grade this many submissions at once (default: the number of cores).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
    },
    /// Grade one submission and print its record as JSON (how `repy grade` grades each
    /// submission, in a process of its own).
    #[command(hide = true)]
    GradeSubmission {
        /// The test manifest.
        manifest: PathBuf,
        /// The submission.
        submission: PathBuf,
    },
    /// A warm pool for a service: one interpreter made ready under CEILING, then one request
    /// per line of standard input (JSON), each run in a fresh fork of it and answered with
    /// one line of JSON, in order (how `repy serve` runs requests warm).
    #[command(hide = true)]
    Pool {
        /// The pool's policy: every request's limits are at most its.
        #[arg(long, value_name = "CEILING")]
        policy: PathBuf,
    },
    /// The parent of a service's warm pools: builds one interpreter under CEILING, then
    /// forks a `repy pool` each time the service asks on its standard input, a Unix socket
    /// (how `repy serve` starts its pools, so that they share that interpreter's memory).
    #[command(hide = true)]
    PoolHost {
        /// The pools' policy.
        #[arg(long, value_name = "CEILING")]
        policy: PathBuf,
    },
    /// Run one job document read on standard input (JSON: a run, a batch or a grading job)
    /// and print its result as one line of JSON: how `repy worker` runs each job, in a
    /// process of its own. Documents and results are described in docs/deploy.md.
    #[command(hide = true)]
    Job {
        /// The ceiling the job's limits are clamped to (default: the documented defaults of
        /// the job's profile).
        #[arg(long, value_name = "CEILING")]
        policy: Option<PathBuf>,
    },
    /// Take jobs from a Redis stream through a consumer group and run each one with
    /// `repy job`, storing each result once (docs/deploy.md). SIGTERM or SIGINT: stop taking
    /// jobs, finish the running ones, exit 0. `repy worker --help` lists its options.
    #[command(disable_help_flag = true)]
    Worker(ServiceArgs),
    /// Add jobs to a Redis stream for `repy worker`s; with --wait, print their results.
    /// `repy submit --help` lists its options.
    #[command(disable_help_flag = true)]
    Submit(ServiceArgs),
    /// Serve runs over HTTP: `POST /v1/runs` runs a program in a sandbox, clamped to the
    /// ceiling policy (docs/service.md). `repy serve --help` lists its options.
    #[command(disable_help_flag = true)]
    Serve(ServiceArgs),
    /// Validate or convert restrictions files.
    Restrictions {
        /// What to do with the file.
        #[command(subcommand)]
        action: RestrictionsAction,
    },
}

/// The words of a service command (`serve`, `worker`, `submit`), handed whole to the
/// `repy-service` binary, which parses them (see `crate::service`).
#[derive(Debug, Clone, Args)]
pub struct ServiceArgs {
    /// The command's options and arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub words: Vec<std::ffi::OsString>,
}

/// `repy restrictions …` actions.
#[derive(Debug, Subcommand)]
pub enum RestrictionsAction {
    /// Validate a restrictions file and report every problem (exit 0 valid, 3 invalid).
    Check {
        /// The file to validate.
        file: PathBuf,
    },
    /// Print the TOML equivalent of a restrictions file (typically a RepyV2 legacy file).
    Convert {
        /// The file to convert.
        file: PathBuf,
    },
}

/// Output formats of `repy check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:col: ID message`, the source line and carets.
    Text,
    /// A JSON array of violations with stable fields (see docs/rules/README.md).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// `--profile`'s values: the profiles' keys, each with its description, from
/// `restrictions::Profile::ALL`.
fn profile_parser() -> impl clap::builder::TypedValueParser<Value = restrictions::Profile> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    let values = restrictions::Profile::ALL
        .map(|profile| PossibleValue::new(profile.key()).help(profile.description()));
    PossibleValuesParser::new(values).try_map(|key| {
        restrictions::Profile::from_key(&key).ok_or_else(|| format!("unknown profile '{key}'"))
    })
}

/// `--allow-degraded`'s values: the confinement layers' keys, each with its description, from
/// the layer table itself (`confine::Layer::ALL`), so `--help` and the errors list exactly the
/// layers there are.
fn layer_parser() -> impl clap::builder::TypedValueParser<Value = confine::Layer> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    let values =
        confine::Layer::ALL.map(|layer| PossibleValue::new(layer.key()).help(layer.description()));
    PossibleValuesParser::new(values).try_map(|key| key.parse::<confine::Layer>())
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory as _, Parser as _};

    use super::Cli;

    /// `repy --help` lists every layer of the table under `--allow-degraded`, with its
    /// description, and a value the table lacks is refused.
    #[test]
    fn allow_degraded_help_comes_from_the_layer_table() {
        // Words only: clap aligns and wraps the descriptions.
        let rendered = Cli::command().render_long_help().to_string();
        let help = rendered.split_whitespace().collect::<Vec<_>>().join(" ");
        for layer in confine::Layer::ALL {
            let line = format!("- {}: {}", layer.key(), layer.description());
            assert!(help.contains(&line), "--help lacks {line:?}:\n{rendered}");
        }
        let keys = confine::Layer::ALL.map(confine::Layer::key).join(",");
        let parsed = Cli::try_parse_from(["repy", "--allow-degraded", &keys, "r", "p"]);
        assert!(parsed.is_ok(), "{parsed:?}");
        let refused = Cli::try_parse_from(["repy", "--allow-degraded", "selinux", "r", "p"]);
        assert!(refused.is_err());
    }

    /// `repy check --profile` takes exactly the profiles of the table, repyv2 by default.
    #[test]
    fn check_profiles_come_from_the_profile_table() {
        use super::Command;
        for profile in restrictions::Profile::ALL {
            let parsed = Cli::try_parse_from(["repy", "check", "--profile", profile.key(), "p"]);
            match parsed.map(|cli| cli.command) {
                Ok(Some(Command::Check { profile: got, .. })) => assert_eq!(got, profile),
                other => panic!("{profile}: {other:?}"),
            }
        }
        match Cli::try_parse_from(["repy", "check", "p"]).map(|cli| cli.command) {
            Ok(Some(Command::Check {
                profile, modules, ..
            })) => {
                assert_eq!(profile, restrictions::Profile::Repyv2);
                assert!(modules.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["repy", "check", "--profile", "pyton", "p"]).is_err());
    }
}
