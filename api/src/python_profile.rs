//! The `python` profile's builtins on top of RepyV2's: what ordinary Python 3 programs need
//! that RepyV2 programs did not have. One table, each entry with its reason; the static
//! checker's side of the profile (the syntax it allows) is `safe_check::Profile::Python`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// The builtins the `python` profile adds or replaces, and why each is safe.
pub const PYTHON_BUILTINS: &[(&str, &str)] = &[
    (
        "__build_class__",
        "CPython's, then the class is marked as the program's own: the private-attribute \
         guard lets a program use the `_x` attributes of its own classes only \
         (`api::private_attributes`); called only by the class statement (R202 refuses the name)",
    ),
    (
        "setattr",
        "writes the attribute a static `object.name = value` may write: the name is an exact \
         `str` that the checker would accept as an attribute and that does not start with `_` \
         (as the guarded `getattr`)",
    ),
    (
        "delattr",
        "deletes what a static `del object.name` may delete (the name guarded as `setattr`'s)",
    ),
    (
        "format",
        "`format(value, spec)` calls `value.__format__(spec)`: a format *spec* (width, \
         precision, type) never names an attribute or item, unlike `str.format`'s fields",
    ),
    ("ascii", "`repr` with non-ASCII characters escaped"),
    (
        "input",
        "reads a line of the program's standard input, which the supervisor relays from the \
         caller (or --stdin FILE), paced and bounded by the policy; EOFError at its end",
    ),
    (
        "print",
        "Python 3's whole signature (sep, end, file, flush): to the output ring, charged to \
         lograte like log, or through the given file's own `write` (an `open()` file or the \
         program's object), as CPython does",
    ),
    (
        "open",
        "Python-style file objects on plain file names of the vessel directory only, through \
         openfile's path (`files::open_in_vessel`): the same filename rule, one handle per \
         file, filesopened items, fileread/filewrite charges, diskused reservations and \
         O_NOFOLLOW; the object has CPython's file methods and no descriptor (`api::pyfile`)",
    ),
    (
        "FileExistsError",
        "an exception class (CPython's), raised by open(name, \"x\")",
    ),
    (
        "PermissionError",
        "an exception class (CPython's), raised by open() for a name outside the filename rule",
    ),
    (
        "IsADirectoryError",
        "an exception class (CPython's), raised by open() of a directory",
    ),
    (
        "property",
        "the real type: a property holds the program's own functions, and reading them back \
         (`fget`) gives nothing the program did not have; `__get__`/`__set__` hooks stay \
         refused by the checker",
    ),
    (
        "staticmethod",
        "the real type: wraps the program's own function; `__func__` is refused by the checker",
    ),
    (
        "classmethod",
        "the real type: passes the program's own class to its own function; the class's \
         dunder attributes stay refused by the checker",
    ),
    (
        "super",
        "zero arguments only (the checker refuses arguments, R403; this wrapper refuses them \
         again for an alias): the next class of the program's own object's order, found from \
         the calling method's frame as CPython's `super()` does",
    ),
    (
        "getattr",
        "guarded: the name must be an exact `str` the checker would accept as a static \
         attribute read (`obj.name`): none starting with `_` (so no dunder or private name), \
         none with `__` or an introspection prefix (R201, R204), not `format`/`format_map`, \
         `encode`/`decode` or `mro` (R205-R207); any other raises RunBuiltinException, so \
         `getattr(obj, name)` reads only what the program could have written as `obj.name`",
    ),
    (
        "hasattr",
        "guarded exactly as `getattr` (a refused name raises, it does not answer False): it \
         probes only attributes the program could read statically",
    ),
    (
        "__import__",
        "not nameable by the program (R202); what `import` and `from ... import` statements \
         call: serves only the export proxies of the modules the policy lists (and \
         `__future__` for `from __future__ import annotations`), see `crate::modules`",
    ),
];

