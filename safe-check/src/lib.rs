//! The static safety checker of repy: its one job is to decide, before anything runs,
//! whether an untrusted Python 3 program uses only constructs the sandbox allows, and to
//! say why not (text, JSON or SARIF diagnostics).
//!
//! CPython 3 has no restricted mode, so every path from a program's objects to interpreter
//! internals (dunder attributes, frames of generators and tracebacks, `str.format` field
//! traversal, class-creation hooks, decorators, imports, `eval`-like builtins, …) is refused
//! here, statically, deny by default: only node classes on an allow-list pass, and every
//! identifier position is checked. The rules, one file each under `src/rules/`, are listed by
//! [`all_rules`]; `docs/rules/` has one page per rule (returned by [`explain`]) and
//! `docs/rules/README.md` explains why each allowed construct is safe.
//!
//! The program is parsed by the embedded interpreter's own parser (so the checker sees
//! exactly the tree CPython will compile) and lowered into an owned Rust tree in
//! `src/lower.rs`, the only module that touches pyo3; the rules never see Python objects.
//!
//! A program is checked against a [`Profile`]: [`Profile::RepyV2`] (the default, and what
//! [`check`] and [`check_keeping_tree`] use) or [`Profile::Python`], whose few widenings of
//! RepyV2's rules are each named and reasoned in one table ([`Profile::widenings`]); the
//! `_with` entry points take the profile and the importable modules in [`Options`].
//!
//! The caller must then compile and run exactly the checked `str` (never bytes), with no
//! extra compile flags or `__future__` features, and with the restricted runtime builtins
//! (notably a one-argument `type`): this checker is the first wall, not the only one.
//!
//! Allowed dependencies: pyo3 (only in `lower.rs`), python-link (links CPython), serde and
//! serde_json (rendering), thiserror.

// Links the static CPython whose parser `lower.rs` calls.
extern crate python_link;

mod cpython;
mod limits;
mod locate;
mod lower;
mod names;
mod normalize;
#[cfg(test)]
mod oracle;
mod profile;
mod render;
mod route;
mod rules;
mod source;
mod tree;

use pyo3::{Bound, PyAny, PyResult, Python};

pub use limits::{
    MAX_DEPTH, MAX_NODES, MAX_SOURCE_BYTES, PREPARATION_BASE_BYTES,
    PREPARATION_BYTES_PER_SOURCE_BYTE,
};

/// The memory checking and compiling a program of `source_bytes` may use on top of the
/// program's own limit, until its first line runs.
pub fn preparation_allowance(source_bytes: usize) -> u64 {
    let bytes = u64::try_from(source_bytes.min(MAX_SOURCE_BYTES)).unwrap_or(u64::MAX);
    PREPARATION_BASE_BYTES.saturating_add(bytes.saturating_mul(PREPARATION_BYTES_PER_SOURCE_BYTE))
}
pub use names::{is_safe_name, INTROSPECTION_PREFIXES};
pub use profile::{Options, Profile, Widening, WideningInfo};
pub use render::{
    first_violation_text, json_values, render_json, render_json_files, render_sarif,
    render_sarif_files, render_text, CheckedFile,
};
pub use rules::{all_rules, explain, RuleId, RuleInfo, RuleKind};

use lower::LowerError;
use source::LineIndex;

/// A position as CPython reports it: 1-based line, 0-based UTF-8 *byte* offset in that line.
/// Renderers convert to 1-based character columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line number.
    pub line: u32,
    /// 0-based byte offset within the line.
    pub byte_col: u32,
}

/// A range of source text; `end` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: Pos,
    /// One past the last byte.
    pub end: Pos,
}

impl Span {
    /// A span from line/byte-column pairs.
    pub(crate) fn new(line: u32, byte_col: u32, end_line: u32, end_byte_col: u32) -> Self {
        Span {
            start: Pos { line, byte_col },
            end: Pos {
                line: end_line,
                byte_col: end_byte_col,
            },
        }
    }

