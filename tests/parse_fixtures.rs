//! Every committed assembly file (clang-19 / gcc-12 output) parses without error.

use std::path::{Path, PathBuf};

fn assembly_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            assembly_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "s")
            && !p.to_string_lossy().ends_with("_amd64.s")
            && !p.to_string_lossy().contains("att_syntax")
            && !p.to_string_lossy().ends_with("arm64/sve.s")
            && !p.to_string_lossy().ends_with("arm64/macho.s")
        {
            out.push(p);
        }
    }
}

#[test]
fn all_fixtures_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    assembly_files(&root.join("fixtures"), &mut files);
    assembly_files(&root.join("examples"), &mut files);
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    let mut instructions = 0usize;
    for f in &files {
        let src = c2goasm_rs::SourceFile::read(f).expect("read fixture");
        let arm = f.components().any(|c| c.as_os_str() == "arm64");
        let parsed = if arm {
            c2goasm_rs::parse::parse_arm64(&src).map(|items| {
                items
                    .iter()
                    .filter(|i| matches!(i.item, c2goasm_rs::parse::Item::Instruction(_)))
                    .count()
            })
        } else {
            c2goasm_rs::parse::parse_x86(&src).map(|items| {
                items
                    .iter()
                    .filter(|i| matches!(i.item, c2goasm_rs::parse::Item::Instruction(_)))
                    .count()
            })
        };
        match parsed {
            Ok(n) => instructions += n,
            Err(diags) => failures.extend(diags.iter().map(|d| d.to_string())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        instructions > 100,
        "only {instructions} instructions parsed"
    );
}

#[test]
fn att_syntax_is_reported_with_a_hint() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = c2goasm_rs::SourceFile::read(&root.join("fixtures/errors/att_syntax.s"))
        .expect("read fixture");
    let diags = c2goasm_rs::parse::parse_x86(&src).expect_err("AT&T must be rejected");
    let text = diags[0].to_string();
    assert!(text.contains("AT&T syntax"), "{text}");
    assert!(text.contains("-masm=intel"), "{text}");
}
