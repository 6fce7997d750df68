//! The builtins the sandboxed program sees, built from an explicit allow-list.
//!
//! The interpreter's own `builtins` module is never modified: the program's frames get a
//! fresh dict holding only the names below, each with the reason it is safe. RepyV2's
//! forbidden builtins are stubs that raise `RunBuiltinException` when called ([`STUBS`]),
//! as in RepyV2; anything else not listed does not exist for the program (a `NameError`).
//! The static checker refuses `exec`, the `__` names (`__import__`, `__builtins__`) and the
//! visible three-argument `type`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::exceptions;

/// Builtins copied unchanged from the interpreter, each with the reason it is safe.
///
/// None of them reads or writes outside the program's own objects, imports, compiles,
/// evaluates code, or hands out a frame, a module, a code object or a namespace.
pub const ALLOWED: &[(&str, &str)] = &[
    // Constants.
    ("None", "a constant"),
    ("True", "a constant"),
    ("False", "a constant"),
    ("Ellipsis", "a constant"),
    ("NotImplemented", "a constant, returned by operator methods"),
    // Pure functions over values.
    ("abs", "arithmetic on the argument"),
    ("all", "iterates its argument"),
    ("any", "iterates its argument"),
    ("bin", "formats an integer"),
    ("chr", "builds a one-character string"),
    ("divmod", "arithmetic"),
    ("enumerate", "wraps an iterator"),
    ("filter", "applies the program's own function"),
    ("hash", "a number from the object's own hash"),
    ("hex", "formats an integer"),
    ("id", "a number (RepyV2 allows it)"),
    ("isinstance", "compares types the program already holds"),
    ("issubclass", "compares types the program already holds"),
    ("iter", "wraps the program's own iterable"),
    ("len", "reads a length"),
    ("map", "applies the program's own function"),
    ("max", "compares values"),
    ("min", "compares values"),
    ("next", "advances the program's own iterator"),
    ("oct", "formats an integer"),
    ("ord", "reads a character's code point"),
    ("pow", "arithmetic (three-argument modular form included)"),
    ("repr", "the object's own representation"),
    ("reversed", "wraps a sequence"),
    ("round", "arithmetic"),
    ("sorted", "sorts a copy"),
    ("sum", "arithmetic"),
    ("zip", "wraps iterators"),
    ("callable", "a boolean about the argument"),
    // Types the program constructs values with.
    ("bool", "a value type"),
    ("bytes", "a byte string; API data may be bytes"),
    ("complex", "a value type"),
    ("dict", "a container type"),
    ("float", "a value type"),
    ("frozenset", "a container type"),
    (
        "int",
        "a value type (the interpreter's 4300-digit conversion cap stays on)",
    ),
    ("list", "a container type"),
    ("object", "the base class of the program's own classes"),
    ("range", "a lazy sequence"),
    ("set", "a container type"),
    ("slice", "a value type"),
    ("str", "a value type"),
    ("tuple", "a container type"),
    // The hook the `class` statement calls; the checker refuses metaclass and class keywords.
    (
        "__build_class__",
        "called only by the class statement, which the checker restricts",
    ),
    // Exceptions the program raises and catches. Python 3's TimeoutError, FileNotFoundError
    // and ConnectionRefusedError are deliberately absent: RepyV2's classes take those names.
    ("ArithmeticError", "an exception class"),
    ("AssertionError", "an exception class"),
    ("AttributeError", "an exception class"),
    ("BaseException", "an exception class"),
    ("Exception", "an exception class"),
    (
        "GeneratorExit",
        "an exception class, raised into generators",
    ),
    ("IndexError", "an exception class"),
    ("KeyError", "an exception class"),
    ("LookupError", "an exception class"),
    ("MemoryError", "an exception class"),
    ("NameError", "an exception class"),
    ("NotImplementedError", "an exception class"),
    ("OverflowError", "an exception class"),
    ("RecursionError", "an exception class"),
    ("RuntimeError", "an exception class"),
    ("StopIteration", "an exception class, ends iterators"),
    ("TypeError", "an exception class"),
    ("UnboundLocalError", "an exception class"),
    ("UnicodeError", "an exception class"),
    ("UnicodeDecodeError", "an exception class"),
    ("UnicodeEncodeError", "an exception class"),
    ("ValueError", "an exception class"),
    ("ZeroDivisionError", "an exception class"),
    // RepyV2's allow-list named these too; programs catch them (`except OSError:` around
    // `openfile`) and raise them. Each is a plain exception class: its instances hold only
    // what the raiser put in them (OSError's errno/strerror/filename), nothing reaches the OS.
    // IOError and EnvironmentError are OSError itself in Python 3. Raising SystemExit or
    // KeyboardInterrupt is an ordinary uncaught exception here (the sandbox renders it; no
    // CPython handler turns it into a process exit), so it cannot choose the run's verdict.
    ("OSError", "an exception class"),
    (
        "EnvironmentError",
        "an exception class (OSError in Python 3)",
    ),
    ("IOError", "an exception class (OSError in Python 3)"),
    ("EOFError", "an exception class"),
    (
        "ImportError",
        "an exception class (nothing can be imported)",
    ),
    ("SyntaxError", "an exception class"),
    ("IndentationError", "an exception class"),
    ("TabError", "an exception class"),
    ("SystemError", "an exception class"),
    ("ReferenceError", "an exception class"),
    ("FloatingPointError", "an exception class"),
    ("UnicodeTranslateError", "an exception class"),
    (
        "KeyboardInterrupt",
        "an exception class; raising it is an uncaught exception",
    ),
    (
        "SystemExit",
        "an exception class; raising it is an uncaught exception, not an exit",
    ),
    ("Warning", "an exception class"),
    ("UserWarning", "an exception class"),
    ("DeprecationWarning", "an exception class"),
    ("PendingDeprecationWarning", "an exception class"),
    ("RuntimeWarning", "an exception class"),
    ("SyntaxWarning", "an exception class"),
    ("FutureWarning", "an exception class"),
];

