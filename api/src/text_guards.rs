//! The `python` profile's run-time guards for `str.format`/`str.format_map` and for the text
//! codecs (`str.encode`, `bytes.decode`, `bytearray.decode`). Installed once in the sandbox
//! child by [`install`] when, and only when, the run's profile is `python` (a process runs one
//! program), before any program exists; RepyV2 runs never install them (their checker refuses
//! the five attributes, R205 and R206).
//!
//! Each guard replaces the C function in the builtin type's method table (`tp_methods`, a
//! static `PyMethodDef` array): the method descriptor in the type's dict, every bound method
//! made from it and the interpreter's specialised calls all read `ml_meth` from that entry at
//! call time, so `"{}".format(x)`, `str.format(s, x)`, `f = s.format; f(x)`,
//! `case str(format=f)` and any other alias reach the guard. The entry keeps its flags; the
//! guard checks them before replacing anything and refuses to install otherwise.
//!
//! * **`str.format` / `str.format_map`**: a replacement field may not reach an attribute or
//!   item whose name starts with `_`, nor an attribute with an introspection prefix (`gi_`,
//!   `f_`, `tb_`, ...: what R204 refuses in source), at any depth and in nested fields of format
//!   specs (`"{0:{1.__class__}}"`); the first part of a field may not start with `_` either
//!   (for `format_map` it is an item of the mapping). Refused with `ValueError` before anything
//!   is formatted. The template is parsed by CPython's own parser (`_string.formatter_parser`,
//!   `_string.formatter_field_name_split`, the `MarkupIterator` that `str.format` runs), so the
//!   guard sees exactly the fields CPython will use; a syntactic prefilter skips the parse for
//!   templates that cannot name such a part (no `._`, `[_`, `{_`, nor `.` before an
//!   introspection prefix: every field part starts right after one of `{`, `.`, `[`). When the
//!   template is malformed, the check stops where CPython's own parse stops and the original
//!   raises CPython's error: every field before that point was checked, and CPython evaluates
//!   none after it.
//! * **codecs**: the encoding must be one of the text codecs of [`CODECS`] (utf-8, ascii,
//!   latin-1, utf-16 and utf-32 with their `-le`/`-be` forms and CPython's aliases of them,
//!   normalised as CPython normalises codec names), and the error handler one of
//!   [`ERROR_HANDLERS`]; anything else raises `LookupError` before any codec machinery runs.
//!   The guard encodes and decodes with CPython's own C codecs directly (the functions the
//!   `encodings` modules of these codecs call), so the codec registry's search functions are
//!   never consulted by these methods. [`install`] also initialises the registry before the
//!   program exists: its lazy initialisation imports `encodings` through the running
//!   program's `__import__`, and the `str(b, encoding)` / `bytes(s, encoding)` constructors,
//!   which this guard does not replace, still reach it (after [`install`] they find CPython's
//!   fast paths, the same five codecs, or an empty registry and `LookupError`).

use std::ffi::{c_char, c_int};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

/// The text codecs a program may name, by CPython's canonical (module) name and the codec.
/// Every alias CPython's `encodings.aliases` gives these codecs is accepted too ([`ALIASES`]).
pub const CODECS: &[(&str, Codec)] = &[
    ("utf_8", Codec::Utf8),
    ("ascii", Codec::Ascii),
    ("latin_1", Codec::Latin1),
    ("utf_16", Codec::Utf16(0)),
    ("utf_16_le", Codec::Utf16(-1)),
    ("utf_16_be", Codec::Utf16(1)),
    ("utf_32", Codec::Utf32(0)),
    ("utf_32_le", Codec::Utf32(-1)),
    ("utf_32_be", Codec::Utf32(1)),
];

/// CPython 3.11's aliases (`encodings.aliases`) of the codecs in [`CODECS`], normalised.
const ALIASES: &[(&str, &str)] = &[
    ("646", "ascii"),
    ("ansi_x3.4_1968", "ascii"),
    ("ansi_x3.4_1986", "ascii"),
    ("ansi_x3_4_1968", "ascii"),
    ("cp367", "ascii"),
    ("csascii", "ascii"),
    ("ibm367", "ascii"),
    ("iso646_us", "ascii"),
    ("iso_646.irv_1991", "ascii"),
    ("iso_ir_6", "ascii"),
    ("us", "ascii"),
    ("us_ascii", "ascii"),
    ("8859", "latin_1"),
    ("cp819", "latin_1"),
    ("csisolatin1", "latin_1"),
    ("ibm819", "latin_1"),
    ("iso8859", "latin_1"),
    ("iso8859_1", "latin_1"),
    ("iso_8859_1", "latin_1"),
    ("iso_8859_1_1987", "latin_1"),
    ("iso_ir_100", "latin_1"),
    ("l1", "latin_1"),
    ("latin", "latin_1"),
    ("latin1", "latin_1"),
    ("cp65001", "utf_8"),
    ("u8", "utf_8"),
    ("utf", "utf_8"),
    ("utf8", "utf_8"),
    ("utf8_ucs2", "utf_8"),
    ("utf8_ucs4", "utf_8"),
    ("u16", "utf_16"),
    ("utf16", "utf_16"),
    ("unicodelittleunmarked", "utf_16_le"),
    ("utf_16le", "utf_16_le"),
    ("unicodebigunmarked", "utf_16_be"),
    ("utf_16be", "utf_16_be"),
    ("u32", "utf_32"),
    ("utf32", "utf_32"),
    ("utf_32le", "utf_32_le"),
    ("utf_32be", "utf_32_be"),
];

