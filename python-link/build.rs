//! Finds a CPython 3.11 with its static library and emits the link directives for it (see
//! `src/lib.rs` for the rules). Every failure explains how to get a suitable interpreter.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{exit, Command};

/// What `sysconfig` says about the interpreter, one value per line, in this order.
const QUERY: &str = "import sys, sysconfig
print('%d.%d' % sys.version_info[:2])
print(sys.implementation.name)
print(sys.base_prefix)
print(sysconfig.get_path('stdlib'))
for key in ('LIBPL', 'LIBRARY', 'LIBS', 'SYSLIBS', 'MODLIBS'):
    print(sysconfig.get_config_var(key) or '')
";

const HOW_TO_GET_ONE: &str = "repy links CPython 3.11 statically and needs an interpreter with its static \
library: on Debian/Ubuntu `apt install python3.11-dev`; with pyenv `pyenv install 3.11` (the default \
build ships libpython3.11.a). Name it with REPY_PYTHON=/path/to/python3.11 (or PYO3_PYTHON) if \
`python3.11` on PATH is not the one.";

fn fail(message: &str) -> ! {
    eprintln!("error: {message}\n\n{HOW_TO_GET_ONE}");
    exit(1);
}

/// The interpreter to ask: `REPY_PYTHON`, `PYO3_PYTHON`, else `python3.11` on PATH.
fn interpreter() -> PathBuf {
    for var in ["REPY_PYTHON", "PYO3_PYTHON"] {
        println!("cargo:rerun-if-env-changed={var}");
        if let Some(value) = env::var_os(var).filter(|v| !v.is_empty()) {
            return PathBuf::from(value);
        }
    }
    println!("cargo:rerun-if-env-changed=PATH");
    env::var_os("PATH")
        .and_then(|path| {
            env::split_paths(&path)
                .map(|dir| dir.join("python3.11"))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_else(|| {
            fail("no `python3.11` on PATH and neither REPY_PYTHON nor PYO3_PYTHON is set")
        })
}

/// The static library to link: the `-pic` variant where the installation has one.
fn static_library(libpl: &Path, library: &str) -> (PathBuf, String) {
    let pic = libpl.join("libpython3.11-pic.a");
    if pic.is_file() {
        return (pic, "python3.11-pic".to_string());
    }
    let plain = libpl.join(library);
    let name = library
        .strip_prefix("lib")
        .and_then(|rest| rest.strip_suffix(".a"))
        .map(str::to_string);
    match name {
        Some(name) if plain.is_file() => (plain, name),
        _ => fail(&format!(
            "the CPython 3.11 found has no static library ({} does not exist)",
            plain.display()
        )),
    }
}

fn main() {
    let python = interpreter();
    let output = Command::new(&python)
        .args(["-I", "-S", "-c", QUERY])
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run {}: {e}", python.display())));
    if !output.status.success() {
        fail(&format!(
            "{} failed: {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let values: Vec<&str> = text.lines().collect();
    let [version, implementation, home, stdlib, libpl, library, libs @ ..] = values.as_slice()
    else {
        fail(&format!(
            "{} printed unexpected sysconfig output",
            python.display()
        ));
    };
    if *version != "3.11" || *implementation != "cpython" {
        fail(&format!(
            "{} is {implementation} {version}; repy embeds CPython 3.11",
            python.display()
        ));
    }
    let libpl = PathBuf::from(libpl);
    let (archive, link_name) = static_library(&libpl, library);
    println!("cargo:rerun-if-changed={}", archive.display());
    println!("cargo:rustc-link-search=native={}", libpl.display());
    println!("cargo:rustc-link-lib=static={link_name}");
    // The system libraries the archive's objects need, each once, in the order given.
    let mut seen: Vec<&str> = Vec::new();
    for word in libs.iter().flat_map(|line| line.split_whitespace()) {
        if let Some(dir) = word.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = word.strip_prefix("-l") {
            if !seen.contains(&lib) {
                seen.push(lib);
                println!("cargo:rustc-link-lib={lib}");
            }
        }
    }
    // Where the library came from (for bug reports), and where its standard library lives:
    // the sandbox child initialises the interpreter in isolated mode from these, without
    // consulting the environment.
    println!("cargo:rustc-env=REPY_PYTHON_ARCHIVE={}", archive.display());
    println!("cargo:rustc-env=REPY_PYTHON_HOME={home}");
    println!("cargo:rustc-env=REPY_PYTHON_STDLIB={stdlib}");
    // The interpreter itself, for dependents' build scripts (`DEP_PYTHON311_PYTHON`).
    println!("cargo:python={}", python.display());
}
