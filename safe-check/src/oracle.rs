//! TEST ONLY: the checker's first lowering, kept as an oracle for the C-level one.
//!
//! It parses with `compile(source, filename, "exec", PyCF_ONLY_AST)` and reads the Python
//! objects of the `ast` classes through their `_fields`, a route that shares no code with
//! `lower.rs`'s reading of the C structs. The differential test in this file lowers every
//! program of the test suite both ways and requires identical trees. Like `lower.rs`, it
//! leaves out the operator and context singletons.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};

use crate::limits::{MAX_DEPTH, MAX_NODES};
use crate::lower::{ident_span, parser_error, AddressHasher, LowerError};
use crate::source::LineIndex;
use crate::tree::{ConstKind, Field, Ident, IdentRole, Kind, Node, NodeId, Tree, NO_NODE};
use crate::Span;

/// `ast.PyCF_ONLY_AST`.
const PYCF_ONLY_AST: i32 = 0x400;

/// Most fields of any node class (`arguments` has 7).
const MAX_SLOTS: usize = 8;

/// How a field of a node class is lowered.
#[derive(Clone, Copy, Debug)]
enum Slot {
    /// A required child node.
    Node(Field),
    /// A child node or `None`.
    OptNode(Field),
    /// A list of child nodes.
    Nodes(Field),
    /// A list of child nodes with `None` holes (`Dict.keys`, `arguments.kw_defaults`).
    NodesOrNone(Field),
    /// A required identifier.
    Ident(IdentRole),
    /// An identifier or `None`.
    OptIdent(IdentRole),
    /// A list of identifiers.
    Idents(IdentRole),
    /// A constant value: only its type is kept.
    Const,
    /// An integer (or `None`, read as 0).
    Int,
    /// String data with no effect on the program (`type_comment`, `Constant.kind`, `tag`).
    Ignored,
}

