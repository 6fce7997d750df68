//! The nanny through the binary: renewable resources throttle, item limits raise, fixed
//! limits and the new limits kill with their own exit codes, and the report says why —
//! however the run ends. Timing bounds are generous: the machine is shared and noisy.

use std::time::{Duration, Instant};

use crate::support::{RunOutput, Sandbox};

/// Runs `program` under `policy` with `--report`, returning the output and the report.
fn run_reported(
    policy: &str,
    program: &str,
    extra: &[&str],
) -> (Sandbox, RunOutput, serde_json::Value) {
    let mut sb = Sandbox::new()
        .restrictions(policy)
        .program(program)
        .caller_option("--report", "report.json");
    for option in extra {
        sb = sb.option(option);
    }
    let out = sb.run(&[]);
    let text = std::fs::read_to_string(sb.caller().join("report.json")).unwrap_or_default();
    let report = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("report is not JSON ({e}): {text}\n{}", out.explain()));
    let _ = std::fs::remove_file(sb.caller().join("report.json"));
    (sb, out, report)
}

/// Asserts that the report's `message` contains `needle`.
fn assert_message_contains(report: &serde_json::Value, needle: &str) {
    assert!(
        report["message"]
            .as_str()
            .is_some_and(|m| m.contains(needle)),
        "the report's message lacks {needle:?}: {report}"
    );
}

fn verdict(report: &serde_json::Value) -> &str {
    report["verdict"].as_str().unwrap_or("<none>")
}

#[test]
fn nanny_lograte_makes_the_next_write_wait() {
    // RepyV2's verified example: 3001 bytes at 1000 B/s, then the next log waits ~2 s.
    let program = "start = getruntime()\nlog('x' * 3001)\nlog('y')\nprint()\nprint(round(getruntime() - start, 1))\n";
    let (_, out, report) = run_reported("[resources]\nlograte = 1000\n", program, &[]);
    out.assert_code(0);
    let waited: f64 = out
        .stdout()
        .lines()
        .last()
        .and_then(|l| l.parse().ok())
        .unwrap_or(-1.0);
    assert!(
        (1.5..8.0).contains(&waited),
        "waited {waited} s\n{}",
        out.explain()
    );
    assert!(
        report["renewable"]["lograte"]["throttled_seconds"]
            .as_f64()
            .unwrap_or(0.0)
            > 1.0,
        "{report}"
    );
}

#[test]
fn nanny_filewrite_and_random_are_throttled() {
    let program = "start = getruntime()\nf = openfile('data', True)\nfor i in range(6):\n    f.writeat('z' * 4096, i * 4096)\nf.close()\nwrote = getruntime() - start\nstart = getruntime()\nfor i in range(20):\n    randombytes()\nprint(round(wrote, 1), round(getruntime() - start, 1))\n";
    let (_, out, _) = run_reported(
        "[resources]\nfilewrite = \"10 kB/s\"\nrandom = \"10 kB/s\"\n",
        program,
        &[],
    );
    out.assert_code(0);
    let times: Vec<f64> = out
        .stdout()
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    // 7 blocks of 4096 (6 writes + the create) at 10 kB/s: ~2 s; 20 KiB of random at 10 kB/s: ~1 s.
    assert!(
        times.len() == 2 && (1.2..10.0).contains(&times[0]) && (0.7..8.0).contains(&times[1]),
        "{times:?}\n{}",
        out.explain()
    );
}

#[test]
fn nanny_item_limits_raise_resource_exhausted() {
    let program = r#"
handles = [openfile("f%d" % i, True) for i in range(2)]
try:
    openfile("f9", True)
except ResourceExhaustedError as e:
    print("files:", e)
lock = createlock()
lock.acquire(True)
def wait():
    lock.acquire(True)
    lock.release()
createthread(wait)
try:
    createthread(wait)
except ResourceExhaustedError as e:
    print("events:", e)
lock.release()
s = listenforconnection("127.0.0.1", 63170)
try:
    listenforconnection("127.0.0.1", 63171)
except ResourceExhaustedError as e:
    print("insockets:", e)
try:
    listenformessage("127.0.0.1", 63199)
except ResourceForbiddenError as e:
    print("port:", e)
"#;
    let policy = "[resources]\nfilesopened = 2\nevents = 2\ninsockets = 1\nconnport = [63170, 63171]\nmessport = [63170]\n";
    let (sb, out, report) = run_reported(policy, program, &[]);
    out.assert_code(0)
        .assert_stdout_contains("files: Resource 'filesopened' limit exceeded!!")
        .assert_stdout_contains("events: Resource 'events' limit exceeded!!")
        .assert_stdout_contains("insockets: Resource 'insockets' limit exceeded!!")
        .assert_stdout_contains("port:");
    assert!(
        !sb.path().join("f9").exists(),
        "a refused open created its file"
    );
    assert_eq!(report["item_peaks"]["events"], 2, "{report}");
}

