//! Which assembly language a file is written in, from its content.
//!
//! The output file's name and `--arch` say what the user wants; the input says what it is.
//! A file fed to the wrong parser fails on every line ("50 errors"), so the pipeline looks
//! first: registers and syntax markers no other dialect spells (`rdi`, `xmmword ptr`,
//! `%rax`, `x0`, `v1.4s`, `#16`) decide, directives like `.intel_syntax` and `.arch` too.
//! Only the first lines with such evidence are read, so large files cost nothing extra.

use super::lines::split_lines;

/// An assembly dialect as written by clang or GCC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// x86-64, GAS Intel syntax (`-masm=intel`).
    X86Intel,
    /// x86-64, GAS AT&T syntax (GCC's and clang's default).
    X86Att,
    /// AArch64 GAS.
    Arm64,
}

impl Syntax {
    /// How a person names it.
    pub fn describe(self) -> &'static str {
        match self {
            Syntax::X86Intel => "x86-64 assembly (Intel syntax)",
            Syntax::X86Att => "x86-64 assembly in AT&T syntax",
            Syntax::Arm64 => "AArch64 assembly",
        }
    }
}

/// What the content shows, and the first line that shows it (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub syntax: Syntax,
    pub line: u32,
}

/// How many lines with evidence are enough to decide.
const DECISIVE_LINES: usize = 32;

/// The dialect of `text`, or `None` when no line shows one (e.g. a file with data only).
pub fn detect(text: &str) -> Option<Detected> {
    let mut votes: Vec<(Syntax, u32)> = Vec::new();
    for (n, line) in split_lines(text).enumerate() {
        let Some(syntax) = line_evidence(line) else {
            continue;
        };
        let line_no = n as u32 + 1;
        // An explicit syntax directive is the assembler's own switch: it decides alone.
        if is_syntax_directive(line) {
            return Some(Detected {
                syntax,
                line: line_no,
            });
        }
        votes.push((syntax, line_no));
        if votes.len() >= DECISIVE_LINES {
            break;
        }
    }
    let count = |s: Syntax| votes.iter().filter(|(v, _)| *v == s).count();
    let winner = [Syntax::X86Intel, Syntax::X86Att, Syntax::Arm64]
        .into_iter()
        .max_by_key(|s| count(*s))
        .filter(|s| count(*s) > 0)?;
    let line = votes.iter().find(|(v, _)| *v == winner)?.1;
    Some(Detected {
        syntax: winner,
        line,
    })
}

fn is_syntax_directive(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with(".intel_syntax") || t.starts_with(".att_syntax")
}

/// The dialect one line proves, if any.
fn line_evidence(line: &str) -> Option<Syntax> {
    let t = line.trim();
    // Comments of either dialect; an AArch64 `#imm` never starts a statement.
    if t.is_empty() || t.starts_with('#') || t.starts_with("//") || t.starts_with(';') {
        return None;
    }
    if let Some(directive) = t.strip_prefix('.') {
        let word = directive.split_whitespace().next().unwrap_or("");
        return match word {
            "intel_syntax" => Some(Syntax::X86Intel),
            "att_syntax" => Some(Syntax::X86Att),
            "arch" | "arch_extension" | "variant_pcs" => Some(Syntax::Arm64),
            _ => None,
        };
    }
    // `label:` alone, or a label followed by a statement.
    let stmt = match t.split_once(':') {
        Some((label, rest)) if !label.contains(char::is_whitespace) && !label.contains('[') => {
            rest.trim()
        }
        _ => t,
    };
    // Drop trailing comments: `//` (AArch64), ` #` followed by a space (x86 clang/GCC).
    let stmt = stmt.split("//").next().unwrap_or("");
    let stmt = match stmt.find(" # ").or_else(|| stmt.find("\t# ")) {
        Some(i) => &stmt[..i],
        None => stmt,
    };
    let (mnemonic, operands) = match stmt.split_once(char::is_whitespace) {
        Some((m, o)) => (m, o.trim()),
        None => (stmt, ""),
    };
    if mnemonic.is_empty() || mnemonic.starts_with('.') {
        return None;
    }
    if operands.contains('%') && has_att_register(operands) {
        return Some(Syntax::X86Att);
    }
    let mut x86 = false;
    let mut arm = false;
    for word in operands.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')) {
        let lower = word.to_ascii_lowercase();
        let (base, lane) = match lower.split_once('.') {
            Some((b, l)) => (b, Some(l)),
            None => (lower.as_str(), None),
        };
        if lane.is_none() && is_x86_word(base) {
            x86 = true;
        }
        if is_arm64_register(base, lane) {
            arm = true;
        }
    }
    if operands.contains('#') && !x86 {
        // `#16`, `#0x10`, `lsl #3`: immediates only AArch64 spells this way.
        arm |= operands
            .split('#')
            .skip(1)
            .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit() || c == '-'));
    }
    match (x86, arm) {
        (true, false) => Some(Syntax::X86Intel),
        (false, true) => Some(Syntax::Arm64),
        _ => None,
    }
}

