//! Which attribute accesses the python profile routes through its private-attribute guard,
//! and under which name.
//!
//! Under the python profile a program imports modules whose classes are trusted Python
//! code, and such code hands the program's operators its own objects (red-team round 9: an
//! enum member handed to a program's `__or__`, whose class's `_convert_` reads any module's
//! globals by name). Public attributes are the modules' documented surface; the private ones
//! (`_x`, and the class-private `__x` the compiler mangles to `_Class__x`) are their
//! machinery. So every `obj._x` of the program, read, written or deleted, is compiled as a
//! call of a guard the namespace provides (`cpython::route`), which allows the private
//! attributes of the program's own classes and instances and nothing else. Names that start
//! and end with `__` are not routed (R201 refuses them, save the few it lets through), except
//! `obj.__class__`, which the python profile lets a program read as the namespace's
//! `type(obj)`.

use crate::tree::{Field, Kind, NodeId, Tree};

/// Which guard an attribute access goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// `obj._x` (read, written or deleted): the private-attribute guard.
    Private,
    /// `obj.__class__`, read (widening `class-attribute`): the namespace's `type(obj)`.
    Class,
}

/// One `Attribute` node to route.
#[derive(Debug, Clone)]
pub(crate) struct PrivateAccess {
    /// The address of CPython's `Attribute` node, in the arena of the parse the tree was
    /// lowered from.
    pub(crate) node: usize,
    /// The attribute's name as the compiler would look it up (mangled inside a class).
    pub(crate) name: String,
    /// The guard it goes through.
    pub(crate) route: Route,
}

/// A class pattern with positional sub-patterns (`case Point(x, y)`): CPython reads the
/// attributes its class's `__match_args__` names, with the real `getattr`, inside
/// `MATCH_CLASS`. The python profile compiles its class as `MATCH_ARGS(cls, count)`, which
/// refuses entries the checker would refuse as attribute names before the match reads them
/// (red-team rounds 14-16 each made a factory put `mro` or `__globals__` there).
#[derive(Debug, Clone)]
pub(crate) struct ClassPattern {
    /// The address of CPython's `MatchClass` node.
    pub(crate) node: usize,
    /// How many positional sub-patterns it has.
    pub(crate) positional: usize,
}

/// Every class pattern of `tree` with positional sub-patterns.
pub(crate) fn class_patterns(tree: &Tree) -> Vec<ClassPattern> {
    tree.class_patterns
        .iter()
        .map(|&(node, positional)| ClassPattern { node, positional })
        .collect()
}

/// Every private attribute access of `tree`, with its name mangled as the compiler would.
pub(crate) fn private_accesses(tree: &Tree) -> Vec<PrivateAccess> {
    tree.private_attributes
        .iter()
        .filter_map(|&(id, node)| {
            let attr = tree
                .idents_of(id)
                .iter()
                .find(|ident| ident.role == crate::tree::IdentRole::Attribute)?;
            let text: &str = &attr.text;
            let route = match text {
                "__class__" => Route::Class,
                _ if !text.starts_with('_') || is_dunder(text) => return None,
                _ => Route::Private,
            };
            let name = match enclosing_class(tree, id) {
                Some(class) if route == Route::Private => mangle(class, text),
                _ => text.to_owned(),
            };
            Some(PrivateAccess { node, name, route })
        })
        .collect()
}

/// `__x__`: a special name, never mangled and never routed.
fn is_dunder(name: &str) -> bool {
    name.len() >= 4 && name.starts_with("__") && name.ends_with("__")
}

/// The name of the class whose scope `id` is compiled in: the innermost class whose *body*
/// holds it (its bases, keywords and decorators are evaluated in the enclosing scope). The
/// compiler hands a class's name down to every function, lambda and comprehension inside
/// it, so those count as its body too.
fn enclosing_class(tree: &Tree, id: NodeId) -> Option<&str> {
    let mut current = id;
    loop {
        let node = tree.node(current);
        let parent = node.parent;
        if parent == crate::tree::NO_NODE {
            return None;
        }
        if tree.node(parent).kind == Kind::ClassDef && node.field == Field::Body {
            return Some(tree.def_name(parent));
        }
        current = parent;
    }
}

/// CPython's `_Py_Mangle`: `__x` (not ending in `__`, without a dot) inside class `Class`
/// becomes `_Class__x`, the class name's leading underscores stripped; a class named only
/// with underscores mangles nothing.
fn mangle(class: &str, name: &str) -> String {
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
        return name.to_owned();
    }
    let stripped = class.trim_start_matches('_');
    if stripped.is_empty() {
        return name.to_owned();
    }
    format!("_{stripped}{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mangling_follows_cpython() {
        assert_eq!(mangle("Account", "__balance"), "_Account__balance");
        assert_eq!(mangle("_Hidden", "__x"), "_Hidden__x");
        assert_eq!(mangle("__", "__x"), "__x");
        assert_eq!(mangle("Account", "_x"), "_x");
        assert_eq!(mangle("Account", "__x__"), "__x__");
        assert_eq!(mangle("Account", "__x_"), "_Account__x_");
    }
}
