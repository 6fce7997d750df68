//! R101: decorators on functions and classes. Under the python profile (widening
//! `plain-decorators`), only decorators other than a dotted name or a call of one.

use super::{Checker, RuleId, Violation};
use crate::profile::Widening;
use crate::tree::{Field, Kind, NodeId, Tree};

pub(crate) const SUMMARY: &str = "a decorator on a function or class";

pub(crate) struct Decorator {
    /// `def` or `class`.
    keyword: &'static str,
    /// The decorated name.
    name: String,
    /// Plain decorators are allowed (the python profile): this one is not plain.
    plain_allowed: bool,
}

impl Violation for Decorator {
    const RULE: RuleId = RuleId::R101;

    fn message(&self) -> String {
        if self.plain_allowed {
            format!(
                "decorator on `{} {}` must be a name, a dotted name or a call of one",
                self.keyword, self.name
            )
        } else {
            format!("decorator on `{} {}` is not allowed", self.keyword, self.name)
        }
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
    let plain_allowed = checker.allows(Widening::PlainDecorators);
    if plain_allowed && is_plain(tree, id) {
        // `@property`, `@x.setter`, `@dataclass(frozen=True)`: sugar for `f = d(f)`, a call
        // the program could write; the arguments are checked like any expression.
        return;
    }
    let keyword = match parent.kind {
        Kind::ClassDef => "class",
        Kind::AsyncFunctionDef => "async def",
        _ => "def",
    };
    let name = tree.def_name(node.parent).to_owned();
    checker.report(
        &Decorator {
            keyword,
            name,
            plain_allowed,
        },
        node.span,
    );
}

/// The decorator is a dotted name (`a`, `a.b.c`) or a call of one (`a.b(...)`).
fn is_plain(tree: &Tree, id: NodeId) -> bool {
    let node = tree.node(id);
    if node.kind == Kind::Call {
        return tree
            .children_in(id, Field::Func)
            .next()
            .is_some_and(|func| is_dotted_name(tree, func));
    }
    is_dotted_name(tree, id)
}

/// `a` or `a.b.c`: names and attribute reads only.
fn is_dotted_name(tree: &Tree, id: NodeId) -> bool {
    let mut current = id;
    loop {
        let node = tree.node(current);
        match node.kind {
            Kind::Name => return true,
            Kind::Attribute => match tree.children_in(current, Field::Value).next() {
                Some(value) => current = value,
                None => return false,
            },
            _ => return false,
        }
    }
}
