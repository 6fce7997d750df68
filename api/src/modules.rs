//! The python profile's `import`: the standard-library modules a policy lists
//! (`[python] modules = [...]`) and its trusted third-party packages (`[python] packages`,
//! from `site-packages`), imported before confinement and handed to the program only through
//! native export proxies.
//!
//! [`prepare`] runs in the sandbox child after the interpreter starts and before confinement:
//! it installs CPython's path-based importer (the core-only start leaves it out), adds
//! `lib-dynload` when the build's CPython has its extension modules there, and runs the
//! trusted `modules/stdlib.py`, which imports exactly the listed modules (and what they need)
//! and builds each one's export dict with its guards. Each dict becomes a [`ModuleProxy`]:
//! attribute access answers the exports, `__name__`, `__doc__` and (for the interpreter's
//! `from m import *`) `__all__`, and raises `AttributeError` for anything else, so a program
//! never holds a module object, a `__dict__`, a `__loader__` or a `__spec__`.
//!
//! The program's `__import__` ([`import`], a builtin of the python namespace the program
//! cannot name: R202) serves only these proxies, whatever name reaches it, and refuses a
//! `from m import x` of a name the proxy does not export before the interpreter's fallback
//! could look `m.x` up in `sys.modules`. Functions written in Python are exported through
//! [`Guarded`], which cuts the chain of an exception leaving trusted code.
//! `docs/modules.md` lists every export and why it is safe. The packages are built by the
//! trusted `modules/packages.py` (with the guards of `crate::package_guards` on their C
//! code); `docs/packages.md` says what covers them and what does not. Both builders are
//! compiled at build time (build.rs).

use pyo3::exceptions::{PyAttributeError, PyImportError, PyModuleNotFoundError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple};
use std::path::Path;

/// The trusted builder of the standard-library modules' export lists and guards
/// (`modules/stdlib.py`), compiled by build.rs with the linked interpreter (`marshal`).
const STDLIB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stdlib.marshal"));

/// The trusted builder of the third-party packages' export proxies (`modules/packages.py`),
/// compiled likewise.
const PACKAGES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/packages.marshal"));
/// `src/modules/importer.py`, compiled at build time (see [`STDLIB`]).
const IMPORTER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/importer.marshal"));

/// Dotted module name → its [`ModuleProxy`], filled once by [`prepare`].
static REGISTRY: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// Why the listed modules could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum ModulesError {
    /// Importing a module or building its exports failed (a build without the module, an
    /// export list out of step with the interpreter, a vetting failure).
    #[error("cannot prepare the policy's modules ({modules}): {message}")]
    Prepare {
        /// The modules the policy lists.
        modules: String,
        /// CPython's explanation.
        message: String,
    },
}

/// A module as the program sees it: a fixed dict of exports and nothing else.
#[pyclass(frozen, name = "module", module = "repy")]
pub struct ModuleProxy {
    name: Py<PyString>,
    exports: Py<PyDict>,
    /// The names `from m import *` binds: the exports that are not submodules.
    all: Py<PyTuple>,
    doc: Option<Py<PyString>>,
}

#[pymethods]
impl ModuleProxy {
    /// `AttributeError: module 'm' has no attribute 'x'`, as CPython words it.
    fn no_attribute(&self, py: Python<'_>, name: &Bound<'_, PyString>) -> PyErr {
        PyAttributeError::new_err(format!(
            "module '{}' has no attribute '{name}'",
            self.name.bind(py)
        ))
    }

    fn __getattribute__(&self, py: Python<'_>, name: &Bound<'_, PyString>) -> PyResult<Py<PyAny>> {
        if let Some(value) = self.exports.bind(py).get_item(name)? {
            return Ok(value.unbind());
        }
        match name.to_str()? {
            "__name__" => Ok(self.name.clone_ref(py).into_any()),
            "__doc__" => Ok(self
                .doc
                .as_ref()
                .map_or_else(|| py.None(), |doc| doc.clone_ref(py).into_any())),
            "__all__" => Ok(self.all.clone_ref(py).into_any()),
            _ => Err(self.no_attribute(py, name)),
        }
    }

