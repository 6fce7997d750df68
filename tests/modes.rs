//! `repy eval` and `repy call`: values in and out as JSON, fresh vessels, the outcome as
//! JSON, and every refusal a clear error rather than a crash.

use serde_json::{json, Value};

use crate::support::{run_binary, RunOutput, Sandbox, PERMISSIVE, REPY};

/// Runs `repy WORDS...` in the sandbox's directory (its restrictions file written first).
fn repy(sb: &Sandbox, words: &[&str]) -> RunOutput {
    std::fs::write(sb.path().join("restrictions.toml"), PERMISSIVE).expect("write policy");
    let args: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    run_binary(REPY, sb.path(), &args, &[])
}

/// The value `repy eval --expr` prints for `expression`, parsed.
fn eval_value(expression: &str) -> Value {
    let sb = Sandbox::new();
    // `--code=` so that an expression starting with `-` is not taken for an option.
    let code = format!("--code={expression}");
    let out = repy(&sb, &["eval", "restrictions.toml", "--expr", &code]);
    out.assert_code(0);
    serde_json::from_str(out.stdout().trim()).unwrap_or_else(|e| panic!("{e}: {}", out.explain()))
}

/// The whole outcome `--json` prints.
fn outcome(out: &RunOutput) -> Value {
    serde_json::from_str(out.stdout().trim())
        .unwrap_or_else(|e| panic!("outcome is not JSON ({e}): {}", out.explain()))
}

#[test]
fn modes_eval_runs_code_from_the_command_line_in_a_fresh_vessel() {
    let sb = Sandbox::new();
    let out = repy(
        &sb,
        &[
            "eval",
            "restrictions.toml",
            "-c",
            "f = openfile('made.txt', True)\nf.writeat('x', 0)\nf.close()\nlog(listfiles(), callargs, '\\n')",
            "a1",
            "a2",
        ],
    );
    out.assert_code(0)
        .assert_stdout("['made.txt'] ['a1', 'a2'] \n");
    // The file went into the job's own vessel, which is gone; the directory repy ran in has
    // nothing new.
    assert!(!sb.path().join("made.txt").exists());
}

#[test]
fn modes_eval_cwd_chooses_the_vessel() {
    let sb = Sandbox::new();
    let vessel = tempfile::tempdir().expect("vessel");
    let dir = vessel.path().to_str().expect("utf-8");
    let out = repy(
        &sb,
        &[
            "eval",
            "--cwd",
            dir,
            &sb.path().join("restrictions.toml").display().to_string(),
            "-c",
            "openfile('kept.txt', True).close()",
        ],
    );
    out.assert_code(0);
    assert!(vessel.path().join("kept.txt").exists());
}

#[test]
fn modes_eval_expr_returns_every_json_type() {
    assert_eq!(eval_value("None"), Value::Null);
    assert_eq!(eval_value("1 == 1"), json!(true));
    assert_eq!(
        eval_value("-(2 ** 200)").to_string(),
        format!("-{}", num_big_2_200())
    );
    assert_eq!(eval_value("0.1 + 0.2"), json!(0.30000000000000004));
    assert_eq!(
        eval_value("[float('inf'), -float('inf'), float('nan')]"),
        json!(["Infinity", "-Infinity", "NaN"])
    );
    assert_eq!(eval_value("'héllo ✓'"), json!("héllo ✓"));
    assert_eq!(eval_value("(1, [2, (3,)])"), json!([1, [2, [3]]]));
    assert_eq!(
        eval_value("{'b': {'c': []}, 'a': 1}"),
        json!({"a": 1, "b": {"c": []}})
    );
}

/// 2**200 in decimal.
fn num_big_2_200() -> String {
    "1606938044258990275541962092341162602522202993782792835301376".to_owned()
}

#[test]
fn modes_eval_expr_refuses_statements_and_checks_the_expression() {
    let sb = Sandbox::new();
    let out = repy(&sb, &["eval", "restrictions.toml", "--expr", "-c", "x = 1"]);
    out.assert_code(5)
        .assert_stderr_contains("not one expression");
    assert!(out.stdout().is_empty());
    // The expression is checked like any program: a dunder walk is refused before it runs.
    let out = repy(
        &sb,
        &[
            "eval",
            "restrictions.toml",
            "--expr",
            "-c",
            "().__class__.__bases__",
        ],
    );
    out.assert_code(5).assert_stderr_contains("__class__");
    assert!(out.stdout().is_empty());
}

const PROGRAM: &str = r#"
calls = []

def echo(*args, **kwargs):
    calls.append(1)
    return [list(args), kwargs, len(calls)]

def returns(kind):
    class Sub(int):
        pass
    values = {
        "set": {1, 2},
        "bytes": b"x",
        "object": object(),
        "int-subclass": Sub(3),
        "int-key": {1: "a"},
        "nested-set": [1, {"k": {2}}],
        "huge": "x" * (9 * 1024 * 1024),
    }
    return values[kind]

def fails():
    raise ValueError("as planned")
"#;

