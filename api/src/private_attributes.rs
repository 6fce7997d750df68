//! The python profile's guard on private attributes: the program may read, write and delete
//! the `_x` attributes of its own classes and instances, and of nothing else.
//!
//! Under the python profile the program imports modules whose classes are trusted Python
//! code, and trusted code can hand the program's methods its own objects (an operator, a
//! comparison, a callback: red-team round 9 received an enum member in a program's `__or__`,
//! whose class's `_convert_` reads any module's globals by name). A module's public
//! attributes are its documented surface, vetted in `docs/modules.md`; its private ones are
//! machinery nobody vetted. The checker routes every `obj._x` the program writes through
//! [`read`] or [`access`] (`safe_check::Checked::route_private_attributes`; class patterns
//! that would read `_x` are refused, R209), and the guard decides by who *owns* the name:
//!
//! - looked up on an instance: the first class of its type's MRO whose dict holds the name;
//!   if none does (an instance attribute), the type itself;
//! - on a class: the first class of its MRO holding it, else of its metaclass's MRO (ABCMeta's
//!   `_dump_registry`), else the class itself;
//! - on `super()`: the first class after `__thisclass__` in `__self_class__`'s MRO.
//!
//! The owner must be a program class: one the program's `class` statement created, marked
//! by [`build_class`] (the program's `__build_class__`; trusted code's frames use the real
//! builtins). A trusted class may list documented underscore names (`namedtuple`'s
//! `_replace`, `_asdict`, `_make`, `_fields`, `_field_defaults`) under [`PUBLIC_NAMES_KEY`].
//! Anything else raises `AttributeError`, which carries no object.
//!
//! What this does not cover, by design: an instance attribute that a trusted base class's
//! own code set on an instance of a program subclass counts as the program's (the shipped
//! classes set none that start with `_`; `tests/modules.rs` checks the ones programs
//! subclass); names a trusted class stores in a program class's dict when it is created
//! (`ABCMeta`'s `_abc_impl`, an object with no public attribute) count as the program's.

use pyo3::exceptions::{PyAttributeError, PyRuntimeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple};

/// The key of the marker [`build_class`] stores in a program class's own dict. It starts
/// with `_` (so the guarded `getattr` refuses it) and is not an identifier (so no attribute
/// syntax can spell it).
const PROGRAM_CLASS_KEY: &str = "_repy program class";

/// The key under which a trusted class lists, as a `frozenset`, the underscore names that are
/// its documented public API (set by `api/src/modules/stdlib.py`, e.g. for `namedtuple`).
pub const PUBLIC_NAMES_KEY: &str = "_repy public names";

/// The marker: an object nothing else holds.
static MARKER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// The interned keys, looked up on every guarded access.
static PROGRAM_CLASS: PyOnceLock<Py<PyString>> = PyOnceLock::new();
static PUBLIC_NAMES: PyOnceLock<Py<PyString>> = PyOnceLock::new();
/// CPython's `__build_class__`.
static REAL_BUILD_CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// The guards the checked tree calls (read, access, class of, match args), made once.
static GUARDS: PyOnceLock<[Py<PyAny>; 4]> = PyOnceLock::new();

/// Whether the namespace of this process is the python profile's (virtual namespaces of a
/// python-profile program route their code too).
static ACTIVE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Installs the guard: the program's `__build_class__` becomes [`build_class`].
pub(crate) fn install(py: Python<'_>, builtins: &Bound<'_, PyDict>) -> PyResult<()> {
    let real = py.import("builtins")?.getattr("__build_class__")?;
    let _ = REAL_BUILD_CLASS.set(py, real.unbind());
    builtins.set_item("__build_class__", wrap_pyfunction!(build_class, py)?)?;
    ACTIVE.store(true, std::sync::atomic::Ordering::Release);
    Ok(())
}

/// Whether [`install`] ran in this process.
pub fn active() -> bool {
    ACTIVE.load(std::sync::atomic::Ordering::Acquire)
}

