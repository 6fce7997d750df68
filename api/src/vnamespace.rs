//! Virtual namespaces (`createvirtualnamespace(code, name)` → `evaluate(context)`) and
//! `SafeDict`, the mapping that can serve as a namespace.
//!
//! Code given to a virtual namespace passes the same static checker as the main program
//! before it is compiled. `evaluate` always installs the sandbox's builtins in the globals it
//! runs with, so Python's `exec` never falls back to the interpreter's own builtins (which it
//! inserts into any globals dict lacking `__builtins__`).

use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::args::{self, positional};
use crate::exceptions::{CodeUnsafeError, ContextUnsafeError};

/// The builtins every namespace of this sandbox runs with.
static BUILTINS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// Records the sandbox's builtins dict (called once, when the main namespace is built,
/// before the program runs).
pub fn set_builtins(py: Python<'_>, builtins: &Bound<'_, PyDict>) -> PyResult<()> {
    let _ = BUILTINS.set(py, builtins.clone().unbind());
    Ok(())
}

fn builtins(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    BUILTINS.get(py).map(|b| b.bind(py).clone()).ok_or_else(|| {
        crate::errors::internal("virtual namespace used before the sandbox builtins exist".into())
    })
}

/// Checks a key of a `SafeDict`: an exact `str` that passes RepyV2's string rule.
fn safe_key(key: &Bound<'_, PyAny>) -> PyResult<String> {
    if !key.is_exact_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "'SafeDict' keys must be strings, not {}",
            key.get_type().name()?
        )));
    }
    let text: String = key.extract()?;
    if !safe_check::is_safe_name(&text) {
        return Err(PyValueError::new_err(format!("Unsafe key: '{text}'")));
    }
    Ok(text)
}

/// Whether `key` is a key a program may see (a safe `str`).
fn visible(key: &Bound<'_, PyAny>) -> bool {
    key.extract::<String>()
        .is_ok_and(|k| safe_check::is_safe_name(&k))
}

/// A dict whose keys are safe identifiers; the only mapping that can be a namespace.
///
/// Keys the program may not name (`__builtins__`, `__name__`, …) are invisible: they are not
/// listed, cannot be read, written or deleted, and survive `clear()`.
#[pyclass(frozen, immutable_type, mapping, name = "SafeDict", module = "repy")]
pub struct SafeDict {
    dict: Py<PyDict>,
}

impl SafeDict {
    /// Wraps an existing dict (the main program's globals become `_context` this way).
    pub fn wrap(dict: &Bound<'_, PyDict>) -> Self {
        Self {
            dict: dict.clone().unbind(),
        }
    }

    /// The underlying dict.
    pub fn dict<'py>(&self, py: Python<'py>) -> Bound<'py, PyDict> {
        self.dict.bind(py).clone()
    }

    fn visible_keys<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyAny>> {
        self.dict.bind(py).keys().iter().filter(visible).collect()
    }

    /// Copies the safe entries of `source` into this dict (a self-reference becomes `target`).
    fn absorb(
        &self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        target: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let dict = self.dict.bind(py);
        if let Ok(other) = source.cast::<SafeDict>() {
            let other_dict = other.get().dict.bind(py).clone();
            for key in other.get().visible_keys(py) {
                let value = other_dict
                    .get_item(&key)?
                    .unwrap_or_else(|| py.None().into_bound(py));
                let value = match target {
                    Some(t) if value.is(source) => t.clone(),
                    _ => value,
                };
                dict.set_item(key, value)?;
            }
            return Ok(());
        }
        if let Ok(other) = source.cast::<PyDict>() {
            // A snapshot of the pairs: replacing a value below can run a finalizer that
            // changes `other`, and iterating a dict that changes size panics.
            for pair in other.items().iter() {
                let (key, value) = pair.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()?;
                let text = key.extract::<String>().unwrap_or_default();
                if text == "__builtins__" || text == "__doc__" {
                    continue;
                }
                safe_key(&key)?;
                dict.set_item(key, value)?;
            }
        }
        Ok(())
    }
}

