//! Guards on what trusted packages' C code does with a program's arguments (docs/packages.md):
//! the cheap-to-close memory-safety holes red-team round 19 reached through numpy's public API.
//! A package remains trusted code the language wall does not cover; these guards close the
//! known ways a program turns numpy's own options into raw memory access.
//!
//! * **Object arrays over raw bytes.** `numpy.ndarray(shape, dtype, buffer=...)` (and
//!   `recarray`, `rec.fromstring`, every path through `ndarray.__new__`) accepts a dtype
//!   holding object references over any buffer: the program writes an address and reads back
//!   the object there (`numpy.frombuffer` refuses it; `ndarray.__new__` did not). The type's
//!   `tp_new` is replaced by [`guarded_array_new`], which converts the dtype once, refuses one
//!   holding objects when a buffer is given, and hands the converted dtype on (so a
//!   dtype-like object cannot answer differently the second time).
//! * **Buffers of object arrays** ([`guard_buffers`]): an array (or a structured scalar)
//!   whose dtype holds object references exported its pointers through the buffer protocol
//!   (`numpy.frombuffer(cells, numpy.uint64)`, `cells.data.cast("B")`): writable object
//!   addresses. Every numpy array and scalar type's `bf_getbuffer` refuses such an exporter.
//! * **`ndarray.resize(..., refcheck=False)`**: numpy's "no view exists" promise, which
//!   frees the data under any view. The method's C function is replaced by one refusing
//!   `refcheck` other than true.
//! * **Cython methods taking any `self`**: numpy.random's methods are Cython functions that
//!   read whatever object they are given as an instance (`Generator.random(b"...")` took a
//!   bytes object's data for the generator's function pointers). `modules/packages.py`
//!   replaces each in its type's dict ([`set_type_attribute`]) by a descriptor that binds only
//!   to instances and, called through the class, checks the first argument's type.
//! * **`numpy.random`'s generators over anything**: `Generator(obj)` and `RandomState(obj)`
//!   took any object with a `capsule` attribute as their bit generator (a program object
//!   holding the capsule of a freed `PCG64`: a use-after-free, red-team round 20); the
//!   `state` setters of `MT19937` and `Philox` took positions outside their buffers.
//!   `modules/packages.py` puts checked `__init__`s and `state` properties in place.
//! * **Program subclasses of a package's C types** ([`refuse_c_bases`]): a C type assumes
//!   its own initialisation ran; a program subclass can skip it (`__init__` not calling the
//!   base's) and leave null function pointers numpy calls (`numpy.random.Generator` over a
//!   program `BitGenerator`). A program class may derive from a package's Python classes
//!   only.

use std::ffi::c_int;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

/// numpy's original `ndarray` `tp_new`.
static ARRAY_NEW: AtomicUsize = AtomicUsize::new(0);
/// numpy's original `ndarray.resize` C function.
static ARRAY_RESIZE: AtomicUsize = AtomicUsize::new(0);
/// `numpy.dtype`, to convert a dtype argument once.
static DTYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
/// The `tp_dealloc` of classes made by a `class` statement (CPython's `subtype_dealloc`).
static PYTHON_CLASS_DEALLOC: OnceLock<usize> = OnceLock::new();
/// The packages the policy lists, whose C types no program class may derive from.
static PACKAGES: OnceLock<Vec<String>> = OnceLock::new();

