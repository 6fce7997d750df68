//! Profiles through the binary: `repy restrictions check` and `convert` on files that select
//! one, the report's `profile`, python-profile runs (a stdin exercise compared with bare
//! CPython, the stdin total, a listed module this build does not ship), `--stdin` refused
//! under `repyv2`, and `repy check --profile`.

use crate::support::{run_repy, RunOutput, Sandbox};

/// A program that leaves a canary file in the vessel and prints: proof that it ran.
const CANARY: &str = "openfile('canary', True).close()\nlog('ran\\n')\n";

/// A valid `python` profile policy.
const PYTHON: &str = "profile = \"python\"\n\n[resources]\nmemory = \"200 MB\"\nstdin = \"1 MB\"\n\
                      stdinrate = \"100 kB/s\"\n";

fn words(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// Runs `repy ARGS` in a fresh vessel holding `r.toml` (`policy`) and `p.py` ([`CANARY`]).
fn repy_in_vessel(policy: &str, args: &[&str]) -> (Sandbox, RunOutput) {
    let sb = Sandbox::new();
    std::fs::write(sb.path().join("r.toml"), policy).expect("write restrictions");
    std::fs::write(sb.path().join("p.py"), CANARY).expect("write program");
    let out = run_repy(sb.path(), &words(args), &[]);
    (sb, out)
}

/// Asserts the run was a usage error (exit 4) with `message` and that nothing ran.
fn assert_refused_before_running(sb: &Sandbox, out: &RunOutput, message: &str) {
    out.assert_code(4).assert_stderr_contains(message);
    assert!(
        !out.stdout().contains("ran") && !out.stderr().contains("panicked"),
        "{}",
        out.explain()
    );
    assert!(
        !sb.path().join("canary").exists(),
        "the program ran: {}",
        out.explain()
    );
}

#[test]
fn profiles_restrictions_check_accepts_a_python_policy() {
    let (_, out) = repy_in_vessel(PYTHON, &["restrictions", "check", "r.toml"]);
    out.assert_code(0).assert_stdout_contains("r.toml: valid");
}

/// (what is wrong, file contents, expected `line:col: error: key: message`)
const BROKEN: &[(&str, &str, &str)] = &[
    (
        "unknown profile",
        "profile = \"pyton\"\n[resources]\n",
        "r.toml:1:11: error: profile: unknown profile \"pyton\": use `repyv2` or `python` \
         (did you mean `python`?)",
    ),
    (
        "[python] without the python profile",
        "[resources]\ncpu = 0.5\n\n[python]\nmodules = [\"math\"]\n",
        "r.toml:4:2: error: python: the `[python]` table holds the python profile's settings",
    ),
    (
        "bad module name",
        "profile = \"python\"\n[resources]\n[python]\nmodules = [\"math\", \"random._os\"]\n",
        "r.toml:4:20: error: modules: `random._os` is private",
    ),
    (
        "a module this build does not ship",
        "profile = \"python\"\n[resources]\n[python]\nmodules = [\"math\", \"os\"]\n",
        "r.toml:4:20: error: modules: `os` is not a module this build provides",
    ),
    (
        "bad unit for stdin",
        "profile = \"python\"\n[resources]\nstdin = \"1 KB\"\n",
        "r.toml:3:9: error: stdin: unknown unit `KB`",
    ),
    (
        "stdinrate without /s",
        "profile = \"python\"\n[resources]\nstdinrate = \"10 kB\"\n",
        "r.toml:3:13: error: stdinrate: a rate needs a `/s` suffix",
    ),
    (
        "stdin under repyv2",
        "[resources]\nstdin = \"1 MB\"\n",
        "r.toml:2:1: error: stdin: this resource is in force only under the python profile",
    ),
    (
        "unknown key in [python]",
        "profile = \"python\"\n[resources]\n[python]\nmodule = [\"math\"]\n",
        "r.toml:4:1: error: module: unknown key in `[python]` (did you mean `modules`?)",
    ),
];

/// Each broken profile file is refused by `restrictions check` and by a run alike, with its
/// line, column and key, exit 3, and nothing runs.
#[test]
fn profiles_broken_files_are_refused_by_check_and_run() {
    let mut failures = Vec::new();
    for (what, text, expected) in BROKEN {
        let (_, check) = repy_in_vessel(text, &["restrictions", "check", "r.toml"]);
        let (sb, run) = repy_in_vessel(text, &["r.toml", "p.py"]);
        for (how, out) in [("restrictions check", &check), ("run", &run)] {
            let ok = out.code() == Some(3)
                && out.stderr().contains(expected)
                && !out.stdout().contains("valid")
                && !out.stdout().contains("ran")
                && !out.stderr().contains("panicked");
            if !ok {
                failures.push(format!(
                    "{what} ({how}): expected exit 3 and {expected:?}\n{}",
                    out.explain()
                ));
            }
        }
        if sb.path().join("canary").exists() {
            failures.push(format!("{what}: the program ran"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn profiles_legacy_file_cannot_select_a_profile() {
    let (_, out) = repy_in_vessel(
        "resource cpu .5\nresource memory 100000000\nresource diskused 1000000\n\
         resource events 5\nprofile python\n",
        &["restrictions", "check", "r.toml"],
    );
    out.assert_code(3)
        .assert_stderr_contains("r.toml:5:1: error: a RepyV2 legacy file cannot select a profile");
}

/// `restrictions convert` keeps the profile, the stdin limits and `[python]`, and the result
/// is a valid file with the same policy.
#[test]
fn profiles_convert_keeps_them() {
    // `convert` keeps `[python]` as written, modules included (that this build ships none
    // is for `restrictions check` and runs to say).
    let with_modules = format!("{PYTHON}\n[python]\nmodules = [\"math\", \"json\"]\n");
    let (sb, out) = repy_in_vessel(&with_modules, &["restrictions", "convert", "r.toml"]);
    out.assert_code(0)
        .assert_stdout_contains("\nprofile = \"python\"\n")
        .assert_stdout_contains("\nstdin = \"1 MB\"\n")
        .assert_stdout_contains("\nstdinrate = \"100 kB/s\"\n")
        .assert_stdout_contains("\n[python]\n")
        .assert_stdout_contains("\nmodules = [\"json\", \"math\"]\n");
    let (sb2, out) = repy_in_vessel(PYTHON, &["restrictions", "convert", "r.toml"]);
    out.assert_code(0);
    std::fs::write(sb2.path().join("converted.toml"), out.stdout()).expect("write");
    run_repy(
        sb2.path(),
        &words(&["restrictions", "check", "converted.toml"]),
        &[],
    )
    .assert_code(0);
    let converted = ::restrictions::Restrictions::load(&sb2.path().join("converted.toml"))
        .expect("the converted file loads");
    let original = ::restrictions::Restrictions::parse(PYTHON.as_bytes(), "r.toml").expect("valid");
    assert!(converted.same_limits(&original));
    drop(sb);
}

/// A policy that lists a module this build does not ship is refused by name when it is
/// validated, by `restrictions check` and by a run alike, before anything runs.
#[test]
fn profiles_python_policy_listing_a_module_is_refused_by_name() {
    let policy = format!("{PYTHON}\n[python]\nmodules = [\"os\"]\n");
    let (_, out) = repy_in_vessel(&policy, &["restrictions", "check", "r.toml"]);
    out.assert_code(3)
        .assert_stderr_contains("`os` is not a module this build provides");
    let (sb, out) = repy_in_vessel(&policy, &["r.toml", "p.py"]);
    out.assert_code(3);
    assert!(!sb.path().join("canary").exists(), "{}", out.explain());
}

/// An ordinary stdin-driven exercise runs under the python profile and prints exactly what
/// bare CPython 3.11 prints on the same input.
#[test]
fn profiles_python_runs_a_stdin_exercise_like_cpython() {
    let program = r#"
class Shape:
    def __init__(self, name):
        self._name = name
    @property
    def name(self):
        return self._name
    def area(self):
        return 0
    def __str__(self):
        return "%s with area %.2f" % (self.name, self.area())

class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w, self.h = w, h
    def area(self):
        return self.w * self.h
    @staticmethod
    def square(side):
        return Rect(side, side)
    @classmethod
    def unit(cls):
        return cls(1, 1)

def main():
    n = int(input())
    total = 0
    for _ in range(n):
        w, h = map(int, input().split())
        shape = Rect(w, h)
        total += shape.area()
        print(shape)
    print("total", total, sep=": ", end="!\n", flush=True)
    print(Rect.square(3), Rect.unit(), sep=" | ", file=None)
    print(type(total).__name__, main.__name__)
    try:
        input("no more> ")
    except EOFError:
        print("EOF at the end")

if __name__ == "__main__":
    main()
"#;
    let input = "3\n2 3\n4 5\n10 1\n";
    let sb = Sandbox::new().restrictions(PYTHON).program(program);
    std::fs::write(sb.caller().join("input.txt"), input).expect("input");
    let stdin = sb.caller().join("input.txt");
    let sb = sb.option("--stdin").option(stdin.to_str().expect("utf-8"));
    let out = sb.run(&[]);
    out.assert_code(0);
    let expected = bare_cpython(program, input);
    assert_eq!(out.stdout(), expected, "{}", out.explain());
}

/// What bare CPython 3.11 (the interpreter repy links) prints for `program` on `input`.
pub(crate) fn bare_cpython(program: &str, input: &str) -> String {
    crate::support::cpython_stdout(
        crate::support::bare_cpython().args(["-c", program]),
        Some(input.as_bytes()),
    )
}

/// The policy's `stdin` total cuts the input: the program reads end of file there, and the
/// report says so.
#[test]
fn profiles_python_stdin_total_ends_the_input() {
    let policy = "profile = \"python\"\n[resources]\nstdin = 6\n";
    let program = "lines = []\ntry:\n    while True:\n        lines.append(input())\nexcept EOFError:\n    print(lines)\n";
    let sb = Sandbox::new()
        .restrictions(policy)
        .program(program)
        .caller_option("--report", "report.json");
    std::fs::write(sb.caller().join("input.txt"), "abc\ndef\nghi\n").expect("input");
    let stdin = sb.caller().join("input.txt");
    let sb = sb.option("--stdin").option(stdin.to_str().expect("utf-8"));
    let out = sb.run(&[]);
    out.assert_code(0).assert_stdout("['abc', 'de']\n");
    let report = sb.caller_report();
    assert_eq!(report["profile"], "python");
    assert_eq!(report["stdin_bytes"], 6);
    assert_eq!(report["stdin_truncated"], true);
}

/// The report names the profile of every run: `repyv2` for a file that names none, and
/// null when the policy did not load. A `repyv2` report lists none of the python profile's
/// resources.
#[test]
fn profiles_report_names_the_profile() {
    let sb = Sandbox::new()
        .program("log('x')\n")
        .caller_option("--report", "report.json");
    sb.run(&[]).assert_code(0).assert_stdout("x");
    let report = sb.caller_report();
    assert_eq!(report["profile"], "repyv2", "{report}");
    let limits = report["limits"].as_object().expect("limits");
    assert!(
        !limits.contains_key("stdin") && !limits.contains_key("stdinrate"),
        "{report}"
    );
    assert!(report["renewable"].get("stdinrate").is_none(), "{report}");
    assert!(report["renewable"].get("lograte").is_some(), "{report}");

    let sb = Sandbox::new()
        .restrictions("profile = \"repyv2\"\n[resources]\n")
        .program("log('x')\n")
        .caller_option("--report", "report.json");
    sb.run(&[]).assert_code(0);
    assert_eq!(sb.caller_report()["profile"], "repyv2");

    let sb = Sandbox::new()
        .restrictions("profile = \"pyton\"\n[resources]\n")
        .program("log('x')\n")
        .caller_option("--report", "report.json");
    sb.run(&[]).assert_code(3);
    let report = sb.caller_report();
    assert!(report["profile"].is_null(), "{report}");
}

/// `--stdin` needs the python profile: under `repyv2` (named or by default, or a legacy
/// file) it is a usage error naming the profile key, and nothing runs.
#[test]
fn profiles_stdin_is_refused_under_repyv2() {
    let sb = Sandbox::new()
        .program(CANARY)
        .file("input.txt", "3\n4\n")
        .option("--stdin")
        .option("input.txt")
        .caller_option("--report", "report.json");
    let out = sb.run(&[]);
    // The caller's relative path is made absolute against the directory repy started in.
    assert_refused_before_running(&sb, &out, "repy: --stdin '/");
    out.assert_stderr_contains(
        "input.txt' needs the python profile, and the restrictions file \
         'restrictions.toml' selects the repyv2 profile (`profile = \"repyv2\"`, the \
         default), whose programs read no standard input: set `profile = \"python\"` at its \
         top; nothing was run",
    );
    let report = sb.caller_report();
    assert_eq!(report["verdict"], "usage-error", "{report}");
    assert_eq!(report["profile"], "repyv2", "{report}");

    let (sb, out) = repy_in_vessel(
        "resource cpu .5\nresource memory 100000000\nresource diskused 10000000\n\
         resource events 5\nresource lograte 1000\nresource filesopened 5\n\
         resource filewrite 10000\n",
        &["--stdin", "r.toml", "r.toml", "p.py"],
    );
    assert_refused_before_running(&sb, &out, "RepyV2's legacy format");

    let (sb, out) = repy_in_vessel(
        "[resources]\n",
        &[
            "eval", "--cwd", ".", "--stdin", "r.toml", "r.toml", "-c", "log(1)",
        ],
    );
    assert_refused_before_running(&sb, &out, "needs the python profile");
    assert!(!out.stdout().contains('1'), "{}", out.explain());
}

/// Under the python profile, `--stdin` names a file repy must be able to read.
#[test]
fn profiles_stdin_file_must_be_readable() {
    let (sb, out) = repy_in_vessel(PYTHON, &["--stdin", "missing.txt", "r.toml", "p.py"]);
    assert_refused_before_running(&sb, &out, "cannot read the standard input file");
    assert!(out.stderr().contains("missing.txt"), "{}", out.explain());
}

/// `repy check --profile`: `repyv2` checks as before; `python` checks with the python
/// profile's rules and the modules `--module` lists; `--module` is validated as a policy's
/// `modules` and needs `--profile python`.
#[test]
fn profiles_check_takes_a_profile() {
    let sb = Sandbox::new();
    let program = sb.path().join("m.py");
    std::fs::write(
        &program,
        "import math
log(str(math.floor(2.5)) + '\\n')
",
    )
    .expect("write program");
    let check = |args: &[&str]| {
        let mut argv = vec!["check"];
        argv.extend_from_slice(args);
        argv.push("m.py");
        run_repy(sb.path(), &words(&argv), &[])
    };
    // RepyV2 refuses every import, as before profiles.
    check(&[]).assert_code(5).assert_stdout_contains("m.py:1:");
    check(&["--profile", "repyv2"]).assert_code(5);
    // The python profile allows the modules listed, and only those.
    check(&["--profile", "python"])
        .assert_code(5)
        .assert_stdout_contains("math");
    check(&["--profile", "python", "--module", "math"]).assert_code(0);
    check(&["--profile", "python", "--module", "heapq,math"]).assert_code(0);
    check(&["--profile", "python", "--module", "heapq"]).assert_code(5);
    // A module this build does not ship: as a policy listing it, refused by name.
    check(&["--profile", "python", "--module", "inspect"])
        .assert_code(4)
        .assert_stderr_contains("`inspect` is not a module this build provides");
    // Usage errors: --module without the python profile, a name no policy could list, a
    // profile that does not exist.
    check(&["--module", "math"])
        .assert_code(4)
        .assert_stderr_contains("--module and --package list what the python profile may import");
    check(&["--package", "numpy"])
        .assert_code(4)
        .assert_stderr_contains("add --profile python");
    // A trusted package, as `[python] packages` lists it: its name's shape only.
    check(&["--profile", "python", "--package", "math"]).assert_code(0);
    check(&["--profile", "python", "--package", "numpy._core"])
        .assert_code(4)
        .assert_stderr_contains("--package:");
    check(&[
        "--profile",
        "python",
        "--module",
        "math",
        "--package",
        "math",
    ])
    .assert_code(4)
    .assert_stderr_contains("--package: `math` is given twice");
    check(&["--profile", "python", "--module", "random._os"])
        .assert_code(4)
        .assert_stderr_contains("--module: `random._os` is private");
    check(&[
        "--profile",
        "python",
        "--module",
        "math",
        "--module",
        "math",
    ])
    .assert_code(4)
    .assert_stderr_contains("`math` is given twice");
    check(&["--profile", "pyton"])
        .assert_code(4)
        .assert_stderr_contains("pyton");
}

/// `--stdin` and `--batch` exclude each other: a batch's calls are forks of one program.
#[test]
fn profiles_batch_takes_no_stdin() {
    let (sb, out) = repy_in_vessel(
        PYTHON,
        &[
            "call", "--cwd", ".", "--stdin", "r.toml", "r.toml", "p.py", "f", "--batch", "r.toml",
        ],
    );
    out.assert_code(4).assert_stderr_contains("--stdin");
    assert!(!sb.path().join("canary").exists(), "{}", out.explain());
}

/// Escape attempts through the python profile's guarded `getattr` and `hasattr`: every name
/// the checker would refuse as a static attribute read, built at run time, through an alias,
/// with a default, or as a `str` subclass, is refused at run time; plain names still work.
#[test]
fn profiles_python_getattr_and_hasattr_refuse_computed_unsafe_names() {
    let program = r#"
def gen():
    yield 1

class Box:
    def __init__(self):
        self._secret = "hidden"

class Name(str):
    pass

try:
    1 / 0
except ZeroDivisionError as caught:
    error = caught

g = gen()
box = Box()
fetch = getattr
attempts = [
    (fetch, box, "__cl" + "ass__"),
    (getattr, box, "__dict__"),
    (getattr, box, "_secret"),
    (getattr, box, "_Box__private"),
    (getattr, g, "gi_" + "frame"),
    (getattr, g, "gi_code"),
    (getattr, error, "__traceback__"),
    (getattr, gen, "__globals__"),
    (getattr, "{0.__class__}", "for" + "mat"),
    (getattr, "", "format_map"),
    (getattr, "x", "encode"),
    (getattr, Box, "mro"),
    (hasattr, box, "__dict__"),
    (hasattr, g, "gi_frame"),
    (hasattr, "", "format"),
]
refused = 0
for function, target, name in attempts:
    try:
        value = function(target, name)
    except Exception as err:
        refused += 1
    else:
        print("ESCAPED", name, value)
try:
    print("ESCAPED", getattr(box, "__class__", "default"))
except Exception:
    refused += 1
try:
    print("ESCAPED", getattr(box, Name("_secret")))
except TypeError:
    refused += 1
print("refused", refused, "of", len(attempts) + 2)
print(getattr(box, "missing", "default"), hasattr(g, "send"), getattr("a-b", "split")("-"))
"#;
    let out = Sandbox::new()
        .restrictions(PYTHON)
        .program(program)
        .run(&[]);
    out.assert_code(0)
        .assert_stdout("refused 17 of 17\ndefault True ['a', 'b']\n");
}
