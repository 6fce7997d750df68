//! repy's TOML format: a top-level `profile`, a `[resources]` table and the `python` profile's
//! `[python]` table, walked as spanned values so that every problem in the file is reported,
//! each at its own line and column.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::{nearest, Issue, PolicyError, Report};
use crate::policy::{port_runs, Restrictions};
use crate::profile::{
    check_module_name, check_package_name, Catalog, NameError, Profile, PythonKeyId,
    PythonSettings, PYTHON_KEYS,
};
use crate::resources::{Kind, ResourceId, Unit, RESOURCES};
use crate::units::{byte_unit, duration_unit, split_quantity, Decimal, MAX_BYTES};

/// The table of resources.
const RESOURCES_TABLE: &str = "resources";
/// The top-level key that selects the profile.
const PROFILE_KEY: &str = "profile";
/// The table of the `python` profile's settings.
const PYTHON_TABLE: &str = "python";
/// Every top-level key, for suggestions.
const TOP_LEVEL: [&str; 3] = [PROFILE_KEY, RESOURCES_TABLE, PYTHON_TABLE];

type Value<'i> = Spanned<DeValue<'i>>;

pub(crate) fn parse(
    text: &str,
    path: &str,
    catalog: &Catalog<'_>,
    default_profile: Profile,
) -> Result<Restrictions, PolicyError> {
    let mut report = Report::new(text);
    let document = match DeTable::parse(text) {
        Ok(document) => document,
        Err(error) => {
            let offset = error.span().map_or(0, |span| span.start);
            if error.message() == "duplicate key" {
                let key = error
                    .span()
                    .and_then(|span| text.get(span))
                    .map(|key| key.trim_matches(|c| c == '"' || c == '\''));
                report.at(
                    offset,
                    key,
                    Issue::new("duplicate key: each key may be given only once"),
                );
            } else {
                report.at(
                    offset,
                    None,
                    Issue::new(format!("invalid TOML: {}", error.message())),
                );
            }
            return Err(report.into_errors(path).into());
        }
    };

    let policy = check_document(
        document.get_ref(),
        text,
        catalog,
        default_profile,
        &mut report,
    );
    if !document.get_ref().contains_key(RESOURCES_TABLE) && !near_resources(document.get_ref()) {
        report.at_line_col(1, 1, None, Issue::new("missing `[resources]` table"));
    }
    if report.is_empty() {
        Ok(policy)
    } else {
        Err(report.into_errors(path).into())
    }
}

/// A policy given as a table of another TOML document (a grading manifest's
/// `[restrictions]`): the same keys and checks as a restrictions file (though its
/// `[resources]` may be left out: the defaults then), every problem reported at its line
/// and column in `text`, the whole document. A table without `profile` has
/// `default_profile` (a grading manifest's is `python`).
pub fn from_embedded_table(
    table: &DeTable<'_>,
    text: &str,
    catalog: &Catalog<'_>,
    default_profile: Profile,
) -> Result<Restrictions, Vec<crate::Problem>> {
    let mut report = Report::new(text);
    let policy = check_document(table, text, catalog, default_profile, &mut report);
    if report.is_empty() {
        Ok(policy)
    } else {
        Err(report.into_problems())
    }
}

/// Sets one resource of `policy` from `key = value` of another TOML document (a grading
/// test's own `memory = "32 MB"`), with the checks of a restrictions file's `[resources]`;
/// the problems, at their line and column in `text`.
pub fn set_resource(
    policy: &mut Restrictions,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Value<'_>,
    text: &str,
) -> Result<(), Vec<crate::Problem>> {
    let mut report = Report::new(text);
    let profile = Some(policy.profile);
    check_resource(key, value, text, profile, &mut report, policy);
    if report.is_empty() {
        Ok(())
    } else {
        Err(report.into_problems())
    }
}