/// The fields of every known class, in `_fields` order (CPython 3.11).
fn layout(kind: Kind) -> &'static [(&'static str, Slot)] {
    use Field as F;
    use IdentRole as R;
    use Slot::*;
    const DEF: &[(&str, Slot)] = &[
        ("name", Ident(R::FunctionName)),
        ("args", Node(F::Args)),
        ("body", Nodes(F::Body)),
        ("decorator_list", Nodes(F::DecoratorList)),
        ("returns", OptNode(F::Returns)),
        ("type_comment", Ignored),
    ];
    const FOR: &[(&str, Slot)] = &[
        ("target", Node(F::Target)),
        ("iter", Node(F::Iter)),
        ("body", Nodes(F::Body)),
        ("orelse", Nodes(F::Orelse)),
        ("type_comment", Ignored),
    ];
    const WITH: &[(&str, Slot)] = &[
        ("items", Nodes(F::Items)),
        ("body", Nodes(F::Body)),
        ("type_comment", Ignored),
    ];
    const TRY: &[(&str, Slot)] = &[
        ("body", Nodes(F::Body)),
        ("handlers", Nodes(F::Handlers)),
        ("orelse", Nodes(F::Orelse)),
        ("finalbody", Nodes(F::Finalbody)),
    ];
    const TEST_BODY_ORELSE: &[(&str, Slot)] = &[
        ("test", Node(F::Test)),
        ("body", Nodes(F::Body)),
        ("orelse", Nodes(F::Orelse)),
    ];
    const COMP: &[(&str, Slot)] = &[("elt", Node(F::Elt)), ("generators", Nodes(F::Generators))];
    const SEQ: &[(&str, Slot)] = &[("elts", Nodes(F::Elts)), ("ctx", Node(F::Ctx))];
    const VALUE: &[(&str, Slot)] = &[("value", Node(F::Value))];
    const OPT_VALUE: &[(&str, Slot)] = &[("value", OptNode(F::Value))];
    const PATTERNS: &[(&str, Slot)] = &[("patterns", Nodes(F::Patterns))];
    const NONE: &[(&str, Slot)] = &[];
    match kind {
        Kind::Module => &[
            ("body", Nodes(F::Body)),
            ("type_ignores", Nodes(F::TypeIgnores)),
        ],
        Kind::Interactive => &[("body", Nodes(F::Body))],
        Kind::Expression => &[("body", Node(F::Body))],
        Kind::FunctionType => &[
            ("argtypes", Nodes(F::ArgTypes)),
            ("returns", Node(F::Returns)),
        ],
        Kind::FunctionDef | Kind::AsyncFunctionDef => DEF,
        Kind::ClassDef => &[
            ("name", Ident(R::ClassName)),
            ("bases", Nodes(F::Bases)),
            ("keywords", Nodes(F::Keywords)),
            ("body", Nodes(F::Body)),
            ("decorator_list", Nodes(F::DecoratorList)),
        ],
        Kind::Return => OPT_VALUE,
        Kind::Delete => &[("targets", Nodes(F::Targets))],
        Kind::Assign => &[
            ("targets", Nodes(F::Targets)),
            ("value", Node(F::Value)),
            ("type_comment", Ignored),
        ],
        Kind::AugAssign => &[
            ("target", Node(F::Target)),
            ("op", Node(F::Op)),
            ("value", Node(F::Value)),
        ],
        Kind::AnnAssign => &[
            ("target", Node(F::Target)),
            ("annotation", Node(F::Annotation)),
            ("value", OptNode(F::Value)),
            ("simple", Int),
        ],
        Kind::For | Kind::AsyncFor => FOR,
        Kind::While | Kind::If => TEST_BODY_ORELSE,
        Kind::With | Kind::AsyncWith => WITH,
        Kind::Match => &[("subject", Node(F::Subject)), ("cases", Nodes(F::Cases))],
        Kind::Raise => &[("exc", OptNode(F::Exc)), ("cause", OptNode(F::Cause))],
        Kind::Try | Kind::TryStar => TRY,
        Kind::Assert => &[("test", Node(F::Test)), ("msg", OptNode(F::Msg))],
        Kind::Import => &[("names", Nodes(F::Names))],
        Kind::ImportFrom => &[
            ("module", OptIdent(R::ImportModule)),
            ("names", Nodes(F::Names)),
            ("level", Int),
        ],
        Kind::Global => &[("names", Idents(R::Global))],
        Kind::Nonlocal => &[("names", Idents(R::Nonlocal))],
        Kind::Expr | Kind::Await | Kind::YieldFrom | Kind::MatchValue => VALUE,
        Kind::Yield => OPT_VALUE,
        Kind::BoolOp => &[("op", Node(F::Op)), ("values", Nodes(F::Values))],
        Kind::NamedExpr => &[("target", Node(F::Target)), ("value", Node(F::Value))],
        Kind::BinOp => &[
            ("left", Node(F::Left)),
            ("op", Node(F::Op)),
            ("right", Node(F::Right)),
        ],
        Kind::UnaryOp => &[("op", Node(F::Op)), ("operand", Node(F::Operand))],
        Kind::Lambda => &[("args", Node(F::Args)), ("body", Node(F::Body))],
        Kind::IfExp => &[
            ("test", Node(F::Test)),
            ("body", Node(F::Body)),
            ("orelse", Node(F::Orelse)),
        ],
        Kind::Dict => &[("keys", NodesOrNone(F::Keys)), ("values", Nodes(F::Values))],
        Kind::Set => &[("elts", Nodes(F::Elts))],
        Kind::ListComp | Kind::SetComp | Kind::GeneratorExp => COMP,
        Kind::DictComp => &[
            ("key", Node(F::Key)),
            ("value", Node(F::Value)),
            ("generators", Nodes(F::Generators)),
        ],
        Kind::Compare => &[
            ("left", Node(F::Left)),
            ("ops", Nodes(F::Ops)),
            ("comparators", Nodes(F::Comparators)),
        ],
        Kind::Call => &[
            ("func", Node(F::Func)),
            ("args", Nodes(F::Args)),
            ("keywords", Nodes(F::Keywords)),
        ],
        Kind::FormattedValue => &[
            ("value", Node(F::Value)),
            ("conversion", Int),
            ("format_spec", OptNode(F::FormatSpec)),
        ],
        Kind::JoinedStr => &[("values", Nodes(F::Values))],
        Kind::Constant => &[("value", Const), ("kind", Ignored)],
        Kind::Attribute => &[
            ("value", Node(F::Value)),
            ("attr", Ident(R::Attribute)),
            ("ctx", Node(F::Ctx)),
        ],
        Kind::Subscript => &[
            ("value", Node(F::Value)),
            ("slice", Node(F::Slice)),
            ("ctx", Node(F::Ctx)),
        ],
        Kind::Starred => &[("value", Node(F::Value)), ("ctx", Node(F::Ctx))],
        Kind::Name => &[("id", Ident(R::Name)), ("ctx", Node(F::Ctx))],
        Kind::List | Kind::Tuple => SEQ,
        Kind::Slice => &[
            ("lower", OptNode(F::Lower)),
            ("upper", OptNode(F::Upper)),
            ("step", OptNode(F::Step)),
        ],
        Kind::comprehension => &[
            ("target", Node(F::Target)),
            ("iter", Node(F::Iter)),
            ("ifs", Nodes(F::Ifs)),
            ("is_async", Int),
        ],
        Kind::ExceptHandler => &[
            ("type", OptNode(F::Type)),
            ("name", OptIdent(R::ExceptName)),
            ("body", Nodes(F::Body)),
        ],
        Kind::arguments => &[
            ("posonlyargs", Nodes(F::Posonlyargs)),
            ("args", Nodes(F::Args)),
            ("vararg", OptNode(F::Vararg)),
            ("kwonlyargs", Nodes(F::Kwonlyargs)),
            ("kw_defaults", NodesOrNone(F::KwDefaults)),
            ("kwarg", OptNode(F::Kwarg)),
            ("defaults", Nodes(F::Defaults)),
        ],
        Kind::arg => &[
            ("arg", Ident(R::Parameter)),
            ("annotation", OptNode(F::Annotation)),
            ("type_comment", Ignored),
        ],
        Kind::keyword => &[("arg", OptIdent(R::Keyword)), ("value", Node(F::Value))],
        Kind::alias => &[
            ("name", Ident(R::ImportName)),
            ("asname", OptIdent(R::ImportAlias)),
        ],
        Kind::withitem => &[
            ("context_expr", Node(F::ContextExpr)),
            ("optional_vars", OptNode(F::OptionalVars)),
        ],
        Kind::match_case => &[
            ("pattern", Node(F::Pattern)),
            ("guard", OptNode(F::Guard)),
            ("body", Nodes(F::Body)),
        ],
        Kind::MatchSingleton => &[("value", Const)],
        Kind::MatchSequence | Kind::MatchOr => PATTERNS,
        Kind::MatchMapping => &[
            ("keys", Nodes(F::Keys)),
            ("patterns", Nodes(F::Patterns)),
            ("rest", OptIdent(R::MatchRest)),
        ],
        Kind::MatchClass => &[
            ("cls", Node(F::Cls)),
            ("patterns", Nodes(F::Patterns)),
            ("kwd_attrs", Idents(R::MatchAttribute)),
            ("kwd_patterns", Nodes(F::KwdPatterns)),
        ],
        Kind::MatchStar => &[("name", OptIdent(R::MatchStar))],
        Kind::MatchAs => &[
            ("pattern", OptNode(F::Pattern)),
            ("name", OptIdent(R::MatchCapture)),
        ],
        Kind::TypeIgnore => &[("lineno", Int), ("tag", Ignored)],
        Kind::Pass | Kind::Break | Kind::Continue => NONE,
        Kind::Load | Kind::Store | Kind::Del => NONE,
        Kind::And | Kind::Or => NONE,
        Kind::Add
        | Kind::Sub
        | Kind::Mult
        | Kind::MatMult
        | Kind::Div
        | Kind::Mod
        | Kind::Pow
        | Kind::LShift
        | Kind::RShift
        | Kind::BitOr
        | Kind::BitXor
        | Kind::BitAnd
        | Kind::FloorDiv => NONE,
        Kind::Invert | Kind::Not | Kind::UAdd | Kind::USub => NONE,
        Kind::Eq
        | Kind::NotEq
        | Kind::Lt
        | Kind::LtE
        | Kind::Gt
        | Kind::GtE
        | Kind::Is
        | Kind::IsNot
        | Kind::In
        | Kind::NotIn => NONE,
        Kind::Unknown => NONE,
    }
}

