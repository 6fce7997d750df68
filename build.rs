//! Links the `repy` binary. CPython is linked statically (the `python-link` crate), and the
//! binaries export its symbols: the python profile imports the modules a policy lists before
//! confinement, and where the build's CPython keeps them as shared objects in `lib-dynload`
//! (pyenv's `math`, `_random`, `_json`, …) they link against the interpreter in the binary.
//! Nothing is loaded after confinement (Landlock leaves the standard library out of reach).
//!
//! The binaries are linked as position-dependent executables (`-no-pie`, as Debian links its
//! own `python3.11`): a position-independent one had the dynamic linker apply some 42,000
//! relocations at every start, writing (and so copying) every page of CPython's static type
//! objects and method tables, about 1.3 ms of each run's 11. What address randomisation of
//! the binary would have hidden is no secret from a program anyway: `id(int)` is the address
//! of a static type object. Libraries, stack and heap stay randomised.

fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic");
    println!("cargo:rustc-link-arg-bins=-no-pie");
    println!("cargo:rustc-link-arg-bins=-Wl,-z,max-page-size=0x200000");
    println!("cargo:rustc-link-arg-bins=-Wl,-z,separate-loadable-segments");
    println!("cargo:rerun-if-changed=build.rs");
}
