//! `repy serve`: the real binary on a free loopback port, spoken to over HTTP. Runs are
//! `repy job` processes; these tests check what a caller sees (status codes, outcomes,
//! headers) and what is left behind (no process, no vessel).

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{repo_root, REPY};

/// The ceiling most tests serve under.
const CEILING: &str = "profile = \"python\"\n[resources]\nmemory = \"200 MB\"\n\
    events = 10\nwall-time = \"20 s\"\n[python]\nmodules = [\"math\"]\n";

/// A token the tests' servers accept.
const TOKEN: &str = "test-token-0123456789abcdef";

/// A `repy serve` process, killed when dropped.
struct Server {
    child: Child,
    base: String,
    dir: tempfile::TempDir,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

/// An answer: status, headers, body.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {} {}", self.status, self.body))
    }
}

impl Server {
    /// Starts `repy serve` with `ceiling` and `options` (a token file is always given unless
    /// `options` says `--no-tokens`), its TMPDIR in its own directory.
    fn start(ceiling: &str, options: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("ceiling.toml"), ceiling).expect("write the ceiling");
        std::fs::write(dir.path().join("tokens"), format!("# tests\n{TOKEN}\n"))
            .expect("write the tokens");
        std::fs::create_dir(dir.path().join("tmp")).expect("make TMPDIR");
        let mut args: Vec<String> = vec![
            "serve".into(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--policy".into(),
            dir.path().join("ceiling.toml").display().to_string(),
        ];
        let open = options.contains(&"--no-tokens");
        if !open {
            args.push("--tokens".into());
            args.push(dir.path().join("tokens").display().to_string());
        }
        args.extend(
            options
                .iter()
                .filter(|o| **o != "--no-tokens")
                .map(|o| o.to_string()),
        );
        let mut child = Command::new(REPY)
            .args(&args)
            .env("TMPDIR", dir.path().join("tmp"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn repy serve");
        // Its standard error, read by a thread: the address first, then whatever it says.
        let stderr = child.stderr.take().expect("stderr");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let thread_log = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(addr);
                }
                if let Ok(mut log) = thread_log.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!(
                    "repy serve {args:?} did not start: {}",
                    log.lock().map(|l| l.clone()).unwrap_or_default()
                )
            });
        Server {
            child,
            base: format!("http://{addr}"),
            dir,
            log,
        }
    }

    fn client() -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client")
    }

    /// Sends a request with `token` (None: no Authorization header).
    fn send(&self, method: &str, path: &str, body: Option<&str>, token: Option<&str>) -> Answer {
        let client = Server::client();
        let url = format!("{}{path}", self.base);
        let mut request = match method {
            "POST" => client.post(&url),
            _ => client.get(&url),
        };
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        let response = request
            .send()
            .unwrap_or_else(|err| panic!("{method} {url}: {err}\nserver: {}", self.log()));
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().unwrap_or_default(),
        }
    }

    /// `POST /v1/runs` with the token.
    fn run(&self, request: &Value) -> Answer {
        self.send("POST", "/v1/runs", Some(&request.to_string()), Some(TOKEN))
    }

    /// `GET path` with the token.
    fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None, Some(TOKEN))
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (at most `within`) for the server to exit; its exit code.
    fn terminate(&mut self, within: Duration) -> Option<i32> {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.pid()).expect("a pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
        let start = Instant::now();
        while start.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("repy serve did not exit within {within:?}: {}", self.log());
    }

    /// What the server's runs left in its TMPDIR.
    fn leftovers(&self) -> Vec<PathBuf> {
        let mut left = Vec::new();
        if let Ok(entries) = std::fs::read_dir(self.dir.path().join("tmp")) {
            left.extend(entries.map_while(Result::ok).map(|e| e.path()));
        }
        left
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every process descended from `pid`, from /proc.
fn descendants(pid: u32) -> BTreeSet<u32> {
    let mut parents = std::collections::BTreeMap::<u32, Vec<u32>>::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.map_while(Result::ok) {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                parents.entry(ppid).or_default().push(child);
            }
        }
    }
    let mut found = BTreeSet::new();
    let mut stack = vec![pid];
    while let Some(parent) = stack.pop() {
        for &child in parents.get(&parent).map(Vec::as_slice).unwrap_or_default() {
            if found.insert(child) {
                stack.push(child);
            }
        }
    }
    found
}

/// Whether process `pid` still exists (a zombie counts as gone).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(|s| s != "Z"))
        })
        .unwrap_or(false)
}

