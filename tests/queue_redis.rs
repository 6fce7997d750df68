//! Queue workers on Redis (`repy worker`, `repy submit`) against a real `redis-server`,
//! started by each test on a Unix socket in a temporary directory (no port, no persistence)
//! and killed when the test ends, even by a panic. Where `redis-server` is not installed
//! (Debian's `redis-server` package; `.ci/run` installs it) the tests print `skipped:`, and
//! fail under `REPY_TEST_REQUIRE_ALL=1`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::REPY;

/// A `redis-server` of the test's own, killed on drop.
struct RedisServer {
    child: Child,
    /// Holds the socket and the server's working directory while the server runs.
    _dir: tempfile::TempDir,
    url: String,
}

impl RedisServer {
    /// Starts one, or `None` (after printing `skipped:`) where `redis-server` is missing.
    fn start() -> Option<RedisServer> {
        let dir = tempfile::Builder::new()
            .prefix("repy-redis-")
            .tempdir()
            .expect("temp dir");
        let socket = dir.path().join("redis.sock");
        let spawned = Command::new("redis-server")
            .args(["--port", "0", "--unixsocket"])
            .arg(&socket)
            .args([
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    std::env::var_os("REPY_TEST_REQUIRE_ALL").is_none(),
                    "redis-server is not installed (apt-get install redis-server)"
                );
                eprintln!("skipped: redis-server is not installed");
                return None;
            }
            Err(err) => panic!("cannot start redis-server: {err}"),
        };
        let server = RedisServer {
            child,
            url: format!("unix://{}", socket.display()),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ping = server
                .try_connection()
                .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con));
            match ping {
                Ok(_) => return Some(server),
                Err(err) if Instant::now() > deadline => {
                    panic!("redis-server never answered: {err}")
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    fn try_connection(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(self.url.as_str())?.get_connection()
    }

    fn connection(&self) -> redis::Connection {
        self.try_connection().expect("connect to the test's redis")
    }

    /// A command's answer.
    fn query<T: redis::FromRedisValue>(&self, cmd: &mut redis::Cmd) -> T {
        cmd.query(&mut self.connection()).expect("redis command")
    }

    /// The stored results, by job id.
    fn results(&self) -> BTreeMap<String, Value> {
        let mut con = self.connection();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("repy:result:*")
            .query(&mut con)
            .expect("KEYS");
        let mut results = BTreeMap::new();
        for key in keys {
            let text: String = redis::cmd("GET").arg(&key).query(&mut con).expect("GET");
            let value: Value = serde_json::from_str(&text).expect("a result is JSON");
            let id = key.trim_start_matches("repy:result:").to_owned();
            results.insert(id, value);
        }
        results
    }

    /// How many entries of the stream are pending (delivered, not acknowledged).
    fn pending(&self) -> usize {
        let (count, _, _, _): (usize, redis::Value, redis::Value, redis::Value) =
            self.query(redis::cmd("XPENDING").arg("repy:jobs").arg("repy-workers"));
        count
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `repy worker` process, killed on drop if still running; its log in a file.
struct Worker {
    child: Child,
    log: PathBuf,
}

impl Worker {
    fn start(redis: &RedisServer, dir: &Path, consumer: &str, extra: &[&str]) -> Worker {
        let log = dir.join(format!("{consumer}-{}.log", unique()));
        let file = std::fs::File::create(&log).expect("worker log");
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).expect("worker TMPDIR");
        let child = Command::new(REPY)
            .args(["worker", "--redis", &redis.url, "--consumer", consumer])
            .args(extra)
            .env("TMPDIR", &tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("spawn repy worker");
        Worker { child, log }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit code, up to `limit`.
    fn stop(&mut self, limit: Duration) -> Option<i32> {
        signal(self.pid(), nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait worker") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the worker did not stop within {limit:?}:\n{}", self.log());
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(pid: u32, signal: nix::sys::signal::Signal) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).expect("pid"));
    nix::sys::signal::kill(pid, signal).expect("signal the worker");
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// `repy submit --redis URL ARGS...` with `input` on its standard input.
fn submit(redis: &RedisServer, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(REPY)
        .args(["submit", "--redis", &redis.url])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn repy submit");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write jobs");
    let output = child.wait_with_output().expect("repy submit");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn lines(jobs: &[Value]) -> String {
    jobs.iter().map(|job| format!("{job}\n")).collect()
}

fn print_job(id: &str, text: &str) -> Value {
    json!({"id": id, "kind": "run", "source": format!("print({text:?})")})
}

/// Waits until `done` holds, up to `limit`; panics with `what` otherwise.
fn wait_until(limit: Duration, what: impl Fn() -> String, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {}", what());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn redis_submit_wait_prints_results_in_submission_order() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut worker = Worker::start(&redis, dir.path(), "w", &["--concurrency", "2"]);
    // The first job is the slowest: the others end before it, and still print after it.
    let mut jobs = vec![json!({"id": "slow", "kind": "run",
        "source": "n = 0\nfor i in range(2000000):\n    n += i\nprint(n)"})];
    jobs.extend((0..5).map(|i| print_job(&format!("quick-{i}"), &format!("q{i}"))));
    let (code, stdout, stderr) =
        submit(&redis, &["--wait", "--timeout", "60s", "-"], &lines(&jobs));
    assert_eq!(code, 0, "{stderr}\n{}", worker.log());
    let results: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let ids: Vec<&str> = results.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        ["slow", "quick-0", "quick-1", "quick-2", "quick-3", "quick-4"]
    );
    assert_eq!(results[0]["outcome"]["stdout"], "1999999000000\n");
    assert_eq!(results[3]["outcome"]["stdout"], "q2\n");
    assert!(
        results
            .iter()
            .all(|r| r["outcome"]["verdict"] == "finished"),
        "{stdout}"
    );

    // `--run` wraps a program file into a run job with a new id.
    let program = dir.path().join("hello.py");
    std::fs::write(&program, "print('hello from the queue')\n").expect("program");
    let (code, stdout, stderr) = submit(
        &redis,
        &["--wait", "--run", program.to_str().expect("utf-8")],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    let result: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(result["outcome"]["stdout"], "hello from the queue\n");
    assert_eq!(result["id"].as_str().map(str::len), Some(36), "{result}");

    // A result that does not come in time: exit 112, naming the job.
    assert_eq!(
        worker.stop(Duration::from_secs(20)),
        Some(0),
        "{}",
        worker.log()
    );
    let (code, _, stderr) = submit(
        &redis,
        &["--wait", "--timeout", "300ms", "-"],
        &lines(&[print_job("never", "x")]),
    );
    assert_eq!(code, 112, "{stderr}");
    assert!(stderr.contains("job never: no result"), "{stderr}");
}

#[test]
fn redis_job_submitted_twice_with_one_id_has_one_result() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let worker = Worker::start(&redis, dir.path(), "w", &["--concurrency", "1"]);
    let first = print_job("twice", "first");
    let second = print_job("twice", "second");
    let (code, stdout, stderr) = submit(
        &redis,
        &["--wait", "--timeout", "60s", "-"],
        &lines(&[first]),
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, again, stderr) = submit(
        &redis,
        &["--wait", "--timeout", "60s", "-"],
        &lines(&[second]),
    );
    assert_eq!(code, 0, "{stderr}");
    // The second submission gets the first one's result: it was not run again.
    assert_eq!(again, stdout);
    let results = redis.results();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results["twice"]["outcome"]["stdout"], "first\n");
    // The waiting submitter finds the first result at once; the worker may take the second
    // entry a moment later (it then only acknowledges it).
    wait_until(
        Duration::from_secs(20),
        || worker.log(),
        || {
            let log = worker.log();
            log.contains("job twice (entry") && log.contains("already has a result")
        },
    );
    let settled = || {
        let length: usize = redis.query(redis::cmd("XLEN").arg("repy:jobs"));
        (redis.pending(), length)
    };
    // Settled entries are acknowledged and deleted from the stream.
    wait_until(
        Duration::from_secs(20),
        || format!("(pending, stream length) = {:?}", settled()),
        || settled() == (0, 0),
    );
}

#[test]
fn redis_poison_and_malformed_entries_end_with_error_results_not_retries() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let mut con = redis.connection();
    let _: () = redis::cmd("XGROUP")
        .arg(&["CREATE", "repy:jobs", "repy-workers", "0", "MKSTREAM"][..])
        .query(&mut con)
        .expect("create the group");
    // A job three workers took and died with (each delivery by another consumer): it was
    // read by one, then claimed by two more, and none acknowledged it.
    let job = print_job("poison", "never run").to_string();
    let _: String = redis::cmd("XADD")
        .arg(&["repy:jobs", "*", "id", "poison", "job", &job][..])
        .query(&mut con)
        .expect("XADD");
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg(
            &[
                "GROUP",
                "repy-workers",
                "dead-1",
                "COUNT",
                "1",
                "STREAMS",
                "repy:jobs",
                ">",
            ][..],
        )
        .query(&mut con)
        .expect("XREADGROUP");
    for dead in ["dead-2", "dead-3"] {
        let _: redis::Value = redis::cmd("XAUTOCLAIM")
            .arg(&["repy:jobs", "repy-workers", dead, "0", "0-0"][..])
            .query(&mut con)
            .expect("XAUTOCLAIM");
    }
    // Malformed entries: a job that is not JSON (with an id), and one with neither.
    let _: String = redis::cmd("XADD")
        .arg(&["repy:jobs", "*", "id", "garbled", "job", "print(1"][..])
        .query(&mut con)
        .expect("XADD");
    let _: String = redis::cmd("XADD")
        .arg(&["repy:jobs", "*", "junk", "1"][..])
        .query(&mut con)
        .expect("XADD");

    let dir = tempfile::tempdir().expect("temp dir");
    let mut worker = Worker::start(
        &redis,
        dir.path(),
        "w",
        &[
            "--concurrency",
            "1",
            "--claim-after",
            "200ms",
            "--max-deliveries",
            "3",
        ],
    );
    wait_until(
        Duration::from_secs(20),
        || format!("{:?}\n{}", redis.results(), worker.log()),
        || redis.results().len() == 2 && redis.pending() == 0,
    );
    let results = redis.results();
    let poison = results["poison"]["error"].as_str().unwrap_or_default();
    assert!(poison.contains("delivered 4 times"), "{results:?}");
    assert!(
        results["poison"].get("outcome").is_none(),
        "it did not run: {results:?}"
    );
    let garbled = results["garbled"]["error"].as_str().unwrap_or_default();
    assert!(garbled.contains("not JSON"), "{results:?}");
    assert_eq!(worker.stop(Duration::from_secs(20)), Some(0));
    let log = worker.log();
    assert!(
        log.contains("acknowledged without a result, it has no job id"),
        "{log}"
    );
    let length: usize = redis.query(redis::cmd("XLEN").arg("repy:jobs"));
    assert_eq!(length, 0, "{log}");
}

/// A process as `/proc` knows it: pid and start time (a reused pid has another).
type Proc = (u32, u64);

/// Every process's parent and start time, from `/proc`.
fn process_table() -> HashMap<u32, (u32, u64)> {
    let mut table = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return table;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some((ppid, start)) = stat(pid) {
            table.insert(pid, (ppid, start));
        }
    }
    table
}

