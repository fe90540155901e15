//! Input files and positions inside them.

use std::path::{Path, PathBuf};

/// A position in an input file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    /// Length in characters of the offending text (0 = unknown, the caret marks one column).
    pub len: u32,
}

impl Span {
    pub fn new(line: u32, col: u32, len: u32) -> Span {
        Span { line, col, len }
    }
}

/// An input file kept in memory so diagnostics can quote the offending line.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    pub fn read(path: &Path) -> Result<SourceFile, crate::Error> {
        let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(SourceFile::new(path, text))
    }

    /// The text of 1-based line `line`, without its newline; empty when out of range.
    pub fn line_text(&self, line: u32) -> &str {
        if line == 0 {
            return "";
        }
        self.text
            .lines()
            .nth(line as usize - 1)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}
