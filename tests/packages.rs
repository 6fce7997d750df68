//! Trusted third-party packages (`[python] packages`) through the binary, with numpy as the
//! acceptance example: a program computing with numpy prints what bare CPython with the same
//! numpy prints, and each escape the issue names is stopped by the wall its comment names
//! (docs/packages.md).
//!
//! numpy comes from the directory `REPY_TEST_NUMPY_SITE_PACKAGES` names (`.ci/run` installs
//! it from PyPI into a virtual environment of the CPython repy links). Without it the tests
//! skip, saying so; under `REPY_TEST_REQUIRE_ALL=1` (CI) they fail instead.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use crate::support::{RunOutput, Sandbox};

/// The `site-packages` directory holding numpy, or `None` (the test skips) when not given.
fn numpy_site_packages() -> Option<PathBuf> {
    match std::env::var_os("REPY_TEST_NUMPY_SITE_PACKAGES") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.join("numpy").is_dir(),
                "REPY_TEST_NUMPY_SITE_PACKAGES={} holds no numpy",
                dir.display()
            );
            Some(dir)
        }
        _ => {
            assert!(
                std::env::var_os("REPY_TEST_REQUIRE_ALL").is_none(),
                "REPY_TEST_NUMPY_SITE_PACKAGES is not set (.ci/run installs numpy into a venv \
                 and sets it)"
            );
            eprintln!("skipped: REPY_TEST_NUMPY_SITE_PACKAGES is not set");
            None
        }
    }
}

/// A python-profile policy listing numpy from `site`, with `extra` resource lines.
fn policy(site: &Path, extra: &str) -> String {
    format!(
        "profile = \"python\"\n\n[resources]\nmemory = \"400 MB\"\n{extra}\n[python]\n\
         site-packages = \"{}\"\npackages = [\"numpy\"]\n",
        site.display()
    )
}

/// Runs `program` with numpy under [`policy`].
fn run(site: &Path, program: &str) -> RunOutput {
    Sandbox::new()
        .restrictions(&policy(site, ""))
        .program(program)
        .run(&[])
}

/// Asserts that `program` ends with an uncaught exception (exit 6) whose text has `needle`.
fn assert_raises(site: &Path, program: &str, needle: &str) {
    run(site, program)
        .assert_code(6)
        .assert_stderr_contains(needle);
}

/// Asserts that `program` finishes under repy with numpy printing what bare CPython with the
/// same numpy prints.
fn assert_like_cpython(site: &Path, program: &str) {
    let out = run(site, program);
    out.assert_code(0);
    assert_eq!(
        out.stdout(),
        bare_cpython(site, program),
        "{}",
        out.explain()
    );
}

/// What bare CPython 3.11 (the interpreter repy links) with numpy from `site` prints for
/// `program`, run as a script in an empty directory of its own.
fn bare_cpython(site: &Path, program: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("program.py");
    std::fs::write(&script, program).expect("write");
    crate::support::cpython_stdout(
        crate::support::bare_cpython()
            .arg("-c")
            .arg(format!(
                "import sys, runpy; sys.path.insert(0, {:?}); runpy.run_path({:?}, \
                 run_name='__main__')",
                site.display().to_string(),
                script.display().to_string()
            ))
            .current_dir(dir.path()),
        None,
    )
}

/// The acceptance example: arrays, broadcasting, linear algebra, FFT, seeded random numbers,
/// polynomials, masked arrays, formatting, and numpy's own file functions in the vessel.
const EXAMPLE: &str = r#"import numpy as np

grid = np.arange(12, dtype=np.int64).reshape(3, 4)
print(grid)
print(grid.sum(axis=0), grid.mean(), grid.T @ grid)
print(np.where(grid % 2 == 0, grid, -1))
a = np.array([[4.0, -2.0], [1.0, 1.0]])
values = np.linalg.eigvals(a)
print(np.sort(values), np.linalg.det(a).round(6), np.linalg.solve(a, [2.0, 3.0]))
print(np.round(np.fft.fft(np.array([1.0, 2.0, 1.0, 0.0])), 6))
rng = np.random.default_rng(2024)
sample = rng.normal(10.0, 2.0, size=1000)
print(f"{sample.mean():.4f} {sample.std():.4f}", rng.integers(0, 100, 5))
p = np.polynomial.Polynomial([1, -3, 2])
print(p.roots(), p(3.0))
masked = np.ma.masked_less(np.array([3, -1, 4, -1, 5]), 0)
print(masked, masked.mean())
np.set_printoptions(precision=3)
print(np.linspace(0, 1, 7))
np.save("grid.npy", grid)
np.savetxt("grid.txt", grid, fmt="%d")
np.savez("both.npz", grid=grid, a=a)
print(np.load("grid.npy").tolist() == grid.tolist(), np.loadtxt("grid.txt").sum())
with np.load("both.npz") as archive:
    print(sorted(archive.files), archive["a"][0])
