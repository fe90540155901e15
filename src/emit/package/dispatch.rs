//! Which code runs each function in a build, as Go: `c2goasm_amd64.go` and
//! `c2goasm_arm64.go` pick the variant once at init and declare the assembly
//! trampolines; [`implementations`] writes, for any build, the internal functions the
//! API calls — a trampoline's declaration, a call of the user's pure-Go version, a cgo
//! call, or a stub next to the compile error saying what is missing.

use std::fmt::Write;

use super::gofile::GoFile;
use super::shape::{Shape, shapes};
use super::{Class, Exported, Impl, Spec, Target, cgo, missing, param_list, resolve};

/// `c2goasm_<goarch>.go`.
pub(super) fn file(spec: &Spec, target: &Target) -> String {
    let shapes = shapes(spec.functions);
    let mut file = GoFile {
        constraint: Some("!noasm".into()),
        ..GoFile::default()
    };
    let baseline = target.variants.first().map_or("", |v| v.name.as_str());
    let b = &mut file.body;
    if target.variants.len() > 1 {
        let _ = writeln!(
            b,
            "// c2goasmVariant indexes the dispatch tables of c2goasm_{}.s: the variant\n\
             // init chose ({} is 0).\n\
             var c2goasmVariant uintptr\n",
            target.arch.go_name(),
            baseline
        );
    }
    let _ = writeln!(b, "var c2goasmSelected = {baseline:?}\n");
    if target.variants.len() > 1 {
        b.push_str("func init() {\n\tswitch {\n");
        for (i, v) in target.variants.iter().enumerate().skip(1).rev() {
            let _ = writeln!(
                b,
                "\tcase {}:\n\t\tc2goasmVariant, c2goasmSelected = {i}, {:?}",
                v.condition, v.name
            );
        }
        b.push_str("\t}\n}\n\n");
        file.import("golang.org/x/sys/cpu");
    }
    implementations(spec, &shapes, Class::Asm(target), &mut file);
    file.render(spec.generated_by, spec.command, spec.package)
}

/// The internal functions of `class`'s build, appended to `file` (with their imports),
/// and the compile error when some have no implementation. Returns how many go through
/// cgo.
pub(super) fn implementations(
    spec: &Spec,
    shapes: &[Shape],
    class: Class,
    file: &mut GoFile,
) -> usize {
    let mut missing: Vec<&Exported> = Vec::new();
    let mut through_cgo = 0;
    for (f, s) in spec.functions.iter().zip(shapes) {
        let imp = resolve(f, class);
        let sig = format!(
            "c2goasm{}({}){}",
            f.go_name,
            param_list(&s.raw_params),
            s.result
                .as_ref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default()
        );
        let ret = if s.result.is_some() { "return " } else { "" };
        let b = &mut file.body;
        match &imp {
            Impl::Table(_) => {
                let _ = writeln!(b, "//go:noescape\nfunc {sig}\n");
            }
            Impl::Go => {
                let _ = writeln!(
                    b,
                    "func {sig} {{\n\t{ret}{}({})\n}}\n",
                    f.fallback,
                    s.raw_names.join(", ")
                );
            }
            Impl::Cgo => {
                through_cgo += 1;
                let _ = writeln!(b, "func {sig} {{\n\t{}\n}}\n", cgo::call(f, s));
            }
            Impl::Missing => {
                missing.push(f);
                let _ = writeln!(b, "func {sig} {{\n\tpanic(\"unreachable\")\n}}\n");
            }
        }
        if super::variants::uses_unsafe_pointer(f) || matches!(imp, Impl::Cgo) {
            file.import("unsafe");
        }
        let Some(api) = s.api.as_ref().filter(|a| a.checked_fn) else {
            continue;
        };
        let sig = format!(
            "c2goasm{}Checked({})",
            f.go_name,
            param_list(&api.checked_fn_params)
        );
        let b = &mut file.body;
        if matches!(imp, Impl::Table(_)) {
            let _ = writeln!(b, "//go:noescape\nfunc {sig}\n");
            continue;
        }
        let names: Vec<&str> = api
            .checked_fn_params
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        let _ = writeln!(
            b,
            "func {sig} {{\n\tif {} {{\n\t\tc2goasm{}Bad({})\n\t}}\n\tc2goasm{}({})\n}}\n",
            api.bad_in_checked_fn.as_deref().unwrap_or("false"),
            f.go_name,
            names.join(", "),
            f.go_name,
            s.raw_names.join(", ")
        );
    }
    if !missing.is_empty() {
        file.body.push_str(&missing::error(spec, class, &missing));
    }
    through_cgo
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{functions, spec, targets};
    use super::*;

    #[test]
    fn init_picks_the_best_variant_once() {
        let (fs, ts) = (functions(), targets());
        let amd64 = file(&spec(&fs, &ts), &ts[0]);
        for want in [
            "//go:build !noasm\n",
            "import \"golang.org/x/sys/cpu\"",
            "var c2goasmVariant uintptr",
            "var c2goasmSelected = \"sse2\"",
            "\tcase cpu.X86.HasAVX2 && cpu.X86.HasFMA:\n\t\tc2goasmVariant, c2goasmSelected = 1, \"avx2\"\n",
            "//go:noescape\nfunc c2goasmDot(a, b *float32, n uint64) float32\n",
            "//go:noescape\nfunc c2goasmAddChecked(dst, a *float32, n uint64, c2goasmBad0 int)\n",
        ] {
            assert!(amd64.contains(want), "{want:?} not in:\n{amd64}");
        }
        // One variant: no choice to make.
        let arm64 = file(&spec(&fs, &ts), &ts[1]);
        assert!(arm64.contains("var c2goasmSelected = \"neon\""), "{arm64}");
        assert!(
            !arm64.contains("c2goasmVariant") && !arm64.contains("init()"),
            "{arm64}"
        );
    }

    #[test]
    fn builds_without_assembly_call_go_cgo_or_fail_to_compile() {
        let mut fs = functions();
        fs[0].has_fallback = true;
        let ts = targets();
        let shapes = shapes(&fs);
        let spec = spec(&fs, &ts);
        let mut with_cgo = GoFile::default();
        assert_eq!(
            implementations(&spec, &shapes, Class::Cgo, &mut with_cgo),
            2
        );
        let b = &with_cgo.body;
        assert!(
            b.contains(
                "func c2goasmDot(a, b *float32, n uint64) float32 {\n\treturn dot(a, b, n)\n}"
            ),
            "{b}"
        );
        assert!(
            b.contains("C.c2goasm_Mix(C.uint32_t(a), C.uint32_t(b))"),
            "{b}"
        );
        assert!(b.contains("func c2goasmAddChecked(dst, a *float32, n uint64, c2goasmBad0 int) {\n\tif c2goasmBad0 != 0 {\n\t\tc2goasmAddBad(dst, a, n, c2goasmBad0)\n\t}\n\tc2goasmAdd(dst, a, n)\n}"), "{b}");
        let mut without = GoFile::default();
        assert_eq!(
            implementations(&spec, &shapes, Class::NoCgo, &mut without),
            0
        );
        let b = &without.body;
        assert!(
            b.contains("func c2goasmMix(a, b uint32) uint32 {\n\tpanic(\"unreachable\")\n}"),
            "{b}"
        );
        assert!(
            b.contains("var _ int = `\nc2goasm-rs: package k has no assembly"),
            "{b}"
        );
        assert!(
            b.contains("\tMix  needs  func mix(a, b uint32) uint32\n"),
            "{b}"
        );
        assert!(!b.contains("Dot  needs"), "{b}");
    }
}
