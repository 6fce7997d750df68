//! The supervisor with real forked children running plain Rust closures (no Python).
//!
//! The tests take one lock so that only one child runs at a time: a child forked by one test
//! must not inherit another test's pipes, and CPU measurements need the machine to themselves
//! as far as possible. Bounds are generous: the machine is noisy.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use nanny::{
    Accountant, ChildEnd, CpuMechanism, Item, KillReason, MemoryBackstop, OutputTarget, Renewable,
    RunResult, SharedPage, Stdin, StdinLimits, SuperviseError, Supervisor, SupervisorConfig,
};
use nix::sys::signal::Signal;
use restrictions::{ResourceId, Restrictions};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

fn policy(lines: &str) -> Restrictions {
    Restrictions::from_toml(&format!("[resources]\n{lines}"), "test.toml").unwrap()
}

/// Writes to a descriptor without Rust's stdout lock (another test thread may hold it at
/// the fork).
fn write_fd(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: writing from a valid buffer to a descriptor number.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

fn busy_for(duration: Duration) {
    let start = Instant::now();
    let mut x: u64 = 1;
    while start.elapsed() < duration {
        for i in 0..10_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(i);
        }
        std::hint::black_box(x);
    }
}

/// Output captured into two temporary files.
struct Capture {
    stdout: File,
    stderr: File,
    _dir: tempfile::TempDir,
}

impl Capture {
    fn new() -> (Capture, OutputTarget) {
        let dir = tempfile::tempdir().unwrap();
        let stdout = File::create(dir.path().join("out")).unwrap();
        let stderr = File::create(dir.path().join("err")).unwrap();
        let target = OutputTarget::Fds {
            stdout: OwnedFd::from(stdout.try_clone().unwrap()),
            stderr: OwnedFd::from(stderr.try_clone().unwrap()),
        };
        (
            Capture {
                stdout: File::open(dir.path().join("out")).unwrap(),
                stderr: File::open(dir.path().join("err")).unwrap(),
                _dir: dir,
            },
            target,
        )
    }

    fn stdout(&mut self) -> Vec<u8> {
        read_all(&mut self.stdout)
    }

    fn stderr(&mut self) -> Vec<u8> {
        read_all(&mut self.stderr)
    }
}

fn read_all(file: &mut File) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    file.read_to_end(&mut out).unwrap();
    out
}

fn supervise(config: SupervisorConfig, sandbox: impl FnOnce(SharedPage) -> i32) -> RunResult {
    let page = SharedPage::create().unwrap();
    let child_page = page.clone();
    let supervisor = Supervisor::new(config).unwrap();
    supervisor
        .run(&page, move |gate| {
            gate.wait();
            sandbox(child_page)
        })
        .unwrap()
}

fn vessel() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn skip_or_fail(reason: &str) {
    if std::env::var_os("REPY_TEST_REQUIRE_ALL").is_some() {
        panic!("required: {reason}");
    }
    eprintln!("skipped: {reason}");
}

fn cpu_share_run(use_cgroups: bool) -> RunResult {
    let dir = vessel();
    let mut config = SupervisorConfig::new(policy("cpu = 0.2"), dir.path());
    config.use_cgroups = use_cgroups;
    supervise(config, |_| {
        busy_for(Duration::from_secs(3));
        0
    })
}

fn assert_cpu_share(result: &RunResult) {
    eprintln!(
        "{}: cpu {:.3} s in {:.3} s, {} stops",
        result.cpu_mechanism.as_str(),
        result.cpu_seconds,
        result.wall_seconds,
        result.stop_times.len()
    );
    assert_eq!(result.end, ChildEnd::Exited(0), "{result:#?}");
    assert!(
        (0.4..=0.9).contains(&result.cpu_seconds),
        "cpu 0.2 for ~3 s used {} s of CPU: {result:#?}",
        result.cpu_seconds
    );
    assert!(result.wall_seconds >= 2.9, "{result:#?}");
    // Whether and how long it was stopped depends on how much CPU the busy machine gave it;
    // a child never stopped must have stayed within its share on its own.
    if result.stop_times.is_empty() {
        assert!(
            result.cpu_seconds <= 0.2 * result.wall_seconds + 0.1,
            "{result:#?}"
        );
    }
}

#[test]
fn supervisor_holds_a_busy_child_to_its_cpu_share_by_stop_resume() {
    let _serial = serial();
    let result = cpu_share_run(false);
    assert_eq!(result.cpu_mechanism, CpuMechanism::StopResume);
    assert_cpu_share(&result);
    // Stops are short and even (a 20 ms tick), not RepyV2's ~0.4 s gulps.
    let longest = result
        .stop_times
        .iter()
        .map(|s| s.seconds_stopped)
        .fold(0.0, f64::max);
    assert!(longest < 0.5, "longest stop {longest} s");
    assert!(result
        .stop_times
        .windows(2)
        .all(|w| w[0].runtime_at_stop <= w[1].runtime_at_stop));
}

