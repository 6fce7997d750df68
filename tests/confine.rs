//! Wall 4 alone: with the test-only `test-real-builtins` build, the program runs with the
//! interpreter's real builtins, `import` and no checker — as if walls 1 and 2 had fallen —
//! and each test proves the kernel walls still stop the effect (file unread, canary
//! unwritten, nothing executed, port unbound, no child process, supervisor unharmed).

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crate::support::{RunOutput, Sandbox, REPY_REAL_BUILTINS};

/// Runs `program` with the real builtins under the given policy.
fn escape(policy: &str, program: &str) -> (Sandbox, RunOutput) {
    let sb = Sandbox::new()
        .restrictions(policy)
        .binary(REPY_REAL_BUILTINS)
        .program(program);
    let out = sb.run(&[]);
    (sb, out)
}

const NETWORK: &str = "[resources]\nconnport = [63180]\nmessport = [63180]\n";
const NO_NETWORK: &str = "[resources]\n";

#[test]
fn confine_real_builtins_really_run_unchecked() {
    // The control: without this, every other test here could pass vacuously.
    let (_, out) = escape(
        NO_NETWORK,
        "import os\nprint(os.getpid() > 0, type(open).__name__)\n",
    );
    out.assert_code(0)
        .assert_stdout("True builtin_function_or_method\n");
}

#[test]
fn confine_host_files_cannot_be_read_or_listed() {
    let outside = tempfile::tempdir().expect("temp dir");
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET").expect("write secret");
    let program = format!(
        r#"
import os
for path in ["/etc/passwd", "/etc/hostname", {secret:?}, "/proc/1/cmdline", "/proc/self/environ"]:
    try:
        print("READ", path, open(path).read()[:40])
    except OSError as e:
        print("refused", path, e.errno)
for path in ["/", "/etc", {outside:?}, ".."]:
    try:
        print("LISTED", path, os.listdir(path)[:3])
    except OSError as e:
        print("refused", path, e.errno)
print("vessel still usable:", os.listdir(".") is not None)
"#,
        secret = secret.display().to_string(),
        outside = outside.path().display().to_string()
    );
    let (_, out) = escape(NO_NETWORK, &program);
    out.assert_code(0)
        .assert_stdout_contains("vessel still usable: True");
    assert!(
        !out.stdout().contains("READ") && !out.stdout().contains("LISTED"),
        "{}",
        out.explain()
    );
    assert!(
        !out.stdout().contains("TOP-SECRET") && !out.stdout().contains("root:"),
        "{}",
        out.explain()
    );
}

#[test]
fn confine_nothing_is_written_outside_the_vessel() {
    let outside = tempfile::tempdir().expect("temp dir");
    let canary = outside.path().join("canary");
    let program = format!(
        r#"
import os
for path in [{canary:?}, "/tmp/repy-canary-{pid}", "../canary-{pid}"]:
    try:
        with open(path, "w") as f:
            f.write("escaped")
        print("WROTE", path)
    except OSError as e:
        print("refused", path, e.errno)
for attempt in [lambda: os.mkdir("sub"), lambda: os.symlink("/etc/passwd", "link"), lambda: os.rename("a", "b")]:
    try:
        attempt()
        print("DID")
    except OSError as e:
        print("refused", e.errno)
with open("inside.txt", "w") as f:
    f.write("fine")
"#,
        canary = canary.display().to_string(),
        pid = std::process::id()
    );
    let (sb, out) = escape(NO_NETWORK, &program);
    out.assert_code(0);
    assert!(
        !out.stdout().contains("WROTE") && !out.stdout().contains("DID"),
        "{}",
        out.explain()
    );
    assert!(
        !canary.exists(),
        "canary written outside the vessel\n{}",
        out.explain()
    );
    assert!(!std::path::Path::new(&format!("/tmp/repy-canary-{}", std::process::id())).exists());
    assert!(!sb.path().join("sub").exists() && !sb.path().join("link").exists());
    assert_eq!(
        std::fs::read_to_string(sb.path().join("inside.txt"))
            .ok()
            .as_deref(),
        Some("fine")
    );
}

