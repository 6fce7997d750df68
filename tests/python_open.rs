//! The python profile's `open()` through the binary: programs that write and read files print
//! exactly what bare CPython 3.11 prints in the same kind of directory; the accounting is
//! `openfile`'s (filesopened, diskused, fileread/filewrite); escapes fail, each test saying
//! which wall stops them; under `repyv2` `open` is still RepyV2's stub.

use crate::support::{RunOutput, Sandbox};

/// A `python` profile policy with room for the tests' files.
const PYTHON: &str = "profile = \"python\"\n\n[resources]\nmemory = \"200 MB\"\n\
                      diskused = \"10 MB\"\n";

/// Runs `program` under the python profile (policy `policy`) in a vessel holding `files`.
fn run_python(policy: &str, program: &str, files: &[(&str, &str)]) -> (Sandbox, RunOutput) {
    let mut sb = Sandbox::new()
        .restrictions(policy)
        .program(program)
        .caller_option("--report", "report.json");
    for (name, contents) in files {
        sb = sb.file(name, contents);
    }
    let out = sb.run(&[]);
    (sb, out)
}

/// What bare CPython 3.11 prints for `program`, run in a fresh directory holding `files`.
fn bare_cpython(program: &str, files: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, contents) in files {
        std::fs::write(dir.path().join(name), contents).expect("write file");
    }
    crate::support::cpython_stdout(
        crate::support::bare_cpython()
            .args(["-c", program])
            .current_dir(dir.path()),
        None,
    )
}

/// Asserts `program` prints under the python profile exactly what bare CPython prints.
fn assert_like_cpython(program: &str, files: &[(&str, &str)]) {
    let (_, out) = run_python(PYTHON, program, files);
    out.assert_code(0);
    assert_eq!(
        out.stdout(),
        bare_cpython(program, files),
        "{}",
        out.explain()
    );
}

#[test]
fn python_open_text_and_binary_round_trips_match_cpython() {
    let program = r#"
with open("notes.txt", "w") as f:
    print(f.write("first line\nsecond: é ü ✓\n"), f.mode, f.name, f.closed)
    f.writelines(["a\n", "b\n", "c"])
print(f.closed)
with open("notes.txt") as f:
    print(repr(f.readline()), repr(f.readline(3)), repr(f.read(4)))
    print(f.readlines())
with open("notes.txt") as f:
    for number, line in enumerate(f, 1):
        print(number, line.rstrip("\n"))
with open("data.bin", "wb") as f:
    print(f.write(bytes(range(256))), f.mode)
with open("data.bin", "rb") as f:
    data = f.read()
    print(len(data), data[:5], data[-3:], f.read(), f.mode)
f = open("data.bin", "r+b")
print(f.seek(10), f.read(4), f.tell(), f.seek(-2, 2), f.read(), f.seek(3, 1), f.tell())
f.seek(0)
f.write(b"XY")
f.seek(0)
print(f.read(4), f.mode)
f.close()
print(f.closed)
with open("data.bin", "rb") as f:
    print(f.readline()[:4], f.readline()[:4])
with open("notes.txt", "a") as f:
    f.write("\nappended\n")
with open("notes.txt", "a+") as f:
    f.seek(0)
    print(repr(f.read(5)))
print(open("notes.txt").read().splitlines())
with open("fresh.txt", "x") as f:
    f.write("new\n")
try:
    open("fresh.txt", "x")
except FileExistsError as e:
    print("x:", e)
try:
    open("missing.txt")
except FileNotFoundError as e:
    print("r:", e, isinstance(e, OSError))
try:
    open("missing.txt", "rb")
except OSError as e:
    print("rb:", type(e).__name__, e.errno)
with open("notes.txt", "w+") as f:
    f.write("replaced\n")
    f.seek(0)
    print(repr(f.read()), f.tell())
for mode in ["rw", "rr", "", "tb", "q"]:
    try:
        open("notes.txt", mode)
    except ValueError as e:
        print(mode, e)
try:
    open("notes.txt", "rb", encoding="utf-8")
except ValueError as e:
    print(e)
try:
    open("notes.txt", "w").read()
except OSError as e:
    print(type(e).__name__, e)
f = open("notes.txt")
f.close()
try:
    f.read()
except ValueError as e:
    print(e)
print(repr(open("notes.txt")), repr(open("data.bin", "rb")))
"#;
    assert_like_cpython(program, &[]);
}

