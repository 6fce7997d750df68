//! Judging a test's result: a program's output against the expected output (four ways), a
//! call's value against the expected value (numbers within a tolerance), and the short diff
//! a student reads.

use serde_json::Value;

/// How a program's output is compared with the expected output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Compare {
    /// Byte for byte.
    Exact,
    /// Line by line, ignoring whitespace at the end of each line and blank lines at the end
    /// (the default).
    TrailingWhitespace,
    /// Word by word: any run of whitespace separates two words.
    Tokens,
    /// Word by word, where two words that are numbers match when they are within `tolerance`
    /// of each other (absolute, or relative to the expected number when it is larger than 1).
    Floats {
        /// The tolerance.
        tolerance: f64,
    },
}

/// The tolerance of `compare = "floats"` when the test gives none.
pub const DEFAULT_FLOAT_TOLERANCE: f64 = 1e-6;

impl Compare {
    /// The names a manifest's `compare` takes.
    pub const KEYS: &'static [&'static str] = &["exact", "trailing-whitespace", "tokens", "floats"];

    /// The comparison named `key`, with the test's `tolerance`.
    pub fn from_key(key: &str, tolerance: Option<f64>) -> Option<Compare> {
        Some(match key {
            "exact" => Compare::Exact,
            "trailing-whitespace" => Compare::TrailingWhitespace,
            "tokens" => Compare::Tokens,
            "floats" => Compare::Floats {
                tolerance: tolerance.unwrap_or(DEFAULT_FLOAT_TOLERANCE),
            },
            _ => return None,
        })
    }

    /// The comparison of a test that names none: `floats` if it gives a tolerance, else
    /// `trailing-whitespace`.
    pub fn default_for(tolerance: Option<f64>) -> Compare {
        match tolerance {
            Some(tolerance) => Compare::Floats { tolerance },
            None => Compare::TrailingWhitespace,
        }
    }

    /// The name of the comparison, as a manifest gives it.
    pub fn key(self) -> &'static str {
        match self {
            Compare::Exact => "exact",
            Compare::TrailingWhitespace => "trailing-whitespace",
            Compare::Tokens => "tokens",
            Compare::Floats { .. } => "floats",
        }
    }
}

/// Why a result is wrong: a one-line message and, for output, a short diff.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// One line: where the first difference is.
    pub message: String,
    /// A unified diff of the expected and actual output, at most [`DIFF_LINES`] lines.
    pub diff: Option<String>,
}

/// The most lines of a diff kept.
pub const DIFF_LINES: usize = 12;
/// The most characters of a line or value quoted in a message.
const QUOTE_CHARS: usize = 60;

/// Compares `actual` output with `expected`.
pub fn output(expected: &str, actual: &[u8], compare: Compare) -> Result<(), Mismatch> {
    let text = String::from_utf8_lossy(actual);
    let first_difference = match compare {
        Compare::Exact => {
            if expected.as_bytes() == actual {
                return Ok(());
            }
            first_line_difference(&lines_of(expected, false), &lines_of(&text, false))
        }
        Compare::TrailingWhitespace => {
            let (want, got) = (lines_of(expected, true), lines_of(&text, true));
            if want == got {
                return Ok(());
            }
            first_line_difference(&want, &got)
        }
        Compare::Tokens | Compare::Floats { .. } => {
            let tolerance = match compare {
                Compare::Floats { tolerance } => Some(tolerance),
                _ => None,
            };
            let want: Vec<&str> = expected.split_whitespace().collect();
            let got: Vec<&str> = text.split_whitespace().collect();
            match first_token_difference(&want, &got, tolerance) {
                None => return Ok(()),
                Some(message) => message,
            }
        }
    };
    Err(Mismatch {
        message: first_difference,
        diff: Some(short_diff(expected, &text)),
    })
}

