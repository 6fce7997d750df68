//! The python profile's modules through the binary: each shipped module used by a small
//! program that prints exactly what bare CPython 3.11 prints, an import of a module the policy
//! does not list refused by the checker, and the escapes through module proxies, each
//! stopped by the wall its test names (`docs/modules.md`).

use crate::support::{RunOutput, Sandbox};

/// A python-profile policy listing every module this build ships.
const POLICY: &str = "profile = \"python\"\n\n[resources]\nmemory = \"200 MB\"\n\n[python]\n\
                      modules = [\"math\", \"cmath\", \"itertools\", \"functools\", \
                      \"operator\", \"heapq\", \"bisect\", \"collections\", \"string\", \
                      \"copy\", \"random\", \"json\", \"re\", \"textwrap\", \"fractions\"]\n";

/// Runs `program` under [`POLICY`].
fn run(program: &str) -> RunOutput {
    Sandbox::new()
        .restrictions(POLICY)
        .program(program)
        .run(&[])
}

/// What bare CPython 3.11 (the interpreter repy links) prints for `program`.
fn bare_cpython(program: &str) -> String {
    let python = std::path::Path::new(python_link::HOME).join("bin/python3.11");
    let out = std::process::Command::new(&python)
        .args(["-I", "-S", "-c", program])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    assert!(
        out.status.success(),
        "cpython failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Asserts that `program` finishes under repy printing what bare CPython prints.
fn assert_like_cpython(program: &str) {
    let out = run(program);
    out.assert_code(0);
    assert_eq!(out.stdout(), bare_cpython(program), "{}", out.explain());
}

/// Asserts that `program` ends with an uncaught exception (exit 6) whose text has `needle`.
fn assert_raises(program: &str, needle: &str) {
    run(program).assert_code(6).assert_stderr_contains(needle);
}

/// Asserts that the checker refuses `program` (exit 5) with `needle` in its message.
fn assert_refused(program: &str, needle: &str) {
    run(program).assert_code(5).assert_stderr_contains(needle);
}

#[test]
fn modules_math_cmath_itertools_like_cpython() {
    assert_like_cpython(
        "import math, cmath\nimport itertools as it\nfrom math import *\n\
         print(math.sqrt(2), math.floor(-2.5), math.gcd(12, 18), math.comb(10, 3), pi, inf)\n\
         print(cmath.sqrt(-4), cmath.polar(1j), math.isclose(0.1 + 0.2, 0.3))\n\
         print(list(it.combinations('abc', 2)), list(it.accumulate([1, 2, 3])))\n\
         print([k for k, _ in it.groupby('aabbbc')], list(it.islice(it.count(5), 3)))\n\
         print(math.__name__, sqrt(16))\n",
    );
}

#[test]
fn modules_functools_operator_heapq_bisect_like_cpython() {
    assert_like_cpython(
        "import functools, operator, heapq, bisect\n\
         @functools.lru_cache(maxsize=None)\n\
         def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\
         @functools.cache\n\
         def sq(n):\n    return n * n\n\
         def deco(f):\n    @functools.wraps(f)\n    def inner(*a):\n        return f(*a)\n    return inner\n\
         @deco\n\
         def named(x):\n    'doc'\n    return x\n\
         @functools.total_ordering\n\
         class V:\n    def __init__(self, v):\n        self.v = v\n\
         \x20   def __eq__(self, o):\n        return self.v == o.v\n\
         \x20   def __lt__(self, o):\n        return self.v < o.v\n\
         print(fib(80), sq(9), named.__name__, named.__doc__, V(1) >= V(0))\n\
         print(functools.reduce(operator.mul, range(1, 8)), functools.partial(pow, 2)(10))\n\
         print(sorted([3, 1, 2], key=functools.cmp_to_key(lambda a, b: b - a)))\n\
         class P:\n    def __init__(self):\n        self.x = 4\n    def get(self, n):\n        return n + 1\n\
         print(operator.attrgetter('x')(P()), operator.methodcaller('get', 2)(P()), operator.itemgetter(1)('ab'))\n\
         h = [5, 1, 4]\nheapq.heapify(h)\nheapq.heappush(h, 0)\n\
         print(heapq.heappop(h), heapq.nlargest(2, [1, 5, 3]), list(heapq.merge([1, 3], [2])))\n\
         a = [1, 3, 5]\nbisect.insort(a, 4)\nprint(a, bisect.bisect_left(a, 3), bisect.bisect_right(a, 3))\n",
    );
}

#[test]
fn modules_collections_string_copy_like_cpython() {
    assert_like_cpython(
        "from collections import deque, Counter, defaultdict, OrderedDict, ChainMap, namedtuple\n\
         import collections.abc\nfrom collections.abc import Sequence\nimport string, copy\n\
         d = deque([1, 2, 3], maxlen=3)\nd.append(4)\nd.rotate(1)\nprint(d)\n\
         c = Counter('mississippi')\nprint(c.most_common(2), c['s'])\n\
         g = defaultdict(list)\ng['a'].append(1)\nprint(dict(g), OrderedDict(a=1), ChainMap({'a': 1}, {'b': 2})['b'])\n\
         P = namedtuple('P', 'x y', defaults=[0])\np = P(1)\nprint(p, p._replace(y=5), p._asdict())\n\
         match p:\n    case P(x, y):\n        print('matched', x, y)\n\
         print(isinstance([], Sequence), isinstance({}, collections.abc.Mapping))\n\
         print(string.ascii_letters, string.digits, string.capwords('hello  world'))\n\
         print(string.Template('$who likes $what').substitute(who='tim', what='pie'))\n\
         a = [[1], {'k': (2, [3])}]\nb = copy.deepcopy(a)\nb[0].append(9)\nprint(a, b, copy.copy(a) == a)\n",
    );
}

#[test]
fn modules_json_re_textwrap_fractions_like_cpython() {
    assert_like_cpython(
        "import json, re, textwrap\nfrom fractions import Fraction\n\
         data = json.loads('{\"a\": [1, 2.5, null, true], \"b\": \"x\"}')\n\
         print(data, json.dumps(data, sort_keys=True, indent=2))\n\
         print(json.dumps({'p': 1}, default=str), json.loads('[1]', parse_int=lambda s: int(s) * 2))\n\
         try:\n    json.loads('{')\nexcept json.JSONDecodeError as e:\n    print('bad', e.msg, e.pos)\n\
         print(re.findall(r'\\d+', 'a12b3'), re.sub(r'(\\w+)@', r'<\\1>', 'me@x'), re.split(r'[,;]', 'a,b;c'))\n\
         m = re.match(r'(?P<k>\\w+)=(\\d+)', 'key=42')\nprint(m.group('k'), m.groups(), m.span(2))\n\
         print(re.compile('abc', re.I).search('xABC').group(), bool(re.fullmatch('a+', 'aaa')))\n\
         print(textwrap.wrap('The quick brown fox jumps over the lazy dog', 12))\n\
         print(textwrap.dedent('  a\\n  b'), textwrap.shorten('Hello  world!', width=10))\n\
         print(Fraction(3, 4) + Fraction('1/4'), Fraction(1, 3).limit_denominator(2), Fraction(0.5))\n",
    );
}

/// `random` seeded with a seed draws CPython's sequence; unseeded, it is seeded from the
/// API's `randombytes`; its draws are charged to the `random` resource.
#[test]
fn modules_random_like_cpython_and_charged() {
    assert_like_cpython(
        "import random\nrandom.seed(42)\n\
         print(random.random(), random.randint(1, 6), random.choice('abc'), random.sample(range(10), 3))\n\
         r = random.Random(7)\nxs = list(range(5))\nr.shuffle(xs)\nprint(xs, r.uniform(0, 1), r.gauss(0, 1))\n",
    );
    let out = Sandbox::new()
        .restrictions(&POLICY.replace("[resources]\n", "[resources]\nrandom = 1000\n"))
        .program("import random\nfor _ in range(400):\n    random.random()\nlog('done\\n')\n")
        .run(&[]);
    out.assert_code(0).assert_stdout("done\n");
    assert!(
        out.stderr().is_empty() || !out.stderr().contains("Traceback"),
        "{}",
        out.explain()
    );
}

/// A module the policy does not list is refused by the checker, naming the policy key.
#[test]
fn modules_unlisted_import_is_refused_by_the_checker() {
    let out = Sandbox::new()
        .restrictions("profile = \"python\"\n[resources]\n[python]\nmodules = [\"math\"]\n")
        .program("import json\n")
        .run(&[]);
    out.assert_code(5)
        .assert_stderr_contains("R301")
        .assert_stderr_contains("[python] modules");
}

/// `from __future__ import annotations` really imports `__future__` (through the namespace's
/// `__import__`), with no module listed.
#[test]
fn modules_future_annotations_runs() {
    let program = "from __future__ import annotations\n\
                   def f(x: Later) -> Later:\n    return x\nprint(f(3))\n";
    let out = Sandbox::new()
        .restrictions("profile = \"python\"\n[resources]\n")
        .program(program)
        .run(&[]);
    out.assert_code(0).assert_stdout("3\n");
}

/// Escapes through the proxies, each stopped by the wall its comment names.
#[test]
fn modules_escapes_fail() {
    // Proxy: a private name is not an export (AttributeError at run time).
    assert_raises(
        "import random\nprint(random._os)\n",
        "module 'random' has no attribute '_os'",
    );
    assert_raises(
        "import re\nprint(re._compiler)\n",
        "module 're' has no attribute '_compiler'",
    );
    // Proxy: json's submodules are private (not exported, not importable).
    assert_raises(
        "import json\nprint(json.decoder)\n",
        "has no attribute 'decoder'",
    );
    assert_raises("from json import decoder\n", "cannot import name 'decoder'");
    assert_raises("import json.decoder\n", "No module named 'json.decoder'");
    // Checker: dunder attributes of a proxy (R201).
    assert_refused("import math\nprint(math.__loader__)\n", "R201");
    assert_refused("import math\nprint(math.__dict__)\n", "R201");
    // Checker: a private name imported (R302).
    assert_refused("from random import _os\n", "R302");
    // Guards: names given as strings.
    assert_raises(
        "import operator\nclass A:\n    pass\nprint(operator.attrgetter('__class__')(A()))\n",
        "attribute name '__class__' is not allowed",
    );
    assert_raises(
        "import operator\nprint(operator.attrgetter('x.__class__'))\n",
        "is not allowed",
    );
    assert_raises(
        "import operator\nprint(operator.methodcaller('__reduce__'))\n",
        "method name '__reduce__' is not allowed",
    );
    assert_raises(
        "import collections\nP = collections.namedtuple('P', ['__class__'])\n",
        "field name '__class__' is not allowed",
    );
    assert_raises(
        "import collections\nP = collections.namedtuple('P', 'x gi_frame')\n",
        "field name 'gi_frame' is not allowed",
    );
    assert_raises(
        "import functools\ndef f():\n    pass\ndef g():\n    pass\n\
         functools.update_wrapper(f, g, assigned=('__globals__',))\n",
        "cannot be changed",
    );
    assert_raises(
        "import functools\ndef g():\n    pass\nfunctools.wraps(g, updated=('__globals__',))\n",
        "cannot be changed",
    );
    // Namespace: a partial of a stub is still the stub.
    assert_raises(
        "import functools\nfunctools.partial(eval, '1')()\n",
        "Unsafe call 'eval'",
    );
    // Export lists: the enum behind re's flags and Template.flags is not handed out.
    assert_like_cpython_output(
        "import re, string\nprint(type(re.I).__name__, type(string.Template.flags).__name__)\n",
        "int int\n",
    );
    // Export lists: SystemRandom (os.urandom) is left out.
    assert_raises(
        "import random\nrandom.SystemRandom()\n",
        "has no attribute 'SystemRandom'",
    );
    // Checker: a program's class cannot define the copy hooks (R203).
    assert_refused(
        "import copy\nclass A:\n    def __deepcopy__(self, memo):\n        return 1\n",
        "R203",
    );
    // Guarded functions: the chain of an exception leaving trusted code is cut.
    let out = run(
        "import json\ntry:\n    json.loads('[')\nexcept ValueError as e:\n    \
                   print(e.__context__, e.__cause__)\n",
    );
    out.assert_code(0).assert_stdout("None None\n");
}

/// Runs `program` and asserts it finishes printing `expected`.
fn assert_like_cpython_output(program: &str, expected: &str) {
    run(program).assert_code(0).assert_stdout(expected);
}
