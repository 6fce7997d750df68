//! The warm pool: an interpreter made ready once — CPython initialised, the namespace
//! built, confinement applied, no program loaded — then each request's program run in a
//! fresh fork of it, watched by the supervisor as a run of its own (its limits, verdict,
//! output and report), so that a request costs a fork and its own program, not an
//! interpreter's start.
//!
//! It is a batch (see [`crate::run_batch`]) whose top level is empty and whose calls are
//! whole programs. Nothing of one request reaches the next: each runs in a fork of the same
//! pristine zygote (globals, builtins, threads, the API's state and the accounting page are
//! the zygote's, untouched by any request), and the supervisor empties the vessel directory
//! before each request and places that request's files in it. A pool runs one request at a
//! time; a service runs several pools.
//!
//! What a request may choose is bounded by the pool's policy: its memory, wall-time,
//! CPU-time and output limits are lowered per request ([`nanny::CallLimits`]); every other
//! limit, its ports and its profile are the pool's (a request that needs others runs cold,
//! see [`fits_pool`]); its modules are those both list.

use std::path::Path;

use restrictions::{ResourceId, Restrictions};
use serde_json::{Map, Value};

use crate::batch::hand_request;
use crate::capture::Capture;
use crate::exit::ExitStatus;
use crate::job::{Job, Mode, OutputChoice, StdinChoice};
use crate::outcome::Outcome;
use crate::report::Report;
use nanny::handoff::{Handoff, Slot};

/// What a warm request does with its program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WarmMode {
    /// Run it to its end.
    Run,
    /// Evaluate it, one expression, and return its value.
    Eval,
    /// Run it, then call `function` and return its value.
    Call,
}

impl WarmMode {
    /// The report's name of the mode.
    pub fn key(self) -> &'static str {
        match self {
            WarmMode::Run => "run",
            WarmMode::Eval => "eval",
            WarmMode::Call => "call",
        }
    }
}

/// One request's program, as the supervisor hands it to the call process.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmRequest {
    /// The program.
    pub source: String,
    /// Its name in tracebacks.
    pub filename: String,
    /// Run, evaluate or call.
    pub mode: WarmMode,
    /// For [`WarmMode::Call`]: the function.
    #[serde(default)]
    pub function: String,
    /// For [`WarmMode::Call`]: positional arguments.
    #[serde(default)]
    pub args: Vec<Value>,
    /// For [`WarmMode::Call`]: keyword arguments.
    #[serde(default)]
    pub kwargs: Map<String, Value>,
    /// The modules the program may import (only those the pool's policy lists count).
    #[serde(default)]
    pub modules: Vec<String>,
}

/// A request for a pool: the program, its policy (see [`fits_pool`]) and its files.
#[derive(Debug, Clone)]
pub struct PoolRequest {
    /// The program and what to do with it.
    pub request: WarmRequest,
    /// Its policy: the pool's, with lower run limits at most.
    pub policy: Restrictions,
    /// Files placed in the emptied vessel first: plain names and their contents.
    pub files: Vec<(String, Vec<u8>)>,
}

/// The requests of a pool and where their outcomes go.
pub struct Pool<'a> {
    /// The requests, in order; an `Err` is a request that cannot be run (its message),
    /// answered with a usage error in its place.
    pub requests: &'a mut dyn Iterator<Item = Result<PoolRequest, String>>,
    /// Receives one outcome per request, in order.
    pub sink: &'a mut dyn FnMut(Outcome),
}

/// Whether a request under `policy` can run in a pool under `pool`
/// ([`Restrictions::fits_pool`]): the same profile and ports, every limit the same but
/// [`restrictions::PER_RUN`]'s, those at most the pool's, only modules the pool lists.
pub fn fits_pool(policy: &Restrictions, pool: &Restrictions) -> Result<(), String> {
    policy.fits_pool(pool)
}

/// Runs a pool: makes the zygote under `job`'s policy (its program is ignored: the top level
/// is empty) in a fresh vessel, then each request in a fresh fork of it, giving `pool.sink`
/// one outcome per request. If the zygote cannot be made ready, every request gets its
/// outcome. Returns the zygote's outcome.
pub fn run_pool(mut job: Job, pool: &mut Pool<'_>) -> Outcome {
    job.mode = Mode::Pool;
    job.output = OutputChoice::Capture;
    job.stdin = StdinChoice::Null;
    job.program = crate::job::ProgramSource::Text {
        source: String::new(),
        filename: "<pool>".into(),
    };
    let top = crate::run::run_job(job, Some(crate::run::Calls::Pool(pool)));
    let left = crate::batch::never_ran(
        &top,
        "the pool's zygote went away before this request could run",
    );
    for _ in &mut *pool.requests {
        (pool.sink)(left.clone());
    }
    top
}