    /// Called by pyo3 after `__getattribute__` raised `AttributeError`: raises it again with
    /// CPython's message for modules.
    fn __getattr__(&self, py: Python<'_>, name: &Bound<'_, PyString>) -> PyResult<Py<PyAny>> {
        Err(self.no_attribute(py, name))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("<module '{}'>", self.name.bind(py))
    }

    fn __dir__(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let mut names: Vec<String> = self.exports.bind(py).keys().extract()?;
        names.sort();
        Ok(names)
    }
}

impl ModuleProxy {
    /// Whether the proxy exports `name`.
    fn exports(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.exports.bind(py).contains(name)
    }
}

/// `_proxy(name, exports, doc)` for the trusted builder.
#[pyfunction]
fn make_proxy(
    py: Python<'_>,
    name: Bound<'_, PyString>,
    exports: Bound<'_, PyDict>,
    doc: Option<Bound<'_, PyString>>,
) -> PyResult<ModuleProxy> {
    let mut all = Vec::new();
    for (key, value) in exports.iter() {
        if !value.is_instance_of::<ModuleProxy>() {
            all.push(key);
        }
    }
    Ok(ModuleProxy {
        name: name.unbind(),
        exports: exports.copy()?.unbind(),
        all: PyTuple::new(py, all)?.unbind(),
        doc: doc.map(Bound::unbind),
    })
}

/// A function written in Python, exported by a module: calls it, and cuts the chain of an
/// exception leaving it (`__cause__` and `__context__` set to `None`, and an
/// `AttributeError`'s `obj`), since the chain can hold exceptions raised and caught inside
/// trusted code whose `args` or `obj` are internal objects. Answers `__name__`, `__qualname__`, `__doc__` and `__module__` with the
/// function's.
#[pyclass(frozen, name = "function", module = "repy")]
pub struct Guarded {
    inner: Py<PyAny>,
}

#[pymethods]
impl Guarded {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        self.inner
            .bind(py)
            .call(args, kwargs)
            .map(Bound::unbind)
            .map_err(|err| cut_chain(py, err))
    }

    #[getter(__name__)]
    fn name(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.plain_attribute(py, "__name__")
    }

    #[getter(__qualname__)]
    fn qualname(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.plain_attribute(py, "__qualname__")
    }

    #[getter(__doc__)]
    fn doc(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.plain_attribute(py, "__doc__")
    }

    #[getter(__module__)]
    fn module(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.plain_attribute(py, "__module__")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let name = self.plain_attribute(py, "__qualname__")?;
        Ok(format!("<function {}>", name.bind(py).str()?))
    }
}

impl Guarded {
    /// The inner function's attribute `name` if it is a `str`, else `None`: never an object
    /// of trusted code.
    fn plain_attribute(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        let value = self.inner.bind(py).getattr(name).ok();
        Ok(match value {
            Some(value) if value.is_exact_instance_of::<PyString>() => value.unbind(),
            _ => py.None(),
        })
    }
}

/// `_guard(f)` for the trusted builder.
#[pyfunction]
fn guard(inner: Bound<'_, PyAny>) -> Guarded {
    Guarded {
        inner: inner.unbind(),
    }
}

/// Cuts an exception's chain (see [`Guarded`]).
fn cut_chain(py: Python<'_>, err: PyErr) -> PyErr {
    let value = err.value(py);
    // Setting the attributes of an exception instance cannot fail for BaseException
    // subclasses; a failure would leave the chain as it was, so it is reported instead.
    for attribute in ["__cause__", "__context__"] {
        if let Err(failure) = value.setattr(attribute, py.None()) {
            return failure;
        }
    }
    // An `AttributeError` raised by a lookup inside trusted code holds the object looked
    // at (`obj`, set by CPython's generic lookup), which may be one of trusted code's own.
    if err.is_instance_of::<pyo3::exceptions::PyAttributeError>(py) {
        if let Err(failure) = value.setattr("obj", py.None()) {
            return failure;
        }
    }
    err
}

