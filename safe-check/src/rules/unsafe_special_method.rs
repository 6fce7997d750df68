//! R203: defining a special method (`def __x__`) that is not on the safe list (with, under
//! the python profile, `__post_init__`: widening `post-init-method`).

use super::dunder_name::is_method_definition;
use super::{Checker, RuleId, Violation};
use crate::names::{is_special_method_name, PYTHON_SPECIAL_METHODS, SAFE_SPECIAL_METHODS};
use crate::profile::Widening;
use crate::tree::NodeId;

pub(crate) const SUMMARY: &str =
    "a special method definition not on the safe list (`__getattr__`, `__init_subclass__`, `__index__`, ...)";

pub(crate) struct UnsafeSpecialMethod {
    name: String,
}

impl Violation for UnsafeSpecialMethod {
    const RULE: RuleId = RuleId::R203;

    fn message(&self) -> String {
        format!("special method `{}` may not be defined", self.name)
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    for ident in tree.idents_of(id) {
        if !is_special_method_name(&ident.text)
            || may_define(checker, &ident.text)
            || !is_method_definition(checker, id, ident.role)
        {
            continue;
        }
        let violation = UnsafeSpecialMethod {
            name: ident.text.to_string(),
        };
        let span = checker.ident_span(ident);
        checker.report(&violation, span);
    }
}

/// The profile lets a class define the special method `name`: it is on the safe list, or
/// (widening `post-init-method`) is `__post_init__`. R202 asks the same question of the
/// target of a special-method alias (`__radd__ = __add__`, widening `special-method-aliases`).
pub(crate) fn may_define(checker: &Checker<'_>, name: &str) -> bool {
    SAFE_SPECIAL_METHODS.contains(&name)
        || (checker.allows(Widening::PostInitMethod) && PYTHON_SPECIAL_METHODS.contains(&name))
}
