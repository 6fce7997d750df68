//! Grading: a test manifest (TOML: the policy, the files placed in each test's vessel, and
//! the tests with their points and limits) and the submissions it grades. Each test of a
//! submission runs in its own fresh sandbox through the run engine; the results are records
//! with a verdict and points per test, rendered as JSON, JUnit XML or a terminal table.
//! `repy grade` (parallel submissions, a progress bar) and `repy job`'s grading jobs call it.
//!
//! The format and the worked example are in docs/grading.md.
//!
//! May depend on: engine, restrictions (`.ci/check-deps`).

pub mod compare;
pub mod grader;
pub mod junit;
pub mod manifest;
pub mod record;
pub mod table;

pub use grader::{grade, grade_file, not_graded, private_tempdir, write_private};
pub use manifest::{load, parse, Manifest, ManifestError, OutputJudge, TestKind, TestSpec};
pub use record::{
    points, verdicts_markdown, Refusal, RunSummary, SubmissionRecord, TestRecord, Verdict, VERDICTS,
};
