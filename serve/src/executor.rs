//! Executors: what runs a job. The server never runs a program in its own process (the
//! engine forks and wants a single-threaded caller); an [`Executor`] runs it elsewhere.
//!
//! [`ProcessExecutor`] runs a `repy job` process per run, which pays an interpreter's cold
//! start; [`crate::PoolExecutor`] runs requests warm, in forks of ready interpreters, and
//! hands the others to a `ProcessExecutor`.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};

use crate::api::{RunMode, RunOutcome};

/// One run, ready for an executor: the program, its clamped policy, its inputs.
#[derive(Debug, Clone)]
pub struct JobRequest {
    /// The program's source.
    pub source: String,
    /// The policy the run has: the request's, clamped to the ceiling and to the deadline.
    pub policy: restrictions::Restrictions,
    /// What the run's report names as its restrictions: `ceiling`, a named policy's name, or
    /// `<restrictions>` for a request's own text (never a file of the server's).
    pub policy_label: String,
    /// What to do with the program.
    pub mode: RunMode,
    /// `call`: the function.
    pub function: Option<String>,
    /// `call`: positional arguments.
    pub args: Vec<Value>,
    /// `call`: keyword arguments.
    pub kwargs: Map<String, Value>,
    /// Standard input, if any.
    pub stdin: Option<String>,
    /// The program's arguments.
    pub argv: Vec<String>,
    /// Files placed in the vessel first: plain name → content.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Why an executor could not give a run's outcome.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The worker process could not be started.
    #[error("cannot start `{program} job`: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Talking to the worker failed.
    #[error("cannot talk to the job process: {0}")]
    Io(#[source] std::io::Error),
    /// The run outlived the executor's deadline; its processes were killed.
    #[error("the run outlived its deadline of {0:?} and was killed")]
    Deadline(Duration),
    /// The worker's answer was longer than the executor reads.
    #[error("the job's result is longer than {0} bytes")]
    ResultTooLong(usize),
    /// The worker refused the job (its message says why).
    #[error("{0}")]
    Refused(String),
    /// The worker ended without a usable answer.
    #[error("the job process failed ({status}): {detail}")]
    Failed {
        /// How it ended.
        status: String,
        /// What it said (the end of its standard error), or why its answer is unusable.
        detail: String,
    },
}

/// A future an [`Executor`] returns.
pub type RunFuture<'a> = Pin<Box<dyn Future<Output = Result<RunOutcome, ExecError>> + Send + 'a>>;

/// Runs jobs somewhere other than the server's process. Dropping the future must end the
/// run and leave nothing of it behind (processes, files).
pub trait Executor: Send + Sync + 'static {
    /// Runs one job to its outcome.
    fn run(&self, job: JobRequest) -> RunFuture<'_>;

    /// How many runs the executor holds ready (a pool's size; `repy_pool_size`).
    fn pool_size(&self) -> usize;

    /// Makes ready what it holds ready, inside the server's runtime, before the first
    /// request (a warm pool starts its processes).
    fn warm_up(&self) {}

    /// Ends what it holds ready and waits for it to be gone (the server is stopping, no run
    /// is going).
    fn shutdown(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(std::future::ready(()))
    }
}

/// The most of a worker's standard error kept (for the log).
const STDERR_KEPT: usize = 16 * 1024;

/// The longest result line read from a worker: two captured streams of
/// 64 MiB (the engine's capture limit), in base64, and the report.
pub const MAX_RESULT: usize = 192 * 1024 * 1024;

/// A `repy job` process per run.
#[derive(Debug, Clone)]
pub struct ProcessExecutor {
    program: PathBuf,
    scratch: PathBuf,
    kill_after: Duration,
    pool_size: usize,
}

impl ProcessExecutor {
    /// Runs `program job` for each job, in a fresh directory under `scratch` (its `TMPDIR`,
    /// where its vessel is made, removed after it), and kills it (its sandbox with it) when
    /// it outlives `kill_after`. `pool_size` is reported as the pool's size.
    pub fn new(program: PathBuf, scratch: PathBuf, kill_after: Duration, pool_size: usize) -> Self {
        ProcessExecutor {
            program,
            scratch,
            kill_after,
            pool_size,
        }
    }

    async fn run_job(&self, job: JobRequest) -> Result<RunOutcome, ExecError> {
        let dir = tempfile::Builder::new()
            .prefix("run-")
            .tempdir_in(&self.scratch)
            .map_err(ExecError::Io)?;
        let document = job_document(&job);
        // The server has clamped the policy already: it is the job's ceiling too, so that
        // `repy job` keeps it as it is (its own default ceiling is the profile's defaults).
        let ceiling = dir.path().join("ceiling.toml");
        std::fs::write(&ceiling, job.policy.to_toml()).map_err(ExecError::Io)?;
        let mut command = repy_command(&self.program, dir.path());
        command
            .arg("job")
            .arg("--policy")
            .arg(&ceiling)
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|source| ExecError::Spawn {
            program: self.program.display().to_string(),
            source,
        })?;
        let result = tokio::time::timeout(self.kill_after, talk(&mut child, document)).await;
        let result = match result {
            Ok(result) => result,
            Err(_) => {
                // Reaped here so that nothing of the run outlives this future.
                let _ = child.kill().await;
                Err(ExecError::Deadline(self.kill_after))
            }
        };
        drop(child);
        remove_scratch(dir);
        result
    }
}

