//! The rule registry: one line per rule (ruff's shape, without proc macros). A rule marked
//! `[idents]` looks only at the identifiers of the node it is given.
//!
//! `R` + 3 digits by family, never reused: R1xx forbidden nodes and constructs, R2xx names
//! and attributes, R3xx imports, R4xx builtins and calls. `E0xx` are not rules but the
//! checker's own refusals (syntax errors, limits); they share the id space so every
//! diagnostic has a code and a doc page. `E902` (ruff's code for the same thing) is not the
//! checker's: `repy check` reports with it a file it could not read.
//!
//! Each rule module holds a violation struct, its `message`, a one-line `SUMMARY` and
//! `pub(crate) fn check(checker, node)`, called once per node of the tree.
//!
//! Every rule runs under every profile. A rule the python profile narrows asks
//! `checker.allows(Widening::…)` for the construct that widening names (`profile.rs` holds
//! the table). Three rules exist for what the python profile lets through and never fire
//! under RepyV2: R208 checks the `__slots__` the widening `class-slots` allows, R209 the
//! class patterns that would read a `_private` attribute past the namespace's guard (every
//! `obj._x` is routed through it, `route.rs`), and R403 the real `super` the python
//! profile's namespace provides (RepyV2's is a stub).

use crate::profile::{Options, Profile, Widening};
use crate::source::LineIndex;
use crate::tree::{Ident, NodeId, Tree};
use crate::{Diagnostic, Span};

/// Whether a rule, marked `[idents]` in the registry, looks at nothing but the node's
/// identifiers (so it has nothing to do on a node without any).
macro_rules! reads_only_idents {
    () => {
        false
    };
    (idents) => {
        true
    };
}

macro_rules! registry {
    (
        rules { $( $rid:ident $rname:literal => $module:ident $([$on:ident])?, )* }
        errors { $( $eid:ident $ename:literal => $esummary:literal, )* }
    ) => {
        $( mod $module; )*

        /// The id of a rule (R…) or of a checker error (E…).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $(
                #[doc = concat!("`", $rname, "`")]
                $rid,
            )*
            $(
                #[doc = concat!("`", $ename, "`: ", $esummary)]
                $eid,
            )*
        }

        static REGISTRY: &[RuleInfo] = &[
            $(
                RuleInfo {
                    id: RuleId::$rid,
                    code: stringify!($rid),
                    name: $rname,
                    summary: $module::SUMMARY,
                    kind: RuleKind::Rule,
                    doc: include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"), "/../docs/rules/",
                        stringify!($rid), "-", $rname, ".md"
                    )),
                },
            )*
            $(
                RuleInfo {
                    id: RuleId::$eid,
                    code: stringify!($eid),
                    name: $ename,
                    summary: $esummary,
                    kind: RuleKind::Error,
                    doc: include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"), "/../docs/rules/",
                        stringify!($eid), "-", $ename, ".md"
                    )),
                },
            )*
        ];

        /// Runs every rule on one node; the rules about identifiers only where it has some.
        fn check_node(checker: &mut Checker<'_>, id: NodeId) {
            let has_idents = checker.tree.node(id).idents_len > 0;
            $(
                if has_idents || !reads_only_idents!($($on)?) {
                    $module::check(checker, id);
                }
            )*
        }
    };
}

registry! {
    rules {
        R100 "unsupported-node" => unsupported_node,
        R101 "decorator" => decorator,
        R102 "class-keyword" => class_keyword,
        R103 "async-construct" => async_construct,
        R104 "global-statement" => global_statement,
        R105 "positional-class-pattern" => positional_class_pattern,
        R201 "dunder-attribute" => dunder_attribute [idents],
        R202 "dunder-name" => dunder_name [idents],
        R203 "unsafe-special-method" => unsafe_special_method [idents],
        R204 "introspection-prefix" => introspection_prefix [idents],
        R205 "format-attribute" => format_attribute [idents],
        R206 "codec-attribute" => codec_attribute [idents],
        R207 "mro-attribute" => mro_attribute [idents],
        R208 "unsafe-slots" => unsafe_slots,
        R209 "private-pattern-attribute" => private_pattern_attribute [idents],
        R301 "import-statement" => import_statement,
        R302 "import-from-statement" => import_from_statement,
        R401 "forbidden-builtin" => forbidden_builtin [idents],
        R402 "type-beyond-one-argument" => type_beyond_one_argument,
        R403 "super-arguments" => super_arguments,
    }
    errors {
        E001 "syntax-error" => "the program is not valid Python 3.11",
        E002 "source-too-large" => "the program is larger than the checker accepts",
        E003 "nesting-too-deep" => "the syntax tree is nested deeper than the checker accepts",
        E004 "too-many-nodes" => "the syntax tree has more nodes than the checker accepts",
        E005 "parser-gave-up" => "the CPython parser ran out of recursion depth or memory",
        E006 "null-byte" => "the program contains a NUL byte",
        E007 "internal-error" => "the checker itself failed, so the program is refused",
        E902 "io-error" => "the program file could not be read, so it was not checked",
    }
}