#[test]
fn confine_no_shell_and_no_process_is_started() {
    let outside = tempfile::tempdir().expect("temp dir");
    let marker = outside.path().join("shell-ran");
    let shell_cmd = format!("touch {}", marker.display());
    let program = format!(
        r#"
import os, subprocess
try:
    pid = os.fork()
    if pid == 0:
        open({marker:?}, "w").close()
        os._exit(0)
    print("FORKED", pid)
except OSError as e:
    print("fork refused", e.errno)
try:
    subprocess.run(["/bin/sh", "-c", {cmd:?}])
    print("SPAWNED")
except OSError as e:
    print("spawn refused", e.errno)
print("now exec", flush=True)
os.execv("/bin/sh", ["/bin/sh", "-c", {cmd:?}])
print("EXECED")
"#,
        marker = marker.display().to_string(),
        cmd = shell_cmd
    );
    let (_, out) = escape(NO_NETWORK, &program);
    out.assert_stdout_contains("fork refused")
        .assert_stdout_contains("spawn refused");
    assert!(
        !out.stdout().contains("FORKED")
            && !out.stdout().contains("SPAWNED")
            && !out.stdout().contains("EXECED")
    );
    // execve is fatal under the filter: the sandbox dies of SIGSYS and repy says so.
    out.assert_code(120).assert_stderr_contains("crashed");
    std::thread::sleep(Duration::from_millis(200));
    assert!(!marker.exists(), "a shell ran\n{}", out.explain());
}

#[test]
fn confine_supervisor_cannot_be_traced_or_signalled() {
    let program = r#"
import os, ctypes, signal
libc = ctypes.CDLL(None, use_errno=True)
parent = os.getppid()
for sig in (signal.SIGTERM, signal.SIGKILL):
    for target in (parent, -1, 1):
        try:
            os.kill(target, sig)
            print("SIGNALLED", target)
        except OSError as e:
            print("kill refused", target, e.errno)
print("now ptrace", flush=True)
print("PTRACE", libc.ptrace(16, parent, 0, 0))
"#;
    let (_, out) = escape(NO_NETWORK, program);
    out.assert_stdout_contains("kill refused")
        .assert_stdout_contains("now ptrace");
    assert!(
        !out.stdout().contains("SIGNALLED") && !out.stdout().contains("PTRACE"),
        "{}",
        out.explain()
    );
    // ptrace is fatal under the filter; the supervisor survived to report it.
    out.assert_code(120).assert_stderr_contains("crashed");
}

