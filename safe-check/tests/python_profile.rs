//! The python profile (`Profile::Python`): each widening of its table passes under it and is
//! still refused under RepyV2; the constructs both profiles allow pass under both; the
//! escape programs of `tests/escapes-python/` stay refused under it, each by the rules its
//! header names; the ordinary programs of `tests/allowed-python/` pass.

mod common;

use std::collections::BTreeSet;

use safe_check::{Options, Profile};

/// The modules the snippets below may import.
const MODULES: &[&str] = &["math", "collections", "functools", "dataclasses"];

/// `(widening, program, rules refusing it under RepyV2)`: a construct each widening allows.
const WIDENED: &[(&str, &str, &[&str])] = &[
    (
        "main-name",
        "if __name__ == \"__main__\":\n    print(1)\n",
        &["R202"],
    ),
    ("main-name", "def module():\n    return __name__\n", &["R202"]),
    ("name-attributes", "kind = type(3).__name__\n", &["R201"]),
    (
        "name-attributes",
        "def f():\n    \"\"\"Doc.\"\"\"\nprint(f.__qualname__, f.__doc__, f.__name__)\n",
        &["R201"],
    ),
    (
        "name-attributes",
        "match f:\n    case object(__name__=name):\n        pass\n",
        &["R201"],
    ),
    (
        "exception-chain-attributes",
        "try:\n    raise KeyError(1)\nexcept KeyError as error:\n    print(error.__cause__, error.__context__)\n",
        &["R201"],
    ),
    (
        "future-annotations",
        "from __future__ import annotations\ndef f(x: Later) -> Later:\n    return x\n",
        &["R302", "R202"],
    ),
    (
        "plain-decorators",
        "class Box:\n    @property\n    def size(self):\n        return 0\n    @size.setter\n    def size(self, value):\n        pass\n    @size.deleter\n    def size(self):\n        pass\n    @staticmethod\n    def make():\n        return Box()\n    @classmethod\n    def build(cls):\n        return cls()\n",
        &["R101"],
    ),
    (
        "plain-decorators",
        "import functools\n@functools.lru_cache(maxsize=None)\ndef fib(n):\n    return n\n@functools.cache\ndef twice(n):\n    return 2 * n\n@functools.total_ordering\nclass Rank:\n    def __lt__(self, other):\n        return False\ndef logged(function):\n    @functools.wraps(function)\n    def wrapper(*args):\n        return function(*args)\n    return wrapper\n",
        &["R101", "R301"],
    ),
    (
        "plain-decorators",
        "import dataclasses\nfrom dataclasses import dataclass\n@dataclass\nclass A:\n    x: int\n@dataclass(frozen=True, order=True)\nclass B:\n    x: int = 0\n@dataclasses.dataclass(eq=False)\nclass C:\n    y: int = 1\n",
        &["R101", "R301", "R302"],
    ),
    (
        "global-statement",
        "count = 0\ndef bump():\n    global count\n    count += 1\n",
        &["R104"],
    ),
    (
        "class-slots",
        "class P:\n    __slots__ = ('x', \"y\")\nclass Q:\n    __slots__ = ['_z']\nclass R:\n    __slots__ = 'w'\nclass S:\n    __slots__ = ()\nclass T:\n    __slots__ = (\"value\")\nclass U:\n    __slots__ = 'a', 'b'\n",
        &["R202"],
    ),
    (
        "positional-class-patterns",
        "match value:\n    case int(n):\n        pass\n    case Point(x, y):\n        pass\n    case shapes.Circle(r):\n        pass\n",
        &["R105"],
    ),
    (
        "post-init-method",
        "class P:\n    def __post_init__(self):\n        self.total = 0\n",
        &["R203"],
    ),
    (
        "allowed-modules",
        "import math\nimport collections.abc\nimport math as m, functools as f\nfrom math import sqrt, pi as PI\nfrom collections.abc import Mapping\nfrom collections import abc, deque\nfrom math import *\n",
        &["R301", "R302"],
    ),
    (
        "format-methods",
        "line = \"{}: {:.2f}\".format('x', 1.5)\nrender = str.format\ntext = '{a}'.format_map({'a': 1})\nmatch line:\n    case str(format=f):\n        pass\n",
        &["R205"],
    ),
    (
        "text-codecs",
        "data = 'hé'.encode()\ntext = data.decode('latin-1')\nback = bytearray(data).decode('utf-8', 'replace')\n",
        &["R206"],
    ),
    (
        "class-private-names",
        "class Account:\n    __count = 0\n    def __init__(self, pin, __tries=3):\n        self.__pin = pin\n        Account.__count += 1\n    def __check(self, pin):\n        try:\n            return pin == self.__pin\n        except ValueError as __error:\n            raise\n    def close(self):\n        del self.__pin\n        return self.__check\nclass __Hidden:\n    pass\nacct = Account(1)\nprint(acct.__pin)\n",
        &["R201", "R202"],
    ),
    (
        "class-private-names",
        "def outer():\n    __n = 0\n    def inner():\n        nonlocal __n\n        __n += 1\n    return inner\nmatch value:\n    case [__first, *__rest]:\n        pass\n    case {**__others}:\n        pass\n",
        &["R202"],
    ),
    (
        "class-private-names",
        "def reset():\n    global __total\n    __total = 0\n",
        &["R104", "R202"],
    ),
    (
        "special-method-aliases",
        "class Money:\n    def __add__(self, other):\n        return self\n    __radd__ = __add__\n    def __mul__(self, other):\n        return self\n    __rmul__ = __mul__\n    def iter_impl(self):\n        return iter(())\n    __iter__ = iter_impl\n    __eq__ = lambda self, other: self is other\n    __hash__ = None\n    __str__ = __repr__\n    __post_init__ = iter_impl\n",
        &["R202"],
    ),
    (
        "class-attribute",
        "class Point:\n    def __repr__(self):\n        return self.__class__.__name__\nkind = (1).__class__\n",
        &["R201"],
    ),
    (
        "special-method-reads",
        "class V:\n    def __eq__(self, other):\n        return super().__eq__(other)\nsize = [1].__len__()\nplus = int.__add__\n",
        &["R201"],
    ),
];