/// Names that hold a stub raising `RunBuiltinException` when called, as RepyV2's forbidden
/// builtins did: the name resolves (so a program may mention it in code it never runs, pass
/// it around, or bind the name to something of its own and delete that again), but the real
/// builtin is unreachable. Each stub is a [`ForbiddenBuiltin`]: a Rust object that holds
/// nothing but its name, has no constructor, cannot be subclassed, and whose class cannot
/// be modified. The checker refuses only `exec` (R401), a keyword in RepyV2's Python 2.
pub const STUBS: &[(&str, &str)] = &[
    (
        "exec",
        "runs code from a string; also refused statically (R401)",
    ),
    ("eval", "runs code from a string"),
    (
        "bytearray",
        "a stub in RepyV2 too; CPython 3.11 reads freed memory when program code empties a \
         bytearray during its own `%` formatting or `hex(sep)` (gh-142557, gh-143195)",
    ),
    ("compile", "makes code objects from strings"),
    ("globals", "hands out the global namespace"),
    ("locals", "hands out a frame's namespace"),
    ("vars", "hands out an object's namespace (`__dict__`)"),
    ("dir", "lists attribute names, dunder names included"),
    (
        "getattr",
        "reads an attribute by a computed name, bypassing R201-R207",
    ),
    ("setattr", "writes an attribute by a computed name"),
    ("delattr", "deletes an attribute by a computed name"),
    ("hasattr", "probes attributes by a computed name"),
    (
        "open",
        "file I/O outside the API and its accounting (use `openfile`)",
    ),
    ("input", "reads the terminal"),
    ("help", "imports pydoc"),
    ("breakpoint", "imports pdb"),
    ("exit", "the site module's exit (use `exitall`)"),
    ("quit", "the site module's exit (use `exitall`)"),
    ("memoryview", "raw buffers"),
    (
        "super",
        "reads the hidden `__class__` cell; two-argument form bypasses overrides",
    ),
    (
        "classmethod",
        "builds descriptors, which run code on attribute access",
    ),
    ("staticmethod", "builds descriptors"),
    ("property", "builds descriptors"),
    (
        "format",
        "a stub in RepyV2 (calls `__format__` with a format string)",
    ),
];

/// A forbidden builtin's stand-in: calling it raises RepyV2's `RunBuiltinException` with
/// RepyV2's message, `Unsafe call '<name>' with args '<args>', kwargs '<kwargs>'` (as
/// RepyV2's `SafeException`, whose text is the tuple of its arguments).
#[pyclass(frozen, immutable_type, name = "forbiddenbuiltin", module = "repy")]
pub struct ForbiddenBuiltin {
    name: &'static str,
}

#[pymethods]
impl ForbiddenBuiltin {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        // `str()` of the arguments runs their own `__repr__`, as RepyV2's stub did: the
        // program's code, on its own objects, with no lock of the sandbox held.
        let args_text = args.str()?.to_string_lossy().into_owned();
        let kwargs_text = match kwargs {
            Some(kwargs) => kwargs.str()?.to_string_lossy().into_owned(),
            None => "{}".to_string(),
        };
        let message = format!(
            "Unsafe call '{}' with args '{args_text}', kwargs '{kwargs_text}'",
            self.name
        );
        let text = PyTuple::new(py, [message])?
            .str()?
            .to_string_lossy()
            .into_owned();
        Err(exceptions::RunBuiltinException::new_err(text))
    }

    fn __repr__(&self) -> String {
        format!("<forbidden builtin {}>", self.name)
    }
}

/// `type(obj)`: RepyV2's one-argument `type`.
///
/// It returns the type of an ordinary value, so `type(x) == int` works; given a class (or
/// `type` itself) it returns this function instead of the metatype, given a `super` object
/// the namespace's zero-argument `super` instead of the real type, and it never creates a
/// class: the three-argument form and keyword arguments raise `TypeError`.
#[pyfunction(name = "type", signature = (*args, **kwargs))]
pub fn restricted_type<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    if kwargs.is_some_and(|k| !k.is_empty()) || args.len() != 1 {
        return Err(PyTypeError::new_err(
            "type() in the sandbox takes exactly one argument",
        ));
    }
    let obj = args.get_item(0)?;
    if obj.is_instance_of::<PyType>() || is_restricted_type(&obj) {
        return restricted_type_function(py);
    }
    if obj.is_instance_of::<pyo3::types::PySuper>() {
        // The real `super` type's two-argument form reads any attribute along any object's
        // MRO, past every override (red-team round 13): a `super` object's type is the
        // namespace's zero-argument `super` function.
        return crate::python_profile::super_function(py);
    }
    Ok(obj.get_type().into_any())
}

