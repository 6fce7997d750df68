//! The checker's own limits and failure modes: each is a diagnostic, never a crash.

mod common;

use safe_check::{CheckFailure, RuleId, MAX_DEPTH, MAX_NODES, MAX_SOURCE_BYTES};

fn unchecked(source: &str) -> safe_check::Diagnostic {
    match common::check(source, "limits.py") {
        Err(CheckFailure::Unchecked(diagnostic)) => diagnostic,
        other => panic!("expected a checker error, got {other:?}"),
    }
}

#[test]
fn syntax_error_is_e001_with_its_position() {
    let diagnostic = unchecked("x = 1\ny = = 2\n");
    assert_eq!(diagnostic.rule, RuleId::E001);
    assert_eq!(diagnostic.message, "invalid syntax");
    assert_eq!(
        (diagnostic.span.start.line, diagnostic.span.start.byte_col),
        (2, 4)
    );
}

#[test]
fn syntax_error_columns_are_converted_to_bytes() {
    // CPython reports SyntaxError offsets in characters; spans are kept in bytes.
    let diagnostic = unchecked("é = 'ü' +\n");
    assert_eq!(diagnostic.rule, RuleId::E001);
    assert_eq!(diagnostic.span.start.byte_col, 11);
}

#[test]
fn indentation_error_is_a_syntax_error() {
    assert_eq!(unchecked("if x:\npass\n").rule, RuleId::E001);
}

#[test]
fn ten_thousand_nested_parentheses_are_refused_by_the_parser() {
    let source = format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
    let diagnostic = unchecked(&source);
    assert_eq!(diagnostic.rule, RuleId::E001);
    assert_eq!(diagnostic.message, "too many nested parentheses");
}

#[test]
fn a_million_nested_lambdas_exceed_the_size_limit() {
    let source = format!("x = {}1\n", "lambda: ".repeat(1_000_000));
    assert!(source.len() > MAX_SOURCE_BYTES);
    assert_eq!(unchecked(&source).rule, RuleId::E002);
}

#[test]
fn deeply_nested_lambdas_under_the_size_limit_exhaust_the_parser() {
    let source = format!("x = {}1\n", "lambda: ".repeat(200_000));
    let diagnostic = unchecked(&source);
    assert_eq!(diagnostic.rule, RuleId::E005, "{}", diagnostic.message);
}

#[test]
fn deep_unary_chain_is_refused_for_its_nesting() {
    // The parser builds this 5,000-level tree; the checker refuses it before the compiler
    // (which recurses over the tree) ever sees it.
    let source = format!("x = {}1\n", "not ".repeat(5_000));
    assert_eq!(unchecked(&source).rule, RuleId::E003);
}

#[test]
fn nesting_past_the_limit_is_e003() {
    let terms = vec!["1"; MAX_DEPTH as usize + 10].join(" + ");
    let diagnostic = unchecked(&format!("x = {terms}\n"));
    assert_eq!(diagnostic.rule, RuleId::E003);
    let chain = format!(
        "if x: pass\n{}",
        "elif x: pass\n".repeat(MAX_DEPTH as usize)
    );
    assert_eq!(unchecked(&chain).rule, RuleId::E003);
}

#[test]
fn nesting_under_the_limit_passes() {
    let terms = vec!["1"; 200].join(" + ");
    assert!(common::check(&format!("x = {terms}\n"), "ok.py").is_ok());
}

#[test]
fn more_nodes_than_the_limit_is_e004() {
    // Each `a` is one Name node (its Load context is not counted).
    let elements = MAX_NODES + 10;
    let source = format!("x = [{}]\n", "a,".repeat(elements));
    assert!(source.len() < MAX_SOURCE_BYTES);
    assert_eq!(unchecked(&source).rule, RuleId::E004);
}

#[test]
fn oversized_source_is_e002_before_parsing() {
    let source = "#".repeat(MAX_SOURCE_BYTES + 1);
    let diagnostic = unchecked(&source);
    assert_eq!(diagnostic.rule, RuleId::E002);
    assert_eq!(diagnostic.span.start.line, 1);
}

#[test]
fn nul_byte_is_e006_with_its_position() {
    let diagnostic = unchecked("x = 1\r\ny = 'a\0'\n");
    assert_eq!(diagnostic.rule, RuleId::E006);
    assert_eq!(
        (diagnostic.span.start.line, diagnostic.span.start.byte_col),
        (2, 6)
    );
}

#[test]
fn coding_cookie_does_not_redecode_the_source() {
    // The source is handed over as `str`, so a cookie naming another codec is ignored
    // (a bytes source would be decoded as latin-1 and see different identifiers).
    let source = "# -*- coding: latin-1 -*-\nnom = 'é'\n";
    assert!(common::check(source, "cookie.py").is_ok());
    let hidden = "# coding: utf-7\nx = '+AF8AXw-'\nvalue = ().__class__\n";
    assert_eq!(
        common::line_codes(&common::diagnostics(hidden, "utf7.py")),
        [(3, "R201".to_owned())].into_iter().collect()
    );
}

#[test]
fn empty_and_comment_only_sources_pass() {
    assert!(common::check("", "empty.py").is_ok());
    assert!(common::check("# nothing\n\n", "comment.py").is_ok());
}

#[test]
fn arbitrary_text_never_panics() {
    let samples = [
        "\u{feff}x = 1\n",
        "x = '\u{202e}'\n",
        "\r\r\r",
        "\\\n",
        "def f(:\n",
        "'''unterminated",
        "f'{",
        "x = 1 if else 2",
        "\u{1F600} = 1",
        "match = 1\ncase = 2\n",
        "lambda: (yield)",
        "class A: nonlocal x",
    ];
    for sample in samples {
        let _ = common::check(sample, "fuzz.py");
    }
}
