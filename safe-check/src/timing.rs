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
        let gc = py.import("gc").unwrap();
        let mut best = [f64::MAX; 5];
        let mut nodes = 0;
        for _ in 0..runs {
            let t0 = Instant::now();
            let root = compile
                .call1((source.as_str(), "p.py", "exec", 0x400, true))
                .unwrap();
            let t1 = Instant::now();
            drop(root);
            gc.call_method0("disable").unwrap();
            let t2 = Instant::now();
            let root = compile
                .call1((source.as_str(), "p.py", "exec", 0x400, true))
                .unwrap();
            let t3 = Instant::now();
            let tree = crate::lower::lower_module(py, root).unwrap();
            let t4 = Instant::now();
            gc.call_method0("enable").unwrap();
            let diagnostics = crate::rules::run(&tree, &lines);
            let t5 = Instant::now();
            assert!(diagnostics.is_empty());
            crate::check(py, &source, "p.py").unwrap();
            let t6 = Instant::now();
            let sample = [t1 - t0, t3 - t2, t4 - t3, t5 - t4, t6 - t5].map(|d| d.as_secs_f64());
            for (b, s) in best.iter_mut().zip(sample) {
                *b = b.min(s);
            }
            nodes = tree.nodes.len();
        }
        let ms = |s: f64| s * 1e3;
        println!(
            "1000 lines, {nodes} nodes: compile(ONLY_AST) {:.2} ms ({:.2} ms with gc paused), lowering {:.2} ms, rules {:.3} ms, check() total {:.2} ms (best of {runs})",
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
        let compile = py.import("builtins").unwrap().getattr("compile").unwrap();
        let root = compile
            .call1((source.as_str(), "p.py", "exec", 0x400, true))
            .unwrap();
        let start = std::time::Instant::now();
        for _ in 0..1000 {
            let tree = crate::lower::lower_module(py, root.clone()).unwrap();
            assert!(!tree.nodes.is_empty());
        }
        println!("lowering: {:.3} ms per run", start.elapsed().as_secs_f64());
    });
}
