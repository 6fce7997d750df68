//! Ordinary modern Python stays allowed: every program in `tests/allowed/` passes.

mod common;

#[test]
fn ordinary_programs_pass() {
    let directory = common::test_path("allowed");
    let mut checked = 0;
    for entry in std::fs::read_dir(&directory).expect("allowed directory") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let source = std::fs::read_to_string(&path).expect("utf-8");
        let diagnostics = common::diagnostics(&source, &name);
        assert!(
            diagnostics.is_empty(),
            "{}",
            safe_check::render_text(&diagnostics, &source, &name)
        );
        checked += 1;
    }
    assert!(checked > 0);
}
