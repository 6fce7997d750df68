//! The entries this worker is running, kept its own: every so often the worker claims them
//! again for itself (`XCLAIM … JUSTID`, which resets their idle time without counting a
//! delivery), so a job that runs longer than `--claim-after` is not taken by another worker
//! while this one is alive. A worker that dies stops doing so, and its entries go idle.

use std::collections::BTreeSet;
use std::sync::Mutex;

use redis::Connection;

use crate::names::Names;

/// The stream ids of the entries being run.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    ids: Mutex<BTreeSet<String>>,
}

impl InFlight {
    /// Marks `stream_id` as running.
    pub fn insert(&self, stream_id: &str) {
        self.lock().insert(stream_id.to_owned());
    }

    /// Marks `stream_id` as done.
    pub fn remove(&self, stream_id: &str) {
        self.lock().remove(stream_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        // A thread that panicked while holding the lock left a set that is still a set.
        self.ids
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Claims every running entry again for `consumer`, resetting its idle time.
    pub fn keep(
        &self,
        con: &mut Connection,
        names: &Names,
        consumer: &str,
    ) -> redis::RedisResult<()> {
        let ids: Vec<String> = self.lock().iter().cloned().collect();
        if ids.is_empty() {
            return Ok(());
        }
        // No FORCE: an entry acknowledged meanwhile is not brought back.
        redis::cmd("XCLAIM")
            .arg(&names.stream)
            .arg(&names.group)
            .arg(consumer)
            .arg(0)
            .arg(&ids)
            .arg("JUSTID")
            .query::<()>(con)
    }
}
