//! R103: `async def`, `async for`, `async with`, `await`, async comprehensions.

use super::{Checker, RuleId, Violation};
use crate::tree::{Kind, NodeId};

pub(crate) const SUMMARY: &str =
    "`async def`, `await`, `async for`, `async with` or an async comprehension";

pub(crate) struct AsyncConstruct {
    /// The construct, as written.
    construct: &'static str,
}

impl Violation for AsyncConstruct {
    const RULE: RuleId = RuleId::R103;

    fn message(&self) -> String {
        format!("`{}` is not allowed", self.construct)
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, id: NodeId) {
    let node = checker.tree.node(id);
    let construct = match node.kind {
        Kind::AsyncFunctionDef => "async def",
        Kind::AsyncFor => "async for",
        Kind::AsyncWith => "async with",
        Kind::Await => "await",
        Kind::comprehension if node.int != 0 => "async for",
        _ => return,
    };
    checker.report(&AsyncConstruct { construct }, node.span);
}
