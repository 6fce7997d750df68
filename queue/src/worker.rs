//! `repy worker`: threads that take jobs from the stream through the consumer group, run
//! each with the [`Runner`], and settle it ([`crate::store`]).
//!
//! Each thread, in a loop until the stop flag is set:
//!
//! 1. now and then (every half `claim_after`), `XAUTOCLAIM` one entry idle longer than
//!    `claim_after`: a pending entry of a worker that died. Its delivery count (`XPENDING`)
//!    tells a job that has already been delivered more than `max_deliveries` times, whose
//!    workers all died: it gets an error result instead of another run (a poison message);
//! 2. else `XREADGROUP … BLOCK 1000 COUNT 1 >`: a new entry, or nothing after a second (so a
//!    stop request is seen within a second);
//! 3. an entry with no job id is acknowledged with no result; one whose job is not a JSON
//!    object gets an error result; one whose id already has a result is acknowledged without
//!    running again; any other runs, and its result is stored once, with the
//!    acknowledgement, in one transaction.
//!
//! Beside them one thread claims the running entries again for this consumer (see
//! [`crate::inflight`]). A Redis error is logged and the thread reconnects after a second;
//! an entry it was settling stays pending and is claimed again later.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamId, StreamPendingCountReply,
    StreamReadOptions, StreamReadReply,
};
use redis::{Commands as _, Connection};
use serde_json::Value;

use crate::entry::{error_result, Entry};
use crate::inflight::InFlight;
use crate::names::Names;
use crate::runner::{Finished, Runner};
use crate::store::{has_result, settle, Stored};
use crate::QueueError;

/// A worker's configuration.
#[derive(Debug, Clone)]
pub struct Worker {
    /// The Redis URL (`redis://host:port/db`, `unix:///path`).
    pub url: String,
    /// The stream and the consumer group.
    pub names: Names,
    /// This worker's name in the group (unique among live workers).
    pub consumer: String,
    /// How many jobs run at once.
    pub concurrency: usize,
    /// How long an entry must have been idle before another worker takes it over.
    pub claim_after: Duration,
    /// How many deliveries a job gets before it ends with an error result.
    pub max_deliveries: usize,
    /// How each job runs.
    pub runner: Runner,
}

/// What a worker did before it stopped.
#[derive(Debug, Default)]
pub struct Counts {
    /// Jobs run to a result (an error result included).
    pub ran: AtomicU64,
    /// Results dropped because the job already had one.
    pub duplicates: AtomicU64,
    /// Entries settled without running: malformed, already done, or poison.
    pub skipped: AtomicU64,
}

/// What the worker threads share.
struct Shared {
    in_flight: InFlight,
    counts: Counts,
}

/// `hostname-pid`, the default consumer name.
pub fn default_consumer() -> String {
    let host = nix::unistd::gethostname()
        .ok()
        .and_then(|name| name.into_string().ok())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}-{}", std::process::id())
}

/// Writes one log line on standard error.
macro_rules! log {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "repy worker: {}", format_args!($($arg)*));
    }};
}

impl Worker {
    /// Runs until `stop` is set, then lets the running jobs finish; returns what it did.
    /// Fails only if Redis cannot be reached at the start or a thread cannot be started.
    pub fn run(&self, stop: Arc<AtomicBool>) -> Result<Counts, QueueError> {
        let client =
            redis::Client::open(self.url.as_str()).map_err(|e| QueueError::redis(&self.url, e))?;
        let mut con = client
            .get_connection()
            .map_err(|e| QueueError::redis(&self.url, e))?;
        self.ensure_group(&mut con)
            .map_err(|e| QueueError::redis(&self.url, e))?;
        log!(
            "consumer {} on {} (stream {}, group {}): {} at a time",
            self.consumer,
            crate::error::redact(&self.url),
            self.names.stream,
            self.names.group,
            self.concurrency
        );
        let shared = Shared {
            in_flight: InFlight::default(),
            counts: Counts::default(),
        };
        let workers_done = AtomicBool::new(false);
        std::thread::scope(|scope| -> Result<(), QueueError> {
            let mut threads = Vec::new();
            for n in 0..self.concurrency.max(1) {
                let (client, shared, stop) = (&client, &shared, &stop);
                let thread = std::thread::Builder::new()
                    .name(format!("repy-worker-{n}"))
                    .spawn_scoped(scope, move || self.work(client, shared, stop));
                match thread {
                    Ok(thread) => threads.push(thread),
                    Err(err) => {
                        stop.store(true, Ordering::SeqCst);
                        return Err(QueueError::Thread(err));
                    }
                }
            }
            let keeper = std::thread::Builder::new()
                .name("repy-worker-keep".to_owned())
                .spawn_scoped(scope, || self.keep(&client, &shared, &workers_done))
                .map_err(QueueError::Thread);
            for thread in threads {
                let _ = thread.join();
            }
            workers_done.store(true, Ordering::SeqCst);
            if let Ok(keeper) = keeper {
                let _ = keeper.join();
            }
            Ok(())
        })?;
        let counts = shared.counts;
        log!(
            "stopped: {} jobs run, {} of their results dropped as duplicates, {} entries settled \
             without running (already done, malformed or poison)",
            counts.ran.load(Ordering::SeqCst),
            counts.duplicates.load(Ordering::SeqCst),
            counts.skipped.load(Ordering::SeqCst)
        );
        Ok(counts)
    }

