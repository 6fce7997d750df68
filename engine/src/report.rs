//! The run report (`--report FILE`): one JSON document, written however the run ends.
//! Its schema is versioned and documented in `docs/report-format.md`.

use serde_json::{json, Map, Value};

use nanny::{ChildEnd, RunResult};
use restrictions::{Kind, Profile, Restrictions};

use crate::exit::ExitStatus;
use crate::job::{Job, Mode};

/// The schema identifier; bump the number on any incompatible change.
pub const SCHEMA: &str = "repy-report/1";

/// The report being assembled during a run.
#[derive(Debug, Clone)]
pub struct Report {
    doc: Map<String, Value>,
    started: std::time::Instant,
    /// The policy's profile, once the policy is known.
    profile: Option<Profile>,
}

impl Report {
    /// A report for `job`.
    pub fn new(job: &Job) -> Self {
        let mut doc = Map::new();
        doc.insert("schema".into(), json!(SCHEMA));
        doc.insert("repy_version".into(), json!(env!("CARGO_PKG_VERSION")));
        // A job refused before it had a program or a policy names none.
        let named = |name: String| (!name.is_empty()).then_some(name);
        doc.insert("program".into(), json!(named(job.program.name())));
        doc.insert("restrictions".into(), json!(named(job.policy.name())));
        // The policy's profile: known now for a loaded policy, else once the file loads.
        let profile = match &job.policy {
            crate::job::PolicySource::Loaded { policy, .. } => Some(policy.profile()),
            crate::job::PolicySource::File(_) => None,
        };
        doc.insert("profile".into(), json!(profile.map(Profile::key)));
        doc.insert("args".into(), json!(job.args));
        let (mode, function) = match &job.mode {
            Mode::Run => ("run", None),
            Mode::Expression => ("eval", None),
            Mode::Call(call) => ("call", Some(call.function.clone())),
            Mode::Batch => ("call", None),
            Mode::Pool => ("pool", None),
        };
        doc.insert("mode".into(), json!(mode));
        doc.insert("function".into(), json!(function));
        Self {
            doc,
            started: std::time::Instant::now(),
            profile,
        }
    }

    /// Records a temporary vessel (`--vessel-temp`): where it was and whether it was kept.
    pub fn set_vessel(&mut self, path: &std::path::Path, kept: bool) {
        self.doc.insert(
            "vessel".into(),
            json!({"path": path.display().to_string(), "temporary": true, "kept": kept}),
        );
    }

    /// Records the policy's profile and effective limits (the resources in force under it).
    pub fn set_limits(&mut self, policy: &Restrictions) {
        self.profile = Some(policy.profile());
        self.doc
            .insert("profile".into(), json!(policy.profile().key()));
        let mut limits = Map::new();
        for (id, value) in policy.limits() {
            let value = match id.kind() {
                Kind::Ports => json!(if id.key() == "connport" {
                    policy.connport()
                } else {
                    policy.messport()
                }),
                _ if value.is_infinite() => Value::Null,
                // Counts, bytes and bytes/s are whole numbers: integers, not `10.0`.
                _ if id.spec().unit != restrictions::Unit::CoreFraction
                    && value.fract() == 0.0
                    && (0.0..=restrictions::MAX_BYTES as f64).contains(&value) =>
                {
                    json!(value as u64)
                }
                _ => json!(value),
            };
            limits.insert(id.key().to_string(), value);
        }
        self.doc.insert("limits".into(), Value::Object(limits));
    }

    fn set_end(&mut self, status: ExitStatus, code: u8) {
        self.doc.insert("verdict".into(), json!(status.verdict()));
        self.doc.insert("exit_code".into(), json!(code));
    }

    /// Records a run that ended before the sandbox started.
    pub fn finish_early(&mut self, status: ExitStatus, message: String) {
        self.set_end(status, status.code());
        self.doc.insert("message".into(), json!(message));
        self.doc.insert("signal".into(), Value::Null);
        self.doc.insert(
            "wall_seconds".into(),
            json!(self.started.elapsed().as_secs_f64()),
        );
    }

