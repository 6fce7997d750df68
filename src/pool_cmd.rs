//! `repy pool --policy CEILING`: a warm pool for a service (`repy serve` keeps several). It
//! makes one interpreter ready under the ceiling, then reads one request per line on its
//! standard input (a run job's fields, see docs/deploy.md) and answers each with one line,
//! `{"id": ..., "outcome": {...}}`, in order, running each request in a fresh fork of the
//! ready interpreter (`engine::run_pool`).

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead as _, Write as _};
use std::path::Path;

use engine::{Job, PolicySource, PoolRequest, ProgramSource, VesselChoice, WarmMode, WarmRequest};
use restrictions::Restrictions;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::exit::ExitStatus;

/// The longest request line read.
const MAX_REQUEST_LINE: u64 = 64 * 1024 * 1024;

/// One request line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestLine {
    #[serde(default)]
    id: Value,
    source: String,
    #[serde(default)]
    mode: Option<WarmMode>,
    #[serde(default)]
    function: Option<String>,
    #[serde(default)]
    args: Vec<Value>,
    #[serde(default)]
    kwargs: Map<String, Value>,
    /// A restrictions file's text: clamped to the pool's ceiling; it may lower only the
    /// per-request limits (`engine::PER_REQUEST`).
    #[serde(default)]
    restrictions: Option<String>,
    /// name → base64 content.
    #[serde(default)]
    files: BTreeMap<String, String>,
}

/// `repy pool`; returns the exit code.
pub fn main(policy: &Path) -> u8 {
    match engine::load_restrictions(policy) {
        Ok(ceiling) => serve(ceiling, policy),
        Err(err) => {
            eprintln!("{err}");
            ExitStatus::BadRestrictions.code()
        }
    }
}

/// Serves requests on standard input under `ceiling` (read from `policy`) until it ends;
/// returns the exit code.
pub(crate) fn serve(ceiling: Restrictions, policy: &Path) -> u8 {
    let ids: std::cell::RefCell<VecDeque<Value>> = std::cell::RefCell::new(VecDeque::new());
    let mut last_policy = LastPolicy::default();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    let mut requests = std::iter::from_fn(|| loop {
        let mut line = String::new();
        match std::io::Read::take(&mut lines, MAX_REQUEST_LINE).read_line(&mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) if line.trim().is_empty() => continue,
            Ok(_) => {
                let (id, request) = parse(&line, &ceiling, &mut last_policy);
                ids.borrow_mut().push_back(id);
                return Some(request);
            }
        }
    });
    let mut stdout = std::io::stdout();
    let mut sink = |outcome: engine::Outcome| {
        let id = ids.borrow_mut().pop_front().unwrap_or(Value::Null);
        // One write for the whole line: formatted piecewise into stdout's small line buffer
        // it went out in several, each waking the reader.
        let mut line = json!({"id": id, "outcome": outcome.to_json()})
            .to_string()
            .into_bytes();
        line.push(b'\n');
        if stdout
            .write_all(&line)
            .and_then(|()| stdout.flush())
            .is_err()
        {
            eprintln!("repy pool: cannot write an outcome");
        }
    };
    let mut job = Job::new(
        PolicySource::Loaded {
            policy: Box::new(ceiling.clone()),
            name: policy.display().to_string(),
        },
        ProgramSource::Text {
            source: String::new(),
            filename: "<pool>".into(),
        },
    );
    job.vessel = VesselChoice::Temp {
        copy: Vec::new(),
        keep: false,
    };
    let mut pool = engine::Pool {
        requests: &mut requests,
        sink: &mut sink,
    };
    let top = engine::run_pool(job, &mut pool);
    if top.status != ExitStatus::Finished {
        let _ = std::io::stderr().write_all(&top.stderr);
        eprintln!(
            "repy pool: the pool could not be made ready ({})",
            top.status.verdict()
        );
    }
    top.exit_code
}

/// The last request restrictions text and the policy it made (clamped to the ceiling): a
/// client that sends the same restrictions with every request has them parsed once.
#[derive(Default)]
struct LastPolicy(Option<(String, Restrictions)>);

impl LastPolicy {
    /// The policy `text` makes under `ceiling`.
    fn policy(&mut self, text: String, ceiling: &Restrictions) -> Result<Restrictions, String> {
        if let Some((last, policy)) = &self.0 {
            if *last == text {
                return Ok(policy.clone());
            }
        }
        let asked = Restrictions::parse_runnable_under(
            text.as_bytes(),
            "<request restrictions>",
            &engine::catalog(),
            ceiling.profile(),
        )
        .map_err(|err| err.to_string())?;
        let policy = asked.clamp_to(ceiling).map_err(|err| err.to_string())?;
        self.0 = Some((text, policy.clone()));
        Ok(policy)
    }
}

/// A request line made into a pool request (or why it cannot run warm), with its id.
fn parse(
    line: &str,
    ceiling: &Restrictions,
    last_policy: &mut LastPolicy,
) -> (Value, Result<PoolRequest, String>) {
    let request: RequestLine = match serde_json::from_str(line) {
        Ok(request) => request,
        Err(err) => {
            let id = serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .unwrap_or(Value::Null);
            return (id, Err(format!("not a request: {err}")));
        }
    };
    let id = request.id.clone();
    (id, pool_request(request, ceiling, last_policy))
}

fn pool_request(
    mut request: RequestLine,
    ceiling: &Restrictions,
    last_policy: &mut LastPolicy,
) -> Result<PoolRequest, String> {
    use base64::Engine as _;
    let policy = match request.restrictions.take() {
        None => ceiling.clone(),
        Some(text) => last_policy.policy(text, ceiling)?,
    };
    engine::fits_pool(&policy, ceiling)
        .map_err(|why| format!("the request cannot run in this pool: {why}"))?;
    let mode = request.mode.unwrap_or(WarmMode::Run);
    if mode != WarmMode::Call
        && (request.function.is_some() || !request.args.is_empty() || !request.kwargs.is_empty())
    {
        return Err("`function`, `args` and `kwargs` belong to `\"mode\": \"call\"`".into());
    }
    let function = match (mode, request.function) {
        (WarmMode::Call, Some(function)) => function,
        (WarmMode::Call, None) => return Err("a call request names its `function`".into()),
        (_, _) => String::new(),
    };
    let mut files = Vec::new();
    for (name, content) in request.files {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&content)
            .map_err(|err| format!("file \"{name}\": its content is not base64: {err}"))?;
        files.push((name, bytes));
    }
    let modules = policy
        .python()
        .map(|settings| settings.modules().iter().cloned().collect())
        .unwrap_or_default();
    Ok(PoolRequest {
        request: WarmRequest {
            source: request.source,
            filename: "<request>".into(),
            mode,
            function,
            args: request.args,
            kwargs: request.kwargs,
            modules,
        },
        policy,
        files,
    })
}
