//! Records where the build's CPython keeps its standard library, so the sandbox child can
//! initialise the interpreter in isolated mode without consulting the environment, and links
//! test binaries with an rpath to libpython.

use std::process::Command;

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    let config = pyo3_build_config::get();
    let python = config.executable().unwrap_or("python3").to_string();
    let output = Command::new(&python)
        .args([
            "-I",
            "-S",
            "-c",
            "import sys, sysconfig; print(sys.base_prefix); print(sysconfig.get_path('stdlib'))",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} to locate the standard library: {e}"));
    assert!(
        output.status.success(),
        "{python} failed to report its standard library location"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let home = lines.next().unwrap_or_default();
    let stdlib = lines.next().unwrap_or_default();
    assert!(
        !home.is_empty() && !stdlib.is_empty(),
        "{python} printed no standard library location"
    );
    println!("cargo:rustc-env=REPY_PYTHON_HOME={home}");
    println!("cargo:rustc-env=REPY_PYTHON_STDLIB={stdlib}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
}
