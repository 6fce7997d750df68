//! R402: `type` used other than as `type(obj)`.

use super::{Checker, RuleId, Violation};
use crate::tree::{Field, IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str =
    "`type` used other than as a one-argument call `type(obj)` (three-argument class creation, aliasing, subclassing)";

pub(crate) struct TypeBeyondOneArgument;

impl Violation for TypeBeyondOneArgument {
    const RULE: RuleId = RuleId::R402;

    fn message(&self) -> String {
        "`type` may only be called as `type(obj)`".to_owned()
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::Name {
        return;
    }
    let is_type = tree
        .idents_of(id)
        .iter()
        .any(|ident| ident.role == IdentRole::Name && &*ident.text == "type");
    if !is_type || is_allowed_use(checker, id) {
        return;
    }
    checker.report(&TypeBeyondOneArgument, node.span);
}

/// `type(obj)` with one plain positional argument, or the class of a class pattern
/// (`case type()`, an `isinstance` test).
fn is_allowed_use(checker: &Checker<'_>, id: NodeId) -> bool {
    let tree = checker.tree;
    let node = tree.node(id);
    let Some(parent) = tree.parent(id) else {
        return false;
    };
    match (parent.kind, node.field) {
        (Kind::MatchClass, Field::Cls) => true,
        (Kind::Call, Field::Func) => {
            let mut args = tree.children_in(node.parent, Field::Args);
            let one_plain = matches!(
                (args.next(), args.next()),
                (Some(arg), None) if tree.node(arg).kind != Kind::Starred
            );
            one_plain && tree.children_in(node.parent, Field::Keywords).next().is_none()
        }
        _ => false,
    }
}
