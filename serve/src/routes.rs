//! The routes: each handler turns a request into work for the executor, or an answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::watch;

use crate::api::{ErrorBody, Health, RunMode, RunOutcome, RunRequest, RunStatus};
use crate::auth::{self, Tokens};
use crate::error::ApiError;
use crate::executor::{ExecError, Executor, JobRequest};
use crate::limits::{Admission, Ticket};
use crate::metrics::Metrics;
use crate::policy::Policies;
use crate::store::Store;

/// What every handler shares.
pub struct AppState {
    /// The ceiling and the named policies.
    pub policies: Policies,
    /// What runs the jobs.
    pub executor: Arc<dyn Executor>,
    /// Run slots and the queue.
    pub admission: Admission,
    /// The metrics.
    pub metrics: Metrics,
    /// The asynchronous runs.
    pub store: Store,
    /// The longest body accepted, in bytes.
    pub max_body: usize,
    /// Set once the server is shutting down: new runs are refused.
    pub draining: AtomicBool,
    /// Turns true when the grace period is over: every run still going is killed.
    pub kill: watch::Receiver<bool>,
}

/// `?wait=false` queues the run and answers at once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunQuery {
    /// Whether to wait for the outcome (default true).
    #[serde(default = "yes")]
    pub wait: bool,
}

fn yes() -> bool {
    true
}

/// The router: the API, behind the tokens where it must be.
pub fn router(state: Arc<AppState>, tokens: Option<Tokens>) -> Router {
    let guarded = Router::new()
        .route("/v1/runs", post(create_run))
        .route("/v1/runs/{id}", get(get_run))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(tokens, auth::require_token));
    Router::new()
        .merge(guarded)
        .route("/v1/health", get(health))
        .route("/v1/openapi.json", get(openapi))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(state.max_body))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            count_responses,
        ))
        .with_state(state)
}

