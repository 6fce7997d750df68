//! Layer `drop-privileges`: root becomes an ordinary identity before untrusted code runs.
//!
//! The decision (docs/confinement.md, "Root and the sandbox's uid"):
//! - not root: nothing to drop; any capability held (a user namespace made by `net-namespace`
//!   grants a full set inside it) is cleared, with the bounding set when `CAP_SETPCAP` allows;
//! - root, vessel owned by a user: the child takes the vessel directory's owner and group
//!   (`setgroups([])`, `setresgid`, `setresuid`), so files the program creates belong to the
//!   vessel's owner and the host's root-owned files are out of reach by plain DAC too;
//! - root, vessel owned by root (CI, tests, root-run services): the child keeps uid 0 but with
//!   every capability gone and securebits locked, so uid 0 is an ordinary DAC identity; `apply`
//!   then insists that Landlock and seccomp are both in force, because uid 0 owns most host files.
//! - root without `CAP_SYS_ADMIN` that had to enter an unmapped user namespace for the network
//!   namespace keeps uid 0 as seen by the kernel: treated as the previous case.
//!
//! In every root case the bounding and ambient sets are emptied and securebits `NOROOT`,
//! `NO_SETUID_FIXUP`, `NO_CAP_AMBIENT_RAISE` are set and locked, with `KEEP_CAPS` off and locked,
//! before the ids change; the effective, permitted and inheritable sets are emptied last.

use crate::error::ConfineError;
use crate::status::LayerOutcome;
use crate::{sys, Context, Done, Layer};

/// `CAP_SETPCAP`: needed to drop from the bounding set and to change securebits.
const CAP_SETPCAP: u32 = 8;

/// `PR_SET_SECUREBITS`.
const PR_SET_SECUREBITS: libc::c_int = 28;

/// `SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED
/// | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED`
/// (`SECBIT_KEEP_CAPS`, bit 4, stays off).
pub(crate) const SECUREBITS_LOCKED: libc::c_ulong = 0b1110_1111;

/// Changing credentials (new ids, or the user namespace of `net-namespace`) resets the dumpable
/// flag to the `fs.suid_dumpable` sysctl and clears the parent-death signal: set both again, then
/// make sure the parent did not exit in between (the signal would then never come).
fn restore_after_id_change(ctx: &Context) -> Result<(), ConfineError> {
    let err = |step: &str, e| ConfineError::os(Layer::DropPrivileges, step, e);
    sys::prctl(libc::PR_SET_DUMPABLE, 0)
        .map_err(|e| err("prctl(PR_SET_DUMPABLE, 0) after the id change", e))?;
    if ctx.parent_death_signal != 0 {
        let signal = libc::c_ulong::try_from(ctx.parent_death_signal)
            .unwrap_or(libc::SIGKILL as libc::c_ulong);
        sys::prctl(libc::PR_SET_PDEATHSIG, signal)
            .map_err(|e| err("prctl(PR_SET_PDEATHSIG) after the id change", e))?;
        if sys::getppid() != ctx.parent {
            return Err(ConfineError::Verify {
                layer: Layer::DropPrivileges,
                what: "the parent exited while the credentials changed".into(),
            });
        }
    }
    Ok(())
}

/// Applies the decision above; records in `ctx` whether uid 0 was kept.
pub(crate) fn drop_privileges(ctx: &mut Context) -> Result<Done, ConfineError> {
    let err = |step: &str, e| ConfineError::os(Layer::DropPrivileges, step, e);
    let caps = sys::capget().map_err(|e| err("capget", e))?;
    if sys::geteuid() != 0 {
        let had_setpcap = caps.effective & (1 << CAP_SETPCAP) != 0;
        if had_setpcap {
            sys::drop_bounding_set().map_err(|e| err("emptying the bounding set", e))?;
            sys::prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED)
                .map_err(|e| err("locking securebits", e))?;
        }
        sys::clear_ambient().map_err(|e| err("clearing ambient capabilities", e))?;
        sys::capset_empty().map_err(|e| err("capset(0)", e))?;
        // A user namespace made by `net-namespace` changed the credentials too.
        restore_after_id_change(ctx)?;
        let (outcome, detail) = if ctx.started_as_root {
            // Root without CAP_SYS_ADMIN entered an unmapped user namespace in `net-namespace`:
            // the kernel still sees uid 0, and no other uid can be taken any more.
            ctx.kept_root = true;
            (
                LayerOutcome::Applied,
                "uid 0 kept inside an unmapped user namespace, no capability".to_string(),
            )
        } else if caps.is_empty() {
            (
                LayerOutcome::NotNeeded,
                "not root and no capability held".to_string(),
            )
        } else {
            (
                LayerOutcome::Applied,
                "not root; capabilities held in the user namespace cleared".to_string(),
            )
        };
        return Ok(Done { outcome, detail });
    }

    let (uid, gid) = ctx.vessel_owner;
    sys::drop_bounding_set().map_err(|e| err("emptying the bounding set", e))?;
    sys::clear_ambient().map_err(|e| err("clearing ambient capabilities", e))?;
    sys::prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED).map_err(|e| err("locking securebits", e))?;
    sys::clear_groups().map_err(|e| err("setgroups([])", e))?;
    sys::set_all_gids(gid).map_err(|e| err(&format!("setresgid({gid})"), e))?;
    sys::set_all_uids(uid).map_err(|e| err(&format!("setresuid({uid})"), e))?;
    sys::capset_empty().map_err(|e| err("capset(0)", e))?;
    restore_after_id_change(ctx)?;

    let (ruid, euid, suid) = sys::uids().map_err(|e| err("getresuid", e))?;
    if (ruid, euid, suid) != (uid, uid, uid) {
        return Err(ConfineError::Verify {
            layer: Layer::DropPrivileges,
            what: format!("uids are {ruid}/{euid}/{suid}, expected {uid}"),
        });
    }
    ctx.kept_root = uid == 0;
    let detail = if uid == 0 {
        "uid 0 kept (vessel owned by root) with no capability, empty bounding set, securebits locked".to_string()
    } else {
        format!("uid {uid} gid {gid} (vessel owner), no supplementary group, no capability")
    };
    Ok(Done {
        outcome: LayerOutcome::Applied,
        detail,
    })
}
