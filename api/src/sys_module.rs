//! The python profile's `sys`: a module of the sandbox's own making, not CPython's, exposing
//! what ordinary programs use `sys` for: `stdin`/`stdout`/`stderr` (with their `buffer`s),
//! `argv`, `exit`, `setrecursionlimit`/`getrecursionlimit`, and read-only facts about the
//! interpreter (`maxsize`, `version_info`, `float_info`, ...). Nothing reaches CPython's
//! `sys` (its `modules`, `path`, frames, hooks, the real streams).
//!
//! - Standard input is the one the nanny relays (paced and charged there), read through the
//!   buffer `input()` shares ([`crate::stdin`]).
//! - Standard output goes to the output ring charged to `lograte`, as `print` does; standard
//!   error goes where the sandbox's error reports go, charged the same way.
//! - `setrecursionlimit` sets CPython's limit, at most [`MAX_RECURSION_LIMIT`]: a deeper
//!   recursion is frames in memory the nanny accounts, and a C path that overflows the stack
//!   first ends the run as `stack-overflow`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

/// The highest recursion limit a program may set.
pub const MAX_RECURSION_LIMIT: i64 = 1_000_000;

/// The program's `sys.argv`: made empty with the module, filled before the program runs.
static ARGV: PyOnceLock<Py<PyList>> = PyOnceLock::new();

fn argv(py: Python<'_>) -> &Bound<'_, PyList> {
    ARGV.get_or_init(py, || PyList::empty(py).unbind()).bind(py)
}

/// Sets `sys.argv` to the program's name and arguments (as CPython sets the script's).
pub fn set_argv(py: Python<'_>, program: &str, args: &[String]) -> PyResult<()> {
    let list = argv(py);
    list.call_method0("clear")?;
    list.append(program)?;
    for arg in args {
        list.append(arg)?;
    }
    Ok(())
}

/// An optional size argument: `None` or a negative number means "no limit".
fn limit_of(size: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    match size {
        None => Ok(None),
        Some(size) if size.is_none() => Ok(None),
        Some(size) => {
            let size: i64 = size.extract()?;
            Ok(usize::try_from(size).ok())
        }
    }
}

/// `sys.stdin`: the program's standard input as text (UTF-8).
#[pyclass(frozen, name = "TextIOWrapper", module = "sys")]
pub struct Stdin;

#[pymethods]
impl Stdin {
    /// One line with its `\n`; `''` at the end of the input.
    #[pyo3(signature = (size = None))]
    fn readline<'py>(
        &self,
        py: Python<'py>,
        size: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let line = crate::stdin::read_line(py, limit_of(size)?)?;
        crate::stdin::decode(py, &line)
    }

    /// The rest of the input (or about `size` characters: whole UTF-8 sequences).
    #[pyo3(signature = (size = None))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        size: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit_of(size)?;
        let mut data = crate::stdin::read_bytes(py, limit)?;
        if limit.is_some() {
            // Complete a UTF-8 sequence the limit cut (at most three more bytes).
            for _ in 0..3 {
                match std::str::from_utf8(&data) {
                    Err(err) if err.error_len().is_none() => {
                        let more = crate::stdin::read_bytes(py, Some(1))?;
                        if more.is_empty() {
                            break;
                        }
                        data.extend(more);
                    }
                    _ => break,
                }
            }
        }
        crate::stdin::decode(py, &data)
    }

    /// Every remaining line.
    #[pyo3(signature = (_hint = None))]
    fn readlines<'py>(
        &self,
        py: Python<'py>,
        _hint: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        remaining_lines(py, |line| crate::stdin::decode(py, line))
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        next_line(py, |line| crate::stdin::decode(py, line))
    }

    /// The same input as bytes.
    #[getter]
    fn buffer(&self) -> StdinBuffer {
        StdinBuffer
    }

    #[getter]
    fn encoding(&self) -> &'static str {
        "utf-8"
    }

    #[getter]
    fn name(&self) -> &'static str {
        "<stdin>"
    }

    fn isatty(&self) -> bool {
        false
    }

    fn readable(&self) -> bool {
        true
    }
}

/// `sys.stdin.buffer`: the program's standard input as bytes.
#[pyclass(frozen, name = "BufferedReader", module = "sys")]
pub struct StdinBuffer;

#[pymethods]
impl StdinBuffer {
    #[pyo3(signature = (size = None))]
    fn readline<'py>(
        &self,
        py: Python<'py>,
        size: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let line = crate::stdin::read_line(py, limit_of(size)?)?;
        Ok(PyBytes::new(py, &line))
    }

    #[pyo3(signature = (size = None))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        size: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let data = crate::stdin::read_bytes(py, limit_of(size)?)?;
        Ok(PyBytes::new(py, &data))
    }

    #[pyo3(signature = (_hint = None))]
    fn readlines<'py>(
        &self,
        py: Python<'py>,
        _hint: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        remaining_lines(py, |line| Ok(PyBytes::new(py, line).into_any()))
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        next_line(py, |line| Ok(PyBytes::new(py, line).into_any()))
    }
}

/// Every remaining line of the input, each made a `str` or `bytes` by `convert`.
fn remaining_lines<'py>(
    py: Python<'py>,
    convert: impl Fn(&[u8]) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let lines = PyList::empty(py);
    while let Some(line) = next_line(py, &convert)? {
        lines.append(line)?;
    }
    Ok(lines)
}

