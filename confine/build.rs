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
    let expected: BTreeSet<&str> = FILTER_ORDER.into_iter().collect();
    assert_eq!(
        names, expected,
        "{path}: the filters must be exactly {FILTER_ORDER:?}"
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
    let compiled = seccompiler::compile_from_json(text.as_bytes(), target)
        .unwrap_or_else(|e| panic!("{path}: seccompiler refused the filter: {e}"));

    let placeholders: usize = compiled
        .values()
        .flatten()
        .filter(|insn| insn.k == PID_PLACEHOLDER)
        .map(|insn| {
            assert_eq!(
                insn.code, BPF_JEQ_K,
                "{path}: the pid placeholder may only be compared with eq"
            );
            1
        })
        .sum();
    assert_eq!(
        placeholders, 1,
        "{path}: the pid placeholder must appear exactly once"
    );

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
    let _ = writeln!(src, "/// The filters in installation order.");
    let _ = writeln!(
        src,
        "pub(crate) static FILTERS: Option<&[CompiledFilter]> = Some(&["
    );
    for name in FILTER_ORDER {
        let program = &compiled[name];
        let _ = writeln!(src, "    CompiledFilter {{");
        let _ = writeln!(src, "        name: {name:?},");
        let _ = writeln!(src, "        rules: {},", rule_counts[name]);
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
    let _ = writeln!(src, "]);");
    src
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
