//! R302: `from module import name`. Under the python profile, only a relative import, an
//! import from a module the policy does not list in `[python] modules`, a private name
//! (widening `allowed-modules`), or a `__future__` import other than exactly
//! `from __future__ import annotations` (widening `future-annotations`).

use super::import_statement::MODULES_KEY;
use super::{Checker, RuleId, Violation};
use crate::names::{FUTURE_FEATURES, FUTURE_MODULE};
use crate::profile::Widening;
use crate::tree::{IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str = "a `from ... import ...` statement";

pub(crate) enum ImportFromStatement {
    /// RepyV2: every `from` import.
    Any {
        /// The module as written, with its leading dots.
        module: String,
    },
    /// Python: `from . import x`.
    Relative {
        /// The module as written, with its leading dots.
        module: String,
    },
    /// Python: a module the policy does not list.
    NotListed {
        /// The module.
        module: String,
    },
    /// Python: `from m import _x`.
    PrivateName {
        /// The module.
        module: String,
        /// The name.
        name: String,
    },
    /// Python: a `__future__` import other than `annotations`.
    FutureFeature {
        /// What was imported (`braces`, `annotations as a`).
        features: String,
    },
}

impl Violation for ImportFromStatement {
    const RULE: RuleId = RuleId::R302;

    fn message(&self) -> String {
        match self {
            ImportFromStatement::Any { module } => {
                format!("`from {module} import ...` is not allowed")
            }
            ImportFromStatement::Relative { module } => format!(
                "relative import `from {module} import ...` is not allowed: a program is one file"
            ),
            ImportFromStatement::NotListed { module } => format!(
                "module `{module}` is not allowed: the policy lists the importable modules in {MODULES_KEY}"
            ),
            ImportFromStatement::PrivateName { module, name } => format!(
                "`from {module} import {name}` is not allowed: names starting with `_` are not exported"
            ),
            ImportFromStatement::FutureFeature { features } => format!(
                "`from __future__ import {features}` is not allowed: only `from __future__ import annotations` is"
            ),
        }
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::ImportFrom {
        return;
    }
    let dots = ".".repeat(usize::try_from(node.int.clamp(0, 64)).unwrap_or(0));
    let name = tree
        .idents_of(id)
        .iter()
        .find(|ident| ident.role == IdentRole::ImportModule)
        .map_or("", |ident| &ident.text);
    let module = format!("{dots}{name}");
    let future = node.int == 0 && name == FUTURE_MODULE;
    if future && checker.allows(Widening::FutureAnnotations) {
        check_future(checker, id);
        return;
    }
    if !checker.allows(Widening::AllowedModules) {
        checker.report(&ImportFromStatement::Any { module }, node.span);
        return;
    }
    if node.int != 0 {
        checker.report(&ImportFromStatement::Relative { module }, node.span);
        return;
    }
    // Each imported name (`*` for a star import) and its `alias` node.
    let imported: Vec<(String, NodeId)> = tree
        .children(id)
        .filter_map(|alias| {
            let name = tree
                .idents_of(alias)
                .iter()
                .find(|i| i.role == IdentRole::ImportName)?;
            Some((name.text.to_string(), alias))
        })
        .collect();
    // `from m import x` is allowed when `m` is, or when every `m.x` is a listed module
    // (`from os import path` with `os.path` listed).
    let options = checker.options;
    let listed = options.allows_module(&module)
        || (!imported.is_empty()
            && imported.iter().all(|(name, _)| {
                name != "*" && options.allows_module(&format!("{module}.{name}"))
            }));
    if !listed {
        checker.report(&ImportFromStatement::NotListed { module }, node.span);
        return;
    }
    for (name, alias) in imported {
        if name.starts_with('_') {
            let span = tree.node(alias).span;
            checker.report(
                &ImportFromStatement::PrivateName {
                    module: module.clone(),
                    name,
                },
                span,
            );
        }
    }
}

/// `from __future__ import ...` under the python profile: exactly `annotations`, unaliased.
fn check_future(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let mut refused = Vec::new();
    for alias in tree.children(id) {
        let idents = tree.idents_of(alias);
        let name = idents
            .iter()
            .find(|i| i.role == IdentRole::ImportName)
            .map_or("", |i| &i.text);
        let alias_name = idents.iter().find(|i| i.role == IdentRole::ImportAlias);
        match alias_name {
            Some(alias_name) => refused.push(format!("{name} as {}", alias_name.text)),
            None if !FUTURE_FEATURES.contains(&name) => refused.push(name.to_owned()),
            None => {}
        }
    }
    if !refused.is_empty() {
        let features = refused.join(", ");
        checker.report(
            &ImportFromStatement::FutureFeature { features },
            tree.node(id).span,
        );
    }
}
