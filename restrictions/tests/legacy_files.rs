//! Legacy-format restrictions files (the project's own fixtures in `tests/restrictions/`,
//! written with the values RepyV2 programs are run with): all load, convert to TOML and back
//! without change, and equal the TOML versions shipped in `examples/`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use restrictions::{ResourceId, Restrictions, SourceFormat};

const LEGACY_FILES: [&str; 6] = [
    "restrictions.default",
    "restrictions.file10k",
    "restrictions.fixed",
    "restrictions.threeports",
    "restrictions.twoports",
    "restrictions.widenet",
];

/// The repository's `tests/restrictions/`, where the legacy fixtures live.
fn legacy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/restrictions")
}

fn load_legacy(name: &str) -> Restrictions {
    let path = legacy_dir().join(name);
    Restrictions::load(&path).unwrap_or_else(|e| panic!("{} should load:\n{e}", path.display()))
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn load_example(name: &str) -> Restrictions {
    let path = example(name);
    Restrictions::load(&path).unwrap_or_else(|e| panic!("{} should load:\n{e}", path.display()))
}

/// Compares every limit, port set and total, but not the format tag.
fn assert_same_limits(a: &Restrictions, b: &Restrictions, what: &str) {
    let a_limits: Vec<(ResourceId, f64)> = a.limits().collect();
    let b_limits: Vec<(ResourceId, f64)> = b.limits().collect();
    assert_eq!(a_limits, b_limits, "{what}: limits");
    assert_eq!(a.connport(), b.connport(), "{what}: connport");
    assert_eq!(a.messport(), b.messport(), "{what}: messport");
    assert_eq!(a.wall_time(), b.wall_time(), "{what}: wall-time");
    assert_eq!(a.cpu_time(), b.cpu_time(), "{what}: cpu-time");
    assert_eq!(a.output(), b.output(), "{what}: output");
    assert!(a.same_limits(b), "{what}: same_limits");
}

fn ports(range: std::ops::RangeInclusive<u16>) -> BTreeSet<u16> {
    range.collect()
}

#[test]
fn every_legacy_fixture_loads_as_legacy() {
    for name in LEGACY_FILES {
        assert!(
            fs::metadata(legacy_dir().join(name)).is_ok(),
            "{name} is missing from tests/restrictions/"
        );
        let policy = load_legacy(name);
        assert_eq!(policy.source_format(), SourceFormat::Legacy, "{name}");
        assert_eq!(
            policy.wall_time(),
            None,
            "{name}: legacy files set no wall-time"
        );
        assert_eq!(policy.cpu_time(), None, "{name}");
        assert_eq!(policy.output(), None, "{name}");
    }
}

#[test]
fn legacy_values_match_the_reference_tables() {
    let default = load_legacy("restrictions.default");
    assert_eq!(default.limit(ResourceId::Cpu), 1.0);
    assert_eq!(default.limit(ResourceId::Memory), 150_000_000.0);
    assert_eq!(default.limit(ResourceId::Diskused), 1_000_000_000.0);
    assert_eq!(default.limit(ResourceId::Events), 1000.0);
    assert_eq!(default.limit(ResourceId::Netsend), 300_000_000.0);
    assert_eq!(default.limit(ResourceId::Lograte), 300_000.0);
    assert_eq!(default.connport(), &ports(63100..=63199));
    assert_eq!(default.messport(), &ports(63100..=63199));

    let fixed = load_legacy("restrictions.fixed");
    assert_eq!(fixed.limit(ResourceId::Cpu), 0.1);
    assert_eq!(fixed.limit(ResourceId::Memory), 25_000_000.0);
    assert_eq!(fixed.limit(ResourceId::Filesopened), 5.0);
    assert_eq!(fixed.limit(ResourceId::Netrecv), 10_000.0);
    assert_eq!(fixed.connport(), &ports(12345..=12345));

    // file10k leaves the network out: in RepyV2 a missing resource is 0.
    let file10k = load_legacy("restrictions.file10k");
    assert_eq!(file10k.limit(ResourceId::Filewrite), 10_000.0);
    for id in [
        ResourceId::Netsend,
        ResourceId::Netrecv,
        ResourceId::Loopsend,
        ResourceId::Looprecv,
        ResourceId::Random,
        ResourceId::Insockets,
        ResourceId::Outsockets,
        ResourceId::Connport,
        ResourceId::Messport,
    ] {
        assert_eq!(file10k.limit(id), 0.0, "{id}");
    }

    assert_eq!(
        load_legacy("restrictions.twoports").messport(),
        &ports(12345..=12346)
    );
    assert_eq!(
        load_legacy("restrictions.threeports").connport(),
        &ports(12345..=12347)
    );
    let widenet = load_legacy("restrictions.widenet");
    assert_eq!(widenet.limit(ResourceId::Outsockets), 10.0);
    assert_eq!(widenet.limit(ResourceId::Netsend), 512_000.0);
    assert_eq!(widenet.connport(), &ports(12345..=12348));
}

#[test]
fn every_legacy_file_round_trips_through_toml() {
    for name in LEGACY_FILES {
        let legacy = load_legacy(name);
        let toml = legacy.to_toml();
        let back = Restrictions::parse(toml.as_bytes(), name)
            .unwrap_or_else(|e| panic!("{name}: to_toml output does not parse:\n{e}\n{toml}"));
        assert_eq!(back.source_format(), SourceFormat::Toml, "{name}");
        assert_same_limits(&legacy, &back, name);
        // And the TOML written for the TOML policy is the same document.
        assert_eq!(back.to_toml(), toml, "{name}: to_toml is not stable");
    }
}

#[test]
fn toml_policies_round_trip_too() {
    let mut odd = Restrictions::parse(
        b"[resources]\ncpu = 0.333\nmemory = \"1.5 MiB\"\nlograte = 0.5\nnetsend = 12345\n\
          connport = [1, 3, \"5-9\", 65535]\nwall-time = \"1.000000005 s\"\ncpu-time = 90\n\
          output = 0\n",
        "odd.toml",
    )
    .unwrap();
    let back = Restrictions::from_toml(&odd.to_toml(), "odd.toml").unwrap();
    assert_same_limits(&odd, &back, "odd");
    assert_eq!(back.wall_time(), Some(Duration::new(1, 5)));
    assert!(odd.to_toml().contains("connport = [1, 3, \"5-9\", 65535]"));
    odd = Restrictions::default();
    assert_eq!(Restrictions::from_toml(&odd.to_toml(), "d").unwrap(), odd);
}

#[test]
fn toml_examples_equal_repyv2_files() {
    for (legacy, toml) in [
        ("restrictions.default", "restrictions.default.toml"),
        ("restrictions.fixed", "restrictions.fixed.toml"),
    ] {
        let from_legacy = load_legacy(legacy);
        let from_toml = load_example(toml);
        assert_eq!(from_toml.source_format(), SourceFormat::Toml);
        assert_same_limits(&from_legacy, &from_toml, toml);
    }
}

#[test]
fn examples_policy_parses() {
    let policy = load_example("restrictions.toml");
    assert_eq!(policy.limit(ResourceId::Cpu), 0.5);
    assert_eq!(policy.limit(ResourceId::Memory), 100e6);
    assert_eq!(policy.limit(ResourceId::Events), 10.0);
    assert_eq!(policy.wall_time(), Some(Duration::from_secs(60)));
    let expected: BTreeSet<u16> = ports(12345..=12347)
        .into_iter()
        .chain(63100..=63110)
        .collect();
    assert_eq!(policy.connport(), &expected);
    assert_eq!(policy.messport(), &expected);
}
