//! R301: `import module`.

use super::{Checker, RuleId, Violation};
use crate::tree::{IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str = "an `import` statement";

pub(crate) struct ImportStatement {
    /// The imported modules.
    modules: Vec<String>,
}

impl Violation for ImportStatement {
    const RULE: RuleId = RuleId::R301;

    fn message(&self) -> String {
        format!("`import {}` is not allowed", self.modules.join(", "))
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::Import {
        return;
    }
    let modules = tree
        .children(id)
        .flat_map(|alias| tree.idents_of(alias))
        .filter(|ident| ident.role == IdentRole::ImportName)
        .map(|ident| ident.text.to_string())
        .collect();
    checker.report(&ImportStatement { modules }, node.span);
}
