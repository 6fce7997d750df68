//! Values crossing the sandbox boundary as JSON, both ways: the arguments of a call into the
//! program ([`to_python`]) and what the program hands back ([`to_json`]).
//!
//! [`to_python`], JSON → Python:
//!
//! | JSON | Python |
//! |---|---|
//! | `null` | `None` |
//! | `true`, `false` | `True`, `False` |
//! | integer (no `.`, no exponent), any size | `int` |
//! | number with a `.` or an exponent | `float` (refused beyond a float's range) |
//! | string | `str` |
//! | array | `list` |
//! | object | `dict` with `str` keys |
//!
//! [`to_json`], Python → JSON; nothing else is accepted, not even a subclass of these:
//!
//! | Python (exact type) | JSON |
//! |---|---|
//! | `None` | `null` |
//! | `bool` | `true`, `false` |
//! | `int`, any size | integer, its exact decimal text |
//! | `float`, finite | number, the shortest text that reads back as the same float (`1.0`, `-0.0`, `1e+308`) |
//! | `float` `inf`, `-inf`, `nan` | the strings `"Infinity"`, `"-Infinity"`, `"NaN"` |
//! | `str` without lone surrogates | string |
//! | `list`, `tuple` | array |
//! | `dict` whose keys are all `str` | object |
//!
//! # What the program hands back is never trusted
//!
//! [`to_json`] reads an object built by the untrusted program, and converting it must never
//! run the program's code: no `__str__`, `__repr__`, `__iter__`, `__len__`, `__getitem__`,
//! `__eq__`, `__hash__`, `__index__`, `__float__`, no metaclass hook, no attribute lookup.
//! So only the *exact* built-in types are accepted, recognised by their type pointer
//! (`PyLong_CheckExact` and friends, against CPython's own static type objects, which the
//! program cannot replace); an instance of a subclass, even of `int` or `dict`, is refused,
//! as is every other type, with a [`ValueError`] naming the type (from the type object's
//! C-level name, not from any attribute) and the path to the element, e.g.
//! `value[2]["key"]`. The contents are read only through C-level accessors of those exact
//! types (`PyList_GET_ITEM` by index, `PyDict_Next`, the str's code units, the int's bytes),
//! none of which calls Python code or releases the GIL, so nothing else runs while the
//! conversion reads: no other thread can change a list under it. The one way code could
//! still run without being called — the cyclic garbage collector running finalizers
//! (`__del__`) of the program's garbage when the conversion allocates — is closed by pausing
//! the collector for the conversion (both ways) and restoring its state after.
//!
//! # Choices
//!
//! * **`inf`, `-inf`, `nan`** are not JSON numbers; they become the JSON *strings*
//!   `"Infinity"`, `"-Infinity"` and `"NaN"` (the spellings Python's `json` module writes as
//!   bare tokens). The caller cannot tell them from a program returning those strings;
//!   [`to_python`] turns a string into a `str`, always.
//! * **Integers of any size** cross exactly both ways. This crate enables serde_json's
//!   `arbitrary_precision` feature, so a [`serde_json::Number`] keeps an integer's exact
//!   text (features unify: every crate of the workspace gets text-backed numbers; `as_f64`,
//!   `as_u64` and the text of a number built from a Rust value are unchanged, but a parsed
//!   number is written back as it was read, and equality compares the text). The digits are converted in Rust to and from the int's two's-complement bytes
//!   (`_PyLong_FromByteArray`, `_PyLong_AsByteArray`), so CPython 3.11's limit on
//!   int ↔ decimal-str conversion (`sys.set_int_max_str_digits`, 4300 digits by default)
//!   neither applies nor is touched. That limit exists because the conversion is quadratic;
//!   here [`Limits::max_int_digits`] (default [`DEFAULT_MAX_INT_DIGITS`], which takes about
//!   0.2 s of CPU in a release build) bounds it instead, checked from the int's bit length
//!   (or the JSON text's length) before any conversion work. A JSON number with a fraction
//!   or an exponent is a `float`; one beyond the range of a float (`1e400`) is refused
//!   rather than turned into `inf`.
//! * **Lone surrogates**: a Python `str` may hold code points U+D800–U+DFFF (`'\ud800'`),
//!   which UTF-8, and so JSON text, cannot carry. [`to_json`] refuses such a string (or key)
//!   with [`ValueError::LoneSurrogate`], naming the path, the index and the code point; it
//!   never substitutes a replacement character.
//! * **Limits** ([`Limits`]): containers nest at most [`Limits::max_depth`] levels (default
//!   100), so a list that contains itself fails with [`ValueError::TooDeep`] instead of
//!   looping or exhausting the stack; and the compact JSON text of the result may take at
//!   most [`Limits::max_bytes`] bytes (default 16 MiB), counted as the conversion goes and
//!   checked *before* a large str or int is copied, so the work done on a huge or deeply
//!   shared structure (`[[x] * 1000] * 1000`) stays proportional to the budget.
//! * **Key order**: the workspace's serde_json keeps object keys sorted, so a dict's keys come
//!   out in sorted order, and [`to_python`] builds dicts in that order.

use std::ffi::{c_int, CStr};
use std::fmt::Write as _;

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString};
use serde_json::{Map, Number, Value};

/// Default for [`Limits::max_depth`]: how many containers may nest.
pub const DEFAULT_MAX_DEPTH: usize = 100;
/// Default for [`Limits::max_bytes`]: the size of the compact JSON text [`to_json`] may produce.
pub const DEFAULT_MAX_BYTES: usize = 16 << 20;
/// Default for [`Limits::max_int_digits`]: the decimal digits of one int.
pub const DEFAULT_MAX_INT_DIGITS: usize = 100_000;

/// Bounds on one conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How many containers (lists, tuples, dicts; JSON arrays and objects) may nest: with 100,
    /// `[[…]]` 100 brackets deep passes and 101 deep is refused. A scalar at the top is depth 0.
    pub max_depth: usize,
    /// The largest compact JSON text (`serde_json::to_string`) [`to_json_with`] may produce,
    /// in bytes. [`to_python_with`] ignores it: its input is already in memory.
    pub max_bytes: usize,
    /// The most decimal digits (sign not counted) of one integer, both ways.
    pub max_int_digits: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            max_bytes: DEFAULT_MAX_BYTES,
            max_int_digits: DEFAULT_MAX_INT_DIGITS,
        }
    }
}

/// Why a value cannot cross the boundary. Every variant carries the path to the offending
/// element, written as Python would index it from the top-level `value`: `value`,
/// `value[2]`, `value[2]["key"]` (keys longer than 32 characters are shortened with `…`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A Python value whose type is not one of the allowed exact types.
    #[error(
        "a value of type '{type_name}' at {path} cannot cross the sandbox boundary as JSON \
         (allowed: None, bool, int, float, str, list, tuple, dict with str keys; not their \
         subclasses)"
    )]
    UnsupportedType {
        /// The type's name, as its type object records it.
        type_name: String,
        /// Where the value is.
        path: String,
    },
    /// A dict key that is not an exact `str`.
    #[error(
        "a dict key of type '{type_name}' in the dict at {path} cannot cross the sandbox \
         boundary as JSON (dict keys must be str, not a subclass)"
    )]
    UnsupportedKey {
        /// The key's type name.
        type_name: String,
        /// Where the dict is.
        path: String,
    },
    /// A str (or a dict key, then `path` is the dict's) holding a lone surrogate.
    #[error(
        "{} at {path} contains the lone surrogate U+{code:04X} at index {index}, which JSON \
         text (UTF-8) cannot carry",
        if *in_key { "a dict key in the dict" } else { "a str" }
    )]
    LoneSurrogate {
        /// The surrogate code point.
        code: u32,
        /// Its index in the string, in code points.
        index: usize,
        /// Whether the string is a dict key.
        in_key: bool,
        /// Where the str (or the dict holding the key) is.
        path: String,
    },
    /// Containers nested deeper than [`Limits::max_depth`] (also: a container holding itself).
    #[error(
        "the value at {path} nests containers more than {limit} levels deep (a container \
         that holds itself never ends)"
    )]
    TooDeep {
        /// The limit.
        limit: usize,
        /// The first container beyond the limit.
        path: String,
    },
    /// The JSON text would exceed [`Limits::max_bytes`].
    #[error("the value's JSON text exceeds the limit of {limit} bytes (reached at {path})")]
    TooLarge {
        /// The limit.
        limit: usize,
        /// The element being converted when the budget ran out.
        path: String,
    },
    /// An integer with more than [`Limits::max_int_digits`] decimal digits.
    #[error(
        "the int at {path} has {digits} or more decimal digits, more than the limit of {limit}"
    )]
    IntTooLarge {
        /// Its number of digits (at least this many).
        digits: usize,
        /// The limit.
        limit: usize,
        /// Where the int is.
        path: String,
    },
    /// A JSON number with a fraction or exponent beyond the range of a float (`1e400`).
    #[error("the number {number} at {path} is beyond the range of a float")]
    FloatOutOfRange {
        /// The number's text (shortened to 40 characters).
        number: String,
        /// Where it is.
        path: String,
    },
    /// A [`serde_json::Number`] whose text is not a JSON number (only a `Number` built
    /// without parsing can be one).
    #[error("the number {number} at {path} is not a JSON number")]
    InvalidNumber {
        /// The number's text (shortened to 40 characters).
        number: String,
        /// Where it is.
        path: String,
    },
    /// CPython failed while reading the value (out of memory).
    #[error("CPython raised {exception} while converting the value at {path}")]
    Python {
        /// The exception's type name.
        exception: String,
        /// Where it happened.
        path: String,
    },
}