/// Checks a whole document (or an embedded table) and gives the policy it describes, its
/// problems in `report`.
fn check_document(
    document: &DeTable<'_>,
    text: &str,
    catalog: &Catalog<'_>,
    default_profile: Profile,
    report: &mut Report<'_>,
) -> Restrictions {
    // The profile first: what the rest of the file may hold depends on it. `None` when the
    // value is invalid (already reported): nothing is then refused for its profile.
    let profile = match document.get(PROFILE_KEY) {
        None => Some(default_profile),
        Some(value) => match profile_value(value, text) {
            Ok(profile) => Some(profile),
            Err(issue) => {
                report.at(value.span().start, Some(PROFILE_KEY), issue);
                None
            }
        },
    };
    let mut policy = Restrictions::defaults_for(profile.unwrap_or(default_profile));
    for (key, value) in document.iter() {
        let name: &str = key.get_ref();
        if name == PROFILE_KEY {
            continue;
        }
        if name == PYTHON_TABLE {
            let settings = python_table(value, text, catalog, report);
            match profile {
                Some(Profile::Python) => policy.python = settings,
                Some(other) => {
                    let selected = match document.get(PROFILE_KEY) {
                        Some(value) => format!(
                            "this file selects `profile = \"{other}\"` (line {})",
                            report.position(value.span().start).0
                        ),
                        None => format!("this file selects no profile, so it is `{other}`"),
                    };
                    report.at(
                        key.span().start,
                        Some(name),
                        Issue::new(format!(
                            "the `[python]` table holds the python profile's settings, and \
                             {selected}: add `profile = \"python\"` at the top of the file, \
                             before any table"
                        )),
                    );
                }
                None => {}
            }
        } else if name == RESOURCES_TABLE {
            match value.get_ref() {
                DeValue::Table(table) => {
                    for (key, value) in table.iter() {
                        check_resource(key, value, text, profile, report, &mut policy);
                    }
                }
                _ => report.at(
                    value.span().start,
                    Some(name),
                    Issue::new(format!(
                        "expected a table (`[resources]`), found {}",
                        found(value, text)
                    )),
                ),
            }
        } else if ResourceId::from_key(name).is_some() {
            report.at(
                key.span().start,
                Some(name),
                Issue::new("resource keys belong in the `[resources]` table, after its header"),
            );
        } else if PythonKeyId::from_key(name).is_some() {
            report.at(
                key.span().start,
                Some(name),
                Issue::new("this key belongs in the `[python]` table, after its header"),
            );
        } else {
            let suggestion = nearest(name, TOP_LEVEL);
            report.at(
                key.span().start,
                Some(name),
                Issue::new(
                    "unknown top-level key: the file holds `profile = \"...\"`, the \
                     `[resources]` table and the `[python]` table",
                )
                .suggest(suggestion),
            );
        }
    }
    policy
}

/// Whether the document has a misspelt `[resources]` (reported once, as an unknown key with
/// the suggestion, not also as a missing table).
fn near_resources(document: &DeTable<'_>) -> bool {
    document
        .iter()
        .any(|(key, _)| nearest(key.get_ref(), TOP_LEVEL) == Some(RESOURCES_TABLE))
}

/// The 1-based line and character column of the value of `key` in `[resources]`, if the
/// document parses and gives it.
pub(crate) fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    let document = DeTable::parse(text).ok()?;
    let resources = document.get_ref().get(RESOURCES_TABLE)?;
    let DeValue::Table(table) = resources.get_ref() else {
        return None;
    };
    let value = table.get(key)?;
    Some(crate::error::LineIndex::new(text).position(value.span().start))
}

/// The profile named by the value of `profile`.
fn profile_value(value: &Value<'_>, text: &str) -> Result<Profile, Issue> {
    let names: Vec<String> = Profile::ALL
        .iter()
        .map(|p| format!("`{}`", p.key()))
        .collect();
    let names = names.join(" or ");
    let DeValue::String(given) = value.get_ref() else {
        return Err(wrong_type(
            &format!("a string, {names} (`profile = \"python\"`)"),
            value,
            text,
        ));
    };
    Profile::from_key(given).ok_or_else(|| {
        Issue::new(format!("unknown profile \"{given}\": use {names}"))
            .suggest(nearest(given, Profile::ALL.iter().map(|p| p.key())))
    })
}

