//! Every escape program of `tests/escapes/` run through the real binary: the checker refuses
//! it (exit 5) naming the rule its header expects, none of it runs (nothing on stdout, the
//! vessel directory unchanged), and its payload left no trace.

use crate::support::{repo_root, Sandbox};

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
        let expected: Vec<String> = source
            .lines()
            .find_map(|l| l.strip_prefix("# expect:"))
            .map(|codes| codes.split(',').map(|c| c.trim().to_string()).collect())
            .unwrap_or_default();
        // A canary the program's own first statement would write if any of it ran.
        let armed = format!("log('RAN')\nopenfile('canary', True).close()\n{source}");
        let sb = Sandbox::new().program(&armed);
        let out = sb.run(&[]);
        let mut problems = Vec::new();
        if out.code() != Some(5) {
            problems.push(format!("exit {:?}, expected 5", out.code()));
        }
        if !out.stdout().is_empty() {
            problems.push("something was printed".to_string());
        }
        if sb.path().join("canary").exists() {
            problems.push("the canary was written".to_string());
        }
        let leftovers: Vec<_> = std::fs::read_dir(sb.path())
            .expect("vessel")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        if !leftovers.is_empty() {
            problems.push(format!("the vessel holds {leftovers:?}"));
        }
        for code in &expected {
            if !out.stderr().contains(&format!(": {code} ")) {
                problems.push(format!("rule {code} not reported"));
            }
        }
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
