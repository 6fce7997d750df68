//! Restrictions files through the binary: every broken file is refused with its line,
//! column and key, exit code 3, and nothing runs; the legacy format is detected.

use crate::support::{run_repy, Sandbox};

/// (what is wrong, file contents, expected `line:col` and key in the message)
const BROKEN: &[(&str, &[u8], &str)] = &[
    (
        "typo in a key",
        b"[resources]\ncpu = 0.5\nmemroy = \"1 MB\"\n",
        "r.toml:3:1: error: memroy: unknown resource (did you mean `memory`?)",
    ),
    (
        "wrong type",
        b"[resources]\nevents = \"many\"\n",
        "r.toml:2:10: error: events",
    ),
    (
        "negative rate",
        b"[resources]\nfilewrite = -5\n",
        "r.toml:2:13: error: filewrite",
    ),
    (
        "port out of range",
        b"[resources]\nconnport = [12345, 70000]\n",
        "r.toml:2:20: error: connport: port 70000",
    ),
    (
        "duplicate key",
        b"[resources]\ncpu = 0.5\ncpu = 0.6\n",
        "r.toml:3:1",
    ),
    (
        "fractional bytes",
        b"[resources]\nmemory = 1.5\n",
        "r.toml:2:10: error: memory",
    ),
    (
        "rate without /s",
        b"[resources]\nlograte = \"10 kB\"\n",
        "r.toml:2:11: error: lograte",
    ),
    (
        "unknown table",
        b"[resource]\ncpu = 0.5\n",
        "r.toml:1:2: error: resource",
    ),
    ("empty file", b"", "r.toml:1:1"),
    (
        "binary garbage",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe",
        "r.toml:1:",
    ),
    (
        "legacy missing mandatory",
        b"resource cpu .1\nresource memory 1000000\n",
        "r.toml:1:1: error: diskused",
    ),
    (
        "legacy duplicate resource",
        b"resource cpu .1\nresource cpu .2\nresource memory 1\nresource diskused 1\n",
        "r.toml:2:10: error: cpu",
    ),
    (
        "legacy unknown resource",
        b"resource cpu .1\nresource memory 1\nresource diskused 1\nresource evnets 5\n",
        "r.toml:4:10: error: evnets",
    ),
    (
        "legacy bad line",
        b"resource cpu .1\nresource memory 1\nresource diskused 1\nallow everything\n",
        "r.toml:4:1",
    ),
    (
        "legacy fractional item",
        b"resource cpu .1\nresource memory 1.5\nresource diskused 1\n",
        "r.toml:2:17: error: memory",
    ),
];