/// Routes `checked`'s private attribute accesses through [`read`] and [`access`], and its
/// `obj.__class__` reads through the namespace's `type`.
pub fn route(py: Python<'_>, checked: &mut safe_check::Checked) -> PyResult<()> {
    if !checked.has_private_attributes() {
        return Ok(());
    }
    let guards = GUARDS.get_or_try_init(py, || -> PyResult<_> {
        Ok([
            wrap_pyfunction!(read, py)?.into_any().unbind(),
            wrap_pyfunction!(access, py)?.into_any().unbind(),
            crate::builtins::restricted_type_function(py)?.unbind(),
            wrap_pyfunction!(match_args, py)?.into_any().unbind(),
        ])
    })?;
    let [read_guard, access_guard, class_of, match_args_guard] = guards;
    checked.route_private_attributes(
        py,
        &safe_check::RouteGuards {
            read: read_guard.bind(py),
            access: access_guard.bind(py),
            class_of: class_of.bind(py),
            match_args: match_args_guard.bind(py),
        },
    )
}

/// `match_args(cls, count)`: what a class pattern with `count` positional sub-patterns
/// matches against. CPython reads the attributes the first `count` entries of the class's
/// `__match_args__` name, with the real `getattr`; each must be a `str` the checker would
/// accept as an attribute read (not `_x`, `mro`, `__globals__`, an introspection name), or
/// the match raises `TypeError` before anything is read. Red-team rounds 14-16 each got a
/// class factory to put such a name there; this refuses them whatever made the class.
#[pyfunction]
fn match_args<'py>(class: &Bound<'py, PyAny>, count: usize) -> PyResult<Bound<'py, PyAny>> {
    if !class.is_instance_of::<pyo3::types::PyType>() {
        // CPython raises its own TypeError ("called match pattern must be a class").
        return Ok(class.clone());
    }
    let entries = match class.getattr(pyo3::intern!(class.py(), "__match_args__")) {
        Ok(entries) => entries,
        // No `__match_args__`: CPython's own rules (self-matching builtins, else TypeError).
        Err(err) if err.is_instance_of::<pyo3::exceptions::PyAttributeError>(class.py()) => {
            return Ok(class.clone())
        }
        // Anything else fails closed rather than letting CPython read it again.
        Err(err) => return Err(err),
    };
    let Ok(entries) = entries.cast::<PyTuple>() else {
        // CPython refuses a `__match_args__` that is not a tuple.
        return Ok(class.clone());
    };
    for entry in entries.iter().take(count) {
        let allowed = entry
            .cast_exact::<PyString>()
            .ok()
            .and_then(|text| text.to_str().ok().map(str::to_owned))
            .is_some_and(|text| !crate::python_profile::is_refused_attribute_name(&text));
        if !allowed {
            let class_name = class
                .cast::<pyo3::types::PyType>()?
                .name()
                .map(|name| name.to_string())
                .unwrap_or_default();
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "{class_name}.__match_args__ names {}, an attribute the sandbox's checker \
                 refuses: a class pattern cannot read it",
                entry.repr()?
            )));
        }
    }
    Ok(class.clone())
}

fn marker(py: Python<'_>) -> &Bound<'_, PyAny> {
    MARKER
        .get_or_init(py, || {
            PyTuple::new(py, ["repy program class"])
                .map(|marker| marker.into_any().unbind())
                .unwrap_or_else(|_| py.None())
        })
        .bind(py)
}

fn key<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyString>>,
    text: &str,
) -> &'py Bound<'py, PyString> {
    cell.get_or_init(py, || PyString::intern(py, text).unbind())
        .bind(py)
}

/// The program's `__build_class__`: CPython's, then the class is marked as the program's.
/// Only the `class` statement of untrusted code calls it (the name is refused by R202, and
/// trusted code's frames use the real builtins).
#[pyfunction(name = "__build_class__", signature = (*args, **kwargs))]
fn build_class<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let real = REAL_BUILD_CLASS
        .get(py)
        .ok_or_else(|| PyRuntimeError::new_err("internal error: __build_class__ not installed"))?;
    let class = real.bind(py).call(args, kwargs)?;
    if let Ok(made) = class.cast::<pyo3::types::PyType>() {
        crate::package_guards::refuse_c_bases(made)?;
        class.setattr(key(py, &PROGRAM_CLASS, PROGRAM_CLASS_KEY), marker(py))?;
        crate::deferred_finalizers::patch_program_class(made)?;
    }
    Ok(class)
}

