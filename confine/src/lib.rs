//! Kernel confinement of the sandbox child — wall 4 of repy.
//!
//! This crate has one job: after the child has initialised CPython and built the program's
//! namespace, and before any untrusted code is parsed or any thread starts, [`apply`] walls the
//! child in with the kernel, so that even a hole in the static checker (wall 1) or the capability
//! API (wall 2) cannot reach the host. The layers run in one fixed order, [`APPLY_ORDER`],
//! documented step by step with the reason for the order in `docs/confinement.md`:
//!
//! 1. `no-new-privs`, 2. `dumpable`, 3. `close-fds`, 4. `net-namespace`, 5. `drop-privileges`,
//! 6. `landlock`, 7. `rlimits`, 8. `seccomp`, then a verification of what is cheap to check.
//!
//! "Fail closed": a layer that cannot be applied is an error unless the plan's `allow_degraded`
//! names it, in which case the returned [`ConfineStatus`] says it is degraded and why.
//! [`probe`] tells `repy doctor` what each layer can do on this machine without confining the
//! caller.
//!
//! Allowed dependencies: `landlock`, `seccompiler` (build time only: `build.rs` compiles the
//! commented filter `seccomp/<arch>.json` to BPF, so nothing is parsed at run time), `libc` and
//! `thiserror`; `pyo3` as a dev-dependency for the test that embeds a real interpreter.

use std::os::fd::RawFd;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::Instant;

mod error;
mod fds;
mod layer;
mod netns;
mod privileges;
mod probe;
mod rlimits;
mod ruleset;
mod seccomp;
mod status;
mod sys;

pub use error::ConfineError;
pub use layer::{Layer, UnknownLayer};
pub use probe::probe;
pub use seccomp::forbid_fork;
pub use status::{ConfineStatus, LayerOutcome, LayerReport, LayerState};

/// The order in which [`apply`] runs the layers (docs/confinement.md explains why; a test checks
/// that the document lists the same order).
pub const APPLY_ORDER: [Layer; 8] = [
    Layer::NoNewPrivs,
    Layer::Dumpable,
    Layer::CloseFds,
    Layer::NetNamespace,
    Layer::DropPrivileges,
    Layer::Landlock,
    Layer::Rlimits,
    Layer::Seccomp,
];

/// The Landlock ABI the rules are written for (newer kernels are asked for nothing more).
pub const LANDLOCK_ABI: u32 = ruleset::PINNED_ABI as u32;

/// What the sandbox child may keep; built by the caller from the policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfinePlan {
    /// Absolute path of the only directory the program may touch: flat files, read, written,
    /// created, removed, and the directory listed.
    pub vessel_dir: PathBuf,
    /// Local TCP ports the program may bind (Landlock, ABI 4 and later).
    pub tcp_bind_ports: Vec<u16>,
    /// Whether TCP connect is allowed (to any port; the API narrows it to the policy's peers).
    pub tcp_connect_any: bool,
    /// `false`: the child moves to a new network namespace: no network at all, not even loopback
    /// peers outside it.
    pub network: bool,
    /// `RLIMIT_NOFILE`, a backstop under the nanny's count of open files.
    pub max_open_files: u64,
    /// `RLIMIT_FSIZE` in bytes, a backstop under the nanny's disk quota. It also limits stdout
    /// and stderr when they are regular files.
    pub max_file_size: u64,
    /// `RLIMIT_AS` in bytes, when given.
    pub max_address_space: Option<u64>,
    /// Layers the user allows to be missing (`--allow-degraded`).
    pub allow_degraded: Vec<Layer>,
    /// Descriptors to keep open besides 0, 1 and 2 (a pipe or shared memory to the supervisor).
    pub keep_fds: Vec<RawFd>,
    /// The zygote of `repy call --batch`: its seccomp allow list also lets it fork (one process
    /// per call) and install [`forbid_fork`], which each call process does first.
    pub zygote: bool,
}

/// What one step did (before it becomes a [`LayerReport`]).
#[derive(Debug)]
pub(crate) struct Done {
    pub(crate) outcome: LayerOutcome,
    pub(crate) detail: String,
}