/// `%rax`, `%xmm0`, `%r8d`: a register behind `%` (not `%lo(sym)`-style relocations).
fn has_att_register(operands: &str) -> bool {
    operands.split('%').skip(1).any(|rest| {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        is_x86_word(&word) && !matches!(word.as_str(), "ptr" | "byte" | "word")
    })
}

/// x86 register names and Intel-syntax size keywords; none is an AArch64 register.
fn is_x86_word(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "eax", "ebx", "ecx", "edx", "esi",
        "edi", "ebp", "esp", "ax", "bx", "cx", "dx", "si", "di", "bp", "al", "bl", "cl", "dl",
        "ah", "bh", "ch", "dh", "sil", "dil", "bpl", "spl", "rip", "ptr", "xmmword", "ymmword",
        "zmmword", "qword", "dword", "tbyte",
    ];
    if WORDS.contains(&w) {
        return true;
    }
    // `xmm0`…`zmm31`, and `r8`…`r15` with their `d`/`w`/`b` views.
    let numbered = |prefix: &str, range: std::ops::RangeInclusive<u32>, suffixes: &[&str]| {
        w.strip_prefix(prefix).is_some_and(|rest| {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            digits > 0
                && suffixes.contains(&&rest[digits..])
                && rest[..digits].parse().is_ok_and(|n| range.contains(&n))
        })
    };
    numbered("xmm", 0..=31, &[""])
        || numbered("ymm", 0..=31, &[""])
        || numbered("zmm", 0..=31, &[""])
        || numbered("r", 8..=15, &["", "d", "w", "b"])
}

/// AArch64 register names (`x0`, `w30`, `xzr`, `q1`, `v2` with a lane suffix `.4s`).
fn is_arm64_register(base: &str, lane: Option<&str>) -> bool {
    if matches!(base, "xzr" | "wzr") {
        return true;
    }
    let mut chars = base.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest = chars.as_str();
    let number = !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_digit())
        && rest.parse::<u32>().is_ok_and(|n| n <= 31);
    if !number {
        return false;
    }
    match first {
        'x' | 'w' => rest.parse::<u32>().is_ok_and(|n| n <= 30),
        'q' | 'd' | 's' | 'h' => true,
        'v' => lane.is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(text: &str) -> Option<Syntax> {
        detect(text).map(|d| d.syntax)
    }

    #[test]
    fn every_fixture_dialect_is_recognised() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut checked = 0;
        for (dir, expected) in [
            ("x86/seed", Syntax::X86Intel),
            ("x86/spill", Syntax::X86Intel),
            ("x86/cold", Syntax::X86Intel),
            ("arm64/kernels", Syntax::Arm64),
            ("arm64/neon", Syntax::Arm64),
        ] {
            for entry in std::fs::read_dir(root.join(dir))
                .expect("fixture dir")
                .flatten()
            {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "s") {
                    let text = std::fs::read_to_string(&path).expect("read");
                    assert_eq!(syntax(&text), Some(expected), "{}", path.display());
                    checked += 1;
                }
            }
        }
        assert!(checked > 10, "only {checked} fixtures");
        let att = std::fs::read_to_string(root.join("errors/att_syntax.s")).expect("read");
        assert_eq!(
            detect(&att),
            Some(Detected {
                syntax: Syntax::X86Att,
                line: 8
            })
        );
    }

    #[test]
    fn single_lines() {
        assert_eq!(
            syntax("\tvmovups\tymm0, ymmword ptr [rdi]\n"),
            Some(Syntax::X86Intel)
        );
        assert_eq!(
            syntax("f:\n\tlea\trax, [rdi + rsi]\n\tret\n"),
            Some(Syntax::X86Intel)
        );
        assert_eq!(syntax("\tmovq\t%rsi, (%rsp)\n"), Some(Syntax::X86Att));
        assert_eq!(syntax("\tadd\tx0, x0, x1\n\tret\n"), Some(Syntax::Arm64));
        assert_eq!(syntax("\tfadd\tv0.4s, v0.4s, v1.4s\n"), Some(Syntax::Arm64));
        assert_eq!(syntax("\tsub\tsp, sp, #16\n"), Some(Syntax::Arm64));
        assert_eq!(syntax("\tmov\tr8d, 1\n"), Some(Syntax::X86Intel));
        assert_eq!(
            syntax("\t.intel_syntax noprefix\n\tmovq %rax, %rbx\n"),
            Some(Syntax::X86Intel)
        );
        // Data and comments prove nothing.
        assert_eq!(
            syntax("\t.section .rodata\n\t.quad 1\n# rax\n// x0\n\tret\n"),
            None
        );
    }
}