/// Checks one `key = value` of `[resources]` and stores its value in `policy`; `profile` is
/// the file's (`None` when its value is invalid).
fn check_resource(
    key: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Value<'_>,
    text: &str,
    profile: Option<Profile>,
    report: &mut Report<'_>,
    policy: &mut Restrictions,
) {
    let name: &str = key.get_ref();
    let Some(id) = ResourceId::from_key(name) else {
        let issue = if name == PROFILE_KEY {
            Issue::new(
                "`profile` is a top-level key: put it at the top of the file, before the \
                 `[resources]` header",
            )
        } else if PythonKeyId::from_key(name).is_some() {
            Issue::new("this key belongs in the `[python]` table, not in `[resources]`")
        } else {
            Issue::new("unknown resource").suggest(nearest(name, RESOURCES.iter().map(|s| s.key)))
        };
        report.at(key.span().start, Some(name), issue);
        return;
    };
    let spec = id.spec();
    if let (Some(only), Some(profile)) = (spec.only, profile) {
        if only != profile {
            report.at(
                key.span().start,
                Some(name),
                Issue::new(format!(
                    "this resource is in force only under the {only} profile, and this file's \
                     profile is `{profile}`: add `profile = \"{only}\"` at the top of the file"
                )),
            );
        }
    }
    let at = value.span().start;
    let result = match (spec.kind, spec.unit) {
        (_, Unit::CoreFraction) => cpu(value, text).map(|v| policy.set_amount(id, v)),
        (Kind::Limit, Unit::Bytes) => bytes(value, text).map(|v| policy.set_total(id, v)),
        (_, Unit::Bytes) => bytes(value, text).map(|v| policy.set_amount(id, v as f64)),
        (_, Unit::BytesPerSecond) => rate(value, text).map(|v| policy.set_amount(id, v)),
        (_, Unit::Count) => count(value, text).map(|v| policy.set_amount(id, v as f64)),
        (_, Unit::Seconds) => duration(value, text).map(|v| {
            if id == ResourceId::CpuTime {
                policy.cpu_time = Some(v);
            } else {
                policy.wall_time = Some(v);
            }
        }),
        (_, Unit::Port) => {
            let granted = ports(value, text, name, report);
            if let Some(set) = policy.ports_mut(id) {
                *set = granted;
            }
            Ok(())
        }
    };
    if let Err(issue) = result {
        report.at(at, Some(name), issue);
    }
}

