//! `repy grade`: the worked example of docs/grading.md graded for real (every verdict, one
//! full score), its JSON and JUnit outputs, manifests with problems refused before anything
//! runs, and nothing left behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{repo_root, Sandbox, REPY};

fn example() -> PathBuf {
    repo_root().join("examples/grading")
}

fn submissions() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(example().join("submissions"))
        .expect("the sample submissions")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    paths.sort();
    paths
}

/// Runs `repy grade ARGS...` with its own $TMPDIR (so that anything left in it shows).
fn grade(args: &[&std::ffi::OsStr], tmp: &Path) -> std::process::Output {
    Command::new(REPY)
        .arg("grade")
        .args(args)
        .env("TMPDIR", tmp)
        .output()
        .expect("run repy grade")
}

/// The verdicts every sample submission must get, test by test, in the manifest's order.
const EXPECTED: &[(&str, &[&str])] = &[
    (
        "chatty.py",
        &[
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "wrong-answer",
            "wrong-answer",
            "wrong-answer",
            "output-limit",
            "wrong-answer",
        ],
    ),
    ("correct.py", &["passed"; 10]),
    (
        "crashing.py",
        &[
            "passed", "passed", "passed", "passed", "error", "error", "error", "passed", "error",
            "error",
        ],
    ),
    (
        "greedy_reader.py",
        &[
            "passed", "passed", "passed", "passed", "passed", "error", "error", "error", "error",
            "error",
        ],
    ),
    (
        "memory.py",
        &[
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "memory-limit",
            "passed",
        ],
    ),
    ("refused.py", &["refused"; 10]),
    (
        "slow.py",
        &[
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "passed",
            "time-limit",
            "passed",
        ],
    ),
    (
        "wrong.py",
        &[
            "wrong-answer",
            "passed",
            "passed",
            "passed",
            "wrong-answer",
            "wrong-answer",
            "wrong-answer",
            "wrong-answer",
            "passed",
            "passed",
        ],
    ),
];

