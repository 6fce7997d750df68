//! What grading gives back: a [`SubmissionRecord`] per submission, a [`TestRecord`] per
//! test, and the one table of test verdicts.

use serde::{Deserialize, Serialize};
use serde_json::Value;

macro_rules! verdicts {
    ($($variant:ident = $key:literal, $label:literal, $points:literal, $doc:literal;)*) => {
        /// How one test of a submission ended.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Verdict {
            $(#[doc = $doc] #[serde(rename = $key)] $variant,)*
        }

        /// Every verdict, in the table's order.
        pub const VERDICTS: &[Verdict] = &[$(Verdict::$variant,)*];

        impl Verdict {
            /// The name the JSON and JUnit outputs use (`wrong-answer`).
            pub fn key(self) -> &'static str {
                match self { $(Verdict::$variant => $key,)* }
            }
            /// How the terminal table shows it.
            pub fn label(self) -> &'static str {
                match self { $(Verdict::$variant => $label,)* }
            }
            /// Whether the test's points are given.
            pub fn scores(self) -> bool {
                match self { $(Verdict::$variant => $points,)* }
            }
            /// What it means (docs/grading.md's table).
            pub fn description(self) -> &'static str {
                match self { $(Verdict::$variant => $doc,)* }
            }
        }
    };
}

verdicts! {
    Passed = "passed", "passed", true, "The program ended normally and its output or value is the one expected.";
    WrongAnswer = "wrong-answer", "wrong answer", false, "The program ended normally, but its output or value is not the one expected (the message says where they first differ, with a short diff of the output).";
    TimeLimit = "time-limit", "time limit", false, "The program ran past the test's `wall-time` or `cpu-time` and was killed.";
    MemoryLimit = "memory-limit", "memory limit", false, "The program used more memory than the test's `memory` and was killed.";
    OutputLimit = "output-limit", "output limit", false, "The program printed more than the test's `output` and was killed.";
    ResourceLimit = "resource-limit", "resource limit", false, "The program was killed for another resource of its policy: disk (`diskused`) or threads (`events`).";
    Error = "error", "error", false, "The program ended with an uncaught exception (the message gives its class and text: an `EOFError` when it read past its input), or the sandbox ended it otherwise (its run verdict is given).";
    Refused = "refused", "refused", false, "The static checker refused the submission: nothing of it ran, every test scores 0, and the submission's record lists the checker's diagnostics.";
    CheckerError = "checker-error", "checker error", false, "The test's checker program failed (an exception, a limit, or a result that is neither a boolean nor `[passed, message]`): a fault of the manifest, not of the submission.";
}

/// How one run behind a test went, from its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The run's verdict (exit-codes.md: `finished`, `wall-time-limit`, …).
    pub verdict: String,
    /// repy's exit code for it.
    pub exit_code: u8,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// CPU seconds.
    pub cpu_seconds: f64,
    /// The largest resident memory seen, bytes.
    pub peak_memory_bytes: u64,
}

/// One test of one submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    /// The test's name.
    pub name: String,
    /// The points given.
    pub points: f64,
    /// The points it is worth.
    pub max_points: f64,
    /// How it ended.
    pub verdict: Verdict,
    /// Why it did not pass (or the checker's message), one line.
    pub message: Option<String>,
    /// For a wrong output: a short unified diff, expected against actual.
    pub diff: Option<String>,
    /// The run behind it (absent when nothing ran).
    pub run: Option<RunSummary>,
}

/// The checker's refusal of a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    /// The checker's summary.
    pub message: String,
    /// The diagnostics: the report's `violations` (`count` and `items`, each with `rule`,
    /// `line`, `column` and `message`).
    pub violations: Value,
}

/// One submission graded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionRecord {
    /// The submission, as named on the command line.
    pub submission: String,
    /// Points scored.
    pub score: f64,
    /// Points possible.
    pub max_score: f64,
    /// Set when the checker refused the submission.
    pub refused: Option<Refusal>,
    /// Set when the submission could not be graded at all (unreadable, or its grading
    /// process failed).
    pub error: Option<String>,
    /// One record per test, in the manifest's order.
    pub tests: Vec<TestRecord>,
}

impl SubmissionRecord {
    /// Counts of the tests by verdict, in [`VERDICTS`] order, leaving out verdicts no test
    /// has.
    pub fn tally(&self) -> Vec<(Verdict, usize)> {
        VERDICTS
            .iter()
            .map(|v| (*v, self.tests.iter().filter(|t| t.verdict == *v).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// Points as people write them: `3`, `2.5`.
pub fn points(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{}", (value * 100.0).round() / 100.0)
    }
}

/// The verdict table of docs/grading.md, from [`VERDICTS`].
pub fn verdicts_markdown() -> String {
    let mut out = String::from("| verdict | points | meaning |\n|---|---|---|\n");
    for verdict in VERDICTS {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            verdict.key(),
            if verdict.scores() { "the test's" } else { "0" },
            verdict.description()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    /// docs/grading.md holds the verdict table between two markers; `REPY_BLESS=1`
    /// rewrites it.
    #[test]
    fn grading_doc_lists_every_verdict() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/grading.md");
        let doc = std::fs::read_to_string(path).expect("docs/grading.md");
        let (start, end) = ("<!-- verdicts: start -->\n", "<!-- verdicts: end -->");
        let (Some(from), Some(to)) = (doc.find(start), doc.find(end)) else {
            panic!("docs/grading.md lacks the verdict markers");
        };
        let table = super::verdicts_markdown();
        let current = &doc[from + start.len()..to];
        if current != table {
            if std::env::var_os("REPY_BLESS").is_some() {
                let updated = format!("{}{table}{}", &doc[..from + start.len()], &doc[to..]);
                std::fs::write(path, updated).expect("write docs/grading.md");
            } else {
                panic!("docs/grading.md's verdict table drifted; rerun with REPY_BLESS=1");
            }
        }
    }
}