/// Counts every answer by its status code.
async fn count_responses(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    state
        .metrics
        .responses
        .with_label_values(&[response.status().as_str()])
        .inc();
    response
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Runs a program.
#[utoipa::path(
    post,
    tag = "runs",
    path = "/v1/runs",
    request_body = RunRequest,
    params(("wait" = Option<bool>, Query, description = "false: queue the run and answer 202 with its id at once (default true: answer its outcome)")),
    responses(
        (status = 200, description = "The run ended; its verdict, whatever it is, is in the body", body = RunOutcome),
        (status = 202, description = "`?wait=false`: the run is queued; follow `Location`", body = RunStatus),
        (status = 400, description = "The body is not JSON, or not a JSON object of the documented shape", body = ErrorBody),
        (status = 401, description = "No `Authorization: Bearer` header, or a malformed one", body = ErrorBody),
        (status = 403, description = "A token the server does not know", body = ErrorBody),
        (status = 413, description = "The body is longer than `--max-body`", body = ErrorBody),
        (status = 422, description = "Well-formed, but cannot run: bad restrictions (with line:column), another profile, no program, a call without its function", body = ErrorBody),
        (status = 429, description = "Every slot is busy and the queue is full; retry after `Retry-After` seconds", body = ErrorBody),
        (status = 500, description = "The server could not run the job", body = ErrorBody),
        (status = 503, description = "The server is shutting down", body = ErrorBody),
        (status = 504, description = "The run outlived the server's deadline and was killed", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_run(
    State(state): State<Arc<AppState>>,
    query: Result<Query<RunQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if state.draining.load(Ordering::SeqCst) {
        return Err(ApiError::ShuttingDown);
    }
    let Query(query) = query.map_err(|err| ApiError::Malformed(err.body_text()))?;
    let body = body.map_err(|err| {
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge {
                limit: state.max_body,
            }
        } else {
            ApiError::Malformed(err.body_text())
        }
    })?;
    let request: RunRequest =
        serde_json::from_slice(&body).map_err(|err| match err.classify() {
            serde_json::error::Category::Data => ApiError::Unprocessable {
                message: err.to_string(),
                key: None,
            },
            _ => ApiError::Malformed(err.to_string()),
        })?;
    let job = job_request(&state.policies, request)?;
    let ticket = state.admission.admit().map_err(|_| ApiError::Busy {
        retry_after: Duration::from_secs(1),
    })?;
    update_gauges(&state);
    if query.wait {
        let outcome = execute(&state, ticket, job).await?;
        Ok(Json(outcome).into_response())
    } else {
        let status = state.store.insert();
        let id = status.id.clone();
        let task_state = Arc::clone(&state);
        tokio::spawn(async move {
            let result = execute_tracked(&task_state, ticket, job, &id).await;
            task_state
                .store
                .finish(&id, result.map_err(|err| err.to_string()));
        });
        let location = format!("/v1/runs/{}", status.id);
        Ok((
            StatusCode::ACCEPTED,
            [(header::LOCATION, location)],
            Json(status),
        )
            .into_response())
    }
}

/// Runs an admitted job once it has a slot, marking it running in the store.
async fn execute_tracked(
    state: &AppState,
    ticket: Ticket,
    job: JobRequest,
    id: &str,
) -> Result<RunOutcome, ApiError> {
    let permit = ticket.slot().await;
    state.store.start(id);
    run_with_slot(state, permit, job).await
}

/// Runs an admitted job once it has a slot.
async fn execute(
    state: &AppState,
    ticket: Ticket,
    job: JobRequest,
) -> Result<RunOutcome, ApiError> {
    let permit = ticket.slot().await;
    run_with_slot(state, permit, job).await
}

/// Runs a job in its slot, ending it if the server's grace period runs out.
async fn run_with_slot(
    state: &AppState,
    permit: tokio::sync::OwnedSemaphorePermit,
    job: JobRequest,
) -> Result<RunOutcome, ApiError> {
    update_gauges(state);
    let started = Instant::now();
    let mut kill = state.kill.clone();
    let policy_label = job.policy_label.clone();
    let result = tokio::select! {
        result = state.executor.run(job) => Some(result),
        _ = kill.wait_for(|kill| *kill) => None,
    };
    state
        .metrics
        .latency
        .observe(started.elapsed().as_secs_f64());
    drop(permit);
    update_gauges(state);
    match result {
        None => {
            state
                .metrics
                .failures
                .with_label_values(&["shutdown"])
                .inc();
            Err(ApiError::ShuttingDown)
        }
        Some(Ok(mut outcome)) => {
            state
                .metrics
                .runs
                .with_label_values(&[outcome.verdict.as_str()])
                .inc();
            // The executor's report names the file its run read the policy from and a cold
            // run's temporary vessel, both scratch files of the server's, gone with the run:
            // the caller is told what it asked for instead, and no path of the server's.
            if let Some(report) = outcome.report.as_object_mut() {
                report.insert(
                    "restrictions".into(),
                    serde_json::Value::String(policy_label),
                );
                report.remove("vessel");
            }
            Ok(outcome)
        }
        Some(Err(err)) => {
            let (reason, answer) = match &err {
                ExecError::Deadline(_) => ("deadline", ApiError::DeadlinePassed),
                ExecError::Refused(message) => (
                    "refused",
                    ApiError::Unprocessable {
                        message: message.clone(),
                        key: None,
                    },
                ),
                ExecError::ResultTooLong(_) => ("result-too-long", ApiError::Internal),
                ExecError::Spawn { .. } | ExecError::Io(_) | ExecError::Failed { .. } => {
                    ("executor", ApiError::Internal)
                }
            };
            if !matches!(err, ExecError::Refused(_)) {
                eprintln!("repy serve: a run failed: {err}");
            }
            state.metrics.failures.with_label_values(&[reason]).inc();
            Err(answer)
        }
    }
}

/// Refreshes the queue and in-flight gauges.
fn update_gauges(state: &AppState) {
    let depth = i64::try_from(state.admission.queued()).unwrap_or(i64::MAX);
    let running = i64::try_from(state.admission.in_flight()).unwrap_or(i64::MAX);
    state.metrics.queue_depth.set(depth);
    state.metrics.in_flight.set(running);
}

/// A request checked and made into a job: its program, its clamped policy, its mode.
pub fn job_request(policies: &Policies, request: RunRequest) -> Result<JobRequest, ApiError> {
    let policy = policies.resolve(request.restrictions.as_ref(), request.profile.as_deref())?;
    let policy_label = Policies::label(request.restrictions.as_ref());
    let mut files = request.files;
    let source = match (request.source, request.main) {
        (Some(source), None) => source,
        (Some(_), Some(_)) => {
            return Err(ApiError::unprocessable(
                "main",
                "main: names the program among `files`; with `source`, leave it out",
            ))
        }
        (None, main) => {
            let main = main.unwrap_or_else(|| MAIN_DEFAULT.to_owned());
            files.remove(&main).ok_or_else(|| {
                ApiError::unprocessable(
                    "source",
                    format!(
                        "source: no program: give `source`, or `files` with the program \
                         named \"{main}\" (or the name `main` gives)"
                    ),
                )
            })?
        }
    };
    for name in files.keys() {
        if !is_plain_name(name) {
            return Err(ApiError::unprocessable(
                "files",
                format!("files: \"{name}\": a plain file name is needed (no `/`, not `.` or `..`)"),
            ));
        }
    }
    let calls =
        request.function.is_some() || !request.args.is_empty() || !request.kwargs.is_empty();
    if request.mode != RunMode::Call && calls {
        return Err(ApiError::unprocessable(
            "function",
            "function: `function`, `args` and `kwargs` belong to `\"mode\": \"call\"`",
        ));
    }
    if request.mode == RunMode::Call && request.function.is_none() {
        return Err(ApiError::unprocessable(
            "function",
            "function: a call names its `function`",
        ));
    }
    if request.stdin.is_some() && policy.profile() != restrictions::Profile::Python {
        return Err(ApiError::unprocessable(
            "stdin",
            format!(
                "stdin: only the python profile reads standard input; the server's profile is `{}`",
                policy.profile()
            ),
        ));
    }
    Ok(JobRequest {
        source,
        policy,
        policy_label,
        mode: request.mode,
        function: request.function,
        args: request.args,
        kwargs: request.kwargs,
        stdin: request.stdin,
        argv: request.argv,
        files: files
            .into_iter()
            .map(|(name, content)| (name, content.into_bytes()))
            .collect(),
    })
}

/// The program among `files` when the request does not say.
pub const MAIN_DEFAULT: &str = "main.py";

/// A name of a file directly in the vessel.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0'])
}

/// An asynchronous run's status and, once it ended, its outcome.
#[utoipa::path(
    get,
    tag = "runs",
    path = "/v1/runs/{id}",
    params(("id" = String, Path, description = "The id `POST /v1/runs?wait=false` answered")),
    responses(
        (status = 200, description = "The run's state, and its outcome once `done`", body = RunStatus),
        (status = 401, description = "No `Authorization: Bearer` header, or a malformed one", body = ErrorBody),
        (status = 403, description = "A token the server does not know", body = ErrorBody),
        (status = 404, description = "No such run on this instance (never, or its result was dropped)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_run(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<RunStatus>, ApiError> {
    state.store.get(&id).map(Json).ok_or(ApiError::NoSuchRun)
}

/// Whether the server takes runs.
#[utoipa::path(
    get,
    tag = "service",
    path = "/v1/health",
    responses(
        (status = 200, description = "The server takes runs", body = Health),
        (status = 503, description = "The server is shutting down", body = Health),
    )
)]
pub async fn health(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Health>) {
    let draining = state.draining.load(Ordering::SeqCst);
    let health = Health {
        status: if draining { "draining" } else { "ok" }.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        profile: state.policies.ceiling().profile().key().to_owned(),
        policies: state.policies.names().map(str::to_owned).collect(),
    };
    let status = if draining {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (status, Json(health))
}

/// The metrics, in Prometheus' text format.
#[utoipa::path(
    get,
    tag = "service",
    path = "/metrics",
    responses(
        (status = 200, description = "Prometheus text format (version 0.0.4)", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "No `Authorization: Bearer` header, or a malformed one", body = ErrorBody),
        (status = 403, description = "A token the server does not know", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    update_gauges(&state);
    let size = i64::try_from(state.executor.pool_size()).unwrap_or(i64::MAX);
    state.metrics.pool_size.set(size);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// This document.
#[utoipa::path(
    get,
    tag = "service",
    path = "/v1/openapi.json",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object))
)]
pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::json(),
    )
}
