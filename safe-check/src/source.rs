//! Line bookkeeping over the program text, shared by lowering (syntax-error positions),
//! identifier location and rendering.
//!
//! Lines are split the way CPython's tokenizer counts them for `str` input: `\r\n`, `\r` and
//! `\n` each end a line.

/// Bytes per block of the character-count index.
const BLOCK: usize = 256;

/// Byte offsets of every line start, and a character-count index so that converting a byte
/// offset to a character column costs at most one block scan, however long the line (a
/// program of one 4 MiB line with many violations must not make rendering quadratic).
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
    /// `block_chars[k]`: characters in `source[..k * BLOCK]`.
    block_chars: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `source`.
    pub(crate) fn new(source: &'a str) -> Self {
        let bytes = source.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        let mut block_chars = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut count = 0;
        for block in bytes.chunks(BLOCK) {
            block_chars.push(count);
            count += chars_in(block);
        }
        block_chars.push(count);
        LineIndex {
            source,
            starts,
            block_chars,
        }
    }

    /// Characters in `source[..byte]`; `byte` must be a character boundary.
    fn chars_before(&self, byte: usize) -> usize {
        let block = byte / BLOCK;
        let base = self.block_chars.get(block).copied().unwrap_or(0);
        base + chars_in(&self.source.as_bytes()[block * BLOCK..byte])
    }

    /// Byte offset of the start of 1-based line `line` (clamped like [`Self::line`]).
    fn line_start(&self, line: u32) -> usize {
        let index = (line.max(1) as usize - 1).min(self.starts.len() - 1);
        self.starts[index]
    }

    /// Number of characters of line `line`.
    pub(crate) fn line_chars(&self, line: u32) -> usize {
        let start = self.line_start(line);
        self.chars_before(start + self.line(line).len()) - self.chars_before(start)
    }

    /// Number of lines (a final line without terminator counts; an empty source has one).
    pub(crate) fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Text of 1-based line `line` without its terminator; the last line for lines past
    /// the end, the first for 0.
    pub(crate) fn line(&self, line: u32) -> &'a str {
        let index = (line.max(1) as usize - 1).min(self.starts.len() - 1);
        let start = self.starts[index];
        let end = self
            .starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.source.len());
        let text = &self.source[start..end];
        text.strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .or_else(|| text.strip_suffix('\r'))
            .unwrap_or(text)
    }

    /// 0-based character column of 0-based byte offset `byte_col` in line `line`, clamped to
    /// the line (an offset inside a character counts as that character).
    pub(crate) fn char_col(&self, line: u32, byte_col: u32) -> usize {
        let text = self.line(line);
        let byte_col = floor_char_boundary(text, byte_col as usize);
        let start = self.line_start(line);
        self.chars_before(start + byte_col) - self.chars_before(start)
    }

    /// 0-based byte offset of 0-based character column `char_col` in line `line`, clamped
    /// to the line end.
    pub(crate) fn byte_col(&self, line: u32, char_col: usize) -> u32 {
        let text = self.line(line);
        let byte = text
            .char_indices()
            .nth(char_col)
            .map_or(text.len(), |(byte, _)| byte);
        u32::try_from(byte).unwrap_or(u32::MAX)
    }
}

/// Characters in a run of UTF-8 bytes starting at a character boundary: the bytes that are
/// not continuation bytes.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|byte| (**byte & 0xC0) != 0x80).count()
}

/// The largest character boundary of `text` not after `index`.
pub(crate) fn floor_char_boundary(text: &str, index: usize) -> usize {
    if index >= text.len() {
        return text.len();
    }
    let mut index = index;
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_splits_like_the_tokenizer() {
        let index = LineIndex::new("a\r\nbé\rc\n");
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line(1), "a");
        assert_eq!(index.line(2), "bé");
        assert_eq!(index.line(3), "c");
        assert_eq!(index.line(4), "");
        assert_eq!(index.line(99), "");
    }

    #[test]
    fn char_col_counts_characters_and_clamps() {
        let index = LineIndex::new("é = 'ü'.x\n");
        assert_eq!(index.char_col(1, 0), 0);
        assert_eq!(index.char_col(1, 2), 1);
        assert_eq!(index.char_col(1, 1), 0);
        assert_eq!(index.char_col(1, 500), 9);
        assert_eq!(index.byte_col(1, 1), 2);
        assert_eq!(index.byte_col(1, 50), 11);
        assert_eq!(index.line_chars(1), 9);
    }

    #[test]
    fn char_col_is_exact_across_blocks() {
        let line = "é".repeat(300) + "x" + &"ü".repeat(300);
        let source = format!("a\n{line}\nb");
        let index = LineIndex::new(&source);
        for (char_col, (byte_col, _)) in line.char_indices().enumerate() {
            let byte_col = u32::try_from(byte_col).expect("small");
            assert_eq!(index.char_col(2, byte_col), char_col);
        }
        assert_eq!(index.line_chars(2), 601);
        assert_eq!(index.char_col(3, 1), 1);
    }
}
