//! Files: `openfile`, `listfiles`, `removefile` and the file object's `readat`, `writeat`,
//! `close`.
//!
//! Files live flat in the vessel directory (the sandbox child's working directory). A name
//! is 1–120 characters from `a-z0-9._-`, not starting with `.`; one handle per file at a time;
//! I/O only at absolute offsets, never past the end. Reads and writes are charged 4,096 bytes
//! per 4 KiB block they touch, as RepyV2 does.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::args::{self, positional};
use crate::charge::{self, Item, Renewable};
use crate::exceptions::{
    FileClosedError, FileError, FileInUseError, FileNotFoundError, RepyArgumentError,
    ResourceExhaustedError, SeekPastEndOfFileError,
};

/// The block size RepyV2 charges file I/O in.
pub const BLOCK: u64 = 4096;
/// The longest file name.
pub const MAX_FILENAME: usize = 120;

/// Names of the files open right now (one handle per file, process-wide).
static OPEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn open_names() -> MutexGuard<'static, Option<HashSet<String>>> {
    OPEN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What is wrong with `name` under RepyV2's filename rule, if anything (the message
/// `openfile` raises with).
pub fn filename_problem(name: &str) -> Option<String> {
    if name.chars().count() > MAX_FILENAME {
        return Some(format!("Max string length is {MAX_FILENAME}"));
    }
    if name.is_empty() || name == "." || name == ".." {
        return Some("Illegal filename provided!".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-'))
    {
        return Some(format!("Filename has disallowed character '{bad}'"));
    }
    if name.starts_with('.') {
        return Some("Filename starts with a period, this is not allowed!".into());
    }
    None
}

/// Applies RepyV2's filename rule: `RepyArgumentError` with [`filename_problem`]'s message.
pub fn check_filename(name: &str) -> PyResult<()> {
    match filename_problem(name) {
        Some(problem) => Err(RepyArgumentError::new_err(problem)),
        None => Ok(()),
    }
}

/// The bytes RepyV2 charges for touching `[offset, offset+len)`: 4,096 per block touched; a
/// zero-length access costs nothing at a block boundary and one block elsewhere.
pub fn block_charge(offset: u64, len: u64) -> u64 {
    if len == 0 {
        return if offset.is_multiple_of(BLOCK) {
            0
        } else {
            BLOCK
        };
    }
    let first = offset / BLOCK;
    let last = (offset + len - 1) / BLOCK;
    (last - first + 1) * BLOCK
}

/// Whether `name` is a regular file in the vessel directory (symbolic links are not).
fn is_regular_file(name: &str) -> bool {
    std::fs::symlink_metadata(name).is_ok_and(|m| m.file_type().is_file())
}

/// A file name claimed for one handle, and the handle's `filesopened` item: both are given
/// back when the claim is dropped (a `close()`, garbage collection, or an open that failed).
#[derive(Debug)]
pub(crate) struct Claim {
    name: String,
    key: u64,
}

impl Claim {
    /// Claims `name` (one handle per file, process-wide); `None` when it is claimed already.
    fn take(name: &str) -> Option<Claim> {
        let mut names = open_names();
        let names = names.get_or_insert_with(HashSet::new);
        if !names.insert(name.to_owned()) {
            return None;
        }
        Some(Claim {
            name: name.to_owned(),
            key: charge::new_key(),
        })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(names) = open_names().as_mut() {
            names.remove(&self.name);
        }
        // Idempotent, and harmless when the item was never taken.
        charge::release(Item::FILESOPENED, self.key);
    }
}

/// An open file of the vessel, with everything it holds: the descriptor (and its slot in
/// the descriptor budget), its name's claim and its `filesopened` item. Dropping it closes
/// the file and gives all of them back.
#[derive(Debug)]
pub(crate) struct VesselFile {
    /// The open file (opened with `O_NOFOLLOW`, checked to be a regular file).
    pub file: File,
    /// The file's size, kept by the one handle that may write it.
    pub size: u64,
    /// Counts the descriptor in the API's budget while the file is open.
    _slot: crate::descriptors::Slot,
    _claim: Claim,
}

/// How to open a file of the vessel ([`open_in_vessel`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OpenHow {
    /// Open for reading.
    pub read: bool,
    /// Open for writing.
    pub write: bool,
    /// Create the file if it does not exist.
    pub create: bool,
    /// Create the file, failing if it exists (`O_EXCL`).
    pub exclusive: bool,
    /// Empty the file (`O_TRUNC`).
    pub truncate: bool,
}

/// Why [`open_in_vessel`] did not open a file.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenError {
    /// Another handle holds the file.
    #[error("the file is already open")]
    InUse,
    /// Nothing of that name exists, and the file was not to be created.
    #[error("no such file")]
    Missing,
    /// Something that is not a regular file has the name (a directory, a symbolic link),
    /// and the file was not to be created.
    #[error("not a regular file")]
    NotRegular {
        /// Whether it is a directory.
        directory: bool,
    },
    /// The file exists and was to be created exclusively.
    #[error("the file exists")]
    Exists,
    /// The operating system refused to open it.
    #[error("cannot open the file: {0}")]
    Os(#[source] std::io::Error),
    /// A charge or a budget refused (`ResourceExhaustedError`, `ResourceForbiddenError`).
    #[error(transparent)]
    Charge(#[from] PyErr),
}

/// Opens the file `name` of the vessel (a name [`check_filename`] accepted) the way `how`
/// says, with `openfile`'s accounting, in `openfile`'s order: the name is claimed, one
/// `filesopened` item taken, 4,096 `fileread` charged for the existence check; creating the
/// file charges 4,096 `filewrite` and reserves its directory entry against `diskused`, and
/// emptying a non-empty file charges 4,096 `filewrite` and takes its bytes off the disk
/// estimate. The file is opened with `O_NOFOLLOW`: a symbolic link is never followed.
pub(crate) fn open_in_vessel(
    py: Python<'_>,
    name: &str,
    how: OpenHow,
) -> Result<VesselFile, OpenError> {
    let claim = Claim::take(name).ok_or(OpenError::InUse)?;
    charge::acquire(Item::FILESOPENED, claim.key)?;
    charge::after(py, Renewable::FILEREAD, BLOCK)?;
    let mut reserved = 0;
    let mut emptied = 0;
    match std::fs::symlink_metadata(name) {
        Ok(meta) if meta.file_type().is_file() => {
            if how.exclusive {
                return Err(OpenError::Exists);
            }
            if how.truncate && meta.len() > 0 {
                charge::after(py, Renewable::FILEWRITE, BLOCK)?;
                emptied = meta.len();
            }
        }
        // Anything there that is not a regular file (a directory, a FIFO, a device node, a
        // link) is refused before it is opened, in every mode: opening a FIFO for writing
        // would wait for a reader, and a device node would be opened with its side effects.
        Ok(meta) => {
            return Err(if how.exclusive {
                OpenError::Exists
            } else {
                OpenError::NotRegular {
                    directory: meta.is_dir(),
                }
            })
        }
        Err(_) => {
            if !how.create {
                return Err(OpenError::Missing);
            }
            charge::after(py, Renewable::FILEWRITE, BLOCK)?;
            // A new directory entry counts against `diskused` too.
            py.detach(|| charge::reserve_disk(nanny::measure::DISK_ENTRY_OVERHEAD));
            // Ended once the file exists (or creating it failed).
            reserved = nanny::measure::DISK_ENTRY_OVERHEAD;
        }
    }
    let slot = match crate::descriptors::take("open a file") {
        Ok(slot) => slot,
        Err(err) => {
            charge::disk_written(reserved);
            return Err(err.into());
        }
    };
    py.detach(|| {
        let file = OpenOptions::new()
            .read(how.read)
            .write(how.write)
            .create(how.create && !how.exclusive)
            .create_new(how.exclusive)
            .truncate(how.truncate)
            // Non-blocking and no controlling terminal until the file is known to be regular:
            // an entry swapped in after the check above (a FIFO) cannot make the open wait.
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(name);
        charge::disk_written(reserved);
        let file = file.map_err(OpenError::Os)?;
        if emptied > 0 {
            charge::disk_truncated(emptied);
        }
        let meta = file.metadata().map_err(OpenError::Os)?;
        if !meta.is_file() {
            // Swapped in after the check above: refuse it as the check would have.
            return Err(OpenError::NotRegular {
                directory: meta.is_dir(),
            });
        }
        // A regular file: back to blocking I/O.
        let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
        // SAFETY: fcntl on a descriptor this function owns, with integer arguments only.
        let cleared = unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) == 0
        };
        if !cleared {
            return Err(OpenError::Os(std::io::Error::last_os_error()));
        }
        Ok(VesselFile {
            file,
            size: meta.len(),
            _slot: slot,
            _claim: claim,
        })
    })
}

