//! `log` and `print`: the program's only ways to write to standard output.
//!
//! `log(*args)` keeps RepyV2's Python-2 `print a, b,` semantics byte for byte: a space is
//! written *before* an item whenever the stream's soft-space flag is set, and the flag is set
//! after every item except a non-empty `str` ending in a whitespace character other than a
//! plain space. The flag belongs to the stream, so it persists across calls. Each call writes
//! its items and separators at once, with one `lograte` charge. `print` is
//! Python 3's `print(*args, sep=' ', end='\n')` writing through the same path; it clears the
//! soft-space flag when it ends.
//!
//! In a sandbox, output goes into the supervisor's output ring (`nanny::ring`): shared
//! memory the supervisor relays from, so a line costs a copy rather than a system call, and
//! nothing written is lost when the sandbox is killed (there is no buffer inside it). Writes
//! to standard error wait until the ring is relayed, so the streams keep their order. Without
//! a ring (an embedding that installed none) writes go straight to file descriptor 1.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::exceptions::RepyArgumentError;

/// The soft-space flag of standard output.
static SOFTSPACE: AtomicBool = AtomicBool::new(false);

/// The supervisor's output ring, once installed.
static RING: OnceLock<nanny::RingWriter> = OnceLock::new();

/// Sends standard output into the supervisor's ring from now on (the sandbox child does,
/// before the program runs).
pub fn install_ring(ring: nanny::RingWriter) {
    let _ = RING.set(ring);
}

/// Writes `data` to standard output in full, releasing the interpreter whenever the write
/// has to wait. A closed pipe drops the output silently: the program cannot repair its reader.
pub fn write_stdout(py: Python<'_>, data: &[u8]) {
    match RING.get() {
        Some(ring) => {
            if !ring.try_write(data) {
                py.detach(|| ring.write(data));
            }
        }
        None => py.detach(|| write_all(libc::STDOUT_FILENO, data)),
    }
}

/// Writes `text` to standard error in full, after everything written to standard output
/// before it has been relayed (so a traceback follows the output that preceded it). Called
/// with or without the interpreter attached; it never needs it.
pub fn write_stderr(text: &[u8]) {
    if let Some(ring) = RING.get() {
        ring.flush();
    }
    write_all(libc::STDERR_FILENO, text);
}

/// Writes text the program caused on standard error (a traceback, the checker's refusal),
/// charged to `lograte` like `log`: a program cannot use its own error reports to write past
/// its rate. The caller bounds the text.
pub fn write_stderr_charged(py: Python<'_>, text: &[u8]) {
    // A rate error here (none is expected) must not stop the report from being written.
    let _ = crate::charge::before(py, crate::charge::Renewable::LOGRATE);
    write_stderr(text);
    let _ = crate::charge::after(py, crate::charge::Renewable::LOGRATE, text.len() as u64);
}

/// While `doctest` runs an example, the program's output is gathered here (to compare with
/// what the example expects) instead of going to standard output.
static CAPTURE: std::sync::Mutex<Option<Vec<u8>>> = std::sync::Mutex::new(None);

/// Starts gathering the program's output ([`CAPTURE`]).
pub(crate) fn capture_start() {
    *CAPTURE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Vec::new());
}

/// Stops gathering and returns what was gathered.
pub(crate) fn capture_stop() -> Vec<u8> {
    CAPTURE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
        .unwrap_or_default()
}

/// Writes program output: waits for `lograte`, writes (or gathers, see [`CAPTURE`]), then
/// charges the bytes written.
pub(crate) fn write_charged(py: Python<'_>, data: &[u8]) -> PyResult<()> {
    crate::charge::before(py, crate::charge::Renewable::LOGRATE)?;
    let gathered = {
        let mut capture = CAPTURE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match capture.as_mut() {
            Some(buffer) => {
                buffer.extend_from_slice(data);
                true
            }
            None => false,
        }
    };
    if !gathered {
        write_stdout(py, data);
    }
    crate::charge::after(py, crate::charge::Renewable::LOGRATE, data.len() as u64)
}

