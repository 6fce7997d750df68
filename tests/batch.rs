//! `repy call --batch`: the top level once, each call in a fresh fork of its state, each with
//! its own limits, verdict and report; nothing of one call reaches the next, and nothing of
//! the batch outlives it.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::REPY;

/// A vessel and a caller's directory for one batch.
struct Batch {
    vessel: tempfile::TempDir,
    caller: tempfile::TempDir,
}

/// What a batch printed: one outcome per line, its exit code, and its pid.
struct Ran {
    outcomes: Vec<Value>,
    code: Option<i32>,
    stderr: String,
    pid: u32,
}

impl Batch {
    fn new(policy: &str, program: &str) -> Batch {
        let batch = Batch {
            vessel: tempfile::tempdir().expect("vessel"),
            caller: tempfile::tempdir().expect("caller"),
        };
        std::fs::write(batch.caller.path().join("restrictions.toml"), policy).expect("policy");
        std::fs::write(batch.caller.path().join("program.py"), program).expect("program");
        batch
    }

    /// Runs `binary call --cwd VESSEL restrictions.toml program.py FUNCTION --batch -` with
    /// `calls` on standard input.
    fn run_with(&self, binary: &str, function: &str, calls: &str) -> Ran {
        let mut child = Command::new(binary)
            .current_dir(self.caller.path())
            .args(["call", "--cwd"])
            .arg(self.vessel.path())
            .args(["restrictions.toml", "program.py", function, "--batch", "-"])
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn repy");
        let pid = child.id();
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(calls.as_bytes()).expect("write calls");
        }
        let out = child.wait_with_output().expect("wait");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let outcomes = stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect();
        Ran {
            outcomes,
            code: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            pid,
        }
    }

    fn run(&self, function: &str, calls: &str) -> Ran {
        self.run_with(REPY, function, calls)
    }
}

/// Processes whose current directory is `vessel` (a batch's processes all work there).
fn processes_in(vessel: &Path) -> Vec<String> {
    let vessel = vessel.canonicalize().expect("vessel path");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if std::fs::read_link(entry.path().join("cwd")).is_ok_and(|cwd| cwd == vessel) {
            found.push(name);
        }
    }
    found
}

/// cgroups named after the supervisor `pid` (`repy-<pid>-…`), anywhere under the hierarchy.
fn cgroups_of(pid: u32) -> Vec<String> {
    let prefix = format!("repy-{pid}-");
    let mut found = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("/sys/fs/cgroup")];
    let mut depth = 0;
    while !dirs.is_empty() && depth < 4 {
        let mut next = Vec::new();
        for dir in dirs {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(&prefix) {
                    found.push(entry.path().display().to_string());
                }
                next.push(entry.path());
            }
        }
        dirs = next;
        depth += 1;
    }
    found
}

const POLICY: &str = "[resources]\nmemory = \"100 MB\"\nwall-time = 1\nevents = 5\n";

#[test]
fn batch_each_call_sees_the_program_as_its_top_level_left_it() {
    let program = r#"
calls = []
log("top level\n")

def worker():
    sleep(0.05)
    calls.append("thread")

def f(name):
    calls.append(name)
    f = openfile(name + ".txt", True)
    f.writeat(name, 0)
    f.close()
    createthread(worker)
    return [list(calls), sorted(listfiles())]

def fails():
    calls.append("fails")
    raise ValueError("after a mutation")
"#;
    let batch = Batch::new(POLICY, program);
    let ran = batch.run(
        "f",
        "{\"args\": [\"a\"]}\n{\"function\": \"fails\"}\n{\"args\": [\"b\"]}\n{\"kwargs\": {\"name\": \"c\"}}\n",
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("top level"), "{}", ran.stderr);
    let values: Vec<Value> = ran.outcomes.iter().map(|o| o["value"].clone()).collect();
    // Each call sees the globals as the top level left them; files live in the vessel.
    assert_eq!(
        values,
        [
            json!([["a"], ["a.txt"]]),
            Value::Null,
            json!([["b"], ["a.txt", "b.txt"]]),
            json!([["c"], ["a.txt", "b.txt", "c.txt"]]),
        ]
    );
    assert_eq!(ran.outcomes[1]["verdict"], "uncaught-exception");
    assert!(ran.outcomes[1]["stderr"]
        .as_str()
        .is_some_and(|s| s.contains("after a mutation")));
    for (outcome, function) in ran.outcomes.iter().zip(["f", "fails", "f", "f"]) {
        assert_eq!(outcome["report"]["function"], function);
        assert_eq!(outcome["report"]["mode"], "call");
        // A thread started by one call is over with the call: never more than the call's own
        // two `events` at once.
        if outcome["verdict"] == "finished" {
            assert_eq!(outcome["report"]["item_peaks"]["events"], 2, "{outcome}");
        }
    }
    assert!(processes_in(batch.vessel.path()).is_empty());
}

