//! Layer `landlock`: the file system outside the vessel directory, TCP ports, signals and
//! abstract Unix sockets.
//!
//! Handled (denied unless a rule allows): every file-system right [`PINNED_ABI`] knows, TCP bind
//! (and TCP connect unless the policy grants it on every port: Landlock cannot say "any port", so
//! connect is then simply not handled), and the signal and abstract-socket scopes. Allowed: the
//! vessel directory beneath with [`VESSEL_ACCESS`], and TCP bind on the granted ports. Nothing
//! else, anywhere: the interpreter is already loaded, so a lazy import fails, as intended.

use landlock::{
    Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, LandlockStatus, NetPort,
    PathBeneath, PathFd, RestrictionStatus, Ruleset, RulesetAttr, RulesetCreatedAttr,
    RulesetStatus, Scope, ABI,
};

use crate::error::ConfineError;
use crate::status::LayerOutcome;
use crate::{ConfinePlan, Context, Done, Layer};

/// The Landlock ABI this crate is written and tested against: its rights are requested, no newer
/// ones. Raise it only together with the tests (and docs/confinement.md).
pub(crate) const PINNED_ABI: ABI = ABI::V7;

/// What the program may do beneath the vessel directory: RepyV2's flat files, read, written,
/// created, truncated, removed and listed. No directories are made or removed, nothing is
/// executed, linked, renamed (`Refer`) or made special (sockets, fifos, devices, symlinks).
pub(crate) fn vessel_access() -> BitFlags<AccessFs> {
    AccessFs::ReadFile
        | AccessFs::WriteFile
        | AccessFs::ReadDir
        | AccessFs::RemoveFile
        | AccessFs::MakeReg
        | AccessFs::Truncate
}

/// Builds the ruleset and restricts the calling (only) thread.
pub(crate) fn restrict(plan: &ConfinePlan, ctx: &mut Context) -> Result<Done, ConfineError> {
    let level = if plan.allow_degraded.contains(&Layer::Landlock) {
        CompatLevel::BestEffort
    } else {
        CompatLevel::HardRequirement
    };
    let landlock = |step, source| ConfineError::Landlock { step, source };
    let net = if plan.tcp_connect_any {
        BitFlags::from(AccessNet::BindTcp)
    } else {
        AccessNet::from_all(PINNED_ABI)
    };
    let vessel = PathFd::new(&plan.vessel_dir).map_err(|source| ConfineError::LandlockVessel {
        path: plan.vessel_dir.clone(),
        source,
    })?;
    let mut created = Ruleset::default()
        .set_compatibility(level)
        .handle_access(AccessFs::from_all(PINNED_ABI))
        .map_err(|e| landlock("handling file-system rights", e))?
        .handle_access(net)
        .map_err(|e| landlock("handling TCP rights", e))?
        .scope(Scope::from_all(PINNED_ABI))
        .map_err(|e| landlock("scoping signals and abstract sockets", e))?
        .create()
        .map_err(|e| landlock("creating the ruleset", e))?
        .add_rule(PathBeneath::new(vessel, vessel_access()))
        .map_err(|e| landlock("adding the vessel directory rule", e))?;
    for &port in &plan.tcp_bind_ports {
        created = created
            .add_rule(NetPort::new(port, AccessNet::BindTcp))
            .map_err(|e| landlock("adding a TCP bind rule", e))?;
    }
    let status = created
        .restrict_self()
        .map_err(|e| landlock("restricting the process", e))?;
    record(ctx, &status);
    let detail = format!(
        "ABI {} (pinned {}), vessel rw, tcp bind {:?}, tcp connect {}, signals and abstract sockets scoped",
        ctx.landlock_abi,
        PINNED_ABI as u32,
        plan.tcp_bind_ports,
        if plan.tcp_connect_any { "any" } else { "none" },
    );
    match status.ruleset {
        RulesetStatus::FullyEnforced => Ok(Done {
            outcome: LayerOutcome::Applied,
            detail,
        }),
        RulesetStatus::PartiallyEnforced | RulesetStatus::NotEnforced => {
            Err(ConfineError::LandlockNotEnforced {
                status: ctx.landlock_ruleset.clone(),
            })
        }
    }
}

/// Copies the kernel's answer into the context for the report.
fn record(ctx: &mut Context, status: &RestrictionStatus) {
    ctx.landlock_abi = match status.landlock {
        LandlockStatus::Available {
            effective_abi,
            kernel_abi,
        } => kernel_abi
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(effective_abi as u32),
        LandlockStatus::NotEnabled | LandlockStatus::NotImplemented => 0,
    };
    ctx.landlock_ruleset = match status.ruleset {
        RulesetStatus::FullyEnforced => "fully enforced",
        RulesetStatus::PartiallyEnforced => "partially enforced",
        RulesetStatus::NotEnforced => "not enforced",
    }
    .to_string();
}
