//! The namespace the sandboxed program sees: safe builtins and RepyV2's capability API.
//!
//! This is the only crate with `#[pyfunction]`s and Python classes. It may depend on
//! `restrictions`, `nanny`, `safe-check` and `pyo3`; nothing here runs outside the sandbox
//! child.

pub mod args;
pub mod builtins;
pub mod charge;
pub mod cpython_guards;
pub(crate) mod deferred_finalizers;
pub mod descriptors;
pub mod doctest_support;
pub(crate) mod embedded;
pub mod errors;
pub mod exceptions;
pub mod files;
pub mod interpreter;
pub mod misc;
pub mod modules;
pub mod namespace;
pub mod net;
pub(crate) mod object_array_guard;
pub mod output;
pub mod package_guards;
pub mod private_attributes;
pub mod program;
pub mod pyfile;
pub mod python_profile;
pub mod resources;
pub mod stack;
pub(crate) mod stdin;
pub(crate) mod string_dtype_guard;
pub mod sys_module;
pub mod text_guards;
pub mod threads;
pub mod traceback;
pub mod values;
pub mod vnamespace;
