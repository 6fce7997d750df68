//! The integration tests: each module runs the built `repy` binary on real files.

mod cases;
mod cli;
mod restrictions;
mod support;
