//! The `repy` command line as a library: it parses the command line, wires the crates
//! together, renders their output and maps every outcome to an exit code. Two binaries call
//! [`main`]: `repy` (src/main.rs) and, only with the test-only `test-real-builtins` feature,
//! `repy-test-real-builtins` (src/bin/), which runs every program with the real builtins so
//! tests can prove the kernel walls hold alone. No binary named `repy` can do that.

#[cfg(all(feature = "test-real-builtins", not(debug_assertions)))]
compile_error!(
    "the test-real-builtins feature removes walls 1 and 2; it must never be in a release build"
);

mod check;
mod cli;
mod exit;
mod grade_cmd;
mod huge_code;
mod job;
mod modes;
mod pool_cmd;
mod pool_host;
mod run;
mod service;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, RestrictionsAction};
use crate::exit::ExitStatus;

/// Which binary is running: what a run may do depends on it, never on a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    /// `repy`: every program is checked and runs with the safe namespace.
    Repy,
    /// TEST ONLY, `repy-test-real-builtins`: every program runs with the interpreter's real
    /// builtins, `import` and no static checker, behind the kernel walls alone.
    #[cfg(feature = "test-real-builtins")]
    TestRealBuiltins,
}

/// Runs the command line of `binary` and returns its exit code.
///
/// A panic anywhere in repy (on every path: a run, `check`, `explain`, `doctor`,
/// `restrictions`) is an internal error: the hook prints `repy: internal error: …` and the
/// command ends with [`ExitStatus::InternalError`], never Rust's 101, which is the documented
/// code of `wall-time-limit`. The panic still unwinds first, so the run's cgroups and a
/// temporary vessel are removed on the way out. The sandbox child installs its own hook (it
/// ends at once, see `child.rs`), and the nanny never lets a panic in the child unwind into
/// this code.
pub fn main(binary: Binary) -> ExitCode {
    install_panic_hook();
    ExitCode::from(guarded(|| run_command(binary)))
}

/// Prints every panic as repy's internal error, on standard error.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        use std::io::Write as _;
        // Never `eprintln!`: a panic while printing the panic would abort.
        let _ = writeln!(
            std::io::stderr(),
            "repy: internal error: {info}\nrepy: this is a bug worth reporting"
        );
    }));
}

/// Runs `command` and returns its exit code, or the internal-error code if it panicked.
fn guarded(command: impl FnOnce() -> u8) -> u8 {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(command))
        .unwrap_or(ExitStatus::InternalError.code())
}

/// Parses the command line and runs what it asks for; returns the exit code.
fn run_command(binary: Binary) -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let usage = err.use_stderr();
            let _ = err.print();
            return if usage {
                ExitStatus::Usage.code()
            } else {
                ExitStatus::Finished.code()
            };
        }
    };
    let status = match cli.command {
        None => {
            let mut run_args = cli.run;
            run_args.split_words();
            if let Some(status) = mistyped_command(&run_args) {
                return status.code();
            }
            return run::run(run_args, binary);
        }
        Some(Command::Run(mut run_args)) => {
            run_args.split_words();
            return run::run(run_args, binary);
        }
        Some(Command::Eval {
            restrictions,
            code,
            expr,
            options,
            args,
        }) => return modes::eval(restrictions, code, expr, options, args, binary),
        Some(Command::Call {
            restrictions,
            program,
            function,
            args,
            kwargs,
            batch,
            options,
        }) => {
            return match batch {
                Some(calls) => {
                    modes::batch(restrictions, program, function, &calls, options, binary)
                }
                None => modes::call(
                    restrictions,
                    program,
                    function,
                    &args,
                    &kwargs,
                    options,
                    binary,
                ),
            }
        }
        Some(Command::Check {
            format,
            profile,
            modules,
            packages,
            programs,
        }) => match check::Checker::new(profile, &modules, &packages) {
            Ok(checker) => check::check_files(&programs, format, &checker),
            Err(message) => {
                eprintln!("repy: {message}");
                ExitStatus::Usage
            }
        },
        Some(Command::Explain { rule }) => check::explain(rule.as_deref()),
        Some(Command::Restrictions { action }) => restrictions_command(action),
        Some(Command::Doctor) => doctor(),
        Some(Command::Job { policy }) => return job::main(policy.as_deref()),
        Some(Command::Pool { policy }) => return pool_cmd::main(&policy),
        Some(Command::PoolHost { policy }) => return pool_host::main(&policy),
        Some(Command::Serve(args)) => return service::exec("serve", args.words),
        Some(Command::Grade {
            manifest,
            submissions,
            json,
            junit,
            jobs,
        }) => {
            return grade_cmd::grade(grade_cmd::GradeRequest {
                manifest,
                submissions,
                json,
                junit,
                jobs: jobs.map(usize::from),
            })
        }
        Some(Command::GradeSubmission {
            manifest,
            submission,
        }) => return grade_cmd::grade_submission(&manifest, &submission),
        Some(Command::Worker(args)) => return service::exec("worker", args.words),
        Some(Command::Submit(args)) => return service::exec("submit", args.words),
    };
    status.code()
}