/// The `[python]` table's settings; every problem in it is reported.
fn python_table(
    value: &Value<'_>,
    text: &str,
    catalog: &Catalog<'_>,
    report: &mut Report<'_>,
) -> PythonSettings {
    let mut settings = PythonSettings::default();
    let DeValue::Table(table) = value.get_ref() else {
        report.at(
            value.span().start,
            Some(PYTHON_TABLE),
            Issue::new(format!(
                "expected a table (`[python]`), found {}",
                found(value, text)
            )),
        );
        return settings;
    };
    // Where `modules` lists each name, to refuse the same name in `packages`.
    let mut module_lines = BTreeMap::new();
    let mut packages = None;
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        let Some(id) = PythonKeyId::from_key(name) else {
            let issue = if ResourceId::from_key(name).is_some() {
                Issue::new("resource keys belong in the `[resources]` table, not in `[python]`")
            } else if name == PROFILE_KEY {
                Issue::new(
                    "`profile` is a top-level key: put it at the top of the file, before the \
                     `[python]` header",
                )
            } else {
                Issue::new("unknown key in `[python]`")
                    .suggest(nearest(name, PYTHON_KEYS.iter().map(|k| k.key)))
            };
            report.at(key.span().start, Some(name), issue);
            continue;
        };
        match id {
            PythonKeyId::Modules => {
                let known = catalog.modules;
                let names = names(value, text, name, report, &|module: &str| {
                    check_module_name(module).map_err(issue_of)?;
                    match known {
                        Some(known) if !known.contains(&module) => Err(Issue::new(format!(
                            "`{module}` is not a module this build provides"
                        ))
                        .suggest(nearest(module, known.iter().copied()))),
                        _ => Ok(()),
                    }
                });
                for (module, offset) in names {
                    module_lines.insert(module.clone(), report.position(offset).0);
                    settings.modules.insert(module);
                }
            }
            PythonKeyId::Packages => {
                let names = names(value, text, name, report, &|package: &str| {
                    check_package_name(package).map_err(issue_of)
                });
                packages = Some((names, key.span().start));
            }
            PythonKeyId::SitePackages => match site_packages(value, text) {
                Ok(dir) => {
                    if catalog.packages_on_disk && !dir.is_dir() {
                        report.at(
                            value.span().start,
                            Some(name),
                            Issue::new(format!("`{}` is not a directory", dir.display())),
                        );
                    }
                    settings.site_packages = Some(dir);
                }
                Err(issue) => report.at(value.span().start, Some(name), issue),
            },
        }
    }
    if let Some((names, key_offset)) = packages {
        let has_site_packages = table.get(PythonKeyId::SitePackages.spec().key).is_some();
        if !names.is_empty() && !has_site_packages {
            report.at(
                key_offset,
                Some(PythonKeyId::Packages.spec().key),
                Issue::new(
                    "packages are imported from a directory: set `site-packages` in \
                     `[python]` too",
                ),
            );
        }
        for (package, offset) in names {
            if let Some(line) = module_lines.get(&package) {
                report.at(
                    offset,
                    Some(PythonKeyId::Packages.spec().key),
                    Issue::new(format!(
                        "`{package}` is listed in `modules` too (line {line}): a name is \
                         either a module this build provides or a package from \
                         `site-packages`"
                    )),
                );
            }
            if let Some(dir) = settings
                .site_packages
                .as_deref()
                .filter(|dir| catalog.packages_on_disk && dir.is_dir())
            {
                if !package_installed(dir, &package) {
                    report.at(
                        offset,
                        Some(PythonKeyId::Packages.spec().key),
                        Issue::new(format!(
                            "`{package}` is not installed in `{}` (no package directory, \
                             `{package}.py` nor extension module of that name)",
                            dir.display()
                        )),
                    );
                }
            }
            settings.packages.insert(package);
        }
    }
    settings
}

/// Whether `dir` holds the top-level package or module `name`: a directory, `NAME.py`, or an
/// extension module `NAME.*.so` / `NAME.so`.
fn package_installed(dir: &std::path::Path, name: &str) -> bool {
    if dir.join(name).is_dir() || dir.join(format!("{name}.py")).is_file() {
        return true;
    }
    let prefix = format!("{name}.");
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            file.starts_with(&prefix) && file.ends_with(".so")
        })
    })
}

fn issue_of(error: NameError) -> Issue {
    Issue::new(error.to_string())
}

/// The names of an array of strings, each checked by `check` and listed once, with the byte
/// offset of each; every bad element is reported at its own position, the good ones kept.
fn names(
    value: &Value<'_>,
    text: &str,
    key: &str,
    report: &mut Report<'_>,
    check: &dyn Fn(&str) -> Result<(), Issue>,
) -> Vec<(String, usize)> {
    let mut kept: Vec<(String, usize)> = Vec::new();
    let DeValue::Array(items) = value.get_ref() else {
        report.at(
            value.span().start,
            Some(key),
            wrong_type("an array of names like [\"math\", \"json\"]", value, text),
        );
        return kept;
    };
    for item in items.iter() {
        let at = item.span().start;
        let DeValue::String(name) = item.get_ref() else {
            report.at(at, Some(key), wrong_type("a name in quotes", item, text));
            continue;
        };
        if let Some((_, first)) = kept.iter().find(|(seen, _)| seen == name.as_ref()) {
            let line = report.position(*first).0;
            report.at(
                at,
                Some(key),
                Issue::new(format!("`{name}` is listed twice (first on line {line})")),
            );
            continue;
        }
        match check(name) {
            Ok(()) => kept.push((name.to_string(), at)),
            Err(issue) => report.at(at, Some(key), issue),
        }
    }
    kept
}