    /// `XGROUP CREATE stream group 0 MKSTREAM`; a group that exists is fine. From `0`, so
    /// jobs added before the first worker started are taken too.
    fn ensure_group(&self, con: &mut Connection) -> redis::RedisResult<()> {
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.names.stream)
            .arg(&self.names.group)
            .arg("0")
            .arg("MKSTREAM")
            .query(con);
        match created {
            Err(err) if err.code() == Some("BUSYGROUP") => Ok(()),
            other => other,
        }
    }

    /// One worker thread.
    fn work(&self, client: &redis::Client, shared: &Shared, stop: &AtomicBool) {
        let mut con: Option<Connection> = None;
        let mut next_claim = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            let Some(live) = con.as_mut() else {
                match client.get_connection() {
                    Ok(new) => con = Some(new),
                    Err(err) => {
                        log!("cannot reach redis: {err}; trying again in 1 s");
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
                continue;
            };
            if let Err(err) = self.step(live, &mut next_claim, shared) {
                log!("redis error: {err}; reconnecting in 1 s");
                if err.code() == Some("NOGROUP") {
                    let _ = self.ensure_group(live);
                }
                con = None;
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }

    /// Takes one entry (a claimed one first) and settles it.
    fn step(
        &self,
        con: &mut Connection,
        next_claim: &mut Instant,
        shared: &Shared,
    ) -> redis::RedisResult<()> {
        if Instant::now() >= *next_claim {
            if let Some(raw) = self.claim_one(con)? {
                return self.handle(con, &raw, true, shared);
            }
            *next_claim = Instant::now() + claim_check_period(self.claim_after);
        }
        let options = StreamReadOptions::default()
            .group(&self.names.group, &self.consumer)
            .count(1)
            .block(1000);
        let reply: Option<StreamReadReply> =
            con.xread_options(&[&self.names.stream], &[">"], &options)?;
        let entries = reply.into_iter().flat_map(|reply| reply.keys);
        for raw in entries.flat_map(|key| key.ids) {
            self.handle(con, &raw, false, shared)?;
        }
        Ok(())
    }

    /// Claims one entry idle for longer than `claim_after`, if there is one.
    fn claim_one(&self, con: &mut Connection) -> redis::RedisResult<Option<StreamId>> {
        let idle = u64::try_from(self.claim_after.as_millis()).unwrap_or(u64::MAX);
        let reply: StreamAutoClaimReply = con.xautoclaim_options(
            &self.names.stream,
            &self.names.group,
            &self.consumer,
            idle,
            "0-0",
            StreamAutoClaimOptions::default().count(1),
        )?;
        Ok(reply.claimed.into_iter().next())
    }

    /// How many times entry `stream_id` has been delivered (by XREADGROUP and XAUTOCLAIM).
    fn deliveries(&self, con: &mut Connection, stream_id: &str) -> redis::RedisResult<usize> {
        let pending: StreamPendingCountReply = con.xpending_count(
            &self.names.stream,
            &self.names.group,
            stream_id,
            stream_id,
            1,
        )?;
        Ok(pending.ids.first().map_or(1, |p| p.times_delivered))
    }

    /// Settles one entry: skips, refuses or runs it; see the module's documentation.
    fn handle(
        &self,
        con: &mut Connection,
        raw: &StreamId,
        claimed: bool,
        shared: &Shared,
    ) -> redis::RedisResult<()> {
        let entry = Entry::parse(raw);
        let deliveries = if claimed {
            self.deliveries(con, &entry.stream_id)?
        } else {
            1
        };
        let at = format!("entry {}, delivery {deliveries}", entry.stream_id);
        let reply = entry.reply.as_deref();
        let Some(id) = entry.job_id.as_deref() else {
            let reason = entry.job.as_ref().err().map_or("no id", String::as_str);
            settle(con, &self.names, &entry.stream_id, None, None, reply)?;
            shared.counts.skipped.fetch_add(1, Ordering::SeqCst);
            log!("{at}: acknowledged without a result, it has no job id ({reason})");
            return Ok(());
        };
        let refusal = if deliveries > self.max_deliveries {
            Some(format!(
                "the job was delivered {deliveries} times and no worker finished it (each one \
                 died or lost Redis while running it); it is not run again"
            ))
        } else {
            entry.job.as_ref().err().cloned()
        };
        if let Some(reason) = refusal {
            let result = error_result(id, &reason);
            let stored = settle(
                con,
                &self.names,
                &entry.stream_id,
                Some(id),
                Some(&result),
                reply,
            )?;
            shared.counts.skipped.fetch_add(1, Ordering::SeqCst);
            log!(
                "job {id} ({at}): error result, not run: {reason}{}",
                note(stored)
            );
            return Ok(());
        }
        if has_result(con, id)? {
            settle(con, &self.names, &entry.stream_id, Some(id), None, reply)?;
            shared.counts.skipped.fetch_add(1, Ordering::SeqCst);
            log!("job {id} ({at}): already has a result; acknowledged without running");
            return Ok(());
        }
        let mut document = entry.job.clone().unwrap_or_default();
        document
            .entry("id")
            .or_insert_with(|| Value::String(id.to_owned()));
        let started = Instant::now();
        shared.in_flight.insert(&entry.stream_id);
        let finished = self.runner.run(&Value::Object(document).to_string());
        shared.in_flight.remove(&entry.stream_id);
        let millis = started.elapsed().as_millis();
        let (result, summary) = match finished {
            Finished::Result(text) => match result_summary(&text, id) {
                Ok(summary) => (text, summary),
                Err(reason) => (error_result(id, &reason), format!("error: {reason}")),
            },
            Finished::Failed(reason) => (error_result(id, &reason), format!("error: {reason}")),
        };
        let stored = settle(
            con,
            &self.names,
            &entry.stream_id,
            Some(id),
            Some(&result),
            reply,
        )?;
        shared.counts.ran.fetch_add(1, Ordering::SeqCst);
        if stored == Stored::Duplicate {
            shared.counts.duplicates.fetch_add(1, Ordering::SeqCst);
        }
        log!(
            "job {id} ({}, {at}): {summary} in {millis} ms{}",
            entry.kind(),
            note(stored)
        );
        Ok(())
    }

    /// The keeper thread: claims the running entries again every third of `claim_after`.
    fn keep(&self, client: &redis::Client, shared: &Shared, workers_done: &AtomicBool) {
        let period = keep_period(self.claim_after);
        let mut con: Option<Connection> = None;
        let mut next = Instant::now() + period;
        while !workers_done.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50).min(period));
            if Instant::now() < next {
                continue;
            }
            next = Instant::now() + period;
            if con.is_none() {
                con = client.get_connection().ok();
            }
            if let Some(live) = con.as_mut() {
                if let Err(err) = shared.in_flight.keep(live, &self.names, &self.consumer) {
                    log!("cannot keep the running entries claimed: {err}");
                    con = None;
                }
            }
        }
    }
}

