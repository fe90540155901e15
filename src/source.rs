//! Input files and positions inside them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// An input file kept in memory so diagnostics can quote the offending line. The text is
/// shared ([`SharedText`] slices of it outlive no copy of it).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Byte offset of each line's start, built on the first [`SourceFile::line_text`]:
    /// a file with thousands of errors quotes each line in constant time.
    line_starts: std::sync::OnceLock<Arc<[usize]>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    pub fn read(path: &Path) -> Result<SourceFile, crate::Error> {
        let text = read_shared(path).map_err(|source| crate::Error::Io {
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
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        });
        let Some(&start) = starts.get(line as usize - 1) else {
            return "";
        };
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        rest[..end].trim_end_matches('\r')
    }
}

/// The text of the file at `path`, read straight into the shared buffer the translation
/// keeps (reading into a `String` and sharing that copies a large input once more:
/// 3.8 MB for the benchmark input, issue #12).
fn read_shared(path: &Path) -> std::io::Result<Arc<str>> {
    use std::io::Read;
    let invalid = |e: std::str::Utf8Error| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    let mut file = std::fs::File::open(path)?;
    let len = match file.metadata() {
        Ok(m) if m.is_file() => usize::try_from(m.len()).unwrap_or(0),
        _ => 0,
    };
    if len == 0 {
        // Empty, or not a regular file (a pipe has no size): read as it comes.
        return std::io::read_to_string(file).map(Arc::from);
    }
    // SAFETY: zeroed bytes are valid `u8`s.
    let mut bytes: Arc<[u8]> = unsafe { Arc::<[u8]>::new_zeroed_slice(len).assume_init() };
    let Some(buf) = Arc::get_mut(&mut bytes) else {
        return std::io::read_to_string(file).map(Arc::from);
    };
    let filled = read_full(&mut file, buf)?;
    let mut more = [0u8; 1];
    if filled < len || file.read(&mut more)? != 0 {
        // The file changed size while being read: what was read, then the rest.
        let mut all = bytes[..filled].to_vec();
        all.extend_from_slice(&more[..usize::from(filled == len)]);
        file.read_to_end(&mut all)?;
        return String::from_utf8(all)
            .map(Arc::from)
            .map_err(|e| invalid(e.utf8_error()));
    }
    std::str::from_utf8(&bytes).map_err(invalid)?;
    // SAFETY: `bytes` holds valid UTF-8 (checked above), and `str` has the layout of
    // `[u8]`.
    Ok(unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) })
}

/// `parts` one after the other, copied once into one shared buffer (`String` then
/// `Arc<str>` would copy a large input twice).
pub fn concat_shared(parts: &[&str]) -> Arc<str> {
    let len = parts.iter().map(|p| p.len()).sum();
    // SAFETY: zeroed bytes are valid `u8`s.
    let mut bytes: Arc<[u8]> = unsafe { Arc::<[u8]>::new_zeroed_slice(len).assume_init() };
    let Some(buf) = Arc::get_mut(&mut bytes) else {
        return Arc::from(parts.concat());
    };
    let mut at = 0;
    for p in parts {
        buf[at..at + p.len()].copy_from_slice(p.as_bytes());
        at += p.len();
    }
    // SAFETY: a concatenation of `str`s is valid UTF-8, and `str` has the layout of `[u8]`.
    unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) }
}

/// Reads into `buf` until it is full or the file ends; the bytes read.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A piece of text that is usually a slice of an input file, shared rather than copied:
/// the parser keeps every instruction's source text (for output comments and messages) as
/// one of these, without a heap allocation per instruction.
#[derive(Clone)]
pub struct SharedText {
    whole: Arc<str>,
    start: u32,
    len: u32,
}

impl SharedText {
    /// `part` as a slice of `whole` when it lies inside it (no copy), else a copy.
    pub fn within(whole: &Arc<str>, part: &str) -> SharedText {
        let base = whole.as_ptr() as usize;
        let at = (part.as_ptr() as usize).wrapping_sub(base);
        match (u32::try_from(at), u32::try_from(part.len())) {
            (Ok(start), Ok(len)) if at + part.len() <= whole.len() => SharedText {
                whole: Arc::clone(whole),
                start,
                len,
            },
            _ => SharedText::from(part),
        }
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        let start = self.start as usize;
        &self.whole[start..start + self.len as usize]
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> SharedText {
        SharedText {
            whole: Arc::from(text),
            start: 0,
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
        }
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> SharedText {
        SharedText::from(text.as_str())
    }
}

impl PartialEq for SharedText {
    fn eq(&self, other: &SharedText) -> bool {
        **self == **other
    }
}

impl Eq for SharedText {}

impl std::fmt::Debug for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_text_slices_without_copying_and_copies_otherwise() {
        let whole: Arc<str> = Arc::from("\tmov rax, 1\n\tret\n");
        let part = &whole[1..11];
        let t = SharedText::within(&whole, part);
        assert_eq!(&*t, "mov rax, 1");
        assert!(std::ptr::eq(t.as_ptr(), part.as_ptr()));
        let other = String::from("nop");
        let copied = SharedText::within(&whole, &other);
        assert_eq!(&*copied, "nop");
        assert_eq!(copied, SharedText::from("nop"));
        assert_eq!(format!("{copied:?} {copied}"), "\"nop\" nop");
    }

    #[test]
    fn files_are_read_whole_and_checked_for_utf8() {
        let dir = std::env::temp_dir().join(format!("c2goasm-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "# größe — ½\n\tret\n".repeat(1000);
        let path = dir.join("in.s");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(&*SourceFile::read(&path).unwrap().text, text.as_str());
        std::fs::write(&path, "").unwrap();
        assert_eq!(&*SourceFile::read(&path).unwrap().text, "");
        std::fs::write(&path, b"\tret\n\xff\n").unwrap();
        match SourceFile::read(&path) {
            Err(crate::Error::Io { source, .. }) => {
                assert_eq!(source.kind(), std::io::ErrorKind::InvalidData)
            }
            other => panic!("expected an I/O error, got {other:?}"),
        }
        assert!(SourceFile::read(&dir.join("missing.s")).is_err());
        assert_eq!(&*concat_shared(&["größe", "\n", "", "½"]), "größe\n½");
        assert_eq!(&*concat_shared(&[]), "");
        // A pipe has no size: read as it comes (`c2goasm-rs <(clang …) out_amd64.s`).
        #[cfg(unix)]
        {
            let pipe = dir.join("pipe.s");
            let made = std::process::Command::new("mkfifo").arg(&pipe).status();
            assert!(
                made.is_ok_and(|s| s.success()),
                "mkfifo (coreutils) makes a pipe"
            );
            let writer = {
                let (pipe, text) = (pipe.clone(), text.clone());
                std::thread::spawn(move || std::fs::write(pipe, text).unwrap())
            };
            assert_eq!(&*SourceFile::read(&pipe).unwrap().text, text.as_str());
            writer.join().unwrap();
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