#[test]
fn supervisor_holds_a_busy_child_to_its_cpu_share_by_cgroup() {
    let _serial = serial();
    let result = cpu_share_run(true);
    if result.cpu_mechanism != CpuMechanism::Cgroup {
        return skip_or_fail("this process may not create a cpu cgroup");
    }
    assert_cpu_share(&result);
}

#[test]
fn the_child_is_in_its_own_groups_before_it_passes_the_gate() {
    let _serial = serial();
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("cpu = 0.5\nevents = 5"), dir.path());
    config.output = target;
    let result = supervise(config, |_| {
        let groups = std::fs::read("/proc/self/cgroup").unwrap_or_default();
        write_fd(1, &groups);
        0
    });
    assert_eq!(result.end, ChildEnd::Exited(0), "{result:#?}");
    if result.cpu_mechanism != CpuMechanism::Cgroup
        || result.memory_backstop != MemoryBackstop::Cgroup
    {
        return skip_or_fail("this process may not create cpu and memory cgroups");
    }
    let groups = String::from_utf8(capture.stdout()).unwrap();
    for controller in ["cpu", "memory", "pids"] {
        let line = groups
            .lines()
            .find(|line| {
                line.split(':')
                    .nth(1)
                    .is_some_and(|c| c.split(',').any(|c| c == controller))
            })
            .unwrap_or_else(|| panic!("no {controller} line in {groups}"));
        let leaf = line.rsplit('/').next().unwrap_or_default();
        assert!(leaf.starts_with("repy-"), "{controller}: {line}");
    }
}

#[test]
fn supervisor_does_not_throttle_a_share_of_every_core() {
    let _serial = serial();
    let dir = vessel();
    let result = supervise(SupervisorConfig::new(policy("cpu = 64"), dir.path()), |_| 0);
    assert_eq!(result.cpu_mechanism, CpuMechanism::None);
    assert_eq!(result.end, ChildEnd::Exited(0));
}

fn memory_hog(_: SharedPage) -> i32 {
    // Allocate and touch memory as fast as possible, up to 2 GiB (a guard for the host in
    // case enforcement failed; the test then fails on the verdict).
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    for _ in 0..2048 {
        let mut block = vec![0u8; 1 << 20];
        for page in block.chunks_mut(4096) {
            page[0] = 1;
        }
        blocks.push(block);
    }
    std::hint::black_box(&blocks);
    0
}

