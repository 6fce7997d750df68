//! `bench-checker FILE [RUNS]`: times repy's static checker (`safe_check`) on FILE in one
//! process and prints one JSON object (milliseconds) on standard output:
//!
//! * `cold_ms`: the first check after the interpreter started;
//! * `warm_ms`: median, min and max over RUNS further checks (`safe_check::check`: CPython's
//!   parse into its C tree, the lowering into Rust and the rules);
//! * `compile_ms`: CPython's own `compile(source, FILE, "exec")` of the same source, the
//!   baseline: what running the program costs bare CPython (parse and code generation);
//! * `checked_compile_ms`: what repy does instead, `check_keeping_tree` then compiling the
//!   checked tree (parse, check, code generation);
//! * `own_ms`: `checked_compile_ms` minus the `compile_ms` just before it, per pair: what the
//!   check adds to running the program (the parse is shared: the checked tree is compiled);
//! * `parse_ms`, `lower_ms`, `rules_ms`: the phases of a check timed one by one
//!   (`safe_check::time_phases`); `lower_ms + rules_ms` is the check itself, beyond the parse
//!   (`check_ms`, per run).
//!
//! Used by bench/run; see bench/README.md.

use std::time::Instant;

use pyo3::prelude::*;

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
        let mut compiled = Vec::with_capacity(runs);
        let mut checked = Vec::with_capacity(runs);
        let mut own = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let code = compile.call1((source.as_str(), path.as_str(), "exec"));
            let plain = millis(start);
            drop(code.expect("compile"));
            let start = Instant::now();
            let code = safe_check::check_keeping_tree(py, &source, &path)
                .map(|tree| tree.compile(py).map(drop));
            let with_check = millis(start);
            assert!(matches!(code, Ok(Ok(()))));
            compiled.push(plain);
            checked.push(with_check);
            own.push(with_check - plain);
        }
        let mut phases = [
            Vec::with_capacity(runs),
            Vec::with_capacity(runs),
            Vec::with_capacity(runs),
            Vec::with_capacity(runs),
        ];
        for _ in 0..runs {
            let times = safe_check::time_phases(py, &source, &path).expect("the program passes");
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
            phases[0].push(ms(times.parse));
            phases[1].push(ms(times.lower));
            phases[2].push(ms(times.rules));
            phases[3].push(ms(times.lower + times.rules));
        }
        let [parse, lower, rules, check] = phases;
        println!(
            "{{\"file\": {path:?}, \"lines\": {lines}, \"bytes\": {}, \"runs\": {runs}, \"init_ms\": {init_ms:.6}, \"cold_ms\": {cold:.6}, \"warm_ms\": {}, \"compile_ms\": {}, \"checked_compile_ms\": {}, \"own_ms\": {}, \"parse_ms\": {}, \"lower_ms\": {}, \"rules_ms\": {}, \"check_ms\": {}}}",
            source.len(),
            stats(warm),
            stats(compiled),
            stats(checked),
            stats(own),
            stats(parse),
            stats(lower),
            stats(rules),
            stats(check)
        );
    });
}
