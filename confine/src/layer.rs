//! The layers of confinement, named as `--allow-degraded` and the run report name them.

use std::fmt;
use std::str::FromStr;

/// Declares the layer table once: the [`Layer`] variants, [`Layer::ALL`], each layer's
/// [`key`](Layer::key) and [`description`](Layer::description) all come from these rows, and
/// so do `--allow-degraded`'s possible values and help and the [`UnknownLayer`] message.
macro_rules! layer_table {
    ($($variant:ident = $key:literal, $description:literal;)*) => {
        /// One layer of kernel confinement.
        ///
        /// The variants are listed in declaration order; the order in which [`crate::apply`]
        /// runs them is [`crate::APPLY_ORDER`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Layer {
            $(#[doc = concat!("`", $key, "`: ", $description)] $variant,)*
        }

        impl Layer {
            /// Every layer, in declaration order.
            pub const ALL: [Layer; [$(Layer::$variant),*].len()] = [$(Layer::$variant),*];

            /// The layer's name on the command line and in reports (`landlock`,
            /// `net-namespace`, ...).
            pub const fn key(self) -> &'static str {
                match self {
                    $(Layer::$variant => $key,)*
                }
            }

            /// What the layer does, in one line (for `--help`).
            pub const fn description(self) -> &'static str {
                match self {
                    $(Layer::$variant => $description,)*
                }
            }
        }
    };
}

layer_table! {
    NoNewPrivs = "no-new-privs", "`PR_SET_NO_NEW_PRIVS`: no exec can ever grant privileges again.";
    Dumpable = "dumpable", "`PR_SET_DUMPABLE 0`: no ptrace by the same uid, no core dump.";
    CloseFds = "close-fds", "Every descriptor closed except 0, 1, 2 and the plan's `keep_fds`.";
    DropPrivileges = "drop-privileges", "Root gives up its identity (or every capability) before untrusted code runs.";
    Landlock = "landlock", "Landlock: the file system outside the vessel, TCP ports, signals and abstract sockets.";
    Seccomp = "seccomp", "seccomp-bpf: an allow-list of system calls.";
    Rlimits = "rlimits", "Resource limits as backstops for the nanny.";
    NetNamespace = "net-namespace", "A new, empty network namespace when the policy grants no network.";
}

/// Every layer's key, comma-separated, in declaration order (for [`UnknownLayer`]).
fn known_keys() -> String {
    Layer::ALL.map(Layer::key).join(", ")
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.key())
    }
}

/// A layer name that is not one of [`Layer::key`]'s values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown confinement layer `{name}` (known: {})", known_keys())]
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

    #[test]
    fn unknown_layer_lists_the_table() {
        let err = "selinux".parse::<Layer>().unwrap_err().to_string();
        let known = err
            .strip_prefix("unknown confinement layer `selinux` (known: ")
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or_else(|| panic!("{err}"));
        assert!(known.split(", ").eq(Layer::ALL.map(Layer::key)), "{err}");
        for layer in Layer::ALL {
            assert!(!layer.description().is_empty(), "{layer}");
        }
    }
}
