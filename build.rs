//! Links the `repy` binary. CPython is linked statically (see `.cargo/config.toml`); only
//! the test-only real-builtins build exports its symbols, so that the escape tests' attacker
//! can load CPython's extension modules (ctypes, _socket, ...) the product never loads.

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    if std::env::var_os("CARGO_FEATURE_TEST_REAL_BUILTINS").is_some() {
        println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
