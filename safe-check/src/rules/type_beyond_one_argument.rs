//! R402: `type` called with other than one plain positional argument, or named as a base
//! class.
//!
//! Binding and reading the name are allowed, as in RepyV2 (`for (start, type) in ...`,
//! `self.type = x`, `kinds = (type, int)`): the sandbox's `type` is a one-argument wrapper
//! that never creates a class, so an alias reaches nothing. The two forms refused here are
//! the ones that would create a class if the wrapper were ever bypassed; refusing them where
//! they are visible keeps a second wall on the three-argument form.

use super::{Checker, RuleId, Violation};
use crate::tree::{Field, IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str =
    "`type` called with other than one plain argument (`type(name, bases, dict)`), or used as a base class";

pub(crate) struct TypeBeyondOneArgument;

impl Violation for TypeBeyondOneArgument {
    const RULE: RuleId = RuleId::R402;

    fn message(&self) -> String {
        "`type` may only be called as `type(obj)`, and is not a base class".to_owned()
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::Name || !tree.is_load(id) {
        return;
    }
    let is_type = tree
        .idents_of(id)
        .iter()
        .any(|ident| ident.role == IdentRole::Name && &*ident.text == "type");
    if !is_type || !is_refused_use(checker, id) {
        return;
    }
    checker.report(&TypeBeyondOneArgument, node.span);
}

/// A call of `type` with anything but one plain positional argument, or `type` among the
/// bases of a class statement.
fn is_refused_use(checker: &Checker<'_>, id: NodeId) -> bool {
    let tree = checker.tree;
    let node = tree.node(id);
    let Some(parent) = tree.parent(id) else {
        return false;
    };
    match (parent.kind, node.field) {
        (Kind::ClassDef, Field::Bases) => true,
        (Kind::Call, Field::Func) => {
            let mut args = tree.children_in(node.parent, Field::Args);
            let one_plain = matches!(
                (args.next(), args.next()),
                (Some(arg), None) if tree.node(arg).kind != Kind::Starred
            );
            !one_plain || tree.children_in(node.parent, Field::Keywords).next().is_some()
        }
        _ => false,
    }
}