/// A first word that names no file but is close to a subcommand's name (`repy chek x.py`) is a
/// mistyped command, not a restrictions file: a usage error with a suggestion.
fn mistyped_command(args: &cli::RunArgs) -> Option<ExitStatus> {
    use clap::CommandFactory;
    let word = args.restrictions.as_deref()?.to_str()?;
    let exists = |dir: Option<&std::path::Path>| dir.unwrap_or(".".as_ref()).join(word).exists();
    if word.contains(['/', '.']) || exists(None) || exists(args.common.cwd.as_deref()) {
        return None;
    }
    let command = Cli::command();
    let closest = command
        .get_subcommands()
        .map(|sub| sub.get_name())
        .filter(|name| *name != "help")
        .map(|name| (strsim::levenshtein(word, name), name))
        .filter(|(distance, _)| *distance <= 2)
        .min()?;
    eprintln!(
        "error: unrecognized subcommand '{word}'\n\n  tip: a similar subcommand exists: '{}'\n\n\
         Usage: repy [OPTIONS] RESTRICTIONS PROGRAM [ARGS]...\n       repy <COMMAND>\n\n\
         For more information, try '--help'.",
        closest.1
    );
    Some(ExitStatus::Usage)
}

/// `repy doctor`: each confinement layer's state on this machine.
fn doctor() -> ExitStatus {
    let mut complete = true;
    println!("confinement layers on this machine (in the order a run applies them):");
    for (layer, state, detail) in confine::probe() {
        complete &= !matches!(state, confine::LayerState::Unavailable);
        println!(
            "  {:<16} {:<12} {detail}",
            layer.key(),
            format!("{state:?}").to_lowercase()
        );
    }
    resource_enforcement();
    if complete {
        println!("every layer can be applied: runs are fully confined");
        ExitStatus::Finished
    } else {
        println!(
            "some layers are unavailable: runs refuse to start unless --allow-degraded names them"
        );
        ExitStatus::ConfinementUnavailable
    }
}

/// How a run by this user on this machine would enforce the resources, spelt as the run
/// report's `enforcement` (found by setting the supervisor up as a run does, for a policy
/// with the default `cpu` share, in a throw-away vessel).
fn resource_enforcement() {
    println!("resource enforcement for this user (as a run's report spells it):");
    let vessel = std::env::temp_dir();
    let config = nanny::SupervisorConfig::new(restrictions::Restrictions::default(), &vessel);
    match nanny::Supervisor::new(config) {
        Ok(supervisor) => {
            let rows = [
                ("cpu", supervisor.cpu_mechanism().as_str()),
                ("memory_backstop", supervisor.memory_backstop().as_str()),
                (
                    "threads_backstop",
                    if supervisor.threads_backstop() {
                        "cgroup"
                    } else {
                        "none"
                    },
                ),
            ];
            for (resource, mechanism) in rows {
                println!("  {resource:<16} {mechanism}");
            }
            // Where a cgroup could not be made, why (the rows above say what replaced it:
            // stop-resume for the CPU, rlimit for memory, no kernel cap on threads).
            for reason in supervisor.cgroup_fallbacks() {
                println!("  no cgroup for {reason}");
            }
        }
        Err(err) => println!("  unknown: the supervisor cannot be set up: {err}"),
    }
}

/// `repy restrictions check|convert FILE`.
fn restrictions_command(action: RestrictionsAction) -> ExitStatus {
    // `check` validates exactly as a run does (a file it calls valid runs); `convert` only
    // needs a file it can parse, and keeps its profile and `[python]` table.
    let loaded = match &action {
        RestrictionsAction::Check { file } => engine::load_restrictions(file),
        RestrictionsAction::Convert { file } => restrictions::Restrictions::load(file),
    };
    let (RestrictionsAction::Check { file } | RestrictionsAction::Convert { file }) = &action;
    match loaded {
        Ok(policy) => {
            match action {
                RestrictionsAction::Check { .. } => println!("{}: valid", file.display()),
                RestrictionsAction::Convert { .. } => {
                    let text = policy.to_toml();
                    print!("{text}");
                    if !text.ends_with('\n') {
                        println!();
                    }
                }
            }
            ExitStatus::Finished
        }
        Err(err) => {
            eprintln!("{err}");
            ExitStatus::BadRestrictions
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exit;

    #[test]
    fn exit_codes_doc_matches_the_enum() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/exit-codes.md");
        let generated = exit::docs_markdown();
        if std::env::var_os("REPY_BLESS").is_some() {
            std::fs::write(path, &generated).expect("write docs/exit-codes.md");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            committed, generated,
            "docs/exit-codes.md drifted; rerun with REPY_BLESS=1"
        );
    }

    #[test]
    fn the_codes_node_managers_key_on_are_repyv2s() {
        use exit::ExitStatus;
        for (status, code) in [
            (ExitStatus::ThreadException, 30),
            (ExitStatus::Stopped, 44),
            (ExitStatus::ThreadRefused, 56),
            (ExitStatus::LostSupervisor, 70),
            (ExitStatus::ResourceKilled, 98),
            (ExitStatus::StackOverflow, 121),
            (ExitStatus::InternalError, 125),
            (ExitStatus::ExitAll, 200),
        ] {
            assert_eq!(status.code(), code, "{status:?}");
            assert_eq!(ExitStatus::from_code(i32::from(code)), Some(status));
        }
        assert_eq!(api::stack::STACK_OVERFLOW_EXIT, 121);
    }

    #[test]
    fn a_panic_is_an_internal_error_not_rusts_101() {
        assert_eq!(super::guarded(|| 7), 7);
        let code = super::guarded(|| panic!("a deliberate panic in a unit test"));
        assert_eq!(code, exit::ExitStatus::InternalError.code());
        assert_ne!(code, 101);
        assert_ne!(
            exit::ExitStatus::from_code(101),
            Some(exit::ExitStatus::InternalError)
        );
    }

    #[test]
    fn exit_codes_are_distinct() {
        let mut codes: Vec<u8> = exit::ExitStatus::ALL.iter().map(|s| s.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), exit::ExitStatus::ALL.len());
    }
}
