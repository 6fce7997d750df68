//! The one table of resources: every key, its kind, unit, default and meaning.
//!
//! Validation, defaults, the TOML conversion, the usage-report keys and the generated
//! `docs/restrictions.md` all read [`RESOURCES`]; nothing else lists resources.

use std::fmt;

use crate::profile::Profile;

/// How a resource is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Renewable: a per-second budget that refills (RepyV2 "renewable" resources, and `cpu`).
    Rate,
    /// A fixed cap on an amount in use at any moment (RepyV2 "quantity" `memory`, `diskused`).
    Quota,
    /// A cap on how many things are held at once (RepyV2 "fungible items").
    Items,
    /// A set of local ports the program may use (RepyV2 "individual items").
    Ports,
    /// A total for the whole run, new in repy; absent means unlimited.
    Limit,
}

impl Kind {
    /// The lower-case name used in the docs.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Rate => "rate",
            Kind::Quota => "quota",
            Kind::Items => "items",
            Kind::Ports => "ports",
            Kind::Limit => "limit",
        }
    }
}

/// The unit a resource's value is normalised to (its "base unit").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Fraction of one CPU core (1.0 = one full core).
    CoreFraction,
    /// Bytes.
    Bytes,
    /// Bytes per second.
    BytesPerSecond,
    /// A count of items.
    Count,
    /// A set of port numbers in 1–65535.
    Port,
    /// Seconds.
    Seconds,
}

impl Unit {
    /// The base unit as written in the docs.
    pub fn name(self) -> &'static str {
        match self {
            Unit::CoreFraction => "fraction of one core",
            Unit::Bytes => "bytes",
            Unit::BytesPerSecond => "bytes/s",
            Unit::Count => "count",
            Unit::Port => "port numbers",
            Unit::Seconds => "seconds",
        }
    }
}

/// The value a resource takes when a TOML file leaves its key out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultLimit {
    /// This many base units.
    Value(f64),
    /// No port is granted.
    NoPorts,
    /// No limit at all.
    Unlimited,
}

/// One row of the resource table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResourceSpec {
    /// The resource this row describes.
    pub id: ResourceId,
    /// The key in a TOML file (and, for legacy resources, the RepyV2 name).
    pub key: &'static str,
    /// How it is limited.
    pub kind: Kind,
    /// Its base unit.
    pub unit: Unit,
    /// Its value when a TOML file leaves it out.
    pub default: DefaultLimit,
    /// Whether RepyV2's legacy format has it (under the same name).
    pub legacy: bool,
    /// The only profile the resource is in force under, `None` for every profile. A file
    /// of another profile cannot set it, and a policy of another profile does not list it.
    pub only: Option<Profile>,
    /// A one-line description.
    pub doc: &'static str,
}

/// Declares the resource table once. [`ResourceId`] (its variants, `COUNT` and `ALL`) and
/// [`RESOURCES`] are generated from the same rows, in the same order, so adding a resource is
/// one new row here; everything else (validation, defaults, the docs, the usage report, the
/// nanny's renewable and item resources) reads the table.
macro_rules! resource_table {
    ($(
        $id:ident = $key:literal, $kind:ident, $unit:ident, $default:expr, $legacy:literal,
        $only:expr, $doc:literal;
    )*) => {
        /// Every resource repy knows, one variant each, in the order of [`RESOURCES`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ResourceId {
            $(#[doc = concat!("`", $key, "`")] $id,)*
        }

        impl ResourceId {
            /// How many resources there are.
            pub const COUNT: usize = [$(ResourceId::$id),*].len();

            /// Every resource, in table order.
            pub const ALL: [ResourceId; ResourceId::COUNT] = [$(ResourceId::$id),*];
        }

        /// The rows of [`RESOURCES`], indexed by `ResourceId as usize`.
        static ROWS: [ResourceSpec; ResourceId::COUNT] = [$(ResourceSpec {
            id: ResourceId::$id,
            key: $key,
            kind: $kind,
            unit: $unit,
            default: $default,
            legacy: $legacy,
            only: $only,
            doc: $doc,
        },)*];
    };
}

impl ResourceId {
    /// Iterates over every resource, in table order.
    pub fn all() -> impl Iterator<Item = ResourceId> {
        ResourceId::ALL.into_iter()
    }

