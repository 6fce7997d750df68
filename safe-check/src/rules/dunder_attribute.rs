//! R201: reading, writing or deleting an attribute whose name contains `__`, except reading
//! RepyV2's five method names (`x.__init__`, `x.__del__`, `x.__iter__`, `x.__repr__`,
//! `x.__str__`).

use super::{Checker, RuleId, Violation};
use crate::names::READABLE_DUNDER_ATTRIBUTES;
use crate::tree::{IdentRole, Kind, NodeId};

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
        if READABLE_DUNDER_ATTRIBUTES.contains(&&*ident.text) && is_read(checker, id, ident.role)
        {
            // `Base.__init__(self, ...)`, `self.__str__()`: RepyV2's five method names, read
            // (see `READABLE_DUNDER_ATTRIBUTES` for why reading them reaches nothing new).
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

/// The identifier reads an attribute: an `Attribute` in load context, or the attribute of a
/// class pattern (`case C(__str__=m)` reads it too). Assignment and deletion do not count.
fn is_read(checker: &Checker<'_>, id: NodeId, role: IdentRole) -> bool {
    let tree = checker.tree;
    match role {
        IdentRole::MatchAttribute => true,
        IdentRole::Attribute => tree.node(id).kind == Kind::Attribute && tree.is_load(id),
        _ => false,
    }
}