/// What the lowering knows about one `_ast` class.
struct ClassInfo {
    kind: Kind,
    /// Field names (interned) and how to lower them.
    slots: Vec<(Py<PyString>, Slot)>,
    /// Addresses of the interned field names, to match instance-dict keys by identity.
    slot_keys: Vec<usize>,
    /// Instances carry `lineno`, `col_offset`, `end_lineno`, `end_col_offset`.
    positioned: bool,
    /// Why the class is treated as unknown despite its known name.
    mismatch: Option<String>,
}

type ByAddress<V> = HashMap<usize, V, BuildHasherDefault<AddressHasher>>;

/// Everything resolved once per interpreter: `compile`, the `_ast` classes, interned
/// attribute names and the types of constants.
struct Table {
    compile: Py<PyAny>,
    /// `gc.isenabled`, `gc.disable`, `gc.enable`.
    gc: [Py<PyAny>; 3],
    classes: ByAddress<ClassInfo>,
    positions: [Py<PyString>; 4],
    position_keys: [usize; 4],
    constants: ByAddress<ConstKind>,
    name_attr: Py<PyString>,
    dict_attr: Py<PyString>,
    /// Keeps every type whose address is a key above alive.
    _keep: Vec<Py<PyAny>>,
}

static TABLE: PyOnceLock<Table> = PyOnceLock::new();

