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

/// Applies RepyV2's filename rule.
pub fn check_filename(name: &str) -> PyResult<()> {
    if name.chars().count() > MAX_FILENAME {
        return Err(RepyArgumentError::new_err(format!(
            "Max string length is {MAX_FILENAME}"
        )));
    }
    if name.is_empty() {
        return Err(RepyArgumentError::new_err("Illegal filename provided!"));
    }
    if name == "." || name == ".." {
        return Err(RepyArgumentError::new_err("Illegal filename provided!"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-'))
    {
        return Err(RepyArgumentError::new_err(format!(
            "Filename has disallowed character '{bad}'"
        )));
    }
    if name.starts_with('.') {
        return Err(RepyArgumentError::new_err(
            "Filename starts with a period, this is not allowed!",
        ));
    }
    Ok(())
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

/// An open file's state.
struct OpenFile {
    file: File,
    size: u64,
    /// Counts the descriptor in the API's budget while the file is open.
    _slot: crate::descriptors::Slot,
}

/// A file handle returned by `openfile`.
#[pyclass(frozen, immutable_type, name = "file", module = "repy")]
pub struct RepyFile {
    name: String,
    key: u64,
    state: Mutex<Option<OpenFile>>,
}

impl RepyFile {
    fn state(&self) -> MutexGuard<'_, Option<OpenFile>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Releases the handle's claims (the name and the `filesopened` item).
    fn release(&self) {
        if let Some(names) = open_names().as_mut() {
            names.remove(&self.name);
        }
        charge::release(Item::FILESOPENED, self.item_key());
    }

    /// The open file, for I/O at `offset`: `FileClosedError` once closed,
    /// `SeekPastEndOfFileError` past the end (at exactly the end is allowed).
    fn open_at<'g>(
        &self,
        guard: &'g mut Option<OpenFile>,
        offset: u64,
    ) -> PyResult<&'g mut OpenFile> {
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

    fn item_key(&self) -> u64 {
        self.key
    }
}

impl Drop for RepyFile {
    fn drop(&mut self) {
        let was_open = self.state().take().is_some();
        if was_open {
            self.release();
        }
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
        self.release();
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
    {
        let mut names = open_names();
        let names = names.get_or_insert_with(HashSet::new);
        if names.contains(&filename) {
            return Err(FileInUseError::new_err(format!(
                "Cannot open file \"{filename}\" because it is already open!"
            )));
        }
        names.insert(filename.clone());
    }
    let handle = RepyFile {
        key: charge::new_key(),
        name: filename.clone(),
        state: Mutex::new(None),
    };
    let opened = (|| -> PyResult<OpenFile> {
        let mut reserved = 0;
        charge::acquire(Item::FILESOPENED, handle.item_key())?;
        charge::after(py, Renewable::FILEREAD, BLOCK)?;
        if !is_regular_file(&filename) {
            if !create {
                return Err(FileNotFoundError::new_err(format!(
                    "Cannot openfile non-existent file \"{filename}\" without creating it!"
                )));
            }
            charge::after(py, Renewable::FILEWRITE, BLOCK)?;
            // A new directory entry counts against `diskused` too.
            py.detach(|| charge::reserve_disk(nanny::measure::DISK_ENTRY_OVERHEAD));
            // Ended once the file exists (or creating it failed).
            reserved = nanny::measure::DISK_ENTRY_OVERHEAD;
        }
        let slot = crate::descriptors::take("open a file")?;
        py.detach(|| {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(create)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&filename);
            charge::disk_written(reserved);
            let file = file.map_err(|e| crate::errors::open_failed(&filename, &e))?;
            let size = file
                .metadata()
                .map(|m| m.len())
                .map_err(|e| crate::errors::open_failed(&filename, &e))?;
            Ok(OpenFile {
                file,
                size,
                _slot: slot,
            })
        })
    })();
    match opened {
        Ok(open) => {
            *handle.state() = Some(open);
            Ok(handle)
        }
        Err(err) => {
            handle.release();
            Err(err)
        }
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
