//! The static checker as the binary uses it: before a run, and as `repy check` / `repy explain`.

use std::path::PathBuf;

use pyo3::Python;

use crate::cli::Format;
use crate::exit::ExitStatus;
use engine::ProgramReadError;

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
            let (source, diagnostics) = match engine::read_program(path) {
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