#[test]
fn python_open_universal_newlines_and_encodings_match_cpython() {
    let program = r#"
with open("mixed.txt", "wb") as f:
    f.write(b"unix\nwindows\r\nmac\rlast")
for newline in [None, "", "\n", "\r", "\r\n"]:
    with open("mixed.txt", newline=newline) as f:
        print(repr(newline), f.readlines())
with open("mixed.txt") as f:
    print(repr(f.read()))
with open("mixed.txt") as f:
    f.readline()
    where = f.tell()
    rest = f.read()
    f.seek(where)
    print(f.read() == rest, repr(rest))
with open("out.txt", "w", newline="\r\n") as f:
    f.write("a\nb\n")
print(open("out.txt", "rb").read())
with open("latin.txt", "w", encoding="latin-1") as f:
    f.write("café\n")
print(open("latin.txt", "rb").read(), open("latin.txt", encoding="ISO-8859-1").read())
try:
    open("latin.txt", encoding="utf-8").read()
except UnicodeDecodeError as e:
    print("decode:", e.reason)
print(repr(open("latin.txt", encoding="utf-8", errors="replace").read()))
try:
    open("ascii.txt", "w", encoding="ascii").write("naïve")
except UnicodeEncodeError as e:
    print("encode:", e.reason)
with open("ascii.txt", "w", encoding="ascii", errors="replace") as f:
    f.write("naïve")
print(open("ascii.txt").read())
big = "".join("line %d é\r\n" % i for i in range(3000))
with open("big.txt", "w", newline="") as f:
    f.write(big)
with open("big.txt") as f:
    lines = f.readlines()
print(len(lines), lines[0], lines[-1], all(l.endswith("é\n") for l in lines))
"#;
    assert_like_cpython(program, &[]);
    // An encoding CPython has but the sandbox does not: LookupError, as for an unknown one.
    let (_, out) = run_python(
        PYTHON,
        "try:\n    open('x.txt', 'w', encoding='utf-16')\nexcept LookupError as e:\n    print(e)\n",
        &[],
    );
    out.assert_code(0)
        .assert_stdout_contains("unknown encoding: utf-16");
}

#[test]
fn python_open_reads_a_file_given_in_the_vessel() {
    let program =
        "with open('input.txt') as f:\n    total = sum(int(line) for line in f)\nprint(total)\n";
    let files = [("input.txt", "1\n2\n3\n")];
    assert_like_cpython(program, &files);
}

/// The report's cumulative totals for a run of `program`.
fn charged(sb: &Sandbox, resource: &str) -> u64 {
    sb.caller_report()["renewable"][resource]["charged"]
        .as_u64()
        .unwrap_or(u64::MAX)
}

#[test]
fn python_open_charges_fileread_and_filewrite_as_openfile_does() {
    // Creating: 4096 fileread (existence check) + 4096 filewrite (creation). 100 sequential
    // writes of 100 bytes touch blocks 0-2, each charged once: 12288. Reading it back: 4096
    // (existence check), then an 8 KiB chunk (8192) and the 1,808 bytes left (one block).
    let program = "f = open('out.txt', 'w')\nfor i in range(100):\n    f.write('x' * 99 + '\\n')\n\
                   f.close()\nprint(len(open('out.txt').read()))\n";
    let (sb, out) = run_python(PYTHON, program, &[]);
    out.assert_code(0).assert_stdout("10000\n");
    assert_eq!(charged(&sb, "filewrite"), 4096 + 12288);
    assert_eq!(charged(&sb, "fileread"), 4096 + 4096 + 8192 + 4096);
}