#[test]
fn restrictions_broken_files_are_refused_with_position_and_nothing_runs() {
    let mut failures = Vec::new();
    for (what, text, expected) in BROKEN {
        let sb = Sandbox::new();
        std::fs::write(sb.path().join("r.toml"), text).expect("write restrictions");
        std::fs::write(
            sb.path().join("p.py"),
            "openfile('canary', True).close()\nlog('ran')\n",
        )
        .expect("write program");
        let out = run_repy(sb.path(), &["r.toml".into(), "p.py".into()], &[]);
        let ok = out.code() == Some(3)
            && out.stderr().contains(expected)
            && out.stdout().is_empty()
            && !out.stderr().contains("panicked")
            && !sb.path().join("canary").exists();
        if !ok {
            failures.push(format!(
                "{what}: expected exit 3 and {expected:?}\n{}",
                out.explain()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn restrictions_check_subcommand_validates() {
    let sb = Sandbox::new();
    std::fs::write(sb.path().join("good.toml"), "[resources]\ncpu = 0.5\n").expect("write");
    std::fs::write(
        sb.path().join("bad.toml"),
        "[resources]\ncpu = -1\nevents = 1.5\n",
    )
    .expect("write");
    run_repy(
        sb.path(),
        &["restrictions".into(), "check".into(), "good.toml".into()],
        &[],
    )
    .assert_code(0);
    let out = run_repy(
        sb.path(),
        &["restrictions".into(), "check".into(), "bad.toml".into()],
        &[],
    );
    out.assert_code(3)
        .assert_stderr_contains("bad.toml:2:7")
        .assert_stderr_contains("bad.toml:3:10");
}

#[test]
fn restrictions_legacy_default_converts_to_equivalent_toml() {
    let legacy = crate::support::repo_root().join("tests/restrictions/restrictions.default");
    let sb = Sandbox::new();
    let out = run_repy(
        sb.path(),
        &[
            "restrictions".into(),
            "convert".into(),
            legacy.display().to_string(),
        ],
        &[],
    );
    out.assert_code(0);
    std::fs::write(sb.path().join("converted.toml"), out.stdout()).expect("write");
    // The converted policy runs a program, and grants exactly the legacy file's ports.
    std::fs::write(
        sb.path().join("p.py"),
        "s = listenforconnection('127.0.0.1', 63150)\ns.close()\ntry:\n    listenforconnection('127.0.0.1', 12345)\nexcept ResourceForbiddenError:\n    log('forbidden\\n')\n",
    )
    .expect("write");
    let run = run_repy(sb.path(), &["converted.toml".into(), "p.py".into()], &[]);
    run.assert_code(0).assert_stdout("forbidden\n");
    let run = run_repy(
        sb.path(),
        &[legacy.display().to_string(), "p.py".into()],
        &[],
    );
    run.assert_code(0).assert_stdout("forbidden\n");
}

/// `repy restrictions check` and a run validate with one function: a file that parses but
/// grants no `events` (given as 0, or left out of a legacy file, where that means 0) is
/// refused by both with exit 3 and the same message, naming the file, line and key.
#[test]
fn restrictions_check_refuses_what_a_run_refuses() {
    const LEGACY: &str = "resource cpu .5\nresource memory 100000000\nresource diskused 10000000\n";
    let cases: &[(&str, String, &str)] = &[
        (
            "r.legacy",
            LEGACY.to_string(),
            "r.legacy:1:1: error: events: missing: a RepyV2 file gives a resource left out 0",
        ),
        (
            "r.legacy",
            format!("{LEGACY}# none\nresource  events 0\n"),
            "r.legacy:5:18: error: events: must be at least 1",
        ),
        (
            "r.toml",
            "[resources]\ncpu = 0.5\nevents = 0\n".to_string(),
            "r.toml:3:10: error: events: must be at least 1",
        ),
    ];
    for (name, text, expected) in cases {
        let sb = Sandbox::new();
        std::fs::write(sb.path().join(name), text).expect("write");
        std::fs::write(sb.path().join("p.py"), "log('ran')\n").expect("write");
        let out = run_repy(
            sb.path(),
            &["restrictions".into(), "check".into(), (*name).into()],
            &[],
        );
        out.assert_code(3).assert_stderr_contains(expected);
        assert!(!out.stdout().contains("valid"), "{}", out.explain());
        let out = run_repy(sb.path(), &[(*name).into(), "p.py".into()], &[]);
        out.assert_code(3).assert_stderr_contains(expected);
        assert_eq!(out.stdout(), "", "the program ran: {}", out.explain());
    }
    // With `events`, the same legacy file is valid and runs.
    let sb = Sandbox::new();
    std::fs::write(
        sb.path().join("r.legacy"),
        format!("{LEGACY}resource events 1\nresource lograte 30000\n"),
    )
    .expect("write");
    std::fs::write(sb.path().join("p.py"), "log('ran')\n").expect("write");
    run_repy(
        sb.path(),
        &["restrictions".into(), "check".into(), "r.legacy".into()],
        &[],
    )
    .assert_code(0);
    run_repy(sb.path(), &["r.legacy".into(), "p.py".into()], &[])
        .assert_code(0)
        .assert_stdout("ran");
}
