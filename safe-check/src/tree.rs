//! The owned syntax tree the rules walk: one flat arena of nodes, built by `lower.rs`.
//!
//! Nothing here touches Python. Every node of CPython's AST except the operator and
//! expression-context singletons (`Add`, `Load`...) becomes one [`Node`]; identifiers held
//! by a node are stored beside it as [`Ident`]s with the role they play. Nodes are stored in preorder,
//! so a parent always comes before its children and siblings keep source order.

use crate::Span;

/// Index of a node in [`Tree::nodes`].
pub(crate) type NodeId = u32;

/// Marks "no node" in the `u32` links of [`Node`].
pub(crate) const NO_NODE: NodeId = u32::MAX;

macro_rules! kinds {
    ($($kind:ident)*) => {
        /// The class of a CPython 3.11 `_ast` node (concrete classes only; variants keep the
        /// `_ast` spelling, lower-case helpers included).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Kind {
            $(
                #[doc = concat!("`_ast.", stringify!($kind), "`")]
                $kind,
            )*
            /// A class this crate does not know (a newer interpreter), or one whose fields
            /// differ from what the lowering expects; its children are not lowered.
            Unknown,
        }

        impl Kind {
            /// Every known kind, in declaration order.
            #[cfg(test)]
            pub(crate) const KNOWN: &'static [Kind] = &[$(Kind::$kind,)*];

            /// The class name in `_ast`.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Kind::$kind => stringify!($kind),)*
                    Kind::Unknown => "<unknown>",
                }
            }
        }
    };
}

kinds! {
    Module Interactive Expression FunctionType
    FunctionDef AsyncFunctionDef ClassDef Return Delete Assign AugAssign AnnAssign For AsyncFor
    While If With AsyncWith Match Raise Try TryStar Assert Import ImportFrom Global Nonlocal Expr
    Pass Break Continue
    BoolOp NamedExpr BinOp UnaryOp Lambda IfExp Dict Set ListComp SetComp DictComp GeneratorExp
    Await Yield YieldFrom Compare Call FormattedValue JoinedStr Constant Attribute Subscript
    Starred Name List Tuple Slice
    Load Store Del
    And Or
    Add Sub Mult MatMult Div Mod Pow LShift RShift BitOr BitXor BitAnd FloorDiv
    Invert Not UAdd USub
    Eq NotEq Lt LtE Gt GtE Is IsNot In NotIn
    comprehension ExceptHandler arguments arg keyword alias withitem match_case
    MatchValue MatchSingleton MatchSequence MatchMapping MatchClass MatchStar MatchAs MatchOr
    TypeIgnore
}

macro_rules! fields {
    ($($field:ident = $py:literal,)*) => {
        /// The field of its parent a node sits in (CPython's field names).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Field {
            /// The root (`Module`) has no parent.
            Root,
            $(
                #[doc = concat!("`", $py, "`")]
                $field,
            )*
        }

        impl Field {
            /// The attribute name CPython uses for this field.
            pub(crate) fn py_name(self) -> &'static str {
                match self {
                    Field::Root => "<root>",
                    $(Field::$field => $py,)*
                }
            }
        }
    };
}

fields! {
    Body = "body", TypeIgnores = "type_ignores", ArgTypes = "argtypes", Returns = "returns",
    Args = "args", DecoratorList = "decorator_list", Bases = "bases", Keywords = "keywords",
    Value = "value", Targets = "targets", Target = "target", Op = "op",
    Annotation = "annotation", Iter = "iter", Orelse = "orelse", Test = "test", Items = "items",
    Subject = "subject", Cases = "cases", Exc = "exc", Cause = "cause", Handlers = "handlers",
    Finalbody = "finalbody", Msg = "msg", Names = "names", Values = "values", Left = "left",
    Right = "right", Operand = "operand", Keys = "keys", Elts = "elts", Elt = "elt",
    Generators = "generators", Key = "key", Ops = "ops", Comparators = "comparators",
    Func = "func", FormatSpec = "format_spec", Ctx = "ctx", Slice = "slice", Lower = "lower",
    Upper = "upper", Step = "step", Ifs = "ifs", Type = "type", Posonlyargs = "posonlyargs",
    Vararg = "vararg", Kwonlyargs = "kwonlyargs", KwDefaults = "kw_defaults", Kwarg = "kwarg",
    Defaults = "defaults", ContextExpr = "context_expr", OptionalVars = "optional_vars",
    Pattern = "pattern", Guard = "guard", Patterns = "patterns", Cls = "cls",
    KwdPatterns = "kwd_patterns",
}

