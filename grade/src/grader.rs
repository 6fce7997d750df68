//! Grading one submission: each test in a fresh sandbox of its own, under its own limits.
//!
//! Output tests run the whole program, each in a fresh vessel holding the manifest's files.
//! Call tests take the compile-once path: the call tests of one set of limits form one batch
//! (`engine::run_batch`), whose top level runs once, each call then in a fork of it with its
//! own limits, verdict and output. The first run's check decides whether the submission is
//! refused: then nothing more runs and every test scores 0.
//!
//! The engine forks: this runs in a single-threaded process (`repy grade`'s per-submission
//! processes, or `repy job`).

use std::path::Path;

use engine::exit::ExitStatus;
use engine::{
    Call, Job, Mode, Outcome, OutputChoice, PolicySource, ProgramSource, StdinChoice, VesselChoice,
};
use restrictions::Restrictions;
use serde_json::Value;

use crate::compare;
use crate::manifest::{Manifest, OutputJudge, TestKind, TestSpec};
use crate::record::{Refusal, RunSummary, SubmissionRecord, TestRecord, Verdict};

/// The policy a checker program runs under: the `python` profile's defaults, ten seconds.
const CHECKER_POLICY: &str =
    "profile = \"python\"\n[resources]\nwall-time = \"10 s\"\noutput = \"1 MB\"\n";
/// The most output a checker is given: larger outputs are wrong answers without it.
pub const MAX_CHECKED_OUTPUT: usize = 1 << 20;
/// The function a checker program defines.
pub const CHECKER_FUNCTION: &str = "check";

/// Grades the submission in the file at `path`, named `name` in the record.
pub fn grade_file(manifest: &Manifest, path: &Path, name: &str) -> SubmissionRecord {
    match engine::read_program(path) {
        Ok(source) => grade(manifest, name, source),
        Err(err) => not_graded(manifest, name, err.to_string()),
    }
}

/// A record for a submission that could not be graded at all: every test 0, nothing ran.
pub fn not_graded(manifest: &Manifest, name: &str, error: String) -> SubmissionRecord {
    SubmissionRecord {
        submission: name.to_owned(),
        score: 0.0,
        max_score: manifest.max_score(),
        refused: None,
        error: Some(error.clone()),
        tests: manifest
            .tests
            .iter()
            .map(|test| unrun(test, Verdict::Error, Some(error.clone())))
            .collect(),
    }
}

fn unrun(test: &TestSpec, verdict: Verdict, message: Option<String>) -> TestRecord {
    TestRecord {
        name: test.name.clone(),
        points: 0.0,
        max_points: test.points,
        verdict,
        message,
        diff: None,
        run: None,
    }
}

/// Grades the submission `source`, named `name` (tracebacks and the record use it).
pub fn grade(manifest: &Manifest, name: &str, source: String) -> SubmissionRecord {
    let mut grading = Grading {
        manifest,
        name,
        source,
        records: vec![None; manifest.tests.len()],
        refused: None,
    };
    grading.run_all();
    let Grading {
        records, refused, ..
    } = grading;
    let tests: Vec<TestRecord> = records
        .into_iter()
        .zip(&manifest.tests)
        .map(|(record, test)| {
            record.unwrap_or_else(|| {
                unrun(
                    test,
                    Verdict::Refused,
                    Some("the static checker refused the submission".into()),
                )
            })
        })
        .collect();
    SubmissionRecord {
        submission: name.to_owned(),
        score: tests.iter().map(|t| t.points).sum(),
        max_score: manifest.max_score(),
        refused,
        error: None,
        tests,
    }
}

struct Grading<'m> {
    manifest: &'m Manifest,
    name: &'m str,
    source: String,
    records: Vec<Option<TestRecord>>,
    refused: Option<Refusal>,
}

