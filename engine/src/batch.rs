//! `repy call --batch`: compile once, call many times. The program's top level runs once;
//! each call then runs in a fresh fork of that state, watched as a run of its own (its own
//! limits, verdict, output and report), and its outcome goes to the caller as soon as it
//! ends, in input order.

use serde_json::Value;

use crate::capture::Capture;
use crate::exit::ExitStatus;
use crate::job::{Call, Job, Mode};
use crate::outcome::Outcome;
use crate::report::Report;
use nanny::handoff::{Handoff, Slot};

/// The calls of a batch and where their outcomes go.
pub struct Batch<'a> {
    /// The calls, in order; an `Err` is a line that is not a call (its message), answered
    /// with a usage error in its place.
    pub calls: &'a mut dyn Iterator<Item = Result<Call, String>>,
    /// Receives one outcome per call, in order.
    pub sink: &'a mut dyn FnMut(Outcome),
    /// The function a call that names none calls.
    pub default_function: String,
}

/// Runs a batch: checks and compiles `job`'s program and runs its top level once, then each
/// call in a fresh fork of that state, giving `batch.sink` one outcome per call (with the
/// same fields as a single call's). If the top level does not finish (refused, an
/// exception, a kill), every call gets its outcome. Returns the top level's outcome.
///
/// The job's output is captured whatever it asks (each outcome carries its own); its mode is
/// [`Mode::Batch`].
pub fn run_batch(mut job: Job, batch: &mut Batch<'_>) -> Outcome {
    job.mode = Mode::Batch;
    job.output = crate::job::OutputChoice::Capture;
    let top = crate::run::run_job(job, Some(crate::run::Calls::Batch(batch)));
    let left = never_ran(
        &top,
        "the batch's zygote went away before this call could run",
    );
    for call in &mut *batch.calls {
        let mut outcome = left.clone();
        if let (Ok(call), Value::Object(report)) = (call, &mut outcome.report) {
            report.insert("function".into(), Value::String(call.function));
        }
        (batch.sink)(outcome);
    }
    top
}

/// The supervisor's view of the batch: writes each call's request, and turns each result
/// into an outcome.
pub(crate) struct Driver<'a, 'b> {
    batch: &'b mut Batch<'a>,
    handoff: Handoff,
    capture: &'b mut Capture,
    /// The run's report as it stood before the fork (policy, limits): each call's starts
    /// from it.
    template: Report,
    /// The function of the call under way.
    function: String,
    /// The zygote's confinement report, read when its top level finished.
    confinement: Option<String>,
    top_level_output: Option<(Vec<u8>, Vec<u8>)>,
}

impl<'a, 'b> Driver<'a, 'b> {
    pub(crate) fn new(
        batch: &'b mut Batch<'a>,
        handoff: Handoff,
        capture: &'b mut Capture,
        template: Report,
    ) -> Self {
        Driver {
            batch,
            handoff,
            capture,
            template,
            function: String::new(),
            confinement: None,
            top_level_output: None,
        }
    }

    /// What the top level wrote, if it finished (the calls' output is theirs).
    pub(crate) fn top_level_output(&mut self) -> Option<(Vec<u8>, Vec<u8>)> {
        self.top_level_output.take()
    }

    /// An outcome for a line that is not a call.
    fn refused(&self, message: String) -> Outcome {
        refused(&self.template, message)
    }
}

/// Hands the zygote the next call's (or request's) `text`, with no earlier call's outcome,
/// value or request left in the shared page.
pub(crate) fn hand_request(handoff: &Handoff, text: &str) {
    handoff.clear(Slot::Outcome);
    handoff.clear(Slot::Value);
    handoff.clear(Slot::Request);
    handoff.write(Slot::Request, text);
}

/// The outcome of a call (or a pool's request) that cannot be run: a usage error, `message`
/// in the report made from `template`.
pub(crate) fn refused(template: &Report, message: String) -> Outcome {
    let mut report = template.clone();
    report.finish_early(ExitStatus::Usage, message);
    let mut outcome = Outcome::new();
    outcome.status = ExitStatus::Usage;
    outcome.exit_code = ExitStatus::Usage.code();
    outcome.report = report.into_value();
    outcome
}

/// The outcome of the calls left over when a batch or pool ends early: the top level's own
/// end when it did not finish, or, when it finished and its zygote went away later, a crash
/// (`gone` says so), never a value.
pub(crate) fn never_ran(top: &Outcome, gone: &str) -> Outcome {
    let mut left = top.clone();
    left.value = None;
    if top.status == ExitStatus::Finished {
        left.status = ExitStatus::Crashed;
        left.exit_code = ExitStatus::Crashed.code();
        left.stdout.clear();
        left.stderr.clear();
        if let Value::Object(report) = &mut left.report {
            report.insert("verdict".into(), Value::from(ExitStatus::Crashed.verdict()));
            report.insert("exit_code".into(), Value::from(ExitStatus::Crashed.code()));
            report.insert("message".into(), Value::from(gone));
        }
    }
    left
}

impl nanny::BatchDriver for Driver<'_, '_> {
    fn top_level_finished(&mut self, _result: &nanny::RunResult) {
        self.top_level_output = Some(self.capture.take_new());
        self.confinement = self.handoff.read(Slot::Confinement);
    }

    fn next_call(&mut self) -> bool {
        loop {
            let call = match self.batch.calls.next() {
                None => return false,
                Some(Err(message)) => {
                    let outcome = self.refused(message);
                    (self.batch.sink)(outcome);
                    continue;
                }
                Some(Ok(call)) => call,
            };
            let mut call = call;
            if call.function.is_empty() {
                call.function.clone_from(&self.batch.default_function);
            }
            let text = serde_json::to_string(&call).unwrap_or_default();
            if !Handoff::fits(Slot::Request, &text) {
                let outcome = self.refused(format!(
                    "the call's arguments take {} bytes of JSON, more than the {} a call may",
                    text.len(),
                    Handoff::capacity(Slot::Request)
                ));
                (self.batch.sink)(outcome);
                continue;
            }
            hand_request(&self.handoff, &text);
            self.function = call.function;
            return true;
        }
    }

    fn call_ended(&mut self, result: nanny::RunResult) {
        let (status, code) = crate::run::outcome(&result);
        let mut report = self.template.clone();
        report.set_function(&self.function);
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
        if status == ExitStatus::Finished {
            outcome.value = self
                .handoff
                .read(Slot::Value)
                .and_then(|text| serde_json::from_str(&text).ok());
        }
        outcome.report = report.into_value();
        (self.batch.sink)(outcome);
    }
}