/// The entry `name` of a class's own dict, if any (`tp_dict`, without descriptors or MRO).
///
/// # Safety
/// `class` must be a live type object; the interpreter must be attached.
unsafe fn own_entry(
    class: *mut ffi::PyTypeObject,
    name: &Bound<'_, PyString>,
) -> PyResult<Option<*mut ffi::PyObject>> {
    // SAFETY: the caller passes a live type; its dict is a dict or null while it is being
    // created. The returned pointer is borrowed from the dict.
    unsafe {
        let dict = (*class).tp_dict;
        if dict.is_null() {
            return Ok(None);
        }
        let value = ffi::PyDict_GetItemWithError(dict, name.as_ptr());
        if value.is_null() {
            if !ffi::PyErr_Occurred().is_null() {
                return Err(PyErr::fetch(name.py()));
            }
            return Ok(None);
        }
        Ok(Some(value))
    }
}

/// Whether `class` is one of the program's classes.
///
/// # Safety
/// As [`own_entry`].
unsafe fn is_program_class(py: Python<'_>, class: *mut ffi::PyTypeObject) -> PyResult<bool> {
    // SAFETY: as the caller guarantees.
    let entry = unsafe { own_entry(class, key(py, &PROGRAM_CLASS, PROGRAM_CLASS_KEY))? };
    Ok(entry.is_some_and(|value| value == marker(py).as_ptr()))
}

/// `_is_program_class(cls)` for the trusted module code: whether `cls` is a class the
/// program's `class` statement made.
#[pyfunction(name = "is_program_class")]
pub(crate) fn is_program_class_object(class: &Bound<'_, PyAny>) -> PyResult<bool> {
    let Ok(class) = class.cast::<pyo3::types::PyType>() else {
        return Ok(false);
    };
    // SAFETY: `class` is a live type object; the interpreter is attached.
    unsafe { is_program_class(class.py(), class.as_type_ptr()) }
}

/// Whether the program may use `name` as found on `owner`.
///
/// # Safety
/// As [`own_entry`].
unsafe fn owned_by_program(
    py: Python<'_>,
    owner: *mut ffi::PyTypeObject,
    name: &Bound<'_, PyString>,
) -> PyResult<bool> {
    // SAFETY: as the caller guarantees; the entry is borrowed from the owner's dict, alive
    // while the owner is.
    unsafe {
        if is_program_class(py, owner)? {
            return Ok(true);
        }
        let Some(listed) = own_entry(owner, key(py, &PUBLIC_NAMES, PUBLIC_NAMES_KEY))? else {
            return Ok(false);
        };
        if ffi::PyFrozenSet_CheckExact(listed) == 0 {
            return Ok(false);
        }
        Ok(ffi::PySet_Contains(listed, name.as_ptr()) == 1)
    }
}

/// The first class of `mro` (a tuple of types), from index `start`, whose own dict holds
/// `name`.
///
/// # Safety
/// `mro` must be null or a live tuple of types; the interpreter must be attached.
unsafe fn first_owner(
    mro: *mut ffi::PyObject,
    start: isize,
    name: &Bound<'_, PyString>,
) -> PyResult<Option<*mut ffi::PyTypeObject>> {
    // SAFETY: as the caller guarantees; the items are borrowed from the tuple.
    unsafe {
        if mro.is_null() || ffi::PyTuple_Check(mro) == 0 {
            return Ok(None);
        }
        for index in start..ffi::PyTuple_GET_SIZE(mro) {
            let class = ffi::PyTuple_GET_ITEM(mro, index);
            if ffi::PyType_Check(class) == 0 {
                continue;
            }
            let class = class.cast::<ffi::PyTypeObject>();
            if own_entry(class, name)?.is_some() {
                return Ok(Some(class));
            }
        }
        Ok(None)
    }
}

