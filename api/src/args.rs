//! RepyV2's argument rules, applied by every API function and method.
//!
//! No keyword arguments; an exact number of positional arguments; exact types (a `bool` is
//! not an `int`, a subclass of `str` is not a `str`). Every failure is a
//! `RepyArgumentError` with RepyV2's message, never a `TypeError` and never a panic.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyString, PyTuple};

use crate::exceptions::RepyArgumentError;

/// Checks the call shape of `function`: no keyword arguments and exactly `N` positional
/// ones, returned in order.
pub fn positional<'py, const N: usize>(
    function: &str,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<[Bound<'py, PyAny>; N]> {
    if kwargs.is_some_and(|k| !k.is_empty()) {
        return Err(RepyArgumentError::new_err(format!(
            "Keyword arguments not allowed when calling {function}."
        )));
    }
    if args.len() != N {
        return Err(RepyArgumentError::new_err(format!(
            "Function '{function}' takes {N} arguments, not {} as you provided.",
            args.len()
        )));
    }
    let mut items = args.iter();
    Ok(std::array::from_fn(|_| {
        items
            .next()
            .unwrap_or_else(|| args.py().None().into_bound(args.py()))
    }))
}

/// The error for a value of the wrong type, in RepyV2's words.
pub fn invalid_type(value: &Bound<'_, PyAny>) -> PyErr {
    let name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    RepyArgumentError::new_err(format!("Invalid type <class '{name}'>"))
}

/// An exact `str`.
pub fn exact_str(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if !value.is_exact_instance_of::<PyString>() {
        return Err(invalid_type(value));
    }
    let s = value.cast::<PyString>().map_err(|_| invalid_type(value))?;
    s.to_str().map(str::to_owned).map_err(|_| {
        RepyArgumentError::new_err(
            "String holds characters that cannot be encoded (lone surrogates)",
        )
    })
}

/// An exact `int` (not `bool`) that fits an `i64`.
pub fn exact_int(value: &Bound<'_, PyAny>) -> PyResult<i64> {
    if !value.is_exact_instance_of::<PyInt>() {
        return Err(invalid_type(value));
    }
    value
        .extract::<i64>()
        .map_err(|_| RepyArgumentError::new_err("Integer value is out of range"))
}

/// An exact `int` of at least `min`, with RepyV2's `Min value is N.` message.
pub fn int_at_least(value: &Bound<'_, PyAny>, min: i64) -> PyResult<i64> {
    let n = exact_int(value)?;
    if n < min {
        return Err(RepyArgumentError::new_err(format!("Min value is {min}.")));
    }
    Ok(n)
}

/// `None` or an exact `int`.
pub fn none_or_int(value: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    if value.is_none() {
        return Ok(None);
    }
    exact_int(value).map(Some)
}

/// An exact `bool`.
pub fn exact_bool(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !value.is_exact_instance_of::<PyBool>() {
        return Err(invalid_type(value));
    }
    value.is_truthy()
}

/// A non-negative number given as an exact `int` or `float` (not `bool`), finite.
pub fn non_negative_number(value: &Bound<'_, PyAny>) -> PyResult<f64> {
    let number = if value.is_exact_instance_of::<PyInt>() {
        value
            .extract::<f64>()
            .map_err(|_| RepyArgumentError::new_err("Number is out of range"))?
    } else if value.is_exact_instance_of::<PyFloat>() {
        value.extract::<f64>()?
    } else {
        return Err(invalid_type(value));
    };
    if number.is_nan() || number < 0.0 {
        return Err(RepyArgumentError::new_err("Must be non-negative."));
    }
    if number.is_infinite() {
        return Err(RepyArgumentError::new_err("Must be finite."));
    }
    Ok(number)
}

/// Data given as a `str` of code points 0–255 (one character per byte, as RepyV2's programs
/// expect) or as `bytes`/`bytearray`.
pub fn data(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if value.is_exact_instance_of::<PyString>() {
        let s = value.cast::<PyString>().map_err(|_| invalid_type(value))?;
        // SAFETY: `s` is a live str object; PyUnicode_AsLatin1String returns a new bytes
        // reference or null with an exception set, which from_owned_ptr_or_err handles.
        let encoded = unsafe {
            Bound::from_owned_ptr_or_err(
                value.py(),
                pyo3::ffi::PyUnicode_AsLatin1String(s.as_ptr()),
            )
        };
        return match encoded {
            Ok(bytes) => Ok(bytes
                .cast::<PyBytes>()
                .map(|b| b.as_bytes().to_vec())
                .map_err(|_| invalid_type(value))?),
            Err(_) => Err(RepyArgumentError::new_err(
                "Data must hold characters 0-255 only (one character per byte); encode text first",
            )),
        };
    }
    if let Ok(bytes) = value.cast_exact::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if let Ok(array) = value.cast_exact::<PyByteArray>() {
        return Ok(array.to_vec());
    }
    Err(invalid_type(value))
}

/// Bytes as a `str` with one character per byte.
pub fn data_to_str<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyString>> {
    let len = pyo3::ffi::Py_ssize_t::try_from(bytes.len())
        .map_err(|_| RepyArgumentError::new_err("Data is too large"))?;
    // SAFETY: the pointer and length describe `bytes`, valid for the call; latin-1 decoding
    // accepts every byte; the result is a new reference or null with an exception set.
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            pyo3::ffi::PyUnicode_DecodeLatin1(bytes.as_ptr().cast(), len, std::ptr::null()),
        )
        .map(|s| s.cast_into_unchecked())
    }
}
