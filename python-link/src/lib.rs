//! Links CPython 3.11's static library into every binary that embeds the interpreter.
//!
//! The crate has no code beyond three constants: its build script (`build.rs`) finds a CPython 3.11 on the build
//! machine and tells cargo which static library to link and which system libraries that
//! library needs. pyo3 is configured not to emit link lines of its own
//! (`.cargo/pyo3-static.cfg`, `suppress_build_script_link_lines`), so the configuration that
//! the repository commits names no path of any one machine.
//!
//! A crate that embeds CPython (safe-check, api) names this one (`use python_link as _;`) so
//! that rustc links it, and with it the directives below.
//!
//! Which interpreter, in order: `REPY_PYTHON`, then `PYO3_PYTHON`, then `python3.11` on
//! `PATH`. Which library: `libpython3.11-pic.a` in its `LIBPL` directory where it exists
//! (Debian and Ubuntu ship it because their `libpython3.11.a` is not position-independent),
//! else the library `sysconfig` names (`LIBRARY`, as pyenv and python.org builds ship it).
//! The system libraries come from `sysconfig`'s `LIBS`, `SYSLIBS` and `MODLIBS` (the
//! built-in modules' own, such as `-lz -lexpat` on Debian).

#![no_std]

/// The static library this build linked (a path on the build machine).
pub const ARCHIVE: &str = env!("REPY_PYTHON_ARCHIVE");

/// The interpreter's `sys.base_prefix` on the build machine.
pub const HOME: &str = env!("REPY_PYTHON_HOME");

/// The interpreter's standard library directory on the build machine.
pub const STDLIB: &str = env!("REPY_PYTHON_STDLIB");
