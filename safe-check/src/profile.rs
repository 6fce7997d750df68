//! Profiles: which language a program is checked against.
//!
//! [`Profile::RepyV2`] (the default) is RepyV2's restricted Python, checked exactly as it
//! always was. [`Profile::Python`] is ordinary Python 3: the same rules, each narrowed only
//! where `PYTHON_WIDENINGS` says so, plus two refusals of its own (R208 for the
//! `__slots__` it lets through, R403 for the real `super` its namespace provides). The
//! table is the profile's whole definition: a rule consults it through
//! `Checker::allows(Widening::…)`, never through the profile itself, so every construct the
//! python profile accepts and RepyV2 refuses has a name, a reason and, where the checker
//! cannot see everything, a note of what the runtime must guard. `docs/rules/README.md`
//! ("Profiles") lists the same table; a test keeps the two in step.

use crate::rules::RuleId;

/// The language a program is checked against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// RepyV2's restricted Python (the default): no imports, no decorators, no dunder names
    /// beyond RepyV2's five method names. Its behaviour never moves.
    #[default]
    RepyV2,
    /// Ordinary Python 3: RepyV2's rules narrowed by [`Profile::widenings`], imports of the
    /// modules listed in [`Options::modules`].
    Python,
}

impl Profile {
    /// Every profile, the default first.
    pub const ALL: [Profile; 2] = [Profile::RepyV2, Profile::Python];

    /// The profile's name in a restrictions file (`profile = "python"`): `repyv2` or
    /// `python`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::RepyV2 => "repyv2",
            Profile::Python => "python",
        }
    }

    /// The profile named `name` (as [`Profile::name`] spells it), if any.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL
            .into_iter()
            .find(|profile| profile.name() == name)
    }

    /// The constructs this profile allows beyond RepyV2's rules (none for RepyV2).
    pub fn widenings(self) -> &'static [WideningInfo] {
        match self {
            Profile::RepyV2 => &[],
            Profile::Python => PYTHON_WIDENINGS,
        }
    }

    /// Whether this profile has `widening`.
    pub(crate) fn allows(self, widening: Widening) -> bool {
        self.widenings()
            .iter()
            .any(|info| info.widening == widening)
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a program is checked against: the profile, and what the policy lets it import.
///
/// `Options::default()` is RepyV2, the checker's behaviour before profiles existed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The language.
    pub profile: Profile,
    /// Under [`Profile::Python`], the modules `import` may name: the policy's
    /// `[python] modules = [...]`. A listed package brings its public submodules
    /// (`collections` allows `collections.abc`, not `collections._x`). Ignored under
    /// RepyV2, which refuses every import.
    pub modules: Vec<String>,
}

