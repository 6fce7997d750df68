//! The sandbox child: initialise CPython, build the namespace, check and run the program.
//!
//! Runs only in the forked child; its return value becomes the child's exit code, which the
//! supervisor maps to the run's [`ExitStatus`].

use pyo3::Python;

use crate::exit::ExitStatus;
use crate::job::Mode;
use nanny::handoff::{Handoff, Slot};

/// Everything the child needs, prepared by the parent before the fork.
#[derive(Debug)]
pub struct ChildPlan {
    /// The program's source, already decoded from UTF-8.
    pub source: String,
    /// The program's name as given on the command line (tracebacks show it).
    pub filename: String,
    /// Run, evaluate or call.
    pub mode: crate::job::Mode,
    /// The program's arguments.
    pub callargs: Vec<String>,
    /// Print RepyV2's `--execinfo` banner before running.
    pub execinfo: bool,
    /// The policy, and with it the profile the program runs under ([`ChildPlan::profile`]).
    pub policy: restrictions::Restrictions,
    /// The child's clone of the accounting page.
    pub page: nanny::SharedPage,
    /// The absolute vessel directory.
    pub vessel: std::path::PathBuf,
    /// Confinement layers the user allows to be missing.
    pub allow_degraded: Vec<confine::Layer>,
    /// Where the child reports its confinement to the supervisor.
    pub handoff: Handoff,
    /// TEST ONLY: run with the real builtins and no checker.
    #[cfg(feature = "test-real-builtins")]
    pub test_real_builtins: bool,
}

/// The confinement plan of a run: the vessel directory, the granted TCP ports, a network
/// namespace when the policy grants no port at all, and rlimit backstops.
fn confine_plan(plan: &ChildPlan) -> confine::ConfinePlan {
    use restrictions::ResourceId;
    let policy = &plan.policy;
    let count = |id: ResourceId| {
        let value = policy.limit(id);
        if value.is_finite() && value > 0.0 {
            value as u64
        } else {
            0
        }
    };
    let network = !(policy.connport().is_empty() && policy.messport().is_empty());
    confine::ConfinePlan {
        vessel_dir: plan.vessel.clone(),
        tcp_bind_ports: policy.connport().iter().copied().collect(),
        tcp_connect_any: network,
        network,
        // The program's own handles, plus the interpreter's and stdio's few.
        max_open_files: count(ResourceId::Filesopened)
            + count(ResourceId::Insockets)
            + 2 * count(ResourceId::Outsockets)
            + 32,
        // A kernel backstop above the disk quota: the supervisor kills at the quota itself
        // (RepyV2's contract, exit 98); the margin leaves it room to see the crossing first,
        // and a runaway writer still stops at twice the quota.
        max_file_size: count(ResourceId::Diskused)
            .saturating_mul(2)
            .saturating_add(1 << 20),
        // The nanny sets its own address-space backstop when it has no cgroup.
        max_address_space: None,
        allow_degraded: plan.allow_degraded.clone(),
        keep_fds: Vec::new(),
        zygote: false,
    }
}

/// What a sandbox child builds before confinement: the interpreter's namespace for the
/// policy's profile, the policy's modules and packages imported, the checker prepared. A
/// child does it after the fork; a pool host once for all its pools' zygotes
/// ([`crate::preinit`]).
pub(crate) struct Build<'a> {
    /// The policy: its profile, modules and packages.
    pub(crate) policy: &'a restrictions::Restrictions,
    /// The program's arguments.
    pub(crate) callargs: &'a [String],
    /// The program's source (what it imports lazily, whether it names `__future__` or
    /// characters by name); empty for a zygote, whose requests come later.
    pub(crate) source: &'a str,
    /// A batch's or a pool's zygote: its requests' sources come after confinement.
    pub(crate) zygote: bool,
    /// TEST ONLY: the real builtins and no checker.
    pub(crate) unrestricted: bool,
}

