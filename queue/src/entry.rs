//! A stream entry as a worker reads it: the job's id, its document and whom to tell.

use redis::streams::StreamId;
use serde_json::{Map, Value};

use crate::names::field;

/// One entry of the job stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The entry's stream id (`1700000000000-0`), what XACK and XCLAIM name.
    pub stream_id: String,
    /// The job's id: the entry's `id` field, else the document's `id`; `None` for an entry
    /// that carries neither (it can get no result).
    pub job_id: Option<String>,
    /// The job document, or why it is not one.
    pub job: Result<Map<String, Value>, String>,
    /// The reply list of the submission, if its submitter waits.
    pub reply: Option<String>,
}

impl Entry {
    /// Reads an entry; never fails: what is wrong with it is kept in [`Entry::job`].
    pub fn parse(raw: &StreamId) -> Entry {
        let text = |name: &str| raw.get::<String>(name);
        let job = match text(field::JOB) {
            None => Err(format!("the stream entry has no `{}` field", field::JOB)),
            Some(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => Ok(map),
                Ok(_) => Err("the job document is not a JSON object".to_owned()),
                Err(err) => Err(format!("the job document is not JSON: {err}")),
            },
        };
        let document_id = job
            .as_ref()
            .ok()
            .and_then(|map| map.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let job_id = text(field::ID).or(document_id).filter(|id| !id.is_empty());
        Entry {
            stream_id: raw.id.clone(),
            job_id,
            job,
            reply: text(field::REPLY).filter(|key| !key.is_empty()),
        }
    }

    /// The job's `kind`, for logs (`?` if it has none).
    pub fn kind(&self) -> &str {
        self.job
            .as_ref()
            .ok()
            .and_then(|map| map.get("kind"))
            .and_then(Value::as_str)
            .unwrap_or("?")
    }
}

/// An error result for job `id`: `{"id": ..., "error": ...}`, as `repy job` writes one.
pub(crate) fn error_result(id: &str, message: &str) -> String {
    serde_json::json!({ "id": id, "error": message }).to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use redis::Value as RedisValue;

    use super::*;

    fn raw(fields: &[(&str, &str)]) -> StreamId {
        let map: HashMap<String, RedisValue> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), RedisValue::BulkString(v.as_bytes().to_vec())))
            .collect();
        StreamId {
            id: "1-0".to_owned(),
            map,
            milliseconds_elapsed_from_delivery: None,
            delivered_count: None,
        }
    }

    #[test]
    fn entry_reads_its_id_job_and_reply() {
        let entry = Entry::parse(&raw(&[
            ("id", "j1"),
            ("job", r#"{"id": "j1", "kind": "run"}"#),
            ("reply", "repy:reply:x"),
        ]));
        assert_eq!(entry.stream_id, "1-0");
        assert_eq!(entry.job_id.as_deref(), Some("j1"));
        assert_eq!(entry.kind(), "run");
        assert_eq!(entry.reply.as_deref(), Some("repy:reply:x"));
    }

    #[test]
    fn entry_takes_the_documents_id_when_the_field_is_missing() {
        let entry = Entry::parse(&raw(&[("job", r#"{"id": "j2"}"#)]));
        assert_eq!(entry.job_id.as_deref(), Some("j2"));
        assert_eq!(entry.reply, None);
        assert_eq!(entry.kind(), "?");
    }

    #[test]
    fn entry_keeps_what_is_wrong_with_a_malformed_job() {
        let not_json = Entry::parse(&raw(&[("id", "j3"), ("job", "print(1)")]));
        assert_eq!(not_json.job_id.as_deref(), Some("j3"));
        assert!(not_json.job.unwrap_err().contains("not JSON"));
        let array = Entry::parse(&raw(&[("job", "[1]")]));
        assert_eq!(array.job_id, None);
        assert!(array.job.unwrap_err().contains("not a JSON object"));
        let empty = Entry::parse(&raw(&[]));
        assert_eq!(empty.job_id, None);
        assert!(empty.job.unwrap_err().contains("no `job` field"));
    }

    #[test]
    fn error_result_is_one_json_line() {
        let text = error_result("j\"1", "bad\nthing");
        assert!(!text.contains('\n'));
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["id"], "j\"1");
        assert_eq!(value["error"], "bad\nthing");
    }
}
