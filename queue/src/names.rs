//! The Redis keys and the consumer group a deployment shares.

/// The stream and consumer group of one deployment, and the keys derived from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The stream jobs are added to (`--stream`, default `repy:jobs`).
    pub stream: String,
    /// The consumer group every worker reads through (`--group`, default `repy-workers`).
    pub group: String,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            stream: "repy:jobs".to_owned(),
            group: "repy-workers".to_owned(),
        }
    }
}

/// The key of job `id`'s result.
pub(crate) fn result_key(id: &str) -> String {
    format!("repy:result:{id}")
}

/// The key of a new reply list for one submission.
pub(crate) fn new_reply_key() -> String {
    format!("repy:reply:{}", uuid::Uuid::new_v4())
}

/// The stream entry's fields.
pub(crate) mod field {
    /// The job's id.
    pub const ID: &str = "id";
    /// The job document, JSON text.
    pub const JOB: &str = "job";
    /// The reply list to push the id to once the job has a result (absent: no one waits).
    pub const REPLY: &str = "reply";
}

/// How long a reply list lives after its last push, in seconds (a submitter that gave up
/// leaves nothing behind for long).
pub(crate) const REPLY_TTL_SECONDS: i64 = 24 * 60 * 60;