#[pymethods]
impl SafeDict {
    #[new]
    #[pyo3(signature = (mapping = None))]
    fn new(py: Python<'_>, mapping: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let safe = SafeDict {
            dict: PyDict::new(py).unbind(),
        };
        if let Some(mapping) = mapping {
            safe.absorb(py, mapping, None)?;
        }
        Ok(safe)
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        safe_key(key)?;
        self.dict
            .bind(py)
            .get_item(key)?
            .ok_or_else(|| PyKeyError::new_err(key.clone().unbind()))
    }

    fn __setitem__(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        safe_key(key)?;
        self.dict.bind(py).set_item(key, value)
    }

    fn __delitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<()> {
        safe_key(key)?;
        let dict = self.dict.bind(py);
        if !dict.contains(key)? {
            return Err(PyKeyError::new_err(key.clone().unbind()));
        }
        dict.del_item(key)
    }

    /// `key in d`: like every other method, the key must be an exact `str` naming a safe
    /// key (RepyV2's SafeDict raised on anything else). A `str` subclass is refused before
    /// the dict looks it up, so none of its `__hash__`/`__eq__` runs inside the lookup.
    fn __contains__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        safe_key(key)?;
        self.dict.bind(py).contains(key)
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.visible_keys(py).len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyList::new(py, self.visible_keys(py))?
            .try_iter()
            .map(|i| i.into_any())
    }

    /// The repr of the safe entries; a SafeDict met again while its own repr is being built
    /// (it contains itself, e.g. `_context`) shows as `{...}`, as a dict does.
    fn __repr__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<String> {
        // SAFETY: `slf` is a live object; every successful enter is paired with a leave.
        match unsafe { pyo3::ffi::Py_ReprEnter(slf.as_ptr()) } {
            0 => {}
            entered if entered > 0 => return Ok("{...}".to_string()),
            _ => return Err(PyErr::fetch(py)),
        }
        let text = slf
            .get()
            .to_dict(py)
            .and_then(|dict| dict.repr().map(|r| r.to_string()));
        // SAFETY: paired with the successful Py_ReprEnter above.
        unsafe { pyo3::ffi::Py_ReprLeave(slf.as_ptr()) };
        text
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let mine = self.to_dict(py)?;
        if let Ok(other) = other.cast::<SafeDict>() {
            return mine.eq(other.get().to_dict(py)?);
        }
        if other.is_instance_of::<PyDict>() {
            return mine.eq(other);
        }
        Ok(false)
    }

    /// The safe keys, as a list.
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.visible_keys(py))
    }

    /// The values of the safe keys.
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        // A snapshot of the keys: a key a finalizer removed meanwhile is skipped.
        let dict = self.dict.bind(py);
        let mut values = Vec::new();
        for key in self.visible_keys(py) {
            if let Some(value) = dict.get_item(&key)? {
                values.push(value);
            }
        }
        PyList::new(py, values)
    }

    /// `(key, value)` pairs of the safe keys.
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let dict = self.dict.bind(py);
        let mut pairs = Vec::new();
        for key in self.visible_keys(py) {
            if let Some(value) = dict.get_item(&key)? {
                pairs.push(PyTuple::new(py, [key, value])?);
            }
        }
        PyList::new(py, pairs)
    }

    /// `get(key, default=None)`.
    #[pyo3(signature = (key, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        safe_key(key)?;
        Ok(self
            .dict
            .bind(py)
            .get_item(key)?
            .or(default)
            .unwrap_or_else(|| py.None().into_bound(py)))
    }

    /// `has_key(key)` (Python 2's spelling of `in`).
    fn has_key(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.__contains__(py, key)
    }

    /// `pop(key[, default])`.
    #[pyo3(signature = (key, *default))]
    fn pop<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        safe_key(key)?;
        let dict = self.dict.bind(py);
        match dict.get_item(key)? {
            Some(value) => {
                dict.del_item(key)?;
                Ok(value)
            }
            None if !default.is_empty() => default.get_item(0),
            None => Err(PyKeyError::new_err(key.clone().unbind())),
        }
    }

    /// `popitem()`: removes and returns some `(key, value)` pair.
    fn popitem<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let Some(key) = self.visible_keys(py).pop() else {
            return Err(PyKeyError::new_err("popitem(): SafeDict is empty"));
        };
        let dict = self.dict.bind(py);
        let value = dict.as_any().get_item(&key)?;
        dict.del_item(&key)?;
        PyTuple::new(py, [key, value])
    }

    /// `setdefault(key, default=None)`.
    #[pyo3(signature = (key, default = None))]
    fn setdefault<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        safe_key(key)?;
        let dict = self.dict.bind(py);
        if let Some(value) = dict.get_item(key)? {
            return Ok(value);
        }
        let value = default.unwrap_or_else(|| py.None().into_bound(py));
        dict.set_item(key, &value)?;
        Ok(value)
    }

    /// `update([mapping], **entries)`.
    #[pyo3(signature = (mapping = None, **entries))]
    fn update(
        &self,
        py: Python<'_>,
        mapping: Option<&Bound<'_, PyAny>>,
        entries: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        if let Some(mapping) = mapping {
            self.absorb(py, mapping, None)?;
        }
        if let Some(entries) = entries {
            self.absorb(py, entries.as_any(), None)?;
        }
        Ok(())
    }

    /// `clear()`: removes every safe key (hidden keys such as the builtins stay).
    fn clear(&self, py: Python<'_>) -> PyResult<()> {
        // Deleting a value can run its finalizer, which may remove later keys: those are
        // skipped, not an error.
        let dict = self.dict.bind(py);
        for key in self.visible_keys(py) {
            if dict.contains(&key)? {
                dict.del_item(key)?;
            }
        }
        Ok(())
    }

    /// `copy()`: a new SafeDict with the same safe entries; a reference to this dict
    /// becomes a reference to the copy.
    fn copy(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<SafeDict>> {
        let copy = Bound::new(
            py,
            SafeDict {
                dict: PyDict::new(py).unbind(),
            },
        )?;
        copy.get().absorb(py, slf.as_any(), Some(copy.as_any()))?;
        Ok(copy.unbind())
    }
}

