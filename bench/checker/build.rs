//! Lets the binary find the libpython it embeds at run time.

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
