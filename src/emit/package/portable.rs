//! The builds without assembly: other GOARCHes, and amd64/arm64 with `-tags noasm`.
//!
//! With cgo (`c2goasm_cgo.go`, plus a copy of each C file built only there) functions
//! call the same C, compiled by cgo's C compiler; without it (`c2goasm_nocgo.go`) only
//! the user's pure-Go versions can run. A Go package cannot mix cgo with Plan 9
//! assembly, so cgo is only ever used where there is no assembly. The user's Go version
//! wins over cgo when it exists; when no function needs cgo, both builds are one file,
//! `c2goasm_noasm.go`.

use super::gofile::GoFile;
use super::shape::shapes;
use super::{Class, Spec, cgo, dispatch};

/// `noasm || (!amd64 && !arm64)`: the builds without the package's assembly.
fn no_assembly(spec: &Spec) -> String {
    let arches: Vec<String> = spec
        .targets
        .iter()
        .map(|t| format!("!{}", t.arch.go_name()))
        .collect();
    match arches.len() {
        0 => String::new(),
        1 => format!("noasm || {}", arches[0]),
        _ => format!("noasm || ({})", arches.join(" && ")),
    }
}

fn constraint(spec: &Spec, extra: Option<&str>) -> Option<String> {
    let base = no_assembly(spec);
    match (base.is_empty(), extra) {
        (true, None) => None,
        (true, Some(e)) => Some(e.to_string()),
        (false, None) => Some(base),
        (false, Some(e)) => Some(format!("{e} && ({base})")),
    }
}

pub(super) fn files(spec: &Spec) -> Vec<(String, String)> {
    let shapes = shapes(spec.functions);
    let render = |f: &GoFile| f.render(spec.generated_by, spec.command, spec.package);
    let mut with_cgo = GoFile {
        constraint: constraint(spec, Some("cgo")),
        ..GoFile::default()
    };
    let n = dispatch::implementations(spec, &shapes, Class::Cgo, &mut with_cgo);
    if n == 0 {
        // Nothing runs through cgo: one file for both, whose missing functions (if any)
        // are those cgo could not compile either.
        with_cgo.constraint = constraint(spec, None);
        with_cgo.body = format!("var c2goasmSelected = \"go\"\n\n{}", with_cgo.body);
        return vec![("c2goasm_noasm.go".into(), render(&with_cgo))];
    }
    let mut without = GoFile {
        constraint: constraint(spec, Some("!cgo")),
        body: "var c2goasmSelected = \"go\"\n\n".into(),
        ..GoFile::default()
    };
    dispatch::implementations(spec, &shapes, Class::NoCgo, &mut without);
    with_cgo.body = format!("var c2goasmSelected = \"cgo\"\n\n{}", with_cgo.body);
    with_cgo.cgo = Some(cgo::preamble(spec, &shapes));
    let cgo_constraint = with_cgo.constraint.clone().unwrap_or_default();
    let mut out = vec![
        ("c2goasm_cgo.go".into(), render(&with_cgo)),
        ("c2goasm_nocgo.go".into(), render(&without)),
    ];
    for s in spec.sources {
        if let Some(text) = cgo::c_file(spec, s, &shapes, &cgo_constraint) {
            out.push((cgo::c_file_name(s), text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{functions, spec, targets};
    use super::*;

    #[test]
    fn cgo_only_where_there_is_no_assembly_and_no_go() {
        let ts = targets();
        let fs = functions();
        let files = files(&spec(&fs, &ts));
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["c2goasm_cgo.go", "c2goasm_nocgo.go"]);
        assert!(
            files[0]
                .1
                .contains("//go:build cgo && (noasm || (!amd64 && !arm64))\n")
        );
        assert!(
            files[0]
                .1
                .contains("#cgo noescape c2goasm_Dot\n#cgo nocallback c2goasm_Dot\n")
        );
        assert!(files[0].1.contains("var c2goasmSelected = \"cgo\""));
        assert!(
            files[1]
                .1
                .contains("//go:build !cgo && (noasm || (!amd64 && !arm64))\n")
        );
        // Every Go version present: no cgo, one file.
        let mut fs = functions();
        for f in &mut fs {
            f.has_fallback = true;
        }
        let files = super::files(&spec(&fs, &ts[..1]));
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "c2goasm_noasm.go");
        assert!(
            files[0].1.contains("//go:build noasm || !amd64\n"),
            "{}",
            files[0].1
        );
        assert!(!files[0].1.contains("var _ int"), "{}", files[0].1);
    }
}
