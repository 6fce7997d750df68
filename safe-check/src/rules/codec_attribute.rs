//! R206: the attributes `encode` and `decode` (RepyV2's codec rule).

use super::{Checker, RuleId, Violation};
use crate::profile::Widening;
use crate::names::CODEC_ATTRIBUTES;
use crate::tree::{IdentRole, NodeId};

pub(crate) const SUMMARY: &str =
    "the attribute `encode` or `decode`, whose codec lookup imports modules by name";

pub(crate) struct CodecAttribute {
    name: String,
    role: IdentRole,
}

impl Violation for CodecAttribute {
    const RULE: RuleId = RuleId::R206;

    fn message(&self) -> String {
        format!("{} `{}` is not allowed", self.role.describe(), self.name)
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    // Under the python profile the methods are guarded at run time instead.
    if checker.allows(Widening::TextCodecs) {
        return;
    }
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        if !ident.role.reads_attribute() || !CODEC_ATTRIBUTES.contains(&&*ident.text) {
            continue;
        }
        let violation = CodecAttribute {
            name: ident.text.to_string(),
            role: ident.role,
        };
        let span = checker.ident_span(ident);
        checker.report(&violation, span);
    }
}
