//! The test manifest: a TOML file naming the policy, the files placed in each test's vessel
//! and the tests. Every problem in it is reported at once, each at its line and column, as
//! a restrictions file's are (the format is in docs/grading.md).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use engine::Call;
use restrictions::{Problem, Profile, ResourceId, Restrictions};
use serde_json::Value;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::compare::Compare;

type Spanned_<'i> = Spanned<DeValue<'i>>;

/// The manifest's top-level keys, for suggestions.
const TOP_LEVEL: &[&str] = &["title", "files", "restrictions", "limits", "test"];
/// A test's own keys (besides resource limits), for suggestions.
const TEST_KEYS: &[&str] = &[
    "name",
    "points",
    "stdin",
    "stdin-file",
    "expected",
    "expected-file",
    "compare",
    "tolerance",
    "call",
    "args",
    "kwargs",
    "checker",
];
/// The longest text a test's `stdin`, `expected` or their files may hold.
pub const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;
/// How far a float a call returns may be from the one expected when the test gives no
/// `tolerance` (relative above 1): `0.1 + 0.2` is `0.3`. Integers compare exactly.
pub const DEFAULT_CALL_TOLERANCE: f64 = 1e-9;
/// The longest manifest read.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;
/// The most points one test may be worth.
pub const MAX_POINTS: f64 = 1e9;
/// The wall-clock limit of a test whose policy gives none.
pub const DEFAULT_WALL_TIME: std::time::Duration = std::time::Duration::from_secs(10);
/// The profile of a manifest's policy that names none (ordinary Python programs).
const DEFAULT_PROFILE: Profile = Profile::Python;

/// A validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// How messages name the manifest.
    pub name: String,
    /// The manifest's title, if it gives one.
    pub title: Option<String>,
    /// The directory the manifest's relative paths start from.
    pub dir: PathBuf,
    /// The policy of every test before its own limits (`[restrictions]` then `[limits]`).
    pub policy: Restrictions,
    /// Files copied into each test's fresh vessel (absolute paths).
    pub files: Vec<PathBuf>,
    /// The tests, in the manifest's order.
    pub tests: Vec<TestSpec>,
}

impl Manifest {
    /// The points of a submission that passes every test.
    pub fn max_score(&self) -> f64 {
        self.tests.iter().map(|t| t.points).sum()
    }
}

/// One test of a manifest.
#[derive(Debug, Clone)]
pub struct TestSpec {
    /// Its name, unique in the manifest.
    pub name: String,
    /// What passing it is worth.
    pub points: f64,
    /// The policy it runs under: the manifest's, with the test's own limits.
    pub policy: Restrictions,
    /// What it runs and what it expects.
    pub kind: TestKind,
}

/// What a test runs and how its result is judged.
#[derive(Debug, Clone)]
pub enum TestKind {
    /// Run the program with `stdin`, then judge its standard output.
    Output {
        /// The program's standard input.
        stdin: Vec<u8>,
        /// How the output is judged.
        judge: OutputJudge,
    },
    /// Call one of the program's functions, then compare the value it returns.
    Call {
        /// The function and its arguments.
        call: Call,
        /// The value expected.
        expected: Value,
        /// How far a number may be from the one expected (absolute, or relative to it).
        tolerance: f64,
    },
}

/// How a test's standard output is judged.
#[derive(Debug, Clone)]
pub enum OutputJudge {
    /// Compared with the expected output.
    Expected {
        /// The output expected.
        expected: String,
        /// How the two are compared.
        compare: Compare,
    },
    /// Judged by a checker program, run in a sandbox of its own: its function
    /// `check(input, output, expected)` returns `True`/`False`, or `[passed, message]`.
    Checker {
        /// The checker program.
        program: PathBuf,
        /// The expected output handed to it, if the test gives one.
        expected: Option<String>,
    },
}

/// Why a manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// It could not be read.
    #[error("{}: error: cannot read the grading manifest: {source}", path.display())]
    Io {
        /// The manifest.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// It was read, and has problems.
    #[error("{}", render(name, problems))]
    Invalid {
        /// How messages name the manifest.
        name: String,
        /// Every problem, sorted by position.
        problems: Vec<Problem>,
    },
}

impl ManifestError {
    /// The problems (none for an I/O error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ManifestError::Io { .. } => &[],
            ManifestError::Invalid { problems, .. } => problems,
        }
    }
}