#[test]
fn nanny_memory_hog_is_killed_and_reported() {
    let program = "log('started\\n')\nhog = []\nwhile True:\n    hog.append(' ' * 1000000)\n";
    let (_, out, report) = run_reported("[resources]\nmemory = \"60 MB\"\n", program, &[]);
    out.assert_code(98)
        .assert_stdout("started\n")
        .assert_stderr_contains("memory use");
    assert_eq!(verdict(&report), "resource-killed");
    assert!(
        report["message"]
            .as_str()
            .unwrap_or("")
            .contains("over the limit of 60000000 bytes"),
        "{report}"
    );
    assert!(
        report["peak_memory_bytes"].as_u64().unwrap_or(u64::MAX) < 400_000_000,
        "{report}"
    );
}

#[test]
fn nanny_disk_filler_is_killed() {
    let program =
        "f = openfile('big', True)\nfor i in range(1000):\n    f.writeat('d' * 10000, i * 10000)\n";
    let (sb, out, report) = run_reported("[resources]\ndiskused = \"200 kB\"\n", program, &[]);
    out.assert_code(98).assert_stderr_contains("disk use");
    assert_eq!(verdict(&report), "resource-killed");
    let size = std::fs::metadata(sb.path().join("big"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(size < 5_000_000, "the file grew to {size} bytes");
}

#[test]
fn nanny_wall_time_limit_kills_and_keeps_earlier_output() {
    let started = Instant::now();
    let (_, out, report) = run_reported(
        "[resources]\nwall-time = \"1 s\"\n",
        "log('before\\n')\nsleep(30)\nlog('after\\n')\n",
        &[],
    );
    out.assert_code(101).assert_stdout("before\n");
    assert_eq!(verdict(&report), "wall-time-limit");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn nanny_cpu_time_limit_kills_a_busy_loop() {
    let (_, out, report) = run_reported(
        "[resources]\ncpu-time = \"1 s\"\n",
        "while True:\n    pass\n",
        &[],
    );
    out.assert_code(102);
    assert_eq!(verdict(&report), "cpu-time-limit");
    assert!(
        report["cpu_seconds"].as_f64().unwrap_or(0.0) >= 0.9,
        "{report}"
    );
}

#[test]
fn nanny_output_limit_keeps_exactly_the_allowed_bytes() {
    let (_, out, report) = run_reported(
        "[resources]\noutput = 1000\n",
        "while True:\n    print('x' * 99)\n",
        &[],
    );
    out.assert_code(103);
    assert_eq!(out.output.stdout.len(), 1000, "{}", out.explain());
    assert_eq!(verdict(&report), "output-limit");
}

#[test]
fn nanny_cpu_share_is_held_below_the_limit() {
    let program = "start = getruntime()\nwhile getruntime() - start < 2.0:\n    pass\nlimits, usage, stops = getresources()\nprint(len(stops) > 0)\n";
    let (_, out, report) = run_reported("[resources]\ncpu = 0.2\n", program, &[]);
    out.assert_code(0);
    let cpu = report["cpu_seconds"].as_f64().unwrap_or(99.0);
    // 2 s of wall time at a fifth of a core: about 0.4 s of CPU.
    assert!((0.15..1.2).contains(&cpu), "cpu {cpu}\n{report}");
    let mechanism = report["enforcement"]["cpu"].as_str().unwrap_or("");
    assert!(
        mechanism == "cgroup" || mechanism == "stop-resume",
        "{report}"
    );
    if mechanism == "stop-resume" {
        out.assert_stdout("True\n");
    }
}

#[test]
fn nanny_thread_flood_and_log_flood_are_contained() {
    let threads = "def spin():\n    sleep(5)\nwhile True:\n    try:\n        createthread(spin)\n    except ResourceExhaustedError:\n        pass\n";
    let (_, out, report) = run_reported(
        "[resources]\nevents = 50\nwall-time = \"2 s\"\n",
        threads,
        &[],
    );
    out.assert_code(101);
    assert_eq!(report["item_peaks"]["events"], 50, "{report}");
    let flood = "while True:\n    log('flood ' * 100)\n";
    let (_, out, report) = run_reported(
        "[resources]\nlograte = \"10 kB/s\"\nwall-time = \"2 s\"\n",
        flood,
        &[],
    );
    out.assert_code(101);
    let written = report["output_bytes"].as_u64().unwrap_or(u64::MAX);
    assert!(
        written < 60_000,
        "lograte let {written} bytes through in 2 s"
    );
}

#[test]
fn nanny_stop_file_ends_the_run_with_its_code() {
    let sb = Sandbox::new()
        .program("log('running\\n')\nsleep(30)\n")
        .caller_option("--stop", "stopfile");
    let path = sb.caller().join("stopfile");
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(800));
        std::fs::write(path, "7;stopped by the test").expect("write stop file");
    });
    let out = sb.run(&[]);
    writer.join().expect("writer");
    out.assert_code(7)
        .assert_stdout_contains("running\n")
        .assert_stdout_contains("stopped by the test");
}

