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
mod child;
mod cli;
mod exit;
mod handoff;
mod report;
mod run;
mod targets;
mod vessel;

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
pub fn main(binary: Binary) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let usage = err.use_stderr();
            let _ = err.print();
            return if usage {
                ExitStatus::Usage.into()
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let status = match cli.command {
        None => {
            let mut run_args = cli.run;
            run_args.split_words();
            if let Some(status) = mistyped_command(&run_args) {
                return status.into();
            }
            return ExitCode::from(run::run(run_args, binary));
        }
        Some(Command::Check { format, programs }) => check::check_files(&programs, format),
        Some(Command::Explain { rule }) => check::explain(rule.as_deref()),
        Some(Command::Restrictions { action }) => restrictions_command(action),
        Some(Command::Doctor) => doctor(),
    };
    status.into()
}

/// A first word that names no file but is close to a subcommand's name (`repy chek x.py`) is a
/// mistyped command, not a restrictions file: a usage error with a suggestion.
fn mistyped_command(args: &cli::RunArgs) -> Option<ExitStatus> {
    use clap::CommandFactory;
    let word = args.restrictions.as_deref()?.to_str()?;
    let exists = |dir: Option<&std::path::Path>| dir.unwrap_or(".".as_ref()).join(word).exists();
    if word.contains(['/', '.']) || exists(None) || exists(args.cwd.as_deref()) {
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

/// `repy restrictions check|convert FILE`.
fn restrictions_command(action: RestrictionsAction) -> ExitStatus {
    let (RestrictionsAction::Check { file } | RestrictionsAction::Convert { file }) = &action;
    match restrictions::Restrictions::load(file) {
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
    fn exit_codes_of_the_sandbox_child_are_in_the_table() {
        use exit::ExitStatus;
        for (code, status) in [
            (api::stack::STACK_OVERFLOW_EXIT, ExitStatus::StackOverflow),
            (
                api::threads::THREAD_EXCEPTION_EXIT,
                ExitStatus::ThreadException,
            ),
            (api::threads::THREAD_REFUSED_EXIT, ExitStatus::ThreadRefused),
            (api::misc::EXITALL_EXIT, ExitStatus::ExitAll),
        ] {
            assert_eq!(
                ExitStatus::from_code(code),
                Some(status),
                "exit code {code}"
            );
        }
    }

    #[test]
    fn exit_codes_are_distinct() {
        let mut codes: Vec<u8> = exit::ExitStatus::ALL.iter().map(|s| s.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), exit::ExitStatus::ALL.len());
    }
}