/// Writes `data` to `fd` in full, retrying on interruption; gives up on any other error.
pub fn write_all(fd: libc::c_int, mut data: &[u8]) {
    while !data.is_empty() {
        // SAFETY: `data` is a valid, initialised slice for the length passed.
        let written = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if written < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        let written = usize::try_from(written).unwrap_or(0);
        data = data.get(written..).unwrap_or_default();
    }
}

/// The text of `item` as `str(item)` gives it, encoded as UTF-8 (lone surrogates replaced).
fn item_text(item: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(item.str()?.to_string_lossy().into_owned())
}

/// Whether writing `item` leaves the soft-space flag set (Python 2's `print` rule).
fn sets_softspace(item: &Bound<'_, PyAny>, text: &str) -> bool {
    if !item.is_exact_instance_of::<PyString>() {
        return true;
    }
    match text.chars().last() {
        Some(last) => !(last.is_whitespace() && last != ' '),
        None => true,
    }
}

/// `log(*args)`: writes each argument's `str()` with RepyV2's soft-space rule.
#[pyfunction(signature = (*args, **kwargs))]
pub fn log(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    if kwargs.is_some_and(|k| !k.is_empty()) {
        return Err(RepyArgumentError::new_err(
            "Keyword arguments not allowed when calling log.",
        ));
    }
    // One write (and one lograte charge) per call: the items and their separating spaces
    // are joined first. If an item's `str()` raises, what came before it is still written,
    // as item-by-item writes would have done.
    let mut line = Vec::new();
    let mut softspace = SOFTSPACE.load(Ordering::Relaxed);
    let mut failure = None;
    for item in args.iter() {
        let text = match item_text(&item) {
            Ok(text) => text,
            Err(err) => {
                failure = Some(err);
                break;
            }
        };
        if softspace {
            line.push(b' ');
        }
        line.extend_from_slice(text.as_bytes());
        softspace = sets_softspace(&item, &text);
    }
    if !line.is_empty() {
        write_charged(py, &line)?;
    }
    SOFTSPACE.store(softspace, Ordering::Relaxed);
    failure.map_or(Ok(()), Err)
}

/// Reads an optional `str` keyword argument of `print`.
fn separator(kwargs: Option<&Bound<'_, PyDict>>, name: &str, default: &str) -> PyResult<String> {
    let Some(value) = kwargs.map(|k| k.get_item(name)).transpose()?.flatten() else {
        return Ok(default.to_string());
    };
    if value.is_none() {
        return Ok(default.to_string());
    }
    if !value.is_exact_instance_of::<PyString>() {
        return Err(RepyArgumentError::new_err(format!(
            "print() argument '{name}' must be str or None, not {}",
            value.get_type().name()?
        )));
    }
    Ok(value.str()?.to_string_lossy().into_owned())
}

/// Writes `input()`'s prompt to standard output, charged to `lograte` like `print`.
pub fn write_prompt(py: Python<'_>, text: &[u8]) -> PyResult<()> {
    write_charged(py, text)
}

/// `print(*args, sep=' ', end='\n')`: Python 3's print, writing through `log`'s path.
#[pyfunction(signature = (*args, **kwargs))]
pub fn print(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    print_with(py, args, kwargs, &["sep", "end"])
}

/// The `python` profile's `print(*args, sep=' ', end='\n', file=None, flush=False)`: Python
/// 3's whole signature. Without `file` (or with `None`) it writes to standard output, the
/// output ring, charged to `lograte`; with a file (an `open()` file, or any object of the
/// program's with a `write` method) it calls `file.write(text)` as CPython does, which charges
/// what that write charges. `flush` is accepted and changes nothing (the ring is relayed as it
/// fills; `open()` files write through).
#[pyfunction(name = "print", signature = (*args, **kwargs))]
pub fn print_python(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    let accepted = ["sep", "end", "file", "flush"];
    let file = kwargs
        .map(|k| k.get_item("file"))
        .transpose()?
        .flatten()
        .filter(|file| !file.is_none());
    match file {
        None => print_with(py, args, kwargs, &accepted),
        Some(file) => {
            let text = print_text(args, kwargs, &accepted)?;
            file.getattr("write")?.call1((text,))?;
            Ok(())
        }
    }
}

