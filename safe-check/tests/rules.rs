//! One test per rule: the rule's fixture `tests/fixtures/R###.py` yields exactly the
//! `(line, code)` pairs its `# error:` markers name, nothing on `# ok` lines, and the full
//! text rendering is snapshotted (`tests/snapshots/rules__R###.snap`).

mod common;

use safe_check::{render_text, RuleId};

fn check_fixture(rule: RuleId) {
    let code = rule.code();
    let filename = format!("fixtures/{code}.py");
    let source = common::read(&filename);
    let markers = common::markers(&source);
    let own = markers.expected.iter().filter(|(_, c)| c == code).count();
    assert!(own >= 2, "{filename}: fewer than 2 lines flagged by {code}");
    assert!(!markers.ok_lines.is_empty(), "{filename}: no `# ok` line");
    let diagnostics = common::diagnostics(&source, &filename);
    let rendered = render_text(&diagnostics, &source, &filename);
    assert_eq!(
        common::line_codes(&diagnostics),
        markers.expected,
        "{filename}: diagnostics differ from the markers\n{rendered}"
    );
    insta::assert_snapshot!(code, rendered);
}

macro_rules! rule_tests {
    ($($test:ident => $rule:ident,)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture(RuleId::$rule);
            }
        )*

        /// Every rule of the registry has a test above.
        #[test]
        fn every_rule_has_a_fixture_test() {
            let tested = [$(RuleId::$rule,)*];
            for info in safe_check::all_rules() {
                if info.kind == safe_check::RuleKind::Rule {
                    assert!(tested.contains(&info.id), "{} has no fixture test", info.code);
                }
            }
        }
    };
}

rule_tests! {
    r100_unsupported_node => R100,
    r101_decorator => R101,
    r102_class_keyword => R102,
    r103_async_construct => R103,
    r104_global_statement => R104,
    r105_positional_class_pattern => R105,
    r201_dunder_attribute => R201,
    r202_dunder_name => R202,
    r203_unsafe_special_method => R203,
    r204_introspection_prefix => R204,
    r205_format_attribute => R205,
    r206_codec_attribute => R206,
    r207_mro_attribute => R207,
    r301_import_statement => R301,
    r302_import_from_statement => R302,
    r401_forbidden_builtin => R401,
    r402_type_beyond_one_argument => R402,
}