fn build_table(py: Python<'_>) -> PyResult<Table> {
    crate::normalize::install(py)?;
    let builtins = py.import("builtins")?;
    let ast = py.import("_ast")?;
    let mut keep = Vec::new();
    let mut classes = ByAddress::default();
    let fields_attr = PyString::intern(py, "_fields");
    let attributes_attr = PyString::intern(py, "_attributes");
    for &kind in Kind::KNOWN {
        let Ok(class) = ast.getattr(kind.name()) else {
            continue; // not in this interpreter: never produced
        };
        let expected = layout(kind);
        let fields: Vec<String> = class.getattr(&fields_attr)?.extract()?;
        let mismatch = (fields.len() != expected.len()
            || fields
                .iter()
                .zip(expected)
                .any(|(got, (want, _))| got != want))
        .then(|| format!("fields {fields:?} differ from the CPython 3.11 layout"));
        let attributes: Vec<String> = class.getattr(&attributes_attr)?.extract()?;
        let positioned = attributes
            .iter()
            .any(|attribute| attribute == "end_col_offset");
        let slots: Vec<(Py<PyString>, Slot)> = expected
            .iter()
            .map(|(name, slot)| (PyString::intern(py, name).unbind(), *slot))
            .collect();
        let slot_keys = slots
            .iter()
            .map(|(name, _)| name.as_ptr() as usize)
            .collect();
        let mismatch = mismatch
            .or_else(|| (slots.len() > MAX_SLOTS).then(|| format!("more than {MAX_SLOTS} fields")));
        let address = class.as_ptr() as usize;
        keep.push(class.unbind());
        classes.insert(
            address,
            ClassInfo {
                kind,
                slots,
                slot_keys,
                positioned,
                mismatch,
            },
        );
    }
    let mut constants = ByAddress::default();
    for (name, kind) in [
        ("int", ConstKind::Int),
        ("bool", ConstKind::Bool),
        ("float", ConstKind::Float),
        ("complex", ConstKind::Complex),
        ("str", ConstKind::Str),
        ("bytes", ConstKind::Bytes),
    ] {
        let class = builtins.getattr(name)?;
        constants.insert(class.as_ptr() as usize, kind);
        keep.push(class.unbind());
    }
    for (value, kind) in [
        (py.None().into_bound(py), ConstKind::None),
        (builtins.getattr("Ellipsis")?, ConstKind::Ellipsis),
    ] {
        let class = value.get_type();
        constants.insert(class.as_ptr() as usize, kind);
        keep.push(class.into_any().unbind());
    }
    let positions = ["lineno", "col_offset", "end_lineno", "end_col_offset"]
        .map(|name| PyString::intern(py, name).unbind());
    let position_keys = [0, 1, 2, 3].map(|index| positions[index].as_ptr() as usize);
    let gc = py.import("gc")?;
    Ok(Table {
        compile: builtins.getattr("compile")?.unbind(),
        gc: [
            gc.getattr("isenabled")?.unbind(),
            gc.getattr("disable")?.unbind(),
            gc.getattr("enable")?.unbind(),
        ],
        classes,
        positions,
        position_keys,
        constants,
        name_attr: PyString::intern(py, "__name__").unbind(),
        dict_attr: PyString::intern(py, "__dict__").unbind(),
        _keep: keep,
    })
}

