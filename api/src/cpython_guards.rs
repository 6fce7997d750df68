//! Guards for CPython 3.11 memory-safety bugs a program can reach with the builtins and syntax
//! it is given. Each replaces one C function of a builtin type, in the type's slot *and* in
//! the wrapper its class dict holds (so calling the method through the class is covered too),
//! with one that never lets program code run between a check and the memory access it
//! protects. Classes the program derives later inherit the guarded slots.
//!
//! * **`str()` of a Unicode error** (CPython gh-123378, fixed in 3.12/3.13, not 3.11):
//!   `UnicodeDecodeError.__str__` indexes its `object` at `start` without a bounds check, and
//!   all three classes trust that `object` is the `bytes` or `str` their constructor made; the
//!   program can set `object`, `start` and `end` freely. Worse, the original first calls
//!   `str()` on `reason` and `encoding`, which may be the program's objects whose `__str__`
//!   changes the fields after any check made before the call. The guard does the whole job
//!   itself: `str()` of `reason` and `encoding` first, then it reads and checks the fields and
//!   formats CPython's message; fields out of range give `BaseException`'s `str()` of the
//!   arguments instead.
//! * **Extended-slice assignment to a list** (CPython gh-120384, fixed in 3.12.5/3.13, not
//!   3.11): `lst[a:b:c] = value` takes the slice's length and the list's item array *before*
//!   it turns `value` into a sequence, which runs the program's `__iter__`/`__next__`; those
//!   can shrink the list, and CPython then writes and decrefs past the new array (a write
//!   primitive). The guard turns a `value` that is not an exact list or tuple into a list
//!   first, so all program code has run before the original looks at the list.
//! * **Ordering comparison of lists** (CPython gh-120298, fixed in 3.12/3.13, not 3.11):
//!   `a < b` (and `<=`, `>`, `>=`, `sorted`, `min`, `max` over lists) compares the first items
//!   that differ through *borrowed* pointers; when those items are tuples, their comparison
//!   runs the program's `__eq__`, which can empty both lists and free the tuples mid-compare
//!   (a use-after-free with contents the program chooses). The guard compares private copies
//!   of the two lists, which keep every item alive and which no program code can reach.
//! * **`str()` of an `OSError`** (every built-in subclass shares the function): CPython 3.11
//!   hands *borrowed* `errno`, `strerror`, `filename` and `filename2` to one format call, whose
//!   `%S` of `errno` runs the program's `__str__`; that can replace the other fields and free
//!   the objects the format then uses (a use-after-free). The guard holds its own references
//!   to the four fields, converts each to text (all program code runs then), and formats the
//!   texts.

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::ffi;
use pyo3::prelude::*;

/// The original `list` assignment function, as an address (0: not installed).
static LIST_ASS_SUBSCRIPT: AtomicUsize = AtomicUsize::new(0);

/// The original `list` comparison function, as an address (0: not installed).
static LIST_RICHCOMPARE: AtomicUsize = AtomicUsize::new(0);

type CompareFunction =
    unsafe extern "C" fn(*mut ffi::PyObject, *mut ffi::PyObject, c_int) -> *mut ffi::PyObject;

type StrFunction = unsafe extern "C" fn(*mut ffi::PyObject) -> *mut ffi::PyObject;
type AssignFunction =
    unsafe extern "C" fn(*mut ffi::PyObject, *mut ffi::PyObject, *mut ffi::PyObject) -> c_int;

/// Installs every guard. Called in the sandbox child before any program exists; idempotent.
pub fn install(_py: Python<'_>) {
    // SAFETY: the type objects are static and live for the process; the interpreter is
    // attached (the token), so nothing else reads or writes these slots meanwhile.
    unsafe {
        guard_str(ffi::PyExc_UnicodeDecodeError, decode_str);
        guard_str(ffi::PyExc_UnicodeEncodeError, encode_str);
        guard_str(ffi::PyExc_UnicodeTranslateError, translate_str);
        for class in [
            ffi::PyExc_OSError,
            ffi::PyExc_BlockingIOError,
            ffi::PyExc_ChildProcessError,
            ffi::PyExc_ConnectionError,
            ffi::PyExc_BrokenPipeError,
            ffi::PyExc_ConnectionAbortedError,
            ffi::PyExc_ConnectionRefusedError,
            ffi::PyExc_ConnectionResetError,
            ffi::PyExc_FileExistsError,
            ffi::PyExc_FileNotFoundError,
            ffi::PyExc_InterruptedError,
            ffi::PyExc_IsADirectoryError,
            ffi::PyExc_NotADirectoryError,
            ffi::PyExc_PermissionError,
            ffi::PyExc_ProcessLookupError,
            ffi::PyExc_TimeoutError,
        ] {
            guard_str(class, os_error_str);
        }
        guard_list_assignment();
        guard_list_comparison();
    }
}