print(np.genfromtxt("grid.txt", delimiter=" ")[2])
print(np.lib.stride_tricks.sliding_window_view(np.arange(5), 3).sum(axis=1))
print(np.unique(np.array([3, 1, 3, 2, 1]), return_counts=True))
"#;

#[test]
fn packages_numpy_example_prints_like_cpython() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    assert_like_cpython(&site, EXAMPLE);
}

/// Names the export proxies leave out, and pickles, are stopped by the language and API
/// walls, before the kernel's.
#[test]
fn packages_numpy_language_wall_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    // Proxy: `numpy.ctypeslib` (pointers from integers) is not exported, nor importable.
    assert_raises(
        &site,
        "import numpy as np\nprint(np.ctypeslib)\n",
        "module 'numpy' has no attribute 'ctypeslib'",
    );
    assert_raises(
        &site,
        "import numpy.ctypeslib\n",
        "No module named 'numpy.ctypeslib' in the sandbox",
    );
    // Proxy: `as_strided` (a view with unchecked strides) and `numpy.core` (an alias of the
    // private `_core`) are not exported; `numpy.testing` neither.
    assert_raises(
        &site,
        "import numpy as np\nprint(np.lib.stride_tricks.as_strided)\n",
        "module 'numpy.lib.stride_tricks' has no attribute 'as_strided'",
    );
    assert_raises(
        &site,
        "import numpy as np\nprint(np.core)\n",
        "module 'numpy' has no attribute 'core'",
    );
    assert_raises(
        &site,
        "from numpy import testing\n",
        "cannot import name 'testing' from 'numpy'",
    );
    // Checker: dunders of the proxy and of numpy's objects (R201), private names (R302).
    run(&site, "import numpy as np\nprint(np.__dict__)\n").assert_code(5);
    run(
        &site,
        "import numpy as np\nprint(np.arange(3).__array_interface__)\n",
    )
    .assert_code(5);
    run(&site, "from numpy import _core\n").assert_code(5);
    // numpy reads a raw pointer from `__array_interface__`: a program class may not define it
    // (R202, R203), nor set it at run time (the sandbox's `setattr`).
    let interface = "{'shape': (4,), 'typestr': '<u8', 'data': (4096, False), 'version': 3}";
    run(
        &site,
        &format!(
            "import numpy as np\nclass A:\n    __array_interface__ = {interface}\n\
             print(np.asarray(A()))\n"
        ),
    )
    .assert_code(5)
    .assert_stderr_contains("R202");
    run(
        &site,
        "import numpy as np\nclass A:\n    @property\n    def __array_interface__(self):\n\
         \x20       return {}\n",
    )
    .assert_code(5)
    .assert_stderr_contains("R203");
    assert_raises(
        &site,
        &format!(
            "import numpy as np\nclass A:\n    pass\nsetattr(A, '__array_interface__', \
             {interface})\nprint(np.asarray(A()))\n"
        ),
        "setattr() in the sandbox refuses the attribute name",
    );
    // Private-attribute guard: numpy's classes are not the program's.
    assert_raises(
        &site,
        "import numpy as np\nprint(np.sum._implementation)\n",
        "is private to code the sandbox trusts",
    );
    // ctypes kept out of the interpreter: `ndarray.ctypes` has no ctypes object to give.
    let out = run(
        &site,
        "import numpy as np\nc = np.arange(3).ctypes\nprint(repr(c.shape), c.data > 0)\n",
    );
    out.assert_code(0);
    assert!(
        !out.stdout().contains("c_long") && !out.stdout().contains("ctypes"),
        "{}",
        out.explain()
    );
}

/// A pickle loaded by numpy could call any function: loading one is refused, whichever way
/// numpy is asked to, and the function the pickle names never runs.
#[test]
fn packages_numpy_pickles_are_not_loaded() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    // A pickle calling the real `open("canary", "w")` when loaded.
    let evil: &[u8] = b"cbuiltins\nopen\n(Vcanary\nVw\ntR.";
    for program in [
        "import numpy as np\nnp.load('evil.pkl', allow_pickle=True)\n",
        "import numpy as np\nnp.savez('o.npz', x=np.array([1, 'a'], dtype=object))\n\
         d = np.load('o.npz')\nd.allow_pickle = True\nprint(d['x'])\n",
        "import numpy as np\nnp.save('o.npy', np.array([1, 'a'], dtype=object))\n\
         print(np.load('o.npy', allow_pickle=True))\n",
    ] {
        let sandbox = Sandbox::new()
            .restrictions(&policy(&site, ""))
            .file("evil.pkl", evil)
            .program(program);
        // numpy words its own error for a raw pickle, raised from the refusal (whose chain
        // the export guard cuts); the canary proves the pickle's call did not happen.
        let out = sandbox.run(&[]);
        out.assert_code(6);
        assert!(
            out.stderr()
                .contains("loading a pickle is not available in the sandbox")
                || out
                    .stderr()
                    .contains("Failed to interpret file 'evil.pkl' as a pickle"),
            "{}",
            out.explain()
        );
        assert!(
            !sandbox.path().join("canary").exists(),
            "the pickle ran: {program}"
        );
    }
}

