//! R403: under the python profile, `super` called with arguments or named as a base class.
//!
//! The python profile's namespace provides the real `super` so that the zero-argument form
//! works. `super()` is safe: it reads the `__class__` cell of the method, always a class the
//! program's own `class` statement created, and the method's first argument, which must be
//! an instance of it; the attributes it reaches are those of the bases the program named.
//! `super(C, obj)` is not: with `C` any class in `obj`'s method resolution order it skips
//! `C`'s overrides, so it reaches the bases the sandbox's own classes hide behind an override
//! (an accounted `read` over an unaccounted one), the walk R207 refuses for `mro`. A
//! subclass of `super` would make the same call. Under RepyV2 `super` is a stub that raises,
//! so this rule never fires there; an alias (`s = super; s(C, obj)`) is the runtime's to
//! refuse.

use super::{Checker, RuleId, Violation};
use crate::profile::Profile;
use crate::tree::{Field, IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str =
    "`super` called with arguments (`super(C, self)`), or used as a base class (python profile)";

pub(crate) struct SuperArguments;

impl Violation for SuperArguments {
    const RULE: RuleId = RuleId::R403;

    fn message(&self) -> String {
        "`super` may only be called as `super()`, and is not a base class".to_owned()
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    if checker.profile() != Profile::Python {
        return;
    }
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::Name || !tree.is_load(id) {
        return;
    }
    let is_super = tree
        .idents_of(id)
        .iter()
        .any(|ident| ident.role == IdentRole::Name && &*ident.text == "super");
    if !is_super || !is_refused_use(checker, id) {
        return;
    }
    checker.report(&SuperArguments, node.span);
}

/// A call of `super` with any argument, or `super` among the bases of a class statement.
fn is_refused_use(checker: &Checker<'_>, id: NodeId) -> bool {
    let tree = checker.tree;
    let node = tree.node(id);
    let Some(parent) = tree.parent(id) else {
        return false;
    };
    match (parent.kind, node.field) {
        (Kind::ClassDef, Field::Bases) => true,
        // `class X(*[super])`
        (Kind::List | Kind::Tuple, Field::Elts) => tree.parent(node.parent).is_some_and(|starred| {
            starred.kind == Kind::Starred
                && starred.field == Field::Bases
                && tree.parent(parent.parent).map(|class| class.kind) == Some(Kind::ClassDef)
        }),
        (Kind::Call, Field::Func) => tree
            .children(node.parent)
            .any(|child| matches!(tree.node(child).field, Field::Args | Field::Keywords)),
        _ => false,
    }
}