/// The error handlers a program may name: CPython's built-in ones, except `namereplace`
/// (it imports `unicodedata` through the import machinery when it first runs).
pub const ERROR_HANDLERS: &[&str] = &[
    "strict",
    "ignore",
    "replace",
    "backslashreplace",
    "surrogateescape",
    "surrogatepass",
    "xmlcharrefreplace",
];

/// One allowed text codec. The byte order of UTF-16 and UTF-32 is CPython's: `0` native with
/// a byte order mark (written when encoding, honoured and removed when decoding), `-1` little
/// endian, `1` big endian, neither with a mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// UTF-8.
    Utf8,
    /// ASCII.
    Ascii,
    /// ISO-8859-1.
    Latin1,
    /// UTF-16, with its byte order.
    Utf16(c_int),
    /// UTF-32, with its byte order.
    Utf32(c_int),
}

/// Why the guards could not be installed (the run must not start).
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// A builtin type's method table does not hold the expected entry.
    #[error("cannot guard {type_name}.{method}: its method table does not match CPython 3.11's")]
    MethodTable {
        /// The type.
        type_name: &'static str,
        /// The method.
        method: &'static str,
    },
    /// CPython's codec registry or `_string` module could not be set up.
    #[error("cannot set up the text guards: {0}")]
    Setup(String),
}

impl From<GuardError> for PyErr {
    fn from(error: GuardError) -> PyErr {
        pyo3::exceptions::PyRuntimeError::new_err(error.to_string())
    }
}

/// The original functions, as addresses (0: not installed).
static FORMAT: AtomicUsize = AtomicUsize::new(0);
static FORMAT_MAP: AtomicUsize = AtomicUsize::new(0);

/// `_string.formatter_parser` and `_string.formatter_field_name_split`, taken at install time
/// (never through the program's `__import__`).
static PARSER: OnceLock<(Py<PyAny>, Py<PyAny>)> = OnceLock::new();

/// Installs both guards (idempotent). Called under the `python` profile only, before any
/// program code exists.
pub fn install(py: Python<'_>) -> Result<(), GuardError> {
    initialise_codec_registry()?;
    if PARSER.get().is_none() {
        let module = py
            .import("_string")
            .map_err(|e| GuardError::Setup(format!("_string: {e}")))?;
        let parser = module
            .getattr("formatter_parser")
            .map_err(|e| GuardError::Setup(e.to_string()))?;
        let split = module
            .getattr("formatter_field_name_split")
            .map_err(|e| GuardError::Setup(e.to_string()))?;
        let _ = PARSER.set((parser.unbind(), split.unbind()));
    }
    // SAFETY: the type objects are CPython's static builtin types, alive for the process; the
    // interpreter is attached (the token), so nothing calls these methods meanwhile. Each
    // replacement has the signature the entry's (checked) flags call it with.
    unsafe {
        let unicode = std::ptr::addr_of_mut!(ffi::PyUnicode_Type);
        replace(
            unicode,
            "str",
            "format",
            ffi::METH_VARARGS | ffi::METH_KEYWORDS,
            ffi::PyMethodDefPointer {
                PyCFunctionWithKeywords: guarded_format,
            },
            &FORMAT,
        )?;
        replace(
            unicode,
            "str",
            "format_map",
            ffi::METH_O,
            ffi::PyMethodDefPointer {
                PyCFunction: guarded_format_map,
            },
            &FORMAT_MAP,
        )?;
        replace(
            unicode,
            "str",
            "encode",
            ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
            ffi::PyMethodDefPointer {
                PyCFunctionFastWithKeywords: guarded_encode,
            },
            &ENCODE,
        )?;
        for (class, name) in [
            (std::ptr::addr_of_mut!(ffi::PyBytes_Type), "bytes"),
            (std::ptr::addr_of_mut!(ffi::PyByteArray_Type), "bytearray"),
        ] {
            replace(
                class,
                name,
                "decode",
                ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
                ffi::PyMethodDefPointer {
                    PyCFunctionFastWithKeywords: guarded_decode,
                },
                if name == "bytes" {
                    &BYTES_DECODE
                } else {
                    &BYTEARRAY_DECODE
                },
            )?;
        }
    }
    Ok(())
}

/// The originals of the codec methods: they show the guard is installed, and the guards call
/// them only for trusted packages' code ([`packages_frame`]).
static ENCODE: AtomicUsize = AtomicUsize::new(0);
static BYTES_DECODE: AtomicUsize = AtomicUsize::new(0);
static BYTEARRAY_DECODE: AtomicUsize = AtomicUsize::new(0);

