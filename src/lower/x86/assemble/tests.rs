//! Bytes as LLVM's assembler writes them: `llvm_cases.txt` holds `instruction|hex` pairs
//! produced by `clang-19 -c` + `llvm-objdump-19 -d` (see tests/encoding_vs_clang.rs for the
//! differential test over every fixture).

use super::{build, encode};
use crate::parse::x86::instruction::parse_instruction;

fn assemble(line: &str) -> Result<String, String> {
    let ins = parse_instruction(&Default::default(), line, 1, line, 0)
        .map_err(|e| format!("parse: {e:?}"))?;
    let built = build(&ins).map_err(|e| format!("build: {e}"))?;
    let bytes = encode(&built).map_err(|e| format!("encode: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[test]
fn matches_llvm_byte_for_byte() {
    let mut failures = Vec::new();
    for case in include_str!("llvm_cases.txt").lines() {
        let Some((line, want)) = case.split_once('|') else {
            continue;
        };
        match assemble(line) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{line}: got {got}, llvm {want}")),
            Err(e) => failures.push(format!("{line}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn symbolic_operands_are_placeholders() {
    let ins = |l: &str| {
        build(&parse_instruction(&Default::default(), l, 1, l, 0).expect("parse")).expect("build")
    };
    let j = ins("jne .LBB0_3");
    assert_eq!(j.code(), iced_x86::Code::Jne_rel32_64);
    let m = ins("vpand ymm0, ymm1, ymmword ptr [rip + .LCPI0_0]");
    assert!(m.is_ip_rel_memory_operand());
    let c = ins("call memset@PLT");
    assert_eq!(c.code(), iced_x86::Code::Call_rel32_64);
}

#[test]
fn impossible_forms_are_errors() {
    for l in [
        "add rax, 0x1ffffffffffffffff",
        "vaddps ymm0, ymm1, xmmword ptr [rax]",
        "mov al, rcx",
    ] {
        let ins = parse_instruction(&Default::default(), l, 1, l, 0);
        if let Ok(ins) = ins {
            assert!(build(&ins).is_err(), "{l} should not assemble");
        }
    }
}
