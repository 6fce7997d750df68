//! The `python` profile's `open()`: Python-style file objects on the vessel directory only.
//!
//! `open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None)` opens a
//! file of the vessel through [`crate::files::open_in_vessel`], the path `openfile` takes:
//! the same filename rule, the same claim (one handle per file), `filesopened` item,
//! existence-check and creation charges, `diskused` reservations and `O_NOFOLLOW`. What
//! differs is the object: a [`PyFile`] with CPython's file methods and exceptions
//! (`FileNotFoundError: [Errno 2] No such file or directory: 'x'`), and nothing else — no
//! `fileno()`, no `buffer`, no `__dict__`.
//!
//! Reads go through an 8 KiB read-ahead buffer, each read from the file charged to
//! `fileread` as `readat` is (4,096 per block touched). Writes go to the file at once (no
//! data waits in the sandbox, so nothing is lost when the program ends without closing),
//! charged to `filewrite` per 4 KiB block touched, a block that the previous write already
//! touched not counted again: a run of small sequential writes costs what one buffered write
//! of the same bytes would. Text is UTF-8 (or ASCII, or Latin-1), decoded and encoded here
//! in Rust: the sandbox's interpreter has no codec registry.

use std::os::unix::fs::FileExt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::exceptions::{
    PyFileExistsError, PyIsADirectoryError, PyLookupError, PyOSError, PyPermissionError,
    PyTypeError, PyUnicodeDecodeError, PyUnicodeEncodeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyInt, PyList, PyString, PyTuple, PyType};

use crate::charge::{self, Renewable};
use crate::files::{block_charge, OpenError, OpenHow, VesselFile, BLOCK};

/// The read-ahead buffer's size (CPython's `io.DEFAULT_BUFFER_SIZE`).
const CHUNK: usize = 8192;

/// A text encoding `open()` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, the default.
    Utf8,
    /// 7-bit ASCII.
    Ascii,
    /// ISO-8859-1: one byte per character.
    Latin1,
}

impl Encoding {
    /// The encoding named `name`, with CPython's aliases (case, `-`, `_` and spaces
    /// ignored); `None` for any other codec.
    pub fn lookup(name: &str) -> Option<Encoding> {
        let normal: String = name
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        match normal.as_str() {
            "utf8" | "u8" | "utf" | "cp65001" => Some(Encoding::Utf8),
            "ascii" | "usascii" | "646" | "us" | "ansix3.41968" => Some(Encoding::Ascii),
            "latin1" | "latin" | "l1" | "iso88591" | "8859" | "cp819" | "iso8859" => {
                Some(Encoding::Latin1)
            }
            _ => None,
        }
    }

    /// The codec's name in Unicode errors, as CPython spells it.
    fn codec(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Ascii => "ascii",
            Encoding::Latin1 => "latin-1",
        }
    }

    /// The file bytes of `text`, decoded text of this encoding (strict: one character per
    /// byte for ASCII and Latin-1).
    fn byte_len(self, text: &str) -> u64 {
        match self {
            Encoding::Utf8 | Encoding::Ascii => text.len() as u64,
            Encoding::Latin1 => text.chars().count() as u64,
        }
    }
}

/// An error handler `open()` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errors {
    /// Raise `UnicodeDecodeError` / `UnicodeEncodeError` (the default).
    Strict,
    /// Replace with U+FFFD when decoding, `?` when encoding.
    Replace,
    /// Drop what cannot be decoded or encoded.
    Ignore,
}

impl Errors {
    fn lookup(name: &str) -> Option<Errors> {
        match name {
            "strict" => Some(Errors::Strict),
            "replace" => Some(Errors::Replace),
            "ignore" => Some(Errors::Ignore),
            _ => None,
        }
    }
}

/// The `newline` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Newline {
    /// `None`: universal newlines, `\r\n` and `\r` read as `\n`.
    Translate,
    /// `""`: universal newlines, lines end at any of them, nothing translated.
    Universal,
    /// `"\n"`.
    Lf,
    /// `"\r"`: lines end at `\r`; `\n` is written as `\r`.
    Cr,
    /// `"\r\n"`: lines end at `\r\n`; `\n` is written as `\r\n`.
    CrLf,
}

impl Newline {
    fn universal(self) -> bool {
        matches!(self, Newline::Translate | Newline::Universal)
    }
}

/// A decoding error, placed in the bytes given to [`decode`].
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeFailure {
    start: usize,
    end: usize,
    reason: &'static str,
}

/// Decodes the longest prefix of `input` that can be decoded now (all of it when `last`),
/// returning the text and the bytes consumed; an incomplete UTF-8 sequence at the end is
/// left for the next call.
pub fn decode(
    encoding: Encoding,
    errors: Errors,
    input: &[u8],
    last: bool,
) -> Result<(String, usize), DecodeFailure> {
    let mut text = String::with_capacity(input.len());
    let mut at = 0;
    let handle = |text: &mut String, failure: DecodeFailure| match errors {
        Errors::Strict => Err(failure),
        Errors::Replace => {
            text.push('\u{fffd}');
            Ok(())
        }
        Errors::Ignore => Ok(()),
    };
    match encoding {
        Encoding::Latin1 => {
            text.extend(input.iter().map(|&b| char::from(b)));
            at = input.len();
        }
        Encoding::Ascii => {
            for (i, &b) in input.iter().enumerate() {
                if b.is_ascii() {
                    text.push(char::from(b));
                } else {
                    let reason = "ordinal not in range(128)";
                    handle(
                        &mut text,
                        DecodeFailure {
                            start: i,
                            end: i + 1,
                            reason,
                        },
                    )?;
                }
            }
            at = input.len();
        }
        Encoding::Utf8 => {
            while at < input.len() {
                match std::str::from_utf8(&input[at..]) {
                    Ok(valid) => {
                        text.push_str(valid);
                        at = input.len();
                    }
                    Err(err) => {
                        let valid_end = at + err.valid_up_to();
                        // `valid_up_to` bytes are valid UTF-8: checked again, not assumed.
                        text.push_str(
                            std::str::from_utf8(&input[at..valid_end]).unwrap_or_default(),
                        );
                        match err.error_len() {
                            None if !last => {
                                at = valid_end;
                                break;
                            }
                            None => {
                                let failure = DecodeFailure {
                                    start: valid_end,
                                    end: input.len(),
                                    reason: "unexpected end of data",
                                };
                                handle(&mut text, failure)?;
                                at = input.len();
                            }
                            Some(len) => {
                                let lead = input[valid_end];
                                let reason = if (0xc2..=0xf4).contains(&lead) {
                                    "invalid continuation byte"
                                } else {
                                    "invalid start byte"
                                };
                                let failure = DecodeFailure {
                                    start: valid_end,
                                    end: valid_end + len,
                                    reason,
                                };
                                handle(&mut text, failure)?;
                                at = valid_end + len;
                            }
                        }
                    }
                }
            }
        }
    }
    Ok((text, at))
}