/// The lines of `text`; with `trim`, without whitespace at their ends and without blank
/// lines at the end.
fn lines_of(text: &str, trim: bool) -> Vec<&str> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if trim {
        for line in &mut lines {
            *line = line.trim_end();
        }
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
    }
    lines
}

fn first_line_difference(want: &[&str], got: &[&str]) -> String {
    for (index, (w, g)) in want.iter().zip(got).enumerate() {
        if w != g {
            return format!(
                "line {}: expected {}, got {}",
                index + 1,
                quote(w),
                quote(g)
            );
        }
    }
    if got.len() > want.len() {
        format!(
            "{} more line(s) than expected, from line {}: {}",
            got.len() - want.len(),
            want.len() + 1,
            quote(got.get(want.len()).copied().unwrap_or_default())
        )
    } else if want.len() > got.len() {
        format!(
            "the output ends at line {}, {} line(s) early: expected {}",
            got.len(),
            want.len() - got.len(),
            quote(want.get(got.len()).copied().unwrap_or_default())
        )
    } else {
        // Same lines once split: only the line endings differ (a final newline, `\r`).
        "the output differs only in its line endings or final newline".into()
    }
}

fn first_token_difference(want: &[&str], got: &[&str], tolerance: Option<f64>) -> Option<String> {
    for (index, (w, g)) in want.iter().zip(got).enumerate() {
        let same = match tolerance {
            Some(tolerance) => match (w.parse::<f64>(), g.parse::<f64>()) {
                (Ok(w), Ok(g)) => numbers_close(w, g, tolerance),
                _ => w == g,
            },
            None => w == g,
        };
        if !same {
            return Some(format!(
                "word {}: expected {}, got {}",
                index + 1,
                quote(w),
                quote(g)
            ));
        }
    }
    match want.len().cmp(&got.len()) {
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Less => Some(format!(
            "{} more word(s) than expected, from word {}: {}",
            got.len() - want.len(),
            want.len() + 1,
            quote(got.get(want.len()).copied().unwrap_or_default())
        )),
        std::cmp::Ordering::Greater => Some(format!(
            "the output ends after {} word(s): expected {} more, from {}",
            got.len(),
            want.len() - got.len(),
            quote(want.get(got.len()).copied().unwrap_or_default())
        )),
    }
}

/// Whether `got` is within `tolerance` of `want`: absolutely, or relative to `want` when it
/// is larger than 1 (NaN matches nothing, infinities only themselves).
pub fn numbers_close(want: f64, got: f64, tolerance: f64) -> bool {
    if want == got {
        return true;
    }
    if !want.is_finite() || !got.is_finite() {
        return false;
    }
    (want - got).abs() <= tolerance * want.abs().max(1.0)
}

/// Compares a call's `actual` value with `expected`: equal JSON, except that a number and a
/// float match within `tolerance` (see [`numbers_close`]; an integer matches the float of the
/// same value) while two integers must be equal. A boolean is not a number (`True` is not
/// `1`).
pub fn value(expected: &Value, actual: &Value, tolerance: f64) -> Result<(), Mismatch> {
    match first_value_difference(expected, actual, tolerance, "") {
        None => Ok(()),
        Some(message) => Err(Mismatch {
            message,
            diff: None,
        }),
    }
}

