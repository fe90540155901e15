//! C library functions whose meaning the C standard fixes, for translated code:
//! `memset`, `memcpy`, `memmove`, and the math functions that are one instruction.
//!
//! Compilers call the memory functions even with `-fno-builtin` (clang for zero-initialised
//! local arrays, struct copies and loops it recognises; GCC without
//! `-fno-tree-loop-distribute-patterns`). They call `sqrtf` and friends under
//! `-fno-builtin`, and without `-fno-math-errno` on the slow path of an inlined square root
//! (a negative argument must set `errno`): `sqrtss` then `call sqrtf@PLT` — code every
//! kernel computing a Euclidean distance has at default flags. Instead of rejecting such
//! calls, the translator appends a small implementation in the input's own dialect when the
//! file calls one of them without defining it; the call then binds like any call to a
//! function of the same file. The implementations use only caller-saved registers and no
//! stack, and only baseline instructions (x86-64 SSE2, ARMv8.0). `errno` is not set: Go
//! code cannot read it, and the value returned is the standard's (NaN for `sqrt(-1)`).

use crate::parse::Dialect;

/// The functions provided, by name.
const NAMES: [&str; 21] = [
    "memset",
    "memcpy",
    "memmove",
    "sqrt",
    "sqrtf",
    "fabs",
    "fabsf",
    "floor",
    "floorf",
    "ceil",
    "ceilf",
    "trunc",
    "truncf",
    "round",
    "roundf",
    "fmin",
    "fminf",
    "fmax",
    "fmaxf",
    "__popcountdi2",
    "__popcountsi2",
];

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

/// A leaf of `body` lines in `dialect`, as a compiler would lay it out.
fn leaf(dialect: Dialect, name: &str, body: &[&str]) -> String {
    let align = match dialect {
        Dialect::X86 => "",
        Dialect::Arm64 => "\t.p2align\t2\n",
    };
    let mut out = format!("\n\t.text\n{align}\t.type\t{name},@function\n{name}:\n");
    for line in body {
        out.push('\t');
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!(
        ".Lc2goasm_{name}_end:\n\t.size\t{name}, .Lc2goasm_{name}_end-{name}\n"
    ));
    out
}

/// The implementation of `name` in `dialect`, if there is one.
fn implementation(dialect: Dialect, name: &str) -> Option<String> {
    let text = |t: &str| Some(t.to_string());
    let leaf = |body: &[&str]| Some(leaf(dialect, name, body));
    match (dialect, name) {
        (Dialect::X86, "memset") => text(X86_MEMSET),
        (Dialect::X86, "memcpy") => text(X86_MEMCPY),
        (Dialect::X86, "memmove") => text(X86_MEMMOVE),
        (Dialect::Arm64, "memset") => text(ARM64_MEMSET),
        (Dialect::Arm64, "memcpy") => text(ARM64_MEMCPY),
        (Dialect::Arm64, "memmove") => text(ARM64_MEMMOVE),
        (Dialect::X86, "sqrt") => leaf(&["sqrtsd\txmm0, xmm0", "ret"]),
        (Dialect::X86, "sqrtf") => leaf(&["sqrtss\txmm0, xmm0", "ret"]),
        // The sign bit cleared through a general register: no constant needed.
        (Dialect::X86, "fabs") => {
            leaf(&["movq\trax, xmm0", "btr\trax, 63", "movq\txmm0, rax", "ret"])
        }
        (Dialect::X86, "fabsf") => leaf(&[
            "movd\teax, xmm0",
            "and\teax, 2147483647",
            "movd\txmm0, eax",
            "ret",
        ]),
        // The compiler runtime's population count (libgcc, compiler-rt), which GCC calls
        // for __builtin_popcount when the target has no POPCNT instruction (baseline
        // x86-64): the classic SWAR sum of bit fields, in caller-saved registers.
        (Dialect::X86, "__popcountdi2") => leaf(&[
            "mov\trax, rdi",
            "shr\trax",
            "movabs\trcx, 6148914691236517205",
            "and\trax, rcx",
            "sub\trdi, rax",
            "movabs\trcx, 3689348814741910323",
            "mov\trax, rdi",
            "and\trax, rcx",
            "shr\trdi, 2",
            "and\trdi, rcx",
            "add\trax, rdi",
            "mov\trcx, rax",
            "shr\trcx, 4",
            "add\trax, rcx",
            "movabs\trcx, 1085102592571150095",
            "and\trax, rcx",
            "movabs\trcx, 72340172838076673",
            "imul\trax, rcx",
            "shr\trax, 56",
            "ret",
        ]),
        (Dialect::X86, "__popcountsi2") => leaf(&[
            "mov\teax, edi",
            "shr\teax",
            "and\teax, 1431655765",
            "sub\tedi, eax",
            "mov\teax, edi",
            "and\teax, 858993459",
            "shr\tedi, 2",
            "and\tedi, 858993459",
            "add\teax, edi",
            "mov\tecx, eax",
            "shr\tecx, 4",
            "add\teax, ecx",
            "and\teax, 252645135",
            "imul\teax, eax, 16843009",
            "shr\teax, 24",
            "ret",
        ]),
        (Dialect::Arm64, _) => {
            // ARMv8.0 has each as one instruction with the C semantics: frinta rounds half
            // away from zero like `round`; fminnm/fmaxnm return the number when one operand
            // is a quiet NaN, like `fmin`/`fmax`.
            let (op, operands) = match name {
                "sqrt" | "sqrtf" => ("fsqrt", 1),
                "fabs" | "fabsf" => ("fabs", 1),
                "floor" | "floorf" => ("frintm", 1),
                "ceil" | "ceilf" => ("frintp", 1),
                "trunc" | "truncf" => ("frintz", 1),
                "round" | "roundf" => ("frinta", 1),
                "fmin" | "fminf" => ("fminnm", 2),
                "fmax" | "fmaxf" => ("fmaxnm", 2),
                _ => return None,
            };
            // `sqrtf`, `fabsf`, …: single precision.
            let r = if name.ends_with('f') { "s" } else { "d" };
            let instr = if operands == 1 {
                format!("{op}\t{r}0, {r}0")
            } else {
                format!("{op}\t{r}0, {r}0, {r}1")
            };
            leaf(&[&instr, "ret"])
        }
        _ => None,
    }
}

