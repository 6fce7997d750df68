//! Finalizers the cyclic garbage collector finds are run later, at the main thread's next
//! bytecode boundary, not inside the collection (while a policy lists packages;
//! docs/packages.md).
//!
//! CPython 3.11 collects at an allocation, wherever it happens, and runs the finalizers of
//! the unreachable objects there: a generator's `finally` or a class's `__del__` is program
//! code that then runs inside whatever C code allocated. numpy's loops over object arrays
//! allocate (a tuple concatenated, an exception normalised) while they hold pointers into
//! the arrays; a finalizer assigning into such an array freed what the loop still used, or
//! changed what it had not reached yet (red-team round 21's class, through the collector).
//!
//! So the `tp_finalize` of generators, coroutines and asynchronous generators, and of every
//! class the program makes (its `__del__`), is replaced by [`deferring_finalize`]: during a
//! collection (a `gc.callbacks` entry, [`gc_phase`], marks it) the object is kept alive and
//! queued, and a pending call ([`Py_AddPendingCall`](ffi::Py_AddPendingCall)) runs the real
//! finalizers when the main thread next checks for pending work between two bytecodes of
//! the program's own code (not of a package's or the standard library's, which a C loop may
//! have called: red-team round 25): program code then runs where program code could run
//! anyway. Outside a collection (an object freed by its last reference) the finalizer runs at
//! once, as before. A finalizer whose pending call found no program frame waits for the next
//! collection; one queued when the program no longer runs bytecode is never run. The language
//! promises nothing about when, or whether, a collected object's finalizer runs.

