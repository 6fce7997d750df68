//! One test per rule: the rule's fixture `tests/fixtures/R###.py` yields exactly the
//! `(line, code)` pairs its `# error:` markers name, nothing on `# ok` lines, and the full
//! text rendering is snapshotted (`tests/snapshots/rules__R###.snap`). A fixture is checked
//! against the profile its leading comment names (`# profile: python`, `# modules: ...`;
//! RepyV2 otherwise).
//!
//! Each rule the python profile narrows also has `tests/fixtures/python/R###.py`, checked
//! under that profile (snapshot `rules__python_R###.snap`): what the rule still refuses
//! there, and the widened constructs as `# ok` lines.

mod common;

use safe_check::{render_text, Profile, RuleId};

fn check_fixture(rule: RuleId) {
    let code = rule.code();
    let filename = format!("fixtures/{code}.py");
    let markers = check_file(&filename, code, code);
    let own = markers.expected.iter().filter(|(_, c)| c == code).count();
    assert!(own >= 2, "{filename}: fewer than 2 lines flagged by {code}");
}

fn check_python_fixture(rule: RuleId) {
    let code = rule.code();
    let filename = format!("fixtures/python/{code}.py");
    let source = common::read(&filename);
    assert_eq!(
        common::options_of(&source).profile,
        Profile::Python,
        "{filename}: must start with `# profile: python`"
    );
    check_file(&filename, &format!("python_{code}"), code);
}

/// Checks one fixture against its markers and its snapshot.
fn check_file(filename: &str, snapshot: &str, code: &str) -> common::Markers {
    let source = common::read(filename);
    let markers = common::markers(&source);
    assert!(!markers.ok_lines.is_empty(), "{filename}: no `# ok` line");
    let options = common::options_of(&source);
    let diagnostics = common::diagnostics_with(&source, filename, &options);
    let rendered = render_text(&diagnostics, &source, filename);
    assert_eq!(
        common::line_codes(&diagnostics),
        markers.expected,
        "{filename}: diagnostics differ from the markers ({code})\n{rendered}"
    );
    insta::assert_snapshot!(snapshot, rendered);
    markers
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
    r208_unsafe_slots => R208,
    r209_private_pattern_attribute => R209,
    r401_forbidden_builtin => R401,
    r402_type_beyond_one_argument => R402,
    r403_super_arguments => R403,
}

macro_rules! python_rule_tests {
    ($($test:ident => $rule:ident,)*) => {
        $(
            #[test]
            fn $test() {
                check_python_fixture(RuleId::$rule);
            }
        )*

        /// Every rule a widening of the python profile narrows has a python fixture above.
        #[test]
        fn every_narrowed_rule_has_a_python_fixture() {
            let tested = [$(RuleId::$rule,)*];
            for widening in Profile::Python.widenings() {
                for rule in widening.narrows {
                    assert!(
                        tested.contains(rule),
                        "{} (narrowed by {}) has no python fixture test",
                        rule.code(),
                        widening.name
                    );
                }
            }
        }
    };
}

python_rule_tests! {
    python_r101_decorator => R101,
    python_r104_global_statement => R104,
    python_r105_positional_class_pattern => R105,
    python_r201_dunder_attribute => R201,
    python_r202_dunder_name => R202,
    python_r203_unsafe_special_method => R203,
    python_r205_format_attribute => R205,
    python_r206_codec_attribute => R206,
    python_r301_import_statement => R301,
    python_r302_import_from_statement => R302,
}
