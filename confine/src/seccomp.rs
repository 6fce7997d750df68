//! Layer `seccomp`: the allow-list compiled from `confine/seccomp/<arch>.json` by build.rs.
//!
//! Three filters are stacked, in this order (the kernel runs every filter and the most severe
//! verdict wins: kill, then errno, then allow; between two errno verdicts the newest filter's
//! wins):
//! 1. `deny_kill`: kills the process on flagrant calls (execve, ptrace, mount, bpf, ...);
//! 2. `enosys`: answers `ENOSYS` to `clone3`, so glibc falls back to `clone`, whose flags the
//!    allow list can inspect (clone3 keeps them in memory, out of a filter's sight);
//! 3. `allow_list`: allows what CPython and the API need, answers `EPERM` to everything else.
//!    It is installed last because it refuses `seccomp()` itself; it lets `clone3` through so
//!    that the older `enosys` filter's answer stands.

use crate::error::ConfineError;
use crate::status::LayerOutcome;
use crate::{sys, Done, Layer};

/// One BPF instruction as build.rs emits it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Insn {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

/// One compiled filter of the data file.
#[derive(Debug)]
pub(crate) struct CompiledFilter {
    /// The filter's name in the data file.
    pub(crate) name: &'static str,
    /// How many entries the data file lists for it.
    pub(crate) rules: usize,
    /// The BPF program.
    program: &'static [Insn],
}

include!(concat!(env!("OUT_DIR"), "/seccomp_filters.rs"));

/// `BPF_JMP | BPF_JEQ | BPF_K`.
const BPF_JEQ_K: u16 = 0x15;