/// `_is_program_function(f)`: whether `f` is a Python function whose globals are the
/// program's (`crate::python_profile::is_program_globals`).
#[pyfunction]
fn is_program_function(function: &Bound<'_, PyAny>) -> bool {
    // SAFETY: PyFunction_Check only reads the type; PyFunction_GetGlobals returns a borrowed
    // pointer of a live function, only compared.
    unsafe {
        pyo3::ffi::PyFunction_Check(function.as_ptr()) == 1
            && crate::python_profile::is_program_globals(pyo3::ffi::PyFunction_GetGlobals(
                function.as_ptr(),
            ))
    }
}

extern "C" {
    fn _PySignal_Init(install_signal_handlers: std::ffi::c_int) -> std::ffi::c_int;
}

/// `_init_signal_state()`: CPython's signal state as its main phase sets it up, without
/// installing a handler (`_PySignal_Init(0)`); importing `signal` needs it (the core-only
/// start leaves it out, and the module's initialisation reads it). Once.
#[pyfunction]
fn init_signal_state(py: Python<'_>) -> PyResult<()> {
    static DONE: std::sync::Once = std::sync::Once::new();
    let mut result = 0;
    // SAFETY: called with the interpreter attached, before any `signal` import; with 0 it
    // only creates the default and ignore handler objects and clears the tripped flags.
    DONE.call_once(|| result = unsafe { _PySignal_Init(0) });
    if result < 0 {
        return Err(PyErr::fetch(py));
    }
    Ok(())
}

/// `_sys_exports()`: the export dict of the sandbox's own `sys` (`crate::sys_module`).
#[pyfunction]
fn sys_exports(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    crate::sys_module::exports(py)
}

/// `_safe_name(name)`: the checker's rule for names made into attributes at run time.
#[pyfunction]
fn safe_name(name: &str) -> bool {
    safe_check::is_safe_name(name)
}

/// `_text_codec(name)`: the canonical name of the text codec `name` names, if a program may
/// name it (`crate::text_guards::canonical_codec_name`).
#[pyfunction]
fn text_codec(name: &str) -> Option<&'static str> {
    crate::text_guards::canonical_codec_name(name)
}

/// `_charge_random(n)`: charges `n` bytes of the `random` resource, as `randombytes` does.
#[pyfunction]
fn charge_random(py: Python<'_>, amount: u64) -> PyResult<()> {
    crate::charge::before(py, crate::charge::Renewable::RANDOM)?;
    crate::charge::after(py, crate::charge::Renewable::RANDOM, amount)
}

/// What the python profile imports before confinement (see [`prepare`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Imports<'a> {
    /// The standard-library modules the policy lists (`[python] modules`).
    pub modules: &'a [String],
    /// Whether the program may name `__future__` (`from __future__ import annotations`).
    pub future: bool,
    /// The policy's `site-packages` directory and the packages it lists there.
    pub packages: Option<(&'a Path, &'a [String])>,
    /// The program's source: a submodule a package loads lazily is imported (and exported)
    /// only when one of its identifiers names it.
    pub source: &'a str,
}

impl Imports<'_> {
    fn is_empty(&self) -> bool {
        self.modules.is_empty()
            && !self.future
            && self.packages.is_none_or(|(_, names)| names.is_empty())
    }

    /// What is imported, for messages.
    fn describe(&self) -> String {
        let mut names: Vec<&str> = self.modules.iter().map(String::as_str).collect();
        if let Some((_, packages)) = self.packages {
            names.extend(packages.iter().map(String::as_str));
        }
        names.join(", ")
    }
}

/// Imports what `imports` lists and builds the proxies, once, before confinement: the
/// policy's modules (and `__future__` when the program may name it), then its packages. With
/// nothing to do it changes nothing: the interpreter keeps its core-only start.
pub fn prepare(py: Python<'_>, imports: &Imports<'_>) -> Result<(), ModulesError> {
    if imports.is_empty() {
        return Ok(());
    }
    let failed = |err: PyErr| ModulesError::Prepare {
        modules: imports.describe(),
        message: err.to_string(),
    };
    let registry = build(py, imports).map_err(failed)?;
    REGISTRY
        .set(py, registry.unbind())
        .map_err(|_| ModulesError::Prepare {
            modules: imports.describe(),
            message: "the modules were already prepared".to_owned(),
        })
}

