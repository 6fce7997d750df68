//! Queue workers on Redis: `repy worker` takes jobs from a Redis Stream through a consumer
//! group and runs each one in a separate process (`repy job`), and `repy submit` enqueues
//! jobs and waits for their results. Redis does the queueing: a stream, a consumer group,
//! pending-entry lists, XAUTOCLAIM; nothing here is a home-made queue.
//!
//! The keys (all names configurable through [`Names`]):
//!
//! * the stream (`repy:jobs`), one entry per job with the fields `id` (the job's id), `job`
//!   (the job document, JSON text) and, when its submitter waits, `reply` (a list key);
//! * the consumer group (`repy-workers`) that every worker reads through;
//! * `repy:result:<id>`: the job's result document, written once (`SET NX`);
//! * the `reply` list of a submission: each worker pushes the id of every job of that
//!   submission it settled (`LPUSH`), so `repy submit --wait` blocks on `BLPOP` instead of
//!   polling; the list expires a day after its last push.
//!
//! A worker treats job and result documents as opaque JSON, reading only their `id` and
//! `kind`; what a job means is `repy job`'s business (the caller names the program to spawn).
//!
//! Dependencies: no internal crate (the arrow is enforced by `.ci/check-deps`); the `repy`
//! binary depends on this crate, never the reverse.

mod entry;
mod error;
mod inflight;
mod jobs;
mod names;
mod runner;
mod signals;
mod store;
mod submit;
mod worker;

pub use error::QueueError;
pub use jobs::{job_from_program, jobs_from_text};
pub use names::Names;
pub use runner::Runner;
pub use signals::stop_on_signals;
pub use submit::{submit, Submission};
pub use worker::{default_consumer, Worker};
