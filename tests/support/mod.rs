//! The `Sandbox` fixture: a temporary vessel directory, a restrictions file, a program, and
//! a run of the real `repy` binary with a cleared environment. Every failed assertion made
//! through [`RunOutput`] prints the command, the directory listing, the status and both
//! streams, so a failure can be debugged from the test log alone.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `repy` binary under test.
pub const REPY: &str = env!("CARGO_BIN_EXE_repy");

/// TEST ONLY: the build that runs programs with the real builtins and no checker.
#[cfg(feature = "test-real-builtins")]
pub const REPY_REAL_BUILTINS: &str = env!("CARGO_BIN_EXE_repy-test-real-builtins");

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Bare CPython 3.11, the interpreter repy links, as the tests compare with it: isolated
/// (`-I`) and without `site` (`-S`); the caller adds the program and where it runs.
pub fn bare_cpython() -> Command {
    let mut command = Command::new(Path::new(python_link::HOME).join("bin/python3.11"));
    command.args(["-I", "-S"]);
    command
}

/// What `command` (a [`bare_cpython`]) prints, given `input` on its standard input (else the
/// standard input the command was given); panics, with its error output, unless it succeeds.
pub fn cpython_stdout(command: &mut Command, input: Option<&[u8]>) -> String {
    use std::io::Write as _;
    let out = match input {
        None => command.output(),
        Some(input) => command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                child.stdin.take().expect("stdin").write_all(input)?;
                child.wait_with_output()
            }),
    }
    .unwrap_or_else(|e| panic!("bare CPython: {e}"));
    assert!(
        out.status.success(),
        "bare CPython failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// A permissive policy for tests that are not about limits.
pub const PERMISSIVE: &str = "[resources]\ncpu = 1.0\nmemory = \"200 MB\"\ndiskused = \"100 MB\"\n";

/// A temporary vessel directory with a restrictions file and a program.
pub struct Sandbox {
    dir: tempfile::TempDir,
    /// The caller's own directory, outside the vessel, for `--report`, `--stop`, `--status`
    /// and `--logfile` (repy refuses those inside the vessel).
    caller: tempfile::TempDir,
    restrictions: String,
    program: String,
    envs: Vec<(String, String)>,
    extra_args: Vec<String>,
    binary: &'static str,
}

impl Sandbox {
    /// A fresh, empty vessel directory and a permissive policy.
    pub fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("repy-test-")
                .tempdir()
                .expect("create temp dir"),
            caller: tempfile::Builder::new()
                .prefix("repy-caller-")
                .tempdir()
                .expect("create temp dir"),
            restrictions: PERMISSIVE.to_string(),
            program: String::new(),
            envs: Vec::new(),
            extra_args: Vec::new(),
            binary: REPY,
        }
    }

    /// The vessel directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The caller's directory, outside the vessel.
    pub fn caller(&self) -> &Path {
        self.caller.path()
    }

    /// Adds `option` with the absolute path of `name` in the caller's directory.
    pub fn caller_option(self, option: &str, name: &str) -> Self {
        let path = self.caller.path().join(name);
        self.option(option)
            .option(path.to_str().expect("utf-8 temp path"))
    }

    /// Sets the restrictions file's text.
    pub fn restrictions(mut self, text: &str) -> Self {
        self.restrictions = text.to_string();
        self
    }

    /// Sets the program's source.
    pub fn program(mut self, source: &str) -> Self {
        self.program = source.to_string();
        self
    }

    /// Creates a file in the vessel directory.
    pub fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        std::fs::write(self.dir.path().join(name), contents).expect("write vessel file");
        self
    }

    /// Sets an environment variable for the run (the environment is otherwise empty).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_string(), value.to_string()));
        self
    }

    /// Runs `binary` instead of `repy` (the test-only real-builtins build).
    pub fn binary(mut self, binary: &'static str) -> Self {
        self.binary = binary;
        self
    }

    /// Adds `repy` options placed before the restrictions file.
    pub fn option(mut self, arg: &str) -> Self {
        self.extra_args.push(arg.to_string());
        self
    }

    /// Writes the run files and returns `repy [options] restrictions.toml program.py args...`
    /// in the vessel directory with only the sandbox's environment, not started, for tests
    /// that choose its standard streams or limits themselves.
    pub fn command(&self, args: &[&str]) -> Command {
        std::fs::write(self.path().join("restrictions.toml"), &self.restrictions)
            .expect("write restrictions");
        std::fs::write(self.path().join("program.py"), &self.program).expect("write program");
        let mut command = Command::new(self.binary);
        command
            .current_dir(self.path())
            .args(&self.extra_args)
            .args(["restrictions.toml", "program.py"])
            .args(args)
            .env_clear();
        for (k, v) in &self.envs {
            command.env(k, v);
        }
        command
    }

    /// The JSON report a run wrote to `report.json` in the caller's directory (see
    /// [`Sandbox::caller_option`]).
    pub fn caller_report(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.caller().join("report.json")).expect("report");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("report is not JSON ({e}): {text}"))
    }

    /// Writes the run files and starts `repy [options] restrictions.toml program.py args...`
    /// in the vessel directory without waiting, its three standard streams piped, for tests
    /// that act on the run while it goes on (signal it, feed its stdin, probe its ports).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn repy")
    }

    /// Runs `repy [options] restrictions.toml program.py args...` in the vessel directory.
    pub fn run(&self, args: &[&str]) -> RunOutput {
        std::fs::write(self.path().join("restrictions.toml"), &self.restrictions)
            .expect("write restrictions");
        std::fs::write(self.path().join("program.py"), &self.program).expect("write program");
        let mut argv: Vec<String> = self.extra_args.clone();
        argv.extend(["restrictions.toml".to_string(), "program.py".to_string()]);
        argv.extend(args.iter().map(|s| s.to_string()));
        // The run files are written before and removed after, so the listing shows the
        // program's own effects only.
        let out = run_binary(self.binary, self.path(), &argv, &self.envs);
        let _ = std::fs::remove_file(self.path().join("restrictions.toml"));
        let _ = std::fs::remove_file(self.path().join("program.py"));
        out
    }
}

