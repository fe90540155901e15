//! Which Go files of a directory belong to the package when it is built for one GOARCH
//! (the files whose `type` declarations [`super::named_types`] reads), decided the way
//! `go build` decides it without knowing GOOS or `-tags`: never `_test.go` files or names
//! starting with `_` or `.`; not a file whose name pins another architecture
//! (`x_arm64.go`, `x_linux_arm64.go`); not a file whose build constraint cannot hold for
//! this architecture whatever the OS and tags are (`//go:build arm64 && !purego`), nor a
//! `//go:build ignore` file.

use std::path::Path;

use super::build_constraint::{Expr, file_constraint, file_name_arch};
use crate::source::SourceFile;

/// The other `.go` files of `dir` that build for `goarch` (see the module doc), sorted by
/// name, without `skip` (the declarations file, read on its own). Files that cannot be
/// read as UTF-8 text are left out (they cannot be valid Go); only an unreadable
/// directory is an error.
pub fn read_package_files(
    dir: &Path,
    goarch: &str,
    skip: &Path,
) -> Result<Vec<SourceFile>, crate::Error> {
    let io = |source| crate::Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name() != skip.file_name())
        .filter(|p| name_builds_for(p, goarch))
        .collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .filter_map(|p| SourceFile::read(&p).ok())
        .filter(|f| !constraint_excludes(&f.text, goarch))
        .collect())
}

/// Whether `path` names a non-test Go source that `go build` compiles for `goarch` (on
/// some OS).
pub fn name_builds_for(path: &Path, goarch: &str) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(stem) = name.strip_suffix(".go") else {
        return false;
    };
    !stem.ends_with("_test")
        && !name.starts_with(['_', '.'])
        && file_name_arch(path).is_none_or(|a| a == goarch)
}

/// Whether the file's build constraint cannot hold for `goarch`, whatever GOOS and the
/// tags are (other tags may be set with `-tags`), or is `ignore`. An unreadable
/// constraint excludes nothing.
pub fn constraint_excludes(text: &str, goarch: &str) -> bool {
    match file_constraint(text) {
        Ok(Some(c)) => c.expr == Expr::Tag("ignore".into()) || !c.expr.allows_arch(goarch),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_as_go_build_reads_them() {
        for (name, amd64, arm64) in [
            ("types.go", true, true),
            ("x_amd64.go", true, false),
            ("x_arm64.go", false, true),
            ("x_linux_arm64.go", false, true),
            ("x_windows.go", true, true),
            ("arm64.go", true, true),
            ("x_riscv64.go", false, false),
            ("x_test.go", false, false),
            ("x_amd64_test.go", false, false),
            ("_x.go", false, false),
            (".x.go", false, false),
            ("x.s", false, false),
            ("x_noasm.go", true, true),
        ] {
            let path = Path::new("pkg").join(name);
            assert_eq!(name_builds_for(&path, "amd64"), amd64, "{name} amd64");
            assert_eq!(name_builds_for(&path, "arm64"), arm64, "{name} arm64");
        }
    }

    #[test]
    fn build_lines_exclude_only_when_false_for_every_os_and_tag() {
        for (header, excluded) in [
            ("//go:build arm64\n\npackage p", true),
            ("//go:build amd64\n\npackage p", false),
            ("// Copyright\n\n//go:build ignore\n\npackage main", true),
            ("//go:build !amd64\npackage p", true),
            ("//go:build arm64 || noasm\npackage p", false),
            ("//go:build !noasm && !appengine\npackage p", false),
            ("//go:build (arm64 || 386) && linux\npackage p", true),
            ("//go:build linux && !(amd64 || arm64)\npackage p", true),
            ("//go:build go1.21 && amd64\npackage p", false),
            ("package p\n//go:build arm64\n", false),
            ("//go:build (arm64\npackage p", false),
            ("//go:build arm64 &&\npackage p", false),
            ("//go:build\npackage p", false),
        ] {
            assert_eq!(constraint_excludes(header, "amd64"), excluded, "{header}");
        }
    }

    #[test]
    fn reads_the_package_directory() {
        let dir = std::env::temp_dir().join(format!("c2goasm-rs-pkgfiles-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (name, text) in [
            ("k_amd64.go", "package k\n"),
            ("types.go", "package k\ntype A int\n"),
            ("b_arm64.go", "package k\ntype A int8\n"),
            ("c.go", "//go:build arm64\n\npackage k\ntype A int8\n"),
            ("k_test.go", "package k\n"),
            ("notes.txt", "x"),
        ] {
            std::fs::write(dir.join(name), text).expect("write");
        }
        std::fs::write(dir.join("bad.go"), [0xffu8, 0xfe]).expect("write");
        let files = read_package_files(&dir, "amd64", &dir.join("k_amd64.go")).expect("read");
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                f.path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["types.go"]);
        assert!(read_package_files(&dir.join("none"), "amd64", &dir).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