/// Replaces `list`'s rich comparison (slot and the six comparison wrappers).
///
/// # Safety
/// With the interpreter attached.
unsafe fn guard_list_comparison() {
    let class = std::ptr::addr_of_mut!(ffi::PyList_Type);
    // SAFETY: PyList_Type is a static, ready type; tp_richcompare is a plain field.
    unsafe {
        let Some(original) = (*class).tp_richcompare else {
            return;
        };
        if original as usize == list_richcompare as *const () as usize {
            return;
        }
        LIST_RICHCOMPARE.store(original as usize, Ordering::Release);
        (*class).tp_richcompare = Some(list_richcompare);
        rewire_wrappers(
            class,
            &[
                c"__lt__", c"__le__", c"__gt__", c"__ge__", c"__eq__", c"__ne__",
            ],
            original as *mut c_void,
            list_richcompare as *mut c_void,
        );
    }
}

/// `v <op> w` for lists: an ordering compares private copies, so no item can be freed while
/// CPython holds it borrowed.
unsafe extern "C" fn list_richcompare(
    v: *mut ffi::PyObject,
    w: *mut ffi::PyObject,
    op: c_int,
) -> *mut ffi::PyObject {
    let address = LIST_RICHCOMPARE.load(Ordering::Acquire);
    if address == 0 {
        // SAFETY: setting an exception with a static message is always valid here.
        unsafe {
            ffi::PyErr_SetString(ffi::PyExc_SystemError, c"list comparison guard".as_ptr());
        }
        return std::ptr::null_mut();
    }
    // SAFETY: the address was stored from list's own tp_richcompare, of this signature.
    let original: CompareFunction = unsafe { std::mem::transmute(address) };
    let ordering = matches!(op, ffi::Py_LT | ffi::Py_LE | ffi::Py_GT | ffi::Py_GE);
    // SAFETY: CPython calls this slot with two live objects; the copies are released before
    // returning.
    unsafe {
        if !ordering || ffi::PyList_Check(v) == 0 || ffi::PyList_Check(w) == 0 {
            return original(v, w, op);
        }
        let left = ffi::PyList_GetSlice(v, 0, ffi::Py_ssize_t::MAX);
        if left.is_null() {
            return std::ptr::null_mut();
        }
        let right = ffi::PyList_GetSlice(w, 0, ffi::Py_ssize_t::MAX);
        if right.is_null() {
            ffi::Py_DECREF(left);
            return std::ptr::null_mut();
        }
        let result = original(left, right, op);
        ffi::Py_DECREF(left);
        ffi::Py_DECREF(right);
        result
    }
}

/// Points the `d_wrapped` of the wrapper descriptors named `names` in `class`'s dict from
/// `original` to `replacement`.
///
/// # Safety
/// `class` must be a live, ready type object, with the interpreter attached.
unsafe fn rewire_wrappers(
    class: *mut ffi::PyTypeObject,
    names: &[&std::ffi::CStr],
    original: *mut c_void,
    replacement: *mut c_void,
) {
    // SAFETY: tp_dict of a ready type is a dict; a borrowed item lives as long as the dict.
    unsafe {
        let dict = (*class).tp_dict;
        if dict.is_null() {
            return;
        }
        for name in names {
            let wrapper = ffi::PyDict_GetItemString(dict, name.as_ptr());
            if !wrapper.is_null()
                && ffi::Py_TYPE(wrapper) == std::ptr::addr_of_mut!(ffi::PyWrapperDescr_Type)
            {
                let descriptor = wrapper.cast::<ffi::PyWrapperDescrObject>();
                if (*descriptor).d_wrapped == original {
                    (*descriptor).d_wrapped = replacement;
                }
            }
        }
        ffi::PyType_Modified(class);
    }
}

/// Replaces `class`'s `tp_str` and its `__str__` wrapper with `checked`.
///
/// # Safety
/// `class` must be a live type object, with the interpreter attached.
unsafe fn guard_str(class: *mut ffi::PyObject, checked: StrFunction) {
    let class = class.cast::<ffi::PyTypeObject>();
    // SAFETY: the caller guarantees a live type object; tp_str is a plain field.
    unsafe {
        let Some(original) = (*class).tp_str else {
            return;
        };
        if original as usize == checked as usize {
            return;
        }
        (*class).tp_str = Some(checked);
        rewire_wrappers(
            class,
            &[c"__str__"],
            original as *mut c_void,
            checked as *mut c_void,
        );
    }
}

