//! R100: any node class outside the allow-list that no more specific rule reports.

use super::{Checker, RuleId, Violation};
use crate::tree::{ConstKind, Kind, NodeId};

pub(crate) const SUMMARY: &str =
    "a syntax node outside the allow-list (`except*`, node classes of newer Pythons, unexpected constants)";

/// How the checker treats each node class: the allow-list of the whole crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Allowed (its fields are still checked by the other rules).
    Allowed,
    /// Refused by the named, more specific rule.
    RefusedBy(RuleId),
    /// Refused by this rule.
    Unsupported,
}

/// The allow-list. `docs/rules/README.md` explains every `Allowed` entry (a test checks it
/// lists exactly these).
pub(crate) fn policy(kind: Kind) -> Policy {
    use Kind::*;
    match kind {
        // statements
        Module | FunctionDef | ClassDef | Return | Delete | Assign | AugAssign | AnnAssign
        | For | While | If | With | Match | Raise | Try | Assert | Nonlocal | Expr | Pass
        | Break | Continue => Policy::Allowed,
        // expressions
        BoolOp | NamedExpr | BinOp | UnaryOp | Lambda | IfExp | Dict | Set | ListComp
        | SetComp | DictComp | GeneratorExp | Yield | YieldFrom | Compare | Call
        | FormattedValue | JoinedStr | Constant | Attribute | Subscript | Starred | Name | List
        | Tuple | Slice => Policy::Allowed,
        // contexts and operators
        Load | Store | Del | And | Or | Add | Sub | Mult | MatMult | Div | Mod | Pow | LShift
        | RShift | BitOr | BitXor | BitAnd | FloorDiv | Invert | Not | UAdd | USub | Eq
        | NotEq | Lt | LtE | Gt | GtE | Is | IsNot | In | NotIn => Policy::Allowed,
        // helpers and patterns
        comprehension | ExceptHandler | arguments | arg | keyword | alias | withitem
        | match_case | MatchValue | MatchSingleton | MatchSequence | MatchMapping
        | MatchClass | MatchStar | MatchAs | MatchOr => Policy::Allowed,
        // refused by their own rules
        AsyncFunctionDef | AsyncFor | AsyncWith | Await => Policy::RefusedBy(RuleId::R103),
        Global => Policy::RefusedBy(RuleId::R104),
        Import => Policy::RefusedBy(RuleId::R301),
        ImportFrom => Policy::RefusedBy(RuleId::R302),
        // `except*` (the only refused class without a rule of its own), classes never
        // produced by `compile(..., "exec")` without extra flags, and unknown classes
        TryStar | Interactive | Expression | FunctionType | TypeIgnore | Unknown => {
            Policy::Unsupported
        }
    }
}

pub(crate) enum UnsupportedNode {
    /// A known class outside the allow-list.
    Known(&'static str),
    /// A class this checker does not know (or whose layout changed).
    Unknown(String),
    /// A constant whose type is not one the parser produces.
    Constant,
}

impl Violation for UnsupportedNode {
    const RULE: RuleId = RuleId::R100;

    fn message(&self) -> String {
        match self {
            UnsupportedNode::Known("TryStar") => "`except*` is not allowed".to_owned(),
            UnsupportedNode::Known(name) => format!("`{name}` nodes are not allowed"),
            UnsupportedNode::Unknown(name) => {
                format!("unknown syntax node `{name}` is not allowed")
            }
            UnsupportedNode::Constant => "a constant of an unexpected type is not allowed".into(),
        }
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let tree = checker.tree;
    let node = tree.node(id);
    if node.constant == ConstKind::Other {
        checker.report(&UnsupportedNode::Constant, node.span);
    }
    if policy(node.kind) != Policy::Unsupported {
        return;
    }
    let violation = if node.kind == Kind::Unknown {
        // `unknown` is filled in node order.
        let name = tree
            .unknown
            .binary_search_by_key(&id, |(node, _)| *node)
            .map_or_else(|_| "?".to_owned(), |index| tree.unknown[index].1.clone());
        UnsupportedNode::Unknown(name)
    } else {
        UnsupportedNode::Known(node.kind.name())
    };
    checker.report(&violation, node.span);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/rules/README.md` explains exactly the allowed classes, one table row each.
    #[test]
    fn readme_explains_every_allowed_class() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules/README.md"));
        let documented: Vec<&str> = readme
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split_once("` | ").map(|(name, _)| name))
            .filter(|name| Kind::KNOWN.iter().any(|kind| kind.name() == *name))
            .collect();
        let allowed: Vec<&str> = Kind::KNOWN
            .iter()
            .filter(|kind| policy(**kind) == Policy::Allowed)
            .map(|kind| kind.name())
            .collect();
        for name in &allowed {
            assert!(documented.contains(name), "README does not explain `{name}`");
        }
        for name in &documented {
            assert!(allowed.contains(name), "README explains `{name}`, which is not allowed");
        }
    }
}
