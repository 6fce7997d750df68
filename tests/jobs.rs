//! `repy job`: one job document in, one result document out, as the queue workers run
//! each job. Bad documents are refused with their id and exit 4, never run.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::{Sandbox, REPY};

/// Runs `repy job` with `document` on its standard input; the exit code and the result.
fn job(sb: &Sandbox, document: &str) -> (i32, Value) {
    job_with(sb, document, &[])
}

/// [`job`] with more arguments (`--policy CEILING`).
fn job_with(sb: &Sandbox, document: &str, args: &[&str]) -> (i32, Value) {
    let mut child = Command::new(REPY)
        .arg("job")
        .args(args)
        .current_dir(sb.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn repy job");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(document.as_bytes())
        .expect("write the document");
    let output = child.wait_with_output().expect("repy job");
    let text = String::from_utf8_lossy(&output.stdout);
    let result = serde_json::from_str(text.trim()).unwrap_or_else(|err| {
        panic!(
            "the result is not JSON ({err}): {text}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), result)
}

#[test]
fn jobs_run_reads_its_stdin_and_places_its_files_in_a_fresh_vessel() {
    let sb = Sandbox::new();
    let document = json!({
        "id": "job-1",
        "kind": "run",
        "source": "print(input() * 2)\nprint(open('data.txt').read())\nopen('made.txt', 'w').write('x')",
        "stdin": "ab\n",
        // "hello" in base64.
        "files": {"data.txt": "aGVsbG8="},
    });
    let (code, result) = job(&sb, &document.to_string());
    assert_eq!(code, 0, "{result}");
    assert_eq!(result["id"], "job-1");
    assert_eq!(result["kind"], "run");
    let outcome = &result["outcome"];
    assert_eq!(outcome["verdict"], "finished", "{outcome}");
    assert_eq!(outcome["stdout"], "abab\nhello\n");
    // The vessel was a fresh one, removed afterwards: nothing reached the caller's directory.
    assert!(!sb.path().join("made.txt").exists());
    let vessel = outcome["report"]["vessel"]["path"]
        .as_str()
        .expect("vessel path");
    assert!(
        !std::path::Path::new(vessel).exists(),
        "{vessel} left behind"
    );
}

#[test]
fn jobs_call_and_batch_return_values_and_each_call_its_own_verdict() {
    let sb = Sandbox::new();
    let source = "def add(a, b=0):\n    return a + b\n";
    let (code, result) = job(
        &sb,
        &json!({"id": 2, "kind": "run", "mode": "call", "source": source,
                "function": "add", "args": [1], "kwargs": {"b": 2}})
        .to_string(),
    );
    assert_eq!(code, 0, "{result}");
    assert_eq!(result["outcome"]["value"], 3);
    let (code, result) = job(
        &sb,
        &json!({"id": 3, "kind": "batch", "source": source, "calls": [
            {"function": "add", "args": [1, 2]},
            {"function": "add", "args": ["a", 1]},
            {"function": "add", "args": [[1], [2]]},
        ]})
        .to_string(),
    );
    assert_eq!(code, 0, "{result}");
    assert_eq!(result["top"]["verdict"], "finished");
    let verdicts: Vec<(&Value, &Value)> = result["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| (&o["verdict"], &o["value"]))
        .collect();
    assert_eq!(
        verdicts,
        [
            (&json!("finished"), &json!(3)),
            (&json!("uncaught-exception"), &Value::Null),
            (&json!("finished"), &json!([1, 2])),
        ]
    );
}

#[test]
fn jobs_limits_come_from_the_jobs_restrictions() {
    let sb = Sandbox::new();
    let restrictions = "profile = \"python\"\n[resources]\nwall-time = \"300 ms\"\n";
    let (code, result) = job(
        &sb,
        &json!({"id": "loop", "kind": "run", "source": "while True: pass",
                "restrictions": restrictions})
        .to_string(),
    );
    assert_eq!(code, 0, "{result}");
    assert_eq!(result["outcome"]["verdict"], "wall-time-limit");
}

#[test]
fn jobs_bad_documents_are_refused_with_their_id_and_never_run() {
    let sb = Sandbox::new();
    let canary = sb.path().join("canary");
    let write_canary = format!("open({:?}, 'w')", canary.display().to_string());
    for (document, needle) in [
        ("not json".to_string(), "not JSON"),
        ("[1]".to_string(), "not a JSON object"),
        (json!({"id": "x"}).to_string(), "no `kind`"),
        (
            json!({"id": "x", "kind": "shell"}).to_string(),
            "unknown job kind",
        ),
        (
            json!({"id": "x", "kind": "run", "source": write_canary, "shell": true}).to_string(),
            "unknown field `shell`",
        ),
        (
            json!({"id": "x", "kind": "run", "source": write_canary, "files": {"../escape": ""}})
                .to_string(),
            "plain file name",
        ),
        (
            json!({"id": "x", "kind": "run", "source": write_canary,
                   "restrictions": "[resources]\nmemroy = 1\n"})
            .to_string(),
            "did you mean `memory`",
        ),
    ] {
        let (code, result) = job(&sb, &document);
        assert_eq!(code, 4, "{document}: {result}");
        let error = result["error"].as_str().unwrap_or_default();
        assert!(error.contains(needle), "{document}: {error}");
        if document.starts_with('{') && document.contains("\"id\"") {
            assert_eq!(result["id"], "x");
        }
    }
    assert!(!canary.exists(), "a refused job ran");
    assert!(!sb
        .path()
        .parent()
        .unwrap_or(sb.path())
        .join("escape")
        .exists());
}

#[test]
fn jobs_limits_are_clamped_to_the_ceiling_and_a_job_may_not_change_its_profile() {
    let sb = Sandbox::new();
    let greedy = "profile = \"python\"\n[resources]\nmemory = \"100000 GB\"\n\
                  diskused = \"100000 GB\"\nevents = 100000\nwall-time = \"1000000 s\"\n";
    let document = json!({"id": "g", "kind": "run", "source": "print(1)", "restrictions": greedy});
    // Without --policy: the documented defaults of the job's profile are the ceiling.
    let (code, result) = job(&sb, &document.to_string());
    assert_eq!(code, 0, "{result}");
    let limits = &result["outcome"]["report"]["limits"];
    assert_eq!(limits["memory"], 150_000_000, "{limits}");
    assert_eq!(limits["diskused"], 100_000_000);
    assert_eq!(limits["events"], 100);
    assert_eq!(limits["wall-time"], 1_000_000.0);
    // With a ceiling: its limits, whatever the job asks.
    let ceiling = sb.path().join("ceiling.toml");
    std::fs::write(
        &ceiling,
        "profile = \"python\"\n[resources]\nmemory = \"64 MB\"\nwall-time = \"5 s\"\n",
    )
    .expect("ceiling");
    let ceiling = ceiling.display().to_string();
    let (code, result) = job_with(&sb, &document.to_string(), &["--policy", &ceiling]);
    assert_eq!(code, 0, "{result}");
    let limits = &result["outcome"]["report"]["limits"];
    assert_eq!(limits["memory"], 64_000_000, "{limits}");
    assert_eq!(limits["wall-time"], 5.0);
    // A job without restrictions runs under the ceiling's profile.
    let plain = json!({"kind": "run", "source": "print(input())", "stdin": "hi"});
    let (_, result) = job_with(&sb, &plain.to_string(), &["--policy", &ceiling]);
    assert_eq!(result["outcome"]["stdout"], "hi\n", "{result}");
    // Another profile is refused, and nothing runs.
    let canary = sb.path().join("canary");
    let other = json!({"id": "p", "kind": "run",
        "source": format!("log('x')\nopenfile({:?}, True)", canary.display().to_string()),
        "restrictions": "profile = \"repyv2\"\n[resources]\n"});
    let (code, result) = job_with(&sb, &other.to_string(), &["--policy", &ceiling]);
    assert_eq!(code, 4, "{result}");
    assert!(
        result["error"]
            .as_str()
            .unwrap_or("")
            .contains("may not change the profile"),
        "{result}"
    );
    assert!(!canary.exists());
}
