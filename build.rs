//! Links the `repy` binary. CPython is linked statically (the `python-link` crate); only the
//! test-only real-builtins build exports its symbols, so that the escape tests' attacker can
//! load CPython's extension modules (ctypes, _socket, ...) the product never loads.

fn main() {
    if std::env::var_os("CARGO_FEATURE_TEST_REAL_BUILTINS").is_some() {
        println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
