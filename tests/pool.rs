//! `repy pool`: a warm pool runs each request in a fresh fork of one ready interpreter. No
//! request sees anything of an earlier one — globals, builtins, module attributes, files,
//! threads, random state — and each has its own limits and verdict.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::{Sandbox, REPY};

const POOL: &str = "profile = \"python\"\n[resources]\nmemory = \"100 MB\"\nwall-time = \"5 s\"\n\
                    events = 5\n[python]\nmodules = [\"math\"]\n";

/// Runs `repy pool` over `requests` (one JSON object each); the outcome of each, in order.
fn pool(sb: &Sandbox, requests: &[Value]) -> Vec<Value> {
    pool_with(sb, POOL, requests)
}

/// Starts `repy pool` under the policy `policy_text`, its pipes piped, its TMPDIR the
/// sandbox's.
fn start_pool(sb: &Sandbox, policy_text: &str) -> std::process::Child {
    let policy = sb.path().join("pool.toml");
    std::fs::write(&policy, policy_text).expect("pool policy");
    Command::new(REPY)
        .arg("pool")
        .arg("--policy")
        .arg(&policy)
        .env("TMPDIR", sb.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("repy pool")
}

/// [`pool`] under the policy `policy_text`.
fn pool_with(sb: &Sandbox, policy_text: &str, requests: &[Value]) -> Vec<Value> {
    let mut child = start_pool(sb, policy_text);
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for request in requests {
            writeln!(stdin, "{request}").expect("write a request");
        }
    }
    let output = child.wait_with_output().expect("repy pool");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let outcomes: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON outcome per line"))
        .collect();
    assert_eq!(outcomes.len(), requests.len());
    for (request, outcome) in requests.iter().zip(&outcomes) {
        assert_eq!(outcome["id"], request["id"], "outcomes in order");
    }
    outcomes.into_iter().map(|o| o["outcome"].clone()).collect()
}

