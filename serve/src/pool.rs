//! The warm pool executor: `size` `repy pool` processes, each holding an interpreter made
//! ready under the ceiling (namespace built, confined, no program), each running one request
//! at a time in a fresh fork of it. A request costs a fork and its own program, not an
//! interpreter's start. The pools are forked by one pool host (`crate::pool_host`), which
//! built that interpreter once: every pool's zygote shares its memory.
//!
//! A request runs warm when its policy fits the pool (`Restrictions::fits_pool`: only its
//! memory, wall-time, CPU-time and output limits lower than the ceiling's), it has no
//! standard input and no arguments; any other runs cold, in a `repy job` process of its own
//! ([`ProcessExecutor`]). A pool process that fails or outlives its deadline is killed and
//! replaced; a run whose client goes away takes its pool process with it, and a new one
//! takes its place.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use restrictions::Restrictions;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};

use crate::api::{RunMode, RunOutcome};
use crate::executor::{ExecError, Executor, JobRequest, ProcessExecutor, RunFuture, MAX_RESULT};
use crate::pool_host::{pool_dir, Host, PoolProcess};

/// How long a pool process has to end once its input is closed.
const POOL_EXIT_WAIT: Duration = Duration::from_secs(5);

/// One `repy pool` process (forked by the pool host) and its pipes.
struct Member {
    process: PoolProcess,
    /// `None` once the member is ending.
    stdin: Option<tokio::net::unix::pipe::Sender>,
    stdout: BufReader<tokio::net::unix::pipe::Receiver>,
    /// Its `TMPDIR`, where its vessel lives; removed with it.
    dir: Option<tempfile::TempDir>,
    next_id: u64,
}

impl Member {
    /// Closes its input, which ends the pool's batch the orderly way (its zygote ended, its
    /// cgroups removed), and waits; kills it if it does not end within [`POOL_EXIT_WAIT`].
    async fn end(mut self) {
        drop(self.stdin.take());
        if tokio::time::timeout(POOL_EXIT_WAIT, self.process.ended())
            .await
            .is_err()
        {
            self.process.kill();
            self.process.ended().await;
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        // The pool's zygote dies with it (PDEATHSIG), and the run's process with the zygote;
        // the host reaps the pool.
        self.process.kill();
        if let Some(dir) = self.dir.take() {
            // Whatever a killed run left in its vessel goes with the directory, once nothing
            // writes there any more: the run's process dies a moment after the pool, and a
            // file it makes meanwhile fails a removal made at once.
            let dir = dir.keep();
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(remove_when_released(dir));
                }
                Err(_) => {
                    let _ = std::fs::remove_dir_all(&dir);
                }
            }
        }
    }
}

/// How long a killed pool's directory is retried for.
const REMOVAL_TRIES: u32 = 100;

/// Removes `dir`, trying again every 20 ms (for two seconds) while a dying process may still
/// write in it.
async fn remove_when_released(dir: PathBuf) {
    for _ in 0..REMOVAL_TRIES {
        match std::fs::remove_dir_all(&dir) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            _ => return,
        }
    }
    eprintln!(
        "repy serve: cannot remove the directory of a killed pool: {}",
        dir.display()
    );
}

/// The warm pool executor.
pub struct PoolExecutor {
    ceiling: Restrictions,
    kill_after: Duration,
    size: usize,
    idle: tokio::sync::Mutex<Vec<Member>>,
    slots: Arc<tokio::sync::Semaphore>,
    cold: ProcessExecutor,
    spawner: Arc<Spawner>,
}

/// What starts pools: the pool host (started with the first pool, and again if it has died)
/// and what it needs. Asking it blocks (briefly; at most [`crate::pool_host`]'s answer wait),
/// so requests ask from a blocking thread.
struct Spawner {
    program: PathBuf,
    scratch: PathBuf,
    ceiling_file: PathBuf,
    host: std::sync::Mutex<Option<Host>>,
}

impl PoolExecutor {
    /// A pool of `size` `program pool` processes under `ceiling` (written into `scratch`),
    /// with `cold` for the requests that cannot run warm. The processes start on
    /// [`Executor::warm_up`] (inside the server's runtime) or with the first requests.
    pub fn new(
        program: PathBuf,
        scratch: PathBuf,
        ceiling: Restrictions,
        kill_after: Duration,
        size: usize,
        cold: ProcessExecutor,
    ) -> std::io::Result<Self> {
        let ceiling_file = scratch.join("pool-ceiling.toml");
        std::fs::write(&ceiling_file, ceiling.to_toml())?;
        let size = size.max(1);
        Ok(PoolExecutor {
            ceiling,
            kill_after,
            size,
            idle: tokio::sync::Mutex::new(Vec::new()),
            slots: Arc::new(tokio::sync::Semaphore::new(size)),
            cold,
            spawner: Arc::new(Spawner {
                program,
                scratch,
                ceiling_file,
                host: std::sync::Mutex::new(None),
            }),
        })
    }

    /// Whether `job` can run warm in this pool.
    pub fn runs_warm(&self, job: &JobRequest) -> bool {
        job.stdin.is_none() && job.argv.is_empty() && job.policy.fits_pool(&self.ceiling).is_ok()
    }

    /// A new pool, asked for from a blocking thread.
    async fn spawn(&self) -> Result<Member, ExecError> {
        let spawner = self.spawner.clone();
        tokio::task::spawn_blocking(move || spawner.spawn())
            .await
            .map_err(|err| ExecError::Io(std::io::Error::other(err.to_string())))?
    }

