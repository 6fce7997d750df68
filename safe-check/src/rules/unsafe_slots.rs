//! R208: a `__slots__` assignment the python profile lets through (widening `class-slots`)
//! whose value is not a literal of plain names, or names a slot with `__` or an
//! introspection prefix. Under RepyV2 every `__slots__` is refused by R202, so this rule
//! never fires there.
//!
//! The slot names are string constants, which the tree keeps only as "a `str`"; the rule
//! reads each from the source through its span and accepts only the one spelling whose
//! value is its text: a single- or double-quoted ASCII identifier with no prefix and no
//! escape (`"name"`, `'name'`). Anything else (escapes, implicit concatenation, raw or
//! triple-quoted strings, non-ASCII names) is refused rather than decoded.

use super::dunder_name::is_slots_target;
use super::{Checker, RuleId, Violation};
use crate::names::introspection_prefix;
use crate::profile::Widening;
use crate::tree::{ConstKind, Field, Kind, NodeId};
use crate::Span;

pub(crate) const SUMMARY: &str =
    "`__slots__` that is not a literal of plain names, or names a slot with `__` or a frame/code prefix (python profile)";

pub(crate) enum UnsafeSlots {
    /// The value is not a string or a tuple/list of strings.
    NotLiteral,
    /// An element is not a string literal written as a plain quoted ASCII name.
    NotPlainName,
    /// A slot name that is refused.
    Refused(String),
}

impl Violation for UnsafeSlots {
    const RULE: RuleId = RuleId::R208;

    fn message(&self) -> String {
        match self {
            UnsafeSlots::NotLiteral => {
                "`__slots__` must be a string or a tuple or list of string literals".to_owned()
            }
            UnsafeSlots::NotPlainName => {
                "a slot name must be a plain quoted ASCII name (`\"name\"`)".to_owned()
            }
            UnsafeSlots::Refused(name) => match introspection_prefix(name) {
                Some(prefix) => format!("slot `{name}` starts with `{prefix}`"),
                None => format!("slot `{name}` contains `__`"),
            },
        }
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::Assign || !checker.allows(Widening::ClassSlots) {
        return;
    }
    let is_slots = tree
        .children_in(id, Field::Targets)
        .any(|target| is_slots_target(tree, target));
    if !is_slots {
        return;
    }
    let Some(value) = tree.children_in(id, Field::Value).next() else {
        return;
    };
    let value_node = tree.node(value);
    let elements: Vec<NodeId> = match value_node.kind {
        Kind::Constant if value_node.constant == ConstKind::Str => vec![value],
        Kind::Tuple | Kind::List => tree.children_in(value, Field::Elts).collect(),
        _ => {
            checker.report(&UnsafeSlots::NotLiteral, value_node.span);
            return;
        }
    };
    for element in elements {
        let element_node = tree.node(element);
        if element_node.kind != Kind::Constant || element_node.constant != ConstKind::Str {
            checker.report(&UnsafeSlots::NotPlainName, element_node.span);
            continue;
        }
        match plain_name(checker, element_node.span) {
            None => checker.report(&UnsafeSlots::NotPlainName, element_node.span),
            Some(name) if name.contains("__") || introspection_prefix(name).is_some() => {
                checker.report(&UnsafeSlots::Refused(name.to_owned()), element_node.span);
            }
            Some(_) => {}
        }
    }
}

/// The value of a string literal written as `"name"` or `'name'` with `name` an ASCII
/// identifier (so the text between the quotes *is* the value); `None` for any other
/// spelling.
fn plain_name<'a>(checker: &Checker<'a>, span: Span) -> Option<&'a str> {
    let text = checker.text(span)?;
    let inner = text
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .or_else(|| text.strip_prefix('\'').and_then(|rest| rest.strip_suffix('\'')))?;
    let mut chars = inner.chars();
    let first = chars.next()?;
    let is_identifier = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    is_identifier.then_some(inner)
}
