//! The identifier tables shared by the R2xx and R4xx rules. Each list says why it exists;
//! `docs/rules/` has the long form.

/// Special methods a program may *define* (as a `def` directly in a class body). Each is
/// called by the interpreter only on the program's own objects, receives only values the
/// program already has, and is needed for ordinary Python 3 classes (operators, containers,
/// iteration, context managers). Anything else shaped `__x__` is refused by R203.
pub(crate) const SAFE_SPECIAL_METHODS: &[&str] = &[
    // construction and text (RepyV2 allowed these, except `__del__`)
    "__init__",
    "__repr__",
    "__str__",
    "__format__",
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
pub(crate) const INTROSPECTION_PREFIXES: &[&str] =
    &["im_", "func_", "tb_", "f_", "co_", "gi_", "cr_", "ag_"];

/// Builtins a program may not name at all (R401): they reach code, namespaces or
/// attributes by string, do I/O outside the API, or create descriptors and hooks. Dunder
/// builtins (`__import__`, `__build_class__`) are refused by R202 already.
pub(crate) const FORBIDDEN_BUILTINS: &[&str] = &[
    // code from strings
    "exec",
    "eval",
    "compile",
    // namespaces
    "globals",
    "locals",
    "vars",
    "dir",
    // attributes by name
    "getattr",
    "setattr",
    "delattr",
    "hasattr",
    // I/O and interaction outside the Repy API
    "open",
    "input",
    "help",
    "breakpoint",
    "exit",
    "quit",
    // raw memory
    "memoryview",
    // hidden class machinery
    "super",
    "classmethod",
    "staticmethod",
    "property",
];

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
    const REPYV2_DUNDERS: &[&str] = &["__init__", "__del__", "__iter__", "__repr__", "__str__"];
    if REPYV2_DUNDERS.contains(&name) {
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
        for name in SAFE_SPECIAL_METHODS {
            assert!(is_special_method_name(name), "{name}");
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
