//! The command line, the program file and the process model, seen from outside.

use crate::support::{run_repy, Sandbox, REPY};

#[test]
fn cli_help_exits_zero_and_explains_options() {
    let out = std::process::Command::new(REPY)
        .arg("--help")
        .output()
        .expect("run repy");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in ["RESTRICTIONS", "PROGRAM", "--cwd", "callargs"] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
}

#[test]
fn cli_missing_arguments_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_repy(dir.path(), &[], &[]);
    out.assert_code(4);
    let out = run_repy(dir.path(), &["only-restrictions.toml".into()], &[]);
    out.assert_code(4);
}

#[test]
fn cli_missing_program_file_is_reported() {
    let sb = Sandbox::new();
    std::fs::write(sb.path().join("r.toml"), crate::support::PERMISSIVE).expect("write");
    let out = run_repy(sb.path(), &["r.toml".into(), "nowhere.py".into()], &[]);
    out.assert_code(7).assert_stderr_contains("nowhere.py");
}

#[test]
fn cli_program_not_utf8_is_a_clear_error_not_a_traceback() {
    let sb = Sandbox::new();
    std::fs::write(sb.path().join("r.toml"), crate::support::PERMISSIVE).expect("write");
    std::fs::write(sb.path().join("latin1.py"), b"log('ok')\nlog('caf\xe9')\n").expect("write");
    let out = run_repy(sb.path(), &["r.toml".into(), "latin1.py".into()], &[]);
    out.assert_code(7)
        .assert_stderr_contains("not valid UTF-8")
        .assert_stderr_contains("line 2, column 9");
    assert!(!out.stderr().contains("Traceback"), "{}", out.explain());
    assert_eq!(out.stdout(), "", "nothing may run: {}", out.explain());
}

#[test]
fn cli_vessel_directory_must_exist() {
    let sb = Sandbox::new()
        .option("--cwd")
        .option("/nonexistent/vessel")
        .program("log('x')");
    sb.run(&[])
        .assert_code(4)
        .assert_stderr_contains("/nonexistent/vessel");
}

#[test]
fn cli_cwd_selects_the_vessel_directory() {
    let vessel = tempfile::tempdir().expect("temp dir");
    let sb = Sandbox::new()
        .option("--cwd")
        .option(vessel.path().to_str().expect("utf-8 temp path"))
        .program("log('ran\\n')");
    sb.run(&[]).assert_code(0).assert_stdout("ran\n");
}

#[test]
fn cli_execinfo_prints_the_banner() {
    let out = Sandbox::new()
        .option("--execinfo")
        .program("log('x')")
        .run(&["a"]);
    out.assert_code(0)
        .assert_stdout_contains("Running program: program.py\nArguments: [\"a\"]\n");
}

/// The child must see none of the caller's environment: a planted `encodings` package on
/// PYTHONPATH would run at interpreter start-up if the variable were honoured.
#[test]
fn cli_caller_environment_changes_nothing() {
    let planted = tempfile::tempdir().expect("temp dir");
    let canary = planted.path().join("canary");
    let payload = format!(
        "open({:?}, 'w').write('escaped')\n",
        canary.to_str().expect("utf-8")
    );
    std::fs::create_dir(planted.path().join("encodings")).expect("mkdir");
    std::fs::write(planted.path().join("encodings/__init__.py"), &payload).expect("plant");
    std::fs::write(planted.path().join("sitecustomize.py"), &payload).expect("plant");
    std::fs::write(planted.path().join("usercustomize.py"), &payload).expect("plant");
    std::fs::write(planted.path().join("startup.py"), &payload).expect("plant");
    let dir = planted.path().to_str().expect("utf-8");
    let out = Sandbox::new()
        .env("PYTHONPATH", dir)
        .env("PYTHONHOME", "/nonexistent/python/home")
        .env("PYTHONSTARTUP", &format!("{dir}/startup.py"))
        .env("PYTHONINSPECT", "1")
        .env("PYTHONUSERBASE", dir)
        .env("HOME", dir)
        .program("log('clean\\n')")
        .run(&[]);
    out.assert_code(0).assert_stdout("clean\n");
    assert!(!canary.exists(), "a planted module ran: {}", out.explain());
}