/// What numpy's own code does is bounded by the kernel walls: files outside the vessel are
/// out of reach (Landlock), no peer can be reached (a network namespace, and `urllib.request`
/// cannot even be loaded), and the program's own `open` refuses paths first where numpy uses
/// it.
#[test]
fn packages_numpy_kernel_walls_hold() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    // API: numpy's C `fromfile` opens through the program's builtins, the sandbox's `open`.
    let out = run(
        &site,
        "import numpy as np\nprint(np.fromfile('/etc/passwd', dtype=np.uint8))\n",
    );
    out.assert_code(6)
        .assert_stderr_contains("open() in the sandbox opens plain file names");
    assert!(!out.stdout().contains("root"), "{}", out.explain());
    // Landlock: numpy's Python code opens with the real `open`.
    for program in [
        "import numpy as np\nprint(np.load('/etc/passwd', allow_pickle=False))\n",
        "import numpy as np\nprint(np.loadtxt('/etc/passwd', dtype=str, delimiter=':'))\n",
    ] {
        let out = run(&site, program);
        out.assert_code(6)
            .assert_stderr_contains("Permission denied");
        assert!(!out.stdout().contains("root"), "{}", out.explain());
    }
    let outside = tempfile::tempdir().expect("tempdir");
    let canary = outside.path().join("canary.npy");
    run(
        &site,
        &format!(
            "import numpy as np\nnp.save({:?}, np.arange(3))\n",
            canary.display().to_string()
        ),
    )
    .assert_code(6)
    .assert_stderr_contains("Permission denied");
    assert!(!canary.exists(), "numpy wrote outside the vessel");
    // The network: a real listener on the host, and numpy asked to fetch from it.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    run(
        &site,
        &format!("import numpy as np\nprint(np.loadtxt('http://127.0.0.1:{port}/data.txt'))\n"),
    )
    .assert_code(6);
    match listener.accept() {
        Ok((mut stream, _)) => {
            let mut request = String::new();
            let _ = stream.read_to_string(&mut request);
            panic!("numpy reached the host's listener: {request}");
        }
        Err(err) => assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock),
    }
}

/// A burn inside numpy's C code is still the nanny's: memory, CPU time and disk are limited
/// as for any program.
#[test]
fn packages_numpy_resource_limits_hold() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    Sandbox::new()
        .restrictions(&policy(&site, ""))
        .program("import numpy as np\na = np.ones(10**9)\nprint(a.sum())\n")
        .run(&[])
        .assert_code(98)
        .assert_stderr_contains("memory");
    Sandbox::new()
        .restrictions(&policy(&site, "cpu-time = 1\n"))
        .program(
            "import numpy as np\nm = np.ones((300, 300))\nwhile True:\n    m = np.tanh(m @ m)\n",
        )
        .run(&[])
        .assert_code(102)
        .assert_stderr_contains("cpu time");
    let sandbox = Sandbox::new()
        .restrictions(&policy(&site, "diskused = \"1 MB\"\n"))
        .program("import numpy as np\nnp.save('big.npy', np.zeros(10**6))\nprint('saved')\n");
    // numpy's writes are not the API's, so they are measured rather than reserved: the file
    // stops at the kernel's backstop (RLIMIT_FSIZE, twice the quota and 1 MiB), and the
    // verdict is the disk's even when the program ends before the supervisor's next scan.
    let out = sandbox.run(&[]);
    out.assert_code(98).assert_stderr_contains("disk use");
    assert!(!out.stdout().contains("saved"), "{}", out.explain());
    let size = std::fs::metadata(sandbox.path().join("big.npy")).map_or(0, |m| m.len());
    assert!(
        size <= 2 * 1_000_000 + (1 << 20),
        "big.npy holds {size} bytes"
    );
}

/// A policy naming a package its `site-packages` does not hold, or a directory that does not
/// exist, is refused before anything runs, at the line and key.
#[test]
fn packages_policy_problems_name_the_line_and_key() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    let text = policy(&site, "").replace("[\"numpy\"]", "[\"numpy\", \"nump\"]");
    Sandbox::new()
        .restrictions(&text)
        .program("print(1)\n")
        .run(&[])
        .assert_code(3)
        .assert_stderr_contains(":8:")
        .assert_stderr_contains("packages: `nump` is not installed in");
    let text = policy(Path::new("/nonexistent/site-packages"), "");
    Sandbox::new()
        .restrictions(&text)
        .program("print(1)\n")
        .run(&[])
        .assert_code(3)
        .assert_stderr_contains("site-packages: `/nonexistent/site-packages` is not a directory");
}

