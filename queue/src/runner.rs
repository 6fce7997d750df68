//! Running one job in its own process (`repy job`): the document on its standard input, the
//! result on its standard output.
//!
//! The job process is the worker's child in a process group of its own (a Ctrl-C meant for
//! the worker does not reach it: the worker finishes its jobs first), and dies with the
//! worker thread that started it (`PR_SET_PDEATHSIG(SIGKILL)`, set before exec; a worker
//! killed by SIGKILL takes its jobs with it, and each job's supervisor takes its sandbox).
//! A job that outlives the worker's own timeout is killed with its whole process group.

use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How the worker starts a job: a program and its arguments, and the worker's timeout.
#[derive(Debug, Clone)]
pub struct Runner {
    /// The program to spawn (the `repy` binary itself).
    pub program: PathBuf,
    /// Its arguments (`["job"]`).
    pub args: Vec<String>,
    /// The worker's backstop: a job process still running after this long is killed, and
    /// the job gets an error result.
    pub timeout: Duration,
}

/// How a job process ended.
#[derive(Debug)]
pub(crate) enum Finished {
    /// It wrote one JSON object: the result document, as written.
    Result(String),
    /// It wrote no usable result; the message says what happened.
    Failed(String),
}

/// The longest stretch of the job's standard error quoted in an error result.
const STDERR_QUOTE: usize = 2000;

impl Runner {
    /// Runs the job `document` and returns its result, or why there is none.
    pub(crate) fn run(&self, document: &str) -> Finished {
        let mut child = match self.spawn() {
            Ok(child) => child,
            Err(err) => {
                return Finished::Failed(format!(
                    "cannot start `{} {}`: {err}",
                    self.program.display(),
                    self.args.join(" ")
                ))
            }
        };
        // Standard input and the two outputs each on a thread of their own, so a job that
        // writes before it has read everything cannot deadlock with the worker.
        let stdin = child.stdin.take().map(|mut pipe| {
            let document = document.as_bytes().to_vec();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&document);
            })
        });
        let stdout = child.stdout.take().map(read_all);
        let stderr = child.stderr.take().map(read_all);
        let status = wait_with_timeout(&mut child, self.timeout);
        if let Some(thread) = stdin {
            let _ = thread.join();
        }
        let collect = |reader: Option<std::thread::JoinHandle<Vec<u8>>>| {
            reader
                .and_then(|thread| thread.join().ok())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default()
        };
        let (out, err) = (collect(stdout), collect(stderr));
        match status {
            Waited::TimedOut => Finished::Failed(format!(
                "the job ran longer than the worker's job timeout of {} s and was killed",
                self.timeout.as_secs_f64()
            )),
            Waited::Error(err) => Finished::Failed(format!("cannot wait for the job: {err}")),
            Waited::Exited(status) => interpret(status, &out, &err),
        }
    }

    fn spawn(&self) -> std::io::Result<Child> {
        let parent = std::process::id();
        let mut command = Command::new(&self.program);
        // Nothing of the worker's environment (its Redis address and password, keys) is
        // handed on to the job's processes, where the strings would stay in memory even
        // though the sandbox child empties its environment; only TMPDIR, where vessels go.
        command.env_clear();
        if let Some(tmpdir) = std::env::var_os("TMPDIR") {
            command.env("TMPDIR", tmpdir);
        }
        command
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        // SAFETY: the closure runs in the forked child before exec and calls only prctl(2)
        // and getppid(2), both async-signal-safe; it allocates nothing.
        unsafe {
            command.pre_exec(move || {
                nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
                // The worker may have died between fork and prctl: then no signal will come.
                if nix::unistd::getppid().as_raw() != parent as i32 {
                    return Err(std::io::Error::other("the worker is gone"));
                }
                Ok(())
            });
        }
        command.spawn()
    }
}

/// Reads `pipe` to its end on a thread of its own.
fn read_all(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

enum Waited {
    Exited(ExitStatus),
    TimedOut,
    Error(std::io::Error),
}

/// Waits for `child`, killing its process group after `timeout`.
fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Waited {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Waited::Exited(status),
            Ok(None) => {}
            Err(err) => return Waited::Error(err),
        }
        let now = Instant::now();
        if now >= deadline {
            if let Ok(pid) = i32::try_from(child.id()) {
                let group = nix::unistd::Pid::from_raw(-pid);
                let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGKILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            return Waited::TimedOut;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(25));
    }
}

/// The result a job process left, judged from its exit status and output: one JSON object
/// on standard output is a result, whatever the status (`repy job` exits 4 with an error
/// result for a document it could not understand); anything else is a failure, quoting
/// the end of its standard error.
fn interpret(status: ExitStatus, stdout: &str, stderr: &str) -> Finished {
    let line = stdout.trim();
    if let Ok(value @ serde_json::Value::Object(_)) = serde_json::from_str(line) {
        // Stored on one line, as written where it already is one.
        let text = if line.contains('\n') {
            serde_json::Value::to_string(&value)
        } else {
            line.to_owned()
        };
        return Finished::Result(text);
    }
    let what = if stdout.trim().is_empty() {
        "no result"
    } else {
        "output that is not one JSON object"
    };
    let tail: String = {
        let chars: Vec<char> = stderr.trim().chars().collect();
        chars[chars.len().saturating_sub(STDERR_QUOTE)..]
            .iter()
            .collect()
    };
    let mut message = format!("the job process ended ({status}) with {what}");
    if !tail.is_empty() {
        message.push_str(": ");
        message.push_str(&tail);
    }
    Finished::Failed(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Runner {
        Runner {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            timeout,
        }
    }

    #[test]
    fn runner_passes_the_document_and_returns_the_result_line() {
        let runner = sh(
            r#"read doc; printf '{"echo": %s}\n' "$doc""#,
            Duration::from_secs(10),
        );
        match runner.run(r#"{"id": "j1"}"#) {
            Finished::Result(text) => assert_eq!(text, r#"{"echo": {"id": "j1"}}"#),
            Finished::Failed(message) => panic!("{message}"),
        }
    }

    #[test]
    fn runner_reports_a_job_that_writes_no_result_with_its_stderr() {
        let runner = sh("echo broken >&2; exit 125", Duration::from_secs(10));
        match runner.run("{}") {
            Finished::Failed(message) => {
                assert!(message.contains("no result"), "{message}");
                assert!(message.contains("broken"), "{message}");
                assert!(message.contains("125"), "{message}");
            }
            Finished::Result(text) => panic!("a result: {text}"),
        }
    }

    #[test]
    fn runner_kills_a_job_past_its_timeout_with_its_group() {
        // The grandchild would keep the output pipe open: killing the group ends it too.
        let runner = sh("sleep 30 & sleep 30", Duration::from_millis(300));
        let started = Instant::now();
        match runner.run("{}") {
            Finished::Failed(message) => assert!(message.contains("timeout"), "{message}"),
            Finished::Result(text) => panic!("a result: {text}"),
        }
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn runner_reports_a_program_that_cannot_start() {
        let runner = Runner {
            program: "/nonexistent/repy".into(),
            args: vec!["job".into()],
            timeout: Duration::from_secs(1),
        };
        match runner.run("{}") {
            Finished::Failed(message) => assert!(message.contains("cannot start"), "{message}"),
            Finished::Result(text) => panic!("a result: {text}"),
        }
    }
}