impl Executor for ProcessExecutor {
    fn run(&self, job: JobRequest) -> RunFuture<'_> {
        Box::pin(self.run_job(job))
    }

    fn pool_size(&self) -> usize {
        self.pool_size
    }
}

/// A command running `program` (the repy binary) in `dir`, which is its `TMPDIR` too, with
/// piped standard input and output, killed when dropped, and dying with the server
/// (`PR_SET_PDEATHSIG`; its sandbox has its own parent-death signal).
pub(crate) fn repy_command(program: &Path, dir: &Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(program);
    // Nothing of the server's environment (tokens, keys, paths) is handed on: the sandbox
    // child empties its environment, but the strings would stay in the memory of every
    // process forked from this one.
    command
        .env_clear()
        .env("TMPDIR", dir)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: the closure runs in the forked child before exec and only calls prctl and
    // getppid, which are async-signal-safe, with integer arguments.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The server may have died between the fork and the prctl.
            if libc::getppid() == 1 {
                return Err(std::io::Error::other("the server is gone"));
            }
            Ok(())
        });
    }
    command
}

/// Removes a run's directory, saying on standard error when it cannot.
fn remove_scratch(dir: tempfile::TempDir) {
    let path = dir.path().to_path_buf();
    if let Err(err) = dir.close() {
        eprintln!("repy serve: cannot remove {}: {err}", path.display());
    }
}

/// The `repy job` document of a job (src/job.rs).
pub fn job_document(job: &JobRequest) -> Vec<u8> {
    use base64::Engine as _;
    let files: BTreeMap<&str, String> = job
        .files
        .iter()
        .map(|(name, bytes)| {
            (
                name.as_str(),
                base64::engine::general_purpose::STANDARD.encode(bytes),
            )
        })
        .collect();
    let mut document = json!({
        "kind": "run",
        "source": job.source,
        "restrictions": job.policy.to_toml(),
        "mode": job.mode.key(),
        "argv": job.argv,
        "files": files,
    });
    if job.mode == RunMode::Call {
        document["function"] = json!(job.function);
        document["args"] = Value::Array(job.args.clone());
        document["kwargs"] = Value::Object(job.kwargs.clone());
    }
    if let Some(stdin) = &job.stdin {
        document["stdin"] = json!(stdin);
    }
    document.to_string().into_bytes()
}

/// What `repy job` answers: an outcome, or why it refused the job.
#[derive(Debug, Deserialize)]
struct JobAnswer {
    #[serde(default)]
    outcome: Option<RunOutcome>,
    #[serde(default)]
    error: Option<String>,
}

/// Writes the document to the job process, reads its answer (bounded), waits for it to end.
async fn talk(
    child: &mut tokio::process::Child,
    document: Vec<u8>,
) -> Result<RunOutcome, ExecError> {
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| ExecError::Io(std::io::Error::other("no pipe to the job's stdin")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| ExecError::Io(std::io::Error::other("no pipe from the job's stdout")))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| ExecError::Io(std::io::Error::other("no pipe from the job's stderr")))?;
    let write = async move {
        // A job process that refuses early closes its end: its answer says why.
        let _ = stdin.write_all(&document).await;
        drop(stdin);
    };
    let ((), out, err) = tokio::join!(
        write,
        read_bounded(stdout, MAX_RESULT),
        read_bounded(stderr, STDERR_KEPT)
    );
    let (out, out_complete) = out.map_err(ExecError::Io)?;
    if !out_complete {
        return Err(ExecError::ResultTooLong(MAX_RESULT));
    }
    let (err, _) = err.unwrap_or_default();
    let status = child.wait().await.map_err(ExecError::Io)?;
    let detail = || String::from_utf8_lossy(&err).trim().to_owned();
    let answer: JobAnswer = match serde_json::from_slice(&out) {
        Ok(answer) => answer,
        Err(parse) => {
            return Err(ExecError::Failed {
                status: status.to_string(),
                detail: format!("{} (its answer: {parse})", detail()),
            })
        }
    };
    match (answer.outcome, answer.error) {
        (Some(outcome), _) if status.success() => Ok(outcome),
        (_, Some(error)) => Err(ExecError::Refused(error)),
        _ => Err(ExecError::Failed {
            status: status.to_string(),
            detail: detail(),
        }),
    }
}