/// Runs `repy call [--json] restrictions.toml program.py FUNCTION EXTRA...`.
fn call(function: &str, extra: &[&str]) -> RunOutput {
    let sb = Sandbox::new().file("program.py", PROGRAM);
    let mut words = vec![
        "call",
        "--json",
        "restrictions.toml",
        "program.py",
        function,
    ];
    words.extend(extra);
    repy(&sb, &words)
}

#[test]
fn modes_call_round_trips_every_json_type_through_arguments() {
    let args = json!([
        null,
        true,
        false,
        0,
        -17,
        123456789012345678901234567890_u128,
        1.5,
        -0.0,
        "text ✓",
        [1, [2, []]],
        {"k": {"n": null}}
    ]);
    let kwargs = json!({"big": -98765432109876543210_i128, "list": ["a"]});
    let out = call(
        "echo",
        &["--args", &args.to_string(), "--kwargs", &kwargs.to_string()],
    );
    out.assert_code(0);
    let outcome = outcome(&out);
    assert_eq!(outcome["verdict"], "finished");
    assert_eq!(outcome["value"], json!([args, kwargs, 1]));
    assert_eq!(outcome["report"]["mode"], "call");
    assert_eq!(outcome["report"]["function"], "echo");
}

#[test]
fn modes_call_refuses_values_json_cannot_carry_naming_the_type() {
    for (kind, named) in [
        ("set", "'set' at value"),
        ("bytes", "'bytes' at value"),
        ("object", "'object' at value"),
        ("int-subclass", "'Sub' at value"),
        ("int-key", "key of type 'int'"),
        ("nested-set", "'set' at value[1][\"k\"]"),
        ("huge", "bytes"),
    ] {
        let out = call("returns", &["--args", &json!([kind]).to_string()]);
        out.assert_code(6);
        let outcome = outcome(&out);
        assert_eq!(outcome["verdict"], "uncaught-exception", "{kind}");
        assert_eq!(outcome["value"], Value::Null, "{kind}");
        let stderr = outcome["stderr"].as_str().expect("stderr");
        assert!(stderr.contains("TypeError"), "{kind}: {stderr}");
        assert!(stderr.contains(named), "{kind}: {stderr}");
        assert_eq!(
            outcome["report"]["exception"]["class"], "TypeError",
            "{kind}"
        );
    }
}

#[test]
fn modes_call_reports_a_missing_function_and_an_exception_as_uncaught() {
    let out = call("absent", &[]);
    out.assert_code(6);
    let missing = outcome(&out);
    assert_eq!(missing["report"]["exception"]["class"], "NameError");
    assert!(missing["stderr"]
        .as_str()
        .expect("stderr")
        .contains("'absent'"));
    let out = call("fails", &[]);
    out.assert_code(6);
    let failed = outcome(&out);
    let stderr = failed["stderr"].as_str().expect("stderr");
    assert!(stderr.contains("in fails"), "{stderr}");
    assert!(stderr.contains("as planned"), "{stderr}");
}

#[test]
fn modes_call_refuses_malformed_arguments_before_anything_runs() {
    let sb = Sandbox::new().file(
        "program.py",
        "openfile('ran.txt', True).close()\ndef f():\n    return 1\n",
    );
    for (option, text, message) in [
        ("--args", "{", "--args is not valid JSON"),
        ("--args", "{}", "--args must be a JSON array, not an object"),
        (
            "--kwargs",
            "[1]",
            "--kwargs must be a JSON object, not an array",
        ),
    ] {
        let out = repy(
            &sb,
            &[
                "call",
                "--cwd",
                ".",
                "restrictions.toml",
                "program.py",
                "f",
                option,
                text,
            ],
        );
        out.assert_code(4).assert_stderr_contains(message);
        assert!(!sb.path().join("ran.txt").exists(), "the program ran");
    }
}

#[test]
fn modes_call_checks_the_whole_program_before_calling() {
    let sb = Sandbox::new().file("program.py", "def f():\n    return ().__class__\n");
    let out = repy(&sb, &["call", "restrictions.toml", "program.py", "f"]);
    out.assert_code(5).assert_stderr_contains("__class__");
    assert!(out.stdout().is_empty());
}

#[test]
fn modes_call_without_json_prints_the_value_after_the_output() {
    let sb = Sandbox::new().file(
        "program.py",
        "def f(n):\n    log('computing\\n')\n    return {'n': n * 2}\n",
    );
    let out = repy(
        &sb,
        &[
            "call",
            "restrictions.toml",
            "program.py",
            "f",
            "--args",
            "[21]",
        ],
    );
    out.assert_code(0).assert_stdout("computing\n{\"n\":42}\n");
}

#[test]
fn modes_leave_no_temporary_vessel_behind() {
    let sb = Sandbox::new();
    let temp = tempfile::tempdir().expect("TMPDIR");
    std::fs::write(sb.path().join("restrictions.toml"), PERMISSIVE).expect("policy");
    let args: Vec<String> = [
        "eval",
        "restrictions.toml",
        "-c",
        "openfile('x', True).close()",
    ]
    .iter()
    .map(|w| w.to_string())
    .collect();
    let tmpdir = temp.path().display().to_string();
    run_binary(REPY, sb.path(), &args, &[("TMPDIR".into(), tmpdir)]).assert_code(0);
    let left: Vec<_> = std::fs::read_dir(temp.path()).expect("list").collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
