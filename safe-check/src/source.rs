//! Line bookkeeping over the program text, shared by lowering (syntax-error positions),
//! identifier location and rendering.
//!
//! Lines are split the way CPython's tokenizer counts them for `str` input: `\r\n`, `\r` and
//! `\n` each end a line.

/// Byte offsets of every line start.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
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
        LineIndex { source, starts }
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
        text[..byte_col].chars().count()
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
    }
}
