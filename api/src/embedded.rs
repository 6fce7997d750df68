//! The standard-library modules the python profile's builder imports, embedded in the binary
//! at build time (`api/build.rs` runs `build/embed_stdlib.py` with the interpreter repy
//! links): each source module's code object, marshalled, and each extension module's file.
//!
//! The child imports them through a finder of its own (`src/modules/importer.py`) instead of
//! CPython's path-based importer: no directory listing, no `stat` or `.pyc` read per module,
//! and no `posix` module to set up. The code is compiled from the standard library the
//! binary was built against, the same release as the interpreter linked into it, with each
//! module's real file name (tracebacks and `__file__` name the real files). The path-based
//! importer is still installed when a policy lists packages, and on the first module this
//! table lacks (`importer.py`).

use pyo3::ffi;
use pyo3::prelude::*;

/// What an embedded module is.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// A source module: its code is embedded.
    Source,
    /// An extension module: a shared object in `lib-dynload`, loaded from `origin`.
    Extension,
    /// Imported (optionally) by a module the build imported, and found by no importer there:
    /// answered as absent at once.
    Absent,
}

/// One embedded module.
struct Embedded {
    /// Its dotted name.
    name: &'static str,
    /// What it is.
    kind: Kind,
    /// A package (its `__path__` is the directory of `origin`).
    package: bool,
    /// Its file in the standard library.
    origin: &'static str,
    /// The marshalled code object of a source module; empty for an extension module.
    code: &'static [u8],
}

/// Every embedded module, sorted by name.
static MODULES: &[Embedded] = include!(concat!(env!("OUT_DIR"), "/embedded_modules.rs"));

fn find(name: &str) -> Option<&'static Embedded> {
    MODULES
        .binary_search_by(|module| module.name.cmp(name))
        .ok()
        .map(|index| &MODULES[index])
}

/// What the finder needs of an embedded module: `None` when `name` is not in the table,
/// `False` when it is known to be absent, else `(code, package, origin)`, where `code` is the
/// module's code object, or `None` for an extension module.
#[pyfunction]
pub(crate) fn embedded_module(py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
    let Some(module) = find(name) else {
        return Ok(py.None());
    };
    let code = if module.kind == Kind::Absent {
        return Ok(false.into_pyobject(py)?.to_owned().into_any().unbind());
    } else if module.kind == Kind::Extension {
        None
    } else {
        let length = ffi::Py_ssize_t::try_from(module.code.len())
            .map_err(|_| pyo3::exceptions::PyImportError::new_err("embedded code too long"))?;
        // SAFETY: attached; the data is a static byte slice of `length` bytes, which CPython
        // only reads; the result is a new reference, or null with an exception set.
        let object =
            unsafe { ffi::PyMarshal_ReadObjectFromString(module.code.as_ptr().cast(), length) };
        if object.is_null() {
            return Err(PyErr::fetch(py));
        }
        // SAFETY: a new, non-null reference, owned from here.
        Some(unsafe { Bound::from_owned_ptr(py, object) }.unbind())
    };
    Ok((code, module.package, module.origin)
        .into_pyobject(py)?
        .into_any()
        .unbind())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_holds_the_shipped_modules() {
        assert!(MODULES.windows(2).all(|pair| pair[0].name < pair[1].name));
        for name in [
            "json",
            "json.decoder",
            "re",
            "collections",
            "dataclasses",
            "typing",
        ] {
            let module = find(name).unwrap_or_else(|| panic!("{name} is not embedded"));
            assert!(module.kind == Kind::Source && !module.code.is_empty());
            assert!(module.origin.ends_with(".py"));
        }
        assert!(find("json").is_some_and(|module| module.package));
    }
}