/// The target of `line` if it is a branch or call (`call memset@PLT`, `jmp memcpy`,
/// `bl memset`, `b memmove`), without its `@PLT`-style suffix.
fn branch_target(line: &str) -> Option<&str> {
    let code = line.split(['#', ';']).next().unwrap_or("");
    let code = code.split("//").next().unwrap_or("");
    let mut words = code.split_whitespace();
    let (op, target) = (words.next()?, words.next()?);
    let op = op.to_ascii_lowercase();
    // Conditional tail calls too: clang's inlined square root leaves by `jb sqrtf@PLT`.
    let is_branch = matches!(op.as_str(), "call" | "callq" | "bl" | "b")
        || (op.starts_with('j') && op != "jrcxz")
        || op.starts_with("b.");
    is_branch.then(|| target.split('@').next().unwrap_or(target))
}

fn defines(line: &str, name: &str) -> bool {
    line.trim_start()
        .strip_prefix(name)
        .is_some_and(|rest| rest.starts_with(':'))
}

/// The text to append to `text` so that its calls to the functions provided bind, if any.
pub fn support_for(text: &str, dialect: Dialect) -> Option<String> {
    // One scan of the file, looking only at lines that mention a provided name's prefix.
    let names = NAMES;
    let (mut called, mut defined) = ([false; NAMES.len()], [false; NAMES.len()]);
    for line in crate::parse::lines::lines_containing(
        text,
        &[
            "mem", "sqrt", "fabs", "floor", "ceil", "trunc", "round", "fmin", "fmax", "popcount",
        ],
    ) {
        let target = branch_target(line);
        for (k, name) in names.iter().enumerate() {
            called[k] |= target == Some(*name);
            defined[k] |= defines(line, name);
        }
    }
    let mut out = String::new();
    for (k, name) in names.iter().enumerate() {
        if called[k]
            && !defined[k]
            && let Some(code) = implementation(dialect, name)
        {
            out.push_str(&code);
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_called_and_undefined_functions_are_added() {
        let text = "f:\n\tcall\tmemset@PLT\n\tjmp\tmemcpy # tail\n\tjb\tmemmove@PLT\n\tret\n";
        let add = support_for(text, Dialect::X86).expect("support needed");
        assert!(add.contains("memset:") && add.contains("memcpy:") && add.contains("memmove:"));
        assert!(
            support_for("f:\n\tcall\tmemset\n", Dialect::X86)
                .is_some_and(|a| !a.contains("memmove:"))
        );
        assert!(support_for("memset:\n\tret\ng:\n\tcall memset\n", Dialect::X86).is_none());
        assert!(support_for("f:\n\tmov rax, memset_table\n", Dialect::X86).is_none());
        let arm = support_for("f:\n\tbl\tmemmove\n", Dialect::Arm64).expect("arm64");
        assert!(arm.contains("memmove:") && arm.contains("ldrb"));
    }

    #[test]
    fn math_functions_are_one_instruction_each() {
        let x86 = support_for(
            "f:\n\tsqrtss\txmm0, xmm0\n\tjmp\tsqrtf@PLT\ng:\n\tcall\tfabs\n",
            Dialect::X86,
        )
        .expect("x86");
        assert!(
            x86.contains("sqrtf:\n\tsqrtss\txmm0, xmm0\n\tret\n"),
            "{x86}"
        );
        assert!(
            x86.contains("fabs:\n\tmovq\trax, xmm0\n\tbtr\trax, 63"),
            "{x86}"
        );
        assert!(
            support_for("f:\n\tcall\t__popcountdi2@PLT\n", Dialect::X86)
                .is_some_and(|a| a.contains("__popcountdi2:\n\tmov\trax, rdi"))
        );
        // No baseline x86 instruction rounds: floor stays an external call (rejected).
        assert!(support_for("f:\n\tcall\tfloor@PLT\n", Dialect::X86).is_none());
        let arm = support_for(
            "f:\n\tbl\tfloorf\n\tbl\tfmin\n\tb\tfmaxf\n\tbl\tfabsf\n\tbl\tsqrt\n",
            Dialect::Arm64,
        )
        .expect("arm64");
        for expected in [
            "floorf:\n\tfrintm\ts0, s0\n",
            "fmin:\n\tfminnm\td0, d0, d1\n",
            "fmaxf:\n\tfmaxnm\ts0, s0, s1\n",
            "fabsf:\n\tfabs\ts0, s0\n",
            "sqrt:\n\tfsqrt\td0, d0\n",
        ] {
            assert!(arm.contains(expected), "{expected} in {arm}");
        }
    }
}