#[test]
fn grading_the_worked_example_gives_every_verdict_and_one_full_score() {
    let tmp = tempfile::tempdir().expect("tmp");
    let junit = tmp.path().join("results.xml");
    let manifest = example().join("manifest.toml");
    let subs = submissions();
    assert!(subs.len() >= 8, "{subs:?}");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        manifest.as_os_str(),
        "--json".as_ref(),
        "--junit".as_ref(),
        junit.as_os_str(),
    ];
    args.extend(subs.iter().map(|p| p.as_os_str()));
    let work = tempfile::tempdir().expect("work tmp");
    let output = grade(&args, work.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record per line"))
        .collect();
    // One record per submission, in the order given.
    let names: Vec<String> = records
        .iter()
        .map(|r| {
            let path = r["submission"].as_str().unwrap_or_default();
            Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let expected_names: Vec<&str> = EXPECTED.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, expected_names);
    let mut full_scores = Vec::new();
    for ((name, verdicts), record) in EXPECTED.iter().zip(&records) {
        let got: Vec<&str> = record["tests"]
            .as_array()
            .expect("tests")
            .iter()
            .map(|t| t["verdict"].as_str().unwrap_or("?"))
            .collect();
        assert_eq!(&got, verdicts, "{name}: {record:#}");
        if record["score"] == record["max_score"] {
            full_scores.push(*name);
        }
        // Points follow the verdicts.
        for test in record["tests"].as_array().expect("tests") {
            let passed = test["verdict"] == "passed";
            assert_eq!(
                test["points"] == test["max_points"],
                passed,
                "{name}: {test}"
            );
        }
    }
    assert_eq!(full_scores, ["correct.py"]);
    // Each failing test says why.
    let by_name: BTreeMap<&str, &Value> = names.iter().map(String::as_str).zip(&records).collect();
    let test = |submission: &str, index: usize| by_name[submission]["tests"][index].clone();
    assert_eq!(test("crashing.py", 4)["message"], "KeyError: 'the'");
    assert_eq!(
        test("greedy_reader.py", 5)["message"],
        "EOFError: EOF when reading a line"
    );
    assert!(test("wrong.py", 5)["diff"]
        .as_str()
        .unwrap_or("")
        .contains("-mean 2.00\n+mean 2.0"));
    assert_eq!(
        test("wrong.py", 9)["verdict"],
        "passed",
        "the checker accepts any mean"
    );
    assert!(test("memory.py", 8)["message"]
        .as_str()
        .unwrap_or("")
        .starts_with("memory use"));
    assert!(
        test("slow.py", 8)["run"]["cpu_seconds"]
            .as_f64()
            .unwrap_or(0.0)
            >= 1.0
    );
    // The refused submission: the checker's diagnostics, and nothing ran.
    let refused = by_name["refused.py"];
    let items = refused["refused"]["violations"]["items"]
        .as_array()
        .expect("diagnostics");
    assert_eq!(items[0]["rule"], "R301");
    assert_eq!(
        (items[0]["line"].as_u64(), items[0]["column"].as_u64()),
        (Some(2), Some(8))
    );
    assert!(refused["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .all(|t| t["run"].is_null()));

    // JUnit: one suite per submission, a testcase per test, failures and errors counted.
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report");
    let suites = junit_suites(&xml);
    assert_eq!(suites.len(), EXPECTED.len());
    for ((name, verdicts), suite) in EXPECTED.iter().zip(&suites) {
        assert!(suite.name.ends_with(name), "{}", suite.name);
        assert_eq!(suite.cases, 10);
        let failures = verdicts.iter().filter(|v| **v == "wrong-answer").count();
        let errors = verdicts
            .iter()
            .filter(|v| **v != "wrong-answer" && **v != "passed")
            .count();
        assert_eq!((suite.failures, suite.errors), (failures, errors), "{name}");
        assert_eq!(suite.failure_elements, failures + errors, "{name}");
    }
    // Every test's vessel was removed: nothing of the runs is left in $TMPDIR.
    let left: Vec<_> = std::fs::read_dir(work.path()).expect("tmp").collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

struct Suite {
    name: String,
    cases: usize,
    failures: usize,
    errors: usize,
    failure_elements: usize,
}

/// The `<testsuite>`s of a JUnit document, read with an XML parser.
fn junit_suites(xml: &str) -> Vec<Suite> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites: Vec<Suite> = Vec::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => e.clone(),
            Event::Eof => break,
            _ => continue,
        };
        let attr = |key: &str| {
            element
                .try_get_attribute(key)
                .ok()
                .flatten()
                .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                .unwrap_or_default()
        };
        match element.name().as_ref() {
            b"testsuite" => suites.push(Suite {
                name: attr("name"),
                cases: 0,
                failures: attr("failures").parse().unwrap_or(usize::MAX),
                errors: attr("errors").parse().unwrap_or(usize::MAX),
                failure_elements: 0,
            }),
            b"testcase" => suites.last_mut().expect("a suite").cases += 1,
            b"failure" | b"error" => suites.last_mut().expect("a suite").failure_elements += 1,
            _ => {}
        }
    }
    suites
}

#[test]
fn grading_the_worked_example_prints_a_table() {
    let tmp = tempfile::tempdir().expect("tmp");
    let manifest = example().join("manifest.toml");
    let correct = example().join("submissions/correct.py");
    let wrong = example().join("submissions/wrong.py");
    let output = grade(
        &[manifest.as_os_str(), correct.as_os_str(), wrong.as_os_str()],
        tmp.path(),
    );
    assert_eq!(output.status.code(), Some(0));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("correct.py  12/12"), "{table}");
    assert!(table.contains("wrong.py  6/12"), "{table}");
    assert!(table.contains("✗ add small numbers"), "{table}");
    assert!(table.contains("expected 5, got -1"), "{table}");
}