#[test]
fn nanny_report_is_written_however_the_run_ends() {
    let cases: &[(&str, &str, &[&str], i64, &str)] = &[
        ("[resources]\n", "log('ok')\n", &[], 0, "finished"),
        (
            "[resources]\n",
            "raise ValueError('x')\n",
            &[],
            6,
            "uncaught-exception",
        ),
        ("[resources]\n", "exitall()\n", &[], 200, "exitall"),
        ("[resources]\n", "import os\n", &[], 5, "unsafe-code"),
        (
            "[resources]\ncpu = -1\n",
            "log('x')\n",
            &[],
            3,
            "bad-restrictions",
        ),
        (
            "[resources]\n",
            "def t():\n    raise ValueError('in thread')\ncreatethread(t)\nsleep(5)\n",
            &[],
            30,
            "thread-exception",
        ),
        (
            "[resources]\n",
            "x = [1]\nfor i in range(1000000):\n    x = map(abs, x)\nlist(x)\n",
            &[],
            121,
            "stack-overflow",
        ),
    ];
    for (policy, program, extra, code, expected) in cases {
        let (_, out, report) = run_reported(policy, program, extra);
        assert_eq!(
            out.code(),
            Some(*code as i32),
            "{program}\n{}",
            out.explain()
        );
        assert_eq!(report["schema"], "repy-report/1", "{report}");
        assert_eq!(verdict(&report), *expected, "{program}\n{report}");
        assert_eq!(report["exit_code"], *code, "{report}");
    }
}

#[test]
fn nanny_report_fields_match_docs_report_format() {
    let doc = std::fs::read_to_string(crate::support::repo_root().join("docs/report-format.md"))
        .expect("docs/report-format.md");
    let documented: std::collections::BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    // --vessel-temp adds the one field a run in the current directory leaves out.
    let (_, out, report) = run_reported("[resources]\n", "log('x')\n", &["--vessel-temp"]);
    out.assert_code(0);
    let produced: std::collections::BTreeSet<String> = report
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        produced, documented,
        "docs/report-format.md and the report drifted apart"
    );
}

#[test]
fn nanny_logfile_keeps_a_circular_log_and_status_files_track_the_run() {
    let program = "for i in range(6000):\n    log('line %d\\n' % i)\n";
    let sb = Sandbox::new()
        .program(program)
        .caller_option("--logfile", "run-log")
        .caller_option("--status", "status");
    let out = sb.run(&[]);
    out.assert_code(0);
    assert_eq!(
        out.stdout(),
        "",
        "with --logfile nothing goes to the terminal"
    );
    let newest = std::fs::read_to_string(sb.caller().join("run-log.new")).expect("run-log.new");
    let older = std::fs::read_to_string(sb.caller().join("run-log.old")).expect("run-log.old");
    assert!(
        newest.ends_with("line 5999\n"),
        "the newest output is in .new: {:?}",
        &newest[newest.len().saturating_sub(40)..]
    );
    assert!(newest.len() <= 16 * 1024 && older.len() <= 16 * 1024);
    assert!(
        !older.contains("line 0\n"),
        "the oldest output has been dropped"
    );
    let statuses: Vec<String> = std::fs::read_dir(sb.caller())
        .expect("caller dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("status-"))
        .collect();
    assert_eq!(statuses.len(), 1, "{statuses:?}");
    assert!(
        statuses[0].starts_with("status-Terminated-"),
        "{statuses:?}"
    );
}

#[test]
fn nanny_sigterm_to_repy_kills_the_program_and_still_reports() {
    let sb = Sandbox::new()
        .program("log('up\\n')\nsleep(60)\n")
        .caller_option("--report", "report.json");
    let mut repy = sb.spawn(&[]);
    let mut line = String::new();
    let stdout = repy.stdout.take().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("read");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(repy.id()).expect("pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("signal repy");
    let status = repy.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sb.caller().join("report.json")).expect("report"),
    )
    .expect("json");
    assert_eq!(report["verdict"], "interrupted");
}