impl ValueError {
    /// The path to the offending element, e.g. `value[2]["key"]`.
    pub fn path(&self) -> &str {
        match self {
            Self::UnsupportedType { path, .. }
            | Self::UnsupportedKey { path, .. }
            | Self::LoneSurrogate { path, .. }
            | Self::TooDeep { path, .. }
            | Self::TooLarge { path, .. }
            | Self::IntTooLarge { path, .. }
            | Self::FloatOutOfRange { path, .. }
            | Self::InvalidNumber { path, .. }
            | Self::Python { path, .. } => path,
        }
    }

    fn path_mut(&mut self) -> &mut String {
        match self {
            Self::UnsupportedType { path, .. }
            | Self::UnsupportedKey { path, .. }
            | Self::LoneSurrogate { path, .. }
            | Self::TooDeep { path, .. }
            | Self::TooLarge { path, .. }
            | Self::IntTooLarge { path, .. }
            | Self::FloatOutOfRange { path, .. }
            | Self::InvalidNumber { path, .. }
            | Self::Python { path, .. } => path,
        }
    }
}

/// [`to_python`] reports a [`ValueError`] as Python's `ValueError` with the same message.
impl From<ValueError> for PyErr {
    fn from(error: ValueError) -> Self {
        PyValueError::new_err(error.to_string())
    }
}

/// Builds the Python value of a JSON value with the default [`Limits`]: `None`, `bool`,
/// `int` (any size), `float`, `str`, `list`, `dict` with `str` keys. Only CPython's own
/// types are used, never anything from the program's namespace. Errors (too deep, an
/// integer too long, a number beyond a float's range) are Python `ValueError`s naming the
/// path; a `MemoryError` passes through.
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    to_python_with(py, value, &Limits::default())
}

/// [`to_python`] with the given limits ([`Limits::max_bytes`] does not apply).
pub fn to_python_with<'py>(
    py: Python<'py>,
    value: &Value,
    limits: &Limits,
) -> PyResult<Bound<'py, PyAny>> {
    let _paused = GcPause::new(py);
    build(py, value, 0, limits).map_err(|failure| match failure {
        Failure::Value(error, path) => PyErr::from(with_path(error, &path)),
        Failure::Python(err) => err,
    })
}

/// Converts a value the program produced into JSON with the default [`Limits`], without
/// running any of the program's code (see the module doc for what is accepted and how).
pub fn to_json<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> Result<Value, ValueError> {
    to_json_with(py, obj, &Limits::default())
}

/// [`to_json`] with the given limits.
pub fn to_json_with<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    limits: &Limits,
) -> Result<Value, ValueError> {
    let _paused = GcPause::new(py);
    let mut reader = Reader {
        py,
        limits: *limits,
        used: 0,
    };
    reader.value(obj, 0).map_err(|failure| match failure {
        Failure::Value(error, path) => with_path(error, &path),
        // The reader reports CPython's failures as `ValueError::Python`, with their path.
        Failure::Python(err) => ValueError::Python {
            exception: exception_name(py, &err),
            path: render_path(&[]),
        },
    })
}

// ---------------------------------------------------------------------------------------
// Paths and failures

/// One step from a container to an element.
enum Segment {
    Index(usize),
    Key(String),
}

/// A failure on its way up: the error and the steps from the failing element up to the
/// top (innermost first), added while unwinding so that success costs nothing.
enum Failure {
    Value(ValueError, Vec<Segment>),
    Python(PyErr),
}

impl Failure {
    fn new(error: ValueError) -> Self {
        Self::Value(error, Vec::new())
    }

    fn at(mut self, segment: Segment) -> Self {
        if let Self::Value(_, path) = &mut self {
            path.push(segment);
        }
        self
    }
}

impl From<PyErr> for Failure {
    fn from(err: PyErr) -> Self {
        Self::Python(err)
    }
}

fn with_path(mut error: ValueError, path: &[Segment]) -> ValueError {
    *error.path_mut() = render_path(path);
    error
}

/// `value[2]["key"]` from the innermost-first steps.
fn render_path(innermost_first: &[Segment]) -> String {
    let mut text = String::from("value");
    for segment in innermost_first.iter().rev() {
        match segment {
            Segment::Index(index) => {
                let _ = write!(text, "[{index}]");
            }
            Segment::Key(key) => {
                let shown: String = key.chars().take(32).collect();
                let quoted = serde_json::to_string(&shown).unwrap_or_else(|_| "\"?\"".into());
                if shown.len() < key.len() {
                    let _ = write!(text, "[{}…\"]", &quoted[..quoted.len() - 1]);
                } else {
                    let _ = write!(text, "[{quoted}]");
                }
            }
        }
    }
    text
}

/// At most `limit` characters of `text`, with `…` when shortened.
fn shortened(text: &str, limit: usize) -> String {
    let mut shown: String = text.chars().take(limit).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

/// The C-level name of an object's type (`tp_name`), read without any attribute lookup;
/// control characters dropped and shortened, since a class's name is the program's choice.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    // SAFETY: `obj` is a live object, so its type is a live type object whose `tp_name` is a
    // NUL-terminated string (CPython sets it for every type, static or heap).
    let name = unsafe {
        let tp_name = (*ffi::Py_TYPE(obj.as_ptr())).tp_name;
        if tp_name.is_null() {
            return "?".into();
        }
        CStr::from_ptr(tp_name).to_string_lossy()
    };
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    shortened(&clean, 64)
}

/// The name of a Python exception's type.
fn exception_name(py: Python<'_>, err: &PyErr) -> String {
    type_name(err.value(py).as_any())
}

// ---------------------------------------------------------------------------------------
// The garbage collector's pause

/// Pauses CPython's cyclic garbage collector while it lives, so that no finalizer of the
/// program's garbage runs during a conversion; restores the previous state on drop.
struct GcPause<'py> {
    _py: Python<'py>,
    was_enabled: bool,
}

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> Self {
        // SAFETY: attached (the token); PyGC_Disable only flips the collector's flag.
        let was_enabled = unsafe { ffi::PyGC_Disable() } != 0;
        Self {
            _py: py,
            was_enabled,
        }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if self.was_enabled {
            // SAFETY: still attached: the guard holds the token's lifetime.
            unsafe { ffi::PyGC_Enable() };
        }
    }
}

// ---------------------------------------------------------------------------------------
// JSON → Python

