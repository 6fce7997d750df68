//! Reading a program file as source text, bounded and as UTF-8.

use std::path::{Path, PathBuf};

/// Why a program file cannot be turned into source text.
#[derive(Debug, thiserror::Error)]
pub enum ProgramReadError {
    /// The file cannot be read (missing, a directory, no permission, an I/O error).
    #[error("cannot read the program file '{}': {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than any program the checker accepts (it is not read further).
    #[error(
        "the program file '{}' is larger than {limit} bytes, the most the checker accepts (E002)",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The checker's limit in bytes.
        limit: usize,
    },
    /// The file was read but is not UTF-8.
    #[error(
        "the program file '{}' is not valid UTF-8: invalid byte at line {line}, column {column} (byte offset {offset}); repy reads programs as UTF-8 only",
        path.display()
    )]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based character column of the first invalid byte.
        column: usize,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
}

/// Reads the program as UTF-8, or explains precisely why it cannot be.
pub fn read_program(path: &Path) -> Result<String, ProgramReadError> {
    use std::io::Read as _;
    let io = |source| ProgramReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Never more than the checker accepts (plus a BOM and one byte to know it is more):
    // `/dev/zero` or a huge sparse file must not fill the supervisor's memory.
    let limit = safe_check::MAX_SOURCE_BYTES;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(limit as u64 + 4)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let content = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .map_or(bytes.len(), <[u8]>::len);
    if content > limit {
        return Err(ProgramReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    // A UTF-8 byte-order mark (some editors write one) is not part of the program.
    let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = &e.as_bytes()[..offset];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = String::from_utf8_lossy(valid)
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.chars().count())
            + 1;
        ProgramReadError::NotUtf8 {
            path: path.to_path_buf(),
            line,
            column,
            offset,
        }
    })
}