impl Options {
    /// The python profile with these importable modules.
    pub fn python<I, S>(modules: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Options {
            profile: Profile::Python,
            modules: modules.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether the policy lets the program import the module `dotted` (`a.b.c`): it is
    /// listed, or it lies below a listed package and no component below that package starts
    /// with `_` (private submodules come only by being listed themselves).
    pub(crate) fn allows_module(&self, dotted: &str) -> bool {
        let parts: Vec<&str> = dotted.split('.').collect();
        self.modules.iter().any(|listed| {
            let listed: Vec<&str> = listed.split('.').collect();
            parts.len() >= listed.len()
                && parts[..listed.len()] == listed[..]
                && parts[listed.len()..]
                    .iter()
                    .all(|part| !part.is_empty() && !part.starts_with('_'))
        })
    }
}

/// A construct the python profile allows that RepyV2 refuses, each with its own name and
/// reason in [`PYTHON_WIDENINGS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Widening {
    /// Reading the global name `__name__` (R202).
    MainName,
    /// Reading the attributes `__name__`, `__qualname__`, `__doc__` (R201).
    NameAttributes,
    /// Reading the attributes `__cause__`, `__context__` (R201).
    ExceptionChain,
    /// `from __future__ import annotations` (R302, R202).
    FutureAnnotations,
    /// Decorators that are a dotted name or a call of one (R101).
    PlainDecorators,
    /// The `global` statement (R104).
    GlobalStatement,
    /// `__slots__ = (...)` in a class body, its names checked by R208 (R202).
    ClassSlots,
    /// Positional sub-patterns in class patterns (R105).
    PositionalClassPatterns,
    /// Defining `__post_init__` (R203).
    PostInitMethod,
    /// Imports of the modules the policy lists (R301, R302).
    AllowedModules,
    /// The attributes `format` and `format_map` (R205), guarded at run time.
    FormatMethods,
    /// The attributes `encode` and `decode` (R206), guarded at run time.
    TextCodecs,
    /// Class-private names `__x` (no trailing `__`) as attributes and names (R201, R202).
    ClassPrivateNames,
    /// `__radd__ = __add__`: a safe special method bound in a class body to a name, a
    /// `lambda` or `None` (R202).
    SpecialMethodAliases,
    /// Reading `obj.__class__`, compiled as the namespace's `type(obj)` (R201).
    ClassAttribute,
    /// Reading a special method a program may define (`x.__abs__()`,
    /// `super().__eq__(other)`) (R201).
    SpecialMethodReads,
}

/// One widening of a profile: what it allows, which rules it narrows, why it is safe, and
/// what the runtime must guard because the checker cannot see it.
#[derive(Clone, Copy, Debug)]
pub struct WideningInfo {
    /// The widening.
    pub widening: Widening,
    /// Kebab-case name, e.g. `plain-decorators`.
    pub name: &'static str,
    /// The rules that, under this profile, no longer refuse the construct.
    pub narrows: &'static [RuleId],
    /// What is allowed, one line, code in backticks.
    pub allows: &'static str,
    /// Why it is safe.
    pub why: &'static str,
    /// What the namespace must guard, because the checker cannot see it; empty if nothing.
    pub runtime: &'static str,
}

/// The python profile: every construct it allows beyond RepyV2, and why. Everything not
/// here stays refused exactly as under RepyV2: every other dunder name and attribute, the
/// introspection prefixes, `exec`, the `mro` attribute, async, class
/// keywords, every other special method. Already allowed by both profiles and so not here:
/// `nonlocal`, `raise ... from ...`, `%`-formatting, and the *name* `super` (a stub under
/// RepyV2; the real zero-argument `super` under python, with arguments refused by R403).
pub(crate) static PYTHON_WIDENINGS: &[WideningInfo] = &[
    WideningInfo {
        widening: Widening::MainName,
        name: "main-name",
        narrows: &[RuleId::R202],
        allows: "reading the global name `__name__` (`if __name__ == \"__main__\":`)",
        why: "the module's name is a `str`, and reading a string reaches nothing; binding, \
              deleting or declaring `__name__` (`global __name__`) stays refused (R202), as does \
              every other dunder name (`__builtins__`, `__doc__`, `__file__`)",
        runtime: "the program's globals must hold `__name__ = \"__main__\"`, a plain `str`",
    },
    WideningInfo {
        widening: Widening::NameAttributes,
        name: "name-attributes",
        narrows: &[RuleId::R201],
        allows: "reading the attributes `__name__`, `__qualname__`, `__doc__` \
                 (`type(x).__name__`, `f.__doc__`, `case C(__name__=n)`)",
        why: "functions, classes, modules and builtins answer them with a `str` (or `None` for \
              `__doc__`), and a program's own object holds under them only what was stored \
              there, which the program cannot do (assignment and deletion stay refused, R201); \
              a chain ends at the string, whose `__` attributes are refused \
              (`type(x).__name__.__class__`, R201)",
        runtime: "every object the namespace hands out (module proxies, API functions and \
                  handles, exported classes) must answer these three with a plain `str` or \
                  `None`",
    },
    WideningInfo {
        widening: Widening::ExceptionChain,
        name: "exception-chain-attributes",
        narrows: &[RuleId::R201],
        allows: "reading the attributes `__cause__` and `__context__` of an exception",
        why: "they hold the exceptions (or `None`) that `raise ... from ...` and raising while \
              handling link, what a traceback prints; an exception is an ordinary value whose \
              frames are behind `__traceback__` and `tb_` names, which stay refused (R201, R204), \
              as do `__suppress_context__` and assigning the chain",
        runtime: "the chain also holds exceptions raised and caught inside trusted code (module \
                  proxies, the API's Python side, listed packages), whose `args`, \
                  `AttributeError.obj`, `StopIteration.value` can be internal objects: an \
                  exception leaving trusted code must have its chain cut (`__cause__` and \
                  `__context__` set to `None`; `raise ... from None` keeps `__context__`)",
    },
    WideningInfo {
        widening: Widening::FutureAnnotations,
        name: "future-annotations",
        narrows: &[RuleId::R302, RuleId::R202],
        allows: "`from __future__ import annotations`, exactly (no alias, no other feature)",
        why: "the one `__future__` feature ordinary 3.11 programs still write: annotations are \
              kept as strings instead of evaluated, so less code runs; it is a directive of the \
              checked tree itself, which is compiled as checked. Every other feature is refused \
              (R302): they change the parser (`barry_as_FLUFL`) or nothing",
        runtime: "the statement also imports `__future__` through the namespace's \
                  `__import__`, which must answer it although `__future__` is not in \
                  `[python] modules`; string annotations must never be evaluated in the \
                  program's globals by trusted code (`typing.get_type_hints`, `ForwardRef`)",
    },
    WideningInfo {
        widening: Widening::PlainDecorators,
        name: "plain-decorators",
        narrows: &[RuleId::R101],
        allows: "a decorator that is a name, a dotted name or a call of one (`@property`, \
                 `@x.setter`, `@dataclass(frozen=True)`, `@functools.lru_cache(maxsize=None)`)",
        why: "`@d` over `def f` is `f = d(f)`, a call the program could write (RepyV2 programs \
              do) after the definition; with the expression limited to dotted names and calls \
              of them, whose arguments are checked expressions, that is all it is. What the \
              names resolve to (`property`, `classmethod`, `dataclass`, `functools.wraps`) is \
              the namespace's business: the checker cannot know it",
        runtime: "each decorator name is a value of the namespace: `property`, `staticmethod` \
                  and `classmethod` build descriptors around the program's own functions; \
                  `functools.wraps`/`update_wrapper` copy attributes named by strings and must \
                  refuse other `assigned=`/`updated=` lists; `dataclass` generates code from \
                  field names the checker saw, but `make_dataclass` takes names and a \
                  `namespace=` as data and must refuse `_` names and namespaces",
    },
    WideningInfo {
        widening: Widening::GlobalStatement,
        name: "global-statement",
        narrows: &[RuleId::R104],
        allows: "the `global` statement",
        why: "it rebinds a name of the program's module namespace from a function; under the \
              python profile that namespace is the program's alone (RepyV2 refused `global` to \
              keep its shared context, `mycontext`). The names are still checked \
              (`global __builtins__`, R202)",
        runtime: "the sandbox must never look anything up by name in the program's globals for \
                  its own use: the program can rebind every one of them",
    },
    WideningInfo {
        widening: Widening::ClassSlots,
        name: "class-slots",
        narrows: &[RuleId::R202],
        allows: "`__slots__ = (\"a\", \"b\")` as the one target of a plain assignment directly \
                 in a class body (its value checked by R208)",
        why: "slots only declare which attribute names instances may have; nothing runs. The \
              names are strings the other rules never read, so R208 requires literals and \
              refuses names with `__` or an introspection prefix (`\"__dict__\"`, \
              `\"__class__\"`, `\"f_x\"`): each becomes a descriptor on the class under that \
              name, and under a special-method name it would sit where the interpreter looks \
              for a hook",
        runtime: "",
    },
    WideningInfo {
        widening: Widening::PositionalClassPatterns,
        name: "positional-class-patterns",
        narrows: &[RuleId::R105],
        allows: "positional sub-patterns in class patterns (`case int(n)`, `case Point(x, y)`)",
        why: "ordinary Python for the self-matching builtins (`int`, `str`, `tuple`, ...) and \
              for dataclasses; the attributes read are those `__match_args__` names, which a \
              program cannot define (R202, R201) and which the dataclasses it writes fill from \
              field names the checker saw",
        runtime: "the checker cannot see the names read: `__match_args__` is a run-time tuple \
                  of strings. So the checked tree compiles the class of every class pattern \
                  with positional sub-patterns as a call of the namespace's `match_args` guard \
                  (`route.rs`), which refuses entries the checker would refuse as attribute \
                  names (`__class__`, `__globals__`, `gi_frame`, `mro`, `_x`) before CPython \
                  reads them; class factories that take field names as data should refuse \
                  such names too (defence in depth)",
    },
    WideningInfo {
        widening: Widening::PostInitMethod,
        name: "post-init-method",
        narrows: &[RuleId::R203],
        allows: "defining `__post_init__` in a class body",
        why: "only the `__init__` a dataclass generates calls it, on the program's own new \
              object, with the `InitVar` values the program passed: an ordinary method. The \
              other special methods stay as R203 decides (attribute and descriptor hooks, \
              class-creation hooks and conversion hooks run inside other code)",
        runtime: "",
    },
    WideningInfo {
        widening: Widening::AllowedModules,
        name: "allowed-modules",
        narrows: &[RuleId::R301, RuleId::R302],
        allows: "`import m`, `import m as n`, `from m import x` of a module listed in the \
                 policy's `[python] modules` (or a public submodule of a listed package)",
        why: "the policy lists the modules the namespace provides; the checker matches the \
              names the program imports against the same list, so a refused import is reported \
              before anything runs, naming the key to change. Still refused: relative imports, \
              `__import__` and dunder names (R202), private submodules below a listed package \
              and private names (`from m import _x`), and `import a.b` binding `a` when only \
              `a.b` is listed",
        runtime: "the checker matches names only: what an import gives the program is the \
                  namespace's `__import__`, which must serve a proxy of each listed module \
                  exporting exactly its public API, whatever name reaches it at run time; \
                  `from m import *` must bind only the proxy's exports",
    },
    WideningInfo {
        widening: Widening::FormatMethods,
        name: "format-methods",
        narrows: &[RuleId::R205],
        allows: "the attributes `format` and `format_map` (`\"{}: {:.2f}\".format(name, x)`, \
                 `template.format_map(values)`, `str.format`)",
        why: "the most common way ordinary programs build text; what made it dangerous is the \
              fields, which read attributes and items named in a string the checker never \
              sees (`\"{0.__class__}\"`): the namespace's guard refuses those fields before \
              anything is formatted, so the methods give only text built from the program's \
              own values and their public attributes",
        runtime: "`str.format` and `str.format_map` must be guarded for every way to call them \
                  (`str.format(s, x)`, aliases, `case str(format=f)`): a field may not reach an \
                  attribute or item whose name starts with `_`, nor an attribute with an \
                  introspection prefix, at any depth and in nested fields of format specs \
                  (`api::text_guards`). `string.Formatter` (`get_field`, `get_value`) resolves \
                  fields in Python and must not be exported by a module proxy unguarded",
    },
    WideningInfo {
        widening: Widening::TextCodecs,
        name: "text-codecs",
        narrows: &[RuleId::R206],
        allows: "the attributes `encode` and `decode` (`s.encode()`, `data.decode(\"latin-1\")`)",
        why: "converting between `str` and `bytes` is ordinary Python 3; what made it dangerous \
              is the codec lookup by a run-time name, which imports `encodings.<name>` modules \
              and reaches codecs that are not text (`rot13`, `zip`, `base64`) or run more \
              machinery (`idna`, `punycode`, `unicode_escape`): the namespace's guard accepts \
              only the text codecs utf-8, ascii, latin-1, utf-16 and utf-32 and CPython's \
              built-in error handlers, and encodes with CPython's C codecs directly",
        runtime: "`str.encode`, `bytes.decode` and `bytearray.decode` must be guarded for every \
                  way to call them: any other codec name or error handler raises `LookupError` \
                  before the codec registry is consulted (`api::text_guards`); the registry must \
                  be initialised before the program runs, so a lookup never imports `encodings` \
                  through the program's `__import__`; `codecs` must not be exported by a module \
                  proxy (`codecs.register`, `codecs.lookup`, `register_error`)",
    },
    WideningInfo {
        widening: Widening::ClassPrivateNames,
        name: "class-private-names",
        narrows: &[RuleId::R201, RuleId::R202],
        allows: "class-private names, `__` then a name without `__` (`self.__balance`, \
                 `def __check(self)`, `__count = 0` in a class body, `obj.__x`), as attributes \
                 (read, written, deleted) and as variable, function, class, parameter, \
                 `except`, `global`/`nonlocal` and pattern-capture names",
        why: "inside a class body the compiler mangles `__x` to `_Class__x`, the class's \
              name with its leading underscores stripped: an attribute starting with one `_` \
              like the `obj._cache` both profiles allow, whose `__` after the class name \
              marks nothing in CPython (every special attribute is `__x__`-shaped or \
              prefixed, R204), and which no mangled name can spell. It reaches the same kind \
              of state as `obj._x`: the private attributes of Python-level classes (a \
              program class named `OrderedDict` reads `od._OrderedDict__map`). Where it is not \
              mangled (outside a class, a class named `_`) it is the literal `__x`, which no \
              object outside the program has: no attribute of a C type, stdlib class or \
              module and no builtin has that shape. Every dunder (`__x__`, `__builtins__`) \
              stays refused, as do `___x`, `__a__b`, the spelled-out `obj._Class__x`, a name \
              whose part after `__` starts with an introspection prefix (`__f_globals`: \
              harmless once mangled, but no identifier of an accepted program spells a frame \
              attribute after its underscores), and the positions CPython 3.11 does not \
              mangle or that name modules (keyword arguments, class-pattern attributes, \
              imports)",
        runtime: "as for `obj._x`, which both profiles allow: no object the namespace hands \
                  out (API objects, module proxies, exported classes and their instances) may \
                  keep under an attribute starting with `_`, mangled (`_Class__x`) or not, \
                  anything the program must not read or replace. The API's classes are frozen \
                  native types without an instance dictionary; module proxies export public \
                  names only",
    },
    WideningInfo {
        widening: Widening::SpecialMethodAliases,
        name: "special-method-aliases",
        narrows: &[RuleId::R202],
        allows: "`__radd__ = __add__`: a plain assignment directly in a class body whose one \
                 target is a special method the profile lets a `def` define and whose value is \
                 a name (a method of the class, a safe special method, any other name), a \
                 `lambda` or `None` (`__hash__ = None`)",
        why: "the class gets under a safe special-method name a value the program could \
              install anyway: `x = value` in a class body is allowed, and \
              `def __radd__(self, *a): return self.x(*a)` is a safe `def`, so the interpreter \
              calls nothing it could not call through a `def`; a `lambda` is a `def` whose \
              body is one checked expression (it closes over the same scopes); `None` makes \
              the protocol unsupported. A safe special-method name as the value reads only \
              the class body's own binding: the program cannot bind it elsewhere and neither \
              its globals nor the builtins hold one. Every other target stays refused \
              (`__getattr__ = f`, `__class__ = X`, `__match_args__ = (...)` until its \
              run-time guard exists), as do chained, tuple, annotated and augmented \
              assignments, assignments nested in a statement of the class body, and every \
              other value expression (calls, attributes): no ordinary program needs them, \
              and the shape stays one a reader audits at a glance",
        runtime: "",
    },
    WideningInfo {
        widening: Widening::ClassAttribute,
        name: "class-attribute",
        narrows: &[RuleId::R201],
        allows: "reading `obj.__class__` as an attribute (`self.__class__.__name__`)",
        why: "it is compiled as a call of the namespace's one-argument `type(obj)` (the \
              checker rewrites the node after the rules pass), which the program may call \
              anyway: an object's class, and for a class the namespace's `type` function \
              itself, never the metaclass. Writing or deleting it, and reading it in a class \
              pattern (`case C(__class__=k)`, which CPython reads itself), stay refused",
        runtime: "the routed call must be the namespace's restricted `type`",
    },
    WideningInfo {
        widening: Widening::SpecialMethodReads,
        name: "special-method-reads",
        narrows: &[RuleId::R201],
        allows: "reading a special method a program may define (`x.__abs__()`, \
                 `super().__eq__(other)`, `self.__len__()`, `int.__add__`)",
        why: "the names R203 lets a program define: each is what an operator, a builtin or a \
              statement the program may write calls (`abs(x)`, `==`, `len`), so reading it \
              gives a bound method or function whose only non-`__` operation is calling it, \
              and what it holds (`__self__`, `__func__`, `__globals__`) stays behind other \
              `__` names. Writing or deleting them stays refused (a hook installed on a \
              class after its creation, including the sandbox's)",
        runtime: "",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_widening_is_in_the_python_table_once() {
        let all = [
            Widening::MainName,
            Widening::NameAttributes,
            Widening::ExceptionChain,
            Widening::FutureAnnotations,
            Widening::PlainDecorators,
            Widening::GlobalStatement,
            Widening::ClassSlots,
            Widening::PositionalClassPatterns,
            Widening::PostInitMethod,
            Widening::AllowedModules,
            Widening::FormatMethods,
            Widening::TextCodecs,
            Widening::ClassPrivateNames,
            Widening::SpecialMethodAliases,
            Widening::ClassAttribute,
            Widening::SpecialMethodReads,
        ];
        for widening in all {
            let entries = PYTHON_WIDENINGS
                .iter()
                .filter(|info| info.widening == widening)
                .count();
            assert_eq!(entries, 1, "{widening:?}");
            assert!(Profile::Python.allows(widening));
            assert!(!Profile::RepyV2.allows(widening));
        }
        assert_eq!(PYTHON_WIDENINGS.len(), all.len());
        for info in PYTHON_WIDENINGS {
            assert!(!info.narrows.is_empty(), "{}", info.name);
            assert!(
                !info.why.is_empty() && !info.allows.is_empty(),
                "{}",
                info.name
            );
        }
    }

    /// `docs/rules/README.md` lists exactly the python profile's widenings, one table row
    /// each (`| `name` | ...`).
    #[test]
    fn readme_lists_every_widening() {
        let readme = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/rules/README.md"
        ));
        let profiles = readme
            .split_once("## Profiles")
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        let section = profiles.split("\n## ").next().unwrap_or_default();
        let documented: Vec<&str> = section
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split_once('`').map(|(name, _)| name))
            .filter(|name| name.contains('-'))
            .collect();
        let names: Vec<&str> = PYTHON_WIDENINGS.iter().map(|info| info.name).collect();
        assert_eq!(documented, names, "README's Profiles table");
    }

    #[test]
    fn names_round_trip() {
        for profile in Profile::ALL {
            assert_eq!(Profile::from_name(profile.name()), Some(profile));
        }
        assert_eq!(Profile::from_name("Python"), None);
        assert_eq!(Profile::default(), Profile::RepyV2);
    }

    #[test]
    fn listed_packages_bring_public_submodules() {
        let options = Options::python(["math", "collections", "os.path", "_thread"]);
        for allowed in [
            "math",
            "collections",
            "collections.abc",
            "os.path",
            "_thread",
        ] {
            assert!(options.allows_module(allowed), "{allowed}");
        }
        for refused in [
            "os",
            "mathx",
            "collections._private",
            "collections.abc._x",
            "collections..abc",
            "",
            "thread",
        ] {
            assert!(!options.allows_module(refused), "{refused}");
        }
        assert!(!Options::default().allows_module("math"));
    }
}
