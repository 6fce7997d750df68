//! The identifier tables shared by the R2xx and R4xx rules, and the names the python
//! profile's widenings allow (each named in `PYTHON_WIDENINGS`, `profile.rs`). Each list
//! says why it exists; `docs/rules/` has the long form.

/// Special methods a program may *define* (as a `def` directly in a class body). Each is
/// called by the interpreter only on the program's own objects, receives only values the
/// program already has, and is needed for ordinary Python 3 classes (operators, containers,
/// iteration, context managers). Anything else shaped `__x__` is refused by R203.
pub(crate) const SAFE_SPECIAL_METHODS: &[&str] = &[
    // construction and text (RepyV2 allowed these)
    "__init__",
    "__repr__",
    "__str__",
    "__format__",
    // finalization (RepyV2 allowed it): runs the program's own code on its own object when
    // the object dies. It runs while the program runs (in whatever thread frees the object,
    // possibly inside an API call) and never after: the API holds none of its locks while
    // Python objects are freed or program code runs, the sandbox stops the collector and
    // keeps every object alive once the program has ended, and never finalises the
    // interpreter. An exception it raises is reported through a bounded, `lograte`-charged
    // hook (api/src/output.rs), never CPython's unaccounted `sys.stderr`.
    "__del__",
    // iteration and containers
    "__iter__",
    "__next__",
    "__reversed__",
    "__len__",
    "__contains__",
    "__getitem__",
    "__setitem__",
    "__delitem__",
    "__missing__",
    // truth, hashing, comparison
    "__bool__",
    "__hash__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    // arithmetic, reflected and in-place
    "__add__",
    "__sub__",
    "__mul__",
    "__matmul__",
    "__truediv__",
    "__floordiv__",
    "__mod__",
    "__divmod__",
    "__pow__",
    "__lshift__",
    "__rshift__",
    "__and__",
    "__or__",
    "__xor__",
    "__radd__",
    "__rsub__",
    "__rmul__",
    "__rmatmul__",
    "__rtruediv__",
    "__rfloordiv__",
    "__rmod__",
    "__rdivmod__",
    "__rpow__",
    "__rlshift__",
    "__rrshift__",
    "__rand__",
    "__ror__",
    "__rxor__",
    "__iadd__",
    "__isub__",
    "__imul__",
    "__imatmul__",
    "__itruediv__",
    "__ifloordiv__",
    "__imod__",
    "__ipow__",
    "__ilshift__",
    "__irshift__",
    "__iand__",
    "__ior__",
    "__ixor__",
    "__neg__",
    "__pos__",
    "__abs__",
    "__invert__",
    // protocols
    "__enter__",
    "__exit__",
    "__call__",
];

/// RepyV2's forbidden prefixes (Python 2 function, method, traceback, frame and code
/// attributes) plus Python 3's generator, coroutine and async-generator attributes: the ways
/// from an object to a frame, its globals and its code.
pub const INTROSPECTION_PREFIXES: &[&str] =
    &["im_", "func_", "tb_", "f_", "co_", "gi_", "cr_", "ag_"];

/// Names a program may not use at all (R401). Only `exec`: it was a keyword in RepyV2's
/// Python 2, so no RepyV2 program can name it, and it runs unchecked code.
///
/// The other builtins a program must not reach (`eval`, `open`, `getattr`, `globals`,
/// `super`, ...) are *names* a program may use, as in RepyV2: it may bind them to its own
/// values (`def open(...)`, `type = 3`), and the sandbox's builtins hold, under each name, a
/// stub that raises RepyV2's exception when called (`STUBS` in api/src/builtins.rs), so the
/// real builtin is never reachable. Dunder builtins (`__import__`, `__build_class__`) are
/// refused by R202, as RepyV2 refused every `__` name.
pub(crate) const FORBIDDEN_BUILTINS: &[&str] = &["exec"];

/// Attribute names containing `__` that a program may *read* (R201), RepyV2's five:
/// `x.__init__(...)`, `self.__str__()`. Every object has them; reading one gives a bound
/// method (or method-wrapper, or the class's own function) whose only non-`__` operation is
/// calling it, and calling it does what the program could do anyway (`str(x)`, `repr(x)`,
/// `iter(x)`, re-running an initialiser or finalizer of its own). What such a method holds
/// (`__self__`, `__func__`, `__globals__`, ...) stays behind other `__` names. Assigning or
/// deleting them (`C.__del__ = f`) stays refused: that installs a hook on a class after its
/// creation, including classes of the sandbox itself.
pub(crate) const READABLE_DUNDER_ATTRIBUTES: &[&str] =
    &["__init__", "__del__", "__iter__", "__repr__", "__str__"];

/// Under the python profile (widening `name-attributes`), attribute names containing `__`
/// a program may also *read*: functions, classes, modules and builtins answer them with a
/// `str` (or `None`), see `PYTHON_WIDENINGS` in `profile.rs`.
pub(crate) const NAME_ATTRIBUTES: &[&str] = &["__name__", "__qualname__", "__doc__"];

/// Under the python profile (widening `exception-chain-attributes`), the links of an
/// exception's chain a program may read. `__traceback__` (frames) and `__suppress_context__`
/// are not here.
pub(crate) const EXCEPTION_CHAIN_ATTRIBUTES: &[&str] = &["__cause__", "__context__"];

/// Under the python profile (widening `main-name`), the one global dunder name a program may
/// read: `if __name__ == "__main__":`.
pub(crate) const MAIN_NAME: &str = "__name__";

