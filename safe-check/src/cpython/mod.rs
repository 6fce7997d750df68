//! CPython's own parser and compiler, at the C level.
//!
//! The checker parses with `_PyParser_ASTFromString`, the function behind the builtin
//! `compile()`, into CPython's C syntax tree (an arena of `struct _mod`/`_stmt`/`_expr`...,
//! mirrored in [`ast`]); `lower.rs` reads that tree, and a program that passes the check is
//! compiled from the *same* tree by `_PyAST_Compile`. So the interpreter runs exactly what was
//! checked, the source is parsed once, and no Python object is made for any node (the
//! `PyCF_ONLY_AST` route builds one per node and then converts them back to compile, which
//! cost more than the parse itself).
//!
//! Both functions are CPython internals that the shared libpython does not export; repy links
//! CPython 3.11 statically (the workspace's `.cargo/config.toml`), which makes them available.
//! The mirrors are generated for 3.11 (`scripts/gen-ast-bindings`) with compile-time layout
//! assertions, and [`check_version`] refuses any other interpreter at run time.
//!
//! The source is passed as UTF-8 with `PyCF_IGNORE_COOKIE`, as `compile()` does for a `str`:
//! a `# coding:` cookie cannot make the parser read different text.

#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code,
    unused_imports,
    missing_docs,
    clippy::all
)]
pub(crate) mod ast;
mod route;

use std::ffi::{c_char, c_int, CString};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// CPython's arena (`Include/internal/pycore_pyarena.h`): owns every node of a tree and holds
/// a reference to every Python object (identifier, constant) the nodes point to.
#[repr(C)]
pub(crate) struct PyArena {
    _private: [u8; 0],
}

/// `PyCF_SOURCE_IS_UTF8`: the source bytes are UTF-8.
const PYCF_SOURCE_IS_UTF8: c_int = 0x0100;
/// `PyCF_IGNORE_COOKIE`: do not honour a `# coding:` declaration (the source is a `str`).
const PYCF_IGNORE_COOKIE: c_int = 0x0800;
/// `Py_file_input`: a module.
const PY_FILE_INPUT: c_int = 257;
/// The `feature_version` `compile()` passes: the running minor version.
const FEATURE_VERSION: c_int = 11;

extern "C" {
    fn _PyArena_New() -> *mut PyArena;
    fn _PyArena_Free(arena: *mut PyArena);
    fn _PyParser_ASTFromString(
        source: *const c_char,
        filename: *mut ffi::PyObject,
        mode: c_int,
        flags: *mut ffi::PyCompilerFlags,
        arena: *mut PyArena,
    ) -> ast::mod_ty;
    fn _PyAST_Compile(
        module: ast::mod_ty,
        filename: *mut ffi::PyObject,
        flags: *mut ffi::PyCompilerFlags,
        optimize: c_int,
        arena: *mut PyArena,
    ) -> *mut ffi::PyObject;
    fn _PyAST_Expression(body: ast::expr_ty, arena: *mut PyArena) -> ast::mod_ty;
    fn _PyAST_Interactive(body: *mut ast::asdl_stmt_seq, arena: *mut PyArena) -> ast::mod_ty;
    static Py_Version: std::ffi::c_ulong;
}

/// Refuses to work with an interpreter other than the 3.11 the tree mirrors were generated
/// for (a layout mismatch would be a memory error, not a wrong answer).
pub(crate) fn check_version() -> Result<(), String> {
    // SAFETY: Py_Version is a constant exported by CPython since 3.11.
    let version = unsafe { Py_Version };
    let (major, minor) = ((version >> 24) & 0xff, (version >> 16) & 0xff);
    if (major, minor) == (3, 11) {
        Ok(())
    } else {
        Err(format!(
            "the checker reads CPython 3.11's syntax tree, but the interpreter is {major}.{minor}"
        ))
    }
}

fn compiler_flags() -> ffi::PyCompilerFlags {
    ffi::PyCompilerFlags {
        cf_flags: PYCF_SOURCE_IS_UTF8 | PYCF_IGNORE_COOKIE,
        cf_feature_version: FEATURE_VERSION,
    }
}

/// A parsed module: CPython's C tree and the arena that owns it. Not `Send`: it must be
/// used and freed by the thread that holds the interpreter.
pub(crate) struct Parsed {
    arena: *mut PyArena,
    module: ast::mod_ty,
    filename: Py<PyString>,
}

impl Parsed {
    /// The root of the tree (valid as long as `self`).
    pub(crate) fn module(&self) -> ast::mod_ty {
        self.module
    }

    /// Compiles the tree into a code object, exactly as `compile()` would compile the source.
    /// Errors the compiler finds (a `return` outside a function, ...) are Python exceptions.
    pub(crate) fn compile<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut flags = compiler_flags();
        // SAFETY: the module and the arena are alive (owned by `self`), the interpreter is
        // attached (`py`), and the filename is a str. The function returns a new reference
        // or null with an exception set.
        unsafe {
            let code = _PyAST_Compile(
                self.module,
                self.filename.as_ptr(),
                &mut flags,
                -1,
                self.arena,
            );
            Bound::from_owned_ptr_or_err(py, code)
        }
    }
}