/// The value of `site-packages`: an absolute path.
fn site_packages(value: &Value<'_>, text: &str) -> Result<PathBuf, Issue> {
    let DeValue::String(dir) = value.get_ref() else {
        return Err(wrong_type(
            "a directory path in quotes (\"/opt/venv/lib/python3.11/site-packages\")",
            value,
            text,
        ));
    };
    if dir.is_empty() {
        return Err(Issue::new(
            "expected a directory path, found an empty string",
        ));
    }
    if dir.contains('\0') {
        return Err(Issue::new("a path cannot hold a NUL character"));
    }
    if !Path::new(dir.as_ref()).is_absolute() {
        return Err(Issue::new(format!(
            "\"{dir}\" is relative: write an absolute path (a relative one would depend on \
             the directory repy is started in)"
        )));
    }
    Ok(PathBuf::from(dir.as_ref()))
}

/// What a value is, for "found ..." in messages: its type and (short) source text.
fn found(value: &Value<'_>, text: &str) -> String {
    let kind = value.get_ref().type_str();
    if let DeValue::Table(_) = value.get_ref() {
        return "a table".to_owned();
    }
    let source = text.get(value.span()).unwrap_or("").trim();
    let short: String = source.chars().take(40).collect();
    let ellipsis = if short.len() < source.len() {
        "..."
    } else {
        ""
    };
    format!("{kind} `{short}{ellipsis}`")
}

fn wrong_type(expected: &str, value: &Value<'_>, text: &str) -> Issue {
    Issue::new(format!("expected {expected}, found {}", found(value, text)))
}

/// A TOML number: an integer (any radix) or a finite float.
enum Number {
    Int(i128),
    Float(f64),
}

/// The value as a number, `None` when it is not a TOML integer or float.
fn number(value: &Value<'_>, text: &str) -> Option<Result<Number, Issue>> {
    let source = || text.get(value.span()).unwrap_or("").trim().to_owned();
    match value.get_ref() {
        DeValue::Integer(int) => Some(
            i128::from_str_radix(int.as_str(), int.radix())
                .map(Number::Int)
                .map_err(|_| Issue::new(format!("integer `{}` is out of range", source()))),
        ),
        DeValue::Float(float) => Some(match float.as_str().parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Number::Float(f)),
            _ => Err(Issue::new(format!(
                "expected a finite number, found `{}`",
                source()
            ))),
        }),
        _ => None,
    }
}

/// A non-negative number as `f64` (−0.0 becomes 0.0).
fn non_negative(number: Number, value: &Value<'_>, text: &str) -> Result<f64, Issue> {
    let as_f64 = match number {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    };
    if as_f64 < 0.0 {
        let source = text.get(value.span()).unwrap_or("").trim();
        return Err(Issue::new(format!(
            "negative values are not allowed, found `{source}`"
        )));
    }
    Ok(as_f64 + 0.0)
}

/// A whole number in 0..=2^53 (an integer, or a float without a fraction).
fn whole(number: Number, what: &str, value: &Value<'_>, text: &str) -> Result<u64, Issue> {
    let source = text.get(value.span()).unwrap_or("").trim();
    let too_large = || Issue::new(format!("`{source}` is too large (at most 2^53)"));
    match number {
        // Integers are checked exactly: 2^53 + 1 must not round down to 2^53.
        Number::Int(int) => match u64::try_from(int) {
            Ok(whole) if whole <= MAX_BYTES => Ok(whole),
            Ok(_) => Err(too_large()),
            Err(_) if int < 0 => Err(Issue::new(format!(
                "negative values are not allowed, found `{source}`"
            ))),
            Err(_) => Err(too_large()),
        },
        Number::Float(float) => {
            let float = non_negative(Number::Float(float), value, text)?;
            if float.fract() != 0.0 {
                return Err(Issue::new(format!(
                    "expected a whole number of {what}, found `{source}`"
                )));
            }
            if float > MAX_BYTES as f64 {
                return Err(too_large());
            }
            Ok(float as u64)
        }
    }
}

