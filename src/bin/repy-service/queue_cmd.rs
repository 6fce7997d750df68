//! `repy worker` and `repy submit`: their options, and the queue crate's results made into
//! output and exit codes. The queue itself is in the `queue` crate; docs/deploy.md says how
//! to deploy it.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use nanny::exit::ExitStatus;

/// The options that name the Redis server and the stream.
#[derive(Debug, Clone, Args)]
pub struct RedisArgs {
    /// The Redis server: `redis://[user:password@]host:port[/db]`, `rediss://…` (TLS), or
    /// `unix:///path/to/redis.sock`.
    #[arg(long, value_name = "URL")]
    pub redis: String,

    /// The stream the jobs go through.
    #[arg(long, value_name = "NAME", default_value = "repy:jobs")]
    pub stream: String,
}

/// `repy worker`'s options.
#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub redis: RedisArgs,

    /// How many jobs run at once (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: Option<u16>,

    /// The consumer group every worker of the deployment reads through.
    #[arg(long, value_name = "NAME", default_value = "repy-workers")]
    pub group: String,

    /// This worker's name in the group, unique among the live workers (default:
    /// HOSTNAME-PID).
    #[arg(long, value_name = "NAME")]
    pub consumer: Option<String>,

    /// A job taken by a worker that has not touched it for this long (the worker died) is
    /// taken over by another (`30s`, `2m`, …). A live worker keeps its running jobs touched.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration)]
    pub claim_after: Duration,

    /// The worker's own limit on one job's process, a backstop behind the job's
    /// restrictions: a job still running after it is killed and gets an error result.
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = duration)]
    pub job_timeout: Duration,

    /// The ceiling every job's limits are clamped to (a restrictions file): a job may only
    /// lower them, and a job of another profile is refused. Without it, each job is clamped
    /// to the documented defaults of its profile (docs/restrictions.md). Checked at start.
    #[arg(long, value_name = "CEILING")]
    pub policy: Option<std::path::PathBuf>,

    /// How many times a job is handed to a worker before it ends with an error result
    /// instead (every worker that took it died while running it: a poison job).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_deliveries: u16,
}

/// `repy submit`'s options.
#[derive(Debug, Clone, Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub redis: RedisArgs,

    /// Wait for every job's result and print the results as JSON lines, in submission order
    /// (without it, print the jobs' ids).
    #[arg(long)]
    pub wait: bool,

    /// With --wait: how long to wait for all the results; exit 112 if some did not come.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = duration, requires = "wait")]
    pub timeout: Duration,

    /// Submit a run job for this Python program instead of job files.
    #[arg(long, value_name = "PROGRAM", conflicts_with = "jobs")]
    pub run: Option<PathBuf>,

    /// With --run: the restrictions file the program runs under (default: `repy job`'s).
    // Checked in `read_jobs`: `requires = "run"` did not refuse it alone (clap 4).
    #[arg(long, value_name = "FILE")]
    pub restrictions: Option<PathBuf>,

    /// Files of job documents: one JSON object, or JSON lines; `-` is standard input. A
    /// document without an `id` is given one.
    #[arg(value_name = "JOBFILE", required_unless_present = "run")]
    pub jobs: Vec<PathBuf>,
}

/// Parses `30s`, `2m`, `1h 30m`, `500ms`.
fn duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|err| format!("not a duration ({err}): try 30s or 2m"))
}

/// `repy worker`: runs until SIGTERM or SIGINT, then finishes its running jobs.
pub fn worker(args: WorkerArgs) -> ExitStatus {
    let program = match crate::repy_binary() {
        Ok(program) => program,
        Err(err) => {
            eprintln!("repy worker: cannot find the repy binary to run jobs with: {err}");
            return ExitStatus::InternalError;
        }
    };
    let mut job_args = vec!["job".to_owned()];
    if let Some(policy) = &args.policy {
        // Checked once here, so that a bad ceiling stops the worker, not every job.
        if let Err(err) = engine::load_restrictions(policy) {
            eprintln!("{err}");
            return ExitStatus::BadRestrictions;
        }
        let absolute = std::path::absolute(policy).unwrap_or_else(|_| policy.clone());
        job_args.push("--policy".to_owned());
        job_args.push(absolute.display().to_string());
    }
    let concurrency = args.concurrency.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let worker = queue::Worker {
        url: args.redis.redis,
        names: queue::Names {
            stream: args.redis.stream,
            group: args.group,
        },
        consumer: args.consumer.unwrap_or_else(queue::default_consumer),
        concurrency,
        claim_after: args.claim_after,
        max_deliveries: usize::from(args.max_deliveries),
        runner: queue::Runner {
            program,
            args: job_args,
            timeout: args.job_timeout,
        },
    };
    let stop = match queue::stop_on_signals() {
        Ok(stop) => stop,
        Err(err) => {
            eprintln!("repy worker: {err}");
            return ExitStatus::InternalError;
        }
    };
    match worker.run(stop) {
        Ok(_) => ExitStatus::Finished,
        Err(err @ queue::QueueError::Redis { .. }) => {
            eprintln!("repy worker: {err}");
            ExitStatus::QueueUnavailable
        }
        Err(err) => {
            eprintln!("repy worker: {err}");
            ExitStatus::InternalError
        }
    }
}