impl Parsed {
    /// The one expression the module consists of, or `None` when it is anything else (no
    /// statement, several, or a statement that is not an expression).
    fn sole_expression(&self) -> Option<ast::expr_ty> {
        // SAFETY: the tree is alive (owned by `self`); the union member read is the one the
        // kind tag selects, and the sequence holds `size` statements.
        unsafe {
            let module = &*self.module;
            if module.kind != ast::_mod_kind_Module_kind {
                return None;
            }
            let body = module.v.Module.body;
            if body.is_null() || (*body).size != 1 {
                return None;
            }
            let statement = *(*body).typed_elements.as_ptr();
            if statement.is_null() || (*statement).kind != ast::_stmt_kind_Expr_kind {
                return None;
            }
            Some((*statement).v.Expr.value)
        }
    }

    /// Compiles the module's one expression for `eval`, from the very node that was
    /// checked; `None` when the module is not exactly one expression.
    pub(crate) fn compile_expression<'py>(
        &self,
        py: Python<'py>,
    ) -> Option<PyResult<Bound<'py, PyAny>>> {
        let expression = self.sole_expression()?;
        let mut flags = compiler_flags();
        // SAFETY: the expression node and the arena are alive (owned by `self`); the new
        // Expression node is allocated in the same arena, which outlives the compilation. The
        // interpreter is attached (`py`) and the filename is a str.
        unsafe {
            let wrapped = _PyAST_Expression(expression, self.arena);
            if wrapped.is_null() {
                return Some(Err(PyErr::fetch(py)));
            }
            let code = _PyAST_Compile(wrapped, self.filename.as_ptr(), &mut flags, -1, self.arena);
            Some(Bound::from_owned_ptr_or_err(py, code))
        }
    }
}

impl Parsed {
    /// Compiles the module's statements as the interactive interpreter would (`compile(...,
    /// "single")`): the value of an expression statement goes to `sys.displayhook`. From the
    /// very statements that were checked.
    pub(crate) fn compile_interactive<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut flags = compiler_flags();
        // SAFETY: the module and its body are alive (owned by `self`); the new Interactive
        // node is allocated in the same arena, which outlives the compilation. The union
        // member read is the one the kind tag selects.
        unsafe {
            let module = &*self.module;
            if module.kind != ast::_mod_kind_Module_kind {
                return Err(pyo3::exceptions::PySyntaxError::new_err("not a module"));
            }
            let wrapped = _PyAST_Interactive(module.v.Module.body, self.arena);
            if wrapped.is_null() {
                return Err(PyErr::fetch(py));
            }
            let code = _PyAST_Compile(wrapped, self.filename.as_ptr(), &mut flags, -1, self.arena);
            Bound::from_owned_ptr_or_err(py, code)
        }
    }
}

impl Drop for Parsed {
    fn drop(&mut self) {
        // Freeing the arena releases the Python objects it holds: the interpreter must be
        // attached (re-attaching from an attached thread is allowed).
        Python::attach(|_| {
            // SAFETY: the arena came from _PyArena_New and is freed exactly once, here.
            unsafe { _PyArena_Free(self.arena) }
        });
    }
}

/// Parses `source` as a module named `filename` with CPython's parser. On failure the
/// exception the parser raised (`SyntaxError`, `RecursionError`, `MemoryError`...).
pub(crate) fn parse(py: Python<'_>, source: &str, filename: &str) -> PyResult<Parsed> {
    check_version().map_err(pyo3::exceptions::PyRuntimeError::new_err)?;
    let text = CString::new(source)
        .map_err(|_| pyo3::exceptions::PyValueError::new_err("source contains a NUL byte"))?;
    if filename.contains('\0') {
        // As `compile()` refuses it: the name ends up in tracebacks and code objects.
        return Err(pyo3::exceptions::PyValueError::new_err(
            "embedded null byte in the file name",
        ));
    }
    let filename = PyString::new(py, filename).unbind();
    // SAFETY: _PyArena_New has no preconditions; it returns null with MemoryError set.
    let arena = unsafe { _PyArena_New() };
    if arena.is_null() {
        return Err(PyErr::fetch(py));
    }
    let mut parsed = Parsed {
        arena,
        module: std::ptr::null_mut(),
        filename,
    };
    let mut flags = compiler_flags();
    // SAFETY: `text` is NUL-terminated UTF-8, the filename a live str, the flags and arena
    // valid, and the interpreter attached. The tree is allocated in the arena, which
    // `parsed` frees on drop; null means an exception is set.
    parsed.module = unsafe {
        _PyParser_ASTFromString(
            text.as_ptr(),
            parsed.filename.as_ptr(),
            PY_FILE_INPUT,
            &mut flags,
            parsed.arena,
        )
    };
    if parsed.module.is_null() {
        return Err(PyErr::fetch(py));
    }
    Ok(parsed)
}
