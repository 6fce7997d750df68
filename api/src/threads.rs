//! Threads and locks: `createthread`, `sleep`, `getthreadname`, `createlock` and the lock
//! object's `acquire(blocking)` / `release()`.
//!
//! A thread holds one `events` item while it runs (the main program holds one too). An
//! exception escaping a thread prints its traceback and ends the whole sandbox with RepyV2's
//! code 30. Every wait releases the interpreter. A thread has the main thread's stack
//! ([`crate::stack::THREAD_STACK_BYTES`]), so the recursion limit holds in it too, and a guard
//! region that turns an overflow into the `stack-overflow` verdict (see [`crate::stack`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::args::{self, positional};
use crate::charge::{self, Item};
use crate::exceptions::LockDoubleReleaseError;

/// The `events` key of the main program.
pub const MAIN_EVENT: u64 = 0;

/// The number of the next thread (`_EVENT:Thread:<n>`, from 1, never reused).
static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);
/// Threads started by `createthread` that have not finished yet.
static LIVE: Mutex<u64> = Mutex::new(0);
static LIVE_CHANGED: Condvar = Condvar::new();

// CPython exports the bound-method type; pyo3's bindings do not declare it.
extern "C" {
    static mut PyMethod_Type: pyo3::ffi::PyTypeObject;
}

/// Whether `value` is a Python function, lambda or bound method (what RepyV2 accepts).
fn is_function(value: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `value` is a live object; the checks compare its type pointer with the static
    // type objects of functions and bound methods, which live as long as the interpreter.
    unsafe {
        pyo3::ffi::PyFunction_Check(value.as_ptr()) != 0
            || pyo3::ffi::Py_TYPE(value.as_ptr()) == &raw mut PyMethod_Type
    }
}

/// `createthread(function)`: runs `function()` in a new thread.
#[pyfunction(signature = (*args, **kwargs))]
pub fn createthread(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    let [function] = positional::<1>("createthread", args, kwargs)?;
    if !is_function(&function) {
        return Err(args::invalid_type(&function));
    }
    if crate::modules::packages_listed() {
        // A trusted package's C code releases the interpreter while it works on memory the
        // program can reach: numpy checks a fancy index array, then reads it again without
        // the interpreter, and a second thread rewrote it in between (red-team round 24: an
        // out-of-bounds write, turned into the real builtins). With packages listed the
        // program runs on one thread.
        return Err(crate::exceptions::ResourceForbiddenError::new_err(
            "createthread is not available while the restrictions list packages: their C \
             code works on the program's arrays without the interpreter, where a second \
             thread could change them",
        ));
    }
    let number = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
    charge::acquire(Item::EVENTS, number)?;
    *LIVE.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    let function = function.unbind();
    let handover = Arc::new(Handover::default());
    let started = Arc::clone(&handover);
    let spawned = std::thread::Builder::new()
        .name(format!("_EVENT:Thread:{number}"))
        .stack_size(crate::stack::THREAD_STACK_BYTES)
        .spawn(move || {
            let guard = crate::stack::ThreadGuard::install();
            Python::attach(|py| {
                // Holding the interpreter now: the creator may go on once this thread has
                // had its turn (until it blocks or its switch interval ends).
                started.arrive();
                if let Err(err) = function.bind(py).call0() {
                    let text = crate::traceback::render_for_program(py, &err);
                    crate::output::write_stderr_charged(py, text.as_bytes());
                    nanny::exit::exit_now(nanny::ExitStatus::ThreadException);
                }
                drop(function);
            });
            drop(guard);
            charge::release(Item::EVENTS, number);
            let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
            *live = live.saturating_sub(1);
            LIVE_CHANGED.notify_all();
        });
    if let Err(err) = spawned {
        let text = format!("repy: the operating system refused to create a thread: {err}\n");
        crate::output::write_stderr(text.as_bytes());
        nanny::exit::exit_now(nanny::ExitStatus::ThreadRefused);
    }
    // As in RepyV2, the new thread runs at once: the creator gives up the interpreter until
    // the new thread holds it (bounded, in case the thread cannot start).
    py.detach(|| handover.wait(HANDOVER_LIMIT));
    Ok(())
}

