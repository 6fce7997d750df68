//! R104: the `global` statement (allowed by the python profile's widening `global-statement`).

use super::{Checker, RuleId, Violation};
use crate::profile::Widening;
use crate::tree::{Kind, NodeId};

pub(crate) const SUMMARY: &str = "a `global` statement";

pub(crate) struct GlobalStatement {
    /// The names declared global.
    names: Vec<String>,
}

impl Violation for GlobalStatement {
    const RULE: RuleId = RuleId::R104;

    fn message(&self) -> String {
        format!("`global {}` is not allowed", self.names.join(", "))
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::Global || checker.allows(Widening::GlobalStatement) {
        return;
    }
    let names = tree
        .idents_of(id)
        .iter()
        .map(|ident| ident.text.to_string())
        .collect();
    checker.report(&GlobalStatement { names }, node.span);
}
