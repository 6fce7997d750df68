//! R102: keywords in a class definition (`metaclass=` and any other).

use super::{Checker, RuleId, Violation};
use crate::tree::{Field, IdentRole, Kind, NodeId};

pub(crate) const SUMMARY: &str = "a keyword (`metaclass=` or any other) in a class definition";

pub(crate) struct ClassKeyword {
    /// The keyword, or `None` for `**mapping`.
    keyword: Option<String>,
    /// The class.
    class: String,
}

impl Violation for ClassKeyword {
    const RULE: RuleId = RuleId::R102;

    fn message(&self) -> String {
        match &self.keyword {
            Some(keyword) => format!(
                "class keyword `{keyword}=` in `class {}` is not allowed",
                self.class
            ),
            None => format!(
                "keyword unpacking `**` in `class {}` is not allowed",
                self.class
            ),
        }
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.kind != Kind::keyword || node.field != Field::Keywords {
        return;
    }
    if tree.parent(id).map(|parent| parent.kind) != Some(Kind::ClassDef) {
        return;
    }
    let keyword = tree
        .idents_of(id)
        .iter()
        .find(|ident| ident.role == IdentRole::Keyword)
        .map(|ident| ident.text.to_string());
    let class = tree.def_name(node.parent).to_owned();
    checker.report(&ClassKeyword { keyword, class }, node.span);
}
