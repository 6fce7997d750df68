//! Every API call charges the nanny RepyV2's amounts: each program below makes one kind of
//! call, and the run report's cumulative `renewable.*.charged` totals must match exactly.

use crate::support::Sandbox;

/// One case: what it does, the program, and the expected charged totals as (resource, bytes).
type ChargeCase = (&'static str, &'static str, &'static [(&'static str, u64)]);

const CASES: &[ChargeCase] = &[
    ("openfile creating", "openfile('a', True).close()", &[("fileread", 4096), ("filewrite", 4096)]),
    ("openfile existing", "openfile('a', True).close()\nopenfile('a', False).close()", &[("fileread", 8192), ("filewrite", 4096)]),
    ("writeat 100 bytes", "f = openfile('a', True)\nf.writeat('x' * 100, 0)", &[("fileread", 4096), ("filewrite", 8192)]),
    ("writeat across a block", "f = openfile('a', True)\nf.writeat('x' * 4100, 0)\nf.writeat('y' * 8, 4090)", &[("fileread", 4096), ("filewrite", 4096 + 8192 + 8192)]),
    ("readat", "f = openfile('a', True)\nf.writeat('x' * 10, 0)\nf.readat(1, 0)\nf.readat(None, 0)", &[("fileread", 4096 * 3), ("filewrite", 8192)]),
    ("listfiles", "listfiles()", &[("fileread", 4096)]),
    ("removefile", "openfile('a', True).close()\nremovefile('a')", &[("fileread", 8192), ("filewrite", 8192)]),
    ("randombytes", "randombytes()\nrandombytes()", &[("random", 2048)]),
    ("log", "log('abc', 'de')", &[("lograte", 6)]),
    ("print", "print('abc', 'de')", &[("lograte", 7)]),
    ("gethostbyname", "gethostbyname('localhost')", &[("netsend", 1024), ("netrecv", 4096)]),
    ("getmyip", "try:\n    getmyip()\nexcept InternetConnectivityError:\n    pass", &[("netsend", 256), ("netrecv", 128)]),
    (
        "tcp connect, accept, send, recv, close",
        "s = listenforconnection('127.0.0.1', 63175)\n\
         c = openconnection('127.0.0.1', 63175, '127.0.0.1', 63176, 5)\n\
         while True:\n    try:\n        ip, port, a = s.getconnection()\n        break\n    except SocketWouldBlockError:\n        sleep(0.01)\n\
         c.send('hello')\n\
         while True:\n    try:\n        got = a.recv(100)\n        break\n    except SocketWouldBlockError:\n        sleep(0.01)\n\
         c.close()",
        // connect 128/64, accept 64/128 (send/recv), send 5+64/64, recv 64/5+64, close 128/64
        &[("loopsend", 128 + 64 + 69 + 64 + 128), ("looprecv", 64 + 128 + 64 + 69 + 64)],
    ),
    (
        "udp sendmessage, getmessage",
        "u = listenformessage('127.0.0.1', 63177)\n\
         sendmessage('127.0.0.1', 63177, 'ping', '127.0.0.1', 63178)\n\
         while True:\n    try:\n        u.getmessage()\n        break\n    except SocketWouldBlockError:\n        sleep(0.01)",
        &[("loopsend", 68), ("looprecv", 68)],
    ),
];

const POLICY: &str = "[resources]\nconnport = [63175, 63176]\nmessport = [63177, 63178]\n";

#[test]
fn charges_match_repyv2_amounts() {
    let mut failures = Vec::new();
    for (what, program, expected) in CASES {
        let sb = Sandbox::new()
            .restrictions(POLICY)
            .program(program)
            .caller_option("--report", "report.json");
        let out = sb.run(&[]);
        let text = std::fs::read_to_string(sb.caller().join("report.json")).unwrap_or_default();
        let report: serde_json::Value =
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        if out.code() != Some(0) {
            failures.push(format!("{what}: exit {:?}\n{}", out.code(), out.explain()));
            continue;
        }
        for resource in [
            "filewrite",
            "fileread",
            "netsend",
            "netrecv",
            "loopsend",
            "looprecv",
            "lograte",
            "random",
        ] {
            let want = expected
                .iter()
                .find(|(r, _)| *r == resource)
                .map_or(0, |(_, n)| *n);
            let got = report["renewable"][resource]["charged"]
                .as_u64()
                .unwrap_or(u64::MAX);
            if got != want {
                failures.push(format!("{what}: {resource} charged {got}, expected {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
