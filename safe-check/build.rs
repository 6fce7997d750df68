//! Refuses, with an explanation, a build that would link the shared libpython: the checker
//! calls CPython's parser at the C level (`_PyParser_ASTFromString`), which only the static
//! library provides. The workspace's `.cargo/config.toml` points pyo3 at a configuration that
//! links nothing itself (the `python-link` crate links the static library); cargo reads that
//! file only when run from inside the repository.

fn main() {
    println!("cargo:rerun-if-env-changed=PYO3_CONFIG_FILE");
    let config = pyo3_build_config::get();
    if config.shared() || !config.suppress_build_script_link_lines() {
        panic!(
            "safe-check needs CPython 3.11 linked statically by the python-link crate, but pyo3 \
             is set to link libpython itself. Run cargo from inside the repository (its \
             .cargo/config.toml sets PYO3_CONFIG_FILE=.cargo/pyo3-static.cfg)."
        );
    }
}