/// A live (not zombie) process's parent and start time.
fn stat(pid: u32) -> Option<(u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which may hold spaces and parentheses.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    if fields.first() == Some(&"Z") {
        return None;
    }
    Some((fields.get(1)?.parse().ok()?, fields.get(19)?.parse().ok()?))
}

/// The processes below `roots` now.
fn descendants(roots: &[u32]) -> BTreeSet<Proc> {
    let table = process_table();
    let mut found = BTreeSet::new();
    for (&pid, &(_, start)) in &table {
        let mut at = pid;
        for _ in 0..64 {
            let Some(&(parent, _)) = table.get(&at) else {
                break;
            };
            if roots.contains(&parent) {
                found.insert((pid, start));
                break;
            }
            at = parent;
        }
    }
    found
}

fn alive(process: &Proc) -> bool {
    stat(process.0).is_some_and(|(_, start)| start == process.1)
}

/// The cgroup directories this process's groups are in (a run's groups are made below its
/// supervisor's, which a worker's children share with this test).
fn own_cgroup_dirs() -> Vec<PathBuf> {
    let text = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut dirs = Vec::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let path = path.trim_start_matches('/');
        let base = match controllers.split(',').next() {
            Some("") | None => vec![
                PathBuf::from("/sys/fs/cgroup/unified"),
                PathBuf::from("/sys/fs/cgroup"),
            ],
            Some(first) => {
                vec![Path::new("/sys/fs/cgroup").join(first.trim_start_matches("name="))]
            }
        };
        dirs.extend(
            base.into_iter()
                .map(|b| b.join(path))
                .filter(|d| d.is_dir()),
        );
    }
    dirs
}