/// Adds the `python` profile's builtins to `builtins` (RepyV2's, built by
/// `crate::builtins::build`), replacing the stubs of the same names.
pub fn extend(py: Python<'_>, builtins: &Bound<'_, PyDict>) -> PyResult<()> {
    let real = py.import("builtins")?;
    for name in ["property", "staticmethod", "classmethod"] {
        builtins.set_item(name, real.getattr(name)?)?;
    }
    builtins.set_item("super", super_function(py)?)?;
    crate::private_attributes::install(py, builtins)?;
    builtins.set_item("input", wrap_pyfunction!(input, py)?)?;
    builtins.set_item("getattr", wrap_pyfunction!(guarded_getattr, py)?)?;
    builtins.set_item("hasattr", wrap_pyfunction!(guarded_hasattr, py)?)?;
    builtins.set_item("setattr", wrap_pyfunction!(guarded_setattr, py)?)?;
    builtins.set_item("delattr", wrap_pyfunction!(guarded_delattr, py)?)?;
    for name in ["format", "ascii"] {
        builtins.set_item(name, real.getattr(name)?)?;
    }
    builtins.set_item("print", wrap_pyfunction!(crate::output::print_python, py)?)?;
    crate::pyfile::prepare(py)?;
    builtins.set_item("open", wrap_pyfunction!(crate::pyfile::open, py)?)?;
    for name in ["FileExistsError", "PermissionError", "IsADirectoryError"] {
        builtins.set_item(name, real.getattr(name)?)?;
    }
    builtins.set_item("__import__", wrap_pyfunction!(crate::modules::import, py)?)?;
    Ok(())
}

/// The program's globals, set when its namespace is built: `super()` works only in frames
/// of the program's own code (see [`zero_argument_super`]).
static PROGRAM_GLOBALS: std::sync::atomic::AtomicPtr<pyo3::ffi::PyObject> =
    std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());

/// Records `globals` as the program's (the namespace keeps them alive for the process).
pub(crate) fn set_program_globals(globals: &Bound<'_, PyDict>) {
    PROGRAM_GLOBALS.store(globals.as_ptr(), std::sync::atomic::Ordering::Release);
}

/// The program's globals dict, once the namespace is built.
pub(crate) fn program_globals(py: Python<'_>) -> Option<Bound<'_, PyDict>> {
    let program = PROGRAM_GLOBALS.load(std::sync::atomic::Ordering::Acquire);
    if program.is_null() {
        return None;
    }
    // SAFETY: the pointer is the program's globals dict, which the namespace keeps alive for
    // the process; a new reference is taken.
    let globals = unsafe { Bound::from_borrowed_ptr(py, program) };
    globals.cast_into::<PyDict>().ok()
}

/// The python profile's `super` function, one object for the process: the program's
/// `super`, and what `type()` answers for a `super` object (whose real type's two-argument
/// form reads any attribute along any object's MRO, red-team round 13).
static SUPER: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();

/// [`SUPER`], made on first use.
pub(crate) fn super_function(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    SUPER
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                wrap_pyfunction!(zero_argument_super, py)?
                    .into_any()
                    .unbind(),
            )
        })
        .map(|function| function.bind(py).clone())
}

/// Whether `globals` is the program's globals dict (only the pointer is compared).
pub(crate) fn is_program_globals(globals: *mut pyo3::ffi::PyObject) -> bool {
    let program = PROGRAM_GLOBALS.load(std::sync::atomic::Ordering::Acquire);
    !globals.is_null() && globals == program
}

/// `super()`: CPython's zero-argument form only, and only in a frame of the program's own
/// code. Called from a method, the current frame is still the method's (a native function
/// pushes no frame), so the real `super` finds the method's class cell and first argument
/// there. A C iterator or comparison calling `super` while trusted Python code runs (a
/// module's method with a `__class__` cell, red-team round 9) would find that trusted frame
/// and hand out `super(TrustedClass, trusted_self)`: a frame whose globals are not the
/// program's is refused.
#[pyfunction(name = "super", signature = (*args))]
fn zero_argument_super<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyAny>> {
    if !args.is_empty() {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "super() in the sandbox takes no arguments",
        ));
    }
    let program = PROGRAM_GLOBALS.load(std::sync::atomic::Ordering::Acquire);
    // SAFETY: PyEval_GetGlobals returns a borrowed reference to the current frame's globals,
    // or null (no frame); the interpreter is attached (`py`). Only the pointer is compared.
    let globals = unsafe { pyo3::ffi::PyEval_GetGlobals() };
    if globals.is_null() || globals != program {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "super() in the sandbox works only in the program's own methods",
        ));
    }
    // SAFETY: PySuper_Type is CPython's static `super` type object, alive for the process.
    let super_type = unsafe {
        Bound::from_borrowed_ptr(py, std::ptr::addr_of_mut!(pyo3::ffi::PySuper_Type).cast())
    };
    super_type.call0()
}

/// Attribute names the checker refuses in a static attribute read besides those containing
/// `__` and the introspection prefixes ([`safe_check::is_safe_name`]): R205, R207 (R206's
/// `encode`/`decode` are refused by `is_safe_name`).
const REFUSED_ATTRIBUTE_NAMES: &[&str] = &["format", "format_map", "mro"];