/// The sandbox dies with its supervisor: SIGKILL the `repy` process (which can catch
/// nothing) and the sandbox child must be gone too.
#[test]
fn cli_sandbox_dies_when_the_supervisor_is_killed() {
    let sb = Sandbox::new().program("log('up\\n')\nsleep(60)\n");
    let (mut repy, child) = crate::support::spawn_until_up(&sb);
    repy.kill().expect("kill the supervisor");
    let _ = repy.wait();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    };
    while alive(child) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !alive(child),
        "the sandbox child {child} outlived its supervisor"
    );
}

/// The cgroup directories (v1 or v2) that hold `pid` and are named `repy-…`: the groups a
/// supervisor made for its sandbox.
fn repy_cgroups_of(pid: u32) -> Vec<std::path::PathBuf> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
    let mut dirs = Vec::new();
    for line in cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if !path.rsplit('/').next().unwrap_or("").starts_with("repy-") {
            continue;
        }
        for mount in mountinfo.lines() {
            let Some((left, right)) = mount.split_once(" - ") else {
                continue;
            };
            let left: Vec<&str> = left.split(' ').collect();
            let right: Vec<&str> = right.split(' ').collect();
            let options = right.get(2).copied().unwrap_or("");
            let matches = match right.first().copied() {
                Some("cgroup2") => controllers.is_empty(),
                Some("cgroup") => {
                    !controllers.is_empty()
                        && controllers
                            .split(',')
                            .all(|c| options.split(',').any(|o| o == c))
                }
                _ => false,
            };
            if let (true, Some(root), Some(point)) = (matches, left.get(3), left.get(4)) {
                if let Some(relative) = path.strip_prefix(*root) {
                    let dir = std::path::Path::new(point).join(relative.trim_start_matches('/'));
                    if dir.is_dir() {
                        dirs.push(dir);
                    }
                }
            }
        }
    }
    dirs
}

/// A supervisor killed by SIGKILL cannot remove its cgroups; the next run sweeps them (the
/// groups of dead supervisors, empty, in every hierarchy), and leaves a live run's alone.
#[test]
fn cli_the_next_run_removes_the_cgroups_of_a_killed_supervisor() {
    let sb = Sandbox::new().program("log('up\\n')\nsleep(60)\n");
    let (mut repy, child) = crate::support::spawn_until_up(&sb);
    let groups = repy_cgroups_of(child);
    if groups.is_empty() {
        let _ = repy.kill();
        let _ = repy.wait();
        if std::env::var_os("REPY_TEST_REQUIRE_ALL").is_some() {
            panic!("required: the sandbox is in no repy cgroup here");
        }
        eprintln!("skipped: the sandbox is in no repy cgroup here");
        return;
    }
    // A second, live run: its groups must survive the sweep.
    let live_sb = Sandbox::new().program("log('up\\n')\nsleep(60)\n");
    let mut live = live_sb.spawn(&[]);
    let live_stdout = live.stdout.take().expect("stdout");
    let mut live_line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(live_stdout), &mut live_line)
        .expect("read");
    let live_child: u32 =
        std::fs::read_to_string(format!("/proc/{}/task/{}/children", live.id(), live.id()))
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .and_then(|p| p.parse().ok())
            .expect("the live sandbox child");
    let live_groups = repy_cgroups_of(live_child);

    repy.kill().expect("kill the supervisor");
    let _ = repy.wait();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    // Gone already (a run of a test alongside swept it) or empty.
    let empty = |dir: &std::path::PathBuf| {
        !dir.exists()
            || std::fs::read_to_string(dir.join("cgroup.procs")).is_ok_and(|p| p.trim().is_empty())
    };
    while !groups.iter().all(empty) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !std::path::Path::new(&format!("/proc/{child}/cmdline")).exists()
            || std::fs::read_to_string(format!("/proc/{child}/stat"))
                .is_ok_and(|s| s.contains(") Z ")),
        "the sandbox child {child} outlived its supervisor"
    );
    // Left behind (this is what piled up before the sweep), unless a run of a test alongside
    // swept them already.
    Sandbox::new()
        .program("log('next')")
        .run(&[])
        .assert_code(0);
    for dir in &groups {
        assert!(
            !dir.exists(),
            "the killed supervisor's {} is still there",
            dir.display()
        );
    }
    for dir in &live_groups {
        assert!(
            dir.is_dir(),
            "the sweep removed the live run's {}",
            dir.display()
        );
    }
    // SIGTERM: the live supervisor ends its run and removes its own groups.
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(live.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = live.wait();
    for dir in &live_groups {
        assert!(!dir.exists(), "the live run left {} behind", dir.display());
    }
}

