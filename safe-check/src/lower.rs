//! Parses with the embedded CPython and lowers its C syntax tree into the owned [`Tree`].
//!
//! The only file of this crate that reads CPython's nodes ([`crate::cpython`] parses and
//! compiles). Every node kind of CPython 3.11 is read field by field, in the order of its
//! `_fields` in the `ast` module, into the shape the Python-level `ast` has, less the
//! operators and expression contexts (`Add`, `Load`: enum values in C, fieldless nodes in
//! `ast`, which no rule needs); identifiers are kept beside their node with the role they
//! play. The walk uses an explicit stack, so a deep tree cannot
//! overflow the Rust stack, and stops at the limits of [`crate::limits`].
//!
//! Deny by default: a node kind this file does not know (the numbering of a newer
//! interpreter) becomes a [`Kind::Unknown`] node that the rules refuse, and its children are
//! not lowered; a missing required child or a constant of an unexpected type is refused too.

// The C enum constants keep CPython's spelling (`_operator_Add`).
#![allow(non_upper_case_globals)]

use std::collections::HashMap;
use std::ffi::c_void;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use pyo3::exceptions::PySyntaxError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::cpython::ast::*;
use crate::cpython::{self, Parsed};
use crate::limits::{MAX_DEPTH, MAX_NODES};
use crate::source::LineIndex;
use crate::tree::{ConstKind, Field, Ident, IdentRole, Kind, Node, NodeId, Tree, NO_NODE};
use crate::{Pos, Span};

/// Why lowering stopped without a tree.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LowerError {
    /// The parser raised `SyntaxError` (or a subclass).
    #[error("{message}")]
    Syntax {
        /// The exception's `msg`.
        message: String,
        /// Where, converted to bytes.
        span: Span,
    },
    /// The parser gave up: `RecursionError`, `MemoryError` or another non-syntax exception.
    #[error("the parser gave up: {exception}: {message}")]
    ParserGaveUp {
        /// The exception class name.
        exception: String,
        /// Its message.
        message: String,
    },
    /// The tree is nested deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep {
        /// The first node past the limit.
        span: Span,
    },
    /// The tree has more than [`MAX_NODES`] nodes.
    #[error("more than {MAX_NODES} syntax nodes")]
    TooManyNodes {
        /// The first node past the limit.
        span: Span,
    },
    /// The checker itself could not do its work (fail closed).
    #[error("internal checker error: {0}")]
    Internal(String),
}

impl From<PyErr> for LowerError {
    fn from(err: PyErr) -> Self {
        LowerError::Internal(err.to_string())
    }
}

/// Readies the checker: installs the `unicodedata` the parser needs and checks that the
/// interpreter is the one the tree mirrors describe. Cheap; [`parse`] does it too.
pub(crate) fn prepare(py: Python<'_>) -> Result<(), LowerError> {
    cpython::check_version().map_err(LowerError::Internal)?;
    crate::normalize::install(py)?;
    Ok(())
}

/// Parses `source` with CPython and lowers the result; the parse is returned too, so that
/// a program that passes the check is compiled from the very tree that was checked.
pub(crate) fn parse(
    py: Python<'_>,
    source: &str,
    filename: &str,
    lines: &LineIndex<'_>,
) -> Result<(Tree, Parsed), LowerError> {
    prepare(py)?;
    let parsed = match cpython::parse(py, source, filename) {
        Ok(parsed) => parsed,
        Err(err) => return Err(parser_error(py, &err, lines)),
    };
    let tree = lower_module(py, parsed.module(), source.len())?;
    Ok((tree, parsed))
}