/// Whether a program may not read the attribute `name` by a name given as data: it starts
/// with `_`, the checker would refuse it as a static attribute read, or it is one of
/// [`REFUSED_ATTRIBUTE_NAMES`].
pub(crate) fn is_refused_attribute_name(name: &str) -> bool {
    name.starts_with('_')
        || !safe_check::is_safe_name(name)
        || REFUSED_ATTRIBUTE_NAMES.contains(&name)
}

/// The attribute name `name` as a Rust string, when `getattr`/`hasattr` may look it up: an
/// exact `str` (a subclass could answer differently later) that the checker would accept as
/// a static attribute read and that does not start with `_`.
fn checked_attribute_name(function: &str, name: &Bound<'_, PyAny>) -> PyResult<String> {
    let Ok(text) = name.cast_exact::<pyo3::types::PyString>() else {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{function}(): attribute name must be a str"
        )));
    };
    let text = text.to_str()?.to_owned();
    if is_refused_attribute_name(&text) {
        let message = format!(
            "{function}() in the sandbox refuses the attribute name {text:?}: names starting \
             with '_', containing '__' or an introspection prefix, and format, format_map, \
             encode, decode and mro are not readable by name"
        );
        let text = PyTuple::new(name.py(), [message])?
            .str()?
            .to_string_lossy()
            .into_owned();
        return Err(crate::exceptions::RunBuiltinException::new_err(text));
    }
    Ok(text)
}

/// `getattr(object, name[, default])` with the name guarded ([`checked_attribute_name`]);
/// the default answers an `AttributeError` only, as CPython's does.
#[pyfunction(name = "getattr", signature = (object, name, *default))]
fn guarded_getattr<'py>(
    object: &Bound<'py, PyAny>,
    name: &Bound<'py, PyAny>,
    default: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyAny>> {
    if default.len() > 1 {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "getattr expected at most 3 arguments, got {}",
            default.len() + 2
        )));
    }
    let name = checked_attribute_name("getattr", name)?;
    match object.getattr(name.as_str()) {
        Err(err)
            if !default.is_empty()
                && err.is_instance_of::<pyo3::exceptions::PyAttributeError>(object.py()) =>
        {
            default.get_item(0)
        }
        result => result,
    }
}

/// `setattr(object, name, value)` with the name guarded ([`checked_attribute_name`]): what
/// `object.name = value` may write, no more.
#[pyfunction(name = "setattr")]
fn guarded_setattr(
    object: &Bound<'_, PyAny>,
    name: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let name = checked_attribute_name("setattr", name)?;
    object.setattr(name.as_str(), value)
}

/// `delattr(object, name)` with the name guarded ([`checked_attribute_name`]).
#[pyfunction(name = "delattr")]
fn guarded_delattr(object: &Bound<'_, PyAny>, name: &Bound<'_, PyAny>) -> PyResult<()> {
    let name = checked_attribute_name("delattr", name)?;
    object.delattr(name.as_str())
}

/// `hasattr(object, name)` with the name guarded ([`checked_attribute_name`]): `False` for an
/// `AttributeError`, any other exception propagates, as CPython's does.
#[pyfunction(name = "hasattr")]
fn guarded_hasattr(object: &Bound<'_, PyAny>, name: &Bound<'_, PyAny>) -> PyResult<bool> {
    let name = checked_attribute_name("hasattr", name)?;
    match object.getattr(name.as_str()) {
        Ok(_) => Ok(true),
        Err(err) if err.is_instance_of::<pyo3::exceptions::PyAttributeError>(object.py()) => {
            Ok(false)
        }
        Err(err) => Err(err),
    }
}

