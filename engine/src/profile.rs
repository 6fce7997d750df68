//! The policy's profile as the engine uses it: how a restrictions file is validated (for a
//! run and for `repy restrictions check` alike), which profiles this build can run, and what
//! a job's standard input may be under each.

use std::os::fd::{AsFd as _, OwnedFd};
use std::path::Path;

use restrictions::{Catalog, PolicyError, Profile, ResourceId, Restrictions, SourceFormat};

use crate::job::StdinChoice;

/// The modules this build ships for the `python` profile's `import` (docs/modules.md).
///
/// Each reaches the program through an export proxy listing exactly what it exports. Trusted
/// Python code hands the program's methods its own objects whenever it applies an operator
/// to a program value (red-team round 9: a `RegexFlag` member in a program's `__or__`, whose
/// class's `_convert_` reads any module's globals): so the program's every `obj._x` goes
/// through the private-attribute guard (`api::private_attributes`), which allows only the
/// private attributes of the program's own classes, and the functions that took flags as
/// program objects (`re`'s, `string.Template`'s) make them exact ints first.
pub const SHIPPED_MODULES: &[&str] = &[
    "math",
    "cmath",
    "itertools",
    "functools",
    "operator",
    "heapq",
    "bisect",
    "collections",
    "string",
    "copy",
    "random",
    "json",
    "re",
    "textwrap",
    "fractions",
    "decimal",
    "sys",
    "abc",
    "typing",
    "dataclasses",
    "doctest",
    "statistics",
    "datetime",
    "enum",
];

/// What this build provides, against which a policy's `[python]` table is checked.
pub fn catalog() -> Catalog<'static> {
    Catalog {
        modules: Some(SHIPPED_MODULES),
        packages_on_disk: true,
    }
}

/// The checker's profile for a policy's.
pub fn checker_profile(profile: Profile) -> safe_check::Profile {
    match profile {
        Profile::Repyv2 => safe_check::Profile::RepyV2,
        Profile::Python => safe_check::Profile::Python,
    }
}

