//! The python profile's acceptance corpus (issue 13): ordinary Python 3 programs under
//! `tests/python-corpus/`, each `NAME.py` with its standard input `NAME.in`. Every program runs
//! under a `profile = "python"` policy through the real `repy` binary with `--stdin NAME.in`,
//! and its standard output must be byte for byte what bare CPython 3.11 (the interpreter repy
//! links, `python -I -S`) prints on the same input.
//!
//! A program that imports modules has a sidecar `NAME.modules`, one module name per line (blank
//! lines ignored), and runs with those names as the policy's `[python] modules = [...]`; a
//! program without one runs under [`POLICY`] alone, where it may import nothing. Bare CPython
//! runs every program unchanged.
//!
//! Programs the profile cannot run yet live in `tests/python-corpus/pending/`, each listed in
//! its `README.md` with what blocks it (a checker rule id or a missing piece). They are not
//! weakened to pass: [`python_corpus_pending_programs_still_fail`] asserts each still fails,
//! so a program that starts passing must move up into the corpus, and the list only shrinks.

use std::path::{Path, PathBuf};

use crate::support::{repo_root, RunOutput, Sandbox};

/// The policy every corpus program runs under: the python profile with room to compute.
const POLICY: &str = "profile = \"python\"\n\n[resources]\ncpu = 1.0\nmemory = \"200 MB\"\n\
                      stdin = \"1 MB\"\nstdinrate = \"1 MB/s\"\n";

/// [`POLICY`] with `modules` as its `[python] modules` (just [`POLICY`] when there are none).
fn policy_with(modules: &[String]) -> String {
    if modules.is_empty() {
        return POLICY.to_owned();
    }
    let quoted: Vec<String> = modules.iter().map(|m| format!("{m:?}")).collect();
    format!("{POLICY}\n[python]\nmodules = [{}]\n", quoted.join(", "))
}

/// The module names in `program`'s sidecar `NAME.modules`, or none when it has no such file.
fn modules_of(program: &Path) -> Vec<String> {
    let sidecar = program.with_extension("modules");
    if !sidecar.exists() {
        return Vec::new();
    }
    std::fs::read_to_string(&sidecar)
        .unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()))
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

fn corpus_dir() -> PathBuf {
    repo_root().join("tests/python-corpus")
}

/// The `*.py` files directly in `dir`, sorted.
fn programs_in(dir: &Path) -> Vec<PathBuf> {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    programs.sort();
    programs
}

fn name_of(program: &Path) -> String {
    program
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("utf-8 file name")
        .to_owned()
}

/// What bare CPython 3.11 prints for `program` on `input`, run in a fresh directory of its
/// own as repy runs it in a vessel of its own (so the files a program writes land neither in
/// the repository nor in another run's way); panics unless the program succeeds there (a
/// corpus program must be valid Python that finishes).
fn bare_cpython(program: &Path, input: &Path) -> String {
    let stdin = std::fs::File::open(input).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let cwd = tempfile::Builder::new()
        .prefix("repy-corpus-cpython-")
        .tempdir()
        .expect("create temp dir");
    crate::support::cpython_stdout(
        crate::support::bare_cpython()
            .current_dir(cwd.path())
            .arg(program)
            .stdin(stdin),
        None,
    )
}

/// Runs `program` under the python profile, with the modules its `.modules` file lists, and
/// `--stdin` its `.in` file.
fn run_under_repy(program: &Path, input: &Path) -> RunOutput {
    let source =
        std::fs::read_to_string(program).unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    Sandbox::new()
        .restrictions(&policy_with(&modules_of(program)))
        .program(&source)
        .option("--stdin")
        .option(input.to_str().expect("utf-8 path"))
        .run(&[])
}

/// Runs one program both ways; `None` when repy finished and printed what CPython printed,
/// otherwise a description of the difference.
fn compare(program: &Path) -> Option<String> {
    let input = program.with_extension("in");
    assert!(
        input.is_file(),
        "{} has no standard input file {}",
        program.display(),
        input.display()
    );
    let expected = bare_cpython(program, &input);
    let out = run_under_repy(program, &input);
    if out.code() == Some(0) && out.stdout() == expected {
        return None;
    }
    Some(format!(
        "=== {} (repy {}) ===\n--- expected (CPython) ---\n{}\n--- got (repy) ---\n{}\n--- repy stderr ---\n{}",
        name_of(program),
        out.output.status,
        clip(&expected),
        clip(&out.stdout()),
        clip(&out.stderr()),
    ))
}

/// At most the last 3000 bytes of `text` (on a character boundary).
fn clip(text: &str) -> String {
    const MAX: usize = 3000;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut start = text.len() - MAX;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[... {start} bytes]{}", &text[start..])
}

/// Every corpus program prints under the python profile exactly what bare CPython prints.
#[test]
fn python_corpus_programs_print_what_cpython_prints() {
    let programs = programs_in(&corpus_dir());
    assert!(
        programs.len() >= 40,
        "the corpus has {} programs",
        programs.len()
    );
    let failures: Vec<String> = programs.iter().filter_map(|p| compare(p)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus programs differ from CPython:\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n")
    );
}

/// The pending programs named in `pending/README.md` (lines "- `NAME.py`: cause").
fn pending_list() -> Vec<(String, String)> {
    let path = corpus_dir().join("pending/README.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|line| line.strip_prefix("- `"))
        .map(|rest| {
            let (file, cause) = rest.split_once("`:").expect("- `NAME.py`: cause");
            (file.to_owned(), cause.trim().to_owned())
        })
        .collect()
}

/// Each pending program is listed with its cause, and still fails under the python profile
/// (when one passes, move it into the corpus and drop its line).
#[test]
fn python_corpus_pending_programs_still_fail() {
    let dir = corpus_dir().join("pending");
    let listed = pending_list();
    let mut files: Vec<String> = programs_in(&dir)
        .iter()
        .map(|p| format!("{}.py", name_of(p)))
        .collect();
    files.sort();
    let mut names: Vec<String> = listed.iter().map(|(f, _)| f.clone()).collect();
    names.sort();
    assert_eq!(
        names, files,
        "pending/README.md must list exactly the pending programs"
    );
    for (file, cause) in &listed {
        assert!(!cause.is_empty(), "{file} is listed without its cause");
    }
    let now_passing: Vec<String> = listed
        .iter()
        .filter(|(file, _)| compare(&dir.join(file)).is_none())
        .map(|(file, cause)| format!("{file} (was: {cause})"))
        .collect();
    assert!(
        now_passing.is_empty(),
        "these pending programs now print what CPython prints; move them into \
         tests/python-corpus/: {}",
        now_passing.join(", ")
    );
}