/// A temporary vessel whose supervisor was killed by SIGKILL is removed by the next
/// `--vessel-temp` run; a kept one is not.
#[test]
fn cli_the_next_run_removes_the_temp_vessel_of_a_killed_supervisor() {
    let sb = Sandbox::new()
        .option("--vessel-temp")
        .program("log('up\\n')\nsleep(60)\n");
    let (mut repy, child) = crate::support::spawn_until_up(&sb);
    let vessel = std::fs::read_link(format!("/proc/{child}/cwd")).expect("the vessel");
    assert!(
        vessel
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("repy-vessel-")),
        "{}",
        vessel.display()
    );
    repy.kill().expect("kill the supervisor");
    let _ = repy.wait();
    let kept = Sandbox::new()
        .option("--vessel-temp")
        .option("--keep-vessel")
        .program("log('next')")
        .run(&[]);
    kept.assert_code(0);
    assert!(!vessel.exists(), "{} is still there", vessel.display());
    let kept_dir: Vec<std::path::PathBuf> = kept
        .stderr()
        .lines()
        .filter_map(|l| l.strip_prefix("repy: the vessel is kept at "))
        .map(std::path::PathBuf::from)
        .collect();
    assert_eq!(kept_dir.len(), 1, "{}", kept.explain());
    // The kept vessel survives the next run's sweep.
    Sandbox::new()
        .option("--vessel-temp")
        .program("log('again')")
        .run(&[])
        .assert_code(0);
    for dir in &kept_dir {
        assert!(dir.is_dir(), "the kept vessel {} was swept", dir.display());
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A user who may not create cgroups (here: `nobody`, on this machine's root-owned v1
/// hierarchies) is told by `repy doctor` what each resource falls back to, and why.
#[test]
fn cli_doctor_says_why_a_user_without_cgroups_falls_back() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: needs root to run repy doctor as another user");
        return;
    }
    use std::os::unix::process::CommandExt as _;
    let out = std::process::Command::new(crate::support::REPY)
        .arg("doctor")
        .env_clear()
        .current_dir("/")
        .uid(65534)
        .gid(65534)
        .output()
        .expect("run repy doctor as nobody");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for row in [
        "  cpu              stop-resume",
        "  memory_backstop  rlimit",
        "  threads_backstop none",
    ] {
        assert!(stdout.contains(row), "{row:?} missing:\n{stdout}");
    }
    for controller in ["cpu", "memory", "pids"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("  no cgroup for {controller}: ")));
        assert!(
            line.is_some_and(|l| l.contains("Permission denied")),
            "no reason for {controller}:\n{stdout}"
        );
    }
}

#[test]
fn cli_relative_report_path_is_the_callers_not_the_vessels() {
    let vessel = tempfile::tempdir().expect("temp dir");
    let sb = Sandbox::new()
        .option("--cwd")
        .option(vessel.path().to_str().expect("utf-8 temp path"))
        .option("--report")
        .option("run-report.json")
        .program("log('x')");
    sb.run(&[]).assert_code(0);
    assert!(
        sb.path().join("run-report.json").exists(),
        "the report is not in the caller's directory"
    );
    assert!(
        !vessel.path().join("run-report.json").exists(),
        "the report landed in the vessel"
    );
}

#[test]
fn cli_unknown_options_are_usage_errors_with_a_suggestion() {
    let sb = Sandbox::new();
    std::fs::write(sb.path().join("r.toml"), crate::support::PERMISSIVE).expect("write");
    std::fs::write(sb.path().join("p.py"), "log('ran')\n").expect("write");
    for (option, hint) in [
        ("--bogus", "unexpected argument '--bogus'"),
        ("--reprt", "a similar argument exists: '--report'"),
        ("-x", "unexpected argument '-x'"),
    ] {
        let out = run_repy(
            sb.path(),
            &[option.into(), "r.toml".into(), "p.py".into()],
            &[],
        );
        out.assert_code(4).assert_stderr_contains(hint);
        assert_eq!(out.stdout(), "", "nothing ran");
    }
}