fn first_value_difference(
    expected: &Value,
    actual: &Value,
    tolerance: f64,
    path: &str,
) -> Option<String> {
    let at = if path.is_empty() {
        String::new()
    } else {
        format!("at {path}: ")
    };
    let differ = || {
        Some(format!(
            "{at}expected {}, got {}",
            shorten(&expected.to_string(), QUOTE_CHARS),
            shorten(&actual.to_string(), QUOTE_CHARS)
        ))
    };
    match (expected, actual) {
        (Value::Number(want), Value::Number(got)) => {
            // Two integers are equal or not: a float would round 20! + 1 to 20!.
            if !want.is_f64() && !got.is_f64() {
                return if want == got { None } else { differ() };
            }
            let (Some(want), Some(got)) = (want.as_f64(), got.as_f64()) else {
                return differ();
            };
            if numbers_close(want, got, tolerance) {
                None
            } else {
                differ()
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Some(format!(
                    "{at}expected a list of {} item(s), got {}: {}",
                    want.len(),
                    got.len(),
                    shorten(&actual.to_string(), QUOTE_CHARS)
                ));
            }
            want.iter().zip(got).enumerate().find_map(|(i, (w, g))| {
                first_value_difference(w, g, tolerance, &format!("{path}[{i}]"))
            })
        }
        (Value::Object(want), Value::Object(got)) => {
            if want.len() != got.len() || want.keys().any(|k| !got.contains_key(k)) {
                return differ();
            }
            want.iter().find_map(|(key, w)| {
                let g = got.get(key)?;
                first_value_difference(w, g, tolerance, &format!("{path}[{key:?}]"))
            })
        }
        _ if expected == actual => None,
        _ => differ(),
    }
}

/// Lines of context kept before the first difference.
const DIFF_CONTEXT: usize = 2;
/// The most characters of a line a diff is computed on.
const DIFF_LINE_CHARS: usize = 2 * QUOTE_CHARS;

/// A unified diff of `expected` and `actual` around their first differing line, cut at
/// [`DIFF_LINES`] lines. Only a window of each is diffed (a few lines, each cut short), so
/// that what it costs does not grow with the output: a submission printing megabytes must
/// not stall its grader in a quadratic diff.
pub fn short_diff(expected: &str, actual: &str) -> String {
    let want: Vec<&str> = expected.split_inclusive('\n').collect();
    let got: Vec<&str> = actual.split_inclusive('\n').collect();
    let first = want
        .iter()
        .zip(&got)
        .position(|(w, g)| w != g)
        .unwrap_or_else(|| want.len().min(got.len()));
    let from = first.saturating_sub(DIFF_CONTEXT);
    let window = |lines: &[&str]| -> String {
        lines
            .iter()
            .skip(from)
            .take(DIFF_LINES)
            .map(|line| {
                let (body, newline) = match line.strip_suffix('\n') {
                    Some(body) => (body, "\n"),
                    None => (*line, ""),
                };
                shorten(body, DIFF_LINE_CHARS) + newline
            })
            .collect()
    };
    let (old, new) = (window(&want), window(&got));
    let diff = similar::TextDiff::from_lines(&old, &new);
    let text = diff
        .unified_diff()
        .context_radius(DIFF_CONTEXT)
        .header("expected", "output")
        .to_string();
    // similar's "\\ No newline at end of file" markers say what a student cannot act on; hunk
    // headers count from the window, so they are given from the output's own line number.
    let mut lines: Vec<String> = text
        .lines()
        .filter(|line| !line.starts_with("\\ No newline"))
        .map(|line| {
            if line.starts_with("@@") {
                format!("@@ from line {} @@", from + 1)
            } else {
                line.to_owned()
            }
        })
        .collect();
    let cut = lines.len() > DIFF_LINES;
    lines.truncate(DIFF_LINES);
    if cut {
        lines.push("…".into());
    }
    lines.join("\n")
}

fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(chars).collect();
        short.push('…');
        short
    }
}

