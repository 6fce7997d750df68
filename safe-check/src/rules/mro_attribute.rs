//! R207: the attribute `mro` (a class's method resolution order).

use super::{Checker, RuleId, Violation};
use crate::tree::{IdentRole, NodeId};

pub(crate) const SUMMARY: &str = "the attribute `mro`, which lists a class's hidden base classes";

pub(crate) struct MroAttribute {
    role: IdentRole,
}

impl Violation for MroAttribute {
    const RULE: RuleId = RuleId::R207;

    fn message(&self) -> String {
        format!("{} `mro` is not allowed", self.role.describe())
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        if !ident.role.reads_attribute() || &*ident.text != "mro" {
            continue;
        }
        let span = checker.ident_span(ident);
        checker.report(&MroAttribute { role: ident.role }, span);
    }
}