#[test]
fn cli_mistyped_subcommand_is_a_usage_error_with_a_suggestion() {
    let sb = Sandbox::new();
    std::fs::write(sb.path().join("x.py"), "log('ran')\n").expect("write");
    let out = run_repy(sb.path(), &["chek".into(), "x.py".into()], &[]);
    out.assert_code(4)
        .assert_stderr_contains("a similar subcommand exists: 'check'");
    // A file of that name is a restrictions file, as before.
    std::fs::write(sb.path().join("chek"), crate::support::PERMISSIVE).expect("write");
    let out = run_repy(sb.path(), &["chek".into(), "x.py".into()], &[]);
    out.assert_code(0).assert_stdout("ran");
}

#[test]
fn cli_repy_has_no_real_builtins_escape_hatch_in_any_build() {
    // Built with every feature (as the tests are), `repy` still refuses the test-only switch
    // and runs nothing; only the separately named test binary runs real builtins.
    let sb = Sandbox::new();
    std::fs::write(sb.path().join("r.toml"), crate::support::PERMISSIVE).expect("write");
    std::fs::write(
        sb.path().join("p.py"),
        "import os\nos.close(os.open('canary', os.O_CREAT | os.O_WRONLY))\n",
    )
    .expect("write");
    let out = run_repy(
        sb.path(),
        &[
            "--test-real-builtins".into(),
            "r.toml".into(),
            "p.py".into(),
        ],
        &[],
    );
    out.assert_code(4)
        .assert_stderr_contains("unexpected argument '--test-real-builtins'");
    assert!(!sb.path().join("canary").exists(), "the program ran");
    let out = run_repy(sb.path(), &["r.toml".into(), "p.py".into()], &[]);
    out.assert_code(5);
    assert!(!sb.path().join("canary").exists(), "the program ran");
}

/// A caller's directory and a separate vessel holding `p.py` and `r.toml`.
fn caller_and_vessel(program: &str) -> (tempfile::TempDir, tempfile::TempDir) {
    let caller = tempfile::tempdir().expect("temp dir");
    let vessel = tempfile::tempdir().expect("temp dir");
    std::fs::write(vessel.path().join("r.toml"), crate::support::PERMISSIVE).expect("write");
    std::fs::write(vessel.path().join("p.py"), program).expect("write");
    (caller, vessel)
}

fn vessel_args(vessel: &std::path::Path, options: &[&str]) -> Vec<String> {
    let mut args = vec!["--cwd".to_string(), vessel.display().to_string()];
    args.extend(options.iter().map(|o| o.to_string()));
    args.extend(["r.toml".to_string(), "p.py".to_string()]);
    args
}

#[test]
fn cli_the_program_cannot_forge_a_relative_stop_file() {
    // The program writes the stop file's name in its vessel, choosing code 9 and a message;
    // the relative --stop names the caller's directory, so the run goes on.
    let (caller, vessel) = caller_and_vessel(
        "f = openfile('stopfile', True)\nf.writeat('9;forged by the program', 0)\nf.close()\n\
         sleep(1.5)\nlog('survived')\n",
    );
    let out = run_repy(
        caller.path(),
        &vessel_args(vessel.path(), &["--stop", "stopfile"]),
        &[],
    );
    out.assert_code(0).assert_stdout("survived");
    assert!(!out.stdout().contains("forged"), "{}", out.explain());
    assert!(
        vessel.path().join("stopfile").exists(),
        "the program wrote it"
    );
}

#[test]
fn cli_callers_files_inside_the_vessel_are_refused_before_the_run() {
    for option in ["--stop", "--report", "--status", "--logfile"] {
        let (caller, vessel) = caller_and_vessel("log('ran')\n");
        let inside = vessel.path().join("x");
        let out = run_repy(
            caller.path(),
            &vessel_args(vessel.path(), &[option, inside.to_str().expect("utf-8")]),
            &[],
        );
        out.assert_code(4)
            .assert_stderr_contains("lies inside the vessel directory");
        assert_eq!(out.stdout(), "", "{option}: the program ran");
        let names: Vec<_> = std::fs::read_dir(vessel.path())
            .expect("vessel")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names.len(),
            2,
            "{option}: repy wrote into the vessel: {names:?}"
        );
    }
    // The default vessel is the current directory: a relative report there is inside it.
    let (_, vessel) = caller_and_vessel("log('ran')\n");
    let out = run_repy(
        vessel.path(),
        &[
            "--report".into(),
            "r.json".into(),
            "r.toml".into(),
            "p.py".into(),
        ],
        &[],
    );
    out.assert_code(4);
    assert!(!vessel.path().join("r.json").exists());
}