/// Red-team round 19: numpy's own public API turned into raw memory access, each way closed
/// by the wall named (api/src/package_guards.rs, modules/packages.py).
#[test]
fn packages_numpy_round_nineteen_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    // Guard on ndarray's constructor: an object array over a buffer read the buffer's bytes
    // as object addresses (addrof/fakeobj, then the real builtins from a numpy function).
    // Every path through `ndarray.__new__` meets it: recarray, rec.fromstring.
    for forge in [
        "np.ndarray((1,), dtype=object, buffer=np.array([id(x)], dtype=np.uint64))",
        "np.ndarray((1,), dtype=[('a', 'O')], buffer=np.array([id(x)], dtype=np.uint64))",
        "np.ndarray((1,), np.dtype(('O', (1,))), np.array([id(x)], dtype=np.uint64))",
        "np.recarray((1,), dtype=[('a', 'O')], buf=np.array([id(x)], dtype=np.uint64))",
        "np.rec.fromstring(bytes(8), dtype=[('a', 'O')])",
    ] {
        assert_raises(
            &site,
            &format!("import numpy as np\nx = [1]\nprint({forge})\n"),
            "an array holding object references cannot be made over a buffer",
        );
    }
    // A dtype-like object answering differently the second time is read once.
    assert_raises(
        &site,
        "import numpy as np\nclass D:\n    n = 0\n    @property\n    def dtype(self):\n\
         \x20       D.n += 1\n        return np.dtype('u8') if D.n > 1 else np.dtype('O')\n\
         print(np.ndarray((1,), dtype=D(), buffer=bytes(8)))\n",
        "an array holding object references cannot be made over a buffer",
    );
    // Plain arrays over buffers still work.
    let out = run(
        &site,
        "import numpy as np\nprint(np.ndarray((2,), dtype=np.uint8, buffer=bytes([1, 2])))\n",
    );
    out.assert_code(0).assert_stdout("[1 2]\n");
    // Guard on ndarray.resize: refcheck=False freed the data under a live view.
    assert_raises(
        &site,
        "import numpy as np\na = np.zeros(1000)\nv = a[:]\na.resize(200000, refcheck=False)\n",
        "resize(refcheck=False) is not available in the sandbox",
    );
    let out = run(
        &site,
        "import numpy as np\na = np.zeros(4)\na.resize(6, refcheck=True)\nprint(a.shape)\n",
    );
    out.assert_code(0).assert_stdout("(6,)\n");
    // mmap kept out, memmap not exported: `memmap.base.close()` unmapped an array's memory
    // (the sandbox crashed), and `load(mmap_mode=...)` makes a memmap too.
    assert_raises(
        &site,
        "import numpy as np\nm = np.memmap('m.bin', mode='w+', shape=(4,))\n",
        "module 'numpy' has no attribute 'memmap'",
    );
    assert_raises(
        &site,
        "import numpy as np\nnp.save('a.npy', np.arange(3))\nprint(np.load('a.npy', mmap_mode='r'))\n",
        "import of mmap halted",
    );
    // A program class may not derive from numpy's C types: a BitGenerator subclass skipping
    // its initialisation left null function pointers Generator called (a crash).
    for base in ["np.random.BitGenerator", "np.random.PCG64", "np.ndarray"] {
        assert_raises(
            &site,
            &format!("import numpy as np\nclass B({base}):\n    pass\n"),
            "a class of the program may not derive from",
        );
    }
    // Cython methods read any object as an instance: through the class, the first argument
    // is checked (a bytes object's data became a generator's function pointers: a crash).
    for call in [
        "np.random.Generator.random(b'A' * 200)",
        "np.random.PCG64.random_raw(b'A' * 200, 1)",
        "np.random.RandomState.rand(b'A' * 200)",
    ] {
        assert_raises(
            &site,
            &format!("import numpy as np\nprint({call})\n"),
            "instance as its first argument",
        );
    }
    let out = run(
        &site,
        "import numpy as np\nr = np.random.default_rng(3)\n\
         print(np.random.Generator.random(r) < 1, r.integers(0, 1, 2))\n",
    );
    out.assert_code(0).assert_stdout("True [0 0]\n");
    // numpy's Python classes stay open to subclassing.
    let out = run(
        &site,
        "import numpy as np\nclass P(np.polynomial.Polynomial):\n    pass\nprint(P([1, 2])(2.0))\n",
    );
    out.assert_code(0).assert_stdout("5.0\n");
}

