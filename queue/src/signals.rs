//! SIGTERM and SIGINT: the first asks the worker to stop taking jobs and finish the running
//! ones; a second one ends the worker at once (its jobs die with it).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::QueueError;

/// The exit code of a worker ended by a second signal: `interrupted` in docs/exit-codes.md.
const SECOND_SIGNAL_EXIT: i32 = 130;

/// Installs the handlers and returns the flag the first signal sets.
pub fn stop_on_signals() -> Result<Arc<AtomicBool>, QueueError> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGTERM, SIGINT] {
        // In this order: the conditional exit sees the flag as it was before this signal.
        signal_hook::flag::register_conditional_shutdown(
            signal,
            SECOND_SIGNAL_EXIT,
            Arc::clone(&stop),
        )
        .map_err(QueueError::Signals)?;
        signal_hook::flag::register(signal, Arc::clone(&stop)).map_err(QueueError::Signals)?;
    }
    Ok(stop)
}