/// Under the python profile (widening `class-slots`), the one dunder name a program may bind
/// (in a class body, to a literal R208 checks).
pub(crate) const SLOTS_NAME: &str = "__slots__";

/// Under the python profile (widening `future-annotations`), the `__future__` module and the
/// one feature a program may import from it.
pub(crate) const FUTURE_MODULE: &str = "__future__";

/// See [`FUTURE_MODULE`].
pub(crate) const FUTURE_FEATURES: &[&str] = &["annotations"];

/// Under the python profile (widening `post-init-method`), special methods a program may
/// define beyond [`SAFE_SPECIAL_METHODS`]. Only `__post_init__`: the dataclass `__init__`
/// calls it on the program's own new object. Considered and left refused (R203):
/// `__getattr__`, `__getattribute__`, `__setattr__`, `__delattr__` (run on every attribute
/// access, including the probes trusted code makes: `copy`'s `__deepcopy__`, the API's
/// argument checks); `__get__`, `__set__`, `__delete__`, `__set_name__` (descriptor hooks,
/// run inside whoever reads the class); `__init_subclass__`, `__class_getitem__`,
/// `__mro_entries__`, `__new__` (class creation; `__new__` is useless anyway without reading
/// `object.__new__`); `__index__`, `__int__`, `__float__`, `__complex__`, `__bytes__`,
/// `__trunc__`, `__fspath__` (conversions the API and `open()` perform on arguments);
/// `__reduce__`, `__reduce_ex__`, `__getstate__`, `__setstate__`, `__copy__`,
/// `__deepcopy__` (the copy protocol hands the program `copy`'s internal memo and state).
pub(crate) const PYTHON_SPECIAL_METHODS: &[&str] = &["__post_init__"];

/// Under the python profile (widening `class-private-names`), a class-private name:
/// `__balance`, `__check`, `__count_1`: two underscores, then a name that does not start
/// with `_`, contains no `__` (so it has not the shape `__x__`, nor `__a__b`) and does not
/// start with an introspection prefix (`__f_globals`, `__gi_frame` stay refused, see
/// `PYTHON_WIDENINGS`); never a dotted module path (`__x.y`). Inside a class body CPython's
/// compiler mangles it to `_Class__balance`, a name starting with one `_` as `obj._x`
/// (allowed under both profiles) whose inner `__` marks nothing special; elsewhere
/// (`obj.__x` at module level, a class named `_`) it stays `__x`, which no object of
/// CPython's (C types, stdlib classes, modules, builtins) has as an attribute or a name.
pub(crate) fn is_class_private_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("__") else {
        return false;
    };
    !rest.is_empty()
        && !rest.starts_with('_')
        && !rest.contains('.')
        && !rest.contains("__")
        && introspection_prefix(rest).is_none()
}

/// Attribute names whose methods format by traversing attributes named in a string.
pub(crate) const FORMAT_ATTRIBUTES: &[&str] = &["format", "format_map"];

/// Attribute names of the codec machinery (RepyV2 issue #120).
pub(crate) const CODEC_ATTRIBUTES: &[&str] = &["encode", "decode"];

/// `x` has the shape of a special method name, `__name__`.
pub(crate) fn is_special_method_name(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

/// The introspection prefix `name` (or one of its dotted parts) starts with.
pub(crate) fn introspection_prefix(name: &str) -> Option<&'static str> {
    name.split('.').find_map(|part| {
        INTROSPECTION_PREFIXES
            .iter()
            .copied()
            .find(|prefix| part.starts_with(prefix))
    })
}

/// RepyV2's string rule (reference §8.3) with Python 3's prefixes added: `name` is safe
/// unless it contains `__` (RepyV2's five dunder names `__init__ __del__ __iter__ __repr__
/// __str__` excepted), starts (in any dotted part) with an introspection prefix, or is
/// `encode`/`decode`. This is the rule for keys of mappings a program can turn into a
/// namespace (RepyV2's `SafeDict`, virtual-namespace contexts); the checker's own rules are
/// stricter about *where* each identifier may appear.
pub fn is_safe_name(name: &str) -> bool {
    if READABLE_DUNDER_ATTRIBUTES.contains(&name) {
        return true;
    }
    !name.contains("__")
        && introspection_prefix(name).is_none()
        && !CODEC_ATTRIBUTES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_special_methods_have_the_shape() {
        for name in SAFE_SPECIAL_METHODS.iter().chain(PYTHON_SPECIAL_METHODS) {
            assert!(is_special_method_name(name), "{name}");
        }
    }

    #[test]
    fn class_private_names() {
        for name in [
            "__balance",
            "__check",
            "__x",
            "__count_1",
            "__x_",
            "__builtins",
            "__mro",
        ] {
            assert!(is_class_private_name(name), "{name}");
        }
        for name in [
            "__",
            "___",
            "__x__",
            "__init__",
            "___x",
            "__a__b",
            "x__y",
            "_x",
            "x",
            "__f_globals",
            "__gi_frame",
            "__tb_next",
            "__co_code",
            "_C__x",
            "__x.y",
        ] {
            assert!(!is_class_private_name(name), "{name}");
        }
    }

    #[test]
    fn safe_names() {
        assert!(is_safe_name("counter"));
        assert!(is_safe_name("fx"));
        assert!(is_safe_name("__init__"));
        for name in ["__x", "f_globals", "a.gi_frame", "decode", "x__y"] {
            assert!(!is_safe_name(name), "{name}");
        }
    }
}
