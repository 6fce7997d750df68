//! Diagnostics as text (rustc/ruff style), JSON and SARIF 2.1.0.
//!
//! Spans arrive as CPython's 1-based lines and 0-based UTF-8 byte offsets; this is the one
//! place they become 1-based *character* columns (end columns exclusive: one past the last
//! character).

use serde::Serialize;

use crate::rules::{all_rules, RuleKind};
use crate::source::LineIndex;
use crate::Diagnostic;

/// 1-based line and character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
struct Location {
    row: u32,
    column: u32,
}

/// Character positions of a diagnostic.
struct Resolved {
    start: Location,
    end: Location,
}

fn resolve(lines: &LineIndex<'_>, diagnostic: &Diagnostic) -> Resolved {
    let span = diagnostic.span;
    let last = u32::try_from(lines.line_count()).unwrap_or(u32::MAX);
    let location = |line: u32, byte_col: u32| {
        let row = line.clamp(1, last);
        let column = u32::try_from(lines.char_col(row, byte_col)).unwrap_or(u32::MAX);
        Location {
            row,
            column: column.saturating_add(1),
        }
    };
    let start = location(span.start.line, span.start.byte_col);
    let mut end = location(span.end.line, span.end.byte_col);
    if (end.row, end.column) < (start.row, start.column) {
        end = start;
    }
    Resolved { start, end }
}

/// Longest source line shown whole in text output; longer lines are cut around the span.
const MAX_SHOWN_CHARS: usize = 120;

/// `c` as shown in text output: control characters and bidirectional-text controls (which
/// could make the shown line read differently from what the parser saw) become `\u{FFFD}`.
fn printable(c: char) -> char {
    let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if (c.is_control() && c != '\t') || bidi {
        '\u{FFFD}'
    } else {
        c
    }
}

/// Every diagnostic as `file:line:col: CODE message`, the source line and carets under the
/// span (up to the end of its first line), one blank line after each. An `E902` (unreadable
/// file) has no source, so no source line.
pub fn render_text(diagnostics: &[Diagnostic], source: &str, filename: &str) -> String {
    let lines = LineIndex::new(source);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let Resolved { start, .. } = resolve(&lines, diagnostic);
        let code = diagnostic.rule.code();
        let message: String = diagnostic.message.chars().map(printable).collect();
        out.push_str(&format!(
            "{filename}:{}:{}: {code} {message}\n",
            start.row, start.column
        ));
        if diagnostic.rule == crate::RuleId::E902 {
            // The file could not be read: there is no source line to show.
            out.push('\n');
            continue;
        }
        let text = lines.line(start.row);
        let number = start.row.to_string();
        let gutter = " ".repeat(number.len());
        let first =
            crate::source::floor_char_boundary(text, diagnostic.span.start.byte_col as usize);
        let last = if diagnostic.span.end.line == diagnostic.span.start.line {
            crate::source::floor_char_boundary(text, diagnostic.span.end.byte_col as usize)
        } else {
            text.len()
        };
        // Long lines are shown as a window around the span (work per diagnostic stays
        // bounded by the window, whatever the line length).
        let low = if lines.line_chars(start.row) <= MAX_SHOWN_CHARS {
            0
        } else {
            crate::source::floor_char_boundary(text, first.saturating_sub(MAX_SHOWN_CHARS / 4))
        };
        let high = text[low..]
            .char_indices()
            .nth(MAX_SHOWN_CHARS)
            .map_or(text.len(), |(offset, _)| low + offset);
        let mut shown = String::new();
        let mut indent = String::new();
        if low > 0 {
            shown.push('…');
            indent.push(' ');
        }
        shown.extend(text[low..high].chars().map(printable));
        if high < text.len() {
            shown.push('…');
        }
        indent.extend(text[low..first.clamp(low, high)].chars().map(|c| {
            if c == '\t' {
                '\t'
            } else {
                ' '
            }
        }));
        let width = text[first.min(high)..last.clamp(first.min(high), high)]
            .chars()
            .count()
            .max(1);
        out.push_str(&format!("{gutter} |\n"));
        out.push_str(&format!("{number} | {shown}\n"));
        out.push_str(&format!("{gutter} | {indent}{}\n\n", "^".repeat(width)));
    }
    out
}

/// One diagnostic in `--format json` (field names are a stable interface: see
/// `docs/rules/README.md`).
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    message: &'a str,
    filename: &'a str,
    location: Location,
    end_location: Location,
    url: String,
}