fn assert_memory_kill(result: &RunResult) {
    let kill = result.killed_for.as_ref().expect("killed");
    eprintln!(
        "{}: {} after {:.3} s",
        result.memory_backstop.as_str(),
        kill.message,
        result.wall_seconds
    );
    assert_eq!(kill.reason, KillReason::Memory, "{result:#?}");
    let used: u64 = kill
        .message
        .strip_prefix("memory use ")
        .and_then(|rest| rest.strip_suffix(" bytes over the limit of 30000000 bytes"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("message: {}", kill.message));
    assert!(used > 30_000_000, "{}", kill.message);
    assert_eq!(result.end, ChildEnd::Signaled(Signal::SIGKILL));
    // The host stayed fine: the child never got near its 2 GiB.
    assert!(result.peak_rss_bytes < 400_000_000, "{result:#?}");
}

#[test]
fn supervisor_kills_a_memory_hog_with_cgroup_backstop() {
    let _serial = serial();
    let dir = vessel();
    let config = SupervisorConfig::new(policy("memory = 30000000"), dir.path());
    let result = supervise(config, memory_hog);
    if result.memory_backstop != MemoryBackstop::Cgroup {
        skip_or_fail("this process may not create a memory cgroup");
    }
    assert_memory_kill(&result);
}

#[test]
fn supervisor_reports_a_kernel_memory_kill_as_memory() {
    let _serial = serial();
    let dir = vessel();
    let config = SupervisorConfig::new(policy("memory = 30000000"), dir.path());
    // Memory the supervisor's RSS sampling cannot see: pages of an unmapped memfd, charged
    // to the cgroup only. Only the kernel backstop can stop this child.
    let result = supervise(config, |_| {
        // SAFETY: memfd_create with a NUL-terminated name; write from a valid buffer.
        unsafe {
            let fd = libc::memfd_create(c"hog".as_ptr(), 0);
            let block = vec![1u8; 1 << 20];
            for _ in 0..1024 {
                libc::write(fd, block.as_ptr().cast(), block.len());
            }
        }
        0
    });
    if result.memory_backstop != MemoryBackstop::Cgroup {
        return skip_or_fail("this process may not create a memory cgroup");
    }
    assert_memory_kill(&result);
}

#[test]
fn supervisor_kills_a_memory_hog_with_rlimit_backstop() {
    let _serial = serial();
    let dir = vessel();
    let mut config = SupervisorConfig::new(policy("memory = 30000000"), dir.path());
    config.use_cgroups = false;
    let result = supervise(config, memory_hog);
    assert_eq!(result.memory_backstop, MemoryBackstop::Rlimit);
    assert_memory_kill(&result);
}

#[test]
fn supervisor_kills_a_child_filling_the_vessel() {
    let _serial = serial();
    let dir = vessel();
    let path = dir.path().join("data");
    let config = SupervisorConfig::new(policy("diskused = 200000"), dir.path());
    let result = supervise(config, move |_| {
        use std::io::Write;
        let mut file = File::create(&path).unwrap();
        for _ in 0..500 {
            file.write_all(&[7u8; 10_000]).unwrap();
            std::thread::sleep(Duration::from_millis(5));
        }
        0
    });
    let kill = result.killed_for.as_ref().expect("killed");
    assert_eq!(kill.reason, KillReason::Disk, "{result:#?}");
    assert!(
        kill.message.starts_with("disk use ")
            && kill
                .message
                .contains(" bytes over the limit of 200000 bytes in the vessel directory '"),
        "{}",
        kill.message
    );
    assert!(result.peak_disk_bytes > 200_000);
    let written = std::fs::metadata(dir.path().join("data")).unwrap().len();
    assert!(written < 2_000_000, "killed late: {written} bytes written");
}

#[test]
fn supervisor_kills_at_the_wall_time_limit() {
    let _serial = serial();
    let dir = vessel();
    let config = SupervisorConfig::new(policy("wall-time = \"500 ms\""), dir.path());
    let result = supervise(config, |_| {
        std::thread::sleep(Duration::from_secs(20));
        0
    });
    let kill = result.killed_for.as_ref().expect("killed");
    assert_eq!(kill.reason, KillReason::WallTime);
    assert!(
        kill.message.ends_with("over the limit of 0.5 seconds"),
        "{}",
        kill.message
    );
    assert!((0.5..1.5).contains(&result.wall_seconds), "{result:#?}");
}

#[test]
fn supervisor_kills_at_the_cpu_time_limit() {
    let _serial = serial();
    let dir = vessel();
    let config = SupervisorConfig::new(policy("cpu-time = \"300 ms\""), dir.path());
    let result = supervise(config, |_| {
        busy_for(Duration::from_secs(20));
        0
    });
    let kill = result.killed_for.as_ref().expect("killed");
    assert_eq!(kill.reason, KillReason::CpuTime, "{result:#?}");
    assert!(kill.message.starts_with("cpu time "), "{}", kill.message);
    assert!((0.3..0.9).contains(&result.cpu_seconds), "{result:#?}");
    assert!(result.wall_seconds < 3.0, "{result:#?}");
}

#[test]
fn supervisor_relays_exactly_the_output_limit_then_kills() {
    let _serial = serial();
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("output = 1000"), dir.path());
    config.output = target;
    let result = supervise(config, |_| {
        let line: Vec<u8> = (0..4096u32).map(|i| b'a' + (i % 26) as u8).collect();
        for _ in 0..256 {
            write_fd(1, &line);
        }
        0
    });
    let kill = result.killed_for.as_ref().expect("killed");
    assert_eq!(kill.reason, KillReason::Output, "{result:#?}");
    assert_eq!(kill.message, "output over the limit of 1000 bytes");
    let out = capture.stdout();
    assert_eq!(out.len(), 1000);
    assert!(out
        .iter()
        .enumerate()
        .all(|(i, &b)| b == b'a' + (i % 26) as u8));
    assert_eq!(result.output_bytes, 1000);
    assert!(result.output_dropped_bytes > 0);
    assert_eq!(result.end, ChildEnd::Signaled(Signal::SIGKILL));
}

#[test]
fn supervisor_relays_both_streams_and_keeps_output_written_before_exit() {
    let _serial = serial();
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("output = 1000"), dir.path());
    config.output = target;
    let result = supervise(config, |page| {
        let acc = Accountant::new(page, &policy("lograte = 1000000"), ".");
        acc.acquire(Item::EVENTS, 1).unwrap();
        acc.acquire(Item::EVENTS, 2).unwrap();
        acc.release(Item::EVENTS, 2);
        write_fd(1, b"hello ");
        write_fd(2, b"oops\n");
        acc.charge(Renewable::LOGRATE, 0).unwrap();
        write_fd(1, b"world\n");
        acc.charge(Renewable::LOGRATE, 6).unwrap();
        acc.charge_output(17);
        // Exactly the limit is not over it.
        write_fd(1, &[b'x'; 983]);
        3
    });
    assert_eq!(result.end, ChildEnd::Exited(3));
    assert_eq!(result.killed_for, None, "{result:#?}");
    let out = capture.stdout();
    assert_eq!(&out[..12], b"hello world\n");
    assert_eq!(out.len(), 995);
    assert_eq!(capture.stderr(), b"oops\n");
    assert_eq!(result.output_bytes, 1000);
    let lograte = result
        .renewable
        .iter()
        .find(|r| r.resource == ResourceId::Lograte)
        .unwrap();
    assert_eq!(lograte.charged, 6);
    assert!(result.item_peaks.contains(&(ResourceId::Events, 2)));
    assert!(result.page_intact);
}