/// `input(prompt=None)`: writes the prompt (charged like `print`), then reads one line of
/// standard input without its line ending; `EOFError` at the end of the input. The line is
/// decoded as UTF-8 (`UnicodeDecodeError` otherwise), as CPython's UTF-8 mode does.
#[pyfunction(signature = (prompt = None))]
fn input(py: Python<'_>, prompt: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    if let Some(prompt) = prompt.filter(|p| !p.is_none()) {
        let text = prompt.str()?.to_string_lossy().into_owned();
        crate::output::write_prompt(py, text.as_bytes())?;
    }
    let mut line = crate::stdin::read_line(py, None)?;
    if line.is_empty() {
        return Err(pyo3::exceptions::PyEOFError::new_err(
            "EOF when reading a line",
        ));
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    crate::stdin::decode(py, &line)?.extract()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    /// `super()` checks the process-wide program globals, which each `run` sets: the tests
    /// take turns, each taking its turn before it attaches to the interpreter (waiting for
    /// the turn while attached would hold the GIL the running test needs).
    static SUPER_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn super_turn() -> std::sync::MutexGuard<'static, ()> {
        SUPER_TESTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `source` with the python profile's builtins; returns the globals.
    fn run<'py>(py: Python<'py>, source: &str) -> PyResult<Bound<'py, PyDict>> {
        let globals = PyDict::new(py);
        let builtins = crate::builtins::build(py)?;
        extend(py, &builtins)?;
        globals.set_item("__builtins__", builtins)?;
        globals.set_item("__name__", "__main__")?;
        set_program_globals(&globals);
        let code = CString::new(source).expect("no NUL");
        py.run(&code, Some(&globals), None)?;
        Ok(globals)
    }

    #[test]
    fn python_profile_classes_use_super_property_staticmethod_and_classmethod() {
        let _turn = super_turn();
        Python::initialize();
        Python::attach(|py| {
            let globals = run(
                py,
                r#"
class Base:
    def __init__(self, x):
        self._x = x
    @property
    def x(self):
        return self._x
    @staticmethod
    def twice(n):
        return 2 * n
    @classmethod
    def make(cls, x):
        return cls(x)
class Child(Base):
    def __init__(self, x):
        super().__init__(x + 1)
result = [Child.make(1).x, Base.twice(4)]
"#,
            )
            .expect("runs");
            let result: Vec<i64> = globals
                .get_item("result")
                .expect("lookup")
                .expect("result")
                .extract()
                .expect("ints");
            assert_eq!(result, [2, 8]);
        });
    }

    #[test]
    fn python_profile_super_refuses_a_frame_of_trusted_code() {
        let _turn = super_turn();
        Python::initialize();
        Python::attach(|py| {
            // The program: an iterator that calls `super` from C, whatever frame runs then.
            let program = run(
                py,
                "caught = []\nclass S:\n    def __eq__(self, other):\n        caught.append(other)\n        return True\nclass P:\n    def __iter__(self):\n        return iter(super, S())\n",
            )
            .expect("program runs");
            set_program_globals(&program);
            // Trusted code (a module's method with a `__class__` cell) iterating it.
            let trusted = PyDict::new(py);
            trusted
                .set_item("__builtins__", py.import("builtins").expect("builtins"))
                .expect("builtins");
            let code = CString::new(
                "class T:\n    def walk(self, obj):\n        __class__\n        for _ in obj:\n            pass\n",
            )
            .expect("no NUL");
            py.run(&code, Some(&trusted), None).expect("trusted code");
            let walker = trusted
                .get_item("T")
                .expect("lookup")
                .expect("T")
                .call0()
                .expect("T()");
            let iterable = program
                .get_item("P")
                .expect("lookup")
                .expect("P")
                .call0()
                .expect("P()");
            let err = walker
                .call_method1("walk", (iterable,))
                .expect_err("super refused in the trusted frame");
            assert!(
                err.to_string()
                    .contains("only in the program's own methods"),
                "{err}"
            );
            let caught = program.get_item("caught").expect("lookup").expect("caught");
            assert_eq!(caught.len().expect("len"), 0, "a super object leaked");
        });
    }

    #[test]
    fn python_profile_super_refuses_arguments_even_through_an_alias() {
        let _turn = super_turn();
        Python::initialize();
        Python::attach(|py| {
            let err = run(
                py,
                "class A:\n    def f(self):\n        s = super\n        return s(A, self)\nA().f()\n",
            )
            .expect_err("refused");
            assert!(err.is_instance_of::<pyo3::exceptions::PyTypeError>(py));
            assert!(err.to_string().contains("takes no arguments"), "{err}");
        });
    }

    #[test]
    fn python_profile_getattr_and_hasattr_read_plain_names() {
        let _turn = super_turn();
        Python::initialize();
        Python::attach(|py| {
            let globals = run(
                py,
                r#"
class Shell:
    def do_add(self, a, b):
        return a + b
    size = 3
s = Shell()
try:
    getattr(s, "missing")
    raised = None
except AttributeError as err:
    raised = "AttributeError"
result = [
    getattr(s, "do_add")(2, 3),
    getattr(s, "size"),
    getattr(s, "missing", "fallback"),
    getattr(s, "missing", None),
    hasattr(s, "do_add"),
    hasattr(s, "do_sub"),
    hasattr("text", "upper"),
    raised,
]
"#,
            )
            .expect("runs");
            let result = globals.get_item("result").expect("lookup").expect("result");
            assert_eq!(
                result.repr().expect("repr").to_string(),
                "[5, 3, 'fallback', None, True, False, True, 'AttributeError']"
            );
        });
    }

    #[test]
    fn python_profile_getattr_and_hasattr_refuse_what_the_checker_refuses() {
        let _turn = super_turn();
        Python::initialize();
        Python::attach(|py| {
            let names = [
                "__class__",
                "__dict__",
                "__init__",
                "_private",
                "_C__secret",
                "x__y",
                "gi_frame",
                "f_back",
                "tb_frame",
                "co_code",
                "cr_frame",
                "ag_frame",
                "func_globals",
                "im_self",
                "format",
                "format_map",
                "encode",
                "decode",
                "mro",
            ];
            for function in ["getattr", "hasattr"] {
                for name in names {
                    let source = format!("def g():\n    yield 1\n{function}(g(), {name:?})\n");
                    let err = run(py, &source).expect_err(name);
                    assert!(
                        err.is_instance_of::<crate::exceptions::RunBuiltinException>(py),
                        "{function} {name}: {err}"
                    );
                    let source = format!("{function}('', {name:?}, None)\n");
                    if function == "getattr" {
                        // A default does not turn a refusal into the default.
                        let err = run(py, &source).expect_err(name);
                        assert!(
                            err.is_instance_of::<crate::exceptions::RunBuiltinException>(py),
                            "{function} {name} with a default: {err}"
                        );
                    }
                }
            }
            // A str subclass is not a name (it could compare or hash differently later).
            let err = run(py, "class S(str):\n    pass\ngetattr('', S('upper'))\n")
                .expect_err("subclass");
            assert!(
                err.is_instance_of::<pyo3::exceptions::PyTypeError>(py),
                "{err}"
            );
            let err = run(py, "hasattr('', 3)\n").expect_err("int");
            assert!(
                err.is_instance_of::<pyo3::exceptions::PyTypeError>(py),
                "{err}"
            );
            let err = run(py, "getattr('', 'upper', 1, 2)\n").expect_err("four");
            assert!(
                err.is_instance_of::<pyo3::exceptions::PyTypeError>(py),
                "{err}"
            );
        });
    }

    #[test]
    fn python_profile_print_writes_to_a_file_through_its_write_method() {
        let _turn = super_turn();
        Python::initialize();
        Python::attach(|py| {
            let globals = run(
                py,
                "class Sink:\n    def __init__(self):\n        self.parts = []\n    def write(self, text):\n        self.parts.append(text)\nsink = Sink()\nprint('a', 1, sep='-', end='!', file=sink)\nresult = sink.parts\n",
            )
            .expect("runs");
            let result: Vec<String> = globals
                .get_item("result")
                .expect("lookup")
                .expect("result")
                .extract()
                .expect("strs");
            assert_eq!(result, ["a-1!"]);
            let err = run(py, "print('x', file=[])\n").expect_err("a list has no write");
            assert!(
                err.is_instance_of::<pyo3::exceptions::PyAttributeError>(py),
                "{err}"
            );
            let err = run(py, "print('x', fiel=None)\n").expect_err("refused");
            assert!(err.to_string().contains("'fiel'"), "{err}");
        });
    }

    #[test]
    fn python_profile_replaces_the_open_stub_and_lists_every_name_it_adds() {
        let _turn = super_turn();
        Python::initialize();
        Python::attach(|py| {
            let repyv2 = crate::builtins::build(py).expect("builtins");
            let python = crate::builtins::build(py).expect("builtins");
            extend(py, &python).expect("extend");
            let stub = repyv2.get_item("open").expect("get").expect("open");
            assert!(stub.is_instance_of::<crate::builtins::ForbiddenBuiltin>());
            let open = python.get_item("open").expect("get").expect("open");
            assert!(!open.is_instance_of::<crate::builtins::ForbiddenBuiltin>());
            for key in python.keys() {
                let name: String = key.extract().expect("str");
                let new = python.get_item(&name).expect("get").expect("value");
                let stub =
                    |v: &Bound<'_, PyAny>| v.is_instance_of::<crate::builtins::ForbiddenBuiltin>();
                // Each build makes its own stubs: a stub in both is unchanged.
                let same = repyv2
                    .get_item(&name)
                    .expect("get")
                    .is_some_and(|old| old.is(&new) || (stub(&old) && stub(&new)));
                if !same {
                    assert!(
                        PYTHON_BUILTINS.iter().any(|(n, _)| *n == name),
                        "{name} is added without a reason in PYTHON_BUILTINS"
                    );
                }
            }
        });
    }
}