/// `repy submit`.
pub fn submit(args: SubmitArgs) -> ExitStatus {
    let jobs = match read_jobs(&args) {
        Ok(jobs) => jobs,
        Err(err) => {
            eprintln!("repy submit: {err}");
            return ExitStatus::Usage;
        }
    };
    let names = queue::Names {
        stream: args.redis.stream,
        ..queue::Names::default()
    };
    let wait = args.wait.then_some(args.timeout);
    let submission = match queue::submit(&args.redis.redis, &names, &jobs, wait) {
        Ok(submission) => submission,
        Err(err) => {
            eprintln!("repy submit: {err}");
            return ExitStatus::QueueUnavailable;
        }
    };
    let mut out = std::io::stdout().lock();
    if !args.wait {
        for id in &submission.ids {
            if writeln!(out, "{id}").is_err() {
                return ExitStatus::OutputUnwritable;
            }
        }
        return ExitStatus::Finished;
    }
    let mut missing = 0;
    for (id, result) in submission.ids.iter().zip(&submission.results) {
        match result {
            Some(result) => {
                if writeln!(out, "{result}").is_err() {
                    return ExitStatus::OutputUnwritable;
                }
            }
            None => {
                missing += 1;
                eprintln!(
                    "repy submit: job {id}: no result within {} (it may still run; its result \
                     will be stored under repy:result:{id})",
                    humantime::format_duration(args.timeout)
                );
            }
        }
    }
    if missing == 0 {
        ExitStatus::Finished
    } else {
        ExitStatus::QueueTimeout
    }
}

/// The job documents `args` names: its job files, or one run job for `--run`.
fn read_jobs(
    args: &SubmitArgs,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, queue::QueueError> {
    let read = |path: &PathBuf| -> Result<String, queue::QueueError> {
        let failed = |source| queue::QueueError::Read {
            path: path.display().to_string(),
            source,
        };
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(failed)?;
            Ok(text)
        } else {
            std::fs::read_to_string(path).map_err(failed)
        }
    };
    if let (Some(restrictions), None) = (&args.restrictions, &args.run) {
        return Err(queue::QueueError::BadJob {
            source_name: restrictions.display().to_string(),
            message: "--restrictions goes with --run PROGRAM (a job file names its own)".to_owned(),
        });
    }
    if let Some(program) = &args.run {
        let source = read(program)?;
        let restrictions = args.restrictions.as_ref().map(read).transpose()?;
        return Ok(vec![queue::job_from_program(
            &source,
            restrictions.as_deref(),
        )]);
    }
    let mut jobs = Vec::new();
    for path in &args.jobs {
        let text = read(path)?;
        jobs.extend(queue::jobs_from_text(&text, &path.display().to_string())?);
    }
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::Parser as _;

    use crate::{ServiceCli as Cli, ServiceCommand as Command};

    fn parse(words: &[&str]) -> Result<Option<Command>, clap::Error> {
        Cli::try_parse_from(std::iter::once("repy").chain(words.iter().copied()))
            .map(|cli| Some(cli.command))
    }

    #[test]
    fn worker_defaults_are_the_documented_ones() {
        match parse(&["worker", "--redis", "redis://127.0.0.1"]) {
            Ok(Some(Command::Worker(args))) => {
                assert_eq!(args.redis.stream, "repy:jobs");
                assert_eq!(args.group, "repy-workers");
                assert_eq!(args.claim_after, Duration::from_secs(60));
                assert_eq!(args.job_timeout, Duration::from_secs(30 * 60));
                assert_eq!(args.max_deliveries, 3);
                assert_eq!(args.concurrency, None);
                assert_eq!(args.consumer, None);
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["worker"]).is_err(), "--redis is required");
        assert!(parse(&["worker", "--redis", "r", "--concurrency", "0"]).is_err());
        assert!(parse(&["worker", "--redis", "r", "--claim-after", "soon"]).is_err());
    }

    #[test]
    fn submit_needs_jobs_or_a_program_and_its_options_their_partners() {
        assert!(
            parse(&["submit", "--redis", "r"]).is_err(),
            "nothing to submit"
        );
        assert!(parse(&["submit", "--redis", "r", "--timeout", "5s", "j.json"]).is_err());
        match parse(&[
            "submit",
            "--redis",
            "r",
            "--restrictions",
            "p.toml",
            "j.json",
        ]) {
            Ok(Some(Command::Submit(args))) => {
                let err = super::read_jobs(&args).expect_err("--restrictions without --run");
                assert!(err.to_string().contains("goes with --run"), "{err}");
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["submit", "--redis", "r", "--run", "p.py", "j.json"]).is_err());
        match parse(&["submit", "--redis", "r", "--wait", "--run", "p.py"]) {
            Ok(Some(Command::Submit(args))) => {
                assert!(args.wait);
                assert_eq!(args.timeout, Duration::from_secs(600));
                assert_eq!(args.run.as_deref(), Some("p.py".as_ref()));
            }
            other => panic!("{other:?}"),
        }
    }
}
