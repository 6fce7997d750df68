//! The `unicodedata` module CPython's parser asks for, provided in Rust.
//!
//! The parser NFKC-normalises every non-ASCII identifier through
//! `unicodedata.normalize("NFKC", name)`, importing `unicodedata` on first use. CPython ships
//! that module as a shared object that needs libpython's symbols exported by the process;
//! repy links CPython statically and loads nothing from files, so this crate installs its
//! own `unicodedata` in `sys.modules` with the one function the parser calls.
//!
//! Why the answers are CPython's: the parser only normalises identifiers its tokenizer has
//! already accepted, and the tokenizer accepts only characters assigned in CPython 3.11's
//! Unicode (14.0). Unicode's normalisation stability policy fixes the NFKC form of every
//! assigned character for all later versions, so `unicode-normalization` (a later Unicode)
//! gives the same identifier the real module would. The checker and the compiler share the
//! same parse, so they can never see different names either way.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyModule};
use unicode_normalization::UnicodeNormalization;

/// `unicodedata.normalize(form, unistr)` for the four standard forms.
fn normalize(form: &str, text: &str) -> PyResult<String> {
    Ok(match form {
        "NFC" => text.nfc().collect(),
        "NFD" => text.nfd().collect(),
        "NFKC" => text.nfkc().collect(),
        "NFKD" => text.nfkd().collect(),
        _ => return Err(PyValueError::new_err("invalid normalization form")),
    })
}

/// Puts the module in `sys.modules` unless a `unicodedata` is already there. Safe to call
/// from inside a sandboxed program's frame (`createvirtualnamespace`): it looks `sys.modules`
/// up directly, not through the frame's `__import__` (the sandbox has none).
pub(crate) fn install(py: Python<'_>) -> PyResult<()> {
    // SAFETY: PyImport_GetModuleDict returns a borrowed reference to the interpreter's
    // sys.modules (never null once the interpreter is initialised); we take a new reference.
    let modules = unsafe { Bound::from_borrowed_ptr(py, pyo3::ffi::PyImport_GetModuleDict()) };
    if modules.contains("unicodedata")? {
        return Ok(());
    }
    let module = PyModule::new(py, "unicodedata")?;
    let function = PyCFunction::new_closure(
        py,
        Some(c"normalize"),
        Some(c"normalize(form, unistr): the normal form of unistr (NFC, NFD, NFKC or NFKD)"),
        |args, _kwargs| -> PyResult<String> {
            let (form, text): (String, String) = args.extract()?;
            normalize(&form, &text)
        },
    )?;
    module.add("normalize", function)?;
    modules.set_item("unicodedata", module)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_follow_unicode() {
        assert_eq!(normalize("NFKC", "ﬁ").unwrap(), "fi");
        assert_eq!(normalize("NFKC", "𝐱").unwrap(), "x");
        assert_eq!(normalize("NFC", "e\u{301}").unwrap(), "é");
        assert_eq!(normalize("NFD", "é").unwrap(), "e\u{301}");
        assert!(normalize("NFX", "a").is_err());
    }
}