fn build<'py>(
    py: Python<'py>,
    value: &Value,
    depth: usize,
    limits: &Limits,
) -> Result<Bound<'py, PyAny>, Failure> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => Ok(PyBool::new(py, *b).to_owned().into_any()),
        Value::Number(number) => build_number(py, number, limits),
        Value::String(text) => Ok(PyString::new(py, text).into_any()),
        Value::Array(items) => {
            enter(depth, limits)?;
            let list = PyList::empty(py);
            for (index, item) in items.iter().enumerate() {
                let element =
                    build(py, item, depth + 1, limits).map_err(|f| f.at(Segment::Index(index)))?;
                list.append(element)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            enter(depth, limits)?;
            let dict = PyDict::new(py);
            for (key, item) in map {
                let element = build(py, item, depth + 1, limits)
                    .map_err(|f| f.at(Segment::Key(key.clone())))?;
                dict.set_item(PyString::new(py, key), element)?;
            }
            Ok(dict.into_any())
        }
    }
}

fn enter(depth: usize, limits: &Limits) -> Result<(), Failure> {
    if depth >= limits.max_depth {
        return Err(Failure::new(ValueError::TooDeep {
            limit: limits.max_depth,
            path: String::new(),
        }));
    }
    Ok(())
}

fn build_number<'py>(
    py: Python<'py>,
    number: &Number,
    limits: &Limits,
) -> Result<Bound<'py, PyAny>, Failure> {
    let text = number.as_str();
    let invalid = || {
        Failure::new(ValueError::InvalidNumber {
            number: shortened(text, 40),
            path: String::new(),
        })
    };
    if text.contains(['.', 'e', 'E']) {
        let float: f64 = text.parse().map_err(|_| invalid())?;
        if !float.is_finite() {
            return Err(Failure::new(ValueError::FloatOutOfRange {
                number: shortened(text, 40),
                path: String::new(),
            }));
        }
        return Ok(PyFloat::new(py, float).into_any());
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    if digits.len() > limits.max_int_digits {
        return Err(Failure::new(ValueError::IntTooLarge {
            digits: digits.len(),
            limit: limits.max_int_digits,
            path: String::new(),
        }));
    }
    let pointer = if let Ok(small) = text.parse::<i64>() {
        // SAFETY: attached; returns a new reference or null with an exception set.
        unsafe { ffi::PyLong_FromLongLong(small) }
    } else {
        let bytes = digits::decimal_to_le_twos_complement(negative, digits);
        // SAFETY: attached; `bytes` is a valid buffer of `bytes.len()` bytes; the result is a
        // new reference or null with an exception set.
        unsafe { ffi::_PyLong_FromByteArray(bytes.as_ptr(), bytes.len(), 1, 1) }
    };
    // SAFETY: `pointer` is an owned reference or null with an exception set.
    Ok(unsafe { Bound::from_owned_ptr_or_err(py, pointer) }?)
}

// ---------------------------------------------------------------------------------------
// Python → JSON

extern "C" {
    /// CPython 3.11's `size_t _PyLong_NumBits(PyObject *)` (Include/cpython/longobject.h):
    /// the bit length of an int's magnitude; `(size_t)-1` with `OverflowError` set if that
    /// does not fit.
    fn _PyLong_NumBits(v: *mut ffi::PyObject) -> usize;
}

/// One conversion of a program's value: the limits and the JSON bytes produced so far.
struct Reader<'py> {
    py: Python<'py>,
    limits: Limits,
    used: usize,
}

