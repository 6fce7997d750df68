//! Captured output: the program's stdout and stderr kept in two unlinked temporary files
//! (never in the supervisor's memory while the run goes on) and read back after the run,
//! up to [`CAPTURE_LIMIT`] bytes each. The policy's `output` limit bounds what is written.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::OwnedFd;

use nanny::OutputTarget;

/// The most bytes of each stream an outcome holds; the rest is counted in the report
/// (`output_bytes`) but not returned. Set the policy's `output` limit to stop a program
/// sooner.
pub const CAPTURE_LIMIT: u64 = 64 * 1024 * 1024;

/// The two files receiving the program's output.
#[derive(Debug)]
pub struct Capture {
    stdout: File,
    stderr: File,
    /// How much of each file [`Capture::take_new`] has handed out.
    taken: [u64; 2],
}

impl Capture {
    /// Creates the files and the output target that writes into them.
    pub fn create() -> std::io::Result<(Capture, OutputTarget)> {
        let stdout = tempfile::tempfile()?;
        let stderr = tempfile::tempfile()?;
        let target = OutputTarget::Fds {
            stdout: OwnedFd::from(stdout.try_clone()?),
            stderr: OwnedFd::from(stderr.try_clone()?),
        };
        Ok((
            Capture {
                stdout,
                stderr,
                taken: [0; 2],
            },
            target,
        ))
    }

    /// What the program wrote since the last call (the output of one call of a batch), each
    /// stream up to [`CAPTURE_LIMIT`] bytes.
    pub fn take_new(&mut self) -> (Vec<u8>, Vec<u8>) {
        let mut streams = [Vec::new(), Vec::new()];
        for (index, file) in [&self.stdout, &self.stderr].into_iter().enumerate() {
            let end = file.metadata().map_or(self.taken[index], |m| m.len());
            let start = self.taken[index];
            let len = end.saturating_sub(start).min(CAPTURE_LIMIT);
            let mut bytes = vec![0u8; usize::try_from(len).unwrap_or(0)];
            let read = std::os::unix::fs::FileExt::read_at(file, &mut bytes, start).unwrap_or(0);
            bytes.truncate(read);
            streams[index] = bytes;
            self.taken[index] = end;
        }
        let [stdout, stderr] = streams;
        (stdout, stderr)
    }

    /// What the program wrote to stdout and stderr, each up to [`CAPTURE_LIMIT`] bytes.
    pub fn collect(self) -> (Vec<u8>, Vec<u8>) {
        (read_back(self.stdout), read_back(self.stderr))
    }
}

fn read_back(mut file: File) -> Vec<u8> {
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(0)).is_ok() {
        let _ = file.take(CAPTURE_LIMIT).read_to_end(&mut bytes);
    }
    bytes
}
