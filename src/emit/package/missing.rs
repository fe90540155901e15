//! The compile error of a build that has no implementation of some functions: neither
//! assembly for its architecture, nor cgo, nor the user's pure-Go version.
//!
//! Go has no `#error`, so the generated file of that build holds a constant of the wrong
//! type: `var _ int = ` + a raw string. `go build` and `go vet` print the whole literal
//! in their error (`cannot use `…` (untyped string constant …) as int value`), so the
//! literal is the message — which functions, their Go signatures, where to write them —
//! while the internal functions get stub bodies so that nothing else fails to compile.

use std::fmt::Write;

use super::variants::raw_signature;
use super::{Class, Exported, Spec};

pub(super) fn error(spec: &Spec, class: Class, missing: &[&Exported]) -> String {
    let pkg = spec.package;
    let mut m = String::new();
    match class {
        Class::Asm(t) => {
            let arch = t.arch.go_name();
            let baseline = t.variants.first().map_or("", |v| v.name.as_str());
            let _ = writeln!(
                m,
                "c2goasm-rs: package {pkg} cannot run these functions on every {arch} CPU: the \
                 C does not define them for {baseline} (the {arch} baseline, for CPUs without \
                 the other variants), and the package has no pure-Go version of them:"
            );
        }
        Class::Cgo => {
            let _ = writeln!(
                m,
                "c2goasm-rs: package {pkg} has no assembly for this build (a GOARCH without \
                 it, or -tags noasm), the C does not define these functions for every \
                 target (so cgo cannot compile them), and there is no pure-Go version of \
                 them:"
            );
        }
        Class::NoCgo => {
            let _ = writeln!(
                m,
                "c2goasm-rs: package {pkg} has no assembly for this build (a GOARCH without \
                 it, or -tags noasm), cgo is off (CGO_ENABLED=0: the default when cross \
                 compiling), and there is no pure-Go version of these functions:"
            );
        }
    }
    let width = missing.iter().map(|f| f.go_name.len()).max().unwrap_or(0);
    for f in missing {
        let _ = writeln!(
            m,
            "\t{:width$}  needs  func {}{}",
            f.go_name,
            f.fallback,
            raw_signature(f)
        );
    }
    let _ = write!(
        m,
        "Write them in a .go file of package {pkg} (any name, no build constraint), then \
         regenerate the package (go generate) so that it uses them"
    );
    if matches!(class, Class::NoCgo) && missing.iter().all(|f| f.everywhere) {
        m.push_str(
            "; or build with cgo (CGO_ENABLED=1 and a C compiler for the target), which \
             compiles the C",
        );
    }
    m.push_str(".\n");
    format!(
        "// The build this file is for cannot run the functions named below: the constant\n\
         // fails to compile, and its text is the message.\n\
         var _ int = `\n{m}`\n"
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{functions, spec, targets};
    use super::*;

    #[test]
    fn the_message_names_each_function_and_where_to_write_it() {
        let (fs, ts) = (functions(), targets());
        let spec = spec(&fs, &ts);
        let text = error(&spec, Class::NoCgo, &[&fs[0], &fs[2]]);
        assert!(text.starts_with("// The build this file is for"), "{text}");
        assert!(
            text.contains("\tDot  needs  func dot(a, b *float32, n uint64) float32\n"),
            "{text}"
        );
        assert!(
            text.contains("\tMix  needs  func mix(a, b uint32) uint32\n"),
            "{text}"
        );
        assert!(
            text.contains("Write them in a .go file of package k"),
            "{text}"
        );
        assert!(text.contains("or build with cgo"), "{text}");
        let asm = error(&spec, Class::Asm(&ts[0]), &[&fs[0]]);
        assert!(
            asm.contains(
                "cannot run these functions on every amd64 CPU: the C does not define them for sse2"
            ),
            "{asm}"
        );
        assert!(!asm.contains("cgo"), "{asm}");
    }
}