fn outcome_of(answer: &Answer) -> Value {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

#[test]
fn serve_runs_evaluates_calls_and_reads_stdin() {
    let server = Server::start(CEILING, &["--concurrency", "2"]);
    let hello = outcome_of(&server.run(&json!({"source": "print('hello')"})));
    assert_eq!(hello["verdict"], "finished", "{hello}");
    assert_eq!(hello["exit_code"], 0);
    assert_eq!(hello["stdout"], "hello\n");
    assert_eq!(hello["report"]["profile"], "python");

    let eval = outcome_of(&server.run(&json!({"source": "2 ** 10", "mode": "eval"})));
    assert_eq!(eval["value"], 1024, "{eval}");

    let call = outcome_of(&server.run(&json!({
        "source": "def f(a, b=1):\n    return {'sum': a + b}\n",
        "mode": "call", "function": "f", "args": [3], "kwargs": {"b": 4},
    })));
    assert_eq!(call["value"], json!({"sum": 7}), "{call}");

    let stdin = outcome_of(&server.run(&json!({
        "source": "print(input() * 2)", "stdin": "ab\n",
    })));
    assert_eq!(stdin["stdout"], "abab\n", "{stdin}");

    let files = outcome_of(&server.run(&json!({
        "files": {"prog.py": "print(open('data.txt').read())", "data.txt": "from a file"},
        "main": "prog.py",
    })));
    assert_eq!(files["stdout"], "from a file\n", "{files}");
}

#[test]
fn serve_answers_output_that_is_not_utf8_in_base64() {
    let server = Server::start(CEILING, &[]);
    // The output limit cuts the third `é` in half.
    let outcome = outcome_of(&server.run(&json!({
        "source": "print('ééé')",
        "restrictions": "[resources]\noutput = \"5 B\"\n",
    })));
    assert_eq!(outcome["verdict"], "output-limit", "{outcome}");
    assert_eq!(outcome["stdout"], Value::Null);
    assert_eq!(outcome["stdout_base64"], "w6nDqcM=");
}

#[test]
fn serve_clamps_a_request_raising_limits_to_the_ceiling() {
    let server = Server::start(CEILING, &["--deadline", "7s"]);
    let outcome = outcome_of(&server.run(&json!({
        "source": "print(1)",
        "restrictions": "[resources]\nmemory = \"2 GB\"\nevents = 1000\ncpu = 0.5\nwall-time = \"1 h\"\n\
                         [python]\nmodules = [\"math\", \"heapq\"]\n",
    })));
    let limits = &outcome["report"]["limits"];
    assert_eq!(limits["memory"], 200_000_000, "{limits}");
    assert_eq!(limits["events"], 10);
    assert_eq!(limits["cpu"], 0.5, "a lower limit is kept");
    assert_eq!(
        limits["wall-time"], 7,
        "the deadline caps the ceiling's 20 s"
    );
    // `heapq` is not the ceiling's to give.
    let refused = outcome_of(&server.run(&json!({
        "source": "import heapq\n",
        "restrictions": "[resources]\n[python]\nmodules = [\"heapq\"]\n",
    })));
    assert_ne!(refused["verdict"], "finished", "{refused}");
    // A named policy is unknown: 422 naming it.
    let named = server.run(&json!({"source": "1", "restrictions": {"name": "big"}}));
    assert_eq!(named.status, 422, "{}", named.body);
}

#[test]
fn serve_refuses_another_profile_and_bad_restrictions_with_422() {
    let server = Server::start(CEILING, &[]);
    let profile = server.run(&json!({
        "source": "print(1)", "restrictions": "profile = \"repyv2\"\n[resources]\n",
    }));
    assert_eq!(profile.status, 422, "{}", profile.body);
    assert_eq!(profile.json()["key"], "profile");
    let field = server.run(&json!({"source": "print(1)", "profile": "repyv2"}));
    assert_eq!(field.status, 422, "{}", field.body);
    assert_eq!(field.json()["key"], "profile");
    let bad = server.run(&json!({
        "source": "print(1)", "restrictions": "[resources]\nmemroy = 1\n",
    }));
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("<restrictions>:2:1: error: memroy")),
        "{}",
        bad.body
    );
    let call = server.run(&json!({"source": "def f(): pass", "mode": "call"}));
    assert_eq!(call.status, 422, "{}", call.body);
    let nothing = server.run(&json!({"mode": "run"}));
    assert_eq!(nothing.status, 422, "{}", nothing.body);
}

#[test]
fn serve_ends_an_infinite_loop_at_the_deadline_and_a_memory_bomb_at_its_limit() {
    let server = Server::start(CEILING, &["--deadline", "2s"]);
    let started = Instant::now();
    let outcome = outcome_of(&server.run(&json!({"source": "while True:\n    pass\n"})));
    assert_eq!(outcome["verdict"], "wall-time-limit", "{outcome}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let bomb = outcome_of(&server.run(&json!({
        "source": "hoard = []\nwhile True:\n    hoard.append('x' * 1000000)\n",
    })));
    assert_eq!(bomb["verdict"], "resource-killed", "{bomb}");
    // While the server runs, its scratch directory is all there is in its TMPDIR, and
    // nothing of the runs is left in it once they ended: no run directory, and the warm
    // pool's vessels are empty.
    let scratch = server.leftovers();
    assert_eq!(scratch.len(), 1, "{scratch:?}");
    let mut files = Vec::new();
    let mut dirs = vec![scratch[0].clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)
            .expect("a scratch directory")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let ceiling = scratch[0].join("pool-ceiling.toml");
    assert_eq!(files, [ceiling], "only the pool's ceiling is left");
}