/// Encodes `text` (a Python `str`) for the file; `UnicodeEncodeError` as CPython words it.
fn encode(
    py: Python<'_>,
    encoding: Encoding,
    errors: Errors,
    text: &Bound<'_, PyString>,
) -> PyResult<Vec<u8>> {
    // A lone surrogate is refused here with CPython's own UnicodeEncodeError, whatever the
    // handler: `replace` and `ignore` apply to characters the encoding lacks.
    let s = text.to_str()?;
    let limit: u32 = match encoding {
        Encoding::Utf8 => return Ok(s.as_bytes().to_vec()),
        Encoding::Ascii => 0x80,
        Encoding::Latin1 => 0x100,
    };
    let mut out = Vec::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if u32::from(c) < limit {
            // Below 0x100: one byte, by construction.
            out.push(u8::try_from(u32::from(c)).unwrap_or(b'?'));
            i += 1;
            continue;
        }
        let end = chars[i..]
            .iter()
            .position(|c| u32::from(*c) < limit)
            .map_or(chars.len(), |n| i + n);
        match errors {
            Errors::Strict => {
                let reason = if limit == 0x80 {
                    "ordinal not in range(128)"
                } else {
                    "ordinal not in range(256)"
                };
                let err = py.get_type::<PyUnicodeEncodeError>().call1((
                    encoding.codec(),
                    text,
                    i,
                    end,
                    reason,
                ))?;
                return Err(PyErr::from_value(err));
            }
            Errors::Replace => out.extend(std::iter::repeat_n(b'?', end - i)),
            Errors::Ignore => {}
        }
        i = end;
    }
    Ok(out)
}

/// Why an operation on an open file failed, made into a Python exception once the
/// interpreter is held again.
#[derive(Debug)]
enum Failure {
    Closed,
    NotReadable,
    NotWritable,
    Unsupported(&'static str),
    Decode {
        codec: &'static str,
        object: Vec<u8>,
        failure: DecodeFailure,
    },
    Py(PyErr),
}

impl From<PyErr> for Failure {
    fn from(err: PyErr) -> Self {
        Failure::Py(err)
    }
}

impl Failure {
    fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Closed => PyValueError::new_err("I/O operation on closed file."),
            Failure::NotReadable => unsupported(py, "not readable"),
            Failure::NotWritable => unsupported(py, "not writable"),
            Failure::Unsupported(message) => unsupported(py, message),
            Failure::Decode {
                codec,
                object,
                failure,
            } => {
                let made = py.get_type::<PyUnicodeDecodeError>().call1((
                    codec,
                    PyBytes::new(py, &object),
                    failure.start,
                    failure.end,
                    failure.reason,
                ));
                match made {
                    Ok(err) => PyErr::from_value(err),
                    Err(err) => err,
                }
            }
            Failure::Py(err) => err,
        }
    }
}

/// `io.UnsupportedOperation` as CPython defines it (an `OSError` and a `ValueError`, shown as
/// `io.UnsupportedOperation`), made before the program runs; `ValueError` should it be
/// missing. The sandbox's own class rather than `_io`'s: the program cannot import `io`, so
/// only its name and bases show, and importing `_io` cost every start about 0.3 ms.
static UNSUPPORTED: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn unsupported(py: Python<'_>, message: &str) -> PyErr {
    match UNSUPPORTED.get(py) {
        Some(class) => PyErr::from_type(class.bind(py).clone(), message.to_owned()),
        None => PyValueError::new_err(message.to_owned()),
    }
}

/// `FileNotFoundError` for `open()`: CPython's class, and RepyV2's of the same name as a
/// second base, so both `except FileNotFoundError` (the name is RepyV2's in the sandbox)
/// and `except OSError` catch it.
static NOT_FOUND: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Makes the classes `open()` raises; called before the program runs.
pub fn prepare(py: Python<'_>) -> PyResult<()> {
    UNSUPPORTED.get_or_try_init(py, || {
        let bases = [
            py.get_type::<pyo3::exceptions::PyOSError>(),
            py.get_type::<PyValueError>(),
        ];
        exception_class(py, "UnsupportedOperation", "io", &bases, "")
    })?;
    NOT_FOUND.get_or_try_init(py, || {
        let bases = [
            py.get_type::<pyo3::exceptions::PyFileNotFoundError>(),
            py.get_type::<crate::exceptions::FileNotFoundError>(),
        ];
        exception_class(
            py,
            "FileNotFoundError",
            "builtins",
            &bases,
            "File not found (CPython's class, and RepyV2's as a second base).",
        )
    })?;
    Ok(())
}

