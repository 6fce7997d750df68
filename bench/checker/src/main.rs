//! `bench-checker FILE [RUNS]`: times repy's static checker (`safe_check::check`) on FILE in
//! one process and prints one JSON object (milliseconds) on standard output:
//!
//! * `cold_ms`: the first check after the interpreter started (it also creates CPython's
//!   `_ast` node classes, which a sandbox run pays once);
//! * `warm_ms`: median, min and max over RUNS further checks;
//! * `compile_ms`: CPython's own `compile(source, FILE, "exec")` of the same source (the
//!   baseline: what running the program costs anyway), and `parse_ms`: `compile` with
//!   `ONLY_AST` and the cyclic GC paused (the parse the checker starts with);
//! * `own_ms`: a check minus the parse just before it, per pair: the checker's own work
//!   (lowering CPython's tree into Rust, and the rules).
//!
//! Used by bench/run; see bench/README.md.

use std::time::Instant;

use pyo3::prelude::*;

/// CPython's `ast.PyCF_ONLY_AST`.
const ONLY_AST: i32 = 0x400;

fn stats(mut samples: Vec<f64>) -> String {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    let median = if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    };
    format!(
        "{{\"median\": {median:.6}, \"min\": {:.6}, \"max\": {:.6}, \"n\": {n}}}",
        samples[0],
        samples[n - 1]
    )
}

fn millis(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: bench-checker FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(200).max(1);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        eprintln!("bench-checker: cannot read {path}: {err}");
        std::process::exit(2);
    });
    let lines = source.lines().count();
    let started = Instant::now();
    Python::initialize();
    let init_ms = millis(started);
    Python::attach(|py| {
        let ast_loaded = py
            .import("sys")
            .and_then(|sys| sys.getattr("modules"))
            .and_then(|modules| modules.contains("_ast"))
            .unwrap_or(false);
        let start = Instant::now();
        if let Err(failure) = safe_check::check(py, &source, &path) {
            eprintln!("bench-checker: {path} is refused by the checker: {failure}");
            std::process::exit(1);
        }
        let cold = millis(start);
        let mut warm = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let result = safe_check::check(py, &source, &path);
            warm.push(millis(start));
            assert!(result.is_ok());
        }
        let compile = py
            .import("builtins")
            .and_then(|b| b.getattr("compile"))
            .expect("builtins.compile");
        let gc = py.import("gc").expect("gc");
        let mut compiled = Vec::with_capacity(runs);
        let mut parsed = Vec::with_capacity(runs);
        let mut own = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let code = compile.call1((source.as_str(), path.as_str(), "exec"));
            compiled.push(millis(start));
            drop(code.expect("compile"));
            // The parse as the checker does it (cyclic GC paused), then a check right after:
            // the difference is the checker's own work (lowering and rules).
            gc.call_method0("disable").expect("gc.disable");
            let start = Instant::now();
            let tree = compile.call1((source.as_str(), path.as_str(), "exec", ONLY_AST, true));
            let parse = millis(start);
            drop(tree.expect("parse"));
            gc.call_method0("enable").expect("gc.enable");
            parsed.push(parse);
            let start = Instant::now();
            let result = safe_check::check(py, &source, &path);
            own.push(millis(start) - parse);
            assert!(result.is_ok());
        }
        println!(
            "{{\"file\": {path:?}, \"lines\": {lines}, \"bytes\": {}, \"runs\": {runs}, \"init_ms\": {init_ms:.6}, \"ast_preloaded\": {ast_loaded}, \"cold_ms\": {cold:.6}, \"warm_ms\": {}, \"compile_ms\": {}, \"parse_ms\": {}, \"own_ms\": {}}}",
            source.len(),
            stats(warm),
            stats(compiled),
            stats(parsed),
            stats(own)
        );
    });
}
