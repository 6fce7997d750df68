//! A pool host's interpreter, built once before any pool exists: CPython initialised, the
//! namespace of the ceiling's profile built, its modules imported and the checker prepared,
//! exactly as a pool's zygote would build them after its fork ([`crate::child::Build`]).
//!
//! A pool host (`repy pool-host`) calls [`preinitialize_pool`], then forks one process per
//! pool; each pool's zygote, forked from that process in turn, [`take`]s the built
//! interpreter instead of building its own. Every zygote then shares the host's pages until
//! it writes to them, so an idle warm sandbox costs only what its own zygote and supervisor
//! wrote, not a whole interpreter. Nothing of a program ever runs in the host: it builds
//! what a zygote builds before confinement, from trusted code only.

use std::sync::Mutex;

use pyo3::Python;
use restrictions::Restrictions;

/// The interpreter built by [`preinitialize_pool`], and the policy it was built for.
static PREINITIALIZED: Mutex<Option<(Restrictions, api::program::Prepared)>> = Mutex::new(None);

/// Whether this process has built its interpreter ahead of its zygotes.
static BUILT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Initialises CPython and builds a pool zygote's interpreter under `ceiling`, for the
/// zygotes of every pool this process will fork. Call once, single-threaded, before any run.
pub fn preinitialize_pool(ceiling: &Restrictions) -> Result<(), String> {
    api::interpreter::initialize_isolated()
        .map_err(|err| format!("repy: internal error: {err}"))?;
    BUILT.store(true, std::sync::atomic::Ordering::SeqCst);
    let prepared = Python::attach(|py| {
        crate::child::Build {
            policy: ceiling,
            callargs: &[],
            source: "",
            zygote: true,
            unrestricted: false,
        }
        .run(py)
    })
    .map_err(|message| message.trim_end().to_owned())?;
    let mut slot = PREINITIALIZED
        .lock()
        .map_err(|_| "the pool host's interpreter is unusable".to_owned())?;
    *slot = Some((ceiling.clone(), prepared));
    Ok(())
}

/// The interpreter built ahead for `policy`, once: `Ok(None)` when this process built none
/// (the child builds its own), an error when it built one for another policy (a child cannot
/// build a second interpreter in the same process).
pub(crate) fn take(policy: &Restrictions) -> Result<Option<api::program::Prepared>, String> {
    if !BUILT.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(None);
    }
    let mut slot = PREINITIALIZED
        .lock()
        .map_err(|_| "the pool host's interpreter is unusable".to_owned())?;
    match slot.take() {
        Some((built_for, prepared)) if built_for == *policy => Ok(Some(prepared)),
        Some(_) => Err("the pool host built its interpreter for another policy".into()),
        None => Err("the pool host's interpreter was taken already".into()),
    }
}
