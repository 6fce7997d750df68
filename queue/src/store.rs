//! Settling a stream entry: its result stored once, the entry acknowledged and deleted, its
//! submitter told — in one MULTI/EXEC transaction, so an entry is never acknowledged without
//! its result, and a result never stored without the acknowledgement.

use redis::Connection;

use crate::names::{field, result_key, Names, REPLY_TTL_SECONDS};

/// How settling went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stored {
    /// This result is the job's result.
    First,
    /// The job already had a result (it ran twice, or its id was submitted twice); this one
    /// was dropped.
    Duplicate,
}

/// Stores `result` as job `id`'s result unless it has one, acknowledges and deletes the
/// entry `stream_id`, and pushes `id` to the `reply` list if there is one.
pub(crate) fn settle(
    con: &mut Connection,
    names: &Names,
    stream_id: &str,
    id: Option<&str>,
    result: Option<&str>,
    reply: Option<&str>,
) -> redis::RedisResult<Stored> {
    let mut pipe = redis::pipe();
    pipe.atomic();
    let stores = matches!((id, result), (Some(_), Some(_)));
    if let (Some(id), Some(result)) = (id, result) {
        pipe.cmd("SET").arg(result_key(id)).arg(result).arg("NX");
    }
    pipe.cmd("XACK")
        .arg(&names.stream)
        .arg(&names.group)
        .arg(stream_id)
        .ignore();
    pipe.cmd("XDEL").arg(&names.stream).arg(stream_id).ignore();
    if let (Some(id), Some(reply)) = (id, reply) {
        pipe.cmd("LPUSH").arg(reply).arg(id).ignore();
        pipe.cmd("EXPIRE")
            .arg(reply)
            .arg(REPLY_TTL_SECONDS)
            .ignore();
    }
    if stores {
        // SET NX answers OK when it set the key, nil when the key was there.
        let (set,): (Option<String>,) = pipe.query(con)?;
        Ok(if set.is_some() {
            Stored::First
        } else {
            Stored::Duplicate
        })
    } else {
        pipe.query::<()>(con)?;
        Ok(Stored::First)
    }
}

/// Whether job `id` already has a result.
pub(crate) fn has_result(con: &mut Connection, id: &str) -> redis::RedisResult<bool> {
    redis::cmd("EXISTS").arg(result_key(id)).query(con)
}

/// The fields of a new stream entry for job `id`.
pub(crate) fn entry_fields<'a>(
    id: &'a str,
    job: &'a str,
    reply: Option<&'a str>,
) -> Vec<(&'static str, &'a str)> {
    let mut fields = vec![(field::ID, id), (field::JOB, job)];
    if let Some(reply) = reply {
        fields.push((field::REPLY, reply));
    }
    fields
}
