//! `memset`, `memcpy` and `memmove` for translated code.
//!
//! Compilers call these even with `-fno-builtin` (clang for zero-initialised local arrays,
//! struct copies and loops it recognises; GCC without `-fno-tree-loop-distribute-patterns`).
//! Their semantics are fixed by the C standard, so instead of rejecting such calls, the
//! translator appends a small implementation in the input's own dialect when the file
//! calls one of them without defining it; the call then binds like any call to a function
//! of the same file. The implementations use only caller-saved registers and no stack.

use crate::parse::Dialect;

/// The functions provided, by name.
const NAMES: [&str; 3] = ["memset", "memcpy", "memmove"];

const X86_MEMSET: &str = "
\t.text
\t.type\tmemset,@function
memset:
\tmov\tr9, rdi
\tmov\teax, esi
\tmov\trcx, rdx
\trep\t\tstosb byte ptr es:[rdi], al
\tmov\trax, r9
\tret
.Lc2goasm_memset_end:
\t.size\tmemset, .Lc2goasm_memset_end-memset
";

const X86_MEMCPY: &str = "
\t.text
\t.type\tmemcpy,@function
memcpy:
\tmov\trax, rdi
\tmov\trcx, rdx
\trep\t\tmovsb byte ptr es:[rdi], byte ptr [rsi]
\tret
.Lc2goasm_memcpy_end:
\t.size\tmemcpy, .Lc2goasm_memcpy_end-memcpy
";

/// Copies backwards (direction flag set, then cleared as the ABI requires) when the
/// destination starts inside the source.
const X86_MEMMOVE: &str = "
\t.text
\t.type\tmemmove,@function
memmove:
\tmov\trax, rdi
\tmov\trcx, rdx
\tcmp\trdi, rsi
\tjbe\t.Lc2goasm_memmove_forward
\tlea\tr8, [rsi + rdx]
\tcmp\trdi, r8
\tjae\t.Lc2goasm_memmove_forward
\tlea\trsi, [rsi + rdx - 1]
\tlea\trdi, [rdi + rdx - 1]
\tstd
\trep\t\tmovsb byte ptr es:[rdi], byte ptr [rsi]
\tcld
\tret
.Lc2goasm_memmove_forward:
\trep\t\tmovsb byte ptr es:[rdi], byte ptr [rsi]
\tret
.Lc2goasm_memmove_end:
\t.size\tmemmove, .Lc2goasm_memmove_end-memmove
";

/// Byte loops: correct for any alignment and length, and short.
const ARM64_MEMSET: &str = "
\t.text
\t.p2align\t2
\t.type\tmemset,@function
memset:
\tmov\tx3, x0
\tcbz\tx2, .Lc2goasm_memset_done
.Lc2goasm_memset_loop:
\tstrb\tw1, [x3], #1
\tsubs\tx2, x2, #1
\tb.ne\t.Lc2goasm_memset_loop
.Lc2goasm_memset_done:
\tret
.Lc2goasm_memset_end:
\t.size\tmemset, .Lc2goasm_memset_end-memset
";

const ARM64_MEMCPY: &str = "
\t.text
\t.p2align\t2
\t.type\tmemcpy,@function
memcpy:
\tmov\tx3, x0
\tcbz\tx2, .Lc2goasm_memcpy_done
.Lc2goasm_memcpy_loop:
\tldrb\tw4, [x1], #1
\tstrb\tw4, [x3], #1
\tsubs\tx2, x2, #1
\tb.ne\t.Lc2goasm_memcpy_loop
.Lc2goasm_memcpy_done:
\tret
.Lc2goasm_memcpy_end:
\t.size\tmemcpy, .Lc2goasm_memcpy_end-memcpy
";

const ARM64_MEMMOVE: &str = "
\t.text
\t.p2align\t2
\t.type\tmemmove,@function
memmove:
\tcbz\tx2, .Lc2goasm_memmove_done
\tcmp\tx0, x1
\tb.ls\t.Lc2goasm_memmove_forward
\tadd\tx4, x1, x2
\tcmp\tx0, x4
\tb.hs\t.Lc2goasm_memmove_forward
.Lc2goasm_memmove_backward:
\tsub\tx2, x2, #1
\tldrb\tw4, [x1, x2]
\tstrb\tw4, [x0, x2]
\tcbnz\tx2, .Lc2goasm_memmove_backward
\tret
.Lc2goasm_memmove_forward:
\tmov\tx3, x0
.Lc2goasm_memmove_loop:
\tldrb\tw4, [x1], #1
\tstrb\tw4, [x3], #1
\tsubs\tx2, x2, #1
\tb.ne\t.Lc2goasm_memmove_loop
.Lc2goasm_memmove_done:
\tret
.Lc2goasm_memmove_end:
\t.size\tmemmove, .Lc2goasm_memmove_end-memmove
";

fn implementation(dialect: Dialect, name: &str) -> &'static str {
    match (dialect, name) {
        (Dialect::X86, "memset") => X86_MEMSET,
        (Dialect::X86, "memcpy") => X86_MEMCPY,
        (Dialect::X86, _) => X86_MEMMOVE,
        (Dialect::Arm64, "memset") => ARM64_MEMSET,
        (Dialect::Arm64, "memcpy") => ARM64_MEMCPY,
        (Dialect::Arm64, _) => ARM64_MEMMOVE,
    }
}

/// The target of `line` if it is a branch or call (`call memset@PLT`, `jmp memcpy`,
/// `bl memset`, `b memmove`), without its `@PLT`-style suffix.
fn branch_target(line: &str) -> Option<&str> {
    let code = line.split(['#', ';']).next().unwrap_or("");
    let code = code.split("//").next().unwrap_or("");
    let mut words = code.split_whitespace();
    let (op, target) = (words.next()?, words.next()?);
    let is_branch = ["call", "jmp", "bl", "b", "callq", "jmpq"]
        .iter()
        .any(|b| op.eq_ignore_ascii_case(b));
    is_branch.then(|| target.split('@').next().unwrap_or(target))
}

fn defines(line: &str, name: &str) -> bool {
    line.trim_start()
        .strip_prefix(name)
        .is_some_and(|rest| rest.starts_with(':'))
}

/// The text to append to `text` so that its calls to memset/memcpy/memmove bind, if any.
pub fn support_for(text: &str, dialect: Dialect) -> Option<String> {
    // One scan of the file, looking only at lines that mention "mem" at all.
    let (mut called, mut defined) = ([false; 3], [false; 3]);
    for line in crate::parse::lines::lines_containing(text, &["mem"]) {
        let target = branch_target(line);
        for (k, name) in NAMES.iter().enumerate() {
            called[k] |= target == Some(*name);
            defined[k] |= defines(line, name);
        }
    }
    let mut out = String::new();
    for (k, name) in NAMES.iter().enumerate() {
        if called[k] && !defined[k] {
            out.push_str(implementation(dialect, name));
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_called_and_undefined_functions_are_added() {
        let text = "f:\n\tcall\tmemset@PLT\n\tjmp\tmemcpy # tail\n\tret\n";
        let add = support_for(text, Dialect::X86).expect("support needed");
        assert!(add.contains("memset:") && add.contains("memcpy:"));
        assert!(!add.contains("memmove:"));
        assert!(support_for("memset:\n\tret\ng:\n\tcall memset\n", Dialect::X86).is_none());
        assert!(support_for("f:\n\tmov rax, memset_table\n", Dialect::X86).is_none());
        let arm = support_for("f:\n\tbl\tmemmove\n", Dialect::Arm64).expect("arm64");
        assert!(arm.contains("memmove:") && arm.contains("ldrb"));
    }
}
