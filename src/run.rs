//! A sandboxed run, from the parent's side: load the policy, read the program, fork the
//! sandbox child and turn how it ended into the run's exit status.

use std::path::{Path, PathBuf};

use nanny::process::{fork_sandbox, ChildEnd};

use crate::child::{self, ChildPlan};
use crate::cli::RunArgs;
use crate::exit::ExitStatus;

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

/// Reads the program as UTF-8, or explains precisely why it cannot be.
fn read_program(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read the program file '{}': {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = &e.as_bytes()[..offset];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = String::from_utf8_lossy(valid).rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!(
            "the program file '{}' is not valid UTF-8: invalid byte at line {line}, column {column} (byte offset {offset}); repy reads programs as UTF-8 only",
            path.display()
        )
    })
}

/// Runs a program in the sandbox and returns how the run ended.
pub fn run(args: RunArgs) -> ExitStatus {
    let (Some(restrictions), Some(program)) = (args.restrictions, args.program) else {
        eprintln!("repy: a restrictions file and a program are required (see repy --help)");
        return ExitStatus::Usage;
    };
    let vessel = args.cwd.clone().unwrap_or_else(|| PathBuf::from("."));
    if !vessel.is_dir() {
        eprintln!(
            "repy: the vessel directory '{}' does not exist or is not a directory",
            vessel.display()
        );
        return ExitStatus::Usage;
    }
    let restrictions_path = locate(&restrictions, &vessel);
    let _policy = match restrictions::Restrictions::load(&restrictions_path) {
        Ok(policy) => policy,
        Err(err) => {
            eprintln!("{err}");
            eprintln!(
                "repy: the restrictions file '{}' is invalid; nothing was run",
                restrictions_path.display()
            );
            return ExitStatus::BadRestrictions;
        }
    };
    let program_path = locate(&program, &vessel);
    let source = match read_program(&program_path) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("repy: {message}");
            return ExitStatus::ProgramUnreadable;
        }
    };
    if let Err(err) = std::env::set_current_dir(&vessel) {
        eprintln!(
            "repy: cannot enter the vessel directory '{}': {err}",
            vessel.display()
        );
        return ExitStatus::Usage;
    }
    let plan = ChildPlan {
        source,
        filename: program.display().to_string(),
        callargs: args.args,
        execinfo: args.execinfo,
    };
    let child = match fork_sandbox(|| child::run(&plan)) {
        Ok(child) => child,
        Err(err) => {
            eprintln!("repy: {err}");
            return ExitStatus::InternalError;
        }
    };
    match child.wait() {
        Ok(ChildEnd::Exited(code)) => ExitStatus::from_code(code).unwrap_or_else(|| {
            eprintln!("repy: the sandbox exited with unexpected code {code}");
            ExitStatus::InternalError
        }),
        Ok(ChildEnd::Signaled(signal)) => {
            eprintln!("repy: the sandbox process crashed: killed by {signal}");
            ExitStatus::Crashed
        }
        Err(err) => {
            eprintln!("repy: {err}");
            ExitStatus::InternalError
        }
    }
}
