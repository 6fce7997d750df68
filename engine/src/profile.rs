//! The policy's profile as the engine uses it: how a restrictions file is validated (for a
//! run and for `repy restrictions check` alike), which profiles this build can run, and what
//! a job's standard input may be under each.

use std::path::Path;

use restrictions::{Catalog, PolicyError, Profile, Restrictions, SourceFormat};

use crate::job::StdinChoice;

/// What this build provides, against which a policy's `[python]` table is checked.
///
/// The namespace that ships the standard-library modules gives its list here (issue 13);
/// until it does, every well-formed module name is accepted.
pub fn catalog() -> Catalog<'static> {
    Catalog::default()
}

/// Reads and validates a restrictions file exactly as a run does: the same checks as
/// [`Restrictions::load_runnable`], with the `[python]` table checked against
/// [`catalog`]. `repy restrictions check` calls this, so a file it calls valid runs.
pub fn load_restrictions(path: &Path) -> Result<Restrictions, PolicyError> {
    Restrictions::load_runnable_with(path, &catalog())
}

/// Whether this build can run programs under `profile`.
///
/// The `python` profile's checker rules and namespace are not in this build yet (issue 13):
/// its runs are refused before anything runs. This is the one switch to turn when they land.
pub(crate) const fn runs(profile: Profile) -> bool {
    match profile {
        Profile::Repyv2 => true,
        Profile::Python => false,
    }
}

/// Why a run under `profile` cannot start in this build (see [`runs`]).
pub(crate) fn unavailable(profile: Profile) -> String {
    format!("the {profile} profile is not available in this build yet")
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
    fn this_build_runs_repyv2_only() {
        assert!(runs(Profile::Repyv2));
        assert!(!runs(Profile::Python));
        assert_eq!(
            unavailable(Profile::Python),
            "the python profile is not available in this build yet"
        );
    }
}
