//! R105: `try` ... `except*` (exception groups).

use super::{Checker, RuleId, Violation};
use crate::tree::{Kind, NodeId};

pub(crate) const SUMMARY: &str = "a `try` statement with `except*` clauses";

pub(crate) struct ExceptStar;

impl Violation for ExceptStar {
    const RULE: RuleId = RuleId::R105;

    fn message(&self) -> String {
        "`except*` is not allowed".to_owned()
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let node = checker.tree.node(id);
    if node.kind == Kind::TryStar {
        checker.report(&ExceptStar, node.span);
    }
}
