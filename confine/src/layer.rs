//! The layers of confinement, named as `--allow-degraded` and the run report name them.

use std::fmt;
use std::str::FromStr;

/// One layer of kernel confinement.
///
/// The variants are listed in declaration order; the order in which [`crate::apply`] runs them is
/// [`crate::APPLY_ORDER`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// `PR_SET_NO_NEW_PRIVS`: no exec can ever grant privileges again.
    NoNewPrivs,
    /// `PR_SET_DUMPABLE 0`: no ptrace by the same uid, no core dump.
    Dumpable,
    /// Every descriptor closed except 0, 1, 2 and the plan's `keep_fds`.
    CloseFds,
    /// Root gives up its identity (or every capability) before untrusted code runs.
    DropPrivileges,
    /// Landlock: the file system outside the vessel, TCP ports, signals and abstract sockets.
    Landlock,
    /// seccomp-bpf: an allow-list of system calls.
    Seccomp,
    /// Resource limits as backstops for the nanny.
    Rlimits,
    /// A new, empty network namespace when the policy grants no network.
    NetNamespace,
}

impl Layer {
    /// Every layer, in declaration order.
    pub const ALL: [Layer; 8] = [
        Layer::NoNewPrivs,
        Layer::Dumpable,
        Layer::CloseFds,
        Layer::DropPrivileges,
        Layer::Landlock,
        Layer::Seccomp,
        Layer::Rlimits,
        Layer::NetNamespace,
    ];

    /// The layer's name on the command line and in reports (`landlock`, `net-namespace`, ...).
    pub fn key(self) -> &'static str {
        match self {
            Layer::NoNewPrivs => "no-new-privs",
            Layer::Dumpable => "dumpable",
            Layer::CloseFds => "close-fds",
            Layer::DropPrivileges => "drop-privileges",
            Layer::Landlock => "landlock",
            Layer::Seccomp => "seccomp",
            Layer::Rlimits => "rlimits",
            Layer::NetNamespace => "net-namespace",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.key())
    }
}

/// A layer name that is not one of [`Layer::key`]'s values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown confinement layer `{name}` (known: no-new-privs, dumpable, close-fds, drop-privileges, landlock, seccomp, rlimits, net-namespace)")]
pub struct UnknownLayer {
    /// The name as given.
    pub name: String,
}

impl FromStr for Layer {
    type Err = UnknownLayer;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Layer::ALL
            .into_iter()
            .find(|layer| layer.key() == wanted)
            .ok_or_else(|| UnknownLayer {
                name: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_keys_round_trip() {
        for layer in Layer::ALL {
            assert_eq!(layer.key().parse::<Layer>(), Ok(layer));
        }
        assert_eq!("Net_Namespace".parse::<Layer>(), Ok(Layer::NetNamespace));
        assert!("selinux".parse::<Layer>().is_err());
    }
}