#[test]
fn nanny_standard_error_follows_the_output_written_before_it() {
    // Both streams into one file, as on a terminal: the traceback must come after every line
    // logged before the exception, although standard output goes through the shared-memory
    // ring and standard error through a pipe.
    let dir = tempfile::tempdir().expect("temporary directory");
    let program = dir.path().join("program.py");
    std::fs::write(
        &program,
        "for i in range(3000):\n    log('line %d\\n' % i)\nraise ValueError('after the lines')\n",
    )
    .expect("write the program");
    let restrictions = dir.path().join("r.toml");
    std::fs::write(&restrictions, "[resources]\n").expect("write the restrictions");
    let combined = dir.path().join("combined");
    let file = std::fs::File::create(&combined).expect("create the output file");
    let status = std::process::Command::new(crate::support::REPY)
        .arg("--cwd")
        .arg(dir.path())
        .arg(&restrictions)
        .arg(&program)
        .stdout(file.try_clone().expect("clone the output file"))
        .stderr(file)
        .status()
        .expect("run repy");
    assert_eq!(status.code(), Some(6));
    let text = std::fs::read_to_string(&combined).expect("read the output");
    let last_line = text.find("line 2999\n").expect("the last line was relayed");
    let traceback = text.find("Traceback").expect("the traceback was relayed");
    assert!(last_line < traceback, "{text}");
    assert_eq!(
        text.matches("\nline ").count() + 1,
        3000,
        "a line is missing"
    );
}

/// Starts `program` under `policy` with a report, its stdout piped to the test.
fn spawn_reported(policy: &str, program: &str) -> (Sandbox, std::process::Child) {
    let sb = Sandbox::new()
        .restrictions(policy)
        .program(program)
        .caller_option("--report", "report.json");
    let child = sb.spawn(&[]);
    (sb, child)
}

#[test]
fn nanny_enforcement_keeps_its_cadence_when_nobody_reads_the_output() {
    // One 400 kB log and then a spin: the reader takes nothing for 5 s, yet the 2 s
    // wall-time limit fires on time (the supervisor used to block writing to the pipe).
    let (sb, mut repy) = spawn_reported(
        "[resources]\nwall-time = 2\nlograte = \"100 MB/s\"\n",
        "log('x' * 400000)\nwhile True:\n    pass\n",
    );
    std::thread::sleep(Duration::from_secs(5));
    let mut stdout = repy.stdout.take().expect("stdout");
    let mut all = Vec::new();
    std::io::Read::read_to_end(&mut stdout, &mut all).expect("read");
    let status = repy.wait().expect("wait");
    assert_eq!(status.code(), Some(101));
    assert_eq!(
        all.len(),
        400_000,
        "the output written before the kill is delivered"
    );
    let report = sb.caller_report();
    assert_eq!(verdict(&report), "wall-time-limit");
    let wall = report["wall_seconds"].as_f64().expect("wall_seconds");
    assert!(wall < 3.5, "the kill came at {wall} s, not at 2 s");
}

#[test]
fn nanny_disk_quota_is_measured_while_output_waits_for_its_reader() {
    let (sb, mut repy) = spawn_reported(
        "[resources]\ndiskused = \"5 MB\"\nfilewrite = \"1 GB/s\"\nlograte = \"100 MB/s\"\n",
        "log('x' * 400000)\nf = openfile('big', True)\nfor i in range(800):\n    \
         f.writeat('y' * 10000, i * 10000)\nsleep(30)\n",
    );
    std::thread::sleep(Duration::from_secs(4));
    let mut stdout = repy.stdout.take().expect("stdout");
    std::io::Read::read_to_end(&mut stdout, &mut Vec::new()).expect("read");
    let status = repy.wait().expect("wait");
    assert_eq!(status.code(), Some(98));
    let report = sb.caller_report();
    assert_eq!(verdict(&report), "resource-killed");
    assert!(
        report["wall_seconds"].as_f64().expect("wall") < 3.0,
        "{report}"
    );
}

