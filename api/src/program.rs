//! Runs the main program in its namespace and says how it ended.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// What the sandbox does with the checked program.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Run it to its end.
    Run,
    /// Evaluate it, exactly one expression, and return its value.
    Expression,
    /// Run its top level, then call a function it defines and return the value.
    Call {
        /// The function's name in the program's namespace.
        function: String,
        /// Positional arguments.
        args: Vec<serde_json::Value>,
        /// Keyword arguments.
        kwargs: serde_json::Map<String, serde_json::Value>,
    },
}

/// The most bytes of JSON a value may take when it leaves the sandbox.
pub const VALUE_LIMIT: usize = 8 * 1024 * 1024;

/// How the main program ended, as far as the sandbox child can tell.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The program ran to its end; for an expression or a call, with its value as JSON.
    Finished(Option<serde_json::Value>),
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
        Self::for_profile(py, callargs, safe_check::Profile::RepyV2)
    }

    /// Builds the namespace of `profile` for a program given `callargs`.
    pub fn for_profile(
        py: Python<'_>,
        callargs: &[String],
        profile: safe_check::Profile,
    ) -> PyResult<Self> {
        Ok(Self {
            globals: std::mem::ManuallyDrop::new(
                crate::namespace::build_for(py, callargs, profile)?.unbind(),
            ),
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

    /// Names the program's module `name` (its `__name__`, `"__main__"` until then): a
    /// program whose functions are called is loaded as Python imports a module, so its
    /// `if __name__ == "__main__":` block does not run.
    pub fn set_module_name(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        self.globals.bind(py).set_item("__name__", name)
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
        self.run_step(py, source, filename, &Step::Run, check)
    }

    /// In a process forked from a zygote whose top level finished: makes it ready to run
    /// code again as the main program (it takes back the `events` item the top level gave
    /// back, and the collector runs again).
    pub fn begin_in_fork(&self, _py: Python<'_>) -> PyResult<()> {
        if crate::charge::acquire(crate::charge::Item::EVENTS, crate::threads::MAIN_EVENT).is_err()
        {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "the call cannot get its `events` item",
            ));
        }
        // SAFETY: PyGC_Enable only sets the collector's enabled flag; the caller is attached.
        unsafe {
            ffi::PyGC_Enable();
        }
        Ok(())
    }

    /// In a process forked from a zygote whose top level finished: calls `function` with
    /// JSON arguments as the main program (it holds the `events` item while it runs, its
    /// threads are waited for) and returns the value as JSON, or how it failed.
    pub fn call_in_fork(
        &self,
        py: Python<'_>,
        source: &str,
        filename: &str,
        function: &str,
        args: &[serde_json::Value],
        kwargs: &serde_json::Map<String, serde_json::Value>,
    ) -> PyResult<Outcome> {
        self.begin_in_fork(py)?;
        let globals = self.globals.bind(py);
        let result = call(py, globals, function, args, kwargs)
            .and_then(|value| to_json(py, &value, &format!("{function}()")));
        Ok(ended(py, result.map(Some), filename, source))
    }

    /// Like [`Prepared::run`], and does `step` with the program: run it, evaluate it as one
    /// expression, or call one of its functions; the value leaves the sandbox as JSON (see
    /// [`crate::values`]). A missing function is a `NameError`, a value JSON cannot carry a
    /// `TypeError`, both uncaught exceptions of the program. A batch's zygote runs its top
    /// level with [`Prepared::run`], then serves calls with [`fork_for_call`] and
    /// [`Prepared::call_in_fork`] (its threads have ended, its `events` item is back, and the
    /// collector is stopped: no finalizer of the program runs in the zygote).
    pub fn run_step(
        &self,
        py: Python<'_>,
        source: &str,
        filename: &str,
        step: &Step,
        check: impl FnOnce(Python<'_>, &str, &str) -> Result<Option<safe_check::Checked>, String>,
    ) -> PyResult<Outcome> {
        // The checker hands back the tree it checked; compiling that tree (not the source
        // again) runs exactly what was checked and spares a second parse.
        let mut checked = match check(py, source, filename) {
            Ok(checked) => checked,
            Err(violations) => return Ok(Outcome::Unsafe(violations)),
        };
        if let Some(checked) = checked.as_mut() {
            if crate::private_attributes::active() {
                crate::private_attributes::route(py, checked)?;
            }
        }
        crate::traceback::set_program(filename, source);
        let compiled = match (step, &checked) {
            (Step::Expression, Some(checked)) => match checked.compile_expression(py) {
                Some(compiled) => compiled,
                None => {
                    return Ok(Outcome::Unsafe(format!(
                        "{filename}: not one expression: evaluating a value takes exactly one \
                         expression (run statements without --expr)\n"
                    )))
                }
            },
            (Step::Expression, None) => py
                .import("builtins")?
                .getattr("compile")?
                .call1((source, filename, "eval", 0, true)),
            (_, Some(checked)) => checked.compile(py),
            (_, None) => py
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
        if crate::private_attributes::active() {
            let args: Vec<String> = globals
                .get_item("callargs")?
                .and_then(|args| args.extract().ok())
                .unwrap_or_default();
            crate::sys_module::set_argv(py, filename, &args)?;
        }
        // SAFETY: `code` is a code object returned by compile(), `globals` a live dict; both
        // are borrowed for the call and the returned reference is owned by the result.
        let result = unsafe {
            let raw = ffi::PyEval_EvalCode(code.as_ptr(), globals.as_ptr(), globals.as_ptr());
            Bound::from_owned_ptr_or_err(py, raw)
        };
        let result = match step {
            Step::Run => result.map(|_| None).or_else(|err| {
                if crate::private_attributes::active() && is_clean_exit(py, &err) {
                    Ok(None)
                } else {
                    Err(err)
                }
            }),
            Step::Expression => {
                result.and_then(|value| to_json(py, &value, "the expression").map(Some))
            }
            Step::Call {
                function,
                args,
                kwargs,
            } => result.and_then(|_| {
                let value = call(py, globals, function, args, kwargs)?;
                to_json(py, &value, &format!("{function}()")).map(Some)
            }),
        };
        Ok(ended(py, result, filename, source))
    }
}

/// How the program (or a call) ended. Once it has ended, none of its code may run again:
/// no finalizer of an object it leaves behind, whether freed by the collector or by the
/// last reference going away (a traceback holds the frames, and the frames its objects).
/// The collector is stopped and every object is kept alive until the process ends (with
/// `_exit`; the interpreter is never finalised). Rendering an uncaught exception still
/// calls its `__str__`, the program's own last word, as RepyV2 did. A zygote's finished
/// top level ends the same way, ready for calls.
fn ended(
    py: Python<'_>,
    result: PyResult<Option<serde_json::Value>>,
    filename: &str,
    source: &str,
) -> Outcome {
    match result {
        Ok(value) => {
            // The top level is over: as in RepyV2, the main program's `events` item goes
            // back now, while its threads may still run (a run loop that waits for
            // `events` to drop sees it).
            crate::charge::release(crate::charge::Item::EVENTS, crate::threads::MAIN_EVENT);
            crate::threads::wait_for_threads(py);
            program_ended();
            Outcome::Finished(value)
        }
        Err(err) => {
            program_ended();
            let (text, summary) = crate::traceback::report(py, &err, filename, source);
            let outcome = Outcome::UncaughtException(text, summary);
            std::mem::forget(err);
            outcome
        }
    }
}

/// Under the python profile, a `SystemExit` whose status is `None` or 0 (`sys.exit()`,
/// `raise SystemExit`, `exit(0)` in a menu loop) ends the program as CPython ends it: a
/// clean end, not an uncaught exception. Only CPython's own class is taken, and its `code`
/// read from the instance (no program code runs); any other status stays an uncaught
/// exception, which is what the program's run reports.
fn is_clean_exit(py: Python<'_>, err: &PyErr) -> bool {
    let exit_type = py.get_type::<pyo3::exceptions::PySystemExit>();
    if !err.get_type(py).is(&exit_type) {
        return false;
    }
    match err.value(py).getattr("code") {
        Ok(code) if code.is_none() => true,
        Ok(code) => {
            (code.is_exact_instance_of::<pyo3::types::PyInt>()
                || code.is_exact_instance_of::<pyo3::types::PyBool>())
                && code.extract::<i64>().is_ok_and(|status| status == 0)
        }
        Err(_) => false,
    }
}

/// Forks the zygote for one call. A plain `fork(2)`: CPython's fork protocol
/// (`PyOS_BeforeFork`/`AfterFork_*`) would run the at-fork hooks a program registered, in the
/// zygote and in the call process before it is watched and narrowed; the zygote needs none of
/// what the protocol resets, because it has one thread (its top level's threads have ended),
/// which holds the interpreter and keeps it, the same thread, in the child. Returns the
/// child's pid in the zygote and 0 in the child, as fork(2).
pub fn fork_for_call(_py: Python<'_>) -> std::io::Result<libc::pid_t> {
    // SAFETY: fork(2) from the zygote's only thread, which holds the interpreter; the child
    // continues on that same thread with the interpreter's state as it was.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(pid)
    }
}

/// Calls the program's `function` with arguments made from JSON; a name the program does not
/// define is a `NameError`, as in Python.
fn call<'py>(
    py: Python<'py>,
    globals: &Bound<'py, PyDict>,
    function: &str,
    args: &[serde_json::Value],
    kwargs: &serde_json::Map<String, serde_json::Value>,
) -> PyResult<Bound<'py, PyAny>> {
    let Some(callee) = globals.get_item(function)? else {
        return Err(pyo3::exceptions::PyNameError::new_err(format!(
            "the program defines no '{function}' at its top level"
        )));
    };
    let positional = args
        .iter()
        .map(|arg| crate::values::to_python(py, arg))
        .collect::<PyResult<Vec<_>>>()?;
    let keywords = PyDict::new(py);
    for (name, arg) in kwargs {
        keywords.set_item(name, crate::values::to_python(py, arg)?)?;
    }
    let positional = pyo3::types::PyTuple::new(py, positional)?;
    callee.call(positional, Some(&keywords))
}

/// The value as JSON, or a `TypeError` naming what cannot cross the boundary.
fn to_json(py: Python<'_>, value: &Bound<'_, PyAny>, what: &str) -> PyResult<serde_json::Value> {
    let limits = crate::values::Limits {
        max_bytes: VALUE_LIMIT,
        ..crate::values::Limits::default()
    };
    crate::values::to_json_with(py, value, &limits).map_err(|err| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "the value of {what} cannot leave the sandbox: {err}"
        ))
    })
}

/// Stops the garbage collector for good: the program has ended, and a collection would run
/// the finalizers of its garbage.
fn program_ended() {
    // SAFETY: PyGC_Disable only clears the collector's enabled flag; the caller is attached.
    unsafe {
        ffi::PyGC_Disable();
    }
}
