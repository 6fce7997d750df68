//! File-driven cases: every `tests/cases/**/*.py` is a program whose header states what a run
//! of it must produce, so adding a case means adding a file.
//!
//! The header is the leading run of lines starting with `#! `; together they are a TOML
//! document with these keys (all optional):
//!
//! | key | meaning |
//! |---|---|
//! | `exit` | expected exit code (default 0) |
//! | `stdout` | exact standard output |
//! | `stdout-contains`, `stderr-contains` | substrings that must appear |
//! | `stderr-lacks`, `stdout-lacks` | substrings that must not appear |
//! | `restrictions` | a file under `tests/restrictions/` (default: a permissive policy) |
//! | `args` | the program's arguments |
//! | `files` | files to create in the vessel directory first (`name = "contents"`) |
//! | `absent-files` | files that must not exist after the run (canaries) |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{repo_root, Sandbox};

/// The expectations of one case.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Expect {
    #[serde(default)]
    exit: i32,
    stdout: Option<String>,
    #[serde(default)]
    stdout_contains: Vec<String>,
    #[serde(default)]
    stderr_contains: Vec<String>,
    #[serde(default)]
    stdout_lacks: Vec<String>,
    #[serde(default)]
    stderr_lacks: Vec<String>,
    restrictions: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, String>,
    #[serde(default)]
    absent_files: Vec<String>,
}

fn parse_header(path: &Path, source: &str) -> Expect {
    let header: String = source
        .trim_start_matches('\u{feff}')
        .lines()
        .take_while(|l| l.starts_with("#!"))
        .map(|l| format!("{}\n", l.trim_start_matches("#!").trim_start()))
        .collect();
    toml::from_str(&header).unwrap_or_else(|e| panic!("{}: bad case header: {e}", path.display()))
}

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read cases dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            case_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

/// Runs one case; returns a description of every unmet expectation.
fn run_case(path: &Path) -> Result<(), String> {
    let source = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let expect = parse_header(path, &source);
    let mut sandbox = Sandbox::new().program(&source);
    if let Some(name) = &expect.restrictions {
        let text = std::fs::read_to_string(repo_root().join("tests/restrictions").join(name))
            .map_err(|e| format!("{}: restrictions {name}: {e}", path.display()))?;
        sandbox = sandbox.restrictions(&text);
    }
    for (name, contents) in &expect.files {
        sandbox = sandbox.file(name, contents);
    }
    let args: Vec<&str> = expect.args.iter().map(String::as_str).collect();
    let out = sandbox.run(&args);
    let mut problems = Vec::new();
    if out.code() != Some(expect.exit) {
        problems.push(format!(
            "exit code {:?}, expected {}",
            out.code(),
            expect.exit
        ));
    }
    if let Some(stdout) = &expect.stdout {
        if &out.stdout() != stdout {
            problems.push(format!("stdout {:?}, expected {:?}", out.stdout(), stdout));
        }
    }
    for needle in &expect.stdout_contains {
        if !out.stdout().contains(needle.as_str()) {
            problems.push(format!("stdout lacks {needle:?}"));
        }
    }
    for needle in &expect.stderr_contains {
        if !out.stderr().contains(needle.as_str()) {
            problems.push(format!("stderr lacks {needle:?}"));
        }
    }
    for needle in &expect.stdout_lacks {
        if out.stdout().contains(needle.as_str()) {
            problems.push(format!("stdout contains {needle:?}"));
        }
    }
    for needle in &expect.stderr_lacks {
        if out.stderr().contains(needle.as_str()) {
            problems.push(format!("stderr contains {needle:?}"));
        }
    }
    for name in &expect.absent_files {
        if sandbox.path().join(name).exists() {
            problems.push(format!("file {name:?} exists after the run"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "case {}:\n  {}\n{}",
            path.display(),
            problems.join("\n  "),
            out.explain()
        ))
    }
}

#[test]
fn cases_all_meet_their_expectations() {
    let mut files = Vec::new();
    case_files(&repo_root().join("tests/cases"), &mut files);
    assert!(!files.is_empty(), "no cases found under tests/cases");
    // Cases are independent (each has its own vessel directory and its own ports), so they
    // run four at a time; most of their time is spent sleeping or waiting on the sandbox.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = files.get(index) else { break };
                if let Err(failure) = run_case(path) {
                    failures
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(failure);
                }
            });
        }
    });
    let mut failures = failures
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    println!("{} cases passed", files.len());
}