#[test]
fn cli_unwritable_callers_files_are_refused_before_the_run() {
    for (option, target) in [
        ("--report", "/nonexistent-dir/r.json"),
        ("--report", "/proc/x"),
        ("--status", "/nonexistent-dir/status"),
        ("--status", "/proc/x"),
        ("--logfile", "/proc/x"),
        ("--stop", "/nonexistent-dir/stop"),
    ] {
        let (caller, vessel) = caller_and_vessel("log('ran')\n");
        let out = run_repy(
            caller.path(),
            &vessel_args(vessel.path(), &[option, target]),
            &[],
        );
        out.assert_code(4).assert_stderr_contains(option);
        assert_eq!(out.stdout(), "", "{option} {target}: the program ran");
    }
}

#[test]
fn cli_vessel_temp_runs_in_a_new_directory_with_copied_inputs_and_removes_it() {
    let caller = tempfile::tempdir().expect("temp dir");
    let dir = caller.path();
    std::fs::write(dir.join("r.toml"), crate::support::PERMISSIVE).expect("write");
    std::fs::write(dir.join("input.txt"), "21").expect("write");
    std::fs::write(dir.join("answers.txt"), "secret").expect("write");
    std::fs::write(
        dir.join("p.py"),
        "files = sorted(listfiles())\nf = openfile('input.txt', False)\nn = int(f.readat(None, 0))\n\
         f.close()\nout = openfile('out.txt', True)\nout.writeat(str(2 * n), 0)\nout.close()\n\
         removefile('input.txt')\nlog(files, 'done')\n",
    )
    .expect("write");
    let report_path = dir.join("report.json");
    let mut args: Vec<String> = [
        "--vessel-temp",
        "--vessel-copy",
        "input.txt",
        "--report",
        "report.json",
        "r.toml",
        "p.py",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = run_repy(dir, &args, &[]);
    out.assert_code(0).assert_stdout("['input.txt'] done");
    // The caller's files are untouched and nothing was written beside them.
    assert_eq!(
        std::fs::read_to_string(dir.join("input.txt")).unwrap(),
        "21"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("answers.txt")).unwrap(),
        "secret"
    );
    assert!(!dir.join("out.txt").exists());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("report")).unwrap();
    let vessel = std::path::PathBuf::from(report["vessel"]["path"].as_str().expect("path"));
    assert_eq!(report["vessel"]["kept"], false);
    assert!(!vessel.exists(), "the temporary vessel was not removed");

    // --keep-vessel leaves it, with the program's output in it.
    args.insert(0, "--keep-vessel".into());
    let out = run_repy(dir, &args, &[]);
    out.assert_code(0)
        .assert_stderr_contains("the vessel is kept at");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("report")).unwrap();
    let vessel = std::path::PathBuf::from(report["vessel"]["path"].as_str().expect("path"));
    assert_eq!(
        std::fs::read_to_string(vessel.join("out.txt")).unwrap(),
        "42"
    );
    std::fs::remove_dir_all(&vessel).expect("clean up");
}

#[test]
fn cli_vessel_temp_options_are_checked() {
    let caller = tempfile::tempdir().expect("temp dir");
    let dir = caller.path();
    std::fs::write(dir.join("r.toml"), crate::support::PERMISSIVE).expect("write");
    std::fs::write(dir.join("p.py"), "log('ran')").expect("write");
    for args in [
        &["--vessel-copy", "r.toml", "r.toml", "p.py"][..],
        &["--keep-vessel", "r.toml", "p.py"][..],
        &["--vessel-temp", "--cwd", ".", "r.toml", "p.py"][..],
        &[
            "--vessel-temp",
            "--vessel-copy",
            "missing.txt",
            "r.toml",
            "p.py",
        ][..],
        &[
            "--vessel-temp",
            "--vessel-copy",
            "r.toml,sub/r.toml",
            "r.toml",
            "p.py",
        ][..],
    ] {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let out = run_repy(dir, &args, &[]);
        out.assert_code(4);
        assert_eq!(out.stdout(), "", "{args:?}: the program ran");
    }
}

