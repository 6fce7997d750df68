//! `repy serve`: an HTTP service that runs untrusted Python programs for its callers. A
//! request (JSON: the program, its mode, its inputs, its restrictions) is clamped to the
//! server's ceiling policy, admitted (a bounded number at once, a bounded queue), run by an
//! [`Executor`] in another process, and answered with its verdict, output, value and report.
//! docs/service.md describes the service; docs/service.openapi.json is its API.
//!
//! This crate may depend on `restrictions` only among repy's crates (.ci/check-deps): it
//! never runs a program itself. The engine forks and wants a single-threaded caller, so the
//! executor runs each job elsewhere: [`PoolExecutor`] in a fork of a ready interpreter of its
//! warm pool (`repy pool` processes), or [`ProcessExecutor`] in a `repy job` process of its
//! own.
//!
//! One job per module: `api` (the documents), `routes` (the handlers), `auth` (tokens),
//! `limits` (slots and queue), `policy` (the ceiling and clamping), `executor`, `pool` (warm
//! runs), `store`
//! (asynchronous results), `metrics`, `openapi`, `error` (every refusal and its status),
//! `server` (start and shutdown).

pub mod api;
pub mod auth;
pub mod error;
pub mod executor;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod policy;
pub mod pool;
mod pool_host;
pub mod routes;
pub mod server;
pub mod store;

pub use auth::{Tokens, TokensError};
pub use executor::{ExecError, Executor, JobRequest, ProcessExecutor, RunFuture};
pub use policy::{Policies, PolicyConfigError};
pub use pool::PoolExecutor;
pub use server::{run, Config, ExecutorContext, ServeError, KILL_MARGIN};