/// Runs the codec registry's lazy initialisation now, while no program exists: it registers
/// CPython's error handlers, then imports `encodings` (which fails after a core-only start:
/// the registry stays without search functions, and stays initialised). `encodings` is
/// marked absent in `sys.modules` meanwhile, so the import fails at once instead of searching
/// every importer first (about 0.1 ms of every start); the mark is taken back after.
fn initialise_codec_registry() -> Result<(), GuardError> {
    // SAFETY: attached; PyImport_GetModuleDict returns a borrowed reference to `sys.modules`
    // (null with an exception set, when it is missing); the dict calls take NUL-terminated
    // keys and a borrowed value. PyCodec_LookupError takes a NUL-terminated name and returns
    // a new reference or null with an exception set.
    unsafe {
        let modules = ffi::PyImport_GetModuleDict();
        let marked = !modules.is_null()
            && ffi::PyDict_GetItemString(modules, c"encodings".as_ptr()).is_null()
            && ffi::PyDict_SetItemString(modules, c"encodings".as_ptr(), ffi::Py_None()) == 0;
        ffi::PyErr_Clear();
        let mut found = false;
        for _ in 0..2 {
            let handler = ffi::PyCodec_LookupError(c"strict".as_ptr());
            if !handler.is_null() {
                ffi::Py_DECREF(handler);
                found = true;
                break;
            }
            ffi::PyErr_Clear();
        }
        if marked && ffi::PyDict_DelItemString(modules, c"encodings".as_ptr()) != 0 {
            ffi::PyErr_Clear();
        }
        if found {
            return Ok(());
        }
    }
    Err(GuardError::Setup(
        "CPython's codec registry has no `strict` error handler".into(),
    ))
}

/// Replaces `method`'s C function in `class`'s method table, after checking its flags.
///
/// # Safety
/// As [`replace_in_table`].
unsafe fn replace(
    class: *mut ffi::PyTypeObject,
    type_name: &'static str,
    method: &'static str,
    flags: c_int,
    guard: ffi::PyMethodDefPointer,
    original: &AtomicUsize,
) -> Result<(), GuardError> {
    // SAFETY: the caller's guarantees, passed on.
    unsafe { replace_in_table(class, method, flags, guard, original) }
        .map_err(|MethodTableMismatch| GuardError::MethodTable { type_name, method })
}

/// A type's method table does not hold the method, or not with the expected flags.
#[derive(Debug)]
pub(crate) struct MethodTableMismatch;

/// Replaces `method`'s C function in `class`'s method table with `guard`, after checking its
/// flags, and keeps the original in `original` (already the guard: nothing to do). The
/// method descriptors point at the table's entry, so every way of reaching the method meets
/// the guard. Shared by these guards and `crate::package_guards`.
///
/// # Safety
/// `class` must be a static type whose method table stays alive, with the interpreter
/// attached; `guard` must have the signature `flags` calls.
pub(crate) unsafe fn replace_in_table(
    class: *mut ffi::PyTypeObject,
    method: &str,
    flags: c_int,
    guard: ffi::PyMethodDefPointer,
    original: &AtomicUsize,
) -> Result<(), MethodTableMismatch> {
    // SAFETY: tp_methods of a static type is a static array ended by a null name.
    unsafe {
        let mut entry = (*class).tp_methods;
        if entry.is_null() {
            return Err(MethodTableMismatch);
        }
        while !(*entry).ml_name.is_null() {
            let name = std::ffi::CStr::from_ptr((*entry).ml_name);
            if name.to_bytes() == method.as_bytes() {
                let current = (*entry).ml_meth.as_ptr();
                if current == guard.as_ptr() {
                    return Ok(());
                }
                if (*entry).ml_flags != flags || current.is_null() {
                    return Err(MethodTableMismatch);
                }
                original.store(current as usize, Ordering::Release);
                (*entry).ml_meth = guard;
                return Ok(());
            }
            entry = entry.add(1);
        }
    }
    Err(MethodTableMismatch)
}

// ---------------------------------------------------------------------------------------
// str.format / str.format_map

type FormatFunction = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *mut ffi::PyObject,
    *mut ffi::PyObject,
) -> *mut ffi::PyObject;
type FormatMapFunction =
    unsafe extern "C" fn(*mut ffi::PyObject, *mut ffi::PyObject) -> *mut ffi::PyObject;

/// Sets a `SystemError` for a guard called before it was installed.
fn not_installed(what: &std::ffi::CStr) -> *mut ffi::PyObject {
    // SAFETY: setting an exception with a static message is always valid when attached.
    unsafe { ffi::PyErr_SetString(ffi::PyExc_SystemError, what.as_ptr()) };
    std::ptr::null_mut()
}

/// `str.format(self, *args, **kwargs)`, with the template checked first.
unsafe extern "C" fn guarded_format(
    template: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    let address = FORMAT.load(Ordering::Acquire);
    if address == 0 {
        return not_installed(c"str.format guard");
    }
    // SAFETY: CPython calls this entry with a live str (the descriptor checked the type).
    if unsafe { !template_allowed(template) } {
        return std::ptr::null_mut();
    }
    // SAFETY: the address was stored from the entry's own function, of this signature.
    let original: FormatFunction = unsafe { std::mem::transmute(address) };
    // SAFETY: the arguments are CPython's, passed on unchanged.
    unsafe { original(template, args, kwargs) }
}

