//! Profiles through the binary: `repy restrictions check` and `convert` on files that select
//! one, the report's `profile`, a `python` profile run refused before anything runs (this
//! build has no python namespace yet), `--stdin` refused under `repyv2`, and
//! `repy check --profile`.

use crate::support::{run_repy, RunOutput, Sandbox};

/// A program that leaves a canary file in the vessel and prints: proof that it ran.
const CANARY: &str = "openfile('canary', True).close()\nlog('ran\\n')\n";

/// A valid `python` profile policy.
const PYTHON: &str = "profile = \"python\"\n\n[resources]\nmemory = \"200 MB\"\nstdin = \"1 MB\"\n\
                      stdinrate = \"100 kB/s\"\n\n[python]\nmodules = [\"math\", \"json\"]\n";

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
        "duplicate module",
        "profile = \"python\"\n[resources]\n[python]\nmodules = [\"math\", \"math\"]\n",
        "r.toml:4:20: error: modules: `math` is listed twice (first on line 4)",
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
    let (sb, out) = repy_in_vessel(PYTHON, &["restrictions", "convert", "r.toml"]);
    out.assert_code(0)
        .assert_stdout_contains("\nprofile = \"python\"\n")
        .assert_stdout_contains("\nstdin = \"1 MB\"\n")
        .assert_stdout_contains("\nstdinrate = \"100 kB/s\"\n")
        .assert_stdout_contains("\n[python]\n")
        .assert_stdout_contains("\nmodules = [\"json\", \"math\"]\n");
    std::fs::write(sb.path().join("converted.toml"), out.stdout()).expect("write");
    run_repy(
        sb.path(),
        &words(&["restrictions", "check", "converted.toml"]),
        &[],
    )
    .assert_code(0);
    let converted = ::restrictions::Restrictions::load(&sb.path().join("converted.toml"))
        .expect("the converted file loads");
    let original = ::restrictions::Restrictions::parse(PYTHON.as_bytes(), "r.toml").expect("valid");
    assert!(converted.same_limits(&original));
}

/// A run under the python profile ends before anything runs, with a usage error and a
/// report that names the profile; so do `eval` and `call`.
#[test]
fn profiles_python_run_is_refused_before_anything_runs() {
    let sb = Sandbox::new()
        .restrictions(PYTHON)
        .program(CANARY)
        .caller_option("--report", "report.json");
    let out = sb.run(&[]);
    assert_refused_before_running(
        &sb,
        &out,
        "repy: the python profile is not available in this build yet (the restrictions file \
         'restrictions.toml' selects `profile = \"python\"`); nothing was run",
    );
    let report = sb.caller_report();
    assert_eq!(report["profile"], "python", "{report}");
    assert_eq!(report["verdict"], "usage-error", "{report}");
    assert_eq!(report["exit_code"], 4, "{report}");
    assert_eq!(report["limits"]["stdin"], 1_000_000, "{report}");
    assert!(
        report.get("confinement").is_none(),
        "the sandbox started: {report}"
    );

    let message = "the python profile is not available in this build yet";
    let (sb, out) = repy_in_vessel(
        PYTHON,
        &[
            "eval",
            "--cwd",
            ".",
            "r.toml",
            "-c",
            "openfile('canary', True).close()",
        ],
    );
    assert_refused_before_running(&sb, &out, message);
    let (sb, out) = repy_in_vessel(PYTHON, &["call", "--cwd", ".", "r.toml", "p.py", "f"]);
    assert_refused_before_running(&sb, &out, message);
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
    check(&["--profile", "python", "--module", "json,math"]).assert_code(0);
    check(&["--profile", "python", "--module", "json"]).assert_code(5);
    // Usage errors: --module without the python profile, a name no policy could list, a
    // profile that does not exist.
    check(&["--module", "math"])
        .assert_code(4)
        .assert_stderr_contains("--module lists modules the python profile may import");
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