#[test]
fn cli_a_vessel_already_over_its_disk_quota_is_refused_by_name() {
    let sb = Sandbox::new()
        .restrictions("[resources]\ndiskused = 20000\n")
        .file("big.bin", vec![0u8; 30_000])
        .program("log('ran')");
    let out = sb.run(&[]);
    out.assert_code(4)
        .assert_stderr_contains("already uses")
        .assert_stderr_contains(&sb.path().canonicalize().unwrap().display().to_string());
    assert_eq!(out.stdout(), "");
}

/// Runs `repy args…` in `dir` with standard output sent to `stdout`.
fn repy_with_stdout(
    dir: &std::path::Path,
    args: &[&str],
    stdout: std::process::Stdio,
) -> std::process::Output {
    std::process::Command::new(REPY)
        .current_dir(dir)
        .args(args)
        .env_clear()
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run repy")
}

/// repy's own failures are internal errors (125) on every command, never Rust's panic code
/// 101, which is `wall-time-limit`'s. A real path to a panic: printing to a full device or a
/// pipe nobody reads makes `println!` panic.
#[test]
fn cli_a_panic_in_repy_is_an_internal_error_not_101() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("p.py"), "log('x')\n").expect("write");
    std::fs::write(dir.path().join("bad.py"), "import os\n").expect("write");
    std::fs::write(
        dir.path().join("r.legacy"),
        "resource cpu .5\nresource memory 1000000\nresource diskused 1000000\nresource events 1\n",
    )
    .expect("write");
    let commands: &[&[&str]] = &[
        &["explain"],
        &["explain", "R301"],
        &["doctor"],
        &["restrictions", "convert", "r.legacy"],
        &["check", "bad.py"],
        &["check", "--format", "json", "p.py"],
    ];
    for args in commands {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = repy_with_stdout(dir.path(), args, full.into());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(125),
            "{args:?} to /dev/full: {stderr}"
        );
        assert!(
            stderr.contains("repy: internal error: "),
            "{args:?}: {stderr}"
        );
    }
    // A pipe whose reader is gone (`repy explain | head -0`).
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = repy_with_stdout(dir.path(), &["explain"], writer.into());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "broken pipe: {stderr}");
    assert!(stderr.contains("repy: internal error: "), "{stderr}");
}

/// `repy check ARGS…` in `dir`, as (exit code, stdout, stderr).
fn check(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut argv = vec!["check".to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    let out = run_repy(dir, &argv, &[]);
    (out.code(), out.stdout(), out.stderr())
}

/// An unreadable program is a diagnostic (E902) in every format, with exit 7: the JSON and
/// SARIF output never look clean. Violations in the other files are still reported, in one
/// document, and a non-UTF-8 file or a syntax error is handled as before.
#[test]
fn cli_check_reports_an_unreadable_file_as_e902_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("bad.py"), "import os\n").expect("write");
    std::fs::write(d.join("ok.py"), "x = 1\n").expect("write");
    std::fs::create_dir(d.join("adir.py")).expect("mkdir");

    let (code, stdout, _) = check(d, &["missing.py"]);
    assert_eq!(code, Some(7), "{stdout}");
    assert_eq!(
        stdout,
        "missing.py:1:1: E902 cannot read the program file: No such file or directory (os error 2)\n\n"
    );

    let (code, stdout, stderr) = check(d, &["--format", "json", "missing.py", "bad.py", "adir.py"]);
    assert_eq!(code, Some(7), "{stdout}{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let found: Vec<(String, String)> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| {
            (
                d["filename"].as_str().unwrap_or_default().to_string(),
                d["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect()
    };
    assert_eq!(
        found,
        pairs(&[
            ("missing.py", "E902"),
            ("bad.py", "R301"),
            ("adir.py", "E902")
        ])
    );
    assert_eq!(json[0]["name"], "io-error");
    assert_eq!(json[0]["url"], "docs/rules/E902-io-error.md");
    assert!(stderr.contains("missing.py"), "{stderr}");

    let (code, stdout, _) = check(d, &["--format", "sarif", "ok.py", "missing.py", "bad.py"]);
    assert_eq!(code, Some(7), "{stdout}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("one SARIF document");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["E902", "R301"], "{sarif}");
    let index = results[0]["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"][index]["id"],
        "E902"
    );
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "missing.py"
    );

    // Only an unreadable file: still a document with its diagnostic, never `[]` or `null`.
    let (code, stdout, _) = check(d, &["--format", "sarif", "missing.py"]);
    assert_eq!(code, Some(7));
    let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("SARIF");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "E902");

    // A clean file exits 0, a violation 5; a file that is not UTF-8 or is larger than the
    // checker accepts is E902 too (JSON that says `[]` would look clean), with exit 7; a
    // syntax error is E001 with 5.
    assert_eq!(check(d, &["ok.py"]).0, Some(0));
    assert_eq!(check(d, &["bad.py"]).0, Some(5));
    std::fs::write(d.join("latin1.py"), b"log('caf\xe9')\n").expect("write");
    let (code, stdout, stderr) = check(d, &["--format", "json", "latin1.py"]);
    assert_eq!(code, Some(7));
    assert!(
        stdout.contains("\"E902\"") && stdout.contains("not valid UTF-8"),
        "{stdout}"
    );
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    std::fs::write(d.join("huge.py"), vec![b'#'; 5 * 1024 * 1024]).expect("write");
    let (code, stdout, _) = check(d, &["--format", "json", "huge.py"]);
    assert_eq!(code, Some(7));
    assert!(
        stdout.contains("\"E902\"") && stdout.contains("larger than"),
        "{stdout}"
    );
    std::fs::write(d.join("syntax.py"), "def (:\n").expect("write");
    let (code, stdout, _) = check(d, &["syntax.py"]);
    assert_eq!(code, Some(5));
    assert!(stdout.contains("E001"), "{stdout}");
}

