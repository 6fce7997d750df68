//! The checker's refusal of a program, as a run prints it and as its report records it.

use pyo3::Python;

/// The most violations the run report lists; the rest are only counted.
pub const MAX_REPORTED_VIOLATIONS: usize = 20;

/// The longest violation message the run report keeps.
const MAX_REPORTED_MESSAGE_CHARS: usize = 500;

/// The violations a refused run prints before the count of the rest.
pub const MAX_VIOLATIONS_SHOWN: usize = 50;

/// Checks `source`: the checked tree to compile when it may run, or the rendered violations.
/// When it is refused, `refused` receives the run report's summary: `message` and
/// `violations` (see [`violations_report`]).
pub fn violations(
    py: Python<'_>,
    source: &str,
    filename: &str,
    options: &safe_check::Options,
    refused: &mut Option<serde_json::Value>,
) -> Result<Option<safe_check::Checked>, String> {
    match safe_check::check_keeping_tree_with(py, source, filename, options) {
        Ok(checked) => Ok(Some(checked)),
        Err(failure) => {
            let diagnostics = failure.diagnostics();
            // The refusal is bounded whatever the program: the first violations, then a count
            // (`repy check` lists them all).
            let shown = diagnostics.len().min(MAX_VIOLATIONS_SHOWN);
            let mut text = safe_check::render_text(&diagnostics[..shown], source, filename);
            if diagnostics.len() > shown {
                text.push_str(&format!(
                    "... and {} more violations (`repy check {filename}` lists them all)\n",
                    diagnostics.len() - shown
                ));
            }
            let summary = match failure {
                safe_check::CheckFailure::Unchecked(_) => {
                    format!("{filename} could not be checked, so none of it ran")
                }
                safe_check::CheckFailure::Unsafe(_) => format!(
                    "{filename} is unsafe: {} violation{}; none of it ran (see `repy explain RULE`)",
                    diagnostics.len(),
                    if diagnostics.len() == 1 { "" } else { "s" }
                ),
            };
            text.push_str(&format!("repy: {summary}\n"));
            *refused = Some(serde_json::json!({
                "message": summary,
                "violations": violations_report(diagnostics, source, filename),
            }));
            Err(text)
        }
    }
}

/// The violations as the run report records them: `count` (all of them) and `items`, the
/// first [`MAX_REPORTED_VIOLATIONS`], each with `rule`, `name`, `line`, `column` (1-based
/// characters) and `message` (bounded).
pub fn violations_report(
    diagnostics: &[safe_check::Diagnostic],
    source: &str,
    filename: &str,
) -> serde_json::Value {
    let shown = &diagnostics[..diagnostics.len().min(MAX_REPORTED_VIOLATIONS)];
    let file = safe_check::CheckedFile {
        diagnostics: shown,
        source,
        filename,
    };
    let items: Vec<serde_json::Value> = safe_check::json_values(&file)
        .iter()
        .map(|d| {
            let message = d["message"].as_str().unwrap_or_default();
            let mut bounded: String = message.chars().take(MAX_REPORTED_MESSAGE_CHARS).collect();
            if bounded.len() < message.len() {
                bounded.push_str("...");
            }
            serde_json::json!({
                "rule": d["code"],
                "name": d["name"],
                "line": d["location"]["row"],
                "column": d["location"]["column"],
                "message": bounded,
            })
        })
        .collect();
    serde_json::json!({"count": diagnostics.len(), "items": items})
}