#[test]
fn pool_requests_see_nothing_of_earlier_requests() {
    let sb = Sandbox::new();
    let outcomes = pool(
        &sb,
        &[
            // The first request changes everything it may change.
            json!({"id": "a", "source": "\
import math
try:
    math.pi = 3
except AttributeError:
    pass
secret = 'from a'
print = None
open('left.txt', 'w').write('a was here')
def late():
    sleep(0.3)
    log('a thread of a\\n')
createthread(late)
log([ord(c) for c in randombytes()[:8]], '\\n')
"}),
            // The second looks for any of it.
            json!({"id": "b", "source": "\
import math
print(math.pi)
try:
    print(secret)
except NameError:
    print('no secret')
print(listfiles())
sleep(0.5)
log([ord(c) for c in randombytes()[:8]], '\\n')
"}),
        ],
    );
    let a = &outcomes[0];
    let b = &outcomes[1];
    assert_eq!(a["verdict"], "finished", "{a}");
    assert_eq!(b["verdict"], "finished", "{b}");
    let out = b["stdout"].as_str().unwrap_or("");
    assert!(out.starts_with("3.141592653589793\n"), "{out}");
    assert!(out.contains("no secret\n"), "{out}");
    assert!(out.contains("[]\n"), "the vessel was emptied: {out}");
    assert!(!out.contains("a thread of a"), "{out}");
    // Random state is not inherited: the two requests drew different bytes.
    let drawn = |text: &str| {
        text.lines()
            .find(|line| line.starts_with('['))
            .unwrap_or("")
            .to_owned()
    };
    let random_a = drawn(a["stdout"].as_str().unwrap_or(""));
    let random_b = drawn(out);
    assert!(random_a.starts_with('[') && random_a.len() > 16, "{a}");
    assert_ne!(random_a, random_b);
    // a's thread belonged to a: a ended when it did (as every run does), and b never saw it.
    assert!(
        a["stdout"].as_str().unwrap_or("").contains("a thread of a"),
        "{a}"
    );
    // Nothing of a's file is left in the vessel or anywhere under TMPDIR afterwards.
    let left: Vec<_> = walk(sb.path())
        .into_iter()
        .filter(|p| p.ends_with("left.txt"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(walk(&path));
            }
            found.push(path);
        }
    }
    found
}

#[test]
fn pool_requests_have_their_own_modes_limits_and_verdicts() {
    let sb = Sandbox::new();
    let outcomes = pool(
        &sb,
        &[
            json!({"id": 1, "mode": "eval", "source": "6 * 7"}),
            json!({"id": 2, "mode": "call", "source": "def f(a, b=1):\n    return [a, b]\n",
                   "function": "f", "args": [2], "kwargs": {"b": 5}}),
            json!({"id": 3, "source": "while True:\n    pass\n",
                   "restrictions": "[resources]\nwall-time = \"300 ms\"\n"}),
            json!({"id": 4, "source": "x = bytearray(1)\n" }),
            json!({"id": 5, "source": "import os\n"}),
            json!({"id": 6, "source": "print(1)", "restrictions": "[resources]\nmemory = \"10 GB\"\n"}),
            json!({"id": 7, "source": "print(1)", "restrictions": "[resources]\ncpu = 0.5\n"}),
            json!({"id": 8, "source": "print(open('data.txt').read())", "files": {"data.txt": "aGk="}}),
            json!({"id": 9, "source": "import math\nprint(math.floor(2.5))"}),
            json!({"id": 10, "source": "big = 'x' * (300 * 1000 * 1000)\n"}),
            json!({"id": 11, "source": "print('still here')"}),
            json!({"id": 12, "source": "print('\\N{GREEK SMALL LETTER ALPHA}')"}),
        ],
    );
    // A request naming a character parses as in a cold run (the zygote imported CPython's
    // own `unicodedata` before confinement).
    assert_eq!(outcomes[11]["stdout"], "α\n", "{}", outcomes[11]);
    assert_eq!(outcomes[0]["value"], 42);
    assert_eq!(outcomes[1]["value"], json!([2, 5]));
    assert_eq!(outcomes[2]["verdict"], "wall-time-limit");
    assert_eq!(outcomes[2]["report"]["limits"]["wall-time"], 0.3);
    assert_eq!(outcomes[4]["verdict"], "unsafe-code");
    assert!(outcomes[4]["stderr"]
        .as_str()
        .unwrap_or("")
        .contains("R301"));
    // Limits above the pool's are clamped to it.
    assert_eq!(outcomes[5]["report"]["limits"]["memory"], 100_000_000);
    // A limit a pool cannot lower per request is refused here (a service runs it cold).
    assert_eq!(outcomes[6]["verdict"], "usage-error");
    assert!(outcomes[6]["report"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("`cpu`"));
    assert_eq!(outcomes[7]["stdout"], "hi\n");
    assert_eq!(outcomes[8]["stdout"], "2\n");
    assert!(
        matches!(
            outcomes[9]["verdict"].as_str(),
            Some("resource-killed" | "uncaught-exception")
        ),
        "{}",
        outcomes[9]
    );
    // After a memory bomb the pool still serves.
    assert_eq!(outcomes[10]["stdout"], "still here\n");
    for outcome in &outcomes {
        assert_eq!(outcome["report"]["profile"], "python");
    }
}

/// A request that dies while its thread waits for a listening socket, run again and again.
const DIES_LISTENING: &str = "\
def loop():
    while True:
        s = listenforconnection('127.0.0.1', 12345)
        s.close()
createthread(loop)
sleep(0.2)
exitall()
";

/// A request that listens, connects to itself and reads what it sent.
const LISTENS: &str = "\
s = listenforconnection('127.0.0.1', 12346)
c = openconnection('127.0.0.1', 12346, '127.0.0.1', 12347, 2)
c.send('MY-OWN-DATA')
sleep(0.1)
r = s.getconnection()
print('got', r[2].recv(100))
";

#[test]
fn pool_a_request_gets_no_listening_socket_meant_for_an_earlier_one() {
    // Red-team round 11: a request killed while its listen request was answered left the
    // answer, and the socket, to the next request, which then read another's connection.
    let sb = Sandbox::new();
    let mut requests: Vec<Value> = (0..10)
        .map(|i| json!({"id": format!("dies-{i}"), "source": DIES_LISTENING}))
        .collect();
    requests.push(json!({"id": "listens", "source": LISTENS}));
    let outcomes = pool_with(
        &sb,
        "profile = \"python\"\n[resources]\nwall-time = \"5 s\"\nconnport = [12345, 12346, 12347]\n",
        &requests,
    );
    let last = outcomes.last().expect("the listening request");
    assert_eq!(last["verdict"], "finished", "{last}");
    assert_eq!(last["stdout"], "got MY-OWN-DATA\n", "{last}");
}

/// The `random` module's own instance is built with the zygote, before any request: each
/// request still draws its own numbers (it seeds at its first draw, in the request's own
/// process), and an explicit `seed` or `setstate` is kept.
#[test]
fn pool_requests_draw_their_own_random_numbers() {
    let sb = Sandbox::new();
    let policy = "profile = \"python\"\n[resources]\nmemory = \"100 MB\"\n\
                  [python]\nmodules = [\"random\"]\n";
    let drawing = "import random\nprint(random.random(), random.randint(1, 10**12))\n";
    let seeded = "import random\nrandom.seed(7)\nprint(random.random())\n\
                  state = random.getstate()\nfirst = random.random()\nrandom.setstate(state)\n\
                  print(first == random.random())\n";
    let outcomes = pool_with(
        &sb,
        policy,
        &[
            json!({"id": 1, "source": drawing}),
            json!({"id": 2, "source": drawing}),
            json!({"id": 3, "source": drawing}),
            json!({"id": 4, "source": seeded}),
            json!({"id": 5, "source": seeded}),
        ],
    );
    let stdout = |o: &Value| o["stdout"].as_str().unwrap_or("").to_owned();
    for outcome in &outcomes {
        assert_eq!(outcome["verdict"], "finished", "{outcome}");
    }
    let drawn: std::collections::BTreeSet<String> = outcomes[..3].iter().map(stdout).collect();
    assert_eq!(
        drawn.len(),
        3,
        "every request drew its own numbers: {drawn:?}"
    );
    // The same seed gives the same numbers, in every request, as in bare CPython.
    assert_eq!(stdout(&outcomes[3]), stdout(&outcomes[4]));
    assert_eq!(stdout(&outcomes[3]), "0.32383276483316237\nTrue\n");
}

/// `from __future__ import annotations` runs warm as it runs cold: the zygote prepares
/// `__future__` before confinement, whatever its requests will say.
#[test]
fn pool_requests_may_import_future_annotations() {
    let sb = Sandbox::new();
    let source = "from __future__ import annotations\n\
                  def area(width: Rect, height: float) -> float:\n    return width * height\n\
                  print(area(2, 3.5))\n";
    let outcomes = pool(&sb, &[json!({"id": 1, "source": source})]);
    assert_eq!(outcomes[0]["verdict"], "finished", "{}", outcomes[0]);
    assert_eq!(outcomes[0]["stdout"], "7.0\n");
}

/// The process a zygote forks ahead for the next request waits; killed from outside while it
/// waits, it is replaced, and the next request runs as if nothing happened.
#[test]
fn pool_replaces_a_process_forked_ahead_that_died_waiting() {
    use std::io::{BufRead as _, BufReader};
    let sb = Sandbox::new();
    let mut child = start_pool(&sb, POOL);
    let mut stdin = child.stdin.take().expect("stdin");
    let mut answers = BufReader::new(child.stdout.take().expect("stdout"));
    let mut ask = |id: u32| {
        writeln!(
            stdin,
            "{}",
            json!({"id": id, "source": format!("print({id})")})
        )
        .expect("write a request");
        let mut line = String::new();
        answers.read_line(&mut line).expect("an answer");
        let answer: Value = serde_json::from_str(&line).expect("JSON");
        answer["outcome"].clone()
    };
    assert_eq!(ask(1)["stdout"], "1\n");
    // The supervisor's child is the zygote; the zygote's child is the process forked ahead.
    let children = |pid: u32| -> Vec<u32> {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let ahead = loop {
        let found: Vec<u32> = children(child.id())
            .into_iter()
            .flat_map(children)
            .collect();
        if let [ahead] = found[..] {
            break ahead;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no process forked ahead: {found:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // SAFETY: kill takes a pid and a signal number.
    assert_eq!(unsafe { libc::kill(ahead as i32, libc::SIGKILL) }, 0);
    std::thread::sleep(std::time::Duration::from_millis(100));
    let second = ask(2);
    assert_eq!(second["verdict"], "finished", "{second}");
    assert_eq!(second["stdout"], "2\n");
    drop(stdin);
    assert_eq!(child.wait().expect("repy pool").code(), Some(0));
}