/// How long `createthread` waits for the new thread to take the interpreter.
const HANDOVER_LIMIT: Duration = Duration::from_secs(1);

/// A new thread's signal that it holds the interpreter.
#[derive(Debug, Default)]
struct Handover {
    arrived: Mutex<bool>,
    changed: Condvar,
}

impl Handover {
    fn arrive(&self) {
        *self.arrived.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }

    fn wait(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut arrived = self.arrived.lock().unwrap_or_else(PoisonError::into_inner);
        while !*arrived {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            arrived = self
                .changed
                .wait_timeout(arrived, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Waits, with the interpreter released, until every `createthread` thread has finished.
pub fn wait_for_threads(py: Python<'_>) {
    py.detach(|| {
        let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
        while *live > 0 {
            live = LIVE_CHANGED
                .wait(live)
                .unwrap_or_else(PoisonError::into_inner);
        }
    });
}

/// Sleeps at least `seconds` with the interpreter released.
pub fn sleep_for(seconds: f64) {
    if seconds == 0.0 {
        // `sleep(0)` is how a RepyV2 program lets its other threads run (retrying a socket
        // that would block, say): give up the processor once, with the interpreter already
        // released, so a thread waiting for it gets it.
        std::thread::yield_now();
        return;
    }
    let deadline = Duration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|d| Instant::now().checked_add(d));
    loop {
        let remaining = match deadline {
            Some(deadline) => deadline.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(3600),
        };
        if remaining.is_zero() {
            return;
        }
        std::thread::sleep(remaining);
    }
}

/// `sleep(seconds)`: sleeps at least `seconds` (an `int` or `float`, not negative).
#[pyfunction(signature = (*args, **kwargs))]
pub fn sleep(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    let [seconds] = positional::<1>("sleep", args, kwargs)?;
    let seconds = args::non_negative_number(&seconds)?;
    py.detach(|| sleep_for(seconds));
    Ok(())
}

/// `getthreadname()`: `"MainThread"` for the main program, `_EVENT:Thread:<n>` otherwise.
#[pyfunction(signature = (*args, **kwargs))]
pub fn getthreadname(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    positional::<0>("getthreadname", args, kwargs)?;
    Ok(match std::thread::current().name() {
        Some(name) if name.starts_with("_EVENT:Thread:") => name.to_string(),
        _ => "MainThread".to_string(),
    })
}

/// A lock returned by `createlock`: not re-entrant, releasable by any thread.
#[pyclass(frozen, immutable_type, name = "lock", module = "repy")]
pub struct RepyLock {
    locked: Mutex<bool>,
    released: Condvar,
}

#[pymethods]
impl RepyLock {
    /// `acquire(blocking)`: takes the lock; with `blocking` false, returns at once whether it
    /// got it.
    #[pyo3(signature = (*args, **kwargs))]
    fn acquire(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<bool> {
        let [blocking] = positional::<1>("acquire", args, kwargs)?;
        let blocking = args::exact_bool(&blocking)?;
        Ok(py.detach(|| {
            let mut locked = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
            if !blocking && *locked {
                return false;
            }
            while *locked {
                locked = self
                    .released
                    .wait(locked)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            *locked = true;
            true
        }))
    }

    /// `release()`: releases the lock; releasing an unlocked lock raises
    /// `LockDoubleReleaseError`.
    #[pyo3(signature = (*args, **kwargs))]
    fn release(
        &self,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        positional::<0>("release", args, kwargs)?;
        let mut locked = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        if !*locked {
            return Err(LockDoubleReleaseError::new_err(
                "Releasing an un-locked lock!",
            ));
        }
        *locked = false;
        self.released.notify_one();
        Ok(())
    }

    fn __repr__(&self) -> String {
        "<Namespace wrapped lock>".to_string()
    }
}

/// `createlock()`: a new, unlocked lock.
#[pyfunction(signature = (*args, **kwargs))]
pub fn createlock(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RepyLock> {
    positional::<0>("createlock", args, kwargs)?;
    Ok(RepyLock {
        locked: Mutex::new(false),
        released: Condvar::new(),
    })
}