    async fn run_warm(&self, job: JobRequest) -> Result<RunOutcome, ExecError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| ExecError::Io(std::io::Error::other("the pool is closed")))?;
        // An idle pool that has ended meanwhile (killed from outside, or with its host) is
        // dropped here, before a request is lost in it.
        let taken = {
            let mut idle = self.idle.lock().await;
            std::iter::from_fn(|| idle.pop()).find(|member| !member.process.has_ended())
        };
        let mut member = match taken {
            Some(member) => member,
            None => self.spawn().await?,
        };
        let id = member.next_id;
        member.next_id += 1;
        let line = request_line(id, &job, &self.ceiling);
        let exchange = async {
            let stdin = member
                .stdin
                .as_mut()
                .ok_or_else(|| std::io::Error::other("the pool process is ending"))?;
            stdin.write_all(&line).await?;
            stdin.flush().await?;
            let mut answer = Vec::new();
            let read = (&mut member.stdout)
                .take(MAX_RESULT as u64 + 1)
                .read_until(b'\n', &mut answer)
                .await?;
            Ok::<_, std::io::Error>((read, answer))
        };
        // On a deadline (or a dropped future) the member is dropped: killed, replaced later.
        let (read, answer) = match tokio::time::timeout(self.kill_after, exchange).await {
            Err(_) => return Err(ExecError::Deadline(self.kill_after)),
            Ok(Err(err)) => return Err(ExecError::Io(err)),
            Ok(Ok(got)) => got,
        };
        if read == 0 || !answer.ends_with(b"\n") {
            return Err(ExecError::Failed {
                status: "the pool process ended".into(),
                detail: if read > MAX_RESULT {
                    format!("its answer is longer than {MAX_RESULT} bytes")
                } else {
                    "no answer".into()
                },
            });
        }
        let answer: PoolAnswer =
            serde_json::from_slice(&answer).map_err(|err| ExecError::Failed {
                status: "answered".into(),
                detail: format!("its answer is not an outcome: {err}"),
            })?;
        if answer.id != json!(id) {
            return Err(ExecError::Failed {
                status: "answered".into(),
                detail: "an answer for another request".into(),
            });
        }
        self.idle.lock().await.push(member);
        Ok(answer.outcome)
    }
}

impl Spawner {
    /// A new pool, forked by the pool host (started first if there is none, or again if it
    /// has died).
    fn spawn(&self) -> Result<Member, ExecError> {
        let (dir, path) = pool_dir(&self.scratch).map_err(ExecError::Io)?;
        let mut host = self
            .host
            .lock()
            .map_err(|_| ExecError::Io(std::io::Error::other("the pool host is unusable")))?;
        let mut attempts = 0;
        let hosted = loop {
            attempts += 1;
            if host.is_none() {
                *host = Some(Host::start(
                    &self.program,
                    &self.ceiling_file,
                    &self.scratch,
                )?);
            }
            let Some(running) = host.as_mut() else {
                continue;
            };
            match running.start_pool(&path) {
                Ok(hosted) => break hosted,
                // A host that cannot answer is replaced once (its pools die with it).
                Err(err) if attempts >= 2 => return Err(err),
                Err(_) => *host = None,
            }
        };
        Ok(Member {
            process: hosted.process,
            stdin: Some(hosted.stdin),
            stdout: BufReader::new(hosted.stdout),
            dir: Some(dir),
            next_id: 0,
        })
    }
}

/// One answer line of `repy pool`.
#[derive(Debug, Deserialize)]
struct PoolAnswer {
    id: Value,
    outcome: RunOutcome,
}

/// The request line `repy pool` reads for `job` (src/pool_cmd.rs). A job under the pool's own
/// ceiling (most are: a request that gives no restrictions) sends none, and the pool runs it
/// under the ceiling it was started with, instead of parsing the ceiling again.
fn request_line(id: u64, job: &JobRequest, ceiling: &Restrictions) -> Vec<u8> {
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
    let mut line = json!({
        "id": id,
        "source": job.source,
        "mode": job.mode.key(),
        "files": files,
    });
    if job.policy != *ceiling {
        line["restrictions"] = json!(job.policy.to_toml());
    }
    if job.mode == RunMode::Call {
        line["function"] = json!(job.function);
        line["args"] = Value::Array(job.args.clone());
        line["kwargs"] = Value::Object(job.kwargs.clone());
    }
    let mut bytes = line.to_string().into_bytes();
    bytes.push(b'\n');
    bytes
}

impl Executor for PoolExecutor {
    fn run(&self, job: JobRequest) -> RunFuture<'_> {
        if self.runs_warm(&job) {
            Box::pin(self.run_warm(job))
        } else {
            self.cold.run(job)
        }
    }

    fn pool_size(&self) -> usize {
        self.size
    }

    fn shutdown(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            self.slots.close();
            let members: Vec<Member> = std::mem::take(&mut *self.idle.lock().await);
            let ending: Vec<_> = members.into_iter().map(Member::end).collect();
            for end in ending {
                end.await;
            }
            let host = self
                .spawner
                .host
                .lock()
                .ok()
                .and_then(|mut host| host.take());
            if let Some(host) = host {
                host.end().await;
            }
        })
    }

    fn warm_up(&self) {
        let Ok(mut idle) = self.idle.try_lock() else {
            return;
        };
        while idle.len() < self.size {
            match self.spawner.spawn() {
                Ok(member) => idle.push(member),
                Err(err) => {
                    eprintln!("repy serve: cannot start a pool process: {err}");
                    return;
                }
            }
        }
    }
}