impl Build<'_> {
    /// Builds; on failure, the message to print (the run is then an internal error).
    pub(crate) fn run(&self, py: Python<'_>) -> Result<api::program::Prepared, String> {
        let prepared = if self.unrestricted {
            #[cfg(feature = "test-real-builtins")]
            {
                api::program::Prepared::unrestricted(py)
            }
            #[cfg(not(feature = "test-real-builtins"))]
            unreachable!()
        } else {
            api::program::Prepared::for_profile(
                py,
                self.callargs,
                crate::profile::checker_profile(self.policy.profile()),
            )
        }
        .map_err(|err| format!("repy: internal error while setting up the sandbox: {err}\n"))?;
        // The policy's modules (and `__future__` when the program may name it) and packages,
        // imported now: once confined, nothing is read from the standard library or
        // `site-packages`.
        if let (Some(settings), false) = (self.policy.python(), self.unrestricted) {
            let modules: Vec<String> = settings.modules().iter().cloned().collect();
            let packages: Vec<String> = settings.packages().iter().cloned().collect();
            let imports = api::modules::Imports {
                modules: &modules,
                // A zygote's requests come after confinement: it prepares `__future__`
                // whatever they will say.
                future: self.zygote || self.source.contains("__future__"),
                packages: settings
                    .site_packages()
                    .map(|dir| (dir, packages.as_slice())),
                source: self.source,
            };
            api::modules::prepare(py, &imports)
                .map_err(|err| format!("repy: internal error: {err}\n"))?;
        }
        // Prepare the checker (version check, the parser's `unicodedata`) before confinement:
        // CPython's own `unicodedata` when the source names characters (`\N{...}`), and in a
        // zygote always (its requests' sources come after confinement).
        if !self.unrestricted {
            let names = if self.zygote { "\\N{" } else { self.source };
            api::modules::prepare_parser_names(py, names)
                .map_err(|err| format!("repy: internal error: {err}\n"))?;
        }
        safe_check::prepare(py).map_err(|failure| {
            format!("repy: internal error: the checker cannot start: {failure}\n")
        })?;
        Ok(prepared)
    }
}

/// Writes `text` to standard error, unbuffered.
pub(crate) fn eprint_raw(text: &str) {
    api::output::write_stderr(text.as_bytes());
}

