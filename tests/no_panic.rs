//! Damaged inputs are errors, never panics: every committed fixture, mutated line by line
//! with a fixed pseudo-random sequence (lines dropped, duplicated, swapped, truncated,
//! operands exchanged), goes through the whole translation on both architectures.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use c2goasm_rs::{Arch, Options, SourceFile, translate};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..1 + rng.below(4) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len());
        match rng.below(6) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            3 => {
                let l = &lines[i];
                let cut = rng.below(l.len() + 1);
                let cut = (0..=cut)
                    .rev()
                    .find(|c| l.is_char_boundary(*c))
                    .unwrap_or(0);
                lines[i] = l[..cut].to_string();
            }
            4 => {
                // Exchange the operands of an instruction with another line's.
                let j = rng.below(lines.len());
                if let (Some((a, _)), Some((_, b))) = (
                    lines[i].split_once(char::is_whitespace),
                    lines[j].split_once(char::is_whitespace),
                ) {
                    lines[i] = format!("{a} {b}");
                }
            }
            _ => {
                let l = &mut lines[i];
                l.push_str(if rng.below(2) == 0 { ", 7" } else { " ]" });
            }
        }
    }
    lines.join("\n")
}

fn declarations(text: &str) -> String {
    let mut decls = String::from("package p\n\n");
    for l in text.lines() {
        let l = l.trim();
        for prefix in [".globl", ".global"] {
            if let Some(name) = l.strip_prefix(prefix) {
                let name = name.split_whitespace().next().unwrap_or("").trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    decls.push_str(&format!("func {name}(a, b, c, d int64) int64\n"));
                }
            }
        }
    }
    decls
}

fn fuzz(dir: &str, arch: Arch, rounds: usize, seed: u64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .expect("fixture dir")
        .flatten()
        .flat_map(|e| std::fs::read_dir(e.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "s"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut rng = Rng(seed);
    let options = Options {
        arch: Some(arch),
        ..Options::default()
    };
    let mut panics = Vec::new();
    let (mut translated, mut rejected) = (0, 0);
    for round in 0..rounds {
        let path = &files[rng.below(files.len())];
        let text = std::fs::read_to_string(path).expect("read fixture");
        let mutated = mutate(&text, &mut rng);
        let asm = SourceFile::new(path, mutated.clone());
        let decls = SourceFile::new("p.go", declarations(&text));
        match catch_unwind(AssertUnwindSafe(|| translate(&asm, &decls, &options))) {
            Ok(Ok(_)) => translated += 1,
            Ok(Err(_)) => rejected += 1,
            Err(_) => {
                let keep = std::env::temp_dir().join(format!("c2goasm-rs-panic-{round}.s"));
                let _ = std::fs::write(&keep, &mutated);
                panics.push(format!(
                    "{} (mutated input kept in {})",
                    path.display(),
                    keep.display()
                ));
            }
        }
    }
    assert!(
        panics.is_empty(),
        "translation panicked on:\n{}",
        panics.join("\n")
    );
    // Both outcomes must occur, or the mutations exercise nothing.
    assert!(
        translated > 0 && rejected > 0,
        "translated {translated}, rejected {rejected}"
    );
    eprintln!("{dir}: {translated} translated, {rejected} rejected, no panic");
}

#[test]
fn damaged_x86_inputs_never_panic() {
    fuzz("fixtures/x86", Arch::Amd64, 400, 0x9e37_79b9_7f4a_7c15);
}

#[test]
fn damaged_arm64_inputs_never_panic() {
    fuzz("fixtures/arm64", Arch::Arm64, 120, 0xd1b5_4a32_d192_ed03);
}