/// Red-team round 20: `numpy.random` took a program object holding a freed generator's
/// capsule as its bit generator (a use-after-free to any memory, then the real builtins), and
/// positions outside its buffers through `state`. Each is refused by the checked `__init__`s
/// and `state` setters `modules/packages.py` puts in place; ordinary use is unchanged.
#[test]
fn packages_numpy_round_twenty_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    let fake = "import numpy as np\nclass Fake:\n    pass\nf = Fake()\nb = np.random.PCG64(1)\n\
                f.capsule = b.capsule\nf.lock = b.lock\n";
    assert_raises(
        &site,
        &format!("{fake}g = np.random.Generator(f)\n"),
        "Generator needs one of numpy's bit generators",
    );
    assert_raises(
        &site,
        &format!("{fake}g = np.random.default_rng(f)\n"),
        "Generator needs one of numpy's bit generators",
    );
    assert_raises(
        &site,
        &format!("{fake}g = np.random.default_rng(1)\ng.__init__(f)\n"),
        "Generator needs one of numpy's bit generators",
    );
    assert_raises(
        &site,
        &format!("{fake}r = np.random.RandomState(f)\n"),
        "RandomState takes a seed",
    );
    for (setup, state, needle) in [
        (
            "m = np.random.MT19937(1)",
            "s = m.state\ns['state']['pos'] = 1 << 30\nm.state = s",
            "pos must be between 0 and 624",
        ),
        (
            "m = np.random.Philox(1)",
            "s = m.state\ns['buffer_pos'] = -100000\nm.state = s",
            "buffer_pos must be between 0 and 4",
        ),
        (
            "r = np.random.RandomState(1)",
            "s = list(r.get_state())\ns[2] = 1 << 30\nr.set_state(tuple(s))",
            "pos must be between 0 and 624",
        ),
    ] {
        assert_raises(
            &site,
            &format!("import numpy as np\n{setup}\n{state}\nprint(m.random_raw())\n"),
            needle,
        );
    }
    let program = "import numpy as np\nm = np.random.MT19937(1)\ns = m.state\nm.random_raw(3)\n\
                   m.state = s\nprint(m.random_raw(2))\np = np.random.Philox(2)\ns = p.state\n\
                   p.random_raw(3)\np.state = s\nprint(p.random_raw(2))\nr = np.random.RandomState(5)\n\
                   st = r.get_state()\na = r.rand(2)\nr.set_state(st)\nprint((r.rand(2) == a).all())\n\
                   np.random.seed(7)\nprint(np.random.randint(0, 100, 3))\n\
                   print(np.random.Generator(np.random.MT19937(3)).integers(0, 10, 3))\n";
    assert_like_cpython(&site, program);
}

/// Red-team round 21: an object array exported its pointers through the buffer protocol
/// (writable object addresses, then the real builtins). Every numpy array and scalar type's
/// buffer export refuses an exporter whose dtype holds object references; plain arrays still
/// export theirs. And `np.strings.replace` overflowed the heap with a negative count.
#[test]
fn packages_numpy_round_twenty_one_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    for export in [
        "np.frombuffer(cells, dtype=np.uint64)",
        "np.ndarray((2,), np.uint64, buffer=cells)",
        "cells.data",
        "np.frombuffer(cells.T, np.uint64)",
        "np.frombuffer(np.zeros(2, dtype=[('a', 'O'), ('b', 'i8')]), np.uint64)",
        "np.frombuffer(np.zeros(2, dtype=[('a', 'O'), ('b', 'i8')])[0], np.uint64)",
    ] {
        assert_raises(
            &site,
            &format!(
                "import numpy as np\ncells = np.array([None, None], dtype=object)\n\
                 print({export})\n"
            ),
            "an array holding object references exports no buffer in the sandbox",
        );
    }
    // A negative count other than -1 in `np.strings.replace` on StringDType overflowed the
    // heap with the program's bytes; np.char.replace calls it too. StringDType is refused
    // altogether since round 26; the count guard stays for any other string type.
    for call in [
        "np.strings.replace(src, 'x', 'yy', -4000)",
        "np.strings.replace(src, 'x', 'yy', np.array([-2]))",
        "np.char.replace(src, 'x', 'yy', -4000)",
    ] {
        assert_raises(
            &site,
            &format!(
                "import numpy as np\nsrc = np.array(['x' * 10 + 'A' * 40], \
                 dtype='T')\nprint({call})\n"
            ),
            "data type 'T' not understood",
        );
    }
    let program = "import numpy as np\nsrc = np.array(['axbxc', 'xx'])\n\
                   print(np.strings.replace(src, 'x', 'yy'), np.strings.replace(src, 'x', '-', 1))\n";
    assert_like_cpython(&site, program);
    let program = "import numpy as np\na = np.arange(4, dtype=np.uint8)\n\
                   print(bytes(a.data), np.frombuffer(a, np.uint8), np.frombuffer(np.float64(1.5), np.uint8))\n\
                   c = np.array([1, None], dtype=object)\nprint(c, np.sort(np.array([3, 1, 2], dtype=object)))\n";
    assert_like_cpython(&site, program);
}