/// Turns the parser's exception into a lowering error; syntax errors keep their position.
pub(crate) fn parser_error(py: Python<'_>, err: &PyErr, lines: &LineIndex<'_>) -> LowerError {
    let value = err.value(py);
    let message = value
        .getattr("msg")
        .ok()
        .and_then(|msg| msg.extract::<String>().ok())
        .unwrap_or_else(|| {
            value
                .str()
                .map(|text| text.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    if err.is_instance_of::<PySyntaxError>(py) {
        // SyntaxError positions are 1-based *character* offsets: convert to bytes here so
        // every span downstream is in CPython's node convention.
        let int = |name: &str| {
            value
                .getattr(name)
                .ok()
                .and_then(|v| v.extract::<i64>().ok())
        };
        let line = clamp_u32(int("lineno").unwrap_or(1).max(1));
        let offset = int("offset").unwrap_or(1).max(1);
        let end_line = clamp_u32(
            int("end_lineno")
                .unwrap_or(i64::from(line))
                .max(i64::from(line)),
        );
        let end_offset = int("end_offset").unwrap_or(offset + 1);
        let start_col = lines.byte_col(line, usize::try_from(offset - 1).unwrap_or(0));
        let mut end_col = lines.byte_col(
            end_line,
            usize::try_from(end_offset.max(1) - 1).unwrap_or(0),
        );
        if end_line == line && end_col <= start_col {
            end_col = start_col.saturating_add(1);
        }
        return LowerError::Syntax {
            message,
            span: Span::new(line, start_col, end_line, end_col),
        };
    }
    let exception = value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "exception".to_owned());
    // RecursionError and MemoryError are the expected ones (deep or huge input); anything
    // else the parser raises is reported the same way: the source is refused.
    LowerError::ParserGaveUp { exception, message }
}

pub(crate) fn clamp_u32(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// A node of CPython's C tree, by its C type. The pointers are into the arena of the
/// [`Parsed`] being lowered, which outlives the lowering.
#[derive(Clone, Copy, Debug)]
enum CNode {
    Mod(mod_ty),
    Stmt(stmt_ty),
    Expr(expr_ty),
    Comprehension(comprehension_ty),
    ExceptHandler(excepthandler_ty),
    Arguments(arguments_ty),
    Arg(arg_ty),
    Keyword(keyword_ty),
    Alias(alias_ty),
    WithItem(withitem_ty),
    MatchCase(match_case_ty),
    Pattern(pattern_ty),
    TypeIgnore(type_ignore_ty),
}

impl CNode {
    fn is_null(self) -> bool {
        match self {
            CNode::Mod(p) => p.is_null(),
            CNode::Stmt(p) => p.is_null(),
            CNode::Expr(p) => p.is_null(),
            CNode::Comprehension(p) => p.is_null(),
            CNode::ExceptHandler(p) => p.is_null(),
            CNode::Arguments(p) => p.is_null(),
            CNode::Arg(p) => p.is_null(),
            CNode::Keyword(p) => p.is_null(),
            CNode::Alias(p) => p.is_null(),
            CNode::WithItem(p) => p.is_null(),
            CNode::MatchCase(p) => p.is_null(),
            CNode::Pattern(p) => p.is_null(),
            CNode::TypeIgnore(p) => p.is_null(),
        }
    }
}

/// The elements of any `asdl_*_seq` (they share `asdl_seq`'s header); empty for null.
///
/// # Safety
/// `seq` must be null or point to a live sequence of the parser's.
unsafe fn elements<'a, S>(seq: *const S) -> &'a [*mut c_void] {
    if seq.is_null() {
        return &[];
    }
    // SAFETY: every asdl sequence starts with `Py_ssize_t size; void **elements;`, and
    // `elements` points to `size` pointers (the caller guarantees a live sequence).
    unsafe {
        let head = seq.cast::<asdl_seq>();
        let size = usize::try_from((*head).size).unwrap_or(0);
        if size == 0 || (*head).elements.is_null() {
            return &[];
        }
        std::slice::from_raw_parts((*head).elements, size)
    }
}

/// What one C node holds, gathered before it becomes a [`Node`].
#[derive(Default)]
struct Parts {
    kind: Option<Kind>,
    /// Why the node is unknown, when `kind` stays `None`.
    unknown: String,
    position: Option<Span>,
    constant: Option<ConstKind>,
    int: i64,
    idents: Vec<(IdentRole, *mut ffi::PyObject)>,
    children: Vec<(CNode, Field)>,
    /// A required field was missing, or held a value this checker does not know (the node
    /// is refused as unknown).
    missing: Option<&'static str>,
}

impl Parts {
    fn clear(&mut self) {
        self.kind = None;
        self.unknown.clear();
        self.position = None;
        self.constant = None;
        self.int = 0;
        self.idents.clear();
        self.children.clear();
        self.missing = None;
    }

    /// A required child.
    fn one(&mut self, node: CNode, field: Field) {
        if node.is_null() {
            self.missing.get_or_insert(field.py_name());
        } else {
            self.children.push((node, field));
        }
    }

    /// An operator or expression context (`Add`, `Load`...): a C enum value, shown by
    /// Python's `ast` as a node without fields. No rule needs them, so they are not made
    /// into nodes (a third of a typical tree); a value this checker does not know refuses
    /// the node holding it.
    fn leaf(&mut self, kind: Kind, field: Field) {
        if kind == Kind::Unknown {
            self.missing.get_or_insert(field.py_name());
        }
        if field == Field::Ctx {
            // Nodes with a context have no integer field of their own: it holds the context.
            self.int = crate::tree::context_code(kind);
        }
    }

    /// An optional child.
    fn opt(&mut self, node: CNode, field: Field) {
        if !node.is_null() {
            self.children.push((node, field));
        }
    }

    /// A list of children; `holes` allows null entries (`Dict.keys`, `kw_defaults`).
    ///
    /// # Safety
    /// `seq` must be null or a live sequence whose elements `wrap` expects.
    unsafe fn many<S, T>(
        &mut self,
        seq: *const S,
        wrap: fn(*mut T) -> CNode,
        field: Field,
        holes: bool,
    ) {
        // SAFETY: the caller passes a live sequence of the parser's.
        for &element in unsafe { elements(seq) } {
            if element.is_null() {
                if !holes {
                    self.missing.get_or_insert(field.py_name());
                }
                continue;
            }
            self.children.push((wrap(element.cast()), field));
        }
    }

    /// A required identifier.
    fn ident(&mut self, object: *mut ffi::PyObject, role: IdentRole) {
        if object.is_null() {
            self.missing.get_or_insert(role.describe());
        } else {
            self.idents.push((role, object));
        }
    }

    /// An optional identifier.
    fn opt_ident(&mut self, object: *mut ffi::PyObject, role: IdentRole) {
        if !object.is_null() {
            self.idents.push((role, object));
        }
    }

    /// A list of identifiers.
    ///
    /// # Safety
    /// `seq` must be null or a live `asdl_identifier_seq`.
    unsafe fn idents_of(&mut self, seq: *const asdl_identifier_seq, role: IdentRole) {
        // SAFETY: the caller passes a live sequence of identifiers.
        for &element in unsafe { elements(seq) } {
            self.ident(element.cast(), role);
        }
    }

    fn at(&mut self, line: i32, col: i32, end_line: i32, end_col: i32) {
        self.position = Some(Span::new(
            clamp_u32(line.into()),
            clamp_u32(col.into()),
            clamp_u32(end_line.into()),
            clamp_u32(end_col.into()),
        ));
    }
}

fn wrap_stmt(p: *mut _stmt) -> CNode {
    CNode::Stmt(p)
}
fn wrap_expr(p: *mut _expr) -> CNode {
    CNode::Expr(p)
}
fn wrap_comprehension(p: *mut _comprehension) -> CNode {
    CNode::Comprehension(p)
}
fn wrap_handler(p: *mut _excepthandler) -> CNode {
    CNode::ExceptHandler(p)
}
fn wrap_arg(p: *mut _arg) -> CNode {
    CNode::Arg(p)
}
fn wrap_keyword(p: *mut _keyword) -> CNode {
    CNode::Keyword(p)
}
fn wrap_alias(p: *mut _alias) -> CNode {
    CNode::Alias(p)
}
fn wrap_withitem(p: *mut _withitem) -> CNode {
    CNode::WithItem(p)
}
fn wrap_case(p: *mut _match_case) -> CNode {
    CNode::MatchCase(p)
}
fn wrap_pattern(p: *mut _pattern) -> CNode {
    CNode::Pattern(p)
}
fn wrap_type_ignore(p: *mut _type_ignore) -> CNode {
    CNode::TypeIgnore(p)
}

fn context(value: expr_context_ty) -> Kind {
    match value {
        _expr_context_Load => Kind::Load,
        _expr_context_Store => Kind::Store,
        _expr_context_Del => Kind::Del,
        _ => Kind::Unknown,
    }
}

fn boolop(value: boolop_ty) -> Kind {
    match value {
        _boolop_And => Kind::And,
        _boolop_Or => Kind::Or,
        _ => Kind::Unknown,
    }
}

fn operator(value: operator_ty) -> Kind {
    match value {
        _operator_Add => Kind::Add,
        _operator_Sub => Kind::Sub,
        _operator_Mult => Kind::Mult,
        _operator_MatMult => Kind::MatMult,
        _operator_Div => Kind::Div,
        _operator_Mod => Kind::Mod,
        _operator_Pow => Kind::Pow,
        _operator_LShift => Kind::LShift,
        _operator_RShift => Kind::RShift,
        _operator_BitOr => Kind::BitOr,
        _operator_BitXor => Kind::BitXor,
        _operator_BitAnd => Kind::BitAnd,
        _operator_FloorDiv => Kind::FloorDiv,
        _ => Kind::Unknown,
    }
}

fn unaryop(value: unaryop_ty) -> Kind {
    match value {
        _unaryop_Invert => Kind::Invert,
        _unaryop_Not => Kind::Not,
        _unaryop_UAdd => Kind::UAdd,
        _unaryop_USub => Kind::USub,
        _ => Kind::Unknown,
    }
}

fn cmpop(value: i32) -> Kind {
    match u32::try_from(value).unwrap_or(0) {
        _cmpop_Eq => Kind::Eq,
        _cmpop_NotEq => Kind::NotEq,
        _cmpop_Lt => Kind::Lt,
        _cmpop_LtE => Kind::LtE,
        _cmpop_Gt => Kind::Gt,
        _cmpop_GtE => Kind::GtE,
        _cmpop_Is => Kind::Is,
        _cmpop_IsNot => Kind::IsNot,
        _cmpop_In => Kind::In,
        _cmpop_NotIn => Kind::NotIn,
        _ => Kind::Unknown,
    }
}

/// The type of a constant the parser made.
///
/// # Safety
/// `value` must be null or a live Python object; the interpreter must be attached.
unsafe fn constant_kind(value: *mut ffi::PyObject) -> ConstKind {
    if value.is_null() {
        return ConstKind::Other;
    }
    // SAFETY: the caller passes a live object; the type objects are static.
    unsafe {
        if value == ffi::Py_None() {
            return ConstKind::None;
        }
        if value == ffi::Py_Ellipsis() {
            return ConstKind::Ellipsis;
        }
        let class = ffi::Py_TYPE(value);
        let is = |other: *mut ffi::PyTypeObject| std::ptr::eq(class, other);
        if is(&raw mut ffi::PyBool_Type) {
            ConstKind::Bool
        } else if is(&raw mut ffi::PyLong_Type) {
            ConstKind::Int
        } else if is(&raw mut ffi::PyFloat_Type) {
            ConstKind::Float
        } else if is(&raw mut ffi::PyComplex_Type) {
            ConstKind::Complex
        } else if is(&raw mut ffi::PyUnicode_Type) {
            ConstKind::Str
        } else if is(&raw mut ffi::PyBytes_Type) {
            ConstKind::Bytes
        } else {
            ConstKind::Other
        }
    }
}

/// Reads the fields shared by `FunctionDef` and `AsyncFunctionDef` (distinct C structs).
macro_rules! function_def {
    ($out:ident, $v:expr) => {{
        let v = &$v;
        $out.ident(v.name, IdentRole::FunctionName);
        $out.one(CNode::Arguments(v.args), Field::Args);
        $out.many(v.body, wrap_stmt, Field::Body, false);
        $out.many(v.decorator_list, wrap_expr, Field::DecoratorList, false);
        $out.opt(CNode::Expr(v.returns), Field::Returns);
    }};
}

/// `For` and `AsyncFor`.
macro_rules! for_loop {
    ($out:ident, $v:expr) => {{
        let v = &$v;
        $out.one(CNode::Expr(v.target), Field::Target);
        $out.one(CNode::Expr(v.iter), Field::Iter);
        $out.many(v.body, wrap_stmt, Field::Body, false);
        $out.many(v.orelse, wrap_stmt, Field::Orelse, false);
    }};
}

/// `While` and `If`.
macro_rules! test_body_orelse {
    ($out:ident, $v:expr) => {{
        let v = &$v;
        $out.one(CNode::Expr(v.test), Field::Test);
        $out.many(v.body, wrap_stmt, Field::Body, false);
        $out.many(v.orelse, wrap_stmt, Field::Orelse, false);
    }};
}

/// `With` and `AsyncWith`.
macro_rules! with_block {
    ($out:ident, $v:expr) => {{
        let v = &$v;
        $out.many(v.items, wrap_withitem, Field::Items, false);
        $out.many(v.body, wrap_stmt, Field::Body, false);
    }};
}

/// `Try` and `TryStar`.
macro_rules! try_block {
    ($out:ident, $v:expr) => {{
        let v = &$v;
        $out.many(v.body, wrap_stmt, Field::Body, false);
        $out.many(v.handlers, wrap_handler, Field::Handlers, false);
        $out.many(v.orelse, wrap_stmt, Field::Orelse, false);
        $out.many(v.finalbody, wrap_stmt, Field::Finalbody, false);
    }};
}

/// `ListComp`, `SetComp` and `GeneratorExp`.
macro_rules! comprehension {
    ($out:ident, $v:expr) => {{
        let v = &$v;
        $out.one(CNode::Expr(v.elt), Field::Elt);
        $out.many(v.generators, wrap_comprehension, Field::Generators, false);
    }};
}

/// Reads one C node into `out`, fields in `_fields` order.
///
/// # Safety
/// `node` must point into a live tree made by CPython 3.11's parser; the interpreter must be
/// attached.
#[allow(clippy::too_many_lines)]
unsafe fn describe(node: CNode, out: &mut Parts) {
    use Field as F;
    use IdentRole as R;
    out.clear();
    // SAFETY: the caller guarantees a live 3.11 tree: each union member is read only under
    // the kind tag that selects it, and every pointer read is either null or into the tree.
    unsafe {
        match node {
            CNode::Mod(m) => match (*m).kind {
                _mod_kind_Module_kind => {
                    let v = &(*m).v.Module;
                    out.kind = Some(Kind::Module);
                    out.many(v.body, wrap_stmt, F::Body, false);
                    out.many(v.type_ignores, wrap_type_ignore, F::TypeIgnores, false);
                }
                _mod_kind_Interactive_kind => {
                    out.kind = Some(Kind::Interactive);
                    out.many((*m).v.Interactive.body, wrap_stmt, F::Body, false);
                }
                _mod_kind_Expression_kind => {
                    out.kind = Some(Kind::Expression);
                    out.one(CNode::Expr((*m).v.Expression.body), F::Body);
                }
                _mod_kind_FunctionType_kind => {
                    let v = &(*m).v.FunctionType;
                    out.kind = Some(Kind::FunctionType);
                    out.many(v.argtypes, wrap_expr, F::ArgTypes, false);
                    out.one(CNode::Expr(v.returns), F::Returns);
                }
                other => out.unknown = format!("module kind {other}"),
            },
            CNode::Stmt(s) => {
                let s = &*s;
                out.at(s.lineno, s.col_offset, s.end_lineno, s.end_col_offset);
                match s.kind {
                    _stmt_kind_FunctionDef_kind => {
                        out.kind = Some(Kind::FunctionDef);
                        function_def!(out, s.v.FunctionDef);
                    }
                    _stmt_kind_AsyncFunctionDef_kind => {
                        out.kind = Some(Kind::AsyncFunctionDef);
                        function_def!(out, s.v.AsyncFunctionDef);
                    }
                    _stmt_kind_ClassDef_kind => {
                        let v = &s.v.ClassDef;
                        out.kind = Some(Kind::ClassDef);
                        out.ident(v.name, R::ClassName);
                        out.many(v.bases, wrap_expr, F::Bases, false);
                        out.many(v.keywords, wrap_keyword, F::Keywords, false);
                        out.many(v.body, wrap_stmt, F::Body, false);
                        out.many(v.decorator_list, wrap_expr, F::DecoratorList, false);
                    }
                    _stmt_kind_Return_kind => {
                        out.kind = Some(Kind::Return);
                        out.opt(CNode::Expr(s.v.Return.value), F::Value);
                    }
                    _stmt_kind_Delete_kind => {
                        out.kind = Some(Kind::Delete);
                        out.many(s.v.Delete.targets, wrap_expr, F::Targets, false);
                    }
                    _stmt_kind_Assign_kind => {
                        let v = &s.v.Assign;
                        out.kind = Some(Kind::Assign);
                        out.many(v.targets, wrap_expr, F::Targets, false);
                        out.one(CNode::Expr(v.value), F::Value);
                    }
                    _stmt_kind_AugAssign_kind => {
                        let v = &s.v.AugAssign;
                        out.kind = Some(Kind::AugAssign);
                        out.one(CNode::Expr(v.target), F::Target);
                        out.leaf(operator(v.op), F::Op);
                        out.one(CNode::Expr(v.value), F::Value);
                    }
                    _stmt_kind_AnnAssign_kind => {
                        let v = &s.v.AnnAssign;
                        out.kind = Some(Kind::AnnAssign);
                        out.one(CNode::Expr(v.target), F::Target);
                        out.one(CNode::Expr(v.annotation), F::Annotation);
                        out.opt(CNode::Expr(v.value), F::Value);
                        out.int = v.simple.into();
                    }
                    _stmt_kind_For_kind => {
                        out.kind = Some(Kind::For);
                        for_loop!(out, s.v.For);
                    }
                    _stmt_kind_AsyncFor_kind => {
                        out.kind = Some(Kind::AsyncFor);
                        for_loop!(out, s.v.AsyncFor);
                    }
                    _stmt_kind_While_kind => {
                        out.kind = Some(Kind::While);
                        test_body_orelse!(out, s.v.While);
                    }
                    _stmt_kind_If_kind => {
                        out.kind = Some(Kind::If);
                        test_body_orelse!(out, s.v.If);
                    }
                    _stmt_kind_With_kind => {
                        out.kind = Some(Kind::With);
                        with_block!(out, s.v.With);
                    }
                    _stmt_kind_AsyncWith_kind => {
                        out.kind = Some(Kind::AsyncWith);
                        with_block!(out, s.v.AsyncWith);
                    }
                    _stmt_kind_Match_kind => {
                        let v = &s.v.Match;
                        out.kind = Some(Kind::Match);
                        out.one(CNode::Expr(v.subject), F::Subject);
                        out.many(v.cases, wrap_case, F::Cases, false);
                    }
                    _stmt_kind_Raise_kind => {
                        let v = &s.v.Raise;
                        out.kind = Some(Kind::Raise);
                        out.opt(CNode::Expr(v.exc), F::Exc);
                        out.opt(CNode::Expr(v.cause), F::Cause);
                    }
                    _stmt_kind_Try_kind => {
                        out.kind = Some(Kind::Try);
                        try_block!(out, s.v.Try);
                    }
                    _stmt_kind_TryStar_kind => {
                        out.kind = Some(Kind::TryStar);
                        try_block!(out, s.v.TryStar);
                    }
                    _stmt_kind_Assert_kind => {
                        let v = &s.v.Assert;
                        out.kind = Some(Kind::Assert);
                        out.one(CNode::Expr(v.test), F::Test);
                        out.opt(CNode::Expr(v.msg), F::Msg);
                    }
                    _stmt_kind_Import_kind => {
                        out.kind = Some(Kind::Import);
                        out.many(s.v.Import.names, wrap_alias, F::Names, false);
                    }
                    _stmt_kind_ImportFrom_kind => {
                        let v = &s.v.ImportFrom;
                        out.kind = Some(Kind::ImportFrom);
                        out.opt_ident(v.module, R::ImportModule);
                        out.many(v.names, wrap_alias, F::Names, false);
                        out.int = v.level.into();
                    }
                    _stmt_kind_Global_kind => {
                        out.kind = Some(Kind::Global);
                        out.idents_of(s.v.Global.names, R::Global);
                    }
                    _stmt_kind_Nonlocal_kind => {
                        out.kind = Some(Kind::Nonlocal);
                        out.idents_of(s.v.Nonlocal.names, R::Nonlocal);
                    }
                    _stmt_kind_Expr_kind => {
                        out.kind = Some(Kind::Expr);
                        out.one(CNode::Expr(s.v.Expr.value), F::Value);
                    }
                    _stmt_kind_Pass_kind => out.kind = Some(Kind::Pass),
                    _stmt_kind_Break_kind => out.kind = Some(Kind::Break),
                    _stmt_kind_Continue_kind => out.kind = Some(Kind::Continue),
                    other => out.unknown = format!("statement kind {other}"),
                }
            }
            CNode::Expr(e) => {
                let e = &*e;
                out.at(e.lineno, e.col_offset, e.end_lineno, e.end_col_offset);
                describe_expr(e, out);
            }
            CNode::Comprehension(c) => {
                let c = &*c;
                out.kind = Some(Kind::comprehension);
                out.one(CNode::Expr(c.target), F::Target);
                out.one(CNode::Expr(c.iter), F::Iter);
                out.many(c.ifs, wrap_expr, F::Ifs, false);
                out.int = c.is_async.into();
            }
            CNode::ExceptHandler(h) => {
                let h = &*h;
                out.at(h.lineno, h.col_offset, h.end_lineno, h.end_col_offset);
                match h.kind {
                    _excepthandler_kind_ExceptHandler_kind => {
                        let v = &h.v.ExceptHandler;
                        out.kind = Some(Kind::ExceptHandler);
                        out.opt(CNode::Expr(v.type_), F::Type);
                        out.opt_ident(v.name, R::ExceptName);
                        out.many(v.body, wrap_stmt, F::Body, false);
                    }
                    other => out.unknown = format!("exception handler kind {other}"),
                }
            }
            CNode::Arguments(a) => {
                let a = &*a;
                out.kind = Some(Kind::arguments);
                out.many(a.posonlyargs, wrap_arg, F::Posonlyargs, false);
                out.many(a.args, wrap_arg, F::Args, false);
                out.opt(CNode::Arg(a.vararg), F::Vararg);
                out.many(a.kwonlyargs, wrap_arg, F::Kwonlyargs, false);
                out.many(a.kw_defaults, wrap_expr, F::KwDefaults, true);
                out.opt(CNode::Arg(a.kwarg), F::Kwarg);
                out.many(a.defaults, wrap_expr, F::Defaults, false);
            }
            CNode::Arg(a) => {
                let a = &*a;
                out.at(a.lineno, a.col_offset, a.end_lineno, a.end_col_offset);
                out.kind = Some(Kind::arg);
                out.ident(a.arg, R::Parameter);
                out.opt(CNode::Expr(a.annotation), F::Annotation);
            }
            CNode::Keyword(k) => {
                let k = &*k;
                out.at(k.lineno, k.col_offset, k.end_lineno, k.end_col_offset);
                out.kind = Some(Kind::keyword);
                out.opt_ident(k.arg, R::Keyword);
                out.one(CNode::Expr(k.value), F::Value);
            }
            CNode::Alias(a) => {
                let a = &*a;
                out.at(a.lineno, a.col_offset, a.end_lineno, a.end_col_offset);
                out.kind = Some(Kind::alias);
                out.ident(a.name, R::ImportName);
                out.opt_ident(a.asname, R::ImportAlias);
            }
            CNode::WithItem(w) => {
                let w = &*w;
                out.kind = Some(Kind::withitem);
                out.one(CNode::Expr(w.context_expr), F::ContextExpr);
                out.opt(CNode::Expr(w.optional_vars), F::OptionalVars);
            }
            CNode::MatchCase(c) => {
                let c = &*c;
                out.kind = Some(Kind::match_case);
                out.one(CNode::Pattern(c.pattern), F::Pattern);
                out.opt(CNode::Expr(c.guard), F::Guard);
                out.many(c.body, wrap_stmt, F::Body, false);
            }
            CNode::Pattern(p) => {
                let p = &*p;
                out.at(p.lineno, p.col_offset, p.end_lineno, p.end_col_offset);
                describe_pattern(p, out);
            }
            CNode::TypeIgnore(t) => match (*t).kind {
                _type_ignore_kind_TypeIgnore_kind => {
                    out.kind = Some(Kind::TypeIgnore);
                    out.int = (*t).v.TypeIgnore.lineno.into();
                }
                other => out.unknown = format!("type-ignore kind {other}"),
            },
        }
    }
}

/// [`describe`] for expressions.
///
/// # Safety
/// As for [`describe`].
unsafe fn describe_expr(e: &_expr, out: &mut Parts) {
    use Field as F;
    use IdentRole as R;
    // SAFETY: as in `describe`: each union member is read under its own kind tag.
    unsafe {
        match e.kind {
            _expr_kind_BoolOp_kind => {
                let v = &e.v.BoolOp;
                out.kind = Some(Kind::BoolOp);
                out.leaf(boolop(v.op), F::Op);
                out.many(v.values, wrap_expr, F::Values, false);
            }
            _expr_kind_NamedExpr_kind => {
                let v = &e.v.NamedExpr;
                out.kind = Some(Kind::NamedExpr);
                out.one(CNode::Expr(v.target), F::Target);
                out.one(CNode::Expr(v.value), F::Value);
            }
            _expr_kind_BinOp_kind => {
                let v = &e.v.BinOp;
                out.kind = Some(Kind::BinOp);
                out.one(CNode::Expr(v.left), F::Left);
                out.leaf(operator(v.op), F::Op);
                out.one(CNode::Expr(v.right), F::Right);
            }
            _expr_kind_UnaryOp_kind => {
                let v = &e.v.UnaryOp;
                out.kind = Some(Kind::UnaryOp);
                out.leaf(unaryop(v.op), F::Op);
                out.one(CNode::Expr(v.operand), F::Operand);
            }
            _expr_kind_Lambda_kind => {
                let v = &e.v.Lambda;
                out.kind = Some(Kind::Lambda);
                out.one(CNode::Arguments(v.args), F::Args);
                out.one(CNode::Expr(v.body), F::Body);
            }
            _expr_kind_IfExp_kind => {
                let v = &e.v.IfExp;
                out.kind = Some(Kind::IfExp);
                out.one(CNode::Expr(v.test), F::Test);
                out.one(CNode::Expr(v.body), F::Body);
                out.one(CNode::Expr(v.orelse), F::Orelse);
            }
            _expr_kind_Dict_kind => {
                let v = &e.v.Dict;
                out.kind = Some(Kind::Dict);
                out.many(v.keys, wrap_expr, F::Keys, true);
                out.many(v.values, wrap_expr, F::Values, false);
            }
            _expr_kind_Set_kind => {
                out.kind = Some(Kind::Set);
                out.many(e.v.Set.elts, wrap_expr, F::Elts, false);
            }
            _expr_kind_ListComp_kind => {
                out.kind = Some(Kind::ListComp);
                comprehension!(out, e.v.ListComp);
            }
            _expr_kind_SetComp_kind => {
                out.kind = Some(Kind::SetComp);
                comprehension!(out, e.v.SetComp);
            }
            _expr_kind_GeneratorExp_kind => {
                out.kind = Some(Kind::GeneratorExp);
                comprehension!(out, e.v.GeneratorExp);
            }
            _expr_kind_DictComp_kind => {
                let v = &e.v.DictComp;
                out.kind = Some(Kind::DictComp);
                out.one(CNode::Expr(v.key), F::Key);
                out.one(CNode::Expr(v.value), F::Value);
                out.many(v.generators, wrap_comprehension, F::Generators, false);
            }
            _expr_kind_Await_kind => {
                out.kind = Some(Kind::Await);
                out.one(CNode::Expr(e.v.Await.value), F::Value);
            }
            _expr_kind_Yield_kind => {
                out.kind = Some(Kind::Yield);
                out.opt(CNode::Expr(e.v.Yield.value), F::Value);
            }
            _expr_kind_YieldFrom_kind => {
                out.kind = Some(Kind::YieldFrom);
                out.one(CNode::Expr(e.v.YieldFrom.value), F::Value);
            }
            _expr_kind_Compare_kind => {
                let v = &e.v.Compare;
                out.kind = Some(Kind::Compare);
                out.one(CNode::Expr(v.left), F::Left);
                if v.ops.is_null() {
                    out.leaf(Kind::Unknown, F::Ops);
                } else {
                    // An `asdl_int_seq` holds its ints in place; `elements` points at them.
                    let len = usize::try_from((*v.ops).size).unwrap_or(0);
                    let ints = (*v.ops).elements.cast::<std::ffi::c_int>();
                    if len > 0 && !ints.is_null() {
                        for &op in std::slice::from_raw_parts(ints, len) {
                            out.leaf(cmpop(op), F::Ops);
                        }
                    }
                }
                out.many(v.comparators, wrap_expr, F::Comparators, false);
            }
            _expr_kind_Call_kind => {
                let v = &e.v.Call;
                out.kind = Some(Kind::Call);
                out.one(CNode::Expr(v.func), F::Func);
                out.many(v.args, wrap_expr, F::Args, false);
                out.many(v.keywords, wrap_keyword, F::Keywords, false);
            }
            _expr_kind_FormattedValue_kind => {
                let v = &e.v.FormattedValue;
                out.kind = Some(Kind::FormattedValue);
                out.one(CNode::Expr(v.value), F::Value);
                out.int = v.conversion.into();
                out.opt(CNode::Expr(v.format_spec), F::FormatSpec);
            }
            _expr_kind_JoinedStr_kind => {
                out.kind = Some(Kind::JoinedStr);
                out.many(e.v.JoinedStr.values, wrap_expr, F::Values, false);
            }
            _expr_kind_Constant_kind => {
                out.kind = Some(Kind::Constant);
                out.constant = Some(constant_kind(e.v.Constant.value));
            }
            _expr_kind_Attribute_kind => {
                let v = &e.v.Attribute;
                out.kind = Some(Kind::Attribute);
                out.one(CNode::Expr(v.value), F::Value);
                out.ident(v.attr, R::Attribute);
                out.leaf(context(v.ctx), F::Ctx);
            }
            _expr_kind_Subscript_kind => {
                let v = &e.v.Subscript;
                out.kind = Some(Kind::Subscript);
                out.one(CNode::Expr(v.value), F::Value);
                out.one(CNode::Expr(v.slice), F::Slice);
                out.leaf(context(v.ctx), F::Ctx);
            }
            _expr_kind_Starred_kind => {
                let v = &e.v.Starred;
                out.kind = Some(Kind::Starred);
                out.one(CNode::Expr(v.value), F::Value);
                out.leaf(context(v.ctx), F::Ctx);
            }
            _expr_kind_Name_kind => {
                let v = &e.v.Name;
                out.kind = Some(Kind::Name);
                out.ident(v.id, R::Name);
                out.leaf(context(v.ctx), F::Ctx);
            }
            _expr_kind_List_kind => {
                out.kind = Some(Kind::List);
                out.many(e.v.List.elts, wrap_expr, F::Elts, false);
                out.leaf(context(e.v.List.ctx), F::Ctx);
            }
            _expr_kind_Tuple_kind => {
                out.kind = Some(Kind::Tuple);
                out.many(e.v.Tuple.elts, wrap_expr, F::Elts, false);
                out.leaf(context(e.v.Tuple.ctx), F::Ctx);
            }
            _expr_kind_Slice_kind => {
                let v = &e.v.Slice;
                out.kind = Some(Kind::Slice);
                out.opt(CNode::Expr(v.lower), F::Lower);
                out.opt(CNode::Expr(v.upper), F::Upper);
                out.opt(CNode::Expr(v.step), F::Step);
            }
            other => out.unknown = format!("expression kind {other}"),
        }
    }
}

/// [`describe`] for match patterns.
///
/// # Safety
/// As for [`describe`].
unsafe fn describe_pattern(p: &_pattern, out: &mut Parts) {
    use Field as F;
    use IdentRole as R;
    // SAFETY: as in `describe`: each union member is read under its own kind tag.
    unsafe {
        match p.kind {
            _pattern_kind_MatchValue_kind => {
                out.kind = Some(Kind::MatchValue);
                out.one(CNode::Expr(p.v.MatchValue.value), F::Value);
            }
            _pattern_kind_MatchSingleton_kind => {
                out.kind = Some(Kind::MatchSingleton);
                out.constant = Some(constant_kind(p.v.MatchSingleton.value));
            }
            _pattern_kind_MatchSequence_kind => {
                out.kind = Some(Kind::MatchSequence);
                out.many(p.v.MatchSequence.patterns, wrap_pattern, F::Patterns, false);
            }
            _pattern_kind_MatchMapping_kind => {
                let v = &p.v.MatchMapping;
                out.kind = Some(Kind::MatchMapping);
                out.many(v.keys, wrap_expr, F::Keys, false);
                out.many(v.patterns, wrap_pattern, F::Patterns, false);
                out.opt_ident(v.rest, R::MatchRest);
            }
            _pattern_kind_MatchClass_kind => {
                let v = &p.v.MatchClass;
                out.kind = Some(Kind::MatchClass);
                out.one(CNode::Expr(v.cls), F::Cls);
                out.many(v.patterns, wrap_pattern, F::Patterns, false);
                out.idents_of(v.kwd_attrs, R::MatchAttribute);
                out.many(v.kwd_patterns, wrap_pattern, F::KwdPatterns, false);
            }
            _pattern_kind_MatchStar_kind => {
                out.kind = Some(Kind::MatchStar);
                out.opt_ident(p.v.MatchStar.name, R::MatchStar);
            }
            _pattern_kind_MatchAs_kind => {
                let v = &p.v.MatchAs;
                out.kind = Some(Kind::MatchAs);
                out.opt(CNode::Pattern(v.pattern), F::Pattern);
                out.opt_ident(v.name, R::MatchCapture);
            }
            _pattern_kind_MatchOr_kind => {
                out.kind = Some(Kind::MatchOr);
                out.many(p.v.MatchOr.patterns, wrap_pattern, F::Patterns, false);
            }
            other => out.unknown = format!("pattern kind {other}"),
        }
    }
}

/// Lowers a parsed module.
///
/// `size_hint` (the source's length in bytes) sizes the tree up front: dense code has about
/// one node per 3 bytes and one identifier per 10.
pub(crate) fn lower_module(
    py: Python<'_>,
    module: mod_ty,
    size_hint: usize,
) -> Result<Tree, LowerError> {
    if module.is_null() {
        return Err(LowerError::Internal("the parser returned no tree".into()));
    }
    let nodes = (size_hint / 3).min(MAX_NODES);
    let mut tree = Tree::default();
    tree.nodes.reserve(nodes);
    tree.idents.reserve(size_hint / 10);
    Lowering {
        py,
        names: HashMap::default(),
        tree,
        resolved: Vec::with_capacity(nodes),
        parts: Parts::default(),
    }
    .run(CNode::Mod(module))
}

/// A hasher for object addresses: unique, and well spread once shifted and multiplied.
#[derive(Default)]
pub(crate) struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8 | u64::from(*byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, value: usize) {
        self.0 = ((value as u64) >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// One node waiting to be lowered.
struct Pending {
    node: CNode,
    parent: NodeId,
    field: Field,
    depth: u32,
}

struct Lowering<'py> {
    py: Python<'py>,
    /// Identifier text by object address.
    names: HashMap<usize, Arc<str>, BuildHasherDefault<AddressHasher>>,
    tree: Tree,
    /// Whether each node's span is known (its own position or its children's extent).
    resolved: Vec<bool>,
    /// Scratch space for the node being read.
    parts: Parts,
}

impl Lowering<'_> {
    fn run(mut self, root: CNode) -> Result<Tree, LowerError> {
        let mut stack = Vec::with_capacity(256);
        stack.push(Pending {
            node: root,
            parent: NO_NODE,
            field: Field::Root,
            depth: 0,
        });
        while let Some(pending) = stack.pop() {
            let id = self.push_node(&pending)?;
            let depth = pending.depth + 1;
            for &(node, field) in self.parts.children.iter().rev() {
                stack.push(Pending {
                    node,
                    parent: id,
                    field,
                    depth,
                });
            }
        }
        self.resolve_spans();
        Ok(self.tree)
    }

    /// Creates the node for `pending` and reads its identifiers and scalars; its children
    /// are left in `self.parts.children` (in field order).
    fn push_node(&mut self, pending: &Pending) -> Result<NodeId, LowerError> {
        let parent_span = if pending.parent == NO_NODE {
            Span::new(1, 0, 1, 0)
        } else {
            self.tree.node(pending.parent).span
        };
        let count = self.tree.nodes.len();
        let id = NodeId::try_from(count).unwrap_or(NO_NODE);
        // SAFETY: every CNode on the stack came from the live tree being lowered, and the
        // interpreter is attached (`self.py`).
        unsafe { describe(pending.node, &mut self.parts) };
        let position = self.parts.position;
        let span = position.unwrap_or(parent_span);
        if count >= MAX_NODES || id == NO_NODE {
            return Err(LowerError::TooManyNodes { span });
        }
        if pending.depth > MAX_DEPTH {
            return Err(LowerError::TooDeep { span });
        }
        let idents_start = u32::try_from(self.tree.idents.len()).unwrap_or(u32::MAX);
        let mut node = Node {
            kind: Kind::Unknown,
            field: pending.field,
            constant: ConstKind::NotConstant,
            int: 0,
            parent: pending.parent,
            first_child: NO_NODE,
            last_child: NO_NODE,
            next_sibling: NO_NODE,
            idents_start,
            idents_len: 0,
            span,
        };
        match (self.parts.kind, self.parts.missing) {
            (Some(kind), None) => {
                node.kind = kind;
                node.int = self.parts.int;
                if let Some(constant) = self.parts.constant {
                    node.constant = constant;
                }
                let idents = std::mem::take(&mut self.parts.idents);
                for &(role, object) in &idents {
                    self.push_ident(id, &node, object, role)?;
                }
                self.parts.idents = idents;
            }
            (Some(kind), Some(field)) => {
                self.parts.children.clear();
                self.tree
                    .unknown
                    .push((id, format!("{}: `{field}` missing or unknown", kind.name())));
            }
            (None, _) => {
                self.parts.children.clear();
                let reason = std::mem::take(&mut self.parts.unknown);
                self.tree.unknown.push((id, reason));
            }
        }
        node.idents_len = u32::try_from(self.tree.idents.len()).unwrap_or(u32::MAX) - idents_start;
        if let (Kind::MatchClass, CNode::Pattern(pattern)) = (node.kind, pending.node) {
            let positional = self
                .parts
                .children
                .iter()
                .filter(|(_, field)| *field == Field::Patterns)
                .count();
            if positional > 0 {
                self.tree
                    .class_patterns
                    .push((pattern as usize, positional));
            }
        }
        if let (Kind::Attribute, CNode::Expr(expr)) = (node.kind, pending.node) {
            let private = self.tree.idents[idents_start as usize..]
                .iter()
                .any(|ident| ident.role == IdentRole::Attribute && ident.text.starts_with('_'));
            if private {
                self.tree.private_attributes.push((id, expr as usize));
            }
        }
        if pending.parent != NO_NODE {
            let parent = &mut self.tree.nodes[pending.parent as usize];
            let previous = parent.last_child;
            parent.last_child = id;
            if previous == NO_NODE {
                parent.first_child = id;
            } else {
                self.tree.nodes[previous as usize].next_sibling = id;
            }
        }
        self.tree.nodes.push(node);
        self.resolved.push(position.is_some());
        Ok(id)
    }

    fn push_ident(
        &mut self,
        id: NodeId,
        node: &Node,
        object: *mut ffi::PyObject,
        role: IdentRole,
    ) -> Result<(), LowerError> {
        // The parser interns identifiers: the same name is the same object, read once.
        let text = match self.names.get(&(object as usize)) {
            Some(text) => text.clone(),
            None => {
                // SAFETY: identifiers are live objects held by the arena (non-null: checked
                // when gathered); borrowing one does not outlive this call.
                let value = unsafe { Bound::from_borrowed_ptr(self.py, object) };
                let text: Arc<str> = value
                    .cast::<PyString>()
                    .map_err(|_| {
                        LowerError::Internal(format!(
                            "identifier of `{}` is not a string",
                            node.kind.name()
                        ))
                    })?
                    .to_str()?
                    .into();
                // The arena keeps the object, hence its address, for the whole lowering.
                self.names.insert(object as usize, text.clone());
                text
            }
        };
        let (span, approx) = ident_span(node, role, &text);
        self.tree.idents.push(Ident {
            text,
            role,
            node: id,
            span,
            approx,
        });
        Ok(())
    }

    /// Nodes without a position of their own (`arguments`, `comprehension`, `withitem`,
    /// `match_case`, the module) take the extent of their positioned children.
    fn resolve_spans(&mut self) {
        resolve_spans(&mut self.tree, &mut self.resolved);
    }
}

/// Gives every node whose span is not `resolved` the extent of its resolved children.
pub(crate) fn resolve_spans(tree: &mut Tree, resolved: &mut [bool]) {
    for index in (0..tree.nodes.len()).rev() {
        if resolved[index] {
            continue;
        }
        let mut extent: Option<Span> = None;
        let mut child = tree.nodes[index].first_child;
        while child != NO_NODE {
            if resolved[child as usize] {
                let span = tree.nodes[child as usize].span;
                extent = Some(match extent {
                    None => span,
                    Some(extent) => extent.union(span),
                });
            }
            child = tree.nodes[child as usize].next_sibling;
        }
        if let Some(extent) = extent {
            tree.nodes[index].span = extent;
            resolved[index] = true;
        }
    }
}

/// Where an identifier is, computed from its node's position when the syntax fixes it;
/// otherwise the node's span, marked approximate.
pub(crate) fn ident_span(node: &Node, role: IdentRole, text: &str) -> (Span, bool) {
    let span = node.span;
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    let at_start = || Span {
        start: span.start,
        end: Pos {
            line: span.start.line,
            byte_col: span.start.byte_col.saturating_add(len),
        },
    };
    let at_end = || {
        if span.end.byte_col >= len {
            (
                Span {
                    start: Pos {
                        line: span.end.line,
                        byte_col: span.end.byte_col - len,
                    },
                    end: span.end,
                },
                false,
            )
        } else {
            (span, true)
        }
    };
    match role {
        IdentRole::Name => (span, false),
        IdentRole::Parameter | IdentRole::Keyword | IdentRole::ImportName => (at_start(), false),
        // `value.attr`, `import x as name`, `*name`, `case name` and `... as name` all end
        // with the identifier.
        IdentRole::Attribute
        | IdentRole::ImportAlias
        | IdentRole::MatchStar
        | IdentRole::MatchCapture => at_end(),
        _ => (span, true),
    }
}
