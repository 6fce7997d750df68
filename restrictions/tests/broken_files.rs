//! Broken restrictions files: each reported problem's exact line, column and key.

use std::path::Path;

use restrictions::{PolicyError, Problem, Restrictions};

/// (line, column, key) of one expected problem, plus a fragment of its message.
type Expected<'a> = (usize, usize, Option<&'a str>, &'a str);

fn errors(bytes: &[u8]) -> PolicyError {
    match Restrictions::parse(bytes, "broken.toml") {
        Ok(policy) => panic!(
            "should be rejected:\n{}\ngot {policy:?}",
            String::from_utf8_lossy(bytes)
        ),
        Err(error) => error,
    }
}

/// Asserts the file produces exactly the `expected` problems, in order.
fn assert_problems(bytes: &[u8], expected: &[Expected<'_>]) -> Vec<Problem> {
    let error = errors(bytes);
    let problems = error.problems().to_vec();
    let actual: Vec<(usize, usize, Option<&str>)> = problems
        .iter()
        .map(|p| (p.line, p.column, p.key.as_deref()))
        .collect();
    let wanted: Vec<(usize, usize, Option<&str>)> =
        expected.iter().map(|&(l, c, k, _)| (l, c, k)).collect();
    assert_eq!(actual, wanted, "positions and keys; all problems:\n{error}");
    for (problem, (_, _, _, fragment)) in problems.iter().zip(expected) {
        assert!(
            problem.message.contains(fragment),
            "message {:?} should contain {fragment:?}\n{error}",
            problem.message
        );
    }
    problems
}

#[test]
fn typo_in_key_suggests_the_nearest_key() {
    let problems = assert_problems(
        b"[resources]\ncpu = 0.5\nmemroy = \"15 MB\"\n  filewirte = 10\n",
        &[
            (3, 1, Some("memroy"), "unknown resource"),
            (4, 3, Some("filewirte"), "unknown resource"),
        ],
    );
    assert_eq!(problems[0].suggestion.as_deref(), Some("memory"));
    assert_eq!(problems[1].suggestion.as_deref(), Some("filewrite"));
    let error = errors(b"[resources]\nmemroy = 1\n");
    assert_eq!(
        error.to_string(),
        "broken.toml:2:1: error: memroy: unknown resource (did you mean `memory`?)"
    );
}

#[test]
fn unknown_key_far_from_any_gets_no_suggestion() {
    let problems = assert_problems(
        b"[resources]\nbandwidth = 10\n",
        &[(2, 1, Some("bandwidth"), "unknown resource")],
    );
    assert_eq!(problems[0].suggestion, None);
}

#[test]
fn wrong_types_say_what_was_expected_and_found() {
    assert_problems(
        b"[resources]\ncpu = true\nnetsend = { rate = 1 }\nevents = \"ten\"\nmemory = [1]\n",
        &[
            (2, 7, Some("cpu"), "expected a number of cores (e.g. 0.5) or a percentage (e.g. \"50%\"), found boolean `true`"),
            (3, 11, Some("netsend"), "expected a number of bytes per second or a string like \"100 kB/s\", found a table"),
            (4, 10, Some("events"), "expected a whole number, found string `\"ten\"`"),
            (5, 10, Some("memory"), "expected a whole number of bytes or a string like \"15 MB\", found array `[1]`"),
        ],
    );
}

#[test]
fn negative_rate() {
    assert_problems(
        b"[resources]\nlograte = -30000\nfileread = \"-1 kB/s\"\n",
        &[
            (
                2,
                11,
                Some("lograte"),
                "negative values are not allowed, found `-30000`",
            ),
            (3, 12, Some("fileread"), "negative values are not allowed"),
        ],
    );
}

#[test]
fn ports_out_of_range_reversed_and_duplicated_each_at_their_element() {
    assert_problems(
        b"[resources]\nconnport = [12345, 70000, 0, \"63199-63100\", 12345]\n",
        &[
            (
                2,
                20,
                Some("connport"),
                "port 70000 is out of range 1-65535",
            ),
            (2, 27, Some("connport"), "port 0 is out of range 1-65535"),
            (2, 30, Some("connport"), "range \"63199-63100\" is reversed"),
            (2, 45, Some("connport"), "port 12345 is listed twice"),
        ],
    );
}

#[test]
fn port_zero_alone() {
    assert_problems(
        b"[resources]\nmessport = [0]\n",
        &[(2, 13, Some("messport"), "port 0 is out of range 1-65535")],
    );
}

#[test]
fn duplicate_key_is_reported_by_the_toml_parser_with_its_position() {
    assert_problems(
        b"[resources]\ncpu = 0.5\nmemory = 1\n  cpu = 0.7\n",
        &[(4, 3, Some("cpu"), "duplicate key")],
    );
    assert_problems(
        b"[resources]\ncpu = 1\n\n[resources]\n",
        &[(4, 2, Some("resources"), "duplicate key")],
    );
}

#[test]
fn fractional_memory() {
    assert_problems(
        b"[resources]\nmemory = 1.5\ndiskused = \"1.5 B\"\n",
        &[
            (
                2,
                10,
                Some("memory"),
                "expected a whole number of bytes, found `1.5`",
            ),
            (
                3,
                12,
                Some("diskused"),
                "\"1.5 B\" is not a whole number of bytes",
            ),
        ],
    );
}

#[test]
fn unknown_tables_and_top_level_keys() {
    assert_problems(
        b"[resources]\ncpu = 1\n\n[limits]\nx = 1\n",
        &[(
            4,
            2,
            Some("limits"),
            "unknown top-level key: the file holds `profile = \"...\"`, the `[resources]` \
             table and the `[python]` table",
        )],
    );
    let problems = assert_problems(
        b"[resource]\ncpu = 1\n",
        &[(1, 2, Some("resource"), "unknown top-level key")],
    );
    assert_eq!(problems[0].suggestion.as_deref(), Some("resources"));
    assert_problems(
        b"version = 2\ncpu = 1\n[resources]\n",
        &[
            (1, 1, Some("version"), "unknown top-level key"),
            (2, 1, Some("cpu"), "belong in the `[resources]` table"),
        ],
    );
    assert_problems(
        b"resources = 5\n",
        &[(
            1,
            13,
            Some("resources"),
            "expected a table (`[resources]`), found integer `5`",
        )],
    );
    assert_problems(
        b"[[resources]]\ncpu = 1\n",
        &[(1, 1, Some("resources"), "expected a table")],
    );
}

#[test]
fn no_resources_table() {
    assert_problems(
        b"# a policy that forgot its table\n",
        &[(1, 1, None, "missing `[resources]` table")],
    );
}

#[test]
fn toml_syntax_error_is_one_error_with_position() {
    assert_problems(
        b"[resources]\ncpu = 1\nmemory = \"15 MB\nevents = 10\n",
        &[(3, 16, None, "invalid TOML: invalid basic string")],
    );
    assert_problems(
        b"[resources\n",
        &[(1, 11, None, "invalid TOML: unclosed table")],
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    // "é" is two bytes; the port 0 is the 18th character of the line.
    assert_problems(
        "[resources]\nconnport = [\"é\", 0]\n".as_bytes(),
        &[
            (2, 13, Some("connport"), "found string \"é\""),
            (2, 18, Some("connport"), "port 0"),
        ],
    );
}

#[test]
fn several_errors_in_one_file_are_all_reported_in_order() {
    let text = b"[resources]\n\
        cpu = \"fast\"\n\
        memroy = \"15 MB\"\n\
        diskused = -1\n\
        filewrite = \"100 kB\"\n\
        events = 2.5\n\
        connport = [0, \"63199-63100\"]\n\
        wall-time = \"10 sec\"\n\
        output = \"1 KB\"\n";
    let error = errors(text);
    assert_eq!(
        error.to_string(),
        "broken.toml:2:7: error: cpu: expected a number of cores (e.g. 0.5) or a percentage \
         (e.g. \"50%\"), found string \"fast\" (a string needs a `%` suffix)\n\
         broken.toml:3:1: error: memroy: unknown resource (did you mean `memory`?)\n\
         broken.toml:4:12: error: diskused: negative values are not allowed, found `-1`\n\
         broken.toml:5:13: error: filewrite: a rate needs a `/s` suffix: write \"100 kB/s\"\n\
         broken.toml:6:10: error: events: expected a whole number of items, found `2.5`\n\
         broken.toml:7:13: error: connport: port 0 is out of range 1-65535\n\
         broken.toml:7:16: error: connport: range \"63199-63100\" is reversed (empty): write \"63100-63199\"\n\
         broken.toml:8:13: error: wall-time: unknown unit `sec`; use one of `ms`, `s`, `min`, `h` (did you mean `s`?)\n\
         broken.toml:9:10: error: output: unknown unit `KB`: write `kB` for 1000 bytes or `KiB` for 1024 bytes (did you mean `kB`?)"
    );
}

#[test]
fn empty_file() {
    assert_problems(b"", &[(1, 1, None, "empty file")]);
    assert_problems(b"\n \r\n\t\n", &[(1, 1, None, "empty file")]);
}

#[test]
fn binary_garbage() {
    assert_problems(
        b"\x7fELF\x02\x01\x01\x00\x00\x00",
        &[(1, 8, None, "binary data (NUL byte)")],
    );
    assert_problems(
        b"[resources]\ncpu = 1\x00\n",
        &[(2, 8, None, "binary data (NUL byte)")],
    );
}

#[test]
fn invalid_utf8() {
    assert_problems(
        b"[resources]\nmemory = \"15 \xb5B\"\n",
        &[(2, 14, None, "invalid UTF-8 (byte 0xb5)")],
    );
    // Latin-1 text in a legacy file.
    assert_problems(
        b"resource cpu 1 # caf\xe9\n",
        &[(1, 21, None, "invalid UTF-8 (byte 0xe9)")],
    );
}

#[test]
fn byte_order_mark_is_ignored() {
    let policy = Restrictions::parse(b"\xef\xbb\xbf[resources]\ncpu = 0.5\n", "bom.toml").unwrap();
    assert_eq!(policy.limit(restrictions::ResourceId::Cpu), 0.5);
    assert_problems(
        b"\xef\xbb\xbf[resources]\ncpu = 0\n",
        &[(2, 7, Some("cpu"), "greater than 0")],
    );
}

#[test]
fn unreadable_file_is_an_io_error_naming_the_path() {
    let path = Path::new("/nonexistent/dir/restrictions.toml");
    let error = Restrictions::load(path).unwrap_err();
    assert!(matches!(error, PolicyError::Io { .. }), "{error:?}");
    assert!(error.problems().is_empty());
    let message = error.to_string();
    assert!(
        message.starts_with("/nonexistent/dir/restrictions.toml: error: cannot read"),
        "{message}"
    );
}

// ---- RepyV2 legacy format ----

const LEGACY_OK: &str = "resource cpu .10\nresource memory 15000000\nresource diskused 100000000\n";

#[test]
fn legacy_missing_mandatory_resources_each_named() {
    assert_problems(
        b"resource cpu .10\nresource events 10\n",
        &[
            (1, 1, Some("memory"), "missing mandatory resource"),
            (1, 1, Some("diskused"), "missing mandatory resource"),
        ],
    );
    assert_problems(
        b"call sleep allow\n",
        &[
            (1, 1, Some("cpu"), "missing mandatory resource"),
            (1, 1, Some("memory"), "missing mandatory resource"),
            (1, 1, Some("diskused"), "missing mandatory resource"),
        ],
    );
}

#[test]
fn legacy_duplicate_non_port_resource() {
    let text = format!("{LEGACY_OK}resource lograte 30000\n  resource   lograte 1000\n");
    assert_problems(
        text.as_bytes(),
        &[(5, 14, Some("lograte"), "given twice (first on line 4)")],
    );
    // Ports may repeat, duplicates included.
    let ports = format!("{LEGACY_OK}resource connport 12345\nresource connport 12345\n");
    let policy = Restrictions::parse(ports.as_bytes(), "ok").unwrap();
    assert_eq!(policy.connport().len(), 1);
}

#[test]
fn legacy_bad_token_count() {
    let text = format!("{LEGACY_OK}resource events 10 20\nresource lograte\nresource\n");
    assert_problems(
        text.as_bytes(),
        &[
            (
                4,
                20,
                Some("events"),
                "found 1 extra word(s) starting with `20`",
            ),
            (5, 17, Some("lograte"), "missing <value>"),
            (6, 9, None, "missing <name> <value>"),
        ],
    );
}

#[test]
fn legacy_unknown_resource_and_first_word() {
    let text = format!(
        "{LEGACY_OK}resource memroy 10\nresource wall-time 60\nresorce events 10\nResource events 10\n"
    );
    let problems = assert_problems(
        text.as_bytes(),
        &[
            (4, 10, Some("memroy"), "unknown resource"),
            (5, 10, Some("wall-time"), "not a RepyV2 resource"),
            (
                6,
                1,
                None,
                "expected `resource` or `call` at the start of the line, found `resorce`",
            ),
            (7, 1, None, "found `Resource`"),
        ],
    );
    assert_eq!(problems[0].suggestion.as_deref(), Some("memory"));
    assert_eq!(problems[2].suggestion.as_deref(), Some("resource"));
    assert_eq!(problems[3].suggestion.as_deref(), Some("resource"));
}

#[test]
fn legacy_values_parse_like_repyv2_but_stricter() {
    let text = "resource cpu 0\r\n\
                resource memory 1.5\r\n\
                resource diskused -5\r\n\
                resource lograte nan\r\n\
                resource events ten\r\n\
                resource connport 70000\r\n\
                resource messport 0\r\n";
    assert_problems(
        text.as_bytes(),
        &[
            (1, 14, Some("cpu"), "greater than 0"),
            (
                2,
                17,
                Some("memory"),
                "RepyV2 reads this resource with int()",
            ),
            (3, 19, Some("diskused"), "negative"),
            (4, 18, Some("lograte"), "finite"),
            (
                5,
                17,
                Some("events"),
                "expected a whole number, found `ten`",
            ),
            (6, 19, Some("connport"), "port 70000 is out of range"),
            (7, 19, Some("messport"), "port 0 is out of range"),
        ],
    );
}

#[test]
fn legacy_everything_wrong_at_once() {
    let text = b"resource cpu fast  # comment\n\
                 \n\
                 resource memroy 10\n\
                 bogus line\n\
                 resource cpu 1\n";
    let error = errors(text);
    assert_eq!(
        error.to_string(),
        "broken.toml:1:1: error: memory: missing mandatory resource: RepyV2 files must set `cpu`, `memory` and `diskused`\n\
         broken.toml:1:1: error: diskused: missing mandatory resource: RepyV2 files must set `cpu`, `memory` and `diskused`\n\
         broken.toml:1:14: error: cpu: expected a number, found `fast`\n\
         broken.toml:3:10: error: memroy: unknown resource (did you mean `memory`?)\n\
         broken.toml:4:1: error: expected `resource` or `call` at the start of the line, found `bogus`\n\
         broken.toml:5:10: error: cpu: given twice (first on line 1); only `connport` and `messport` may repeat"
    );
}
