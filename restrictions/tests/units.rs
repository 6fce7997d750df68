//! Values and units of the TOML format: every unit, the boundaries, and what is rejected.

use std::time::Duration;

use restrictions::{PolicyError, ResourceId, Restrictions};

fn parse(body: &str) -> Result<Restrictions, PolicyError> {
    Restrictions::from_toml(&format!("[resources]\n{body}\n"), "units.toml")
}

/// The limit `body` sets for `id`; panics with the errors if it does not parse.
fn limit(body: &str, id: ResourceId) -> f64 {
    match parse(body) {
        Ok(policy) => policy.limit(id),
        Err(error) => panic!("`{body}` should parse:\n{error}"),
    }
}

/// The single problem `body` produces; its message must contain `fragment`.
fn rejects(body: &str, fragment: &str) {
    let error = match parse(body) {
        Ok(policy) => panic!("`{body}` should be rejected, got {policy:?}"),
        Err(error) => error,
    };
    assert_eq!(error.problems().len(), 1, "`{body}`:\n{error}");
    let problem = &error.problems()[0];
    assert_eq!(problem.line, 2, "`{body}`: {error}");
    assert!(
        problem.message.contains(fragment),
        "`{body}`: expected a message containing {fragment:?}, got:\n{error}"
    );
}

#[test]
fn cpu_is_a_fraction_of_one_core_or_a_percentage() {
    assert_eq!(limit("cpu = 0.10", ResourceId::Cpu), 0.1);
    assert_eq!(limit("cpu = 5e-1", ResourceId::Cpu), 0.5);
    assert_eq!(limit("cpu = 1", ResourceId::Cpu), 1.0);
    assert_eq!(
        limit("cpu = 2.5", ResourceId::Cpu),
        2.5,
        "more than one core is allowed"
    );
    assert_eq!(limit("cpu = \"10%\"", ResourceId::Cpu), 0.1);
    assert_eq!(limit("cpu = \"33.3%\"", ResourceId::Cpu), 0.333);
    assert_eq!(limit("cpu = \"150%\"", ResourceId::Cpu), 1.5);
    assert_eq!(limit("cpu = \" 50 % \"", ResourceId::Cpu), 0.5);
    assert_eq!(limit("cpu = 1e-3", ResourceId::Cpu), 0.001);

    rejects("cpu = 0", "greater than 0");
    rejects("cpu = 0.0", "greater than 0");
    rejects("cpu = \"0%\"", "greater than 0");
    rejects("cpu = -0.5", "negative");
    rejects("cpu = \"-5%\"", "negative");
    rejects("cpu = \"10\"", "`%` suffix");
    rejects("cpu = \"ten%\"", "expected a percentage like \"50%\"");
    rejects("cpu = \"10 %%\"", "expected a percentage like \"50%\"");
    rejects("cpu = true", "found boolean `true`");
    rejects("cpu = inf", "finite");
    rejects("cpu = nan", "finite");
    rejects("cpu = [0.5]", "found array");
}

#[test]
fn bytes_take_si_and_iec_units() {
    let memory = |body: &str| limit(&format!("memory = {body}"), ResourceId::Memory);
    assert_eq!(memory("15000000"), 15e6);
    assert_eq!(memory("15_000_000"), 15e6);
    assert_eq!(
        memory("15000000.0"),
        15e6,
        "a float without a fraction is a whole number"
    );
    assert_eq!(memory("0"), 0.0);
    assert_eq!(memory("\"2 B\""), 2.0);
    assert_eq!(memory("\"1 kB\""), 1e3);
    assert_eq!(memory("\"15 MB\""), 15e6);
    assert_eq!(memory("\"15MB\""), 15e6);
    assert_eq!(memory("\"1 GB\""), 1e9);
    assert_eq!(memory("\"1 KiB\""), 1024.0);
    assert_eq!(memory("\"15 MiB\""), 15.0 * 1048576.0);
    assert_eq!(memory("\"1 GiB\""), 1073741824.0);
    assert_eq!(memory("\"1.5 MB\""), 1.5e6);
    assert_eq!(memory("\"1.5 MiB\""), 1572864.0);
    assert_eq!(memory("\".5 kB\""), 500.0);
    assert_eq!(
        memory("9007199254740992"),
        9007199254740992.0,
        "2^53 is the largest"
    );
    assert_eq!(limit("diskused = \"100 MB\"", ResourceId::Diskused), 1e8);

    rejects("memory = 9007199254740993", "too large");
    rejects("memory = \"9007199254740993 B\"", "too large");
    rejects("memory = \"99999999999 GB\"", "too large");
    rejects("memory = 1.5", "whole number of bytes");
    rejects("memory = \"1.5 B\"", "not a whole number of bytes");
    rejects("memory = \"0.0001 kB\"", "not a whole number of bytes");
    rejects("memory = -1", "negative");
    rejects("memory = \"-1 MB\"", "negative");
    rejects(
        "memory = \"15 KB\"",
        "`kB` for 1000 bytes or `KiB` for 1024",
    );
    rejects("memory = \"15 mb\"", "unknown unit `mb`");
    rejects("memory = \"15 TB\"", "unknown unit `TB`");
    rejects("memory = \"15\"", "missing unit");
    rejects("memory = \"MB\"", "expected a number followed by a unit");
    rejects("memory = \"1e6 B\"", "unknown unit `e6 B`");
    rejects("memory = \"15 MB/s\"", "drop the `/s`");
    rejects("memory = true", "found boolean");
    rejects("memory = [1]", "found array");
    rejects("memory = { a = 1 }", "found a table");
    rejects("memory = 1979-05-27", "found datetime");

    let error = parse("memory = \"15 mb\"").unwrap_err();
    assert_eq!(error.problems()[0].suggestion.as_deref(), Some("MB"));
}