#[test]
fn confine_raw_unix_and_netlink_sockets_are_refused() {
    let outside = tempfile::tempdir().expect("temp dir");
    let path = outside.path().join("host.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).expect("bind unix socket");
    listener.set_nonblocking(true).expect("nonblocking");
    let program = format!(
        r#"
import socket
attempts = [
    ("unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect({path:?})),
    ("abstract", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect("\0repy-test")),
    ("raw", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)),
    ("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW)),
    ("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)),
]
for name, attempt in attempts:
    try:
        attempt()
        print("OPENED", name)
    except OSError as e:
        print("refused", name, e.errno)
"#,
        path = path.display().to_string()
    );
    let (_, out) = escape(NETWORK, &program);
    out.assert_code(0);
    assert!(!out.stdout().contains("OPENED"), "{}", out.explain());
    for name in ["unix", "abstract", "raw", "packet", "netlink"] {
        out.assert_stdout_contains(&format!("refused {name}"));
    }
    assert!(
        listener.accept().is_err(),
        "the host's unix socket got a connection"
    );
}

#[test]
fn confine_ctypes_syscalls_meet_the_same_walls() {
    let program = r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(64)
fd = libc.syscall(257, -100, b"/etc/passwd", 0)   # openat(AT_FDCWD, ...)
print("openat", fd, ctypes.get_errno())
if fd >= 0:
    print("READ", libc.read(fd, buf, 64), buf.value)
print("fork", libc.syscall(57), ctypes.get_errno())     # fork
print("memfd", libc.syscall(319, b"x", 0), ctypes.get_errno())
print("mmap-exec", libc.mmap(None, 4096, 7, 0x22, -1, 0) in (-1, 2**64 - 1, None))
"#;
    let (_, out) = escape(NO_NETWORK, program);
    out.assert_code(0)
        .assert_stdout_contains("openat -1")
        .assert_stdout_contains("fork -1");
    out.assert_stdout_contains("memfd -1")
        .assert_stdout_contains("mmap-exec True");
    assert!(!out.stdout().contains("READ"), "{}", out.explain());
}

#[test]
fn confine_ungranted_port_stays_unbound_and_no_network_means_none() {
    // A port the policy does not grant cannot be bound, even with the real socket module.
    let program = r#"
import socket, time
s = socket.socket()
try:
    s.bind(("127.0.0.1", 63181))
    s.listen(1)
    print("BOUND", flush=True)
except OSError as e:
    print("bind refused", e.errno, flush=True)
ok = socket.socket()
ok.bind(("127.0.0.1", 63180))
print("granted port bound", flush=True)
time.sleep(1.5)
"#;
    let sb = Sandbox::new()
        .restrictions(NETWORK)
        .binary(REPY_REAL_BUILTINS)
        .program(program);
    let mut child = sb.spawn(&[]);
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    // While the program still runs, nothing listens on the ungranted port.
    let connected = TcpStream::connect_timeout(
        &"127.0.0.1:63181".parse().expect("addr"),
        Duration::from_millis(300),
    );
    let status = child.wait().expect("wait");
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .map(|mut e| e.read_to_string(&mut stderr));
    assert!(
        first.starts_with("bind refused"),
        "first line {first:?}; stderr {stderr}"
    );
    assert_eq!(second, "granted port bound", "stderr {stderr}");
    assert!(
        connected.is_err(),
        "something listened on the ungranted port"
    );
    assert_eq!(status.code(), Some(0), "stderr {stderr}");

    // With no port granted at all, the sandbox has no network: a listener of the test
    // process on loopback is out of reach.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let program = format!(
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n    print('CONNECTED')\nexcept OSError as e:\n    print('unreachable', e.errno)\n"
    );
    let (_, out) = escape(NO_NETWORK, &program);
    out.assert_code(0).assert_stdout_contains("unreachable");
    assert!(
        listener.accept().is_err(),
        "the host listener got a connection"
    );
}

#[test]
fn confine_standard_input_is_not_the_callers() {
    let program = "import os\ndata = os.read(0, 100)\nprint('read', len(data), data[:20])\n";
    let sb = Sandbox::new()
        .restrictions(NO_NETWORK)
        .binary(REPY_REAL_BUILTINS)
        .program(program);
    let mut child = sb.spawn(&[]);
    if let Some(mut stdin) = child.stdin.take() {
        let _ = std::io::Write::write_all(&mut stdin, b"SECRET-TYPED-INPUT\n");
    }
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout, "read 0 b''\n",
        "the sandbox read the caller's input"
    );
}

#[test]
fn confine_standard_input_is_dev_null_and_the_environment_is_empty() {
    // Started with its stdin a pipe and a variable of the caller's set: the program finds
    // `/dev/null` (character device 1:3) on descriptor 0 and no environment at all.
    let program = "import os, stat\nst = os.fstat(0)\nprint('stdin', stat.S_ISCHR(st.st_mode), os.major(st.st_rdev), os.minor(st.st_rdev))\nprint('environ', dict(os.environ), len(os.environb))\n";
    let sb = Sandbox::new()
        .restrictions(NO_NETWORK)
        .binary(REPY_REAL_BUILTINS)
        .env("REPY_TEST_CALLER_SECRET", "caller-secret")
        .program(program);
    let child = sb.spawn(&[]);
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "stdin True 1 3\nenviron {} 0\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn confine_limits_priorities_and_the_supervisor_are_out_of_reach_of_raw_syscalls() {
    // Raw system calls through ctypes: raising a limit again, reading or setting another
    // process's limits, starving the supervisor (priority, CPU affinity), executable memory
    // through high bits of `prot` or `pkey_mprotect`, a signal with high bits in the tgid,
    // more filters or a new Landlock ruleset, pidfds, and `/proc`, `/sys/fs/cgroup`.
    let program = r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def sc(*a):
    r = libc.syscall(*a)
    return r, ctypes.get_errno()
class RL(ctypes.Structure):
    _fields_ = [("cur", ctypes.c_ulong), ("max", ctypes.c_ulong)]
r = RL()
libc.getrlimit(7, ctypes.byref(r))
low = r.cur
big = RL(low * 4, low * 4)
print("setrlimit", libc.setrlimit(7, ctypes.byref(big)), ctypes.get_errno())
print("prlimit-self-set", sc(302, 0, 7, ctypes.byref(big), 0))
print("prlimit-parent", sc(302, os.getppid(), 7, 0, ctypes.byref(r)))
print("prlimit-pid-hi", sc(302, 1 << 32, 7, ctypes.byref(big), 0))
libc.getrlimit(7, ctypes.byref(r))
print("nofile-unchanged", r.cur == low)
print("setpriority-parent", sc(141, 0, os.getppid(), 19))
print("setpriority-self", sc(141, 0, 0, -20))
print("affinity-parent", sc(203, os.getppid(), 8, ctypes.byref(ctypes.c_ulong(1))))
print("pkey_mprotect", sc(329, 0, 4096, 7, 0))
mmap = libc.mmap
mmap.restype = ctypes.c_void_p
mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long, ctypes.c_int, ctypes.c_int, ctypes.c_long]
print("mmap-exec-hi", mmap(None, 4096, (1 << 32) | 7, 0x22, -1, 0) in (None, 2**64 - 1))
print("tgkill-hi", sc(234, (1 << 32) | os.getppid(), os.getppid(), 19))
print("seccomp", sc(317, 1, 0, 0))
print("landlock", sc(444, 0, 0, 1))
print("pidfd_open", sc(434, os.getppid(), 0))
for path, mode in [("/proc/self/status", "r"), ("/proc/%d/mem" % os.getppid(), "r"),
                   ("/sys/fs/cgroup/cgroup.procs", "w"), ("/proc/%d/oom_score_adj" % os.getppid(), "w")]:
    try:
        open(path, mode)
        print("OPENED", path)
    except OSError as e:
        print("refused", path, e.errno)
"#;
    let (_, out) = escape(NO_NETWORK, program);
    out.assert_code(0);
    for line in [
        "setrlimit -1 1",
        "prlimit-self-set (-1, 1)",
        "prlimit-parent (-1, 1)",
        "prlimit-pid-hi (-1, 1)",
        "nofile-unchanged True",
        "setpriority-parent (-1, 1)",
        "setpriority-self (-1, 1)",
        "affinity-parent (-1, 1)",
        "pkey_mprotect (-1, 1)",
        "mmap-exec-hi True",
        "tgkill-hi (-1, 1)",
        "seccomp (-1, 1)",
        "landlock (-1, 1)",
        "pidfd_open (-1, 1)",
    ] {
        out.assert_stdout_contains(line);
    }
    assert!(!out.stdout().contains("OPENED"), "{}", out.explain());
}

