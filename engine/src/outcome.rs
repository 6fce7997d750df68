//! What the engine gives back for a job: an [`Outcome`].

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::exit::ExitStatus;

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The run's status (its verdict is `status.verdict()`).
    pub status: ExitStatus,
    /// The exit code repy gives for it (a stop file may choose its own).
    pub exit_code: u8,
    /// The program's standard output, when the job captured it.
    pub stdout: Vec<u8>,
    /// The program's standard error (tracebacks, refusals), when the job captured it.
    pub stderr: Vec<u8>,
    /// The value of the expression or of the call, for those modes, when the program
    /// finished.
    pub value: Option<Value>,
    /// The run report (the same document as `--report`, see `docs/report-format.md`).
    pub report: Value,
    /// A temporary vessel kept after the job (`keep`).
    pub kept_vessel: Option<PathBuf>,
}

impl Outcome {
    /// An outcome not yet known: an internal error until the run says otherwise.
    pub(crate) fn new() -> Outcome {
        Outcome {
            status: ExitStatus::InternalError,
            exit_code: ExitStatus::InternalError.code(),
            stdout: Vec::new(),
            stderr: Vec::new(),
            value: None,
            report: Value::Null,
            kept_vessel: None,
        }
    }

    /// The whole outcome as one JSON object (`repy eval/call --json`): `verdict`,
    /// `exit_code`, `value`, `stdout`, `stderr` and `report`. Output that is not UTF-8 is
    /// given as `stdout_base64` / `stderr_base64` instead, with `stdout` / `stderr` null.
    pub fn to_json(&self) -> Value {
        let mut doc = json!({
            "verdict": self.status.verdict(),
            "exit_code": self.exit_code,
            "value": self.value.clone().unwrap_or(Value::Null),
        });
        for (name, bytes) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            match std::str::from_utf8(bytes) {
                Ok(text) => doc[name] = json!(text),
                Err(_) => {
                    doc[name] = Value::Null;
                    doc[format!("{name}_base64")] = json!(base64_encode(bytes));
                }
            }
        }
        doc["report"] = self.report.clone();
        doc
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