/// Runs the sandbox side of a run and returns the exit code for the child process.
///
/// The nanny has already set up the process (`nanny::process`): stdin on `/dev/null`
/// (`nanny::Stdin::Null`, the supervisor's default), `SIGXFSZ` ignored, so that a write past
/// the file-size backstop fails with `EFBIG`, and an empty environment.
pub fn run(plan: ChildPlan, gate: &mut nanny::Gate) -> i32 {
    // A Rust panic anywhere in the sandbox is an internal error: end at once (exit 125)
    // rather than let pyo3 turn it into a PanicException the program could catch, hold and
    // raise again.
    std::panic::set_hook(Box::new(|info| {
        eprint_raw(&format!(
            "---\nInternal Error\n---\nrepy: internal error (a panic in the sandbox): {info}\n"
        ));
        nanny::exit::exit_now(ExitStatus::InternalError)
    }));
    // A stack overflow in any thread of the program ends the run with its own verdict
    // (`stack-overflow`), not as a crash. Before confinement: it reads /proc/self/maps.
    if let Err(err) = api::stack::install_for_main_thread() {
        eprint_raw(&format!(
            "repy: internal error: cannot set up stack-overflow handling: {err}\n"
        ));
        return i32::from(ExitStatus::InternalError.code());
    }
    #[cfg(feature = "test-real-builtins")]
    let unrestricted = plan.test_real_builtins;
    #[cfg(not(feature = "test-real-builtins"))]
    let unrestricted = false;
    // A warm pool's zygote forked from a pool host finds its interpreter built already
    // (crate::preinit); any other child builds its own.
    let preinitialized = if unrestricted {
        None
    } else {
        match crate::preinit::take(&plan.policy) {
            Ok(found) => found,
            Err(message) => {
                eprint_raw(&format!("repy: internal error: {message}\n"));
                return i32::from(ExitStatus::InternalError.code());
            }
        }
    };
    if preinitialized.is_none() {
        if let Err(err) = api::interpreter::initialize_isolated() {
            eprint_raw(&format!("repy: internal error: {err}\n"));
            return i32::from(ExitStatus::InternalError.code());
        }
    }
    let accountant = nanny::Accountant::new(plan.page.clone(), &plan.policy, ".");
    if accountant
        .acquire(nanny::Item::EVENTS, api::threads::MAIN_EVENT)
        .is_err()
    {
        eprint_raw("repy: the main program cannot get its `events` item\n");
        return i32::from(ExitStatus::InternalError.code());
    }
    api::charge::install(accountant);
    let status = Python::attach(|py| -> pyo3::PyResult<ExitStatus> {
        // A batch's zygote keeps its control channel, and may fork one process per call.
        let control = gate.take_control();
        let prepared = match preinitialized {
            Some(prepared) => prepared,
            None => {
                let build = Build {
                    policy: &plan.policy,
                    callargs: &plan.callargs,
                    source: &plan.source,
                    zygote: control.is_some(),
                    unrestricted,
                };
                match build.run(py) {
                    Ok(prepared) => prepared,
                    Err(message) => {
                        eprint_raw(&message);
                        return Ok(ExitStatus::InternalError);
                    }
                }
            }
        };
        let mut confinement = confine_plan(&plan);
        confinement.keep_fds.extend(gate.fd());
        if let Some(control) = &control {
            confinement.keep_fds.extend(control.fds());
            confinement.zygote = true;
        }
        if let Some(ring) = gate.take_output() {
            confinement.keep_fds.push(ring.fd());
            api::output::install_ring(ring);
        }
        if let Some(broker) = gate.take_broker() {
            confinement
                .keep_fds
                .push(std::os::fd::AsRawFd::as_raw_fd(&broker));
            api::net::install_broker(broker);
        }
        match confine::apply(&confinement) {
            Ok(status) => {
                // The API counts its descriptors below the limit actually in force (the
                // plan's, or a lower hard limit the caller set).
                let (soft, _) =
                    nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
                        .unwrap_or((confinement.max_open_files, confinement.max_open_files));
                api::descriptors::install(soft.min(confinement.max_open_files));
                plan.handoff.write(
                    Slot::Confinement,
                    &crate::report::confinement_applied(&status),
                );
            }
            Err(err) => {
                let mut text =
                    format!("repy: cannot confine the sandbox, so nothing was run: {err}\n");
                if let Some(layer) = err.layer() {
                    text.push_str(&format!("repy: run `repy doctor` to see what this machine supports; `--allow-degraded {}` runs without that layer\n", layer.key()));
                }
                plan.handoff
                    .write(Slot::Confinement, &crate::report::confinement_failed(&err));
                eprint_raw(&text);
                return Ok(ExitStatus::ConfinementUnavailable);
            }
        }
        // Everything above overlapped the supervisor's set-up; nothing untrusted is parsed
        // or run before it is watching.
        py.detach(|| gate.wait());
        if plan.execinfo {
            let banner = "=".repeat(40);
            let text = format!(
                "{banner}\nRunning program: {}\nArguments: {:?}\n{banner}\n",
                plan.filename, plan.callargs
            );
            api::output::write_stdout(py, text.as_bytes());
        }
        let mut refused = None;
        let options = crate::profile::checker_options(&plan.policy);
        // `doctest` checks each example against the same options as the program.
        api::doctest_support::set_checker_options(&options);
        let check = |py: Python<'_>, source: &str, filename: &str| {
            if unrestricted {
                Ok(None)
            } else {
                crate::refusal::violations(py, source, filename, &options, &mut refused)
            }
        };
        if matches!(plan.mode, Mode::Call(_) | Mode::Batch) {
            prepared.set_module_name(py, &module_name(&plan.filename))?;
        }
        let step = match &plan.mode {
            Mode::Run => api::program::Step::Run,
            Mode::Expression => api::program::Step::Expression,
            Mode::Call(call) => api::program::Step::Call {
                function: call.function.clone(),
                args: call.args.clone(),
                kwargs: call.kwargs.clone(),
            },
            Mode::Batch | Mode::Pool => {
                let outcome = prepared.run(py, &plan.source, &plan.filename, check)?;
                if !matches!(outcome, api::program::Outcome::Finished(_)) {
                    return Ok(record(py, &plan.handoff, outcome, refused));
                }
                if let Some(shared) = sockets_left_open(py, &plan) {
                    return Ok(record(py, &plan.handoff, shared, None));
                }
                let Some(control) = control else {
                    eprint_raw("repy: internal error: a batch without its control channel\n");
                    return Ok(ExitStatus::InternalError);
                };
                return Ok(crate::zygote::serve_calls(py, &plan, &prepared, &control));
            }
        };
        let outcome = prepared.run_step(py, &plan.source, &plan.filename, &step, check)?;
        Ok(record(py, &plan.handoff, outcome, refused))
    });
    match status {
        Ok(status) => i32::from(status.code()),
        Err(err) => {
            eprint_raw(&format!(
                "repy: internal error while setting up the sandbox: {err}\n"
            ));
            i32::from(ExitStatus::InternalError.code())
        }
    }
}

