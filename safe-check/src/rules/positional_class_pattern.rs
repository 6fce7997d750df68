//! R105: positional sub-patterns in a class pattern (`case C(x)`); allowed by the python
//! profile's widening `positional-class-patterns`, which leaves `__match_args__` to the
//! runtime (the names it holds are strings the checker cannot see).

use super::{Checker, RuleId, Violation};
use crate::profile::Widening;
use crate::tree::{Field, IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str =
    "a positional sub-pattern in a class pattern, which reads attributes named by `__match_args__`";

pub(crate) struct PositionalClassPattern {
    /// The class name as written, if it is a plain name.
    class: Option<String>,
}

impl Violation for PositionalClassPattern {
    const RULE: RuleId = RuleId::R105;

    fn message(&self) -> String {
        match &self.class {
            Some(class) => format!("positional sub-pattern in class pattern `{class}(...)` is not allowed"),
            None => "positional sub-pattern in a class pattern is not allowed".to_owned(),
        }
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.field != Field::Patterns || checker.allows(Widening::PositionalClassPatterns) {
        return;
    }
    let Some(parent) = tree.parent(id) else {
        return;
    };
    if parent.kind != Kind::MatchClass {
        return;
    }
    let class = tree
        .children_in(node.parent, Field::Cls)
        .flat_map(|cls| tree.idents_of(cls))
        .find(|ident| matches!(ident.role, IdentRole::Name | IdentRole::Attribute))
        .map(|ident| ident.text.to_string());
    checker.report(&PositionalClassPattern { class }, node.span);
}
