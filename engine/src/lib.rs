//! The run engine: one job in, one outcome out. The `repy` command line, and the service and
//! grader built on it, all drive a sandbox through [`run`].
//!
//! A [`Job`] names the policy, the program (a file or source text), the mode (run it,
//! evaluate one expression, or call one of its functions with JSON arguments), the program's
//! arguments, the vessel directory (the current one, a chosen one, or a fresh temporary one),
//! where the output goes (inherited, captured, or RepyV2's circular log) and what the program
//! reads on standard input (only under the policy's `python` profile). The
//! [`Outcome`] holds the status and exit code, the captured output, the value and the run
//! report.
//!
//! The engine forks: the supervisor (this process, which never runs Python) and the sandbox
//! child (CPython behind the four walls). Callers must be single-threaded when they call
//! [`run`].
//!
//! May depend on: restrictions, safe-check, api, nanny, confine (`.ci/check-deps`).

mod batch;
mod capture;
mod child;
mod job;
mod outcome;
mod pool;
mod preinit;
mod profile;
mod program;
mod refusal;
mod report;
mod run;
mod targets;
mod vessel;
mod zygote;

/// The exit-status table (both sides of the fork use it; it lives in the nanny).
pub mod exit {
    pub use nanny::exit::*;
}

// A value or a call's arguments the API lets through must fit the hand-off page's slots.
const _: () = assert!(api::program::VALUE_LIMIT <= nanny::handoff::VALUE_SLOT);

pub use batch::{run_batch, Batch};
pub use capture::CAPTURE_LIMIT;
pub use job::{
    Call, Job, Mode, OutputChoice, PolicySource, ProgramSource, StdinChoice, VesselChoice,
};
pub use outcome::Outcome;
pub use pool::{fits_pool, run_pool, Pool, PoolRequest, WarmMode, WarmRequest};
pub use preinit::preinitialize_pool;
pub use profile::{catalog, load_restrictions, parse_restrictions, SHIPPED_MODULES};
pub use program::{read_program, ProgramReadError};
pub use refusal::{MAX_REPORTED_VIOLATIONS, MAX_VIOLATIONS_SHOWN};
pub use report::SCHEMA as REPORT_SCHEMA;
pub use run::{refuse, run};
pub use vessel::sweep_dead as sweep_dead_vessels;
