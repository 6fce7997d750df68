//! What numpy's object arrays may hold in the sandbox (docs/packages.md): numbers, strings,
//! bytes, `None`, numpy's own scalars (not `numpy.void`, whose fields may be objects), tuples
//! of them, and the few objects of numpy's own named in `modules/packages.py`.
//!
//! numpy's C loops over object arrays (`sort`, `partition`, `argmax`, `max`, `clip`,
//! `maximum.accumulate`, the arithmetic ufuncs, …) hold borrowed pointers to the elements
//! while they call the elements' comparison and arithmetic methods. Were those the program's
//! methods, they could assign into the very array and free an element numpy still uses:
//! red-team round 21 turned `a.sort()` into the real builtins that way. The built-in types
//! above compare and compute in C without running any of the program's code, so over them
//! numpy's loops are what they are in CPython; and what the loops compute from them is of
//! those types again.
//!
//! Every value a program hands numpy enters an object array through the object dtype's
//! `setitem` (numpy's `PyArray_Pack`: array construction and coercion, item and slice
//! assignment, `fill`, `put`, `copyto`, `fromiter`, reductions' `initial`, structured
//! fields); its function in numpy's table for the object dtype is replaced by
//! [`guarded_setitem`], which refuses any other value. `numpy.frompyfunc` (and
//! `numpy.vectorize`, built on it) stores what a program function returns:
//! `modules/packages.py` wraps the function with [`plain_value`]'s check. What numpy's own
//! loops and casts store directly is computed from such values by C code: numbers, strings,
//! naive `datetime` objects (casts from `datetime64`), and numpy arrays of plain values (a
//! numpy scalar plus a tuple), none of which runs the program's code (red-team round 23 found
//! these and no way from them to the program's code).

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyType};

/// numpy's original `setitem` of the object dtype: the legacy one in its `PyArray_ArrFuncs`
/// (old C-API users), and its DType's own (`PyArray_Pack`: every Python-level path).
static ORIGINAL_SETITEM: AtomicUsize = AtomicUsize::new(0);
static ORIGINAL_DTYPE_SETITEM: AtomicUsize = AtomicUsize::new(0);
/// Calls of [`guarded_dtype_setitem`], counted to prove it is the slot numpy calls.
static DTYPE_SETITEM_CALLS: AtomicUsize = AtomicUsize::new(0);
/// `numpy.generic` (every numpy scalar type derives from it) and `numpy.void` (the scalar
/// type that can hold object fields), as pointers.
static GENERIC: AtomicUsize = AtomicUsize::new(0);
static VOID: AtomicUsize = AtomicUsize::new(0);
/// Further objects (by identity) a listed package itself stores in object arrays, each named
/// in `modules/packages.py` with its reason, and kept alive there for the process. By
/// identity, not by type: an instance the program makes of the same class could hold the
/// program's objects, whose `__del__` would run when numpy overwrites the element (red-team
/// round 23: inside `a[idx] = v`, after numpy checked `idx` and before it read it again).
static PACKAGE_OBJECTS: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

/// The index of `_PyDataType_GetArrFuncs` in numpy 2's C-API table (`__multiarray_api.h`).
const GET_ARRFUNCS: usize = 365;
/// The byte offset of `setitem` in `PyArray_ArrFuncs`: after `cast[NPY_NTYPES_ABI_COMPATIBLE]`
/// (21 pointers) and `getitem` (`ndarraytypes.h`; part of numpy 2's stable ABI).
const SETITEM_OFFSET: usize = 22 * std::mem::size_of::<usize>();
/// The byte offset of the object DType's own `setitem` slot before its `PyArray_ArrFuncs` in
/// numpy 2.4's private `NPY_DType_Slots` (`setitem`, `getitem`, `get_clear_loop`,
/// `get_fill_zero_loop`, `finalize_descr`, `get_constant`, `within_dtype_castingimpl`,
/// `castingimpls`, then `f`). Private layout: the guard proves the slot is the one numpy
/// calls before it relies on it, and refuses to start otherwise.
const DTYPE_SETITEM_BEFORE_ARRFUNCS: usize = 8 * std::mem::size_of::<usize>();
/// How deeply tuples may nest in an element.
const MAX_DEPTH: usize = 32;

type SetItem = unsafe extern "C" fn(*mut ffi::PyObject, *mut c_void, *mut c_void) -> c_int;
type DTypeSetItem =
    unsafe extern "C" fn(*mut ffi::PyObject, *mut ffi::PyObject, *mut c_void) -> c_int;
type GetArrFuncs = unsafe extern "C" fn(*const ffi::PyObject) -> *mut u8;

