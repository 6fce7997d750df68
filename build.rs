//! Links the `repy` binary. CPython is linked statically (the `python-link` crate), and the
//! binaries export its symbols: the python profile imports the modules a policy lists before
//! confinement, and where the build's CPython keeps them as shared objects in `lib-dynload`
//! (pyenv's `math`, `_random`, `_json`, …) they link against the interpreter in the binary.
//! Nothing is loaded after confinement (Landlock leaves the standard library out of reach).

fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic");
    println!("cargo:rerun-if-changed=build.rs");
}