#[test]
fn batch_of_a_thousand_calls_ends_a_runaway_and_a_memory_bomb_alone_and_leaves_nothing() {
    let program = r#"
def f(n):
    if n == 300:
        while True:
            pass
    if n == 700:
        hoard = []
        while True:
            hoard.append("x" * 1000000)
    return n * n
"#;
    let batch = Batch::new(POLICY, program);
    let calls: String = (0..1000)
        .map(|n| format!("{{\"args\": [{n}]}}\n"))
        .collect();
    let ran = batch.run("f", &calls);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.outcomes.len(), 1000);
    for (n, outcome) in ran.outcomes.iter().enumerate() {
        match n {
            300 => {
                assert_eq!(outcome["verdict"], "wall-time-limit", "{outcome}");
                assert_eq!(outcome["exit_code"], 101);
            }
            700 => {
                assert_eq!(outcome["verdict"], "resource-killed", "{outcome}");
                assert!(outcome["report"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("memory")));
            }
            _ => {
                assert_eq!(outcome["verdict"], "finished", "call {n}: {outcome}");
                assert_eq!(outcome["value"], json!(n * n));
            }
        }
    }
    assert!(processes_in(batch.vessel.path()).is_empty());
    assert!(cgroups_of(ran.pid).is_empty(), "{:?}", cgroups_of(ran.pid));
}

#[test]
fn batch_of_a_refused_program_answers_every_call_with_the_refusal() {
    let batch = Batch::new(POLICY, "def f():\n    return ().__class__\n");
    let ran = batch.run("f", "{}\n{}\n{}\n");
    assert_eq!(ran.code, Some(5));
    assert_eq!(ran.outcomes.len(), 3);
    for outcome in &ran.outcomes {
        assert_eq!(outcome["verdict"], "unsafe-code");
        assert_eq!(outcome["report"]["violations"]["count"], 1);
        assert_eq!(outcome["value"], Value::Null);
    }
}