fn render(name: &str, problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("{name}:{p}")).collect();
    lines.join("\n")
}

/// Reads and validates the manifest at `path`.
pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
    use std::io::Read as _;
    let io = |source| ManifestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    let name = path.display().to_string();
    let invalid = |line, column, message: String| ManifestError::Invalid {
        name: name.clone(),
        problems: vec![problem(line, column, None, message)],
    };
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(invalid(
            1,
            1,
            format!("the manifest is longer than {MAX_MANIFEST_BYTES} bytes"),
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let before = String::from_utf8_lossy(&err.as_bytes()[..valid]).into_owned();
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Err(invalid(
                line,
                column,
                "the manifest is not UTF-8 text".into(),
            ));
        }
    };
    let dir = path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    parse(&text, &name, &dir)
}

/// Validates the manifest `text`, shown as `name`, whose relative paths start at `dir`.
pub fn parse(text: &str, name: &str, dir: &Path) -> Result<Manifest, ManifestError> {
    let mut checker = Checker::new(text, dir);
    let manifest = checker.manifest(name);
    let mut problems = checker.problems;
    if problems.is_empty() {
        if let Some(manifest) = manifest {
            return Ok(manifest);
        }
        problems.push(problem(1, 1, None, "the manifest could not be read".into()));
    }
    problems.sort_by_key(|p| (p.line, p.column));
    Err(ManifestError::Invalid {
        name: name.to_owned(),
        problems,
    })
}

fn problem(line: usize, column: usize, key: Option<&str>, message: String) -> Problem {
    Problem {
        line,
        column,
        key: key.map(str::to_owned),
        message,
        suggestion: None,
    }
}

/// Walks the document, collecting every problem.
struct Checker<'t> {
    text: &'t str,
    dir: &'t Path,
    problems: Vec<Problem>,
}

impl<'t> Checker<'t> {
    fn new(text: &'t str, dir: &'t Path) -> Self {
        Checker {
            text,
            dir,
            problems: Vec::new(),
        }
    }