#[test]
fn serve_answers_unsafe_code_as_a_verdict_with_200() {
    let server = Server::start(CEILING, &[]);
    let outcome =
        outcome_of(&server.run(&json!({"source": "print(().__class__.__subclasses__())"})));
    assert_eq!(outcome["verdict"], "unsafe-code", "{outcome}");
    assert_eq!(outcome["exit_code"], 5);
}

#[test]
fn serve_refuses_malformed_json_400_wrong_shapes_422_and_big_bodies_413() {
    let server = Server::start(CEILING, &["--max-body", "1000"]);
    let malformed = server.send("POST", "/v1/runs", Some("{\"source\": "), Some(TOKEN));
    assert_eq!(malformed.status, 400, "{}", malformed.body);
    let shape = server.run(&json!({"source": 5}));
    assert_eq!(shape.status, 422, "{}", shape.body);
    let unknown = server.run(&json!({"source": "1", "sauce": "2"}));
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    let big = json!({"source": format!("# {}\nprint(1)", "x".repeat(2000))});
    let answer = server.run(&big);
    assert_eq!(answer.status, 413, "{}", answer.body);
    // Its body may be left unread: the connection ends, and the answer says so.
    assert_eq!(
        answer
            .headers
            .get("connection")
            .and_then(|v| v.to_str().ok()),
        Some("close")
    );
    let missing = server.get("/v1/nothing");
    assert_eq!(missing.status, 404);
}

#[test]
fn serve_tokens_401_without_or_malformed_403_wrong() {
    let server = Server::start(CEILING, &[]);
    let body = json!({"source": "print(1)"}).to_string();
    let none = server.send("POST", "/v1/runs", Some(&body), None);
    assert_eq!(none.status, 401);
    assert_eq!(
        none.headers.get("www-authenticate").map(|v| v.as_bytes()),
        Some(&b"Bearer"[..])
    );
    let wrong = server.send(
        "POST",
        "/v1/runs",
        Some(&body),
        Some("test-token-0123456789abcdeX"),
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(
        wrong.json()["error"],
        "forbidden",
        "no detail: {}",
        wrong.body
    );
    let client = Server::client();
    let basic = client
        .post(format!("{}/v1/runs", server.base))
        .header("Authorization", format!("Basic {TOKEN}"))
        .body(body.clone())
        .send()
        .expect("a request");
    assert_eq!(basic.status().as_u16(), 401);
    assert_eq!(server.send("GET", "/metrics", None, None).status, 401);
    assert_eq!(
        server
            .send("GET", "/v1/runs/x", None, Some("nope-nope-nope-nope"))
            .status,
        403
    );
    // Health is open; a run with the token works.
    assert_eq!(server.send("GET", "/v1/health", None, None).status, 200);
    assert_eq!(
        server
            .send("POST", "/v1/runs", Some(&body), Some(TOKEN))
            .status,
        200
    );
}

#[test]
fn serve_without_tokens_listens_on_loopback_only() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ceiling = dir.path().join("ceiling.toml");
    std::fs::write(&ceiling, CEILING).expect("write the ceiling");
    let output = Command::new(REPY)
        .args(["serve", "--listen", "0.0.0.0:0", "--policy"])
        .arg(&ceiling)
        .output()
        .expect("repy serve");
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("loopback only"), "{stderr}");
    // On loopback, without tokens, it serves and says so.
    let server = Server::start(CEILING, &["--no-tokens"]);
    let answer = server.send("POST", "/v1/runs", Some("{\"source\": \"print(2)\"}"), None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(server.log().contains("no --tokens"), "{}", server.log());
}

