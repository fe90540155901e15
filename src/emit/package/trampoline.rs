//! `c2goasm_amd64.s`, `c2goasm_arm64.s`: the assembly behind the internal functions of
//! the API, so that dispatch costs one direct call and an indirect jump.
//!
//! Each function has a table of its variants' entry points (baseline first; the user's
//! pure-Go version where a variant lacks the function), and `c2goasmDotF32` jumps through
//! it with the index init chose — the variant's own argument frame is the caller's, since
//! the signatures are the same. Before, the exported API was a `var` of func type: an
//! indirect call through a closure into the ABI wrapper of the assembly, with every
//! pointer escaping (Go cannot see through a func value). A table in `RODATA` and a
//! `//go:noescape` declaration keep the choice out of reach of importers, the call
//! direct, and the arguments on the caller's stack.
//!
//! The checked trampoline (`c2goasmSimdAxpyChecked`, for C functions without a result,
//! see `shape`) takes the C arguments followed by a word per length group, zero when the
//! lengths fit: it tests the words, jumping to `c2goasm…Bad` (Go, same arguments, panics)
//! when one is not zero, and jumps like the raw one otherwise — the variant reads the C
//! arguments where they are and returns nothing, so the words after them are never
//! looked at.

use std::fmt::Write;

use super::shape::{ApiShape, shapes, word_param};
use super::{Class, Exported, Impl, Spec, Target, param_list, resolve};
use crate::Arch;
use crate::SourceFile;
use crate::abi::{FrameLayout, Slot, layout, parse_go_decls};

pub(super) fn file(spec: &Spec, target: &Target) -> String {
    let shapes = shapes(spec.functions);
    let mut out = format!(
        "{}\n// Command: {}\n\n//go:build !noasm\n\n#include \"textflag.h\"\n",
        spec.generated_by, spec.command
    );
    let names: Vec<&str> = target.variants.iter().map(|v| v.name.as_str()).collect();
    for (f, s) in spec.functions.iter().zip(&shapes) {
        let Impl::Table(entries) = resolve(f, Class::Asm(target)) else {
            continue;
        };
        let table = format!("c2goasm{}Table<>", f.go_name);
        let jump = if entries.iter().all(|e| *e == entries[0]) {
            Jump::To(entries[0].symbol().to_string())
        } else {
            let _ = writeln!(
                out,
                "\n// The {} entry points, one per variant ({}).",
                f.go_name,
                names.join(", ")
            );
            for (i, e) in entries.iter().enumerate() {
                let _ = writeln!(out, "DATA {table}+{}(SB)/8, ${}", i * 8, sym(e.symbol()));
            }
            let _ = writeln!(
                out,
                "GLOBL {table}(SB), RODATA|NOPTR, ${}",
                entries.len() * 8
            );
            let mut targets: Vec<String> = Vec::new();
            for e in &entries {
                if !targets.iter().any(|t| t == e.symbol()) {
                    targets.push(e.symbol().to_string());
                }
            }
            Jump::Table { table, targets }
        };
        let raw = frame(&format!(
            "func c2goasm{}({}){}",
            f.go_name,
            param_list(&s.raw_params),
            s.result
                .as_ref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default()
        ));
        let _ = writeln!(
            out,
            "\n// func c2goasm{}({}){}\n{}",
            f.go_name,
            param_list(&s.raw_params),
            s.result
                .as_ref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default(),
            text_line(target.arch, &format!("c2goasm{}", f.go_name), &raw)
        );
        out.push_str(&dispatch(target.arch, &jump));
        if let Some(api) = s.api.as_ref().filter(|a| a.checked_fn) {
            out.push_str(&checked_trampoline(target.arch, f, api, &jump));
        }
    }
    out
}

/// Where a trampoline goes.
enum Jump {
    /// Always the same function.
    To(String),
    /// Through `table`, by `c2goasmVariant`, to one of `targets`.
    Table { table: String, targets: Vec<String> },
}

/// `·SampleSumAVX2(SB)`.
fn sym(name: &str) -> String {
    format!("·{name}(SB)")
}

fn frame(decl: &str) -> FrameLayout {
    let file = SourceFile::new(
        "c2goasm (internal declaration)",
        format!("package p\n\n{decl}\n"),
    );
    let funcs = parse_go_decls(&file).unwrap_or_default();
    funcs.first().map(layout).unwrap_or(FrameLayout {
        args: Vec::new(),
        results: Vec::new(),
        args_size: 0,
    })
}

fn text_line(arch: Arch, name: &str, frame: &FrameLayout) -> String {
    let flags = match arch {
        Arch::Amd64 => "NOSPLIT",
        Arch::Arm64 => "NOSPLIT|NOFRAME",
    };
    format!("TEXT ·{name}(SB), {flags}, $0-{}", frame.args_size)
}

/// The jump to the chosen variant. An indirect jump carries no relocation, so Go's linker
/// would not see where it goes; variants that run C code on the Go stack below a NOSPLIT
/// wrapper (`lower::nosplit_stack`) must be counted in the NOSPLIT check of whoever calls
/// the trampoline, so each table entry is also named by a direct jump that never runs.
fn dispatch(arch: Arch, jump: &Jump) -> String {
    match (jump, arch) {
        (Jump::To(s), _) => format!("\tJMP {}\n", sym(s)),
        (Jump::Table { table: t, targets }, _) => {
            let mut out = match arch {
                Arch::Amd64 => format!(
                    "\tMOVQ ·c2goasmVariant(SB), AX\n\tLEAQ {t}(SB), CX\n\tJMP (CX)(AX*8)\n"
                ),
                Arch::Arm64 => format!(
                    "\tMOVD ·c2goasmVariant(SB), R0\n\tMOVD ${t}(SB), R1\n\tMOVD (R1)(R0<<3), R1\n\tJMP (R1)\n"
                ),
            };
            out.push_str(
                "\t// Never executed: the table's targets, for the linker's NOSPLIT check\n",
            );
            for target in targets {
                let _ = writeln!(out, "\tJMP {}", sym(target));
            }
            out
        }
    }
}