#[test]
fn batch_answers_a_line_that_is_not_a_call_in_its_place() {
    let batch = Batch::new(POLICY, "def f(x=0):\n    return x + 1\n");
    let ran = batch.run(
        "f",
        "{\"args\": [1]}\nnot json\n\n{\"argz\": []}\n{\"args\": [2]}\n",
    );
    assert_eq!(ran.code, Some(0));
    let verdicts: Vec<&str> = ran
        .outcomes
        .iter()
        .map(|o| o["verdict"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        verdicts,
        ["finished", "usage-error", "usage-error", "finished"]
    );
    assert_eq!(ran.outcomes[3]["value"], 3);
    let message = ran.outcomes[2]["report"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("line 4") && message.contains("argz"),
        "{message}"
    );
}

/// The kernel walls alone (the test-only build, real builtins and `import`): a call cannot
/// fork (stopped by wall 4, seccomp's `forbid_fork`), and a top level that forks ends the
/// batch with nothing left behind (the supervisor, a subreaper, finds and kills the process).
#[cfg(feature = "test-real-builtins")]
#[test]
fn batch_escape_fork_is_refused_in_calls_and_kills_the_batch_from_the_top_level() {
    use crate::support::REPY_REAL_BUILTINS;
    let in_call = r#"
import os
def f():
    try:
        pid = os.fork()
    except OSError as err:
        return ["refused", err.errno]
    if pid == 0:
        os._exit(0)
    return ["forked", pid]
"#;
    let batch = Batch::new(POLICY, in_call);
    let ran = batch.run_with(REPY_REAL_BUILTINS, "f", "{}\n{}\n");
    for outcome in &ran.outcomes {
        assert_eq!(outcome["value"], json!(["refused", 1]), "{outcome}");
    }
    let at_top = r#"
import os, time
if os.fork() == 0:
    open("canary", "w").write("the fork ran on")
    time.sleep(30)
    os._exit(0)
time.sleep(0.2)
def f():
    return 1
"#;
    let batch = Batch::new(POLICY, at_top);
    let ran = batch.run_with(REPY_REAL_BUILTINS, "f", "{}\n{}\n");
    assert_eq!(ran.outcomes.len(), 2);
    for outcome in &ran.outcomes {
        assert_eq!(outcome["verdict"], "resource-killed", "{outcome}");
        assert!(outcome["report"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("process behind the API")));
    }
    assert!(processes_in(batch.vessel.path()).is_empty());
    // The forked process is gone: the canary it would rewrite after the batch stays as it was.
    let canary = batch.vessel.path().join("canary");
    let before = std::fs::read(&canary).ok();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(std::fs::read(&canary).ok(), before);
}

#[test]
fn batch_refuses_a_top_level_that_leaves_a_socket_open() {
    // A datagram queued by one call would be read by the next through the shared socket.
    let program = r#"
inbox = listenformessage("127.0.0.1", 47311)
def put(secret):
    sendmessage("127.0.0.1", 47311, secret, "127.0.0.1", 47312)
    return "sent"
def get():
    return inbox.getmessage()[2]
"#;
    let policy = "[resources]\nmemory = \"100 MB\"\nwall-time = 2\n\
                  messport = [47311, 47312]\nconnport = []\n";
    let batch = Batch::new(policy, program);
    let ran = batch.run(
        "get",
        "{\"function\": \"put\", \"args\": [\"call 1's secret\"]}\n{\"function\": \"get\"}\n",
    );
    assert_eq!(ran.code, Some(6), "{}", ran.stderr);
    assert_eq!(ran.outcomes.len(), 2);
    for outcome in &ran.outcomes {
        assert_eq!(outcome["verdict"], "uncaught-exception");
        assert_eq!(outcome["value"], Value::Null);
        assert!(outcome["report"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("left 1 socket open")));
    }
}

#[test]
fn batch_input_that_cannot_be_read_whole_ends_the_batch_as_a_usage_error() {
    let batch = Batch::new(POLICY, "def f(n=0):\n    return n\n");
    for calls in [".", "/dev/zero"] {
        let out = Command::new(REPY)
            .current_dir(batch.caller.path())
            .args(["call", "--cwd"])
            .arg(batch.vessel.path())
            .args(["restrictions.toml", "program.py", "f", "--batch", calls])
            .env_clear()
            .stdin(Stdio::null())
            .output()
            .expect("run repy");
        assert_eq!(out.status.code(), Some(4), "{calls}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines.len(), 1, "{calls}: one answer, then the batch ends");
        assert_eq!(lines[0]["verdict"], "usage-error");
    }
}

#[test]
fn batch_stops_at_a_signal_between_calls() {
    use std::io::{BufRead as _, Write as _};
    let batch = Batch::new(POLICY, "def f(n=0):\n    return n\n");
    let mut child = Command::new(REPY)
        .current_dir(batch.caller.path())
        .args(["call", "--cwd"])
        .arg(batch.vessel.path())
        .args(["restrictions.toml", "program.py", "f", "--batch", "-"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn repy");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    stdin.write_all(b"{\"args\": [1]}\n").expect("first call");
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first outcome");
    assert!(first.contains("\"value\":1"), "{first}");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
    stdin.write_all(b"{\"args\": [2]}\n").expect("second call");
    drop(stdin);
    let rest: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(&l.expect("line")).expect("json"))
        .collect();
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["verdict"], "interrupted");
    assert_eq!(rest[0]["value"], Value::Null);
    assert!(processes_in(batch.vessel.path()).is_empty());
}

/// The kernel walls alone: hooks a program registers with `os.register_at_fork` never run
/// (the zygote forks without CPython's fork protocol), so no program code runs in the zygote
/// between calls nor in a call before it is watched and narrowed.
#[cfg(feature = "test-real-builtins")]
#[test]
fn batch_escape_at_fork_hooks_never_run() {
    use crate::support::REPY_REAL_BUILTINS;
    let program = r#"
import os
def canary(where):
    open("hook-" + where, "w").write("ran")
os.register_at_fork(before=lambda: canary("before"),
                    after_in_parent=lambda: canary("parent"),
                    after_in_child=lambda: canary("child"))
def f():
    return sorted(os.listdir("."))
"#;
    let batch = Batch::new(POLICY, program);
    let ran = batch.run_with(REPY_REAL_BUILTINS, "f", "{}\n{}\n");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    for outcome in &ran.outcomes {
        assert_eq!(outcome["verdict"], "finished", "{outcome}");
        assert_eq!(outcome["value"], json!([]));
    }
    let left: Vec<_> = std::fs::read_dir(batch.vessel.path())
        .expect("vessel")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "a hook ran: {left:?}");
}