/// A new exception class `name` of module `module` deriving from `bases`.
fn exception_class(
    py: Python<'_>,
    name: &str,
    module: &str,
    bases: &[Bound<'_, PyType>],
    doc: &str,
) -> PyResult<Py<PyType>> {
    let namespace = pyo3::types::PyDict::new(py);
    namespace.set_item("__module__", module)?;
    if !doc.is_empty() {
        namespace.set_item("__doc__", doc)?;
    }
    Ok(py
        .get_type::<PyType>()
        .call1((name, PyTuple::new(py, bases)?, namespace))?
        .cast_into::<PyType>()?
        .unbind())
}

/// An `OSError` of class `class` as CPython raises it for a file:
/// `[Errno N] text: 'name'`.
fn os_error<E: pyo3::PyTypeInfo>(errno: i32, text: &str, name: &str) -> PyErr {
    PyErr::new::<E, _>((errno, text.to_owned(), name.to_owned()))
}

fn not_found(py: Python<'_>, name: &str) -> PyErr {
    let args = (libc::ENOENT, "No such file or directory", name.to_owned());
    match NOT_FOUND.get(py) {
        Some(class) => match class.bind(py).call1(args) {
            Ok(err) => PyErr::from_value(err),
            Err(err) => err,
        },
        None => PyErr::new::<pyo3::exceptions::PyFileNotFoundError, _>(args),
    }
}

/// The refusal of a symbolic link or special file: the sandbox opens regular files only.
fn not_regular(name: &str) -> PyErr {
    os_error::<PyPermissionError>(
        libc::EACCES,
        "Permission denied (open() in the sandbox opens regular files only, never through a \
         symbolic link)",
        name,
    )
}

/// The text side of a file opened in text mode: decoded text not yet read, and the bytes
/// read from the file but not yet decoded.
#[derive(Debug)]
struct Text {
    encoding: Encoding,
    errors: Errors,
    newline: Newline,
    /// Decoded (and, under `newline=None`, translated) text.
    decoded: String,
    /// How much of `decoded` has been read (a byte index of the string).
    read: usize,
    /// The file offset of `decoded`'s first character.
    start: u64,
    /// Indices in `decoded` of the `\n`s that stand for a `\r\n` of the file.
    collapsed: Vec<usize>,
    /// File bytes after `decoded`'s, not decoded yet (an incomplete character, a `\r`).
    carry: Vec<u8>,
    /// The file's end was reached and everything decoded.
    ended: bool,
}

/// An open file: the vessel file and the position, read-ahead and text state over it.
#[derive(Debug)]
struct Stream {
    file: VesselFile,
    name: String,
    readable: bool,
    writable: bool,
    append: bool,
    /// The position of the next read or write, in bytes.
    pos: u64,
    /// Bytes read ahead from the file at `ahead_start`.
    ahead: Vec<u8>,
    ahead_start: u64,
    /// The last block the previous write touched (not charged again by the next).
    last_write_block: Option<u64>,
    text: Option<Text>,
    /// `fileread` and `filewrite` bytes to charge once the interpreter is held again.
    read_charge: u64,
    write_charge: u64,
}

impl Stream {
    /// The read-ahead bytes at `pos`, reading a chunk when there are none (empty at the end).
    fn fill(&mut self) -> Result<&[u8], Failure> {
        let in_ahead =
            self.pos >= self.ahead_start && self.pos < self.ahead_start + self.ahead.len() as u64;
        if !in_ahead {
            self.ahead = self.read_at(self.pos, CHUNK)?;
            self.ahead_start = self.pos;
        }
        let from = usize::try_from(self.pos - self.ahead_start).unwrap_or(usize::MAX);
        Ok(self.ahead.get(from..).unwrap_or(&[]))
    }

    /// Reads up to `len` bytes at `offset` from the file (none past its end), charged.
    fn read_at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, Failure> {
        let available = self.file.size.saturating_sub(offset);
        let len = len.min(usize::try_from(available).unwrap_or(usize::MAX));
        let mut buffer = vec![0u8; len];
        let mut filled = 0;
        while filled < len {
            match self
                .file
                .file
                .read_at(&mut buffer[filled..], offset + filled as u64)
            {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(crate::errors::internal(format!("read failed: {e}")).into()),
            }
        }
        buffer.truncate(filled);
        if filled > 0 {
            self.read_charge += block_charge(offset, filled as u64);
        }
        Ok(buffer)
    }

    /// Reads up to `limit` bytes (to the end if `None`), stopping after `stop` if given.
    fn read_bytes(&mut self, limit: Option<usize>, stop: Option<u8>) -> Result<Vec<u8>, Failure> {
        let mut out = Vec::new();
        loop {
            let wanted = limit.map_or(usize::MAX, |n| n - out.len());
            if wanted == 0 {
                break;
            }
            if limit.is_none()
                && stop.is_none()
                && self.ahead_start + (self.ahead.len() as u64) <= self.pos
            {
                // The rest of the file at once.
                let rest =
                    usize::try_from(self.file.size.saturating_sub(self.pos)).unwrap_or(usize::MAX);
                let data = self.read_at(self.pos, rest)?;
                self.pos += data.len() as u64;
                out.extend(data);
                break;
            }
            let chunk = self.fill()?;
            if chunk.is_empty() {
                break;
            }
            let mut take = chunk.len().min(wanted);
            let mut done = false;
            if let Some(byte) = stop {
                if let Some(i) = chunk[..take].iter().position(|b| *b == byte) {
                    take = i + 1;
                    done = true;
                }
            }
            out.extend_from_slice(&chunk[..take]);
            self.pos += take as u64;
            if done {
                break;
            }
        }
        Ok(out)
    }

    /// Writes `data` at the position (at the end in append mode), at once.
    fn write_bytes(&mut self, data: &[u8]) -> Result<(), Failure> {
        if data.is_empty() {
            return Ok(());
        }
        if self.append {
            self.pos = self.file.size;
        }
        self.ahead.clear();
        let offset = self.pos;
        let end = offset.saturating_add(data.len() as u64);
        // The growth is reserved against `diskused` before anything is written.
        let growth = end.saturating_sub(self.file.size);
        charge::reserve_disk(growth);
        let written = self.file.file.write_all_at(data, offset);
        charge::disk_written(growth);
        written.map_err(|e| crate::errors::write_failed(&self.name, &e))?;
        self.file.size = self.file.size.max(end);
        self.pos = end;
        let first = offset / BLOCK;
        let last = (end - 1) / BLOCK;
        let mut blocks = last - first + 1;
        if self.last_write_block == Some(first) {
            blocks -= 1;
        }
        self.last_write_block = Some(last);
        self.write_charge += blocks * BLOCK;
        Ok(())
    }

    /// Decodes the next chunk of the file into the text state; false at the end.
    fn fill_text(&mut self) -> Result<bool, Failure> {
        let Some(text) = self.text.as_ref() else {
            return Ok(false);
        };
        if text.ended {
            return Ok(false);
        }
        let (encoding, errors, newline) = (text.encoding, text.errors, text.newline);
        let chunk = self.fill()?.to_vec();
        self.pos += chunk.len() as u64;
        let at_end = chunk.is_empty();
        let Some(text) = self.text.as_mut() else {
            return Ok(false);
        };
        if text.read == text.decoded.len() {
            // Everything decoded was read: start afresh where the carried bytes begin.
            text.start = self.pos - chunk.len() as u64 - text.carry.len() as u64;
            text.decoded.clear();
            text.collapsed.clear();
            text.read = 0;
        }
        let mut bytes = std::mem::take(&mut text.carry);
        bytes.extend_from_slice(&chunk);
        // A final `\r` waits for the next byte: it may be half of a `\r\n`.
        let hold = usize::from(!at_end && newline.universal() && bytes.last() == Some(&b'\r'));
        let upto = bytes.len() - hold;
        let (decoded, used) = match decode(encoding, errors, &bytes[..upto], at_end) {
            Ok(done) => done,
            Err(failure) => {
                return Err(Failure::Decode {
                    codec: encoding.codec(),
                    object: bytes,
                    failure,
                })
            }
        };
        text.carry = bytes[used..].to_vec();
        if newline == Newline::Translate {
            let mut chars = decoded.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\r' {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                        text.collapsed.push(text.decoded.len());
                    }
                    text.decoded.push('\n');
                } else {
                    text.decoded.push(c);
                }
            }
        } else {
            text.decoded.push_str(&decoded);
        }
        if at_end {
            text.ended = true;
        }
        Ok(!decoded.is_empty() || !at_end)
    }

    fn text_mut(&mut self) -> Result<&mut Text, Failure> {
        self.text
            .as_mut()
            .ok_or(Failure::Unsupported("not a text file"))
    }

    /// Reads up to `limit` characters (all if `None`) of text.
    fn read_text(&mut self, limit: Option<usize>) -> Result<String, Failure> {
        loop {
            let text = self.text_mut()?;
            let pending = &text.decoded[text.read..];
            if let Some(n) = limit {
                if let Some((end, _)) = pending.char_indices().nth(n) {
                    let out = pending[..end].to_owned();
                    text.read += end;
                    return Ok(out);
                }
            }
            if !self.fill_text()? {
                let text = self.text_mut()?;
                let out = text.decoded[text.read..].to_owned();
                text.read = text.decoded.len();
                return Ok(out);
            }
        }
    }

    /// Reads one line of text (at most `limit` characters).
    fn readline_text(&mut self, limit: Option<usize>) -> Result<String, Failure> {
        loop {
            let text = self.text_mut()?;
            let pending = &text.decoded[text.read..];
            let ended = text.ended;
            // The end of the line in `pending` (after its terminator), if it is known yet.
            let end = match text.newline {
                Newline::Translate | Newline::Lf => pending.find('\n').map(|i| Some(i + 1)),
                Newline::Cr => pending.find('\r').map(|i| Some(i + 1)),
                Newline::CrLf => pending.find("\r\n").map(|i| Some(i + 2)),
                Newline::Universal => pending.find(['\r', '\n']).map(|i| {
                    if pending.as_bytes()[i] == b'\n' {
                        Some(i + 1)
                    } else if i + 1 < pending.len() {
                        Some(i + 1 + usize::from(pending.as_bytes()[i + 1] == b'\n'))
                    } else if ended {
                        Some(i + 1)
                    } else {
                        None
                    }
                }),
            }
            .flatten();
            let cut = limit.and_then(|n| pending.char_indices().nth(n).map(|(i, _)| i));
            let take = match (end, cut) {
                (Some(e), Some(c)) => Some(e.min(c)),
                (Some(e), None) => Some(e),
                (None, Some(c)) => Some(c),
                (None, None) if ended => Some(pending.len()),
                (None, None) => None,
            };
            if let Some(take) = take {
                let out = pending[..take].to_owned();
                text.read += take;
                return Ok(out);
            }
            // More text, or the end (the next round then takes what is left).
            self.fill_text()?;
        }
    }

    /// The byte position the program is at: in text mode, where the next unread character
    /// starts in the file.
    fn tell(&self) -> Result<u64, Failure> {
        let Some(text) = self.text.as_ref() else {
            return Ok(self.pos);
        };
        let base = self.pos - text.carry.len() as u64;
        if text.read == text.decoded.len() {
            return Ok(base);
        }
        if text.errors != Errors::Strict {
            return Err(Failure::Unsupported(
                "tell() in text mode with errors other than 'strict' works only when no text \
                 read ahead is pending (at the start, after seek() or a write, at the end)",
            ));
        }
        let read = &text.decoded[..text.read];
        let collapsed = text.collapsed.iter().filter(|&&i| i < text.read).count() as u64;
        Ok(text.start + text.encoding.byte_len(read) + collapsed)
    }

    /// Moves to byte `offset`, dropping the text read ahead.
    fn seek_to(&mut self, offset: u64) {
        self.pos = offset;
        if let Some(text) = self.text.as_mut() {
            text.decoded.clear();
            text.collapsed.clear();
            text.read = 0;
            text.carry.clear();
            text.start = offset;
            text.ended = false;
        }
    }
}

