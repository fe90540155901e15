//! `<file>_amd64.go`, `<file>_arm64.go`: the body-less declarations of every variant's
//! function (`SampleSumAVX2`), which the translated assembly implements. They keep the C
//! signature (pointers), so tests and benchmarks can call one variant directly.

use std::fmt::Write;

use super::gofile::GoFile;
use super::{Exported, VariantInfo, go_params, param_list};
use crate::abi::GoType;

/// `(a, b *float32, n int64) float32`: the C signature in Go.
pub(super) fn raw_signature(f: &Exported) -> String {
    let params: Vec<(String, String)> = go_params(&f.params)
        .into_iter()
        .zip(&f.params)
        .map(|(n, (_, t))| (n, t.to_string()))
        .collect();
    match &f.result {
        Some(r) => format!("({}) {r}", param_list(&params)),
        None => format!("({})", param_list(&params)),
    }
}

/// Whether a Go signature of `f`'s C types names `unsafe.Pointer`.
pub(super) fn uses_unsafe_pointer(f: &Exported) -> bool {
    f.params
        .iter()
        .map(|(_, t)| t)
        .chain(f.result.iter())
        .any(|t| *t == GoType::UnsafePointer)
}

/// The declarations of `variants`' builds of `functions` (those each variant defines).
pub fn declarations(
    generated_by: &str,
    command: &str,
    package: &str,
    functions: &[Exported],
    variants: &[VariantInfo],
) -> String {
    let mut file = GoFile {
        constraint: Some("!noasm".into()),
        ..GoFile::default()
    };
    if functions.iter().any(uses_unsafe_pointer) {
        file.import("unsafe");
    }
    for f in functions {
        for v in variants.iter().filter(|v| f.implemented_by(v)) {
            let _ = writeln!(
                file.body,
                "// {}{} is the {} build of {} ({}), without length checks:\n//\n//\t{}\n//\n//go:noescape\nfunc {}{}{}\n",
                f.go_name,
                v.go_suffix,
                v.name,
                f.c_name,
                f.origin,
                f.c_prototype,
                f.go_name,
                v.go_suffix,
                raw_signature(f)
            );
        }
    }
    file.render(generated_by, command, package)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{functions, targets};
    use super::*;

    #[test]
    fn one_declaration_per_variant_that_defines_the_function() {
        let mut fs = functions();
        fs[2].implemented_by = vec!["neon".into()];
        let text = declarations("// gen", "cmd", "k", &fs, &targets()[0].variants);
        assert!(text.contains("//go:build !noasm\n"), "{text}");
        assert!(
            text.contains("//go:noescape\nfunc DotSSE2(a, b *float32, n uint64) float32\n"),
            "{text}"
        );
        assert!(
            text.contains("func AddAVX2(dst, a *float32, n uint64)\n"),
            "{text}"
        );
        assert!(!text.contains("MixSSE2"), "{text}");
    }
}