/// State carried from step to step.
#[derive(Debug)]
pub(crate) struct Context {
    /// Owner and group of the vessel directory.
    pub(crate) vessel_owner: (libc::uid_t, libc::gid_t),
    /// Whether the process was root (effective uid 0) when `apply` started.
    pub(crate) started_as_root: bool,
    /// Whether the program keeps uid 0 (vessel owned by root, or root that had to enter a user
    /// namespace without changing uid).
    pub(crate) kept_root: bool,
    /// The kernel's Landlock ABI, once known.
    pub(crate) landlock_abi: u32,
    /// Landlock's verdict.
    pub(crate) landlock_ruleset: String,
    /// The seccomp filters, prepared before anything is confined.
    pub(crate) seccomp: Result<seccomp::Prepared, ConfineError>,
    /// The parent-death signal the caller set ("die with the parent"): changing credentials
    /// clears it, so `drop-privileges` sets it again.
    pub(crate) parent_death_signal: libc::c_int,
    /// The parent (the supervisor) when `apply` started.
    pub(crate) parent: libc::pid_t,
}

/// Applies every layer, in [`APPLY_ORDER`], to the calling process, which must be the
/// single-threaded sandbox child; then verifies what is cheap to verify.
///
/// Returns what is in force. An `Err` means the program must not run: a layer failed and the
/// plan does not allow it to be missing, or the plan or the process is unfit. Irreversible: call
/// it once, only in the child (a second call would be killed by the first call's filter).
pub fn apply(plan: &ConfinePlan) -> Result<ConfineStatus, ConfineError> {
    let started = Instant::now();
    let mut ctx = prepare(plan)?;
    let mut layers = Vec::with_capacity(APPLY_ORDER.len());
    for layer in APPLY_ORDER {
        let result = match layer {
            Layer::NoNewPrivs => sys::prctl(libc::PR_SET_NO_NEW_PRIVS, 1)
                .map(|_| Done {
                    outcome: LayerOutcome::Applied,
                    detail: "no exec can grant privileges".into(),
                })
                .map_err(|e| ConfineError::os(layer, "prctl(PR_SET_NO_NEW_PRIVS, 1)", e)),
            Layer::Dumpable => sys::prctl(libc::PR_SET_DUMPABLE, 0)
                .map(|_| Done {
                    outcome: LayerOutcome::Applied,
                    detail: "not dumpable, not ptraceable by uid".into(),
                })
                .map_err(|e| ConfineError::os(layer, "prctl(PR_SET_DUMPABLE, 0)", e)),
            Layer::CloseFds => fds::close_fds(&plan.keep_fds),
            Layer::NetNamespace => netns::enter(plan),
            Layer::DropPrivileges => privileges::drop_privileges(&mut ctx),
            Layer::Landlock => ruleset::restrict(plan, &mut ctx),
            Layer::Rlimits => rlimits::set(plan),
            Layer::Seccomp => match &mut ctx.seccomp {
                Ok(prepared) => seccomp::install(prepared),
                Err(e) => Err(clone_seccomp_error(e)),
            },
        };
        layers.push(settle(plan, layer, result)?);
    }
    verify(plan, &ctx, &mut layers)?;
    let seccomp_rules = match (&ctx.seccomp, outcome_of(&layers, Layer::Seccomp)) {
        (Ok(prepared), Some(LayerOutcome::Applied)) => prepared.rules(),
        _ => 0,
    };
    // SAFETY: getuid and getgid cannot fail and touch no memory.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    Ok(ConfineStatus {
        layers,
        landlock_abi: ctx.landlock_abi,
        landlock_ruleset: ctx.landlock_ruleset,
        seccomp_rules,
        uid,
        gid,
        elapsed: started.elapsed(),
    })
}

