//! The python profile's own `sys` (api/src/sys_module.rs), `SystemExit`, and the builtins and
//! attribute reads ordinary programs need (`format`, `ascii`, guarded `setattr`/`delattr`,
//! `obj.__class__`, special-method reads): each compared with bare CPython, and each escape
//! it could open shown closed, with the wall that stops it.

use crate::profiles::bare_cpython;
use crate::support::{RunOutput, Sandbox};

/// The python profile with `sys` listed, and room for stdin.
const POLICY: &str = "profile = \"python\"\n\n[resources]\nmemory = \"200 MB\"\nstdin = \"1 MB\"\n\
                      stdinrate = \"1 MB/s\"\n\n[python]\nmodules = [\"sys\", \"copy\"]\n";

/// Runs `program` on `input` under [`POLICY`].
fn run_with_input(program: &str, input: &str) -> RunOutput {
    let sb = Sandbox::new().restrictions(POLICY).program(program);
    std::fs::write(sb.caller().join("input.txt"), input).expect("input");
    let stdin = sb.caller().join("input.txt");
    sb.option("--stdin")
        .option(stdin.to_str().expect("utf-8"))
        .run(&[])
}

/// Asserts that `program` on `input` prints what bare CPython prints, and ends cleanly.
fn assert_like_cpython(program: &str, input: &str) {
    let out = run_with_input(program, input);
    out.assert_code(0);
    assert_eq!(
        out.stdout(),
        bare_cpython(program, input),
        "{}",
        out.explain()
    );
}

/// The fast-input idioms of competitive programs and course exercises.
#[test]
fn python_sys_stdin_idioms_like_cpython() {
    let input = "3\n1 2 3\n4 5 6\n7 8 9\nlast line\nrest\nof it\n";
    assert_like_cpython(
        "import sys\ninput = sys.stdin.readline\nn = int(input())\n\
         rows = [list(map(int, input().split())) for _ in range(n)]\n\
         sys.stdout.write(f\"{sum(map(sum, rows))}\\n\")\n\
         print(repr(sys.stdin.readline()), repr(sys.stdin.readline()))\n\
         print(sys.stdin.read().split(), repr(sys.stdin.readline()))\n",
        input,
    );
    assert_like_cpython(
        "import sys\nfor line in sys.stdin:\n    print(line.rstrip()[::-1])\n",
        "abc\ndef\n",
    );
    assert_like_cpython(
        "import sys\ndata = sys.stdin.buffer.read().split()\nprint(sum(map(int, data)))\n",
        "1 2\n3\n",
    );
    assert_like_cpython(
        "import sys\nprint(sys.stdin.readlines(), input() if False else 'x')\n",
        "a\nb\n",
    );
}

/// `sys.stdout`, `sys.stderr` (through `print(file=)` too), `argv`, the recursion limit, the
/// facts, and `sys.exit()`.
#[test]
fn python_sys_streams_argv_recursion_and_exit() {
    let sb = Sandbox::new().restrictions(POLICY).program(
        "import sys\nsys.stdout.write('out\\n')\nprint('err', file=sys.stderr)\n\
         sys.stderr.write('more err\\n')\nsys.stdout.buffer.write(b'bytes\\n')\n\
         print(sys.argv)\nsys.setrecursionlimit(10 ** 9)\nprint(sys.getrecursionlimit())\n\
         def depth(k):\n    return 0 if k == 0 else 1 + depth(k - 1)\nprint(depth(50000))\n\
         print(sys.maxsize == 2 ** 63 - 1, sys.version_info[:2], sys.platform)\n\
         sys.exit()\nprint('not reached')\n",
    );
    let out = sb.run(&["one", "two"]);
    out.assert_code(0).assert_stdout(
        "out\nbytes\n['program.py', 'one', 'two']\n1000000\n50000\nTrue (3, 11) linux\n",
    );
    assert!(
        out.stderr().contains("err\nmore err\n"),
        "{}",
        out.explain()
    );
}

/// `sys` is the sandbox's own: nothing of CPython's `sys` is reachable through it.
#[test]
fn python_sys_escapes_fail() {
    for (program, needle) in [
        // Proxy: names it does not export.
        (
            "import sys\nprint(sys.modules)\n",
            "has no attribute 'modules'",
        ),
        ("import sys\nprint(sys.path)\n", "has no attribute 'path'"),
        (
            "from sys import settrace\n",
            "cannot import name 'settrace'",
        ),
        // Private-attribute guard.
        (
            "import sys\nprint(sys._getframe)\n",
            "is private to code the sandbox trusts",
        ),
        (
            "import sys\nprint(sys.stdout._stream)\n",
            "is private to code the sandbox trusts",
        ),
    ] {
        run_with_input(program, "")
            .assert_code(6)
            .assert_stderr_contains(needle);
    }
    // Checker: dunder attributes of the streams (R201).
    run_with_input("import sys\nprint(sys.stdout.__dict__)\n", "")
        .assert_code(5)
        .assert_stderr_contains("R201");
}

