//! R301: `import module`. Under the python profile (widening `allowed-modules`), only an
//! import of a module the policy does not list in `[python] modules`.

use super::{Checker, RuleId, Violation};
use crate::profile::Widening;
use crate::tree::{IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str = "an `import` statement";

/// The policy key a python-profile program's imports are listed under.
pub(crate) const MODULES_KEY: &str = "`[python] modules = [...]`";

pub(crate) enum ImportStatement {
    /// RepyV2: every import.
    Any {
        /// The imported modules.
        modules: Vec<String>,
    },
    /// Python: a module the policy does not list.
    NotListed {
        /// The module.
        module: String,
    },
    /// Python: `import a.b` binds `a`, which the policy does not list (only `a.b`).
    BindsUnlisted {
        /// The module as written.
        module: String,
        /// Its first component, the name bound.
        top: String,
    },
}

impl Violation for ImportStatement {
    const RULE: RuleId = RuleId::R301;

    fn message(&self) -> String {
        match self {
            ImportStatement::Any { modules } => {
                format!("`import {}` is not allowed", modules.join(", "))
            }
            ImportStatement::NotListed { module } => format!(
                "module `{module}` is not allowed: the policy lists the importable modules in {MODULES_KEY}"
            ),
            ImportStatement::BindsUnlisted { module, top } => format!(
                "`import {module}` binds `{top}`, which is not allowed: write `import {module} as name`, or list `{top}` in {MODULES_KEY}"
            ),
        }
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::Import {
        return;
    }
    if !checker.allows(Widening::AllowedModules) {
        let modules = tree
            .children(id)
            .flat_map(|alias| tree.idents_of(alias))
            .filter(|ident| ident.role == IdentRole::ImportName)
            .map(|ident| ident.text.to_string())
            .collect();
        checker.report(&ImportStatement::Any { modules }, node.span);
        return;
    }
    for alias in tree.children(id) {
        let idents = tree.idents_of(alias);
        let Some(name) = idents.iter().find(|i| i.role == IdentRole::ImportName) else {
            continue;
        };
        let aliased = idents.iter().any(|i| i.role == IdentRole::ImportAlias);
        let module = name.text.to_string();
        let span = tree.node(alias).span;
        if !checker.options.allows_module(&module) {
            checker.report(&ImportStatement::NotListed { module }, span);
            continue;
        }
        // `import a.b` binds `a` itself; `import a.b as c` binds only `a.b`.
        let top = module.split('.').next().unwrap_or_default().to_owned();
        if !aliased && top != module && !checker.options.allows_module(&top) {
            checker.report(&ImportStatement::BindsUnlisted { module, top }, span);
        }
    }
}