/// `str.format_map(self, mapping)`, with the template checked first.
unsafe extern "C" fn guarded_format_map(
    template: *mut ffi::PyObject,
    mapping: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    let address = FORMAT_MAP.load(Ordering::Acquire);
    if address == 0 {
        return not_installed(c"str.format_map guard");
    }
    // SAFETY: as in `guarded_format`.
    if unsafe { !template_allowed(template) } {
        return std::ptr::null_mut();
    }
    // SAFETY: the address was stored from the entry's own function, of this signature.
    let original: FormatMapFunction = unsafe { std::mem::transmute(address) };
    // SAFETY: the arguments are CPython's, passed on unchanged.
    unsafe { original(template, mapping) }
}

/// Whether `template` (a live `str`) may be formatted; `false` with `ValueError` set when a
/// field reaches a refused name.
///
/// # Safety
/// With the interpreter attached, `template` a live `str`.
unsafe fn template_allowed(template: *mut ffi::PyObject) -> bool {
    // SAFETY: the caller holds the interpreter and a live object, borrowed for the call.
    let (py, template) = unsafe {
        let py = Python::assume_attached();
        (py, Bound::from_borrowed_ptr(py, template))
    };
    let Ok(template) = template.cast_into::<PyString>() else {
        return true;
    };
    if !may_name_refused_part(&template) {
        return true;
    }
    match refused_part(py, template.as_any(), 0) {
        Ok(Some((field, name))) => {
            pyo3::exceptions::PyValueError::new_err(format!(
                "a format field may not reach '{name}' (field '{field}'): names starting \
                 with '_' and introspection attributes are refused in the sandbox"
            ))
            .restore(py);
            false
        }
        Ok(None) => true,
        // Malformed where CPython's parse fails too (its parser raises `ValueError`): every
        // field before was checked, the original raises CPython's error at the same place.
        Err(error) if error.is_instance_of::<pyo3::exceptions::PyValueError>(py) => true,
        // Anything else (memory) refuses: the check did not finish.
        Err(error) => {
            error.restore(py);
            false
        }
    }
}

/// Whether a part of a field of `template` may start with `_` or (an attribute) with an
/// introspection prefix: the text has `{_`, `[_`, `._` or `.` before such a prefix. Every part
/// of a field starts right after `{` (the first), `.` (an attribute) or `[` (an item), also in
/// nested fields of format specs; `false` therefore proves the template harmless.
fn may_name_refused_part(template: &Bound<'_, PyString>) -> bool {
    // SAFETY: a live str; READY makes its canonical representation exist (a no-op for every
    // string 3.11 creates, which are compact), after which KIND/DATA/LENGTH describe it.
    unsafe {
        let object = template.as_ptr();
        if ffi::PyUnicode_READY(object) != 0 {
            ffi::PyErr_Clear();
            return true;
        }
        let length = usize::try_from(ffi::PyUnicode_GET_LENGTH(object)).unwrap_or(0);
        let data = ffi::PyUnicode_DATA(object);
        match ffi::PyUnicode_KIND(object) {
            ffi::PyUnicode_1BYTE_KIND => {
                units_may_name_refused_part(std::slice::from_raw_parts(data.cast::<u8>(), length))
            }
            ffi::PyUnicode_2BYTE_KIND => {
                units_may_name_refused_part(std::slice::from_raw_parts(data.cast::<u16>(), length))
            }
            ffi::PyUnicode_4BYTE_KIND => {
                units_may_name_refused_part(std::slice::from_raw_parts(data.cast::<u32>(), length))
            }
            _ => true,
        }
    }
}

/// [`may_name_refused_part`] over the code points of a string.
fn units_may_name_refused_part<T: Copy + Into<u32>>(units: &[T]) -> bool {
    let is = |index: usize, ascii: u8| {
        units
            .get(index)
            .is_some_and(|unit| (*unit).into() == u32::from(ascii))
    };
    units.iter().enumerate().any(|(index, unit)| {
        let unit: u32 = (*unit).into();
        if unit == u32::from(b'{') || unit == u32::from(b'[') {
            return is(index + 1, b'_');
        }
        if unit != u32::from(b'.') {
            return false;
        }
        is(index + 1, b'_')
            || safe_check::INTROSPECTION_PREFIXES.iter().any(|prefix| {
                prefix
                    .bytes()
                    .enumerate()
                    .all(|(offset, byte)| is(index + 1 + offset, byte))
            })
    })
}

