//! The static checker as the binary uses it: before a run, and as `repy check` / `repy explain`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use pyo3::Python;
use restrictions::Profile;

use crate::cli::Format;
use crate::exit::ExitStatus;
use engine::ProgramReadError;

/// The checker of one profile, as `repy check --profile P [--module NAME ...] [--package NAME
/// ...]` asks for it:
/// the single place where `repy check` hands the profile to the checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checker {
    /// The profile and the modules a `python` program may import (`--module`; none under
    /// `repyv2`), as the checker takes them.
    options: safe_check::Options,
}

/// The checker's profile for a policy's: the two crates name the same profiles, and this
/// match fails to compile when either gains one.
fn checker_profile(profile: Profile) -> safe_check::Profile {
    match profile {
        Profile::Repyv2 => safe_check::Profile::RepyV2,
        Profile::Python => safe_check::Profile::Python,
    }
}

impl Checker {
    /// The checker for `profile` with the modules `--module` and the packages `--package`
    /// list, or a usage error: a module name that a policy's `[python] modules` could not
    /// list (the same checks: the name's shape and that this build ships it), a package name
    /// `[python] packages` could not list (its shape: whether a `site-packages` holds it is
    /// the policy's business), a name given twice, or either option without
    /// `--profile python`.
    pub fn new(
        profile: Profile,
        modules: &[String],
        packages: &[String],
    ) -> Result<Checker, String> {
        let mut listed = BTreeSet::new();
        for package in packages {
            restrictions::check_package_name(package).map_err(|err| format!("--package: {err}"))?;
            if modules.contains(package) || !listed.insert(package.clone()) {
                return Err(format!("--package: `{package}` is given twice"));
            }
        }
        for module in modules {
            restrictions::check_module_name(module).map_err(|err| format!("--module: {err}"))?;
            if !listed.insert(module.clone()) {
                return Err(format!("--module: `{module}` is given twice"));
            }
            // As a policy's `modules`: only what this build ships (a program importing
            // anything else could not run here).
            if !engine::SHIPPED_MODULES.contains(&module.as_str()) {
                return Err(format!(
                    "--module: `{module}` is not a module this build provides (it ships: {})",
                    engine::SHIPPED_MODULES.join(", ")
                ));
            }
        }
        if profile == Profile::Repyv2 && !listed.is_empty() {
            return Err(format!(
                "--module and --package list what the python profile may import, and the \
                 {profile} profile imports nothing: add --profile python"
            ));
        }
        Ok(Checker {
            options: safe_check::Options {
                profile: checker_profile(profile),
                modules: listed.into_iter().collect(),
            },
        })
    }

    /// Checks one program as a run under the profile would: the one call into the checker.
    fn check(
        &self,
        py: Python<'_>,
        source: &str,
        filename: &str,
    ) -> Result<(), safe_check::CheckFailure> {
        safe_check::check_with(py, source, filename, &self.options)
    }
}

