//! The policy: parse and validate a restrictions file — repy's TOML format or RepyV2's legacy
//! `resource <name> <value>` format, auto-detected — normalise every value to its base unit,
//! report every problem at once with its line and column, and write `docs/restrictions.md`.
//!
//! This crate knows no OS and no Python. It may depend only on serde, toml and thiserror.
//!
//! One table, [`RESOURCES`], drives validation, defaults, the TOML conversion, the list of
//! resource keys and the generated documentation; [`Profile::ALL`] and [`PYTHON_KEYS`] do the
//! same for the top-level `profile` and the `python` profile's `[python]` table.
//!
//! ```
//! use restrictions::{ResourceId, Restrictions};
//!
//! let policy = Restrictions::parse(b"[resources]\nlograte = \"30 kB/s\"\n", "r.toml").unwrap();
//! assert_eq!(policy.limit(ResourceId::Lograte), 30_000.0);
//! assert_eq!(policy.limit(ResourceId::Memory), 150_000_000.0); // the default
//!
//! let error = Restrictions::parse(b"[resources]\nmemroy = 1\n", "r.toml").unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "r.toml:2:1: error: memroy: unknown resource (did you mean `memory`?)"
//! );
//! ```

mod clamp;
mod docs;
mod error;
mod legacy;
mod policy;
mod profile;
mod resources;
mod toml_format;
mod units;

pub use clamp::{ClampError, PER_RUN};
pub use docs::docs_markdown;
pub use error::{PolicyError, PolicyErrors, Problem};
pub use policy::{Restrictions, SourceFormat};
pub use profile::{
    check_module_name, check_package_name, Catalog, NameError, Profile, PythonKey, PythonKeyId,
    PythonSettings, PYTHON_KEYS,
};
pub use resources::{DefaultLimit, Kind, ResourceId, ResourceSpec, Unit, RESOURCES};
pub use toml_format::{from_embedded_table, set_resource};
pub use units::{BYTE_UNITS, DURATION_UNITS, MAX_BYTES};
