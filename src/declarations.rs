//! Which Go file declares the functions of an assembly file.
//!
//! c2goasm, goat and gocc all put the declarations in the `.go` file with the output's base
//! name (`sum_amd64.go` for `sum_amd64.s`), and that file is used whenever it exists. A
//! project laid out by hand may keep them elsewhere (one `stubs_amd64.go` for several
//! `.s` files): then the package file whose body-less declarations bind to the most C
//! functions of the input is the declaration file — and when no file, or more than one
//! equally, fits, the user is told which files were considered rather than guessed for.

use std::path::{Path, PathBuf};

use crate::abi;
use crate::lower::c_names::{CFunction, CNames, Lookup};
use crate::source::SourceFile;

/// The declaration file for `output`: `output` with a `.go` extension if it exists, else
/// the package file of `goarch` that best declares the functions of `asm`.
pub fn find(output: &Path, asm: &SourceFile, goarch: &str) -> Result<PathBuf, crate::Error> {
    let same_name = output.with_extension("go");
    if same_name.exists() {
        return Ok(same_name);
    }
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let names = CNames::new(
        function_labels(&asm.text)
            .enumerate()
            .map(|(i, l)| CFunction::new(l, i)),
    );
    let files = abi::read_package_files(dir, goarch, Path::new("")).unwrap_or_default();
    let mut scored: Vec<(usize, &SourceFile)> = files
        .iter()
        .map(|f| (binding_count(f, &names), f))
        .filter(|(n, _)| *n > 0)
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    match scored.as_slice() {
        [(best, f), rest @ ..] if rest.first().is_none_or(|(n, _)| n < best) => Ok(f.path.clone()),
        [] => Err(crate::Error::Usage(format!(
            "{}: no Go declarations for it: {} does not exist, and no other .go file of {} \
             declares (without a body) a function of the assembly; c2goasm-rs reads the \
             body-less func declarations from the .go file next to the output",
            output.display(),
            same_name.display(),
            dir.display()
        ))),
        tied => Err(crate::Error::Usage(format!(
            "{}: {} does not exist, and several .go files declare functions of the assembly \
             equally ({}); name the declaration file like the output ({})",
            output.display(),
            same_name.display(),
            tied.iter()
                .map(|(_, f)| f.path.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            same_name.display()
        ))),
    }
}

/// How many body-less declarations of `file` bind to a function of `names`.
fn binding_count(file: &SourceFile, names: &CNames) -> usize {
    let Ok(decls) = abi::parse_go_decls(file) else {
        return 0;
    };
    decls
        .iter()
        .filter(|d| matches!(names.lookup(&d.name, d.c_name.as_deref()), Lookup::Found(_)))
        .count()
}

/// Labels at the start of a line that are not assembler-local (`.L…`, `L…` on Mach-O is
/// also local but harmless here): the candidate function symbols, without parsing.
fn function_labels(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let (label, _) = line.split_once(':')?;
        let ok = !label.is_empty()
            && !label.starts_with('.')
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'));
        ok.then_some(label)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_file_that_declares_the_assembly() {
        let dir = std::env::temp_dir().join(format!("c2goasm-rs-declfind-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let write = |n: &str, t: &str| std::fs::write(dir.join(n), t).expect("write");
        write(
            "stubs_amd64.go",
            "package k\n\nfunc _sum(p *int64, n int) int64\nfunc _max(p *int64, n int) int64\n",
        );
        write(
            "other_amd64.go",
            "package k\n\nfunc _sum(p *int64, n int) int64\n",
        );
        write(
            "wrong_arm64.go",
            "package k\n\nfunc _sum(p *int64, n int) int64\nfunc _max(p *int64, n int) int64\nfunc _min(p *int64, n int) int64\n",
        );
        let asm = SourceFile::new("k.s", "sum:\n\tret\nmax:\n\tret\n.LBB0_1:\n");
        let found = find(&dir.join("kernels_amd64.s"), &asm, "amd64").expect("found");
        assert_eq!(found, dir.join("stubs_amd64.go"));
        // The same-named file wins whenever it exists.
        write("kernels_amd64.go", "package k\n");
        let found = find(&dir.join("kernels_amd64.s"), &asm, "amd64").expect("found");
        assert_eq!(found, dir.join("kernels_amd64.go"));
        // Nothing declares it: the message names what was looked for.
        let none = SourceFile::new("k.s", "other:\n\tret\n");
        let e = find(&dir.join("x_amd64.s"), &none, "amd64").expect_err("none");
        assert!(e.to_string().contains("x_amd64.go does not exist"), "{e}");
        // A tie is not guessed.
        write(
            "twin_amd64.go",
            "package k\n\nfunc _sum(p *int64, n int) int64\nfunc _max(p *int64, n int) int64\n",
        );
        let e = find(&dir.join("y_amd64.s"), &asm, "amd64").expect_err("tie");
        assert!(e.to_string().contains("several .go files"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