fn slot<'a>(frame: &'a FrameLayout, name: &str) -> Option<&'a Slot> {
    frame.args.iter().find(|s| s.name == name)
}

fn fp(s: &Slot) -> String {
    format!("{}+{}(FP)", s.name, s.offset)
}

fn checked_trampoline(arch: Arch, f: &Exported, api: &ApiShape, jump: &Jump) -> String {
    let name = format!("c2goasm{}Checked", f.go_name);
    let frame = frame(&format!(
        "func {name}({})",
        param_list(&api.checked_fn_params)
    ));
    let mut t = format!(
        "\n// func {name}({})\n{}\n",
        param_list(&api.checked_fn_params),
        text_line(arch, &name, &frame)
    );
    for i in 0..api.checked_groups.len() {
        let Some(word) = slot(&frame, &word_param(i)) else {
            continue;
        };
        let _ = match arch {
            Arch::Amd64 => writeln!(t, "\tCMPQ {}, $0\n\tJNE bad", fp(word)),
            Arch::Arm64 => writeln!(t, "\tMOVD {}, R0\n\tCBNZ R0, bad", fp(word)),
        };
    }
    t.push_str(&dispatch(arch, jump));
    let _ = writeln!(
        t,
        "bad:\n\tJMP {}",
        sym(&format!("c2goasm{}Bad", f.go_name))
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::GoType;
    use crate::emit::package::{LengthGroup, Role, SliceApi, VariantInfo};

    /// `void add(float *dst, const float *a, size_t n)`, built for sse2 and avx2.
    fn add() -> Exported {
        let p = |e: &str| GoType::Pointer(e.into());
        Exported {
            c_name: "add".into(),
            go_name: "Add".into(),
            fallback: "add".into(),
            c_prototype: "void add(float *dst, const float *a, size_t n)".into(),
            origin: "k.c:1".into(),
            params: vec![
                ("dst".into(), p("float32")),
                ("a".into(), p("float32")),
                ("n".into(), GoType::Uint64),
            ],
            result: None,
            implemented_by: vec!["sse2".into(), "avx2".into(), "neon".into()],
            doc: Vec::new(),
            api: Some(SliceApi {
                roles: vec![
                    Role::Slice { group: 0 },
                    Role::Slice { group: 0 },
                    Role::Length { group: 0 },
                ],
                groups: vec![LengthGroup {
                    length: 2,
                    slices: vec![0, 1],
                    max_bits: None,
                }],
                annotated: false,
            }),
            has_fallback: false,
            everywhere: true,
        }
    }

    #[test]
    fn checked_trampolines_test_the_word_then_jump_through_the_table() {
        let v = |n: &str, s: &str| VariantInfo {
            name: n.into(),
            go_suffix: s.into(),
            condition: "true".into(),
        };
        let amd64 = Target {
            arch: Arch::Amd64,
            variants: vec![v("sse2", "SSE2"), v("avx2", "AVX2")],
        };
        let arm64 = Target {
            arch: Arch::Arm64,
            variants: vec![v("neon", "NEON")],
        };
        let functions = [add()];
        let spec = Spec {
            package: "k",
            generated_by: "// gen",
            command: "cmd",
            functions: &functions,
            targets: &[],
            go_generate: false,
            package_doc: false,
            sources: &[],
            cflags: &[],
            import_path: None,
        };
        let text = file(&spec, &amd64);
        assert!(
            text.contains(
                "DATA c2goasmAddTable<>+0(SB)/8, $·AddSSE2(SB)\nDATA c2goasmAddTable<>+8(SB)/8, $·AddAVX2(SB)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "TEXT ·c2goasmAddChecked(SB), NOSPLIT, $0-32\n\tCMPQ c2goasmBad0+24(FP), $0\n\tJNE bad\n\tMOVQ ·c2goasmVariant(SB), AX\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("bad:\n\tJMP ·c2goasmAddBad(SB)\n"), "{text}");
        let text = file(&spec, &arm64);
        assert!(
            text.contains(
                "TEXT ·c2goasmAddChecked(SB), NOSPLIT|NOFRAME, $0-32\n\tMOVD c2goasmBad0+24(FP), R0\n\tCBNZ R0, bad\n\tJMP ·AddNEON(SB)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn frames_come_from_the_abi_layout() {
        let f = frame("func f(dst, a []float32, k float32)");
        assert_eq!(f.args_size, 52);
        assert_eq!(slot(&f, "a_len").map(|s| s.offset), Some(32));
        assert_eq!(slot(&f, "k").map(|s| (s.offset, s.size)), Some((48, 4)));
        assert_eq!(
            dispatch(Arch::Arm64, &Jump::To("FNEON".into())),
            "\tJMP ·FNEON(SB)\n"
        );
        let table = Jump::Table {
            table: "t<>".into(),
            targets: vec!["FSSE2".into(), "FAVX2".into()],
        };
        assert!(
            dispatch(Arch::Amd64, &table).ends_with(
                "\tJMP (CX)(AX*8)\n\t// Never executed: the table's targets, for the linker's NOSPLIT check\n\tJMP ·FSSE2(SB)\n\tJMP ·FAVX2(SB)\n"
            )
        );
    }
}
