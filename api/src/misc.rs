//! `getruntime`, `randombytes`, `exitall`, `getlasterror`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::args::positional;
use crate::charge::{self, Renewable};

/// The bytes `randombytes` returns per call.
pub const RANDOM_BYTES: usize = 1024;

/// Seconds since the sandbox started (monotonic), on the clock the CPU stop times use.
pub fn runtime() -> f64 {
    crate::charge::accountant().runtime()
}

/// `getruntime()`: seconds since the sandbox started, from a monotonic clock.
#[pyfunction(signature = (*args, **kwargs))]
pub fn getruntime(args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<f64> {
    positional::<0>("getruntime", args, kwargs)?;
    Ok(runtime())
}

/// `randombytes()`: 1,024 bytes from the kernel's random source, as a `str` of one
/// character per byte. Charges `random`.
#[pyfunction(signature = (*args, **kwargs))]
pub fn randombytes<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyString>> {
    positional::<0>("randombytes", args, kwargs)?;
    charge::before(py, Renewable::RANDOM)?;
    let mut buffer = [0u8; RANDOM_BYTES];
    let mut filled = 0;
    while filled < buffer.len() {
        let rest = &mut buffer[filled..];
        // SAFETY: the pointer and length describe the unfilled part of `buffer`.
        let got = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if got < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(crate::errors::internal(format!(
                "getrandom failed: {}",
                std::io::Error::last_os_error()
            )));
        }
        filled += usize::try_from(got).unwrap_or(0);
    }
    charge::after(py, Renewable::RANDOM, RANDOM_BYTES as u64)?;
    crate::args::data_to_str(py, &buffer)
}

/// `exitall()`: ends the whole program at once (no `finally` blocks, other threads stop).
#[pyfunction(signature = (*args, **kwargs))]
pub fn exitall(args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
    positional::<0>("exitall", args, kwargs)?;
    nanny::exit::exit_now(nanny::ExitStatus::ExitAll)
}

/// `getlasterror()`: the report of the exception being handled by this thread (the text an
/// uncaught exception would print), clearing it; `None` when none is being handled.
#[pyfunction(signature = (*args, **kwargs))]
pub fn getlasterror(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Option<String>> {
    positional::<0>("getlasterror", args, kwargs)?;
    // SAFETY: PyErr_GetHandledException returns a new reference or null; the thread is
    // attached to the interpreter (we hold `py`).
    let handled =
        unsafe { Bound::from_owned_ptr_or_opt(py, pyo3::ffi::PyErr_GetHandledException()) };
    let Some(exception) = handled.filter(|e| !e.is_none()) else {
        return Ok(None);
    };
    let err = PyErr::from_value(exception);
    let text = crate::traceback::render_for_program(py, &err);
    // SAFETY: clearing the handled exception with null is documented; `py` is attached.
    unsafe { pyo3::ffi::PyErr_SetHandledException(std::ptr::null_mut()) };
    Ok(Some(text))
}