    /// Records a run the supervisor watched to its end.
    pub fn finish(&mut self, status: ExitStatus, code: u8, result: &RunResult) {
        self.set_end(status, code);
        let signal = match result.end {
            ChildEnd::Signaled(signal) => json!(signal.as_str()),
            ChildEnd::Exited(_) => Value::Null,
        };
        self.doc.insert("signal".into(), signal);
        self.doc.insert(
            "message".into(),
            json!(result.killed_for.as_ref().map(|k| k.message.clone())),
        );
        self.doc
            .insert("wall_seconds".into(), json!(result.wall_seconds));
        self.doc
            .insert("cpu_seconds".into(), json!(result.cpu_seconds));
        self.doc
            .insert("peak_memory_bytes".into(), json!(result.peak_rss_bytes));
        self.doc
            .insert("peak_disk_bytes".into(), json!(result.peak_disk_bytes));
        self.doc
            .insert("output_bytes".into(), json!(result.output_bytes));
        self.doc.insert(
            "output_dropped_bytes".into(),
            json!(result.output_dropped_bytes),
        );
        self.doc
            .insert("stdin_bytes".into(), json!(result.stdin_bytes));
        self.doc
            .insert("stdin_truncated".into(), json!(result.stdin_truncated));
        let mut renewable = Map::new();
        // The resources in force under the profile, as in `limits`.
        let in_force = |id: restrictions::ResourceId| self.profile.is_none_or(|p| id.in_force(p));
        for total in result.renewable.iter().filter(|t| in_force(t.resource)) {
            renewable.insert(
                total.resource.key().to_string(),
                json!({"charged": total.charged, "throttled_seconds": total.throttled_seconds}),
            );
        }
        self.doc
            .insert("renewable".into(), Value::Object(renewable));
        let mut items = Map::new();
        for (id, peak) in &result.item_peaks {
            items.insert(id.key().to_string(), json!(peak));
        }
        self.doc.insert("item_peaks".into(), Value::Object(items));
        let stops: Vec<Value> = result
            .stop_times
            .iter()
            .map(|s| json!({"at": s.runtime_at_stop, "seconds": s.seconds_stopped}))
            .collect();
        self.doc.insert("cpu_stops".into(), Value::Array(stops));
        self.doc.insert(
            "enforcement".into(),
            json!({
                "cpu": result.cpu_mechanism.as_str(),
                "memory_backstop": result.memory_backstop.as_str(),
                "threads_backstop": if result.threads_backstop { "cgroup" } else { "none" },
                "accounting_page_intact": result.page_intact,
            }),
        );
    }

    /// Records how the program ended as the sandbox reported it (its JSON: `message`,
    /// `violations`, `exception`) for an `unsafe-code` or `uncaught-exception` run. Both
    /// fields are always present once the sandbox ran, null when they do not apply.
    pub fn set_outcome(&mut self, status: ExitStatus, json_text: Option<String>) {
        let expected = matches!(status, ExitStatus::Unsafe | ExitStatus::UncaughtException);
        let outcome = json_text
            .filter(|_| expected)
            .map(|t| serde_json::from_str::<Value>(&t).unwrap_or(Value::Null));
        let field = |name: &str| {
            outcome
                .as_ref()
                .map(|o| o.get(name).cloned().unwrap_or(Value::Null))
                .unwrap_or(Value::Null)
        };
        self.doc.insert("violations".into(), field("violations"));
        self.doc.insert("exception".into(), field("exception"));
        let message = match (&outcome, field("message")) {
            (_, Value::String(text)) => Some(json!(text)),
            (Some(_), _) => Some(json!(
                "the sandbox's account of how the program ended is unreadable"
            )),
            (None, _) if expected => Some(json!(
                "the sandbox reported nothing on how the program ended"
            )),
            (None, _) => None,
        };
        if let Some(message) = message {
            if self.doc.get("message").is_none_or(Value::is_null) {
                self.doc.insert("message".into(), message);
            }
        }
    }

