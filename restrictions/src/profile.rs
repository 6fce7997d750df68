//! Profiles: which kind of program a policy runs (RepyV2 programs, or ordinary Python 3
//! programs), and the `python` profile's settings (the `[python]` table).
//!
//! Like the resource table, the profiles ([`Profile::ALL`]) and the keys of `[python]`
//! ([`PYTHON_KEYS`]) are each listed once: validation, the suggestions for typos, the TOML
//! conversion and the generated documentation read them.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// Which kind of program a policy runs, selected by the top-level key `profile` of a TOML
/// restrictions file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Profile {
    /// RepyV2 programs: the RepyV2 API and nothing else, standard input empty. The default,
    /// and the only profile a legacy file can have.
    #[default]
    Repyv2,
    /// Ordinary Python 3 programs: on top of everything `repyv2` allows, standard input,
    /// `print`, `open()` in the vessel and the modules of the `[python]` table.
    Python,
}

impl Profile {
    /// Every profile, the default first.
    pub const ALL: [Profile; 2] = [Profile::Repyv2, Profile::Python];

    /// The value of `profile = "..."`, the report's `profile` and `repy check --profile`.
    pub const fn key(self) -> &'static str {
        match self {
            Profile::Repyv2 => "repyv2",
            Profile::Python => "python",
        }
    }

    /// The profile whose key is exactly `key` (case-sensitive), if any.
    pub fn from_key(key: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.key() == key)
    }

    /// A one-line description, for `--help` and the docs.
    pub const fn description(self) -> &'static str {
        match self {
            Profile::Repyv2 => {
                "RepyV2 programs, exactly as RepyV2 ran them: the RepyV2 API and nothing else, \
                 standard input empty (`/dev/null`); the only profile of a legacy file"
            }
            Profile::Python => {
                "Ordinary Python 3 programs: everything `repyv2` allows, and standard input \
                 (`input()`), `print`, `open()` in the vessel, `str.format`, text codecs and \
                 the modules and packages the `[python]` table lists"
            }
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The `python` profile's settings: what its programs may import. Empty (no module, no
/// package) when the file has no `[python]` table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PythonSettings {
    pub(crate) modules: BTreeSet<String>,
    pub(crate) site_packages: Option<PathBuf>,
    pub(crate) packages: BTreeSet<String>,
}

impl PythonSettings {
    /// The standard-library modules the program may import (`modules`), each a valid
    /// dotted name (see [`check_module_name`]); a submodule comes with its package.
    pub fn modules(&self) -> &BTreeSet<String> {
        &self.modules
    }

    /// The directory the [`packages`](PythonSettings::packages) are imported from
    /// (`site-packages`), an absolute path; `None` when not set.
    pub fn site_packages(&self) -> Option<&Path> {
        self.site_packages.as_deref()
    }

    /// The trusted third-party packages the program may import (`packages`), each a
    /// top-level package name (see [`check_package_name`]).
    pub fn packages(&self) -> &BTreeSet<String> {
        &self.packages
    }
}

/// What a build can provide, against which a policy's `[python]` table is checked beyond its
/// syntax (see [`crate::Restrictions::parse_runnable_with`]).
///
/// The list of shipped modules belongs to the namespace that ships them (the engine and the
/// API); the default catalog checks nothing, so that every well-formed name is accepted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Catalog<'a> {
    /// Every module name `modules` may list; `None` accepts any well-formed name.
    pub modules: Option<&'a [&'a str]>,
    /// Whether `site-packages` must be a directory holding every package `packages` lists
    /// (a package directory, `NAME.py` or an extension module `NAME.*.so`), as a run needs.
    pub packages_on_disk: bool,
}

/// Why a name cannot be listed in `modules` or `packages` (or given to `--module`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty.
    #[error("a module name cannot be empty")]
    Empty,
    /// A dot-separated part is not an identifier.
    #[error(
        "`{name}` is not a module name: each dot-separated part must be an identifier \
         (ASCII letters, digits and `_`, not starting with a digit), like `collections.abc`"
    )]
    NotIdentifier {
        /// The name as given.
        name: String,
    },
    /// A part is a Python keyword, which `import` cannot name.
    #[error("`{name}` is not a module name: `{part}` is a Python keyword")]
    Keyword {
        /// The name as given.
        name: String,
        /// The keyword.
        part: String,
    },
    /// A part starts with `_`: private modules are never importable.
    #[error("`{name}` is private: a name part starting with `_` (`{part}`) is never importable")]
    Private {
        /// The name as given.
        name: String,
        /// The part starting with `_`.
        part: String,
    },
    /// A package name with a dot: packages are listed by their top-level name.
    #[error(
        "`{name}` is not a package name: list the top-level package `{top}`, whose \
         submodules come with it"
    )]
    Dotted {
        /// The name as given.
        name: String,
        /// Its top-level package.
        top: String,
    },
}

/// Python's keywords: none of them can be a module name in an `import` statement.
const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Checks a name of `modules` (and `repy check --module`): dot-separated ASCII identifiers,
/// none a keyword, none starting with `_` (`math`, `collections.abc`).
pub fn check_module_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    let parts: Vec<&str> = name.split('.').collect();
    if !parts.iter().all(|part| is_identifier(part)) {
        return Err(NameError::NotIdentifier {
            name: name.to_owned(),
        });
    }
    if let Some(part) = parts.iter().find(|part| KEYWORDS.contains(part)) {
        return Err(NameError::Keyword {
            name: name.to_owned(),
            part: (*part).to_owned(),
        });
    }
    if let Some(part) = parts.iter().find(|part| part.starts_with('_')) {
        return Err(NameError::Private {
            name: name.to_owned(),
            part: (*part).to_owned(),
        });
    }
    Ok(())
}