/// Whether the program may read, write or delete `object._name`: see the module's doc.
fn permitted(object: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> PyResult<bool> {
    let py = object.py();
    let pointer = object.as_ptr();
    // SAFETY: `object` is alive (borrowed for the call) and so are its type, MRO tuples and
    // the classes in them; the interpreter is attached.
    unsafe {
        if ffi::PyType_Check(pointer) == 1 {
            let class = pointer.cast::<ffi::PyTypeObject>();
            if let Some(owner) = first_owner((*class).tp_mro, 0, name)? {
                return owned_by_program(py, owner, name);
            }
            let metaclass = ffi::Py_TYPE(pointer);
            if let Some(owner) = first_owner((*metaclass).tp_mro, 0, name)? {
                return owned_by_program(py, owner, name);
            }
            return is_program_class(py, class);
        }
        let class = ffi::Py_TYPE(pointer);
        if std::ptr::eq(class, std::ptr::addr_of_mut!(ffi::PySuper_Type)) {
            return super_permits(object, name);
        }
        match first_owner((*class).tp_mro, 0, name)? {
            Some(owner) => owned_by_program(py, owner, name),
            None => is_program_class(py, class),
        }
    }
}

/// `super()._name`: owned by the first class after `__thisclass__` in the MRO of
/// `__self_class__` that holds it.
fn super_permits(object: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> PyResult<bool> {
    let py = object.py();
    let this = object.getattr("__thisclass__")?;
    let start = object.getattr("__self_class__")?;
    let Ok(start) = start.cast::<pyo3::types::PyType>() else {
        return Ok(false);
    };
    // SAFETY: `start` is a live type; its MRO is a tuple of types (or null while it is
    // being created); the interpreter is attached.
    unsafe {
        let mro = (*start.as_type_ptr()).tp_mro;
        if mro.is_null() || ffi::PyTuple_Check(mro) == 0 {
            return Ok(false);
        }
        let size = ffi::PyTuple_GET_SIZE(mro);
        let mut index = 0;
        while index < size && ffi::PyTuple_GET_ITEM(mro, index) != this.as_ptr() {
            index += 1;
        }
        match first_owner(mro, index + 1, name)? {
            Some(owner) => owned_by_program(py, owner, name),
            None => Ok(false),
        }
    }
}

fn refused(object: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> PyErr {
    let class = object
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    PyAttributeError::new_err(format!(
        "'{class}' object's attribute '{name}' is private to code the sandbox trusts: a \
         program reads, writes and deletes only the private attributes of its own classes \
         and their instances"
    ))
}

/// Whether `value` is a module, or an enum class or member that is not the program's: what a
/// trusted metaclass may store in a program class's dict (a `Flag`'s `_boundary_` is a
/// `FlagBoundary` member, red-team round 15) and no private read may hand out.
fn trusted_machinery(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = value.py();
    if value.is_instance_of::<pyo3::types::PyModule>() {
        return Ok(true);
    }
    // SAFETY: PyImport_GetModuleDict returns a borrowed reference to `sys.modules`, alive for
    // the process; a new reference is taken.
    let modules = unsafe { Bound::from_borrowed_ptr(py, ffi::PyImport_GetModuleDict()) };
    let Ok(enum_module) = modules.get_item("enum") else {
        return Ok(false);
    };
    let Ok(enum_type) = enum_module.getattr("EnumType") else {
        return Ok(false);
    };
    let class = if value.is_instance(&enum_type)? {
        value.cast::<pyo3::types::PyType>()?.clone()
    } else if value.get_type().is_instance(&enum_type)? {
        value.get_type()
    } else {
        return Ok(false);
    };
    // SAFETY: `class` is a live type object; the interpreter is attached.
    Ok(!unsafe { is_program_class(py, class.as_type_ptr())? })
}

/// `obj._name`, as the checked tree reads it.
#[pyfunction(name = "private_attribute")]
fn read<'py>(
    object: &Bound<'py, PyAny>,
    name: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    if !permitted(object, name)? {
        return Err(refused(object, name));
    }
    let value = object.getattr(name)?;
    if trusted_machinery(&value)? {
        return Err(refused(object, name));
    }
    Ok(value)
}

/// `obj._name` as the target of a write or deletion: `access(obj, "_name")[None] = value`.
#[pyfunction(name = "private_attribute_access")]
fn access(object: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> PrivateAttribute {
    PrivateAttribute {
        object: object.clone().unbind(),
        name: name.clone().unbind(),
    }
}

/// One private attribute as the subscript target `[None]` (see [`access`]); each operation
/// is guarded when it happens.
#[pyclass(frozen, module = "repy")]
pub struct PrivateAttribute {
    object: Py<PyAny>,
    name: Py<PyString>,
}

#[pymethods]
impl PrivateAttribute {
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        _key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        read(self.object.bind(py), self.name.bind(py))
    }

    fn __setitem__(
        &self,
        py: Python<'_>,
        _key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (object, name) = (self.object.bind(py), self.name.bind(py));
        if permitted(object, name)? {
            object.setattr(name, value)
        } else {
            Err(refused(object, name))
        }
    }

    fn __delitem__(&self, py: Python<'_>, _key: &Bound<'_, PyAny>) -> PyResult<()> {
        let (object, name) = (self.object.bind(py), self.name.bind(py));
        if permitted(object, name)? {
            object.delattr(name)
        } else {
            Err(refused(object, name))
        }
    }
}
