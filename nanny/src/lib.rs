//! The nanny: resource accounting shared between the sandbox and its supervisor, and the
//! supervisor process that enforces it from outside the sandbox.
//!
//! Its one job: account for what the sandboxed program uses, and stop it from using more
//! than its policy allows. It may depend on `restrictions`, `nix`, `libc` and `thiserror`;
//! it knows nothing of Python, so it is tested without an interpreter.
//!
//! One run, in order:
//!
//! 1. the parent maps the accounting page ([`SharedPage::create`]) and prepares a
//!    [`Supervisor`] from a [`SupervisorConfig`] (stop file, status and log files, cgroups);
//! 2. [`Supervisor::run`] forks; the child runs the sandbox closure, which builds an
//!    [`Accountant`] on its clone of the page and charges it from the API;
//! 3. the parent relays the child's output and enforces the limits it measures itself,
//!    until the child is gone;
//! 4. it returns a [`RunResult`], plain data for the binary to render and map to an exit code.

pub mod accountant;
pub mod broker;
pub mod bucket;
mod cgroup;
pub mod clock;
pub mod exit;
pub mod fd_passing;
pub mod handoff;
pub mod measure;
pub mod output;
pub mod owner;
pub mod page;
pub mod process;
pub mod resource;
pub mod ring;
pub mod shared;
pub mod status;
pub mod supervisor;
pub mod zygote;

pub use accountant::{
    Accountant, DiskQuotaError, ItemError, LimitsSnapshot, QuickCharge, RateError, UsageSnapshot,
};
pub use bucket::{Decision, LeakyBucket, RateSpec};
pub use cgroup::{sweep_dead_groups, Swept};
pub use clock::{Clock, FakeClock, MonotonicClock};
pub use exit::ExitStatus;
pub use output::OutputTarget;
pub use page::{SharedPage, StopTime};
pub use process::{ChildEnd, Gate, Stdin, StdinLimits};
pub use resource::{Item, Renewable};
pub use ring::RingWriter;
pub use shared::{SharedCells, SharedMapping};
pub use status::{Status, StopRequest};
pub use supervisor::{
    cgroup_memory_cap, rlimit_as_bytes, BatchDriver, CallLimits, CpuMechanism, Kill, KillReason,
    MemoryBackstop, RenewableTotal, RunResult, SuperviseError, Supervisor, SupervisorConfig,
};