impl SafeDict {
    /// A plain dict of the safe entries.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = self.dict.bind(py);
        let out = PyDict::new(py);
        for key in self.visible_keys(py) {
            out.set_item(&key, dict.as_any().get_item(&key)?)?;
        }
        Ok(out)
    }
}

/// A checked, compiled piece of code from `createvirtualnamespace`.
#[pyclass(frozen, immutable_type, name = "VirtualNamespace", module = "repy")]
pub struct VirtualNamespace {
    code: Py<PyAny>,
}

#[pymethods]
impl VirtualNamespace {
    /// `evaluate(context)`: runs the code with `context` (a `dict` or `SafeDict`) as its
    /// globals and returns the SafeDict it ran in. Exceptions of the code propagate.
    #[pyo3(signature = (*args, **kwargs))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let [context] = positional::<1>("evaluate", args, kwargs)?;
        let safe = if context.cast::<SafeDict>().is_ok() {
            context.clone()
        } else if context.is_exact_instance_of::<PyDict>() {
            let fresh = SafeDict {
                dict: PyDict::new(py).unbind(),
            };
            fresh
                .absorb(py, &context, None)
                .map_err(|e| ContextUnsafeError::new_err(e.value(py).to_string()))?;
            Bound::new(py, fresh)?.into_any()
        } else {
            return Err(args::invalid_type(&context));
        };
        let globals = safe
            .cast::<SafeDict>()
            .map_err(|_| args::invalid_type(&context))?
            .get()
            .dict(py);
        globals.set_item("__builtins__", builtins(py)?)?;
        if !globals.contains("__name__")? {
            globals.set_item("__name__", "__main__")?;
        }
        let code = self.code.bind(py);
        // SAFETY: `code` is a code object from compile(); `globals` a live dict holding the
        // sandbox builtins; the result is a new reference or null with an exception set.
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                pyo3::ffi::PyEval_EvalCode(code.as_ptr(), globals.as_ptr(), globals.as_ptr()),
            )?;
        }
        Ok(safe)
    }

    fn __repr__(&self) -> String {
        "<Namespace wrapped VirtualNamespace>".to_string()
    }
}

/// `createvirtualnamespace(code, name)`: checks `code` with the static checker and compiles
/// it with `name` as its traceback filename.
#[pyfunction(signature = (*args, **kwargs))]
pub fn createvirtualnamespace(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<VirtualNamespace> {
    let [code, name] = positional::<2>("createvirtualnamespace", args, kwargs)?;
    let code = args::exact_str(&code)?.replace("\r\n", "\n");
    let name = args::exact_str(&name)?;
    let mut checked = safe_check::check_keeping_tree(py, &code, &name).map_err(|failure| {
        let first = safe_check::first_violation_text(failure.diagnostics(), &code);
        CodeUnsafeError::new_err(format!("Code failed safety check! Error: {first}"))
    })?;
    // A python-profile program's namespaces hold objects of trusted code as its top level
    // does: their private attributes are guarded the same way.
    if crate::private_attributes::active() {
        crate::private_attributes::route(py, &mut checked)?;
    }
    // Compiled from the tree that was checked: what runs is what was checked.
    let compiled = checked.compile(py).map_err(|e| {
        CodeUnsafeError::new_err(format!("Code failed safety check! Error: {}", e.value(py)))
    })?;
    Ok(VirtualNamespace {
        code: compiled.unbind(),
    })
}