#[test]
fn nanny_a_reader_that_goes_away_ends_the_run_with_its_own_verdict() {
    // `repy ... | head -1`: the reader takes one line and closes the pipe.
    let (sb, mut repy) = spawn_reported(
        "[resources]\nwall-time = 30\n",
        "i = 0\nwhile True:\n    log('line %d\\n' % i)\n    i += 1\n    sleep(0.001)\n",
    );
    let stdout = repy.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("read");
    assert_eq!(line, "line 0\n");
    let started = Instant::now();
    let status = repy.wait().expect("wait");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(status.code(), Some(104));
    let report = sb.caller_report();
    assert_eq!(verdict(&report), "output-unwritable");
    assert_message_contains(&report, "standard output");
}

#[test]
fn nanny_output_to_a_full_disk_is_not_a_clean_finish() {
    let sb = Sandbox::new()
        .program("log('hello\\n' * 100)\n")
        .caller_option("--report", "report.json");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let status = sb.command(&[]).stdout(full).status().expect("run repy");
    assert_eq!(status.code(), Some(104));
    let report = sb.caller_report();
    assert_eq!(verdict(&report), "output-unwritable");
    assert_message_contains(&report, "No space left");
}

#[test]
fn nanny_a_recursion_error_prints_a_short_collapsed_traceback() {
    let (_, out, _) = run_reported("[resources]\n", "def f(n):\n    f(n + 1)\nf(0)\n", &[]);
    out.assert_code(6)
        .assert_stderr_contains("[Previous line repeated")
        .assert_stderr_contains("RecursionError");
    let lines = out.stderr().lines().count();
    assert!(lines < 40, "{lines} lines of traceback:\n{}", out.stderr());
}

#[test]
fn nanny_tracebacks_are_bounded_and_charged_to_lograte() {
    // Mutual recursion (no identical neighbours to collapse) through a 20 kB source line.
    let long = "x".repeat(20_000);
    let program =
        format!("def f(n):\n    g(n) if '{long}' else None\ndef g(n):\n    f(n + 1)\nf(0)\n");
    let (_, out, report) = run_reported("[resources]\nlograte = \"1 MB/s\"\n", &program, &[]);
    out.assert_code(6)
        .assert_stderr_contains("more frames")
        .assert_stderr_contains("more characters");
    let size = out.stderr().len();
    assert!(size < 50_000, "{size} bytes of traceback");
    let charged = report["renewable"]["lograte"]["charged"]
        .as_f64()
        .expect("charged");
    assert!(
        charged >= size as f64 - 100.0,
        "stderr was not charged: {charged} < {size}"
    );
}

#[test]
fn nanny_a_refused_program_lists_the_first_violations_then_a_count() {
    let program = "exec('1')\n".repeat(1000);
    let (_, out, _) = run_reported("[resources]\n", &program, &[]);
    out.assert_code(5)
        .assert_stderr_contains("and 950 more violations");
    assert!(out.stderr().len() < 20_000, "{} bytes", out.stderr().len());
}

#[test]
fn nanny_with_a_logfile_the_kill_message_goes_to_the_log() {
    let sb = Sandbox::new()
        .restrictions("[resources]\nwall-time = \"1 s\"\n")
        .program("log('started\\n')\nwhile True:\n    pass\n")
        .caller_option("--logfile", "run-log");
    let out = sb.run(&[]);
    out.assert_code(101);
    assert_eq!(out.stderr(), "", "the kill message went to the terminal");
    let log = std::fs::read_to_string(sb.caller().join("run-log.old")).expect("log");
    assert!(log.starts_with("started\n"), "{log}");
    assert!(log.contains("(wall-time-limit)"), "{log}");
}

#[test]
fn nanny_the_disk_quota_holds_near_its_value_whatever_threads_write() {
    // Five threads each write 10.5 MB in 100 kB pieces at once under a 5 MB quota; the
    // supervisor's scan alone let the vessel reach 21-42 MB before its kill.
    let program =
        "def writer(n):\n    def run():\n        f = openfile('big%d' % n, True)\n        \
         for i in range(105):\n            f.writeat(piece, i * 100000)\n    return run\n\
         piece = 'z' * 100000\nfor n in range(5):\n    createthread(writer(n))\nsleep(20)\n";
    let (sb, out, report) = run_reported(
        "[resources]\ndiskused = \"5 MB\"\nfilewrite = \"10 GB/s\"\nevents = 10\n",
        program,
        &[],
    );
    out.assert_code(98);
    assert_eq!(verdict(&report), "resource-killed");
    let used: u64 = std::fs::read_dir(sb.path())
        .expect("vessel")
        .flatten()
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0) + 4096)
        .sum();
    assert!(
        used <= 6_000_000,
        "the vessel reached {used} bytes on a 5 MB quota"
    );
    assert_message_contains(&report, "refused");
}

