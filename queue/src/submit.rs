//! `repy submit`: adds jobs to the stream and, if asked, waits for their results.
//!
//! A waiting submission names a reply list of its own in each entry (`repy:reply:<uuid>`);
//! workers push each settled job's id there, and the submitter blocks on `BLPOP` until every
//! id has come or the timeout passes, then reads the results (`repy:result:<id>`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use redis::Connection;
use serde_json::{Map, Value};

use crate::names::{new_reply_key, result_key, Names};
use crate::store::entry_fields;
use crate::QueueError;

/// What a submission gave back.
#[derive(Debug, Default)]
pub struct Submission {
    /// The jobs' ids, in submission order.
    pub ids: Vec<String>,
    /// With a wait: each job's result document (one JSON line), in submission order, or
    /// `None` for a job whose result did not come in time.
    pub results: Vec<Option<String>>,
}

/// Adds `jobs` (each with a string `id`, see [`crate::jobs_from_text`]) to the stream; with
/// `wait`, waits up to that long for all their results.
pub fn submit(
    url: &str,
    names: &Names,
    jobs: &[Map<String, Value>],
    wait: Option<Duration>,
) -> Result<Submission, QueueError> {
    let fail = |err| QueueError::redis(url, err);
    let client = redis::Client::open(url).map_err(fail)?;
    let mut con = client.get_connection().map_err(fail)?;
    let reply = wait.map(|_| new_reply_key());
    let mut ids = Vec::with_capacity(jobs.len());
    let mut pipe = redis::pipe();
    for job in jobs {
        let id = job
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let text = Value::Object(job.clone()).to_string();
        pipe.cmd("XADD")
            .arg(&names.stream)
            .arg("*")
            .arg(entry_fields(&id, &text, reply.as_deref()))
            .ignore();
        ids.push(id);
    }
    pipe.query::<()>(&mut con).map_err(fail)?;
    let (Some(timeout), Some(reply)) = (wait, reply) else {
        return Ok(Submission {
            ids,
            results: Vec::new(),
        });
    };
    let results = wait_for(&mut con, &reply, &ids, timeout).map_err(fail)?;
    Ok(Submission { ids, results })
}

/// Waits on the reply list until every id of `ids` has come or `timeout` has passed, then
/// reads the results.
fn wait_for(
    con: &mut Connection,
    reply: &str,
    ids: &[String],
    timeout: Duration,
) -> redis::RedisResult<Vec<Option<String>>> {
    // How many notifications each id still expects (an id submitted twice gets two).
    let mut outstanding: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        *outstanding.entry(id.as_str()).or_default() += 1;
    }
    let deadline = Instant::now() + timeout;
    while !outstanding.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        // BLPOP's timeout is in seconds; 0 would mean forever.
        let seconds = left.as_secs_f64().max(0.01);
        let popped: Option<(String, String)> =
            redis::cmd("BLPOP").arg(reply).arg(seconds).query(con)?;
        let Some((_, id)) = popped else { break };
        if let Some(count) = outstanding.get_mut(id.as_str()) {
            *count -= 1;
            if *count == 0 {
                outstanding.remove(id.as_str());
            }
        }
    }
    redis::cmd("DEL").arg(reply).query::<()>(con)?;
    let keys: Vec<String> = ids.iter().map(|id| result_key(id)).collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    redis::cmd("MGET").arg(&keys).query(con)
}
