//! Compiles the trusted Python builders (`src/modules/*.py`) to code objects at build time,
//! with the interpreter `python-link` links (`DEP_PYTHON311_PYTHON`), in its `marshal`
//! format: a run loads them in a fraction of a millisecond instead of compiling some 1,300
//! lines of Python before the program's first line. A build interpreter that fails is a
//! build error that says why.
//!
//! It also embeds the standard-library modules `stdlib.py` imports (`build/embed_stdlib.py`
//! finds them): their code compiled the same way, and where extension modules live, so the
//! child imports them without the path-based importer (see `src/embedded.rs`).

use std::env;
use std::path::PathBuf;
use std::process::{exit, Command};

/// The trusted builders, by file stem (`src/modules/<stem>.py`).
const BUILDERS: &[&str] = &["stdlib", "packages", "importer"];

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
    embed_stdlib(&python, &out);
}

/// Runs `build/embed_stdlib.py` and writes `embedded_modules.rs`: one `Embedded` per module
/// of its manifest, sorted by name (the table is searched by binary search).
fn embed_stdlib(python: &std::ffi::OsStr, out: &std::path::Path) {
    println!("cargo:rerun-if-changed=build/embed_stdlib.py");
    let status = Command::new(python)
        .args(["-I", "-S", "build/embed_stdlib.py", "src/modules/stdlib.py"])
        .arg(out)
        .status();
    if !matches!(status, Ok(status) if status.success()) {
        eprintln!("error: build/embed_stdlib.py failed ({status:?})");
        exit(1);
    }
    let manifest =
        std::fs::read_to_string(out.join("embedded/manifest.tsv")).unwrap_or_else(|err| {
            eprintln!("error: build/embed_stdlib.py wrote no manifest: {err}");
            exit(1);
        });
    let mut entries: Vec<Vec<&str>> = manifest
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.split('\t').collect())
        .collect();
    entries.sort();
    let mut table = String::from("&[\n");
    for fields in &entries {
        let [name, kind, package, origin] = fields.as_slice() else {
            eprintln!("error: malformed manifest line {fields:?}");
            exit(1);
        };
        let code = if *kind == "source" {
            let file = out.join(format!("embedded/{name}.marshal"));
            format!("include_bytes!({:?})", file.display().to_string())
        } else {
            "&[]".to_owned()
        };
        let kind = match *kind {
            "source" => "Kind::Source",
            "extension" => "Kind::Extension",
            "absent" => "Kind::Absent",
            other => {
                eprintln!("error: unknown module kind {other:?} in the manifest");
                exit(1);
            }
        };
        table.push_str(&format!(
            "    Embedded {{ name: {name:?}, kind: {kind}, package: {}, origin: {origin:?}, code: {code} }},\n",
            *package == "package",
        ));
    }
    table.push_str("]\n");
    if let Err(err) = std::fs::write(out.join("embedded_modules.rs"), table) {
        eprintln!("error: cannot write embedded_modules.rs: {err}");
        exit(1);
    }
}