/// Whether `obj` is this module's `type` replacement.
fn is_restricted_type(obj: &Bound<'_, PyAny>) -> bool {
    RESTRICTED_TYPE
        .get(obj.py())
        .is_some_and(|f| f.bind(obj.py()).is(obj))
}

static RESTRICTED_TYPE: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();

/// The single `type` replacement object of this interpreter.
pub(crate) fn restricted_type_function(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    RESTRICTED_TYPE
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(wrap_pyfunction!(restricted_type, py)?.into_any().unbind())
        })
        .map(|f| f.bind(py).clone())
}

/// Builds the builtins dict of the sandbox: the allow-list, `type`, `print`, `SafeDict`
/// later, and RepyV2's exported exceptions.
pub fn build(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    // pyo3 creates its PanicException type lazily, the first time it inspects an error; at
    // the recursion limit that creation fails and waits on itself forever. Create it now.
    let _ = py.get_type::<pyo3::panic::PanicException>();
    let real = py.import("builtins")?;
    let safe = PyDict::new(py);
    for (name, _reason) in ALLOWED {
        safe.set_item(*name, real.getattr(*name)?)?;
    }
    for (name, _reason) in STUBS {
        safe.set_item(*name, Bound::new(py, ForbiddenBuiltin { name })?)?;
    }
    safe.set_item("type", restricted_type_function(py)?)?;
    safe.set_item("print", wrap_pyfunction!(crate::output::print, py)?)?;
    safe.set_item("SafeDict", py.get_type::<crate::vnamespace::SafeDict>())?;
    for (name, class) in exceptions::EXPORTED {
        safe.set_item(*name, class(py))?;
    }
    Ok(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_builtins(check: impl FnOnce(Python<'_>, &Bound<'_, PyDict>)) {
        Python::initialize();
        Python::attach(|py| {
            let builtins = build(py).expect("builtins");
            check(py, &builtins);
        });
    }

    #[test]
    fn builtins_hold_exactly_the_allow_list_and_the_replacements() {
        with_builtins(|py, builtins| {
            let mut expected: Vec<String> = ALLOWED.iter().map(|(n, _)| n.to_string()).collect();
            expected.extend(["type", "print", "SafeDict"].map(String::from));
            expected.extend(STUBS.iter().map(|(n, _)| n.to_string()));
            expected.extend(exceptions::EXPORTED.iter().map(|(n, _)| n.to_string()));
            expected.sort();
            let mut actual: Vec<String> = builtins
                .keys()
                .iter()
                .map(|k| k.extract().expect("str key"))
                .collect();
            actual.sort();
            assert_eq!(actual, expected);
            assert!(!builtins.contains("__import__").expect("contains"));
            let real = py.import("builtins").expect("builtins");
            for (name, _) in STUBS {
                let value = builtins.get_item(*name).expect("get").expect("present");
                assert!(
                    value.is_instance_of::<ForbiddenBuiltin>(),
                    "{name} must be a stub"
                );
                if let Ok(original) = real.getattr(*name) {
                    assert!(!value.is(&original), "{name} is the real builtin");
                }
                let err = value.call1((1,)).expect_err("a stub raises");
                assert!(err.is_instance_of::<exceptions::RunBuiltinException>(py));
                assert!(err.is_instance_of::<exceptions::RepyException>(py));
            }
        });
    }

    #[test]
    fn builtins_shadow_python3_exceptions_with_repyv2_classes() {
        with_builtins(|py, builtins| {
            let timeout = builtins
                .get_item("TimeoutError")
                .expect("get")
                .expect("present");
            assert!(timeout.is(py.get_type::<exceptions::TimeoutError>()));
        });
    }

    #[test]
    fn type_refuses_three_arguments_and_hides_the_metatype() {
        with_builtins(|py, builtins| {
            let restricted = builtins.get_item("type").expect("get").expect("present");
            let err = restricted
                .call1(("B", PyTuple::empty(py), PyDict::new(py)))
                .expect_err("3-arg type");
            assert!(err.is_instance_of::<PyTypeError>(py));
            let of_int = restricted.call1((1,)).expect("type(1)");
            assert!(of_int.is(py.get_type::<pyo3::types::PyInt>()));
            let of_class = restricted
                .call1((py.get_type::<pyo3::types::PyInt>(),))
                .expect("type(int)");
            assert!(
                of_class.is(&restricted),
                "type(int) must be the restricted type itself"
            );
            let kw = PyDict::new(py);
            kw.set_item("x", 1).expect("set");
            assert!(restricted.call((1,), Some(&kw)).is_err());
        });
    }
}