/// Reads `reader` to its end, keeping at most `limit` bytes; the flag says whether the end
/// was reached within the limit. Past the limit it keeps reading (and dropping) nothing more:
/// the caller ends the process.
async fn read_bounded(
    reader: impl AsyncRead + Unpin,
    limit: usize,
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut kept = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(cap).read_to_end(&mut kept).await?;
    let complete = kept.len() <= limit;
    kept.truncate(limit);
    Ok((kept, complete))
}

/// The scratch directory of a server: `TMPDIR` for its job processes, removed when the
/// server ends.
pub fn scratch_dir(parent: &Path) -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("repy-serve-")
        .tempdir_in(parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(mode: RunMode) -> JobRequest {
        JobRequest {
            source: "print(1)".into(),
            policy: restrictions::Restrictions::default(),
            policy_label: "ceiling".into(),
            mode,
            function: Some("f".into()),
            args: vec![json!(1)],
            kwargs: Map::new(),
            stdin: Some("in".into()),
            argv: vec!["a".into()],
            files: BTreeMap::from([("data.txt".to_owned(), b"\xff".to_vec())]),
        }
    }

    #[test]
    fn job_document_is_a_run_job() {
        let document: Value =
            serde_json::from_slice(&job_document(&job(RunMode::Run))).expect("JSON");
        assert_eq!(document["kind"], "run");
        assert_eq!(document["mode"], "run");
        assert_eq!(document["files"]["data.txt"], "/w==");
        assert_eq!(document["stdin"], "in");
        // `function` and `args` belong to call jobs: `repy job` refuses them elsewhere.
        assert!(document.get("function").is_none());
        let restrictions = document["restrictions"].as_str().expect("TOML text");
        assert!(restrictions.contains("profile = \"repyv2\""));
        let call: Value = serde_json::from_slice(&job_document(&job(RunMode::Call))).expect("JSON");
        assert_eq!(call["function"], "f");
        assert_eq!(call["args"], json!([1]));
    }

    /// A stand-in for `repy`: a shell script with `body`, run as `script job`.
    fn fake_repy(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.join("fake-repy");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write the script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("make it executable");
        path
    }

    #[tokio::test]
    async fn process_executor_kills_a_job_past_its_deadline_and_removes_its_directory() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let scratch = dir.path().join("scratch");
        std::fs::create_dir(&scratch).expect("scratch");
        let pid_file = dir.path().join("pid");
        let script = fake_repy(
            dir.path(),
            &format!("echo $$ > {}\nexec sleep 30", pid_file.display()),
        );
        let executor = ProcessExecutor::new(script, scratch.clone(), Duration::from_millis(500), 1);
        let started = std::time::Instant::now();
        let result = executor.run(job(RunMode::Run)).await;
        assert!(matches!(result, Err(ExecError::Deadline(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid: i32 = std::fs::read_to_string(&pid_file)
            .expect("the job wrote its pid")
            .trim()
            .parse()
            .expect("a pid");
        // Killed and reaped: no such process any more.
        // SAFETY: kill with signal 0 only checks that the process exists.
        let exists = unsafe { libc::kill(pid, 0) } == 0;
        assert!(!exists, "the job process {pid} survived its deadline");
        let left: Vec<_> = std::fs::read_dir(&scratch).expect("scratch").collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[tokio::test]
    async fn process_executor_passes_refusals_and_reports_unusable_answers() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let refusing = fake_repy(
            dir.path(),
            "cat > /dev/null\necho '{\"id\": null, \"error\": \"bad job\"}'\nexit 4",
        );
        let executor = ProcessExecutor::new(
            refusing,
            dir.path().to_path_buf(),
            Duration::from_secs(10),
            1,
        );
        let result = executor.run(job(RunMode::Run)).await;
        assert!(
            matches!(&result, Err(ExecError::Refused(m)) if m == "bad job"),
            "{result:?}"
        );
        let garbage = dir.path().join("garbage");
        std::fs::create_dir(&garbage).expect("a directory for the second script");
        let script = fake_repy(&garbage, "echo 'not json'\necho 'oops' >&2\nexit 125");
        let executor =
            ProcessExecutor::new(script, dir.path().to_path_buf(), Duration::from_secs(10), 1);
        let result = executor.run(job(RunMode::Run)).await;
        assert!(
            matches!(&result, Err(ExecError::Failed { detail, .. }) if detail.contains("oops")),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn read_bounded_stops_at_the_limit() {
        let (kept, complete) = read_bounded(&b"hello"[..], 5).await.expect("read");
        assert_eq!((kept.as_slice(), complete), (&b"hello"[..], true));
        let (kept, complete) = read_bounded(&b"hello!"[..], 5).await.expect("read");
        assert_eq!((kept.as_slice(), complete), (&b"hello"[..], false));
    }
}