/// A file object of `open()`: CPython's file methods, nothing more.
#[pyclass(frozen, immutable_type, name = "pyfile", module = "repy")]
pub struct PyFile {
    name: String,
    mode: String,
    binary: bool,
    encoding_label: String,
    state: Mutex<Option<Stream>>,
}

impl PyFile {
    fn state(&self) -> MutexGuard<'_, Option<Stream>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `op` on the open stream with the interpreter released, then charges what it read
    /// and wrote; `ValueError` once closed.
    fn with_stream<T: Send>(
        &self,
        py: Python<'_>,
        op: impl FnOnce(&mut Stream) -> Result<T, Failure> + Send,
    ) -> PyResult<T> {
        let (result, read, written) = py.detach(|| {
            let mut guard = self.state();
            match guard.as_mut() {
                None => (Err(Failure::Closed), 0, 0),
                Some(stream) => {
                    let result = op(stream);
                    let read = std::mem::take(&mut stream.read_charge);
                    let written = std::mem::take(&mut stream.write_charge);
                    (result, read, written)
                }
            }
        });
        if read > 0 {
            charge::after(py, Renewable::FILEREAD, read)?;
        }
        if written > 0 {
            charge::after(py, Renewable::FILEWRITE, written)?;
        }
        result.map_err(|failure| failure.into_pyerr(py))
    }