/// `repy check`: checks every program with `checker` and prints every violation, in one
/// document for JSON and SARIF. Exits 0 when all are clean, 7 (`program-unreadable`) when a
/// file cannot be read (an `E902` diagnostic) or is not UTF-8, else 5 when any has a
/// violation.
pub fn check_files(programs: &[PathBuf], format: Format, checker: &Checker) -> ExitStatus {
    if let Err(err) = api::interpreter::initialize_complete() {
        eprintln!("repy: internal error: {err}");
        return ExitStatus::InternalError;
    }
    let mut status = ExitStatus::Finished;
    // Every file's diagnostics with its source and name, rendered together at the end (JSON
    // and SARIF are one document over all files).
    let mut checked: Vec<(Vec<safe_check::Diagnostic>, String, String)> = Vec::new();
    Python::attach(|py| {
        for path in programs {
            let filename = path.display().to_string();
            let (source, diagnostics) = match engine::read_program(path) {
                Ok(source) => {
                    if let Err(err) = api::modules::prepare_parser_names(py, &source) {
                        eprintln!("repy: internal error: {err}");
                    }
                    let diagnostics = match checker.check(py, &source, &filename) {
                        Ok(()) => Vec::new(),
                        Err(failure) => failure.diagnostics().to_vec(),
                    };
                    if !diagnostics.is_empty() && status == ExitStatus::Finished {
                        status = ExitStatus::Unsafe;
                    }
                    (source, diagnostics)
                }
                // A file that cannot be read as a program (missing, a directory, too large,
                // not UTF-8) is a diagnostic in every format (E902), so that no output, JSON
                // and SARIF included, looks clean.
                Err(err) => {
                    status = ExitStatus::ProgramUnreadable;
                    if format != Format::Text {
                        eprintln!("repy: {err}");
                    }
                    let message = match &err {
                        ProgramReadError::Io { source, .. } => {
                            format!("cannot read the program file: {source}")
                        }
                        other => other.to_string(),
                    };
                    (
                        String::new(),
                        vec![safe_check::Diagnostic::io_error(message)],
                    )
                }
            };
            if format == Format::Text {
                print!(
                    "{}",
                    safe_check::render_text(&diagnostics, &source, &filename)
                );
            }
            checked.push((diagnostics, source, filename));
        }
    });
    let files: Vec<safe_check::CheckedFile<'_>> = checked
        .iter()
        .map(|(diagnostics, source, filename)| safe_check::CheckedFile {
            diagnostics,
            source,
            filename,
        })
        .collect();
    match format {
        Format::Text => {
            if status == ExitStatus::Finished {
                eprintln!(
                    "repy: {} program{} checked, no violations",
                    programs.len(),
                    if programs.len() == 1 { "" } else { "s" }
                );
            }
        }
        Format::Json => println!("{}", safe_check::render_json_files(&files)),
        Format::Sarif => println!("{}", safe_check::render_sarif_files(&files)),
    }
    status
}

/// `repy explain [RULE]`: prints a rule's documentation, or lists every rule.
pub fn explain(rule: Option<&str>) -> ExitStatus {
    match rule {
        None => {
            for info in safe_check::all_rules() {
                println!("{}  {:<28} {}", info.code, info.name, info.summary);
            }
            ExitStatus::Finished
        }
        Some(rule) => match safe_check::explain(rule) {
            Some(doc) => {
                print!("{doc}");
                ExitStatus::Finished
            }
            None => {
                eprintln!("repy: no rule named '{rule}' (run `repy explain` for the list)");
                ExitStatus::Usage
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn the_checker_takes_the_profile_and_its_modules() {
        let checker = Checker::new(Profile::Repyv2, &[], &[]).expect("repyv2");
        assert_eq!(checker.options, safe_check::Options::default());
        let refused = Checker::new(Profile::Repyv2, &names(&["math"]), &[]).expect_err("refused");
        assert!(refused.contains("add --profile python"), "{refused}");
        let checker =
            Checker::new(Profile::Python, &names(&["math", "heapq"]), &[]).expect("python");
        assert_eq!(
            checker.options,
            safe_check::Options::python(["heapq", "math"])
        );
        let refused =
            Checker::new(Profile::Python, &names(&["inspect"]), &[]).expect_err("not shipped");
        assert!(
            refused.contains("not a module this build provides"),
            "{refused}"
        );
        for profile in Profile::ALL {
            assert_eq!(checker_profile(profile).name(), profile.key());
        }
    }

    #[test]
    fn module_names_are_checked_as_a_policy_checks_them() {
        for (modules, expected) in [
            (&["random._os"][..], "is private"),
            (&["1x"][..], "is not a module name"),
            (&["math", "math"][..], "`math` is given twice"),
            (&[""][..], "cannot be empty"),
        ] {
            let refused = Checker::new(Profile::Python, &names(modules), &[]).expect_err("refused");
            assert!(
                refused.starts_with("--module: ") && refused.contains(expected),
                "{modules:?}: {refused}"
            );
        }
    }
}
