//! The python profile's run-time guards for `str.format`/`format_map` and the text codecs
//! (`api::text_guards`), through the binary: ordinary uses print exactly what bare CPython
//! 3.11 prints; every escape (a format field walking to `_` names or introspection
//! attributes, a codec or error handler other than the text ones) ends with its exception and
//! writes no canary; under RepyV2 the checker still refuses the attributes (R205, R206).

use crate::profiles::bare_cpython;
use crate::support::Sandbox;

/// A python-profile policy.
const PYTHON: &str = "profile = \"python\"\n\n[resources]\nmemory = \"200 MB\"\n";

/// Written by each escape program after its attempt: proof that the attempt did not raise.
const CANARY: &str = "\nopenfile('canary', True).close()\nprint('ESCAPED')\n";

/// Runs `program` under the python profile.
fn run_python(program: &str) -> (Sandbox, crate::support::RunOutput) {
    let sb = Sandbox::new().restrictions(PYTHON).program(program);
    let out = sb.run(&[]);
    (sb, out)
}

/// Ordinary formatting prints exactly what CPython prints.
#[test]
fn text_guards_ordinary_formatting_matches_cpython() {
    let program = r#"
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __format__(self, spec):
        field = "{:" + spec + "}"
        return "P(" + field.format(self.x) + ", " + field.format(self.y) + ")"
    def __repr__(self):
        return "Point(%r, %r)" % (self.x, self.y)
class Defaults(dict):
    def __missing__(self, key):
        return "?" + key
p = Point(1.5, -2)
rows = [("apple", 3, 0.5), ("kiwi", 12, 0.25)]
print("{:<8}|{:>5}|{:>8}".format("name", "qty", "price"))
for name, qty, price in rows:
    print("{:<8}|{:>5d}|{:>8.2f}".format(name, qty, price))
print("{0} {1} {0}".format("a", "b"), "{name}={value!r}".format(name="k", value="v"))
print("{0.x} {0.y} {0!r} {0:.1f}".format(p), "{p.x:+.3e}".format(p=p))
print("{0[0]} {0[1][1]} {1[key]}".format([1, (2, 3)], {"key": "val"}))
print("{:{width}.{precision}f}|{:^{w2}}|{:*>+7,d}".format(3.14159, "mid", 12345, width=10, precision=3, w2=9))
print("{!s:>6}{!a}".format("s", "é"), "{{literal}} {{_x}} a._b [_c]".format())
print("{who} has {n} {what}".format_map(Defaults(who="Ann", n=2)))
print("{0:%}|{0:e}|{1:#x}|{1:b}|{2:_}".format(0.25, 255, 10**7))
print(str.format("{}-{}", 1, 2), "{}".format.__name__)
render = "{:>4}".format
print([render(i) for i in range(3)])
"#;
    let (_, out) = run_python(program);
    out.assert_code(0);
    assert_eq!(out.stdout(), bare_cpython(program, ""), "{}", out.explain());
}

/// Ordinary encoding and decoding prints exactly what CPython prints, with every allowed
/// codec, alias and error handler.
#[test]
fn text_guards_ordinary_codecs_match_cpython() {
    let program = r#"
text = "héllo €𝄞"
for name in ["utf-8", "UTF8", "u8", "utf_8", " Utf-8 ", "utf", "ascii", "us-ascii", "646",
             "latin-1", "latin1", "iso-8859-1", "ISO_8859-1:1987", "l1", "cp819",
             "utf-16", "utf-16-le", "UTF-16BE", "utf16", "utf-32", "utf_32_le", "utf-32be",
             "UnicodeLittleUnmarked"]:
    for errors in ["strict", "ignore", "replace", "backslashreplace", "xmlcharrefreplace",
                   "surrogateescape", "surrogatepass"]:
        try:
            data = text.encode(name, errors)
        except UnicodeEncodeError as error:
            print(name, errors, "encode:", error)
            continue
        print(name, errors, data)
        for back in ["strict", "replace", "ignore", "backslashreplace", "surrogateescape"]:
            try:
                print(" ", back, repr(data.decode(name, back)))
            except UnicodeDecodeError as error:
                print(" ", back, "decode:", error)
print("x".encode(), b"\xff\xfeh\x00".decode("utf-16"), "\udcff".encode("utf-8", "surrogateescape"))
print(b"a\xffb".decode(errors="replace"), b"a\xffb".decode(encoding="latin-1"))
print(str.encode("é", "utf-8"), bytes.decode(b"\xc3\xa9"))
try:
    "é".encode("ascii")
except UnicodeEncodeError as error:
    print(type(error).__name__, error.start, error.end, error)
"#;
    let (_, out) = run_python(program);
    out.assert_code(0);
    assert_eq!(out.stdout(), bare_cpython(program, ""), "{}", out.explain());
}