fn build<'py>(py: Python<'py>, imports: &Imports<'_>) -> PyResult<Bound<'py, PyDict>> {
    let packages_listed = imports.packages.is_some_and(|(_, names)| !names.is_empty());
    install_importers(py, packages_listed)?;
    let registry = if imports.modules.is_empty() && !imports.future {
        PyDict::new(py)
    } else {
        let builder = run_trusted(py, STDLIB, "stdlib.py", &stdlib_names(py)?)?;
        builder
            .call1((imports.modules.to_vec(), imports.future))?
            .cast_into::<PyDict>()?
    };
    if let Some((site_packages, names)) = imports.packages.filter(|(_, n)| !n.is_empty()) {
        let globals = PyDict::new(py);
        globals.set_item("_guard", wrap_pyfunction!(guard, py)?)?;
        globals.set_item("_proxy", wrap_pyfunction!(make_proxy, py)?)?;
        globals.set_item("_text_codec", wrap_pyfunction!(text_codec, py)?)?;
        globals.set_item(
            "_is_program_class",
            wrap_pyfunction!(crate::private_attributes::is_program_class_object, py)?,
        )?;
        globals.set_item(
            "_set_type_attribute",
            wrap_pyfunction!(crate::package_guards::set_type_attribute, py)?,
        )?;
        globals.set_item(
            "_guard_numpy_buffers",
            wrap_pyfunction!(crate::package_guards::guard_buffers, py)?,
        )?;
        globals.set_item(
            "_guard_numpy",
            wrap_pyfunction!(crate::package_guards::guard_numpy, py)?,
        )?;
        globals.set_item(
            "_guard_object_arrays",
            wrap_pyfunction!(crate::object_array_guard::guard_object_arrays, py)?,
        )?;
        globals.set_item(
            "_defer_finalizers",
            wrap_pyfunction!(crate::deferred_finalizers::defer_finalizers, py)?,
        )?;
        globals.set_item(
            "_gc_phase",
            wrap_pyfunction!(crate::deferred_finalizers::gc_phase, py)?,
        )?;
        globals.set_item(
            "_refuse_string_dtype",
            wrap_pyfunction!(crate::string_dtype_guard::refuse_string_dtype, py)?,
        )?;
        globals.set_item(
            "_allow_in_object_arrays",
            wrap_pyfunction!(crate::object_array_guard::allow_in_object_arrays, py)?,
        )?;
        globals.set_item(
            "_plain_value",
            wrap_pyfunction!(crate::object_array_guard::plain_value, py)?,
        )?;
        let builder = run_trusted(py, PACKAGES, "packages.py", &globals)?;
        let words = pyo3::types::PyFrozenSet::new(py, identifiers(imports.source))?;
        let site_packages = site_packages
            .to_str()
            .ok_or_else(|| PyImportError::new_err("site-packages is not a UTF-8 path"))?;
        let proxies = builder.call1((site_packages, names.to_vec(), words))?;
        registry.update(proxies.cast::<pyo3::types::PyMapping>()?)?;
        crate::package_guards::set_packages(py, names)?;
        let _ = PACKAGES_LISTED.set(names.to_vec());
    }
    Ok(registry)
}

/// The identifiers of `source` (every maximal run of letters, digits and `_`).
fn identifiers(source: &str) -> std::collections::BTreeSet<&str> {
    source
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .collect()
}