/// Red-team round 22: numpy 2.4.6's `byteswap()` of a structured scalar left its new memory
/// uninitialised, an object field included (any object forged from an address). Every
/// scalar's `byteswap` now swaps a void scalar through a copying 0-d array, and refuses one
/// whose fields hold objects; other scalars swap as before.
#[test]
fn packages_numpy_round_twenty_two_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    for call in [
        "s.byteswap()",
        "np.generic.byteswap(s)",
        "np.void.byteswap(s)",
    ] {
        assert_raises(
            &site,
            &format!(
                "import numpy as np\ns = np.zeros(1, dtype=[('a', 'V40'), ('b', 'O')])[0]\n\
                 print({call})\n"
            ),
            "byteswap() of a scalar whose fields hold objects is not available",
        );
    }
    // StringDType: searchsorted read out of bounds, slice with a huge step crashed. Refused
    // altogether since round 26 (the StringDType array is never made).
    assert_raises(
        &site,
        "import numpy as np\nh = np.array(['%030d' % i for i in range(1000)], dtype='T')\n\
         print(h.searchsorted('5'))\n",
        "data type 'T' not understood",
    );
    assert_raises(
        &site,
        "import numpy as np\nh = np.array(['%030d' % i for i in range(1000)])\n\
         print(np.strings.slice(h, None, None, 2**63 - 1))\n",
        "a slice step must be below 2**31 in magnitude",
    );
    let program = "import numpy as np\n\
                   print(np.strings.slice(np.array(['abcdef', 'xy']), 1, None, 2))\n\
                   print(np.searchsorted(np.array([1, 3, 5]), [2, 4]), np.searchsorted([1, 2, 3], 2))\n";
    assert_like_cpython(&site, program);
    let out = run(
        &site,
        "import numpy as np\ns = np.zeros(1, dtype=[('a', '>i4'), ('b', '<f8')])[0]\n\
         print(s.byteswap(), np.int32(1).byteswap(), np.generic.byteswap(np.int16(1)))\n",
    );
    out.assert_code(0).assert_stdout("(0, 0.0) 16777216 256\n");
}

/// Red-team round 21's re-entrancy class: numpy's loops over object arrays (`sort`,
/// `argmax`, `max`, `clip`, `maximum.accumulate`, …) hold pointers into the array while
/// they call the elements' methods; the program's `__lt__` assigned into the array and freed
/// an element `sort` still used (a full escape). Object arrays now hold only values whose
/// methods run none of the program's code: every way a program value enters one is refused
/// by the language wall's guard on numpy (api/src/object_array_guard.rs), and the program's
/// comparison method never runs (its marker is never printed).
#[test]
fn packages_numpy_object_arrays_hold_only_plain_values() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    let prelude = "import numpy as np\n\
                   class P:\n    def __lt__(self, other):\n        print('PROGRAM-CODE-RAN')\n        \
                   a[0] = 0\n        return True\n    def __add__(self, other):\n        \
                   print('PROGRAM-CODE-RAN')\n        return self\n\
                   a = np.empty(2, dtype=object)\n";
    for entry in [
        "a = np.array([P(), P()], dtype=object)",
        "a = np.array([P(), P()])",
        "a[0] = P()",
        "a[:] = [P(), P()]",
        "a[[0, 1]] = P()",
        "a.fill(P())",
        "np.put(a, [0], [P()])",
        "np.copyto(a, P())",
        "a[0] = (1, P())",
        "a = np.fromiter([P(), P()], dtype=object)",
        "a = np.frompyfunc(lambda x: P(), 1, 1)(np.arange(2))",
        "a = np.frompyfunc(lambda x: (1, P()), 1, 2)(np.arange(2))",
        "a = np.frompyfunc(lambda x, y: x, 2, 1, identity=P()).reduce(np.arange(2))",
        "a = np.vectorize(lambda x: P(), otypes=[object])(np.arange(2))",
        "z = np.zeros(2, dtype=[('f', object)]); z['f'][0] = P()",
        "a = np.add.reduce(np.array([1, 2], dtype=object), initial=P())",
        "a = np.array([1, 2], dtype=object) + P()",
        // A list's comparison calls its items': a ragged array of lists is refused too.
        "a = np.array([[1, 2], [P()]], dtype=object)",
    ] {
        let out = run(
            &site,
            &format!("{prelude}{entry}\na.sort()\nprint(np.max(a))\n"),
        );
        out.assert_code(6)
            .assert_stderr_contains("numpy object arrays in the sandbox hold only numbers");
        assert!(
            !out.stdout().contains("PROGRAM-CODE-RAN"),
            "{entry}: the program's method ran inside numpy: {}",
            out.explain()
        );
    }
    // Object arrays of plain values work as in CPython, frompyfunc and vectorize included.
    let program = "import numpy as np\n\
                   a = np.array([3, 'a', None, (1, 2), 2.5, b'x', True, 1j, np.float64(1.5)], dtype=object)\n\
                   print(a, a[3], a.dtype)\n\
                   b = np.array([3, 1, 2], dtype=object)\nb.sort()\nprint(b, b.max(), np.cumsum(b), b * 2)\n\
                   print(np.frompyfunc(lambda x: x * 2, 1, 1)(np.arange(3)))\n\
                   print(np.frompyfunc(divmod, 2, 2)(np.arange(4), 3))\n\
                   print(np.vectorize(lambda x: x + 1)(np.arange(3)), np.frompyfunc(abs, 1, 1))\n\
                   s = np.array(['b', 'a'], dtype=object)\ns.fill('z')\nprint(s)\n";
    assert_like_cpython(&site, program);
}

