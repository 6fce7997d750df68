//! The static checker as the binary uses it: before a run, and as `repy check` / `repy explain`.

use std::path::PathBuf;

use pyo3::Python;

use crate::cli::Format;
use crate::exit::ExitStatus;
use crate::run::ProgramReadError;

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
    refused: &mut Option<serde_json::Value>,
) -> Result<Option<safe_check::Checked>, String> {
    match safe_check::check_keeping_tree(py, source, filename) {
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

/// `repy check`: checks every program and prints every violation, in one document for JSON
/// and SARIF. Exits 0 when all are clean, 7 (`program-unreadable`) when a file cannot be read
/// (an `E902` diagnostic) or is not UTF-8, else 5 when any has a violation.
pub fn check_files(programs: &[PathBuf], format: Format) -> ExitStatus {
    if let Err(err) = api::interpreter::initialize_complete() {
        eprintln!("repy: internal error: {err}");
        return ExitStatus::InternalError;
    }
    let mut status = ExitStatus::Finished;
    // Every file's diagnostics with its source and name, rendered together at the end (JSON
    // and SARIF are one document over all files).
    let mut checked: Vec<(Vec<safe_check::Diagnostic>, String, String)> = Vec::new();
    Python::attach(|py| {
        for path in programs {
            let filename = path.display().to_string();
            let (source, diagnostics) = match crate::run::read_program(path) {
                Ok(source) => {
                    let diagnostics = match safe_check::check(py, &source, &filename) {
                        Ok(()) => Vec::new(),
                        Err(failure) => failure.diagnostics().to_vec(),
                    };
                    if !diagnostics.is_empty() && status == ExitStatus::Finished {
                        status = ExitStatus::Unsafe;
                    }
                    (source, diagnostics)
                }
                // A file that cannot be read as a program (missing, a directory, too large,
                // not UTF-8) is a diagnostic in every format (E902), so that no output, JSON
                // and SARIF included, looks clean.
                Err(err) => {
                    status = ExitStatus::ProgramUnreadable;
                    if format != Format::Text {
                        eprintln!("repy: {err}");
                    }
                    let message = match &err {
                        ProgramReadError::Io { source, .. } => {
                            format!("cannot read the program file: {source}")
                        }
                        other => other.to_string(),
                    };
                    (
                        String::new(),
                        vec![safe_check::Diagnostic::io_error(message)],
                    )
                }
            };
            if format == Format::Text {
                print!(
                    "{}",
                    safe_check::render_text(&diagnostics, &source, &filename)
                );
            }
            checked.push((diagnostics, source, filename));
        }
    });
    let files: Vec<safe_check::CheckedFile<'_>> = checked
        .iter()
        .map(|(diagnostics, source, filename)| safe_check::CheckedFile {
            diagnostics,
            source,
            filename,
        })
        .collect();
    match format {
        Format::Text => {
            if status == ExitStatus::Finished {
                eprintln!(
                    "repy: {} program{} checked, no violations",
                    programs.len(),
                    if programs.len() == 1 { "" } else { "s" }
                );
            }
        }
        Format::Json => println!("{}", safe_check::render_json_files(&files)),
        Format::Sarif => println!("{}", safe_check::render_sarif_files(&files)),
    }
    status
}

/// `repy explain [RULE]`: prints a rule's documentation, or lists every rule.
pub fn explain(rule: Option<&str>) -> ExitStatus {
    match rule {
        None => {
            for info in safe_check::all_rules() {
                println!("{}  {:<28} {}", info.code, info.name, info.summary);
            }
            ExitStatus::Finished
        }
        Some(rule) => match safe_check::explain(rule) {
            Some(doc) => {
                print!("{doc}");
                ExitStatus::Finished
            }
            None => {
                eprintln!("repy: no rule named '{rule}' (run `repy explain` for the list)");
                ExitStatus::Usage
            }
        },
    }
}