use std::collections::HashMap;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// Whether the deferral is installed (classes the program makes are then patched).
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Whether a collection is under way (between `gc.callbacks`' "start" and "stop").
static COLLECTING: AtomicBool = AtomicBool::new(false);
/// Whether a pending call to [`drain`] is scheduled.
static SCHEDULED: AtomicBool = AtomicBool::new(false);
/// Each patched type's own finalizer, by type address.
static ORIGINALS: Mutex<Option<HashMap<usize, usize>>> = Mutex::new(None);
/// The objects whose finalizers wait, each with the finalizer to run (addresses; each holds
/// a strong reference taken when it was queued).
static QUEUED: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

type Finalize = unsafe extern "C" fn(*mut ffi::PyObject);

/// The original finalizer of `class` (or of its nearest patched base).
///
/// # Safety
/// `class` is a live type object.
unsafe fn original_finalizer(mut class: *mut ffi::PyTypeObject) -> Option<Finalize> {
    let originals = ORIGINALS.lock().ok()?;
    let originals = originals.as_ref()?;
    while !class.is_null() {
        if let Some(&original) = originals.get(&(class as usize)) {
            // SAFETY: recorded from a `tp_finalize` slot: a finalizer's address.
            return Some(unsafe { std::mem::transmute::<usize, Finalize>(original) });
        }
        // SAFETY: the caller's guarantee; a base of a live type is live.
        class = unsafe { (*class).tp_base };
    }
    None
}

/// The `tp_finalize` of every patched type: queues the object during a collection, runs the
/// original finalizer otherwise.
unsafe extern "C" fn deferring_finalize(object: *mut ffi::PyObject) {
    // SAFETY: CPython calls a finalizer attached, with a live object whose type is live.
    unsafe {
        let Some(original) = original_finalizer(ffi::Py_TYPE(object)) else {
            return;
        };
        if COLLECTING.load(Ordering::Acquire) {
            if let Ok(mut queued) = QUEUED.lock() {
                ffi::Py_INCREF(object);
                queued.push((object as usize, original as usize));
                drop(queued);
                schedule();
                return;
            }
        }
        original(object);
    }
}

/// Schedules [`drain`] once.
fn schedule() {
    if !SCHEDULED.swap(true, Ordering::AcqRel) {
        // SAFETY: Py_AddPendingCall may be called from any thread, with or without the
        // interpreter; `drain` takes no argument.
        if unsafe { ffi::Py_AddPendingCall(Some(drain), std::ptr::null_mut()) } != 0 {
            // The queue of pending calls is full: the next queued finalizer tries again.
            SCHEDULED.store(false, Ordering::Release);
        }
    }
}

/// The pending call: runs every queued finalizer, then drops the reference it held; only in
/// a frame of the program's own code. A bytecode boundary elsewhere may lie inside a
/// package's C loop: numpy's object `gcd.at` calls numpy's own Python `_gcd` per element,
/// after checking the index array it reads again for the next one (red-team round 25 ran a
/// `__del__` there that rewrote it). Elsewhere the queue waits for the next collection's end,
/// which schedules it again.
extern "C" fn drain(_: *mut c_void) -> c_int {
    SCHEDULED.store(false, Ordering::Release);
    // SAFETY: a pending call runs attached; PyEval_GetGlobals returns the current frame's
    // globals (borrowed) or null; only the pointer is compared.
    if !crate::python_profile::is_program_globals(unsafe { ffi::PyEval_GetGlobals() }) {
        return 0;
    }
    loop {
        let batch = match QUEUED.lock() {
            Ok(mut queued) => std::mem::take(&mut *queued),
            Err(_) => return 0,
        };
        if batch.is_empty() {
            return 0;
        }
        for (object, original) in batch {
            // SAFETY: a pending call runs attached, on the main thread, between bytecodes;
            // each object is alive (its reference was taken when queued) and `original` is
            // its type's finalizer, which keeps the error indicator as it found it and
            // reports its own exception as unraisable.
            unsafe {
                let object = object as *mut ffi::PyObject;
                std::mem::transmute::<usize, Finalize>(original)(object);
                ffi::Py_DECREF(object);
            }
        }
    }
}

/// `gc.callbacks` entry for `modules/packages.py`: marks a collection's start and stop. A C
/// function: no bytecode runs (and so no other thread) while it is called.
#[pyfunction]
pub(crate) fn gc_phase(phase: &str, info: &Bound<'_, PyAny>) {
    let _ = info;
    COLLECTING.store(phase == "start", Ordering::Release);
    if phase == "stop" && QUEUED.lock().is_ok_and(|queued| !queued.is_empty()) {
        schedule();
    }
}

/// Replaces `class`'s finalizer (if it has one that is not already the deferring one).
fn patch(class: *mut ffi::PyTypeObject) -> PyResult<()> {
    // SAFETY: `class` is a live type object; its `tp_finalize` slot is written while attached
    // (no other thread runs Python meanwhile) and read by CPython only attached.
    unsafe {
        let current = (*class).tp_finalize;
        let Some(current) = current else {
            return Ok(());
        };
        if current as usize == deferring_finalize as *const () as usize {
            return Ok(());
        }
        let mut originals = ORIGINALS
            .lock()
            .map_err(|_| PyRuntimeError::new_err("internal error: finalizer table poisoned"))?;
        originals
            .get_or_insert_with(HashMap::new)
            .insert(class as usize, current as usize);
        (*class).tp_finalize = Some(deferring_finalize);
    }
    Ok(())
}

/// `_defer_finalizers()` for `modules/packages.py`: patches the generator types and marks
/// the deferral installed, so that [`patch_program_class`] patches the program's classes.
#[pyfunction]
pub(crate) fn defer_finalizers() -> PyResult<()> {
    patch(&raw mut ffi::PyGen_Type)?;
    patch(&raw mut ffi::PyCoro_Type)?;
    patch(&raw mut ffi::PyAsyncGen_Type)?;
    INSTALLED.store(true, Ordering::Release);
    Ok(())
}

/// Patches a class the program made (its `class` statement, or a trusted factory remaking
/// it, `dataclass(slots=True)`), when the deferral is installed.
#[pyfunction]
pub(crate) fn patch_program_class(class: &Bound<'_, PyType>) -> PyResult<()> {
    if INSTALLED.load(Ordering::Acquire) {
        patch(class.as_type_ptr())?;
    }
    Ok(())
}