/// How often a thread looks for entries to claim: half the idle time that allows it.
fn claim_check_period(claim_after: Duration) -> Duration {
    (claim_after / 2).clamp(Duration::from_millis(100), Duration::from_secs(10))
}

/// How often the running entries are claimed again: well within the idle time that would
/// let another worker take them.
fn keep_period(claim_after: Duration) -> Duration {
    (claim_after / 3).clamp(Duration::from_millis(50), Duration::from_secs(20))
}

/// ` (duplicate: dropped)` for a result that was not stored.
fn note(stored: Stored) -> &'static str {
    match stored {
        Stored::First => "",
        Stored::Duplicate => " (the job already had a result: this one was dropped)",
    }
}

/// A short summary of a result for the log (its error, or its verdict), or why it is not a
/// result for job `id`.
fn result_summary(text: &str, id: &str) -> Result<String, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| err.to_string())?;
    match value.get("id").and_then(Value::as_str) {
        Some(got) if got == id => {}
        got => {
            return Err(format!(
                "the job process wrote a result for id {got:?}, not for {id:?}"
            ))
        }
    }
    if let Some(error) = value.get("error").and_then(Value::as_str) {
        return Ok(format!("error: {error}"));
    }
    let verdict = ["outcome", "top"]
        .iter()
        .find_map(|key| value.get(key)?.get("verdict")?.as_str());
    Ok(verdict.unwrap_or("done").to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_summary_names_the_verdict_or_the_error() {
        let run = r#"{"id": "j1", "kind": "run", "outcome": {"verdict": "finished"}}"#;
        assert_eq!(result_summary(run, "j1").unwrap(), "finished");
        let error = r#"{"id": "j1", "error": "bad kind"}"#;
        assert_eq!(result_summary(error, "j1").unwrap(), "error: bad kind");
        let grade = r#"{"id": "j1", "kind": "grade", "grade": {}}"#;
        assert_eq!(result_summary(grade, "j1").unwrap(), "done");
    }

    #[test]
    fn result_summary_refuses_a_result_for_another_job() {
        let other = r#"{"id": "j2", "outcome": {}}"#;
        assert!(result_summary(other, "j1").unwrap_err().contains("\"j2\""));
        assert!(result_summary(r#"{"outcome": {}}"#, "j1").is_err());
    }

    #[test]
    fn periods_stay_within_the_claim_time() {
        let claim_after = Duration::from_secs(60);
        assert!(keep_period(claim_after) < claim_after);
        assert!(claim_check_period(claim_after) < claim_after);
        assert!(keep_period(Duration::from_millis(1)) >= Duration::from_millis(50));
    }
}