#[test]
fn python_open_filesopened_limit_raises_resource_exhausted_and_closing_releases_it() {
    let policy = format!("{PYTHON}filesopened = 2\n");
    let program = r#"
a = open("a.txt", "w")
b = open("b.txt", "w")
try:
    open("c.txt", "w")
except ResourceExhaustedError as e:
    print("exhausted:", e)
a.close()
c = open("c.txt", "w")
del b
d = open("d.txt", "w")
print("reopened after close and after garbage collection")
with open("e.txt", "w") as e:
    pass
"#;
    let (sb, out) = run_python(&policy, program, &[]);
    out.assert_code(6)
        .assert_stdout(
            "exhausted: Resource 'filesopened' limit exceeded!!\n\
             reopened after close and after garbage collection\n",
        )
        .assert_stderr_contains("ResourceExhaustedError");
    assert!(!sb.path().join("e.txt").exists(), "{}", out.explain());
}

#[test]
fn python_open_disk_quota_kills_the_filler() {
    let policy = "profile = \"python\"\n[resources]\ndiskused = \"200 kB\"\n";
    let program =
        "with open('big', 'w') as f:\n    for i in range(1000):\n        f.write('d' * 10000)\n";
    let (sb, out) = run_python(policy, program, &[]);
    out.assert_code(98).assert_stderr_contains("disk use");
    let size = std::fs::metadata(sb.path().join("big")).map_or(0, |m| m.len());
    assert!(size < 5_000_000, "the file grew to {size} bytes");
}

/// A file next to the vessel, in the caller's directory: it must stay as it is, unread.
const CANARY_TEXT: &str = "canary: not for the program\n";

#[test]
fn python_open_escapes_fail_at_the_api_wall() {
    let sb = Sandbox::new();
    let canary = sb.caller().join("canary");
    std::fs::write(&canary, CANARY_TEXT).expect("canary");
    // A symbolic link in the vessel to the canary outside it, and a directory.
    std::os::unix::fs::symlink(&canary, sb.path().join("link")).expect("symlink");
    std::fs::create_dir(sb.path().join("sub")).expect("sub");
    let outside = format!(
        "../{}/canary",
        sb.caller()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
    );
    let program = format!(
        r#"
attempts = [
    ("{outside}", "r"), ("{outside}", "w"), ("../x", "w"), ("/etc/passwd", "r"),
    ("/proc/self/mem", "rb"), ("/proc/self/environ", "r"), ("sub/x", "w"), ("sub", "r"),
    ("link", "r"), ("link", "w"), ("link", "a"), ("link", "r+"), ("bad\0name", "w"),
    (3, "r"), (0, "rb"), (b"bytes.txt", "w"), ("Upper.txt", "w"), (".hidden", "w"),
]
for name, mode in attempts:
    try:
        f = open(name, mode)
        print("OPENED", repr(name), mode)
        print(f.read())
    except Exception as e:
        print(type(e).__name__, repr(name), mode, e)
"#
    );
    let sb = sb.restrictions(PYTHON).program(&program);
    let out = sb.run(&[]);
    out.assert_code(0);
    let stdout = out.stdout();
    assert!(!stdout.contains("OPENED"), "{}", out.explain());
    assert!(!stdout.contains("canary: not"), "{}", out.explain());
    assert!(!stdout.contains("root:"), "{}", out.explain());
    // The API wall: the filename rule (a plain name of the vessel) refuses every path, with
    // PermissionError naming the rule...
    for path in [
        outside.as_str(),
        "../x",
        "/etc/passwd",
        "/proc/self/mem",
        "sub/x",
    ] {
        assert!(
            stdout.contains(&format!("PermissionError '{path}'")),
            "{path}: {}",
            out.explain()
        );
    }
    out.assert_stdout_contains("Filename has disallowed character '/'");
    out.assert_stdout_contains("Filename starts with a period");
    out.assert_stdout_contains("Filename has disallowed character 'U'");
    // ...NUL as CPython says it, descriptors and bytes by type...
    out.assert_stdout_contains("ValueError 'bad\\x00name' w embedded null byte");
    out.assert_stdout_contains(
        "TypeError 3 r open() in the sandbox takes a file name (str), not a file descriptor",
    );
    out.assert_stdout_contains(
        "TypeError 0 rb open() in the sandbox takes a file name (str), not a file descriptor",
    );
    out.assert_stdout_contains("TypeError b'bytes.txt' w");
    // ...a directory is IsADirectoryError, and a symbolic link is never followed (the
    // regular-file check and O_NOFOLLOW; Landlock, the kernel wall behind it, would refuse
    // the canary's directory too, as tests/confine.rs proves with the real builtins).
    out.assert_stdout_contains("IsADirectoryError 'sub' r [Errno 21] Is a directory: 'sub'");
    for mode in ["r", "w", "a", "r+"] {
        out.assert_stdout_contains(&format!(
            "PermissionError 'link' {mode} [Errno 13] Permission denied (open() in the sandbox \
             opens regular files only, never through a symbolic link): 'link'"
        ));
    }
    assert_eq!(
        std::fs::read_to_string(&canary).expect("canary"),
        CANARY_TEXT,
        "the canary was written"
    );
    assert!(
        std::fs::symlink_metadata(sb.path().join("link")).is_ok_and(|m| m.file_type().is_symlink()),
        "the link was replaced"
    );
    assert!(!sb.path().join("bytes.txt").exists());
    assert!(!sb.path().join("sub/x").exists());
}

