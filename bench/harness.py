"""repy's benchmark harness: run by bench/run (see bench/README.md); standard library only.

Measures, in one run, repy against bare CPython 3.11 (``-I -S``) on the same workloads, with
RestrictedPython and bubblewrap alongside; times the static checker; reads memory peaks;
checks how accurately the nanny holds CPU shares, rates and the memory limit; and writes
bench/results/ (raw JSON, SVG charts) and docs/performance.md from the template at the end of
this file. Everything it starts runs in its own session and is killed on exit; its scratch
files live in one temporary directory that is removed on exit.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
WORKLOADS_DIR = os.path.join(BENCH, "workloads")
RESTRICTIONS_DIR = os.path.join(BENCH, "restrictions")
RESULTS_DIR = os.path.join(BENCH, "results")
DOC = os.path.join(ROOT, "docs", "performance.md")
REPY = os.path.join(ROOT, "target", "release", "repy")
CHECKER_MANIFEST = os.path.join(BENCH, "checker", "Cargo.toml")
CHECKER_BIN = os.path.join(BENCH, "checker", "target", "release", "bench-checker")
RP_SITE = os.path.join(BENCH, ".venv-rp")
RP_REQUIREMENT = "RestrictedPython==9.0"
# numpy for the trusted-package import (`[python] packages`), the version the tests pin.
NUMPY_SITE = os.path.join(BENCH, ".venv-numpy")
NUMPY_REQUIREMENT = "numpy==2.4.6"
HTTPX_SITE = os.path.join(BENCH, ".venv-httpx")
HTTPX_REQUIREMENT = "httpx==0.28.1"
RP_RUNNER = os.path.join(BENCH, "rp_runner.py")
UNLIMITED = os.path.join(RESTRICTIONS_DIR, "unlimited.toml")

RUNNERS = ["cpython", "repy", "restrictedpython", "bwrap"]
RUNNER_LABELS = {
    "cpython": "CPython 3.11",
    "repy": "repy",
    "restrictedpython": "RestrictedPython",
    "bwrap": "bubblewrap",
}
RUNNER_COLORS = {"repy": "#1f77b4", "restrictedpython": "#d62728", "bwrap": "#2ca02c"}


class Workload:
    """One benchmark: `sandbox` is the program for repy and RestrictedPython (repy's API),
    `plain` the one for bare CPython and bubblewrap; `variants` are extra CPython baselines
    (name -> (program, extra interpreter arguments, description))."""

    def __init__(self, name, group, label, sandbox, plain=None, timed=True, inner=1,
                 variants=None, expect_bytes=None):
        self.name = name
        self.group = group
        self.label = label
        self.sandbox = sandbox
        self.plain = plain or sandbox
        self.timed = timed
        self.inner = inner
        self.variants = variants or {}
        self.expect_bytes = expect_bytes


WORKLOADS = [
    Workload("hello", "startup", "hello world", "hello.py", timed=False, inner=5),
    Workload("int_loop", "compute", "integer loop, 3M iterations", "int_loop.py"),
    Workload("fib", "compute", "recursive fib(25)", "fib.py"),
    Workload("dict_sort", "compute", "build and sort 200,000 dict items", "dict_sort.py"),
    Workload("str_join", "compute", "join 100,000 formatted strings", "str_join.py"),
    Workload("methods", "compute", "500,000 method calls, attribute reads and writes",
             "methods.py"),
    Workload("writeat", "api", "100,000 writeat of 100 B (vs os.pwrite)", "writeat_repy.py",
             "writeat_cpython.py"),
    Workload("log", "api", "100,000 log calls of 40 B (vs print)", "log_repy.py",
             "log_cpython.py", expect_bytes=100000 * 40,
             variants={"unbuffered": ("log_cpython.py", ["-u"],
                                      "print with `python -u` (a write per call, as log)")}),
    Workload("tcp", "api", "10,000 TCP round trips of 100 B on loopback", "tcp_repy.py",
             "tcp_cpython.py",
             variants={"nonblocking": ("tcp_cpython_nb.py", [],
                                       "plain sockets, non-blocking, the same retry loop")}),
]

TARGETS = {"startup": 1.2, "compute": 1.03, "api": 1.5}
CHECKER_TARGET_MS = 2.0
HELLO_MEMORY_TARGET = 12 * 1000 * 1000

LIVE = set()
LIVE_LOCK = threading.Lock()


def log(message):
    stamp = time.strftime("%H:%M:%S")
    sys.stderr.write(f"[bench {stamp}] {message}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------
# Processes


def spawn(argv, cwd=None, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL):
    """Starts argv in its own session (so its whole process group can be killed)."""
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=stderr, start_new_session=True)
    with LIVE_LOCK:
        LIVE.add(proc)
    return proc


def reap(proc):
    """Waits for proc; returns (exit code, rusage) with the CPU and max RSS of it and of
    every descendant it waited for."""
    while True:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            break
        except InterruptedError:
            continue
    proc.returncode = os.waitstatus_to_exitcode(status)
    with LIVE_LOCK:
        LIVE.discard(proc)
    return proc.returncode, usage


def running(proc):
    """Whether proc has not ended yet (without reaping it: reap() collects its rusage)."""
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


def wait_running(proc, timeout):
    """Waits up to timeout seconds for proc to end; True if it did."""
    deadline = time.perf_counter() + timeout
    while running(proc):
        if time.perf_counter() > deadline:
            return False
        time.sleep(0.005)
    return True


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all():
    with LIVE_LOCK:
        procs = list(LIVE)
    for proc in procs:
        kill_group(proc)
    for proc in procs:
        try:
            proc.wait(timeout=5)
        except Exception:
            pass
        with LIVE_LOCK:
            LIVE.discard(proc)


def run_measured(argv, cwd, scratch, timeout=180.0):
    """Runs argv to its end with stdout captured; returns a sample dict."""
    err_path = os.path.join(scratch, "stderr.txt")
    with open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = spawn(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=err)
        timer = threading.Timer(timeout, kill_group, (proc,))
        timer.start()
        try:
            out = proc.stdout.read()
            proc.stdout.close()
            code, usage = reap(proc)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
    with open(err_path, "rb") as err:
        errtext = err.read().decode("utf-8", "replace")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss,
        "rc": code,
        "out": out,
        "err": errtext,
    }


def quiet(argv, cwd=None, timeout=900):
    """Runs a setup command; returns (ok, combined output)."""
    try:
        done = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as err:
        return False, str(err)
    text = (done.stdout + done.stderr).decode("utf-8", "replace")
    return done.returncode == 0, text


# ---------------------------------------------------------------------------------------
# Setup


class Env:
    """What this run has: interpreter, tools, scratch directory, options."""

    def __init__(self, args):
        self.args = args
        self.python = args.python
        self.tmp = tempfile.mkdtemp(prefix="repy-bench-")
        self.progs = os.path.join(self.tmp, "progs")
        os.mkdir(self.progs)
        self.counter = 0
        self.available = {"cpython": None, "repy": None}
        self.python_prefix = os.path.dirname(os.path.dirname(os.path.realpath(self.python)))

    def vessel(self):
        self.counter += 1
        path = os.path.join(self.tmp, f"vessel-{self.counter}")
        os.mkdir(path)
        return path


def debian_tool(args, command, package):
    """The path of `command`, installing Debian's `package` first when it is missing and that
    is possible (root, apt-get, no --no-install); None when it is still missing."""
    if shutil.which(command) is None and not args.no_install and os.geteuid() == 0 \
            and shutil.which("apt-get"):
        log(f"apt-get install -y {package}")
        ok, _ = quiet(["apt-get", "install", "-y", "-q", package])
        if not ok:
            quiet(["apt-get", "update", "-q"])
            quiet(["apt-get", "install", "-y", "-q", package])
    return shutil.which(command)


def pip_install_target(env, site, package, requirement):
    """Installs `requirement` into the directory `site` (never the interpreter's own
    site-packages) unless `package` is there already; None, or why it failed."""
    if os.path.isdir(os.path.join(site, package)):
        return None
    log(f"pip install --target bench/{os.path.basename(site)} {requirement}")
    ok, text = quiet([env.python, "-m", "pip", "install", "--quiet", "--no-cache-dir",
                      "--disable-pip-version-check", "--target", site, requirement])
    if ok:
        return None
    last = text.strip().splitlines()[-1:]
    return f"pip install {requirement} failed" + (f": {last[0]}" if last else "")


def setup(env):
    args = env.args
    if not args.no_build:
        log("cargo build --release (repy)")
        ok, text = quiet(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
        if not ok:
            raise SystemExit("cargo build --release failed:\n" + text)
    if not os.path.exists(REPY):
        raise SystemExit(f"{REPY} does not exist: run cargo build --release")
    env.available["repy"] = None
    if not args.no_build or not os.path.exists(CHECKER_BIN):
        log("cargo build --release (bench/checker, its own workspace)")
        ok, text = quiet(["cargo", "build", "--release", "--quiet", "--manifest-path",
                          CHECKER_MANIFEST])
        env.checker_error = None if ok else text.strip()[-2000:]
    else:
        env.checker_error = None
    if not os.path.exists(CHECKER_BIN) and env.checker_error is None:
        env.checker_error = "bench/checker was not built"
    # RestrictedPython: into bench/.venv-rp only (never the interpreter's site-packages).
    reason = pip_install_target(env, RP_SITE, "RestrictedPython", RP_REQUIREMENT)
    if reason is None:
        ok, text = quiet([env.python, "-I", "-S", "-c",
                          f"import sys; sys.path.insert(0, {RP_SITE!r}); "
                          "import RestrictedPython, importlib.metadata as m; "
                          "print(m.version('RestrictedPython'))"])
        env.rp_version = text.strip() if ok else None
        if not ok:
            reason = "RestrictedPython does not import: " + text.strip()[-300:]
    env.available["restrictedpython"] = reason
    # numpy: into bench/.venv-numpy only, like RestrictedPython.
    env.numpy_error = pip_install_target(env, NUMPY_SITE, "numpy", NUMPY_REQUIREMENT)
    # httpx: the client of the 10,000 mixed requests, into bench/.venv-httpx only.
    env.httpx_error = pip_install_target(env, HTTPX_SITE, "httpx", HTTPX_REQUIREMENT)
    # bubblewrap: the Debian package, installed when missing and possible.
    reason = None
    env.bwrap = debian_tool(args, "bwrap", "bubblewrap")
    if env.bwrap is None:
        reason = "bwrap is not installed (Debian package bubblewrap)"
    else:
        ok, text = quiet([env.bwrap, "--version"])
        env.bwrap_version = text.strip()
        probe_dir = env.vessel()
        ok, text = quiet(bwrap_argv(env, probe_dir) + [env.python, "-I", "-S", "-c",
                                                         "print('ok')"], cwd=probe_dir)
        if not ok or text.strip() != "ok":
            reason = "bwrap cannot run here: " + text.strip()[-300:]
    env.available["bwrap"] = reason
    # wrk: the HTTP load generator of the service benchmark (Debian package wrk).
    env.wrk = debian_tool(args, "wrk", "wrk")
    for runner, why in env.available.items():
        if why:
            log(f"{runner}: not run ({why})")


def bwrap_argv(env, vessel):
    """bubblewrap around bare CPython: every namespace new (network too: loopback only), the
    interpreter's prefix and the system libraries read-only, the scratch directory writable."""
    argv = [env.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--ro-bind", env.python_prefix, env.python_prefix]
    for lib in ("/usr/lib", "/usr/lib64"):
        if os.path.isdir(lib):
            argv += ["--ro-bind", lib, lib]
    argv += ["--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
             "--proc", "/proc", "--dev", "/dev", "--bind", env.tmp, env.tmp,
             "--chdir", vessel]
    return argv


# ---------------------------------------------------------------------------------------
# Programs


def program_text(workload, style):
    """The program a runner gets: the workload, timed from inside for timed workloads.
    `sandbox` programs read the clock with repy's getruntime(); `plain` ones with
    time.perf_counter() under the same name."""
    name = workload.sandbox if style == "sandbox" else workload.plain
    with open(os.path.join(WORKLOADS_DIR, name), encoding="utf-8") as handle:
        body = handle.read()
    if not workload.timed:
        return body
    if style == "sandbox":
        head = "def bench_cpu():\n    return getresources()[1][\"cpu\"]\n\n\n"
    else:
        head = "from time import perf_counter as getruntime, process_time as bench_cpu\n"
    return (head + "bench_c0 = bench_cpu()\nbench_t0 = getruntime()\n" + body +
            "\nbench_t1 = getruntime()\nbench_c1 = bench_cpu()\n"
            "print(\"BENCH-TIME %.9f %.9f\" % (bench_t1 - bench_t0, bench_c1 - bench_c0))\n")


def write_programs(env):
    paths = {}
    for workload in WORKLOADS:
        for style in ("sandbox", "plain"):
            path = os.path.join(env.progs, f"{workload.name}-{style}.py")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(program_text(workload, style))
            paths[(workload.name, style)] = path
        for variant, (plain, _, _) in workload.variants.items():
            shadow = Workload(workload.name, workload.group, "", workload.sandbox, plain,
                              workload.timed)
            path = os.path.join(env.progs, f"{workload.name}-{variant}.py")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(program_text(shadow, "plain"))
            paths[(workload.name, variant)] = path
    # Every sandbox program must pass repy's static checker.
    for (name, style), path in paths.items():
        if style == "sandbox":
            ok, text = quiet([REPY, "check", path])
            if not ok:
                raise SystemExit(f"repy check refuses {path}:\n{text}")
    return paths


def job_argv(env, runner, program, vessel, extra=()):
    if runner == "cpython":
        return [env.python, "-I", "-S", *extra, program]
    if runner == "repy":
        return [REPY, "--report", os.path.join(env.tmp, "report.json"), "--cwd", vessel,
                UNLIMITED, program]
    if runner == "restrictedpython":
        return [env.python, "-I", "-S", RP_RUNNER, RP_SITE, program]
    if runner == "bwrap":
        return bwrap_argv(env, vessel) + [env.python, "-I", "-S", *extra, program]
    raise ValueError(runner)


def parse_output(out):
    """(checksum line, in-program (wall, CPU) seconds or None, bytes before the checksum
    line)."""
    checksum, seconds, before = None, None, len(out)
    tail = out[-400:].decode("utf-8", "replace").splitlines()
    for line in tail:
        if line.startswith("BENCH-TIME "):
            seconds = tuple(float(v) for v in line.split()[1:3])
        elif line.startswith("checksum") or line.startswith("Hello"):
            checksum = line
    index = out.rfind(b"\nchecksum")
    if index >= 0:
        before = index + 1
    elif out.startswith(b"checksum"):
        before = 0
    return checksum, seconds, before


def run_job(env, workload, job, paths):
    """One run of one workload by one runner (or CPython variant)."""
    runner, variant = job
    if variant:
        program = paths[(workload.name, variant)]
        extra = workload.variants[variant][1]
    else:
        style = "sandbox" if runner in ("repy", "restrictedpython") else "plain"
        program = paths[(workload.name, style)]
        extra = ()
    vessel = env.vessel()
    try:
        sample = run_measured(job_argv(env, runner, program, vessel, extra), vessel, env.tmp)
    finally:
        shutil.rmtree(vessel, ignore_errors=True)
    out = sample.pop("out")
    checksum, seconds, before = parse_output(out)
    sample["checksum"] = checksum
    sample["inner"] = seconds[0] if seconds else None
    sample["inner_cpu"] = seconds[1] if seconds else None
    sample["out_bytes"] = len(out)
    problem = None
    if sample["rc"] != 0:
        problem = f"exit code {sample['rc']}: {sample['err'].strip()[-300:]}"
    elif checksum is None:
        problem = "no checksum printed"
    elif workload.timed and seconds is None:
        problem = "no BENCH-TIME printed"
    elif workload.expect_bytes is not None and before != workload.expect_bytes:
        problem = f"{before} bytes of output, expected {workload.expect_bytes}"
    if runner == "restrictedpython":
        match = re.search(r"BENCH-COMPILE ([0-9.]+)", sample["err"])
        sample["compile"] = float(match.group(1)) if match else None
    if runner == "repy":
        try:
            with open(os.path.join(env.tmp, "report.json"), encoding="utf-8") as handle:
                report = json.load(handle)
            sample["peak_memory_bytes"] = report.get("peak_memory_bytes")
            sample["sandbox_cpu"] = report.get("cpu_seconds")
        except (OSError, ValueError):
            pass
    sample["problem"] = problem
    if problem is None:
        sample.pop("err")
    return sample


# ---------------------------------------------------------------------------------------
# Statistics


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def paired_ratios(samples, base, key):
    ratios = []
    for sample, reference in zip(samples, base):
        if not sample or not reference or sample.get("problem") or reference.get("problem"):
            continue
        a, b = sample.get(key), reference.get(key)
        if a is None or not b:
            continue
        ratios.append(a / b)
    return summary(ratios)


# ---------------------------------------------------------------------------------------
# Workloads


def bench_workloads(env, paths, results):
    reps = env.args.reps
    runners = [r for r in RUNNERS if env.available.get(r) is None]
    samples = {w.name: {} for w in WORKLOADS}
    rng = random.Random(7)
    chosen = [w for w in WORKLOADS if not env.args.only or w.name in env.args.only]
    total_jobs = sum((len(runners) + len(w.variants)) * w.inner for w in chosen) * reps
    done = 0
    started = time.monotonic()
    for rep in range(reps):
        for workload in WORKLOADS:
            if env.args.only and workload.name not in env.args.only:
                continue
            jobs = [(r, None) for r in runners] + [("cpython", v) for v in workload.variants]
            for _ in range(workload.inner):
                rng.shuffle(jobs)
                for job in jobs:
                    sample = run_job(env, workload, job, paths)
                    key = job[0] if job[1] is None else f"cpython:{job[1]}"
                    samples[workload.name].setdefault(key, []).append(sample)
                    if sample["problem"]:
                        log(f"{workload.name} / {key}: {sample['problem']}")
                    done += 1
        elapsed = time.monotonic() - started
        log(f"repetition {rep + 1}/{reps} done ({done}/{total_jobs} runs, {elapsed:.0f} s)")
    table = {}
    for workload in WORKLOADS:
        per = samples[workload.name]
        if not per:
            continue
        base = per.get("cpython", [])
        checksums = {}
        for key, runs in per.items():
            for sample in runs:
                if sample["checksum"] is not None and not sample["problem"]:
                    checksums.setdefault(sample["checksum"], set()).add(key)
        entry = {
            "label": workload.label,
            "group": workload.group,
            "timed": workload.timed,
            "checksums": {c: sorted(k) for c, k in checksums.items()},
            "checksums_agree": len(checksums) == 1,
            "runners": {},
        }
        for key, runs in per.items():
            ok = [s for s in runs if not s["problem"]]
            row = {
                "runs": len(runs),
                "failed": len(runs) - len(ok),
                "problems": sorted({s["problem"] for s in runs if s["problem"]})[:3],
                "wall": summary([s["wall"] for s in ok]),
                "cpu": summary([s["cpu"] for s in ok]),
                "inner": summary([s["inner"] for s in ok]),
                "inner_cpu": summary([s["inner_cpu"] for s in ok]),
                "maxrss_kb": summary([s["maxrss_kb"] for s in ok]),
            }
            if key != "cpython":
                reference = base
                row["ratio_wall"] = paired_ratios(runs, reference, "wall")
                row["ratio_cpu"] = paired_ratios(runs, reference, "cpu")
                row["ratio_inner"] = paired_ratios(runs, reference, "inner")
                row["ratio_inner_cpu"] = paired_ratios(runs, reference, "inner_cpu")
            if key == "repy":
                row["peak_memory_bytes"] = summary([s.get("peak_memory_bytes") for s in ok])
                row["sandbox_cpu"] = summary([s.get("sandbox_cpu") for s in ok])
            if key == "restrictedpython":
                row["compile"] = summary([s.get("compile") for s in ok])
            entry["runners"][key] = row
        # repy against each CPython variant (same repy samples, other baseline).
        for variant in workload.variants:
            vkey = f"cpython:{variant}"
            if "repy" in per and vkey in per:
                entry.setdefault("repy_vs_variant", {})[variant] = {
                    "description": workload.variants[variant][2],
                    "ratio_wall": paired_ratios(per["repy"], per[vkey], "wall"),
                    "ratio_inner": paired_ratios(per["repy"], per[vkey], "inner"),
                    "ratio_inner_cpu": paired_ratios(per["repy"], per[vkey], "inner_cpu"),
                    "ratio_cpu": paired_ratios(per["repy"], per[vkey], "cpu"),
                }
        if not entry["checksums_agree"]:
            log(f"{workload.name}: runners disagree on the checksum: {entry['checksums']}")
        table[workload.name] = entry
    results["workloads"] = table
    results["runners_unavailable"] = {r: why for r, why in env.available.items() if why}


# ---------------------------------------------------------------------------------------
# Start-up anatomy: fixed costs of the binary, measured from outside


def bench_engine(env, results):
    """The engine's modes (issue 14): `repy eval` against bare CPython's `-c`, and the cost of
    one call of a trivial function: a cold `repy call`, a call of `repy call --batch`, and
    RestrictedPython's two ways of calling."""
    n = max(10, env.args.reps * 5)
    program = os.path.join(env.progs, "calls.py")
    with open(program, "w", encoding="utf-8") as handle:
        handle.write("def f(n):\n    return n + 1\n")
    cases = {
        "python -I -S -c print(1)": [env.python, "-I", "-S", "-c", "print(1)"],
        "repy eval -c print(1)": [REPY, "eval", UNLIMITED, "-c", "print(1)"],
        "repy call (one cold call)": [REPY, "call", UNLIMITED, program, "f", "--args", "[1]"],
    }
    samples = {k: [] for k in cases}
    for _ in range(n):
        order = list(cases.items())
        random.shuffle(order)
        for name, argv in order:
            vessel = env.vessel()
            sample = run_measured(argv, vessel, env.tmp)
            shutil.rmtree(vessel, ignore_errors=True)
            if sample["rc"] == 0:
                samples[name].append(sample["wall"])
    engine = {"runs": {k: summary(v) for k, v in samples.items()}}
    # eval against python, paired by repetition.
    pairs = [e / p for e, p in zip(samples["repy eval -c print(1)"],
                                   samples["python -I -S -c print(1)"]) if p > 0]
    engine["eval_ratio"] = summary(pairs)
    # A batch: the same program, CALLS calls, against a batch of no call (the fixed cost).
    calls = 1000
    batch_samples = {"empty": [], "full": []}
    inputs = {"empty": "", "full": "".join('{"args": [%d]}\n' % i for i in range(calls))}
    for _ in range(max(3, env.args.reps)):
        for kind, text in inputs.items():
            path = os.path.join(env.tmp, f"calls-{kind}.jsonl")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            vessel = env.vessel()
            sample = run_measured([REPY, "call", UNLIMITED, program, "f", "--batch", path],
                                  vessel, env.tmp)
            shutil.rmtree(vessel, ignore_errors=True)
            lines = sample["out"].count(b"\n")
            if sample["rc"] == 0 and lines == len(text.splitlines()):
                batch_samples[kind].append(sample["wall"])
    if batch_samples["full"]:
        engine["batch_calls"] = calls
        engine["batch_total"] = summary(batch_samples["full"])
        engine["batch_fixed"] = summary(batch_samples["empty"])
        per_call = [(full - empty) / calls for full, empty in
                    zip(batch_samples["full"], batch_samples["empty"])]
        engine["batch_per_call"] = summary(per_call)
        engine["batch_per_call_all_in"] = summary([full / calls for full in
                                                   batch_samples["full"]])
        cold = samples["repy call (one cold call)"]
        if cold:
            engine["cold_over_batch_call"] = statistics.median(cold) / max(
                statistics.median(per_call), 1e-9)
    if env.available.get("restrictedpython") is None:
        ok, text = quiet([env.python, "-I", "-S", os.path.join(BENCH, "rp_calls.py"), RP_SITE,
                          str(calls)])
        if ok:
            try:
                engine["restrictedpython"] = json.loads(text.strip().splitlines()[-1])
            except (ValueError, IndexError):
                engine["restrictedpython_error"] = text.strip()[-300:]
        else:
            engine["restrictedpython_error"] = text.strip()[-300:]
    results["engine"] = engine


GRADING_SUBMISSIONS = 100
GRADING_TESTS = 10
GRADING_SUBMISSION = (
    "# submission {i}\n"
    "def score(values, bonus=0):\n"
    "    total = 0\n"
    "    for value in values:\n"
    "        total += value * value\n"
    "    return total + bonus\n")


def grading_manifest(distinct_limits):
    """A manifest of GRADING_TESTS call tests of `score`; with `distinct_limits`, each test has
    a wall-time of its own, so that no two share a batch (the path without compile-once)."""
    lines = ["[restrictions]", "profile = \"python\"", "", "[limits]", "wall-time = \"10 s\"",
             ""]
    for t in range(GRADING_TESTS):
        values = list(range(t + 3))
        lines += ["[[test]]", f"name = \"score {t}\"", "call = \"score\"",
                  f"args = [{values}]", f"kwargs = {{ bonus = {t} }}",
                  f"expected = {sum(v * v for v in values) + t}"]
        if distinct_limits:
            lines.append(f"wall-time = \"{10 + t} s\"")
        lines.append("")
    return "\n".join(lines)


def bench_grading(env, results):
    """Grading (issue 16): GRADING_SUBMISSIONS submissions x GRADING_TESTS call tests of a small
    function with `repy grade` (call tests batched: the compile-once path), the same with every
    test in its own batch, and the unsandboxed way an autograder bolts it on: one bare CPython
    per test that runs the submission and calls the function."""
    work = os.path.join(env.tmp, "grading")
    subs_dir = os.path.join(work, "submissions")
    os.makedirs(subs_dir, exist_ok=True)
    subs = []
    for i in range(GRADING_SUBMISSIONS):
        path = os.path.join(subs_dir, f"sub{i:03}.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(GRADING_SUBMISSION.format(i=i))
        subs.append(path)
    manifests = {}
    for kind, distinct in (("batched", False), ("one batch per test", True)):
        path = os.path.join(work, f"manifest-{len(manifests)}.toml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(grading_manifest(distinct))
        manifests[kind] = path
    # The bare-CPython baseline: a script that runs one submission and calls one test.
    runner = os.path.join(work, "bare_test.py")
    with open(runner, "w", encoding="utf-8") as handle:
        handle.write("import json, sys\n"
                     "namespace = {'__name__': 'submission'}\n"
                     "exec(open(sys.argv[1]).read(), namespace)\n"
                     "args, kwargs, expected = json.loads(sys.argv[2])\n"
                     "print(namespace['score'](*args, **kwargs) == expected)\n")
    bare_jobs = []
    for sub in subs:
        for t in range(GRADING_TESTS):
            values = list(range(t + 3))
            bare_jobs.append([env.python, "-I", "-S", runner, sub,
                              json.dumps([[values], {"bonus": t}, sum(v * v for v in values) + t])])

    def grade(manifest):
        started = time.monotonic()
        proc = subprocess.run([REPY, "grade", "--json", manifest] + subs, cwd=work,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=900)
        wall = time.monotonic() - started
        records = [json.loads(line) for line in proc.stdout.decode().splitlines() if line]
        full = sum(1 for r in records if r.get("score") == r.get("max_score") == GRADING_TESTS)
        return wall, proc.returncode == 0 and full == GRADING_SUBMISSIONS

    def bare():
        started = time.monotonic()
        jobs = list(bare_jobs)
        running, ok = [], True
        cores = os.cpu_count() or 1
        while jobs or running:
            while jobs and len(running) < cores:
                running.append(subprocess.Popen(jobs.pop(), stdout=subprocess.PIPE,
                                                stderr=subprocess.DEVNULL))
            proc = running.pop(0)
            out, _ = proc.communicate(timeout=120)
            ok = ok and out.strip() == b"True"
        return time.monotonic() - started, ok

    samples = {"batched": [], "one batch per test": [], "bare CPython, one process per test": []}
    failures = {k: 0 for k in samples}
    for _ in range(max(1, min(3, env.args.reps))):
        order = list(samples)
        random.shuffle(order)
        for kind in order:
            if kind in manifests:
                wall, ok = grade(manifests[kind])
            else:
                wall, ok = bare()
            if ok:
                samples[kind].append(wall)
            else:
                failures[kind] += 1
    results["grading"] = {
        "submissions": GRADING_SUBMISSIONS,
        "tests": GRADING_TESTS,
        "cores": os.cpu_count(),
        "runs": {k: summary(v) for k, v in samples.items() if v},
        "failures": failures,
    }


SERVICE_CEILING = "profile = \"python\"\n[resources]\nmemory = \"100 MB\"\n"
WRK_SCRIPT = """wrk.method = "POST"
wrk.body = '{"source": "print(\\'Hello, world\\')"}'
wrk.headers["Content-Type"] = "application/json"
"""


def start_server(env, options, ceiling_text=SERVICE_CEILING, directory=None):
    """Starts `repy serve` on a free loopback port with `ceiling_text` and `options`, in its
    own session; with `directory`, its ceiling and TMPDIR are there. (process, url)."""
    ceiling = os.path.join(directory or env.tmp, "service-ceiling.toml")
    with open(ceiling, "w", encoding="utf-8") as handle:
        handle.write(ceiling_text)
    environment = None
    if directory is not None:
        scratch = os.path.join(directory, "tmp")
        os.makedirs(scratch, exist_ok=True)
        environment = dict(os.environ, TMPDIR=scratch)
    proc = subprocess.Popen([REPY, "serve", "--listen", "127.0.0.1:0", "--policy", ceiling]
                            + options, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env=environment)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        found = re.search(r"listening on (http://[0-9.:]+)", line)
        if found:
            return proc, found.group(1)
    proc.kill()
    raise RuntimeError("repy serve did not start")


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_group(proc)


def wrk_run(env, url, connections, seconds):
    """One wrk run of hello-world POSTs: p50, p99 (seconds), requests/s, non-2xx count."""
    script = os.path.join(env.tmp, "hello.lua")
    with open(script, "w", encoding="utf-8") as handle:
        handle.write(WRK_SCRIPT)
    proc = subprocess.run([env.wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                           "-s", script, f"{url}/v1/runs"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=seconds + 60)
    text = proc.stdout

    def seconds_of(value):
        number = float(re.match(r"[0-9.]+", value).group(0))
        for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)):
            if value.endswith(unit):
                return number * scale
        return number

    out = {"raw": text[-2000:]}
    for pct in ("50", "90", "99"):
        found = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        if found:
            out[f"p{pct}"] = seconds_of(found.group(1))
    found = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    if found:
        out["rps"] = float(found.group(1))
    found = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", text)
    out["non_2xx"] = int(found.group(1)) if found else 0
    found = re.search(r"([0-9]+) requests in", text)
    out["requests"] = int(found.group(1)) if found else 0
    return out


def pss_of(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def bench_service(env, results):
    """`repy serve` (issue 15) under wrk: hello world through HTTP at 4 and 16 connections,
    warm (the default) and cold (--cold); the memory of 50 idle warm interpreters."""
    if env.wrk is None:
        results["service"] = {"error": "wrk is not installed (Debian package wrk)"}
        return
    seconds = 5 if env.args.quick else 10
    out = {"seconds": seconds}
    # The defaults (runs at once: the number of cores), warm and cold; and warm with one run
    # at once per connection at 4 connections, where no request waits for a pool.
    for name, options, connections in (("warm", [], (4, 16)), ("cold", ["--cold"], (4, 16)),
                                       ("warm_conc4", ["--concurrency", "4"], (4,))):
        proc, url = start_server(env, ["--queue", "1024"] + options)
        try:
            time.sleep(1.0)
            wrk_run(env, url, 4, 2)  # warm-up, not recorded
            out[name] = {f"c{c}": wrk_run(env, url, c, seconds) for c in connections}
        finally:
            stop_server(proc)
    # The floor under a warm request's CPU: one fresh fork of bare CPython (fork, print,
    # _exit, wait), the best of three runs.
    floors = []
    for _ in range(3):
        ok, text = quiet([env.python, "-I", "-S", os.path.join(BENCH, "fork_floor.py"), "2000"])
        if ok:
            floors.append(json.loads(text.strip().splitlines()[-1]))
    if floors:
        out["fork_floor"] = min(floors, key=lambda f: f["cpu_us"])
    # 50 idle warm interpreters: the PSS of every process of the pools (the pool host that
    # forks them, each `repy pool` supervisor, its zygote and the process the zygote forked
    # ahead for the next request), and of the server itself.
    proc, url = start_server(env, ["--queue", "1024", "--concurrency", "50"])
    try:
        deadline = time.monotonic() + 60
        hosts, members, zygotes = [], [], []
        while time.monotonic() < deadline:
            hosts = sorted(all_children_of(proc.pid))
            members = [m for h in hosts for m in children_of(h)]
            zygotes = [c for m in members for c in children_of(m)]
            if len(members) >= 50 and len(zygotes) >= 50:
                break
            time.sleep(0.2)
        time.sleep(2.0)
        zygotes = [c for m in members for c in children_of(m)]
        # Each zygote's process forked ahead for its next request, waiting.
        ahead = [c for z in zygotes for c in children_of(z)]
        out["idle"] = {
            "members": len(members),
            "zygotes": len(zygotes),
            "ahead": len(ahead),
            "pss_pool_bytes": pss_of(hosts + members + zygotes + ahead),
            "pss_host_bytes": pss_of(hosts),
            "pss_supervisors_bytes": pss_of(members),
            "pss_zygotes_bytes": pss_of(zygotes),
            "pss_ahead_bytes": pss_of(ahead),
            "pss_server_bytes": pss_of([proc.pid]),
        }
    finally:
        stop_server(proc)
    results["service"] = out


MIXED_CEILING = ("profile = \"python\"\n[resources]\nmemory = \"200 MB\"\nevents = 10\n"
                 "wall-time = \"20 s\"\n[python]\nmodules = [\"math\"]\n")
MIXED_TOKEN = "bench-token-0123456789abcdef"


def cgroups_named(prefixes):
    """Cgroup directories under /sys/fs/cgroup (three levels deep) whose names start with one
    of `prefixes` (a supervisor names its groups `repy-<pid>-...`)."""
    found = []
    stack = [("/sys/fs/cgroup", 0)]
    while stack:
        path, depth = stack.pop()
        try:
            entries = os.scandir(path)
        except OSError:
            continue
        with entries:
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if entry.name.startswith(tuple(prefixes)):
                    found.append(entry.path)
                elif depth < 3:
                    stack.append((entry.path, depth + 1))
    return found


def descendants_of(pid):
    """Every process descended from `pid`, from /proc."""
    parents = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as handle:
                after = handle.read().rsplit(")", 1)[1].split()
            parents.setdefault(int(after[1]), []).append(int(name))
        except (OSError, IndexError, ValueError):
            pass
    found, stack = set(), [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pid):
    """Whether `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def bench_mixed(env, results):
    """Issue 15's 10,000 mixed requests at concurrency 32 against `repy serve` (its defaults,
    plus the test's queue, body and deadline limits), sent by httpx (bench/mixed_load.py),
    then what the server left once stopped: processes, cgroups, directories, descriptors."""
    if env.httpx_error or not os.path.isdir(os.path.join(HTTPX_SITE, "httpx")):
        results["mixed"] = {"error": env.httpx_error or "httpx is not installed"}
        return
    root = tempfile.mkdtemp(prefix="mixed-", dir=env.tmp)
    tokens = os.path.join(root, "tokens")
    with open(tokens, "w", encoding="utf-8") as handle:
        handle.write(MIXED_TOKEN + "\n")
    try:
        proc, url = start_server(env, ["--tokens", tokens, "--queue", "64", "--max-body",
                                       "65536", "--deadline", "5s"], MIXED_CEILING, root)
    except RuntimeError as err:
        results["mixed"] = {"error": str(err)}
        return
    scratch = os.path.join(root, "tmp")
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    out = {}
    try:
        time.sleep(1.0)
        fds_before = len(os.listdir(f"/proc/{proc.pid}/fd"))
        code = ("import sys; sys.path.insert(0, %r); sys.argv = ['mixed_load.py'] + sys.argv[1:]; "
                "exec(compile(open(%r).read(), 'mixed_load.py', 'exec'))"
                % (HTTPX_SITE, os.path.join(BENCH, "mixed_load.py")))
        run = subprocess.run([env.python, "-I", "-S", "-c", code, url, MIXED_TOKEN, "32"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=1800)
        if run.returncode != 0:
            out["error"] = "mixed_load.py failed: " + run.stderr.strip()[-500:]
        else:
            out.update(json.loads(run.stdout))
        out["fds_before"] = fds_before
        out["fds_after"] = len(os.listdir(f"/proc/{proc.pid}/fd"))
        running = descendants_of(proc.pid)
        out["processes_while_idle"] = len(running)
    finally:
        proc.terminate()
        try:
            out["server_exit"] = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            out["server_exit"] = None
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.05)
    out["processes_left"] = sorted(pid for pid in running if alive(pid))
    out["cgroups_left"] = cgroups_named([f"repy-{pid}-" for pid in running | {proc.pid}])
    out["directories_left"] = sorted(os.listdir(scratch))
    results["mixed"] = out


PYTHON_PROFILE = ("profile = \"python\"\n[resources]\ncpu = 64.0\nmemory = \"1 GB\"\n"
                  "diskused = \"1 GB\"\n")
SHIPPED = ["math", "json", "re", "collections"]


def bench_python_profile(env, results):
    """The python profile (issue 13): hello world, the imports of the shipped modules and a
    str.format loop, each against bare CPython running the same program."""
    n = max(10, env.args.reps * 5)
    plain = os.path.join(env.tmp, "python-profile.toml")
    with open(plain, "w", encoding="utf-8") as handle:
        handle.write(PYTHON_PROFILE)
    listed = os.path.join(env.tmp, "python-profile-modules.toml")
    with open(listed, "w", encoding="utf-8") as handle:
        handle.write(PYTHON_PROFILE + "[python]\nmodules = [%s]\n"
                     % ", ".join('"%s"' % m for m in SHIPPED))
    programs = {
        "hello": ("print('Hello, world')\n", plain),
        "pass": ("pass\n", plain),
        "imports": ("import " + ", ".join(SHIPPED) + "\n", listed),
        "format": ("total = 0\nfor i in range(200000):\n"
                   "    total += len('{}: {:.2f} [{:>5}]'.format(i, i / 3, i % 97))\n"
                   "print(total)\n", plain),
    }
    # `import numpy` as a trusted package; bare CPython finds it the same way (the directory
    # put first on its path, as `site-packages` does in the sandbox).
    bare_sources = {}
    if getattr(env, "numpy_error", None) is None and os.path.isdir(os.path.join(NUMPY_SITE, "numpy")):
        with_numpy = os.path.join(env.tmp, "python-profile-numpy.toml")
        with open(with_numpy, "w", encoding="utf-8") as handle:
            handle.write(PYTHON_PROFILE + "[python]\nsite-packages = \"%s\"\npackages = [\"numpy\"]\n"
                         % NUMPY_SITE)
        programs["numpy"] = ("import numpy\n", with_numpy)
        bare_sources["numpy"] = "import sys\nsys.path.insert(0, %r)\nimport numpy\n" % NUMPY_SITE
    samples = {}
    for name, (source, _) in programs.items():
        path = os.path.join(env.progs, f"py-{name}.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        with open(os.path.join(env.progs, f"bare-{name}.py"), "w", encoding="utf-8") as handle:
            handle.write(bare_sources.get(name, source))
        samples[("repy", name)] = []
        samples[("python", name)] = []
    for _ in range(n):
        order = [(runner, name) for runner in ("repy", "python") for name in programs]
        random.shuffle(order)
        for runner, name in order:
            path = os.path.join(env.progs, f"py-{name}.py")
            bare = os.path.join(env.progs, f"bare-{name}.py")
            policy = programs[name][1]
            argv = [REPY, policy, path] if runner == "repy" else [env.python, "-I", "-S", bare]
            vessel = env.vessel()
            sample = run_measured(argv, vessel, env.tmp)
            shutil.rmtree(vessel, ignore_errors=True)
            if sample["rc"] == 0:
                samples[(runner, name)].append(sample["wall"])
    out = {"runs": {f"{runner} {name}": summary(v) for (runner, name), v in samples.items()}}
    for name in ("hello", "format", "numpy"):
        if name not in programs:
            continue
        pairs = [r / p for r, p in zip(samples[("repy", name)], samples[("python", name)])
                 if p > 0]
        out[f"{name}_ratio"] = summary(pairs)
    med = {k: statistics.median(v) for k, v in samples.items() if v}
    keys = [("repy", "imports"), ("repy", "pass"), ("python", "imports"), ("python", "pass")]
    if all(k in med for k in keys):
        out["imports_added"] = ((med[("repy", "imports")] - med[("repy", "pass")])
                                - (med[("python", "imports")] - med[("python", "pass")]))
        out["imports_modules"] = SHIPPED
    if "numpy" not in programs:
        out["numpy_error"] = getattr(env, "numpy_error", None) or "numpy is not installed"
    results["python_profile"] = out


def bench_startup_anatomy(env, results):
    n = max(5, env.args.reps * 2)
    empty = os.path.join(env.progs, "empty.py")
    open(empty, "w").close()
    hello = os.path.join(env.progs, "hello-sandbox.py")
    cases = {
        "python -I -S -c pass": [env.python, "-I", "-S", "-c", "pass"],
        "repy --version": [REPY, "--version"],
        "repy restrictions check": [REPY, "restrictions", "check", UNLIMITED],
        "repy check (empty file)": [REPY, "check", empty],
        "repy hello world": [REPY, UNLIMITED, hello],
    }
    samples = {k: [] for k in cases}
    for _ in range(n):
        for name, argv in cases.items():
            vessel = env.vessel()
            sample = run_measured(argv, vessel, env.tmp)
            shutil.rmtree(vessel, ignore_errors=True)
            if sample["rc"] == 0:
                samples[name].append(sample)
    # From the gate opening (getruntime() = 0) to the program's first statement.
    first = os.path.join(env.progs, "first_statement.py")
    shutil.copy(os.path.join(WORKLOADS_DIR, "first_statement.py"), first)
    after_gate = []
    for _ in range(n):
        vessel = env.vessel()
        sample = run_measured([REPY, UNLIMITED, first], vessel, env.tmp)
        shutil.rmtree(vessel, ignore_errors=True)
        match = re.search(rb"FIRST-STATEMENT ([0-9.]+)", sample["out"])
        if match and sample["rc"] == 0:
            after_gate.append(float(match.group(1)))
    results["gate_to_first_statement"] = summary(after_gate)
    anatomy = {}
    for name, runs in samples.items():
        anatomy[name] = {"wall": summary([s["wall"] for s in runs]),
                         "cpu": summary([s["cpu"] for s in runs])}
    results["startup_anatomy"] = anatomy
    # One strace of a hello-world run: syscalls of the supervisor and the child, with times.
    if shutil.which("strace"):
        vessel = env.vessel()
        trace = os.path.join(env.tmp, "strace.txt")
        ok, _ = quiet(["strace", "-f", "-ttt", "-T", "-o", trace, REPY, UNLIMITED, hello],
                      cwd=vessel)
        shutil.rmtree(vessel, ignore_errors=True)
        if ok and os.path.exists(trace):
            results["startup_strace"] = analyse_strace(trace)


def analyse_strace(path):
    """Phases of a hello-world run from `strace -f -ttt -T` (strace slows every system call,
    so the absolute times are inflated; the order and the relative sizes are what matter)."""
    calls = []  # (pid, start, seconds or None, text)
    pending = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = re.match(r"(\d+)\s+([\d.]+)\s+(.*)", line.rstrip("\n"))
            if not match:
                continue
            pid, when, text = int(match.group(1)), float(match.group(2)), match.group(3)
            if text.endswith("<unfinished ...>"):
                pending[pid] = (when, text[:-len("<unfinished ...>")].rstrip())
                continue
            resumed = re.match(r"<\.\.\. \w+ resumed>(.*)", text)
            if resumed and pid in pending:
                when, head = pending.pop(pid)
                text = head + resumed.group(1)
            duration = re.search(r"<([\d.]+)>$", text)
            calls.append((pid, when, float(duration.group(1)) if duration else None, text))
    if not calls:
        return None
    calls.sort(key=lambda c: c[1])
    t0, parent = calls[0][1], calls[0][0]
    child = None
    tasks_fds = set()
    phases = []

    def at(when):
        return round((when - t0) * 1e3, 3)

    def add(name, when, seconds=None):
        if not any(p["name"] == name for p in phases):
            phases.append({"name": name, "at_ms": at(when),
                           "ms": None if seconds is None else round(seconds * 1e3, 3)})

    for pid, when, seconds, text in calls:
        if pid == parent:
            if re.match(r"(clone|clone3|fork)\(", text) and child is None:
                found = re.search(r"= (\d+)", text)
                child = int(found.group(1)) if found else None
                add("supervisor forks the sandbox child", when, seconds)
            elif text.startswith("mkdir(") and "cgroup" in text:
                add("supervisor creates its cgroup(s)", when, seconds)
            elif re.match(r'write\(\d+,\s*"\\1", 1\)', text):
                add("supervisor opens the gate", when, seconds)
            elif text.startswith("rmdir(") and "cgroup" in text:
                add("supervisor removes its cgroup(s)", when, seconds)
            elif text.startswith("exit_group"):
                add("supervisor exits", when, seconds)
        elif pid == child:
            add("child's first system call", when, None)
            if text.startswith("openat(") and text.split(",")[1].strip().endswith('tasks"'):
                found = re.search(r"= (\d+)", text)
                if found:
                    tasks_fds.add(found.group(1))
            elif re.match(r"write\((\d+),", text) and \
                    re.match(r"write\((\d+),", text).group(1) in tasks_fds:
                add("child joins its cgroups (writes 0 to their tasks files)", when, seconds)
            elif re.match(r'read\(\d+,\s*"\\1", 1\)', text):
                add("child waits at the gate", when, seconds)
            elif text.startswith("seccomp(") or text.startswith("landlock_"):
                add("child confines itself (landlock, seccomp)", when, None)
            elif text.startswith("write(1,"):
                add("child writes hello world", when, seconds)
            elif re.match(r'write\(\d+,\s*"\\1", 1\)', text):
                add("child wakes the supervisor to relay its output", when, seconds)
            elif text.startswith("exit_group"):
                add("child exits", when, None)
    slow = sorted(((c[2], c[0], c[3]) for c in calls if c[2] and c[2] > 0.0005),
                  reverse=True)
    return {"phases": sorted(phases, key=lambda p: p["at_ms"]),
            "syscalls": {"parent": sum(1 for c in calls if c[0] == parent),
                         "child": sum(1 for c in calls if c[0] == child)},
            "slowest": [{"ms": round(d * 1e3, 3),
                         "who": "supervisor" if pid == parent else "child",
                         "call": text[:100]} for d, pid, text in slow[:6]]}


# ---------------------------------------------------------------------------------------
# The checker


def thousand_line_program():
    """The same 1,000-line program as safe-check's own timing test (safe-check/src/timing.rs)."""
    out = []
    for i in range(100):
        out.append(
            f"class Thing{i}:\n    def __init__(self, a, b=2):\n        self.a = a + b * {i}\n"
            "        self.items = [x * 2 for x in range(a) if x % 3]\n"
            "    def total(self, extra):\n        s = 0\n"
            "        for k, v in enumerate(self.items):\n            s += k * v - extra\n"
            f"        return {{'sum': s, 'name': 'thing{i}', 'n': len(self.items)}}\n\n")
    return "".join(out)


RP_CHECK_SNIPPET = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
source = open(sys.argv[2]).read()
runs = int(sys.argv[3])
t = time.perf_counter(); import RestrictedPython; imported = time.perf_counter() - t
from RestrictedPython import compile_restricted
def timed(f):
    t = time.perf_counter(); f(); return (time.perf_counter() - t) * 1e3
cold = timed(lambda: compile_restricted(source, "p.py", "exec"))
rp = sorted(timed(lambda: compile_restricted(source, "p.py", "exec")) for _ in range(runs))
plain = sorted(timed(lambda: compile(source, "p.py", "exec")) for _ in range(runs))
med = lambda v: v[len(v) // 2]
print(json.dumps({"import_ms": imported * 1e3, "cold_ms": cold,
                  "compile_restricted_ms": {"median": med(rp), "min": rp[0], "max": rp[-1]},
                  "compile_ms": {"median": med(plain), "min": plain[0], "max": plain[-1]}}))
"""


def bench_checker(env, results):
    source = thousand_line_program()
    big = os.path.join(env.progs, "thousand.py")
    with open(big, "w", encoding="utf-8") as handle:
        handle.write(source)
    empty = os.path.join(env.progs, "empty.py")
    open(empty, "w").close()
    out = {"lines": source.count("\n"), "bytes": len(source)}
    # 1. `repy check` of the program minus `repy check` of an empty file, interleaved.
    n = max(10, env.args.reps * 3)
    big_runs, empty_runs, diffs = [], [], []
    for _ in range(n):
        b = run_measured([REPY, "check", big], env.tmp, env.tmp)
        e = run_measured([REPY, "check", empty], env.tmp, env.tmp)
        if b["rc"] == 0 and e["rc"] == 0:
            big_runs.append(b["wall"])
            empty_runs.append(e["wall"])
            diffs.append((b["wall"] - e["wall"]) * 1e3)
    out["repy_check"] = {"thousand_ms": summary([x * 1e3 for x in big_runs]),
                         "empty_ms": summary([x * 1e3 for x in empty_runs]),
                         "difference_ms": summary(diffs),
                         "median_difference_ms":
                             (statistics.median(big_runs) - statistics.median(empty_runs)) * 1e3
                             if big_runs else None}
    # 2. In-process, through safe-check's public API (bench/checker).
    if env.checker_error is None:
        runs = 50 if env.args.quick else 200
        ok, text = quiet([CHECKER_BIN, big, str(runs)])
        if ok:
            out["in_process"] = json.loads(text.strip().splitlines()[-1])
        else:
            out["in_process_error"] = text.strip()[-500:]
    else:
        out["in_process_error"] = env.checker_error
    # 3. RestrictedPython's compile_restricted of the same program.
    if env.available.get("restrictedpython") is None:
        runs = 10 if env.args.quick else 30
        ok, text = quiet([env.python, "-I", "-S", "-c", RP_CHECK_SNIPPET, RP_SITE, big,
                          str(runs)])
        if ok:
            out["restrictedpython"] = json.loads(text.strip().splitlines()[-1])
        else:
            out["restrictedpython_error"] = text.strip()[-500:]
    results["checker"] = out


# ---------------------------------------------------------------------------------------
# Memory of a hello-world run


def proc_status(pid):
    values = {}
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    values[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return values or None


def all_children_of(pid):
    """The children of every thread of `pid` (a multi-threaded server's children)."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="utf-8") as handle:
                found.extend(int(x) for x in handle.read().split())
        except (OSError, ValueError):
            pass
    return found


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as handle:
            return [int(x) for x in handle.read().split()]
    except (OSError, ValueError):
        return []


def bench_memory(env, results):
    program = os.path.join(env.progs, "hello_sleep.py")
    shutil.copy(os.path.join(WORKLOADS_DIR, "hello_sleep.py"), program)
    runs = []
    for _ in range(2 if env.args.quick else 5):
        vessel = env.vessel()
        report = os.path.join(env.tmp, "memory-report.json")
        start = time.perf_counter()
        proc = spawn([REPY, "--report", report, "--cwd", vessel, UNLIMITED, program],
                     cwd=vessel, stdout=subprocess.DEVNULL)
        supervisor, sandbox = None, None
        child = None
        while running(proc) and time.perf_counter() - start < 10:
            status = proc_status(proc.pid)
            if status:
                supervisor = status
            if child is None:
                kids = children_of(proc.pid)
                child = kids[0] if kids else None
            if child is not None:
                status = proc_status(child)
                if status:
                    sandbox = status
            time.sleep(0.002)
        code, usage = reap(proc)
        shutil.rmtree(vessel, ignore_errors=True)
        try:
            with open(report, encoding="utf-8") as handle:
                peak = json.load(handle).get("peak_memory_bytes")
        except (OSError, ValueError):
            peak = None
        runs.append({"rc": code, "supervisor_hwm": (supervisor or {}).get("VmHWM"),
                     "supervisor_rss": (supervisor or {}).get("VmRSS"),
                     "supervisor_anon": (supervisor or {}).get("RssAnon"),
                     "supervisor_file": (supervisor or {}).get("RssFile"),
                     "sandbox_hwm": (sandbox or {}).get("VmHWM"),
                     "report_peak": peak})
    # What `/usr/bin/time -f %M` reports (ru_maxrss of the child it waited for), for repy
    # and for bare CPython. Measured through GNU time, a small process, because a child
    # forked from this harness starts with the harness's own resident pages, and the kernel
    # keeps the largest resident size across exec.
    gnu_time = {}
    if os.path.exists("/usr/bin/time"):
        hello = os.path.join(env.progs, "hello-sandbox.py")
        for name, argv in (("repy", [REPY, UNLIMITED, hello]),
                           ("cpython", [env.python, "-I", "-S", hello])):
            values = []
            for _ in range(3 if env.args.quick else 5):
                vessel = env.vessel()
                sample = run_measured(["/usr/bin/time", "-f", "MAXRSS %M", "--"] + argv,
                                      vessel, env.tmp)
                shutil.rmtree(vessel, ignore_errors=True)
                match = re.search(r"MAXRSS (\d+)", sample["err"])
                if match and sample["rc"] == 0:
                    values.append(int(match.group(1)) * 1024)
            gnu_time[name] = summary(values)
    results["memory"] = {
        "runs": runs,
        "gnu_time": gnu_time,
        "supervisor_anon": summary([r["supervisor_anon"] for r in runs]),
        "supervisor_file": summary([r["supervisor_file"] for r in runs]),
        "supervisor_hwm": summary([r["supervisor_hwm"] for r in runs]),
        "sandbox_hwm": summary([r["sandbox_hwm"] for r in runs]),
        "report_peak": summary([r["report_peak"] for r in runs]),
    }


# ---------------------------------------------------------------------------------------
# The nanny's accuracy


def cpu_of(pid):
    """CPU seconds of a process: /proc/<pid>/schedstat (ns, this single-threaded program's
    only thread) when present, else utime + stime of /proc/<pid>/stat (clock ticks)."""
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as handle:
            return int(handle.read().split()[0]) / 1e9, "schedstat"
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), "stat"
    except (OSError, ValueError, IndexError):
        return None, None


def wait_for_child(proc, limit=5.0):
    start = time.perf_counter()
    while time.perf_counter() - start < limit and running(proc):
        kids = children_of(proc.pid)
        if kids:
            return kids[0]
        time.sleep(0.001)
    return None


def read_report(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def nanny_cpu(env, share, seconds):
    restrictions = os.path.join(RESTRICTIONS_DIR, f"cpu-{round(share * 100)}.toml")
    program = os.path.join(env.progs, "cpu_burn.py")
    shutil.copy(os.path.join(WORKLOADS_DIR, "cpu_burn.py"), program)
    vessel = env.vessel()
    report = os.path.join(env.tmp, "cpu-report.json")
    proc = spawn([REPY, "--report", report, "--cwd", vessel, restrictions, program,
                  str(seconds + 0.5)], cwd=vessel, stdout=subprocess.DEVNULL)
    child = wait_for_child(proc)
    samples, source = [], None
    if child is not None:
        start = time.perf_counter()
        k = 0
        while running(proc):
            cpu, kind = cpu_of(child)
            now = time.perf_counter() - start
            if cpu is None:
                break
            source = kind
            samples.append((now, cpu))
            if now >= seconds:
                break
            k += 1
            time.sleep(max(0.0, start + k * 0.25 - time.perf_counter()))
    if not wait_running(proc, seconds + 10):
        kill_group(proc)
    reap(proc)
    shutil.rmtree(vessel, ignore_errors=True)
    rep = read_report(report)
    series = []
    for (t0, c0), (t1, c1) in zip(samples, samples[1:]):
        series.append((round(t1, 3), (c1 - c0) / (t1 - t0)))
    shares = [s for _, s in series]
    total = None
    if len(samples) >= 2:
        total = (samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0])
    late = [s for t, s in series if t > 1.0]
    return {
        "share": share, "seconds": seconds, "source": source, "series": series,
        "overall": total,
        "after_1s": (sum(late) / len(late)) if late else None,
        "interval": summary(shares),
        "interval_stdev": statistics.pstdev(shares) if len(shares) > 1 else None,
        "mechanism": (rep.get("enforcement") or {}).get("cpu"),
        "cpu_stops": len(rep.get("cpu_stops") or []),
    }


def nanny_rate(env, kind, seconds):
    """Bytes of standard output over time, read as they arrive."""
    restrictions = os.path.join(RESTRICTIONS_DIR, f"{kind}.toml")
    name = "log_flood.py" if kind == "lograte" else "random_flood.py"
    program = os.path.join(env.progs, name)
    shutil.copy(os.path.join(WORKLOADS_DIR, name), program)
    vessel = env.vessel()
    report = os.path.join(env.tmp, f"{kind}-report.json")
    proc = spawn([REPY, "--report", report, "--cwd", vessel, restrictions, program,
                  str(seconds)], cwd=vessel)
    fd = proc.stdout.fileno()
    points, total, first = [], 0, None
    start = time.perf_counter()
    while True:
        chunk = os.read(fd, 65536)
        now = time.perf_counter()
        if not chunk:
            break
        if first is None:
            first = now
        total += len(chunk)
        points.append((now - first, total))
        if now - start > seconds + 30:
            break
    proc.stdout.close()
    kill_group(proc)
    reap(proc)
    shutil.rmtree(vessel, ignore_errors=True)
    rep = read_report(report)
    limit = 100000.0 if kind == "lograte" else 10000.0
    scale = 1 if kind == "lograte" else 512  # random: 2 bytes of output (".\n") per call
    points = [(t, b * scale) for t, b in points]

    def at(when):
        best = 0
        for t, b in points:
            if t <= when:
                best = b
        return best

    window = min(seconds, points[-1][0] if points else 0)
    measured = at(window) / window if window > 0 else None
    steady = None
    if window > 2:
        steady = (at(window) - at(1.0)) / (window - 1.0)
    renewable = (rep.get("renewable") or {}).get(kind, {})
    return {
        "limit": limit, "seconds": seconds, "window": window,
        "bytes_in_window": at(window), "rate": measured, "rate_after_1s": steady,
        "first_second": at(1.0),
        "series": [(round(t, 3), b) for t, b in thin(points, 400)],
        "charged": renewable.get("charged"), "throttled_seconds":
            renewable.get("throttled_seconds"),
    }


def thin(points, keep):
    if len(points) <= keep:
        return points
    step = len(points) / keep
    return [points[int(i * step)] for i in range(keep)] + [points[-1]]


def nanny_memory(env, pause, runs):
    program = os.path.join(env.progs, "memory_hog.py")
    shutil.copy(os.path.join(WORKLOADS_DIR, "memory_hog.py"), program)
    out = []
    for _ in range(runs):
        vessel = env.vessel()
        report = os.path.join(env.tmp, "memory-hog.json")
        sample = run_measured([REPY, "--report", report, "--cwd", vessel,
                               os.path.join(RESTRICTIONS_DIR, "memory.toml"), program,
                               str(pause)], vessel, env.tmp, timeout=60)
        shutil.rmtree(vessel, ignore_errors=True)
        rep = read_report(report)
        message = rep.get("message") or ""
        match = re.search(r"memory use (\d+) bytes", message)
        out.append({
            "rc": sample["rc"], "verdict": rep.get("verdict"), "message": message,
            "peak_memory_bytes": rep.get("peak_memory_bytes"),
            "measured_at_kill": int(match.group(1)) if match else None,
            "wall_seconds": rep.get("wall_seconds"),
            "backstop": (rep.get("enforcement") or {}).get("memory_backstop"),
        })
    return out


def bench_nanny(env, results):
    quick = env.args.quick
    cpu_seconds = 3.0 if quick else 10.0
    rate_seconds = 2.5 if quick else 5.0
    out = {"cpu": [], "rates": {}, "memory": {}}
    for share in (0.1, 0.5, 0.9):
        log(f"nanny: cpu {share} for {cpu_seconds:.0f} s")
        out["cpu"].append(nanny_cpu(env, share, cpu_seconds))
    for kind in ("lograte", "random"):
        log(f"nanny: {kind} for {rate_seconds:.1f} s")
        out["rates"][kind] = nanny_rate(env, kind, rate_seconds)
    log("nanny: memory over 50 MB")
    runs = 2 if quick else 5
    out["memory"] = {"limit": 50000000,
                     "fast": nanny_memory(env, 0, runs),
                     "slow": nanny_memory(env, 0.01, runs)}
    results["nanny"] = out


# ---------------------------------------------------------------------------------------
# Machine


def machine_info(env):
    info = {"nproc": os.cpu_count(), "kernel": platform.release(),
            "loadavg_start": open("/proc/loadavg").read().split()[:3]}
    try:
        info["nproc"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    ok, text = quiet([env.python, "-I", "-S", "-c", "import sys; print(sys.version)"])
    info["python"] = text.strip().splitlines()[0] if ok else "?"
    # Which interpreter, without the home directory of the machine that ran the benchmark
    # (results are committed; no path of one machine is).
    home = os.path.expanduser("~")
    info["python_path"] = ("~" + env.python[len(home):]
                           if home not in ("", "/") and env.python.startswith(home + "/")
                           else env.python)
    ok, text = quiet(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    info["commit"] = text.strip() if ok else "?"
    ok, text = quiet(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no",
                      "--", ".", ":!bench", ":!docs/performance.md"])
    info["dirty"] = bool(ok and text.strip())
    ok, text = quiet([REPY, "--version"])
    info["repy"] = text.strip()
    info["rp_version"] = getattr(env, "rp_version", None)
    info["bwrap_version"] = getattr(env, "bwrap_version", None)
    return info


# ---------------------------------------------------------------------------------------
# Main


def main():
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="repy's benchmarks against bare CPython 3.11, RestrictedPython and "
                    "bubblewrap; writes bench/results/ and docs/performance.md.")
    parser.add_argument("--python", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true",
                        help="3 repetitions, 3 s CPU and 2.5 s rate tests (under 2 minutes)")
    parser.add_argument("--reps", type=int, default=None,
                        help="repetitions of every workload (default 10, --quick 3)")
    parser.add_argument("--only", default=None,
                        help="comma-separated workloads to run (others are skipped)")
    parser.add_argument("--skip", default="",
                        help="comma-separated sections to skip: workloads, engine, python, service, "
                             "mixed, grading, anatomy, checker, memory, nanny")
    parser.add_argument("--no-build", action="store_true",
                        help="use target/release/repy and bench/checker as they are")
    parser.add_argument("--no-install", action="store_true",
                        help="do not apt-get install bubblewrap when it is missing")
    parser.add_argument("--no-doc", action="store_true",
                        help="write bench/results/ but not docs/performance.md")
    args = parser.parse_args()
    if args.reps is None:
        args.reps = 3 if args.quick else 10
    args.only = set(args.only.split(",")) if args.only else None
    skip = set(filter(None, args.skip.split(",")))
    env = Env(args)
    results = {"schema": "repy-bench/1", "quick": args.quick, "reps": args.reps}

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    try:
        setup(env)
        results["machine"] = machine_info(env)
        results["started"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        paths = write_programs(env)
        if "workloads" not in skip:
            log(f"workloads: {args.reps} repetitions")
            bench_workloads(env, paths, results)
        if "engine" not in skip:
            log("engine modes: eval, call, call --batch")
            bench_engine(env, results)
        if "python" not in skip:
            log("python profile: hello, imports, str.format")
            bench_python_profile(env, results)
        if "service" not in skip:
            log("service: repy serve under wrk, warm and cold; 50 idle warm interpreters")
            bench_service(env, results)
        if "mixed" not in skip:
            log("mixed: 10,000 mixed requests at concurrency 32 (httpx)")
            bench_mixed(env, results)
        if "grading" not in skip:
            log("grading: 100 submissions x 10 call tests")
            bench_grading(env, results)
        if "anatomy" not in skip:
            log("start-up anatomy")
            bench_startup_anatomy(env, results)
        if "checker" not in skip:
            log("checker")
            bench_checker(env, results)
        if "memory" not in skip:
            log("memory of a hello-world run")
            bench_memory(env, results)
        if "nanny" not in skip:
            bench_nanny(env, results)
        results["machine"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        results["duration_seconds"] = round(time.monotonic() - started, 1)
        os.makedirs(RESULTS_DIR, exist_ok=True)
        with open(os.path.join(RESULTS_DIR, "latest.json"), "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1, sort_keys=True)
            handle.write("\n")
        import report  # bench/report.py: charts and docs/performance.md
        report.write_all(results, RESULTS_DIR, None if args.no_doc else DOC)
        log(f"done in {results['duration_seconds']:.0f} s: bench/results/latest.json"
            + ("" if args.no_doc else ", docs/performance.md"))
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        kill_all()
        shutil.rmtree(env.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, BENCH)
    sys.exit(main())