/// Runs the trusted builder `code` (marshalled; `name` in messages) with the real builtins
/// and `extra` in its globals, and returns its `build` function.
fn run_trusted<'py>(
    py: Python<'py>,
    code: &[u8],
    name: &str,
    extra: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    // An empty `__main__` in `sys.modules`, as CPython's main phase (and pyo3's `run`, which
    // ran these builders before) leaves one: dataclasses looks a string annotation's
    // `ClassVar` up in the module named by the class's `__module__`.
    // SAFETY: attached; PyImport_AddModule returns a borrowed reference or null with an
    // exception set.
    if unsafe { ffi::PyImport_AddModule(c"__main__".as_ptr()) }.is_null() {
        return Err(PyErr::fetch(py));
    }
    let globals = PyDict::new(py);
    let builtins = py.import("builtins")?;
    globals.set_item("__builtins__", &builtins)?;
    globals.set_item("__name__", "repy.modules")?;
    globals.update(extra.as_mapping())?;
    let code = py
        .import("marshal")?
        .call_method1("loads", (pyo3::types::PyBytes::new(py, code),))?;
    builtins.getattr("exec")?.call1((code, &globals))?;
    globals
        .get_item("build")?
        .ok_or_else(|| PyImportError::new_err(format!("{name} defines no build()")))
}

/// The names the Rust side provides to stdlib.py (listed at its top).
fn stdlib_names(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let globals = PyDict::new(py);
    globals.set_item("_guard", wrap_pyfunction!(guard, py)?)?;
    globals.set_item("_proxy", wrap_pyfunction!(make_proxy, py)?)?;
    globals.set_item("_safe_name", wrap_pyfunction!(safe_name, py)?)?;
    globals.set_item(
        "_patch_program_class",
        wrap_pyfunction!(crate::deferred_finalizers::patch_program_class, py)?,
    )?;
    globals.set_item("_charge_random", wrap_pyfunction!(charge_random, py)?)?;
    globals.set_item("_sys_exports", wrap_pyfunction!(sys_exports, py)?)?;
    globals.set_item(
        "_init_signal_state",
        wrap_pyfunction!(init_signal_state, py)?,
    )?;
    globals.set_item(
        "_doctest_compile",
        wrap_pyfunction!(crate::doctest_support::compile_example, py)?,
    )?;
    globals.set_item(
        "_capture_start",
        wrap_pyfunction!(crate::doctest_support::capture_start, py)?,
    )?;
    globals.set_item(
        "_capture_stop",
        wrap_pyfunction!(crate::doctest_support::capture_stop, py)?,
    )?;
    globals.set_item(
        "_displayhook",
        wrap_pyfunction!(crate::doctest_support::displayhook, py)?,
    )?;
    globals.set_item(
        "_program",
        wrap_pyfunction!(crate::doctest_support::program, py)?,
    )?;
    globals.set_item(
        "_is_program_function",
        wrap_pyfunction!(is_program_function, py)?,
    )?;
    globals.set_item(
        "_is_program_class",
        wrap_pyfunction!(crate::private_attributes::is_program_class_object, py)?,
    )?;
    globals.set_item(
        "_PUBLIC_NAMES_KEY",
        crate::private_attributes::PUBLIC_NAMES_KEY,
    )?;
    globals.set_item(
        "_randombytes",
        wrap_pyfunction!(crate::misc::randombytes, py)?,
    )?;
    Ok(globals)
}

/// Imports CPython's own `unicodedata` now, before confinement, when `source` holds a
/// `\N{...}` escape: CPython's parser looks the character's name up through that module's
/// C API, which the checker's stand-in module (`safe_check`'s, enough for identifiers)
/// lacks. Only then: the module costs a shared object's load. The program cannot import it
/// (it is no module the policy can list); the parser and `str` methods use it.
pub fn prepare_parser_names(py: Python<'_>, source: &str) -> Result<(), ModulesError> {
    if !source.contains("\\N{") {
        return Ok(());
    }
    let failed = |err: PyErr| ModulesError::Prepare {
        modules: "unicodedata".to_owned(),
        message: err.to_string(),
    };
    install_importers(py, false).map_err(failed)?;
    let modules = py
        .import("sys")
        .and_then(|sys| sys.getattr("modules"))
        .map_err(failed)?;
    if let Ok(present) = modules.get_item("unicodedata") {
        if !present.hasattr("_ucnhash_CAPI").map_err(failed)? {
            // The checker's stand-in, installed by an earlier check: CPython's replaces it.
            modules.del_item("unicodedata").map_err(failed)?;
        }
    }
    py.import("unicodedata").map_err(failed)?;
    Ok(())
}

