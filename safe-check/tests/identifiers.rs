//! Every identifier position of the 3.11 grammar is checked: a `__` name placed in each one
//! is refused, by R201 where the identifier names an attribute that is read and by R202
//! everywhere else.

mod common;

const POSITIONS: &[(&str, &str, &str)] = &[
    ("Name load", "x = __a\n", "R202"),
    ("Name store", "__a = 1\n", "R202"),
    ("Name del", "del __a\n", "R202"),
    ("Attribute load", "x = y.__a\n", "R201"),
    ("Attribute store", "y.__a = 1\n", "R201"),
    ("Attribute del", "del y.__a\n", "R201"),
    ("FunctionDef.name", "def __a(): pass\n", "R202"),
    ("ClassDef.name", "class __A: pass\n", "R202"),
    ("posonly arg", "def f(__a, /): pass\n", "R202"),
    ("positional arg", "def f(__a): pass\n", "R202"),
    ("vararg", "def f(*__a): pass\n", "R202"),
    ("kwonly arg", "def f(*, __a): pass\n", "R202"),
    ("kwarg", "def f(**__a): pass\n", "R202"),
    ("lambda arg", "f = lambda __a: 0\n", "R202"),
    ("lambda vararg", "f = lambda *__a: 0\n", "R202"),
    ("call keyword", "f(__a=1)\n", "R202"),
    ("class keyword", "class C(__a=1): pass\n", "R202"),
    ("except name", "try: pass\nexcept E as __a: pass\n", "R202"),
    ("import name", "import __a\n", "R202"),
    ("import alias", "import a as __a\n", "R202"),
    ("from module", "from __a import b\n", "R202"),
    ("from name", "from a import __b\n", "R202"),
    ("global", "def f():\n    global __a\n", "R202"),
    ("nonlocal", "def f():\n    nonlocal __a\n", "R202"),
    ("walrus", "(__a := 1)\n", "R202"),
    ("for target", "for __a in y: pass\n", "R202"),
    ("with target", "with y as __a: pass\n", "R202"),
    ("comprehension target", "[0 for __a in y]\n", "R202"),
    ("starred target", "*__a, b = y\n", "R202"),
    ("annotation", "x: __a = 1\n", "R202"),
    ("return annotation", "def f() -> __a: pass\n", "R202"),
    ("default", "def f(a=__b): pass\n", "R202"),
    ("decorator expression", "@__a\ndef f(): pass\n", "R202"),
    ("f-string field", "x = f'{__a}'\n", "R202"),
    ("f-string spec field", "x = f'{y:{__a}}'\n", "R202"),
    ("match capture", "match y:\n    case __a: pass\n", "R202"),
    ("match as", "match y:\n    case [1] as __a: pass\n", "R202"),
    ("match star", "match y:\n    case [*__a]: pass\n", "R202"),
    ("match rest", "match y:\n    case {**__a}: pass\n", "R202"),
    (
        "match class attribute",
        "match y:\n    case C(__a=1): pass\n",
        "R201",
    ),
    ("match class", "match y:\n    case __C(): pass\n", "R202"),
    ("match value", "match y:\n    case a.__b: pass\n", "R201"),
    (
        "match mapping key",
        "match y:\n    case {a.__b: 1}: pass\n",
        "R201",
    ),
    ("match guard", "match y:\n    case 1 if __a: pass\n", "R202"),
    ("slice", "x = y[__a:]\n", "R202"),
    ("raise from", "raise E from __a\n", "R202"),
    ("assert message", "assert y, __a\n", "R202"),
    ("dict key", "x = {__a: 1}\n", "R202"),
    ("dict unpacking", "x = {**__a}\n", "R202"),
    ("yield", "def f():\n    yield __a\n", "R202"),
];

#[test]
fn a_dunder_in_every_identifier_position_is_refused() {
    let mut missed = Vec::new();
    for (position, source, code) in POSITIONS {
        let found = common::line_codes(&common::diagnostics(source, "position.py"));
        if !found.iter().any(|(_, found)| found == code) {
            missed.push(format!(
                "{position}: {source:?} gave {found:?}, expected {code}"
            ));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[test]
fn prefixes_are_checked_in_every_identifier_position() {
    let mut missed = Vec::new();
    for (position, source, _) in POSITIONS {
        let source = source
            .replace("__a", "f_a")
            .replace("__b", "gi_b")
            .replace("__A", "co_A")
            .replace("__C", "tb_C");
        let found = common::line_codes(&common::diagnostics(&source, "position.py"));
        if !found.iter().any(|(_, code)| code == "R204") {
            missed.push(format!("{position}: {source:?} gave {found:?}"));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}
