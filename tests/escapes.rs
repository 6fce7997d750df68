//! Every escape program of `tests/escapes/` run through the real binary. Its first line names
//! the wall that stops it:
//!
//! * `# expect: R201[, R204 ...]`: the checker. It refuses the program (exit 5) naming those
//!   rules, none of it runs (nothing on stdout, the vessel directory unchanged), and its
//!   payload left no trace.
//! * `# expect: run <Exception>`: the runtime. The checker accepts the program (RepyV2 did
//!   too); it runs under a wall-time limit and ends with that uncaught exception (exit 6),
//!   raised by the sandbox's builtins, its API or the interpreter.
//! * `# expect: run finished`: the runtime, for programs whose attempt happens after their
//!   end (finalizers) or is absorbed (a finalizer's exception): the run ends normally (exit
//!   0).
//!
//! A runtime escape prints `ESCAPED` (or creates a file) when its attempt works: stdout must
//! not contain `ESCAPED`, the vessel directory must stay empty, and standard error must stay
//! small (a program cannot make the sandbox write unbounded text for it).

use crate::support::{repo_root, Sandbox};

/// The policy runtime escapes run under: a deadlock or a loop ends by the wall-time limit.
const RUNTIME_POLICY: &str =
    "[resources]\ncpu = 1.0\nmemory = \"200 MB\"\ndiskused = \"100 MB\"\nevents = 10\nwall-time = \"30 s\"\n";

/// The most standard error a runtime escape may cause.
const MAX_STDERR: usize = 64 * 1024;

/// What stops an escape program, from its first line.
enum Wall {
    /// Checker rules.
    Checker(Vec<String>),
    /// An uncaught exception at run time (`None`: the run finishes normally).
    Runtime(Option<String>),
}

fn wall_of(source: &str) -> Wall {
    let header = source
        .lines()
        .find_map(|l| l.strip_prefix("# expect:"))
        .unwrap_or_default()
        .trim();
    match header.strip_prefix("run ") {
        Some("finished") => Wall::Runtime(None),
        Some(exception) => Wall::Runtime(Some(exception.trim().to_string())),
        None => Wall::Checker(header.split(',').map(|c| c.trim().to_string()).collect()),
    }
}

fn vessel_leftovers(sb: &Sandbox) -> Vec<std::ffi::OsString> {
    std::fs::read_dir(sb.path())
        .expect("vessel")
        .flatten()
        .map(|e| e.file_name())
        .collect()
}

#[test]
fn escapes_are_all_refused_before_anything_runs() {
    let dir = repo_root().join("tests/escapes");
    let mut programs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/escapes")
        .flatten()
        .map(|e| e.path())
        .collect();
    programs.retain(|p| p.extension().is_some_and(|e| e == "py"));
    programs.sort();
    assert!(
        programs.len() >= 40,
        "expected at least 40 escape programs, found {}",
        programs.len()
    );
    let mut failures = Vec::new();
    for path in &programs {
        let source = std::fs::read_to_string(path).expect("read escape");
        let mut problems = Vec::new();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let out = match wall_of(&source) {
            Wall::Checker(expected) => {
                // A canary the program's own first statement would write if any of it ran.
                let armed = format!("log('RAN')\nopenfile('canary', True).close()\n{source}");
                let sb = Sandbox::new().program(&armed);
                let out = sb.run(&[]);
                if out.code() != Some(5) {
                    problems.push(format!("exit {:?}, expected 5", out.code()));
                }
                if !out.stdout().is_empty() {
                    problems.push("something was printed".to_string());
                }
                if sb.path().join("canary").exists() {
                    problems.push("the canary was written".to_string());
                }
                let leftovers = vessel_leftovers(&sb);
                if !leftovers.is_empty() {
                    problems.push(format!("the vessel holds {leftovers:?}"));
                }
                for code in &expected {
                    if !out.stderr().contains(&format!(": {code} ")) {
                        problems.push(format!("rule {code} not reported"));
                    }
                }
                println!("{name}: stopped by the checker ({})", expected.join(", "));
                out
            }
            Wall::Runtime(exception) => {
                let sb = Sandbox::new().restrictions(RUNTIME_POLICY).program(&source);
                let out = sb.run(&[]);
                let expected_code = if exception.is_some() { 6 } else { 0 };
                if out.code() != Some(expected_code) {
                    problems.push(format!("exit {:?}, expected {expected_code}", out.code()));
                }
                if out.stdout().contains("ESCAPED") {
                    problems.push("the attempt worked (ESCAPED printed)".to_string());
                }
                let leftovers = vessel_leftovers(&sb);
                if !leftovers.is_empty() {
                    problems.push(format!("the vessel holds {leftovers:?}"));
                }
                if out.stderr().len() > MAX_STDERR {
                    problems.push(format!("{} bytes on stderr", out.stderr().len()));
                }
                match &exception {
                    Some(exception) => {
                        if !out.stderr().contains(&format!("{exception}'): ")) {
                            problems.push(format!("{exception} not the uncaught exception"));
                        }
                        println!("{name}: stopped at run time ({exception})");
                    }
                    None => println!("{name}: stopped at run time (the run finishes)"),
                }
                out
            }
        };
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n{}",
                path.display(),
                problems.join("; "),
                out.explain()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} escapes not stopped as expected:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{} escape programs refused", programs.len());
}
