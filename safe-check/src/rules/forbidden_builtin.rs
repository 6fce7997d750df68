//! R401: naming `exec` anywhere a variable can appear (the other builtins a program must not
//! reach are names it may use: the sandbox holds a stub under each, see `names.rs`).

use super::dunder_name::is_method_definition;
use super::{Checker, RuleId, Violation};
use crate::names::FORBIDDEN_BUILTINS;
use crate::tree::{IdentRole, NodeId};

pub(crate) const SUMMARY: &str =
    "the name `exec`, a keyword in RepyV2's Python 2 (other forbidden builtins are stubs that raise when called)";

pub(crate) struct ForbiddenBuiltin {
    name: String,
    role: IdentRole,
}

impl Violation for ForbiddenBuiltin {
    const RULE: RuleId = RuleId::R401;

    fn message(&self) -> String {
        if self.role == IdentRole::Name {
            format!("builtin `{}` is not allowed", self.name)
        } else {
            format!(
                "{} `{}` names a forbidden builtin",
                self.role.describe(),
                self.name
            )
        }
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        if !ident.role.is_variable() || !FORBIDDEN_BUILTINS.contains(&&*ident.text) {
            continue;
        }
        if is_method_definition(checker, id, ident.role) {
            continue; // a method named `open` is an attribute of its class, not the builtin
        }
        let violation = ForbiddenBuiltin {
            name: ident.text.to_string(),
            role: ident.role,
        };
        let span = checker.ident_span(ident);
        checker.report(&violation, span);
    }
}