/// Whether an id names a rule or a checker error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// A rule of the checker (R…): refuses a construct.
    Rule,
    /// A checker error (E…): the program could not be checked.
    Error,
}

/// What the registry knows about one id.
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo {
    /// The id.
    pub id: RuleId,
    /// `R301`, `E001`, …
    pub code: &'static str,
    /// Kebab-case name of the forbidden pattern, e.g. `import-statement`.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Rule or checker error.
    pub kind: RuleKind,
    /// The doc page (`docs/rules/<code>-<name>.md`), Markdown.
    pub doc: &'static str,
}

impl RuleId {
    /// The registry entry.
    pub fn info(self) -> &'static RuleInfo {
        // The enum and the table are generated from the same list, in the same order.
        &REGISTRY[self as usize]
    }

    /// `R301`, `E001`, …
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// Kebab-case name, e.g. `import-statement`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The doc page path relative to the repository root.
    pub fn url(self) -> String {
        format!("docs/rules/{}-{}.md", self.code(), self.name())
    }
}

/// Every rule and checker error, in id order.
pub fn all_rules() -> &'static [RuleInfo] {
    REGISTRY
}

/// The doc page of a rule, by code (`R301`, case-insensitive) or name (`import-statement`).
pub fn explain(id_or_name: &str) -> Option<&'static str> {
    let wanted = id_or_name.trim();
    REGISTRY
        .iter()
        .find(|info| info.code.eq_ignore_ascii_case(wanted) || info.name == wanted)
        .map(|info| info.doc)
}

/// A rule's finding: what its message needs.
pub(crate) trait Violation {
    /// The rule.
    const RULE: RuleId;
    /// One line, code in backticks, no final period.
    fn message(&self) -> String;
}

/// What a rule sees: the tree, the source lines, and where findings go.
pub(crate) struct Checker<'a> {
    /// The lowered program.
    pub(crate) tree: &'a Tree,
    lines: &'a LineIndex<'a>,
    /// The profile and what it may import.
    pub(crate) options: &'a Options,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    /// Records a finding.
    pub(crate) fn report<V: Violation>(&mut self, violation: &V, span: Span) {
        self.diagnostics.push(Diagnostic {
            rule: V::RULE,
            message: violation.message(),
            span,
        });
    }

    /// Whether the profile checked against has `widening` (see `profile.rs`).
    pub(crate) fn allows(&self, widening: Widening) -> bool {
        self.options.profile.allows(widening)
    }

    /// The profile checked against: for messages, and for R403, whose refusal follows from
    /// the python profile's namespace holding the real `super` rather than from a widening.
    pub(crate) fn profile(&self) -> Profile {
        self.options.profile
    }

    /// The source text of a span on one line, if it is one.
    pub(crate) fn text(&self, span: Span) -> Option<&'a str> {
        if span.start.line != span.end.line {
            return None;
        }
        self.lines
            .line(span.start.line)
            .get(span.start.byte_col as usize..span.end.byte_col as usize)
    }

    /// Where an identifier is, refined from the source when the tree only knows its node.
    pub(crate) fn ident_span(&self, ident: &Ident) -> Span {
        if ident.approx {
            crate::locate::locate(self.lines, ident, self.tree.node(ident.node))
        } else {
            ident.span
        }
    }
}

/// Runs every rule over every node; findings sorted by (line, column, rule).
pub(crate) fn run(tree: &Tree, lines: &LineIndex<'_>, options: &Options) -> Vec<Diagnostic> {
    let mut checker = Checker {
        tree,
        lines,
        options,
        diagnostics: Vec::new(),
    };
    for index in 0..tree.nodes.len() {
        let id = NodeId::try_from(index).unwrap_or(crate::tree::NO_NODE);
        check_node(&mut checker, id);
    }
    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.rule, a.span.end, &a.message).cmp(&(
            b.span.start,
            b.rule,
            b.span.end,
            &b.message,
        ))
    });
    diagnostics.dedup();
    diagnostics
}
