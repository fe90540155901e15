//! Go source of a generated package: typed declarations of the per-variant assembly
//! functions and the runtime dispatch to the best one the CPU supports.

use std::fmt::Write;

use crate::abi::GoType;

/// A C function as the package exposes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// `sample_sum` (`kern::clamp_sum` in C++), for documentation.
    pub c_name: String,
    /// `SampleSum`.
    pub go_name: String,
    /// `sampleSum`: the user's pure-Go fallback.
    pub fallback: String,
    /// `int64_t sample_sum(const int64_t *beg, int64_t len)`, for documentation.
    pub c_prototype: String,
    /// Where it is defined (`sample.c:5`).
    pub origin: String,
    pub params: Vec<(String, GoType)>,
    pub result: Option<GoType>,
    /// The variants (`VariantInfo::name`) that define it: a function under
    /// `#ifdef __aarch64__` has only the arm64 ones.
    pub implemented_by: Vec<String>,
}

impl Exported {
    fn implemented_by(&self, v: &VariantInfo) -> bool {
        self.implemented_by.contains(&v.name)
    }
}

/// One instruction-set build.
#[derive(Debug, Clone)]
pub struct VariantInfo {
    /// `avx2`.
    pub name: String,
    /// `AVX2`.
    pub go_suffix: String,
    /// `cpu.X86.HasAVX2 && cpu.X86.HasFMA`.
    pub condition: String,
}

const GO_KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// A C identifier usable as a Go parameter name: Go keywords get a `_` suffix, and
/// characters C allows but Go does not (`$`, which clang accepts in identifiers) become `_`.
/// Register-like names (`g`, `AX`, `R0`) stay: the wrappers address them another way
/// (`lower::arg_operands`).
pub fn go_ident(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if GO_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// [`go_ident`] of every parameter, made unique (`a$b` and `a_b`, `type` and `type_`).
fn go_params(params: &[(String, GoType)]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    params
        .iter()
        .map(|(n, _)| {
            let base = go_ident(n);
            let mut name = base.clone();
            let mut k = 1;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{k}");
                k += 1;
            }
            name
        })
        .collect()
}

/// `sample_sum` → `SampleSum`: an exported Go identifier for any C name. Characters Go
/// identifiers cannot hold (`$`, which clang accepts) separate words like `_`; a name
/// that would not start with an upper-case letter (`_1d_sum` → `1dSum`) gets an `X`.
pub fn camel(snake: &str) -> String {
    let words: String = snake
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let out: String = words
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if out.starts_with(char::is_uppercase) {
        out
    } else {
        format!("X{out}")
    }
}

/// `sample_sum` → `sampleSum` (`range` → `range_`: never a Go keyword).
pub fn lower_camel(snake: &str) -> String {
    let c = camel(snake);
    let mut chars = c.chars();
    let lower = match chars.next() {
        Some(f) => f.to_lowercase().collect::<String>() + chars.as_str(),
        None => c,
    };
    if GO_KEYWORDS.contains(&lower.as_str()) {
        format!("{lower}_")
    } else {
        lower
    }
}

fn signature(f: &Exported) -> String {
    let params: Vec<String> = go_params(&f.params)
        .into_iter()
        .zip(&f.params)
        .map(|(n, (_, t))| format!("{n} {t}"))
        .collect();
    match &f.result {
        Some(r) => format!("({}) {r}", params.join(", ")),
        None => format!("({})", params.join(", ")),
    }
}

fn needs_unsafe(fs: &[Exported]) -> bool {
    fs.iter().any(|f| {
        f.params
            .iter()
            .map(|(_, t)| t)
            .chain(f.result.iter())
            .any(|t| *t == GoType::UnsafePointer)
    })
}

fn header(out: &mut String, generated_by: &str, command: &str) {
    let _ = writeln!(out, "{generated_by}\n// Command: {command}\n");
}

/// `<base>_amd64.go`: the body-less declarations the translated assembly implements.
pub fn declarations(
    generated_by: &str,
    command: &str,
    package: &str,
    functions: &[Exported],
    variants: &[VariantInfo],
) -> String {
    let mut out = String::new();
    header(&mut out, generated_by, command);
    let _ = writeln!(out, "//go:build !noasm\n\npackage {package}\n");
    if needs_unsafe(functions) {
        out.push_str("import \"unsafe\"\n\nvar _ unsafe.Pointer\n\n");
    }
    for f in functions {
        for v in variants.iter().filter(|v| f.implemented_by(v)) {
            let _ = writeln!(
                out,
                "// {}{} is the {} build of ({}):\n//\n//\t{}\n//\n//go:noescape\nfunc {}{}{}\n",
                f.go_name,
                v.go_suffix,
                v.name,
                f.origin,
                f.c_prototype,
                f.go_name,
                v.go_suffix,
                signature(f)
            );
        }
    }
    out
}

