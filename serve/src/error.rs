//! Every way a request can be refused or fail, and the HTTP answer each one gets
//! (the table in docs/service.md lists them).

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api::ErrorBody;

/// A request the server refuses, or could not serve.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No `Authorization` header, or one that is not `Bearer <token>`.
    #[error("authentication required: send `Authorization: Bearer <token>`")]
    Unauthenticated,
    /// A bearer token the server does not know.
    #[error("forbidden")]
    Forbidden,
    /// The body is longer than `--max-body`.
    #[error("the request body is longer than the server's limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body is not JSON, or not a JSON object of the right shape.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The body is well-formed JSON but asks for something that cannot run.
    #[error("{message}")]
    Unprocessable {
        /// What is wrong.
        message: String,
        /// The request's key it is about.
        key: Option<String>,
    },
    /// Every slot is busy and the queue is full.
    #[error("the server is busy: every slot runs and the queue is full; retry later")]
    Busy {
        /// When to retry.
        retry_after: Duration,
    },
    /// The server is shutting down.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// No asynchronous run has this id (never had, or its result was dropped).
    #[error("no such run (results are kept for a bounded time and count)")]
    NoSuchRun,
    /// No such route.
    #[error("not found")]
    NotFound,
    /// The run passed the server's deadline and was killed.
    #[error("the run did not end within the server's deadline and was killed")]
    DeadlinePassed,
    /// The server failed (the executor could not run the job); details go to the log only.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// A 422 about `key`.
    pub fn unprocessable(key: &str, message: impl Into<String>) -> ApiError {
        ApiError::Unprocessable {
            message: message.into(),
            key: Some(key.to_owned()),
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Busy { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NoSuchRun | ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::DeadlinePassed => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The answer's body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.to_string(),
            key: match self {
                ApiError::Unprocessable { key, .. } => key.clone(),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::Busy { retry_after } => {
                let seconds = retry_after.as_secs().max(1);
                if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                    headers.insert(header::RETRY_AFTER, value);
                }
            }
            _ => {}
        }
        // A refusal that may leave the request's body unread ends the connection, and says
        // so: a client that sent its next request on it would find it closed mid-answer.
        if matches!(
            self,
            ApiError::TooLarge { .. } | ApiError::Unauthenticated | ApiError::Forbidden
        ) {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
