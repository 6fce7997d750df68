//! Feeds arbitrary UTF-8 to the checker and to every renderer: none may panic or crash.
//!
//! Run from `safe-check/`: `cargo +nightly fuzz run check_source -- -max_total_time=60`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    pyo3::Python::initialize();
    pyo3::Python::attach(|py| {
        if let Err(failure) = safe_check::check(py, source, "fuzz.py") {
            let diagnostics = failure.diagnostics();
            assert!(!diagnostics.is_empty());
            let _ = safe_check::render_text(diagnostics, source, "fuzz.py");
            let _ = safe_check::render_json(diagnostics, source, "fuzz.py");
            let _ = safe_check::render_sarif(diagnostics, source, "fuzz.py");
            let _ = safe_check::first_violation_text(diagnostics, source);
        }
    });
});