#[test]
fn supervisor_stops_the_child_through_the_stop_file() {
    let _serial = serial();
    let dir = vessel();
    let stop = dir.path().join("stopfile");
    let status = dir.path().join("status");
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.output = target;
    config.stop_file = Some(stop.clone());
    config.status_prefix = Some(status.clone());
    let result = supervise(config, move |_| {
        std::fs::write(&stop, b"7;bye now").unwrap();
        std::thread::sleep(Duration::from_secs(20));
        0
    });
    let kill = result.killed_for.as_ref().expect("killed");
    assert_eq!(kill.reason, KillReason::Stopped(7));
    assert!(result.wall_seconds < 2.5, "{result:#?}");
    assert_eq!(capture.stdout(), b"bye now\n");
    let statuses = status_files(dir.path());
    assert_eq!(statuses.len(), 1, "{statuses:?}");
    assert!(
        statuses[0].starts_with("status-Terminated-"),
        "{statuses:?}"
    );
}

#[test]
fn supervisor_stop_file_without_contents_means_stopped() {
    let _serial = serial();
    let dir = vessel();
    let stop = dir.path().join("stopfile");
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.stop_file = Some(stop.clone());
    config.status_prefix = Some(dir.path().join("status"));
    let result = supervise(config, move |_| {
        std::fs::write(&stop, b"").unwrap();
        std::thread::sleep(Duration::from_secs(20));
        0
    });
    assert_eq!(result.killed_for.unwrap().reason, KillReason::Stopped(44));
    let statuses = status_files(dir.path());
    assert!(statuses[0].starts_with("status-Stopped-"), "{statuses:?}");
}

fn status_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("status-"))
        .collect()
}

#[test]
fn supervisor_refuses_an_existing_stop_file() {
    let dir = vessel();
    let stop = dir.path().join("stopfile");
    std::fs::write(&stop, b"").unwrap();
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.stop_file = Some(stop);
    let err = Supervisor::new(config).unwrap_err();
    assert!(matches!(err, SuperviseError::StopFileExists { .. }));
    assert!(
        err.to_string().ends_with("stopfile' already exists"),
        "{err}"
    );
}

/// What the sandbox child finds in its process state before the sandbox runs: stdin on
/// `/dev/null`, no environment at all, `SIGXFSZ` ignored.
fn child_process_state() -> String {
    use std::os::unix::fs::MetadataExt;
    let null = std::fs::metadata("/dev/null").unwrap();
    // SAFETY: fstat writes into a zeroed stat struct that outlives the call.
    let stdin = unsafe {
        let mut stat: libc::stat = std::mem::zeroed();
        libc::fstat(libc::STDIN_FILENO, &mut stat);
        stat
    };
    let is_null = stdin.st_mode & libc::S_IFMT == libc::S_IFCHR && stdin.st_rdev == null.rdev();
    let mut byte = [0u8; 1];
    // SAFETY: reading at most one byte into a live buffer.
    let read = unsafe { libc::read(libc::STDIN_FILENO, byte.as_mut_ptr().cast(), 1) };
    let environment = std::env::vars_os().count();
    // SAFETY: sigaction with no new action only writes the current one into `old`.
    let xfsz = unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGXFSZ, std::ptr::null(), &mut old);
        old.sa_sigaction == libc::SIG_IGN
    };
    format!(
        "stdin-null={is_null} stdin-read={read} environment={environment} xfsz-ignored={xfsz}\n"
    )
}

#[test]
fn supervisor_child_reads_dev_null_has_no_environment_and_ignores_sigxfsz() {
    let _serial = serial();
    assert!(
        std::env::vars_os().next().is_some(),
        "the test needs an environment to clear"
    );
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.output = target;
    assert!(matches!(config.stdin, Stdin::Null));
    let result = supervise(config, |_| {
        write_fd(1, child_process_state().as_bytes());
        0
    });
    assert_eq!(result.end, ChildEnd::Exited(0), "{result:#?}");
    assert_eq!(
        String::from_utf8_lossy(&capture.stdout()),
        "stdin-null=true stdin-read=0 environment=0 xfsz-ignored=true\n"
    );
}

#[test]
fn supervisor_reports_a_crashed_child() {
    let _serial = serial();
    let dir = vessel();
    let (_capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.output = target;
    let result = supervise(config, |_| {
        let _ = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0);
        // Rust's runtime handles SIGSEGV (to report stack overflows) and returns from a
        // raised one; a crash takes the default action.
        // SAFETY: restoring the default disposition, then raising the signal in the child.
        unsafe {
            libc::signal(libc::SIGSEGV, libc::SIG_DFL);
            libc::raise(libc::SIGSEGV);
        }
        0
    });
    assert_eq!(result.end, ChildEnd::Signaled(Signal::SIGSEGV));
    assert_eq!(result.killed_for, None);
}

