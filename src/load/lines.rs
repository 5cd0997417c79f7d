//! Byte offsets to 1-based line and column.

use crate::finding::Pos;

/// Where each line starts, so a span from the TOML parser becomes a position
/// a person can find in an editor. Columns count characters, not bytes,
/// because editors do (and CJK text is three bytes a character).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    text: String,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        LineIndex::owning(text.to_owned())
    }

    /// The index of `text`, which it keeps.
    pub fn owning(text: String) -> Self {
        let mut starts = vec![0];
        // memchr, not `match_indices`: every record's text is indexed on
        // every run, and the searcher for a `char` is several times slower.
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        LineIndex { starts, text }
    }

    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s as usize <= offset) - 1;
        let start = self.starts[line] as usize;
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        Pos {
            line: line as u32 + 1,
            col: col as u32,
        }
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)? as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&e| e as usize);
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let idx = LineIndex::new("a = 1\r\nname = \"訂單\" x\n");
        assert_eq!(idx.pos(0), Pos { line: 1, col: 1 });
        assert_eq!(idx.pos(7), Pos { line: 2, col: 1 });
        // after `name = "訂單" ` the x is the 13th character
        let x = idx.text().find('x').unwrap();
        assert_eq!(idx.pos(x), Pos { line: 2, col: 13 });
        assert_eq!(idx.line_text(1), Some("a = 1"));
        assert_eq!(idx.line_text(3), Some(""));
        assert_eq!(idx.line_text(4), None);
    }
}