#[test]
fn grading_refuses_a_manifest_with_problems_listing_every_one_and_runs_nothing() {
    let sb = Sandbox::new();
    let canary = sb.path().join("canary");
    let submission = sb.path().join("sub.py");
    std::fs::write(
        &submission,
        format!(
            "open({:?}, 'w').write('ran')\n",
            canary.display().to_string()
        ),
    )
    .expect("submission");
    let manifest = sb.path().join("manifest.toml");
    std::fs::write(
        &manifest,
        "titel = \"x\"\n\
         [restrictions.resources]\n\
         memroy = \"1 MB\"\n\
         [[test]]\n\
         name = \"a\"\n\
         stdin = \"1\"\n\
         [[test]]\n\
         name = \"a\"\n\
         call = \"f\"\n\
         expected = 1\n\
         wall-time = \"-1 s\"\n\
         [[test]]\n\
         name = \"c\"\n\
         expected = \"x\"\n\
         compare = \"fuzzy\"\n\
         checker = \"missing.py\"\n",
    )
    .expect("manifest");
    let output = grade(&[manifest.as_os_str(), submission.as_os_str()], sb.path());
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let name = manifest.display().to_string();
    for needle in [
        format!("{name}:1:1: error: titel: unknown top-level key (did you mean `title`?)"),
        format!("{name}:3:1: error: memroy: unknown resource (did you mean `memory`?)"),
        format!("{name}:4:1: error: expected: a test needs `expected`"),
        format!("{name}:8:8: error: name: two tests are named \"a\""),
        format!("{name}:11:13: error: wall-time:"),
        format!("{name}:15:11: error: fuzzy: unknown comparison"),
        format!("{name}:16:11: error: checker: \"missing.py\": no such file"),
    ] {
        assert!(stderr.contains(&needle), "missing {needle:?} in:\n{stderr}");
    }
    assert!(output.stdout.is_empty());
    assert!(!canary.exists(), "the submission ran");
}

#[test]
fn grading_jobs_carry_their_manifest_and_files() {
    use base64::Engine as _;
    let encode = |path: &Path| {
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(path).expect("read"))
    };
    let dir = example();
    let mut files = serde_json::Map::new();
    for name in [
        "data/words.txt",
        "data/many.in",
        "data/many.out",
        "checker.py",
    ] {
        files.insert(name.into(), Value::String(encode(&dir.join(name))));
    }
    let document = serde_json::json!({
        "id": "grade-1",
        "kind": "grade",
        "manifest": std::fs::read_to_string(dir.join("manifest.toml")).expect("manifest"),
        "files": files,
        "submission": {
            "name": "correct.py",
            "source": std::fs::read_to_string(dir.join("submissions/correct.py")).expect("sub"),
        },
    });
    let mut child = Command::new(REPY)
        .arg("job")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("repy job");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(document.to_string().as_bytes())
            .expect("write");
    }
    let output = child.wait_with_output().expect("repy job");
    assert_eq!(output.status.code(), Some(0));
    let result: Value = serde_json::from_slice(&output.stdout).expect("result");
    assert_eq!(result["id"], "grade-1");
    assert_eq!(result["grade"]["score"], 12.0, "{result:#}");
    assert_eq!(result["grade"]["max_score"], 12.0);
}

#[test]
fn grading_refuses_links_out_of_the_manifests_directory_and_unreadable_manifests() {
    let sb = Sandbox::new();
    let course = sb.path().join("course");
    std::fs::create_dir(&course).expect("course dir");
    let secret = sb.path().join("secret.txt");
    std::fs::write(&secret, "the answers").expect("secret");
    std::os::unix::fs::symlink(&secret, course.join("data.txt")).expect("link");
    let submission = sb.path().join("sub.py");
    std::fs::write(&submission, "print(open('data.txt').read())\n").expect("submission");
    let manifest = course.join("manifest.toml");
    std::fs::write(
        &manifest,
        "files = [\"data.txt\"]\n[[test]]\nname = \"t\"\nexpected = \"x\"\n",
    )
    .expect("manifest");
    let output = grade(&[manifest.as_os_str(), submission.as_os_str()], sb.path());
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(":1:10: error: files: \"data.txt\": leads out of the manifest's directory"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("the answers"));

    std::fs::write(&manifest, b"title = \"ok\"\n# caf\xe9\n").expect("manifest");
    let output = grade(&[manifest.as_os_str(), submission.as_os_str()], sb.path());
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(":2:6: error: the manifest is not UTF-8 text"),
        "{stderr}"
    );
}
