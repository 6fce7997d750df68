//! Mapping operating-system errors to Repy exceptions, and internal errors.
//!
//! An error the API does not expect is an internal error: RepyV2 ends the whole sandbox
//! for one, and so does repy (exit code 125, "Internal Error" on standard error), because a
//! non-Repy exception escaping into the program would be a leak of the sandbox's internals.

use pyo3::PyErr;

use crate::exceptions::{FileError, FileNotFoundError, ResourceExhaustedError};

/// Reports an internal error and ends the sandbox at once. Never returns.
pub fn internal(message: String) -> PyErr {
    let text = format!("---\nInternal Error\n---\nrepy: internal error in the API: {message}\n");
    crate::output::write_stderr(text.as_bytes());
    nanny::exit::exit_now(nanny::ExitStatus::InternalError)
}

/// Maps an error from opening `name` to the exception RepyV2 programs expect.
pub fn open_failed(name: &str, err: &std::io::Error) -> PyErr {
    match err.raw_os_error() {
        Some(libc::ENOENT | libc::ELOOP | libc::ENOTDIR | libc::EISDIR) => {
            FileNotFoundError::new_err(format!(
                "File '{name}' does not exist or is not a regular file"
            ))
        }
        Some(libc::EACCES | libc::EPERM | libc::EROFS) => {
            FileError::new_err(format!("Permission denied opening '{name}'"))
        }
        Some(libc::EMFILE | libc::ENFILE | libc::ENOSPC | libc::EDQUOT) => {
            ResourceExhaustedError::new_err(format!("Cannot open '{name}': {err}"))
        }
        _ => internal(format!("cannot open '{name}': {err}")),
    }
}

/// Maps an error from writing `name`: running out of space (or, should the supervisor not
/// act in time, writing past the file-size backstop) is a resource error the program can
/// handle; anything else is internal. Called with the interpreter released.
pub fn write_failed(name: &str, err: &std::io::Error) -> PyErr {
    if err.raw_os_error() == Some(libc::EFBIG) {
        // The kernel's file-size backstop sits above the disk quota, so the quota is
        // certainly exceeded: the supervisor, which measures the vessel every half second,
        // is about to kill the program for it (RepyV2's contract, exit 98). Wait for that
        // verdict rather than hand the program an exception it could ignore.
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
    match err.raw_os_error() {
        Some(libc::ENOSPC | libc::EDQUOT | libc::EFBIG) => {
            ResourceExhaustedError::new_err(format!("Cannot write to '{name}': {err}"))
        }
        _ => internal(format!("cannot write to '{name}': {err}")),
    }
}
