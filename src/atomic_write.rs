//! Writing an output file atomically: readers see the old file or the whole new one,
//! never a part, and a failed run leaves the old one untouched.

use std::path::Path;

use crate::Error;

/// Writes via a temporary file in the same directory and a rename, so readers never see a
/// partial file and a failed run leaves the previous output untouched.
///
/// No `fsync` before the rename: like compilers and assemblers (clang, gcc, go build),
/// the output is a build product that a rerun regenerates, and forcing 7 MB of a large
/// translation to disk cost ~70 ms of the command line's ~180 ms wall time (issue #12).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    write_atomically_with(path, |f| f.write_all(bytes))
}

/// [`write_atomically`], the content written by `write` into the temporary file.
pub(crate) fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        write(&mut f)?;
        replace(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Puts `tmp` in `path`'s place in one step.
///
/// Over an existing regular file, the names are exchanged (`RENAME_EXCHANGE`, one atomic
/// step like a rename) and the old file, now at `tmp`, removed. A plain rename over an
/// existing file makes ext4 (`auto_da_alloc`, on by default) start writing the new file
/// back inside the rename: 5–6 ms at the median for the 7 MB output of the benchmark input,
/// up to 20 ms, against ~2 ms for the exchange and the removal (issue #12). The data reach
/// the disk on the kernel's usual schedule instead, as for every other file a build
/// writes. Where the exchange is not available (another OS or file system, or no file
/// there yet), a plain rename.
fn replace(tmp: &Path, path: &Path) -> std::io::Result<()> {
    let over_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
    if over_file && exchange::names(tmp, path) {
        // The new file is in place; what is left at `tmp` is the old one. Removing it
        // cannot fail where the exchange in the same directory succeeded, short of a race
        // with another process, and the translation is done either way.
        let _ = std::fs::remove_file(tmp);
        return Ok(());
    }
    std::fs::rename(tmp, path)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod exchange {
    use std::ffi::{CString, c_char, c_int, c_uint};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    unsafe extern "C" {
        // glibc ≥ 2.28, Linux ≥ 3.15 (ext4, xfs, btrfs, tmpfs…); fails with EINVAL where the
        // file system cannot exchange.
        fn renameat2(
            olddirfd: c_int,
            oldpath: *const c_char,
            newdirfd: c_int,
            newpath: *const c_char,
            flags: c_uint,
        ) -> c_int;
    }

    // <fcntl.h>, <stdio.h>
    const AT_FDCWD: c_int = -100;
    const RENAME_EXCHANGE: c_uint = 2;

    /// Whether `a` and `b` (both existing) exchanged names.
    pub fn names(a: &Path, b: &Path) -> bool {
        let (Ok(a), Ok(b)) = (
            CString::new(a.as_os_str().as_bytes()),
            CString::new(b.as_os_str().as_bytes()),
        ) else {
            return false;
        };
        // SAFETY: both are NUL-terminated paths that live across the call.
        unsafe { renameat2(AT_FDCWD, a.as_ptr(), AT_FDCWD, b.as_ptr(), RENAME_EXCHANGE) == 0 }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod exchange {
    pub fn names(_: &std::path::Path, _: &std::path::Path) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("c2goasm-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// `dir` holds `out_amd64.s` with `text`, and nothing else; then it is removed.
    fn holds_only(dir: &Path, text: &str) {
        let out = dir.join("out_amd64.s");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
        assert_eq!(leftovers(dir), ["out_amd64.s"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn replaces_an_existing_file_or_creates_a_missing_one() {
        let dir = scratch("replace");
        let out = dir.join("out_amd64.s");
        std::fs::write(&out, "old and longer than the new content\n").unwrap();
        write_atomically(&out, b"new\n").unwrap();
        holds_only(&dir, "new\n");
        let dir = scratch("create");
        write_atomically(&dir.join("out_amd64.s"), b"new\n").unwrap();
        holds_only(&dir, "new\n");
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = scratch("fail");
        let out = dir.join("out_amd64.s");
        std::fs::write(&out, "old\n").unwrap();
        let failed = write_atomically_with(&out, |f| {
            use std::io::Write;
            f.write_all(b"partial")?;
            Err(std::io::Error::other("formatting failed"))
        });
        assert!(failed.is_err());
        holds_only(&dir, "old\n");
    }

    #[test]
    fn a_directory_in_the_way_is_an_error_and_stays() {
        let dir = scratch("dir");
        let out = dir.join("out_amd64.s");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("keep"), "x").unwrap();
        assert!(write_atomically(&out, b"new\n").is_err());
        assert!(out.join("keep").is_file());
        assert_eq!(leftovers(&dir), ["out_amd64.s"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The fast path is really taken where it exists (Linux with glibc, a local file
    /// system): both names swap their contents in one step.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn names_are_exchanged() {
        let dir = scratch("exchange");
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::write(&a, "a\n").unwrap();
        std::fs::write(&b, "b\n").unwrap();
        assert!(exchange::names(&a, &b));
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "b\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "a\n");
        assert!(!exchange::names(&a, &dir.join("missing")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_replaced_not_followed() {
        let dir = scratch("link");
        let target = dir.join("target.s");
        std::fs::write(&target, "target\n").unwrap();
        let out = dir.join("out_amd64.s");
        std::os::unix::fs::symlink(&target, &out).unwrap();
        write_atomically(&out, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new\n");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "target\n");
        assert!(
            !std::fs::symlink_metadata(&out)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(leftovers(&dir), ["out_amd64.s", "target.s"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
