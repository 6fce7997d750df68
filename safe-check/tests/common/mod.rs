//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use safe_check::{CheckFailure, Diagnostic};

/// `safe-check/tests/<relative>`.
pub fn test_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(relative)
}

/// Reads a test file as UTF-8.
pub fn read(relative: &str) -> String {
    let path = test_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Runs the checker with an initialised interpreter.
pub fn check(source: &str, filename: &str) -> Result<(), CheckFailure> {
    pyo3::Python::initialize();
    pyo3::Python::attach(|py| safe_check::check(py, source, filename))
}

/// The diagnostics of a check (empty when the source passes).
pub fn diagnostics(source: &str, filename: &str) -> Vec<Diagnostic> {
    match check(source, filename) {
        Ok(()) => Vec::new(),
        Err(failure) => failure.diagnostics().to_vec(),
    }
}

/// `(line, code)` of every diagnostic.
pub fn line_codes(diagnostics: &[Diagnostic]) -> BTreeSet<(u32, String)> {
    diagnostics
        .iter()
        .map(|d| (d.span.start.line, d.rule.code().to_owned()))
        .collect()
}

/// Markers of a fixture: `# error: R201, R204` lines (expected diagnostics) and `# ok`
/// lines (which must pass).
pub struct Markers {
    /// Expected `(line, code)`.
    pub expected: BTreeSet<(u32, String)>,
    /// Lines marked `# ok`.
    pub ok_lines: Vec<u32>,
}

/// Reads the markers of a fixture.
pub fn markers(source: &str) -> Markers {
    let mut expected = BTreeSet::new();
    let mut ok_lines = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let number = u32::try_from(index + 1).expect("line number");
        if let Some((_, codes)) = line.split_once("# error:") {
            for code in codes.split(',') {
                expected.insert((number, code.trim().to_owned()));
            }
        } else if line.trim_end().ends_with("# ok") {
            ok_lines.push(number);
        }
    }
    Markers { expected, ok_lines }
}