    /// The smallest span covering both.
    pub(crate) fn union(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One reason the program is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule (R…) or checker error (E…).
    pub rule: RuleId,
    /// One line, code in backticks, no final period.
    pub message: String,
    /// Where (byte offsets; see [`Pos`]).
    pub span: Span,
}

impl Diagnostic {
    /// An [`RuleId::E902`] diagnostic: the program file could not be read, so there is no
    /// source; it is placed at line 1, column 1 and rendered without a source line.
    pub fn io_error(message: impl Into<String>) -> Self {
        Diagnostic {
            rule: RuleId::E902,
            message: message.into(),
            span: Span::new(1, 0, 1, 0),
        }
    }
}

/// Why [`check`] refused a program. Either way the program must not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckFailure {
    /// The program parsed and breaks at least one rule; every violation, sorted by
    /// (line, column).
    #[error("{}", summarize(.0))]
    Unsafe(Vec<Diagnostic>),
    /// The program could not be checked: a syntax error, a limit of the checker (E0xx), or
    /// the checker's own failure (which also refuses the program).
    #[error("{}", summarize(std::slice::from_ref(.0)))]
    Unchecked(Diagnostic),
}

impl CheckFailure {
    /// Every diagnostic, sorted by (line, column).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            CheckFailure::Unsafe(diagnostics) => diagnostics,
            CheckFailure::Unchecked(diagnostic) => std::slice::from_ref(diagnostic),
        }
    }
}

fn summarize(diagnostics: &[Diagnostic]) -> String {
    match diagnostics {
        [] => "code failed the safety check".to_owned(),
        [first, rest @ ..] => {
            let more = match rest.len() {
                0 => String::new(),
                n => format!(" (and {n} more)"),
            };
            format!(
                "line {}: {} {}{more}",
                first.span.start.line,
                first.rule.code(),
                first.message
            )
        }
    }
}

/// Prepares the checker in advance: checks that the interpreter is the CPython 3.11 whose
/// syntax tree the checker reads, and installs the `unicodedata` module the parser needs for
/// non-ASCII identifiers. Optional: `check` prepares on first use.
pub fn prepare(py: Python<'_>) -> Result<(), CheckFailure> {
    lower::prepare(py).map_err(lower_failure)
}

/// The namespace's guards a checked program's attribute accesses are routed through
/// ([`Checked::route_private_attributes`]).
pub struct RouteGuards<'a, 'py> {
    /// `read(obj, name)`: the value of `obj._x`, or `AttributeError`.
    pub read: &'a Bound<'py, PyAny>,
    /// `access(obj, name)`: an object whose `[None]` item is `obj._x`, to write or delete.
    pub access: &'a Bound<'py, PyAny>,
    /// `class_of(obj)`: what `obj.__class__` reads (the namespace's `type`).
    pub class_of: &'a Bound<'py, PyAny>,
    /// `match_args(cls, count)`: a class pattern's class, once the first `count` entries of
    /// its `__match_args__` passed the checker's attribute-name rule.
    pub match_args: &'a Bound<'py, PyAny>,
}

/// A program that passed the check, held as CPython's own parse tree until it is compiled.
/// Not `Send`: it belongs to the thread attached to the interpreter.
///
/// Under [`Profile::Python`] the program's `_private` attribute accesses must be routed
/// through the namespace's guards ([`Checked::route_private_attributes`]) before it is
/// compiled; compiling refuses until they are (fail closed).
pub struct Checked {
    parsed: cpython::Parsed,
    /// The private attribute accesses still to route.
    private: Vec<route::PrivateAccess>,
    /// The class patterns with positional sub-patterns still to route.
    patterns: Vec<route::ClassPattern>,
    /// Whether they must be routed before compiling: under [`Profile::Python`]. Under
    /// RepyV2 routing is the caller's choice (a virtual namespace created by a python-profile
    /// program routes its code too).
    must_route: bool,
}

impl Checked {
    /// Whether the program reads, writes or deletes any attribute starting with `_` that
    /// must be routed before compiling.
    pub fn has_private_attributes(&self) -> bool {
        !self.private.is_empty() || !self.patterns.is_empty()
    }