/// The first field part of `template` the guard refuses, as `(field, name)`; `Ok(None)` if
/// there is none; `Err` where CPython's parser fails (a `ValueError`: the check stops there,
/// as CPython's formatting will).
fn refused_part(
    py: Python<'_>,
    template: &Bound<'_, PyAny>,
    depth: usize,
) -> PyResult<Option<(String, String)>> {
    let Some((parser, split)) = PARSER.get() else {
        return Err(pyo3::exceptions::PySystemError::new_err("format guard"));
    };
    if depth > 8 {
        // CPython refuses nesting deeper than two levels ("Max string recursion exceeded").
        return Err(pyo3::exceptions::PyValueError::new_err("too deep"));
    }
    for item in parser.bind(py).call1((template,))?.try_iter()? {
        let item = item?;
        let item = item.cast::<PyTuple>()?;
        let field = item.get_item(1)?;
        if field.is_none() {
            continue;
        }
        // Lossy: a lone surrogate is shown as U+FFFD, never an error that would stop the
        // check early.
        let field_name = field.str()?.to_string_lossy().into_owned();
        let parts = split.bind(py).call1((&field,))?;
        let parts = parts.cast::<PyTuple>()?;
        if let Some(name) = refused_name(&parts.get_item(0)?, false)? {
            return Ok(Some((field_name, name)));
        }
        for part in parts.get_item(1)?.try_iter()? {
            let part = part?;
            let part = part.cast::<PyTuple>()?;
            let attribute = part.get_item(0)?.is_truthy()?;
            if let Some(name) = refused_name(&part.get_item(1)?, attribute)? {
                return Ok(Some((field_name, name)));
            }
        }
        let spec = item.get_item(2)?;
        if !spec.is_none() {
            if let Some(found) = refused_part(py, &spec, depth + 1)? {
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

/// `key` as a refused name: a `str` starting with `_`, or an attribute name with an
/// introspection prefix. Integer keys are never refused.
fn refused_name(key: &Bound<'_, PyAny>, attribute: bool) -> PyResult<Option<String>> {
    let Ok(key) = key.cast::<PyString>() else {
        return Ok(None);
    };
    // Lossy keeps every ASCII character where it is, which is all the tests below read; a
    // lone surrogate (never `_`) cannot make the check fail and stop early.
    let key = key.to_string_lossy();
    let refused = key.starts_with('_')
        || (attribute
            && safe_check::INTROSPECTION_PREFIXES
                .iter()
                .any(|prefix| key.starts_with(prefix)));
    Ok(refused.then(|| key.into_owned()))
}

// ---------------------------------------------------------------------------------------
// str.encode / bytes.decode / bytearray.decode

extern "C" {
    fn _PyUnicode_AsUTF8String(
        unicode: *mut ffi::PyObject,
        errors: *const c_char,
    ) -> *mut ffi::PyObject;
    fn _PyUnicode_AsASCIIString(
        unicode: *mut ffi::PyObject,
        errors: *const c_char,
    ) -> *mut ffi::PyObject;
    fn _PyUnicode_AsLatin1String(
        unicode: *mut ffi::PyObject,
        errors: *const c_char,
    ) -> *mut ffi::PyObject;
    fn _PyUnicode_EncodeUTF16(
        unicode: *mut ffi::PyObject,
        errors: *const c_char,
        byteorder: c_int,
    ) -> *mut ffi::PyObject;
    fn _PyUnicode_EncodeUTF32(
        unicode: *mut ffi::PyObject,
        errors: *const c_char,
        byteorder: c_int,
    ) -> *mut ffi::PyObject;
}

/// CPython's codec name normalisation (`_Py_normalize_encoding`, which both its fast paths
/// and its codec registry apply): ASCII letters lowered, digits and `.` kept, every other run
/// of characters one `_` between kept characters (none at either end).
pub fn normalize_encoding(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut punctuation = false;
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'.' {
            if punctuation && !normalized.is_empty() {
                normalized.push('_');
            }
            punctuation = false;
            normalized.push(char::from(byte.to_ascii_lowercase()));
        } else {
            punctuation = true;
        }
    }
    normalized
}

/// The allowed codec `name` names, as CPython's registry resolves it, or `None`: the
/// normalised name's alias (also looked up with `.` read as `_`), else the normalised name
/// itself as a codec module name (never one with a `.`).
pub fn codec_named(name: &str) -> Option<Codec> {
    let normalized = normalize_encoding(name);
    let alias = |key: &str| {
        ALIASES
            .iter()
            .find(|(alias, _)| *alias == key)
            .map(|(_, canonical)| *canonical)
    };
    let canonical = alias(&normalized)
        .or_else(|| alias(&normalized.replace('.', "_")))
        .or_else(|| (!normalized.contains('.')).then_some(normalized.as_str()))?;
    CODECS
        .iter()
        .find(|(codec_name, _)| *codec_name == canonical)
        .map(|(_, codec)| *codec)
}

/// The canonical (codec module) name of the allowed codec `name` names ([`codec_named`]), or
/// `None`.
pub fn canonical_codec_name(name: &str) -> Option<&'static str> {
    let codec = codec_named(name)?;
    CODECS
        .iter()
        .find(|(_, allowed)| *allowed == codec)
        .map(|(canonical, _)| *canonical)
}

/// The `encoding` and `errors` arguments of a codec method, as CPython's argument clinic
/// reads them (`(encoding='utf-8', errors='strict')`, positional or keyword, both `str`).
struct CodecArguments {
    encoding: Option<(*const c_char, String)>,
    errors: Option<(*const c_char, String)>,
}

/// Reads the arguments of `method` (`encode` or `decode`) as the clinic does; `Err` with a
/// `TypeError`/`ValueError` set as CPython's.
///
/// # Safety
/// `args` must hold `nargs` positional then `len(kwnames)` keyword values, live for the call.
unsafe fn codec_arguments(
    py: Python<'_>,
    method: &str,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<CodecArguments> {
    const NAMES: [&str; 2] = ["encoding", "errors"];
    let type_error = pyo3::exceptions::PyTypeError::new_err;
    // SAFETY: the vectorcall convention: `nargs` positional values, then one per keyword name.
    unsafe {
        let positional = usize::try_from(nargs).unwrap_or(0);
        let keywords = if kwnames.is_null() {
            0
        } else {
            usize::try_from(ffi::PyTuple_GET_SIZE(kwnames)).unwrap_or(0)
        };
        if positional + keywords > 2 {
            return Err(type_error(format!(
                "{method}() takes at most 2 arguments ({} given)",
                positional + keywords
            )));
        }
        let mut slots: [*mut ffi::PyObject; 2] = [std::ptr::null_mut(); 2];
        for (index, slot) in slots.iter_mut().enumerate().take(positional) {
            *slot = *args.add(index);
        }
        for keyword in 0..keywords {
            let name = Bound::from_borrowed_ptr(py, ffi::PyTuple_GET_ITEM(kwnames, keyword as _));
            let name = name.cast::<PyString>()?.to_str()?.to_owned();
            let Some(index) = NAMES.iter().position(|n| *n == name) else {
                return Err(type_error(format!(
                    "'{name}' is an invalid keyword argument for {method}()"
                )));
            };
            if !slots[index].is_null() {
                return Err(type_error(format!(
                    "argument for {method}() given by name ('{name}') and position ({})",
                    index + 1
                )));
            }
            slots[index] = *args.add(positional + keyword);
        }
        let mut texts = [None, None];
        for (index, value) in slots.into_iter().enumerate() {
            if value.is_null() {
                continue;
            }
            let value = Bound::from_borrowed_ptr(py, value);
            let Ok(text) = value.cast::<PyString>() else {
                return Err(type_error(format!(
                    "{method}() argument '{}' must be str, not {}",
                    NAMES[index],
                    value.get_type().name()?
                )));
            };
            let mut size: ffi::Py_ssize_t = 0;
            // The UTF-8 form is cached on the str, which the caller keeps alive.
            let pointer = ffi::PyUnicode_AsUTF8AndSize(text.as_ptr(), &mut size);
            if pointer.is_null() {
                return Err(PyErr::fetch(py));
            }
            let bytes = std::slice::from_raw_parts(pointer.cast::<u8>(), size.max(0) as usize);
            if bytes.contains(&0) {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "embedded null character",
                ));
            }
            texts[index] = Some((pointer, String::from_utf8_lossy(bytes).into_owned()));
        }
        let [encoding, errors] = texts;
        Ok(CodecArguments { encoding, errors })
    }
}

/// The codec and error handler of `arguments`, or the `LookupError` a refused name raises.
fn allowed_codec(arguments: &CodecArguments) -> PyResult<(Codec, *const c_char)> {
    let codec = match &arguments.encoding {
        None => Codec::Utf8,
        Some((_, name)) => codec_named(name).ok_or_else(|| {
            pyo3::exceptions::PyLookupError::new_err(format!(
                "unknown encoding: {name} (the sandbox's codecs are utf-8, ascii, latin-1, \
                 utf-16 and utf-32)"
            ))
        })?,
    };
    let errors = match &arguments.errors {
        None => std::ptr::null(),
        Some((pointer, name)) => {
            if !ERROR_HANDLERS.contains(&name.as_str()) {
                return Err(pyo3::exceptions::PyLookupError::new_err(format!(
                    "unknown error handler name '{name}'"
                )));
            }
            *pointer
        }
    };
    Ok((codec, errors))
}

/// The allowed codec and error handler a call of `method` asks for, or `None` with the
/// Python exception set (a bad argument, or a codec or handler that is not allowed).
///
/// # Safety
/// As [`codec_arguments`].
unsafe fn chosen_codec(
    py: Python<'_>,
    method: &str,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> Option<(Codec, *const c_char)> {
    // SAFETY: the caller passes the vectorcall arguments through unchanged.
    let arguments = unsafe { codec_arguments(py, method, args, nargs, kwnames) };
    match arguments.and_then(|arguments| allowed_codec(&arguments)) {
        Ok(chosen) => Some(chosen),
        Err(error) => {
            error.restore(py);
            None
        }
    }
}

/// Whether the running frame is trusted code's while the policy lists packages: packages
/// read files whose codecs they name themselves (zipfile decodes member names as cp437), so
/// their calls go to CPython's own method, which looks codecs up in the registry, whose only
/// search function answers the program's text codecs and cp437 (`modules/packages.py`).
/// The program's frames, and every frame of a run without packages, get the guard.
fn packages_frame() -> bool {
    if !crate::modules::packages_listed() {
        return false;
    }
    // SAFETY: attached (called from a method CPython runs); the borrowed pointer is only
    // compared.
    let globals = unsafe { ffi::PyEval_GetGlobals() };
    !globals.is_null() && !crate::python_profile::is_program_globals(globals)
}

/// Calls the original method kept in `slot`.
///
/// # Safety
/// As the guards: CPython's vectorcall arguments, passed through unchanged, to the original
/// of the same method (a `METH_FASTCALL | METH_KEYWORDS` function).
unsafe fn call_original(
    slot: &AtomicUsize,
    receiver: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: `replace` stored the method table's function pointer of this flag kind.
    unsafe {
        let original: ffi::PyCFunctionFastWithKeywords = std::mem::transmute::<
            usize,
            ffi::PyCFunctionFastWithKeywords,
        >(slot.load(Ordering::Acquire));
        original(receiver, args, nargs, kwnames)
    }
}

/// `str.encode(encoding='utf-8', errors='strict')` with the allowed codecs only.
unsafe extern "C" fn guarded_encode(
    text: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls this entry attached, with a live str (the descriptor checked the
    // type) and the vectorcall arguments; the codec functions take a str and a NUL-terminated
    // handler name (or null) that the caller's argument keeps alive.
    unsafe {
        if packages_frame() {
            return call_original(&ENCODE, text, args, nargs, kwnames);
        }
        let py = Python::assume_attached();
        let Some((codec, errors)) = chosen_codec(py, "encode", args, nargs, kwnames) else {
            return std::ptr::null_mut();
        };
        match codec {
            Codec::Utf8 => _PyUnicode_AsUTF8String(text, errors),
            Codec::Ascii => _PyUnicode_AsASCIIString(text, errors),
            Codec::Latin1 => _PyUnicode_AsLatin1String(text, errors),
            Codec::Utf16(order) => _PyUnicode_EncodeUTF16(text, errors, order),
            Codec::Utf32(order) => _PyUnicode_EncodeUTF32(text, errors, order),
        }
    }
}

/// `bytes.decode` and `bytearray.decode` (`encoding='utf-8', errors='strict'`) with the
/// allowed codecs only. The bytes are read through the buffer protocol, as CPython's
/// `decode` does, so a `bytearray` cannot be resized while it is decoded.
unsafe extern "C" fn guarded_decode(
    data: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: as in `guarded_encode`, with a live bytes or bytearray; the buffer is released
    // after the decoder has read it.
    unsafe {
        if packages_frame() {
            let slot = if ffi::PyBytes_Check(data) != 0 {
                &BYTES_DECODE
            } else {
                &BYTEARRAY_DECODE
            };
            return call_original(slot, data, args, nargs, kwnames);
        }
        let py = Python::assume_attached();
        let Some((codec, errors)) = chosen_codec(py, "decode", args, nargs, kwnames) else {
            return std::ptr::null_mut();
        };
        let mut view = std::mem::MaybeUninit::<ffi::Py_buffer>::zeroed();
        if ffi::PyObject_GetBuffer(data, view.as_mut_ptr(), ffi::PyBUF_SIMPLE) != 0 {
            return std::ptr::null_mut();
        }
        let view = view.assume_init_mut();
        let (bytes, size) = (view.buf.cast::<c_char>().cast_const(), view.len);
        let result = match codec {
            Codec::Utf8 => ffi::PyUnicode_DecodeUTF8(bytes, size, errors),
            Codec::Ascii => ffi::PyUnicode_DecodeASCII(bytes, size, errors),
            Codec::Latin1 => ffi::PyUnicode_DecodeLatin1(bytes, size, errors),
            Codec::Utf16(order) => {
                let mut order = order;
                ffi::PyUnicode_DecodeUTF16(bytes, size, errors, &mut order)
            }
            Codec::Utf32(order) => {
                let mut order = order;
                ffi::PyUnicode_DecodeUTF32(bytes, size, errors, &mut order)
            }
        };
        ffi::PyBuffer_Release(view);
        result
    }
}

/// Whether the guards are installed in this process.
pub fn installed() -> bool {
    [
        &FORMAT,
        &FORMAT_MAP,
        &ENCODE,
        &BYTES_DECODE,
        &BYTEARRAY_DECODE,
    ]
    .iter()
    .all(|original| original.load(Ordering::Acquire) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_as_cpython() {
        assert_eq!(normalize_encoding(" UTF-8 "), "utf_8");
        assert_eq!(normalize_encoding("utf--8"), "utf_8");
        assert_eq!(normalize_encoding("_Latin 1_"), "latin_1");
        assert_eq!(normalize_encoding("ISO_8859-1:1987"), "iso_8859_1_1987");
        assert_eq!(normalize_encoding("utf\u{2010}8"), "utf_8");
        assert_eq!(normalize_encoding("ｕｔｆ８"), "");
        assert_eq!(normalize_encoding("ansi_x3.4-1968"), "ansi_x3.4_1968");
    }

    #[test]
    fn only_text_codecs_are_named() {
        for (name, codec) in [
            ("utf-8", Codec::Utf8),
            ("U8", Codec::Utf8),
            ("us-ascii", Codec::Ascii),
            ("iso-8859-1", Codec::Latin1),
            ("latin1", Codec::Latin1),
            ("utf-16", Codec::Utf16(0)),
            ("UTF-16LE", Codec::Utf16(-1)),
            ("utf_16_be", Codec::Utf16(1)),
            ("utf-32-le", Codec::Utf32(-1)),
            ("ansi_x3.4-1968", Codec::Ascii),
        ] {
            assert_eq!(codec_named(name), Some(codec), "{name}");
        }
        for name in [
            "rot13",
            "rot_13",
            "hex",
            "base64",
            "zip",
            "idna",
            "punycode",
            "unicode_escape",
            "raw_unicode_escape",
            "utf-8-sig",
            "utf-7",
            "cp1252",
            "utf.8",
            "",
            "encodings.utf_8",
            "../utf_8",
        ] {
            assert_eq!(codec_named(name), None, "{name}");
        }
    }

    fn prefilter(text: &str) -> bool {
        let units: Vec<u32> = text.chars().map(u32::from).collect();
        units_may_name_refused_part(&units)
    }

    #[test]
    fn prefilter_lets_through_only_templates_without_refusable_parts() {
        for harmless in [
            "{}: {:.2f}",
            "{0.real} {0[1]} {x!r:>{w}}",
            "a_b {{x}} _",
            "",
        ] {
            assert!(!prefilter(harmless), "{harmless}");
        }
        for suspicious in [
            "{_x}",
            "{0._s}",
            "{0[_k]}",
            "{0.gi_frame}",
            "{0:{1.f_back}}",
        ] {
            assert!(prefilter(suspicious), "{suspicious}");
        }
    }

    /// A template made of pieces that build fields, from a simple deterministic generator.
    fn template(seed: &mut u64) -> String {
        const PIECES: &[&str] = &[
            "{",
            "}",
            "[",
            "]",
            ".",
            "_",
            "__class__",
            "0",
            "x",
            ":",
            "!r",
            "!",
            "{0",
            "}}",
            "{{",
            "gi_frame",
            "f_",
            " ",
            "é",
            ">5",
            "a",
        ];
        let mut text = String::new();
        let length = (*seed % 12) as usize + 1;
        for _ in 0..length {
            *seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push_str(PIECES[(*seed >> 33) as usize % PIECES.len()]);
        }
        text
    }

    /// The prefilter is sound: whatever CPython's parser finds refusable in a template, the
    /// prefilter flags; and the guard refuses exactly those templates at run time.
    #[test]
    fn prefilter_flags_every_template_the_parser_refuses() {
        Python::initialize();
        Python::attach(|py| {
            install(py).expect("guards install");
            assert!(installed());
            let mut seed = 7;
            let mut refused = 0;
            for _ in 0..20_000 {
                let text = template(&mut seed);
                let object = PyString::new(py, &text);
                let found = refused_part(py, object.as_any(), 0).ok().flatten();
                if found.is_some() {
                    refused += 1;
                    assert!(prefilter(&text), "{text:?}: {found:?}");
                    let error = object
                        .call_method1("format", (1, 2))
                        .expect_err("the guard refuses");
                    assert!(error.is_instance_of::<pyo3::exceptions::PyValueError>(py));
                    assert!(error.to_string().contains("may not reach"), "{error}");
                }
            }
            assert!(refused > 100, "too few refusable templates: {refused}");
        });
    }

    #[test]
    fn guards_refuse_walks_and_other_codecs() {
        Python::initialize();
        Python::attach(|py| {
            install(py).expect("guards install");
            let run = |source: &str| {
                let code = std::ffi::CString::new(source).expect("no NUL");
                py.run(&code, None, None)
            };
            run("assert '{0.real}|{0:>{1}}|{2[a]}'.format(3, 4, {'a': 5}) == '3|   3|5'")
                .expect("ordinary format");
            run("assert str.format_map('{a}', {'a': 1}) == '1'").expect("format_map");
            for walk in [
                "'{0.__class__}'.format(1)",
                "str.format('{0[_k]}', {'_k': 1})",
                "'{0:{1.__class__}}'.format(1, 2)",
                "'{x.__class__!r}'.format_map({'x': 1})",
            ] {
                let error = run(walk).expect_err(walk);
                assert!(
                    error.is_instance_of::<pyo3::exceptions::PyValueError>(py),
                    "{walk}"
                );
            }
            run("assert 'é'.encode('utf-16-le') == b'\\xe9\\x00'").expect("utf-16-le");
            run("assert bytearray(b'\\xe9').decode('latin-1') == 'é'").expect("bytearray");
            for codec in [
                "'x'.encode('rot13')",
                "b'x'.decode('hex')",
                "bytearray(b'x').decode('base64')",
                "'x'.encode('utf-8', 'namereplace')",
            ] {
                let error = run(codec).expect_err(codec);
                assert!(
                    error.is_instance_of::<pyo3::exceptions::PyLookupError>(py),
                    "{codec}"
                );
            }
        });
    }
}
