//! `repy job`: one job document (JSON) on standard input, one result document (one line of
//! JSON) on standard output. The queue workers (`repy worker`) run each job this way, in a
//! process of its own: the engine forks, and wants a single-threaded caller.
//!
//! The documents are described in docs/deploy.md ("Job documents"). Whatever the program
//! does, the command exits 0 once it has written a result; a document it cannot understand
//! gets `{"id": ..., "error": "..."}` and exit 4.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use engine::{
    Call, Job, Mode, Outcome, OutputChoice, PolicySource, ProgramSource, StdinChoice, VesselChoice,
};
use restrictions::{Profile, Restrictions};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::exit::ExitStatus;

/// The longest job document read (a program, its files and its standard input).
const MAX_DOCUMENT: u64 = 64 * 1024 * 1024;

/// The most calls a batch job may hold.
const MAX_BATCH_CALLS: usize = 10_000;
/// The most output (standard output and error, all calls together) a batch job's result
/// carries: each call's output is bounded by its policy, their sum by this. A call whose
/// output would go past it gets none in the result, and `"output_dropped": true`.
const MAX_BATCH_OUTPUT: usize = 64 * 1024 * 1024;

/// The policy of a run or batch job that gives none: the `python` profile's defaults, with a
/// wall-clock limit so that no job holds a worker forever.
const DEFAULT_POLICY: &str = "profile = \"python\"\n[resources]\nwall-time = \"10 s\"\n";

/// A run job: one program, run, evaluated or called once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunJob {
    source: String,
    #[serde(default)]
    restrictions: Option<String>,
    #[serde(default)]
    mode: RunMode,
    #[serde(default)]
    function: Option<String>,
    #[serde(default)]
    args: Vec<Value>,
    #[serde(default)]
    kwargs: Map<String, Value>,
    #[serde(default)]
    stdin: Option<String>,
    #[serde(default)]
    argv: Vec<String>,
    /// Files placed in the vessel first: name → base64 content.
    #[serde(default)]
    files: BTreeMap<String, String>,
}

/// What a run job does with its program.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum RunMode {
    #[default]
    Run,
    Eval,
    Call,
}

/// A batch job: the top level once, then each call in a fork of it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchJob {
    source: String,
    #[serde(default)]
    restrictions: Option<String>,
    #[serde(default)]
    files: BTreeMap<String, String>,
    calls: Vec<Call>,
}

/// The most a job may ask for: every job's limits are clamped to it.
pub enum Ceiling {
    /// A policy given with `--policy`: jobs of its profile only.
    Given(Box<Restrictions>),
    /// The documented defaults of each job's own profile (with the shipped modules it
    /// lists: see `Restrictions::default_ceiling`).
    Defaults,
}

impl Ceiling {
    /// `policy`, clamped to this ceiling; `Err` names what a job may not ask for.
    pub fn clamp(&self, policy: &Restrictions) -> Result<Restrictions, String> {
        let defaults;
        let ceiling = match self {
            Ceiling::Given(ceiling) => ceiling.as_ref(),
            Ceiling::Defaults => {
                defaults = policy.default_ceiling();
                &defaults
            }
        };
        policy.clamp_to(ceiling).map_err(|err| err.to_string())
    }

    /// The profile a job's restrictions have when they name none.
    fn profile(&self) -> Profile {
        match self {
            Ceiling::Given(ceiling) => ceiling.profile(),
            Ceiling::Defaults => Profile::Python,
        }
    }
}

/// `repy job`: reads the document, runs it under `policy`'s ceiling, prints the result;
/// returns the exit code.
pub fn main(policy: Option<&std::path::Path>) -> u8 {
    let ceiling = match policy {
        None => Ceiling::Defaults,
        Some(path) => match engine::load_restrictions(path) {
            Ok(policy) => Ceiling::Given(Box::new(policy)),
            Err(err) => {
                eprintln!("{err}");
                return ExitStatus::BadRestrictions.code();
            }
        },
    };
    let mut text = String::new();
    let read = std::io::stdin()
        .lock()
        .take(MAX_DOCUMENT + 1)
        .read_to_string(&mut text);
    let result = match read {
        Err(err) => Err((Value::Null, format!("cannot read the job document: {err}"))),
        Ok(_) if text.len() as u64 > MAX_DOCUMENT => Err((
            Value::Null,
            format!("the job document is longer than {MAX_DOCUMENT} bytes"),
        )),
        Ok(_) => run_document(&text, &ceiling),
    };
    let (code, line) = match result {
        Ok(result) => (ExitStatus::Finished.code(), result),
        Err((id, error)) => (ExitStatus::Usage.code(), json!({"id": id, "error": error})),
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("repy: cannot write the job's result to standard output");
        return ExitStatus::Usage.code();
    }
    code
}

/// Runs one job document under `ceiling`; `Err` holds the job's id (if it had one) and why
/// it was refused.
pub fn run_document(text: &str, ceiling: &Ceiling) -> Result<Value, (Value, String)> {
    let document: Value = serde_json::from_str(text)
        .map_err(|err| (Value::Null, format!("the job document is not JSON: {err}")))?;
    let id = document.get("id").cloned().unwrap_or(Value::Null);
    let fail = |message: String| (id.clone(), message);
    let Value::Object(mut fields) = document else {
        return Err(fail("the job document is not a JSON object".into()));
    };
    fields.remove("id");
    let kind = match fields.remove("kind") {
        Some(Value::String(kind)) => kind,
        Some(other) => {
            return Err(fail(format!(
                "`kind` is {}, not a string",
                crate::modes::kind(&other)
            )))
        }
        None => return Err(fail("the job has no `kind` (run, batch or grade)".into())),
    };
    let document = Value::Object(fields);
    let result = match kind.as_str() {
        "run" => {
            let job: RunJob = serde_json::from_value(document)
                .map_err(|err| fail(format!("a run job: {err}")))?;
            run_job(job, ceiling).map(|outcome| json!({"outcome": outcome.to_json()}))
        }
        "batch" => {
            let job: BatchJob = serde_json::from_value(document)
                .map_err(|err| fail(format!("a batch job: {err}")))?;
            batch_job(job, ceiling)
        }
        "grade" => crate::grade_cmd::grade_job(document, ceiling),
        other => Err(format!(
            "unknown job kind \"{other}\": use run, batch or grade"
        )),
    };
    let mut result = result.map_err(fail)?;
    result["id"] = id;
    result["kind"] = Value::String(kind);
    Ok(result)
}

