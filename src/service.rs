//! `repy serve`, `repy worker` and `repy submit` live in a binary of their own,
//! `repy-service` (src/bin/repy-service/), installed beside `repy`: an HTTP stack, a Redis
//! client and an async runtime have no place in the binary every sandbox is forked from,
//! whose memory each run pays for (its relocated data is part of every sandbox's resident
//! memory). `repy` hands those commands to it whole; it runs each job with `repy job`.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::exit::ExitStatus;

/// The service binary's name.
pub const SERVICE_BINARY: &str = "repy-service";

/// The binary named `name` in the directory of the running one.
pub fn sibling(name: &str) -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .ok_or_else(|| std::io::Error::other("the running binary has no directory"))?;
    Ok(dir.join(name))
}

/// Replaces this process with `repy-service COMMAND WORDS...`; returns only if that fails.
pub fn exec(command: &str, words: Vec<OsString>) -> u8 {
    use std::os::unix::process::CommandExt as _;
    let binary = match sibling(SERVICE_BINARY) {
        Ok(binary) => binary,
        Err(err) => {
            eprintln!("repy {command}: cannot find {SERVICE_BINARY}: {err}");
            return ExitStatus::InternalError.code();
        }
    };
    let err = std::process::Command::new(&binary)
        .arg(command)
        .args(words)
        .exec();
    eprintln!(
        "repy {command}: cannot run {} (installed beside repy): {err}",
        binary.display()
    );
    ExitStatus::InternalError.code()
}