/// One checked program, as the renderers take it.
#[derive(Debug, Clone, Copy)]
pub struct CheckedFile<'a> {
    /// Its diagnostics (empty when clean).
    pub diagnostics: &'a [Diagnostic],
    /// Its source text (positions are resolved against it).
    pub source: &'a str,
    /// The name it is reported under.
    pub filename: &'a str,
}

/// One JSON value per diagnostic of `file`: `code, name, message, filename,
/// location{row,column}, end_location{row,column}, url`.
pub fn json_values(file: &CheckedFile<'_>) -> Vec<serde_json::Value> {
    let lines = LineIndex::new(file.source);
    file.diagnostics
        .iter()
        .map(|diagnostic| {
            let Resolved { start, end } = resolve(&lines, diagnostic);
            let record = JsonDiagnostic {
                code: diagnostic.rule.code(),
                name: diagnostic.rule.name(),
                message: &diagnostic.message,
                filename: file.filename,
                location: start,
                end_location: end,
                url: diagnostic.rule.url(),
            };
            serde_json::to_value(record).unwrap_or(serde_json::Value::Null)
        })
        .collect()
}

/// One JSON array with every diagnostic of every file, in order.
pub fn render_json_files(files: &[CheckedFile<'_>]) -> String {
    let records: Vec<serde_json::Value> = files.iter().flat_map(json_values).collect();
    serde_json::to_string_pretty(&records).unwrap_or_else(|_| "[]".to_owned())
}

/// A JSON array with one object per diagnostic of one file (see [`json_values`]).
pub fn render_json(diagnostics: &[Diagnostic], source: &str, filename: &str) -> String {
    render_json_files(&[CheckedFile {
        diagnostics,
        source,
        filename,
    }])
}

/// The SARIF results of one file.
fn sarif_results(file: &CheckedFile<'_>) -> Vec<serde_json::Value> {
    let lines = LineIndex::new(file.source);
    let uri = percent_encode(file.filename);
    file.diagnostics
        .iter()
        .map(|diagnostic| {
            let Resolved { start, end } = resolve(&lines, diagnostic);
            serde_json::json!({
                "ruleId": diagnostic.rule.code(),
                "ruleIndex": diagnostic.rule as usize,
                "level": "error",
                "message": { "text": diagnostic.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": start.row,
                            "startColumn": start.column,
                            "endLine": end.row,
                            "endColumn": end.column,
                        }
                    }
                }],
            })
        })
        .collect()
}

/// A SARIF 2.1.0 log with one run over every file: the registry as `tool.driver.rules` and
/// one result per diagnostic. Columns are counted in Unicode code points (`columnKind`).
pub fn render_sarif_files(files: &[CheckedFile<'_>]) -> String {
    let rules: Vec<serde_json::Value> = all_rules()
        .iter()
        .map(|info| {
            serde_json::json!({
                "id": info.code,
                "name": info.name,
                "shortDescription": { "text": info.summary },
                "fullDescription": { "text": info.summary },
                "help": { "text": info.doc, "markdown": info.doc },
                "helpUri": info.id.url(),
                "defaultConfiguration": { "level": "error" },
                "properties": {
                    "kind": match info.kind { RuleKind::Rule => "rule", RuleKind::Error => "error" }
                },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = files.iter().flat_map(sarif_results).collect();
    let log = serde_json::json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "repy-safe-check",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_owned())
}

/// A SARIF 2.1.0 log for one file (see [`render_sarif_files`]).
pub fn render_sarif(diagnostics: &[Diagnostic], source: &str, filename: &str) -> String {
    render_sarif_files(&[CheckedFile {
        diagnostics,
        source,
        filename,
    }])
}

/// Percent-encodes what a URI reference may not hold as is.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The one-line text for a virtual namespace's
/// `CodeUnsafeError("Code failed safety check! Error: " + text)`: the first diagnostic as
/// `R201 (dunder-attribute) at line 3, column 8: attribute `__class__` contains `__``,
/// followed by ` (and N more)` when there are others. Empty for no diagnostics.
pub fn first_violation_text(diagnostics: &[Diagnostic], source: &str) -> String {
    let Some(first) = diagnostics.first() else {
        return String::new();
    };
    let lines = LineIndex::new(source);
    let Resolved { start, .. } = resolve(&lines, first);
    let more = match diagnostics.len() - 1 {
        0 => String::new(),
        n => format!(" (and {n} more)"),
    };
    format!(
        "{} ({}) at line {}, column {}: {}{more}",
        first.rule.code(),
        first.rule.name(),
        start.row,
        start.column,
        first.message
    )
}