/// The filters, ready to install: copied and with the pid placeholder replaced.
#[derive(Debug)]
pub(crate) struct Prepared {
    programs: Vec<(&'static str, Vec<libc::sock_filter>)>,
    rules: usize,
}

impl Prepared {
    /// How many data-file entries the filters hold.
    pub(crate) fn rules(&self) -> usize {
        self.rules
    }
}

/// The number of entries in the data file, and the filters' names in installation order.
#[cfg(test)]
pub(crate) fn summary() -> Option<(usize, Vec<&'static str>)> {
    FILTERS.map(|filters| {
        (
            filters.iter().map(|f| f.rules).sum(),
            filters.iter().map(|f| f.name).collect(),
        )
    })
}

/// Copies the compiled filters (the zygote's when `zygote`) and writes `pid` where the data
/// file says "own pid".
pub(crate) fn prepare(pid: libc::pid_t, zygote: bool) -> Result<Prepared, ConfineError> {
    let filters = if zygote { ZYGOTE_FILTERS } else { FILTERS };
    let filters = filters.ok_or(ConfineError::SeccompNoFilter { arch: FILTER_ARCH })?;
    let pid = u32::try_from(pid).map_err(|_| ConfineError::SeccompPlaceholder { found: 0 })?;
    let mut found = 0;
    let mut programs = Vec::with_capacity(filters.len());
    for filter in filters {
        let program: Vec<libc::sock_filter> = filter
            .program
            .iter()
            .map(|insn| {
                let k = if insn.code == BPF_JEQ_K && insn.k == PID_PLACEHOLDER {
                    found += 1;
                    pid
                } else {
                    insn.k
                };
                libc::sock_filter {
                    code: insn.code,
                    jt: insn.jt,
                    jf: insn.jf,
                    k,
                }
            })
            .collect();
        programs.push((filter.name, program));
    }
    if found != 1 {
        return Err(ConfineError::SeccompPlaceholder { found });
    }
    Ok(Prepared {
        programs,
        rules: filters.iter().map(|f| f.rules).sum(),
    })
}

/// Installs the prepared filters, in order, on the calling thread; returns the name of the filter
/// that failed with the error. Makes system calls only (no allocation), so a forked child of a
/// threaded process may call it.
pub(crate) fn install_raw(prepared: &mut Prepared) -> Result<(), (&'static str, std::io::Error)> {
    for (name, program) in &mut prepared.programs {
        sys::seccomp_install(program).map_err(|e| (*name, e))?;
    }
    Ok(())
}

/// Installs the prepared filters on the calling (only) thread.
pub(crate) fn install(prepared: &mut Prepared) -> Result<Done, ConfineError> {
    install_raw(prepared).map_err(|(name, e)| {
        ConfineError::os(
            Layer::Seccomp,
            format!("installing seccomp filter {name}"),
            e,
        )
    })?;
    let names: Vec<&str> = prepared.programs.iter().map(|(name, _)| *name).collect();
    Ok(Done {
        outcome: LayerOutcome::Applied,
        detail: format!(
            "{} rules in filters {} ({FILTER_ARCH}); default EPERM",
            prepared.rules,
            names.join(", ")
        ),
    })
}

/// In a process forked by the zygote of `repy call --batch`: installs `forbid_fork`, which
/// refuses again what the zygote's filter added to the allow list (a new process, another
/// filter), so the call runs under exactly the allow list of any run.
pub fn forbid_fork() -> Result<(), ConfineError> {
    let filter = FORBID_FORK
        .and_then(|filters| filters.first())
        .ok_or(ConfineError::SeccompNoFilter { arch: FILTER_ARCH })?;
    let mut program: Vec<libc::sock_filter> = filter
        .program
        .iter()
        .map(|insn| libc::sock_filter {
            code: insn.code,
            jt: insn.jt,
            jf: insn.jf,
            k: insn.k,
        })
        .collect();
    sys::seccomp_install(&mut program)
        .map_err(|e| ConfineError::os(Layer::Seccomp, "installing seccomp filter forbid_fork", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The data file the filters were compiled from, for checks that read it directly.
    const DATA: &str = include_str!("../seccomp/x86_64.json");

    #[test]
    fn seccomp_every_entry_has_a_comment() {
        let doc: serde_json::Value = serde_json::from_str(DATA).expect("the data file is JSON");
        let mut missing = Vec::new();
        for (name, filter) in doc.as_object().expect("an object of filters") {
            for rule in filter["filter"].as_array().expect("a filter array") {
                let syscall = rule["syscall"].as_str().unwrap_or("?");
                let commented = |v: &serde_json::Value| {
                    v["comment"].as_str().is_some_and(|c| !c.trim().is_empty())
                };
                if !commented(rule) {
                    missing.push(format!("{name}/{syscall}"));
                }
                for arg in rule["args"].as_array().into_iter().flatten() {
                    if !commented(arg) {
                        missing.push(format!(
                            "{name}/{syscall} condition on argument {}",
                            arg["index"]
                        ));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "entries without a comment: {missing:?}");
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn seccomp_filters_compiled_in_order_with_one_placeholder() {
        let (rules, names) = summary().expect("x86_64 has a filter");
        assert_eq!(names, ["deny_kill", "enosys", "allow_list"]);
        let doc: serde_json::Value = serde_json::from_str(DATA).expect("the data file is JSON");
        let listed: usize = ["deny_kill", "enosys", "allow_list"]
            .iter()
            .map(|f| doc[f]["filter"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(rules, listed);
        let prepared = prepare(4242, false).expect("placeholder found once");
        let patched = prepared
            .programs
            .iter()
            .flat_map(|(_, p)| p.iter())
            .filter(|insn| insn.code == BPF_JEQ_K && insn.k == 4242)
            .count();
        assert!(patched >= 1);
        assert!(prepared.programs.iter().all(|(_, p)| !p.is_empty()));
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn seccomp_forbid_fork_refuses_exactly_what_the_zygote_was_allowed_on_top() {
        let doc: serde_json::Value = serde_json::from_str(DATA).expect("the data file is JSON");
        let entries = |filter: &str| -> Vec<(String, String)> {
            doc[filter]["filter"]
                .as_array()
                .expect("a filter array")
                .iter()
                .map(|r| {
                    let conditions: Vec<String> = r["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| format!("{}{}{}", a["index"], a["op"], a["val"]))
                        .collect();
                    (
                        r["syscall"].as_str().unwrap_or("?").to_owned(),
                        conditions.join(","),
                    )
                })
                .collect()
        };
        let extra = entries("zygote_extra");
        let forbidden = entries("forbid_fork");
        assert!(!extra.is_empty());
        for entry in &extra {
            assert!(
                forbidden.contains(entry),
                "{entry:?} is not refused again in calls"
            );
        }
        assert_eq!(
            doc["forbid_fork"]["match_action"],
            serde_json::json!({"errno": 1})
        );
        // The zygote's filters compile, with the placeholder once, and the allow list grew by
        // exactly the extras.
        let zygote = prepare(4242, true).expect("zygote filters");
        let (run_rules, _) = summary().expect("x86_64 has a filter");
        assert_eq!(zygote.rules(), run_rules + extra.len());
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn seccomp_flagrant_calls_are_killed_not_allowed() {
        let doc: serde_json::Value = serde_json::from_str(DATA).expect("the data file is JSON");
        let names = |filter: &str| -> Vec<String> {
            doc[filter]["filter"]
                .as_array()
                .expect("a filter array")
                .iter()
                .filter_map(|r| r["syscall"].as_str().map(str::to_string))
                .collect()
        };
        let killed = names("deny_kill");
        let allowed = names("allow_list");
        for flagrant in [
            "execve",
            "execveat",
            "ptrace",
            "mount",
            "umount2",
            "pivot_root",
            "unshare",
            "setns",
            "bpf",
            "keyctl",
            "add_key",
            "request_key",
            "perf_event_open",
            "process_vm_readv",
            "process_vm_writev",
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "reboot",
            "swapon",
            "swapoff",
            "userfaultfd",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "open_by_handle_at",
            "name_to_handle_at",
            "iopl",
            "ioperm",
            "chroot",
            "personality",
        ] {
            assert!(
                killed.iter().any(|k| k == flagrant),
                "{flagrant} is not in deny_kill"
            );
            assert!(
                !allowed.iter().any(|a| a == flagrant),
                "{flagrant} is in allow_list"
            );
        }
        for refused in [
            "fork",
            "vfork",
            "kill",
            "tkill",
            "memfd_create",
            "mknod",
            "mknodat",
            "chmod",
            "fchmod",
            "fchmodat",
            "chown",
            "fchown",
            "lchown",
            "fchownat",
            "link",
            "linkat",
            "symlink",
            "symlinkat",
            "rename",
            "renameat",
            "renameat2",
            "mkdir",
            "mkdirat",
            "rmdir",
            "socketpair",
            "setxattr",
            "utimensat",
            "open",
            "openat2",
            "readlink",
            "readlinkat",
            "access",
            "faccessat",
            "faccessat2",
            "setuid",
            "setresuid",
            "capset",
            "setrlimit",
            "seccomp",
            "landlock_restrict_self",
            "pidfd_open",
            "pidfd_send_signal",
            "rt_sigqueueinfo",
            "rt_tgsigqueueinfo",
        ] {
            assert!(
                !allowed.iter().any(|a| a == refused),
                "{refused} must not be in allow_list"
            );
        }
    }
}