    /// Records what the child's confinement put in force (its JSON, from
    /// [`confinement_applied`] or [`confinement_failed`]), or that it is unknown.
    pub fn set_confinement(&mut self, json_text: Option<String>) {
        let value = json_text
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .unwrap_or_else(|| confinement_error("the sandbox reported no confinement status"));
        self.doc.insert("confinement".into(), value);
    }

    /// Names one warm request's program and mode (`run`, `eval`, `call`) and its limits.
    pub fn set_request(&mut self, program: &str, mode: &str, policy: &restrictions::Restrictions) {
        self.doc.insert("program".into(), json!(program));
        self.doc.insert("mode".into(), json!(mode));
        self.set_limits(policy);
    }

    /// Names the function of one call of a batch.
    pub fn set_function(&mut self, function: &str) {
        self.doc.insert("function".into(), json!(function));
    }

    /// The report as a JSON value.
    pub fn into_value(self) -> Value {
        Value::Object(self.doc)
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&Value::Object(self.doc.clone()))
            .unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    }
}

/// The report's `confinement` entry for a sandbox whose confinement is in force: each layer
/// (`layer`, `outcome`, a degraded layer's `reason`, `detail`) in the order applied, then
/// Landlock's ABI and verdict, the seccomp rule count, the ids the program runs as and how
/// long confinement took. The child hands it to the parent as text.
pub fn confinement_applied(status: &confine::ConfineStatus) -> String {
    let layers: Vec<Value> = status
        .layers
        .iter()
        .map(|r| {
            let mut layer = Map::new();
            layer.insert("layer".into(), json!(r.layer.key()));
            layer.insert("outcome".into(), json!(r.outcome.key()));
            if let confine::LayerOutcome::Degraded(reason) = &r.outcome {
                layer.insert("reason".into(), json!(reason));
            }
            layer.insert("detail".into(), json!(r.detail));
            Value::Object(layer)
        })
        .collect();
    json!({
        "layers": layers,
        "landlock_abi": status.landlock_abi,
        "landlock_ruleset": status.landlock_ruleset,
        "seccomp_rules": status.seccomp_rules,
        "uid": status.uid,
        "gid": status.gid,
        "elapsed_us": u64::try_from(status.elapsed.as_micros()).unwrap_or(u64::MAX),
    })
    .to_string()
}

/// The report's `confinement` entry for a sandbox that could not be confined (nothing ran).
pub fn confinement_failed(err: &confine::ConfineError) -> String {
    confinement_error(&err.to_string()).to_string()
}

/// A `confinement` entry that holds only an error.
fn confinement_error(message: &str) -> Value {
    json!({ "error": message })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use confine::{ConfineStatus, Layer, LayerOutcome, LayerReport};

    use super::*;

    #[test]
    fn confinement_entry_escapes_and_lists_every_layer() {
        let status = ConfineStatus {
            layers: vec![
                LayerReport {
                    layer: Layer::Landlock,
                    outcome: LayerOutcome::Applied,
                    detail: "ABI 7".into(),
                },
                LayerReport {
                    layer: Layer::Seccomp,
                    outcome: LayerOutcome::Degraded("no \"filter\"\n\u{1}".into()),
                    detail: String::new(),
                },
            ],
            landlock_abi: 7,
            landlock_ruleset: "fully enforced".into(),
            seccomp_rules: 0,
            uid: 1000,
            gid: 1000,
            elapsed: Duration::from_micros(250),
        };
        let json: Value = serde_json::from_str(&confinement_applied(&status)).expect("JSON");
        assert_eq!(json["layers"][0]["layer"], "landlock");
        assert_eq!(json["layers"][0]["outcome"], "applied");
        assert!(json["layers"][0].get("reason").is_none());
        assert_eq!(json["layers"][1]["outcome"], "degraded");
        assert_eq!(json["layers"][1]["reason"], "no \"filter\"\n\u{1}");
        assert_eq!(json["landlock_abi"], 7);
        assert_eq!(json["landlock_ruleset"], "fully enforced");
        assert_eq!(json["uid"], 1000);
        assert_eq!(json["elapsed_us"], 250);
    }
}
