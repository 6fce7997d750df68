//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use safe_check::{CheckFailure, Diagnostic, Options, Profile};

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

/// The diagnostics of a check against `options`.
pub fn diagnostics_with(source: &str, filename: &str, options: &Options) -> Vec<Diagnostic> {
    pyo3::Python::initialize();
    match pyo3::Python::attach(|py| safe_check::check_with(py, source, filename, options)) {
        Ok(()) => Vec::new(),
        Err(failure) => failure.diagnostics().to_vec(),
    }
}

/// The options a test program asks for in its leading comment lines: `# profile: python`
/// and `# modules: math, collections` (RepyV2 and no modules when absent).
pub fn options_of(source: &str) -> Options {
    let mut options = Options::default();
    for line in source.lines().take_while(|line| line.starts_with('#')) {
        if let Some(name) = line.strip_prefix("# profile:") {
            options.profile = Profile::from_name(name.trim())
                .unwrap_or_else(|| panic!("unknown profile in {line:?}"));
        } else if let Some(modules) = line.strip_prefix("# modules:") {
            options.modules = modules
                .split(',')
                .map(|module| module.trim().to_owned())
                .filter(|module| !module.is_empty())
                .collect();
        }
    }
    options
}

/// `(code)` of every diagnostic, as a set.
pub fn codes(diagnostics: &[Diagnostic]) -> BTreeSet<String> {
    diagnostics
        .iter()
        .map(|d| d.rule.code().to_owned())
        .collect()
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