/// Replaces `list`'s subscript assignment (slot and `__setitem__`/`__delitem__` wrappers).
///
/// # Safety
/// With the interpreter attached.
unsafe fn guard_list_assignment() {
    let class = std::ptr::addr_of_mut!(ffi::PyList_Type);
    // SAFETY: PyList_Type is a static, ready type whose tp_as_mapping points to a static
    // table of function pointers.
    unsafe {
        let mapping = (*class).tp_as_mapping;
        if mapping.is_null() {
            return;
        }
        let Some(original) = (*mapping).mp_ass_subscript else {
            return;
        };
        if original as usize == list_ass_subscript as *const () as usize {
            return;
        }
        LIST_ASS_SUBSCRIPT.store(original as usize, Ordering::Release);
        (*mapping).mp_ass_subscript = Some(list_ass_subscript);
        rewire_wrappers(
            class,
            &[c"__setitem__", c"__delitem__"],
            original as *mut c_void,
            list_ass_subscript as *mut c_void,
        );
    }
}

/// `list[key] = value` (or `del list[key]` with a null `value`), with a slice's value made an
/// exact list before the original runs.
unsafe extern "C" fn list_ass_subscript(
    list: *mut ffi::PyObject,
    key: *mut ffi::PyObject,
    value: *mut ffi::PyObject,
) -> c_int {
    let address = LIST_ASS_SUBSCRIPT.load(Ordering::Acquire);
    if address == 0 {
        // SAFETY: setting an exception with a static message is always valid here.
        unsafe {
            ffi::PyErr_SetString(ffi::PyExc_SystemError, c"list assignment guard".as_ptr());
        }
        return -1;
    }
    // SAFETY: the address was stored from list's own mp_ass_subscript, of this signature.
    let original: AssignFunction = unsafe { std::mem::transmute(address) };
    // SAFETY: CPython calls this slot with a live list (or subclass), a live key and a live
    // or null value; every object created here is released before returning.
    unsafe {
        if !value.is_null()
            && ffi::PySlice_Check(key) != 0
            && ffi::PyList_CheckExact(value) == 0
            && ffi::PyTuple_CheckExact(value) == 0
        {
            // All the program's iteration code runs here, before the original measures the
            // list or the slice.
            let items = ffi::PySequence_List(value);
            if items.is_null() {
                return -1;
            }
            let result = original(list, key, items);
            ffi::Py_DECREF(items);
            return result;
        }
        original(list, key, value)
    }
}

/// Whether `start..end` lies within `0..=length`.
fn positions_fit(start: ffi::Py_ssize_t, end: ffi::Py_ssize_t, length: ffi::Py_ssize_t) -> bool {
    (0..=length).contains(&start) && (0..=length).contains(&end)
}

/// `str()` of `reason` and `encoding`, which may run program code: done before any field is
/// read for the message. `None` (with the exception set) if either fails.
///
/// # Safety
/// `error` must be a live Unicode error, with the interpreter attached.
unsafe fn texts_first(
    error: *mut ffi::PyUnicodeErrorObject,
) -> Option<(*mut ffi::PyObject, *mut ffi::PyObject)> {
    // SAFETY: PyObject_Str accepts any object (and NULL, giving "<NULL>").
    unsafe {
        let reason = ffi::PyObject_Str((*error).reason);
        if reason.is_null() {
            return None;
        }
        let encoding = ffi::PyObject_Str((*error).encoding);
        if encoding.is_null() {
            ffi::Py_DECREF(reason);
            return None;
        }
        Some((reason, encoding))
    }
}

/// The start shared by the three Unicode errors' `str()`: the error's layout with the texts
/// of its reason and encoding, or what `str()` returns at once (`""` for an error without an
/// object, as CPython; null when a text fails, with its exception set).
///
/// # Safety
/// `object` must be a live Unicode error, with the interpreter attached.
unsafe fn begin(
    object: *mut ffi::PyObject,
) -> Result<
    (
        *mut ffi::PyUnicodeErrorObject,
        *mut ffi::PyObject,
        *mut ffi::PyObject,
    ),
    *mut ffi::PyObject,
> {
    // SAFETY: the caller guarantees the layout; the empty string is a fresh object.
    unsafe {
        let error = object.cast::<ffi::PyUnicodeErrorObject>();
        if (*error).object.is_null() {
            return Err(ffi::PyUnicode_FromString(c"".as_ptr()));
        }
        let (reason, encoding) = texts_first(error).ok_or(std::ptr::null_mut())?;
        Ok((error, reason, encoding))
    }
}