/// Every codec name CPython resolves to one of the allowed codecs works, under the name
/// CPython gives it; every other name (other codecs, unknown names) is a `LookupError`.
#[test]
fn text_guards_codec_names_resolve_as_cpython_does() {
    let names = [
        "utf-8",
        "UTF-8",
        "utf8",
        "u8",
        "utf",
        "utf_8",
        "utf--8",
        "_utf_8_",
        "utf 8",
        "utf.8",
        "cp65001",
        "utf8_ucs4",
        "ascii",
        "ASCII",
        "us_ascii",
        "us-ascii",
        "646",
        "iso646-us",
        "ansi_x3.4-1968",
        "iso_646.irv:1991",
        "latin-1",
        "latin_1",
        "latin1",
        "latin",
        "l1",
        "8859",
        "iso8859",
        "iso-8859-1",
        "iso8859_1",
        "iso_8859_1:1987",
        "iso-ir-100",
        "csISOLatin1",
        "ibm819",
        "utf-16",
        "utf16",
        "u16",
        "utf-16-le",
        "utf_16le",
        "utf-16-be",
        "unicodebigunmarked",
        "utf-32",
        "u32",
        "utf-32-le",
        "utf-32-be",
        "utf_32be",
        "rot13",
        "rot_13",
        "hex",
        "hex_codec",
        "base64",
        "zip",
        "zlib",
        "bz2",
        "uu",
        "quopri",
        "idna",
        "punycode",
        "unicode_escape",
        "raw_unicode_escape",
        "raw-unicode-escape",
        "utf-8-sig",
        "utf_8_sig",
        "utf-7",
        "cp1252",
        "cp437",
        "koi8_r",
        "mbcs",
        "oem",
        "palmos",
        "undefined",
        "charmap",
        "latin-9",
        "iso8859_2",
        "utf-8 sig",
        "",
        "-",
        "nonexistent",
        "utf_8.",
        "UTF-8\u{a0}",
        "ｕｔｆ８",
        "utf\u{2010}8",
    ];
    let list = names
        .iter()
        .map(|name| {
            let escaped: String = name
                .chars()
                .map(|c| match c {
                    ' '..='~' if c != '"' && c != '\\' => c.to_string(),
                    _ => format!("\\u{:04x}", u32::from(c)),
                })
                .collect();
            format!("\"{escaped}\"")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let common = format!("names = [{list}]\n");
    let sandboxed = format!(
        "{common}for name in names:\n    try:\n        print(repr(name), 'é'.encode(name, 'replace'), \
         b'\\xe9\\x00\\x00\\x00'.decode(name, 'replace'))\n    except LookupError:\n        \
         print(repr(name), 'LookupError')\n"
    );
    // Bare CPython: the codec each name resolves to, kept only when it is an allowed one.
    let reference = format!(
        "import codecs\n{common}allowed = {{'utf-8', 'ascii', 'iso8859-1', 'utf-16', \
         'utf-16-le', 'utf-16-be', 'utf-32', 'utf-32-le', 'utf-32-be'}}\nfor name in names:\n    \
         try:\n        known = codecs.lookup(name).name in allowed\n    except LookupError:\n        \
         known = False\n    if known:\n        print(repr(name), 'é'.encode(name, 'replace'), \
         b'\\xe9\\x00\\x00\\x00'.decode(name, 'replace'))\n    else:\n        \
         print(repr(name), 'LookupError')\n"
    );
    let (_, out) = run_python(&sandboxed);
    out.assert_code(0);
    let expected = bare_cpython(&reference, "");
    assert!(expected.contains("'rot13' LookupError"), "{expected}");
    assert!(expected.contains("'utf.8' LookupError"), "{expected}");
    assert!(expected.contains("'UTF-8' b'\\xc3\\xa9'"), "{expected}");
    assert_eq!(out.stdout(), expected, "{}", out.explain());
}

/// `(what, program, exception)`: each program's attempt must raise `exception` (its message
/// contains the text after the type) and nothing after it may run.
const ESCAPES: &[(&str, &str, &str)] = &[
    ("class walk", "leak = '{0.__class__}'.format(1)", "'ValueError'): a format field may not reach '__class__'"),
    ("base chain", "leak = '{0.__class__.__base__}'.format(1)", "may not reach '__class__'"),
    ("subclasses walk", "leak = '{0.__class__.__mro__[1].__subclasses__}'.format(1)", "may not reach '__class__'"),
    ("private item", "leak = '{0[_secret]}'.format({'_secret': 1})", "may not reach '_secret'"),
    ("dunder item", "leak = '{0[__builtins__]}'.format({'__builtins__': 1})", "may not reach '__builtins__'"),
    ("private attribute", "class C:\n    def __init__(self):\n        self._s = 1\nleak = '{0._s}'.format(C())", "may not reach '_s'"),
    ("nested spec", "leak = '{0:{1.__class__}}'.format(1, 2)", "may not reach '__class__'"),
    ("doubly nested spec", "leak = '{0:{1:{2.__class__}}}'.format(1, 2, 3)", "may not reach '__class__'"),
    ("conversion r", "leak = '{0.__class__!r}'.format(1)", "may not reach '__class__'"),
    ("conversion s", "leak = '{0.__class__!s:>40}'.format(1)", "may not reach '__class__'"),
    ("conversion a", "leak = '{0.__init__.__globals__!a}'.format(print)", "may not reach '__init__'"),
    ("after a good field", "leak = '{0} {0.real} {0.__class__}'.format(1)", "may not reach '__class__'"),
    ("keyword first part", "leak = '{_x}'.format(_x=1)", "may not reach '_x'"),
    ("auto-numbered attribute", "leak = '{.__class__}'.format(1)", "may not reach '__class__'"),
    ("item then attribute", "leak = '{0[0].__class__}'.format([1])", "may not reach '__class__'"),
    ("generator frame", "def g():\n    yield 1\nleak = '{0.gi_frame.f_globals}'.format(g())", "may not reach 'gi_frame'"),
    ("code object", "def f():\n    pass\nleak = '{0.gi_code}'.format((x for x in []))", "may not reach 'gi_code'"),
    ("frame attribute deeper", "class C:\n    pass\nc = C()\nc.x = c\nleak = '{0.x.f_back}'.format(c)", "may not reach 'f_back'"),
    ("unbound method", "leak = str.format('{0.__class__}', 1)", "may not reach '__class__'"),
    ("alias", "fmt = '{0.__class__}'.format\nleak = fmt(1)", "may not reach '__class__'"),
    ("unbound alias", "fmt = str.format\nleak = fmt('{0.__class__}', 1)", "may not reach '__class__'"),
    ("str subclass", "class S(str):\n    pass\nleak = S('{0.__class__}').format(1)", "may not reach '__class__'"),
    ("built at run time", "t = '{0.' + '_' * 2 + 'class' + '_' * 2 + '}'\nleak = t.format(1)", "may not reach '__class__'"),
    ("format_map dict", "leak = '{x.__class__}'.format_map({'x': 1})", "may not reach '__class__'"),
    ("format_map key", "leak = '{__builtins__}'.format_map({'__builtins__': 1})", "may not reach '__builtins__'"),
    ("format_map missing", "class M(dict):\n    def __missing__(self, key):\n        return print\nleak = '{x.__self__}'.format_map(M())", "may not reach '__self__'"),
    ("format_map getitem", "class M:\n    def __getitem__(self, key):\n        return print\nleak = '{anything.__init__.__globals__}'.format_map(M())", "may not reach '__init__'"),
    ("format_map unbound", "leak = str.format_map('{x.__class__}', {'x': 1})", "may not reach '__class__'"),
    ("format_map in spec", "leak = '{a:{b._c}}'.format_map({'a': 1, 'b': 2})", "may not reach '_c'"),
    ("surrogate item first", "leak = '{0[\\udc80]}{0.__class__}'.format({'\\udc80': 1})", "may not reach '__class__'"),
    ("surrogate private item", "leak = '{0[_\\udc80]}'.format({'_\\udc80': 1})", "may not reach '_"),
    ("surrogate key first", "class M(dict):\n    def __missing__(self, key):\n        return print\nleak = '{\\udc80}{x.__self__}'.format_map(M())", "may not reach '__self__'"),
    ("match alias", "match '{0.__class__}':\n    case str(format=f):\n        leak = f(1)", "may not reach '__class__'"),
    ("rot13", "data = 'x'.encode('rot13')", "'LookupError'): unknown encoding: rot13"),
    ("rot13 case", "data = 'x'.encode('ROT-13')", "'LookupError'): unknown encoding: ROT-13"),
    ("zip", "data = b'x'.decode('zip')", "'LookupError'): unknown encoding: zip"),
    ("base64", "data = b'eA=='.decode('base64')", "'LookupError'): unknown encoding: base64"),
    ("hex", "data = b'78'.decode('hex')", "'LookupError'): unknown encoding: hex"),
    ("hex codec", "data = 'x'.encode(encoding='hex_codec')", "'LookupError'): unknown encoding: hex_codec"),
    ("punycode", "data = 'é'.encode('punycode')", "'LookupError'): unknown encoding: punycode"),
    ("idna", "data = 'é.com'.encode('idna')", "'LookupError'): unknown encoding: idna"),
    ("unicode escape", "data = b'\\\\N{BULLET}'.decode('unicode_escape')", "'LookupError'): unknown encoding: unicode_escape"),
    ("raw unicode escape", "data = 'x'.encode('raw_unicode_escape')", "'LookupError'): unknown encoding: raw_unicode_escape"),
    ("utf-8 lookalike", "data = 'x'.encode('utf-8-sig')", "'LookupError'): unknown encoding: utf-8-sig"),
    ("utf_8 with spaces", "data = 'x'.encode(' utf 7 ')", "'LookupError'): unknown encoding:  utf 7 "),
    ("unbound decode", "data = bytes.decode(b'x', 'uu')", "'LookupError'): unknown encoding: uu"),
    ("decode alias", "d = b'x'.decode\ndata = d('cp1252')", "'LookupError'): unknown encoding: cp1252"),
    ("namereplace", "data = 'é'.encode('ascii', 'namereplace')", "'LookupError'): unknown error handler name 'namereplace'"),
    ("custom handler", "data = b'x'.decode(errors='custom')", "'LookupError'): unknown error handler name 'custom'"),
    ("handler case", "data = 'x'.encode('utf-8', 'Strict')", "'LookupError'): unknown error handler name 'Strict'"),
];

#[test]
fn text_guards_escapes_raise_before_anything_runs() {
    let mut failures = Vec::new();
    for (what, attempt, expected) in ESCAPES {
        let program = format!("{attempt}{CANARY}");
        let (sb, out) = run_python(&program);
        let ok = out.code() == Some(6)
            && out.stderr().contains(expected)
            && !out.stdout().contains("ESCAPED")
            && !sb.path().join("canary").exists();
        if !ok {
            failures.push(format!("{what}: expected {expected:?}\n{}", out.explain()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Under RepyV2 (the default profile) the checker still refuses both attributes, before
/// anything runs.
#[test]
fn text_guards_repyv2_still_refuses_the_attributes() {
    for (program, rule) in [
        ("x = '{}'.format(1)", "R205"),
        ("x = '{a}'.format_map({'a': 1})", "R205"),
        ("x = 'a'.encode()", "R206"),
        ("x = b'a'.decode('utf-8')", "R206"),
    ] {
        let sb = Sandbox::new().program(&format!("log('ran')\n{program}{CANARY}"));
        let out = sb.run(&[]);
        out.assert_code(5).assert_stderr_contains(rule);
        assert!(!out.stdout().contains("ran"), "{}", out.explain());
        assert!(!sb.path().join("canary").exists(), "{}", out.explain());
    }
}
