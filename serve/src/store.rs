//! The results of asynchronous runs (`?wait=false`), kept in this server's memory only:
//! at most [`Store::capacity`] of them, each for [`RESULT_TTL`] after it ends. Another
//! instance behind the same load balancer does not know them.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::api::{RunOutcome, RunState, RunStatus};

/// How long an ended run's result is kept.
pub const RESULT_TTL: Duration = Duration::from_secs(15 * 60);

/// How many ended runs' results are kept at most (the oldest go first).
pub const RESULTS_KEPT: usize = 1000;

#[derive(Debug)]
struct Entry {
    status: RunStatus,
    ended: Option<Instant>,
}

#[derive(Debug, Default)]
struct Inner {
    runs: HashMap<String, Entry>,
    /// Ids in the order their runs ended, for eviction.
    ended: VecDeque<String>,
}

/// The asynchronous runs and their results.
#[derive(Debug, Default)]
pub struct Store {
    inner: Mutex<Inner>,
}

impl Store {
    /// How many ended results are kept at most.
    pub fn capacity(&self) -> usize {
        RESULTS_KEPT
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a new queued run and returns its id.
    pub fn insert(&self) -> RunStatus {
        let id = uuid::Uuid::new_v4().to_string();
        let status = RunStatus {
            id: id.clone(),
            state: RunState::Queued,
            outcome: None,
            error: None,
        };
        let mut inner = self.lock();
        evict(&mut inner, Instant::now());
        inner.runs.insert(
            id,
            Entry {
                status: status.clone(),
                ended: None,
            },
        );
        status
    }

    /// Marks a run as running.
    pub fn start(&self, id: &str) {
        if let Some(entry) = self.lock().runs.get_mut(id) {
            entry.status.state = RunState::Running;
        }
    }

    /// Records how a run ended.
    pub fn finish(&self, id: &str, result: Result<RunOutcome, String>) {
        let mut inner = self.lock();
        let now = Instant::now();
        if let Some(entry) = inner.runs.get_mut(id) {
            match result {
                Ok(outcome) => {
                    entry.status.state = RunState::Done;
                    entry.status.outcome = Some(outcome);
                }
                Err(error) => {
                    entry.status.state = RunState::Failed;
                    entry.status.error = Some(error);
                }
            }
            entry.ended = Some(now);
            inner.ended.push_back(id.to_owned());
        }
        evict(&mut inner, now);
    }

    /// A run's status, if it is known.
    pub fn get(&self, id: &str) -> Option<RunStatus> {
        let mut inner = self.lock();
        evict(&mut inner, Instant::now());
        inner.runs.get(id).map(|entry| entry.status.clone())
    }
}

/// Drops ended results older than [`RESULT_TTL`], and the oldest beyond [`RESULTS_KEPT`].
fn evict(inner: &mut Inner, now: Instant) {
    while let Some(id) = inner.ended.front() {
        let expired = inner
            .runs
            .get(id)
            .and_then(|entry| entry.ended)
            .is_none_or(|ended| now.duration_since(ended) >= RESULT_TTL);
        if !expired && inner.ended.len() <= RESULTS_KEPT {
            break;
        }
        if let Some(id) = inner.ended.pop_front() {
            inner.runs.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome() -> RunOutcome {
        RunOutcome {
            verdict: "finished".into(),
            exit_code: 0,
            stdout: Some(String::new()),
            stdout_base64: None,
            stderr: Some(String::new()),
            stderr_base64: None,
            value: serde_json::Value::Null,
            report: serde_json::json!({}),
        }
    }

    #[test]
    fn store_follows_a_run_to_its_result() {
        let store = Store::default();
        let id = store.insert().id;
        assert_eq!(store.get(&id).map(|s| s.state), Some(RunState::Queued));
        store.start(&id);
        assert_eq!(store.get(&id).map(|s| s.state), Some(RunState::Running));
        store.finish(&id, Ok(outcome()));
        let status = store.get(&id).expect("kept");
        assert_eq!(status.state, RunState::Done);
        assert_eq!(status.outcome, Some(outcome()));
        assert!(store.get("no-such-id").is_none());
    }

    #[test]
    fn store_keeps_a_bounded_number_of_results() {
        let store = Store::default();
        let first = store.insert().id;
        store.finish(&first, Err("failed".into()));
        for _ in 0..RESULTS_KEPT {
            let id = store.insert().id;
            store.finish(&id, Ok(outcome()));
        }
        assert!(store.get(&first).is_none(), "the oldest result goes first");
        assert_eq!(store.lock().runs.len(), RESULTS_KEPT);
    }
}