#[test]
fn python_open_file_object_exposes_no_descriptor() {
    let program = r#"
f = open("a.txt", "w")
for attempt in [lambda: f.fileno(), lambda: f.buffer, lambda: f.raw, lambda: f.detach()]:
    try:
        attempt()
        print("reached")
    except AttributeError as e:
        print("AttributeError")
try:
    f.extra = 1
except AttributeError:
    print("no new attributes")
try:
    type(f)("b.txt")
except TypeError:
    print("no constructor")
"#;
    let (_, out) = run_python(PYTHON, program, &[]);
    out.assert_code(0).assert_stdout(
        "AttributeError\nAttributeError\nAttributeError\nAttributeError\nno new attributes\n\
         no constructor\n",
    );
}

#[test]
fn python_open_stays_a_stub_under_repyv2() {
    let sb = Sandbox::new().program("f = open('x.txt', 'w')\n");
    let out = sb.run(&[]);
    out.assert_code(6)
        .assert_stderr_contains("Unsafe call 'open'");
    assert!(!sb.path().join("x.txt").exists(), "{}", out.explain());
}

/// A FIFO in the vessel (the caller's, or left by an earlier run) is refused before it is
/// opened, in every mode: opening it for writing would wait for a reader until the wall-time
/// kill (red team, round 8).
#[test]
fn python_open_refuses_a_fifo_without_waiting_for_a_reader() {
    let program = r#"
for mode in ["w", "a", "r", "r+", "x"]:
    try:
        open("fifo", mode)
        print(mode, "opened")
    except OSError as err:
        print(mode, type(err).__name__)
"#;
    let sb = Sandbox::new()
        .restrictions(&format!("{PYTHON}wall-time = 5\n"))
        .program(program);
    nix::unistd::mkfifo(&sb.path().join("fifo"), nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
    let started = std::time::Instant::now();
    let out = sb.run(&[]);
    out.assert_code(0).assert_stdout(
        "w PermissionError\na PermissionError\nr PermissionError\nr+ PermissionError\nx FileExistsError\n",
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{}",
        out.explain()
    );
}

/// `print(..., file=f)` writes through the file, as CPython's does.
#[test]
fn python_open_print_to_a_file_matches_cpython() {
    assert_like_cpython(
        r#"
with open("out.txt", "w") as f:
    print("total", 3, sep=": ", file=f)
    print("done", end="!\n", file=f, flush=True)
with open("out.txt") as f:
    print(repr(f.read()))
"#,
        &[],
    );
}
