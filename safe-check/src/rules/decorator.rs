//! R101: decorators on functions and classes.

use super::{Checker, RuleId, Violation};
use crate::tree::{Field, Kind, NodeId};

pub(crate) const SUMMARY: &str = "a decorator on a function or class";

pub(crate) struct Decorator {
    /// `def` or `class`.
    keyword: &'static str,
    /// The decorated name.
    name: String,
}

impl Violation for Decorator {
    const RULE: RuleId = RuleId::R101;

    fn message(&self) -> String {
        format!("decorator on `{} {}` is not allowed", self.keyword, self.name)
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.field != Field::DecoratorList {
        return;
    }
    let Some(parent) = tree.parent(id) else {
        return;
    };
    let keyword = match parent.kind {
        Kind::ClassDef => "class",
        Kind::AsyncFunctionDef => "async def",
        _ => "def",
    };
    let name = tree.def_name(node.parent).to_owned();
    checker.report(&Decorator { keyword, name }, node.span);
}
