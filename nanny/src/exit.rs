//! Exit codes: one enum for both sides of the fork (the sandbox child ends with these codes,
//! the supervisor and the `repy` binary read them), mirrored by `docs/exit-codes.md` (a test
//! in the binary fails when they drift).
//!
//! Where RepyV2 has an intended code for an outcome, repy keeps it, because node managers
//! and graders key on them; new outcomes get new, distinct codes below 256. Unlike RepyV2 on
//! Linux, which always died by SIGTERM, these are real exit statuses.

use std::process::ExitCode;

macro_rules! exit_statuses {
    ($($variant:ident = $code:literal, $verdict:literal, $repyv2:literal, $doc:literal;)*) => {
        /// Every way a `repy` run can end, with its exit code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ExitStatus {
            $(#[doc = $doc] $variant = $code,)*
        }

        impl ExitStatus {
            /// Every status, in the order of the documentation table.
            pub const ALL: &'static [ExitStatus] = &[$(ExitStatus::$variant,)*];

            /// The process exit code.
            pub fn code(self) -> u8 {
                self as u8
            }

            /// A short machine-readable verdict, as the run report names it.
            pub fn verdict(self) -> &'static str {
                match self { $(ExitStatus::$variant => $verdict,)* }
            }

            /// Whether RepyV2 used the same code for the same outcome.
            pub fn kept_from_repyv2(self) -> bool {
                match self { $(ExitStatus::$variant => $repyv2,)* }
            }

            /// What the status means.
            pub fn description(self) -> &'static str {
                match self { $(ExitStatus::$variant => $doc,)* }
            }

            /// The status with exit code `code`, if there is one.
            pub fn from_code(code: i32) -> Option<ExitStatus> {
                Self::ALL.iter().copied().find(|s| i32::from(s.code()) == code)
            }
        }
    };
}

exit_statuses! {
    Finished = 0, "finished", true, "The program and all its threads finished.";
    BadRestrictions = 3, "bad-restrictions", true, "The restrictions file is missing, unreadable or invalid; every problem is printed with its line and column.";
    Usage = 4, "usage-error", true, "The command line is wrong (missing arguments, unknown option, the vessel directory does not exist).";
    Unsafe = 5, "unsafe-code", true, "The program failed the static safety check (or does not compile); none of it ran.";
    UncaughtException = 6, "uncaught-exception", true, "An exception escaped the main program; its traceback is on standard error.";
    ProgramUnreadable = 7, "program-unreadable", false, "The program file cannot be read or is not valid UTF-8.";
    ThreadException = 30, "thread-exception", true, "An exception escaped a thread started with `createthread`.";
    Stopped = 44, "stopped", true, "The run was stopped through the stop file.";
    ThreadRefused = 56, "thread-refused", true, "The operating system refused to create a thread.";
    LostSupervisor = 70, "lost-supervisor", true, "The sandbox lost its supervisor.";
    ResourceKilled = 98, "resource-killed", true, "The supervisor killed the program for exceeding its memory or disk quota, or for running more threads than `events` allows.";
    WallTimeLimit = 101, "wall-time-limit", false, "The program ran longer than its `wall-time` limit and was killed.";
    CpuTimeLimit = 102, "cpu-time-limit", false, "The program used more CPU time than its `cpu-time` limit and was killed.";
    OutputLimit = 103, "output-limit", false, "The program wrote more than its `output` limit and was killed.";
    OutputUnwritable = 104, "output-unwritable", false, "The program's output could not be delivered (the reader closed the pipe, the disk was full, or after the run the reader took nothing for 5 s) and the program was killed; what was written before is delivered.";
    ConfinementUnavailable = 110, "confinement-unavailable", false, "A confinement layer cannot be applied on this kernel and was not allowed to degrade.";
    QueueUnavailable = 111, "queue-unavailable", false, "`repy worker` or `repy submit` could not reach Redis, or Redis refused a command (the message names the URL and what Redis said).";
    QueueTimeout = 112, "queue-timeout", false, "`repy submit --wait`: a job's result did not come within `--timeout` (the job may still run; its result is stored when it ends).";
    Crashed = 120, "crashed", false, "The sandbox process died from a signal nobody sent on purpose: a fault that is not a stack overflow (a bug in CPython or repy), or a system call the seccomp filter kills for. No program the checker accepts should reach it.";
    StackOverflow = 121, "stack-overflow", false, "The program nested calls or objects so deeply that a thread overflowed its C stack (CPython 3.11 recurses without a check in some C paths); the sandbox caught the fault in the stack's guard region and ended the run. RepyV2's process crashed.";
    InternalError = 125, "internal-error", false, "repy itself failed (a panic included, on every command: a run, `check`, `explain`, `doctor`, `restrictions`; it prints `repy: internal error: …`); this is a bug worth reporting.";
    Interrupted = 130, "interrupted", false, "repy received SIGINT, SIGTERM or SIGHUP and killed the program.";
    ExitAll = 200, "exitall", true, "The program called `exitall()`.";
}

/// Ends the current process at once with `status`'s code: no atexit handlers, no interpreter
/// finalisation, no user finalizers. The sandbox never buffers output, so none is lost.
pub fn exit_now(status: ExitStatus) -> ! {
    exit_with_code(i32::from(status.code()))
}

/// [`exit_now`] with a raw code (a stop file's, or a code a sandbox closure returned).
pub fn exit_with_code(code: i32) -> ! {
    // SAFETY: _exit is always safe to call; it does not return.
    unsafe { libc::_exit(code) }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// The text of `docs/exit-codes.md`, generated from [`ExitStatus`].
pub fn docs_markdown() -> String {
    let mut out = String::from(
        "# Exit codes\n\n\
         Generated from `src/exit.rs`; a test fails when this file and the code drift apart.\n\n\
         `repy` exits with one of these codes. Where RepyV2 had an intended code for the same \
         outcome, repy keeps it (node managers and graders key on them); RepyV2 on Linux always \
         died by SIGTERM (status 143), repy returns the real code. The verdict is the name the \
         run report uses.\n\n\
         | code | verdict | RepyV2's code | meaning |\n|---:|---|---|---|\n",
    );
    for status in ExitStatus::ALL {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            status.code(),
            status.verdict(),
            if status.kept_from_repyv2() {
                "same"
            } else {
                "new"
            },
            status.description()
        ));
    }
    out.push_str(
        "\n`repy --help` and `repy --version` exit 0. `repy check` exits 0 when every program \
         is clean, 5 when one has a violation or a syntax error, and 7 (`program-unreadable`) \
         when one cannot be read (reported as `E902` in every format) or is not UTF-8; 7 wins \
         over 5. A stop file (`--stop`) holding `CODE;MESSAGE` ends the run \
         with that CODE (verdict `stopped`); an empty or unparsable one gives 44. \
         `repy grade` exits 0 when every submission was graded, whatever the scores (each \
         test's verdict is in its output, docs/grading.md), 3 when the manifest is invalid \
         (nothing ran) and 4 for a usage error. `repy job` exits 0 once it has written a \
         result, whatever the program's verdict, and 4 for a job document it cannot \
         understand (docs/deploy.md).\n",
    );
    out
}