/// `repy check --help` documents its exit codes.
#[test]
fn cli_check_help_lists_its_exit_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_repy(dir.path(), &["check".into(), "--help".into()], &[]);
    out.assert_code(0);
    let text = out
        .stdout()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        "0 every program is clean",
        "5 a program has a violation",
        "7 a program cannot be read",
        "E902",
    ] {
        assert!(
            text.contains(needle),
            "check --help lacks {needle:?}: {text}"
        );
    }
}

#[test]
fn cli_removefile_in_a_read_only_vessel_is_a_file_error_not_an_internal_error() {
    use std::os::unix::fs::PermissionsExt;
    let caller = tempfile::tempdir().expect("temp dir");
    let vessel = tempfile::tempdir().expect("temp dir");
    std::fs::write(vessel.path().join("input"), "hi").expect("write");
    std::fs::set_permissions(vessel.path(), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    std::fs::write(caller.path().join("r.toml"), crate::support::PERMISSIVE).expect("write");
    std::fs::write(
        caller.path().join("p.py"),
        "try:\n    removefile('input')\nexcept FileError:\n    log('refused')\n",
    )
    .expect("write");
    let out = run_repy(
        caller.path(),
        &[
            "--cwd".into(),
            vessel.path().display().to_string(),
            "r.toml".into(),
            "p.py".into(),
        ],
        &[],
    );
    std::fs::set_permissions(vessel.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod back");
    out.assert_code(0).assert_stdout("refused");
    assert!(vessel.path().join("input").exists());
}

#[test]
fn cli_a_callers_file_that_links_into_the_vessel_is_refused() {
    let (caller, vessel) = caller_and_vessel("log('ran')\n");
    let link = caller.path().join("stop-link");
    std::os::unix::fs::symlink(vessel.path().join("stop"), &link).expect("symlink");
    let out = run_repy(
        caller.path(),
        &vessel_args(vessel.path(), &["--stop", link.to_str().expect("utf-8")]),
        &[],
    );
    out.assert_code(4);
    assert_eq!(out.stdout(), "", "the program ran");
}

#[test]
fn cli_a_program_file_too_large_to_check_is_not_read_whole() {
    // `/dev/zero` never ends: repy reads no more than the checker accepts.
    let (caller, vessel) = caller_and_vessel("");
    let out = run_repy(
        caller.path(),
        &[
            "--cwd".into(),
            vessel.path().display().to_string(),
            "r.toml".into(),
            "/dev/zero".into(),
        ],
        &[],
    );
    out.assert_code(7).assert_stderr_contains("larger than");
}