/// The supervisor's view of a pool: empties the vessel and places each request's files,
/// writes its request and limits, and turns each result into an outcome.
pub(crate) struct PoolDriver<'a, 'b> {
    pool: &'b mut Pool<'a>,
    handoff: Handoff,
    capture: &'b mut Capture,
    template: Report,
    /// The request under way: its program's name, mode and policy.
    current: Option<(String, WarmMode, Restrictions)>,
    limits: Option<nanny::CallLimits>,
    /// The zygote's confinement report, read when it was ready.
    confinement: Option<String>,
    /// Whether the vessel was emptied after the last request (and nothing has run since).
    vessel_empty: bool,
}

impl<'a, 'b> PoolDriver<'a, 'b> {
    pub(crate) fn new(
        pool: &'b mut Pool<'a>,
        handoff: Handoff,
        capture: &'b mut Capture,
        template: Report,
    ) -> Self {
        PoolDriver {
            pool,
            handoff,
            capture,
            template,
            current: None,
            limits: None,
            confinement: None,
            vessel_empty: false,
        }
    }

    /// What the zygote's (empty) top level wrote: nothing, unless something went wrong.
    pub(crate) fn top_level_output(&mut self) -> Option<(Vec<u8>, Vec<u8>)> {
        Some(self.capture.take_new())
    }

    fn refused(&self, message: String) -> Outcome {
        crate::batch::refused(&self.template, message)
    }

    /// Readies the vessel (the supervisor's current directory) for a request: empty (it was
    /// emptied after the last request, unless that failed), then the request's files.
    fn prepare(&mut self, request: &PoolRequest) -> Result<(), String> {
        let vessel = Path::new(".");
        if !std::mem::take(&mut self.vessel_empty) {
            empty_directory(vessel).map_err(|err| format!("cannot empty the vessel: {err}"))?;
        }
        for (name, bytes) in &request.files {
            if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
                return Err(format!("file name \"{name}\": a plain file name is needed"));
            }
            std::fs::write(vessel.join(name), bytes)
                .map_err(|err| format!("cannot place \"{name}\": {err}"))?;
        }
        Ok(())
    }
}

/// Removes everything in `dir`, not following symbolic links.
fn empty_directory(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

impl nanny::BatchDriver for PoolDriver<'_, '_> {
    fn top_level_finished(&mut self, _result: &nanny::RunResult) {
        self.confinement = self.handoff.read(Slot::Confinement);
    }

    fn next_call(&mut self) -> bool {
        loop {
            let request = match self.pool.requests.next() {
                None => return false,
                Some(Err(message)) => {
                    let outcome = self.refused(message);
                    (self.pool.sink)(outcome);
                    continue;
                }
                Some(Ok(request)) => request,
            };
            let text = serde_json::to_string(&request.request).unwrap_or_default();
            let ready = if Handoff::fits(Slot::Request, &text) {
                self.prepare(&request)
            } else {
                Err(format!(
                    "the request takes {} bytes, more than the {} a request may",
                    text.len(),
                    Handoff::capacity(Slot::Request)
                ))
            };
            if let Err(message) = ready {
                let outcome = self.refused(message);
                (self.pool.sink)(outcome);
                continue;
            }
            hand_request(&self.handoff, &text);
            let policy = &request.policy;
            let seconds = |id| {
                let limit = policy.limit(id);
                limit
                    .is_finite()
                    .then(|| std::time::Duration::from_secs_f64(limit))
            };
            self.limits = Some(nanny::CallLimits {
                memory: Some(policy.limit(ResourceId::Memory) as u64),
                wall_time: seconds(ResourceId::WallTime),
                cpu_time: seconds(ResourceId::CpuTime),
                output: policy.output(),
            });
            self.current = Some((
                request.request.filename.clone(),
                request.request.mode,
                request.policy,
            ));
            return true;
        }
    }

    fn call_limits(&self) -> Option<nanny::CallLimits> {
        self.limits
    }

    fn call_ended(&mut self, result: nanny::RunResult) {
        let (status, code) = crate::run::outcome(&result);
        let mut report = self.template.clone();
        if let Some((program, mode, policy)) = &self.current {
            report.set_request(program, mode.key(), policy);
        }
        report.finish(status, code, &result);
        // The zygote's confinement, as it reported it before any call ran (a call shares the
        // page, so what the slot holds now is not evidence).
        report.set_confinement(self.confinement.clone());
        report.set_outcome(status, self.handoff.read(Slot::Outcome));
        let (stdout, stderr) = self.capture.take_new();
        let mut outcome = Outcome::new();
        outcome.status = status;
        outcome.exit_code = code;
        outcome.stdout = stdout;
        outcome.stderr = stderr;
        let returns_value = self
            .current
            .as_ref()
            .is_some_and(|(_, mode, _)| *mode != WarmMode::Run);
        if status == ExitStatus::Finished && returns_value {
            outcome.value = self
                .handoff
                .read(Slot::Value)
                .and_then(|text| serde_json::from_str(&text).ok());
        }
        outcome.report = report.into_value();
        // Nothing of a request stays at rest after it: its files go now, not only before the
        // next request.
        self.vessel_empty = empty_directory(Path::new(".")).is_ok();
        (self.pool.sink)(outcome);
    }
}