/// The code units of a ready str.
enum Units<'a> {
    One(&'a [u8]),
    Two(&'a [u16]),
    Four(&'a [u32]),
}

impl<'py> Reader<'py> {
    /// Adds `bytes` of JSON text to the budget.
    fn charge(&mut self, bytes: usize) -> Result<(), Failure> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limits.max_bytes {
            return Err(Failure::new(ValueError::TooLarge {
                limit: self.limits.max_bytes,
                path: String::new(),
            }));
        }
        Ok(())
    }

    /// Fails if `bytes` more would exceed the budget, without charging them.
    fn room(&self, bytes: usize) -> Result<(), Failure> {
        if self.used.saturating_add(bytes) > self.limits.max_bytes {
            return Err(Failure::new(ValueError::TooLarge {
                limit: self.limits.max_bytes,
                path: String::new(),
            }));
        }
        Ok(())
    }

    /// CPython's pending exception (or a stand-in) as a failure.
    fn python_failure(&self) -> Failure {
        let exception = match PyErr::take(self.py) {
            Some(err) => exception_name(self.py, &err),
            None => "an error without an exception".into(),
        };
        Failure::new(ValueError::Python {
            exception,
            path: String::new(),
        })
    }

    fn value(&mut self, obj: &Bound<'py, PyAny>, depth: usize) -> Result<Value, Failure> {
        let ptr = obj.as_ptr();
        // SAFETY: `ptr` is alive (held by `obj`); every check below compares its type pointer
        // with one of CPython's static type objects (or the None/True singletons) and runs
        // no code.
        unsafe {
            if ptr == ffi::Py_None() {
                self.charge(4)?;
                return Ok(Value::Null);
            }
            if ffi::PyBool_Check(ptr) != 0 {
                let truth = ptr == ffi::Py_True();
                self.charge(if truth { 4 } else { 5 })?;
                return Ok(Value::Bool(truth));
            }
            if ffi::PyLong_CheckExact(ptr) != 0 {
                return self.int(ptr);
            }
            if ffi::PyFloat_CheckExact(ptr) != 0 {
                return self.float(ffi::PyFloat_AS_DOUBLE(ptr));
            }
            if ffi::PyUnicode_CheckExact(ptr) != 0 {
                return self.string(ptr, false).map(Value::String);
            }
            if ffi::PyList_CheckExact(ptr) != 0 {
                return self.sequence(obj, depth, true);
            }
            if ffi::PyTuple_CheckExact(ptr) != 0 {
                return self.sequence(obj, depth, false);
            }
            if ffi::PyDict_CheckExact(ptr) != 0 {
                return self.dict(obj, depth);
            }
        }
        Err(Failure::new(ValueError::UnsupportedType {
            type_name: type_name(obj),
            path: String::new(),
        }))
    }

    /// An exact int: its decimal text, exactly.
    ///
    /// # Safety
    /// `ptr` must be a live exact int.
    unsafe fn int(&mut self, ptr: *mut ffi::PyObject) -> Result<Value, Failure> {
        let mut overflow: c_int = 0;
        // SAFETY: an exact int is converted by CPython itself, never through `__index__`.
        // It fails only when converting a non-int through `__index__`, never for an exact int.
        let small = unsafe { ffi::PyLong_AsLongLongAndOverflow(ptr, &mut overflow) };
        if overflow == 0 {
            let number = Number::from(small);
            let count = number.as_str().trim_start_matches('-').len();
            if count > self.limits.max_int_digits {
                return Err(Failure::new(ValueError::IntTooLarge {
                    digits: count,
                    limit: self.limits.max_int_digits,
                    path: String::new(),
                }));
            }
            self.charge(number.as_str().len())?;
            return Ok(Value::Number(number));
        }
        // SAFETY: `ptr` is an exact int; the function only reads its digits.
        let bits = unsafe { _PyLong_NumBits(ptr) };
        if bits == usize::MAX {
            return Err(self.python_failure());
        }
        // Decimal digits of a `bits`-bit magnitude: ⌊(bits − 1)·log10 2⌋ + 1 or one more.
        let at_least = digits::decimal_digits_at_least(bits);
        if at_least > self.limits.max_int_digits {
            return Err(Failure::new(ValueError::IntTooLarge {
                digits: at_least,
                limit: self.limits.max_int_digits,
                path: String::new(),
            }));
        }
        self.room(at_least)?;
        // One more byte than the magnitude needs leaves room for the sign bit.
        let mut bytes = vec![0u8; bits / 8 + 1];
        // SAFETY: `ptr` is an exact int (a PyLongObject); `bytes` is writable for its length,
        // which holds the int in two's complement (checked by CPython, which fails otherwise).
        let status = unsafe {
            ffi::_PyLong_AsByteArray(
                ptr.cast::<ffi::PyLongObject>(),
                bytes.as_mut_ptr(),
                bytes.len(),
                1,
                1,
            )
        };
        if status != 0 {
            return Err(self.python_failure());
        }
        let text = digits::le_twos_complement_to_decimal(&bytes);
        let count = text.trim_start_matches('-').len();
        if count > self.limits.max_int_digits {
            return Err(Failure::new(ValueError::IntTooLarge {
                digits: count,
                limit: self.limits.max_int_digits,
                path: String::new(),
            }));
        }
        self.charge(text.len())?;
        let number: Number = text.parse().map_err(|_| {
            Failure::new(ValueError::InvalidNumber {
                number: shortened(&text, 40),
                path: String::new(),
            })
        })?;
        Ok(Value::Number(number))
    }

    /// A float: a JSON number when finite, else one of the strings the module doc lists.
    fn float(&mut self, float: f64) -> Result<Value, Failure> {
        if let Some(number) = Number::from_f64(float) {
            self.charge(number.as_str().len())?;
            return Ok(Value::Number(number));
        }
        let text = if float.is_nan() {
            "NaN"
        } else if float > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        self.charge(text.len() + 2)?;
        Ok(Value::String(text.into()))
    }

    /// An exact str (a value, or a key when `in_key`), read from its code units.
    ///
    /// # Safety
    /// `ptr` must be a live exact str.
    unsafe fn string(&mut self, ptr: *mut ffi::PyObject, in_key: bool) -> Result<String, Failure> {
        // SAFETY: `ptr` is a str; making a (legacy) str ready runs no Python code.
        if unsafe { ffi::PyUnicode_READY(ptr) } != 0 {
            return Err(self.python_failure());
        }
        // SAFETY: a ready str: length, kind and data describe its code-unit array, which
        // lives as long as the str, which the caller holds; no code runs while it is read.
        let units = unsafe {
            let length = usize::try_from(ffi::PyUnicode_GET_LENGTH(ptr)).unwrap_or(0);
            let data = ffi::PyUnicode_DATA(ptr);
            match ffi::PyUnicode_KIND(ptr) {
                ffi::PyUnicode_1BYTE_KIND => {
                    Units::One(std::slice::from_raw_parts(data.cast::<u8>(), length))
                }
                ffi::PyUnicode_2BYTE_KIND => {
                    Units::Two(std::slice::from_raw_parts(data.cast::<u16>(), length))
                }
                ffi::PyUnicode_4BYTE_KIND => {
                    Units::Four(std::slice::from_raw_parts(data.cast::<u32>(), length))
                }
                _ => {
                    return Err(Failure::new(ValueError::Python {
                        exception: "a str of unknown kind".into(),
                        path: String::new(),
                    }))
                }
            }
        };
        let length = match units {
            Units::One(u) => u.len(),
            Units::Two(u) => u.len(),
            Units::Four(u) => u.len(),
        };
        // Every code point takes at least one byte: refuse a huge str before reading it.
        self.room(length.saturating_add(2))?;
        let measured = match units {
            Units::One(u) => measure(u),
            Units::Two(u) => measure(u),
            Units::Four(u) => measure(u),
        };
        let (json_bytes, utf8_bytes) = measured.map_err(|(index, code)| {
            Failure::new(ValueError::LoneSurrogate {
                code,
                index,
                in_key,
                path: String::new(),
            })
        })?;
        self.charge(json_bytes)?;
        Ok(match units {
            Units::One(u) => decode(u, utf8_bytes),
            Units::Two(u) => decode(u, utf8_bytes),
            Units::Four(u) => decode(u, utf8_bytes),
        })
    }

    /// An exact list (`is_list`) or tuple: a JSON array, read by index.
    fn sequence(
        &mut self,
        obj: &Bound<'py, PyAny>,
        depth: usize,
        is_list: bool,
    ) -> Result<Value, Failure> {
        enter(depth, &self.limits)?;
        self.charge(2)?;
        let ptr = obj.as_ptr();
        let mut items = Vec::new();
        let mut index: ffi::Py_ssize_t = 0;
        loop {
            // SAFETY: `ptr` is an exact list or tuple (checked by the caller), alive; the size
            // is read again on every step and the index stays below it, so the item read is
            // in bounds even if the list had changed (nothing can change it: no code runs).
            let item = unsafe {
                let size = if is_list {
                    ffi::PyList_GET_SIZE(ptr)
                } else {
                    ffi::PyTuple_GET_SIZE(ptr)
                };
                if index >= size {
                    break;
                }
                let item = if is_list {
                    ffi::PyList_GET_ITEM(ptr, index)
                } else {
                    ffi::PyTuple_GET_ITEM(ptr, index)
                };
                Bound::from_borrowed_ptr_or_opt(self.py, item)
            };
            let position = usize::try_from(index).unwrap_or(0);
            let Some(item) = item else {
                return Err(self.python_failure().at(Segment::Index(position)));
            };
            if index > 0 {
                self.charge(1)?;
            }
            let element = self
                .value(&item, depth + 1)
                .map_err(|f| f.at(Segment::Index(position)))?;
            items.push(element);
            index += 1;
        }
        Ok(Value::Array(items))
    }

    /// An exact dict whose keys are all exact strs: a JSON object, read with `PyDict_Next`.
    fn dict(&mut self, obj: &Bound<'py, PyAny>, depth: usize) -> Result<Value, Failure> {
        enter(depth, &self.limits)?;
        self.charge(2)?;
        let ptr = obj.as_ptr();
        let mut map = Map::new();
        let mut position: ffi::Py_ssize_t = 0;
        let mut key: *mut ffi::PyObject = std::ptr::null_mut();
        let mut item: *mut ffi::PyObject = std::ptr::null_mut();
        let mut first = true;
        loop {
            // SAFETY: `ptr` is an exact dict, alive; PyDict_Next hands out borrowed
            // references, which are taken at once (`from_borrowed_ptr`). Nothing changes the
            // dict during the walk: no code runs.
            let (key, item) = unsafe {
                if ffi::PyDict_Next(ptr, &mut position, &mut key, &mut item) == 0 {
                    break;
                }
                (
                    Bound::from_borrowed_ptr(self.py, key),
                    Bound::from_borrowed_ptr(self.py, item),
                )
            };
            if !first {
                self.charge(1)?;
            }
            first = false;
            // SAFETY: `key` is alive; the check reads its type pointer only.
            if unsafe { ffi::PyUnicode_CheckExact(key.as_ptr()) } == 0 {
                return Err(Failure::new(ValueError::UnsupportedKey {
                    type_name: type_name(&key),
                    path: String::new(),
                }));
            }
            // SAFETY: `key` is a live exact str.
            let text = unsafe { self.string(key.as_ptr(), true) }?;
            self.charge(1)?;
            match self.value(&item, depth + 1) {
                Ok(element) => {
                    map.insert(text, element);
                }
                Err(failure) => return Err(failure.at(Segment::Key(text))),
            }
        }
        Ok(Value::Object(map))
    }
}

/// The compact-JSON size (with quotes) and the UTF-8 size of a str's code units, or the
/// index and value of its first lone surrogate.
fn measure<T: Copy + Into<u32>>(units: &[T]) -> Result<(usize, usize), (usize, u32)> {
    let mut json = 2usize;
    let mut utf8 = 0usize;
    for (index, unit) in units.iter().enumerate() {
        let code = (*unit).into();
        let Some(c) = char::from_u32(code) else {
            return Err((index, code));
        };
        utf8 += c.len_utf8();
        json += match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if u32::from(c) < 0x20 => 6,
            c => c.len_utf8(),
        };
    }
    Ok((json, utf8))
}

/// The text of code units [`measure`] accepted.
fn decode<T: Copy + Into<u32>>(units: &[T], utf8_bytes: usize) -> String {
    let mut text = String::with_capacity(utf8_bytes);
    text.extend(
        units
            .iter()
            .map(|unit| char::from_u32((*unit).into()).unwrap_or(char::REPLACEMENT_CHARACTER)),
    );
    text
}