/// `BaseException`'s `str()`: the arguments, for an error whose fields do not fit.
///
/// # Safety
/// `object` must be a live exception, with the interpreter attached.
unsafe fn arguments_str(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: BaseException's tp_str reads only `args`, which every exception has.
    unsafe {
        let base = ffi::PyExc_BaseException.cast::<ffi::PyTypeObject>();
        match (*base).tp_str {
            Some(base_str) => base_str(object),
            None => ffi::PyUnicode_FromString(c"".as_ptr()),
        }
    }
}

/// The checked `str()` of a `UnicodeDecodeError`, with CPython 3.11's wording.
unsafe extern "C" fn decode_str(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a type's tp_str (and its wrapper, after a type check) only with
    // an instance of the type, whose layout is PyUnicodeErrorObject. Every field is read
    // after the last program code (`texts_first`) has run.
    unsafe {
        let (error, reason, encoding) = match begin(object) {
            Ok(parts) => parts,
            Err(early) => return early,
        };
        let (inner, start, end) = ((*error).object, (*error).start, (*error).end);
        let result = if !inner.is_null()
            && ffi::PyBytes_CheckExact(inner) != 0
            && positions_fit(start, end, ffi::PyBytes_Size(inner))
        {
            let size = ffi::PyBytes_Size(inner);
            if start < size && end == start + 1 {
                let byte = c_int::from(*ffi::PyBytes_AsString(inner).offset(start) as u8);
                ffi::PyUnicode_FromFormat(
                    c"'%U' codec can't decode byte 0x%02x in position %zd: %U".as_ptr(),
                    encoding,
                    byte,
                    start,
                    reason,
                )
            } else {
                ffi::PyUnicode_FromFormat(
                    c"'%U' codec can't decode bytes in position %zd-%zd: %U".as_ptr(),
                    encoding,
                    start,
                    end - 1,
                    reason,
                )
            }
        } else {
            arguments_str(object)
        };
        ffi::Py_DECREF(reason);
        ffi::Py_DECREF(encoding);
        result
    }
}

/// The character at `start` of an exact `str` `inner` when the error covers just it, else
/// `None`; `Err(())` when the fields do not fit.
///
/// # Safety
/// `inner` must be null or live, with the interpreter attached.
unsafe fn bad_character(
    inner: *mut ffi::PyObject,
    start: ffi::Py_ssize_t,
    end: ffi::Py_ssize_t,
) -> Result<Option<ffi::Py_UCS4>, ()> {
    // SAFETY: only an exact str is measured and read, within its length.
    unsafe {
        if inner.is_null() || ffi::PyUnicode_CheckExact(inner) == 0 {
            return Err(());
        }
        let length = ffi::PyUnicode_GetLength(inner);
        if length < 0 || !positions_fit(start, end, length) {
            ffi::PyErr_Clear();
            return Err(());
        }
        if start < length && end == start + 1 {
            Ok(Some(ffi::PyUnicode_ReadChar(inner, start)))
        } else {
            Ok(None)
        }
    }
}

/// The `%` format of a bad character as CPython writes it (`\xNN`, `\uNNNN`, `\UNNNNNNNN`).
fn character_format(character: ffi::Py_UCS4, prefix: &str) -> std::ffi::CString {
    let escape = if character <= 0xff {
        "\\x%02x"
    } else if character <= 0xffff {
        "\\u%04x"
    } else {
        "\\U%08x"
    };
    std::ffi::CString::new(format!("{prefix}character '{escape}' in position %zd: %U"))
        .unwrap_or_default()
}

/// The checked `str()` of a `UnicodeEncodeError`, with CPython 3.11's wording.
unsafe extern "C" fn encode_str(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: as in `decode_str`.
    unsafe {
        let (error, reason, encoding) = match begin(object) {
            Ok(parts) => parts,
            Err(early) => return early,
        };
        let (start, end) = ((*error).start, (*error).end);
        let result = match bad_character((*error).object, start, end) {
            Ok(Some(character)) => {
                let format = character_format(character, "'%U' codec can't encode ");
                ffi::PyUnicode_FromFormat(
                    format.as_ptr(),
                    encoding,
                    character as c_int,
                    start,
                    reason,
                )
            }
            Ok(None) => ffi::PyUnicode_FromFormat(
                c"'%U' codec can't encode characters in position %zd-%zd: %U".as_ptr(),
                encoding,
                start,
                end - 1,
                reason,
            ),
            Err(()) => arguments_str(object),
        };
        ffi::Py_DECREF(reason);
        ffi::Py_DECREF(encoding);
        result
    }
}