/// Polls `GET /v1/runs/{id}` until the run is done.
fn wait_done(server: &Server, id: &str) -> Value {
    let start = Instant::now();
    loop {
        let status = server.get(&format!("/v1/runs/{id}"));
        assert_eq!(status.status, 200, "{}", status.body);
        let status = status.json();
        if status["state"] == "done" || status["state"] == "failed" {
            return status;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{status}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_queue_full_answers_429_with_retry_after() {
    let server = Server::start(CEILING, &["--concurrency", "1", "--queue", "1"]);
    let slow = json!({"source": "sleep(2)\nprint('slept')"});
    let first = server.send(
        "POST",
        "/v1/runs?wait=false",
        Some(&slow.to_string()),
        Some(TOKEN),
    );
    assert_eq!(first.status, 202, "{}", first.body);
    let second = server.send(
        "POST",
        "/v1/runs?wait=false",
        Some(&slow.to_string()),
        Some(TOKEN),
    );
    assert_eq!(second.status, 202, "{}", second.body);
    let third = server.run(&slow);
    assert_eq!(third.status, 429, "{}", third.body);
    let retry = third
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok());
    assert!(
        retry
            .and_then(|r| r.parse::<u64>().ok())
            .is_some_and(|s| s >= 1),
        "{retry:?}"
    );
    for answer in [first, second] {
        let id = answer.json()["id"].as_str().expect("an id").to_owned();
        let done = wait_done(&server, &id);
        assert_eq!(done["outcome"]["stdout"], "slept\n", "{done}");
    }
    // Both slots free again: a run is admitted.
    assert_eq!(server.run(&json!({"source": "print(1)"})).status, 200);
}

#[test]
fn serve_wait_false_answers_202_then_get_gives_the_result() {
    let server = Server::start(CEILING, &[]);
    let accepted = server.send(
        "POST",
        "/v1/runs?wait=false",
        Some(&json!({"source": "print('later')"}).to_string()),
        Some(TOKEN),
    );
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    let body = accepted.json();
    let id = body["id"].as_str().expect("an id");
    assert!(
        ["queued", "running"].contains(&body["state"].as_str().unwrap_or("")),
        "{body}"
    );
    let location = accepted
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok());
    assert_eq!(location, Some(format!("/v1/runs/{id}").as_str()));
    let done = wait_done(&server, id);
    assert_eq!(done["state"], "done");
    assert_eq!(done["outcome"]["stdout"], "later\n", "{done}");
    assert_eq!(server.get("/v1/runs/no-such-run").status, 404);
}

#[test]
fn serve_metrics_count_runs_by_verdict() {
    let server = Server::start(CEILING, &["--concurrency", "2"]);
    for source in [
        "print(1)",
        "print(2)",
        "print(().__class__.__subclasses__())",
    ] {
        assert_eq!(server.run(&json!({"source": source})).status, 200);
    }
    let metrics = server.get("/metrics");
    assert_eq!(metrics.status, 200);
    for line in [
        "repy_runs_total{verdict=\"finished\"} 2",
        "repy_runs_total{verdict=\"unsafe-code\"} 1",
        "repy_run_duration_seconds_count 3",
        "repy_queue_depth 0",
        "repy_in_flight 0",
        "repy_pool_size 2",
        "repy_responses_total{code=\"200\"} 3",
    ] {
        assert!(
            metrics.body.contains(line),
            "{line} missing:\n{}",
            metrics.body
        );
    }
}

#[test]
fn serve_openapi_from_the_live_server_is_the_checked_in_document() {
    let server = Server::start(CEILING, &[]);
    let live = server.send("GET", "/v1/openapi.json", None, None);
    assert_eq!(live.status, 200);
    let committed = std::fs::read_to_string(repo_root().join("docs/service.openapi.json"))
        .expect("docs/service.openapi.json");
    assert_eq!(live.body, committed);
    assert_eq!(live.json()["openapi"], "3.1.0");
}

#[test]
fn serve_sigterm_kills_a_run_past_the_grace_and_leaves_nothing() {
    let mut server = Server::start(CEILING, &["--grace", "1s", "--deadline", "30s"]);
    let base = server.base.clone();
    let request = std::thread::spawn(move || {
        Server::client()
            .post(format!("{base}/v1/runs"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .body(json!({"source": "while True:\n    pass\n"}).to_string())
            .send()
            .map(|r| r.status().as_u16())
    });
    // Wait for the run: in flight, its process forked (the pool's processes, two per ready
    // interpreter, are there from the start).
    wait_in_flight(&server);
    let running = descendants(server.pid());
    assert!(running.len() >= 2, "{running:?}");
    assert_eq!(
        server.terminate(Duration::from_secs(15)),
        Some(0),
        "{}",
        server.log()
    );
    let status = request.join().expect("the request thread");
    assert!(matches!(status, Ok(503) | Err(_)), "{status:?}");
    // A process SIGKILLed as the server exits may take a moment to die (on a loaded machine
    // its exit runs after the server's): give the kernel a few seconds, no more.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while running.iter().any(|&pid| alive(pid)) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<u32> = running.iter().copied().filter(|&pid| alive(pid)).collect();
    assert!(
        left.is_empty(),
        "processes left: {left:?}\n{}",
        server.log()
    );
    assert!(server.leftovers().is_empty(), "{:?}", server.leftovers());
    // Nor the cgroups of the pool killed with its run (the pool host removes them at its
    // end, once the pool's processes are gone).
    let groups = cgroups_of(&running);
    assert!(groups.is_empty(), "cgroups left: {groups:?}");
    assert!(
        server.log().contains("killing the runs"),
        "{}",
        server.log()
    );
}

#[test]
fn serve_sigterm_lets_a_run_finish_within_the_grace() {
    let mut server = Server::start(CEILING, &["--grace", "20s"]);
    let base = server.base.clone();
    let request = std::thread::spawn(move || {
        let response = Server::client()
            .post(format!("{base}/v1/runs"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .body(json!({"source": "sleep(1.5)\nprint('done')"}).to_string())
            .send()
            .expect("an answer");
        (
            response.status().as_u16(),
            response.text().unwrap_or_default(),
        )
    });
    wait_in_flight(&server);
    assert_eq!(
        server.terminate(Duration::from_secs(20)),
        Some(0),
        "{}",
        server.log()
    );
    let (status, body) = request.join().expect("the request thread");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"stdout\":\"done\\n\""), "{body}");
    assert!(server.leftovers().is_empty(), "{:?}", server.leftovers());
}

/// Waits until the server has a run in flight and its process has had time to start (the
/// warm pool's processes are there from the start, so counting processes cannot tell).
fn wait_in_flight(server: &Server) {
    let start = Instant::now();
    loop {
        let metrics = server.send("GET", "/metrics", None, Some(TOKEN));
        if metrics.body.contains("repy_in_flight 1") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no run started: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
}

/// The kinds of request of the mixed load, and how many of each in 10,000.
const MIX: &[(&str, usize)] = &[
    ("ordinary", 6700),
    ("eval", 800),
    ("call", 800),
    ("stdin", 150),
    ("exception", 400),
    ("loop", 60),
    ("memory-bomb", 60),
    ("thread-bomb", 60),
    ("fork-bomb", 60),
    ("unsafe", 300),
    ("malformed", 300),
    ("oversized", 60),
    ("bad-token", 150),
    ("no-token", 100),
];

/// The request of kind `kind` numbered `n`: method body, token, and what must come back
/// (status, and for 200 the verdict and the output that names `n`).
fn mixed_request(
    kind: &str,
    n: usize,
) -> (
    String,
    Option<&'static str>,
    u16,
    Option<(&'static str, String)>,
) {
    let run = |request: Value| request.to_string();
    match kind {
        "ordinary" => (
            run(json!({"source": format!("total = sum(range({n} % 100))\nprint({n}, total)")})),
            Some(TOKEN),
            200,
            Some(("finished", format!("{n} {}\n", (0..n % 100).sum::<usize>()))),
        ),
        "eval" => (
            run(json!({"mode": "eval", "source": format!("{n} * 2")})),
            Some(TOKEN),
            200,
            Some(("finished", String::new())),
        ),
        "call" => (
            run(
                json!({"mode": "call", "source": "def echo(x):\n    return x\n",
                       "function": "echo", "args": [n]}),
            ),
            Some(TOKEN),
            200,
            Some(("finished", String::new())),
        ),
        "stdin" => (
            run(json!({"source": "print(input())", "stdin": format!("{n}\n")})),
            Some(TOKEN),
            200,
            Some(("finished", format!("{n}\n"))),
        ),
        "exception" => (
            run(json!({"source": format!("raise ValueError({n})")})),
            Some(TOKEN),
            200,
            Some(("uncaught-exception", String::new())),
        ),
        "loop" => (
            run(json!({"source": "while True:\n    pass\n",
                       "restrictions": "[resources]\nwall-time = \"200 ms\"\n"})),
            Some(TOKEN),
            200,
            Some(("wall-time-limit", String::new())),
        ),
        "memory-bomb" => (
            run(
                json!({"source": "hoard = []\nwhile True:\n    hoard.append('x' * 1000000)\n",
                       "restrictions": "[resources]\nmemory = \"40 MB\"\n"}),
            ),
            Some(TOKEN),
            200,
            Some(("resource-killed", String::new())),
        ),
        "thread-bomb" => (
            run(
                json!({"source": "def spin():\n    sleep(10)\nwhile True:\n    createthread(spin)\n",
                       "restrictions": "[resources]\nwall-time = \"2 s\"\n"}),
            ),
            Some(TOKEN),
            200,
            Some(("uncaught-exception", String::new())),
        ),
        "fork-bomb" => (
            run(json!({"source": "import os\nwhile True:\n    os.fork()\n"})),
            Some(TOKEN),
            200,
            Some(("unsafe-code", String::new())),
        ),
        "unsafe" => (
            run(json!({"source": format!("x = {n}\nprint(x.__class__.__subclasses__())")})),
            Some(TOKEN),
            200,
            Some(("unsafe-code", String::new())),
        ),
        "malformed" => (
            format!("{{\"source\": \"print({n})\""),
            Some(TOKEN),
            400,
            None,
        ),
        "oversized" => (
            run(json!({"source": format!("# {}\nprint(1)", "x".repeat(100 * 1024))})),
            Some(TOKEN),
            413,
            None,
        ),
        "bad-token" => (
            run(json!({"source": "print(1)"})),
            Some("not-the-token-0123456789"),
            403,
            None,
        ),
        _ => (run(json!({"source": "print(1)"})), None, 401, None),
    }
}

#[test]
fn serve_ten_thousand_mixed_requests_lose_nothing_and_leave_nothing() {
    let mut server = Server::start(
        CEILING,
        &["--queue", "64", "--max-body", "65536", "--deadline", "5s"],
    );
    let fds_before = std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
        .map(|d| d.count())
        .unwrap_or(0);
    let mut work: Vec<(usize, &str)> = Vec::new();
    for (kind, count) in MIX {
        for _ in 0..*count {
            work.push((work.len(), kind));
        }
    }
    assert_eq!(work.len(), 10_000);
    // Interleaved, deterministically: kinds spread over the whole run.
    work.sort_by_key(|(n, _)| (n * 7919) % 10_000);
    let work = std::sync::Arc::new(std::sync::Mutex::new(work));
    let answers = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let base = server.base.clone();
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let (work, answers, base) = (work.clone(), answers.clone(), base.clone());
            std::thread::spawn(move || {
                let client = Server::client();
                loop {
                    let Some((n, kind)) = work.lock().expect("work").pop() else {
                        return;
                    };
                    let (body, token, _, _) = mixed_request(kind, n);
                    let mut request = client
                        .post(format!("{base}/v1/runs"))
                        .header("Content-Type", "application/json")
                        .body(body);
                    if let Some(token) = token {
                        request = request.header("Authorization", format!("Bearer {token}"));
                    }
                    let answer = request
                        .send()
                        .map(|r| (r.status().as_u16(), r.text().unwrap_or_default()));
                    answers.lock().expect("answers").push((n, kind, answer));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a client thread");
    }
    let answers = std::mem::take(&mut *answers.lock().expect("answers"));
    assert_eq!(answers.len(), 10_000, "every request has one answer");
    let numbers: BTreeSet<usize> = answers.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(numbers.len(), 10_000, "none lost, none twice");
    let mut failures = Vec::new();
    for (n, kind, answer) in &answers {
        let (_, _, status, expect) = mixed_request(kind, *n);
        let Ok((got, body)) = answer else {
            failures.push(format!("{kind} {n}: no answer: {answer:?}"));
            continue;
        };
        if *got >= 500 || *got != status {
            failures.push(format!(
                "{kind} {n}: {got}, expected {status}: {}",
                &body[..body.len().min(300)]
            ));
            continue;
        }
        if let Some((verdict, stdout)) = expect {
            let outcome: Value = serde_json::from_str(body).unwrap_or(Value::Null);
            if outcome["verdict"] != verdict {
                failures.push(format!(
                    "{kind} {n}: verdict {}, expected {verdict}",
                    outcome["verdict"]
                ));
            }
            if !stdout.is_empty() && outcome["stdout"] != stdout.as_str() {
                failures.push(format!(
                    "{kind} {n}: stdout {} (another request's?)",
                    outcome["stdout"]
                ));
            }
            let value = &outcome["value"];
            let expected_value = match *kind {
                "eval" => json!(n * 2),
                "call" => json!(n),
                _ => Value::Null,
            };
            if value != &expected_value {
                failures.push(format!(
                    "{kind} {n}: value {value}, expected {expected_value}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    // No descriptor leaked by the server while it served.
    let fds_after = std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(
        fds_after <= fds_before + 4,
        "descriptors: {fds_before} before, {fds_after} after"
    );
    // Stopped, it leaves no process, no directory behind.
    let running = descendants(server.pid());
    assert_eq!(
        server.terminate(Duration::from_secs(30)),
        Some(0),
        "{}",
        server.log()
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while running.iter().any(|&pid| alive(pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<u32> = running.iter().copied().filter(|&pid| alive(pid)).collect();
    assert!(left.is_empty(), "processes left: {left:?}");
    assert!(server.leftovers().is_empty(), "{:?}", server.leftovers());
    // No cgroup of theirs either (a supervisor names its groups `repy-<pid>-…`).
    let groups = cgroups_of(&running);
    assert!(groups.is_empty(), "cgroups left: {groups:?}");
}

/// The cgroup directories (under /sys/fs/cgroup) made by supervisors among `pids`.
fn cgroups_of(pids: &BTreeSet<u32>) -> Vec<PathBuf> {
    let prefixes: Vec<String> = pids.iter().map(|pid| format!("repy-{pid}-")).collect();
    let mut found = Vec::new();
    let mut dirs = vec![(PathBuf::from("/sys/fs/cgroup"), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if prefixes.iter().any(|p| name.starts_with(p.as_str())) {
                found.push(path.clone());
            }
            if depth < 6 {
                dirs.push((path, depth + 1));
            }
        }
    }
    found
}

/// The children of `pid` (of any of its threads), with their command names
/// (`/proc/PID/comm`).
fn children_named(pid: u32) -> Vec<(u32, String)> {
    let mut children = String::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.map_while(Result::ok) {
            children += &std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            children.push(' ');
        }
    }
    children
        .split_whitespace()
        .filter_map(|p| p.parse::<u32>().ok())
        .map(|child| {
            let comm = std::fs::read_to_string(format!("/proc/{child}/comm")).unwrap_or_default();
            (child, comm.trim().to_owned())
        })
        .collect()
}

/// The warm pools are forked by one pool host (so their zygotes share its interpreter), and
/// a host that dies is replaced: its pools die with it, and the next requests are answered
/// by new ones, with nothing of the old left running.
#[test]
fn serve_forks_its_pools_from_one_host_and_replaces_a_dead_host() {
    let server = Server::start(CEILING, &[]);
    let hello = json!({"source": "print('hello')"});
    assert_eq!(outcome_of(&server.run(&hello))["stdout"], "hello\n");
    let hosts = children_named(server.pid());
    assert_eq!(hosts.len(), 1, "one child, the host: {hosts:?}");
    let (host, name) = hosts[0].clone();
    assert_eq!(name, "repy-pool-host");
    let pools = children_named(host);
    assert!(
        !pools.is_empty() && pools.iter().all(|(_, name)| name == "repy-pool"),
        "{pools:?}"
    );
    let old = descendants(server.pid());
    // SAFETY: kill takes a pid and a signal number.
    assert_eq!(unsafe { libc::kill(host as i32, libc::SIGKILL) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while old.iter().any(|&pid| alive(pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<u32> = old.iter().copied().filter(|&pid| alive(pid)).collect();
    assert!(left.is_empty(), "the host's pools died with it: {left:?}");
    for _ in 0..4 {
        let answer = server.run(&hello);
        assert_eq!(
            answer.status,
            200,
            "{}\nserver: {}",
            answer.body,
            server.log()
        );
        let outcome = answer.json();
        assert_eq!(outcome["verdict"], "finished", "{outcome}");
        assert_eq!(outcome["stdout"], "hello\n");
    }
    let hosts = children_named(server.pid());
    assert_eq!(hosts.len(), 1, "{hosts:?}");
    assert_ne!(hosts[0].0, host, "a new host");
}

/// A run's report names the restrictions the request asked for, never a file of the
/// server's (the pool's scratch copy of the ceiling, a cold job's policy file or temporary
/// vessel): `ceiling`, the named policy, or `<restrictions>` for the request's own text,
/// warm and cold alike.
#[test]
fn serve_reports_name_the_restrictions_asked_for_and_no_path_of_the_server() {
    let policies = tempfile::tempdir().expect("a directory");
    std::fs::write(
        policies.path().join("small.toml"),
        "profile = \"python\"\n[resources]\nmemory = \"50 MB\"\n",
    )
    .expect("write a policy");
    let dir = policies.path().display().to_string();
    let server = Server::start(CEILING, &["--policies", &dir]);
    let scratch = server.dir.path().display().to_string();
    let cases = [
        (json!({"source": "print(1)"}), "ceiling"),
        (
            json!({"source": "print(1)", "restrictions": {"name": "small"}}),
            "small",
        ),
        (
            json!({"source": "print(1)", "restrictions": "[resources]\nmemory = \"60 MB\"\n"}),
            "<restrictions>",
        ),
        // Standard input runs cold, in a `repy job` process with a vessel of its own.
        (
            json!({"source": "print(input())", "stdin": "x\n"}),
            "ceiling",
        ),
    ];
    for (request, label) in cases {
        let answer = server.run(&request);
        let outcome = outcome_of(&answer);
        assert_eq!(outcome["verdict"], "finished", "{outcome}");
        assert_eq!(outcome["report"]["restrictions"], label, "{request}");
        assert!(outcome["report"].get("vessel").is_none(), "{outcome}");
        assert!(
            !answer.body.contains(&scratch) && !answer.body.contains(&dir),
            "a path of the server's in {}",
            answer.body
        );
    }
}

/// `AnonHugePages` of the process `pid`, in KiB (0 when unreadable).
fn anon_huge_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("AnonHugePages:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The pool host moves repy's code and constants onto huge pages before it forks a pool
/// (src/huge_code.rs), so every pool process maps the same ones, and a run is not charged
/// for them: a warm hello's memory use stays below their size. Where the kernel has
/// transparent huge pages off, the code stays on the file's pages and runs all the same.
#[test]
fn serve_shares_its_code_on_huge_pages_and_charges_no_run_for_it() {
    let server = Server::start(CEILING, &[]);
    let outcome = outcome_of(&server.run(&json!({"source": "print('hello')"})));
    assert_eq!(outcome["stdout"], "hello\n", "{outcome}");
    let peak = outcome["report"]["peak_memory_bytes"]
        .as_u64()
        .expect("a peak");
    let (host, _) = children_named(server.pid())[0].clone();
    let huge = anon_huge_kib(host);
    let thp =
        std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").unwrap_or_default();
    if thp.contains("[never]") || thp.is_empty() {
        eprintln!("transparent huge pages are off here: the code stays on the file's pages");
        return;
    }
    // On, but none to be had (memory too fragmented): the host says so, and stays on the
    // file's pages. Any other reason it gives is a fault of ours, and fails below.
    if server.log().contains("KiB on huge pages") {
        eprintln!("no huge page free here: {}", server.log());
        return;
    }
    assert!(
        huge >= 8 * 1024,
        "the host's code on huge pages: {huge} KiB"
    );
    let pools = children_named(host);
    assert!(!pools.is_empty());
    for (pool, _) in pools {
        assert_eq!(anon_huge_kib(pool), huge, "pool {pool} shares the host's");
        for (zygote, _) in children_named(pool) {
            assert_eq!(
                anon_huge_kib(zygote),
                huge,
                "zygote {zygote} shares them too"
            );
        }
    }
    assert!(
        peak > 0 && peak < huge * 1024,
        "a run's memory use ({peak} bytes) leaves out the {huge} KiB of shared code"
    );
}

/// A client that goes away mid-run takes its pool with it; the pool's directory goes too,
/// even while the run's process, dying a moment after the pool, still makes files in it (red
/// team 27 found such directories left until the server stopped).
#[test]
fn serve_removes_the_directory_of_a_pool_killed_with_its_client() {
    use std::io::Write as _;
    let server = Server::start(CEILING, &["--no-tokens"]);
    let writer = "big = 'x' * 20000\ni = 0\nwhile True:\n    f = open('f%d' % i, 'w')\n    \
                  f.write(big)\n    f.close()\n    i += 1\n";
    let body = json!({"source": writer}).to_string();
    let address = server.base.trim_start_matches("http://").to_owned();
    for _ in 0..6 {
        let mut stream = std::net::TcpStream::connect(&address).expect("connect");
        write!(
            stream,
            "POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        std::thread::sleep(Duration::from_millis(400));
        drop(stream);
    }
    // The pools that remain (idle, or started since) each have one directory; a killed one
    // has none once it is gone.
    let scratch_dirs = || -> Vec<PathBuf> {
        let mut found = Vec::new();
        for serve_dir in server.leftovers() {
            if let Ok(entries) = std::fs::read_dir(&serve_dir) {
                found.extend(entries.map_while(Result::ok).map(|e| e.path()).filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("pool-"))
                        && p.is_dir()
                }));
            }
        }
        found
    };
    let live_pools = || {
        children_named(server.pid())
            .into_iter()
            .flat_map(|(host, _)| children_named(host))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while scratch_dirs().len() > live_pools() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        scratch_dirs().len() <= live_pools(),
        "{} pool directories for {} pools: {:?}",
        scratch_dirs().len(),
        live_pools(),
        scratch_dirs()
    );
}

/// Nothing of the server's environment reaches the processes that run programs, not even in
/// their memory: the pool host and the cold `repy job`s start with an empty environment
/// (the sandbox child empties its own, but the strings stayed where the process began). The
/// test process's `CARGO_MANIFEST_DIR`, which the server inherits, stands for a secret.
#[test]
fn serve_hands_no_environment_on_to_its_runs() {
    let server = Server::start(CEILING, &[]);
    let server_environ =
        std::fs::read(format!("/proc/{}/environ", server.pid())).unwrap_or_default();
    assert!(
        String::from_utf8_lossy(&server_environ).contains("CARGO_MANIFEST_DIR="),
        "the server itself has the variable"
    );
    // A warm run, and a cold one (standard input) still running when looked at.
    assert_eq!(
        outcome_of(&server.run(&json!({"source": "print('warm')"})))["stdout"],
        "warm\n"
    );
    let base = server.base.clone();
    let cold = std::thread::spawn(move || {
        Server::client()
            .post(format!("{base}/v1/runs"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .body(json!({"source": "print(input())\nsleep(1.5)", "stdin": "cold\n"}).to_string())
            .send()
            .map(|r| r.status().as_u16())
    });
    std::thread::sleep(Duration::from_millis(700));
    let processes = descendants(server.pid());
    assert!(processes.len() >= 4, "{processes:?}");
    for pid in &processes {
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&environ).contains("CARGO_MANIFEST_DIR="),
            "process {pid} holds the server's environment"
        );
    }
    assert!(matches!(cold.join().expect("the cold request"), Ok(200)));
}