/// The refusal's text, for `value`'s type name.
fn refusal(type_name: &str) -> String {
    format!(
        "numpy object arrays in the sandbox hold only numbers, strings, bytes, None, numpy \
         scalars and tuples of them, not {type_name}: numpy's loops call the elements' \
         methods while they hold pointers into the array"
    )
}

/// Whether `value` may be an element of an object array (see the module doc). Attached.
///
/// # Safety
/// `value` is a live object; the interpreter is attached.
unsafe fn is_plain(value: *mut ffi::PyObject, depth: usize) -> bool {
    // SAFETY: the caller's guarantees; the type objects compared are CPython's static ones
    // and numpy's, recorded while numpy was imported and alive for the process.
    unsafe {
        let class = ffi::Py_TYPE(value);
        if value == ffi::Py_None()
            || class == &raw mut ffi::PyLong_Type
            || class == &raw mut ffi::PyFloat_Type
            || class == &raw mut ffi::PyComplex_Type
            || class == &raw mut ffi::PyBool_Type
            || class == &raw mut ffi::PyUnicode_Type
            || class == &raw mut ffi::PyBytes_Type
        {
            return true;
        }
        if class == &raw mut ffi::PyTuple_Type {
            if depth >= MAX_DEPTH {
                return false;
            }
            let length = ffi::PyTuple_GET_SIZE(value);
            return (0..length)
                .all(|index| is_plain(ffi::PyTuple_GET_ITEM(value, index), depth + 1));
        }
        if PACKAGE_OBJECTS
            .lock()
            .is_ok_and(|objects| objects.contains(&(value as usize)))
        {
            return true;
        }
        let generic = GENERIC.load(Ordering::Acquire) as *mut ffi::PyTypeObject;
        let void = VOID.load(Ordering::Acquire) as *mut ffi::PyTypeObject;
        !generic.is_null()
            && ffi::PyType_IsSubtype(class, generic) != 0
            && (void.is_null() || ffi::PyType_IsSubtype(class, void) == 0)
    }
}

/// The original recorded in `slot`, or the error set (nothing recorded).
///
/// # Safety
/// Attached.
unsafe fn recorded(slot: &AtomicUsize) -> Option<usize> {
    let original = slot.load(Ordering::Acquire);
    if original == 0 {
        // SAFETY: the caller's guarantee.
        let py = unsafe { Python::assume_attached() };
        PyRuntimeError::new_err("internal error: the object dtype's setitem is not recorded")
            .restore(py);
        return None;
    }
    Some(original)
}

/// Whether `value` may be stored; if not, the refusal is set as the error.
///
/// # Safety
/// `value` is a live object; attached.
unsafe fn admitted(value: *mut ffi::PyObject) -> bool {
    // SAFETY: the caller's guarantees.
    unsafe {
        if is_plain(value, 0) {
            return true;
        }
        let py = Python::assume_attached();
        let name = Bound::from_borrowed_ptr(py, value)
            .get_type()
            .name()
            .map(|name| name.to_string())
            .unwrap_or_else(|_| "this value".to_owned());
        PyTypeError::new_err(refusal(&name)).restore(py);
        false
    }
}

/// The object dtype's legacy `setitem` (`PyArray_ArrFuncs`), refusing any value but
/// [`is_plain`]'s.
unsafe extern "C" fn guarded_setitem(
    value: *mut ffi::PyObject,
    item: *mut c_void,
    array: *mut c_void,
) -> c_int {
    // SAFETY: numpy calls this attached, with a live value, the element's memory and the
    // array (or a stand-in); the original is the function the table held.
    unsafe {
        if !admitted(value) {
            return -1;
        }
        let Some(original) = recorded(&ORIGINAL_SETITEM) else {
            return -1;
        };
        std::mem::transmute::<usize, SetItem>(original)(value, item, array)
    }
}

/// The object DType's own `setitem` (what `PyArray_Pack` calls), refusing likewise.
unsafe extern "C" fn guarded_dtype_setitem(
    descr: *mut ffi::PyObject,
    value: *mut ffi::PyObject,
    item: *mut c_void,
) -> c_int {
    DTYPE_SETITEM_CALLS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: as `guarded_setitem`, with the descriptor first.
    unsafe {
        if !admitted(value) {
            return -1;
        }
        let Some(original) = recorded(&ORIGINAL_DTYPE_SETITEM) else {
            return -1;
        };
        std::mem::transmute::<usize, DTypeSetItem>(original)(descr, value, item)
    }
}