impl Grading<'_> {
    fn run_all(&mut self) {
        let tests = &self.manifest.tests;
        for index in 0..tests.len() {
            if self.refused.is_some() {
                // Nothing more runs: the records left empty become `refused`.
                for record in &mut self.records {
                    *record = None;
                }
                return;
            }
            if self.records.get(index).is_some_and(Option::is_some) {
                continue;
            }
            let Some(test) = tests.get(index) else {
                return;
            };
            match &test.kind {
                TestKind::Call { .. } => self.run_call_group(&test.policy),
                TestKind::Output { stdin, judge } => {
                    let record = self.run_output_test(test, stdin, judge);
                    if let Some(slot) = self.records.get_mut(index) {
                        *slot = record;
                    }
                }
            }
        }
        if self.refused.is_some() {
            for record in &mut self.records {
                *record = None;
            }
        }
    }

    /// A job running the submission under `policy` in a fresh vessel with the manifest's
    /// files, its output captured.
    fn job(&self, policy: &Restrictions) -> Job {
        let mut job = Job::new(
            PolicySource::Loaded {
                policy: Box::new(policy.clone()),
                name: self.manifest.name.clone(),
            },
            ProgramSource::Text {
                source: self.source.clone(),
                filename: self.name.to_owned(),
            },
        );
        job.vessel = VesselChoice::Temp {
            copy: self.manifest.files.clone(),
            keep: false,
        };
        job.output = OutputChoice::Capture;
        job.stdin = StdinChoice::Null;
        job
    }

    /// Notes the checker's refusal, if `outcome` is one; whether it was.
    fn refused_by(&mut self, outcome: &Outcome) -> bool {
        if outcome.status != ExitStatus::Unsafe {
            return false;
        }
        self.refused = Some(Refusal {
            message: report_text(&outcome.report, "message")
                .unwrap_or_else(|| "the static checker refused the submission".into()),
            violations: outcome.report["violations"].clone(),
        });
        true
    }

    /// Runs every call test of `policy` as one batch.
    fn run_call_group(&mut self, policy: &Restrictions) {
        let members: Vec<usize> = self
            .manifest
            .tests
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t.kind, TestKind::Call { .. }) && t.policy == *policy)
            .map(|(i, _)| i)
            .collect();
        let calls: Vec<Call> = members
            .iter()
            .filter_map(|&i| match &self.manifest.tests.get(i)?.kind {
                TestKind::Call { call, .. } => Some(call.clone()),
                TestKind::Output { .. } => None,
            })
            .collect();
        let mut outcomes = Vec::with_capacity(calls.len());
        let mut calls_iter = calls.into_iter().map(Ok);
        let mut sink = |outcome: Outcome| outcomes.push(outcome);
        let mut batch = engine::Batch {
            calls: &mut calls_iter,
            sink: &mut sink,
            default_function: String::new(),
        };
        let top = engine::run_batch(self.job(policy), &mut batch);
        if self.refused_by(&top) {
            return;
        }
        for (index, outcome) in members.into_iter().zip(outcomes) {
            let Some(test) = self.manifest.tests.get(index) else {
                continue;
            };
            let TestKind::Call {
                expected,
                tolerance,
                ..
            } = &test.kind
            else {
                continue;
            };
            let judged = ended(&outcome).and_then(|()| match &outcome.value {
                Some(value) => compare::value(expected, value, *tolerance)
                    .map_err(|m| (Verdict::WrongAnswer, m.message, None)),
                None => Err((
                    Verdict::WrongAnswer,
                    "the call returned no value".into(),
                    None,
                )),
            });
            if let Some(slot) = self.records.get_mut(index) {
                *slot = Some(record(test, &outcome, judged));
            }
        }
    }

    fn run_output_test(
        &mut self,
        test: &TestSpec,
        stdin: &[u8],
        judge: &OutputJudge,
    ) -> Option<TestRecord> {
        let mut job = self.job(&test.policy);
        // The input is handed over as a file of its own, outside the vessel.
        let staging = match private_tempdir() {
            Ok(dir) => dir,
            Err(err) => {
                return Some(unrun(
                    test,
                    Verdict::Error,
                    Some(format!("cannot stage the test's input: {err}")),
                ))
            }
        };
        if !stdin.is_empty() {
            let path = staging.path().join("stdin");
            if let Err(err) = write_private(&path, stdin) {
                return Some(unrun(
                    test,
                    Verdict::Error,
                    Some(format!("cannot stage the test's input: {err}")),
                ));
            }
            job.stdin = StdinChoice::File(path);
        }
        let outcome = engine::run(job);
        if self.refused_by(&outcome) {
            return None;
        }
        let judged = ended(&outcome).and_then(|()| match judge {
            OutputJudge::Expected { expected, compare } => {
                compare::output(expected, &outcome.stdout, *compare)
                    .map_err(|m| (Verdict::WrongAnswer, m.message, m.diff))
            }
            OutputJudge::Checker { program, expected } => {
                run_checker(program, stdin, &outcome.stdout, expected.as_deref())
            }
        });
        Some(record(test, &outcome, judged))
    }
}

/// Why a test did not pass: its verdict, a message and perhaps a diff.
type Failure = (Verdict, String, Option<String>);

