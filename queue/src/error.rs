//! The queue's errors.

/// What went wrong talking to Redis or reading job documents.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Redis could not be reached, or refused a command.
    #[error("redis at {url}: {source}")]
    Redis {
        /// The URL given with `--redis` (its password, if any, hidden).
        url: String,
        /// What the client said.
        #[source]
        source: redis::RedisError,
    },
    /// A job file is not JSON, or holds something other than job objects.
    #[error("{source_name}: {message}")]
    BadJob {
        /// The file (`-` for standard input).
        source_name: String,
        /// What is wrong, with its line and column where there are some.
        message: String,
    },
    /// A job file or program file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The signal handlers could not be installed.
    #[error("cannot install the SIGTERM/SIGINT handlers: {0}")]
    Signals(#[source] std::io::Error),
    /// A worker thread could not be started.
    #[error("cannot start a worker thread: {0}")]
    Thread(#[source] std::io::Error),
}

impl QueueError {
    /// Wraps a Redis error with the URL it came from.
    pub(crate) fn redis(url: &str, source: redis::RedisError) -> QueueError {
        QueueError::Redis {
            url: redact(url),
            source,
        }
    }
}

/// `url` with the password, if any, replaced by `***`, for messages and logs.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
        assert_eq!(
            redact("redis://me:secret@host:6379/0"),
            "redis://me:***@host:6379/0"
        );
        assert_eq!(redact("unix:///run/redis.sock"), "unix:///run/redis.sock");
    }
}