/// `_guard_object_arrays(api, object_dtype, generic, void, probe)` for
/// `modules/packages.py`: replaces the object dtype's two `setitem`s (`api` is numpy's
/// `_ARRAY_API` capsule), then calls `probe` (which stores `None` into an object array) to
/// prove numpy calls the guard; otherwise puts the originals back and refuses to start.
#[pyfunction]
pub(crate) fn guard_object_arrays(
    api: &Bound<'_, PyCapsule>,
    object_dtype: &Bound<'_, PyAny>,
    generic: &Bound<'_, PyType>,
    void: &Bound<'_, PyType>,
    probe: &Bound<'_, PyAny>,
) -> PyResult<()> {
    GENERIC.store(generic.as_type_ptr() as usize, Ordering::Release);
    VOID.store(void.as_type_ptr() as usize, Ordering::Release);
    // SAFETY: attached; the capsule is numpy's C-API table (numpy 2 names it `NULL`), an array of
    // function pointers of which `GET_ARRFUNCS` is `_PyDataType_GetArrFuncs`; called with
    // the object dtype (alive: borrowed from the caller), it returns the table of that
    // dtype's functions, heap memory numpy keeps for the process, whose `setitem` slot is at
    // `SETITEM_OFFSET`. The slot is written while attached, so no numpy code runs meanwhile.
    unsafe {
        let table = ffi::PyCapsule_GetPointer(api.as_ptr(), ffi::PyCapsule_GetName(api.as_ptr()));
        if table.is_null() {
            return Err(PyErr::fetch(api.py()));
        }
        let entry = *(table as *const *const c_void).add(GET_ARRFUNCS);
        if entry.is_null() {
            return Err(PyRuntimeError::new_err(
                "cannot guard numpy's object arrays: no _PyDataType_GetArrFuncs",
            ));
        }
        let get_arrfuncs: GetArrFuncs = std::mem::transmute::<*const c_void, GetArrFuncs>(entry);
        let funcs = get_arrfuncs(object_dtype.as_ptr());
        if funcs.is_null() {
            return Err(PyRuntimeError::new_err(
                "cannot guard numpy's object arrays: the object dtype has no function table",
            ));
        }
        let legacy = funcs.add(SETITEM_OFFSET).cast::<usize>();
        let own = funcs.sub(DTYPE_SETITEM_BEFORE_ARRFUNCS).cast::<usize>();
        if legacy.read() == guarded_setitem as *const () as usize {
            return Ok(());
        }
        if legacy.read() == 0 || own.read() == 0 {
            return Err(PyRuntimeError::new_err(
                "cannot guard numpy's object arrays: the object dtype has no setitem where \
                 numpy 2.4 keeps it",
            ));
        }
        ORIGINAL_SETITEM.store(legacy.read(), Ordering::Release);
        ORIGINAL_DTYPE_SETITEM.store(own.read(), Ordering::Release);
        legacy.write(guarded_setitem as *const () as usize);
        own.write(guarded_dtype_setitem as *const () as usize);
        let before = DTYPE_SETITEM_CALLS.load(Ordering::Relaxed);
        let probed = probe.call0();
        if probed.is_err() || DTYPE_SETITEM_CALLS.load(Ordering::Relaxed) == before {
            own.write(ORIGINAL_DTYPE_SETITEM.load(Ordering::Acquire));
            legacy.write(ORIGINAL_SETITEM.load(Ordering::Acquire));
            return Err(PyRuntimeError::new_err(format!(
                "cannot guard numpy's object arrays: this numpy does not store objects through \
                 the slot numpy 2.4 does ({})",
                probed.err().map(|err| err.to_string()).unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// `_allow_in_object_arrays(obj)` for `modules/packages.py`: exactly `obj` (an object of a
/// listed package whose state the program cannot replace with its own objects) may be stored
/// in object arrays. A reference is kept for the process, so the address stays its.
#[pyfunction]
pub(crate) fn allow_in_object_arrays(object: &Bound<'_, PyAny>) -> PyResult<()> {
    let mut objects = PACKAGE_OBJECTS
        .lock()
        .map_err(|_| PyRuntimeError::new_err("internal error: object-array guard poisoned"))?;
    objects.push(object.clone().unbind().into_ptr() as usize);
    Ok(())
}

/// `_plain_value(value)` for `modules/packages.py`: `value` itself when an object array may
/// hold it, else the refusal as a `TypeError`.
#[pyfunction]
pub(crate) fn plain_value<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: a live object; attached (the `Bound`).
    if unsafe { is_plain(value.as_ptr(), 0) } {
        Ok(value.clone())
    } else {
        Err(PyTypeError::new_err(refusal(
            &value.get_type().name()?.to_string(),
        )))
    }
}