fn cpu(value: &Value<'_>, text: &str) -> Result<f64, Issue> {
    const EXPECTED: &str = "a number of cores (e.g. 0.5) or a percentage (e.g. \"50%\")";
    let fraction = if let Some(number) = number(value, text) {
        non_negative(number?, value, text)?
    } else if let DeValue::String(s) = value.get_ref() {
        let Some(percent) = s.trim().strip_suffix('%') else {
            return Err(Issue::new(format!(
                "expected {EXPECTED}, found string \"{s}\" (a string needs a `%` suffix)"
            )));
        };
        let percent = percent.trim();
        if percent.starts_with('-') {
            return Err(Issue::new(format!(
                "negative values are not allowed, found \"{s}\""
            )));
        }
        let decimal = Decimal::parse(percent).map_err(|_| {
            Issue::new(format!(
                "expected a percentage like \"50%\", found string \"{s}\""
            ))
        })?;
        decimal
            .to_f64(1, 2)
            .ok_or_else(|| Issue::new(format!("\"{s}\" is too large")))?
    } else {
        return Err(wrong_type(EXPECTED, value, text));
    };
    if fraction == 0.0 {
        return Err(Issue::new(
            "must be greater than 0: a program with no CPU share can never run",
        ));
    }
    Ok(fraction)
}

fn bytes(value: &Value<'_>, text: &str) -> Result<u64, Issue> {
    const EXPECTED: &str = "a whole number of bytes or a string like \"15 MB\"";
    if let Some(number) = number(value, text) {
        return whole(number?, "bytes", value, text);
    }
    let DeValue::String(s) = value.get_ref() else {
        return Err(wrong_type(EXPECTED, value, text));
    };
    if s.trim().ends_with("/s") {
        return Err(Issue::new(format!(
            "expected an amount of bytes, found the rate \"{s}\" (drop the `/s`)"
        )));
    }
    let (decimal, unit) = split_quantity(s)?;
    let factor = byte_unit(unit)?;
    match decimal.to_whole(factor) {
        Ok(Some(bytes)) if bytes <= u128::from(MAX_BYTES) => Ok(bytes as u64),
        Ok(Some(_)) | Err(()) => Err(Issue::new(format!(
            "\"{s}\" is too large (at most 2^53 bytes)"
        ))),
        Ok(None) => Err(Issue::new(format!(
            "\"{s}\" is not a whole number of bytes"
        ))),
    }
}

fn rate(value: &Value<'_>, text: &str) -> Result<f64, Issue> {
    const EXPECTED: &str = "a number of bytes per second or a string like \"100 kB/s\"";
    if let Some(number) = number(value, text) {
        return non_negative(number?, value, text);
    }
    let DeValue::String(s) = value.get_ref() else {
        return Err(wrong_type(EXPECTED, value, text));
    };
    let Some(amount) = s.trim().strip_suffix("/s") else {
        // Say what is missing only when the rest would have been a valid amount.
        if let Ok((_, unit)) = split_quantity(s) {
            if byte_unit(unit).is_ok() {
                return Err(Issue::new(format!(
                    "a rate needs a `/s` suffix: write \"{}/s\"",
                    s.trim()
                )));
            }
        }
        return Err(wrong_type(EXPECTED, value, text));
    };
    let (decimal, unit) = split_quantity(amount)?;
    let factor = byte_unit(unit)?;
    decimal
        .to_f64(factor, 0)
        .ok_or_else(|| Issue::new(format!("\"{s}\" is too large")))
}

fn count(value: &Value<'_>, text: &str) -> Result<u64, Issue> {
    match number(value, text) {
        Some(number) => whole(number?, "items", value, text),
        None => Err(wrong_type("a whole number", value, text)),
    }
}

