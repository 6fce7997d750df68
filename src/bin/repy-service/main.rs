//! `repy-service`: `repy serve`, `repy worker` and `repy submit` (`repy` hands these commands
//! to this binary, installed beside it; see src/service.rs for why they live apart). Each
//! run or job is a `repy job` process of the `repy` binary beside this one.

mod queue_cmd;
mod serve_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nanny::exit::ExitStatus;

/// repy's services: an HTTP executor, and queue workers on Redis.
#[derive(Debug, Parser)]
#[command(
    name = "repy",
    bin_name = "repy",
    version,
    after_help = "Exit codes are listed in docs/exit-codes.md."
)]
pub struct ServiceCli {
    #[command(subcommand)]
    command: ServiceCommand,
}

/// The service commands.
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Serve runs over HTTP: `POST /v1/runs` runs a program in a sandbox, clamped to the
    /// ceiling policy (docs/service.md).
    Serve(serve_cmd::ServeArgs),
    /// Take jobs from a Redis stream through a consumer group and run each one with
    /// `repy job`, storing each result once (docs/deploy.md). SIGTERM or SIGINT: stop taking
    /// jobs, finish the running ones, exit 0.
    Worker(queue_cmd::WorkerArgs),
    /// Add jobs to a Redis stream for `repy worker`s; with --wait, print their results.
    Submit(queue_cmd::SubmitArgs),
}

/// The `repy` binary beside this one, which runs each job (`repy job`).
pub fn repy_binary() -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .ok_or_else(|| std::io::Error::other("the running binary has no directory"))?;
    Ok(dir.join("repy"))
}

fn main() -> ExitCode {
    let cli = match ServiceCli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let usage = err.use_stderr();
            let _ = err.print();
            return if usage {
                ExitStatus::Usage.into()
            } else {
                ExitStatus::Finished.into()
            };
        }
    };
    match cli.command {
        ServiceCommand::Serve(args) => ExitCode::from(serve_cmd::serve(args)),
        ServiceCommand::Worker(args) => queue_cmd::worker(args).into(),
        ServiceCommand::Submit(args) => queue_cmd::submit(args).into(),
    }
}
