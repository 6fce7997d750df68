//! Compiles the trusted Python builders (`src/modules/*.py`) to code objects at build time,
//! with the interpreter `python-link` links (`DEP_PYTHON311_PYTHON`), in its `marshal`
//! format: a run loads them in a fraction of a millisecond instead of compiling some 1,300
//! lines of Python before the program's first line. A build interpreter that fails is a
//! build error that says why.

use std::env;
use std::path::PathBuf;
use std::process::{exit, Command};

/// The trusted builders, by file stem (`src/modules/<stem>.py`).
const BUILDERS: &[&str] = &["stdlib", "packages"];

/// Compiles `argv[1]` as `argv[3]` and writes the marshalled code object to `argv[2]`.
const COMPILE: &str = "import marshal, sys
source, target, name = sys.argv[1:]
with open(source, encoding='utf-8') as handle:
    code = compile(handle.read(), name, 'exec', dont_inherit=True)
with open(target, 'wb') as handle:
    handle.write(marshal.dumps(code))
";

fn main() {
    let python = env::var_os("DEP_PYTHON311_PYTHON").unwrap_or_else(|| {
        eprintln!("error: python-link did not say which interpreter it links");
        exit(1);
    });
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_else(|| {
        eprintln!("error: cargo set no OUT_DIR");
        exit(1);
    }));
    for stem in BUILDERS {
        let source = format!("src/modules/{stem}.py");
        println!("cargo:rerun-if-changed={source}");
        let target = out.join(format!("{stem}.marshal"));
        let status = Command::new(&python)
            .args(["-I", "-S", "-c", COMPILE, &source])
            .arg(&target)
            .arg(format!("repy/modules/{stem}.py"))
            .status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("error: compiling {source} failed ({status})");
                exit(1);
            }
            Err(err) => {
                eprintln!(
                    "error: cannot run {}: {err}",
                    PathBuf::from(&python).display()
                );
                exit(1);
            }
        }
    }
}
