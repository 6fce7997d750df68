//! The server's life: bind, serve, and on SIGTERM or SIGINT stop accepting, let the runs end
//! within the grace period (killing those that do not), remove the scratch directory, return.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

use crate::auth::Tokens;
use crate::executor::Executor;
use crate::limits::Admission;
use crate::metrics::{Metrics, MetricsError};
use crate::policy::Policies;
use crate::routes::{router, AppState};
use crate::store::Store;

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on (port 0: any free port, printed at start).
    pub listen: SocketAddr,
    /// The ceiling and named policies.
    pub policies: Policies,
    /// The bearer tokens; `None` only on a loopback address.
    pub tokens: Option<Tokens>,
    /// Runs at once.
    pub concurrency: usize,
    /// Requests waiting for a slot, at most.
    pub queue: usize,
    /// The longest request body, in bytes.
    pub max_body: usize,
    /// After SIGTERM, how long runs have to end before they are killed.
    pub grace: Duration,
    /// Where the scratch directory (the job processes' `TMPDIR`) is made.
    pub temp: PathBuf,
}

/// What an executor is made from: the server's scratch directory and limits.
#[derive(Debug, Clone)]
pub struct ExecutorContext {
    /// A directory of the server's, removed when it ends: runs' vessels go under it.
    pub scratch: PathBuf,
    /// The longest a run may take (its `wall-time` is at most this).
    pub deadline: Duration,
    /// Runs at once.
    pub concurrency: usize,
    /// The ceiling, with a `wall-time` of at most the deadline: what a warm pool is made
    /// under.
    pub ceiling: restrictions::Restrictions,
}

/// Why the server could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// No tokens, and an address other than loopback.
    #[error(
        "without --tokens the server listens on loopback only (127.0.0.1 or ::1), and {0} is \
         not: give --tokens FILE to serve other machines"
    )]
    OpenNotLoopback(SocketAddr),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The async runtime cannot start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The scratch directory cannot be made.
    #[error("cannot make a scratch directory in {path}: {source}")]
    Scratch {
        /// Where.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The signal handlers cannot be installed.
    #[error("cannot handle SIGTERM and SIGINT: {0}")]
    Signals(#[source] std::io::Error),
    /// The metrics cannot be set up.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// Serving failed.
    #[error("the server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// How long past the deadline a run's process is given (to start, and to write its report)
/// before the executor kills it.
pub const KILL_MARGIN: Duration = Duration::from_secs(5);

/// How long, once the grace period is over and the runs were told to die, the server waits
/// for them to be gone.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// Runs the server until SIGTERM or SIGINT; `make_executor` makes what runs the jobs.
pub fn run(
    config: Config,
    make_executor: impl FnOnce(ExecutorContext) -> Arc<dyn Executor>,
) -> Result<(), ServeError> {
    if config.tokens.is_none() && !config.listen.ip().is_loopback() {
        return Err(ServeError::OpenNotLoopback(config.listen));
    }
    let scratch =
        crate::executor::scratch_dir(&config.temp).map_err(|source| ServeError::Scratch {
            path: config.temp.display().to_string(),
            source,
        })?;
    let executor = make_executor(ExecutorContext {
        scratch: scratch.path().to_path_buf(),
        deadline: config.policies.deadline(),
        concurrency: config.concurrency,
        ceiling: config
            .policies
            .ceiling()
            .clone()
            .with_wall_time_at_most(config.policies.deadline()),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let result = runtime.block_on(serve(config, executor));
    runtime.shutdown_timeout(Duration::from_secs(1));
    remove_scratch(scratch);
    result
}

/// Removes the scratch directory and whatever killed runs left in it.
fn remove_scratch(scratch: tempfile::TempDir) {
    let path: &Path = scratch.path();
    let shown = path.display().to_string();
    if let Err(err) = scratch.close() {
        eprintln!("repy serve: cannot remove {shown}: {err}");
    }
}

async fn serve(config: Config, executor: Arc<dyn Executor>) -> Result<(), ServeError> {
    let mut terminate = signal(SignalKind::terminate()).map_err(ServeError::Signals)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(ServeError::Signals)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen,
            source,
        })?;
    let local = listener.local_addr().map_err(ServeError::Serve)?;
    executor.warm_up();
    let (kill_tx, kill_rx) = watch::channel(false);
    let metrics = Metrics::new()?;
    metrics
        .pool_size
        .set(i64::try_from(executor.pool_size()).unwrap_or(i64::MAX));
    let state = Arc::new(AppState {
        policies: config.policies,
        executor,
        admission: Admission::new(config.concurrency, config.queue),
        metrics,
        store: Store::default(),
        max_body: config.max_body,
        draining: AtomicBool::new(false),
        kill: kill_rx,
    });
    if config.tokens.is_none() {
        eprintln!(
            "repy serve: no --tokens: every local user may run programs; listening on loopback only"
        );
    }
    eprintln!(
        "repy serve: listening on http://{local} ({} runs at once, {} queued, profile {})",
        state.admission.concurrency(),
        state.admission.queue(),
        state.policies.ceiling().profile()
    );
    let app = router(Arc::clone(&state), config.tokens);
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = stop_rx.wait_for(|stop| *stop).await;
    });
    let mut server = tokio::spawn(async move { server.await });
    let signal_name = tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
        ended = &mut server => {
            return match ended {
                Ok(Ok(())) => Ok(()),
                Ok(Err(err)) => Err(ServeError::Serve(err)),
                Err(err) => Err(ServeError::Serve(std::io::Error::other(err))),
            };
        }
    };
    state.draining.store(true, Ordering::SeqCst);
    let _ = stop_tx.send(true);
    eprintln!(
        "repy serve: {signal_name}: no new connections; the runs going have {:?} to end",
        config.grace
    );
    let drained = tokio::time::timeout(config.grace, drain(&mut server, &state)).await;
    if drained.is_err() {
        eprintln!("repy serve: the grace period is over: killing the runs still going");
        let _ = kill_tx.send(true);
        if tokio::time::timeout(KILL_WAIT, drain(&mut server, &state))
            .await
            .is_err()
        {
            eprintln!("repy serve: some runs did not end; their processes die with the server");
        }
    }
    // The ready interpreters go too, and are waited for.
    state.executor.shutdown().await;
    eprintln!("repy serve: stopped");
    Ok(())
}

/// Waits until the server closed every connection and no run is queued or going.
async fn drain(server: &mut tokio::task::JoinHandle<std::io::Result<()>>, state: &AppState) {
    if !server.is_finished() {
        let _ = server.await;
    }
    while state.admission.in_flight() > 0 || state.admission.queued() > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