    fn check_readable(&self, py: Python<'_>) -> PyResult<()> {
        self.with_stream(py, |s| {
            if s.readable {
                Ok(())
            } else {
                Err(Failure::NotReadable)
            }
        })?;
        charge::before(py, Renewable::FILEREAD)
    }

    fn check_writable(&self, py: Python<'_>) -> PyResult<()> {
        self.with_stream(py, |s| {
            if s.writable {
                Ok(())
            } else {
                Err(Failure::NotWritable)
            }
        })?;
        charge::before(py, Renewable::FILEWRITE)
    }

    /// One line as `bytes` or `str`; empty at the end.
    fn line<'py>(&self, py: Python<'py>, limit: Option<usize>) -> PyResult<Bound<'py, PyAny>> {
        self.check_readable(py)?;
        if self.binary {
            let data = self.with_stream(py, |s| s.read_bytes(limit, Some(b'\n')))?;
            Ok(PyBytes::new(py, &data).into_any())
        } else {
            let text = self.with_stream(py, |s| s.readline_text(limit))?;
            Ok(PyString::new(py, &text).into_any())
        }
    }
}

/// A size argument: `None` or a negative `int` for "all".
fn size_limit(size: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(size) = size.filter(|s| !s.is_none()) else {
        return Ok(None);
    };
    if !size.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "argument should be integer or None, not '{}'",
            size.get_type().name()?
        )));
    }
    let n: i64 = size.extract()?;
    Ok(usize::try_from(n).ok())
}