/// The checker's options for `policy`: its profile, and under `python` the modules and the
/// packages it lists (both importable).
pub fn checker_options(policy: &Restrictions) -> safe_check::Options {
    safe_check::Options {
        profile: checker_profile(policy.profile()),
        modules: policy
            .python()
            .map(|settings| {
                settings
                    .modules()
                    .iter()
                    .chain(settings.packages())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Reads and validates a restrictions file exactly as a run does: the same checks as
/// [`Restrictions::load_runnable`], with the `[python]` table checked against
/// [`catalog`]. `repy restrictions check` calls this, so a file it calls valid runs.
pub fn load_restrictions(path: &Path) -> Result<Restrictions, PolicyError> {
    Restrictions::load_runnable_with(path, &catalog())
}

/// [`load_restrictions`] for a policy given as text (a job document's, a grading
/// manifest's); `name` stands for its path in problems.
pub fn parse_restrictions(text: &str, name: &str) -> Result<Restrictions, PolicyError> {
    Restrictions::parse_runnable_with(text.as_bytes(), name, &catalog())
}

/// What the program reads on standard input under `policy`, or why the job's choice is
/// refused there: only the `python` profile reads a standard input, so under `repyv2` (as
/// in RepyV2) anything but nothing is a usage error naming the profile key.
pub(crate) fn stdin_for(
    choice: &StdinChoice,
    policy: &Restrictions,
    policy_name: &str,
) -> Result<StdinChoice, String> {
    let profile = policy.profile();
    match (choice, profile) {
        (StdinChoice::Profile, Profile::Repyv2) | (StdinChoice::Null, _) => Ok(StdinChoice::Null),
        (StdinChoice::Profile, Profile::Python) => Ok(StdinChoice::Caller),
        (chosen @ (StdinChoice::Caller | StdinChoice::File(_)), Profile::Python) => {
            Ok(chosen.clone())
        }
        (chosen @ (StdinChoice::Caller | StdinChoice::File(_)), Profile::Repyv2) => {
            let what = match chosen {
                StdinChoice::File(path) => format!("--stdin '{}'", path.display()),
                _ => "a standard input for the program".to_owned(),
            };
            let why = match policy.source_format() {
                SourceFormat::Legacy => format!(
                    "the restrictions file '{policy_name}' is in RepyV2's legacy format, which \
                     always runs under the {profile} profile, whose programs read no standard \
                     input (convert it with `repy restrictions convert` and set `profile = \
                     \"python\"` at its top)"
                ),
                SourceFormat::Toml => format!(
                    "the restrictions file '{policy_name}' selects the {profile} profile \
                     (`profile = \"{profile}\"`, the default), whose programs read no standard \
                     input: set `profile = \"python\"` at its top"
                ),
            };
            Err(format!(
                "{what} needs the python profile, and {why}; nothing was run"
            ))
        }
    }
}

/// The nanny's standard input for `stdin` (as [`stdin_for`] resolved it) under `policy`:
/// nothing, or a relay of the caller's standard input or of a file, bounded by the policy's
/// `stdin` and paced by its `stdinrate`. A file that cannot be opened is a usage error.
pub(crate) fn nanny_stdin(
    stdin: &StdinChoice,
    policy: &Restrictions,
) -> Result<nanny::Stdin, String> {
    let source: OwnedFd = match stdin {
        StdinChoice::Null | StdinChoice::Profile => return Ok(nanny::Stdin::Null),
        // A duplicate: the relay closes its source, and the caller keeps its descriptor 0.
        StdinChoice::Caller => std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map_err(|err| format!("cannot relay repy's standard input: {err}; nothing was run"))?,
        StdinChoice::File(path) => std::fs::File::open(path)
            .map(OwnedFd::from)
            .map_err(|err| {
                format!(
                    "cannot read the standard input file '{}' (--stdin): {err}; nothing was run",
                    path.display()
                )
            })?,
    };
    Ok(nanny::Stdin::Relay {
        source,
        limits: stdin_limits(policy),
    })
}

/// The relay's limits: the policy's `stdin` total and `stdinrate`.
fn stdin_limits(policy: &Restrictions) -> nanny::StdinLimits {
    nanny::StdinLimits {
        total: policy.stdin(),
        rate: Some(policy.limit(ResourceId::Stdinrate)),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn policy(text: &str) -> Restrictions {
        Restrictions::parse(text.as_bytes(), "p").expect("valid policy")
    }

    #[test]
    fn only_the_python_profile_reads_standard_input() {
        let repyv2 = policy("[resources]\n");
        let python = policy("profile = \"python\"\n[resources]\n");
        let file = StdinChoice::File(PathBuf::from("in.txt"));
        assert_eq!(
            stdin_for(&StdinChoice::Profile, &repyv2, "r"),
            Ok(StdinChoice::Null)
        );
        assert_eq!(
            stdin_for(&StdinChoice::Profile, &python, "r"),
            Ok(StdinChoice::Caller)
        );
        assert_eq!(stdin_for(&file, &python, "r"), Ok(file.clone()));
        assert_eq!(
            stdin_for(&StdinChoice::Null, &python, "r"),
            Ok(StdinChoice::Null)
        );
        let refused = stdin_for(&file, &repyv2, "r.toml").expect_err("refused");
        assert!(
            refused.starts_with("--stdin 'in.txt' needs the python profile")
                && refused.contains("`profile = \"python\"`"),
            "{refused}"
        );
        assert!(stdin_for(&StdinChoice::Caller, &repyv2, "r").is_err());
        let legacy = policy("resource cpu .5\nresource memory 1000000\nresource diskused 100\n");
        let refused = stdin_for(&file, &legacy, "old").expect_err("refused");
        assert!(refused.contains("legacy format"), "{refused}");
    }

    #[test]
    fn the_relay_takes_the_policys_limits_and_a_readable_file() {
        let python =
            policy("profile = \"python\"\n[resources]\nstdin = \"1 kB\"\nstdinrate = \"2 kB/s\"\n");
        assert_eq!(
            stdin_limits(&python),
            nanny::StdinLimits {
                total: Some(1000),
                rate: Some(2000.0)
            }
        );
        let unlimited = policy("profile = \"python\"\n[resources]\n");
        assert_eq!(stdin_limits(&unlimited).total, None);
        assert!(matches!(
            nanny_stdin(&StdinChoice::Null, &python),
            Ok(nanny::Stdin::Null)
        ));
        let file = tempfile::NamedTempFile::new().expect("temp file");
        let chosen = StdinChoice::File(file.path().to_path_buf());
        assert!(matches!(
            nanny_stdin(&chosen, &python),
            Ok(nanny::Stdin::Relay { .. })
        ));
        let missing = StdinChoice::File(PathBuf::from("/nonexistent/input.txt"));
        let refused = nanny_stdin(&missing, &python).expect_err("refused");
        assert!(
            refused.starts_with("cannot read the standard input file '/nonexistent/input.txt'"),
            "{refused}"
        );
    }
}
