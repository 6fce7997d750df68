//! R302: `from module import name`.

use super::{Checker, RuleId, Violation};
use crate::tree::{IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str = "a `from ... import ...` statement";

pub(crate) struct ImportFromStatement {
    /// The module as written, with its leading dots.
    module: String,
}

impl Violation for ImportFromStatement {
    const RULE: RuleId = RuleId::R302;

    fn message(&self) -> String {
        format!("`from {} import ...` is not allowed", self.module)
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::ImportFrom {
        return;
    }
    let dots = ".".repeat(usize::try_from(node.int.clamp(0, 64)).unwrap_or(0));
    let name = tree
        .idents_of(id)
        .iter()
        .find(|ident| ident.role == IdentRole::ImportModule)
        .map_or("", |ident| &ident.text);
    let module = format!("{dots}{name}");
    checker.report(&ImportFromStatement { module }, node.span);
}
