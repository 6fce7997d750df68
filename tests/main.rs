//! The integration tests: each module runs the built `repy` binary on real files.

mod batch;
mod cases;
mod charges;
mod cli;
#[cfg(feature = "test-real-builtins")]
mod confine;
mod escapes;
mod grading;
mod jobs;
mod modes;
mod modules;
mod nanny;
mod packages;
mod pool;
mod profiles;
mod python_corpus;
mod python_open;
mod python_sys;
mod queue_redis;
mod restrictions;
mod serve;
mod stack;
mod support;
mod text_guards;