/// A file handle returned by `openfile`.
#[pyclass(frozen, immutable_type, name = "file", module = "repy")]
pub struct RepyFile {
    name: String,
    state: Mutex<Option<VesselFile>>,
}

impl RepyFile {
    fn state(&self) -> MutexGuard<'_, Option<VesselFile>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The open file, for I/O at `offset`: `FileClosedError` once closed,
    /// `SeekPastEndOfFileError` past the end (at exactly the end is allowed).
    fn open_at<'g>(
        &self,
        guard: &'g mut Option<VesselFile>,
        offset: u64,
    ) -> PyResult<&'g mut VesselFile> {
        let Some(open) = guard.as_mut() else {
            return Err(FileClosedError::new_err(format!(
                "File '{}' is already closed!",
                self.name
            )));
        };
        if offset > open.size {
            return Err(SeekPastEndOfFileError::new_err(
                "Seek offset extends past the EOF!",
            ));
        }
        Ok(open)
    }
}

#[pymethods]
impl RepyFile {
    /// `readat(sizelimit, offset)`: reads up to `sizelimit` bytes (all, if `None`) at `offset`.
    #[pyo3(signature = (*args, **kwargs))]
    fn readat<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyString>> {
        let [sizelimit, offset] = positional::<2>("readat", args, kwargs)?;
        let sizelimit = args::none_or_int(&sizelimit)?;
        let offset = args::int_at_least(&offset, 0)?;
        if sizelimit.is_some_and(|n| n < 0) {
            return Err(RepyArgumentError::new_err("Negative sizelimit specified!"));
        }
        let offset = u64::try_from(offset).unwrap_or(0);
        charge::before(py, Renewable::FILEREAD)?;
        let data = py.detach(|| -> PyResult<Vec<u8>> {
            let mut guard = self.state();
            let open = self.open_at(&mut guard, offset)?;
            let available = open.size - offset;
            let wanted =
                sizelimit.map_or(available, |n| available.min(u64::try_from(n).unwrap_or(0)));
            let mut buffer = vec![0u8; usize::try_from(wanted).unwrap_or(usize::MAX)];
            let mut filled = 0;
            while filled < buffer.len() {
                match open
                    .file
                    .read_at(&mut buffer[filled..], offset + filled as u64)
                {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(crate::errors::internal(format!("read failed: {e}"))),
                }
            }
            buffer.truncate(filled);
            Ok(buffer)
        })?;
        charge::after(
            py,
            Renewable::FILEREAD,
            block_charge(offset, data.len() as u64),
        )?;
        args::data_to_str(py, &data)
    }