#[test]
fn confine_threads_started_behind_the_api_are_killed() {
    // The API counts `events`; a program with the real `_thread` module does not ask it. The
    // supervisor counts the kernel's threads itself and kills past twice `events` plus 2.
    // Where a pids cgroup can be made, the kernel also refuses threads past its backstop.
    let program = "import _thread, time\nstarted = 0\nfor i in range(3000):\n    try:\n        _thread.start_new_thread(time.sleep, (5,))\n        started += 1\n    except RuntimeError:\n        break\nprint('started', started, flush=True)\ntime.sleep(3)\nprint('STILL ALIVE')\n";
    let sb = Sandbox::new()
        .restrictions("[resources]\nevents = 3\n")
        .binary(REPY_REAL_BUILTINS)
        .program(program);
    let out = sb.run(&[]);
    out.assert_code(98)
        .assert_stderr_contains("threads over the limit of 8");
    assert!(!out.stdout().contains("STILL ALIVE"), "{}", out.explain());
}

#[test]
fn confine_socket_buffers_count_against_the_memory_cap() {
    // cgroup v1 leaves socket buffers out of memory.limit_in_bytes; the supervisor also caps
    // memory.kmem.tcp, so 60 connections with 1 GiB send buffers cannot queue hundreds of MB.
    // (The sandbox may not listen itself; the test process holds the listener, never reading.)
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().expect("addr").port();
    let program = format!(
        r#"
import socket
conns = []
for i in range(60):
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
    c.connect(("127.0.0.1", {port}))
    c.setblocking(False)
    conns.append(c)
total = 0
chunk = b"x" * (1 << 20)
for rnd in range(40):
    for c in conns:
        try:
            total += c.send(chunk)
        except OSError:
            pass
print(total >> 20)
"#
    );
    let policy = "[resources]\nconnport = [63300]\nmemory = \"40 MB\"\nwall-time = \"30 s\"\n";
    let (_, out) = escape(policy, &program);
    drop(listener);
    if out.code() == Some(98) {
        return; // killed for memory: held too
    }
    out.assert_code(0);
    let queued: u64 = out.stdout().trim().parse().unwrap_or(u64::MAX);
    assert!(
        queued < 120,
        "{queued} MB queued in socket buffers under a 40 MB limit\n{}",
        out.explain()
    );
}

#[test]
fn confine_the_sandbox_cannot_listen_on_any_port() {
    // listen() without bind() would autobind an ephemeral port that Landlock does not
    // mediate; the sandbox may not call listen at all (its supervisor makes listeners for
    // the API), so nothing listens for it, granted port or not.
    let program = "import socket\nfor port in (None, 63302):\n    s = socket.socket()\n    try:\n        if port:\n            s.bind(('127.0.0.1', port))\n        s.listen(5)\n        print('LISTENING', s.getsockname())\n    except OSError as e:\n        print('refused', e.errno)\n";
    let (_, out) = escape("[resources]\nconnport = [63302]\n", program);
    out.assert_code(0).assert_stdout("refused 1\nrefused 1\n");
}

#[test]
fn confine_a_fault_that_is_not_a_stack_overflow_is_still_a_crash() {
    // The stack-overflow handler only claims faults in the faulting thread's stack guard
    // region: a null dereference (only reachable with the real builtins) is a crash, not
    // `stack-overflow`, in the main thread and in a thread alike.
    for program in [
        "import ctypes\nprint('before', flush=True)\nctypes.string_at(0)\n",
        "import ctypes, _thread, time\nprint('before', flush=True)\n_thread.start_new_thread(ctypes.string_at, (8,))\ntime.sleep(5)\n",
    ] {
        let (_, out) = escape(NO_NETWORK, program);
        out.assert_code(120)
            .assert_stdout("before\n")
            .assert_stderr_contains("crashed: killed by SIGSEGV");
        assert!(!out.stderr().contains("stack overflow"), "{}", out.explain());
    }
}