#[test]
fn nanny_running_out_of_descriptors_is_a_repy_exception_not_an_internal_error() {
    // Threads blocked in openconnection (to a listener whose backlog is full) hold
    // descriptors no item counts; with the budget gone, listfiles and listenforconnection
    // must raise ResourceExhaustedError, never end the run as an internal error (125).
    let program = "\
server = listenforconnection('127.0.0.1', 62100)
outcomes = []
def connect(port):
    def run():
        try:
            openconnection('127.0.0.1', 62100, '127.0.0.1', port, 5)
            outcomes.append('connected')
        except ResourceExhaustedError:
            outcomes.append('exhausted')
        except Exception:
            outcomes.append('other')
    return run
for port in range(62101, 62161):
    createthread(connect(port))
sleep(1.5)
for call in (listfiles, lambda: listenforconnection('127.0.0.1', 62099)):
    try:
        call()
        log('ok ')
    except ResourceExhaustedError:
        log('exhausted ')
log('threads exhausted:', outcomes.count('exhausted') > 0)
exitall()
";
    let (_, out, report) = run_reported(
        "[resources]\nevents = 70\nfilesopened = 5\ninsockets = 5\noutsockets = 5\n\
         connport = [\"62099-62161\"]\n",
        program,
        &[],
    );
    out.assert_code(200)
        .assert_stdout_contains("threads exhausted: True");
    assert_eq!(verdict(&report), "exitall");
    assert!(
        !out.stderr().contains("Internal Error"),
        "{}",
        out.explain()
    );
}

#[test]
fn nanny_a_thread_waiting_for_a_rate_does_not_stop_the_others() {
    // Two threads log 20 kB at a time under lograte = 1000: each write puts a ~19 s debt on
    // the bucket, so one thread waits in it and the other queues behind it. Neither may hold
    // the interpreter while it waits: the main thread wakes from sleep(1) and ends the run.
    let program = "def chatter():\n    while True:\n        log('x' * 20000)\ncreatethread(chatter)\ncreatethread(chatter)\nsleep(1)\nexitall()\n";
    let started = Instant::now();
    let (_, out, report) = run_reported("[resources]\nlograte = 1000\nevents = 3\n", program, &[]);
    let took = started.elapsed();
    out.assert_code(200);
    assert_eq!(verdict(&report), "exitall", "{report}");
    assert!(
        took < Duration::from_secs(4),
        "the run took {took:?}\n{}",
        out.explain()
    );
}