    /// Compiles every `obj._x` of the program as a call of `guards.read(obj, "_x")`, and
    /// every write or deletion as `guards.access(obj, "_x")[None] = value` / `del ...[None]`
    /// (`_x` is the name the compiler would look up: `__x` inside class `C` is `_C__x`);
    /// under the python profile also `obj.__class__` as `guards.class_of(obj)`. The guards become constants of the code,
    /// which no name of the program reaches.
    pub fn route_private_attributes(
        &mut self,
        py: Python<'_>,
        guards: &RouteGuards<'_, '_>,
    ) -> PyResult<()> {
        let private = std::mem::take(&mut self.private);
        self.parsed.route_private(py, &private, guards)?;
        let patterns = std::mem::take(&mut self.patterns);
        self.parsed
            .route_class_patterns(py, &patterns, guards.match_args)
    }

    fn refuse_unrouted(&self) -> PyResult<()> {
        if (self.private.is_empty() && self.patterns.is_empty()) || !self.must_route {
            Ok(())
        } else {
            Err(pyo3::exceptions::PyRuntimeError::new_err(
                "internal error: the program's private attribute accesses were not routed \
                 through the namespace's guard",
            ))
        }
    }

    /// Compiles the checked tree into a code object, as `compile(source, filename, "exec")`
    /// would: the interpreter runs exactly what was checked, and the source is not parsed
    /// again. The compiler's own errors (`return` outside a function, ...) are raised.
    pub fn compile<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.refuse_unrouted()?;
        self.parsed.compile(py)
    }

    /// Compiles the checked statements as the interactive interpreter would (`"single"`
    /// mode: an expression statement's value goes to `sys.displayhook`), as `doctest` runs
    /// an example.
    pub fn compile_interactive<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.refuse_unrouted()?;
        self.parsed.compile_interactive(py)
    }

    /// Compiles the program for `eval` when it is exactly one expression (the very node
    /// that was checked, not the source again); `None` when it is anything else.
    pub fn compile_expression<'py>(&self, py: Python<'py>) -> Option<PyResult<Bound<'py, PyAny>>> {
        if let Err(err) = self.refuse_unrouted() {
            return Some(Err(err));
        }
        self.parsed.compile_expression(py)
    }
}

impl std::fmt::Debug for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Checked { .. }")
    }
}

/// Checks `source` (named `filename` in messages) against the RepyV2 profile: `Ok(())` if
/// every construct is allowed. The same as [`check_with`] with `Options::default()`.
///
/// The interpreter must be initialised and attached (`py`). Parsing holds the GIL; the
/// rules run with it released. Never panics on any input; a failure of the checker itself
/// refuses the program (E007).
pub fn check(py: Python<'_>, source: &str, filename: &str) -> Result<(), CheckFailure> {
    check_with(py, source, filename, &Options::default())
}

/// Like [`check`], and on success returns the checked program, to be compiled from the
/// very tree that was checked. The same as [`check_keeping_tree_with`] with
/// `Options::default()` (RepyV2).
pub fn check_keeping_tree(
    py: Python<'_>,
    source: &str,
    filename: &str,
) -> Result<Checked, CheckFailure> {
    check_keeping_tree_with(py, source, filename, &Options::default())
}

/// Checks `source` (named `filename` in messages) against `options` (the profile, and
/// under [`Profile::Python`] the modules it may import): `Ok(())` if every construct is
/// allowed. As [`check`] otherwise.
pub fn check_with(
    py: Python<'_>,
    source: &str,
    filename: &str,
    options: &Options,
) -> Result<(), CheckFailure> {
    check_keeping_tree_with(py, source, filename, options).map(|_| ())
}