/// Whether [`install_importers`] ran.
static IMPORTERS_INSTALLED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Installs the importers of the standard library (`src/modules/importer.py`): the finder of
/// the modules embedded at build time (`crate::embedded`), and CPython's path-based importer
/// when `with_path_importers` (a policy's packages are imported from files), else only on
/// the first module the embedded ones lack. Sets first what CPython's main phase would have
/// set in `sys` for imports.
fn install_importers(py: Python<'_>, with_path_importers: bool) -> PyResult<()> {
    if IMPORTERS_INSTALLED.swap(true, std::sync::atomic::Ordering::AcqRel) {
        return if with_path_importers {
            install_path_importers(py)
        } else {
            Ok(())
        };
    }
    set_import_state(py)?;
    let globals = PyDict::new(py);
    globals.set_item(
        "_embedded_module",
        wrap_pyfunction!(crate::embedded::embedded_module, py)?,
    )?;
    globals.set_item(
        "_install_path_importers",
        wrap_pyfunction!(install_path_importers, py)?,
    )?;
    run_trusted(py, IMPORTER, "importer.py", &globals)?.call1((with_path_importers,))?;
    Ok(())
}

/// Installs the path-based importer CPython's main phase would (the core-only start leaves it
/// out), searching `sys.path` (see [`set_import_state`]); does nothing the second time.
#[pyfunction]
fn install_path_importers(py: Python<'_>) -> PyResult<()> {
    let sys = py.import("sys")?;
    let bootstrap = sys.getattr("modules")?.get_item("_frozen_importlib")?;
    if !sys
        .getattr("meta_path")?
        .str()?
        .to_str()?
        .contains("PathFinder")
    {
        bootstrap.call_method0("_install_external_importers")?;
    }
    Ok(())
}

/// What CPython's main phase sets in `sys` and the import system and standard library read:
/// the search path (the standard library, then its `lib-dynload` directory where the build's
/// CPython keeps extension modules as shared objects: pyenv's `math`, `_random`, …; Debian
/// builds most of them in), no bytecode written, no options, no arguments.
fn set_import_state(py: Python<'_>) -> PyResult<()> {
    let sys = py.import("sys")?;
    let mut path = vec![crate::interpreter::PYTHON_STDLIB.to_owned()];
    let dynload = format!("{}/lib-dynload", crate::interpreter::PYTHON_STDLIB);
    if std::path::Path::new(&dynload).is_dir() {
        path.push(dynload);
    }
    sys.setattr("path", path)?;
    sys.setattr("pycache_prefix", py.None())?;
    sys.setattr("dont_write_bytecode", true)?;
    sys.setattr("warnoptions", pyo3::types::PyList::empty(py))?;
    sys.setattr("_xoptions", PyDict::new(py))?;
    sys.setattr("argv", vec![""])?;
    sys.setattr("orig_argv", pyo3::types::PyList::empty(py))?;
    sys.setattr("executable", "")?;
    sys.setattr("platlibdir", "lib")?;
    for prefix in ["prefix", "base_prefix", "exec_prefix", "base_exec_prefix"] {
        sys.setattr(prefix, crate::interpreter::PYTHON_HOME)?;
    }
    Ok(())
}

/// Modules CPython's C code imports for its own use while a program's frame is current
/// (`PyImport_ImportModule`, which calls the frame's `__import__` with an empty *list* as the
/// fromlist and then reads `sys.modules` itself): `datetime`'s `strftime` imports `time`,
/// its `strptime` imports `_strptime`. `datetime`'s builder imports both before confinement.
const INTERPRETER_IMPORTS: &[&str] = &["time", "_strptime"];

/// The packages the policy lists, once [`prepare`] imported them: their C code imports their
/// own submodules the same way (numpy's `ndarray.__str__` imports `numpy._core.arrayprint`).
static PACKAGES_LISTED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Whether the policy's packages were imported (see [`PACKAGES_LISTED`]).
pub(crate) fn packages_listed() -> bool {
    PACKAGES_LISTED.get().is_some_and(|names| !names.is_empty())
}