/// The report says why an `unsafe-code` or `uncaught-exception` run ended (its `message` is
/// not null): the violations (rule, line, column, text; at most 20, with the count) and the
/// exception (class, message, bounded traceback). Counts in `limits` are integers.
#[test]
fn nanny_report_carries_violations_exceptions_and_integer_counts() {
    let many: String = (0..25).map(|i| format!("import m{i}\n")).collect();
    let program = format!("x = 1\n{many}");
    let (_, out, report) = run_reported("[resources]\nevents = 10\n", &program, &[]);
    out.assert_code(5);
    assert_eq!(
        report["limits"]["events"],
        serde_json::json!(10),
        "{report}"
    );
    assert!(report["limits"]["events"].is_u64(), "{report}");
    assert!(report["limits"]["memory"].is_u64(), "{report}");
    let violations = &report["violations"];
    assert_eq!(violations["count"], 25, "{report}");
    let items = violations["items"].as_array().expect("items");
    assert_eq!(items.len(), 20, "{report}");
    assert_eq!(items[0]["rule"], "R301");
    assert_eq!(items[0]["name"], "import-statement");
    assert_eq!(items[0]["line"], 2);
    assert_eq!(items[0]["column"], 1);
    assert_eq!(items[0]["message"], "`import m0` is not allowed");
    assert_message_contains(&report, "25 violations");
    assert!(report["exception"].is_null(), "{report}");

    let program =
        "def f(n):\n    if n == 0:\n        raise ValueError('deep ' * 200)\n    f(n - 1)\nf(30)\n";
    let (_, out, report) = run_reported("[resources]\n", program, &[]);
    out.assert_code(6);
    let exception = &report["exception"];
    assert_eq!(exception["class"], "ValueError", "{report}");
    let message = exception["message"].as_str().expect("message");
    assert!(message.starts_with("deep deep"), "{report}");
    assert!(message.chars().count() <= 530, "{report}");
    assert_eq!(exception["frame_count"], 32, "{report}");
    let traceback = exception["traceback"].as_array().expect("traceback");
    assert_eq!(traceback.len(), 20, "{report}");
    assert_eq!(
        traceback.last().and_then(|f| f.as_str()),
        Some("\"program.py\", line 3, in f"),
        "{report}"
    );
    assert!(
        report["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("ValueError: deep")),
        "{report}"
    );
    assert!(report["violations"].is_null(), "{report}");

    // A normal end has neither, and no message.
    let (_, out, report) = run_reported("[resources]\n", "log('x')\n", &[]);
    out.assert_code(0);
    assert!(report["violations"].is_null() && report["exception"].is_null());
    assert!(report["message"].is_null(), "{report}");
}

/// `repy doctor` shows how this user's runs enforce the resources, spelt as the report's
/// `enforcement`, and agrees with what a run then reports.
#[test]
fn nanny_doctor_shows_resource_enforcement_as_the_report_spells_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = crate::support::run_repy(dir.path(), &["doctor".into()], &[]);
    let text = out.stdout();
    let value = |key: &str| -> String {
        text.lines()
            .map(str::split_whitespace)
            .find_map(|mut words| (words.next() == Some(key)).then(|| words.next()))
            .flatten()
            .unwrap_or_else(|| panic!("doctor lacks {key}: {}", out.explain()))
            .to_string()
    };
    let (_, run, report) = run_reported("[resources]\n", "log('x')\n", &[]);
    run.assert_code(0);
    let enforcement = &report["enforcement"];
    assert_eq!(value("cpu"), enforcement["cpu"], "{report}");
    assert_eq!(
        value("memory_backstop"),
        enforcement["memory_backstop"],
        "{report}"
    );
    assert_eq!(
        value("threads_backstop"),
        enforcement["threads_backstop"],
        "{report}"
    );
}

/// A program of about `bytes` bytes of dense, clean statements.
fn dense_program(bytes: usize) -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "v{i} = [{i}, {}, 'abc{i}', ({i}, {})]\n",
            i + 1,
            i * 2
        ));
        i += 1;
    }
    text
}

#[test]
fn nanny_the_checkers_memory_is_not_the_programs() {
    // Checking and compiling use far more memory per source byte than the program does; under
    // a 15 MB limit a 260 kB unsafe program ended as resource-killed instead of unsafe-code.
    let unsafe_program = format!("{}exec('1')\n", dense_program(260_000));
    let (_, out, report) = run_reported("[resources]\nmemory = \"15 MB\"\n", &unsafe_program, &[]);
    out.assert_code(5);
    assert_eq!(verdict(&report), "unsafe-code", "{report}");
    // ... and a clean 280 kB program was killed before its first line under 30 MB.
    let clean = format!("{}log('first line ran')\n", dense_program(280_000));
    let (_, out, report) = run_reported("[resources]\nmemory = \"30 MB\"\n", &clean, &[]);
    out.assert_code(0).assert_stdout("first line ran");
    assert_eq!(verdict(&report), "finished", "{report}");
    // From its first line on, the limit is the program's own again.
    let greedy = format!("{}x = 'y' * 40000000\nsleep(1)\n", dense_program(100_000));
    let (_, out, report) = run_reported("[resources]\nmemory = \"30 MB\"\n", &greedy, &[]);
    out.assert_code(98);
    assert!(
        report["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("over the limit of 30000000 bytes")),
        "{report}"
    );
}

#[test]
fn nanny_a_low_hard_descriptor_limit_shrinks_the_budget_and_the_disk_quota_holds() {
    // The caller's hard limit on descriptors (200) is below what the policy plans: the API's
    // budget must follow the limit in force, so the vessel can still be measured after the
    // program has taken every descriptor it may, and the quota holds after a removal.
    let program = "\
big = openfile('big', True)
extra = openfile('extra', True)
extra.close()
handles = []
try:
    while True:
        handles.append(openfile('g%d' % len(handles), True))
except ResourceExhaustedError:
    log('filled\\n')
try:
    listfiles()
except ResourceExhaustedError:
    log('listing refused\\n')
removefile('extra')
chunk = 'q' * 1000000
offset = 0
while True:
    big.writeat(chunk, offset)
    offset += len(chunk)
";
    let sb = Sandbox::new()
        .restrictions(
            "[resources]\nfilesopened = 2000\ndiskused = \"5 MB\"\nfilewrite = \"1 GB/s\"\n",
        )
        .program(program)
        .caller_option("--report", "report.json");
    let mut command = sb.command(&[]);
    // SAFETY: setrlimit in the forked child before exec touches no memory of the parent.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            let limit = libc::rlimit {
                rlim_cur: 200,
                rlim_max: 200,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = command.output().expect("run repy");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(98),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("filled") && stdout.contains("listing refused"),
        "{stdout}"
    );
    let big = std::fs::metadata(sb.path().join("big")).expect("big").len();
    assert!(
        big <= 5_000_000,
        "the file reached {big} bytes on a 5 MB quota"
    );
    let report = sb.caller_report();
    assert_message_contains(&report, "refused");
}

