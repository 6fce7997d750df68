//! The program's standard input under the python profile: descriptor 0 (which the nanny
//! wires to `/dev/null` or its relay of the caller's input, paced and accounted there), read
//! through one buffer for the process, so `input()`, `sys.stdin` and `sys.stdin.buffer`
//! share what was read ahead.

use std::io::{BufRead as _, Read as _};
use std::sync::Mutex;

use pyo3::prelude::*;

/// Descriptor 0, read with read(2) and never closed: it belongs to the process.
struct Descriptor;

impl std::io::Read for Descriptor {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        // SAFETY: read(2) into a valid, writable buffer of the given length.
        let n = unsafe { libc::read(0, buffer.as_mut_ptr().cast(), buffer.len()) };
        if n < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(n.unsigned_abs())
        }
    }
}

/// The one buffer over descriptor 0.
static STDIN: Mutex<Option<std::io::BufReader<Descriptor>>> = Mutex::new(None);

/// Runs `read` on the buffer with the interpreter released (a read may wait on the relay).
fn with_reader<T>(
    py: Python<'_>,
    read: impl FnOnce(&mut std::io::BufReader<Descriptor>) -> std::io::Result<T> + Send,
) -> PyResult<T>
where
    T: Send,
{
    py.detach(|| {
        let mut guard = STDIN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let reader = guard.get_or_insert_with(|| std::io::BufReader::new(Descriptor));
        read(reader)
    })
    .map_err(|err| pyo3::exceptions::PyOSError::new_err(err.to_string()))
}

/// One line with its `\n` (empty at the end of the input); at most `limit` bytes when given.
pub(crate) fn read_line(py: Python<'_>, limit: Option<usize>) -> PyResult<Vec<u8>> {
    with_reader(py, |reader| {
        let mut line = Vec::new();
        match limit {
            None => {
                reader.read_until(b'\n', &mut line)?;
            }
            Some(limit) => {
                reader
                    .by_ref()
                    .take(limit as u64)
                    .read_until(b'\n', &mut line)?;
            }
        }
        Ok(line)
    })
}

/// Up to `limit` bytes (everything up to the end of the input when `None`).
pub(crate) fn read_bytes(py: Python<'_>, limit: Option<usize>) -> PyResult<Vec<u8>> {
    with_reader(py, |reader| {
        let mut data = Vec::new();
        match limit {
            None => {
                reader.read_to_end(&mut data)?;
            }
            Some(limit) => {
                reader.by_ref().take(limit as u64).read_to_end(&mut data)?;
            }
        }
        Ok(data)
    })
}

/// Decodes `data` as UTF-8 into a `str`, raising `UnicodeDecodeError` as CPython's UTF-8
/// mode does.
pub(crate) fn decode<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    pyo3::types::PyBytes::new(py, data).call_method1("decode", ("utf-8",))
}
