//! The sandbox child: initialise CPython, build the namespace, check and run the program.
//!
//! Runs only in the forked child; its return value becomes the child's exit code, which the
//! supervisor maps to the run's [`ExitStatus`].

use pyo3::Python;

use crate::exit::ExitStatus;

/// Everything the child needs, prepared by the parent before the fork.
#[derive(Debug)]
pub struct ChildPlan {
    /// The program's source, already decoded from UTF-8.
    pub source: String,
    /// The program's name as given on the command line (tracebacks show it).
    pub filename: String,
    /// The program's arguments.
    pub callargs: Vec<String>,
    /// Print RepyV2's `--execinfo` banner before running.
    pub execinfo: bool,
    /// The policy.
    pub policy: restrictions::Restrictions,
    /// The child's clone of the accounting page.
    pub page: nanny::SharedPage,
}

/// Writes `text` to standard error, unbuffered.
fn eprint_raw(text: &str) {
    api::output::write_all(libc::STDERR_FILENO, text.as_bytes());
}

/// Runs the sandbox side of a run and returns the exit code for the child process.
pub fn run(plan: ChildPlan) -> i32 {
    // SAFETY: the child is single-threaded; nothing else reads the environment concurrently.
    unsafe { libc::clearenv() };
    if let Err(err) = api::interpreter::initialize_isolated() {
        eprint_raw(&format!("repy: internal error: {err}\n"));
        return i32::from(ExitStatus::InternalError.code());
    }
    let accountant = nanny::Accountant::new(plan.page.clone(), &plan.policy, ".");
    if accountant
        .acquire(nanny::Item::Events, api::threads::MAIN_EVENT)
        .is_err()
    {
        eprint_raw("repy: the main program cannot get its `events` item\n");
        return i32::from(ExitStatus::InternalError.code());
    }
    api::charge::install(accountant);
    let status = Python::attach(|py| -> pyo3::PyResult<ExitStatus> {
        let prepared = api::program::Prepared::new(py, &plan.callargs)?;
        if plan.execinfo {
            let banner = "=".repeat(40);
            let text = format!(
                "{banner}\nRunning program: {}\nArguments: {:?}\n{banner}\n",
                plan.filename, plan.callargs
            );
            api::output::write_stdout(py, text.as_bytes());
        }
        let outcome = prepared.run(py, &plan.source, &plan.filename, crate::check::violations)?;
        Ok(match outcome {
            api::program::Outcome::Finished => ExitStatus::Finished,
            api::program::Outcome::Unsafe(text) => {
                eprint_raw(&text);
                ExitStatus::Unsafe
            }
            api::program::Outcome::UncaughtException(text) => {
                eprint_raw(&text);
                ExitStatus::UncaughtException
            }
        })
    });
    match status {
        Ok(status) => i32::from(status.code()),
        Err(err) => {
            eprint_raw(&format!(
                "repy: internal error while setting up the sandbox: {err}\n"
            ));
            i32::from(ExitStatus::InternalError.code())
        }
    }
}