/// The cgroup and vessel directories left by processes of `owners`: `repy-<pid>-<start>-…`
/// in this process's cgroup directories (and one level down), `repy-vessel-<pid>-<start>-…`
/// in `tmp`.
fn leftovers(owners: &BTreeSet<Proc>, tmp: &Path) -> Vec<PathBuf> {
    let owned = |name: &str, prefix: &str| {
        let Some((owner, _)) = name
            .strip_prefix(prefix)
            .and_then(nanny::owner::Owner::parse_tag)
        else {
            return false;
        };
        owners.contains(&(owner.pid, owner.start))
    };
    let mut left = Vec::new();
    let mut dirs = own_cgroup_dirs();
    let children: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flat_map(|entries| entries.flatten().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.extend(children);
    for dir in dirs {
        if let Some(name) = dir.file_name().and_then(|n| n.to_str()) {
            if owned(name, "repy-") {
                left.push(dir.clone());
            }
        }
    }
    for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
        if let Some(name) = entry.file_name().to_str() {
            if name.starts_with("repy-vessel-") {
                left.push(entry.path());
            }
        }
    }
    left.sort();
    left.dedup();
    left
}

/// The test: three workers, 2,000 jobs, one worker killed by SIGKILL in the middle
/// of its jobs and another restarted; every job ends with exactly one stored result, run
/// to its end once, and no process, cgroup or vessel of the workers' jobs is left.
#[test]
fn redis_three_workers_two_thousand_jobs_survive_a_kill_and_a_restart() {
    const QUICK: usize = 2000;
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let tmp = dir.path().join("tmp");
    let options = ["--concurrency", "2", "--claim-after", "2s"];

    // Long jobs first, so that the first worker is busy with two of them when it is killed.
    let long_policy = "profile = \"python\"\n[resources]\nwall-time = \"3 s\"\n";
    let mut jobs: Vec<Value> = (0..3)
        .map(|i| {
            json!({"id": format!("long-{i}"), "kind": "run",
            "source": "while True:\n    pass", "restrictions": long_policy})
        })
        .collect();
    jobs.extend((0..QUICK).map(|i| {
        json!({"id": format!("job-{i}"), "kind": "run",
        "source": format!("print({i})")})
    }));
    let ids: BTreeSet<String> = jobs
        .iter()
        .filter_map(|j| j["id"].as_str().map(str::to_owned))
        .collect();

    let mut first = Worker::start(&redis, dir.path(), "w1", &options);
    let (code, stdout, stderr) = submit(&redis, &["-"], &lines(&jobs));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), jobs.len());
    let mut second = Worker::start(&redis, dir.path(), "w2", &options);
    let mut third = Worker::start(&redis, dir.path(), "w3", &options);

    // Every process below a worker, sampled while the test runs.
    let seen = Arc::new(Mutex::new(BTreeSet::<Proc>::new()));
    let sampling = Arc::new(AtomicBool::new(true));
    let roots = Arc::new(Mutex::new(vec![first.pid(), second.pid(), third.pid()]));
    let sampler = {
        let (seen, sampling, roots) = (seen.clone(), sampling.clone(), roots.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::SeqCst) {
                let now = descendants(&roots.lock().expect("roots"));
                seen.lock().expect("seen").extend(now);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };

    // Kill the first worker while it runs its long jobs: its job processes, their sandboxes.
    let pid = first.pid();
    wait_until(
        Duration::from_secs(20),
        || format!("the first worker runs no job: {}", first.log()),
        // Its two job processes, each with a sandbox.
        || descendants(&[pid]).len() >= 4,
    );
    let below_first = descendants(&[pid]);
    signal(first.pid(), nix::sys::signal::Signal::SIGKILL);
    let _ = first.child.wait();
    seen.lock()
        .expect("seen")
        .extend(below_first.iter().copied());
    wait_until(
        Duration::from_secs(5),
        || format!("the killed worker's jobs live on: {below_first:?}"),
        || below_first.iter().all(|p| !alive(p)),
    );

    // Restart the second one once it works (a signal before it has set up its handlers is
    // a plain kill): it finishes its running jobs, exits 0, comes back.
    wait_until(
        Duration::from_secs(30),
        || format!("the second worker ran no job: {}", second.log()),
        || !second.log().is_empty(),
    );
    assert_eq!(
        second.stop(Duration::from_secs(20)),
        Some(0),
        "{}",
        second.log()
    );
    let mut restarted = Worker::start(&redis, dir.path(), "w2", &options);
    roots.lock().expect("roots").push(restarted.pid());

    // About 30 s alone on 2 cores; the limit leaves room for a loaded machine.
    wait_until(
        Duration::from_secs(240),
        || format!("{} of {} results", redis.results().len(), ids.len()),
        || redis.results().len() >= ids.len() && redis.pending() == 0,
    );
    let logs = [first.log(), second.log(), third.log(), restarted.log()].join("");
    assert_eq!(
        third.stop(Duration::from_secs(20)),
        Some(0),
        "{}",
        third.log()
    );
    assert_eq!(
        restarted.stop(Duration::from_secs(20)),
        Some(0),
        "{}",
        restarted.log()
    );
    sampling.store(false, Ordering::SeqCst);
    sampler.join().expect("sampler");

    // Exactly one result per job, each the job's own.
    let results = redis.results();
    let stored: BTreeSet<String> = results.keys().cloned().collect();
    assert_eq!(stored, ids, "lost or foreign results");
    for i in 0..QUICK {
        let result = &results[&format!("job-{i}")];
        assert_eq!(result["outcome"]["stdout"], format!("{i}\n"), "{result}");
    }
    for i in 0..3 {
        let result = &results[&format!("long-{i}")];
        assert_eq!(result["outcome"]["verdict"], "wall-time-limit", "{result}");
    }
    // Each stored once by a worker's log: a run whose result was stored logs one line
    // (`job ID (kind, entry …): verdict`), a dropped duplicate says so.
    let mut stored_lines: BTreeMap<&str, usize> = BTreeMap::new();
    for line in logs
        .lines()
        .filter(|l| !l.contains("dropped") && !l.contains("already has"))
    {
        if let Some(rest) = line.strip_prefix("repy worker: job ") {
            if let Some((id, _)) = rest.split_once(' ') {
                *stored_lines.entry(id).or_default() += 1;
            }
        }
    }
    let twice: Vec<_> = stored_lines.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");
    assert_eq!(stored_lines.len(), ids.len());
    let length: usize = redis.query(redis::cmd("XLEN").arg("repy:jobs"));
    assert_eq!(length, 0);

    // No process of any worker's jobs is left, and after one more run (which sweeps what
    // dead supervisors left), none of their cgroups or vessels.
    let seen = seen.lock().expect("seen").clone();
    assert!(seen.len() > 10, "the sampler saw almost no job: {seen:?}");
    let living: Vec<_> = seen.iter().filter(|p| alive(p)).collect();
    assert!(living.is_empty(), "left behind: {living:?}");
    let sweep = Command::new(REPY)
        .arg("job")
        .env("TMPDIR", &tmp)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            let doc = json!({"id": "sweep", "kind": "run", "source": "print(1)"});
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(doc.to_string().as_bytes())?;
            child.wait_with_output()
        })
        .expect("one more run");
    assert!(sweep.status.success());
    let left = leftovers(&seen, &tmp);
    assert!(left.is_empty(), "left behind: {left:?}");
}
