//! Links the `repy` binary and its tests with an rpath to the libpython they embed.

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    println!("cargo:rerun-if-changed=build.rs");
}