/// Decimal text ↔ two's-complement bytes, for ints beyond `i64`: schoolbook arithmetic on
/// base-2³² limbs, quadratic in the digits (as CPython's own conversion is), which
/// [`Limits::max_int_digits`] bounds.
mod digits {
    const CHUNK: u64 = 1_000_000_000;
    const CHUNK_DIGITS: usize = 9;

    /// A lower bound on the decimal digits of a magnitude of `bits` bits (its highest bit
    /// set): ⌊(bits − 1)·log10 2⌋ + 1, with log10 2 rounded down.
    pub(super) fn decimal_digits_at_least(bits: usize) -> usize {
        let scaled = (bits.saturating_sub(1) as u128) * 30_102_999_566 / 100_000_000_000;
        usize::try_from(scaled)
            .unwrap_or(usize::MAX)
            .saturating_add(1)
    }

    /// The decimal text (with `-` when negative) of a little-endian two's-complement number.
    pub(super) fn le_twos_complement_to_decimal(bytes: &[u8]) -> String {
        let negative = bytes.last().is_some_and(|byte| byte & 0x80 != 0);
        let mut magnitude = bytes.to_vec();
        if negative {
            negate(&mut magnitude);
        }
        let mut limbs: Vec<u32> = magnitude
            .chunks(4)
            .map(|chunk| {
                let mut word = [0u8; 4];
                word[..chunk.len()].copy_from_slice(chunk);
                u32::from_le_bytes(word)
            })
            .collect();
        trim(&mut limbs);
        // Base-10⁹ chunks, least significant first, by repeated division.
        let mut chunks = Vec::new();
        while !limbs.is_empty() {
            let mut remainder = 0u64;
            for limb in limbs.iter_mut().rev() {
                let current = (remainder << 32) | u64::from(*limb);
                *limb = (current / CHUNK) as u32;
                remainder = current % CHUNK;
            }
            chunks.push(remainder as u32);
            trim(&mut limbs);
        }
        let mut text = String::with_capacity(chunks.len() * CHUNK_DIGITS + 1);
        if negative {
            text.push('-');
        }
        match chunks.split_last() {
            None => text.push('0'),
            Some((top, rest)) => {
                text.push_str(&top.to_string());
                for chunk in rest.iter().rev() {
                    text.push_str(&format!("{chunk:09}"));
                }
            }
        }
        text
    }

    /// Little-endian two's-complement bytes of `-digits` or `digits` (ASCII digits only).
    pub(super) fn decimal_to_le_twos_complement(negative: bool, digits: &str) -> Vec<u8> {
        let mut limbs: Vec<u32> = Vec::new();
        let head = match digits.len() % CHUNK_DIGITS {
            0 => CHUNK_DIGITS,
            n => n,
        };
        let mut start = 0;
        let mut end = head.min(digits.len());
        while start < digits.len() {
            let chunk = digits.as_bytes()[start..end]
                .iter()
                .fold(0u64, |acc, digit| acc * 10 + u64::from(digit - b'0'));
            let mut carry = chunk;
            for limb in limbs.iter_mut() {
                let current = u64::from(*limb) * CHUNK + carry;
                *limb = current as u32;
                carry = current >> 32;
            }
            if carry != 0 {
                limbs.push(carry as u32);
            }
            start = end;
            end = (end + CHUNK_DIGITS).min(digits.len());
        }
        let mut bytes: Vec<u8> = limbs.iter().flat_map(|limb| limb.to_le_bytes()).collect();
        // A zero byte on top keeps the magnitude's sign bit clear.
        bytes.push(0);
        if negative {
            negate(&mut bytes);
        }
        bytes
    }

    /// Two's-complement negation in place.
    fn negate(bytes: &mut [u8]) {
        let mut carry = true;
        for byte in bytes.iter_mut() {
            let (sum, overflow) = (!*byte).overflowing_add(u8::from(carry));
            *byte = sum;
            carry = overflow;
        }
    }

    fn trim(limbs: &mut Vec<u32>) {
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;

    use pyo3::types::PyDict;

    use super::*;

    fn with_python(check: impl FnOnce(Python<'_>)) {
        Python::initialize();
        Python::attach(check);
    }

    /// A fresh module namespace after running `code` in it.
    fn scope<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyDict> {
        let globals = PyDict::new(py);
        let source = CString::new(code).expect("no NUL");
        py.run(&source, Some(&globals), None)
            .expect("test code runs");
        globals
    }

    fn eval<'py>(
        py: Python<'py>,
        scope: &Bound<'py, PyDict>,
        expression: &str,
    ) -> Bound<'py, PyAny> {
        let source = CString::new(expression).expect("no NUL");
        py.eval(&source, Some(scope), None)
            .unwrap_or_else(|e| panic!("{expression}: {e}"))
    }

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn limits(max_depth: usize, max_bytes: usize, max_int_digits: usize) -> Limits {
        Limits {
            max_depth,
            max_bytes,
            max_int_digits,
        }
    }