/// Why the guards could not be installed (the run must not start).
#[derive(Debug, thiserror::Error)]
pub enum PackageGuardError {
    /// The type does not look like the numpy the guards were written for.
    #[error("cannot guard numpy: {0}")]
    Numpy(&'static str),
}

/// `_guard_numpy(ndarray, dtype)` for `modules/packages.py`: installs the numpy guards.
#[pyfunction]
pub(crate) fn guard_numpy(ndarray: &Bound<'_, PyType>, dtype: &Bound<'_, PyType>) -> PyResult<()> {
    let _ = DTYPE.set(dtype.py(), dtype.clone().unbind());
    let class = ndarray.as_type_ptr();
    // SAFETY: `class` is numpy's static `PyArray_Type`, alive for the process; its slots are
    // written while no program code runs (before confinement), once.
    unsafe {
        if !replace_tp_new(class, guarded_array_new, &ARRAY_NEW) {
            return Err(error(PackageGuardError::Numpy("ndarray has no tp_new")));
        }
        crate::text_guards::replace_in_table(
            class,
            "resize",
            ffi::METH_VARARGS | ffi::METH_KEYWORDS,
            ffi::PyMethodDefPointer {
                PyCFunctionWithKeywords: guarded_resize,
            },
            &ARRAY_RESIZE,
        )
        .map_err(|_| {
            error(PackageGuardError::Numpy(
                "ndarray.resize is not in its method table with the expected flags",
            ))
        })?;
    }
    Ok(())
}

/// `_set_type_attribute(cls, name, value)` for `modules/packages.py`: `setattr` on a type
/// that is immutable to it (a static or Cython type), as CPython's own `type.__setattr__`
/// does it — the dict entry, the matching slot (`__init__` becomes the type's `tp_init`),
/// the attribute caches — with the immutable flag lifted for that one call. Used only before
/// any program code runs, to put checked forms in place of a package's methods.
#[pyfunction]
pub(crate) fn set_type_attribute(
    class: &Bound<'_, PyType>,
    name: &Bound<'_, PyString>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let type_pointer = class.as_type_ptr();
    // SAFETY: a live type; the flag is set again before returning, and no other thread runs
    // Python code while the interpreter is attached here (before the program exists). Only
    // that bit is touched afterwards: `setattr` itself changes other flags (it invalidates
    // the type's version tag), which restoring the old word would undo.
    unsafe {
        let immutable = (*type_pointer).tp_flags & ffi::Py_TPFLAGS_IMMUTABLETYPE;
        (*type_pointer).tp_flags &= !ffi::Py_TPFLAGS_IMMUTABLETYPE;
        let result = ffi::PyObject_SetAttr(type_pointer.cast(), name.as_ptr(), value.as_ptr());
        (*type_pointer).tp_flags |= immutable;
        if result != 0 {
            return Err(PyErr::fetch(class.py()));
        }
    }
    Ok(())
}

/// The buffer exporters [`guard_buffers`] replaced: (type, its original `bf_getbuffer`).
static BUFFER_ORIGINALS: std::sync::Mutex<Vec<(usize, usize)>> = std::sync::Mutex::new(Vec::new());

/// `_guard_numpy_buffers(types)` for `modules/packages.py`: each type's buffer export (numpy's
/// arrays and scalars, with their subclasses) refuses an exporter whose dtype holds object
/// references (red-team round 21: `np.frombuffer(object_array, np.uint64)`, or
/// `object_array.data.cast("B")`, gave writable access to the array's object pointers).
#[pyfunction]
pub(crate) fn guard_buffers(types: Vec<Bound<'_, PyType>>) -> PyResult<()> {
    let mut originals = BUFFER_ORIGINALS
        .lock()
        .map_err(|_| PyRuntimeError::new_err("internal error: buffer guard poisoned"))?;
    for class in types {
        let type_pointer = class.as_type_ptr();
        // SAFETY: a live type of numpy's, before any program code runs. A heap type's buffer
        // slots live in its own object and are written in place; a static type's point to a
        // table of numpy's, which gets a copy of its own instead (never written).
        unsafe {
            let procs = (*type_pointer).tp_as_buffer;
            if procs.is_null() {
                continue;
            }
            let Some(get) = (*procs).bf_getbuffer else {
                continue;
            };
            if get as usize == guarded_getbuffer as *const () as usize {
                continue;
            }
            originals.push((type_pointer as usize, get as usize));
            if (*type_pointer).tp_flags & ffi::Py_TPFLAGS_HEAPTYPE != 0 {
                (*procs).bf_getbuffer = Some(guarded_getbuffer);
            } else {
                let copy = Box::new(ffi::PyBufferProcs {
                    bf_getbuffer: Some(guarded_getbuffer),
                    bf_releasebuffer: (*procs).bf_releasebuffer,
                });
                (*type_pointer).tp_as_buffer = Box::into_raw(copy);
            }
        }
    }
    Ok(())
}

/// The original `bf_getbuffer` for an exporter of `class`: its own, else the nearest base's
/// (a type numpy made after the guard inherited the guard).
fn original_getbuffer(class: *mut ffi::PyTypeObject) -> Option<ffi::getbufferproc> {
    let originals = BUFFER_ORIGINALS.lock().ok()?;
    let mut current = class;
    while !current.is_null() {
        if let Some((_, original)) = originals.iter().find(|(t, _)| *t == current as usize) {
            // SAFETY: recorded from a `bf_getbuffer` slot, a function of this signature.
            return Some(unsafe { std::mem::transmute::<usize, ffi::getbufferproc>(*original) });
        }
        // SAFETY: walking `tp_base` of live types.
        current = unsafe { (*current).tp_base };
    }
    None
}

/// Whether `exporter` (an array or a scalar of numpy) has a dtype holding object references.
fn holds_objects(exporter: &Bound<'_, PyAny>) -> PyResult<bool> {
    exporter.getattr("dtype")?.getattr("hasobject")?.is_truthy()
}

/// A numpy type's `bf_getbuffer`, refusing exporters whose dtype holds object references.
unsafe extern "C" fn guarded_getbuffer(
    exporter: *mut ffi::PyObject,
    view: *mut ffi::Py_buffer,
    flags: c_int,
) -> c_int {
    // SAFETY: CPython calls this attached with a live exporter and a view to fill; the
    // original is the function this slot held for the exporter's type.
    unsafe {
        let py = Python::assume_attached();
        let object = Bound::from_borrowed_ptr(py, exporter);
        match holds_objects(&object) {
            Ok(false) => {}
            Ok(true) => {
                pyo3::exceptions::PyBufferError::new_err(
                    "an array holding object references exports no buffer in the sandbox: its bytes are object addresses",
                )
                .restore(py);
                return -1;
            }
            Err(err) => {
                err.restore(py);
                return -1;
            }
        }
        match original_getbuffer(ffi::Py_TYPE(exporter)) {
            Some(original) => original(exporter, view, flags),
            None => {
                PyRuntimeError::new_err("internal error: no buffer export recorded").restore(py);
                -1
            }
        }
    }
}

/// Records the listed packages and the `tp_dealloc` of Python-made classes, for
/// [`refuse_c_bases`].
pub(crate) fn set_packages(py: Python<'_>, packages: &[String]) -> PyResult<()> {
    let probe = PyDict::new(py);
    py.run(c"class Probe:\n    pass\n", Some(&probe), None)?;
    let probe = probe
        .get_item("Probe")?
        .ok_or_else(|| PyRuntimeError::new_err("the probe class was not made"))?;
    let probe = probe.cast::<PyType>()?;
    // SAFETY: a live heap type made just now.
    let dealloc = unsafe { (*probe.as_type_ptr()).tp_dealloc };
    if let Some(dealloc) = dealloc {
        let _ = PYTHON_CLASS_DEALLOC.set(dealloc as usize);
    }
    let _ = PACKAGES.set(packages.to_vec());
    Ok(())
}

/// Refuses a program class deriving from a C type of a listed package (see the module doc).
pub(crate) fn refuse_c_bases(class: &Bound<'_, PyType>) -> PyResult<()> {
    let (Some(packages), Some(python_dealloc)) = (PACKAGES.get(), PYTHON_CLASS_DEALLOC.get())
    else {
        return Ok(());
    };
    for base in class.mro().iter() {
        let base = base.cast::<PyType>()?;
        // SAFETY: a live type of the MRO; only its slot is read.
        let dealloc = unsafe { (*base.as_type_ptr()).tp_dealloc };
        if dealloc.is_some_and(|d| d as usize == *python_dealloc) {
            continue;
        }
        let module = base.module()?;
        let module = module.to_str()?;
        let of_package = packages.iter().any(|package| {
            module == package
                || module
                    .strip_prefix(package.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        });
        if of_package {
            return Err(PyTypeError::new_err(format!(
                "a class of the program may not derive from {}.{} in the sandbox: a package's \
                 C types assume their own initialisation ran (derive from its Python classes, \
                 or hold an instance instead)",
                module,
                base.name()?
            )));
        }
    }
    Ok(())
}

fn error(err: PackageGuardError) -> PyErr {
    PyRuntimeError::new_err(err.to_string())
}

/// The arguments of `ndarray(shape, dtype=None, buffer=None, ...)` to pass on, or the
/// refusal: with a buffer, the dtype is converted here, once, refused if it holds object
/// references, and passed on converted.
fn checked_array_arguments<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyTuple>, Option<Bound<'py, PyDict>>)> {
    let keyword = |name: &str| -> PyResult<Option<Bound<'py, PyAny>>> {
        match kwargs {
            Some(kwargs) => kwargs.get_item(name),
            None => Ok(None),
        }
    };
    let buffer = match args.get_item(2).ok() {
        Some(buffer) => Some(buffer),
        None => keyword("buffer")?,
    };
    if buffer.is_none_or(|buffer| buffer.is_none()) {
        return Ok((args.clone(), kwargs.cloned()));
    }
    let positional = args.len() > 1;
    let given = if positional {
        Some(args.get_item(1)?)
    } else {
        keyword("dtype")?
    };
    let dtype_class = DTYPE
        .get(py)
        .ok_or_else(|| PyRuntimeError::new_err("internal error: numpy.dtype not recorded"))?;
    let dtype = dtype_class
        .bind(py)
        .call1((given.unwrap_or_else(|| py.None().into_bound(py)),))?;
    if dtype.getattr("hasobject")?.is_truthy()? {
        return Err(PyTypeError::new_err(
            "an array holding object references cannot be made over a buffer in the sandbox: \
             its bytes would be read as object addresses",
        ));
    }
    if positional {
        let mut items: Vec<Bound<'py, PyAny>> = args.iter().collect();
        items[1] = dtype;
        return Ok((PyTuple::new(py, items)?, kwargs.cloned()));
    }
    let kwargs = match kwargs {
        Some(kwargs) => kwargs.copy()?,
        None => PyDict::new(py),
    };
    kwargs.set_item("dtype", dtype)?;
    Ok((args.clone(), Some(kwargs)))
}

