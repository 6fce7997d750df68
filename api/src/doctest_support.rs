//! What the python profile's `doctest` (`api/src/modules/stdlib.py`, `_doctest`) needs from the
//! sandbox: each example of a docstring is program code, so it is checked against the
//! program's own policy and its private attributes routed, exactly as the program was
//! ([`compile_example`]); its output is gathered to compare with what the example expects
//! (`crate::output`'s capture); an expression's value is shown by [`displayhook`].

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The checker's options the program was checked with (its profile and modules).
static OPTIONS: Mutex<Option<safe_check::Options>> = Mutex::new(None);

/// Records the options the program is checked with; examples are checked with the same.
pub fn set_checker_options(options: &safe_check::Options) {
    *OPTIONS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(options.clone());
}

/// `_doctest_compile(source, filename)`: the example checked as the program was, routed, and
/// compiled as the interactive interpreter compiles (`"single"`). A refused example raises
/// `SyntaxError` with the checker's first violation, which the example's report shows.
#[pyfunction]
pub fn compile_example<'py>(
    py: Python<'py>,
    source: &str,
    filename: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let options = OPTIONS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
        .ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err(
                "internal error: doctest examples cannot be checked before the program is",
            )
        })?;
    let mut checked =
        safe_check::check_keeping_tree_with(py, source, filename, &options).map_err(|failure| {
            let first = safe_check::first_violation_text(failure.diagnostics(), source);
            pyo3::exceptions::PySyntaxError::new_err(format!(
                "the sandbox's checker refuses this example: {first}"
            ))
        })?;
    crate::private_attributes::route(py, &mut checked)?;
    checked.compile_interactive(py)
}

/// `_capture_start()`: the program's output is gathered from now on.
#[pyfunction]
pub fn capture_start() {
    crate::output::capture_start();
}

/// `_capture_stop()`: what was gathered, as text.
#[pyfunction]
pub fn capture_stop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let data = crate::output::capture_stop();
    crate::stdin::decode(py, &data)
}

/// `sys.displayhook` for examples: an expression statement's value, unless `None`, is written
/// as its `repr` and a newline, charged as `print`.
#[pyfunction]
pub fn displayhook(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
    if value.is_none() {
        return Ok(());
    }
    let text = format!("{}\n", value.repr()?.to_str()?);
    crate::output::write_charged(py, text.as_bytes())
}

/// `_program()`: the program's globals, name and source, for the finder.
#[pyfunction]
pub fn program(py: Python<'_>) -> PyResult<(Bound<'_, PyDict>, String, String)> {
    let globals = crate::python_profile::program_globals(py).ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err("doctest.testmod() runs only in the program")
    })?;
    let (filename, source) = crate::traceback::program().cloned().unwrap_or_default();
    Ok((globals, filename, source))
}
