//! Wall 4 holds even if walls 1 and 2 are gone: a real CPython, embedded and initialised before
//! `apply` exactly as the sandbox child does, runs ordinary Python afterwards (threads, strings,
//! exceptions, classes, the vessel's files), while host files, Unix sockets, processes and lazy
//! imports from disk stay out of reach. The program below is not checked by safe-check and has
//! `os` and `socket` at hand, as an attacker who escaped the checker and the API would.

mod common;

// Links the static CPython this test embeds.
extern crate python_link;

use std::ffi::CString;
use std::fs;

use common::{in_child, require_all_layers, Scratch};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Runs after confinement; any failed assertion raises and fails the test.
const PROGRAM: &str = r#"
import _thread, os, socket

# Threads (the _thread module is built in; threading would be a lazy import from disk).
lock = _thread.allocate_lock()
done = []
def worker(n):
    done.append(sum(range(n)))
    if len(done) == 4:
        lock.release()
lock.acquire()
for i in range(4):
    _thread.start_new_thread(worker, (1000 * (i + 1),))
assert lock.acquire(timeout=10), "the threads did not finish"
assert sorted(done) == sorted(sum(range(1000 * (i + 1))) for i in range(4)), done

# Strings, lists, dicts, big integers, formatting.
text = "-".join(str(i) for i in range(10)).upper()
assert text.split("-")[3] == "3"
assert sorted({"b": 2, "a": 1}.items()) == [("a", 1), ("b", 2)]
assert f"{2 ** 100:x}" == "1" + "0" * 25
assert [x * x for x in range(5) if x % 2] == [1, 9]

# Exceptions and classes.
class Shape:
    def __init__(self, sides):
        self.sides = sides
    def __repr__(self):
        return f"{type(self).__name__}({self.sides})"
class Square(Shape):
    def __init__(self):
        super().__init__(4)
assert repr(Square()) == "Square(4)"
try:
    {}["missing"]
except KeyError as e:
    assert "missing" in str(e)
else:
    raise AssertionError("no KeyError")
def gen():
    yield from range(3)
assert list(gen()) == [0, 1, 2]
assert len(os.urandom(16)) == 16

# The vessel: write, read, list, remove.
path = VESSEL + "/py.txt"
with open(path, "w") as f:
    f.write("hello")
with open(path) as f:
    assert f.read() == "hello"
assert "py.txt" in os.listdir(VESSEL)
os.remove(path)

# Escapes.
try:
    open("/etc/passwd").read()
except PermissionError:
    pass
else:
    raise AssertionError("read /etc/passwd")
try:
    open(OUTSIDE, "w").write("escaped")
except PermissionError:
    pass
else:
    raise AssertionError("wrote outside the vessel")
try:
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
except PermissionError:
    pass
else:
    raise AssertionError("made an AF_UNIX socket")
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
except PermissionError:
    pass
else:
    raise AssertionError("made a raw socket")
rc = os.system("echo ran > " + MARKER)
assert rc != 0, f"os.system returned {rc}"
try:
    pid = os.fork()
except PermissionError:
    pass
else:
    if pid == 0:
        os._exit(0)
    raise AssertionError("forked")
try:
    os.kill(os.getppid(), 15)
except PermissionError:
    pass
else:
    raise AssertionError("signalled the parent")
try:
    import json
except (ImportError, OSError):
    pass
else:
    raise AssertionError("imported json from disk")
"#;

#[test]
fn python_runs_ordinary_code_but_cannot_escape_after_confinement() {
    if !require_all_layers() {
        return;
    }
    let scratch = Scratch::new("python");
    let marker = scratch.root.join("marker");
    let outside = scratch.root.join("outside.txt");
    let program = CString::new(PROGRAM).expect("no NUL in the program");
    let run = in_child(|pipe| {
        Python::initialize();
        // Imported before confinement, as a hole in the API might hand them over; traceback
        // formats a failure afterwards.
        let ready =
            Python::attach(|py| py.run(c"import os, socket, traceback", None, None).is_ok());
        if !ready {
            pipe.say("python setup failed");
            return 2;
        }
        let mut plan = scratch.plan();
        plan.keep_fds.push(pipe.fd());
        if let Err(e) = confine::apply(&plan) {
            pipe.say(&format!("apply failed: {}", e.chain()));
            return 90;
        }
        Python::attach(|py| {
            let globals = PyDict::new(py);
            let set = |k: &str, v: &std::path::Path| globals.set_item(k, v.display().to_string());
            if set("VESSEL", &scratch.vessel())
                .and(set("MARKER", &marker))
                .and(set("OUTSIDE", &outside))
                .is_err()
            {
                return 3;
            }
            match py.run(&program, Some(&globals), None) {
                Ok(()) => 0,
                Err(err) => {
                    let trace = err
                        .traceback(py)
                        .and_then(|tb| tb.format().ok())
                        .unwrap_or_default();
                    pipe.say(&format!("python failed: {err}\n{trace}"));
                    1
                }
            }
        })
    });
    run.assert_ok();
    assert!(!marker.exists(), "os.system ran a shell");
    assert!(!outside.exists(), "Python wrote outside the vessel");
    assert!(
        fs::read_dir(scratch.vessel())
            .expect("vessel")
            .next()
            .is_none(),
        "the vessel is not empty"
    );
}
