//! Initialises the embedded CPython in isolated mode.
//!
//! The sandbox child calls [`initialize_isolated`] exactly once, before any thread starts. The
//! configuration ignores every environment variable (`PYTHONPATH`, `PYTHONHOME`, …), imports no
//! `site`, adds no user site directory and no current directory to `sys.path`, writes no
//! bytecode, installs no signal handlers and searches modules only in the standard library of
//! the CPython this binary was built against (recorded at build time by `build.rs`).
//!
//! Initialisation stops after CPython's *core* phase. The *main* phase would import the codec
//! registry (`encodings`), build `sys.stdin/stdout/stderr`, the `__main__` module and the
//! path-based importer: half of CPython's start-up time, and nothing the sandbox uses — its
//! output goes through Rust, its namespace is its own dict, and it imports nothing from
//! files. Without the path-based importer no module can be loaded from disk at all, even if
//! a program reached `__import__`.
//!
//! `Py_IsInitialized()` stays false in this state, and pyo3 checks it once, on the first
//! `Python::attach`. [`initialize_isolated`] makes that first call itself with the flag
//! raised for the duration of that one call only (after checking that CPython's runtime
//! state has exactly the expected shape; otherwise it completes the main phase instead), so
//! CPython's own view of its state is never altered while anything else runs.

use std::ffi::{c_int, CString};
use std::mem::MaybeUninit;

use pyo3::ffi;

/// The `sys.base_prefix` of the CPython this binary was built against.
pub const PYTHON_HOME: &str = python_link::HOME;
/// The standard library directory of that CPython; the only module search path.
pub const PYTHON_STDLIB: &str = python_link::STDLIB;

/// Why the interpreter could not be initialised.
#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    /// A path recorded at build time contains a NUL byte.
    #[error("python path {0:?} contains a NUL byte")]
    NulInPath(String),
    /// CPython refused the configuration or failed to start.
    #[error("cannot initialise CPython ({home}): {message}")]
    Init {
        /// The Python home that was configured.
        home: String,
        /// CPython's own explanation.
        message: String,
    },
}

/// Initialises CPython's core with an isolated configuration (see the module doc). Calling it
/// twice is an error the caller must avoid: the sandbox child is the only caller.
pub fn initialize_isolated() -> Result<(), InterpreterError> {
    initialize(true)?;
    if !pass_pyo3_start_check() {
        finish_initialization()?;
    }
    Ok(())
}

// The leading fields of CPython 3.11's `_PyRuntimeState` (Include/internal/pycore_runtime.h):
// `_initialized, preinitializing, preinitialized, core_initialized, initialized`.
extern "C" {
    static mut _PyRuntime: [c_int; 5];
}

/// After a core-only initialisation, lets pyo3 run its one-time "is the interpreter
/// initialised" check: raises `initialized` for one attach and lowers it again. Returns
/// false (changing nothing) when the runtime state does not look exactly as expected.
fn pass_pyo3_start_check() -> bool {
    let runtime = &raw mut _PyRuntime;
    // SAFETY: `_PyRuntime` is CPython's exported runtime state; the first five fields are
    // ints in every 3.11 build (the version this binary is built against). The process is
    // single-threaded here, so nothing reads the flag concurrently.
    unsafe {
        if (*runtime) != [1, 0, 1, 1, 0] || ffi::Py_IsInitialized() != 0 {
            return false;
        }
        (*runtime)[4] = 1;
        let passed = ffi::Py_IsInitialized() == 1;
        if passed {
            pyo3::Python::attach(|_| ());
        }
        (*runtime)[4] = 0;
        passed
    }
}

/// Initialises CPython completely (codecs, `sys` streams, path-based imports) with the same
/// isolated configuration: for `repy check`, which runs no program, and for the test-only
/// build that hands the program the real builtins.
pub fn initialize_complete() -> Result<(), InterpreterError> {
    initialize(false)
}

/// Completes the main phase of an interpreter initialised with [`initialize_isolated`].
pub fn finish_initialization() -> Result<(), InterpreterError> {
    extern "C" {
        fn _Py_InitializeMain() -> ffi::PyStatus;
    }
    // SAFETY: called once, attached, on an interpreter whose core phase is complete.
    unsafe { check(_Py_InitializeMain()) }.map_err(|message| InterpreterError::Init {
        home: PYTHON_HOME.to_string(),
        message,
    })
}

fn initialize(core_only: bool) -> Result<(), InterpreterError> {
    let home =
        CString::new(PYTHON_HOME).map_err(|_| InterpreterError::NulInPath(PYTHON_HOME.into()))?;
    let stdlib = CString::new(PYTHON_STDLIB)
        .map_err(|_| InterpreterError::NulInPath(PYTHON_STDLIB.into()))?;
    let mut config = MaybeUninit::<ffi::PyConfig>::uninit();
    // SAFETY: PyConfig_InitIsolatedConfig fully initialises the struct it is given; every
    // later call receives that initialised pointer, and PyConfig_Clear releases what the
    // configuration functions allocated, on every path.
    unsafe {
        let cfg = config.as_mut_ptr();
        ffi::PyConfig_InitIsolatedConfig(cfg);
        (*cfg).site_import = 0;
        (*cfg).user_site_directory = 0;
        (*cfg).use_environment = 0;
        (*cfg).write_bytecode = 0;
        (*cfg).install_signal_handlers = 0;
        (*cfg).faulthandler = 0;
        (*cfg).tracemalloc = 0;
        (*cfg).parse_argv = 0;
        (*cfg).safe_path = 1;
        (*cfg).pathconfig_warnings = 0;
        (*cfg).buffered_stdio = 0;
        (*cfg)._init_main = c_int::from(!core_only);
        let result = (|| {
            check(ffi::PyConfig_SetBytesString(
                cfg,
                &mut (*cfg).home,
                home.as_ptr(),
            ))?;
            check(ffi::PyConfig_SetBytesString(
                cfg,
                &mut (*cfg).stdlib_dir,
                stdlib.as_ptr(),
            ))?;
            (*cfg).module_search_paths_set = 1;
            let mut wide: Vec<libc::wchar_t> =
                PYTHON_STDLIB.chars().map(|c| c as libc::wchar_t).collect();
            wide.push(0);
            check(ffi::PyWideStringList_Append(
                &mut (*cfg).module_search_paths,
                wide.as_ptr(),
            ))?;
            check(ffi::Py_InitializeFromConfig(cfg))
        })();
        ffi::PyConfig_Clear(cfg);
        result.map_err(|message| InterpreterError::Init {
            home: PYTHON_HOME.to_string(),
            message,
        })
    }
}

/// Turns a `PyStatus` into a Rust result carrying CPython's message.
///
/// # Safety
/// `status` must come straight from a CPython configuration call.
unsafe fn check(status: ffi::PyStatus) -> Result<(), String> {
    // SAFETY: the caller passes a status returned by CPython, whose err_msg is either null or
    // a static C string.
    unsafe {
        if ffi::PyStatus_Exception(status) == 0 {
            return Ok(());
        }
        if status.err_msg.is_null() {
            return Err(format!("status exit code {}", status.exitcode));
        }
        Err(std::ffi::CStr::from_ptr(status.err_msg)
            .to_string_lossy()
            .into_owned())
    }
}