    /// Structural equality; a float is compared by its bits (so `-0.0` is not `0.0`), since
    /// parsed and formatted texts of one float may differ (`1e+308`, `1e308`).
    fn same(a: &Value, b: &Value) -> bool {
        let is_float = |n: &Number| n.as_str().contains(['.', 'e', 'E']);
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if is_float(x) || is_float(y) => {
                is_float(x) == is_float(y)
                    && x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits)
            }
            (Value::Number(x), Value::Number(y)) => x.as_str() == y.as_str(),
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((kx, vx), (ky, vy))| kx == ky && same(vx, vy))
            }
            _ => a == b,
        }
    }

    fn number_text(value: &Value) -> &str {
        value.as_number().expect("a number").as_str()
    }

    #[test]
    fn every_json_type_round_trips() {
        with_python(|py| {
            let cases = [
                ("null", "NoneType"),
                ("true", "bool"),
                ("false", "bool"),
                ("0", "int"),
                ("1", "int"),
                ("-1", "int"),
                ("9223372036854775807", "int"),
                ("-9223372036854775808", "int"),
                ("9223372036854775808", "int"),
                ("-9223372036854775809", "int"),
                ("18446744073709551615", "int"),
                ("18446744073709551616", "int"),
                ("-18446744073709551616", "int"),
                ("0.1", "float"),
                ("1.0", "float"),
                ("-0.0", "float"),
                ("1e308", "float"),
                ("-1.7976931348623157e308", "float"),
                ("5e-324", "float"),
                ("2.5E-10", "float"),
                (r#""""#, "str"),
                (r#""plain""#, "str"),
                (
                    r#""quote \" backslash \\ nl \n tab \t nul \u0000 bell \u0007 é 😀 \u2028""#,
                    "str",
                ),
                ("[]", "list"),
                ("{}", "dict"),
                (
                    r#"[1, [2.5, [null, {"a": [true, false], "b": "x"}]], {}]"#,
                    "list",
                ),
                (
                    r#"{"z": 1, "a": {"nested": [1.5, "x", -3]}, "": null}"#,
                    "dict",
                ),
            ];
            for (text, python_type) in cases {
                let value = json(text);
                let object = to_python(py, &value).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(
                    object.get_type().name().expect("type name").to_string(),
                    python_type,
                    "{text}"
                );
                let back = to_json(py, &object).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert!(same(&value, &back), "{text} came back as {back}");
            }
        });
    }

    #[test]
    fn python_values_become_the_expected_json() {
        with_python(|py| {
            let s = scope(py, "");
            let cases = [
                ("None", "null"),
                ("(True, False)", "[true,false]"),
                ("(1, (2, ()), [])", "[1,[2,[]],[]]"),
                ("-0.0", "-0.0"),
                ("0.1", "0.1"),
                ("1e308", "1e+308"),
                ("1e-7", "1e-7"),
                ("123456789.0", "123456789.0"),
                ("float('inf')", r#""Infinity""#),
                ("float('-inf')", r#""-Infinity""#),
                ("float('nan')", r#""NaN""#),
                ("[float('inf'), -float('nan')]", r#"["Infinity","NaN"]"#),
                ("{'b': 1, 'a': 2}", r#"{"a":2,"b":1}"#),
                ("'\\x00\\x1f\"\\\\é'", r#""\u0000\u001f\"\\é""#),
                ("-(2**64)", "-18446744073709551616"),
                ("2**63", "9223372036854775808"),
            ];
            for (expression, expected) in cases {
                let value = to_json(py, &eval(py, &s, expression))
                    .unwrap_or_else(|e| panic!("{expression}: {e}"));
                let text = serde_json::to_string(&value).expect("serialises");
                assert_eq!(text, expected, "{expression}");
            }
            let negative_zero = to_python(py, &json("-0")).expect("-0");
            assert!(negative_zero.eq(0).expect("eq"), "JSON -0 is the int 0");
            let float = to_python(py, &json("-0.0")).expect("-0.0");
            assert_eq!(float.repr().expect("repr").to_string(), "-0.0");
        });
    }

    #[test]
    fn ints_of_5000_digits_cross_exactly_both_ways() {
        with_python(|py| {
            let s = scope(py, "big = 7 * 10**4999 + 12345\nneg = -big");
            let text = format!("7{}12345", "0".repeat(4994));
            assert_eq!(text.len(), 5000);
            for (name, expected) in [("big", text.clone()), ("neg", format!("-{text}"))] {
                let object = eval(py, &s, name);
                let value = to_json(py, &object).expect("converts");
                assert_eq!(number_text(&value), expected);
                let back = to_python(py, &json(&expected)).expect("builds");
                assert!(back.get_type().is(py.get_type::<pyo3::types::PyInt>()));
                assert!(back.eq(&object).expect("eq"), "{name} round trip");
            }
        });
    }

    #[test]
    fn int_text_agrees_with_python_str_across_sizes() {
        with_python(|py| {
            let s = scope(
                py,
                "nums = [s * v for v in [2**k for k in range(0, 2100, 7)] \
                 + [2**k - 1 for k in range(0, 2100, 13)] + [3**k for k in range(0, 1300, 11)] \
                 + [10**k for k in range(0, 640, 9)] + [10**k - 1 for k in range(1, 640, 9)] \
                 for s in (1, -1)]\n\
                 texts = [str(n) for n in nums]",
            );
            let nums = eval(py, &s, "nums");
            let texts = eval(py, &s, "texts");
            let count = nums.len().expect("len");
            assert!(count > 500);
            for index in 0..count {
                let number = nums.get_item(index).expect("item");
                let text: String = texts.get_item(index).expect("item").extract().expect("str");
                let value = to_json(py, &number).expect("converts");
                assert_eq!(number_text(&value), text);
                let back = to_python(py, &json(&text)).expect("builds");
                assert!(back.eq(&number).expect("eq"), "{text}");
            }
        });
    }

    #[test]
    fn the_int_digit_limit_holds_both_ways() {
        with_python(|py| {
            let s = scope(py, "");
            let tight = limits(100, 1 << 20, 30);
            for expression in ["10**29", "-10**29", "10**30 - 1", "5"] {
                to_json_with(py, &eval(py, &s, expression), &tight)
                    .unwrap_or_else(|e| panic!("{expression}: {e}"));
            }
            for (expression, digits) in [("10**30", 31), ("-10**30", 31), ("[0, 10**40]", 41)] {
                let error = to_json_with(py, &eval(py, &s, expression), &tight).expect_err("long");
                match &error {
                    ValueError::IntTooLarge { limit: 30, .. } => {}
                    other => panic!("{expression}: {other}"),
                }
                assert!(
                    matches!(error, ValueError::IntTooLarge { digits: d, .. } if d >= digits - 1),
                    "{expression}: {error}"
                );
            }
            let small = limits(100, 1 << 20, 3);
            let error = to_json_with(py, &eval(py, &s, "[1234]"), &small).expect_err("4 digits");
            assert_eq!(
                error.to_string(),
                "the int at value[0] has 4 or more decimal digits, more than the limit of 3"
            );
            // The default limit refuses a huge int from its bit length, before any work.
            let huge = eval(py, &s, "10**300000");
            let error = to_json(py, &huge).expect_err("huge");
            assert!(matches!(
                error,
                ValueError::IntTooLarge {
                    limit: DEFAULT_MAX_INT_DIGITS,
                    ..
                }
            ));

            let thirty = format!("1{}", "0".repeat(29));
            to_python_with(py, &json(&thirty), &tight).expect("30 digits");
            let error =
                to_python_with(py, &json(&format!("[-{thirty}0]")), &tight).expect_err("31 digits");
            assert!(error.is_instance_of::<PyValueError>(py));
            assert_eq!(
                error.value(py).to_string(),
                "the int at value[0] has 31 or more decimal digits, more than the limit of 30"
            );
        });
    }

    #[test]
    fn a_float_beyond_range_is_refused_by_to_python() {
        with_python(|py| {
            let error = to_python(py, &json(r#"{"x": [1e400]}"#)).expect_err("1e400");
            assert!(error.is_instance_of::<PyValueError>(py));
            assert_eq!(
                error.value(py).to_string(),
                r#"the number 1e+400 at value["x"][0] is beyond the range of a float"#
            );
            let tiny = to_python(py, &json("1e-400")).expect("underflow is 0.0");
            assert_eq!(tiny.extract::<f64>().expect("f64"), 0.0);
        });
    }

    const SETUP: &str = "
class MyInt(int): pass
class MyDict(dict): pass
class MyStr(str): pass
class MyList(list): pass
class MyTuple(tuple): pass
class MyFloat(float): pass
def f(): pass
";

    #[test]
    fn every_other_type_is_refused_with_its_name_and_path() {
        with_python(|py| {
            let s = scope(py, SETUP);
            let cases = [
                ("{1, 2}", "set", "value"),
                ("frozenset()", "frozenset", "value"),
                ("b'x'", "bytes", "value"),
                ("bytearray(b'x')", "bytearray", "value"),
                ("object()", "object", "value"),
                ("f", "function", "value"),
                ("lambda: 0", "function", "value"),
                ("len", "builtin_function_or_method", "value"),
                ("int", "type", "value"),
                ("1j", "complex", "value"),
                ("range(3)", "range", "value"),
                ("...", "ellipsis", "value"),
                ("iter([])", "list_iterator", "value"),
                ("MyInt(3)", "MyInt", "value"),
                ("MyDict()", "MyDict", "value"),
                ("MyStr('s')", "MyStr", "value"),
                ("MyList()", "MyList", "value"),
                ("MyTuple()", "MyTuple", "value"),
                ("MyFloat(1.5)", "MyFloat", "value"),
                ("[1, 2, {3}]", "set", "value[2]"),
                ("(0, [MyInt(1)])", "MyInt", "value[1][0]"),
                (
                    "{'key': [0, {'k2': b''}]}",
                    "bytes",
                    r#"value["key"][1]["k2"]"#,
                ),
                (r#"{'q"\n': f}"#, "function", r#"value["q\"\n"]"#),
                (
                    "{'k' * 40: {1}}",
                    "set",
                    &format!(r#"value["{}…"]"#, "k".repeat(32)),
                ),
            ];
            for (expression, type_name, path) in cases {
                let error = to_json(py, &eval(py, &s, expression)).expect_err(expression);
                assert_eq!(
                    error,
                    ValueError::UnsupportedType {
                        type_name: type_name.into(),
                        path: path.into()
                    },
                    "{expression}"
                );
                assert_eq!(error.path(), path);
            }
            let error = to_json(py, &eval(py, &s, "[1, 2, {3}]")).expect_err("set");
            assert_eq!(
                error.to_string(),
                "a value of type 'set' at value[2] cannot cross the sandbox boundary as JSON \
                 (allowed: None, bool, int, float, str, list, tuple, dict with str keys; not \
                 their subclasses)"
            );
            // A class's name is the program's text: control characters go, length is capped.
            let error = to_json(py, &eval(py, &s, "type('A\\nB' + 'x' * 100, (), {})()"))
                .expect_err("odd class");
            let ValueError::UnsupportedType { type_name, .. } = error else {
                panic!("{error}");
            };
            assert_eq!(type_name, format!("AB{}…", "x".repeat(62)));
        });
    }

    #[test]
    fn dict_keys_must_be_exact_str() {
        with_python(|py| {
            let s = scope(py, SETUP);
            let cases = [
                ("{1: 2}", "int", "value"),
                ("{'a': 1, (1, 2): 3}", "tuple", "value"),
                ("{None: 0}", "NoneType", "value"),
                ("[{'a': {MyStr('k'): 1}}]", "MyStr", r#"value[0]["a"]"#),
            ];
            for (expression, type_name, path) in cases {
                let error = to_json(py, &eval(py, &s, expression)).expect_err(expression);
                assert_eq!(
                    error,
                    ValueError::UnsupportedKey {
                        type_name: type_name.into(),
                        path: path.into()
                    },
                    "{expression}"
                );
            }
            let error = to_json(py, &eval(py, &s, "{1: 2}")).expect_err("int key");
            assert_eq!(
                error.to_string(),
                "a dict key of type 'int' in the dict at value cannot cross the sandbox \
                 boundary as JSON (dict keys must be str, not a subclass)"
            );
        });
    }

    #[test]
    fn containers_holding_themselves_fail_with_the_depth_error() {
        with_python(|py| {
            let s = scope(
                py,
                "l = [1]\nl.append(l)\nd = {}\nd['d'] = d\nt = [()]\nm = [t]\nt[0] = m",
            );
            let error = to_json(py, &eval(py, &s, "l")).expect_err("self list");
            assert_eq!(
                error,
                ValueError::TooDeep {
                    limit: 100,
                    path: format!("value{}", "[1]".repeat(100))
                }
            );
            assert!(error.to_string().starts_with("the value at value[1][1][1]"));
            assert!(error
                .to_string()
                .ends_with("nests containers more than 100 levels deep (a container that holds itself never ends)"));
            let error = to_json(py, &eval(py, &s, "d")).expect_err("self dict");
            assert_eq!(error.path(), format!("value{}", r#"["d"]"#.repeat(100)));
            let error = to_json(py, &eval(py, &s, "t")).expect_err("mutual");
            assert!(matches!(error, ValueError::TooDeep { limit: 100, .. }));
        });
    }

    #[test]
    fn nesting_is_limited_to_100_levels_both_ways() {
        with_python(|py| {
            let s = scope(
                py,
                "def nest(n):\n    x = []\n    for _ in range(n - 1):\n        x = [x]\n    return x\n\
                 def nest_dict(n):\n    x = {}\n    for _ in range(n - 1):\n        x = {'k': x}\n    return x",
            );
            to_json(py, &eval(py, &s, "nest(100)")).expect("100 deep");
            to_json(py, &eval(py, &s, "nest_dict(100)")).expect("100 deep");
            to_json(py, &eval(py, &s, "[0, (nest(98),)]")).expect("mixed, 100 deep");
            let error = to_json(py, &eval(py, &s, "nest(101)")).expect_err("101 deep");
            assert_eq!(error.path(), format!("value{}", "[0]".repeat(100)));
            let error = to_json(py, &eval(py, &s, "nest(200)")).expect_err("200 deep");
            assert_eq!(
                error,
                ValueError::TooDeep {
                    limit: 100,
                    path: format!("value{}", "[0]".repeat(100))
                }
            );
            let shallow = limits(3, 1 << 20, 10);
            to_json_with(py, &eval(py, &s, "[[[1]]]"), &shallow).expect("3 deep");
            to_json_with(py, &eval(py, &s, "[[{}]]"), &shallow).expect("3 deep");
            let error =
                to_json_with(py, &eval(py, &s, "[{'a': [[]]}]"), &shallow).expect_err("4 deep");
            assert_eq!(error.path(), r#"value[0]["a"][0]"#);

            // JSON → Python: serde_json's parser stops at 128 levels, so build deeper values.
            let nested = |levels: usize| {
                let mut value = Value::Array(Vec::new());
                for _ in 1..levels {
                    value = Value::Array(vec![value]);
                }
                value
            };
            let object = to_python(py, &nested(100)).expect("100 deep");
            assert!(to_json(py, &object).is_ok());
            for levels in [101, 200] {
                let error = to_python(py, &nested(levels)).expect_err("too deep");
                assert!(error.is_instance_of::<PyValueError>(py));
                assert_eq!(
                    error.value(py).to_string(),
                    format!(
                        "the value at value{} nests containers more than 100 levels deep (a \
                         container that holds itself never ends)",
                        "[0]".repeat(100)
                    )
                );
            }
            let mut object = Value::Object(Map::new());
            for _ in 1..101 {
                let mut map = Map::new();
                map.insert("k".into(), object);
                object = Value::Object(map);
            }
            let error = to_python(py, &object).expect_err("101 deep");
            assert!(error
                .value(py)
                .to_string()
                .starts_with(r#"the value at value["k"]["k"]"#));
        });
    }

    #[test]
    fn lone_surrogates_are_refused_with_their_place() {
        with_python(|py| {
            let s = scope(py, "");
            let cases = [
                ("'\\ud800'", 0xD800, 0, false, "value"),
                ("['ok', 'ab\\udfff']", 0xDFFF, 2, false, "value[1]"),
                ("['x\\U0001F600\\udc80']", 0xDC80, 2, false, "value[0]"),
                (
                    "{'ok': {'k\\udc80ey': 1}}",
                    0xDC80,
                    1,
                    true,
                    r#"value["ok"]"#,
                ),
                ("'\\ud83d\\ude00'", 0xD83D, 0, false, "value"),
            ];
            for (expression, code, index, in_key, path) in cases {
                let error = to_json(py, &eval(py, &s, expression)).expect_err(expression);
                assert_eq!(
                    error,
                    ValueError::LoneSurrogate {
                        code,
                        index,
                        in_key,
                        path: path.into()
                    },
                    "{expression}"
                );
            }
            let error = to_json(py, &eval(py, &s, "['ok', 'ab\\udfff']")).expect_err("lone");
            assert_eq!(
                error.to_string(),
                "a str at value[1] contains the lone surrogate U+DFFF at index 2, which JSON \
                 text (UTF-8) cannot carry"
            );
            let error = to_json(py, &eval(py, &s, "{'\\ud800': 0}")).expect_err("key");
            assert_eq!(
                error.to_string(),
                "a dict key in the dict at value contains the lone surrogate U+D800 at index 0, \
                 which JSON text (UTF-8) cannot carry"
            );
            // Every kind of str (1, 2 and 4 bytes per code point) reads right.
            let value = to_json(py, &eval(py, &s, "['abc', 'é', 'ĀĄ€', 'a😀b']")).expect("text");
            assert_eq!(value, json(r#"["abc", "é", "ĀĄ€", "a😀b"]"#));
        });
    }

    #[test]
    fn the_byte_budget_is_the_compact_json_size() {
        with_python(|py| {
            let s = scope(py, "");
            for expression in [
                "None",
                "True",
                "''",
                "[1, 'a\"b\\\\c\\n\\x01é😀', {'k': [True, False, None, 1.5, -2, float('inf')]}, (), {}]",
                "10**50",
                "-10**50",
                "'x' * 100",
                "{'a': {}, 'b': [[], [1, 2, 3]], 'c\\t': 'd'}",
            ] {
                let object = eval(py, &s, expression);
                let value = to_json(py, &object).expect("converts");
                let size = serde_json::to_string(&value).expect("serialises").len();
                to_json_with(py, &object, &limits(100, size, 100))
                    .unwrap_or_else(|e| panic!("{expression} in {size} bytes: {e}"));
                let error = to_json_with(py, &object, &limits(100, size - 1, 100))
                    .expect_err(expression);
                assert!(
                    matches!(&error, ValueError::TooLarge { limit, .. } if *limit == size - 1),
                    "{expression}: {error}"
                );
            }
            // Large or widely shared structures stop at the budget.
            let tight = limits(100, 10_000, 100);
            let error =
                to_json_with(py, &eval(py, &s, "[[0] * 1000] * 1000"), &tight).expect_err("shared");
            assert_eq!(
                error.to_string(),
                "the value's JSON text exceeds the limit of 10000 bytes (reached at value[4][994])"
            );
            let error =
                to_json_with(py, &eval(py, &s, "['x' * 10**7]"), &tight).expect_err("long str");
            assert_eq!(error.path(), "value[0]");
            let error =
                to_json_with(py, &eval(py, &s, "{'x' * 10**7: 1}"), &tight).expect_err("long key");
            assert_eq!(error.path(), "value");
            let digits_allowed = limits(100, 10_000, 100_000);
            let error = to_json_with(py, &eval(py, &s, "[10**20000]"), &digits_allowed)
                .expect_err("long int");
            assert!(matches!(error, ValueError::TooLarge { .. }), "{error}");
        });
    }

    #[test]
    fn converting_never_runs_program_code() {
        with_python(|py| {
            let s = scope(
                py,
                r#"
canary = None
def touch(*args, **kwargs):
    global canary
    canary = 'ran'
    return 1
class Meta(type):
    def __instancecheck__(cls, obj): return touch()
    def __subclasscheck__(cls, sub): return touch()
    @property
    def __name__(cls): return touch() and 'Meta-name'
class EvilInt(int, metaclass=Meta):
    __str__ = __repr__ = __index__ = __int__ = __float__ = __format__ = touch
    __eq__ = __hash__ = __bool__ = __abs__ = __neg__ = touch
class EvilFloat(float):
    __str__ = __repr__ = __float__ = __eq__ = __hash__ = touch
class EvilStr(str):
    __str__ = __repr__ = __iter__ = __len__ = __getitem__ = __hash__ = __eq__ = touch
    encode = touch
class EvilList(list):
    __iter__ = __len__ = __getitem__ = __repr__ = touch
class EvilTuple(tuple):
    __iter__ = __len__ = __getitem__ = touch
class EvilDict(dict):
    __iter__ = __len__ = __getitem__ = keys = items = values = touch
class Spoof:
    @property
    def __class__(self): touch(); return int
    __getattribute__ = __getattr__ = __str__ = __repr__ = __iter__ = touch
    __int__ = __index__ = __len__ = touch
values = [
    EvilInt(5), EvilFloat(1.5), EvilStr('s'), EvilList([1]), EvilTuple((1,)),
    EvilDict(a=1), Spoof(), [0, EvilInt(1)], {'k': EvilStr('v')},
    {'k': (1, EvilList())}, [EvilDict()],
]
key_cases = [{EvilStr('k'): 1}, {EvilInt(1): 2}, {Spoof(): 3}]
canary = None
"#,
            );
            let values = eval(py, &s, "values");
            for index in 0..values.len().expect("len") {
                let value = values.get_item(index).expect("item");
                let error = to_json(py, &value).expect_err("refused");
                assert!(
                    matches!(error, ValueError::UnsupportedType { .. }),
                    "{index}: {error}"
                );
            }
            let error = to_json(py, &values.get_item(0).expect("EvilInt")).expect_err("refused");
            assert_eq!(
                error,
                ValueError::UnsupportedType {
                    type_name: "EvilInt".into(),
                    path: "value".into()
                }
            );
            let error = to_json(py, &values.get_item(6).expect("Spoof")).expect_err("refused");
            assert_eq!(error.path(), "value");
            assert!(error.to_string().contains("'Spoof'"));
            let keys = eval(py, &s, "key_cases");
            for index in 0..keys.len().expect("len") {
                let error = to_json(py, &keys.get_item(index).expect("item")).expect_err("key");
                assert!(
                    matches!(error, ValueError::UnsupportedKey { .. }),
                    "{error}"
                );
            }
            let canary = s.get_item("canary").expect("lookup").expect("present");
            assert!(canary.is_none(), "program code ran during a conversion");
        });
    }

    #[test]
    fn no_finalizer_of_the_programs_garbage_runs_during_a_conversion() {
        with_python(|py| {
            let s = scope(
                py,
                r#"
import gc
canary = None
class Cycle:
    def __del__(self):
        global canary
        canary = 'finalizer ran'
threshold = gc.get_threshold()
enabled = gc.isenabled()
gc.enable()
gc.set_threshold(1)
a = Cycle(); b = Cycle(); a.other = b; b.other = a
del a, b
"#,
            );
            // Building lists allocates tracked objects: with threshold 1 each allocation
            // would start a collection, and the collection would run `Cycle.__del__`.
            let value = json(&format!("[{}]", vec!["[[], {}]"; 200].join(",")));
            let built = to_python(py, &value);
            let canary = s.get_item("canary").expect("lookup").expect("present");
            let ran_during = !canary.is_none();
            let enabled_after = eval(py, &s, "gc.isenabled()").is_truthy().expect("bool");
            // The collector is back: the garbage goes now, and its finalizer runs.
            scope(py, "import gc\ngc.collect()");
            let ran_after = !s
                .get_item("canary")
                .expect("lookup")
                .expect("present")
                .is_none();
            eval(
                py,
                &s,
                "(gc.set_threshold(*threshold), gc.enable() if enabled else gc.disable())",
            );
            assert!(built.is_ok());
            assert!(!ran_during, "a finalizer ran during the conversion");
            assert!(enabled_after, "the collector was not re-enabled");
            assert!(ran_after, "the test's garbage was never collected");
        });
    }

    #[test]
    fn the_collector_stays_off_when_it_was_off() {
        with_python(|py| {
            // SAFETY: attached.
            let enabled = unsafe { ffi::PyGC_IsEnabled() } != 0;
            // SAFETY: attached.
            unsafe { ffi::PyGC_Disable() };
            drop(GcPause::new(py));
            // SAFETY: attached.
            let after = unsafe { ffi::PyGC_IsEnabled() };
            if enabled {
                // SAFETY: attached.
                unsafe { ffi::PyGC_Enable() };
            }
            assert_eq!(after, 0);
        });
    }

    #[test]
    fn decimal_conversion_matches_rust_for_128_bit_values() {
        let samples: Vec<i128> = (0..127)
            .flat_map(|shift| {
                let p = 1i128 << shift;
                [p, p - 1, p + 1, -p, 1 - p, p / 3, -(p / 7)]
            })
            .chain([
                0,
                i128::MIN,
                i128::MAX,
                999_999_999,
                1_000_000_000,
                -1_000_000_000,
            ])
            .collect();
        for n in samples {
            let bytes = n.to_le_bytes();
            assert_eq!(digits::le_twos_complement_to_decimal(&bytes), n.to_string());
            let text = n.unsigned_abs().to_string();
            let back = digits::decimal_to_le_twos_complement(n < 0, &text);
            let mut padded = [if n < 0 { 0xFF } else { 0 }; 32];
            padded[..back.len()].copy_from_slice(&back);
            let mut low = [0u8; 16];
            low.copy_from_slice(&padded[..16]);
            assert_eq!(i128::from_le_bytes(low), n, "{n}");
            assert!(
                padded[16..].iter().all(|b| *b == padded[31]),
                "{n}: sign extends"
            );
        }
        assert_eq!(digits::le_twos_complement_to_decimal(&[]), "0");
        for bits in 1..200usize {
            let smallest = num_digits_of_power_of_two(bits - 1);
            assert!(digits::decimal_digits_at_least(bits) <= smallest, "{bits}");
            assert!(
                digits::decimal_digits_at_least(bits) + 1 >= smallest,
                "{bits}"
            );
        }
    }

    /// Decimal digits of 2^k, by repeated doubling of a decimal string.
    fn num_digits_of_power_of_two(k: usize) -> usize {
        let mut digits = vec![1u8];
        for _ in 0..k {
            let mut carry = 0;
            for d in digits.iter_mut() {
                let v = *d * 2 + carry;
                *d = v % 10;
                carry = v / 10;
            }
            if carry > 0 {
                digits.push(carry);
            }
        }
        digits.len()
    }
}
