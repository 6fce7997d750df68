//! No program ends as `crashed`: a thread has the stack the recursion limit assumes, and a
//! stack overflow in any thread (CPython 3.11 recurses without a check in several C paths)
//! ends the run with the documented `stack-overflow` verdict, its exit code and a report.

use crate::support::{RunOutput, Sandbox};

/// Enough memory for 300,000 nested objects and the interpreter.
const POLICY: &str = "[resources]\ncpu = 1.0\nmemory = \"400 MB\"\ndiskused = \"100 MB\"\n";

/// Runs `program` with `--report`, returning the output and the report.
fn run_reported(program: &str) -> (RunOutput, serde_json::Value) {
    let sb = Sandbox::new()
        .restrictions(POLICY)
        .program(program)
        .caller_option("--report", "report.json");
    let out = sb.run(&[]);
    let report = sb.caller_report();
    (out, report)
}

/// Asserts that the run ended with the `stack-overflow` verdict, exit code 121.
fn assert_stack_overflow(program: &str) {
    let (out, report) = run_reported(program);
    out.assert_code(121)
        .assert_stderr_contains("repy: stack overflow");
    assert_eq!(report["verdict"], "stack-overflow", "{program}\n{report}");
    assert_eq!(report["exit_code"], 121, "{report}");
    assert_eq!(report["signal"], serde_json::Value::Null, "{report}");
}

/// Builds `depth` nested bound methods: `type(obj.method)` is the method type, and a method
/// of a method is a method.
const NESTED_METHODS: &str =
    "class A:\n    def f(self):\n        pass\nM = type(A().f)\ndef g():\n    return 1\n";

#[test]
fn stack_recursion_through_sorted_in_a_thread_is_a_recursion_error() {
    // The key function recurses through C (`sorted`), a few kB of C stack per level: a
    // 2 MiB thread stack overflowed before the recursion limit; the main thread's 8 MiB did not.
    let program = "def f(x):\n    return sorted([x], key=f)\ndef t():\n    try:\n        f(0)\n    except RecursionError:\n        log('RecursionError in the thread\\n')\ncreatethread(t)\n";
    let (out, report) = run_reported(program);
    out.assert_code(0)
        .assert_stdout("RecursionError in the thread\n");
    assert_eq!(report["verdict"], "finished", "{report}");
}

#[test]
fn stack_hash_of_nested_bound_methods_is_a_stack_overflow() {
    assert_stack_overflow(&format!(
        "{NESTED_METHODS}m = M(g, 1)\nfor i in range(300000):\n    m = M(m, 1)\nprint(hash(m))\n"
    ));
}

#[test]
fn stack_freeing_nested_callable_iterators_is_a_stack_overflow() {
    assert_stack_overflow(&format!(
        "{NESTED_METHODS}it = iter(g, None)\nfor i in range(300000):\n    it = iter(M(g, it), None)\nit = None\nprint('freed')\n"
    ));
}

#[test]
fn stack_next_of_nested_enumerate_zip_filter_is_a_stack_overflow() {
    for wrap in ["enumerate(e)", "zip(e)", "filter(None, e)"] {
        assert_stack_overflow(&format!(
            "e = [1]\nfor i in range(300000):\n    e = {wrap}\nprint(next(e))\n"
        ));
    }
}

#[test]
fn stack_overflow_in_a_thread_is_a_stack_overflow() {
    // The same in a `createthread` thread: its own guard region and alternate signal stack.
    assert_stack_overflow(
        "def t():\n    e = [1]\n    for i in range(300000):\n        e = enumerate(e)\n    next(e)\ncreatethread(t)\n",
    );
}
