//! R202: any identifier other than an attribute that contains `__`, except the safe special
//! methods defined directly in a class body, and under the python profile: reading the
//! global `__name__` (widening `main-name`), `__slots__ = ...` in a class body
//! (`class-slots`, its value checked by R208), the module of `from __future__ import ...`
//! (`future-annotations`, its features checked by R302), class-private names `__x`
//! (`class-private-names`) and a safe special method bound to a name, a `lambda` or `None`
//! in a class body (`special-method-aliases`: `__radd__ = __add__`).

use super::unsafe_special_method::may_define;
use super::{Checker, RuleId, Violation};
use crate::names::{
    is_class_private_name, is_special_method_name, FUTURE_MODULE, MAIN_NAME, SLOTS_NAME,
};
use crate::profile::Widening;
use crate::tree::{ConstKind, Field, Ident, IdentRole, Kind, NodeId, Tree};

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
        // `__slots__ = ("a", "b")` in a class body; R208 checks the value.
        (IdentRole::Name, SLOTS_NAME) => {
            checker.allows(Widening::ClassSlots) && is_slots_target(tree, id)
        }
        // `from __future__ import ...`: the module name only; R302 allows one feature.
        (IdentRole::ImportModule, FUTURE_MODULE) => {
            checker.allows(Widening::FutureAnnotations)
                && node.kind == Kind::ImportFrom
                && node.int == 0
        }
        // `self.__balance`'s siblings: `def __check`, `__count = 0`, `except E as __e`.
        (role, name) if is_mangled_role(role) && is_class_private_name(name) => {
            checker.allows(Widening::ClassPrivateNames)
        }
        // `__radd__ = __add__` in a class body: the target, and a special-method value.
        (IdentRole::Name, name) if checker.allows(Widening::SpecialMethodAliases) => {
            is_special_method_alias_part(checker, id, name)
        }
        _ => false,
    }
}

/// The identifier roles CPython 3.11 mangles inside a class body (`__x` to `_Class__x`),
/// where a class-private name is allowed. Not keyword arguments and not class-pattern
/// attributes (the compiler leaves them as written), nor import names and modules (the
/// import rules' business).
fn is_mangled_role(role: IdentRole) -> bool {
    matches!(
        role,
        IdentRole::Name
            | IdentRole::FunctionName
            | IdentRole::ClassName
            | IdentRole::Parameter
            | IdentRole::ExceptName
            | IdentRole::Global
            | IdentRole::Nonlocal
            | IdentRole::MatchCapture
            | IdentRole::MatchStar
            | IdentRole::MatchRest
    )
}

/// `id` is the `Name` `name` of a special-method alias: its target (`__radd__` in
/// `__radd__ = __add__`) or its value when that is a special method the class may define
/// (`__add__`). A value such as `add_impl` needs no widening.
fn is_special_method_alias_part(checker: &Checker<'_>, id: NodeId, name: &str) -> bool {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::Name || !may_define(checker, name) {
        return false;
    }
    let is_target = node.field == Field::Targets && !tree.is_load(id);
    let is_value = node.field == Field::Value && tree.is_load(id);
    (is_target || is_value) && is_special_method_alias(checker, node.parent)
}

/// `assign` is `__x__ = value` directly in a class body: an `Assign` whose one target is a
/// `Name` the profile lets a `def` define (R203's list), and whose value is a name, a
/// `lambda` or `None`.
fn is_special_method_alias(checker: &Checker<'_>, assign: NodeId) -> bool {
    let tree = checker.tree;
    let Some(statement) = tree.nodes.get(assign as usize) else {
        return false;
    };
    if statement.kind != Kind::Assign
        || statement.field != Field::Body
        || tree.parent(assign).map(|class| class.kind) != Some(Kind::ClassDef)
    {
        return false;
    }
    let mut targets = tree.children_in(assign, Field::Targets);
    let (Some(target), None) = (targets.next(), targets.next()) else {
        return false;
    };
    let target_node = tree.node(target);
    let target_is_definable = target_node.kind == Kind::Name
        && target_node.int == crate::tree::context_code(Kind::Store)
        && tree
            .idents_of(target)
            .iter()
            .any(|ident| ident.role == IdentRole::Name && may_define(checker, &ident.text));
    let Some(value) = tree.children_in(assign, Field::Value).next() else {
        return false;
    };
    let value_node = tree.node(value);
    let value_is_plain = match value_node.kind {
        Kind::Name | Kind::Lambda => true,
        Kind::Constant => value_node.constant == ConstKind::None,
        _ => false,
    };
    target_is_definable && value_is_plain
}

/// `id` is the `Name` `__slots__`, stored, as the one target of an `Assign` that sits
/// directly in a class body: `class C: __slots__ = ...`.
pub(crate) fn is_slots_target(tree: &Tree, id: NodeId) -> bool {
    let node = tree.node(id);
    let is_slots_name = node.kind == Kind::Name
        && node.int == crate::tree::context_code(Kind::Store)
        && tree
            .idents_of(id)
            .iter()
            .any(|ident| ident.role == IdentRole::Name && &*ident.text == SLOTS_NAME);
    if !is_slots_name || node.field != Field::Targets {
        return false;
    }
    let assign = node.parent;
    let Some(statement) = tree.parent(id) else {
        return false;
    };
    statement.kind == Kind::Assign
        && statement.field == Field::Body
        && tree.parent(assign).map(|class| class.kind) == Some(Kind::ClassDef)
        && tree.children_in(assign, Field::Targets).count() == 1
}

/// The identifier is the name of a `def` directly in a class body.
pub(crate) fn is_method_definition(checker: &Checker<'_>, id: NodeId, role: IdentRole) -> bool {
    let tree = checker.tree;
    let node = tree.node(id);
    role == IdentRole::FunctionName
        && node.field == Field::Body
        && tree.parent(id).map(|parent| parent.kind) == Some(Kind::ClassDef)
}
