//! Known Python sandbox-escape techniques, one small program each in the repository's `tests/escapes/`
//! (the sandbox's end-to-end tests run the same files). Each starts with
//! `# expect: R201[, R204 ...]`, the rules that must stop it (the checker must refuse the
//! program and report each named rule), or `# expect: run ...` for programs stopped at run
//! time (the checker must accept them: the runtime wall is the one that stops them).

mod common;

use std::collections::BTreeSet;

#[test]
fn every_escape_program_is_refused_by_its_rules() {
    // The escape programs live in the repository's tests/escapes/, shared with the
    // end-to-end tests that run each one through the repy binary.
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/escapes");
    let mut entries: Vec<_> = std::fs::read_dir(&directory)
        .expect("escapes directory")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    entries.sort();
    assert!(
        entries.len() >= 40,
        "only {} escape programs",
        entries.len()
    );
    let mut failures = Vec::new();
    for path in &entries {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let source = std::fs::read_to_string(path).expect("utf-8 escape program");
        let header = source
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("# expect:"))
            .unwrap_or_else(|| panic!("{name}: first line must be `# expect: ...`"))
            .trim();
        let diagnostics = common::diagnostics(&source, &name);
        if header.starts_with("run ") {
            // Stopped at run time (the sandbox's end-to-end test runs it): the checker must
            // accept it, so the header names the wall that really stops it.
            if !diagnostics.is_empty() {
                let found: Vec<_> = diagnostics.iter().map(|d| d.rule.code()).collect();
                failures.push(format!(
                    "{name}: `{header}` but the checker refuses it: {found:?}"
                ));
            }
            continue;
        }
        let expected: BTreeSet<String> = header
            .split(',')
            .map(|code| code.trim().to_owned())
            .collect();
        let found: BTreeSet<String> = diagnostics
            .iter()
            .map(|d| d.rule.code().to_owned())
            .collect();
        if diagnostics.is_empty() || !expected.is_subset(&found) {
            failures.push(format!("{name}: expected {expected:?}, found {found:?}"));
        }
        assert!(
            !found.iter().any(|code| code.starts_with('E')),
            "{name} does not parse: {found:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
