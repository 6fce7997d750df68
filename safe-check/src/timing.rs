//! Ad-hoc timing, run by hand:
//! `cargo test --release -p safe-check --lib timing -- --ignored --nocapture`.

use std::time::Instant;

use pyo3::prelude::*;

fn program(classes: usize) -> String {
    let mut out = String::new();
    for i in 0..classes {
        out.push_str(&format!(
            "class Thing{i}:\n    def __init__(self, a, b=2):\n        self.a = a + b * {i}\n        self.items = [x * 2 for x in range(a) if x % 3]\n    def total(self, extra):\n        s = 0\n        for k, v in enumerate(self.items):\n            s += k * v - extra\n        return {{'sum': s, 'name': 'thing{i}', 'n': len(self.items)}}\n\n"
        ));
    }
    out
}

#[test]
#[ignore = "timing, run by hand"]
fn check_time_for_a_thousand_lines() {
    Python::initialize();
    let source = program(100);
    assert_eq!(source.lines().count(), 1000);
    Python::attach(|py| {
        let lines = crate::source::LineIndex::new(&source);
        let compile = py.import("builtins").unwrap().getattr("compile").unwrap();
        let runs = 50;
        let mut best = [f64::MAX; 5];
        let mut nodes = 0;
        for _ in 0..runs {
            let t0 = Instant::now();
            let parsed = crate::cpython::parse(py, &source, "p.py").unwrap();
            let t1 = Instant::now();
            let tree = crate::lower::lower_module(py, parsed.module(), source.len()).unwrap();
            let t2 = Instant::now();
            let diagnostics = crate::rules::run(&tree, &lines, &crate::Options::default());
            let t3 = Instant::now();
            assert!(diagnostics.is_empty());
            drop(parsed.compile(py).unwrap());
            let t4 = Instant::now();
            drop(
                compile
                    .call1((source.as_str(), "p.py", "exec", 0, true))
                    .unwrap(),
            );
            let t5 = Instant::now();
            let sample = [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4].map(|d| d.as_secs_f64());
            for (b, s) in best.iter_mut().zip(sample) {
                *b = b.min(s);
            }
            nodes = tree.nodes.len();
        }
        let ms = |s: f64| s * 1e3;
        println!(
            "1000 lines, {nodes} nodes: parse {:.2} ms, lowering {:.3} ms, rules {:.3} ms, compile the tree {:.2} ms; compile(source) {:.2} ms (best of {runs})",
            ms(best[0]), ms(best[1]), ms(best[2]), ms(best[3]), ms(best[4])
        );
    });
}

#[test]
#[ignore = "profiling loop, run by hand under perf"]
fn lower_the_same_module_repeatedly() {
    Python::initialize();
    let source = program(100);
    Python::attach(|py| {
        let parsed = crate::cpython::parse(py, &source, "p.py").unwrap();
        let start = std::time::Instant::now();
        for _ in 0..1000 {
            let tree = crate::lower::lower_module(py, parsed.module(), source.len()).unwrap();
            assert!(!tree.nodes.is_empty());
        }
        println!("lowering: {:.3} ms per run", start.elapsed().as_secs_f64());
    });
}
