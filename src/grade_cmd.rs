//! `repy grade MANIFEST SUBMISSION...`: each submission graded in a process of its own (the
//! engine forks, and wants a single-threaded caller), as many at once as there are cores,
//! with a progress bar; then the table, `--json` lines or `--junit` XML, in the order the
//! submissions were given. Also the grading jobs of `repy job`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use grade::{Manifest, SubmissionRecord};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::exit::ExitStatus;

/// What `repy grade` was asked.
pub struct GradeRequest {
    /// The manifest.
    pub manifest: PathBuf,
    /// The submissions, in order.
    pub submissions: Vec<PathBuf>,
    /// Print one JSON record per submission instead of the table.
    pub json: bool,
    /// Also write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// How many submissions at once (default: the number of cores).
    pub jobs: Option<usize>,
}

/// `repy grade`; returns the exit code.
pub fn grade(request: GradeRequest) -> u8 {
    let manifest = match grade::load(&request.manifest) {
        Ok(manifest) => manifest,
        Err(err) => {
            eprintln!("{err}");
            return ExitStatus::BadRestrictions.code();
        }
    };
    // A JUnit file that cannot be written is found before the grading, not after it.
    if let Some(path) = &request.junit {
        if let Err(err) = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
        {
            eprintln!(
                "repy: cannot write the JUnit report '{}': {err}",
                path.display()
            );
            return ExitStatus::Usage.code();
        }
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            eprintln!("repy: internal error: cannot find repy's own binary: {err}");
            return ExitStatus::InternalError.code();
        }
    };
    let jobs = request
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let total = request.submissions.len();
    let progress = indicatif::ProgressBar::new(total as u64);
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "grading {bar:30} {pos}/{len} submissions  {elapsed}  {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let next = AtomicUsize::new(0);
    let records: Mutex<Vec<Option<SubmissionRecord>>> = Mutex::new(vec![None; total]);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(total) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = request.submissions.get(index) else {
                    return;
                };
                let record = grade_in_process(&exe, &request.manifest, path, &manifest);
                progress.set_message(format!(
                    "{} {}/{}",
                    record.submission,
                    grade::points(record.score),
                    grade::points(record.max_score)
                ));
                progress.inc(1);
                if let Ok(mut records) = records.lock() {
                    if let Some(slot) = records.get_mut(index) {
                        *slot = Some(record);
                    }
                }
            });
        }
    });
    progress.finish_and_clear();
    let records: Vec<SubmissionRecord> = records
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .zip(&request.submissions)
        .map(|(record, path)| {
            record.unwrap_or_else(|| {
                grade::not_graded(&manifest, &name_of(path), "not graded".into())
            })
        })
        .collect();
    let mut stdout = std::io::stdout().lock();
    let text = if request.json {
        records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
            .collect()
    } else {
        grade::table::render(&records)
    };
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("repy: cannot write the results to standard output");
    }
    if let Some(path) = &request.junit {
        let suite = manifest
            .title
            .clone()
            .unwrap_or_else(|| request.manifest.display().to_string());
        let written =
            grade::junit::render(&suite, &records).and_then(|xml| std::fs::write(path, xml));
        if let Err(err) = written {
            eprintln!(
                "repy: cannot write the JUnit report '{}': {err}",
                path.display()
            );
            return ExitStatus::Usage.code();
        }
    }
    ExitStatus::Finished.code()
}

/// How a record names a submission: its path as given.
fn name_of(path: &Path) -> String {
    path.display().to_string()
}

/// Grades one submission by running `repy grade-submission` and reading its record.
fn grade_in_process(
    exe: &Path,
    manifest_path: &Path,
    submission: &Path,
    manifest: &Manifest,
) -> SubmissionRecord {
    let name = name_of(submission);
    // Only TMPDIR (where vessels go) of the grader's environment reaches the process that
    // runs submissions, where the strings would stay in memory.
    let mut command = Command::new(exe);
    command.env_clear();
    if let Some(tmpdir) = std::env::var_os("TMPDIR") {
        command.env("TMPDIR", tmpdir);
    }
    let output = command
        .arg("grade-submission")
        .arg(manifest_path)
        .arg(submission)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output();
    let failed = |why: String| grade::not_graded(manifest, &name, why);
    match output {
        Err(err) => failed(format!("cannot start its grading process: {err}")),
        Ok(output) => match serde_json::from_slice::<SubmissionRecord>(&output.stdout) {
            Ok(record) if output.status.success() => record,
            _ => {
                let stderr = String::from_utf8_lossy(&output.stderr);
                let last = stderr.lines().last().unwrap_or("").to_owned();
                failed(format!(
                    "its grading process failed ({}): {last}",
                    output.status
                ))
            }
        },
    }
}

/// `repy grade-submission MANIFEST SUBMISSION`: one submission's record as JSON.
pub fn grade_submission(manifest: &Path, submission: &Path) -> u8 {
    let manifest = match grade::load(manifest) {
        Ok(manifest) => manifest,
        Err(err) => {
            eprintln!("{err}");
            return ExitStatus::BadRestrictions.code();
        }
    };
    let record = grade::grade_file(&manifest, submission, &name_of(submission));
    let mut stdout = std::io::stdout().lock();
    match serde_json::to_string(&record) {
        Ok(text)
            if writeln!(stdout, "{text}")
                .and_then(|()| stdout.flush())
                .is_ok() =>
        {
            ExitStatus::Finished.code()
        }
        _ => ExitStatus::InternalError.code(),
    }
}

/// A grading job's document (see docs/deploy.md): the manifest's text and files travel
/// with it, so that a worker on another machine needs nothing else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeJob {
    /// The manifest's TOML text.
    manifest: String,
    /// The files its paths name (`files`, `stdin-file`, `expected-file`, `checker`):
    /// path relative to the manifest → base64 content.
    #[serde(default)]
    files: BTreeMap<String, String>,
    submission: Submission,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Submission {
    name: String,
    source: String,
}

/// Runs a grading job of `repy job`, every test's limits clamped to `ceiling`:
/// `{"grade": record}`.
pub fn grade_job(document: Value, ceiling: &crate::job::Ceiling) -> Result<Value, String> {
    use base64::Engine as _;
    let job: GradeJob =
        serde_json::from_value(document).map_err(|err| format!("a grading job: {err}"))?;
    let dir =
        grade::private_tempdir().map_err(|err| format!("cannot stage the manifest: {err}"))?;
    for (name, content) in &job.files {
        let relative = Path::new(name);
        let inside = relative.is_relative()
            && relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        if !inside {
            return Err(format!(
                "file \"{name}\": a path relative to the manifest, without `..`"
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content)
            .map_err(|err| format!("file \"{name}\": its content is not base64: {err}"))?;
        let path = dir.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| format!("file \"{name}\": {err}"))?;
        }
        grade::write_private(&path, &bytes).map_err(|err| format!("file \"{name}\": {err}"))?;
    }
    let mut manifest =
        grade::parse(&job.manifest, "<job manifest>", dir.path()).map_err(|err| err.to_string())?;
    manifest.policy = ceiling.clamp(&manifest.policy)?;
    for test in &mut manifest.tests {
        test.policy = ceiling
            .clamp(&test.policy)
            .map_err(|err| format!("test \"{}\": {err}", test.name))?;
    }
    let record = grade::grade(&manifest, &job.submission.name, job.submission.source);
    Ok(json!({ "grade": record }))
}