#[test]
fn supervisor_kills_the_child_when_interrupted() {
    let _serial = serial();
    let dir = vessel();
    let supervisor_pid = std::process::id() as libc::pid_t;
    // SAFETY: gettid has no arguments.
    let supervisor_tid = unsafe { libc::gettid() };
    let result = supervise(SupervisorConfig::new(policy(""), dir.path()), move |_| {
        // SIGTERM to the supervising thread only (the test process has other threads).
        // SAFETY: tgkill with plain integers.
        unsafe { libc::tgkill(supervisor_pid, supervisor_tid, libc::SIGTERM) };
        std::thread::sleep(Duration::from_secs(20));
        0
    });
    let kill = result.killed_for.as_ref().expect("killed");
    assert_eq!(kill.reason, KillReason::Interrupted);
    assert_eq!(kill.message, "the supervisor was interrupted by SIGTERM");
    assert!(result.wall_seconds < 2.0);
}

#[test]
fn supervisor_writes_output_to_the_circular_log() {
    let _serial = serial();
    let dir = vessel();
    let prefix = dir.path().join("log");
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.output = OutputTarget::Logfile(prefix.clone());
    let result = supervise(config, |_| {
        let data: Vec<u8> = (0..40_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        write_fd(1, &data[..20_000]);
        write_fd(1, &data[20_000..]);
        // stderr goes to the same log; the pause keeps the order deterministic.
        std::thread::sleep(Duration::from_millis(100));
        write_fd(2, b"!");
        0
    });
    assert_eq!(result.end, ChildEnd::Exited(0));
    let old = std::fs::read(dir.path().join("log.old")).unwrap();
    let new = std::fs::read(dir.path().join("log.new")).unwrap();
    assert_eq!(old.len(), 16 * 1024);
    assert_eq!(new.len(), 40_001 - 2 * 16 * 1024);
    let mut expected: Vec<u8> = (0..40_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    expected.push(b'!');
    assert_eq!([old, new].concat(), expected[40_001 - 16 * 1024 - 7233..]);
}

#[test]
fn supervisor_sets_the_runtime_origin_for_the_child() {
    let _serial = serial();
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.output = target;
    let result = supervise(config, |page| {
        let acc = Accountant::new(page, &policy(""), ".");
        let first = acc.runtime();
        std::thread::sleep(Duration::from_millis(100));
        let second = acc.runtime();
        write_fd(1, format!("{first} {second}").as_bytes());
        0
    });
    assert_eq!(result.end, ChildEnd::Exited(0));
    let text = String::from_utf8(capture.stdout()).unwrap();
    let times: Vec<f64> = text.split(' ').map(|t| t.parse().unwrap()).collect();
    assert!(times[0] >= 0.0 && times[0] < 0.5, "{text}");
    assert!(times[1] - times[0] >= 0.09, "{text}");
}

/// A batch driver that asks for `calls` calls, each told its index through a file in the
/// vessel, and keeps each call's output and result.
struct Calls {
    dir: std::path::PathBuf,
    capture: Capture,
    calls: usize,
    asked: usize,
    top_level: Option<RunResult>,
    results: Vec<(RunResult, Vec<u8>)>,
}

impl nanny::BatchDriver for Calls {
    fn top_level_finished(&mut self, result: &RunResult) {
        self.top_level = Some(result.clone());
        let _ = self.capture.stdout();
    }

    fn next_call(&mut self) -> bool {
        if self.asked == self.calls {
            return false;
        }
        std::fs::write(self.dir.join("call"), self.asked.to_string()).unwrap();
        self.asked += 1;
        true
    }

    fn call_ended(&mut self, result: RunResult) {
        let output = self.capture.stdout();
        self.results.push((result, output));
    }
}

#[test]
fn supervisor_batch_ends_a_runaway_call_alone_and_each_call_gets_its_own_result() {
    let _serial = serial();
    let dir = vessel();
    let (capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("wall-time = 1\nmemory = 200000000"), dir.path());
    config.output = target;
    let page = SharedPage::create().unwrap();
    let mut driver = Calls {
        dir: dir.path().to_path_buf(),
        capture,
        calls: 5,
        asked: 0,
        top_level: None,
        results: Vec::new(),
    };
    let call_file = dir.path().join("call");
    let top = Supervisor::new(config)
        .unwrap()
        .run_batch(&page, &mut driver, move |gate| {
            let control = gate.take_control().expect("a batch has a control channel");
            gate.wait();
            write_fd(1, b"top level\n");
            assert!(control.ready());
            while control.next_request() {
                let call: usize = std::fs::read_to_string(&call_file)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(99);
                // SAFETY: the zygote is single-threaded.
                match unsafe { nix::unistd::fork() }.unwrap() {
                    nix::unistd::ForkResult::Child => {
                        write_fd(1, format!("call {call}\n").as_bytes());
                        if call == 2 {
                            // Runs past the wall time: killed alone.
                            busy_for(Duration::from_secs(30));
                        }
                        // SAFETY: ends the forked call process at once.
                        unsafe { libc::_exit(i32::try_from(call).unwrap_or(0)) }
                    }
                    nix::unistd::ForkResult::Parent { child } => {
                        if call != 2 {
                            // The protocol lets a call run before it is watched: this one has
                            // ended (a zombie, not reaped) before it is reported, and is
                            // watched as it is, not discarded as a process forked ahead
                            // that died waiting would be.
                            // SAFETY: an all-zero siginfo is valid; waitid fills it.
                            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
                            // SAFETY: waitid on this process's own child, WNOWAIT: nothing
                            // is reaped.
                            let waited = unsafe {
                                libc::waitid(
                                    libc::P_PID,
                                    child.as_raw() as libc::id_t,
                                    &mut info,
                                    libc::WEXITED | libc::WNOWAIT,
                                )
                            };
                            assert_eq!(waited, 0);
                        }
                        assert!(control.forked(child));
                        assert_eq!(control.await_watch(), nanny::zygote::Verdict::Watched);
                        let mut status = 0;
                        // SAFETY: an all-zero rusage is valid; wait4 fills both.
                        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
                        // SAFETY: out-parameters are valid.
                        unsafe { libc::wait4(child.as_raw(), &mut status, 0, &mut usage) };
                        assert!(control.ended(nanny::zygote::CallEnd {
                            status,
                            cpu_micros: 0,
                            peak_rss_kib: 0,
                        }));
                    }
                }
            }
            0
        })
        .unwrap();
    assert_eq!(top.end, ChildEnd::Exited(0));
    assert!(top.killed_for.is_none());
    assert_eq!(driver.results.len(), 5);
    for (index, (result, output)) in driver.results.iter().enumerate() {
        assert_eq!(
            String::from_utf8_lossy(output),
            format!("call {index}\n"),
            "call {index}'s output is its own"
        );
        if index == 2 {
            assert_eq!(
                result.killed_for.as_ref().map(|k| k.reason),
                Some(KillReason::WallTime)
            );
            assert_eq!(result.end, ChildEnd::Signaled(Signal::SIGKILL));
            assert!(result.wall_seconds < 3.0, "{}", result.wall_seconds);
        } else {
            assert!(result.killed_for.is_none(), "call {index}: {result:?}");
            assert_eq!(result.end, ChildEnd::Exited(index as i32));
        }
    }
}

#[test]
fn supervisor_batch_whose_top_level_closes_its_channel_and_exits_keeps_its_exit_code() {
    // A top level that does not finish (the program was refused, or raised) drops the
    // zygote's end of the channel and exits with its own code some time later: that is its
    // result, not a crash (the supervisor once took the end of file for a broken channel and
    // killed the exiting zygote).
    let _serial = serial();
    let dir = vessel();
    let (capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("wall-time = 5"), dir.path());
    config.output = target;
    let page = SharedPage::create().unwrap();
    let mut driver = Calls {
        dir: dir.path().to_path_buf(),
        capture,
        calls: 3,
        asked: 0,
        top_level: None,
        results: Vec::new(),
    };
    let top = Supervisor::new(config)
        .unwrap()
        .run_batch(&page, &mut driver, move |gate| {
            let control = gate.take_control().expect("a batch has a control channel");
            gate.wait();
            drop(control);
            busy_for(Duration::from_millis(50));
            5
        })
        .unwrap();
    assert_eq!(top.end, ChildEnd::Exited(5), "{top:#?}");
    assert!(top.killed_for.is_none());
    assert!(
        driver.top_level.is_none() && driver.results.is_empty(),
        "no call runs after such a top level"
    );
}

// Standard input relayed by the supervisor (`Stdin::Relay`).

/// Reads the child's descriptor 0 to its end (or an error), without Rust's stdin lock.
fn read_stdin_to_end() -> Vec<u8> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        // SAFETY: reading into a live buffer of the length given.
        let n = unsafe { libc::read(0, buffer.as_mut_ptr().cast(), buffer.len()) };
        match usize::try_from(n) {
            Ok(0) | Err(_) => return data,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    }
}

/// A relay of `source` under `total` bytes and `rate` bytes per second.
fn relay(source: impl Into<OwnedFd>, total: Option<u64>, rate: Option<f64>) -> Stdin {
    Stdin::Relay {
        source: source.into(),
        limits: StdinLimits { total, rate },
    }
}

/// A pipe (both ends close-on-exec).
fn pipe() -> (OwnedFd, OwnedFd) {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap()
}

/// A process's resident memory in bytes, from `/proc/<pid>/status`.
fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// Whether `fd`'s open file description is non-blocking.
fn nonblocking(fd: &impl std::os::fd::AsFd) -> bool {
    let flags = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFL).unwrap();
    nix::fcntl::OFlag::from_bits_retain(flags).contains(nix::fcntl::OFlag::O_NONBLOCK)
}

