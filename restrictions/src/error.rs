//! Problems found in a restrictions file, and where they are.

use std::fmt;
use std::path::PathBuf;

/// One problem in a restrictions file, at a 1-based line and 1-based character column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes).
    pub column: usize,
    /// The key (resource name or top-level key) the problem is about, when there is one.
    pub key: Option<String>,
    /// What was expected and what was found; lower-case, no final period.
    pub message: String,
    /// The nearest valid name, for typos.
    pub suggestion: Option<String>,
}

impl fmt::Display for Problem {
    /// `line:col: error: key: message (did you mean `x`?)`, without the path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: error: ", self.line, self.column)?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        Ok(())
    }
}

/// Every problem found in one restrictions file, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyErrors {
    path: String,
    problems: Vec<Problem>,
}

impl PolicyErrors {
    /// Collects `problems` found in the file shown as `path`, sorting them by line and column.
    pub fn new(path: impl Into<String>, mut problems: Vec<Problem>) -> PolicyErrors {
        problems.sort_by_key(|p| (p.line, p.column));
        PolicyErrors {
            path: path.into(),
            problems,
        }
    }

    /// The path as it is displayed in messages.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The problems, sorted by line and column.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for PolicyErrors {
    /// One problem per line: `path:line:col: error: key: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{problem}", self.path)?;
        }
        Ok(())
    }
}

/// Why a restrictions file could not be turned into a [`crate::Restrictions`].
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("{}: error: cannot read restrictions file: {source}", path.display())]
    Io {
        /// The path that was being read.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid policy.
    #[error(transparent)]
    Invalid(#[from] PolicyErrors),
}

impl PolicyError {
    /// The problems in the file (empty for an I/O error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            PolicyError::Io { .. } => &[],
            PolicyError::Invalid(errors) => errors.problems(),
        }
    }
}

/// Turns byte offsets into 1-based line and character column.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based (line, column) of byte `offset`; offsets past the end clamp to the end.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        let column = match self.text.get(start..offset) {
            Some(prefix) => prefix.chars().count(),
            None => offset - start,
        };
        (line.max(1), column + 1)
    }
}

/// Collects problems while a file is checked.
pub(crate) struct Report<'a> {
    index: LineIndex<'a>,
    problems: Vec<Problem>,
}

impl<'a> Report<'a> {
    pub(crate) fn new(text: &'a str) -> Report<'a> {
        Report {
            index: LineIndex::new(text),
            problems: Vec::new(),
        }
    }

    /// The 1-based line and character column of byte `offset`.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        self.index.position(offset)
    }

    /// Records a problem at byte `offset`.
    pub(crate) fn at(&mut self, offset: usize, key: Option<&str>, issue: Issue) {
        let (line, column) = self.index.position(offset);
        self.at_line_col(line, column, key, issue);
    }

    /// Records a problem at a known line and column.
    pub(crate) fn at_line_col(
        &mut self,
        line: usize,
        column: usize,
        key: Option<&str>,
        issue: Issue,
    ) {
        self.problems.push(Problem {
            line,
            column,
            key: key.map(str::to_owned),
            message: issue.message,
            suggestion: issue.suggestion,
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub(crate) fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    pub(crate) fn into_errors(self, path: &str) -> PolicyErrors {
        PolicyErrors::new(path, self.problems)
    }
}

/// A problem's text before it has a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    pub(crate) message: String,
    pub(crate) suggestion: Option<String>,
}

impl Issue {
    pub(crate) fn new(message: impl Into<String>) -> Issue {
        Issue {
            message: message.into(),
            suggestion: None,
        }
    }

    pub(crate) fn suggest(mut self, suggestion: Option<&str>) -> Issue {
        self.suggestion = suggestion.map(str::to_owned);
        self
    }
}

impl From<String> for Issue {
    fn from(message: String) -> Issue {
        Issue::new(message)
    }
}

/// The candidate closest to `word` (case-insensitive optimal string alignment distance),
/// when it is close enough to be a plausible typo.
pub(crate) fn nearest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let word_chars: Vec<char> = word.to_lowercase().chars().collect();
    let allowed = match word_chars.len() {
        0 => return None,
        1..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let cand_chars: Vec<char> = candidate.to_lowercase().chars().collect();
        let distance = osa_distance(&word_chars, &cand_chars);
        let better = match best {
            Some((best_distance, _)) => distance < best_distance,
            None => true,
        };
        if distance <= allowed && better {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Edit distance counting insertions, deletions, substitutions and adjacent transpositions.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = value;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_character_columns() {
        let text = "ab\n\u{e9}\u{e9}x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(2), (1, 3));
        assert_eq!(index.position(3), (2, 1));
        // `x` is byte 7 but the third character of line 2.
        assert_eq!(index.position(7), (2, 3));
        assert_eq!(index.position(9), (3, 1));
        assert_eq!(index.position(999), (3, 1));
    }

    #[test]
    fn nearest_finds_typos() {
        let keys = ["memory", "cpu", "connport", "wall-time", "resources"];
        assert_eq!(nearest("memroy", keys), Some("memory"));
        assert_eq!(nearest("Memory", keys), Some("memory"));
        assert_eq!(nearest("conport", keys), Some("connport"));
        assert_eq!(nearest("wall_time", keys), Some("wall-time"));
        assert_eq!(nearest("resource", keys), Some("resources"));
        assert_eq!(nearest("cpus", keys), Some("cpu"));
        assert_eq!(nearest("bandwidth", keys), None);
        assert_eq!(nearest("", keys), None);
    }

    #[test]
    fn display_has_path_line_column_key_and_suggestion() {
        let errors = PolicyErrors::new(
            "r.toml",
            vec![
                Problem {
                    line: 3,
                    column: 1,
                    key: Some("memroy".into()),
                    message: "unknown resource".into(),
                    suggestion: Some("memory".into()),
                },
                Problem {
                    line: 1,
                    column: 2,
                    key: None,
                    message: "first".into(),
                    suggestion: None,
                },
            ],
        );
        assert_eq!(
            errors.to_string(),
            "r.toml:1:2: error: first\n\
             r.toml:3:1: error: memroy: unknown resource (did you mean `memory`?)"
        );
    }
}
