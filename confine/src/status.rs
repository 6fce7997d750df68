//! What [`crate::apply`] achieved, for the run report (which `repy` writes from these fields)
//! and `repy doctor` (`Display`), and what [`crate::probe`] found the machine can do.

use std::fmt;
use std::time::Duration;

use crate::Layer;

/// What happened to one layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerOutcome {
    /// The layer is in force.
    Applied,
    /// The layer is missing or partial, and the plan allowed that; the reason says what is missing.
    Degraded(String),
    /// The layer has nothing to do in this run (e.g. no network namespace when the policy grants network).
    NotNeeded,
}

impl LayerOutcome {
    /// `applied`, `degraded` or `not-needed`.
    pub fn key(&self) -> &'static str {
        match self {
            LayerOutcome::Applied => "applied",
            LayerOutcome::Degraded(_) => "degraded",
            LayerOutcome::NotNeeded => "not-needed",
        }
    }
}

/// One layer's outcome and a short, human-readable detail (`uid 1000 gid 1000`, `ABI 7`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerReport {
    /// The layer.
    pub layer: Layer,
    /// What happened.
    pub outcome: LayerOutcome,
    /// What exactly is in force.
    pub detail: String,
}

/// What [`crate::apply`] put in force, layer by layer, in the order it ran them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfineStatus {
    /// One entry per layer, in application order ([`crate::APPLY_ORDER`]).
    pub layers: Vec<LayerReport>,
    /// The Landlock ABI the kernel offered (0 when Landlock is unavailable).
    pub landlock_abi: u32,
    /// Landlock's own verdict: `fully enforced`, `partially enforced`, `not enforced` or `not applied`.
    pub landlock_ruleset: String,
    /// How many entries of the seccomp data file are installed (0 when seccomp is not applied).
    pub seccomp_rules: usize,
    /// The user id the program runs as.
    pub uid: u32,
    /// The group id the program runs as.
    pub gid: u32,
    /// How long `apply()` took.
    pub elapsed: Duration,
}

impl ConfineStatus {
    /// The outcome of `layer`.
    pub fn outcome(&self, layer: Layer) -> Option<&LayerOutcome> {
        self.layers
            .iter()
            .find(|r| r.layer == layer)
            .map(|r| &r.outcome)
    }

    /// Whether every layer is applied or not needed.
    pub fn is_complete(&self) -> bool {
        self.layers
            .iter()
            .all(|r| !matches!(r.outcome, LayerOutcome::Degraded(_)))
    }
}

impl fmt::Display for ConfineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.layers {
            match &r.outcome {
                LayerOutcome::Degraded(reason) => writeln!(
                    f,
                    "{:<16} {:<10} {} ({reason})",
                    r.layer.key(),
                    r.outcome.key(),
                    r.detail
                )?,
                _ => writeln!(
                    f,
                    "{:<16} {:<10} {}",
                    r.layer.key(),
                    r.outcome.key(),
                    r.detail
                )?,
            }
        }
        write!(
            f,
            "landlock ABI {} ({}), {} seccomp rules, uid {} gid {}, applied in {} us",
            self.landlock_abi,
            self.landlock_ruleset,
            self.seccomp_rules,
            self.uid,
            self.gid,
            self.elapsed.as_micros()
        )
    }
}

/// What a layer can do on this machine, as [`crate::probe`] finds it without confining anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerState {
    /// The layer can be applied in full.
    Available,
    /// Only part of the layer can be applied (e.g. an older Landlock ABI).
    Partial,
    /// The layer cannot be applied: runs fail unless `--allow-degraded` names it.
    Unavailable,
    /// The layer has nothing to do for this user (e.g. dropping privileges when not root).
    NotNeeded,
}

impl fmt::Display for LayerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            LayerState::Available => "available",
            LayerState::Partial => "partial",
            LayerState::Unavailable => "unavailable",
            LayerState::NotNeeded => "not-needed",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_shows_a_degraded_layer() {
        let status = ConfineStatus {
            layers: vec![
                LayerReport {
                    layer: Layer::Landlock,
                    outcome: LayerOutcome::Applied,
                    detail: "ABI 7".into(),
                },
                LayerReport {
                    layer: Layer::Seccomp,
                    outcome: LayerOutcome::Degraded("no \"filter\"\n".into()),
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
        assert_eq!(
            status.outcome(Layer::Landlock),
            Some(&LayerOutcome::Applied)
        );
        assert!(!status.is_complete());
        assert!(status
            .to_string()
            .lines()
            .any(|l| l.split_whitespace().take(2).eq(["seccomp", "degraded"])));
    }
}