/// Programs both profiles allow (so the python profile needs no widening for them).
const BOTH: &[&str] = &[
    "def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n    return inner\n",
    "try:\n    pass\nexcept KeyError as error:\n    raise ValueError('x') from error\n",
    "raise ValueError('x') from None\n",
    "text = '%s has %d items (%.2f%%) %r' % ('box', 3, 1.5, None)\n",
    "text = '%(name)s: %(size)5d' % {'name': 'x', 'size': 2}\n",
    "class C(B):\n    def __init__(self):\n        super().__init__()\n",
    "class D:\n    def __enter__(self):\n        return self\n    def __exit__(self, kind, value, trace):\n        return False\n",
    // Single-underscore attributes, the kind of state a mangled class-private name reaches.
    "acct._pin = 1\nprint(acct._pin, acct._x_y)\ndel acct._pin\n",
    // A class body binding a method under an ordinary name.
    "class E:\n    def add(self, other):\n        return self\n    plus = add\n    minus = lambda self, other: self\n    label = print\n",
];

fn python() -> Options {
    Options::python(MODULES.iter().copied())
}

#[test]
fn each_widening_passes_under_python_and_is_refused_under_repyv2() {
    let mut problems = Vec::new();
    for (widening, source, refused_by) in WIDENED {
        let found = common::codes(&common::diagnostics_with(source, "w.py", &python()));
        if !found.is_empty() {
            problems.push(format!(
                "{widening}: refused under python: {found:?}\n{source}"
            ));
        }
        let repyv2 = common::codes(&common::diagnostics(source, "w.py"));
        let expected: BTreeSet<String> = refused_by.iter().map(|c| c.to_string()).collect();
        if repyv2 != expected {
            problems.push(format!(
                "{widening}: under repyv2 expected {expected:?}, found {repyv2:?}\n{source}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_widening_has_a_case() {
    for info in Profile::Python.widenings() {
        assert!(
            WIDENED.iter().any(|(name, _, _)| *name == info.name),
            "widening {} has no case",
            info.name
        );
        let covered: BTreeSet<&str> = WIDENED
            .iter()
            .filter(|(name, _, _)| *name == info.name)
            .flat_map(|(_, _, codes)| codes.iter().copied())
            .collect();
        for rule in info.narrows {
            assert!(
                covered.contains(rule.code()),
                "widening {}: no case refused by {} under repyv2",
                info.name,
                rule.code()
            );
        }
    }
    assert!(Profile::RepyV2.widenings().is_empty());
}

#[test]
fn constructs_both_profiles_allow() {
    for source in BOTH {
        for options in [Options::default(), python()] {
            let found = common::diagnostics_with(source, "both.py", &options);
            assert!(
                found.is_empty(),
                "{:?}: {found:?}\n{source}",
                options.profile
            );
        }
    }
}

#[test]
fn repyv2_options_ignore_modules() {
    let options = Options {
        profile: Profile::RepyV2,
        modules: vec!["math".to_owned()],
    };
    let found = common::codes(&common::diagnostics_with("import math\n", "m.py", &options));
    assert_eq!(found, BTreeSet::from(["R301".to_owned()]));
}

#[test]
fn the_default_entry_points_are_repyv2() {
    let sources = [
        "@property\ndef f():\n    pass\n",
        "x = __name__\n",
        "import math\n",
    ];
    for source in sources {
        let plain = common::diagnostics(source, "d.py");
        let explicit = common::diagnostics_with(source, "d.py", &Options::default());
        assert!(!plain.is_empty());
        assert_eq!(plain, explicit);
    }
}

/// What a program's header says: `# expect: R201, R204` (the checker must refuse it under
/// the python profile, naming those rules) or `# expect: run ...` (the checker accepts it:
/// the rest of the header says what the runtime must stop). A refused program is refused by
/// RepyV2's checker too, unless a `# repyv2: run ...` line says RepyV2 stops it at run time.
fn expectation(name: &str, source: &str) -> Option<BTreeSet<String>> {
    let header = source
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("# expect:"))
        .unwrap_or_else(|| panic!("{name}: first line must be `# expect: ...`"))
        .trim();
    if header.starts_with("run ") {
        return None;
    }
    Some(
        header
            .split(',')
            .map(|code| code.trim().to_owned())
            .collect(),
    )
}

/// The `.py` files of `tests/<directory>`, sorted.
fn programs(directory: &str) -> Vec<(String, String)> {
    let mut paths: Vec<_> = std::fs::read_dir(common::test_path(directory))
        .expect("directory")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let source = std::fs::read_to_string(&path).expect("utf-8");
            (name, source)
        })
        .collect()
}

#[test]
fn escapes_stay_refused_under_python() {
    let escapes = programs("escapes-python");
    assert!(
        escapes.len() >= 30,
        "only {} escape programs",
        escapes.len()
    );
    let mut failures = Vec::new();
    for (name, source) in &escapes {
        let mut options = common::options_of(source);
        options.profile = Profile::Python;
        let diagnostics = common::diagnostics_with(source, name, &options);
        let found = common::codes(&diagnostics);
        assert!(
            !found.iter().any(|code| code.starts_with('E')),
            "{name} does not parse: {found:?}"
        );
        match expectation(name, source) {
            None => {
                // Stopped at run time: the checker must accept it (the header says what
                // the namespace must refuse).
                if !found.is_empty() {
                    failures.push(format!("{name}: a run-time case, but refused: {found:?}"));
                }
            }
            Some(expected) => {
                if found.is_empty() || !expected.is_subset(&found) {
                    failures.push(format!("{name}: expected {expected:?}, found {found:?}"));
                }
                // Refused under RepyV2 too, by the checker, or at run time where the header
                // says so (`# repyv2: run ...`: RepyV2's `super` is a stub that raises).
                let repyv2_accepts = common::diagnostics(source, name).is_empty();
                let repyv2_at_run_time = source.lines().any(|l| l.starts_with("# repyv2: run "));
                if repyv2_accepts != repyv2_at_run_time {
                    failures.push(format!(
                        "{name}: RepyV2's checker {} it",
                        if repyv2_accepts { "accepts" } else { "refuses" }
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ordinary_programs_pass_under_python() {
    let allowed = programs("allowed-python");
    assert!(!allowed.is_empty());
    for (name, source) in &allowed {
        let mut options = common::options_of(source);
        options.profile = Profile::Python;
        let diagnostics = common::diagnostics_with(source, name, &options);
        assert!(
            diagnostics.is_empty(),
            "{}",
            safe_check::render_text(&diagnostics, source, name)
        );
        assert!(
            !common::diagnostics(source, name).is_empty(),
            "{name}: passes under RepyV2 too, so it tests no widening"
        );
    }
}

/// `from __future__ import annotations` is a directive of the checked tree itself: the
/// tree compiled is the tree checked, and it carries the feature (annotations become
/// strings, so an annotation naming nothing defined does not fail).
#[test]
fn future_annotations_reach_the_compiled_code() {
    use pyo3::prelude::*;
    const CO_FUTURE_ANNOTATIONS: i64 = 0x100_0000;
    let source =
        "from __future__ import annotations\ndef f(x: Undefined) -> Undefined:\n    return x\n";
    pyo3::Python::initialize();
    pyo3::Python::attach(|py| {
        let checked = safe_check::check_keeping_tree_with(py, source, "future.py", &python())
            .expect("allowed");
        let code = checked.compile(py).expect("compiles");
        let flags: i64 = code
            .getattr("co_flags")
            .and_then(|flags| flags.extract())
            .expect("co_flags");
        assert_ne!(flags & CO_FUTURE_ANNOTATIONS, 0);
        let globals = pyo3::types::PyDict::new(py);
        let builtins = py.import("builtins").expect("builtins");
        builtins
            .getattr("exec")
            .and_then(|exec| exec.call1((code, &globals)))
            .expect("runs: the annotations are not evaluated");
        // The same source without the future import evaluates `Undefined` and fails.
        let plain = py.run(
            &std::ffi::CString::new(source.replace("from __future__ import annotations\n", ""))
                .expect("no NUL"),
            None,
            None,
        );
        assert!(plain.is_err());
    });
}
