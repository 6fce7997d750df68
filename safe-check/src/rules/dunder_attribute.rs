//! R201: reading, writing or deleting an attribute whose name contains `__`.

use super::{Checker, RuleId, Violation};
use crate::tree::{Field, IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str =
    "an attribute name containing `__` (`x.__class__`, `case C(__class__=x)`)";

pub(crate) struct DunderAttribute {
    name: String,
    role: IdentRole,
}

impl Violation for DunderAttribute {
    const RULE: RuleId = RuleId::R201;

    fn message(&self) -> String {
        format!("{} `{}` contains `__`", self.role.describe(), self.name)
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        if !ident.role.reads_attribute() || !ident.text.contains("__") {
            continue;
        }
        if &*ident.text == "__init__" && is_called(checker, id) {
            // `Base.__init__(self, ...)`: chaining constructors, as RepyV2 allowed, with
            // `super` unavailable. The bound method itself never becomes a value.
            continue;
        }
        let violation = DunderAttribute {
            name: ident.text.to_string(),
            role: ident.role,
        };
        let span = checker.ident_span(ident);
        checker.report(&violation, span);
    }
}

/// `id` is an `Attribute` that is the callee of a call.
fn is_called(checker: &Checker<'_>, id: NodeId) -> bool {
    let tree = checker.tree;
    let node = tree.node(id);
    node.kind == Kind::Attribute
        && node.field == Field::Func
        && tree.parent(id).map(|parent| parent.kind) == Some(Kind::Call)
}