fn duration(value: &Value<'_>, text: &str) -> Result<Duration, Issue> {
    const EXPECTED: &str =
        "a number of seconds or a string like \"10 s\", \"500 ms\", \"2 min\" or \"1 h\"";
    const NOT_ZERO: &str = "must be greater than 0 (leave the key out for no limit)";
    if let Some(number) = number(value, text) {
        let seconds = non_negative(number?, value, text)?;
        if seconds == 0.0 {
            return Err(Issue::new(NOT_ZERO));
        }
        return Duration::try_from_secs_f64(seconds)
            .map_err(|_| Issue::new(format!("{seconds} seconds is too long")));
    }
    let DeValue::String(s) = value.get_ref() else {
        return Err(wrong_type(EXPECTED, value, text));
    };
    let (decimal, unit) = split_quantity(s)?;
    let factor = duration_unit(unit)?;
    if decimal.is_zero() {
        return Err(Issue::new(NOT_ZERO));
    }
    let too_long = || Issue::new(format!("\"{s}\" is too long"));
    let nanos = decimal.to_floor(factor).ok_or_else(too_long)?;
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| too_long())?;
    let subsec = u32::try_from(nanos % 1_000_000_000).map_err(|_| too_long())?;
    if secs == 0 && subsec == 0 {
        return Err(Issue::new(format!("\"{s}\" is shorter than a nanosecond")));
    }
    Ok(Duration::new(secs, subsec))
}

/// The ports of an array of integers and `"a-b"` strings; each bad element is reported at
/// its own position, and the good ones are kept.
fn ports(value: &Value<'_>, text: &str, key: &str, report: &mut Report<'_>) -> BTreeSet<u16> {
    const EXPECTED: &str = "an array of ports and ranges like [12345, \"63100-63199\"]";
    let mut granted = BTreeSet::new();
    let DeValue::Array(items) = value.get_ref() else {
        report.at(
            value.span().start,
            Some(key),
            wrong_type(EXPECTED, value, text),
        );
        return granted;
    };
    for item in items.iter() {
        match port_item(item, text) {
            Ok((start, end)) => {
                let again: Vec<u16> = (start..=end).filter(|p| granted.contains(p)).collect();
                if !again.is_empty() {
                    report.at(item.span().start, Some(key), listed_twice(&again));
                }
                granted.extend(start..=end);
            }
            Err(issue) => report.at(item.span().start, Some(key), issue),
        }
    }
    granted
}

fn listed_twice(ports: &[u16]) -> Issue {
    let runs: Vec<String> = port_runs(ports.iter().copied())
        .into_iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    let noun = if ports.len() == 1 { "port" } else { "ports" };
    let verb = if ports.len() == 1 { "is" } else { "are" };
    Issue::new(format!("{noun} {} {verb} listed twice", runs.join(", ")))
}

/// One element of a port array: an inclusive range (a single port is `p..=p`).
fn port_item(item: &Value<'_>, text: &str) -> Result<(u16, u16), Issue> {
    const EXPECTED: &str = "a port number or a range string like \"63100-63199\"";
    match item.get_ref() {
        DeValue::Integer(_) => match number(item, text) {
            Some(Ok(Number::Int(port))) => port_number(port).map(|p| (p, p)),
            Some(Err(issue)) => Err(issue),
            _ => Err(wrong_type(EXPECTED, item, text)),
        },
        DeValue::String(s) => {
            let trimmed = s.trim();
            if trimmed.starts_with('-') {
                return Err(Issue::new(format!("ports are 1-65535, found \"{s}\"")));
            }
            let (start, end) = match trimmed.split_once('-') {
                Some((start, end)) => (start.trim(), end.trim()),
                None => (trimmed, trimmed),
            };
            let parse = |part: &str| -> Result<u16, Issue> {
                if part.is_empty() || !part.chars().all(|c| c.is_ascii_digit()) {
                    return Err(Issue::new(format!(
                        "expected {EXPECTED}, found string \"{s}\""
                    )));
                }
                match part.parse::<i128>() {
                    Ok(port) => port_number(port),
                    Err(_) => Err(Issue::new(format!("port {part} is out of range 1-65535"))),
                }
            };
            let (start, end) = (parse(start)?, parse(end)?);
            if start > end {
                return Err(Issue::new(format!(
                    "range \"{s}\" is reversed (empty): write \"{end}-{start}\""
                )));
            }
            Ok((start, end))
        }
        _ => Err(wrong_type(EXPECTED, item, text)),
    }
}

fn port_number(port: i128) -> Result<u16, Issue> {
    match u16::try_from(port) {
        Ok(p) if p >= 1 => Ok(p),
        _ => Err(Issue::new(format!("port {port} is out of range 1-65535"))),
    }
}
