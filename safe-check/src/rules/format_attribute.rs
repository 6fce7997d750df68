//! R205: the attributes `format` and `format_map` (`str.format` field traversal).

use super::{Checker, RuleId, Violation};
use crate::profile::Widening;
use crate::names::FORMAT_ATTRIBUTES;
use crate::tree::{IdentRole, NodeId};

pub(crate) const SUMMARY: &str =
    "the attribute `format` or `format_map`, whose fields traverse attributes (`\"{0.__class__}\".format(x)`)";

pub(crate) struct FormatAttribute {
    name: String,
    role: IdentRole,
}

impl Violation for FormatAttribute {
    const RULE: RuleId = RuleId::R205;

    fn message(&self) -> String {
        format!("{} `{}` is not allowed", self.role.describe(), self.name)
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    // Under the python profile the methods are guarded at run time instead.
    if checker.allows(Widening::FormatMethods) {
        return;
    }
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        if !ident.role.reads_attribute() || !FORMAT_ATTRIBUTES.contains(&&*ident.text) {
            continue;
        }
        let violation = FormatAttribute {
            name: ident.text.to_string(),
            role: ident.role,
        };
        let span = checker.ident_span(ident);
        checker.report(&violation, span);
    }
}
