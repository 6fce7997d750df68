//! The global namespace the main program runs in.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// `callfunc`: always `"initialize"` in RepyV2 (a RepyV1 legacy kept for old programs).
pub const CALLFUNC: &str = "initialize";

/// Builds the program's globals: the restricted builtins, the API and the context names
/// RepyV2 defines (`mycontext`, `callfunc`, `callargs`).
pub fn build<'py>(py: Python<'py>, callargs: &[String]) -> PyResult<Bound<'py, PyDict>> {
    let globals = PyDict::new(py);
    globals.set_item("__builtins__", crate::builtins::build(py)?)?;
    // Class bodies read `__name__` to set `__module__`; the program cannot name it itself.
    globals.set_item("__name__", "__main__")?;
    globals.set_item("log", wrap_pyfunction!(crate::output::log, py)?)?;
    globals.set_item("mycontext", PyDict::new(py))?;
    globals.set_item("callfunc", CALLFUNC)?;
    globals.set_item("callargs", PyList::new(py, callargs)?)?;
    Ok(globals)
}