#[test]
fn nanny_a_reader_that_never_reads_does_not_hold_repy_after_the_run() {
    // The program ends (here by its wall-time kill) with output still waiting for a reader
    // that takes nothing: repy gives up on it after a few seconds, writes the report (the
    // undelivered bytes counted as dropped) and exits; a SIGTERM ends the wait at once.
    for signal in [false, true] {
        let (sb, mut repy) = spawn_reported(
            "[resources]\nwall-time = 1\nlograte = \"100 MB/s\"\n",
            "while True:\n    log('x' * 65536)\n",
        );
        let started = Instant::now();
        if signal {
            std::thread::sleep(Duration::from_millis(2500));
            let pid = nix::unistd::Pid::from_raw(i32::try_from(repy.id()).expect("pid"));
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("signal");
        }
        let status = loop {
            if let Some(status) = repy.try_wait().expect("wait") {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "repy still waits for its reader"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        if signal {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "SIGTERM was ignored"
            );
        }
        assert_eq!(status.code(), Some(101));
        let report = sb.caller_report();
        assert_eq!(verdict(&report), "wall-time-limit");
        assert!(
            report["output_dropped_bytes"].as_u64().unwrap_or(0) > 0,
            "{report}"
        );
        drop(repy.stdout.take());
    }
}

#[test]
fn nanny_a_thread_the_kernel_refuses_ends_the_run_with_56() {
    // Exit status 56 (`thread-refused`, RepyV2's "the OS refused a thread") from outside: the
    // caller limits repy's address space (as `ulimit -v` would; without a memory cgroup the
    // nanny's own RLIMIT_AS backstop does the same), and the program reserves what is left
    // with untouched zeroed allocations (virtual, not resident, so `memory` is not what
    // stops it) until the 8 MiB stack of a new thread no longer fits. `createthread` then
    // fails in the kernel, not in the `events` count, and the run ends with 56: the report
    // says `thread-refused` and the status files say `ThreadErr`, as RepyV2's did.
    let program = "\
def worker():
    log('the thread ran\\n')

held = []
small = []
for size in [64 << 20, 8 << 20, 1 << 20]:
    while True:
        try:
            (small if size == 1 << 20 else held).append(bytes(size))
        except MemoryError:
            break
# Leave the interpreter a little room, less than a thread's stack: at most two of the
# 1 MiB blocks (never a larger one, which would leave room for the stack).
small = small[2:]
log('address space reserved\\n')
createthread(worker)
log('createthread returned\\n')
";
    let sb = Sandbox::new()
        .program(program)
        .caller_option("--report", "report.json")
        .caller_option("--status", "status");
    let mut command = sb.command(&[]);
    // SAFETY: setrlimit in the forked child before exec touches no memory of the parent.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = command.output().expect("run repy");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(56), "{stdout}\n{stderr}");
    assert_eq!(stdout, "address space reserved\n", "{stderr}");
    assert!(
        stderr.contains("the operating system refused to create a thread"),
        "{stderr}"
    );
    let report = sb.caller_report();
    assert_eq!(verdict(&report), "thread-refused", "{report}");
    assert_eq!(report["exit_code"], 56, "{report}");
    let statuses: Vec<String> = std::fs::read_dir(sb.caller())
        .expect("caller dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("status-"))
        .collect();
    assert_eq!(statuses.len(), 1, "{statuses:?}");
    assert!(statuses[0].starts_with("status-ThreadErr-"), "{statuses:?}");
}
