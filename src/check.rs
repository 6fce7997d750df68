//! The static checker as the binary uses it: before a run, and as `repy check` / `repy explain`.

use std::path::PathBuf;

use pyo3::Python;

use crate::cli::Format;
use crate::exit::ExitStatus;

/// The rendered violations of `source`, or `None` when it may run.
pub fn violations(_py: Python<'_>, _source: &str, _filename: &str) -> Option<String> {
    None // TEMP: wired to safe-check when it lands
}

/// `repy check`.
pub fn check_files(_programs: &[PathBuf], _format: Format) -> ExitStatus {
    ExitStatus::InternalError
}

/// `repy explain`.
pub fn explain(_rule: Option<&str>) -> ExitStatus {
    ExitStatus::InternalError
}
