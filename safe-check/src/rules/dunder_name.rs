//! R202: any identifier other than an attribute that contains `__`, except the safe special
//! methods defined directly in a class body, and under the python profile: reading the
//! global `__name__` (widening `main-name`) and the module of
//! `from __future__ import ...` (`future-annotations`, its features checked by R302).

use super::{Checker, RuleId, Violation};
use crate::names::{is_special_method_name, FUTURE_MODULE, MAIN_NAME};
use crate::profile::Widening;
use crate::tree::{Field, Ident, IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str =
    "a name, parameter, keyword, definition or capture containing `__` (`__builtins__`, `__import__`)";

pub(crate) struct DunderName {
    name: String,
    role: IdentRole,
}

impl Violation for DunderName {
    const RULE: RuleId = RuleId::R202;

    fn message(&self) -> String {
        format!("{} `{}` contains `__`", self.role.describe(), self.name)
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        if ident.role.reads_attribute() || !ident.text.contains("__") {
            continue;
        }
        if is_method_definition(checker, id, ident.role) && is_special_method_name(&ident.text) {
            continue; // R203 decides whether this special method may be defined
        }
        if is_widened(checker, id, ident) {
            continue;
        }
        let violation = DunderName {
            name: ident.text.to_string(),
            role: ident.role,
        };
        let span = checker.ident_span(ident);
        checker.report(&violation, span);
    }
}

/// The identifier is one a widening of the profile allows.
fn is_widened(checker: &Checker<'_>, id: NodeId, ident: &Ident) -> bool {
    let tree = checker.tree;
    let node = tree.node(id);
    match (ident.role, &*ident.text) {
        // `if __name__ == "__main__":` reads the module's name, a `str`.
        (IdentRole::Name, MAIN_NAME) => {
            checker.allows(Widening::MainName) && node.kind == Kind::Name && tree.is_load(id)
        }
        // `from __future__ import ...`: the module name only; R302 allows one feature.
        (IdentRole::ImportModule, FUTURE_MODULE) => {
            checker.allows(Widening::FutureAnnotations)
                && node.kind == Kind::ImportFrom
                && node.int == 0
        }
        _ => false,
    }
}

/// The identifier is the name of a `def` directly in a class body.
pub(crate) fn is_method_definition(checker: &Checker<'_>, id: NodeId, role: IdentRole) -> bool {
    let tree = checker.tree;
    let node = tree.node(id);
    role == IdentRole::FunctionName
        && node.field == Field::Body
        && tree.parent(id).map(|parent| parent.kind) == Some(Kind::ClassDef)
}