/// Replaces `class`'s `tp_new` with `guard`, keeping the original in `original` (already the
/// guard: nothing to do). False when the type has no `tp_new`.
///
/// # Safety
/// `class` is a live type object whose slots may be written: attached, before any program
/// code runs.
pub(crate) unsafe fn replace_tp_new(
    class: *mut ffi::PyTypeObject,
    guard: ffi::newfunc,
    original: &AtomicUsize,
) -> bool {
    // SAFETY: the caller's guarantees.
    unsafe {
        match (*class).tp_new {
            Some(new) if new as usize == guard as usize => true,
            Some(new) => {
                original.store(new as usize, Ordering::Release);
                (*class).tp_new = Some(guard);
                true
            }
            None => false,
        }
    }
}

/// The `tp_new` [`replace_tp_new`] kept in `original`; else `None` with the error set
/// (`type_name` names the type in it).
///
/// # Safety
/// Attached.
pub(crate) unsafe fn recorded_new(original: &AtomicUsize, type_name: &str) -> Option<ffi::newfunc> {
    match original.load(Ordering::Acquire) {
        0 => {
            // SAFETY: the caller's guarantee.
            let py = unsafe { Python::assume_attached() };
            PyRuntimeError::new_err(format!("internal error: {type_name}'s tp_new not recorded"))
                .restore(py);
            None
        }
        // SAFETY: only `replace_tp_new` stores here, a `tp_new` slot's function.
        new => Some(unsafe { std::mem::transmute::<usize, ffi::newfunc>(new) }),
    }
}