#[test]
fn rates_are_bytes_per_second_and_strings_need_per_second() {
    let lograte = |body: &str| limit(&format!("lograte = {body}"), ResourceId::Lograte);
    assert_eq!(lograte("30000"), 30000.0);
    assert_eq!(lograte("0"), 0.0);
    assert_eq!(
        lograte("0.5"),
        0.5,
        "fractions of a byte per second are allowed"
    );
    assert_eq!(lograte("\"30 kB/s\""), 30000.0);
    assert_eq!(lograte("\"30kB/s\""), 30000.0);
    assert_eq!(lograte("\"1.5 MiB/s\""), 1572864.0);
    assert_eq!(lograte("\"0.5 B/s\""), 0.5);
    assert_eq!(lograte("\"10 GB/s\""), 1e10);
    for key in [
        "filewrite",
        "fileread",
        "netsend",
        "netrecv",
        "loopsend",
        "looprecv",
        "random",
    ] {
        let id = ResourceId::from_key(key).unwrap();
        assert_eq!(limit(&format!("{key} = \"100 kB/s\""), id), 1e5, "{key}");
    }

    rejects(
        "lograte = \"30 kB\"",
        "needs a `/s` suffix: write \"30 kB/s\"",
    );
    rejects("lograte = \"30/s\"", "missing unit");
    rejects(
        "lograte = \"30 kB/sec\"",
        "expected a number of bytes per second",
    );
    rejects("lograte = \"30 KB/s\"", "`kB` for 1000");
    rejects("lograte = -1", "negative");
    rejects("lograte = -0.5", "negative");
    rejects("lograte = \"-1 kB/s\"", "negative");
    rejects("lograte = inf", "finite");
    rejects("lograte = -inf", "finite");
    rejects("lograte = false", "found boolean");
}

#[test]
fn item_counts_are_whole_numbers() {
    assert_eq!(limit("events = 10", ResourceId::Events), 10.0);
    assert_eq!(limit("events = 10.0", ResourceId::Events), 10.0);
    assert_eq!(limit("filesopened = 0", ResourceId::Filesopened), 0.0);
    assert_eq!(limit("insockets = 0x10", ResourceId::Insockets), 16.0);
    assert_eq!(limit("outsockets = 5", ResourceId::Outsockets), 5.0);

    rejects("events = 2.5", "whole number of items");
    rejects(
        "events = \"10\"",
        "expected a whole number, found string `\"10\"`",
    );
    rejects("events = -1", "negative");
    rejects(
        "events = 170141183460469231731687303715884105728",
        "out of range",
    );
}

#[test]
fn durations_take_ms_s_min_h() {
    let wall = |body: &str| {
        parse(&format!("wall-time = {body}"))
            .unwrap_or_else(|e| panic!("{body}: {e}"))
            .wall_time()
    };
    assert_eq!(wall("10"), Some(Duration::from_secs(10)));
    assert_eq!(wall("0.25"), Some(Duration::from_millis(250)));
    assert_eq!(wall("\"500 ms\""), Some(Duration::from_millis(500)));
    assert_eq!(wall("\"10 s\""), Some(Duration::from_secs(10)));
    assert_eq!(wall("\"10s\""), Some(Duration::from_secs(10)));
    assert_eq!(wall("\"1.5 s\""), Some(Duration::from_millis(1500)));
    assert_eq!(wall("\"2 min\""), Some(Duration::from_secs(120)));
    assert_eq!(wall("\"1 h\""), Some(Duration::from_secs(3600)));
    assert_eq!(wall("\"0.000000001 s\""), Some(Duration::from_nanos(1)));
    let policy = parse("cpu-time = \"30 s\"").unwrap();
    assert_eq!(policy.cpu_time(), Some(Duration::from_secs(30)));
    assert_eq!(policy.limit(ResourceId::CpuTime), 30.0);
    assert_eq!(policy.wall_time(), None);
    assert_eq!(policy.limit(ResourceId::WallTime), f64::INFINITY);

    rejects("wall-time = 0", "greater than 0");
    rejects("wall-time = \"0 s\"", "greater than 0");
    rejects(
        "wall-time = \"0.0000000001 s\"",
        "shorter than a nanosecond",
    );
    rejects("wall-time = -1", "negative");
    rejects("wall-time = \"10\"", "missing unit");
    rejects("wall-time = \"10 sec\"", "unknown unit `sec`");
    rejects("wall-time = 1e300", "too long");
    rejects("wall-time = \"99999999999999999999 h\"", "too long");
    rejects("cpu-time = true", "found boolean");

    let error = parse("wall-time = \"10 sec\"").unwrap_err();
    assert_eq!(error.problems()[0].suggestion.as_deref(), Some("s"));
}