/// The collector's variant of red-team round 21's class: numpy's loop over an object array
/// of tuples allocates (each sum is a new tuple), so CPython 3.11 collects inside it and ran
/// the finalizers of unreachable program objects there, a generator's `finally` and a
/// `__del__` assigning into the array the loop was still reading (bare CPython prints
/// `(8, 8) (7, 7)`). Finalizers the collector finds now run at the main thread's next
/// bytecode boundary: the loop sees the array it started with, and both still run, after it.
/// An object freed by its last reference is finalized at once, as in CPython.
#[test]
fn packages_numpy_collector_finalizers_run_after_the_loop() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    let program = "import numpy as np\nN = 100000\n\
                   a = np.fromiter(((i,) for i in range(N)), dtype=object, count=N)\n\
                   def gen():\n    try:\n        yield 1\n    finally:\n        a[-1] = (7,)\n        print('generator finalizer ran')\n\
                   class Holder:\n    def __del__(self):\n        a[-2] = (8,)\n        print('__del__ ran')\n\
                   h = Holder()\ng = gen()\nnext(g)\nh.g = g\nh.me = h\ndel h, g\n\
                   b = a + a\nprint('the loop saw:', b[-2], b[-1])\n\
                   class Now:\n    def __del__(self):\n        print('freed at once')\n\
                   n = Now()\ndel n\nprint('after the del')\n";
    let out = run(&site, program);
    out.assert_code(0);
    let stdout = out.stdout();
    assert!(
        stdout.contains("the loop saw: (99998, 99998) (99999, 99999)"),
        "{}",
        out.explain()
    );
    assert!(
        stdout.contains("generator finalizer ran") && stdout.contains("__del__ ran"),
        "{}",
        out.explain()
    );
    assert!(
        stdout.contains("freed at once\nafter the del"),
        "{}",
        out.explain()
    );
    // Bare CPython with the same numpy runs them inside the loop: the test's premise holds.
    assert!(
        bare_cpython(&site, program).contains("the loop saw: (8, 8) (7, 7)"),
        "the collector no longer runs inside numpy's loop in bare CPython: the test proves nothing"
    );
}

/// Red-team round 23: numpy.ma's print-option class was let into object arrays by type, and
/// an instance the program made held the program's object; numpy freeing it when it
/// overwrote the element ran the program's `__del__` inside `a[idx] = v`, after numpy checked
/// `idx` and before it read it again (an out-of-bounds write of object pointers, turned into
/// the real builtins). Only numpy's own print option is let in now, by identity, and its
/// display is only ever a `str`.
#[test]
fn packages_numpy_round_twenty_three_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    let prelude = "import numpy as np\nMPO = type(np.ma.masked_print_option)\n\
                   a = np.empty(8, dtype=object)\nidx = np.arange(8, dtype=np.intp)\n\
                   class P:\n    def __del__(self):\n        idx[1:] = 10**7\n";
    for (entry, needle) in [
        (
            // An instance the program makes (its display must be a str since round 24).
            "a[0] = MPO('x')",
            "numpy object arrays in the sandbox hold only numbers",
        ),
        (
            "a[0] = MPO(P())",
            "the masked print option's display must be a str",
        ),
        (
            "np.ma.masked_print_option.set_display(P())",
            "the masked print option's display must be a str",
        ),
    ] {
        let out = run(
            &site,
            &format!("{prelude}{entry}\nvals = np.empty(8, dtype=object)\nvals[:] = 7\na[idx] = vals\nprint(a)\n"),
        );
        // Refused where the program object would have entered (the object, freed with
        // the error, runs its `__del__` there, outside any loop): `a[idx] = vals` never ran.
        out.assert_code(6).assert_stderr_contains(needle);
        assert!(
            !out.stderr().contains("a[idx] = vals") && !out.stdout().contains("[7 7"),
            "{entry}: {}",
            out.explain()
        );
    }
    let program = "import numpy as np\nnp.ma.masked_print_option.set_display('??')\n\
                   m = np.ma.masked_array([1, 2, 3], mask=[0, 1, 0])\nprint(m, m.sum(), str(np.ma.masked_print_option))\n";
    assert_like_cpython(&site, program);
}

