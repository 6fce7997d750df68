//! Compiles the commented seccomp filter `seccomp/<arch>.json` into BPF at build time, so the
//! sandbox child never parses anything at run time, and links the test binaries (only them) so
//! that the statically linked CPython one test embeds can load its extension modules.
//!
//! The build fails when the data file is malformed: an entry without a `comment`, a filter that
//! is missing or empty, an unknown filter name, a syscall that both has an unconditional entry and
//! conditional ones (seccompiler would silently keep only the conditional ones), or a pid
//! placeholder that does not appear exactly once. A target architecture without a data file
//! builds, but `confine::apply` then fails (or degrades) the seccomp layer: a missing filter is an
//! error, never an open door.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

use serde_json::Value;

/// The filters of a data file, in the order they are installed (see docs/confinement.md). The
/// allow list comes last because it refuses `seccomp()` itself.
const FILTER_ORDER: [&str; 3] = ["deny_kill", "enosys", "allow_list"];

/// The zygote of `repy call --batch` installs these instead: `allow_list_zygote` is
/// `allow_list` with the entries of `zygote_extra` added (fork and seccomp).
const ZYGOTE_ORDER: [&str; 3] = ["deny_kill", "enosys", "allow_list_zygote"];

/// Every filter of the data file: the three above, the zygote's extra entries and the filter
/// each call process of a batch installs on itself (`forbid_fork`, refusing those extras).
const DATA_FILTERS: [&str; 5] = [
    "deny_kill",
    "enosys",
    "allow_list",
    "zygote_extra",
    "forbid_fork",
];

/// The value in the data file that stands for the sandbox's own pid (`tgkill` to itself only).
const PID_PLACEHOLDER: u32 = 0xDEAD_BEEF;

/// BPF_JMP | BPF_JEQ | BPF_K: the only instruction the placeholder may appear in.
const BPF_JEQ_K: u16 = 0x15;

