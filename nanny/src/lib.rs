//! The nanny: resource accounting shared between the sandbox and its supervisor, and the
//! supervisor process that enforces it from outside the sandbox.
//!
//! It may depend on `restrictions`, `nix`, `libc` and `thiserror`; it knows nothing of
//! Python, so it is tested without an interpreter.

pub mod accountant;
pub mod bucket;
pub mod clock;
pub mod measure;
pub mod page;
pub mod process;
pub mod resource;

pub use accountant::{Accountant, ItemError, LimitsSnapshot, RateError, UsageSnapshot};
pub use bucket::{Decision, LeakyBucket, RateSpec};
pub use clock::{Clock, FakeClock, MonotonicClock};
pub use page::{SharedPage, StopTime};
pub use resource::{Item, Renewable};