#[test]
fn supervisor_relays_standard_input_then_end_of_file() {
    let _serial = serial();
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let (source, writer) = pipe();
    nix::unistd::write(&writer, b"3\n1 2 3\n").unwrap();
    drop(writer);
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.output = target;
    config.stdin = relay(source, None, None);
    let result = supervise(config, |_| {
        let data = read_stdin_to_end();
        write_fd(1, &data);
        // End of file stays end of file.
        let mut byte = [0u8; 1];
        // SAFETY: reading at most one byte into a live buffer.
        let again = unsafe { libc::read(0, byte.as_mut_ptr().cast(), 1) };
        write_fd(1, format!("|eof {again}\n").as_bytes());
        0
    });
    assert_eq!(result.end, ChildEnd::Exited(0), "{result:#?}");
    assert_eq!(
        String::from_utf8_lossy(&capture.stdout()),
        "3\n1 2 3\n|eof 0\n"
    );
    assert_eq!(result.stdin_bytes, 8);
    assert!(!result.stdin_truncated);
}

#[test]
fn supervisor_cuts_standard_input_at_its_total_and_the_program_sees_end_of_file_there() {
    let _serial = serial();
    let dir = vessel();
    // A source that never ends by itself: 100 bytes waiting, and its writer open throughout.
    let (source, writer) = pipe();
    nix::unistd::write(&writer, &b"0123456789".repeat(10)).unwrap();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("wall-time = 10"), dir.path());
    config.output = target;
    config.stdin = relay(source, Some(25), None);
    let result = supervise(config, |_| {
        write_fd(1, &read_stdin_to_end());
        0
    });
    drop(writer);
    assert_eq!(result.end, ChildEnd::Exited(0), "{result:#?}");
    assert_eq!(
        String::from_utf8_lossy(&capture.stdout()),
        "0123456789012345678901234"
    );
    assert!(result.wall_seconds < 2.0, "{result:#?}");
    assert_eq!(result.stdin_bytes, 25);
    assert!(
        result.stdin_truncated,
        "the source offered more than the total"
    );

    // A source of exactly the total is not cut.
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, b"0123456789").unwrap();
    std::io::Seek::rewind(&mut file).unwrap();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.output = target;
    config.stdin = relay(file, Some(10), None);
    let result = supervise(config, |_| {
        write_fd(1, &read_stdin_to_end());
        0
    });
    assert_eq!(String::from_utf8_lossy(&capture.stdout()), "0123456789");
    assert_eq!(result.stdin_bytes, 10);
    assert!(!result.stdin_truncated);
}

