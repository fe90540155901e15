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
        (Dialect::X86, "floor" | "floorf" | "ceil" | "ceilf" | "trunc" | "truncf")
        | (Dialect::X86, "round" | "roundf") => Some(x86_rounding(name)),
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

/// `floor`, `ceil`, `trunc`, `round` and their `f` forms in SSE2, which has no rounding
/// instruction (SSE4.1's `roundsd` is what compilers inline when they may): compilers call
/// them for baseline x86-64. Caller-saved registers only (rax, rcx, rdx, xmm1, xmm2), no
/// stack, no constant pool.
///
/// |x| ≥ 2^52 (2^23 for float), infinities and NaNs are integers already and come back
/// unchanged (bit patterns of non-negative doubles order like the doubles). Otherwise
/// `t = trunc(x)` through a conversion to a 64-bit integer (exact below 2^52), with x's
/// sign put back so `trunc(-0.5)` is `-0.0`; then floor subtracts 1 when `t > x`, ceil adds 1
/// when `t < x` (`ceil(-0.5)` stays `-0.0`), and round adds `copysign(1, x)` when the
/// fraction `x - t`, which is exact, is at least one half in magnitude — halves away from
/// zero, with no `x + 0.5` rounding error (0.49999999999999994 rounds to 0).
fn x86_rounding(name: &str) -> String {
    let single = name.ends_with('f');
    let op = name.trim_end_matches('f');
    // Double or single: general registers, move, convert, arithmetic, and the constants
    // 2^52 / 2^23, the sign bit, 1.0 and 0.5 as bit patterns.
    let (gax, gcx, gdx, mov, cvtt, cvt, sub, add, comi) = if single {
        (
            "eax",
            "ecx",
            "edx",
            "movd",
            "cvttss2si",
            "cvtsi2ss",
            "subss",
            "addss",
            "comiss",
        )
    } else {
        (
            "rax",
            "rcx",
            "rdx",
            "movq",
            "cvttsd2si",
            "cvtsi2sd",
            "subsd",
            "addsd",
            "comisd",
        )
    };
    let (big, sign, one, half) = if single {
        (
            "mov\tedx, 1258291200",
            "2147483648",
            "1065353216",
            "1056964608",
        )
    } else {
        (
            "movabs\trdx, 4841369599423283200",
            "9223372036854775808",
            "4607182418800017408",
            "4602678819172646912",
        )
    };
    let load = |reg: &str, value: &str| {
        if single {
            format!("mov\t{reg}, {value}")
        } else {
            format!("movabs\t{reg}, {value}")
        }
    };
    let done = format!(".Lc2goasm_{name}_done");
    let mut body: Vec<String> = vec![
        format!("{mov}\t{gax}, xmm0"),
        format!("mov\t{gcx}, {gax}"),
        if single {
            "and\tecx, 2147483647".to_string()
        } else {
            "btr\trcx, 63".to_string()
        },
        big.to_string(),
        format!("cmp\t{gcx}, {gdx}"),
        format!("jae\t{done}"),
        // t = trunc(x), with x's sign.
        format!("{cvtt}\trcx, xmm0"),
        "pxor\txmm1, xmm1".to_string(),
        format!("{cvt}\txmm1, rcx"),
        format!("{mov}\t{gcx}, xmm1"),
        load(gdx, sign),
        format!("and\t{gax}, {gdx}"),
        format!("or\t{gcx}, {gax}"),
        format!("{mov}\txmm1, {gcx}"),
    ];
    let skip = format!(".Lc2goasm_{name}_exact");
    match op {
        "floor" | "ceil" => {
            // floor: t > x → t - 1; ceil: x > t → t + 1.
            let (cmp, adjust) = if op == "floor" {
                (format!("{comi}\txmm1, xmm0"), sub)
            } else {
                (format!("{comi}\txmm0, xmm1"), add)
            };
            body.push(cmp);
            body.push(format!("jbe\t{skip}"));
            body.push(load(gdx, one));
            body.push(format!("{mov}\txmm2, {gdx}"));
            body.push(format!("{adjust}\txmm1, xmm2"));
        }
        "round" => {
            body.push("movaps\txmm2, xmm0".to_string());
            body.push(format!("{sub}\txmm2, xmm1"));
            body.push(format!("{mov}\t{gcx}, xmm2"));
            body.push(if single {
                "and\tecx, 2147483647".to_string()
            } else {
                "btr\trcx, 63".to_string()
            });
            body.push(load(gdx, half));
            body.push(format!("cmp\t{gcx}, {gdx}"));
            body.push(format!("jb\t{skip}"));
            body.push(load(gcx, one));
            body.push(format!("or\t{gcx}, {gax}"));
            body.push(format!("{mov}\txmm2, {gcx}"));
            body.push(format!("{add}\txmm1, xmm2"));
        }
        _ => {}
    }
    let mut out = format!("\n\t.text\n\t.type\t{name},@function\n{name}:\n");
    for line in &body {
        out.push_str(&format!("\t{line}\n"));
    }
    out.push_str(&format!("{skip}:\n\tmovaps\txmm0, xmm1\n{done}:\n\tret\n"));
    out.push_str(&format!(
        ".Lc2goasm_{name}_end:\n\t.size\t{name}, .Lc2goasm_{name}_end-{name}\n"
    ));
    out
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
        // No baseline x86 instruction rounds: floor gets an SSE2 sequence; fmin has none.
        let floor =
            support_for("f:\n\tcall\tfloor@PLT\n\tjmp\troundf\n", Dialect::X86).expect("floor");
        assert!(floor.contains("floor:\n\tmovq\trax, xmm0\n"), "{floor}");
        assert!(floor.contains("cvttsd2si\trcx, xmm0") && floor.contains("subsd\txmm1, xmm2"));
        assert!(floor.contains("roundf:\n\tmovd\teax, xmm0\n") && floor.contains("cvttss2si"));
        assert!(support_for("f:\n\tcall\tfmin@PLT\n", Dialect::X86).is_none());
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