    /// `writeat(data, offset)`: writes `data` at `offset` (at most the current size).
    #[pyo3(signature = (*args, **kwargs))]
    fn writeat(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let [data, offset] = positional::<2>("writeat", args, kwargs)?;
        let data = args::data(&data)?;
        let offset = u64::try_from(args::int_at_least(&offset, 0)?).unwrap_or(0);
        charge::before(py, Renewable::FILEWRITE)?;
        py.detach(|| -> PyResult<()> {
            let mut guard = self.state();
            let open = self.open_at(&mut guard, offset)?;
            // The growth is reserved against `diskused` before anything is written.
            let end = offset.saturating_add(data.len() as u64);
            let growth = end.saturating_sub(open.size);
            charge::reserve_disk(growth);
            let written = open.file.write_all_at(&data, offset);
            charge::disk_written(growth);
            written.map_err(|e| crate::errors::write_failed(&self.name, &e))?;
            open.size = open.size.max(offset + data.len() as u64);
            Ok(())
        })?;
        charge::after(
            py,
            Renewable::FILEWRITE,
            block_charge(offset, data.len() as u64),
        )
    }

    /// `close()`: closes the handle; a second close raises `FileClosedError`.
    #[pyo3(signature = (*args, **kwargs))]
    fn close(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        positional::<0>("close", args, kwargs)?;
        let closed = py.detach(|| self.state().take());
        if closed.is_none() {
            return Err(FileClosedError::new_err(format!(
                "File '{}' is already closed!",
                self.name
            )));
        }
        // Dropping the file closes it and gives back its name and `filesopened` item.
        drop(closed);
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!("<Namespace wrapped file: {}>", self.name)
    }
}

