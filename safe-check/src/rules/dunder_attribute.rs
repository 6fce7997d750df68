//! R201: reading, writing or deleting an attribute whose name contains `__`, except reading
//! RepyV2's five method names (`x.__init__`, `x.__del__`, `x.__iter__`, `x.__repr__`,
//! `x.__str__`), and under the python profile reading `__name__`, `__qualname__`, `__doc__`
//! (widening `name-attributes`), `__cause__`, `__context__` (`exception-chain-attributes`),
//! the special methods a program may define (`special-method-reads`), `__class__`
//! (`class-attribute`: compiled as a call of the namespace's `type`), and any use of a
//! class-private attribute `obj.__x` (`class-private-names`).

use super::{Checker, RuleId, Violation};
use crate::names::{
    is_class_private_name, EXCEPTION_CHAIN_ATTRIBUTES, NAME_ATTRIBUTES, READABLE_DUNDER_ATTRIBUTES,
    SAFE_SPECIAL_METHODS,
};
use crate::profile::Widening;
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
        if is_readable(checker, &ident.text) && is_read(checker, id, ident.role)
            || is_routed_read(checker, id, ident.role, &ident.text)
        {
            // `Base.__init__(self, ...)`, `self.__str__()`: RepyV2's five method names, read
            // (see `READABLE_DUNDER_ATTRIBUTES` for why reading them reaches nothing new);
            // under the python profile also the names and the exception chain.
            continue;
        }
        if is_class_private(checker, ident.role, &ident.text) {
            // `self.__balance`: `self._Class__balance` once mangled, private state like
            // `self._x`, or a literal `__x` no object outside the program has (see
            // `is_class_private_name` and the widening's runtime note).
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

/// `name` may be read under the profile checked against.
fn is_readable(checker: &Checker<'_>, name: &str) -> bool {
    READABLE_DUNDER_ATTRIBUTES.contains(&name)
        || (checker.allows(Widening::NameAttributes) && NAME_ATTRIBUTES.contains(&name))
        || (checker.allows(Widening::ExceptionChain) && EXCEPTION_CHAIN_ATTRIBUTES.contains(&name))
        || (checker.allows(Widening::SpecialMethodReads) && SAFE_SPECIAL_METHODS.contains(&name))
}

/// Under the python profile, `obj.__class__` read as an attribute (never in a class pattern,
/// which CPython reads itself): compiled as a call of the namespace's `type` (`route.rs`).
fn is_routed_read(checker: &Checker<'_>, id: NodeId, role: IdentRole, name: &str) -> bool {
    let widening = match name {
        "__class__" => Widening::ClassAttribute,
        _ => return false,
    };
    role == IdentRole::Attribute
        && checker.allows(widening)
        && checker.tree.node(id).kind == Kind::Attribute
        && checker.tree.is_load(id)
}

/// Under the python profile, `name` is a class-private attribute (`obj.__x`), which may be
/// read, written and deleted. Only `Attribute.attr`: CPython 3.11 does not mangle the
/// attribute names of class patterns (`case C(__x=v)`), which stay refused.
fn is_class_private(checker: &Checker<'_>, role: IdentRole, name: &str) -> bool {
    role == IdentRole::Attribute
        && checker.allows(Widening::ClassPrivateNames)
        && is_class_private_name(name)
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
