//! Rewrites the checked tree's private attribute accesses into calls of the namespace's
//! guards (see `crate::route` for which and why), in CPython's C tree, after the rules
//! passed and before it is compiled:
//!
//! - a read `obj._x` becomes `READ(obj, "_x")`;
//! - a write or deletion (`obj._x = v`, `obj._x += v`, `del obj._x`, a `for` or `with`
//!   target) becomes `ACCESS(obj, "_x")[None]` in the same context, so the compiler's
//!   subscript protocol carries out the same steps in the same order (for `+=`: read, add,
//!   write) through the object `ACCESS` returns;
//! - a read `obj.__class__` becomes `CLASS_OF(obj)`.
//!
//! The guards are constants of the code (`LOAD_CONST`): no name the program could
//! shadow, rebind or spell leads to them, and the program cannot read a code object's
//! constants (R204). The node keeps its position, so tracebacks point where they did.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::{ast, Parsed, PyArena};
use crate::route::{ClassPattern, PrivateAccess, Route};
use crate::RouteGuards;

extern "C" {
    fn _PyArena_AddPyObject(arena: *mut PyArena, object: *mut ffi::PyObject) -> std::ffi::c_int;
    fn _Py_asdl_expr_seq_new(size: ffi::Py_ssize_t, arena: *mut PyArena)
        -> *mut ast::asdl_expr_seq;
    fn _PyAST_Call(
        func: ast::expr_ty,
        args: *mut ast::asdl_expr_seq,
        keywords: *mut ast::asdl_keyword_seq,
        lineno: std::ffi::c_int,
        col_offset: std::ffi::c_int,
        end_lineno: std::ffi::c_int,
        end_col_offset: std::ffi::c_int,
        arena: *mut PyArena,
    ) -> ast::expr_ty;
    fn _PyAST_Constant(
        value: ast::constant,
        kind: ast::string,
        lineno: std::ffi::c_int,
        col_offset: std::ffi::c_int,
        end_lineno: std::ffi::c_int,
        end_col_offset: std::ffi::c_int,
        arena: *mut PyArena,
    ) -> ast::expr_ty;
}

/// Where a node is: (line, column, end line, end column).
type Position = (
    std::ffi::c_int,
    std::ffi::c_int,
    std::ffi::c_int,
    std::ffi::c_int,
);