/// The checked `str()` of a `UnicodeTranslateError`, with CPython 3.11's wording.
unsafe extern "C" fn translate_str(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: as in `decode_str`.
    unsafe {
        let (error, reason, encoding) = match begin(object) {
            Ok(parts) => parts,
            Err(early) => return early,
        };
        ffi::Py_DECREF(encoding);
        let (start, end) = ((*error).start, (*error).end);
        let result = match bad_character((*error).object, start, end) {
            Ok(Some(character)) => {
                let format = character_format(character, "can't translate ");
                ffi::PyUnicode_FromFormat(format.as_ptr(), character as c_int, start, reason)
            }
            Ok(None) => ffi::PyUnicode_FromFormat(
                c"can't translate characters in position %zd-%zd: %U".as_ptr(),
                start,
                end - 1,
                reason,
            ),
            Err(()) => arguments_str(object),
        };
        ffi::Py_DECREF(reason);
        result
    }
}

/// A new reference to `field`, or to `None` when it is unset.
///
/// # Safety
/// `field` must be null or live, with the interpreter attached.
unsafe fn own_or_none(field: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: `field` is live when not null, and None always is; both are refcounted alike.
    unsafe {
        let object = if field.is_null() {
            ffi::Py_None()
        } else {
            field
        };
        ffi::Py_INCREF(object);
        object
    }
}

/// The checked `str()` of an `OSError` (and its built-in subclasses), with CPython 3.11's
/// wording: `[Errno E] S: 'F' -> 'F2'`, `[Errno E] S: 'F'`, `[Errno E] S`, else the arguments.
unsafe extern "C" fn os_error_str(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: CPython calls this slot (and its wrapper, after a type check) only with an
    // OSError instance, whose layout is PyOSErrorObject. The four fields are taken as our own
    // references before any program code runs, so replacing them cannot free what is used.
    unsafe {
        let error = object.cast::<ffi::PyOSErrorObject>();
        let has_filename = !(*error).filename.is_null();
        let has_filename2 = !(*error).filename2.is_null();
        let has_errno_and_text = !(*error).myerrno.is_null() && !(*error).strerror.is_null();
        if !has_filename && !has_errno_and_text {
            return arguments_str(object);
        }
        let fields = [
            own_or_none((*error).myerrno),
            own_or_none((*error).strerror),
            own_or_none((*error).filename),
            own_or_none((*error).filename2),
        ];
        // Program code (each field's __str__ or __repr__) runs here, on our references; the
        // first failure stops the rest (its exception is the result).
        let mut texts = [std::ptr::null_mut(); 4];
        for (index, field) in fields.iter().enumerate() {
            let text = if index < 2 {
                ffi::PyObject_Str(*field)
            } else {
                ffi::PyObject_Repr(*field)
            };
            if text.is_null() {
                break;
            }
            texts[index] = text;
        }
        let result = if texts.iter().any(|t| t.is_null()) {
            std::ptr::null_mut()
        } else if has_filename && has_filename2 {
            ffi::PyUnicode_FromFormat(
                c"[Errno %U] %U: %U -> %U".as_ptr(),
                texts[0],
                texts[1],
                texts[2],
                texts[3],
            )
        } else if has_filename {
            ffi::PyUnicode_FromFormat(c"[Errno %U] %U: %U".as_ptr(), texts[0], texts[1], texts[2])
        } else {
            ffi::PyUnicode_FromFormat(c"[Errno %U] %U".as_ptr(), texts[0], texts[1])
        };
        for text in texts {
            if !text.is_null() {
                ffi::Py_DECREF(text);
            }
        }
        for field in fields {
            ffi::Py_DECREF(field);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_must_lie_within_the_object() {
        assert!(positions_fit(0, 1, 1));
        assert!(positions_fit(1, 1, 1));
        assert!(!positions_fit(-1, 0, 1));
        assert!(!positions_fit(0, 2, 1));
        assert!(!positions_fit(-1_000_000_000_000, -999_999_999_999, 16));
    }

    #[test]
    fn character_formats_follow_cpython() {
        assert_eq!(
            character_format(0xe9, "x ").to_str().unwrap(),
            "x character '\\x%02x' in position %zd: %U"
        );
        assert!(character_format(0x263a, "")
            .to_str()
            .unwrap()
            .contains("\\u%04x"));
        assert!(character_format(0x1f600, "")
            .to_str()
            .unwrap()
            .contains("\\U%08x"));
    }
}
