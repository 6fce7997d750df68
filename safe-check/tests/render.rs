//! Output formats: text with character columns, JSON and SARIF shapes, the one-line text
//! for virtual namespaces, `explain` and the rule listing.

mod common;

use safe_check::{first_violation_text, render_json, render_sarif, render_text, RuleKind};

const SOURCE: &str = "mot = 'café'; x = mot.__class__\nmore = [\n\t().__dict__]\n";

#[test]
fn text_columns_count_characters_not_bytes() {
    let diagnostics = common::diagnostics(SOURCE, "prog.py");
    let text = render_text(&diagnostics, SOURCE, "prog.py");
    let expected = "\
prog.py:1:23: R201 attribute `__class__` contains `__`
  |
1 | mot = 'café'; x = mot.__class__
  |                       ^^^^^^^^^

prog.py:3:5: R201 attribute `__dict__` contains `__`
  |
3 | \t().__dict__]
  | \t   ^^^^^^^^

";
    assert_eq!(text, expected);
    // byte offsets stay in the diagnostics
    assert_eq!(diagnostics[0].span.start.byte_col, 23);
}

#[test]
fn json_has_the_documented_fields() {
    let diagnostics = common::diagnostics(SOURCE, "prog.py");
    let json: serde_json::Value =
        serde_json::from_str(&render_json(&diagnostics, SOURCE, "prog.py")).expect("json");
    let first = &json[0];
    let mut keys: Vec<&str> = first
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "code",
            "end_location",
            "filename",
            "location",
            "message",
            "name",
            "url"
        ]
    );
    assert_eq!(first["code"], "R201");
    assert_eq!(first["name"], "dunder-attribute");
    assert_eq!(first["filename"], "prog.py");
    assert_eq!(
        first["location"],
        serde_json::json!({"row": 1, "column": 23})
    );
    assert_eq!(
        first["end_location"],
        serde_json::json!({"row": 1, "column": 32})
    );
    assert_eq!(first["url"], "docs/rules/R201-dunder-attribute.md");
    assert_eq!(json.as_array().map(Vec::len), Some(2));
    assert_eq!(render_json(&[], "", "x.py"), "[]");
}

#[test]
fn sarif_is_2_1_0_with_rules_from_the_registry() {
    let diagnostics = common::diagnostics(SOURCE, "dir/my prog.py");
    let sarif: serde_json::Value =
        serde_json::from_str(&render_sarif(&diagnostics, SOURCE, "dir/my prog.py")).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), safe_check::all_rules().len());
    let result = &run["results"][0];
    let index = usize::try_from(result["ruleIndex"].as_u64().expect("index")).expect("usize");
    assert_eq!(rules[index]["id"], result["ruleId"]);
    assert_eq!(result["ruleId"], "R201");
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "dir/my%20prog.py");
    assert_eq!(location["region"]["startLine"], 1);
    assert_eq!(location["region"]["startColumn"], 23);
    assert_eq!(location["region"]["endColumn"], 32);
    assert!(rules[index]["help"]["markdown"]
        .as_str()
        .is_some_and(|doc| doc.contains("## What it does")));
}

#[test]
fn first_violation_text_is_one_line() {
    let diagnostics = common::diagnostics(SOURCE, "prog.py");
    assert_eq!(
        first_violation_text(&diagnostics, SOURCE),
        "R201 (dunder-attribute) at line 1, column 23: attribute `__class__` contains `__` (and 1 more)"
    );
    assert_eq!(first_violation_text(&[], SOURCE), "");
}

#[test]
fn check_failure_displays_the_first_violation() {
    let failure = common::check(SOURCE, "prog.py").expect_err("unsafe");
    assert_eq!(
        failure.to_string(),
        "line 1: R201 attribute `__class__` contains `__` (and 1 more)"
    );
}

#[test]
fn text_output_neutralises_control_and_bidi_characters() {
    let source = "s = '\u{202e}'; t = s.__len__\n";
    let text = render_text(&common::diagnostics(source, "b.py"), source, "b.py");
    assert!(!text.contains('\u{202e}'));
    assert!(text.contains('\u{fffd}'));
}

#[test]
fn long_lines_are_windowed() {
    let source = format!("x = [{}().__class__]\n", "1, ".repeat(500));
    let text = render_text(&common::diagnostics(&source, "l.py"), &source, "l.py");
    assert!(
        text.lines().all(|line| line.chars().count() < 200),
        "{text}"
    );
    assert!(text.contains("().__class__]"));
}

#[test]
fn explain_finds_rules_by_code_or_name() {
    let by_code = safe_check::explain("R301").expect("R301");
    assert!(by_code.starts_with("# R301 import-statement"));
    assert_eq!(safe_check::explain("r301"), Some(by_code));
    assert_eq!(safe_check::explain("import-statement"), Some(by_code));
    assert!(safe_check::explain("E001").is_some());
    assert_eq!(safe_check::explain("R999"), None);
}

#[test]
fn all_rules_lists_codes_in_order() {
    let rules = safe_check::all_rules();
    let codes: Vec<&str> = rules.iter().map(|info| info.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_by_key(|code| (!code.starts_with('R'), *code));
    assert_eq!(codes, sorted);
    for info in rules {
        assert_eq!(info.id.code(), info.code);
        assert!(!info.summary.ends_with('.'), "{}", info.code);
        let digits = &info.code[1..];
        assert!(digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()));
        match info.kind {
            RuleKind::Rule => assert!(info.code.starts_with('R')),
            RuleKind::Error => assert!(info.code.starts_with('E')),
        }
    }
}

#[test]
fn many_violations_on_one_huge_line_render_in_linear_time() {
    // 40,000 violations on a single 400 KB line with a non-ASCII character up front: a
    // byte-to-column conversion that rescans the line would take minutes.
    let source = format!("s = 'é'; x = [{}]\n", "a.__b, ".repeat(40_000));
    let start = std::time::Instant::now();
    let diagnostics = common::diagnostics(&source, "huge.py");
    assert_eq!(diagnostics.len(), 40_000);
    let text = render_text(&diagnostics, &source, "huge.py");
    let json = render_json(&diagnostics, &source, "huge.py");
    assert!(text.contains("huge.py:1:17: R201") && json.contains("\"column\": 17"));
    let elapsed = start.elapsed();
    assert!(elapsed.as_secs() < 60, "took {elapsed:?}");
}
