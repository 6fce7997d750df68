//! The python profile's modules through the binary: each shipped module used by a small
//! program that prints exactly what bare CPython 3.11 prints, an import of a module the policy
//! does not list refused by the checker, and the escapes through module proxies, each
//! stopped by the wall its test names (`docs/modules.md`).

use crate::support::{RunOutput, Sandbox};

/// A python-profile policy listing every module this build ships.
const POLICY: &str = "profile = \"python\"\n\n[resources]\nmemory = \"200 MB\"\n\n[python]\n\
                      modules = [\"math\", \"cmath\", \"itertools\", \"heapq\", \"bisect\", \
                      \"functools\", \"operator\", \"collections\", \"string\", \"copy\", \
                      \"random\", \"json\", \"re\", \"textwrap\", \"fractions\", \"sys\", \
                      \"abc\", \"typing\", \"dataclasses\", \"doctest\", \"statistics\", \
                      \"datetime\", \"enum\", \"decimal\"]\n";

/// Modules of the standard library this build does not ship (docs/modules.md says why): a
/// policy listing any of them is refused by name.
const NOT_SHIPPED: &[&str] = &["os", "inspect", "time", "subprocess", "pickle"];

/// Runs `program` under [`POLICY`].
fn run(program: &str) -> RunOutput {
    Sandbox::new()
        .restrictions(POLICY)
        .program(program)
        .run(&[])
}