/// Parses `source` with `compile(..., PyCF_ONLY_AST)` and lowers the `ast` objects.
pub(crate) fn parse(
    py: Python<'_>,
    source: &str,
    filename: &str,
    lines: &LineIndex<'_>,
) -> Result<(Tree, Py<PyAny>), LowerError> {
    let table = TABLE.get_or_try_init(py, || build_table(py))?;
    let _paused = GcPause::new(py, table)?;
    let compiled = table.compile.bind(py).call1((
        PyString::new(py, source),
        PyString::new(py, filename),
        "exec",
        PYCF_ONLY_AST,
        true,
    ));
    let root = match compiled {
        Ok(root) => root,
        Err(err) => return Err(parser_error(py, &err, lines)),
    };
    let tree = lower_module(py, root.clone())?;
    Ok((tree, root.unbind()))
}

/// Pauses CPython's cyclic garbage collector while the parser builds (and the lowering
/// reads) the AST: the tree's tens of thousands of new container objects would otherwise
/// trigger repeated collections that find nothing (an AST has no cycles). The GIL is held
/// throughout, so no other Python code runs meanwhile; the previous state is restored on drop.
struct GcPause<'t, 'py> {
    py: Python<'py>,
    table: &'t Table,
    was_enabled: bool,
}

impl<'t, 'py> GcPause<'t, 'py> {
    fn new(py: Python<'py>, table: &'t Table) -> PyResult<Self> {
        let was_enabled = table.gc[0].bind(py).call0()?.is_truthy()?;
        if was_enabled {
            table.gc[1].bind(py).call0()?;
        }
        Ok(GcPause {
            py,
            table,
            was_enabled,
        })
    }
}

impl Drop for GcPause<'_, '_> {
    fn drop(&mut self) {
        if self.was_enabled {
            // Nothing to do on failure: `gc.enable()` cannot fail in practice.
            let _ = self.table.gc[2].bind(self.py).call0();
        }
    }
}

/// Lowers a module object returned by `compile(..., PyCF_ONLY_AST)`.
pub(crate) fn lower_module<'py>(
    py: Python<'py>,
    root: Bound<'py, PyAny>,
) -> Result<Tree, LowerError> {
    let table = TABLE.get_or_try_init(py, || build_table(py))?;
    Lowering {
        py,
        table,
        tree: Tree::default(),
        resolved: Vec::new(),
    }
    .run(root)
}

/// Turns an exception raised by `compile` into a [`LowerError`].
/// One node waiting to be lowered.
struct Pending<'py> {
    object: Bound<'py, PyAny>,
    parent: NodeId,
    field: Field,
    depth: u32,
}

struct Lowering<'t, 'py> {
    py: Python<'py>,
    table: &'t Table,
    tree: Tree,
    /// Whether each node's span is known (its own position or its children's extent).
    resolved: Vec<bool>,
}

