//! Finds an identifier in the source when the tree only knows the span of the node holding
//! it (function and class names, `except ... as name`, `global` names, class-pattern
//! attributes, `**rest`, `from module`). Used only for messages: a miss falls back to the
//! node's first line.

use crate::source::LineIndex;
use crate::tree::{Ident, IdentRole, Node};
use crate::{Pos, Span};

/// Lines of a node searched for one of its identifiers.
const MAX_LINES_SEARCHED: u32 = 50;

/// Bytes of a line searched: keeps the work per identifier bounded on huge lines.
const MAX_BYTES_SEARCHED: usize = 4096;

/// The span of `ident` within its `node`.
pub(crate) fn locate(lines: &LineIndex<'_>, ident: &Ident, node: &Node) -> Span {
    let anchor = match ident.role {
        IdentRole::FunctionName => Anchor::After("def"),
        IdentRole::ClassName => Anchor::After("class"),
        IdentRole::ExceptName => Anchor::After("as"),
        IdentRole::Global => Anchor::After("global"),
        IdentRole::Nonlocal => Anchor::After("nonlocal"),
        IdentRole::ImportModule => Anchor::After("from"),
        IdentRole::MatchRest => Anchor::AfterSymbol("**"),
        IdentRole::MatchAttribute => Anchor::BeforeEquals,
        _ => Anchor::None,
    };
    let span = node.span;
    let last = span
        .end
        .line
        .min(span.start.line.saturating_add(MAX_LINES_SEARCHED));
    let mut anchored = matches!(anchor, Anchor::None | Anchor::BeforeEquals);
    for line in span.start.line..=last {
        let full = lines.line(line);
        let mut from = if line == span.start.line {
            crate::source::floor_char_boundary(full, span.start.byte_col as usize)
        } else {
            0
        };
        let text = &full[..crate::source::floor_char_boundary(full, from + MAX_BYTES_SEARCHED)];
        if !anchored {
            let found = match anchor {
                Anchor::After(keyword) => find_word(text, from, keyword),
                Anchor::AfterSymbol(symbol) => text[from..].find(symbol).map(|at| from + at),
                _ => None,
            };
            let Some(at) = found else { continue };
            from = at + anchor.len();
            anchored = true;
        }
        let mut search = from;
        while let Some(at) = find_word(text, search, &ident.text) {
            let after = at + ident.text.len();
            let fits = match anchor {
                Anchor::BeforeEquals => {
                    let rest = text[after..].trim_start();
                    rest.starts_with('=') && !rest.starts_with("==")
                }
                _ => true,
            };
            if fits {
                return span_of(line, at, after);
            }
            search = after;
        }
    }
    let first = lines.line(span.start.line);
    let end = if span.end.line == span.start.line {
        span.end.byte_col
    } else {
        u32::try_from(first.len()).unwrap_or(u32::MAX)
    };
    Span {
        start: span.start,
        end: Pos {
            line: span.start.line,
            byte_col: end,
        },
    }
}

enum Anchor {
    None,
    After(&'static str),
    AfterSymbol(&'static str),
    BeforeEquals,
}

impl Anchor {
    fn len(&self) -> usize {
        match self {
            Anchor::After(text) | Anchor::AfterSymbol(text) => text.len(),
            Anchor::None | Anchor::BeforeEquals => 0,
        }
    }
}

fn span_of(line: u32, start: usize, end: usize) -> Span {
    let col = |byte: usize| u32::try_from(byte).unwrap_or(u32::MAX);
    Span::new(line, col(start), line, col(end))
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// The first whole-word occurrence of `word` in `text` at or after byte `from`.
fn find_word(text: &str, from: usize, word: &str) -> Option<usize> {
    if word.is_empty() || from > text.len() || !text.is_char_boundary(from) {
        return None;
    }
    let mut start = from;
    while let Some(found) = text[start..].find(word) {
        let at = start + found;
        let end = at + word.len();
        let before_ok = !text[..at].chars().next_back().is_some_and(is_ident_char);
        let after_ok = !text[end..].chars().next().is_some_and(is_ident_char);
        if before_ok && after_ok {
            return Some(at);
        }
        start = at + word.chars().next().map_or(1, char::len_utf8);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_word_respects_word_boundaries() {
        assert_eq!(find_word("except e as e:", 0, "e"), Some(7));
        assert_eq!(find_word("class AA(A):", 0, "A"), Some(9));
        assert_eq!(find_word("défé = 1", 0, "fé"), None);
        assert_eq!(find_word("x", 5, "x"), None);
    }
}
