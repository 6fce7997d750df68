//! Meta-test: every rule and checker error has its doc page with the required sections,
//! every rule its fixture and its snapshot.

mod common;

use std::path::Path;

const SECTIONS: [&str; 4] = [
    "## What it does",
    "## Why is this forbidden",
    "## Example",
    "## Use instead",
];

#[test]
fn every_rule_has_doc_fixture_and_snapshot() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
    let mut problems = Vec::new();
    for info in safe_check::all_rules() {
        let page = docs.join(format!("{}-{}.md", info.code, info.name));
        match std::fs::read_to_string(&page) {
            Ok(text) => {
                if text != info.doc {
                    problems.push(format!("{}: embedded doc differs from the file", info.code));
                }
                let title = format!("# {} {}\n", info.code, info.name);
                if !text.starts_with(&title) {
                    problems.push(format!(
                        "{}: first line must be `{}`",
                        info.code,
                        title.trim()
                    ));
                }
                for section in SECTIONS {
                    if !text.lines().any(|line| line.trim_end() == section) {
                        problems.push(format!("{}: missing `{section}`", info.code));
                    }
                }
                if text.contains("TODO") {
                    problems.push(format!("{}: doc page still has a TODO", info.code));
                }
            }
            Err(err) => problems.push(format!("{}: {}: {err}", info.code, page.display())),
        }
        if info.kind == safe_check::RuleKind::Rule {
            for required in [
                format!("fixtures/{}.py", info.code),
                format!("snapshots/rules__{}.snap", info.code),
            ] {
                if !common::test_path(&required).exists() {
                    problems.push(format!("{}: missing tests/{required}", info.code));
                }
            }
        }
    }
    let entries = std::fs::read_dir(&docs).expect("docs/rules");
    for entry in entries {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name == "README.md" {
            continue;
        }
        let known = safe_check::all_rules()
            .iter()
            .any(|info| name == format!("{}-{}.md", info.code, info.name));
        if !known {
            problems.push(format!("docs/rules/{name} belongs to no rule"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
