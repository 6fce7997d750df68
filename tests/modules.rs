//! The python profile's modules through the binary: each shipped module used by a small
//! program that prints exactly what bare CPython 3.11 prints, an import of a module the policy
//! does not list refused by the checker, and the escapes through module proxies, each
//! stopped by the wall its test names (`docs/modules.md`).

use crate::support::{RunOutput, Sandbox};

/// A python-profile policy listing every module this build ships.
const POLICY: &str = "profile = \"python\"\n\n[resources]\nmemory = \"200 MB\"\n\n[python]\n\
                      modules = [\"math\", \"cmath\", \"itertools\", \"heapq\", \"bisect\"]\n";

/// The modules withdrawn after red-team round 9 (their pure-Python code handed trusted
/// objects to the program's operators): a policy listing any of them is refused by name.
const WITHDRAWN: &[&str] = &[
    "functools",
    "operator",
    "collections",
    "string",
    "copy",
    "random",
    "json",
    "re",
    "textwrap",
    "fractions",
];

/// Runs `program` under [`POLICY`].
fn run(program: &str) -> RunOutput {
    Sandbox::new()
        .restrictions(POLICY)
        .program(program)
        .run(&[])
}

/// What bare CPython 3.11 (the interpreter repy links) prints for `program`.
fn bare_cpython(program: &str) -> String {
    let python = std::path::Path::new(python_link::HOME).join("bin/python3.11");
    let out = std::process::Command::new(&python)
        .args(["-I", "-S", "-c", program])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    assert!(
        out.status.success(),
        "cpython failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Asserts that `program` finishes under repy printing what bare CPython prints.
fn assert_like_cpython(program: &str) {
    let out = run(program);
    out.assert_code(0);
    assert_eq!(out.stdout(), bare_cpython(program), "{}", out.explain());
}

/// Asserts that `program` ends with an uncaught exception (exit 6) whose text has `needle`.
fn assert_raises(program: &str, needle: &str) {
    run(program).assert_code(6).assert_stderr_contains(needle);
}

/// Asserts that the checker refuses `program` (exit 5) with `needle` in its message.
fn assert_refused(program: &str, needle: &str) {
    run(program).assert_code(5).assert_stderr_contains(needle);
}

#[test]
fn modules_math_cmath_itertools_like_cpython() {
    assert_like_cpython(
        "import math, cmath\nimport itertools as it\nfrom math import *\n\
         print(math.sqrt(2), math.floor(-2.5), math.gcd(12, 18), math.comb(10, 3), pi, inf)\n\
         print(cmath.sqrt(-4), cmath.polar(1j), math.isclose(0.1 + 0.2, 0.3))\n\
         print(list(it.combinations('abc', 2)), list(it.accumulate([1, 2, 3])))\n\
         print([k for k, _ in it.groupby('aabbbc')], list(it.islice(it.count(5), 3)))\n\
         print(math.__name__, sqrt(16))\n",
    );
}

#[test]
fn modules_heapq_bisect_like_cpython() {
    assert_like_cpython(
        "import heapq, bisect\n\
         h = [5, 1, 4]\nheapq.heapify(h)\nheapq.heappush(h, 0)\n\
         print(heapq.heappop(h), heapq.nlargest(2, [1, 5, 3]), heapq.nsmallest(2, [4, 2, 9]))\n\
         print(list(heapq.merge([1, 3], [2])), heapq.heappushpop(h, 7), h)\n\
         a = [1, 3, 5]\nbisect.insort(a, 4)\nprint(a, bisect.bisect_left(a, 3), bisect.bisect_right(a, 3))\n\
         print(bisect.bisect(a, 4, key=lambda x: x))\n",
    );
}

/// Red-team round 9 reached the real `sys` and `os` through `string.Template` and `re`
/// (a real `RegexFlag` member handed to a program's `__or__`/`__and__`, whose enum class
/// reads any module's globals): those modules, and every other pure-Python one, are
/// withdrawn; a policy listing one is refused by name, by a run before anything runs.
#[test]
fn modules_withdrawn_ones_are_refused_by_name() {
    for module in WITHDRAWN {
        let policy =
            format!("profile = \"python\"\n[resources]\n[python]\nmodules = [\"{module}\"]\n");
        let sb = Sandbox::new()
            .restrictions(&policy)
            .program("openfile('canary', True).close()\n");
        let out = sb.run(&[]);
        out.assert_code(3)
            .assert_stderr_contains(&format!("`{module}` is not a module this build provides"));
        assert!(
            !sb.path().join("canary").exists(),
            "{module}: the program ran"
        );
    }
}

/// A module the policy does not list is refused by the checker, naming the policy key.
#[test]
fn modules_unlisted_import_is_refused_by_the_checker() {
    let out = Sandbox::new()
        .restrictions("profile = \"python\"\n[resources]\n[python]\nmodules = [\"math\"]\n")
        .program("import json\n")
        .run(&[]);
    out.assert_code(5)
        .assert_stderr_contains("R301")
        .assert_stderr_contains("[python] modules");
}

/// `from __future__ import annotations` really imports `__future__` (through the namespace's
/// `__import__`), with no module listed.
#[test]
fn modules_future_annotations_runs() {
    let program = "from __future__ import annotations\n\
                   def f(x: Later) -> Later:\n    return x\nprint(f(3))\n";
    let out = Sandbox::new()
        .restrictions("profile = \"python\"\n[resources]\n")
        .program(program)
        .run(&[]);
    out.assert_code(0).assert_stdout("3\n");
}

/// Escapes through the proxies, each stopped by the wall its comment names.
#[test]
fn modules_escapes_fail() {
    // Proxy: a name the module does not export (AttributeError at run time).
    assert_raises(
        "import heapq\nprint(heapq._heapify_max)\n",
        "module 'heapq' has no attribute '_heapify_max'",
    );
    assert_raises(
        "import math\nm = math\nprint(m.nonexistent)\n",
        "module 'math' has no attribute 'nonexistent'",
    );
    // Checker: dunder attributes of a proxy (R201).
    assert_refused("import math\nprint(math.__loader__)\n", "R201");
    assert_refused("import math\nprint(math.__dict__)\n", "R201");
    // Checker: a private name imported (R302).
    assert_refused("from heapq import _siftdown\n", "R302");
}
