//! The global namespace the main program runs in.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// `callfunc`: always `"initialize"` in RepyV2 (a RepyV1 legacy kept for old programs).
pub const CALLFUNC: &str = "initialize";

/// Builds the program's globals: the restricted builtins, the API and the context names
/// RepyV2 defines (`mycontext`, `callfunc`, `callargs`).
pub fn build<'py>(py: Python<'py>, callargs: &[String]) -> PyResult<Bound<'py, PyDict>> {
    build_for(py, callargs, safe_check::Profile::RepyV2)
}

/// [`build`] for a profile: the `python` profile adds its builtins
/// ([`crate::python_profile::PYTHON_BUILTINS`]).
pub fn build_for<'py>(
    py: Python<'py>,
    callargs: &[String],
    profile: safe_check::Profile,
) -> PyResult<Bound<'py, PyDict>> {
    // CPython 3.11 bugs reachable from the builtins below are guarded before any program exists.
    crate::cpython_guards::install(py);
    crate::net::load_hosts();
    crate::output::install_unraisable_hook(py)?;
    let globals = PyDict::new(py);
    let builtins = crate::builtins::build(py)?;
    if profile == safe_check::Profile::Python {
        // `str.format` and the codec methods, which the python profile's checker lets through
        // (R205, R206), are guarded at run time; a process runs one program, so installing
        // the guards process-wide affects no RepyV2 run.
        crate::text_guards::install(py)?;
        crate::python_profile::extend(py, &builtins)?;
        crate::python_profile::set_program_globals(&globals);
    }
    crate::vnamespace::set_builtins(py, &builtins)?;
    globals.set_item("__builtins__", builtins)?;
    // Class bodies read `__name__` to set `__module__`; the program cannot name it itself.
    globals.set_item("__name__", "__main__")?;
    let api = [
        wrap_pyfunction!(crate::output::log, py)?,
        wrap_pyfunction!(crate::files::openfile, py)?,
        wrap_pyfunction!(crate::files::listfiles, py)?,
        wrap_pyfunction!(crate::files::removefile, py)?,
        wrap_pyfunction!(crate::threads::createthread, py)?,
        wrap_pyfunction!(crate::threads::sleep, py)?,
        wrap_pyfunction!(crate::threads::getthreadname, py)?,
        wrap_pyfunction!(crate::threads::createlock, py)?,
        wrap_pyfunction!(crate::misc::getruntime, py)?,
        wrap_pyfunction!(crate::misc::randombytes, py)?,
        wrap_pyfunction!(crate::misc::exitall, py)?,
        wrap_pyfunction!(crate::misc::getlasterror, py)?,
        wrap_pyfunction!(crate::resources::getresources, py)?,
        wrap_pyfunction!(crate::vnamespace::createvirtualnamespace, py)?,
        wrap_pyfunction!(crate::net::gethostbyname, py)?,
        wrap_pyfunction!(crate::net::getmyip, py)?,
        wrap_pyfunction!(crate::net::tcp::openconnection, py)?,
        wrap_pyfunction!(crate::net::tcp::listenforconnection, py)?,
        wrap_pyfunction!(crate::net::udp::sendmessage, py)?,
        wrap_pyfunction!(crate::net::udp::listenformessage, py)?,
    ];
    for function in api {
        globals.set_item(function.getattr("__name__")?, function)?;
    }
    globals.set_item("mycontext", PyDict::new(py))?;
    globals.set_item("callfunc", CALLFUNC)?;
    globals.set_item("callargs", PyList::new(py, callargs)?)?;
    globals.set_item("_context", crate::vnamespace::SafeDict::wrap(&globals))?;
    Ok(globals)
}