/// `openfile(filename, create)`: opens a file of the vessel directory, creating it if
/// `create` is true. Never truncates.
#[pyfunction(signature = (*args, **kwargs))]
pub fn openfile(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RepyFile> {
    let [filename, create] = positional::<2>("openfile", args, kwargs)?;
    let filename = args::exact_str(&filename)?;
    let create = args::exact_bool(&create)?;
    check_filename(&filename)?;
    let how = OpenHow {
        read: true,
        write: true,
        create,
        ..OpenHow::default()
    };
    match open_in_vessel(py, &filename, how) {
        Ok(open) => Ok(RepyFile {
            name: filename,
            state: Mutex::new(Some(open)),
        }),
        Err(OpenError::InUse) => Err(FileInUseError::new_err(format!(
            "Cannot open file \"{filename}\" because it is already open!"
        ))),
        Err(OpenError::Missing | OpenError::NotRegular { .. }) => Err(FileNotFoundError::new_err(
            format!("Cannot openfile non-existent file \"{filename}\" without creating it!"),
        )),
        Err(OpenError::Os(err)) => Err(crate::errors::open_failed(&filename, &err)),
        // Never happens: `openfile` does not open exclusively.
        Err(OpenError::Exists) => Err(FileError::new_err(format!(
            "Cannot open file \"{filename}\": it exists"
        ))),
        Err(OpenError::Charge(err)) => Err(err),
    }
}

/// `listfiles()`: every entry of the vessel directory, unfiltered (as RepyV2).
#[pyfunction(signature = (*args, **kwargs))]
pub fn listfiles<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyList>> {
    positional::<0>("listfiles", args, kwargs)?;
    charge::before(py, Renewable::FILEREAD)?;
    let slot = crate::descriptors::take("list the vessel directory")?;
    let names = py.detach(|| -> PyResult<Vec<String>> {
        let entries = std::fs::read_dir(".").map_err(|e| match e.raw_os_error() {
            Some(libc::EMFILE | libc::ENFILE | libc::ENOMEM) => {
                ResourceExhaustedError::new_err(format!("Cannot list the vessel directory: {e}"))
            }
            _ => crate::errors::internal(format!("cannot list the vessel directory: {e}")),
        })?;
        Ok(entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect())
    })?;
    drop(slot);
    charge::after(py, Renewable::FILEREAD, BLOCK)?;
    PyList::new(py, names)
}

/// `removefile(filename)`: deletes a closed file of the vessel directory.
#[pyfunction(signature = (*args, **kwargs))]
pub fn removefile(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    let [filename] = positional::<1>("removefile", args, kwargs)?;
    let filename = args::exact_str(&filename)?;
    check_filename(&filename)?;
    // The name is claimed for the whole removal, as an open handle would claim it: an
    // `openfile` of the same name meanwhile (while this call waits on its charges) gets
    // FileInUseError, and a file held open can never be unlinked from under its handle.
    {
        let mut names = open_names();
        let names = names.get_or_insert_with(HashSet::new);
        if !names.insert(filename.clone()) {
            return Err(FileInUseError::new_err(format!(
                "Cannot remove file \"{filename}\" because it is in use!"
            )));
        }
    }
    let removed = remove_claimed(py, &filename);
    if let Some(names) = open_names().as_mut() {
        names.remove(&filename);
    }
    removed
}

/// The part of `removefile` that runs while the name is claimed.
fn remove_claimed(py: Python<'_>, filename: &str) -> PyResult<()> {
    charge::after(py, Renewable::FILEREAD, BLOCK)?;
    if !is_regular_file(filename) {
        return Err(FileNotFoundError::new_err(format!(
            "Cannot remove non-existent file \"{filename}\"."
        )));
    }
    charge::after(py, Renewable::FILEWRITE, BLOCK)?;
    let removed = py.detach(|| {
        let size = std::fs::symlink_metadata(filename).map_or(0, |m| m.len());
        std::fs::remove_file(filename).map(|()| size)
    });
    match removed {
        Ok(size) => {
            charge::disk_freed(size);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FileNotFoundError::new_err(
            format!("Cannot remove non-existent file \"{filename}\"."),
        )),
        // A vessel the sandbox may not change (a read-only input directory, say) is the
        // program's problem, not the sandbox's: the same FileError openfile raises there.
        Err(e) => match e.raw_os_error() {
            Some(libc::EACCES | libc::EPERM | libc::EROFS | libc::EBUSY) => Err(
                FileError::new_err(format!("Cannot remove file \"{filename}\": {e}")),
            ),
            _ => Err(crate::errors::internal(format!(
                "cannot remove '{filename}': {e}"
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_charge_matches_repyv2() {
        assert_eq!(block_charge(0, 1), 4096);
        assert_eq!(block_charge(4090, 8), 8192);
        assert_eq!(block_charge(0, 0), 0);
        assert_eq!(block_charge(5, 0), 4096);
        assert_eq!(block_charge(4096, 4096), 4096);
        assert_eq!(block_charge(4095, 4098), 12288);
    }
}
