//! The terminal rendering: per submission its score, then one line per test with its
//! verdict, points and time, and under a test that failed why (a short diff for a wrong
//! output); a refused submission shows the checker's diagnostics.

use std::fmt::Write as _;

use crate::record::{points, SubmissionRecord, Verdict};

/// The most diagnostics of a refused submission shown.
const MAX_DIAGNOSTICS: usize = 10;

/// The table of `records`, as text for a terminal.
pub fn render(records: &[SubmissionRecord]) -> String {
    let mut out = String::new();
    let width = records
        .iter()
        .flat_map(|r| &r.tests)
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 40);
    for record in records {
        let _ = writeln!(
            out,
            "{}  {}/{}",
            printable(&record.submission),
            points(record.score),
            points(record.max_score)
        );
        if let Some(error) = &record.error {
            let _ = writeln!(out, "  not graded: {error}");
        }
        if let Some(refused) = &record.refused {
            let _ = writeln!(
                out,
                "  refused by the checker: {}",
                printable(&refused.message)
            );
            let items = refused.violations["items"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for item in items.iter().take(MAX_DIAGNOSTICS) {
                let _ = writeln!(
                    out,
                    "    {}:{}:{}: {} {}",
                    record.submission,
                    item["line"],
                    item["column"],
                    item["rule"].as_str().unwrap_or("?"),
                    printable(item["message"].as_str().unwrap_or(""))
                );
            }
            let count = refused.violations["count"].as_u64().unwrap_or(0) as usize;
            if count > MAX_DIAGNOSTICS.min(items.len()) {
                let _ = writeln!(
                    out,
                    "    … {} more",
                    count - MAX_DIAGNOSTICS.min(items.len())
                );
            }
            continue;
        }
        for test in &record.tests {
            let mark = if test.verdict == Verdict::Passed {
                "✓"
            } else {
                "✗"
            };
            let time = test
                .run
                .as_ref()
                .map(|r| format!("{:>7.3} s", r.wall_seconds))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {mark} {:<width$}  {:>5}  {:<14} {time}",
                test.name,
                format!("{}/{}", points(test.points), points(test.max_points)),
                test.verdict.label(),
            );
            if test.verdict == Verdict::Passed {
                continue;
            }
            if let Some(message) = &test.message {
                if !message.is_empty() {
                    let _ = writeln!(out, "      {}", printable(&one_line(message)));
                }
            }
            if let Some(diff) = &test.diff {
                for line in diff.lines() {
                    let _ = writeln!(out, "      {}", printable(line));
                }
            }
        }
    }
    out
}

/// The most characters of a message shown on its line.
const MESSAGE_CHARS: usize = 160;

/// `message` on one line of at most [`MESSAGE_CHARS`] characters.
fn one_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("");
    if line.chars().count() <= MESSAGE_CHARS && !message.contains('\n') {
        line.to_owned()
    } else {
        let mut short: String = line.chars().take(MESSAGE_CHARS).collect();
        short.push('…');
        short
    }
}

/// `text` with every control character (escape sequences included) and every invisible
/// formatting character (bidirectional overrides, line separators, zero-width characters)
/// shown as `\u{..}`: what a submission prints must neither drive the grader's terminal nor
/// reorder what the teacher reads.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_invisible(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that change how text around them is shown without being seen themselves
/// (Unicode's format characters of the bidirectional and zero-width kinds, and the line and
/// paragraph separators).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn invisible_formatting_is_shown_not_applied() {
        assert_eq!(
            super::printable("a\u{202e}b\u{2066}c\u{2028}d\u{200b}"),
            "a\\u{202e}b\\u{2066}c\\u{2028}d\\u{200b}"
        );
        assert_eq!(super::printable("é ü 日本"), "é ü 日本");
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(
            super::printable("ok\u{1b}[2J\u{7}\u{9b}x"),
            "ok\\u{1b}[2J\\u{7}\\u{9b}x"
        );
    }
}
