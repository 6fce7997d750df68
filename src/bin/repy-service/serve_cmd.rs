//! `repy serve`: its options, made into the `serve` crate's configuration. The policies are
//! validated here as a run validates them (`engine::load_restrictions`); each request's run
//! is a `repy job` process (this binary), spawned by `serve::ProcessExecutor`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use nanny::exit::ExitStatus;

/// The options of `repy serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on (`127.0.0.1:8080`; port 0 picks a free port, printed on
    /// standard error). Without --tokens, only a loopback address is accepted.
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,

    /// The ceiling policy: every request's restrictions are clamped to it (a request can only
    /// lower limits), and a request that gives none runs under it.
    #[arg(long, value_name = "CEILING.toml")]
    pub policy: PathBuf,

    /// A directory of named policies a request may pick with `{"name": "..."}`: each
    /// `NAME.toml` in it, clamped to the ceiling.
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,

    /// A named policy, NAME=FILE, clamped to the ceiling (repeat the option).
    #[arg(long = "policy-named", value_name = "NAME=FILE", value_parser = named_policy)]
    pub policy_named: Vec<(String, PathBuf)>,

    /// The bearer tokens accepted: one per line, at least 16 visible ASCII characters; `#`
    /// starts a comment. Without it the server listens on loopback only.
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,

    /// Runs at once (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Option<u32>,

    /// Requests waiting for a slot at most; past it, 429 with Retry-After (default: 4 per
    /// slot).
    #[arg(long, value_name = "N")]
    pub queue: Option<u32>,

    /// The longest request body, in bytes (default 10 MiB); longer ones get 413.
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_body: usize,

    /// The longest a run may take (`30s`, `2m`): each run's wall-time is at most this, and
    /// its processes are killed soon after.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    pub deadline: Duration,

    /// After SIGTERM or SIGINT, how long the runs going have to end before they are killed.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    pub grace: Duration,

    /// Run every request cold, in a `repy job` process of its own, instead of warm in a fork
    /// of one of the pool's ready interpreters (one per concurrent run).
    #[arg(long)]
    pub cold: bool,
}

/// `NAME=FILE`.
fn named_policy(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() => {
            Ok((name.to_owned(), PathBuf::from(file)))
        }
        _ => Err(format!("expected NAME=FILE, got \"{text}\"")),
    }
}

/// Why `repy serve` cannot start.
#[derive(Debug, thiserror::Error)]
enum ServeCmdError {
    #[error("{0}")]
    Policy(#[from] restrictions::PolicyError),
    #[error("--policies {path}: {source}")]
    PolicyDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("policy \"{0}\" is given twice")]
    DuplicateName(String),
    #[error(transparent)]
    Named(#[from] serve::PolicyConfigError),
    #[error(transparent)]
    Tokens(#[from] serve::TokensError),
    #[error("cannot find repy's own binary to run jobs with: {0}")]
    CurrentExe(#[source] std::io::Error),
}

/// `repy serve`: serves until SIGTERM or SIGINT; returns the exit code.
pub fn serve(args: ServeArgs) -> u8 {
    let config = match config(&args) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("repy serve: {err}");
            return match err {
                ServeCmdError::Policy(_) | ServeCmdError::Named(_) => ExitStatus::BadRestrictions,
                _ => ExitStatus::Usage,
            }
            .code();
        }
    };
    let program = match crate::repy_binary() {
        Ok(program) => program,
        Err(err) => {
            eprintln!("repy serve: {}", ServeCmdError::CurrentExe(err));
            return ExitStatus::Usage.code();
        }
    };
    let cold_only = args.cold;
    let result = serve::run(config, |context| {
        let cold = serve::ProcessExecutor::new(
            program.clone(),
            context.scratch.clone(),
            context.deadline + serve::KILL_MARGIN,
            context.concurrency,
        );
        if cold_only {
            return Arc::new(cold);
        }
        match serve::PoolExecutor::new(
            program,
            context.scratch,
            context.ceiling,
            context.deadline + serve::KILL_MARGIN,
            context.concurrency,
            cold.clone(),
        ) {
            Ok(pool) => Arc::new(pool),
            Err(err) => {
                eprintln!("repy serve: no warm pool ({err}): every request runs cold");
                Arc::new(cold)
            }
        }
    });
    match result {
        Ok(()) => ExitStatus::Finished.code(),
        Err(err) => {
            eprintln!("repy serve: {err}");
            ExitStatus::Usage.code()
        }
    }
}

/// The server's configuration from its options.
fn config(args: &ServeArgs) -> Result<serve::Config, ServeCmdError> {
    let ceiling = engine::load_restrictions(&args.policy)?;
    let mut named = BTreeMap::new();
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if let Some(dir) = &args.policies {
        files.extend(policy_dir(dir)?);
    }
    files.extend(args.policy_named.iter().cloned());
    for (name, file) in files {
        let policy = engine::load_restrictions(&file)?;
        if named.insert(name.clone(), policy).is_some() {
            return Err(ServeCmdError::DuplicateName(name));
        }
    }
    let policies = serve::Policies::new(ceiling, named, args.deadline)?;
    let tokens = args
        .tokens
        .as_deref()
        .map(serve::Tokens::load)
        .transpose()?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let concurrency = args.concurrency.map_or(cores, |n| n as usize);
    Ok(serve::Config {
        listen: args.listen,
        policies,
        tokens,
        concurrency,
        queue: args.queue.map_or(concurrency * 4, |n| n as usize),
        max_body: args.max_body,
        grace: args.grace,
        temp: std::env::temp_dir(),
    })
}

/// The `NAME.toml` files of a directory, by name.
fn policy_dir(dir: &Path) -> Result<Vec<(String, PathBuf)>, ServeCmdError> {
    let error = |source| ServeCmdError::PolicyDir {
        path: dir.display().to_string(),
        source,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(error)? {
        let path = entry.map_err(error)?.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            if let Some(name) = path.file_stem().and_then(|stem| stem.to_str()) {
                found.push((name.to_owned(), path.clone()));
            }
        }
    }
    found.sort();
    Ok(found)
}
