//! `repy eval` and `repy call`: the command line's words made into engine jobs that return a
//! value, and their outcomes printed (the value as JSON, or with `--json` the whole outcome).

use std::io::Write as _;
use std::path::PathBuf;

use engine::{
    Call, Job, Mode, Outcome, OutputChoice, PolicySource, ProgramSource, StdinChoice, VesselChoice,
};
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
    binary: crate::Binary,
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
    run(job, options, binary)
}

/// `repy call RESTRICTIONS PROGRAM FUNCTION [--args JSON] [--kwargs JSON]`.
pub fn call(
    restrictions: PathBuf,
    program: PathBuf,
    function: String,
    args: &str,
    kwargs: &str,
    options: EngineArgs,
    binary: crate::Binary,
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
    run(job, options, binary)
}

/// `repy call RESTRICTIONS PROGRAM FUNCTION --batch CALLS`: one JSON outcome per line of
/// CALLS, in order, each printed as soon as its call ends. Exits with the top level's code
/// (0 when it finished and the calls ran, whatever their verdicts), or 4 when CALLS could not
/// all be read.
pub fn batch(
    restrictions: PathBuf,
    program: PathBuf,
    function: String,
    calls: &std::path::Path,
    options: EngineArgs,
    binary: crate::Binary,
) -> u8 {
    let input: Box<dyn std::io::BufRead> = if calls == std::path::Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(calls) {
            Ok(file) => Box::new(std::io::BufReader::new(file)),
            Err(err) => {
                return crate::run::usage(
                    format!("cannot read the calls '{}': {err}", calls.display()),
                    options.report,
                )
            }
        }
    };
    let mut job = Job::new(
        PolicySource::File(restrictions),
        ProgramSource::File(program),
    );
    apply_options(&mut job, &options, binary);
    // A batch's calls are forks of one program, which would share one input stream: its
    // program reads none (the calls themselves may come from repy's standard input).
    job.stdin = StdinChoice::Null;
    let mut lines = CallLines::new(input);
    let mut stdout = std::io::stdout();
    let mut sink = |outcome: Outcome| {
        let line = outcome.to_json().to_string();
        if writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            eprintln!("repy: cannot write an outcome to standard output");
        }
    };
    let mut batch = engine::Batch {
        calls: &mut lines,
        sink: &mut sink,
        default_function: function,
    };
    let top = engine::run_batch(job, &mut batch);
    // Standard output is one JSON line per call: what the top level wrote goes to standard
    // error.
    let mut stderr = std::io::stderr();
    let _ = stderr.write_all(&top.stdout);
    let _ = stderr.write_all(&top.stderr);
    if lines.failed && top.status == ExitStatus::Finished {
        // Not every call could be read: the batch did not do what it was asked.
        let _ = writeln!(
            stderr,
            "repy: the calls could not all be read (see the last line)"
        );
        return ExitStatus::Usage.code();
    }
    top.exit_code
}

/// The longest line of a batch's calls: a call's arguments may take
/// `api::program::VALUE_LIMIT` bytes of JSON, and the line a little more.
const MAX_CALL_LINE: usize = api::program::VALUE_LIMIT + 64 * 1024;

/// The calls of a batch, one per line, read as the batch goes: blank lines are skipped, a
/// line that is not a call is an `Err` in its place, and a read error or a line longer than
/// [`MAX_CALL_LINE`] (never held whole in memory) is one `Err` that ends the calls.
struct CallLines<R> {
    reader: R,
    number: usize,
    ended: bool,
    /// The input failed (a read error or an endless line): not every call was read.
    failed: bool,
}

impl<R: std::io::BufRead> CallLines<R> {
    fn new(reader: R) -> Self {
        CallLines {
            reader,
            number: 0,
            ended: false,
            failed: false,
        }
    }

    /// The next line, at most `MAX_CALL_LINE` bytes of it (`None` at the end of input);
    /// the flag says whether it was longer.
    fn read_line(&mut self) -> std::io::Result<Option<(Vec<u8>, bool)>> {
        let mut line = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let buffer = match self.reader.fill_buf() {
                Ok(buffer) => buffer,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            if buffer.is_empty() {
                return Ok(any.then_some((line, too_long)));
            }
            any = true;
            let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
                Some(at) => (&buffer[..at], Some(at + 1)),
                None => (buffer, None),
            };
            let room = MAX_CALL_LINE.saturating_sub(line.len());
            if chunk.len() > room {
                // Not read further: a line that never ends (`/dev/zero`) must not hold repy.
                too_long = true;
                return Ok(Some((line, too_long)));
            }
            line.extend_from_slice(chunk);
            let used = done.unwrap_or(buffer.len());
            self.reader.consume(used);
            if done.is_some() {
                return Ok(Some((line, too_long)));
            }
        }
    }
}

impl<R: std::io::BufRead> Iterator for CallLines<R> {
    type Item = Result<Call, String>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.ended {
            self.number += 1;
            let number = self.number;
            match self.read_line() {
                Ok(None) => self.ended = true,
                Ok(Some((_, true))) => {
                    self.ended = true;
                    self.failed = true;
                    return Some(Err(format!(
                        "line {number} of the calls is longer than {MAX_CALL_LINE} bytes; the \
                         batch ends here"
                    )));
                }
                Ok(Some((line, false))) if line.iter().all(u8::is_ascii_whitespace) => {}
                Ok(Some((line, false))) => {
                    return Some(
                        serde_json::from_slice::<Call>(&line).map_err(|err| {
                            format!("line {number} of the calls is not a call: {err}")
                        }),
                    )
                }
                Err(err) => {
                    self.ended = true;
                    self.failed = true;
                    return Some(Err(format!(
                        "line {number} of the calls cannot be read: {err}; the batch ends here"
                    )));
                }
            }
        }
        None
    }
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

/// The vessel, report and standard-input options of `eval` and `call` applied to `job`.
pub fn apply_options(job: &mut Job, options: &EngineArgs, binary: crate::Binary) {
    #[cfg(not(feature = "test-real-builtins"))]
    let crate::Binary::Repy = binary;
    #[cfg(feature = "test-real-builtins")]
    {
        job.unrestricted = binary == crate::Binary::TestRealBuiltins;
    }
    job.vessel = match &options.cwd {
        Some(dir) => VesselChoice::Dir(dir.clone()),
        None => VesselChoice::Temp {
            copy: options.vessel_copy.clone(),
            keep: options.keep_vessel,
        },
    };
    job.report_file = options.report.clone();
    job.allow_degraded = options.allow_degraded.clone();
    if let Some(file) = &options.stdin {
        job.stdin = StdinChoice::File(file.clone());
    }
    if options.json {
        job.output = OutputChoice::Capture;
    }
    if let Ok(cwd) = std::env::current_dir() {
        job.resolve_caller_paths(&cwd);
    }
}

fn run(mut job: Job, options: EngineArgs, binary: crate::Binary) -> u8 {
    apply_options(&mut job, &options, binary);
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