/// Checks the plan and the process before anything irreversible happens.
fn prepare(plan: &ConfinePlan) -> Result<Context, ConfineError> {
    if !plan.vessel_dir.is_absolute() {
        return Err(ConfineError::VesselNotAbsolute(plan.vessel_dir.clone()));
    }
    let meta =
        std::fs::metadata(&plan.vessel_dir).map_err(|source| ConfineError::VesselUnusable {
            path: plan.vessel_dir.clone(),
            source,
        })?;
    if !meta.is_dir() {
        return Err(ConfineError::VesselNotDirectory(plan.vessel_dir.clone()));
    }
    if let Some(&fd) = plan.keep_fds.iter().find(|&&fd| fd < 0) {
        return Err(ConfineError::InvalidKeepFd(fd));
    }
    let threads = std::fs::read_dir("/proc/self/task")
        .map_err(ConfineError::ThreadCountUnknown)?
        .count();
    if threads != 1 {
        return Err(ConfineError::NotSingleThreaded { threads });
    }
    let parent_death_signal = sys::parent_death_signal()
        .map_err(|e| ConfineError::os(Layer::DropPrivileges, "prctl(PR_GET_PDEATHSIG)", e))?;
    Ok(Context {
        parent_death_signal,
        parent: sys::getppid(),
        vessel_owner: (meta.uid(), meta.gid()),
        started_as_root: sys::geteuid() == 0,
        kept_root: false,
        landlock_abi: sys::landlock_abi_version().unwrap_or(0),
        landlock_ruleset: "not applied".into(),
        seccomp: seccomp::prepare(sys::getpid(), plan.zygote),
    })
}

/// Turns a step's result into its report, degrading it when the plan allows.
fn settle(
    plan: &ConfinePlan,
    layer: Layer,
    result: Result<Done, ConfineError>,
) -> Result<LayerReport, ConfineError> {
    match result {
        Ok(done) => Ok(LayerReport {
            layer,
            outcome: done.outcome,
            detail: done.detail,
        }),
        Err(err) if err.layer() == Some(layer) && plan.allow_degraded.contains(&layer) => {
            Ok(LayerReport {
                layer,
                outcome: LayerOutcome::Degraded(err.chain()),
                detail: String::new(),
            })
        }
        Err(err) => Err(err),
    }
}

/// The outcome recorded for `layer`.
fn outcome_of(layers: &[LayerReport], layer: Layer) -> Option<&LayerOutcome> {
    layers.iter().find(|r| r.layer == layer).map(|r| &r.outcome)
}

/// Step 9: reads back what is cheap to read back, and refuses uid 0 without both walls.
fn verify(
    plan: &ConfinePlan,
    ctx: &Context,
    layers: &mut [LayerReport],
) -> Result<(), ConfineError> {
    let applied =
        |layers: &[LayerReport], layer| outcome_of(layers, layer) == Some(&LayerOutcome::Applied);
    let mut problems: Vec<ConfineError> = Vec::new();
    let mut expect = |layer, option, wanted: libc::c_int, what: &str| {
        if applied(layers, layer) {
            match sys::prctl(option, 0) {
                Ok(v) if v == wanted => {}
                Ok(v) => problems.push(ConfineError::Verify {
                    layer,
                    what: format!("{what} is {v}, expected {wanted}"),
                }),
                Err(e) => problems.push(ConfineError::os(layer, format!("reading {what}"), e)),
            }
        }
    };
    expect(
        Layer::NoNewPrivs,
        libc::PR_GET_NO_NEW_PRIVS,
        1,
        "PR_GET_NO_NEW_PRIVS",
    );
    expect(Layer::Dumpable, libc::PR_GET_DUMPABLE, 0, "PR_GET_DUMPABLE");
    expect(Layer::Seccomp, libc::PR_GET_SECCOMP, 2, "PR_GET_SECCOMP");
    if !matches!(
        outcome_of(layers, Layer::DropPrivileges),
        Some(LayerOutcome::Degraded(_))
    ) {
        match sys::capget() {
            Ok(caps) if caps.is_empty() => {}
            Ok(caps) => problems.push(ConfineError::Verify {
                layer: Layer::DropPrivileges,
                what: format!("capabilities left: {caps:?}"),
            }),
            Err(e) => problems.push(ConfineError::os(Layer::DropPrivileges, "capget", e)),
        }
        if applied(layers, Layer::DropPrivileges) && sys::geteuid() == 0 {
            match sys::bounding_set_is_empty() {
                Ok(true) => {}
                Ok(false) => problems.push(ConfineError::Verify {
                    layer: Layer::DropPrivileges,
                    what: "the bounding set is not empty".into(),
                }),
                Err(e) => problems.push(ConfineError::os(
                    Layer::DropPrivileges,
                    "PR_CAPBSET_READ",
                    e,
                )),
            }
        }
    }
    if ctx.kept_root {
        for wall in [Layer::Landlock, Layer::Seccomp] {
            if !applied(layers, wall) {
                problems.push(ConfineError::RootNeedsWall {
                    path: plan.vessel_dir.clone(),
                    missing: wall,
                });
            }
        }
    }
    for problem in problems {
        let Some(layer) = problem.layer() else {
            return Err(problem);
        };
        if !plan.allow_degraded.contains(&layer) {
            return Err(problem);
        }
        if let Some(report) = layers.iter_mut().find(|r| r.layer == layer) {
            report.outcome = LayerOutcome::Degraded(problem.chain());
        }
    }
    Ok(())
}

