//! Why confinement failed. Every variant names its layer (or says why no layer is at fault).

use std::io;
use std::os::fd::RawFd;
use std::path::PathBuf;

use crate::Layer;

/// A layer could not be applied (and was not allowed to be missing), or the plan is unusable.
///
/// "Fail closed": when [`crate::apply`] returns any of these, the caller must not run the
/// program.
#[derive(Debug, thiserror::Error)]
pub enum ConfineError {
    /// The vessel directory must be an absolute path.
    #[error("invalid plan: vessel directory `{0}` is not an absolute path")]
    VesselNotAbsolute(PathBuf),
    /// The vessel directory cannot be inspected.
    #[error("invalid plan: cannot use vessel directory `{path}`")]
    VesselUnusable {
        /// The vessel directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The vessel path exists but is not a directory.
    #[error("invalid plan: vessel `{0}` is not a directory")]
    VesselNotDirectory(PathBuf),
    /// A negative descriptor number in `keep_fds`.
    #[error("invalid plan: keep_fds holds {0}, which is not a descriptor number")]
    InvalidKeepFd(RawFd),
    /// Landlock and seccomp apply to the calling thread only: another thread would escape them.
    #[error("cannot confine: {threads} threads are running, but apply() must run while the process is single-threaded")]
    NotSingleThreaded {
        /// How many threads /proc/self/task listed.
        threads: usize,
    },
    /// The thread count cannot be read, so single-threadedness cannot be proven.
    #[error("cannot confine: cannot count this process's threads in /proc/self/task")]
    ThreadCountUnknown(#[source] io::Error),
    /// A system call of a layer failed.
    #[error("layer {layer}: {step} failed")]
    Os {
        /// The layer.
        layer: Layer,
        /// What was being done (`unshare(CLONE_NEWNET)`, `setresuid(1000)`, ...).
        step: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Landlock refused the ruleset (or the kernel lacks a required feature).
    #[error("layer landlock: {step} failed")]
    Landlock {
        /// What was being done.
        step: &'static str,
        /// The landlock crate's error.
        #[source]
        source: landlock::RulesetError,
    },
    /// The vessel directory could not be opened for a Landlock rule.
    #[error("layer landlock: cannot open vessel directory `{path}` for its rule")]
    LandlockVessel {
        /// The vessel directory.
        path: PathBuf,
        /// The landlock crate's error.
        #[source]
        source: landlock::PathFdError,
    },
    /// Landlock restricted less than required.
    #[error("layer landlock: the ruleset is {status}, not fully enforced")]
    LandlockNotEnforced {
        /// What the kernel enforced.
        status: String,
    },
    /// No seccomp filter exists for this architecture.
    #[error(
        "layer seccomp: no filter exists for architecture {arch} (add confine/seccomp/{arch}.json)"
    )]
    SeccompNoFilter {
        /// The target architecture.
        arch: &'static str,
    },
    /// The pid placeholder of the compiled filter was not where the build put it.
    #[error("layer seccomp: the compiled filter holds {found} pid placeholders instead of 1")]
    SeccompPlaceholder {
        /// How many were found.
        found: usize,
    },
    /// A check after applying a layer found it not in force.
    #[error("layer {layer}: verification failed: {what}")]
    Verify {
        /// The layer.
        layer: Layer,
        /// What was found.
        what: String,
    },
    /// The process kept uid 0 (the vessel is owned by root), which is only an unprivileged
    /// identity while Landlock and seccomp both hold.
    #[error("layer drop-privileges: uid 0 was kept because vessel `{path}` is owned by root, which is only safe when {missing} is fully applied")]
    RootNeedsWall {
        /// The vessel directory.
        path: PathBuf,
        /// The wall that is missing.
        missing: Layer,
    },
}

impl ConfineError {
    /// The layer at fault, when one is; errors about the plan or the process as a whole name none
    /// and can never be degraded away.
    pub fn layer(&self) -> Option<Layer> {
        match self {
            ConfineError::Os { layer, .. } | ConfineError::Verify { layer, .. } => Some(*layer),
            ConfineError::Landlock { .. }
            | ConfineError::LandlockVessel { .. }
            | ConfineError::LandlockNotEnforced { .. } => Some(Layer::Landlock),
            ConfineError::SeccompNoFilter { .. } | ConfineError::SeccompPlaceholder { .. } => {
                Some(Layer::Seccomp)
            }
            ConfineError::RootNeedsWall { .. } => Some(Layer::DropPrivileges),
            ConfineError::VesselNotAbsolute(_)
            | ConfineError::VesselUnusable { .. }
            | ConfineError::VesselNotDirectory(_)
            | ConfineError::InvalidKeepFd(_)
            | ConfineError::NotSingleThreaded { .. }
            | ConfineError::ThreadCountUnknown(_) => None,
        }
    }

    /// Shorthand for [`ConfineError::Os`] with the last OS error.
    pub(crate) fn os(layer: Layer, step: impl Into<String>, source: io::Error) -> Self {
        ConfineError::Os {
            layer,
            step: step.into(),
            source,
        }
    }

    /// The message with its causes, for reports where only a string fits.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}
