//! Differential test of the in-process assembler: every instruction of every committed
//! fixture that carries no relocation must encode exactly as the fixture's own toolchain
//! encodes it (`clang-19 -c`, or GNU as via `gcc -c` for GCC's dialect).
//!
//! Boundaries come from decoding the reference object with iced-x86; `.p2align` padding is
//! skipped; branches are native Go instructions in our output, so only their length is
//! followed, not compared.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use c2goasm_rs::parse::x86::Instruction as AsmInstruction;
use c2goasm_rs::parse::{Directive, Item};
use iced_x86::{Decoder, DecoderOptions, FlowControl};
use object::{Object, ObjectSection};

fn assembly_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            assembly_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "s") {
            out.push(p);
        }
    }
}

/// Assembles `path` with the toolchain that wrote it; `None` for files meant to fail.
fn reference_object(path: &Path, out: &Path) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(path).ok()?;
    let gnu = text.contains("GCC: (");
    let status = if gnu {
        Command::new("gcc")
            .arg("-c")
            .arg(path)
            .arg("-o")
            .arg(out)
            .status()
    } else {
        Command::new("clang-19")
            .args(["-c", "--target=x86_64-unknown-linux-gnu"])
            .arg(path)
            .arg("-o")
            .arg(out)
            .status()
    }
    .expect("run the reference assembler (clang-19 / gcc must be installed)");
    if !status.success() {
        return None;
    }
    std::fs::read(out).ok()
}

/// A text section of the reference object: its bytes and the byte ranges relocations cover.
type TextSection = (Vec<u8>, Vec<(u64, u64)>);

#[derive(Default)]
struct Tally {
    compared: usize,
    matched: usize,
    failures: Vec<String>,
}

fn compare_file(path: &Path, scratch: &Path, tally: &mut Tally) {
    let src = c2goasm_rs::SourceFile::read(path).expect("read fixture");
    let Ok(items) = c2goasm_rs::parse::parse_x86(&src) else {
        return; // AT&T and other unparsable inputs are tested elsewhere.
    };
    let Some(obj_bytes) = reference_object(path, scratch) else {
        return;
    };
    let obj = object::File::parse(&*obj_bytes).expect("parse ELF");
    // Per text section: bytes and the offsets covered by relocations.
    let mut sections: HashMap<String, TextSection> = HashMap::new();
    for s in obj.sections() {
        let Ok(name) = s.name() else { continue };
        if !name.starts_with(".text") {
            continue;
        }
        let data = s.data().unwrap_or(&[]).to_vec();
        let relocs = s
            .relocations()
            .map(|(off, r)| (off, off + (r.size() as u64 / 8).max(1)))
            .collect();
        sections.insert(name.to_string(), (data, relocs));
    }
    let mut cursors: HashMap<String, usize> = HashMap::new();
    let mut current = ".text".to_string();
    for it in &items {
        match &it.item {
            Item::Directive(Directive::Section { name, .. }) => current = name.clone(),
            Item::Directive(Directive::Align {
                bytes, max_skip, ..
            }) => {
                if let Some((data, _)) = sections.get(&current) {
                    let cur = cursors.entry(current.clone()).or_insert(0);
                    let target = cur.div_ceil(*bytes as usize) * *bytes as usize;
                    // `.p2align 4,,10`: no padding at all when more than 10 bytes are needed.
                    if max_skip.is_none_or(|m| (target - *cur) as u64 <= m) {
                        *cur = target.min(data.len());
                    }
                }
            }
            Item::Instruction(ins) => {
                let Some((data, relocs)) = sections.get(&current) else {
                    continue;
                };
                let cur = cursors.entry(current.clone()).or_insert(0);
                let line = it.span.line;
                if *cur >= data.len() {
                    tally.failures.push(format!(
                        "{}:{line}: ran past the reference code",
                        path.display()
                    ));
                    return;
                }
                let mut dec = Decoder::with_ip(64, &data[*cur..], 0, DecoderOptions::NONE);
                let theirs = dec.decode();
                let len = theirs.len();
                let range = (*cur as u64, (*cur + len) as u64);
                let relocated = relocs.iter().any(|(a, b)| *a < range.1 && *b > range.0);
                let branch = !matches!(theirs.flow_control(), FlowControl::Next)
                    && theirs.flow_control() != FlowControl::Return
                    && theirs.flow_control() != FlowControl::Exception
                    && theirs.flow_control() != FlowControl::Interrupt;
                if !relocated && !branch && !symbolic(ins) {
                    tally.compared += 1;
                    let want = &data[*cur..*cur + len];
                    match c2goasm_rs::lower::x86::build(ins)
                        .and_then(|i| c2goasm_rs::lower::x86::encode(&i))
                    {
                        Ok(ours) if *ours == *want => tally.matched += 1,
                        Ok(ours) => tally.failures.push(format!(
                            "{}:{line}: `{}`: ours {:02x?}, reference {:02x?}",
                            path.display(),
                            ins.text,
                            &*ours,
                            want
                        )),
                        Err(e) => tally.failures.push(format!(
                            "{}:{line}: `{}`: {e}",
                            path.display(),
                            ins.text
                        )),
                    }
                }
                *cur += len;
            }
            _ => {}
        }
    }
}

fn symbolic(ins: &AsmInstruction) -> bool {
    use c2goasm_rs::parse::x86::Operand;
    ins.operands.iter().any(|o| match o {
        Operand::Mem(m) => !m.disp.is_constant(),
        Operand::Expr(e) | Operand::Offset(e) => !e.is_constant(),
        _ => false,
    })
}

#[test]
fn every_fixture_instruction_encodes_like_its_toolchain() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    assembly_files(&root.join("fixtures"), &mut files);
    assembly_files(&root.join("examples"), &mut files);
    files.retain(|f| !f.to_string_lossy().ends_with("_amd64.s"));
    files.sort();
    let scratch = std::env::temp_dir().join(format!("c2goasm-rs-enc-{}.o", std::process::id()));
    let mut tally = Tally::default();
    for f in &files {
        compare_file(f, &scratch, &mut tally);
    }
    let _ = std::fs::remove_file(&scratch);
    eprintln!(
        "encoding vs reference assembler: {}/{} instructions identical across {} files",
        tally.matched,
        tally.compared,
        files.len()
    );
    assert!(
        tally.compared > 10_000,
        "only {} instructions compared",
        tally.compared
    );
    assert!(
        tally.failures.is_empty(),
        "{} mismatches:\n{}",
        tally.failures.len(),
        tally.failures[..tally.failures.len().min(40)].join("\n")
    );
}
