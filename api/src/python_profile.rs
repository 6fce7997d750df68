//! The `python` profile's builtins on top of RepyV2's: what ordinary Python 3 programs need
//! that RepyV2 programs did not have. One table, each entry with its reason; the static
//! checker's side of the profile (the syntax it allows) is `safe_check::Profile::Python`.

use std::io::BufRead as _;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// The builtins the `python` profile adds or replaces, and why each is safe.
pub const PYTHON_BUILTINS: &[(&str, &str)] = &[
    (
        "input",
        "reads a line of the program's standard input, which the supervisor relays from the \
         caller (or --stdin FILE), paced and bounded by the policy; EOFError at its end",
    ),
    (
        "print",
        "Python 3's whole signature (sep, end, file=None, flush), through the output ring and \
         charged to lograte like log",
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
];

/// Adds the `python` profile's builtins to `builtins` (RepyV2's, built by
/// `crate::builtins::build`), replacing the stubs of the same names.
pub fn extend(py: Python<'_>, builtins: &Bound<'_, PyDict>) -> PyResult<()> {
    let real = py.import("builtins")?;
    for name in ["property", "staticmethod", "classmethod"] {
        builtins.set_item(name, real.getattr(name)?)?;
    }
    builtins.set_item("super", wrap_pyfunction!(zero_argument_super, py)?)?;
    builtins.set_item("input", wrap_pyfunction!(input, py)?)?;
    builtins.set_item("print", wrap_pyfunction!(crate::output::print_python, py)?)?;
    crate::pyfile::prepare(py)?;
    builtins.set_item("open", wrap_pyfunction!(crate::pyfile::open, py)?)?;
    for name in ["FileExistsError", "PermissionError", "IsADirectoryError"] {
        builtins.set_item(name, real.getattr(name)?)?;
    }
    Ok(())
}

/// `super()`: CPython's zero-argument form only. Called from a method, the current frame is
/// still the method's (a native function pushes no frame), so the real `super` finds the
/// method's class cell and first argument there.
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
    // SAFETY: PySuper_Type is CPython's static `super` type object, alive for the process.
    let super_type = unsafe {
        Bound::from_borrowed_ptr(py, std::ptr::addr_of_mut!(pyo3::ffi::PySuper_Type).cast())
    };
    super_type.call0()
}

/// Descriptor 0, read with read(2) and never closed: it belongs to the process (nanny wires
/// it to /dev/null or the stdin relay's pipe).
struct StandardInput;

impl std::io::Read for StandardInput {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        // SAFETY: read(2) into a valid, writable buffer of the given length.
        let n = unsafe { libc::read(0, buffer.as_mut_ptr().cast(), buffer.len()) };
        if n < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(n.unsigned_abs())
        }
    }
}

/// The program's standard input, read through one buffer for the process.
static STDIN: Mutex<Option<std::io::BufReader<StandardInput>>> = Mutex::new(None);

/// `input(prompt=None)`: writes the prompt (charged like `print`), then reads one line of
/// standard input without its line ending; `EOFError` at the end of the input. The line is
/// decoded as UTF-8 (`UnicodeDecodeError` otherwise), as CPython's UTF-8 mode does.
#[pyfunction(signature = (prompt = None))]
fn input(py: Python<'_>, prompt: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    if let Some(prompt) = prompt.filter(|p| !p.is_none()) {
        let text = prompt.str()?.to_string_lossy().into_owned();
        crate::output::write_prompt(py, text.as_bytes())?;
    }
    let line = py.detach(|| -> std::io::Result<Vec<u8>> {
        let mut guard = STDIN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let reader = guard.get_or_insert_with(|| std::io::BufReader::new(StandardInput));
        let mut line = Vec::new();
        reader.read_until(b'\n', &mut line)?;
        Ok(line)
    });
    let mut line = line.map_err(|err| pyo3::exceptions::PyOSError::new_err(err.to_string()))?;
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
    let decoded = pyo3::types::PyBytes::new(py, &line).call_method1("decode", ("utf-8",))?;
    decoded.extract()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    /// Runs `source` with the python profile's builtins; returns the globals.
    fn run<'py>(py: Python<'py>, source: &str) -> PyResult<Bound<'py, PyDict>> {
        let globals = PyDict::new(py);
        let builtins = crate::builtins::build(py)?;
        extend(py, &builtins)?;
        globals.set_item("__builtins__", builtins)?;
        globals.set_item("__name__", "__main__")?;
        let code = CString::new(source).expect("no NUL");
        py.run(&code, Some(&globals), None)?;
        Ok(globals)
    }

    #[test]
    fn python_profile_classes_use_super_property_staticmethod_and_classmethod() {
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
    fn python_profile_super_refuses_arguments_even_through_an_alias() {
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
    fn python_profile_print_takes_only_standard_output() {
        Python::initialize();
        Python::attach(|py| {
            let err = run(py, "print('x', file=[])\n").expect_err("refused");
            assert!(err.to_string().contains("file must be None"), "{err}");
            let err = run(py, "print('x', fiel=None)\n").expect_err("refused");
            assert!(err.to_string().contains("'fiel'"), "{err}");
        });
    }

    #[test]
    fn python_profile_replaces_the_open_stub_and_lists_every_name_it_adds() {
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