impl<'py> Lowering<'_, 'py> {
    fn run(mut self, root: Bound<'py, PyAny>) -> Result<Tree, LowerError> {
        let mut stack = vec![Pending {
            object: root,
            parent: NO_NODE,
            field: Field::Root,
            depth: 0,
        }];
        let mut children: Vec<(Bound<'py, PyAny>, Field)> = Vec::new();
        while let Some(pending) = stack.pop() {
            let id = self.push_node(&pending, &mut children)?;
            let depth = pending.depth + 1;
            stack.extend(children.drain(..).rev().map(|(object, field)| Pending {
                object,
                parent: id,
                field,
                depth,
            }));
        }
        self.resolve_spans();
        Ok(self.tree)
    }

    /// Creates the node for `pending`, reads its identifiers and scalars, and collects its
    /// child objects (in field order) into `children`.
    fn push_node(
        &mut self,
        pending: &Pending<'py>,
        children: &mut Vec<(Bound<'py, PyAny>, Field)>,
    ) -> Result<NodeId, LowerError> {
        let parent_span = if pending.parent == NO_NODE {
            Span::new(1, 0, 1, 0)
        } else {
            self.tree.node(pending.parent).span
        };
        let count = self.tree.nodes.len();
        let id = NodeId::try_from(count).unwrap_or(NO_NODE);
        let object = &pending.object;
        let info = self.table.classes.get(&(object.get_type_ptr() as usize));
        let known = info.filter(|info| info.mismatch.is_none());
        let (values, position) = match known {
            Some(info) => self.gather(info, object)?,
            None => (Default::default(), None),
        };
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
        match (info, known) {
            (_, Some(info)) => {
                node.kind = info.kind;
                self.lower_fields(id, info, values, &mut node, children)?;
            }
            (Some(info), None) => {
                let reason = info.mismatch.clone().unwrap_or_default();
                self.tree
                    .unknown
                    .push((id, format!("{}: {reason}", info.kind.name())));
            }
            (None, None) => {
                let name = object
                    .get_type()
                    .getattr(self.table.name_attr.bind(self.py))
                    .and_then(|name| name.extract::<String>())
                    .unwrap_or_else(|_| "<unnamed>".to_owned());
                self.tree.unknown.push((id, name));
            }
        }
        node.idents_len = u32::try_from(self.tree.idents.len()).unwrap_or(u32::MAX) - idents_start;
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

    fn lower_fields(
        &mut self,
        id: NodeId,
        info: &ClassInfo,
        values: [Option<Bound<'py, PyAny>>; MAX_SLOTS],
        node: &mut Node,
        children: &mut Vec<(Bound<'py, PyAny>, Field)>,
    ) -> Result<(), LowerError> {
        for ((name, slot), value) in info.slots.iter().zip(values) {
            let Some(value) = value else {
                return Err(LowerError::Internal(format!(
                    "`{}` has no field `{}`",
                    node.kind.name(),
                    name.bind(self.py)
                )));
            };
            match *slot {
                // Operators and contexts are not nodes of the checker's tree (lower.rs).
                Slot::Node(Field::Op) | Slot::Nodes(Field::Ops) => {}
                Slot::Node(Field::Ctx) => {
                    let class = value.get_type().name()?;
                    node.int = crate::tree::context_code(match class.to_str()? {
                        "Load" => Kind::Load,
                        "Store" => Kind::Store,
                        "Del" => Kind::Del,
                        _ => Kind::Unknown,
                    });
                }
                Slot::Node(field) => children.push((value, field)),
                Slot::OptNode(field) => {
                    if !value.is_none() {
                        children.push((value, field));
                    }
                }
                Slot::Nodes(field) | Slot::NodesOrNone(field) => {
                    let list = cast_list(&value, node.kind, name.bind(self.py))?;
                    for item in list.iter() {
                        if item.is_none() {
                            if matches!(slot, Slot::Nodes(_)) {
                                return Err(LowerError::Internal(format!(
                                    "`None` in `{}.{}`",
                                    node.kind.name(),
                                    field.py_name()
                                )));
                            }
                            continue;
                        }
                        children.push((item, field));
                    }
                }
                Slot::Ident(role) => self.push_ident(id, node, &value, role)?,
                Slot::OptIdent(role) => {
                    if !value.is_none() {
                        self.push_ident(id, node, &value, role)?;
                    }
                }
                Slot::Idents(role) => {
                    let list = cast_list(&value, node.kind, name.bind(self.py))?;
                    for item in list.iter() {
                        self.push_ident(id, node, &item, role)?;
                    }
                }
                Slot::Const => {
                    node.constant = self
                        .table
                        .constants
                        .get(&(value.get_type_ptr() as usize))
                        .copied()
                        .unwrap_or(ConstKind::Other);
                }
                Slot::Int => {
                    if !value.is_none() {
                        node.int = value.extract::<i64>()?;
                    }
                }
                Slot::Ignored => {}
            }
        }
        Ok(())
    }

    fn push_ident(
        &mut self,
        id: NodeId,
        node: &Node,
        value: &Bound<'py, PyAny>,
        role: IdentRole,
    ) -> Result<(), LowerError> {
        let text: std::sync::Arc<str> = value
            .cast::<PyString>()
            .map_err(|_| {
                LowerError::Internal(format!(
                    "identifier of `{}` is not a string",
                    node.kind.name()
                ))
            })?
            .to_str()?
            .into();
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

    /// The instance dict of a node object.
    fn instance_dict(&self, object: &Bound<'py, PyAny>) -> Result<Bound<'py, PyDict>, LowerError> {
        object
            .getattr(self.table.dict_attr.bind(self.py))?
            .cast_into::<PyDict>()
            .map_err(|_| LowerError::Internal("a node has no instance dict".to_owned()))
    }

    /// The field values (in slot order) and the position of a node, read in one pass over
    /// its instance dict: parser-made nodes keep every field there, under the interpreter's
    /// interned names, so keys are matched by identity (with a lookup by name as fallback).
    #[allow(clippy::type_complexity)]
    fn gather(
        &self,
        info: &ClassInfo,
        object: &Bound<'py, PyAny>,
    ) -> Result<([Option<Bound<'py, PyAny>>; MAX_SLOTS], Option<Span>), LowerError> {
        let mut values: [Option<Bound<'py, PyAny>>; MAX_SLOTS] = Default::default();
        if info.slots.is_empty() && !info.positioned {
            return Ok((values, None)); // operators and contexts
        }
        let dict = self.instance_dict(object)?;
        let mut position: [Option<Bound<'py, PyAny>>; 4] = Default::default();
        for (key, value) in dict.iter() {
            let key = key.as_ptr() as usize;
            if let Some(index) = info.slot_keys.iter().position(|slot| *slot == key) {
                values[index] = Some(value);
            } else if let Some(index) = self.table.position_keys.iter().position(|k| *k == key) {
                position[index] = Some(value);
            }
        }
        for (index, (name, _)) in info.slots.iter().enumerate() {
            if values[index].is_none() {
                values[index] = dict.get_item(name.bind(self.py))?;
            }
        }
        if !info.positioned {
            return Ok((values, None));
        }
        let mut numbers = [0_u32; 4];
        for (index, slot) in position.iter_mut().enumerate() {
            if slot.is_none() {
                *slot = dict.get_item(self.table.positions[index].bind(self.py))?;
            }
            let Some(value) = slot.as_ref().and_then(|value| value.extract::<i64>().ok()) else {
                return Ok((values, None));
            };
            numbers[index] = u32::try_from(value.max(0)).unwrap_or(u32::MAX);
        }
        let [line, col, end_line, end_col] = numbers;
        Ok((values, Some(Span::new(line, col, end_line, end_col))))
    }

    fn resolve_spans(&mut self) {
        crate::lower::resolve_spans(&mut self.tree, &mut self.resolved);
    }
}

fn cast_list<'a, 'py>(
    value: &'a Bound<'py, PyAny>,
    kind: Kind,
    name: &Bound<'py, PyString>,
) -> Result<&'a Bound<'py, PyList>, LowerError> {
    value
        .cast::<PyList>()
        .map_err(|_| LowerError::Internal(format!("`{}.{name}` is not a list", kind.name())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Python file under `dir`, recursively if `deep`.
    fn python_files(dir: &std::path::Path, deep: bool, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if deep && !path.ends_with("target") {
                    python_files(&path, deep, out);
                }
            } else if path.extension().is_some_and(|e| e == "py") {
                out.push(path);
            }
        }
    }

    /// The C-level lowering and this object-level one agree on every program of the test
    /// suite and on CPython's own standard library: same nodes, fields, links, spans,
    /// constants, integers and identifiers, or the same parse error.
    #[test]
    fn the_c_level_lowering_agrees_with_the_object_level_one() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["tests", "examples", "bench/workloads", "safe-check/tests"] {
            python_files(&root.join(dir), true, &mut files);
        }
        let project = files.len();
        assert!(project > 100, "only {project} project programs found");
        Python::initialize();
        Python::attach(|py| {
            // The top level of the interpreter's standard library (168 modules, 130,000
            // lines): every construct real code uses. (The whole library, 2,000 files, also
            // agrees; it takes minutes in a debug build.)
            let prefix: String = py
                .import("sys")
                .and_then(|sys| sys.getattr("base_prefix"))
                .and_then(|p| p.extract())
                .expect("sys.base_prefix");
            python_files(
                std::path::Path::new(&format!("{prefix}/lib/python3.11")),
                false,
                &mut files,
            );
            assert!(
                files.len() > project + 150,
                "the standard library was not found"
            );
            let mut compared = 0;
            for path in &files {
                let Ok(source) = std::fs::read_to_string(path) else {
                    continue;
                };
                if source.contains('\0') || source.len() > crate::MAX_SOURCE_BYTES {
                    continue;
                }
                let name = path.display().to_string();
                let lines = LineIndex::new(&source);
                let by_objects = parse(py, &source, &name, &lines).map(|(tree, _)| tree);
                // The C nodes' addresses to route differ from run to run; the nodes they
                // belong to are compared as part of the tree.
                let by_structs =
                    crate::lower::parse(py, &source, &name, &lines).map(|(mut tree, _)| {
                        tree.private_attributes.clear();
                        tree.class_patterns.clear();
                        tree
                    });
                let (a, b) = (format!("{by_objects:?}"), format!("{by_structs:?}"));
                if a != b {
                    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
                    let from = at.saturating_sub(300);
                    panic!(
                        "{name}: the lowerings differ at byte {at}:\nobjects: {}\nstructs: {}",
                        &a[from..(at + 300).min(a.len())],
                        &b[from..(at + 300).min(b.len())]
                    );
                }
                compared += 1;
            }
            assert!(
                compared > project + 150,
                "compared only {compared} programs"
            );
        });
    }

    #[test]
    fn layouts_match_the_embedded_interpreter() {
        Python::initialize();
        Python::attach(|py| {
            let table = build_table(py).expect("table");
            let mismatched: Vec<_> = table
                .classes
                .values()
                .filter_map(|info| info.mismatch.clone())
                .collect();
            assert!(mismatched.is_empty(), "{mismatched:?}");
            assert_eq!(table.classes.len(), Kind::KNOWN.len());
        });
    }

    #[test]
    fn garbage_collector_state_is_restored() {
        Python::initialize();
        Python::attach(|py| {
            let gc = py.import("gc").expect("gc");
            let enabled = || {
                gc.call_method0("isenabled")
                    .and_then(|v| v.is_truthy())
                    .expect("isenabled")
            };
            let lines = LineIndex::new("x = 1\n");
            for start_enabled in [true, false] {
                let method = if start_enabled { "enable" } else { "disable" };
                gc.call_method0(method).expect("toggle");
                assert!(parse(py, "x = 1\n", "gc.py", &lines).is_ok());
                assert!(parse(py, "x = = 1\n", "gc.py", &lines).is_err());
                assert_eq!(enabled(), start_enabled);
            }
            gc.call_method0("enable").expect("enable");
        });
    }

    #[test]
    fn node_slots_use_the_field_names() {
        for &kind in Kind::KNOWN {
            for (name, slot) in layout(kind) {
                if let Slot::Node(field)
                | Slot::OptNode(field)
                | Slot::Nodes(field)
                | Slot::NodesOrNone(field) = slot
                {
                    assert_eq!(*name, field.py_name(), "{}", kind.name());
                }
            }
        }
    }
}