#[test]
fn supervisor_paces_standard_input_at_its_rate() {
    // The pacing itself is tested on a fake clock (`supervisor::stdin`); this is the coarse
    // real-time check. At 10 000 B/s the first second's worth comes at once (the leaky
    // bucket's burst), and the other 20 000 bytes take about 2 s.
    let _serial = serial();
    let dir = vessel();
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, &vec![b'x'; 30_000]).unwrap();
    std::io::Seek::rewind(&mut file).unwrap();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("wall-time = 30"), dir.path());
    config.output = target;
    config.stdin = relay(file, None, Some(10_000.0));
    let result = supervise(config, |_| {
        write_fd(1, read_stdin_to_end().len().to_string().as_bytes());
        0
    });
    assert_eq!(String::from_utf8_lossy(&capture.stdout()), "30000");
    assert_eq!(result.stdin_bytes, 30_000);
    assert!(
        (1.7..8.0).contains(&result.wall_seconds),
        "30 000 bytes at 10 000 B/s: {result:#?}"
    );
}

#[test]
fn supervisor_holds_little_memory_and_kills_on_time_when_the_child_never_reads_dev_zero() {
    let _serial = serial();
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("wall-time = 1"), dir.path());
    config.output = target;
    config.stdin = relay(File::open("/dev/zero").unwrap(), None, None);
    let before = resident_bytes(std::process::id());
    let result = supervise(config, |_| {
        // The supervisor's memory while its relay has been stuck for a while.
        std::thread::sleep(Duration::from_millis(500));
        let supervisor = nix::unistd::getppid().as_raw() as u32;
        write_fd(1, resident_bytes(supervisor).to_string().as_bytes());
        std::thread::sleep(Duration::from_secs(20));
        0
    });
    let kill = result.killed_for.as_ref().expect("killed");
    assert_eq!(kill.reason, KillReason::WallTime);
    assert!((1.0..2.0).contains(&result.wall_seconds), "{result:#?}");
    // What the pipe takes, and no more: the relay reads only what fits.
    assert!(result.stdin_bytes <= 1024 * 1024, "{result:#?}");
    let during: u64 = String::from_utf8_lossy(&capture.stdout()).parse().unwrap();
    assert!(
        during < before + 32 * 1024 * 1024,
        "the supervisor grew from {before} to {during} bytes"
    );
}

#[test]
fn supervisor_is_not_held_by_a_source_that_sends_nothing() {
    let _serial = serial();
    let dir = vessel();
    // A pipe whose writer stays open and writes nothing.
    let (source, writer) = pipe();
    let mut config = SupervisorConfig::new(policy("wall-time = 10"), dir.path());
    config.stdin = relay(source, None, Some(1000.0));
    let started = Instant::now();
    let result = supervise(config, |_| 0);
    assert_eq!(result.end, ChildEnd::Exited(0), "{result:#?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{result:#?}");
    assert_eq!(result.stdin_bytes, 0);

    // A child blocked reading it is still killed on time.
    let (source, writer2) = pipe();
    let mut config = SupervisorConfig::new(policy("wall-time = \"500 ms\""), dir.path());
    config.stdin = relay(source, None, None);
    let result = supervise(config, |_| {
        let _ = read_stdin_to_end();
        0
    });
    let kill = result.killed_for.as_ref().expect("killed");
    assert_eq!(kill.reason, KillReason::WallTime);
    assert!((0.5..1.5).contains(&result.wall_seconds), "{result:#?}");
    drop((writer, writer2));
}