    /// 1-based line and character column of byte `offset`.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(start..).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    fn report(&mut self, offset: usize, key: Option<&str>, message: impl Into<String>) {
        let (line, column) = self.position(offset);
        self.problems
            .push(problem(line, column, key, message.into()));
    }

    fn unknown(&mut self, offset: usize, key: &str, what: &str, known: &[&str]) {
        let (line, column) = self.position(offset);
        let suggestion = known
            .iter()
            .map(|k| (strsim::osa_distance(key, k), *k))
            .filter(|(d, k)| *d <= (k.len() / 3).max(1))
            .min()
            .map(|(_, k)| k.to_owned());
        self.problems.push(Problem {
            line,
            column,
            key: Some(key.to_owned()),
            message: format!("unknown {what}"),
            suggestion,
        });
    }

    fn manifest(&mut self, name: &str) -> Option<Manifest> {
        let document = match DeTable::parse(self.text) {
            Ok(document) => document,
            Err(error) => {
                let offset = error.span().map_or(0, |span| span.start);
                self.report(offset, None, format!("invalid TOML: {}", error.message()));
                return None;
            }
        };
        let root = document.get_ref();
        for (key, _) in root.iter() {
            if !TOP_LEVEL.contains(&key.get_ref().as_ref()) {
                self.unknown(key.span().start, key.get_ref(), "top-level key", TOP_LEVEL);
            }
        }
        let title = root.get("title").and_then(|v| self.string(v, "title"));
        let mut policy = match root.get("restrictions") {
            None => Some(Restrictions::defaults_for(DEFAULT_PROFILE)),
            Some(value) => match value.get_ref() {
                DeValue::Table(table) => {
                    match restrictions::from_embedded_table(
                        table,
                        self.text,
                        &engine::catalog(),
                        DEFAULT_PROFILE,
                    ) {
                        Ok(policy) => Some(policy),
                        Err(problems) => {
                            self.problems.extend(problems);
                            None
                        }
                    }
                }
                _ => {
                    self.report(
                        value.span().start,
                        Some("restrictions"),
                        "expected a table (`[restrictions]`, with the keys of a restrictions file)",
                    );
                    None
                }
            },
        };
        if let (Some(policy), Some(limits)) = (policy.as_mut(), root.get("limits")) {
            self.limits_table(policy, limits);
        }
        let files = match root.get("files") {
            None => Vec::new(),
            Some(value) => self.files(value),
        };
        let tests = match root.get("test") {
            None => {
                self.report(0, None, "no tests: add `[[test]]` tables");
                Vec::new()
            }
            Some(value) => match value.get_ref() {
                DeValue::Array(items) => {
                    // With a policy that has problems (reported), the tests are still
                    // checked, against the defaults, so that every problem shows at once.
                    let fallback = Restrictions::defaults_for(DEFAULT_PROFILE);
                    let policy = policy.as_ref().unwrap_or(&fallback);
                    let mut names = BTreeSet::new();
                    let mut tests = Vec::new();
                    for item in items {
                        if let Some(test) = self.test(item, policy, &mut names) {
                            tests.push(test);
                        }
                    }
                    if items.is_empty() {
                        self.report(value.span().start, Some("test"), "no tests");
                    }
                    tests
                }
                _ => {
                    self.report(
                        value.span().start,
                        Some("test"),
                        "expected an array of tables (`[[test]]`)",
                    );
                    Vec::new()
                }
            },
        };
        Some(Manifest {
            name: name.to_owned(),
            title,
            dir: self.dir.to_path_buf(),
            policy: policy?,
            files,
            tests,
        })
    }

    /// `[limits]` (or a test's own keys): resource keys applied to `policy`.
    fn limits_table(&mut self, policy: &mut Restrictions, value: &Spanned_<'_>) {
        let DeValue::Table(table) = value.get_ref() else {
            self.report(
                value.span().start,
                Some("limits"),
                "expected a table of resource limits (`wall-time = \"2 s\"`)",
            );
            return;
        };
        for (key, value) in table.iter() {
            self.resource(policy, key, value);
        }
    }

    fn resource(
        &mut self,
        policy: &mut Restrictions,
        key: &Spanned<Cow<'_, str>>,
        value: &Spanned_<'_>,
    ) {
        if let Err(problems) = restrictions::set_resource(policy, key, value, self.text) {
            self.problems.extend(problems);
        }
    }

    fn string(&mut self, value: &Spanned_<'_>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(text) => Some(text.to_string()),
            _ => {
                self.report(value.span().start, Some(key), "expected a string");
                None
            }
        }
    }

    /// A path relative to the manifest's directory, which must name a readable file inside
    /// it.
    fn path(&mut self, value: &Spanned_<'_>, key: &str) -> Option<PathBuf> {
        let text = self.string(value, key)?;
        let relative = Path::new(&text);
        let inside = relative.is_relative()
            && relative
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            self.report(
                value.span().start,
                Some(key),
                format!("\"{text}\": a path relative to the manifest's directory, without `..`"),
            );
            return None;
        }
        let path = self.dir.join(relative);
        if !path.is_file() {
            self.report(
                value.span().start,
                Some(key),
                format!("\"{text}\": no such file next to the manifest"),
            );
            return None;
        }
        // Where it really is: a symbolic link may not lead out of the manifest's directory
        // (a `files` entry linked to /etc/shadow would be copied into every vessel).
        let real = std::fs::canonicalize(&path).ok();
        let root = std::fs::canonicalize(self.dir).ok();
        match (real, root) {
            (Some(real), Some(root)) if real.starts_with(&root) => Some(path),
            _ => {
                self.report(
                    value.span().start,
                    Some(key),
                    format!("\"{text}\": leads out of the manifest's directory (a symbolic link)"),
                );
                None
            }
        }
    }

    fn files(&mut self, value: &Spanned_<'_>) -> Vec<PathBuf> {
        let DeValue::Array(items) = value.get_ref() else {
            self.report(
                value.span().start,
                Some("files"),
                "expected an array of paths (`files = [\"data.txt\"]`)",
            );
            return Vec::new();
        };
        let mut seen = BTreeSet::new();
        let mut files = Vec::new();
        for item in items {
            if let Some(path) = self.path(item, "files") {
                let name = path.file_name().map(|n| n.to_os_string());
                if !seen.insert(name.clone()) {
                    self.report(
                        item.span().start,
                        Some("files"),
                        "two files of this name: each is placed in the vessel under its own name",
                    );
                }
                files.push(path);
            }
        }
        files
    }

    /// Text given inline (`key`) or in a file (`key-file`); `None` if neither.
    fn text_or_file(
        &mut self,
        table: &DeTable<'_>,
        key: &str,
        file_key: &str,
    ) -> Option<Option<String>> {
        match (table.get(key), table.get(file_key)) {
            (Some(_), Some(file)) => {
                self.report(
                    file.span().start,
                    Some(file_key),
                    format!("give `{key}` or `{file_key}`, not both"),
                );
                None
            }
            (Some(value), None) => self.string(value, key).map(Some),
            (None, Some(file)) => {
                let path = self.path(file, file_key)?;
                let read = std::fs::metadata(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|meta| {
                        if meta.len() > MAX_TEXT_BYTES {
                            Err(format!("longer than {MAX_TEXT_BYTES} bytes"))
                        } else {
                            std::fs::read_to_string(&path).map_err(|e| e.to_string())
                        }
                    });
                match read {
                    Ok(text) => Some(Some(text)),
                    Err(err) => {
                        self.report(file.span().start, Some(file_key), err);
                        None
                    }
                }
            }
            (None, None) => Some(None),
        }
    }

    fn test(
        &mut self,
        item: &Spanned_<'_>,
        policy: &Restrictions,
        names: &mut BTreeSet<String>,
    ) -> Option<TestSpec> {
        let at = item.span().start;
        let DeValue::Table(table) = item.get_ref() else {
            self.report(at, Some("test"), "expected a table (`[[test]]`)");
            return None;
        };
        let errors_before = self.problems.len();
        let mut policy = policy.clone();
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            if TEST_KEYS.contains(&name) {
                continue;
            }
            if ResourceId::from_key(name).is_some() {
                self.resource(&mut policy, key, value);
            } else {
                let known: Vec<&str> = TEST_KEYS
                    .iter()
                    .copied()
                    .chain(ResourceId::all().map(|id| id.key()))
                    .collect();
                self.unknown(key.span().start, name, "key in a test", &known);
            }
        }
        let name = match table.get("name") {
            Some(value) => {
                let name = self.string(value, "name");
                if let Some(name) = &name {
                    if name.trim().is_empty() {
                        self.report(value.span().start, Some("name"), "a test's name is empty");
                    } else if !names.insert(name.clone()) {
                        self.report(
                            value.span().start,
                            Some("name"),
                            format!("two tests are named \"{name}\": each needs its own name"),
                        );
                    }
                }
                name
            }
            None => {
                self.report(at, Some("name"), "a test needs a `name`");
                None
            }
        };
        let points = match table.get("points") {
            None => Some(1.0),
            Some(value) => match number(value) {
                Some(p) if p.is_finite() && p >= 0.0 => Some(p),
                _ => {
                    self.report(
                        value.span().start,
                        Some("points"),
                        "expected a number of points, 0 or more",
                    );
                    None
                }
            },
        };
        let tolerance = match table.get("tolerance") {
            None => None,
            Some(value) => match number(value) {
                Some(t) if t.is_finite() && t >= 0.0 => Some(t),
                _ => {
                    self.report(
                        value.span().start,
                        Some("tolerance"),
                        "expected a number, 0 or more",
                    );
                    None
                }
            },
        };
        if policy.wall_time().is_none() {
            // A grader must never wait forever on a submission.
            policy.set_wall_time(Some(DEFAULT_WALL_TIME));
        }
        let kind = if let Some(call) = table.get("call") {
            self.call_test(table, call, tolerance)
        } else {
            self.output_test(table, at, tolerance, &policy)
        };
        if self.problems.len() > errors_before {
            return None;
        }
        Some(TestSpec {
            name: name?,
            points: points?,
            policy,
            kind: kind?,
        })
    }

    fn call_test(
        &mut self,
        table: &DeTable<'_>,
        call: &Spanned_<'_>,
        tolerance: Option<f64>,
    ) -> Option<TestKind> {
        for key in ["stdin", "stdin-file", "expected-file", "compare", "checker"] {
            if let Some(value) = table.get(key) {
                self.report(
                    value.span().start,
                    Some(key),
                    "a call test (`call = ...`) compares the value returned: it takes `args`, \
                     `kwargs`, `expected` and `tolerance`",
                );
            }
        }
        // Each part is checked whatever the others gave, so that every problem shows.
        let function = self.string(call, "call");
        let args = match table.get("args") {
            None => Some(Vec::new()),
            Some(value) => match to_json(value) {
                Some(Value::Array(items)) => Some(items),
                _ => {
                    self.report(
                        value.span().start,
                        Some("args"),
                        "expected an array of the positional arguments (JSON-compatible values)",
                    );
                    None
                }
            },
        };
        let kwargs = match table.get("kwargs") {
            None => Some(serde_json::Map::new()),
            Some(value) => match to_json(value) {
                Some(Value::Object(map)) => Some(map),
                _ => {
                    self.report(
                        value.span().start,
                        Some("kwargs"),
                        "expected a table of the keyword arguments (JSON-compatible values)",
                    );
                    None
                }
            },
        };
        let expected = match table.get("expected") {
            None => {
                self.report(
                    call.span().start,
                    Some("expected"),
                    "a call test needs the `expected` value",
                );
                None
            }
            Some(value) => {
                let expected = to_json(value);
                if expected.is_none() {
                    self.report(
                        value.span().start,
                        Some("expected"),
                        "a value JSON can carry is needed (not a date or time, nan or inf)",
                    );
                }
                expected
            }
        };
        Some(TestKind::Call {
            call: Call {
                function: function?,
                args: args?,
                kwargs: kwargs?,
            },
            expected: expected?,
            tolerance: tolerance.unwrap_or(DEFAULT_CALL_TOLERANCE),
        })
    }

    fn output_test(
        &mut self,
        table: &DeTable<'_>,
        at: usize,
        tolerance: Option<f64>,
        policy: &Restrictions,
    ) -> Option<TestKind> {
        for key in ["args", "kwargs"] {
            if let Some(value) = table.get(key) {
                self.report(
                    value.span().start,
                    Some(key),
                    "arguments belong to a call test (`call = \"function\"`)",
                );
            }
        }
        let stdin = self.text_or_file(table, "stdin", "stdin-file")?;
        if stdin.is_some() && policy.profile() != Profile::Python {
            let value = table.get("stdin").or(table.get("stdin-file"));
            self.report(
                value.map_or(at, |v| v.span().start),
                Some("stdin"),
                "only the python profile's programs read standard input: set \
                 `profile = \"python\"` in `[restrictions]`",
            );
        }
        let expected = self.text_or_file(table, "expected", "expected-file")?;
        let compare = match table.get("compare") {
            None => Some(Compare::default_for(tolerance)),
            Some(value) => {
                let name = self.string(value, "compare")?;
                match Compare::from_key(&name, tolerance) {
                    Some(compare) => Some(compare),
                    None => {
                        self.unknown(
                            value.span().start,
                            &name,
                            "comparison (use exact, trailing-whitespace, tokens or floats)",
                            Compare::KEYS,
                        );
                        None
                    }
                }
            }
        };
        if let (Some(value), Some(compare), Some(_)) = (table.get("tolerance"), &compare, tolerance)
        {
            if !matches!(compare, Compare::Floats { .. }) {
                self.report(
                    value.span().start,
                    Some("tolerance"),
                    "a tolerance applies to `compare = \"floats\"` (or to a call test's value)",
                );
            }
        }
        let judge = match table.get("checker") {
            Some(value) => {
                if let Some(compare) = table.get("compare") {
                    self.report(
                        compare.span().start,
                        Some("compare"),
                        "a test with a `checker` is judged by it: no `compare`",
                    );
                }
                let program = self.path(value, "checker")?;
                OutputJudge::Checker { program, expected }
            }
            None => match expected {
                Some(expected) => OutputJudge::Expected {
                    expected,
                    compare: compare?,
                },
                None => {
                    self.report(
                        at,
                        Some("expected"),
                        "a test needs `expected` (or `expected-file`), a `checker`, or \
                         `call` for a call test",
                    );
                    return None;
                }
            },
        };
        Some(TestKind::Output {
            stdin: stdin.unwrap_or_default().into_bytes(),
            judge,
        })
    }
}

