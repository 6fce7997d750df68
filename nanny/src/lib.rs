//! The nanny: resource accounting shared between the sandbox and its supervisor, and the
//! supervisor process that enforces it from outside the sandbox.
//!
//! It may depend on `restrictions`, `nix`, `libc` and `thiserror`; it knows nothing of
//! Python, so it is tested without an interpreter.

pub mod process;