#[test]
fn supervisor_stops_relaying_when_the_child_closes_its_standard_input() {
    let _serial = serial();
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("wall-time = 10"), dir.path());
    config.output = target;
    // Paced, so that the relay still writes after the child closed its end (a pipe that
    // filled up would be watched for room, and its error seen without a write).
    config.stdin = relay(File::open("/dev/zero").unwrap(), None, Some(1000.0));
    // SIGPIPE's default action (a caller that does not ignore it, as Rust programs do): a
    // write into the closed pipe must not kill the supervisor, during the run or when its
    // signal mask is restored after it.
    // SAFETY: setting a disposition installs no handler code; the tests run one at a time
    // and none writes into a closed pipe meanwhile.
    let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let result = supervise(config, |_| {
        let mut buffer = [1u8; 10];
        // SAFETY: reading into a live buffer, then closing descriptor 0.
        let n = unsafe {
            let n = libc::read(0, buffer.as_mut_ptr().cast(), buffer.len());
            libc::close(0);
            n
        };
        std::thread::sleep(Duration::from_millis(300));
        write_fd(1, format!("{n} {:?}", &buffer[..2]).as_bytes());
        0
    });
    assert_eq!(result.end, ChildEnd::Exited(0), "{result:#?}");
    assert!(result.killed_for.is_none(), "{result:#?}");
    // SAFETY: as above.
    unsafe { libc::signal(libc::SIGPIPE, previous) };
    assert_eq!(String::from_utf8_lossy(&capture.stdout()), "10 [0, 0]");
}

/// A new pseudo-terminal: its master and a slave (the side a program reads as its terminal).
fn pseudo_terminal() -> Option<(OwnedFd, File)> {
    use std::os::fd::FromRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    // SAFETY: posix_openpt returns a new descriptor or -1; grantpt, unlockpt and ptsname_r
    // take that descriptor and, for ptsname_r, a live buffer of the length given.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        if master < 0 {
            return None;
        }
        let master = OwnedFd::from_raw_fd(master);
        let raw = std::os::fd::AsRawFd::as_raw_fd(&master);
        let mut name = [0 as libc::c_char; 128];
        if libc::grantpt(raw) != 0
            || libc::unlockpt(raw) != 0
            || libc::ptsname_r(raw, name.as_mut_ptr(), name.len()) != 0
        {
            return None;
        }
        let path = std::ffi::CStr::from_ptr(name.as_ptr()).to_str().ok()?;
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(path)
            .ok()?;
        Some((master, slave))
    }
}

#[test]
fn supervisor_reads_a_terminal_without_making_it_non_blocking_for_others() {
    let _serial = serial();
    let Some((master, slave)) = pseudo_terminal() else {
        skip_or_fail("no pseudo-terminal");
        return;
    };
    // A line, then the terminal's end-of-file character (^D), as a user would type them.
    nix::unistd::write(&master, b"hello\n\x04").unwrap();
    let dir = vessel();
    let (mut capture, target) = Capture::new();
    let mut config = SupervisorConfig::new(policy("wall-time = 10"), dir.path());
    config.output = target;
    // The caller's terminal, shared: the relay gets a duplicate of the caller's descriptor.
    config.stdin = relay(slave.try_clone().unwrap(), None, None);
    let result = supervise(config, |_| {
        write_fd(1, &read_stdin_to_end());
        0
    });
    assert_eq!(result.end, ChildEnd::Exited(0), "{result:#?}");
    assert_eq!(String::from_utf8_lossy(&capture.stdout()), "hello\n");
    assert_eq!(result.stdin_bytes, 6);
    assert!(
        !nonblocking(&slave),
        "the caller's terminal was made non-blocking"
    );
}

#[test]
fn supervisor_refuses_to_relay_standard_input_to_a_batch() {
    let _serial = serial();
    let dir = vessel();
    let (capture, target) = Capture::new();
    let (source, _writer) = pipe();
    let mut config = SupervisorConfig::new(policy(""), dir.path());
    config.output = target;
    config.stdin = relay(source, None, None);
    let page = SharedPage::create().unwrap();
    let mut driver = Calls {
        dir: dir.path().to_path_buf(),
        capture,
        calls: 1,
        asked: 0,
        top_level: None,
        results: Vec::new(),
    };
    let outcome = Supervisor::new(config)
        .unwrap()
        .run_batch(&page, &mut driver, |_| 0);
    assert!(
        matches!(outcome, Err(SuperviseError::StdinInBatch)),
        "{outcome:?}"
    );
    assert!(driver.top_level.is_none());
}