impl Parsed {
    /// Routes each of `accesses` (nodes of this very tree) through its guard.
    pub(crate) fn route_private(
        &self,
        py: Python<'_>,
        accesses: &[PrivateAccess],
        guards: &RouteGuards<'_, '_>,
    ) -> PyResult<()> {
        for each in accesses {
            let node = each.node as ast::expr_ty;
            // SAFETY: `node` is an `Attribute` node of this tree (recorded while lowering it,
            // and the tree is alive: owned by `self`); its kind is checked before the union
            // member is read. New nodes are allocated in the same arena, and every object
            // they point to is added to the arena, which holds it until the tree is freed.
            unsafe {
                if node.is_null() || (*node).kind != ast::_expr_kind_Attribute_kind {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(
                        "internal error: a routed node is not an attribute",
                    ));
                }
                let value = (*node).v.Attribute.value;
                let context = (*node).v.Attribute.ctx;
                let at = (
                    (*node).lineno,
                    (*node).col_offset,
                    (*node).end_lineno,
                    (*node).end_col_offset,
                );
                if each.route != Route::Private {
                    // `obj.__class__`: read only (R201 refuses the rest).
                    if context != ast::_expr_context_Load {
                        return Err(pyo3::exceptions::PyRuntimeError::new_err(
                            "internal error: a routed special attribute is not a read",
                        ));
                    }
                    let func = self.constant(py, guards.class_of.clone(), at)?;
                    let args = self.expressions(py, &[value])?;
                    become_call(node, func, args);
                    continue;
                }
                let name = self.constant(py, PyString::new(py, &each.name).into_any(), at)?;
                let args = self.expressions(py, &[value, name])?;
                if context == ast::_expr_context_Load {
                    let func = self.constant(py, guards.read.clone(), at)?;
                    become_call(node, func, args);
                } else {
                    let func = self.constant(py, guards.access.clone(), at)?;
                    let call = self.call(py, func, args, at)?;
                    let slice = self.constant(py, py.None().into_bound(py), at)?;
                    (*node).kind = ast::_expr_kind_Subscript_kind;
                    (*node).v.Subscript = ast::_expr__bindgen_ty_1__bindgen_ty_22 {
                        value: call,
                        slice,
                        ctx: context,
                    };
                }
            }
        }
        Ok(())
    }

    /// Routes each of `patterns` (nodes of this very tree): its class expression `cls`
    /// becomes `MATCH_ARGS(cls, count)`, which returns `cls` once its `__match_args__` passed.
    pub(crate) fn route_class_patterns(
        &self,
        py: Python<'_>,
        patterns: &[ClassPattern],
        guard: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        for each in patterns {
            let node = each.node as ast::pattern_ty;
            // SAFETY: `node` is a `MatchClass` pattern of this tree (recorded while lowering
            // it; the tree is owned by `self`); its kind is checked before the union member
            // is read. New nodes are allocated in the same arena, and the objects they point
            // to are added to the arena.
            unsafe {
                if node.is_null() || (*node).kind != ast::_pattern_kind_MatchClass_kind {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(
                        "internal error: a routed node is not a class pattern",
                    ));
                }
                let class = (*node).v.MatchClass.cls;
                if class.is_null() {
                    continue;
                }
                let at = (
                    (*class).lineno,
                    (*class).col_offset,
                    (*class).end_lineno,
                    (*class).end_col_offset,
                );
                let count = pyo3::types::PyInt::new(py, each.positional).into_any();
                let count = self.constant(py, count, at)?;
                let func = self.constant(py, guard.clone(), at)?;
                let args = self.expressions(py, &[class, count])?;
                (*node).v.MatchClass.cls = self.call(py, func, args, at)?;
            }
        }
        Ok(())
    }

    /// A sequence of `items` in the arena, for a call's arguments.
    fn expressions(
        &self,
        py: Python<'_>,
        items: &[ast::expr_ty],
    ) -> PyResult<*mut ast::asdl_expr_seq> {
        let length = ffi::Py_ssize_t::try_from(items.len())
            .map_err(|_| pyo3::exceptions::PyOverflowError::new_err("too many arguments"))?;
        // SAFETY: the arena is alive (owned by `self`); the new sequence has room for
        // `items.len()` elements, each written once.
        unsafe {
            let sequence = _Py_asdl_expr_seq_new(length, self.arena);
            if sequence.is_null() {
                return Err(PyErr::fetch(py));
            }
            let slots = (*sequence).typed_elements.as_mut_ptr();
            for (index, item) in items.iter().enumerate() {
                *slots.add(index) = *item;
            }
            Ok(sequence)
        }
    }

    /// A new `Call` node of `func` with `args` (no keywords) at `at`.
    fn call(
        &self,
        py: Python<'_>,
        func: ast::expr_ty,
        args: *mut ast::asdl_expr_seq,
        at: Position,
    ) -> PyResult<ast::expr_ty> {
        // SAFETY: `func` and `args` are nodes of this arena, which is alive.
        let call = unsafe {
            _PyAST_Call(
                func,
                args,
                std::ptr::null_mut(),
                at.0,
                at.1,
                at.2,
                at.3,
                self.arena,
            )
        };
        if call.is_null() {
            return Err(PyErr::fetch(py));
        }
        Ok(call)
    }

    /// A `Constant` node holding `value`, which the arena keeps alive.
    fn constant(
        &self,
        py: Python<'_>,
        value: Bound<'_, PyAny>,
        at: Position,
    ) -> PyResult<ast::expr_ty> {
        let object = value.into_ptr();
        // SAFETY: `object` is a new reference; on success the arena steals it, on failure
        // it is released here. The arena is alive (owned by `self`).
        unsafe {
            if _PyArena_AddPyObject(self.arena, object) < 0 {
                ffi::Py_DECREF(object);
                return Err(PyErr::fetch(py));
            }
            let node = _PyAST_Constant(
                object,
                std::ptr::null_mut(),
                at.0,
                at.1,
                at.2,
                at.3,
                self.arena,
            );
            if node.is_null() {
                return Err(PyErr::fetch(py));
            }
            Ok(node)
        }
    }
}

/// Turns `node` into a call of `func` with `args` (no keywords), in place: it keeps its
/// position, and whatever held it now holds the call.
///
/// # Safety
/// `node`, `func` and `args` must belong to the same live tree's arena.
unsafe fn become_call(node: ast::expr_ty, func: ast::expr_ty, args: *mut ast::asdl_expr_seq) {
    // SAFETY: the caller passes a live node; writing the kind and then its union member is
    // how the compiler's own constructors build a Call.
    unsafe {
        (*node).kind = ast::_expr_kind_Call_kind;
        (*node).v.Call = ast::_expr__bindgen_ty_1__bindgen_ty_17 {
            func,
            args,
            keywords: std::ptr::null_mut(),
        };
    }
}