/// A TOML integer or float as a number; `None` for anything else (or an infinity, NaN).
fn number(value: &Spanned_<'_>) -> Option<f64> {
    let number = match value.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok()? as f64,
        DeValue::Float(f) => f.as_str().parse::<f64>().ok()?,
        _ => return None,
    };
    number.is_finite().then_some(number)
}

/// A TOML value as JSON; `None` for what JSON cannot carry (dates and times, NaN).
fn to_json(value: &Spanned_<'_>) -> Option<Value> {
    Some(match value.get_ref() {
        DeValue::String(text) => Value::String(text.to_string()),
        DeValue::Integer(i) => Value::from(i64::from_str_radix(i.as_str(), i.radix()).ok()?),
        DeValue::Float(_) => Value::Number(serde_json::Number::from_f64(number(value)?)?),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Array(items) => Value::Array(items.iter().map(to_json).collect::<Option<_>>()?),
        DeValue::Table(table) => Value::Object(
            table
                .iter()
                .map(|(k, v)| Some((k.get_ref().to_string(), to_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        DeValue::Datetime(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str) -> Result<Manifest, ManifestError> {
        parse(text, "m.toml", Path::new("/nonexistent"))
    }

    #[test]
    fn a_test_without_a_wall_time_gets_the_default_and_limits_apply_in_order() {
        let m = manifest(
            "[limits]\ncpu-time = \"1 s\"\n\
             [[test]]\nname = \"a\"\nexpected = \"x\"\n\
             [[test]]\nname = \"b\"\nexpected = \"x\"\nwall-time = \"2 s\"\nmemory = \"32 MB\"\n",
        )
        .expect("valid");
        assert_eq!(m.policy.profile(), Profile::Python);
        let [a, b] = m.tests.as_slice() else {
            panic!("two tests")
        };
        assert_eq!(a.policy.wall_time(), Some(DEFAULT_WALL_TIME));
        assert_eq!(a.policy.cpu_time(), Some(std::time::Duration::from_secs(1)));
        assert_eq!(
            b.policy.wall_time(),
            Some(std::time::Duration::from_secs(2))
        );
        assert_eq!(b.policy.limit(ResourceId::Memory), 32e6);
        assert_eq!(m.max_score(), 2.0);
    }

    #[test]
    fn call_tests_carry_json_values() {
        let m = manifest(
            "[[test]]\nname = \"c\"\ncall = \"f\"\nargs = [1, 2.5, \"s\", [true], {k = 0x10}]\n\
             kwargs = { x = -3 }\nexpected = { a = [1, 2] }\ntolerance = 0.5\n",
        )
        .expect("valid");
        let TestKind::Call {
            call,
            expected,
            tolerance,
        } = &m.tests[0].kind
        else {
            panic!("a call test")
        };
        assert_eq!(
            serde_json::Value::Array(call.args.clone()),
            serde_json::json!([1, 2.5, "s", [true], {"k": 16}])
        );
        assert_eq!(call.kwargs["x"], -3);
        assert_eq!(*expected, serde_json::json!({"a": [1, 2]}));
        assert_eq!(*tolerance, 0.5);
    }

    #[test]
    fn every_problem_is_reported_with_its_position() {
        let err = manifest(
            "files = [\"../x\", \"/etc/passwd\"]\n\
             [[test]]\nname = 3\npoints = -1\ncall = \"f\"\nstdin = \"x\"\n\
             [[test]]\nname = \"d\"\nexpected = 1979-05-27\ncall = \"f\"\n\
             [[test]]\nname = \"e\"\nexpected = \"x\"\ntolerance = \"big\"\n",
        )
        .expect_err("invalid");
        let found: Vec<(usize, usize, Option<&str>)> = err
            .problems()
            .iter()
            .map(|p| (p.line, p.column, p.key.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (1, 10, Some("files")),
                (1, 18, Some("files")),
                (3, 8, Some("name")),
                (4, 10, Some("points")),
                (5, 8, Some("expected")),
                (6, 9, Some("stdin")),
                (9, 12, Some("expected")),
                (14, 13, Some("tolerance")),
            ],
            "{err}"
        );
    }

    #[test]
    fn stdin_needs_the_python_profile() {
        let err = manifest(
            "[restrictions]\nprofile = \"repyv2\"\n[restrictions.resources]\n\
             [[test]]\nname = \"a\"\nstdin = \"1\"\nexpected = \"1\"\n",
        )
        .expect_err("invalid");
        assert!(
            err.to_string()
                .contains("m.toml:6:9: error: stdin: only the python profile"),
            "{err}"
        );
    }
}
