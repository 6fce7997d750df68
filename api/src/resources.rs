//! `getresources()`: the limits, the usage and the CPU stop times, as copies.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySet, PyTuple};

use restrictions::Kind;

use crate::args::positional;

/// `getresources()`: `(limits, usage, stoptimes)`, RepyV2's structure. Every value is a
/// fresh copy: changing them grants nothing.
///
/// `limits` holds every resource with its configured value (port resources as sets of
/// ints; repy's own `wall-time`, `cpu-time` and `output` as `inf` when unlimited). `usage`
/// holds the renewable resources' bucket levels as of their last charge, `cpu` (CPU seconds
/// of the sandbox), `memory` (resident bytes), `threadcpu` (the calling thread's CPU
/// seconds), `diskused` (bytes in the vessel directory), the item counts and the ports
/// checked so far. `stoptimes` lists `(getruntime() at the stop, seconds stopped)`.
#[pyfunction(signature = (*args, **kwargs))]
pub fn getresources<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyTuple>> {
    positional::<0>("getresources", args, kwargs)?;
    let accountant = crate::charge::accountant();
    let (limits_snapshot, usage_snapshot) =
        py.detach(|| (accountant.limits_snapshot(), accountant.usage_snapshot()));
    let limits = PyDict::new(py);
    for (id, value) in &limits_snapshot.amounts {
        match id.kind() {
            // RepyV2 parses quantities and item counts as `int` (programs use them with
            // `range`); rates, `cpu` and repy's run limits (possibly `inf`) stay floats.
            Kind::Quota | Kind::Items if value.is_finite() => {
                limits.set_item(id.key(), *value as u64)?
            }
            _ => limits.set_item(id.key(), *value)?,
        }
    }
    limits.set_item("connport", PySet::new(py, &limits_snapshot.connport)?)?;
    limits.set_item("messport", PySet::new(py, &limits_snapshot.messport)?)?;
    let usage = PyDict::new(py);
    for (id, level) in &usage_snapshot.levels {
        usage.set_item(id.key(), *level)?;
    }
    usage.set_item("cpu", usage_snapshot.cpu)?;
    usage.set_item("memory", usage_snapshot.memory)?;
    usage.set_item("threadcpu", usage_snapshot.threadcpu)?;
    usage.set_item("diskused", usage_snapshot.diskused)?;
    for (id, count) in &usage_snapshot.items {
        usage.set_item(id.key(), *count)?;
    }
    usage.set_item("connport", PySet::new(py, &usage_snapshot.connport)?)?;
    usage.set_item("messport", PySet::new(py, &usage_snapshot.messport)?)?;
    let stops: Vec<(f64, f64)> = usage_snapshot
        .stoptimes
        .iter()
        .map(|s| (s.runtime_at_stop, s.seconds_stopped))
        .collect();
    let stoptimes = PyList::new(py, stops)?;
    PyTuple::new(
        py,
        [limits.into_any(), usage.into_any(), stoptimes.into_any()],
    )
}
