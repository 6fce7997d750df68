//! Runs the main program in its namespace and says how it ended.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// How the main program ended, as far as the sandbox child can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The program ran to its end.
    Finished,
    /// The program was refused before any of it ran; the text lists every violation.
    Unsafe(String),
    /// An exception escaped the program: the rendered traceback, and its bounded summary
    /// for the run report.
    UncaughtException(String, crate::traceback::ExceptionSummary),
}

/// The program's namespace, built before confinement and run after it.
///
/// Dropping it never frees the program's objects: the namespace is kept alive for the rest of
/// the process, so no finalizer (`__del__`) of the program runs once the program has ended
/// (see [`Prepared::run`]).
pub struct Prepared {
    globals: std::mem::ManuallyDrop<Py<PyDict>>,
}

impl Prepared {
    /// Builds the namespace (builtins, API, context) for a program given `callargs`.
    pub fn new(py: Python<'_>, callargs: &[String]) -> PyResult<Self> {
        Ok(Self {
            globals: std::mem::ManuallyDrop::new(crate::namespace::build(py, callargs)?.unbind()),
        })
    }

    /// TEST ONLY: a namespace with the interpreter's real builtins and `import`, with the
    /// modules an attacker would want imported now (later imports fail once confined).
    #[cfg(feature = "test-real-builtins")]
    pub fn unrestricted(py: Python<'_>) -> PyResult<Self> {
        // The strongest attacker has file imports and the extension modules too (the product
        // stops at the core phase and its search path leaves lib-dynload out).
        crate::interpreter::finish_initialization()
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        let dynload = format!("{}/lib-dynload", crate::interpreter::PYTHON_STDLIB);
        py.import("sys")?
            .getattr("path")?
            .call_method1("append", (dynload,))?;
        for module in [
            "os",
            "socket",
            "ctypes",
            "subprocess",
            "signal",
            "_thread",
            "select",
            "errno",
        ] {
            py.import(module)?;
        }
        let globals = PyDict::new(py);
        globals.set_item("__builtins__", py.import("builtins")?)?;
        globals.set_item("__name__", "__main__")?;
        Ok(Self {
            globals: std::mem::ManuallyDrop::new(globals.unbind()),
        })
    }

    /// Compiles `source` with `filename` as its traceback name and runs it. `check` is the
    /// static checker: it returns the rendered violations when the program must not run.
    pub fn run(
        &self,
        py: Python<'_>,
        source: &str,
        filename: &str,
        check: impl FnOnce(Python<'_>, &str, &str) -> Result<Option<safe_check::Checked>, String>,
    ) -> PyResult<Outcome> {
        // The checker hands back the tree it checked; compiling that tree (not the source
        // again) runs exactly what was checked and spares a second parse.
        let checked = match check(py, source, filename) {
            Ok(checked) => checked,
            Err(violations) => return Ok(Outcome::Unsafe(violations)),
        };
        crate::traceback::set_program(filename, source);
        let compiled = match &checked {
            Some(checked) => checked.compile(py),
            None => py
                .import("builtins")?
                .getattr("compile")?
                .call1((source, filename, "exec", 0, true)),
        };
        drop(checked);
        let code = match compiled {
            Ok(code) => code,
            Err(err) => {
                let text = err
                    .value(py)
                    .str()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                return Ok(Outcome::Unsafe(format!(
                    "{filename}: the program does not compile: {text}\n"
                )));
            }
        };
        crate::charge::program_starting();
        let globals = self.globals.bind(py);
        // SAFETY: `code` is a code object returned by compile(), `globals` a live dict; both
        // are borrowed for the call and the returned reference is owned by the result.
        let result = unsafe {
            let raw = ffi::PyEval_EvalCode(code.as_ptr(), globals.as_ptr(), globals.as_ptr());
            Bound::from_owned_ptr_or_err(py, raw)
        };
        // Once the program has ended, none of its code may run again: no finalizer of an
        // object it leaves behind, whether freed by the collector or by the last reference
        // going away (a traceback holds the frames, and the frames its objects). The collector
        // is stopped and every object is kept alive until the process ends (with `_exit`; the
        // interpreter is never finalised). Rendering an uncaught exception still calls its
        // `__str__`, the program's own last word, as RepyV2 did.
        match result {
            Ok(_) => {
                // The top level is over: as in RepyV2, the main program's `events` item goes
                // back now, while its threads may still run (a run loop that waits for
                // `events` to drop sees it).
                crate::charge::release(crate::charge::Item::EVENTS, crate::threads::MAIN_EVENT);
                crate::threads::wait_for_threads(py);
                program_ended();
                Ok(Outcome::Finished)
            }
            Err(err) => {
                program_ended();
                let (text, summary) = crate::traceback::report(py, &err, filename, source);
                let outcome = Outcome::UncaughtException(text, summary);
                std::mem::forget(err);
                Ok(outcome)
            }
        }
    }
}

/// Stops the garbage collector for good: the program has ended, and a collection would run
/// the finalizers of its garbage.
fn program_ended() {
    // SAFETY: PyGC_Disable only clears the collector's enabled flag; the caller is attached.
    unsafe {
        ffi::PyGC_Disable();
    }
}