/// `c2goasm_dispatch.go` (every GOARCH): the exported variables, defaulting to the
/// user's pure-Go functions.
pub fn dispatch_vars(
    generated_by: &str,
    command: &str,
    package: &str,
    functions: &[Exported],
) -> String {
    let mut out = String::new();
    header(&mut out, generated_by, command);
    let _ = writeln!(out, "//go:generate {command}\n\npackage {package}\n");
    if needs_unsafe(functions) {
        out.push_str("import \"unsafe\"\n\nvar _ unsafe.Pointer\n\n");
    }
    out.push_str(
        "// SelectedVariant names the implementation chosen at init: an instruction-set build\n\
         // (\"avx512\", \"avx2\", \"avx\", \"sse4.2\", \"neon\") or \"go\" for the pure-Go\n\
         // fallbacks.\n\
         var SelectedVariant = \"go\"\n\n",
    );
    for f in functions {
        let _ = writeln!(
            out,
            "// {} runs {} ({}) in the best build this CPU supports. Elsewhere (other\n\
             // architectures, the noasm build tag, old CPUs) it is {}, the pure-Go version\n\
             // this package must define in a file of its own.\n\
             var {} func{} = {}\n",
            f.go_name,
            f.c_name,
            f.origin,
            f.fallback,
            f.go_name,
            signature(f),
            f.fallback
        );
    }
    out
}

/// `c2goasm_dispatch_amd64.go`: picks the best variant at init with golang.org/x/sys/cpu.
/// A function some variants lack gets the best build among those the CPU runs that
/// define it (or keeps its fallback).
pub fn dispatch_init(
    generated_by: &str,
    command: &str,
    package: &str,
    functions: &[Exported],
    variants: &[VariantInfo],
) -> String {
    let mut out = String::new();
    header(&mut out, generated_by, command);
    let _ = writeln!(
        out,
        "//go:build !noasm\n\npackage {package}\n\nimport \"golang.org/x/sys/cpu\"\n\nfunc init() {{\n\tswitch {{"
    );
    // Best first: the list is ordered from the baseline up.
    for (i, v) in variants.iter().enumerate().rev() {
        let _ = writeln!(out, "\tcase {}:", v.condition);
        for f in functions {
            if let Some(best) = variants[..=i].iter().rev().find(|w| f.implemented_by(w)) {
                let _ = writeln!(out, "\t\t{} = {}{}", f.go_name, f.go_name, best.go_suffix);
            }
        }
        let _ = writeln!(out, "\t\tSelectedVariant = \"{}\"", v.name);
    }
    out.push_str("\t}\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(camel("sample_sum"), "SampleSum");
        assert_eq!(lower_camel("sample_sum"), "sampleSum");
        assert_eq!(camel("dot_f32x8"), "DotF32x8");
        // Any C name becomes a Go identifier (exported, resp. not a keyword).
        assert_eq!(camel("_1d_sum"), "X1dSum");
        assert_eq!(lower_camel("_1d_sum"), "x1dSum");
        assert_eq!(camel("sum$avx"), "SumAvx");
        assert_eq!(camel("__"), "X");
        assert_eq!(camel("\u{e9}t\u{e9}"), "\u{c9}t\u{e9}");
        assert_eq!(lower_camel("range"), "range_");
        assert_eq!(lower_camel("go"), "go_");
        assert_eq!(camel("range"), "Range");
        assert_eq!(go_ident("type"), "type_");
        assert_eq!(go_ident("len"), "len");
        assert_eq!(go_ident("a$b"), "a_b");
        assert_eq!(go_ident("g"), "g");
        let p = |n: &str| (n.to_string(), GoType::Int64);
        assert_eq!(
            go_params(&[p("a$b"), p("a_b"), p("type"), p("type_"), p("AX")]),
            ["a_b", "a_b_1", "type_", "type__1", "AX"]
        );
    }

    #[test]
    fn dispatch_prefers_the_best_variant() {
        let f = Exported {
            c_name: "sum".into(),
            go_name: "Sum".into(),
            fallback: "sum".into(),
            c_prototype: "long sum(long *p, long n)".into(),
            origin: "k.c:3".into(),
            params: vec![
                ("p".into(), GoType::Pointer("int64".into())),
                ("n".into(), GoType::Int64),
            ],
            result: Some(GoType::Int64),
            implemented_by: vec!["sse4.2".into(), "avx2".into()],
        };
        let vs = vec![
            VariantInfo {
                name: "sse4.2".into(),
                go_suffix: "SSE42".into(),
                condition: "cpu.X86.HasSSE42".into(),
            },
            VariantInfo {
                name: "avx2".into(),
                go_suffix: "AVX2".into(),
                condition: "cpu.X86.HasAVX2 && cpu.X86.HasFMA".into(),
            },
        ];
        let init = dispatch_init("// gen", "cmd", "k", std::slice::from_ref(&f), &vs);
        let avx2 = init.find("HasAVX2").expect("avx2 case");
        let sse = init.find("HasSSE42").expect("sse case");
        assert!(avx2 < sse, "{init}");
        assert!(init.contains("Sum = SumAVX2"));
        let vars = dispatch_vars("// gen", "cmd", "k", std::slice::from_ref(&f));
        assert!(vars.contains("var Sum func(p *int64, n int64) int64 = sum"));
        let decls = declarations("// gen", "cmd", "k", std::slice::from_ref(&f), &vs);
        assert!(decls.contains("//go:noescape\nfunc SumSSE42(p *int64, n int64) int64"));
        // Defined by the baseline only: AVX2 CPUs run the SSE4.2 build, no AVX2 function.
        let base_only = Exported {
            implemented_by: vec!["sse4.2".into()],
            ..f
        };
        let init = dispatch_init("// gen", "cmd", "k", std::slice::from_ref(&base_only), &vs);
        assert_eq!(init.matches("Sum = SumSSE42").count(), 2, "{init}");
        let decls = declarations("// gen", "cmd", "k", &[base_only], &vs);
        assert!(!decls.contains("SumAVX2"), "{decls}");
    }
}
