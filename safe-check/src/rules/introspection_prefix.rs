//! R204: identifiers starting with `im_ func_ tb_ f_ co_ gi_ cr_ ag_`.

use super::{Checker, RuleId, Violation};
use crate::names::introspection_prefix;
use crate::tree::{IdentRole, NodeId};

pub(crate) const SUMMARY: &str =
    "an identifier starting with a frame/code/generator prefix (`f_`, `tb_`, `gi_`, `co_`, ...)";

pub(crate) struct IntrospectionPrefix {
    name: String,
    prefix: &'static str,
    role: IdentRole,
}

impl Violation for IntrospectionPrefix {
    const RULE: RuleId = RuleId::R204;

    fn message(&self) -> String {
        format!(
            "{} `{}` starts with `{}`",
            self.role.describe(),
            self.name,
            self.prefix
        )
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        let Some(prefix) = introspection_prefix(&ident.text) else {
            continue;
        };
        let violation = IntrospectionPrefix {
            name: ident.text.to_string(),
            prefix,
            role: ident.role,
        };
        let span = checker.ident_span(ident);
        checker.report(&violation, span);
    }
}
