//! numpy's variable-width strings (`StringDType`, `dtype="T"`) are not available in the
//! sandbox (docs/packages.md).
//!
//! numpy 2.4.6's StringDType carried most of the memory bugs the red teams found in numpy:
//! a heap overflow in `strings.replace` (round 21), an out-of-bounds read in `searchsorted`
//! and a crash in `strings.slice` (round 22), and inside a structured dtype (accepted in
//! every spelling but the list of tuples) `a.flat = a[:1]` copied raw string pointers
//! between elements: any address read and written, the real builtins (round 26; fixed
//! upstream after 2.4.6). Every StringDType instance numpy makes, by any spelling and in its
//! own code, is allocated through the `numpy.dtype` type's `tp_new` with the StringDType
//! class as the subtype (`new_stringdtype_instance`); that slot is replaced by
//! [`guarded_dtype_new`], which refuses the StringDType class and its subclasses. Strings in
//! numpy stay available as `dtype=str` (fixed-width `U`) and `bytes` (`S`).

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// `numpy.dtype`'s original `tp_new`.
static ORIGINAL_NEW: AtomicUsize = AtomicUsize::new(0);
/// The StringDType class (`numpy.dtypes.StringDType`), as a pointer.
static STRING_DTYPE: AtomicUsize = AtomicUsize::new(0);

/// The refusal's text.
const REFUSAL: &str = "numpy's StringDType (dtype=\"T\") is not available in the sandbox: \
                       numpy 2.4.6's variable-width strings read and write memory out of \
                       bounds; use dtype=str";

/// `numpy.dtype`'s `tp_new`, refusing the StringDType class and its subclasses.
unsafe extern "C" fn guarded_dtype_new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython (or numpy) calls a `tp_new` attached, with a live type; `args` and
    // `kwargs` are passed on as given (numpy passes nulls); the original is the function
    // the slot held.
    unsafe {
        let py = Python::assume_attached();
        let string_dtype = STRING_DTYPE.load(Ordering::Acquire) as *mut ffi::PyTypeObject;
        if !string_dtype.is_null() && ffi::PyType_IsSubtype(subtype, string_dtype) != 0 {
            PyTypeError::new_err(REFUSAL).restore(py);
            return std::ptr::null_mut();
        }
        match crate::package_guards::recorded_new(&ORIGINAL_NEW, "numpy.dtype") {
            Some(original) => original(subtype, args, kwargs),
            None => std::ptr::null_mut(),
        }
    }
}

/// `_refuse_string_dtype(dtype, string_dtype)` for `modules/packages.py`: replaces
/// `numpy.dtype`'s `tp_new` (installing it twice changes nothing).
#[pyfunction]
pub(crate) fn refuse_string_dtype(
    dtype: &Bound<'_, PyType>,
    string_dtype: &Bound<'_, PyType>,
) -> PyResult<()> {
    STRING_DTYPE.store(string_dtype.as_type_ptr() as usize, Ordering::Release);
    let class = dtype.as_type_ptr();
    // SAFETY: `class` is numpy's static `PyArrayDescr_Type`, alive for the process; its slot
    // is written attached, before any program code runs.
    if unsafe { crate::package_guards::replace_tp_new(class, guarded_dtype_new, &ORIGINAL_NEW) } {
        Ok(())
    } else {
        Err(PyRuntimeError::new_err(
            "cannot guard numpy: dtype has no tp_new",
        ))
    }
}