/// Starts `sb`'s program, which must log `up` and a newline first, and returns the `repy`
/// process and its sandbox child's pid once that line has arrived.
pub fn spawn_until_up(sb: &Sandbox) -> (std::process::Child, u32) {
    let mut repy = sb.spawn(&[]);
    let mut line = String::new();
    let stdout = repy.stdout.take().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("read");
    assert_eq!(line, "up\n");
    let children =
        std::fs::read_to_string(format!("/proc/{}/task/{}/children", repy.id(), repy.id()))
            .unwrap_or_default();
    let child: u32 = children
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .expect("the sandbox child");
    (repy, child)
}

/// Runs `repy` in `cwd` with `args` and only `envs` in its environment.
pub fn run_repy(cwd: &Path, args: &[String], envs: &[(String, String)]) -> RunOutput {
    run_binary(REPY, cwd, args, envs)
}

/// Runs `binary` in `cwd` with `args` and only `envs` in its environment.
pub fn run_binary(
    binary: &'static str,
    cwd: &Path,
    args: &[String],
    envs: &[(String, String)],
) -> RunOutput {
    let mut command = Command::new(binary);
    command.current_dir(cwd).args(args).env_clear();
    for (k, v) in envs {
        command.env(k, v);
    }
    let output = command.output().expect("spawn repy");
    RunOutput {
        output,
        binary,
        args: args.to_vec(),
        cwd: cwd.to_path_buf(),
    }
}

/// What a run produced, with assertions that explain themselves on failure.
pub struct RunOutput {
    /// The process output.
    pub output: Output,
    binary: &'static str,
    args: Vec<String>,
    cwd: PathBuf,
}

impl RunOutput {
    /// Standard output as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Standard error as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Everything needed to debug a failure.
    pub fn explain(&self) -> String {
        let mut text = String::new();
        let _ = writeln!(text, "command: {} {}", self.binary, self.args.join(" "));
        let _ = writeln!(text, "cwd: {}", self.cwd.display());
        let _ = writeln!(text, "listing:");
        if let Ok(entries) = std::fs::read_dir(&self.cwd) {
            for entry in entries.flatten() {
                let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                let _ = writeln!(
                    text,
                    "  {} ({len} bytes)",
                    entry.file_name().to_string_lossy()
                );
            }
        }
        let _ = writeln!(text, "status: {}", self.output.status);
        let _ = writeln!(text, "--- stdout ---\n{}", self.stdout());
        let _ = writeln!(text, "--- stderr ---\n{}", self.stderr());
        text
    }

    /// Asserts the exit code.
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code(),
            Some(code),
            "unexpected exit status\n{}",
            self.explain()
        );
        self
    }

    /// Asserts standard output exactly.
    pub fn assert_stdout(&self, expected: &str) -> &Self {
        assert_eq!(
            self.stdout(),
            expected,
            "unexpected stdout\n{}",
            self.explain()
        );
        self
    }

    /// Asserts that standard error contains `needle`.
    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.explain()
        );
        self
    }

    /// Asserts that standard output contains `needle`.
    pub fn assert_stdout_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stdout().contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.explain()
        );
        self
    }
}
