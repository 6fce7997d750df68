//! Profiles: the top-level `profile`, the `python` profile's `[python]` table and its
//! standard-input resources. Valid files give the profile and settings they say; every broken
//! kind is reported at its line, column and key, with a suggestion where there is one.

use std::collections::BTreeSet;
use std::path::Path;

use restrictions::{Catalog, PolicyError, Problem, Profile, ResourceId, Restrictions};

fn parse(text: &str) -> Restrictions {
    Restrictions::parse(text.as_bytes(), "p.toml")
        .unwrap_or_else(|e| panic!("should be valid:\n{text}\n{e}"))
}

fn errors(text: &str) -> PolicyError {
    match Restrictions::parse(text.as_bytes(), "p.toml") {
        Ok(policy) => panic!("should be rejected:\n{text}\ngot {policy:?}"),
        Err(error) => error,
    }
}

/// Asserts the file produces exactly the problems `(line, column, key, message fragment)`,
/// in order, and returns them.
fn assert_problems(text: &str, expected: &[(usize, usize, &str, &str)]) -> Vec<Problem> {
    let error = errors(text);
    let problems = error.problems().to_vec();
    let actual: Vec<(usize, usize, Option<&str>)> = problems
        .iter()
        .map(|p| (p.line, p.column, p.key.as_deref()))
        .collect();
    let wanted: Vec<(usize, usize, Option<&str>)> = expected
        .iter()
        .map(|&(l, c, k, _)| (l, c, Some(k)))
        .collect();
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

fn names(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

const PYTHON: &str = r#"profile = "python"

[resources]
memory = "200 MB"
stdin = "1 MB"
stdinrate = "100 kB/s"

[python]
modules = ["math", "collections.abc", "json"]
site-packages = "/opt/venv/lib/python3.11/site-packages"
packages = ["numpy"]
"#;

#[test]
fn a_file_without_profile_is_repyv2_with_nothing_new() {
    let policy = parse("[resources]\ncpu = 0.5\n");
    assert_eq!(policy.profile(), Profile::Repyv2);
    assert_eq!(policy.python(), None);
    assert_eq!(
        policy,
        Restrictions::parse(b"profile = \"repyv2\"\n[resources]\ncpu = 0.5\n", "p").unwrap()
    );
    // RepyV2's view is what it was: no standard-input resource is listed, none is granted.
    let keys: Vec<&str> = policy.limits().map(|(id, _)| id.key()).collect();
    assert!(
        !keys.contains(&"stdin") && !keys.contains(&"stdinrate"),
        "{keys:?}"
    );
    assert_eq!(keys.len(), 20);
    assert_eq!(policy.limit(ResourceId::Stdin), 0.0);
    assert_eq!(policy.limit(ResourceId::Stdinrate), 0.0);
    assert_eq!(policy.stdin(), Some(0));
}

#[test]
fn a_python_file_gives_its_settings_and_stdin_limits() {
    let policy = parse(PYTHON);
    assert_eq!(policy.profile(), Profile::Python);
    let python = policy.python().expect("python settings");
    assert_eq!(
        python.modules(),
        &names(&["collections.abc", "json", "math"])
    );
    assert_eq!(
        python.site_packages(),
        Some(Path::new("/opt/venv/lib/python3.11/site-packages"))
    );
    assert_eq!(python.packages(), &names(&["numpy"]));
    assert_eq!(policy.limit(ResourceId::Stdin), 1e6);
    assert_eq!(policy.stdin(), Some(1_000_000));
    assert_eq!(policy.limit(ResourceId::Stdinrate), 100e3);
    let keys: Vec<&str> = policy.limits().map(|(id, _)| id.key()).collect();
    assert_eq!(keys.len(), 22);
    assert!(keys.ends_with(&["stdin", "stdinrate"]), "{keys:?}");
}

#[test]
fn a_python_file_without_its_table_or_stdin_keys_takes_the_defaults() {
    let policy = parse("profile = \"python\"\n[resources]\n");
    let python = policy.python().expect("python settings");
    assert!(python.modules().is_empty() && python.packages().is_empty());
    assert_eq!(python.site_packages(), None);
    assert_eq!(policy.stdin(), None);
    assert_eq!(policy.limit(ResourceId::Stdin), f64::INFINITY);
    assert_eq!(policy.limit(ResourceId::Stdinrate), 10e6);
    assert_eq!(policy, Restrictions::defaults_for(Profile::Python));
    // An empty `[python]` table is the same as none.
    assert_eq!(
        parse("profile = \"python\"\n[resources]\n[python]\n"),
        policy
    );
}

#[test]
fn unknown_profile_value_suggests_the_nearest() {
    let problems = assert_problems(
        "profile = \"pyton\"\n[resources]\n",
        &[(
            1,
            11,
            "profile",
            "unknown profile \"pyton\": use `repyv2` or `python`",
        )],
    );
    assert_eq!(problems[0].suggestion.as_deref(), Some("python"));
    let problems = assert_problems(
        "profile = \"RepyV2\"\n[resources]\n",
        &[(1, 11, "profile", "unknown profile")],
    );
    assert_eq!(problems[0].suggestion.as_deref(), Some("repyv2"));
    assert_problems(
        "profile = 2\n[resources]\n",
        &[(1, 11, "profile", "expected a string, `repyv2` or `python`")],
    );
    assert_eq!(
        errors("profile = \"pyton\"\n[resources]\n").to_string(),
        "p.toml:1:11: error: profile: unknown profile \"pyton\": use `repyv2` or `python` \
         (did you mean `python`?)"
    );
}

#[test]
fn an_invalid_profile_does_not_also_refuse_what_its_profile_would_hold() {
    // One problem, not three: the file's profile is unknown, so neither `[python]` nor
    // `stdin` is held against it.
    assert_problems(
        "profile = \"pyhton\"\n[resources]\nstdin = \"1 MB\"\n[python]\nmodules = [\"math\"]\n",
        &[(1, 11, "profile", "unknown profile")],
    );
}

#[test]
fn profile_after_a_header_is_refused_where_it_is() {
    assert_problems(
        "[resources]\nprofile = \"python\"\n",
        &[(
            2,
            1,
            "profile",
            "`profile` is a top-level key: put it at the top of the file",
        )],
    );
    assert_problems(
        "profile = \"python\"\n[resources]\n[python]\nprofile = \"python\"\n",
        &[(4, 1, "profile", "`profile` is a top-level key")],
    );
}

#[test]
fn python_table_without_the_python_profile_is_refused_at_its_header() {
    assert_problems(
        "[resources]\n\n[python]\nmodules = [\"math\"]\n",
        &[(
            3,
            2,
            "python",
            "the `[python]` table holds the python profile's settings, and this file selects \
             no profile, so it is `repyv2`: add `profile = \"python\"` at the top of the file",
        )],
    );
    assert_problems(
        "profile = \"repyv2\"\n[resources]\n[python]\n",
        &[(
            3,
            2,
            "python",
            "this file selects `profile = \"repyv2\"` (line 1)",
        )],
    );
    assert_problems(
        "python = 3\nprofile = \"python\"\n[resources]\n",
        &[(
            1,
            10,
            "python",
            "expected a table (`[python]`), found integer `3`",
        )],
    );
}

#[test]
fn stdin_resources_need_the_python_profile() {
    assert_problems(
        "[resources]\nstdin = \"1 MB\"\nstdinrate = \"1 kB/s\"\n",
        &[
            (2, 1, "stdin", "in force only under the python profile, and this file's profile is `repyv2`: add `profile = \"python\"`"),
            (3, 1, "stdinrate", "in force only under the python profile"),
        ],
    );
}

#[test]
fn bad_units_for_stdin_limits() {
    let problems = assert_problems(
        "profile = \"python\"\n[resources]\nstdin = \"1 MB/s\"\nstdinrate = \"100 kB\"\n\
         stdin2 = 1\n",
        &[
            (
                3,
                9,
                "stdin",
                "expected an amount of bytes, found the rate \"1 MB/s\"",
            ),
            (
                4,
                13,
                "stdinrate",
                "a rate needs a `/s` suffix: write \"100 kB/s\"",
            ),
            (5, 1, "stdin2", "unknown resource"),
        ],
    );
    assert_eq!(problems[2].suggestion.as_deref(), Some("stdin"));
    let problems = assert_problems(
        "profile = \"python\"\n[resources]\nstdin = \"1 KB\"\nstdinrate = -5\n",
        &[
            (3, 9, "stdin", "unknown unit `KB`"),
            (4, 13, "stdinrate", "negative values are not allowed"),
        ],
    );
    assert_eq!(problems[0].suggestion.as_deref(), Some("kB"));
    assert_problems(
        "profile = \"python\"\n[resources]\nstdin = 1.5\nstdinrate = \"fast\"\n",
        &[
            (3, 9, "stdin", "expected a whole number of bytes"),
            (4, 13, "stdinrate", "expected a number of bytes per second"),
        ],
    );
}

#[test]
fn bad_module_names_are_refused_each_at_its_place() {
    assert_problems(
        "profile = \"python\"\n[resources]\n[python]\n\
         modules = [\"math\", \"\", \"1x\", \"a-b\", \"random._os\", \"x.class\", 7, \"os.path\"]\n",
        &[
            (4, 20, "modules", "a module name cannot be empty"),
            (4, 24, "modules", "`1x` is not a module name: each dot-separated part must be an identifier"),
            (4, 30, "modules", "`a-b` is not a module name"),
            (4, 37, "modules", "`random._os` is private: a name part starting with `_` (`_os`) is never importable"),
            (4, 51, "modules", "`x.class` is not a module name: `class` is a Python keyword"),
            (4, 62, "modules", "expected a name in quotes, found integer `7`"),
        ],
    );
    assert_problems(
        "profile = \"python\"\n[resources]\n[python]\nmodules = \"math\"\n",
        &[(
            4,
            11,
            "modules",
            "expected an array of names like [\"math\", \"json\"], found string",
        )],
    );
}

#[test]
fn duplicate_modules_and_packages_are_refused() {
    assert_problems(
        "profile = \"python\"\n[resources]\n[python]\nmodules = [\n  \"math\",\n  \"json\",\n  \"math\",\n]\n\
         site-packages = \"/sp\"\npackages = [\"numpy\", \"numpy\", \"json\"]\n",
        &[
            (7, 3, "modules", "`math` is listed twice (first on line 5)"),
            (10, 22, "packages", "`numpy` is listed twice (first on line 10)"),
            (10, 31, "packages", "`json` is listed in `modules` too (line 6)"),
        ],
    );
}

#[test]
fn unknown_keys_in_python_suggest_the_nearest() {
    let problems = assert_problems(
        "profile = \"python\"\n[resources]\n[python]\nmodles = [\"math\"]\nsite_packages = \"/x\"\n\
         memory = 5\ncolour = 1\n",
        &[
            (4, 1, "modles", "unknown key in `[python]`"),
            (5, 1, "site_packages", "unknown key in `[python]`"),
            (6, 1, "memory", "resource keys belong in the `[resources]` table, not in `[python]`"),
            (7, 1, "colour", "unknown key in `[python]`"),
        ],
    );
    assert_eq!(problems[0].suggestion.as_deref(), Some("modules"));
    assert_eq!(problems[1].suggestion.as_deref(), Some("site-packages"));
    assert_eq!(problems[3].suggestion, None);
    assert_problems(
        "modules = [\"math\"]\nprofile = \"python\"\n[resources]\npackages = []\n",
        &[
            (
                1,
                1,
                "modules",
                "this key belongs in the `[python]` table, after its header",
            ),
            (
                4,
                1,
                "packages",
                "this key belongs in the `[python]` table, not in `[resources]`",
            ),
        ],
    );
    let problems = assert_problems(
        "profile = \"python\"\n[resources]\n[pyhton]\n",
        &[(3, 2, "pyhton", "unknown top-level key")],
    );
    assert_eq!(problems[0].suggestion.as_deref(), Some("python"));
}

#[test]
fn packages_need_an_absolute_site_packages_and_top_level_names() {
    assert_problems(
        "profile = \"python\"\n[resources]\n[python]\npackages = [\"numpy\"]\n",
        &[(
            4,
            1,
            "packages",
            "packages are imported from a directory: set `site-packages`",
        )],
    );
    assert_problems(
        "profile = \"python\"\n[resources]\n[python]\nsite-packages = \"venv/lib\"\n\
         packages = [\"numpy.linalg\"]\n",
        &[
            (
                4,
                17,
                "site-packages",
                "\"venv/lib\" is relative: write an absolute path",
            ),
            (5, 13, "packages", "list the top-level package `numpy`"),
        ],
    );
    assert_problems(
        "profile = \"python\"\n[resources]\n[python]\nsite-packages = \"\"\n",
        &[(
            4,
            17,
            "site-packages",
            "expected a directory path, found an empty string",
        )],
    );
    assert_problems(
        "profile = \"python\"\n[resources]\n[python]\nsite-packages = [\"/a\"]\n",
        &[(
            4,
            17,
            "site-packages",
            "expected a directory path in quotes",
        )],
    );
    // `site-packages` alone is allowed (and grants nothing).
    let policy = parse("profile = \"python\"\n[resources]\n[python]\nsite-packages = \"/sp\"\n");
    assert!(policy.python().expect("python").packages().is_empty());
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let error = errors(
        "[resources]\nstdin = \"1 MB/s\"\n\n[python]\nmodules = [\"math\", \"json\", \"math\", \
         \"random._os\"]\npackagse = [\"numpy\"]\n",
    );
    let keys: Vec<(usize, Option<&str>)> = error
        .problems()
        .iter()
        .map(|p| (p.line, p.key.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [
            (2, Some("stdin")),
            (2, Some("stdin")),
            (4, Some("python")),
            (5, Some("modules")),
            (5, Some("modules")),
            (6, Some("packagse")),
        ],
        "{error}"
    );
}

#[test]
fn a_catalog_refuses_modules_the_build_does_not_provide() {
    let text =
        "profile = \"python\"\n[resources]\n[python]\nmodules = [\"math\", \"jsno\", \"numpy\"]\n";
    let shipped = ["math", "json", "random"];
    let catalog = Catalog {
        modules: Some(&shipped),
        packages_on_disk: false,
    };
    let error = Restrictions::parse_runnable_with(text.as_bytes(), "p.toml", &catalog)
        .expect_err("unknown modules");
    let problems = error.problems();
    assert_eq!(problems.len(), 2, "{error}");
    assert_eq!((problems[0].line, problems[0].column), (4, 20));
    assert_eq!(problems[0].suggestion.as_deref(), Some("json"));
    assert!(
        problems[0]
            .message
            .contains("`jsno` is not a module this build provides"),
        "{error}"
    );
    assert_eq!(problems[1].suggestion, None);
    // Without a catalog, every well-formed name passes.
    assert!(Restrictions::parse_runnable(text.as_bytes(), "p.toml").is_ok());
}

#[test]
fn legacy_files_cannot_select_a_profile() {
    let error = Restrictions::parse(
        b"resource cpu .1\nresource memory 1000000\nresource diskused 1000000\nprofile python\n\
          resource stdin 100\n",
        "old",
    )
    .expect_err("refused");
    let problems = error.problems();
    assert_eq!(problems.len(), 2, "{error}");
    assert_eq!((problems[0].line, problems[0].column), (4, 1));
    assert!(
        problems[0]
            .message
            .contains("a RepyV2 legacy file cannot select a profile"),
        "{error}"
    );
    assert_eq!(problems[1].key.as_deref(), Some("stdin"));
    assert!(
        problems[1].message.contains("not a RepyV2 resource"),
        "{error}"
    );
    let legacy = Restrictions::parse(
        b"resource cpu .1\nresource memory 1000000\nresource diskused 1000000\n",
        "old",
    )
    .expect("valid");
    assert_eq!(legacy.profile(), Profile::Repyv2);
    assert_eq!(legacy.python(), None);
}

#[test]
fn conversion_keeps_the_profile_and_its_settings() {
    let policy = parse(PYTHON);
    let toml = policy.to_toml();
    assert!(toml.contains("\nprofile = \"python\"\n"), "{toml}");
    assert!(toml.contains("\nstdin = \"1 MB\"\n"), "{toml}");
    assert!(toml.contains("\nstdinrate = \"100 kB/s\"\n"), "{toml}");
    assert!(
        toml.contains("\n[python]\n")
            && toml.contains("modules = [\"collections.abc\", \"json\", \"math\"]\n"),
        "{toml}"
    );
    let back = Restrictions::from_toml(&toml, "converted").expect("reads back");
    assert_eq!(back, policy);

    // A python policy without limits or packages converts too, and says how to set them.
    let bare = parse("profile = \"python\"\n[resources]\n");
    let toml = bare.to_toml();
    assert!(
        toml.contains("# Not set: no limit. To set one: stdin = \"1 MB\""),
        "{toml}"
    );
    assert!(
        toml.contains("# Not set. To set it: site-packages = "),
        "{toml}"
    );
    assert_eq!(
        Restrictions::from_toml(&toml, "converted").expect("reads back"),
        bare
    );

    // A repyv2 policy names its profile, and has no standard input or `[python]` table.
    let toml = parse("[resources]\n").to_toml();
    assert!(toml.contains("\nprofile = \"repyv2\"\n"), "{toml}");
    assert!(
        !toml.contains("stdin") && !toml.contains("[python]"),
        "{toml}"
    );
}

#[test]
fn conversion_escapes_a_site_packages_path() {
    let policy =
        parse("profile = \"python\"\n[resources]\n[python]\nsite-packages = '/opt/a \"b\" \\c'\n");
    let toml = policy.to_toml();
    assert!(
        toml.contains(r#"site-packages = "/opt/a \"b\" \\c""#),
        "{toml}"
    );
    assert_eq!(
        Restrictions::from_toml(&toml, "c").expect("reads back"),
        policy
    );
}

#[test]
fn profiles_take_part_in_same_limits() {
    let repyv2 = parse("[resources]\n");
    let python = parse("profile = \"python\"\n[resources]\n");
    assert!(!repyv2.same_limits(&python));
    assert!(repyv2.same_limits(&Restrictions::default()));
    let math = parse("profile = \"python\"\n[resources]\n[python]\nmodules = [\"math\"]\n");
    assert!(!math.same_limits(&python));
}