/// Writes `args` joined by `sep` and followed by `end`, charged to `lograte`; `accepted`
/// names the keyword arguments the caller's signature takes.
fn print_with(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
    accepted: &[&str],
) -> PyResult<()> {
    let line = print_text(args, kwargs, accepted)?;
    write_charged(py, line.as_bytes())?;
    SOFTSPACE.store(false, Ordering::Relaxed);
    Ok(())
}

/// The text `print` writes: `args` joined by `sep`, followed by `end`.
fn print_text(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
    accepted: &[&str],
) -> PyResult<String> {
    if let Some(kwargs) = kwargs {
        for key in kwargs.keys() {
            let key = key.str()?.to_string_lossy().into_owned();
            if !accepted.contains(&key.as_str()) {
                return Err(RepyArgumentError::new_err(format!(
                    "print() in the sandbox takes only {}, not '{key}'",
                    accepted
                        .iter()
                        .map(|k| format!("'{k}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    let sep = separator(kwargs, "sep", " ")?;
    let end = separator(kwargs, "end", "\n")?;
    let mut line = String::new();
    for (index, item) in args.iter().enumerate() {
        if index > 0 {
            line.push_str(&sep);
        }
        line.push_str(&item_text(&item)?);
    }
    line.push_str(&end);
    Ok(line)
}

/// The most a finalizer's (or any other "ignored") exception may write to standard error.
pub const MAX_UNRAISABLE_REPORT: usize = 2_000;

/// `sys.unraisablehook`: reports an exception CPython cannot raise (one escaping a `__del__`,
/// a generator's `finally` at collection) the way the program's other error output goes,
/// bounded to [`MAX_UNRAISABLE_REPORT`] bytes and charged to `lograte`. CPython's default
/// hook would write an unbounded traceback to its own `sys.stderr`, unaccounted. The program
/// goes on, as RepyV2's did (Python 2 printed `Exception ... ignored`).
///
/// It never raises: an exception here would make CPython report it through its default hook.
/// The report names the exception's class and message only (not the object being finalized,
/// whose `repr` could run more of the program's code).
#[pyfunction]
pub fn unraisablehook(py: Python<'_>, unraisable: &Bound<'_, PyAny>) {
    let value = unraisable
        .getattr("exc_value")
        .ok()
        .filter(|value| !value.is_none());
    let rendered = match value {
        Some(value) => crate::traceback::render_for_program(py, &PyErr::from_value(value))
            .replacen(
                "Uncaught exception!",
                "Exception ignored in a finalizer!",
                1,
            ),
        None => "---\nException ignored in a finalizer!\n---\n".to_string(),
    };
    let text = bound_report(&rendered, MAX_UNRAISABLE_REPORT);
    write_stderr_charged(py, text.as_bytes());
    // Whatever the rendering left set (it should leave nothing) is dropped, never reported.
    let _ = PyErr::take(py);
}

/// `text` if it fits in `max` bytes, otherwise its beginning and its end (where the
/// exception's class and message are) around a marker.
fn bound_report(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut head = max / 2;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - max / 2;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{}\n[... report cut ...]\n{}", &text[..head], &text[tail..])
}

/// Routes CPython's reports of ignored exceptions through [`unraisablehook`], and gives its
/// `sys.stderr` (CPython's preliminary writer straight to descriptor 2, unbounded and
/// unaccounted) nothing to write: `None` makes CPython's own reporting silent.
pub fn install_unraisable_hook(py: Python<'_>) -> PyResult<()> {
    let sys = py.import("sys")?;
    sys.setattr("unraisablehook", wrap_pyfunction!(unraisablehook, py)?)?;
    sys.setattr("stderr", py.None())?;
    Ok(())
}