/// `SystemExit` with no status or 0 ends a python-profile program cleanly, as CPython does;
/// any other status, a subclass, or a `SystemExit` in a thread stays an uncaught exception.
#[test]
fn python_sys_system_exit() {
    for program in [
        "print('bye')\nraise SystemExit\n",
        "print('bye')\nraise SystemExit(0)\n",
        "import sys\nprint('bye')\nsys.exit(0)\n",
    ] {
        run_with_input(program, "")
            .assert_code(0)
            .assert_stdout("bye\n");
    }
    for (program, needle) in [
        ("import sys\nsys.exit(3)\n", "SystemExit"),
        ("raise SystemExit('bad input')\n", "SystemExit"),
        (
            "class Quiet(SystemExit):\n    pass\nraise Quiet(0)\n",
            "Quiet",
        ),
    ] {
        run_with_input(program, "")
            .assert_code(6)
            .assert_stderr_contains(needle);
    }
}

/// `format`, `ascii`, `setattr`/`delattr`, `obj.__class__` and special-method reads, as
/// CPython.
#[test]
fn python_builtins_and_attribute_reads_like_cpython() {
    assert_like_cpython(
        "class P:\n    def __init__(self, **kw):\n        for k, v in kw.items():\n            setattr(self, k, v)\n\
         \x20   def __repr__(self):\n        return f'{self.__class__.__name__}({self.x})'\n\
         \x20   def __eq__(self, other):\n        return type(other) is P and self.x == other.x\n\
         p = P(x=3, y=4)\ndelattr(p, 'y')\nprint(p, hasattr(p, 'y'), p.__class__ is P, p.__class__.__qualname__)\n\
         print(format(255, '08b'), format(3.14159, '.2f'), format('x', '>4'), ascii('naïve'))\n\
         print((-3).__abs__(), complex(3, -4).__abs__(), [1, 2].__len__(), 'ab'.__contains__('a'))\n\
         class Q(P):\n    def __eq__(self, other):\n        return super().__eq__(other) or other == 'q'\n\
         print(Q(x=1) == 'q', p.__eq__(P(x=3)), P.__init__ is P.__init__)\n",
        "",
    );
}

/// What those widenings could open stays closed, each by the wall named.
#[test]
fn python_builtins_escapes_fail() {
    // Namespace: `obj.__class__` is the sandbox's `type(obj)`: for a class, the `type`
    // function, never the metaclass (no three-argument form).
    run_with_input(
        "class A:\n    pass\nT = A.__class__\ntry:\n    T('X', (), {})\nexcept TypeError as e:\n    print(e)\n",
        "",
    )
    .assert_code(0)
    .assert_stdout("type() in the sandbox takes exactly one argument\n");
    // Checker: `__class__` written, or read by a class pattern, and `__dict__` (R201).
    for program in [
        "class A:\n    pass\na = A()\na.__class__ = int\n",
        "match 1:\n    case object(__class__=k):\n        print(k)\n",
        "class A:\n    pass\nprint(A().__dict__)\n",
        "print((1).__add__.__self__)\n",
        "class A:\n    pass\nA.__eq__ = print\n",
    ] {
        run_with_input(program, "")
            .assert_code(5)
            .assert_stderr_contains("R201");
    }
    // Namespace: `setattr`/`delattr` take what `obj.name` could name, nothing else.
    for program in [
        "class A:\n    pass\nsetattr(A(), '__deepcopy__', print)\n",
        "class A:\n    pass\nsetattr(A, '_x', 1)\n",
        "class A:\n    pass\ndelattr(A, '__init__')\n",
    ] {
        run_with_input(program, "")
            .assert_code(6)
            .assert_stderr_contains("refuses the attribute name");
    }
    // `vars` stays a stub: it would hand out the real instance dict, where a program could
    // store a `__deepcopy__` hook that `copy` calls with its internal memo.
    run_with_input("class A:\n    pass\nprint(vars(A()))\n", "")
        .assert_code(6)
        .assert_stderr_contains("vars");
}