#[pymethods]
impl PyFile {
    /// `read(size=-1)`: up to `size` characters (text) or bytes (binary); all if negative.
    #[pyo3(signature = (size = None, /))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        size: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = size_limit(size)?;
        self.check_readable(py)?;
        if self.binary {
            let data = self.with_stream(py, |s| s.read_bytes(limit, None))?;
            Ok(PyBytes::new(py, &data).into_any())
        } else {
            let text = self.with_stream(py, |s| s.read_text(limit))?;
            Ok(PyString::new(py, &text).into_any())
        }
    }

    /// `readline(size=-1)`: the next line, with its line ending; empty at the end.
    #[pyo3(signature = (size = None, /))]
    fn readline<'py>(
        &self,
        py: Python<'py>,
        size: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = size_limit(size)?;
        self.line(py, limit)
    }

    /// `readlines(hint=-1)`: the remaining lines (stopping once `hint` characters are read).
    #[pyo3(signature = (hint = None, /))]
    fn readlines<'py>(
        &self,
        py: Python<'py>,
        hint: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let hint = size_limit(hint)?.filter(|n| *n > 0);
        let lines = PyList::empty(py);
        let mut total = 0;
        loop {
            let line = self.line(py, None)?;
            let len = line.len()?;
            if len == 0 {
                break;
            }
            lines.append(line)?;
            total += len;
            if hint.is_some_and(|h| total >= h) {
                break;
            }
        }
        Ok(lines)
    }

    /// `write(s)`: writes a `str` (text) or `bytes` (binary); returns its length.
    fn write(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<usize> {
        if self.binary {
            let Ok(bytes) = data.cast::<PyBytes>() else {
                return Err(PyTypeError::new_err(format!(
                    "a bytes-like object is required, not '{}'",
                    data.get_type().name()?
                )));
            };
            self.check_writable(py)?;
            let bytes = bytes.as_bytes().to_vec();
            let len = bytes.len();
            self.with_stream(py, move |s| s.write_bytes(&bytes))?;
            return Ok(len);
        }
        let Ok(text) = data.cast::<PyString>() else {
            return Err(PyTypeError::new_err(format!(
                "write() argument must be str, not {}",
                data.get_type().name()?
            )));
        };
        self.check_writable(py)?;
        let (encoding, errors, newline) = self.with_stream(py, |s| {
            let t = s.text_mut()?;
            Ok((t.encoding, t.errors, t.newline))
        })?;
        let chars = text.len()?;
        let mut bytes = encode(py, encoding, errors, text)?;
        let ending: &[u8] = match newline {
            Newline::Cr => b"\r",
            Newline::CrLf => b"\r\n",
            _ => b"\n",
        };
        if ending != b"\n" {
            let mut out = Vec::with_capacity(bytes.len());
            for b in bytes {
                if b == b'\n' {
                    out.extend_from_slice(ending);
                } else {
                    out.push(b);
                }
            }
            bytes = out;
        }
        self.with_stream(py, move |s| {
            // Back to where the program is in the text before writing there.
            let at = s.tell()?;
            s.seek_to(at);
            s.write_bytes(&bytes)?;
            if let Some(text) = s.text.as_mut() {
                text.start = s.pos;
            }
            Ok(())
        })?;
        Ok(chars)
    }

    /// `writelines(lines)`: writes each item of an iterable (no line endings added).
    fn writelines(&self, py: Python<'_>, lines: &Bound<'_, PyAny>) -> PyResult<()> {
        for line in lines.try_iter()? {
            self.write(py, &line?)?;
        }
        Ok(())
    }

    /// `flush()`: nothing waits in the sandbox (every write reaches the file at once); a
    /// closed file raises `ValueError`.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.with_stream(py, |_| Ok(()))
    }

    /// `seek(offset, whence=0)`: moves to a byte position (text mode: a position `tell()`
    /// gave, or the start, or `seek(0, 2)` to the end); returns the new position.
    #[pyo3(signature = (offset, whence = 0, /))]
    fn seek(&self, py: Python<'_>, offset: &Bound<'_, PyAny>, whence: i32) -> PyResult<u64> {
        if !offset.is_instance_of::<PyInt>() {
            return Err(PyTypeError::new_err(format!(
                "'{}' object cannot be interpreted as an integer",
                offset.get_type().name()?
            )));
        }
        let offset: i64 = offset.extract()?;
        if !(0..=2).contains(&whence) {
            return Err(PyValueError::new_err(format!(
                "invalid whence ({whence}, should be 0, 1 or 2)"
            )));
        }
        if !self.binary && whence != 0 && offset != 0 {
            return Err(unsupported(
                py,
                if whence == 1 {
                    "can't do nonzero cur-relative seeks"
                } else {
                    "can't do nonzero end-relative seeks"
                },
            ));
        }
        if whence == 0 && offset < 0 {
            return Err(PyValueError::new_err(format!(
                "negative seek position {offset}"
            )));
        }
        let name = self.name.clone();
        self.with_stream(py, move |s| {
            let base = match whence {
                0 => 0,
                1 => s.tell()?,
                _ => s.file.size,
            };
            let target = i128::from(base) + i128::from(offset);
            let target = u64::try_from(target).map_err(|_| {
                Failure::Py(os_error::<PyOSError>(
                    libc::EINVAL,
                    "Invalid argument",
                    &name,
                ))
            })?;
            s.seek_to(target);
            Ok(target)
        })
    }

    /// `tell()`: the position, in bytes (an opaque number in text mode, for `seek`).
    fn tell(&self, py: Python<'_>) -> PyResult<u64> {
        self.with_stream(py, |s| s.tell())
    }

    /// `close()`: closes the file and gives back its `filesopened` item; closing again does
    /// nothing.
    fn close(&self, py: Python<'_>) {
        let stream = py.detach(|| self.state().take());
        drop(stream);
    }

    /// Whether the file is closed.
    #[getter]
    fn closed(&self) -> bool {
        self.state().is_none()
    }

    /// The file's name, as given to `open()`.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The mode: as given in text mode, CPython's normal form (`rb`, `wb`, `rb+`, ...) in
    /// binary mode.
    #[getter]
    fn mode(&self) -> &str {
        &self.mode
    }

    fn __enter__(slf: Py<Self>, py: Python<'_>) -> PyResult<Py<Self>> {
        slf.get().with_stream(py, |_| Ok(()))?;
        Ok(slf)
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __iter__(slf: Py<Self>, py: Python<'_>) -> PyResult<Py<Self>> {
        slf.get().with_stream(py, |_| Ok(()))?;
        Ok(slf)
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let line = self.line(py, None)?;
        Ok((line.len()? > 0).then_some(line))
    }

    fn __repr__(&self) -> String {
        if self.binary {
            let class = match self.mode.as_str() {
                "rb" => "BufferedReader",
                "wb" | "ab" | "xb" => "BufferedWriter",
                _ => "BufferedRandom",
            };
            format!("<_io.{class} name={:?}>", self.name)
        } else {
            format!(
                "<_io.TextIOWrapper name={:?} mode={:?} encoding={:?}>",
                self.name, self.mode, self.encoding_label
            )
        }
        .replace('"', "'")
    }
}

/// A parsed `mode`.
#[derive(Debug, Default)]
struct Mode {
    how: OpenHow,
    append: bool,
    binary: bool,
}