/// The policy of a job: its `restrictions` text (whose profile, when it names none, is the
/// ceiling's), or [`DEFAULT_POLICY`], clamped to `ceiling`.
fn policy(restrictions: Option<&str>, ceiling: &Ceiling) -> Result<PolicySource, String> {
    let (text, name) = match restrictions {
        Some(text) => (text, "<job restrictions>"),
        None => (DEFAULT_POLICY, "<default job restrictions>"),
    };
    let policy = Restrictions::parse_runnable_under(
        text.as_bytes(),
        name,
        &engine::catalog(),
        ceiling.profile(),
    )
    .map_err(|err| err.to_string())?;
    Ok(PolicySource::Loaded {
        policy: Box::new(ceiling.clamp(&policy)?),
        name: name.into(),
    })
}

/// Writes a job's files (name → base64) into `dir` and returns their paths, refusing names
/// that are not plain file names.
pub fn place_files(
    files: &BTreeMap<String, String>,
    dir: &std::path::Path,
) -> Result<Vec<PathBuf>, String> {
    use base64::Engine as _;
    let mut paths = Vec::new();
    for (name, content) in files {
        if !is_plain_name(name) {
            return Err(format!(
                "file name \"{name}\": a plain file name is needed (no `/`, not `.` or `..`)"
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content)
            .map_err(|err| format!("file \"{name}\": its content is not base64: {err}"))?;
        let path = dir.join(name);
        grade::write_private(&path, &bytes).map_err(|err| format!("file \"{name}\": {err}"))?;
        paths.push(path);
    }
    Ok(paths)
}

/// A name of a file directly in a directory.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0'])
}

/// An engine job for `source` under `restrictions` in a fresh vessel holding `files`
/// (written under `staging` first), its output captured.
fn engine_job(
    source: String,
    restrictions: Option<&str>,
    ceiling: &Ceiling,
    files: &BTreeMap<String, String>,
    staging: &std::path::Path,
) -> Result<Job, String> {
    let mut job = Job::new(
        policy(restrictions, ceiling)?,
        ProgramSource::Text {
            source,
            filename: "<job>".into(),
        },
    );
    job.vessel = VesselChoice::Temp {
        copy: place_files(files, staging)?,
        keep: false,
    };
    job.output = OutputChoice::Capture;
    job.stdin = StdinChoice::Null;
    Ok(job)
}

fn run_job(request: RunJob, ceiling: &Ceiling) -> Result<Outcome, String> {
    let staging = grade::private_tempdir().map_err(|err| format!("cannot stage files: {err}"))?;
    let mut job = engine_job(
        request.source,
        request.restrictions.as_deref(),
        ceiling,
        &request.files,
        staging.path(),
    )?;
    if request.mode != RunMode::Call
        && (request.function.is_some() || !request.args.is_empty() || !request.kwargs.is_empty())
    {
        return Err("`function`, `args` and `kwargs` belong to `\"mode\": \"call\"`".into());
    }
    job.args = request.argv;
    job.mode = match request.mode {
        RunMode::Run => Mode::Run,
        RunMode::Eval => Mode::Expression,
        RunMode::Call => Mode::Call(Call {
            function: request.function.ok_or("a call job names its `function`")?,
            args: request.args,
            kwargs: request.kwargs,
        }),
    };
    if let Some(stdin) = request.stdin {
        let path = staging.path().join(".stdin");
        grade::write_private(&path, stdin.as_bytes())
            .map_err(|err| format!("cannot stage stdin: {err}"))?;
        job.stdin = StdinChoice::File(path);
    }
    Ok(engine::run(job))
}

fn batch_job(request: BatchJob, ceiling: &Ceiling) -> Result<Value, String> {
    let staging = grade::private_tempdir().map_err(|err| format!("cannot stage files: {err}"))?;
    let job = engine_job(
        request.source,
        request.restrictions.as_deref(),
        ceiling,
        &request.files,
        staging.path(),
    )?;
    if request.calls.len() > MAX_BATCH_CALLS {
        return Err(format!(
            "a batch job holds at most {MAX_BATCH_CALLS} calls, not {}",
            request.calls.len()
        ));
    }
    let mut outcomes = Vec::new();
    let mut calls = request.calls.into_iter().map(Ok);
    let mut output = 0usize;
    let mut sink = |mut outcome: Outcome| {
        let size = outcome.stdout.len() + outcome.stderr.len();
        let dropped = output.saturating_add(size) > MAX_BATCH_OUTPUT;
        if dropped {
            outcome.stdout.clear();
            outcome.stderr.clear();
        } else {
            output += size;
        }
        let mut json = outcome.to_json();
        if dropped {
            json["output_dropped"] = Value::Bool(true);
        }
        outcomes.push(json);
    };
    let mut batch = engine::Batch {
        calls: &mut calls,
        sink: &mut sink,
        default_function: String::new(),
    };
    let top = engine::run_batch(job, &mut batch);
    Ok(json!({"top": top.to_json(), "outcomes": outcomes}))
}