/// A batch's top level that leaves sockets open would have every call share them (a message
/// queued by one call read by the next): it ends as a `RuntimeError` saying so.
fn sockets_left_open(py: Python<'_>, plan: &ChildPlan) -> Option<api::program::Outcome> {
    let open = plan.page.item_counts(nanny::Item::INSOCKETS).current
        + plan.page.item_counts(nanny::Item::OUTSOCKETS).current;
    if open == 0 {
        return None;
    }
    let error = pyo3::exceptions::PyRuntimeError::new_err(format!(
        "the top level of a batch left {open} socket{} open, which every call would share; \
         open sockets in the function each call runs, or close them before the top level ends",
        if open == 1 { "" } else { "s" }
    ));
    let (text, summary) = api::traceback::report(py, &error, &plan.filename, &plan.source);
    Some(api::program::Outcome::UncaughtException(text, summary))
}

/// Records how the program (or one call) ended for the report, in the hand-off page, and
/// prints its refusal or traceback: written by this process after the program has run, so
/// the program can only ever spoil its own run's entries. Returns the exit status.
pub(crate) fn record(
    py: Python<'_>,
    handoff: &Handoff,
    outcome: api::program::Outcome,
    refused: Option<serde_json::Value>,
) -> ExitStatus {
    match outcome {
        api::program::Outcome::Finished(value) => {
            if let Some(value) = value {
                handoff.write(Slot::Value, &value.to_string());
            }
            ExitStatus::Finished
        }
        api::program::Outcome::Unsafe(text) => {
            let summary = refused.unwrap_or_else(|| {
                // Refused at compile time, after the checker: no violation list.
                let first = text.lines().next().unwrap_or_default();
                serde_json::json!({
                    "message": first.chars().take(500).collect::<String>(),
                    "violations": {"count": 0, "items": []},
                })
            });
            handoff.write(Slot::Outcome, &summary.to_string());
            api::output::write_stderr_charged(py, text.as_bytes());
            ExitStatus::Unsafe
        }
        api::program::Outcome::UncaughtException(text, summary) => {
            let report = serde_json::json!({
                "message": format!("{}: {}", summary.class, summary.message),
                "exception": {
                    "class": summary.class,
                    "message": summary.message,
                    "traceback": summary.frames,
                    "frame_count": summary.frame_count,
                },
            });
            handoff.write(Slot::Outcome, &report.to_string());
            api::output::write_stderr_charged(py, text.as_bytes());
            ExitStatus::UncaughtException
        }
    }
}

/// The `__name__` of a program whose functions are called (`repy call`, batches): as
/// `import` would name it, its file's stem (`solution` for `solution.py`), or `program`
/// when that is no identifier (source text, `my-file.py`).
pub(crate) fn module_name(filename: &str) -> String {
    let stem = std::path::Path::new(filename)
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or("");
    let identifier = stem
        .chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && stem.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    if identifier && stem != "__main__" {
        stem.to_owned()
    } else {
        "program".to_owned()
    }
}

#[cfg(test)]
mod module_name_tests {
    #[test]
    fn called_programs_are_named_as_import_would_name_them() {
        assert_eq!(super::module_name("dir/solution.py"), "solution");
        assert_eq!(super::module_name("<string>"), "program");
        assert_eq!(super::module_name("my-file.py"), "program");
        assert_eq!(super::module_name("__main__.py"), "program");
    }
}
