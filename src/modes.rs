//! `repy eval` and `repy call`: the command line's words made into engine jobs that return a
//! value, and their outcomes printed (the value as JSON, or with `--json` the whole outcome).

use std::io::Write as _;
use std::path::PathBuf;

use engine::{Call, Job, Mode, Outcome, OutputChoice, PolicySource, ProgramSource, VesselChoice};
use serde_json::Value;

use crate::cli::EngineArgs;
use crate::exit::ExitStatus;

/// `repy eval RESTRICTIONS -c CODE [--expr]`.
pub fn eval(
    restrictions: PathBuf,
    code: String,
    expression: bool,
    options: EngineArgs,
    args: Vec<String>,
) -> u8 {
    let mut job = Job::new(
        PolicySource::File(restrictions),
        ProgramSource::Text {
            source: code,
            filename: "<string>".into(),
        },
    );
    job.mode = if expression {
        Mode::Expression
    } else {
        Mode::Run
    };
    job.args = args;
    run(job, options)
}

/// `repy call RESTRICTIONS PROGRAM FUNCTION [--args JSON] [--kwargs JSON]`.
pub fn call(
    restrictions: PathBuf,
    program: PathBuf,
    function: String,
    args: &str,
    kwargs: &str,
    options: EngineArgs,
) -> u8 {
    let call = match parse_arguments(function, args, kwargs) {
        Ok(call) => call,
        Err(message) => return crate::run::usage(message, options.report),
    };
    let mut job = Job::new(
        PolicySource::File(restrictions),
        ProgramSource::File(program),
    );
    job.mode = Mode::Call(call);
    run(job, options)
}

/// The call's arguments from their JSON texts, or a usage error naming the option.
fn parse_arguments(function: String, args: &str, kwargs: &str) -> Result<Call, String> {
    let args = match serde_json::from_str::<Value>(args) {
        Ok(Value::Array(args)) => args,
        Ok(other) => return Err(format!("--args must be a JSON array, not {}", kind(&other))),
        Err(err) => return Err(format!("--args is not valid JSON: {err}")),
    };
    let kwargs = match serde_json::from_str::<Value>(kwargs) {
        Ok(Value::Object(kwargs)) => kwargs,
        Ok(other) => {
            return Err(format!(
                "--kwargs must be a JSON object, not {}",
                kind(&other)
            ))
        }
        Err(err) => return Err(format!("--kwargs is not valid JSON: {err}")),
    };
    Ok(Call {
        function,
        args,
        kwargs,
    })
}

/// What kind of JSON value `value` is, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The vessel and report options of `eval` and `call` applied to `job`.
pub fn apply_options(job: &mut Job, options: &EngineArgs) {
    job.vessel = match &options.cwd {
        Some(dir) => VesselChoice::Dir(dir.clone()),
        None => VesselChoice::Temp {
            copy: options.vessel_copy.clone(),
            keep: options.keep_vessel,
        },
    };
    job.report_file = options.report.clone();
    job.allow_degraded = options.allow_degraded.clone();
    if options.json {
        job.output = OutputChoice::Capture;
    }
    if let Ok(cwd) = std::env::current_dir() {
        job.resolve_caller_paths(&cwd);
    }
}

fn run(mut job: Job, options: EngineArgs) -> u8 {
    apply_options(&mut job, &options);
    let returns_value = job.mode != Mode::Run;
    let outcome = engine::run(job);
    print_outcome(&outcome, options.json, returns_value);
    outcome.exit_code
}

/// Prints the outcome: with `json`, the whole outcome as one line of JSON; otherwise the
/// value (the program's output has already gone to the terminal).
pub fn print_outcome(outcome: &Outcome, json: bool, returns_value: bool) {
    let mut stdout = std::io::stdout().lock();
    let text = if json {
        Some(outcome.to_json().to_string())
    } else if returns_value && outcome.status == ExitStatus::Finished {
        outcome.value.as_ref().map(Value::to_string)
    } else {
        None
    };
    if let Some(text) = text {
        if writeln!(stdout, "{text}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            eprintln!("repy: cannot write the outcome to standard output");
        }
    }
}
