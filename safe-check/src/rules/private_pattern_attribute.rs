//! R209: a class pattern naming an attribute that starts with `_` (`case C(_x=v)`), under the
//! python profile. Its `obj._x` reads go through the namespace's private-attribute guard
//! (`route.rs` routes them); a class pattern reads its attributes by name inside CPython's
//! `MATCH_CLASS`, where no guard can stand, so it is refused. RepyV2 keeps its rules
//! unchanged (its namespace holds no object of trusted Python code).

use super::{Checker, RuleId, Violation};
use crate::profile::Profile;
use crate::tree::{IdentRole, NodeId};

pub(crate) const SUMMARY: &str =
    "a class pattern reading an attribute that starts with `_` (python profile)";

pub(crate) struct PrivatePatternAttribute {
    name: String,
}

impl Violation for PrivatePatternAttribute {
    const RULE: RuleId = RuleId::R209;

    fn message(&self) -> String {
        format!(
            "class pattern attribute `{}` starts with `_`: a pattern reads it past the \
             sandbox's private-attribute guard",
            self.name
        )
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    if checker.profile() != Profile::Python {
        return;
    }
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        // Dunder names are R201's.
        if ident.role != IdentRole::MatchAttribute
            || !ident.text.starts_with('_')
            || ident.text.contains("__")
        {
            continue;
        }
        let span = checker.ident_span(ident);
        checker.report(
            &PrivatePatternAttribute {
                name: ident.text.to_string(),
            },
            span,
        );
    }
}