fn quote(text: &str) -> String {
    format!("{:?}", shorten(text, QUOTE_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trailing_whitespace_ignores_line_ends_and_final_blank_lines_only() {
        let compare = Compare::TrailingWhitespace;
        assert!(output("3\n", b"3   \n\n\n", compare).is_ok());
        assert!(output("a b\n", b"a  b\n", compare).is_err());
        let mismatch = output("1\n2\n", b"1\n3\n", compare).unwrap_err();
        assert_eq!(mismatch.message, "line 2: expected \"2\", got \"3\"");
        assert!(mismatch.diff.unwrap_or_default().contains("-2\n+3"));
        let early = output("1\n2\n", b"1\n", compare).unwrap_err();
        assert!(
            early.message.contains("ends at line 1"),
            "{}",
            early.message
        );
    }

    #[test]
    fn exact_tells_a_missing_final_newline() {
        assert!(output("3\n", b"3\n", Compare::Exact).is_ok());
        let mismatch = output("3\n", b"3", Compare::Exact).unwrap_err();
        assert!(
            mismatch.message.contains("ends at line 1")
                || mismatch.message.contains("final newline"),
            "{}",
            mismatch.message
        );
        assert!(output("3\n", b"3 \n", Compare::Exact).is_err());
    }

    #[test]
    fn tokens_and_floats() {
        assert!(output("1 2\n3", b"1\n2 3\n", Compare::Tokens).is_ok());
        assert!(output("1 2", b"1 2 3", Compare::Tokens).is_err());
        let floats = Compare::Floats { tolerance: 1e-3 };
        assert!(output("3.14159 x", b"3.1415 x", floats).is_ok());
        assert!(output("3.14159", b"3.15", floats).is_err());
        // Relative above 1: 1e6 within 1e-3 * 1e6.
        assert!(output("1000000", b"1000500", floats).is_ok());
        assert!(output("nan", b"nan", floats).is_err());
        assert!(output("1", b"inf", floats).is_err());
    }

    #[test]
    fn values_compare_numbers_within_tolerance_and_everything_else_exactly() {
        assert!(value(&json!(3), &json!(3.0), 0.0).is_ok());
        assert!(value(&json!([1.0, {"a": 2}]), &json!([1.0000001, {"a": 2}]), 1e-6).is_ok());
        let mismatch = value(&json!([1, [2, 3]]), &json!([1, [2, 4]]), 0.0).unwrap_err();
        assert_eq!(mismatch.message, "at [1][1]: expected 3, got 4");
        assert!(value(&json!("3"), &json!(3), 0.5).is_err());
        assert!(value(&json!({"a": 1}), &json!({"b": 1}), 0.0).is_err());
        assert!(value(&json!(null), &json!(false), 0.0).is_err());
        assert!(value(&json!(1), &json!(true), 0.5).is_err());
        // Integers compare exactly, whatever the tolerance: no rounding through floats.
        let factorial: u64 = 2_432_902_008_176_640_000;
        assert!(value(&json!(factorial), &json!(factorial + 1), 0.0).is_err());
        assert!(value(&json!(factorial), &json!(factorial + 1), 1e-9).is_err());
        assert!(value(&json!(i64::MAX), &json!(1u64 << 63), 0.0).is_err());
        assert!(value(&json!(0.3), &json!(0.1 + 0.2), 1e-9).is_ok());
    }

    #[test]
    fn diffs_are_short() {
        let expected: String = (0..100).map(|i| format!("{i}\n")).collect();
        let diff = short_diff(&expected, "x\n");
        assert!(diff.lines().count() <= DIFF_LINES + 1, "{diff}");
    }

    #[test]
    fn diffs_of_huge_outputs_are_quick_and_start_at_the_first_difference() {
        let expected: String = (0..200_000).map(|i| format!("{i}\n")).collect();
        let actual: String = (0..200_000).map(|i| format!("{}\n", i * 7 % 13)).collect();
        let started = std::time::Instant::now();
        let mismatch = output(&expected, actual.as_bytes(), Compare::Exact).unwrap_err();
        // Not a timing test: a quadratic diff of 200,000 lines takes minutes, not seconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        let diff = mismatch.diff.unwrap_or_default();
        assert!(diff.lines().count() <= DIFF_LINES + 1, "{diff}");
        let late = format!("{}x\n", &expected);
        let diff = short_diff(&expected, &late);
        assert!(diff.contains("@@ from line 199999 @@"), "{diff}");
        assert!(diff.contains("+x"), "{diff}");
    }
}
