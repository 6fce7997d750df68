//! Layer `net-namespace`: when the policy grants no network, the child moves to a new network
//! namespace, which has no interface up (not even loopback), no route and no way to the host's
//! sockets, so no peer outside is reachable whatever the socket calls allowed.

use crate::error::ConfineError;
use crate::status::LayerOutcome;
use crate::{sys, ConfinePlan, Done, Layer};

/// `CAP_SYS_ADMIN`, needed in the current user namespace to create a network namespace.
const CAP_SYS_ADMIN: u32 = 21;

/// Enters a new network namespace unless the plan grants network.
///
/// With `CAP_SYS_ADMIN` (root) a network namespace is created directly. Without it, a user
/// namespace is created first, which grants a full capability set inside it; the uid stays
/// unmapped (the kernel still checks files against the real uid), and the next step,
/// `drop-privileges`, clears those capabilities. `CLONE_NEWUSER` needs a single-threaded process,
/// which `apply` checked.
pub(crate) fn enter(plan: &ConfinePlan) -> Result<Done, ConfineError> {
    if plan.network {
        return Ok(Done {
            outcome: LayerOutcome::NotNeeded,
            detail: "the policy grants network".into(),
        });
    }
    let caps = sys::capget().map_err(|e| ConfineError::os(Layer::NetNamespace, "capget", e))?;
    if caps.effective & (1 << CAP_SYS_ADMIN) != 0 {
        sys::unshare(libc::CLONE_NEWNET)
            .map_err(|e| ConfineError::os(Layer::NetNamespace, "unshare(CLONE_NEWNET)", e))?;
        Ok(Done {
            outcome: LayerOutcome::Applied,
            detail: "new network namespace, no interface up".into(),
        })
    } else {
        sys::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET).map_err(|e| {
            ConfineError::os(
                Layer::NetNamespace,
                "unshare(CLONE_NEWUSER | CLONE_NEWNET)",
                e,
            )
        })?;
        Ok(Done {
            outcome: LayerOutcome::Applied,
            detail: "new user namespace (uid unmapped) and network namespace, no interface up"
                .into(),
        })
    }
}