/// Red-team round 24, two full escapes through `s[idx] = vals` (numpy checks the index
/// array, then reads it again in its loop): numpy.ma's print option ran Python per element
/// of the cast (`__str__`), where the program's object (re-set through `__init__`) or a second
/// program thread rewrote the index array; and numpy runs that loop without the interpreter,
/// where a second thread can always run. Its `__str__`/`__repr__` are C callables now and
/// its display an exact `str`; with packages listed the program has one thread.
#[test]
fn packages_numpy_round_twenty_four_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    for (program, needle) in [
        (
            "import numpy as np\nclass P:\n    pass\nnp.ma.masked_print_option.__init__(P())\n",
            "the masked print option's display must be a str",
        ),
        (
            "def racer():\n    pass\ncreatethread(racer)\n",
            "createthread is not available while the restrictions list packages",
        ),
    ] {
        assert_raises(&site, program, needle);
    }
    // The option still prints as numpy.ma's, and a cast of an array holding it works.
    let program = "import numpy as np\nopt = np.ma.masked_print_option\n\
                   print(str(opt), repr(opt), opt.display(), opt.enabled())\n\
                   v = np.empty(3, dtype=object)\nv[:] = opt\nprint(v.astype('S4'), v.astype(str))\n\
                   opt.__init__('<>')\nprint(np.ma.masked_array([5, 6], mask=[1, 0]))\n";
    assert_like_cpython(&site, program);
}

/// Red-team round 25: a finalizer the collector found ran at the first bytecode boundary
/// after the collection, which lay inside numpy's C loop: object `np.gcd.at` calls numpy's
/// own Python `_gcd` per element, after checking the index array it reads again for the next
/// one, and the program's `__del__` rewrote it there (out of bounds: a full escape). Queued
/// finalizers now run only in a frame of the program's own code: the loop sees the indices
/// it checked (`a[7]` untouched), and the finalizer runs later.
#[test]
fn packages_numpy_round_twenty_five_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    // 750 tuples built in one expression (no bytecode boundary between them) start a
    // collection inside the argument list of `np.gcd.at`, just before its loop.
    let garbage: Vec<String> = (0..750).map(|i| format!("T25 + ({i},)")).collect();
    let program = format!(
        "import numpy as np\nT25 = tuple(range(25))\nstate = {{'phase': None}}\n\
         class G:\n    def __del__(self):\n        if state['phase'] == 'g':\n            \
         state['idx'][1:] = 7\n        print('finalizer ran in phase', state['phase'])\n\
         a = np.empty(10, dtype=object)\na[:] = 9.0\nidx = np.zeros(8, dtype=np.intp)\n\
         vals = np.empty(8, dtype=object)\nvals[:] = 6.0\nstate['idx'] = idx\nstate['phase'] = 'g'\n\
         g = G()\ng.me = g\ndel g\n\
         np.gcd.at(a, idx, ([{}], vals)[1])\nstate['phase'] = 'after'\n\
         print('a[7] =', a[7], 'a[0] =', a[0])\n",
        garbage.join(", ")
    );
    let out = run(&site, &program);
    out.assert_code(0);
    assert!(
        out.stdout().contains("a[7] = 9.0 a[0] = 3.0"),
        "{}",
        out.explain()
    );
    assert!(
        !out.stdout().contains("finalizer ran in phase g"),
        "{}",
        out.explain()
    );
}

/// Red-team round 26: a StringDType field inside a structured dtype (numpy 2.4.6 refused only
/// the list-of-tuples spelling) let `a.flat = a[:1]` copy raw string pointers between
/// elements: any address read and written, the real builtins (fixed upstream after 2.4.6).
/// numpy makes no StringDType instance in the sandbox, whatever the spelling (its `tp_new`
/// refuses, and the class is not exported); fixed-width strings work as in CPython.
#[test]
fn packages_numpy_round_twenty_six_escapes_fail() {
    let Some(site) = numpy_site_packages() else {
        return;
    };
    for dtype in [
        "{'names': ['a', 'b'], 'formats': ['T', 'i4']}",
        "'T,i4'",
        "('T', (2,))",
    ] {
        assert_raises(
            &site,
            &format!(
                "import numpy as np\na = np.zeros(3, dtype={dtype})\na.flat = a[:1]\nprint(a)\n"
            ),
            "not understood",
        );
    }
    // The class is not exported (as a dtype, numpy 2.4.6 would use an instance it could not
    // make without checking: a crash); no other way makes an instance.
    for program in [
        "import numpy as np\nprint(np.zeros(2, dtype=np.dtypes.StringDType))\n",
        "from numpy.dtypes import StringDType\n",
    ] {
        assert_raises(&site, program, "StringDType");
    }
    for program in [
        "import numpy as np\na = np.zeros(3, dtype='T,i4')\nprint(a.byteswap())\n",
        "import numpy as np\nprint(np.array([b'\\xff'], dtype='S1').astype('T'))\n",
    ] {
        assert_raises(&site, program, "not understood");
    }
    assert_like_cpython(
        &site,
        "import numpy as np\na = np.zeros(2, dtype=[('name', 'U8'), ('n', 'i4')])\n\
         a[0] = ('ab', 3)\na.flat = a[:1]\nprint(a, np.strings.upper(a['name']), a.astype('O'))\n",
    );
}
