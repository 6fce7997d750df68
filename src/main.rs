//! `repy`: the thin binary on top of the workspace. It parses the command line, wires the
//! crates together, renders their output and maps every outcome to an exit code.

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

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, RestrictionsAction};
use crate::exit::ExitStatus;

fn main() -> ExitCode {
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
            return ExitCode::from(run::run(run_args));
        }
        Some(Command::Check { format, programs }) => check::check_files(&programs, format),
        Some(Command::Explain { rule }) => check::explain(rule.as_deref()),
        Some(Command::Restrictions { action }) => restrictions_command(action),
        Some(Command::Doctor) => doctor(),
    };
    status.into()
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
    fn exit_codes_are_distinct() {
        let mut codes: Vec<u8> = exit::ExitStatus::ALL.iter().map(|s| s.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), exit::ExitStatus::ALL.len());
    }
}