/// Checks a name of `packages`: a module name (see [`check_module_name`]) without a dot.
pub fn check_package_name(name: &str) -> Result<(), NameError> {
    check_module_name(name)?;
    match name.split_once('.') {
        Some((top, _)) => Err(NameError::Dotted {
            name: name.to_owned(),
            top: top.to_owned(),
        }),
        None => Ok(()),
    }
}

/// An ASCII identifier: a letter or `_`, then letters, digits and `_`.
fn is_identifier(part: &str) -> bool {
    let mut chars = part.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A key of the `[python]` table (see [`PYTHON_KEYS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PythonKeyId {
    /// `modules`.
    Modules,
    /// `site-packages`.
    SitePackages,
    /// `packages`.
    Packages,
}

/// One row of [`PYTHON_KEYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonKey {
    /// Which key this row describes.
    pub id: PythonKeyId,
    /// The key in the `[python]` table.
    pub key: &'static str,
    /// The value it takes, for the docs.
    pub value: &'static str,
    /// Its value when left out, for the docs.
    pub default: &'static str,
    /// What it means; Markdown, no `|`.
    pub doc: &'static str,
    /// An example value, as TOML.
    pub example: &'static str,
}

/// The keys of the `[python]` table, in [`PythonKeyId`] order (the order of the docs and the
/// TOML conversion).
pub static PYTHON_KEYS: &[PythonKey] = &PYTHON_ROWS;

/// The rows of [`PYTHON_KEYS`], indexed by `PythonKeyId as usize`.
static PYTHON_ROWS: [PythonKey; 3] = [
    PythonKey {
        id: PythonKeyId::Modules,
        key: "modules",
        value: "array of module names",
        default: "`[]`: no module",
        doc: "Standard-library modules the program may `import` (and `from ... import`); a \
              submodule such as `collections.abc` comes with its package. Each name is \
              dot-separated ASCII identifiers, none a keyword and none starting with `_`, \
              listed once",
        example: r#"["math", "random", "collections"]"#,
    },
    PythonKey {
        id: PythonKeyId::SitePackages,
        key: "site-packages",
        value: "string: an absolute path",
        default: "none",
        doc: "The directory the `packages` are imported from (a virtual environment's \
              `site-packages`, made with the CPython 3.11 repy links); required when \
              `packages` lists any. A run and `repy restrictions check` refuse a path that is \
              not a directory",
        example: r#""/opt/grader/venv/lib/python3.11/site-packages""#,
    },
    PythonKey {
        id: PythonKeyId::Packages,
        key: "packages",
        value: "array of package names",
        default: "`[]`: no package",
        doc: "Trusted third-party packages from `site-packages` the program may import, by \
              top-level name (their submodules come with them). They are imported before \
              confinement and the checker does not see their code: the language wall does \
              not cover them, the kernel walls and the nanny still do (docs/packages.md). A \
              name is listed once, not in `modules` too, and must be installed in \
              `site-packages` (a package directory, `NAME.py` or an extension module)",
        example: r#"["numpy"]"#,
    },
];

impl PythonKeyId {
    /// This key's row in [`PYTHON_KEYS`].
    pub fn spec(self) -> &'static PythonKey {
        // The rows are in variant order: `python_keys_cover_every_id` checks it.
        &PYTHON_ROWS[self as usize]
    }

    /// The key with this exact (case-sensitive) name, if any.
    pub fn from_key(key: &str) -> Option<PythonKeyId> {
        PYTHON_KEYS
            .iter()
            .find(|row| row.key == key)
            .map(|row| row.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_round_trip_their_keys() {
        for profile in Profile::ALL {
            assert_eq!(Profile::from_key(profile.key()), Some(profile));
            assert_eq!(profile.to_string(), profile.key());
            assert!(!profile.description().contains('|'));
        }
        assert_eq!(Profile::default(), Profile::Repyv2);
        assert_eq!(Profile::from_key("Python"), None);
    }

    #[test]
    fn python_keys_cover_every_id() {
        for id in [
            PythonKeyId::Modules,
            PythonKeyId::SitePackages,
            PythonKeyId::Packages,
        ] {
            assert_eq!(id.spec().id, id);
            assert_eq!(PythonKeyId::from_key(id.spec().key), Some(id));
        }
        for (index, row) in PYTHON_KEYS.iter().enumerate() {
            assert_eq!(row.id as usize, index, "{}", row.key);
            assert!(!row.doc.contains('|'), "{}", row.key);
        }
    }

    #[test]
    fn module_names_are_dotted_public_identifiers() {
        for good in ["math", "collections.abc", "os2", "a_b.c9", "numpy"] {
            assert_eq!(check_module_name(good), Ok(()), "{good}");
        }
        assert_eq!(check_module_name(""), Err(NameError::Empty));
        for bad in ["1abc", "a..b", ".a", "a.", "a-b", "a b", "caf\u{e9}", "a.*"] {
            assert!(
                matches!(check_module_name(bad), Err(NameError::NotIdentifier { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            check_module_name("x.class"),
            Err(NameError::Keyword { part, .. }) if part == "class"
        ));
        assert!(matches!(
            check_module_name("random._os"),
            Err(NameError::Private { part, .. }) if part == "_os"
        ));
        assert!(matches!(
            check_module_name("__future__"),
            Err(NameError::Private { .. })
        ));
    }

    #[test]
    fn package_names_are_top_level() {
        assert_eq!(check_package_name("numpy"), Ok(()));
        let error = check_package_name("numpy.linalg").unwrap_err();
        assert!(matches!(&error, NameError::Dotted { top, .. } if top == "numpy"));
        assert!(error.to_string().contains("`numpy`"), "{error}");
        assert!(matches!(
            check_package_name("_private"),
            Err(NameError::Private { .. })
        ));
    }
}