/// The seccomp preparation error again (errors hold `io::Error`, which is not `Clone`).
fn clone_seccomp_error(err: &ConfineError) -> ConfineError {
    match err {
        ConfineError::SeccompNoFilter { arch } => ConfineError::SeccompNoFilter { arch },
        ConfineError::SeccompPlaceholder { found } => {
            ConfineError::SeccompPlaceholder { found: *found }
        }
        other => ConfineError::Verify {
            layer: Layer::Seccomp,
            what: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_order_holds_every_layer_once_with_seccomp_last() {
        let mut sorted = APPLY_ORDER;
        sorted.sort();
        let mut all = Layer::ALL;
        all.sort();
        assert_eq!(sorted, all);
        assert_eq!(APPLY_ORDER.last(), Some(&Layer::Seccomp));
        let pos = |l| APPLY_ORDER.iter().position(|&x| x == l);
        assert!(
            pos(Layer::NetNamespace) < pos(Layer::DropPrivileges),
            "user namespaces need the caps dropped later"
        );
        assert!(
            pos(Layer::CloseFds) < pos(Layer::Landlock),
            "the /proc fallback must still be reachable"
        );
        assert!(
            pos(Layer::Landlock) < pos(Layer::Rlimits),
            "rlimits are sized for the program, not for Landlock"
        );
    }

    #[test]
    fn docs_list_the_steps_in_apply_order() {
        let doc = include_str!("../../docs/confinement.md");
        let listed: Vec<Layer> = doc
            .lines()
            .filter_map(|line| line.strip_prefix("### "))
            .filter_map(|title| {
                let (number, rest) = title.split_once(". ")?;
                number.parse::<u32>().ok()?;
                rest.split('`').nth(1)?.parse().ok()
            })
            .collect();
        assert_eq!(
            listed, APPLY_ORDER,
            "docs/confinement.md's numbered steps drifted from APPLY_ORDER"
        );
    }

    #[test]
    fn landlock_abi_is_pinned() {
        assert_eq!(LANDLOCK_ABI, 7);
    }

    #[test]
    fn apply_refuses_a_relative_vessel_before_touching_anything() {
        let plan = ConfinePlan {
            vessel_dir: "relative".into(),
            ..ConfinePlan::default()
        };
        assert!(matches!(
            apply(&plan),
            Err(ConfineError::VesselNotAbsolute(_))
        ));
    }

    #[test]
    fn apply_refuses_a_multithreaded_process() {
        // The test harness runs tests on threads, so this process has more than one.
        let _guard =
            std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_millis(200)));
        let plan = ConfinePlan {
            vessel_dir: std::env::temp_dir(),
            ..ConfinePlan::default()
        };
        let err = apply(&plan).expect_err("a multithreaded process must be refused");
        assert!(
            matches!(err, ConfineError::NotSingleThreaded { .. }),
            "{err}"
        );
        assert_eq!(err.layer(), None, "cannot be degraded away");
    }
}