/// Parses `mode` as CPython's `open()` does, with its messages.
fn parse_mode(mode: &str) -> PyResult<Mode> {
    let invalid = || PyValueError::new_err(format!("invalid mode: '{mode}'"));
    let (mut create, mut read, mut write, mut append, mut plus, mut text, mut binary) =
        (false, false, false, false, false, false, false);
    for (i, c) in mode.char_indices() {
        if mode[i + c.len_utf8()..].contains(c) {
            return Err(invalid());
        }
        match c {
            'x' => create = true,
            'r' => read = true,
            'w' => write = true,
            'a' => append = true,
            '+' => plus = true,
            't' => text = true,
            'b' => binary = true,
            _ => return Err(invalid()),
        }
    }
    if text && binary {
        return Err(PyValueError::new_err(
            "can't have text and binary mode at once",
        ));
    }
    match [create, read, write, append].iter().filter(|b| **b).count() {
        1 => {}
        0 => {
            return Err(PyValueError::new_err(
                "Must have exactly one of create/read/write/append mode and at most one plus",
            ))
        }
        _ => {
            return Err(PyValueError::new_err(
                "must have exactly one of create/read/write/append mode",
            ))
        }
    }
    Ok(Mode {
        how: OpenHow {
            read: read || plus,
            write: write || append || create || plus,
            create: write || append || create,
            exclusive: create,
            truncate: write,
        },
        append,
        binary,
    })
}

/// A `str`-or-`None` argument of `open()`.
fn optional_str(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(None),
        Some(v) => match v.cast::<PyString>() {
            Ok(s) => Ok(Some(s.to_str()?.to_owned())),
            Err(_) => Err(PyTypeError::new_err(format!(
                "open() argument '{name}' must be str or None, not {}",
                v.get_type().name()?
            ))),
        },
    }
}