/// The Python type of a `Constant` (or `MatchSingleton`) value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConstKind {
    /// The node is not a constant.
    NotConstant,
    /// `None`
    None,
    /// `True` / `False`
    Bool,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `complex` (imaginary literals)
    Complex,
    /// `str`
    Str,
    /// `bytes`
    Bytes,
    /// `...`
    Ellipsis,
    /// Anything else (the parser never produces one; refused if seen).
    Other,
}

/// What an identifier is, where it sits in the syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdentRole {
    /// `Name.id`: a variable read, written or deleted.
    Name,
    /// `Attribute.attr`: `value.attr`.
    Attribute,
    /// `FunctionDef.name`.
    FunctionName,
    /// `ClassDef.name`.
    ClassName,
    /// `arg.arg`: any parameter of a `def` or `lambda`.
    Parameter,
    /// `keyword.arg`: `f(name=...)` or `class C(name=...)`.
    Keyword,
    /// `ExceptHandler.name`: `except E as name`.
    ExceptName,
    /// `alias.name`: the imported name.
    ImportName,
    /// `alias.asname`: `import x as name`.
    ImportAlias,
    /// `ImportFrom.module`.
    ImportModule,
    /// `Global.names`.
    Global,
    /// `Nonlocal.names`.
    Nonlocal,
    /// `MatchClass.kwd_attrs`: `case C(name=...)` reads attribute `name` of the subject.
    MatchAttribute,
    /// `MatchAs.name`: a capture pattern or `... as name`.
    MatchCapture,
    /// `MatchStar.name`: `case [*name]`.
    MatchStar,
    /// `MatchMapping.rest`: `case {**name}`.
    MatchRest,
}

impl IdentRole {
    /// Words used in messages for this role.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            IdentRole::Name => "name",
            IdentRole::Attribute => "attribute",
            IdentRole::FunctionName => "function name",
            IdentRole::ClassName => "class name",
            IdentRole::Parameter => "parameter",
            IdentRole::Keyword => "keyword argument",
            IdentRole::ExceptName => "exception name",
            IdentRole::ImportName => "imported name",
            IdentRole::ImportAlias => "import alias",
            IdentRole::ImportModule => "imported module",
            IdentRole::Global => "global name",
            IdentRole::Nonlocal => "nonlocal name",
            IdentRole::MatchAttribute => "class-pattern attribute",
            IdentRole::MatchCapture => "pattern capture",
            IdentRole::MatchStar => "pattern star capture",
            IdentRole::MatchRest => "pattern rest capture",
        }
    }

    /// True where the identifier names an attribute that is read from an object.
    pub(crate) fn reads_attribute(self) -> bool {
        matches!(self, IdentRole::Attribute | IdentRole::MatchAttribute)
    }

    /// True where the identifier is (or binds) a variable of the program's own scopes,
    /// i.e. where it could refer to, alias or shadow a builtin.
    pub(crate) fn is_variable(self) -> bool {
        !matches!(
            self,
            IdentRole::Attribute
                | IdentRole::MatchAttribute
                | IdentRole::Keyword
                | IdentRole::ImportModule
        )
    }
}

/// An identifier held by a node.
#[derive(Clone, Debug)]
pub(crate) struct Ident {
    /// The identifier as the parser stored it (NFKC-normalised by CPython).
    pub(crate) text: std::sync::Arc<str>,
    /// What the identifier is.
    pub(crate) role: IdentRole,
    /// The node holding it.
    pub(crate) node: NodeId,
    /// Where it is; see `approx`.
    pub(crate) span: Span,
    /// The span is the owning node's (or a guess); `locate` refines it for messages.
    pub(crate) approx: bool,
}