/// `ndarray`'s `tp_new` with the object-array check of [`checked_array_arguments`].
unsafe extern "C" fn guarded_array_new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls tp_new attached, with a tuple and a dict or null; the original
    // was stored before this slot was installed and has the same signature.
    unsafe {
        let py = Python::assume_attached();
        let Some(original) = recorded_new(&ARRAY_NEW, "ndarray") else {
            return std::ptr::null_mut();
        };
        let args_bound = Bound::from_borrowed_ptr(py, args);
        let kwargs_bound = (!kwargs.is_null()).then(|| Bound::from_borrowed_ptr(py, kwargs));
        let checked = args_bound
            .cast::<PyTuple>()
            .map_err(PyErr::from)
            .and_then(|args| {
                let kwargs = kwargs_bound
                    .as_ref()
                    .map(|k| k.cast::<PyDict>())
                    .transpose()?;
                checked_array_arguments(py, args, kwargs)
            });
        match checked {
            Ok((args, kwargs)) => original(
                subtype,
                args.as_ptr(),
                kwargs.as_ref().map_or(std::ptr::null_mut(), |k| k.as_ptr()),
            ),
            Err(err) => {
                err.restore(py);
                std::ptr::null_mut()
            }
        }
    }
}

/// `ndarray.resize` refusing `refcheck` other than true.
unsafe extern "C" fn guarded_resize(
    array: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: as `guarded_array_new`, for a `METH_VARARGS | METH_KEYWORDS` method.
    unsafe {
        let py = Python::assume_attached();
        if !kwargs.is_null() {
            let kwargs = Bound::from_borrowed_ptr(py, kwargs);
            let refcheck = kwargs
                .cast::<PyDict>()
                .map_err(PyErr::from)
                .and_then(|k| k.get_item(PyString::new(py, "refcheck")));
            match refcheck {
                // The value is read once here and passed on as `True`: a program object's
                // `__bool__` could answer differently when numpy reads it again.
                Ok(Some(value)) if !value.is_truthy().unwrap_or(false) => {
                    PyTypeError::new_err(
                        "resize(refcheck=False) is not available in the sandbox: it frees the \
                         data under any view of the array",
                    )
                    .restore(py);
                    return std::ptr::null_mut();
                }
                Ok(Some(_)) => {
                    let passed = kwargs.cast::<PyDict>().map_err(PyErr::from).and_then(|k| {
                        let copy = k.copy()?;
                        copy.set_item("refcheck", true)?;
                        Ok(copy)
                    });
                    return match passed {
                        Ok(copy) => call_resize(py, array, args, copy.as_ptr()),
                        Err(err) => {
                            err.restore(py);
                            std::ptr::null_mut()
                        }
                    };
                }
                Ok(None) => {}
                Err(err) => {
                    err.restore(py);
                    return std::ptr::null_mut();
                }
            }
        }
        call_resize(py, array, args, kwargs)
    }
}

/// Calls numpy's own `ndarray.resize`.
///
/// # Safety
/// As [`guarded_resize`].
unsafe fn call_resize(
    py: Python<'_>,
    array: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: the original was stored before the guard was installed, with this signature.
    unsafe {
        let original = ARRAY_RESIZE.load(Ordering::Acquire);
        if original == 0 {
            PyRuntimeError::new_err("internal error: ndarray.resize not recorded").restore(py);
            return std::ptr::null_mut();
        }
        let original: ffi::PyCFunctionWithKeywords =
            std::mem::transmute::<usize, ffi::PyCFunctionWithKeywords>(original);
        original(array, args, kwargs)
    }
}