/// `open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None)`: opens a
/// file of the vessel directory (see the module doc).
#[pyfunction(signature = (file, mode = None, buffering = None, encoding = None, errors = None, newline = None))]
pub fn open(
    py: Python<'_>,
    file: &Bound<'_, PyAny>,
    mode: Option<&Bound<'_, PyAny>>,
    buffering: Option<&Bound<'_, PyAny>>,
    encoding: Option<&Bound<'_, PyAny>>,
    errors: Option<&Bound<'_, PyAny>>,
    newline: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyFile> {
    let name = match file.cast::<PyString>() {
        Ok(name) => name.to_str()?.to_owned(),
        Err(_) if file.is_instance_of::<PyInt>() => {
            return Err(PyTypeError::new_err(
                "open() in the sandbox takes a file name (str), not a file descriptor",
            ))
        }
        Err(_) => {
            return Err(PyTypeError::new_err(format!(
                "open() in the sandbox takes a file name (str), not {}",
                file.get_type().name()?
            )))
        }
    };
    let mode_text = match mode.filter(|m| !m.is_none()) {
        None => "r".to_owned(),
        Some(m) => match m.cast::<PyString>() {
            Ok(s) => s.to_str()?.to_owned(),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "open() argument 'mode' must be str, not {}",
                    m.get_type().name()?
                )))
            }
        },
    };
    let buffering: i64 = match buffering.filter(|b| !b.is_none()) {
        None => -1,
        Some(b) if b.is_instance_of::<PyInt>() => b.extract()?,
        Some(b) => {
            return Err(PyTypeError::new_err(format!(
                "'{}' object cannot be interpreted as an integer",
                b.get_type().name()?
            )))
        }
    };
    let encoding = optional_str("encoding", encoding)?;
    let errors = optional_str("errors", errors)?;
    let newline = optional_str("newline", newline)?;
    let mode = parse_mode(&mode_text)?;
    if mode.binary {
        for (given, what) in [
            (encoding.is_some(), "an encoding"),
            (errors.is_some(), "an errors"),
            (newline.is_some(), "a newline"),
        ] {
            if given {
                return Err(PyValueError::new_err(format!(
                    "binary mode doesn't take {what} argument"
                )));
            }
        }
    } else if buffering == 0 {
        return Err(PyValueError::new_err("can't have unbuffered text I/O"));
    }
    let text = if mode.binary {
        None
    } else {
        let codec = match encoding.as_deref() {
            None => Encoding::Utf8,
            Some(label) => Encoding::lookup(label).ok_or_else(|| {
                PyLookupError::new_err(format!(
                    "unknown encoding: {label} (open() in the sandbox reads and writes utf-8, \
                     ascii or latin-1)"
                ))
            })?,
        };
        let handler = match errors.as_deref() {
            None => Errors::Strict,
            Some(h) => Errors::lookup(h).ok_or_else(|| {
                PyLookupError::new_err(format!(
                    "unknown error handler name '{h}' (open() in the sandbox takes 'strict', \
                     'replace' or 'ignore')"
                ))
            })?,
        };
        let newline = match newline.as_deref() {
            None => Newline::Translate,
            Some("") => Newline::Universal,
            Some("\n") => Newline::Lf,
            Some("\r") => Newline::Cr,
            Some("\r\n") => Newline::CrLf,
            Some(other) => {
                return Err(PyValueError::new_err(format!(
                    "illegal newline value: {other}"
                )))
            }
        };
        Some(Text {
            encoding: codec,
            errors: handler,
            newline,
            decoded: String::new(),
            read: 0,
            start: 0,
            collapsed: Vec::new(),
            carry: Vec::new(),
            ended: false,
        })
    };
    if name.contains('\0') {
        return Err(PyValueError::new_err("embedded null byte"));
    }
    if let Some(problem) = crate::files::filename_problem(&name) {
        return Err(os_error::<PyPermissionError>(
            libc::EACCES,
            &format!(
                "Permission denied (open() in the sandbox opens plain file names of the vessel \
                 directory only: {problem})"
            ),
            &name,
        ));
    }
    let opened = crate::files::open_in_vessel(py, &name, mode.how).map_err(|err| match err {
        OpenError::InUse => os_error::<PyOSError>(
            libc::EBUSY,
            "Device or resource busy (the sandbox allows one open handle per file)",
            &name,
        ),
        OpenError::Missing => not_found(py, &name),
        OpenError::NotRegular { directory: true } => {
            os_error::<PyIsADirectoryError>(libc::EISDIR, "Is a directory", &name)
        }
        OpenError::NotRegular { directory: false } => not_regular(&name),
        OpenError::Exists => os_error::<PyFileExistsError>(libc::EEXIST, "File exists", &name),
        OpenError::Os(e) => match e.raw_os_error() {
            Some(libc::ENOENT) => not_found(py, &name),
            Some(libc::EEXIST) => os_error::<PyFileExistsError>(libc::EEXIST, "File exists", &name),
            Some(libc::EISDIR) => {
                os_error::<PyIsADirectoryError>(libc::EISDIR, "Is a directory", &name)
            }
            Some(libc::ELOOP) => not_regular(&name),
            Some(code @ (libc::EACCES | libc::EPERM | libc::EROFS)) => {
                os_error::<PyPermissionError>(code, "Permission denied", &name)
            }
            _ => crate::errors::open_failed(&name, &e),
        },
        OpenError::Charge(err) => err,
    })?;
    let binary_mode = {
        let h = mode.how;
        let plus = if h.read && h.write { "+" } else { "" };
        if h.exclusive {
            format!("xb{plus}")
        } else if mode.append {
            format!("ab{plus}")
        } else if h.read && h.write {
            "rb+".to_owned()
        } else if h.read {
            "rb".to_owned()
        } else {
            "wb".to_owned()
        }
    };
    let binary = mode.binary;
    Ok(PyFile {
        mode: if binary { binary_mode } else { mode_text },
        binary,
        encoding_label: encoding.unwrap_or_else(|| "UTF-8".to_owned()),
        state: Mutex::new(Some(Stream {
            file: opened,
            name: name.clone(),
            readable: mode.how.read,
            writable: mode.how.write,
            append: mode.append,
            pos: 0,
            ahead: Vec::new(),
            ahead_start: 0,
            last_write_block: None,
            text,
            read_charge: 0,
            write_charge: 0,
        })),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_take_cpythons_aliases_and_nothing_else() {
        for name in ["utf-8", "UTF8", "utf_8", "U8"] {
            assert_eq!(Encoding::lookup(name), Some(Encoding::Utf8), "{name}");
        }
        for name in ["ascii", "US-ASCII", "646"] {
            assert_eq!(Encoding::lookup(name), Some(Encoding::Ascii), "{name}");
        }
        for name in [
            "latin-1",
            "latin1",
            "ISO-8859-1",
            "iso8859_1",
            "L1",
            "cp819",
        ] {
            assert_eq!(Encoding::lookup(name), Some(Encoding::Latin1), "{name}");
        }
        for name in [
            "utf-16", "utf-32", "rot13", "hex", "base64", "zlib", "idna", "",
        ] {
            assert_eq!(Encoding::lookup(name), None, "{name}");
        }
    }

    #[test]
    fn utf8_decoding_keeps_an_incomplete_character_for_the_next_chunk() {
        let bytes = "é✓".as_bytes();
        let (text, used) =
            decode(Encoding::Utf8, Errors::Strict, &bytes[..3], false).expect("decodes");
        assert_eq!((text.as_str(), used), ("é", 2));
        let failure = decode(Encoding::Utf8, Errors::Strict, &bytes[..3], true).expect_err("end");
        assert_eq!(failure.reason, "unexpected end of data");
        let failure = decode(Encoding::Utf8, Errors::Strict, b"ab\xffc", true).expect_err("bad");
        assert_eq!(
            (failure.start, failure.end, failure.reason),
            (2, 3, "invalid start byte")
        );
        let failure = decode(Encoding::Utf8, Errors::Strict, b"\xc3(", true).expect_err("bad");
        assert_eq!(failure.reason, "invalid continuation byte");
        let (text, _) = decode(Encoding::Utf8, Errors::Replace, b"a\xffb", true).expect("replace");
        assert_eq!(text, "a\u{fffd}b");
        let (text, _) = decode(Encoding::Utf8, Errors::Ignore, b"a\xffb", true).expect("ignore");
        assert_eq!(text, "ab");
    }

    #[test]
    fn ascii_and_latin1_decode_one_byte_per_character() {
        let (text, used) =
            decode(Encoding::Latin1, Errors::Strict, b"caf\xe9", false).expect("latin-1");
        assert_eq!((text.as_str(), used), ("café", 4));
        let failure =
            decode(Encoding::Ascii, Errors::Strict, b"caf\xe9", false).expect_err("ascii");
        assert_eq!(
            (failure.start, failure.reason),
            (3, "ordinal not in range(128)")
        );
    }

    #[test]
    fn modes_are_parsed_with_cpythons_rules() {
        let read = parse_mode("r").expect("r");
        assert!(read.how.read && !read.how.write && !read.how.create && !read.binary);
        let write = parse_mode("wb").expect("wb");
        assert!(write.how.write && write.how.truncate && write.how.create && write.binary);
        let append = parse_mode("a+").expect("a+");
        assert!(append.append && append.how.read && append.how.write && !append.how.truncate);
        let exclusive = parse_mode("xt").expect("xt");
        assert!(exclusive.how.exclusive && exclusive.how.create);
        let update = parse_mode("r+b").expect("r+b");
        assert!(update.how.read && update.how.write && !update.how.create);
        Python::initialize();
        Python::attach(|py| {
            for (mode, message) in [
                ("rr", "invalid mode: 'rr'"),
                ("rU", "invalid mode: 'rU'"),
                (
                    "rw",
                    "must have exactly one of create/read/write/append mode",
                ),
                ("", "Must have exactly one of create/read/write/append mode"),
                (
                    "+",
                    "Must have exactly one of create/read/write/append mode",
                ),
                ("rtb", "can't have text and binary mode at once"),
            ] {
                let err = parse_mode(mode).expect_err(mode);
                assert!(err.is_instance_of::<PyValueError>(py), "{mode}");
                assert!(err.to_string().contains(message), "{mode}: {err}");
            }
        });
    }
}