/// Like [`check_with`], and on success returns the checked program, to be compiled from the
/// very tree that was checked.
pub fn check_keeping_tree_with(
    py: Python<'_>,
    source: &str,
    filename: &str,
    options: &Options,
) -> Result<Checked, CheckFailure> {
    let lines = LineIndex::new(source);
    if source.len() > MAX_SOURCE_BYTES {
        return Err(unchecked(
            RuleId::E002,
            format!(
                "source is {} bytes, more than the limit of {MAX_SOURCE_BYTES}",
                source.len()
            ),
            Span::new(1, 0, 1, 0),
        ));
    }
    if let Some(span) = null_byte(source) {
        return Err(unchecked(
            RuleId::E006,
            "source contains a NUL byte".to_owned(),
            span,
        ));
    }
    let (tree, parsed) = match lower::parse(py, source, filename, &lines) {
        Ok(parsed) => parsed,
        Err(err) => return Err(lower_failure(err)),
    };
    let diagnostics = py.detach(|| rules::run(&tree, &lines, options));
    if diagnostics.is_empty() {
        Ok(Checked {
            parsed,
            private: route::private_accesses(&tree),
            patterns: route::class_patterns(&tree),
            must_route: options.profile == Profile::Python,
        })
    } else {
        Err(CheckFailure::Unsafe(diagnostics))
    }
}

/// How long each phase of one check took (for benchmarks: `bench/checker`).
#[derive(Debug, Clone, Copy)]
pub struct PhaseTimes {
    /// CPython's parse into its C tree (shared with running: the checked tree is compiled).
    pub parse: std::time::Duration,
    /// Reading the C tree into the checker's own tree.
    pub lower: std::time::Duration,
    /// Every rule over the tree.
    pub rules: std::time::Duration,
}

/// Checks `source` like [`check`] and times its phases; `None` if the program does not pass.
/// The check's own work, beyond the parse that running the program needs anyway, is
/// `lower + rules`.
pub fn time_phases(py: Python<'_>, source: &str, filename: &str) -> Option<PhaseTimes> {
    use std::time::Instant;
    let lines = LineIndex::new(source);
    let start = Instant::now();
    let parsed = cpython::parse(py, source, filename).ok()?;
    let parsed_at = Instant::now();
    let tree = lower::lower_module(py, parsed.module(), source.len()).ok()?;
    let lowered_at = Instant::now();
    let diagnostics = rules::run(&tree, &lines, &Options::default());
    let done = Instant::now();
    diagnostics.is_empty().then(|| PhaseTimes {
        parse: parsed_at - start,
        lower: lowered_at - parsed_at,
        rules: done - lowered_at,
    })
}

fn unchecked(rule: RuleId, message: String, span: Span) -> CheckFailure {
    CheckFailure::Unchecked(Diagnostic {
        rule,
        message,
        span,
    })
}

fn lower_failure(err: LowerError) -> CheckFailure {
    let origin = Span::new(1, 0, 1, 0);
    match err {
        LowerError::Syntax { message, span } => unchecked(RuleId::E001, message, span),
        LowerError::TooDeep { span } => unchecked(RuleId::E003, err.to_string(), span),
        LowerError::TooManyNodes { span } => unchecked(RuleId::E004, err.to_string(), span),
        LowerError::ParserGaveUp { .. } => unchecked(RuleId::E005, err.to_string(), origin),
        LowerError::Internal(_) => unchecked(RuleId::E007, err.to_string(), origin),
    }
}

/// Where the first NUL byte is (CPython 3.11 refuses it without a position).
fn null_byte(source: &str) -> Option<Span> {
    let offset = source.find('\0')?;
    let line = source[..offset]
        .match_indices(['\n', '\r'])
        .filter(|(index, text)| !(*text == "\n" && source[..*index].ends_with('\r')))
        .count();
    let line = u32::try_from(line + 1).unwrap_or(u32::MAX);
    let line_start = source[..offset]
        .rfind(['\n', '\r'])
        .map_or(0, |index| index + 1);
    let col = u32::try_from(offset - line_start).unwrap_or(u32::MAX);
    Some(Span::new(line, col, line, col.saturating_add(1)))
}

#[cfg(test)]
mod timing;