fn main() {
    link_libpython_for_tests();
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=seccomp");

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("seccomp_filters.rs");
    let data = manifest.join("seccomp").join(format!("{arch}.json"));

    let generated = if data.exists() {
        let text = fs::read_to_string(&data)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", data.display()));
        generate(&arch, &data.display().to_string(), &text)
    } else {
        format!(
            "/// No filter exists for this architecture ({arch}).\n\
             pub(crate) const FILTER_ARCH: &str = {arch:?};\n\
             /// No filter exists for this architecture.\n\
             pub(crate) static FILTERS: Option<&[CompiledFilter]> = None;\n\
             /// No filter exists for this architecture.\n\
             pub(crate) static ZYGOTE_FILTERS: Option<&[CompiledFilter]> = None;\n\
             /// No filter exists for this architecture.\n\
             pub(crate) static FORBID_FORK: Option<&[CompiledFilter]> = None;\n\
             /// The pid placeholder (unused without a filter).\n\
             pub(crate) const PID_PLACEHOLDER: u32 = {PID_PLACEHOLDER};\n"
        )
    };
    fs::write(&out, generated).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

/// Validates the data file and returns the Rust source holding its compiled filters.
fn generate(arch: &str, path: &str, text: &str) -> String {
    let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: not JSON: {e}"));
    let filters = doc
        .as_object()
        .unwrap_or_else(|| panic!("{path}: the top level must be an object"));
    let names: BTreeSet<&str> = filters.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = DATA_FILTERS.into_iter().collect();
    assert_eq!(
        names, expected,
        "{path}: the filters must be exactly {DATA_FILTERS:?}"
    );

    let mut rule_counts = BTreeMap::new();
    for (name, filter) in filters {
        let rules = filter["filter"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: filter {name} has no `filter` array"));
        assert!(!rules.is_empty(), "{path}: filter {name} is empty");
        let mut unconditional = BTreeSet::new();
        let mut conditional = BTreeSet::new();
        for rule in rules {
            let syscall = rule["syscall"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: {name}: an entry has no syscall"));
            assert!(
                has_comment(rule),
                "{path}: {name}: the entry for {syscall} has no comment: say why it is there"
            );
            match rule.get("args").and_then(Value::as_array) {
                Some(args) => {
                    for arg in args {
                        assert!(
                            has_comment(arg),
                            "{path}: {name}: a condition on {syscall} has no comment"
                        );
                    }
                    conditional.insert(syscall);
                }
                None => {
                    assert!(
                        unconditional.insert(syscall),
                        "{path}: {name}: {syscall} is listed twice"
                    );
                }
            }
        }
        if let Some(both) = unconditional.intersection(&conditional).next() {
            panic!("{path}: {name}: {both} has both an unconditional entry and conditional ones");
        }
        rule_counts.insert(name.as_str(), rules.len());
    }

    let target: seccompiler::TargetArch = arch.try_into().unwrap_or_else(|e| {
        panic!("{path}: seccompiler does not know the architecture {arch}: {e:?}")
    });
    // The zygote's allow list: allow_list's entries and zygote_extra's, under allow_list's
    // actions; zygote_extra itself is only a list.
    let mut derived = filters.clone();
    let extra = derived
        .remove("zygote_extra")
        .unwrap_or_else(|| panic!("{path}: no zygote_extra"));
    let mut zygote = filters["allow_list"].clone();
    let extra_rules = extra["filter"].as_array().cloned().unwrap_or_default();
    if let Some(rules) = zygote["filter"].as_array_mut() {
        for rule in &extra_rules {
            let syscall = &rule["syscall"];
            let unconditional_here = rules
                .iter()
                .any(|r| &r["syscall"] == syscall && r.get("args").is_none());
            assert!(
                !unconditional_here,
                "{path}: zygote_extra adds {syscall}, which allow_list already allows"
            );
        }
        rules.extend(extra_rules.iter().cloned());
    }
    rule_counts.insert(
        "allow_list_zygote",
        rule_counts["allow_list"] + extra_rules.len(),
    );
    derived.insert("allow_list_zygote".to_owned(), zygote);
    let derived_text = Value::Object(derived).to_string();
    let compiled = seccompiler::compile_from_json(derived_text.as_bytes(), target)
        .unwrap_or_else(|e| panic!("{path}: seccompiler refused the filter: {e}"));

    for (name, program) in &compiled {
        let placeholders = program
            .iter()
            .filter(|insn| insn.k == PID_PLACEHOLDER)
            .inspect(|insn| {
                assert_eq!(
                    insn.code, BPF_JEQ_K,
                    "{path}: the pid placeholder may only be compared with eq"
                );
            })
            .count();
        let expected = usize::from(name.starts_with("allow_list"));
        assert_eq!(
            placeholders, expected,
            "{path}: the pid placeholder must appear exactly once, in allow_list ({name})"
        );
    }

    let mut src = String::new();
    let _ = writeln!(
        src,
        "// Generated by build.rs from {path}; edit the JSON, not this file."
    );
    let _ = writeln!(src, "/// The architecture the filters were compiled for.");
    let _ = writeln!(src, "pub(crate) const FILTER_ARCH: &str = {arch:?};");
    let _ = writeln!(
        src,
        "/// The value standing for the sandbox's own pid in the compiled filters."
    );
    let _ = writeln!(
        src,
        "pub(crate) const PID_PLACEHOLDER: u32 = {PID_PLACEHOLDER};"
    );
    for (doc, constant, order) in [
        (
            "The filters in installation order.",
            "FILTERS",
            &FILTER_ORDER[..],
        ),
        (
            "The zygote's filters (`repy call --batch`) in installation order.",
            "ZYGOTE_FILTERS",
            &ZYGOTE_ORDER[..],
        ),
        (
            "The filter each call process of a batch installs on itself.",
            "FORBID_FORK",
            &["forbid_fork"][..],
        ),
    ] {
        let _ = writeln!(src, "/// {doc}");
        let _ = writeln!(
            src,
            "pub(crate) static {constant}: Option<&[CompiledFilter]> = Some(&["
        );
        for name in order {
            write_filter(&mut src, name, rule_counts[name], &compiled[*name]);
        }
        let _ = writeln!(src, "]);");
    }
    src
}

/// Appends one compiled filter as a `CompiledFilter` literal.
fn write_filter(src: &mut String, name: &str, rules: usize, program: &[seccompiler::sock_filter]) {
    let _ = writeln!(src, "    CompiledFilter {{");
    let _ = writeln!(src, "        name: {name:?},");
    let _ = writeln!(src, "        rules: {rules},");
    let _ = writeln!(src, "        program: &[");
    for insn in program {
        let _ = writeln!(
            src,
            "            Insn {{ code: {:#06x}, jt: {}, jf: {}, k: {:#010x} }},",
            insn.code, insn.jt, insn.jf, insn.k
        );
    }
    let _ = writeln!(src, "        ],");
    let _ = writeln!(src, "    }},");
}

/// Lets the embedded-Python test load CPython's extension modules (`_socket`, ...): CPython is
/// linked statically (see the workspace's `.cargo/config.toml`), so the test binary must
/// export its symbols for them. Only the test binaries; the library links no Python.
fn link_libpython_for_tests() {
    println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic");
}

/// Whether a JSON entry carries a non-empty `comment`.
fn has_comment(entry: &Value) -> bool {
    entry
        .get("comment")
        .and_then(Value::as_str)
        .is_some_and(|c| !c.trim().is_empty())
}