/// Whether this is such an import: one of [`INTERPRETER_IMPORTS`] or a submodule of a
/// listed package ([`PACKAGES_LISTED`]), already in `sys.modules`,
/// with an empty list as the fromlist (an import statement passes `None` or a tuple, and
/// R301/R302 refuse these modules anyway). Nothing is returned to the caller either way.
fn is_interpreter_import(
    py: Python<'_>,
    name: &str,
    fromlist: Option<&Bound<'_, PyAny>>,
) -> PyResult<bool> {
    let of_package = PACKAGES_LISTED.get().is_some_and(|packages| {
        packages.iter().any(|package| {
            name.strip_prefix(package.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
        })
    });
    if !INTERPRETER_IMPORTS.contains(&name) && !of_package {
        return Ok(false);
    }
    let Some(list) = fromlist.and_then(|list| list.cast::<pyo3::types::PyList>().ok()) else {
        return Ok(false);
    };
    if !list.is_empty() {
        return Ok(false);
    }
    // `sys.modules` read directly: importing `sys` here would come back through this
    // function (the current frame's `__import__`).
    // SAFETY: PyImport_GetModuleDict returns a borrowed reference to the interpreter's
    // `sys.modules`, alive for the process; a new reference is taken.
    let modules = unsafe { Bound::from_borrowed_ptr(py, pyo3::ffi::PyImport_GetModuleDict()) };
    modules.contains(name)
}

/// The python profile's `__import__`: the proxy of a module [`prepare`] built, and nothing
/// else. `import a.b` gives `a`'s proxy (whose `b` is `a.b`'s), `from a.b import x` gives
/// `a.b`'s after checking that it exports every name asked for.
#[pyfunction(name = "__import__", signature = (name, globals = None, locals = None, fromlist = None, level = 0))]
pub fn import<'py>(
    py: Python<'py>,
    name: &Bound<'py, PyAny>,
    globals: Option<&Bound<'py, PyAny>>,
    locals: Option<&Bound<'py, PyAny>>,
    fromlist: Option<&Bound<'py, PyAny>>,
    level: i64,
) -> PyResult<Bound<'py, PyAny>> {
    let _ = (globals, locals);
    if level != 0 {
        return Err(PyImportError::new_err(
            "relative imports are not available in the sandbox: a program is one file",
        ));
    }
    let name: String = name.extract()?;
    if is_interpreter_import(py, &name, fromlist)? {
        // The interpreter's own import (see `INTERPRETER_IMPORTS`): it reads the module from
        // `sys.modules` itself and ignores what this returns, so nothing is handed out.
        return Ok(py.None().into_bound(py));
    }
    let lookup = |dotted: &str| -> PyResult<Bound<'py, PyAny>> {
        let found = match REGISTRY.get(py) {
            Some(registry) => registry.bind(py).get_item(dotted)?,
            None => None,
        };
        found.ok_or_else(|| {
            PyModuleNotFoundError::new_err(format!(
                "No module named '{dotted}' in the sandbox: the policy lists the importable \
                 modules in [python] modules"
            ))
        })
    };
    let module = lookup(&name)?;
    let names: Vec<Bound<'py, PyAny>> = match fromlist {
        Some(list) if list.is_truthy()? => list.try_iter()?.collect::<PyResult<_>>()?,
        _ => Vec::new(),
    };
    if names.is_empty() {
        let top = name.split('.').next().unwrap_or_default();
        return lookup(top);
    }
    let proxy = module.cast::<ModuleProxy>()?.get();
    for wanted in &names {
        if wanted.extract::<&str>().is_ok_and(|n| n == "*") {
            continue;
        }
        if !proxy.exports(py, wanted)? {
            return Err(PyImportError::new_err(format!(
                "cannot import name {} from '{name}'",
                wanted.repr()?
            )));
        }
    }
    Ok(module)
}