/// Whether the run ended normally; if not, the test's verdict and why.
fn ended(outcome: &Outcome) -> Result<(), Failure> {
    let message = report_text(&outcome.report, "message").unwrap_or_default();
    let verdict = match outcome.status {
        ExitStatus::Finished | ExitStatus::ExitAll => return Ok(()),
        ExitStatus::WallTimeLimit | ExitStatus::CpuTimeLimit => Verdict::TimeLimit,
        ExitStatus::OutputLimit => Verdict::OutputLimit,
        ExitStatus::ResourceKilled if message.starts_with("memory") => Verdict::MemoryLimit,
        ExitStatus::ResourceKilled => Verdict::ResourceLimit,
        ExitStatus::Unsafe => Verdict::Refused,
        ExitStatus::UncaughtException | ExitStatus::ThreadException => {
            return Err((Verdict::Error, message, None))
        }
        other => {
            return Err((
                Verdict::Error,
                if message.is_empty() {
                    other.verdict().to_owned()
                } else {
                    format!("{}: {message}", other.verdict())
                },
                None,
            ))
        }
    };
    Err((verdict, message, None))
}

fn record(test: &TestSpec, outcome: &Outcome, judged: Result<(), Failure>) -> TestRecord {
    let run = Some(summary(outcome));
    match judged {
        Ok(()) => TestRecord {
            name: test.name.clone(),
            points: test.points,
            max_points: test.points,
            verdict: Verdict::Passed,
            message: None,
            diff: None,
            run,
        },
        Err((verdict, message, diff)) => TestRecord {
            name: test.name.clone(),
            points: if verdict.scores() { test.points } else { 0.0 },
            max_points: test.points,
            verdict,
            message: Some(message),
            diff,
            run,
        },
    }
}

fn summary(outcome: &Outcome) -> RunSummary {
    let report = &outcome.report;
    RunSummary {
        verdict: outcome.status.verdict().to_owned(),
        exit_code: outcome.exit_code,
        wall_seconds: report["wall_seconds"].as_f64().unwrap_or(0.0),
        cpu_seconds: report["cpu_seconds"].as_f64().unwrap_or(0.0),
        peak_memory_bytes: report["peak_memory_bytes"].as_u64().unwrap_or(0),
    }
}

fn report_text(report: &Value, key: &str) -> Option<String> {
    report.get(key)?.as_str().map(str::to_owned)
}

/// Runs the checker program's `check(input, output, expected)` in a sandbox of its own.
fn run_checker(
    program: &Path,
    input: &[u8],
    output: &[u8],
    expected: Option<&str>,
) -> Result<(), Failure> {
    let checker_error = |message: String| Err((Verdict::CheckerError, message, None));
    if output.len() > MAX_CHECKED_OUTPUT {
        // The submission's doing, not the checker's.
        return Err((
            Verdict::WrongAnswer,
            format!(
                "the output ({} bytes) is longer than a checker reads ({MAX_CHECKED_OUTPUT} bytes)",
                output.len()
            ),
            None,
        ));
    }
    let policy = match engine::parse_restrictions(CHECKER_POLICY, "<checker policy>") {
        Ok(policy) => policy,
        Err(err) => return checker_error(err.to_string()),
    };
    let mut job = Job::new(
        PolicySource::Loaded {
            policy: Box::new(policy),
            name: "<checker policy>".into(),
        },
        ProgramSource::File(program.to_path_buf()),
    );
    job.mode = Mode::Call(Call {
        function: CHECKER_FUNCTION.into(),
        args: vec![
            Value::String(String::from_utf8_lossy(input).into_owned()),
            Value::String(String::from_utf8_lossy(output).into_owned()),
            expected.map_or(Value::Null, |e| Value::String(e.to_owned())),
        ],
        kwargs: serde_json::Map::new(),
    });
    job.vessel = VesselChoice::Temp {
        copy: Vec::new(),
        keep: false,
    };
    job.output = OutputChoice::Capture;
    job.stdin = StdinChoice::Null;
    let outcome = engine::run(job);
    if outcome.status != ExitStatus::Finished {
        let message = report_text(&outcome.report, "message").unwrap_or_default();
        return checker_error(format!(
            "the checker {} ended {}: {message}",
            program.display(),
            outcome.status.verdict()
        ));
    }
    match outcome.value {
        Some(Value::Bool(true)) => Ok(()),
        Some(Value::Bool(false)) => Err((
            Verdict::WrongAnswer,
            "the checker did not accept the output".into(),
            None,
        )),
        Some(Value::Array(items)) => match items.as_slice() {
            [Value::Bool(true), Value::String(_)] => Ok(()),
            [Value::Bool(false), Value::String(message)] => {
                Err((Verdict::WrongAnswer, message.clone(), None))
            }
            _ => checker_error(format!(
                "the checker returned {}, not a boolean or [passed, message]",
                Value::Array(items)
            )),
        },
        other => checker_error(format!(
            "the checker returned {}, not a boolean or [passed, message]",
            other.unwrap_or(Value::Null)
        )),
    }
}

/// A temporary directory only its owner may enter: a test's hidden input waits there.
pub fn private_tempdir() -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt as _;
    tempfile::Builder::new()
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
}

/// Writes `bytes` to a new file at `path` that only its owner may read.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(bytes)
}
