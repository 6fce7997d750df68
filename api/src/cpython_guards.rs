//! Guards for CPython 3.11 bugs a program can reach through the builtins it is given.
//!
//! **`str()` of a Unicode error with positions out of range** (CPython gh-123378, fixed in
//! 3.12 and 3.13, not in 3.11): `UnicodeDecodeError.__str__` indexes its `object` at `start`
//! without a bounds check, and all three classes trust that `object` is the bytes or `str`
//! their constructor made. The program can set `object`, `start` and `end` freely (in the
//! constructor or by assignment), so `str(e)` reads memory outside the buffer: a read
//! primitive into the sandbox process, and a crash. The guard replaces the three classes'
//! string functions (the type slot *and* the `__str__` wrapper in the class, so
//! `UnicodeDecodeError.__str__(e)` is covered too) with one that checks the fields first and
//! falls back to `BaseException`'s `str()` of the arguments when they are not what the
//! original expects.

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::ffi;
use pyo3::prelude::*;

/// The original string functions, by [`Kind`], as addresses (0: not installed).
static ORIGINAL: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];

/// Which of the three classes.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Decode = 0,
    Encode = 1,
    Translate = 2,
}

type StrFunction = unsafe extern "C" fn(*mut ffi::PyObject) -> *mut ffi::PyObject;

/// Installs the guards. Called once in the sandbox child before the program exists; idempotent.
pub fn install(_py: Python<'_>) {
    // SAFETY: the exception type objects are static and live for the process; the interpreter
    // is attached (the token), so nothing else reads or writes these slots meanwhile.
    unsafe {
        guard(ffi::PyExc_UnicodeDecodeError, Kind::Decode, decode_str);
        guard(ffi::PyExc_UnicodeEncodeError, Kind::Encode, encode_str);
        guard(
            ffi::PyExc_UnicodeTranslateError,
            Kind::Translate,
            translate_str,
        );
    }
}

/// Replaces `class`'s `tp_str` and its `__str__` wrapper's function with `checked`.
///
/// # Safety
/// `class` must be a live type object, with the interpreter attached.
unsafe fn guard(class: *mut ffi::PyObject, kind: Kind, checked: StrFunction) {
    let class = class.cast::<ffi::PyTypeObject>();
    // SAFETY: the caller guarantees a live type object.
    let Some(original) = (unsafe { (*class).tp_str }) else {
        return;
    };
    let slot = &ORIGINAL[kind as usize];
    if slot.load(Ordering::Acquire) != 0 {
        return;
    }
    slot.store(original as usize, Ordering::Release);
    // SAFETY: as above; tp_str is a plain function pointer field.
    unsafe {
        (*class).tp_str = Some(checked);
    }
    // The class's own `__str__` is a wrapper descriptor that calls the original directly.
    // SAFETY: tp_dict of a ready type is a dict; the borrowed item lives as long as the dict.
    unsafe {
        let dict = (*class).tp_dict;
        if !dict.is_null() {
            let wrapper = ffi::PyDict_GetItemString(dict, c"__str__".as_ptr());
            if !wrapper.is_null()
                && ffi::Py_TYPE(wrapper) == std::ptr::addr_of_mut!(ffi::PyWrapperDescr_Type)
            {
                let descriptor = wrapper.cast::<ffi::PyWrapperDescrObject>();
                if (*descriptor).d_wrapped == original as *mut std::ffi::c_void {
                    (*descriptor).d_wrapped = checked as *mut std::ffi::c_void;
                }
            }
        }
        ffi::PyType_Modified(class);
    }
}

/// Whether `start..end` lies within `0..=length` (what the original functions index).
fn positions_fit(start: ffi::Py_ssize_t, end: ffi::Py_ssize_t, length: ffi::Py_ssize_t) -> bool {
    (0..=length).contains(&start) && (0..=length).contains(&end)
}

/// Calls the original function of `kind` if `valid`, else `BaseException`'s `str()`.
///
/// # Safety
/// `object` must be a live instance of the class of `kind`, with the interpreter attached.
unsafe fn dispatch(object: *mut ffi::PyObject, kind: Kind, valid: bool) -> *mut ffi::PyObject {
    let address = ORIGINAL[kind as usize].load(Ordering::Acquire);
    if valid && address != 0 {
        // SAFETY: the address was stored from the class's own tp_str, of this signature.
        let original: StrFunction = unsafe { std::mem::transmute(address) };
        // SAFETY: the fields the original reads were just checked.
        return unsafe { original(object) };
    }
    // SAFETY: BaseException's tp_str reads only `args`, which every exception has.
    unsafe {
        let base = ffi::PyExc_BaseException.cast::<ffi::PyTypeObject>();
        match (*base).tp_str {
            Some(base_str) => base_str(object),
            None => ffi::PyUnicode_FromString(c"".as_ptr()),
        }
    }
}

/// The checked `str()` of a `UnicodeDecodeError`: `object` must be exact `bytes`.
unsafe extern "C" fn decode_str(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a type's tp_str (and its wrapper, after a type check) only with
    // an instance of the type, whose layout is PyUnicodeErrorObject.
    unsafe {
        let error = object.cast::<ffi::PyUnicodeErrorObject>();
        let inner = (*error).object;
        let valid = inner.is_null()
            || (ffi::PyBytes_CheckExact(inner) != 0
                && positions_fit((*error).start, (*error).end, ffi::PyBytes_Size(inner)));
        dispatch(object, Kind::Decode, valid)
    }
}

/// The checked `str()` of an error over a `str` (`UnicodeEncodeError`,
/// `UnicodeTranslateError`): `object` must be exact `str`.
///
/// # Safety
/// As for [`decode_str`].
unsafe fn text_error_str(object: *mut ffi::PyObject, kind: Kind) -> *mut ffi::PyObject {
    // SAFETY: as in `decode_str`.
    unsafe {
        let error = object.cast::<ffi::PyUnicodeErrorObject>();
        let inner = (*error).object;
        let valid = inner.is_null()
            || (ffi::PyUnicode_CheckExact(inner) != 0 && {
                let length = ffi::PyUnicode_GetLength(inner);
                length >= 0 && positions_fit((*error).start, (*error).end, length)
            });
        if !valid {
            ffi::PyErr_Clear();
        }
        dispatch(object, kind, valid)
    }
}

/// The checked `str()` of a `UnicodeEncodeError`.
unsafe extern "C" fn encode_str(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: see `text_error_str`.
    unsafe { text_error_str(object, Kind::Encode) }
}

/// The checked `str()` of a `UnicodeTranslateError`.
unsafe extern "C" fn translate_str(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: see `text_error_str`.
    unsafe { text_error_str(object, Kind::Translate) }
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
}