/// One AST node.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// Its `_ast` class.
    pub(crate) kind: Kind,
    /// The parent's field it sits in.
    pub(crate) field: Field,
    /// Kind of constant value (`Constant.value`, `MatchSingleton.value`).
    pub(crate) constant: ConstKind,
    /// The integer field of the node, if its class has one (`is_async`, `conversion`,
    /// `level`, `simple`, `lineno` of `TypeIgnore`); for the classes with an expression
    /// context (`Name`, `Attribute`, `Subscript`, `Starred`, `List`, `Tuple`), the context
    /// as [`context_code`] gives it; 0 otherwise.
    pub(crate) int: i64,
    /// Parent node (`NO_NODE` for the root).
    pub(crate) parent: NodeId,
    /// First child (`NO_NODE` if none).
    pub(crate) first_child: NodeId,
    /// Last child (`NO_NODE` if none).
    pub(crate) last_child: NodeId,
    /// Next sibling (`NO_NODE` if none).
    pub(crate) next_sibling: NodeId,
    /// First index of this node's identifiers in [`Tree::idents`].
    pub(crate) idents_start: u32,
    /// Number of identifiers.
    pub(crate) idents_len: u32,
    /// Byte span (positions from CPython; nodes without positions get their children's
    /// extent, or their parent's span).
    pub(crate) span: Span,
}

/// The code stored in [`Node::int`] for an expression context: 1 `Load`, 2 `Store`, 3 `Del`,
/// 0 for anything else (never taken for a read).
pub(crate) fn context_code(kind: Kind) -> i64 {
    match kind {
        Kind::Load => 1,
        Kind::Store => 2,
        Kind::Del => 3,
        _ => 0,
    }
}

/// The lowered program.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tree {
    /// All nodes in preorder; index 0 is the root.
    pub(crate) nodes: Vec<Node>,
    /// All identifiers, grouped by node.
    pub(crate) idents: Vec<Ident>,
    /// Class names of `Kind::Unknown` nodes (and why), by node.
    pub(crate) unknown: Vec<(NodeId, String)>,
    /// The `Attribute` nodes whose name starts with `_`, with the address of CPython's node
    /// (in the arena of the parse the tree was lowered from): the python profile routes them
    /// through its private-attribute guard (`route.rs`).
    pub(crate) private_attributes: Vec<(NodeId, usize)>,
    /// The `MatchClass` patterns with positional sub-patterns, with the address of CPython's
    /// node and how many: the python profile routes their class through its
    /// `__match_args__` guard (`route.rs`).
    pub(crate) class_patterns: Vec<(usize, usize)>,
}

impl Tree {
    /// The node with this id.
    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// The node's parent, if any.
    pub(crate) fn parent(&self, id: NodeId) -> Option<&Node> {
        let parent = self.node(id).parent;
        (parent != NO_NODE).then(|| self.node(parent))
    }

    /// The identifiers held by a node.
    pub(crate) fn idents_of(&self, id: NodeId) -> &[Ident] {
        let node = self.node(id);
        let start = node.idents_start as usize;
        &self.idents[start..start + node.idents_len as usize]
    }

    /// The children of a node, in source order.
    pub(crate) fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            tree: self,
            next: self.node(id).first_child,
        }
    }

    /// The children of a node that sit in `field`.
    pub(crate) fn children_in(
        &self,
        id: NodeId,
        field: Field,
    ) -> impl Iterator<Item = NodeId> + '_ {
        self.children(id)
            .filter(move |child| self.node(*child).field == field)
    }

    /// Whether the node (a `Name`, `Attribute`, ...) is in load context: read, not assigned
    /// or deleted.
    pub(crate) fn is_load(&self, id: NodeId) -> bool {
        self.node(id).int == context_code(Kind::Load)
    }

    /// The function or class name held by a `FunctionDef`/`AsyncFunctionDef`/`ClassDef`.
    pub(crate) fn def_name(&self, id: NodeId) -> &str {
        self.idents_of(id)
            .iter()
            .find(|ident| matches!(ident.role, IdentRole::FunctionName | IdentRole::ClassName))
            .map_or("?", |ident| &ident.text)
    }
}

/// Iterator over a node's children.
pub(crate) struct Children<'a> {
    tree: &'a Tree,
    next: NodeId,
}

impl Iterator for Children<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        if self.next == NO_NODE {
            return None;
        }
        let current = self.next;
        self.next = self.tree.node(current).next_sibling;
        Some(current)
    }
}