    /// This resource's row in [`RESOURCES`].
    pub const fn spec(self) -> &'static ResourceSpec {
        // The rows are generated in variant order; `table_order_matches_variants` checks it.
        &ROWS[self as usize]
    }

    /// The key used in TOML files, reports and `getresources()`.
    pub const fn key(self) -> &'static str {
        self.spec().key
    }

    /// How this resource is limited.
    pub const fn kind(self) -> Kind {
        self.spec().kind
    }

    /// Whether the resource is in force under `profile` (see [`ResourceSpec::only`]).
    pub const fn in_force(self, profile: Profile) -> bool {
        match self.spec().only {
            None => true,
            Some(only) => only as u8 == profile as u8,
        }
    }

    /// The resource with this exact (case-sensitive) key, if any.
    pub fn from_key(key: &str) -> Option<ResourceId> {
        RESOURCES.iter().find(|s| s.key == key).map(|s| s.id)
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

use DefaultLimit::{NoPorts, Unlimited, Value};
use Kind::{Items, Limit, Ports, Quota, Rate};
use Profile::Python;
use Unit::{Bytes, BytesPerSecond, CoreFraction, Count, Port, Seconds};

/// The resource table, in [`ResourceId`] order: RepyV2's 17 resources, then repy's new limits,
/// then the `python` profile's standard input.
pub static RESOURCES: &[ResourceSpec] = &ROWS;

// id = key, kind, unit, default, in RepyV2's legacy format, the only profile it is in force
// under (None: every profile), meaning.
resource_table! {
    Cpu = "cpu", Rate, CoreFraction, Value(1.0), true, None,
        "Share of CPU time; the program is paused while it runs ahead of it";
    Memory = "memory", Quota, Bytes, Value(150_000_000.0), true, None,
        "Resident memory of the sandbox; going over it kills the program. Until the program's first line, while the checker checks it and CPython compiles it, 32 MiB plus 512 bytes per byte of source are allowed on top";
    Diskused = "diskused", Quota, Bytes, Value(100_000_000.0), true, None,
        "Size of the files in the sandbox directory plus 4 KiB per entry; going over it kills the program";
    Filewrite = "filewrite", Rate, BytesPerSecond, Value(10_000_000.0), true, None,
        "Bytes written to files, charged in 4 KiB blocks";
    Fileread = "fileread", Rate, BytesPerSecond, Value(10_000_000.0), true, None,
        "Bytes read from files, charged in 4 KiB blocks";
    Netsend = "netsend", Rate, BytesPerSecond, Value(1_000_000.0), true, None,
        "Bytes sent to non-loopback addresses, plus 64 bytes per packet";
    Netrecv = "netrecv", Rate, BytesPerSecond, Value(1_000_000.0), true, None,
        "Bytes received from non-loopback addresses, plus 64 bytes per packet";
    Loopsend = "loopsend", Rate, BytesPerSecond, Value(10_000_000.0), true, None,
        "Bytes sent to loopback addresses (127.x.x.x), plus 64 bytes per packet";
    Looprecv = "looprecv", Rate, BytesPerSecond, Value(10_000_000.0), true, None,
        "Bytes received from loopback addresses (127.x.x.x), plus 64 bytes per packet";
    Lograte = "lograte", Rate, BytesPerSecond, Value(300_000.0), true, None,
        "Bytes written to the program's output by `log`";
    Random = "random", Rate, BytesPerSecond, Value(100_000.0), true, None,
        "Bytes of random data returned by `randombytes`";
    Events = "events", Items, Count, Value(100.0), true, None,
        "Threads alive at once, the main program included";
    Filesopened = "filesopened", Items, Count, Value(100.0), true, None,
        "Files open at once";
    Insockets = "insockets", Items, Count, Value(10.0), true, None,
        "Listening sockets (TCP and UDP) open at once";
    Outsockets = "outsockets", Items, Count, Value(10.0), true, None,
        "Connected TCP sockets (and UDP sending sockets) open at once";
    Connport = "connport", Ports, Port, NoPorts, true, None,
        "Local TCP ports the program may listen on or connect from";
    Messport = "messport", Ports, Port, NoPorts, true, None,
        "Local UDP ports the program may send from or receive on";
    WallTime = "wall-time", Limit, Seconds, Unlimited, false, None,
        "Wall-clock time the program may run before it is stopped";
    CpuTime = "cpu-time", Limit, Seconds, Unlimited, false, None,
        "Total CPU time the program may use before it is stopped";
    Output = "output", Limit, Bytes, Unlimited, false, None,
        "Total bytes the program may write to stdout and stderr";
    Stdin = "stdin", Limit, Bytes, Unlimited, false, Some(Python),
        "Total bytes of standard input relayed to the program (the caller's, or `--stdin FILE`); past it the program reads end of file";
    Stdinrate = "stdinrate", Rate, BytesPerSecond, Value(10_000_000.0), false, Some(Python),
        "Bytes of standard input relayed to the program per second: the supervisor paces the relay";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order_matches_variants() {
        assert_eq!(RESOURCES.len(), ResourceId::COUNT);
        for (index, (spec, id)) in RESOURCES.iter().zip(ResourceId::ALL).enumerate() {
            assert_eq!(spec.id, id, "row {index}");
            assert_eq!(id as usize, index);
        }
    }

    #[test]
    fn seventeen_legacy_resources_with_unique_keys() {
        assert_eq!(RESOURCES.iter().filter(|s| s.legacy).count(), 17);
        for spec in RESOURCES {
            assert_eq!(ResourceId::from_key(spec.key), Some(spec.id));
            assert!(
                !spec.doc.contains('|'),
                "{}: `|` would break the docs table",
                spec.key
            );
        }
        assert_eq!(ResourceId::from_key("Memory"), None);
    }

    #[test]
    fn repyv2_resources_are_in_force_under_every_profile() {
        for spec in RESOURCES {
            if spec.legacy {
                assert_eq!(spec.only, None, "{}", spec.key);
            }
            for profile in Profile::ALL {
                assert_eq!(
                    spec.id.in_force(profile),
                    spec.only.is_none_or(|only| only == profile),
                    "{}",
                    spec.key
                );
            }
        }
        assert!(!ResourceId::Stdin.in_force(Profile::Repyv2));
        assert!(ResourceId::Stdinrate.in_force(Profile::Python));
    }

    #[test]
    fn defaults_match_kinds() {
        for spec in RESOURCES {
            let ok = match (spec.kind, spec.default) {
                (Kind::Ports, DefaultLimit::NoPorts) => true,
                (Kind::Limit, DefaultLimit::Unlimited) => true,
                (Kind::Rate | Kind::Quota | Kind::Items, DefaultLimit::Value(v)) => v >= 0.0,
                _ => false,
            };
            assert!(ok, "{}", spec.key);
        }
    }
}