/// What bare CPython 3.11 (the interpreter repy links) prints for `program`.
fn bare_cpython(program: &str) -> String {
    crate::support::cpython_stdout(crate::support::bare_cpython().args(["-c", program]), None)
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
fn modules_heapq_bisect_like_cpython() {
    assert_like_cpython(
        "import heapq, bisect\n\
         h = [5, 1, 4]\nheapq.heapify(h)\nheapq.heappush(h, 0)\n\
         print(heapq.heappop(h), heapq.nlargest(2, [1, 5, 3]), heapq.nsmallest(2, [4, 2, 9]))\n\
         print(list(heapq.merge([1, 3], [2])), heapq.heappushpop(h, 7), h)\n\
         a = [1, 3, 5]\nbisect.insort(a, 4)\nprint(a, bisect.bisect_left(a, 3), bisect.bisect_right(a, 3))\n\
         print(bisect.bisect(a, 4, key=lambda x: x))\n",
    );
}

/// A module this build does not ship is refused by name, by a run before anything runs.
#[test]
fn modules_not_shipped_ones_are_refused_by_name() {
    for module in NOT_SHIPPED {
        let policy =
            format!("profile = \"python\"\n[resources]\n[python]\nmodules = [\"{module}\"]\n");
        let sb = Sandbox::new()
            .restrictions(&policy)
            .program("openfile('canary', True).close()\n");
        let out = sb.run(&[]);
        out.assert_code(3)
            .assert_stderr_contains(&format!("`{module}` is not a module this build provides"));
        assert!(
            !sb.path().join("canary").exists(),
            "{module}: the program ran"
        );
    }
}

/// The pure-Python modules, used as ordinary programs use them: the same output as CPython
/// (`random` seeded: the same Mersenne Twister draws).
#[test]
fn modules_pure_python_ones_like_cpython() {
    assert_like_cpython(
        "from collections import deque, Counter, defaultdict, OrderedDict, namedtuple, ChainMap\n\
         d = deque([1, 2, 3], maxlen=3); d.append(4); d.appendleft(0); print(d, d.maxlen)\n\
         c = Counter('abracadabra'); print(c.most_common(2), c['z'], sorted(c.elements())[:4])\n\
         g = defaultdict(list)\nfor w in 'apple avocado banana cherry'.split():\n    g[w[0]].append(w)\nprint(dict(g))\n\
         o = OrderedDict(b=1, a=2); o.move_to_end('b'); print(list(o))\n\
         P = namedtuple('P', 'x y', defaults=[0])\np = P(1)\nprint(p, p._replace(y=5), p._asdict(), P._fields, P._make([3, 4]))\n\
         class Q(P):\n    def norm(self):\n        return self.x * self.x + self.y * self.y\nprint(Q(3, 4).norm(), Q._fields)\n\
         print(ChainMap({'a': 1}, {'a': 2, 'b': 3})['b'])\n\
         import collections.abc\nprint(isinstance([], collections.abc.Sequence))\n",
    );
    assert_like_cpython(
        "import functools, operator\n\
         @functools.lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\
         print(fib(80), fib.cache_info().hits)\n\
         print(functools.reduce(operator.mul, range(1, 10)))\n\
         print(sorted([3, 1, 2], key=functools.cmp_to_key(lambda a, b: b - a)))\n\
         def deco(f):\n    @functools.wraps(f)\n    def inner(*a):\n        return f(*a) * 2\n    return inner\n\
         @deco\ndef twice(x):\n    \"doc\"\n    return x\nprint(twice(4), twice.__name__, twice.__doc__)\n\
         @functools.total_ordering\nclass V:\n    def __init__(self, v):\n        self._v = v\n    def __eq__(self, o):\n        return self._v == o._v\n    def __lt__(self, o):\n        return self._v < o._v\n\
         print(V(1) >= V(2), V(3) > V(2), max([V(1), V(5), V(2)])._v)\n\
         rows = [('b', 2), ('a', 2), ('c', 1)]\nprint(sorted(rows, key=operator.itemgetter(1, 0)))\n\
         print(functools.partial(int, base=2)('101'), operator.attrgetter('real')(3))\n",
    );
    assert_like_cpython(
        "import string, copy, json, re, textwrap, random\nfrom fractions import Fraction\n\
         print(string.ascii_lowercase[:5], string.capwords('hello big world'))\n\
         print(string.Template('$who likes ${what}').substitute(who='tim', what='kung pao'))\n\
         class T(string.Template):\n    delimiter = '%'\nprint(T('%x!').safe_substitute(x=1))\n\
         a = [[1, 2], {'k': [3]}]; b = copy.deepcopy(a); b[1]['k'].append(4); print(a, b, copy.copy(a)[0] is a[0])\n\
         s = json.dumps({'b': [1, 2.5, None], 'a': 'x'}, sort_keys=True, indent=2); print(s); print(json.loads(s)['b'])\n\
         print(re.sub(r'(\\w+)@(\\w+)', r'\\2 at \\1', 'me@home you@work'), re.findall(r'\\d+', 'a1b22c333'))\n\
         m = re.match(r'(?P<k>\\w+)=(?P<v>\\d+)', 'x=42'); print(m.group('k'), int(m['v']), m.span())\n\
         print(re.split(r'[,;]\\s*', 'a, b;c'), bool(re.search('ABC', 'xabc', re.I)), re.compile('a+').pattern)\n\
         print(textwrap.fill('The quick brown fox jumps over the lazy dog', 15))\n\
         print(textwrap.dedent('    a\\n      b'), textwrap.shorten('Hello  world, again', 12))\n\
         print(Fraction(3, 4) + Fraction(1, 6), Fraction('0.25') * 2, Fraction(1, 3).limit_denominator(2))\n\
         random.seed(42)\nprint(random.randint(1, 100), random.random(), random.choice('abcdef'))\n\
         x = list(range(10)); random.shuffle(x); print(x, random.sample(range(100), 3), random.uniform(1, 2))\n\
         r = random.Random(7); print(r.randrange(0, 50, 5), r.gauss(0, 1))\n",
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
    // Namespace, private-attribute guard: a module proxy is not the program's.
    assert_raises(
        "import heapq\nprint(heapq._heapify_max)\n",
        "'module' object's attribute '_heapify_max' is private to code the sandbox trusts",
    );
    // Proxy: a public name the module does not export (AttributeError at run time).
    assert_raises(
        "import math\nm = math\nprint(m.nonexistent)\n",
        "module 'math' has no attribute 'nonexistent'",
    );
    // Checker: dunder attributes of a proxy (R201).
    assert_refused("import math\nprint(math.__loader__)\n", "R201");
    assert_refused("import math\nprint(math.__dict__)\n", "R201");
    // Checker: a private name imported (R302).
    assert_refused("from heapq import _siftdown\n", "R302");
    // Proxy: a submodule that is not exported is not importable either.
    assert_raises(
        "from json import decoder\n",
        "cannot import name 'decoder' from 'json'",
    );
}

/// Red-team round 9 reached the real `sys` and `os` through `string.Template` and `re`: a
/// program object as the flags received a `RegexFlag` member in its `__or__`/`__and__`, and
/// the enum class's `_convert_` reads any module's globals. Two walls now stand there, each
/// tried on its own: the module guards make flags exact ints before any operator runs, and
/// the private-attribute guard refuses `_convert_` and every other private attribute of a
/// class that is not the program's, however the object was reached.
#[test]
fn modules_round_nine_escapes_fail() {
    let catcher = "caught = []\nclass Evil:\n    def __or__(self, other):\n        caught.append(other)\n        return 0\n    __ror__ = __or__\n    __and__ = __or__\n    __rand__ = __or__\n";
    // Module guard: `flags` is made an int (`operator.index`) before `re`'s Python runs.
    let out = run(&format!(
        "{catcher}import string, re\n\
         try:\n    class T(string.Template):\n        flags = Evil()\nexcept TypeError as e:\n    print('template', e)\n\
         for f in (re.compile, re.search):\n    try:\n        f('a', Evil()) if f is re.compile else f('a', 'a', Evil())\n    except TypeError as e:\n        print('re', e)\n\
         print(len(caught), type(re.I).__name__)\n"
    ));
    out.assert_code(0);
    assert_eq!(
        out.stdout(),
        "template 'Evil' object cannot be interpreted as an integer\n\
         re 'Evil' object cannot be interpreted as an integer\n\
         re 'Evil' object cannot be interpreted as an integer\n0 int\n",
        "{}",
        out.explain()
    );
    // Private-attribute guard: objects of trusted classes, reached directly, through their
    // class, their metaclass, `super()`, a mangled name or a write.
    for (program, attribute) in [
        ("import random\nprint(random.Random()._randbelow)\n", "_randbelow"),
        ("import random\nprint(type(random.Random())._randbelow)\n", "_randbelow"),
        ("import string\nprint(string.Template._invalid)\n", "_invalid"),
        (
            "import string\nclass T(string.Template):\n    def f(self):\n        return super()._invalid\nT('x').f()\n",
            "_invalid",
        ),
        (
            "import collections\nclass S(collections.abc.Sequence):\n    pass\nS._dump_registry()\n",
            "_dump_registry",
        ),
        (
            "import random\nclass Random:\n    def peek(self, r):\n        return r.__randbelow\nRandom().peek(random.Random())\n",
            "_Random__randbelow",
        ),
        ("import random\nr = random.Random()\nr._randbelow = print\n", "_randbelow"),
        ("import random\nrandom.Random._randbelow = print\n", "_randbelow"),
        ("import fractions\nprint(fractions.Fraction(1, 2)._numerator)\n", "_numerator"),
        ("import json\nprint(json.JSONDecoder()._scan_once)\n", "_scan_once"),
    ] {
        run(program)
            .assert_code(6)
            .assert_stderr_contains(&format!(
                "attribute '{attribute}' is private to code the sandbox trusts"
            ));
    }
    // Checker: a class pattern would read a private attribute inside CPython (R209).
    assert_refused(
        "import random\nmatch random.Random():\n    case object(_randbelow=f):\n        print(f)\n",
        "R209",
    );
    // The guard raises an AttributeError that holds no object of trusted code.
    let out = run("import random\ntry:\n    random.Random()._inst\nexcept AttributeError as e:\n    print(e.obj, e.name)\n");
    out.assert_code(0).assert_stdout("None None\n");
    // A virtual namespace of a python-profile program routes its code too.
    run(
        "import random\nns = createvirtualnamespace('v = r._randbelow', 'ns')\n\
         ctx = SafeDict()\nctx['r'] = random.Random()\nns.evaluate(ctx)\n",
    )
    .assert_code(6)
    .assert_stderr_contains("attribute '_randbelow' is private to code the sandbox trusts");
}

/// The program's own private attributes work as in CPython, however they are reached:
/// instances, classes, `super()`, mangled names, augmented assignment, deletion, `for`
/// targets, and subclasses of shipped classes.
#[test]
fn modules_program_private_attributes_like_cpython() {
    assert_like_cpython(
        "class Account:\n    _count = 0\n    def __init__(self, owner):\n        self._owner = owner\n        self.__balance = 10\n        Account._count += 1\n\
         \x20   def deposit(self, n):\n        self.__balance += n\n        return self.__balance\n    def _helper(self):\n        return 'helped ' + self._owner\n\
         class Sub(Account):\n    def h(self):\n        return super()._helper()\n\
         a = Sub('ann')\nprint(a.deposit(5), a._owner, Account._count, Sub._count, a.h())\n\
         del a._owner\nprint(hasattr(a, 'owner'))\ntry:\n    a._owner\nexcept AttributeError:\n    print('gone')\n\
         for a._i in range(3):\n    pass\nprint(a._i)\n\
         import random, collections\nclass R(random.Random):\n    def __init__(self):\n        super().__init__(5)\n        self._draws = 0\n\
         \x20   def roll(self):\n        self._draws += 1\n        return self.randint(1, 6)\nr = R()\nprint([r.roll() for _ in range(5)], r._draws)\n\
         class C(collections.Counter):\n    _tag = 'c'\nprint(C('aab')._tag, C('aab').most_common(1))\n",
    );
}

/// Red-team round 12 reached the real `getattr` (and from it `sys`, `os`, `eval`) through
/// `copy.deepcopy`'s memo, wrote private attributes into a trusted object through
/// `functools.update_wrapper`, and mutated `re`'s and `textwrap`'s own tables through a `str`
/// subclass's methods. Each is stopped by the module guard named, and the tables are shown
/// unchanged afterwards.
#[test]
fn modules_round_twelve_escapes_fail() {
    // Module guard: `deepcopy` takes no memo (a memo decides what each part becomes).
    run("import copy, json\nprint(copy.deepcopy((1).__repr__, {id(1): json, id('__repr__'): '__dict__'}))\n")
        .assert_code(6)
        .assert_stderr_contains("deepcopy() takes 1 positional argument but 2 were given");
    // Module guard: `update_wrapper`/`wraps` update only the program's own functions, from a
    // function.
    for program in [
        "import functools, textwrap\nclass P:\n    pass\np = P()\np._munge_whitespace = print\n\
         w = textwrap.TextWrapper()\nfunctools.update_wrapper(w, p)\n",
        "import functools, string\ndef f():\n    pass\nfunctools.update_wrapper(string.Template.substitute, f)\n",
        "import functools, textwrap\ndef f():\n    pass\nfunctools.update_wrapper(f, textwrap.TextWrapper)\n",
        "import functools, textwrap\n@functools.wraps(textwrap.TextWrapper)\ndef f():\n    pass\n",
    ] {
        run(program)
            .assert_code(6)
            .assert_stderr_contains("functools.update_wrapper/wraps in the sandbox");
    }
    // Module guards: a `str` subclass reaches no method call inside trusted Python with the
    // module's own tables; the tables are unchanged afterwards.
    let out = run(
        "import string, re, textwrap\nleaked = []\nclass S(str):\n    def translate(self, table):\n        leaked.append(table)\n        return str(self)\n\
         \x20   def expandtabs(self, size=8):\n        leaked.append(size)\n        return str(self)\n\
         class T(string.Template):\n    delimiter = S('%')\n\
         print(T('%x').substitute(x=1), textwrap.fill(S('a b c'), 3), textwrap.TextWrapper(width=3).fill(S('a b')))\n\
         print(len(leaked), re.escape('abc'), textwrap.fill('a b c'))\n",
    );
    out.assert_code(0)
        .assert_stdout("1 a b\nc a b\n0 abc a b c\n");
}

/// `abc`, `typing` and `dataclasses` as typed algorithm code uses them: the same output as
/// CPython.
#[test]
fn modules_typing_abc_dataclasses_like_cpython() {
    assert_like_cpython(
        "from abc import ABC, abstractmethod\nfrom dataclasses import dataclass, field, asdict, replace, fields\n\
         from typing import List, Dict, Optional, Generic, TypeVar, NamedTuple, Iterator, Callable\n\
         T = TypeVar('T')\nclass Stack(Generic[T]):\n    def __init__(self) -> None:\n        self._items: List[T] = []\n\
         \x20   def push(self, item: T) -> None:\n        self._items.append(item)\n    def pop(self) -> Optional[T]:\n        return self._items.pop() if self._items else None\n\
         s: Stack[int] = Stack()\ns.push(1)\ns.push(2)\nprint(s.pop(), s.pop(), s.pop())\n\
         class Shape(ABC):\n    @abstractmethod\n    def area(self) -> float: ...\n\
         class Sq(Shape):\n    def __init__(self, a: float):\n        self.a = a\n    def area(self) -> float:\n        return self.a ** 2\n\
         try:\n    Shape()\nexcept TypeError as e:\n    print('abstract:', e)\nprint(Sq(3).area())\n\
         @dataclass(order=True)\nclass Item:\n    price: float\n    name: str = 'x'\n    tags: List[str] = field(default_factory=list)\n\
         \x20   def __post_init__(self):\n        self.tags.append(self.name)\n\
         a, b = Item(2.5, 'pen'), Item(1.0)\nprint(a, sorted([a, b])[0], asdict(a), replace(b, name='y'), [f.name for f in fields(a)])\n\
         @dataclass(frozen=True)\nclass P:\n    x: int\n    y: int = 0\n\
         try:\n    P(1).x = 2\nexcept Exception as e:\n    print(type(e).__name__)\nprint(hash(P(1, 2)) == hash(P(1, 2)), P(1) == P(1, 0))\n\
         match P(3, 4):\n    case P(x, y):\n        print('matched', x, y)\n\
         class Pt(NamedTuple):\n    x: int\n    y: int = 0\n    def norm(self) -> int:\n        return abs(self.x) + abs(self.y)\n\
         print(Pt(3, -4).norm(), Pt(1)._replace(y=2), Pt._fields)\n\
         def gen(n: int) -> Iterator[int]:\n    yield from range(n)\nf: Callable[[int], int] = lambda v: v * 2\nprint(list(map(f, gen(3))), Dict[str, int])\n",
    );
}

/// What `typing` and `dataclasses` leave out stays out, and annotation strings are never
/// evaluated, each by the wall named.
#[test]
fn modules_typing_dataclasses_escapes_fail() {
    for (program, needle) in [
        // Proxy: `Type[X](...)` would call the real `type`; `get_origin` hands it out;
        // `get_type_hints` evaluates strings; `make_dataclass` takes names as data.
        ("from typing import Type\n", "cannot import name 'Type'"),
        (
            "import typing\nprint(typing.get_origin)\n",
            "has no attribute 'get_origin'",
        ),
        (
            "import typing\nprint(typing.get_type_hints)\n",
            "has no attribute 'get_type_hints'",
        ),
        (
            "import typing\nprint(typing.ForwardRef)\n",
            "has no attribute 'ForwardRef'",
        ),
        (
            "import dataclasses\nprint(dataclasses.make_dataclass)\n",
            "has no attribute 'make_dataclass'",
        ),
        // Private-attribute guard: typing's machinery.
        (
            "import typing\nprint(typing.List[int]._name)\n",
            "is private to code the sandbox trusts",
        ),
        (
            "import typing\nprint(typing.Union._getitem)\n",
            "is private to code the sandbox trusts",
        ),
        // Namespace: an alias calls what it was made from; the program's `type` is the
        // sandbox's one-argument function.
        (
            "import typing\ntyping.Annotated[type, 1]('X', (), {})\n",
            "type() in the sandbox takes exactly one argument",
        ),
        // Module guard: runtime-made names starting with `_` are refused.
        (
            "import typing\ntyping.NamedTuple('P', [('_x', int)])\n",
            "NamedTuple field name '_x' is not allowed in the sandbox",
        ),
    ] {
        run(program).assert_code(6).assert_stderr_contains(needle);
    }
    // No annotation string is evaluated: not by a forward reference, not by a dataclass.
    let sb = Sandbox::new().restrictions(POLICY).program(
        "from __future__ import annotations\nimport typing\nfrom dataclasses import dataclass\n\
         A = typing.List[\"openfile('canary1', True)\"]\nB = typing.Optional['openfile(\"canary2\", True)']\n\
         @dataclass\nclass D:\n    x: openfile('canary3', True)\n    y: typing.ClassVar[openfile('canary4', True)] = 0\n\
         print(D(1))\n",
    );
    // (CPython prints `D(x=1)`: dataclasses looks a string `ClassVar` up in the module
    // `sys.modules` holds under the class's `__module__`, which is not the program's here.)
    sb.run(&[]).assert_code(0).assert_stdout("D(x=1, y=0)\n");
    for canary in ["canary1", "canary2", "canary3", "canary4"] {
        assert!(!sb.path().join(canary).exists(), "{canary} was written");
    }
}

/// `doctest.testmod()` as algorithm collections end their scripts: passing examples print
/// nothing, a failing one the report CPython prints (its `File` line names the program file,
/// where `python -c` says `__main__`).
#[test]
fn modules_doctest_like_cpython() {
    let program = "def gcd(a: int, b: int) -> int:\n    \"\"\"\n    >>> gcd(12, 18)\n    6\n    >>> [gcd(i, 6) for i in range(4)]\n    [6, 1, 2, 3]\n\
                   \x20   >>> print('x')\n    x\n    >>> 1 / 0\n    Traceback (most recent call last):\n    ZeroDivisionError: division by zero\n    \"\"\"\n\
                   \x20   while b:\n        a, b = b, a % b\n    return a\n\n\
                   class Stack:\n    \"\"\"\n    >>> s = Stack()\n    >>> s.push(3)\n    >>> s._items\n    [3]\n    \"\"\"\n\
                   \x20   def __init__(self):\n        self._items = []\n    def push(self, x):\n        self._items.append(x)\n\n\
                   if __name__ == \"__main__\":\n    import doctest\n    print(doctest.testmod())\n";
    assert_like_cpython(program);
    let failing = program.replace("    6\n    >>> [gcd", "    7\n    >>> [gcd");
    let out = run(&failing);
    out.assert_code(0);
    let expected = bare_cpython(&failing);
    assert!(expected.contains("Failed example:"), "{expected}");
    assert_eq!(
        out.stdout(),
        expected.replace("File \"__main__\"", "File \"program.py\""),
        "{}",
        out.explain()
    );
}

/// Each example is program code: checked against the program's policy, its private
/// attributes routed, run with the sandbox's builtins whatever globals are given. Nothing an
/// example the checker refuses holds runs.
#[test]
fn modules_doctest_escapes_fail() {
    let sb = Sandbox::new().restrictions(POLICY).program(
        "def f():\n    \"\"\"\n    >>> exec(\"openfile('canary1', True)\")\n    >>> ().__class__.__subclasses__()\n\
         \x20   >>> eval(\"openfile('canary2', True)\")\n    >>> import random; random.Random()._randbelow\n    \"\"\"\n\
         import doctest\nprint(doctest.testmod(globs={}))\n",
    );
    let out = sb.run(&[]);
    out.assert_code(0);
    let stdout = out.stdout();
    for needle in [
        // Checker: the example is refused before anything of it runs.
        "the sandbox's checker refuses this example: ",
        "R401",
        "R201",
        // Namespace: the sandbox's builtins (`eval` is a stub) even with `globs={}`.
        "RunBuiltinException",
        // Private-attribute guard.
        "is private to code the sandbox trusts",
        "TestResults(failed=4, attempted=4)",
    ] {
        assert!(stdout.contains(needle), "{needle}: {}", out.explain());
    }
    for canary in ["canary1", "canary2"] {
        assert!(!sb.path().join(canary).exists(), "{canary} was written");
    }
    run("import doctest, math\ndoctest.testmod(math)\n")
        .assert_code(6)
        .assert_stderr_contains("tests the program's own module only");
}

/// `statistics` and `datetime` as course exercises use them; the C-level imports `datetime`
/// makes (`time` for `strftime`, `_strptime` for `strptime`) are answered from `sys.modules`
/// while the program itself still cannot import either.
#[test]
fn modules_statistics_datetime_like_cpython() {
    assert_like_cpython(
        "import statistics\nfrom datetime import date, datetime, timedelta, timezone\n\
         data = [2, 4, 4, 4, 5, 5, 7, 9]\n\
         print(statistics.mean(data), statistics.median(data), statistics.mode(data), statistics.pstdev(data), round(statistics.stdev(data), 4))\n\
         print(statistics.quantiles(data, n=4), statistics.multimode('aabbc'), statistics.fmean([1.5, 2.5]))\n\
         d = date(2024, 2, 28) + timedelta(days=2)\n\
         print(d, d.weekday(), d.strftime('%A %d %B %Y'), (date(2024, 12, 25) - date(2024, 1, 1)).days)\n\
         dt = datetime(2024, 3, 1, 12, 30, tzinfo=timezone.utc)\nprint(dt.isoformat(), repr(dt), dt + timedelta(hours=13))\n\
         print(datetime.strptime('2024-05-06 07:08', '%Y-%m-%d %H:%M'), type(datetime.now()).__name__, date.today().year > 2000)\n",
    );
    for program in [
        "import time\n",
        "from datetime import time\nimport _strptime\n",
    ] {
        run(program).assert_code(5).assert_stderr_contains("R30");
    }
    run("import statistics\nprint(statistics.NormalDist)\n")
        .assert_code(6)
        .assert_stderr_contains("has no attribute 'NormalDist'");
}

/// Red-team round 13: `type(super())` (and `super().__class__`, compiled as `type()`) was the
/// real `super` type, whose two-argument form read the shadowed base attributes of exported
/// classes (the uncharged `random.Random.getrandbits`, `string.Template.flags`'s enum
/// member). The namespace's `type` answers its own zero-argument `super` instead.
#[test]
fn modules_round_thirteen_escapes_fail() {
    let out = run(
        "import random, string\nclass A:\n    def sup(self):\n        return type(super()), super().__class__\n\
         S, T = A().sup()\nprint(S is super, T is super)\n\
         try:\n    S(random.Random, random.Random())\nexcept TypeError as e:\n    print(e)\n\
         try:\n    S(string.Template, string.Template).flags\nexcept TypeError as e:\n    print(e)\n",
    );
    out.assert_code(0).assert_stdout(
        "True True\nsuper() in the sandbox takes no arguments\nsuper() in the sandbox takes no arguments\n",
    );
    // Module guards: a `str` subclass's own methods answered the name checks while C code
    // read its characters (`attrgetter` reached `__globals__`, `methodcaller` `mro`), and
    // namedtuple joins field names into source code it runs. Names are exact `str`s first.
    let lying =
        "class S(str):\n    def split(self, sep=None, maxsplit=-1):\n        return ['ok']\n    \
                 def isidentifier(self):\n        return True\n    \
                 def startswith(self, prefix, *rest):\n        return False\n    \
                 def __eq__(self, other):\n        return False\n    \
                 def __hash__(self):\n        return 1\n";
    for (program, needle) in [
        (
            "import operator, json\nprint(operator.attrgetter(S('__globals__'))(json.JSONEncoder.encode))\n",
            "names starting with '_'",
        ),
        (
            "import operator, random\nprint(operator.methodcaller(S('mro'))(random.Random))\n",
            "names the checker refuses",
        ),
        (
            "import typing\ntyping.NamedTuple('P', [(S(\"a=().__class__\"), int)])\n",
            "is not allowed in the sandbox",
        ),
        (
            "import collections\ncollections.namedtuple('P', [S(\"a=().__class__\")])\n",
            "is not allowed in the sandbox",
        ),
    ] {
        run(&format!("{lying}{program}"))
            .assert_code(6)
            .assert_stderr_contains(needle);
    }
}

/// `enum` as programs define enumerations: class bodies, lookups, `auto`, `unique`, `IntEnum`
/// and `Flag` arithmetic, `match`.
#[test]
fn modules_enum_like_cpython() {
    assert_like_cpython(
        "from enum import Enum, IntEnum, Flag, auto, unique\n\
         class Color(Enum):\n    RED = 1\n    GREEN = 2\n    BLUE = auto()\n\
         print(Color.RED, repr(Color.GREEN), Color(2), Color['BLUE'], Color.BLUE.value, [c.name for c in Color], len(Color), Color.RED in Color)\n\
         class P(IntEnum):\n    LOW = 1\n    HIGH = 2\nprint(P.LOW < P.HIGH, P.HIGH + 1, sorted([P.HIGH, P.LOW]), format(P.LOW))\n\
         class Perm(Flag):\n    R = auto()\n    W = auto()\n    X = auto()\nprint(Perm.R | Perm.W, bool(Perm.R & Perm.X), Perm(3))\n\
         @unique\nclass Dir(Enum):\n    N = 'n'\n    S = 's'\n    def opposite(self):\n        return Dir.S if self is Dir.N else Dir.N\n\
         print(Dir.N.opposite(), isinstance(Dir.N, Enum), type(Dir.N).__name__, Dir('s'))\n\
         match Color.RED:\n    case Color.RED:\n        print('red')\n\
         try:\n    Color(9)\nexcept ValueError as e:\n    print(e)\n",
    );
}

/// enum's functional API would set any name, dunders included, as a class attribute (the
/// special methods R203 refuses); `_convert_` reads any module's globals by name. Each is
/// refused by the wall named.
#[test]
fn modules_enum_escapes_fail() {
    for (program, needle) in [
        // Module guard: the functional API, through the base and through a program's enum.
        (
            "import enum\nE = enum.Enum('E', [('__getattr__', print)])\n",
            "the functional API of enum",
        ),
        (
            "import enum\nclass C(enum.Enum):\n    A = 1\nC('X', 'A B')\n",
            "the functional API of enum",
        ),
        // Private-attribute guard: the metaclass's machinery.
        (
            "import enum\nclass C(enum.Enum):\n    A = 1\nprint(C._convert_)\n",
            "is private to code the sandbox trusts",
        ),
        // Proxy: the metaclass and the helpers are not exported.
        (
            "import enum\nprint(enum.EnumType)\n",
            "has no attribute 'EnumType'",
        ),
        (
            "import enum\nprint(enum.global_enum)\n",
            "has no attribute 'global_enum'",
        ),
    ] {
        run(program).assert_code(6).assert_stderr_contains(needle);
    }
    // Namespace: an enum class's type is the sandbox's `type` function, not the metaclass.
    run("import enum\nclass C(enum.Enum):\n    A = 1\nprint(type(C) is type, type(C.A) is C)\n")
        .assert_code(0)
        .assert_stdout("True True\n");
}

/// Red-team round 14: a dict subclass as `doctest.testmod(globs=...)` kept `__builtins__` out
/// of the example's globals, so `exec` filled in the trusted runner's real builtins; and
/// `dataclass` read each field's default with the real `getattr`, so a field named `mro` or
/// `_invalid` read what the checker refuses as an attribute (a trusted base's MRO, private
/// attributes). Examples now run in exact dicts with the sandbox's builtins; field names are
/// checked as attribute names.
#[test]
fn modules_round_fourteen_escapes_fail() {
    let out = run(
        "\"\"\"\n>>> B.append(getattr(len, '__self__'))\n\"\"\"\nimport doctest\nB = []\n\
         class G(dict):\n    def copy(self):\n        return self\n    def __setitem__(self, k, v):\n        if k != '__builtins__':\n            dict.__setitem__(self, k, v)\n\
         print(doctest.testmod(globs=G(B=B), report=False), B)\n",
    );
    out.assert_code(0)
        .assert_stdout_contains("TestResults(failed=1, attempted=1) []\n");
    for program in [
        "import dataclasses, random\n@dataclasses.dataclass\nclass C(random.Random):\n    mro: int\n",
        "import dataclasses, string\n@dataclasses.dataclass\nclass T(string.Template):\n    _invalid: int\n",
        "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass P:\n    format: str = 'x'\n",
    ] {
        run(program)
            .assert_code(6)
            .assert_stderr_contains("dataclass field name");
    }
}

/// Red-team round 15 chained a `typing.NamedTuple` field named `mro` (read by a class pattern
/// with the real `getattr`), `ABC.register`, the real `enum.Enum`'s functional API and a
/// `copy` hook into the real builtins; and read a `Flag`'s `_boundary_`, a trusted enum
/// member. Each link is closed by the wall named.
#[test]
fn modules_round_fifteen_escapes_fail() {
    // Module guard: class-syntax NamedTuple field names are checked as attribute names.
    run("import typing\nclass P(typing.NamedTuple):\n    mro: int\n")
        .assert_code(6)
        .assert_stderr_contains("NamedTuple field name 'mro' is not allowed");
    // The guarded class syntax still builds ordinary named tuples.
    run("import typing\nclass P(typing.NamedTuple):\n    x: int\n    y: int = 2\nprint(P(1), P._fields)\n")
        .assert_code(0)
        .assert_stdout("P(x=1, y=2) ('x', 'y')\n");
    // Private-attribute guard: a trusted enum member a trusted metaclass stored in the
    // program's class.
    run("import enum\nclass F(enum.Flag):\n    A = 1\nprint(F._boundary_)\n")
        .assert_code(6)
        .assert_stderr_contains("attribute '_boundary_' is private to code the sandbox trusts");
    // Module guard: copy refuses copy hooks a program class holds by other means; a frozen
    // dataclass's own (trusted) hooks still copy.
    run("import copy\nfrom dataclasses import dataclass\n@dataclass(frozen=True, slots=True)\nclass P:\n    x: int\n\
         print(copy.copy(P(1)), copy.deepcopy([P(2)]))\n")
        .assert_code(0)
        .assert_stdout("P(x=1) [P(x=2)]\n");
}

/// Red-team round 16: a renamed inherited dataclass field (`fields(A)[0].name = ...`) became
/// a subclass's `__match_args__` and source code `dataclass` ran with the real builtins; and
/// CPython 3.11's `OrderedDict.__eq__` read freed memory when the keys' `__eq__` emptied the
/// dicts. Fields are read-only once processed and inherited names are checked again; the
/// exported `OrderedDict` compares snapshots.
#[test]
fn modules_round_sixteen_escapes_fail() {
    run("import dataclasses\n@dataclasses.dataclass\nclass A:\n    x: int\ndataclasses.fields(A)[0].name = '__globals__'\n")
        .assert_code(6)
        .assert_stderr_contains("a dataclass field is read-only in the sandbox");
    // A field object kept from `field()` is not the one the class uses.
    let out = run(
        "import dataclasses\nf = dataclasses.field(default=1)\n@dataclasses.dataclass\nclass A:\n    x: int = f\n\
         f.name = 'x if print else x'\n@dataclasses.dataclass\nclass B(A):\n    y: int = 2\nprint(B(), dataclasses.fields(B)[0].name)\n",
    );
    out.assert_code(0).assert_stdout("B(x=1, y=2) x\n");
    let out = run(
        "from collections import OrderedDict\nN = 8\ncalls = [0]\nclass K:\n    def __init__(self, n):\n        self.n = n\n\
         \x20   def __hash__(self):\n        return self.n\n    def __eq__(self, other):\n        calls[0] += 1\n\
         \x20       if calls[0] == N + 1:\n            a.clear()\n            b.clear()\n        return True\n\
         a = OrderedDict((K(i), i) for i in range(N))\nb = OrderedDict((K(i), i) for i in range(N))\n\
         print(a == b, a != b, OrderedDict(x=1) == OrderedDict(x=1), OrderedDict(x=1, y=2) == OrderedDict(y=2, x=1))\n",
    );
    out.assert_code(0);
    assert!(out.stdout().ends_with("True False\n"), "{}", out.explain());
}

/// The structural wall behind rounds 14-16: a class pattern's class is compiled as a guard
/// that refuses `__match_args__` entries the checker would refuse as attribute names, before
/// CPython reads them with the real `getattr`, whatever factory made the class. A renamed
/// namedtuple field (`_1`) is such an entry; the fields before it still match.
#[test]
fn modules_class_patterns_refuse_refused_match_args() {
    let out = run(
        "import collections\nP = collections.namedtuple('P', ['ok', 'def'], rename=True)\nprint(P._fields)\n\
         match P(1, 2):\n    case P(a):\n        print('first', a)\n\
         try:\n    match P(1, 2):\n        case P(a, b):\n            print('both', a, b)\nexcept TypeError as e:\n    print(e)\n",
    );
    out.assert_code(0).assert_stdout(
        "('ok', '_1')\nfirst 1\nP.__match_args__ names '_1', an attribute the sandbox's checker refuses: a class pattern cannot read it\n",
    );
}

/// Red-team round 17: `dataclass` processed the very `field()` object the program held, which
/// a thread or a finalizer renamed between the name check and the code generation; and
/// CPython 3.11's C `OrderedDict` read and wrote its node table out of bounds in `pop`, `del`
/// and `move_to_end` when the keys' `__eq__` resized the dict. `dataclass` now processes a
/// private copy whose name is locked to its annotation's; the exported `OrderedDict` is
/// written over the built-in dict.
#[test]
fn modules_round_seventeen_escapes_fail() {
    let out = run(
        "import dataclasses\nf = dataclasses.field(default=1)\nclass Renamer:\n    def __repr__(self):\n        f.name = 'x if print else x'\n        return 'int'\n\
         @dataclasses.dataclass\nclass B:\n    x: Renamer() = f\nprint(B(), dataclasses.fields(B)[0].name)\n",
    );
    out.assert_code(0).assert_stdout("B(x=1) x\n");
    let out = run(
        "from collections import OrderedDict\ngrow = [False]\nclass K:\n    def __init__(self, n):\n        self.n = n\n    def __hash__(self):\n        return 1\n\
         \x20   def __eq__(self, other):\n        if grow[0]:\n            grow[0] = False\n            dict.update(od, {i: i for i in range(100, 2000)})\n        return self.n == other.n\n\
         for op in ('pop', 'del', 'move'):\n    od = OrderedDict({K(i): i for i in range(8)})\n    grow[0] = True\n\
         \x20   if op == 'pop':\n        od.pop(K(5))\n    elif op == 'del':\n        del od[K(5)]\n    else:\n        od.move_to_end(K(5))\n    print(op, len(od))\n\
         o = OrderedDict(a=1, b=2)\no.move_to_end('a')\no.move_to_end('b', last=False)\nprint(o, o.popitem(), o.popitem(last=False), o | {'c': 3}, OrderedDict() == OrderedDict())\n",
    );
    out.assert_code(0);
    assert!(
        out.stdout()
            .ends_with("OrderedDict() ('a', 1) ('b', 2) OrderedDict([('c', 3)]) True\n"),
        "{}",
        out.explain()
    );
}

/// Red-team round 18 put the program's own `Field` back (a finalizer reassigning the class
/// attribute, or a base class's attribute) where dataclasses reads it, then renamed it: every
/// field dataclasses reads is replaced by a private copy locked to the annotation's name.
#[test]
fn modules_round_eighteen_escapes_fail() {
    let out = run(
        "import dataclasses\nf = dataclasses.field(default=0)\nclass Base:\n    x = f\n\
         class Renamer:\n    def __repr__(self):\n        f.name = 'x if print(\"injected\") else x'\n        return 'int'\n\
         @dataclasses.dataclass\nclass B(Base):\n    x: Renamer()\n    y: int = 1\nprint(B(), dataclasses.fields(B)[0].name)\n",
    );
    out.assert_code(0).assert_stdout("B(x=0, y=1) x\n");
}

/// `decimal`, as programs use it: contexts, rounding, quantize, signals and traps, the
/// thread's own context, `localcontext`, tuples and formatting, all as in CPython.
#[test]
fn modules_decimal_like_cpython() {
    assert_like_cpython(
        "from decimal import Decimal, getcontext, localcontext, ROUND_HALF_UP, ROUND_DOWN, \
         InvalidOperation, DivisionByZero, Context, Inexact\nimport decimal\n\
         print(Decimal('1.1') + Decimal('2.2'), Decimal(1) / Decimal(7), Decimal('3.14159').quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))\n\
         getcontext().prec = 50\nprint(Decimal(2).sqrt(), Decimal(1).exp(), Decimal(10).ln())\n\
         with localcontext() as ctx:\n    ctx.prec = 5\n    ctx.rounding = ROUND_DOWN\n    print(Decimal(2) / Decimal(3), ctx)\n\
         print(Decimal(2) / Decimal(3))\n\
         with localcontext(prec=3):\n    print(Decimal('1.23456') * 1)\n\
         try:\n    Decimal(1) / Decimal(0)\nexcept DivisionByZero as e:\n    print('div', type(e).__name__, isinstance(e, ArithmeticError))\n\
         ctx = Context(prec=6, traps=[Inexact])\n\
         try:\n    ctx.divide(Decimal(1), Decimal(3))\nexcept Inexact:\n    print('inexact trapped', ctx.flags[Inexact])\n\
         try:\n    Decimal('x')\nexcept InvalidOperation as e:\n    print('invalid', e)\n\
         d = Decimal('-12.3400')\nprint(d.as_tuple(), d.normalize(), d.as_integer_ratio(), int(d), float(d), round(d, 1), hash(Decimal(2)) == hash(2))\n\
         print(f'{Decimal(\"1234.5678\"):,.2f}', '{:e}'.format(Decimal('0.000123')), sorted([Decimal('2.5'), Decimal('-1'), Decimal('0.1')]), sum([Decimal('0.1')] * 10))\n\
         print(decimal.MAX_PREC > 0, decimal.HAVE_THREADS, Decimal.from_float(0.1))\n",
    );
}

/// `decimal`'s contexts take only what their C setters accept; a context's private state is
/// out of reach (the private-attribute guard), its dunders refused by the checker, and a
/// result of the largest precision is refused by libmpdec (`MemoryError`) before it allocates.
#[test]
fn modules_decimal_escapes_fail() {
    for (program, needle) in [
        (
            "import decimal\nprint(decimal.getcontext()._traps)\n",
            "_traps",
        ),
        (
            "import decimal\nclass P:\n    pass\ndecimal.Context(traps=[P])\n",
            "Error",
        ),
        (
            "import decimal\nclass P:\n    pass\ndecimal.localcontext(prec=P())\n",
            "TypeError",
        ),
        (
            "import decimal\ndecimal.getcontext().rounding = 'anything'\n",
            "TypeError",
        ),
        ("import decimal\nprint(decimal._decimal)\n", "_decimal"),
        (
            "import decimal\nprint(decimal.Decimal)\nprint(decimal.sys)\n",
            "has no attribute 'sys'",
        ),
    ] {
        assert_raises(program, needle);
    }
    assert_refused(
        "import decimal\nprint(decimal.Decimal(1).__reduce__())\n",
        "R201",
    );
    Sandbox::new()
        .restrictions(&POLICY.replace("\"200 MB\"", "\"60 MB\""))
        .program(
            "import decimal\nctx = decimal.getcontext()\nctx.prec = decimal.MAX_PREC\n\
             ctx.Emax = decimal.MAX_EMAX\nprint(decimal.Decimal(1) / decimal.Decimal(3))\n",
        )
        .run(&[])
        .assert_code(6)
        .assert_stderr_contains("MemoryError");
}
