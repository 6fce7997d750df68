//! Layer `rlimits`: kernel backstops for the nanny. Limits are only ever lowered (soft and hard
//! together, so the program cannot raise them back); a requested value above the current hard
//! limit leaves the hard limit.
//!
//! `RLIMIT_NPROC` is deliberately not set: it counts every process and thread of the real uid
//! across the machine (other sandboxes and daemons sharing the uid would make runs fail at
//! random), and the kernel ignores it for uid 0. Forks are refused by seccomp; threads are the
//! nanny's to count.

use crate::error::ConfineError;
use crate::status::LayerOutcome;
use crate::{sys, ConfinePlan, Done, Layer};

/// Sets `RLIMIT_NOFILE`, `RLIMIT_FSIZE`, `RLIMIT_CORE` (0) and `RLIMIT_AS` when the plan gives one.
pub(crate) fn set(plan: &ConfinePlan) -> Result<Done, ConfineError> {
    let lower = |resource, name: &str, value| {
        sys::lower_rlimit(resource, value)
            .map_err(|e| ConfineError::os(Layer::Rlimits, format!("setrlimit({name}, {value})"), e))
    };
    let nofile = lower(libc::RLIMIT_NOFILE, "RLIMIT_NOFILE", plan.max_open_files)?;
    let fsize = lower(libc::RLIMIT_FSIZE, "RLIMIT_FSIZE", plan.max_file_size)?;
    let core = lower(libc::RLIMIT_CORE, "RLIMIT_CORE", 0)?;
    let mut detail = format!("nofile {nofile}, fsize {fsize}, core {core}");
    if let Some(bytes) = plan.max_address_space {
        let r#as = lower(libc::RLIMIT_AS, "RLIMIT_AS", bytes)?;
        detail.push_str(&format!(", as {as}"));
    }
    Ok(Done {
        outcome: LayerOutcome::Applied,
        detail,
    })
}
