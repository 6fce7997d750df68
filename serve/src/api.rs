//! The documents of the HTTP API: what a caller sends and what it gets back. The OpenAPI
//! document (`openapi.rs`) is generated from these types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A run: one program, run, evaluated or called once, in a sandbox of its own.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The program's source. Give either `source` or `files`.
    #[serde(default)]
    pub source: Option<String>,
    /// Files of the run: name → UTF-8 content. The one named by `main` is the program; the
    /// others are placed in the run's vessel directory, where it can `open()` them.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Which of `files` is the program (default `main.py`).
    #[serde(default)]
    pub main: Option<String>,
    /// What to do with the program (default `run`).
    #[serde(default)]
    pub mode: RunMode,
    /// `call` only: the function, defined at the program's top level, to call.
    #[serde(default)]
    pub function: Option<String>,
    /// `call` only: the positional arguments.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub args: Vec<Value>,
    /// `call` only: the keyword arguments.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub kwargs: Map<String, Value>,
    /// The program's standard input (the `python` profile only).
    #[serde(default)]
    pub stdin: Option<String>,
    /// The program's arguments (`callargs`, `sys.argv[1:]`).
    #[serde(default)]
    pub argv: Vec<String>,
    /// The profile the program runs under. It must be the server's: a request cannot change
    /// it (422). Leave it out to take the server's.
    #[serde(default)]
    pub profile: Option<String>,
    /// The run's limits, clamped to the server's ceiling policy: a request can only lower
    /// limits. Leave it out for the ceiling itself.
    #[serde(default)]
    pub restrictions: Option<RestrictionsChoice>,
}

/// What a run does with its program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    /// Run the program (as `__main__`).
    #[default]
    Run,
    /// Evaluate the program, exactly one expression, and answer its value.
    Eval,
    /// Run the program's top level, then call `function(*args, **kwargs)` and answer its
    /// value.
    Call,
}

impl RunMode {
    /// The mode's name in a job document.
    pub fn key(self) -> &'static str {
        match self {
            RunMode::Run => "run",
            RunMode::Eval => "eval",
            RunMode::Call => "call",
        }
    }
}

/// A request's restrictions: a restrictions file's text, or the name of a policy the server
/// was given (`--policies`, `--policy-named`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RestrictionsChoice {
    /// repy's TOML restrictions format (docs/restrictions.md), or RepyV2's legacy format.
    Text(String),
    /// A policy the server was given, by name.
    Named(PolicyName),
}

/// The name of a policy the server was given.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyName {
    /// The policy's name.
    pub name: String,
}

/// How a run ended: the same fields as `repy eval --json` (docs/engine.md). A run's verdict
/// is data: whatever it is, the answer is 200.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunOutcome {
    /// How the run ended (docs/exit-codes.md): `finished`, `uncaught-exception`,
    /// `unsafe-code`, `wall-time-limit`, ...
    pub verdict: String,
    /// repy's exit code for that verdict.
    pub exit_code: i32,
    /// What the program wrote to standard output, as text; null when it is not UTF-8
    /// (then `stdout_base64` holds it).
    pub stdout: Option<String>,
    /// Standard output in base64 (RFC 4648), only when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout_base64: Option<String>,
    /// What the program wrote to standard error, as text; null when it is not UTF-8.
    pub stderr: Option<String>,
    /// Standard error in base64, only when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr_base64: Option<String>,
    /// The value (`eval`, `call`); null otherwise or when the program did not finish.
    #[schema(value_type = Object, nullable = true)]
    pub value: Value,
    /// The run report, as `repy --report` writes it (docs/report-format.md).
    #[schema(value_type = Object)]
    pub report: Value,
}

/// Where an asynchronous run (`?wait=false`) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Waiting for a free slot.
    Queued,
    /// Running.
    Running,
    /// Ended: `outcome` holds how.
    Done,
    /// The server could not run it: `error` says why.
    Failed,
}

/// An asynchronous run, as `POST /v1/runs?wait=false` and `GET /v1/runs/{id}` answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunStatus {
    /// The run's id.
    pub id: String,
    /// Where the run is.
    pub state: RunState,
    /// How the run ended, once `done`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<RunOutcome>,
    /// Why the server could not run it, once `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An error: the request was refused or could not be served.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong. For a bad `restrictions` text, each problem with its line and
    /// column (`<restrictions>:2:1: error: memroy: unknown resource`).
    pub error: String,
    /// The request's key the problem is about, when there is one (`profile`, `mode`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// `GET /v1/health`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `draining` once the server is shutting down.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// The profile of the server's ceiling policy.
    pub profile: String,
    /// The names of the policies the server was given.
    pub policies: Vec<String>,
}