#[test]
fn output_is_an_optional_byte_total() {
    let policy = parse("output = \"1 MB\"").unwrap();
    assert_eq!(policy.output(), Some(1_000_000));
    assert_eq!(policy.limit(ResourceId::Output), 1e6);
    assert_eq!(parse("output = 0").unwrap().output(), Some(0));
    assert_eq!(parse("").unwrap().output(), None);
    assert_eq!(parse("").unwrap().limit(ResourceId::Output), f64::INFINITY);
    rejects("output = \"1 MB/s\"", "drop the `/s`");
}

#[test]
fn ports_are_integers_and_inclusive_ranges() {
    let policy =
        parse("connport = [12345, \"63100-63199\"]\nmessport = [1, 65535, \"7-7\"]").unwrap();
    assert_eq!(policy.connport().len(), 101);
    assert!(policy.connport().contains(&12345));
    assert!(policy.connport().contains(&63100) && policy.connport().contains(&63199));
    assert_eq!(
        policy.messport().iter().copied().collect::<Vec<_>>(),
        vec![1, 7, 65535]
    );
    assert_eq!(policy.limit(ResourceId::Connport), 101.0);
    let spaced = parse("connport = [\" 63100 - 63102 \", \"80\"]").unwrap();
    assert_eq!(spaced.connport().len(), 4);
    assert!(parse("connport = []").unwrap().connport().is_empty());

    rejects("connport = [0]", "port 0 is out of range 1-65535");
    rejects("connport = [65536]", "port 65536 is out of range");
    rejects("connport = [-1]", "port -1 is out of range");
    rejects("connport = [\"0-10\"]", "port 0 is out of range");
    rejects("connport = [\"65000-70000\"]", "port 70000 is out of range");
    rejects(
        "connport = [\"63199-63100\"]",
        "reversed (empty): write \"63100-63199\"",
    );
    rejects("connport = [\"-5\"]", "ports are 1-65535");
    rejects(
        "connport = [\"12345-\"]",
        "expected a port number or a range string",
    );
    rejects(
        "connport = [\"a-b\"]",
        "expected a port number or a range string",
    );
    rejects("connport = [1.5]", "found float `1.5`");
    rejects("connport = [[1]]", "found array");
    rejects("connport = 12345", "expected an array of ports");
    rejects("connport = \"63100-63199\"", "expected an array of ports");
    rejects("connport = [12345, 12345]", "port 12345 is listed twice");
    rejects(
        "messport = [\"63100-63110\", \"63105-63120\"]",
        "ports 63105-63110 are listed twice",
    );
    rejects("messport = [1, 3, \"1-3\"]", "ports 1, 3 are listed twice");
}

#[test]
fn keys_left_out_take_the_documented_defaults() {
    let policy = parse("").unwrap();
    assert_eq!(policy, Restrictions::default());
    let expected = [
        (ResourceId::Cpu, 1.0),
        (ResourceId::Memory, 150e6),
        (ResourceId::Diskused, 100e6),
        (ResourceId::Filewrite, 10e6),
        (ResourceId::Fileread, 10e6),
        (ResourceId::Netsend, 1e6),
        (ResourceId::Netrecv, 1e6),
        (ResourceId::Loopsend, 10e6),
        (ResourceId::Looprecv, 10e6),
        (ResourceId::Lograte, 300e3),
        (ResourceId::Random, 100e3),
        (ResourceId::Events, 100.0),
        (ResourceId::Filesopened, 100.0),
        (ResourceId::Insockets, 10.0),
        (ResourceId::Outsockets, 10.0),
        (ResourceId::Connport, 0.0),
        (ResourceId::Messport, 0.0),
        (ResourceId::WallTime, f64::INFINITY),
        (ResourceId::CpuTime, f64::INFINITY),
        (ResourceId::Output, f64::INFINITY),
    ];
    let actual: Vec<(ResourceId, f64)> = policy.limits().collect();
    assert_eq!(actual, expected);
}

#[test]
fn resource_ids_iterate_and_name_their_keys() {
    let keys: Vec<&str> = ResourceId::all().map(ResourceId::key).collect();
    assert_eq!(keys.len(), 22);
    assert_eq!(keys[0], "cpu");
    assert_eq!(ResourceId::WallTime.key(), "wall-time");
    assert_eq!(ResourceId::Lograte.to_string(), "lograte");
    assert_eq!(ResourceId::from_key("cpu-time"), Some(ResourceId::CpuTime));
}