/// The next line of the input made a `str` or `bytes` by `convert`, `None` at its end.
fn next_line<'py>(
    py: Python<'py>,
    convert: impl Fn(&[u8]) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let line = crate::stdin::read_line(py, None)?;
    if line.is_empty() {
        return Ok(None);
    }
    convert(&line).map(Some)
}

/// Which stream an output file writes to.
#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

fn write_to(py: Python<'_>, stream: Stream, data: &[u8]) -> PyResult<()> {
    match stream {
        Stream::Out => crate::output::write_charged(py, data),
        Stream::Err => {
            crate::output::write_stderr_charged(py, data);
            Ok(())
        }
    }
}

/// `sys.stdout` and `sys.stderr`: text streams onto the sandbox's output.
#[pyclass(frozen, name = "TextIOWrapper", module = "sys")]
pub struct Output {
    stream: Stream,
}

#[pymethods]
impl Output {
    /// Writes a `str`; returns its length, as CPython's text files do.
    fn write(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<usize> {
        let Ok(text) = text.cast::<PyString>() else {
            return Err(PyTypeError::new_err(format!(
                "write() argument must be str, not {}",
                text.get_type().name()?
            )));
        };
        let text = text.to_str()?;
        write_to(py, self.stream, text.as_bytes())?;
        Ok(text.chars().count())
    }

    fn writelines(&self, py: Python<'_>, lines: &Bound<'_, PyAny>) -> PyResult<()> {
        for line in lines.try_iter()? {
            self.write(py, &line?)?;
        }
        Ok(())
    }

    fn flush(&self) {}

    /// The same stream for bytes.
    #[getter]
    fn buffer(&self) -> OutputBuffer {
        OutputBuffer {
            stream: self.stream,
        }
    }

    #[getter]
    fn encoding(&self) -> &'static str {
        "utf-8"
    }

    #[getter]
    fn name(&self) -> &'static str {
        match self.stream {
            Stream::Out => "<stdout>",
            Stream::Err => "<stderr>",
        }
    }

    fn isatty(&self) -> bool {
        false
    }

    fn writable(&self) -> bool {
        true
    }
}

/// `sys.stdout.buffer` and `sys.stderr.buffer`.
#[pyclass(frozen, name = "BufferedWriter", module = "sys")]
pub struct OutputBuffer {
    stream: Stream,
}

#[pymethods]
impl OutputBuffer {
    /// Writes bytes (or a `bytearray`); returns how many.
    fn write(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<usize> {
        let data: Vec<u8> = if let Ok(bytes) = data.cast::<PyBytes>() {
            bytes.as_bytes().to_vec()
        } else {
            return Err(PyTypeError::new_err(format!(
                "a bytes-like object is required, not '{}'",
                data.get_type().name()?
            )));
        };
        write_to(py, self.stream, &data)?;
        Ok(data.len())
    }

    fn flush(&self) {}
}

/// `sys.exit(status=None)`: raises `SystemExit`, which ends a python-profile program as
/// CPython ends (a status of `None` or 0 is a clean end).
#[pyfunction(signature = (status = None))]
fn exit(py: Python<'_>, status: Option<Bound<'_, PyAny>>) -> PyResult<()> {
    let status = status.unwrap_or_else(|| py.None().into_bound(py));
    Err(PyErr::from_type(
        py.get_type::<pyo3::exceptions::PySystemExit>(),
        (status.unbind(),),
    ))
}

/// `sys.setrecursionlimit(limit)`, at most [`MAX_RECURSION_LIMIT`].
#[pyfunction]
fn setrecursionlimit(py: Python<'_>, limit: i64) -> PyResult<()> {
    if limit < 1 {
        return Err(PyValueError::new_err(
            "recursion limit must be greater or equal than 1",
        ));
    }
    py.import("sys")?
        .call_method1("setrecursionlimit", (limit.min(MAX_RECURSION_LIMIT),))?;
    Ok(())
}

/// `sys.getrecursionlimit()`.
#[pyfunction]
fn getrecursionlimit(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py.import("sys")?.call_method0("getrecursionlimit")
}

/// The facts `sys` exports as they are: numbers, strings and CPython's read-only struct
/// sequences of numbers.
const FACTS: &[&str] = &[
    "maxsize",
    "maxunicode",
    "byteorder",
    "platform",
    "version",
    "version_info",
    "hexversion",
    "float_info",
    "int_info",
    "hash_info",
    "float_repr_style",
    "getsizeof",
];

/// The export dict of `sys`.
pub fn exports(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let real = py.import("sys")?;
    let exports = PyDict::new(py);
    for name in FACTS {
        exports.set_item(*name, real.getattr(*name)?)?;
    }
    exports.set_item("stdin", Bound::new(py, Stdin)?)?;
    exports.set_item(
        "stdout",
        Bound::new(
            py,
            Output {
                stream: Stream::Out,
            },
        )?,
    )?;
    exports.set_item(
        "stderr",
        Bound::new(
            py,
            Output {
                stream: Stream::Err,
            },
        )?,
    )?;
    exports.set_item("argv", argv(py))?;
    exports.set_item("exit", wrap_pyfunction!(exit, py)?)?;
    exports.set_item(
        "setrecursionlimit",
        wrap_pyfunction!(setrecursionlimit, py)?,
    )?;
    exports.set_item(
        "getrecursionlimit",
        wrap_pyfunction!(getrecursionlimit, py)?,
    )?;
    Ok(exports)
}
