//! Go side of a generated package: every file except the translated assembly, from a
//! [`Spec`] the package flow has fully decided (no decisions are left here).
//!
//! The files, and which builds see them:
//! - `c2goasm_api.go` (every build): the exported API with its documentation — slice
//!   functions, pointer (`…Raw`) functions, `SelectedVariant` — each a one-line call of an
//!   internal function that every build defines once ([`api`]);
//! - `c2goasm_amd64.go`/`.s`, `c2goasm_arm64.go`/`.s` (`!noasm`): dispatch to the best
//!   variant the CPU runs, chosen once at init ([`dispatch`], [`trampoline`]);
//! - `c2goasm_cgo.go` with a copy of the C (`cgo` and no assembly for GOARCH, or the
//!   `noasm` tag) and `c2goasm_nocgo.go` (the same without cgo) — one `c2goasm_noasm.go`
//!   when nothing goes through cgo ([`portable`], [`cgo`]);
//! - `<file>_amd64.go`/`_arm64.go`: the per-variant declarations the assembly implements
//!   ([`variants`]);
//! - `example_test.go` ([`example`]).
//!
//! Where a build has neither assembly, cgo nor the user's pure-Go version of a function,
//! its file holds a constant whose compile error is the message saying what to write
//! ([`missing`]).

mod api;
mod cgo;
mod dispatch;
mod docs;
mod example;
mod gofile;
mod missing;
mod portable;
mod shape;
mod trampoline;
mod variants;

pub use variants::declarations;

use crate::Arch;
use crate::abi::GoType;

/// A C function as the package exposes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// `sample_sum` (`kern::clamp_sum` in C++), for documentation.
    pub c_name: String,
    /// `SampleSum`.
    pub go_name: String,
    /// `sampleSum`: the user's optional pure-Go version.
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
    /// The C comment above the definition, one entry per line.
    pub doc: Vec<String>,
    /// The slice function, when the C says which length goes with which pointer.
    pub api: Option<SliceApi>,
    /// Whether the package defines `fallback` (in a file of the user's).
    pub has_fallback: bool,
    /// Whether every compiled variant defines it: only then may cgo compile the C for an
    /// architecture nothing was compiled for.
    pub everywhere: bool,
}

impl Exported {
    fn implemented_by(&self, v: &VariantInfo) -> bool {
        self.implemented_by.contains(&v.name)
    }
}

/// How a C parameter appears in the slice function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A pointer passed as the data of a slice whose length is group `group`'s.
    Slice { group: usize },
    /// The C length of group `group`: not a parameter of the slice function.
    Length { group: usize },
    /// A pointer to a value that becomes the result named `result`.
    Output { result: String },
    /// Passed as it is.
    Plain,
}

/// A C length and the slices it is the length of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LengthGroup {
    /// Index of the length parameter.
    pub length: usize,
    /// Indices of the pointer parameters, in parameter order; the first gives the length,
    /// the others must have the same.
    pub slices: Vec<usize>,
    /// When the C type is narrower than Go's `int`: lengths must be below `1 << bits`.
    pub max_bits: Option<u8>,
}

/// The slice function of an [`Exported`]: a role per C parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SliceApi {
    pub roles: Vec<Role>,
    pub groups: Vec<LengthGroup>,
    /// Whether a `c2goasm:` comment said it (for documentation).
    pub annotated: bool,
}

/// One instruction-set build.
#[derive(Debug, Clone)]
pub struct VariantInfo {
    /// `avx2`.
    pub name: String,
    /// `AVX2`.
    pub go_suffix: String,
    /// `cpu.X86.HasAVX2 && cpu.X86.HasFMA` (`true` for a baseline).
    pub condition: String,
}

/// An architecture the package has assembly for.
#[derive(Debug, Clone)]
pub struct Target {
    pub arch: Arch,
    /// Its variants, the baseline first.
    pub variants: Vec<VariantInfo>,
}

/// A C or C++ file, for the cgo fallback.
#[derive(Debug, Clone)]
pub struct CSource {
    /// `sample` (from `sample.c`).
    pub base: String,
    pub cxx: bool,
    /// The file's text.
    pub text: String,
    /// The path written in `#line` (relative to the package).
    pub origin: String,
    /// Indices (into [`Spec::functions`]) of the functions it defines.
    pub functions: Vec<usize>,
}

/// Everything the Go side of a package is made from.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    /// The Go package name.
    pub package: &'a str,
    /// `// Code generated by c2goasm-rs … DO NOT EDIT.`
    pub generated_by: &'a str,
    /// The command that regenerates the package, run from its directory.
    pub command: &'a str,
    pub functions: &'a [Exported],
    /// The architectures with assembly.
    pub targets: &'a [Target],
    /// Whether `c2goasm_api.go` carries the `//go:generate` line (the user's files do not).
    pub go_generate: bool,
    /// Whether `c2goasm_api.go` carries the package comment (the user's files do not).
    pub package_doc: bool,
    pub sources: &'a [CSource],
    /// Flags for cgo's C compiler (`-D`, `-I${SRCDIR}/…`).
    pub cflags: &'a [String],
    /// The package's import path, for `example_test.go` (an external test package).
    pub import_path: Option<&'a str>,
}

/// Every Go-side file of the package: (file name, text).
pub fn package_files(spec: &Spec) -> Vec<(String, String)> {
    let mut out = vec![("c2goasm_api.go".to_string(), api::file(spec))];
    for t in spec.targets {
        let goarch = t.arch.go_name();
        out.push((format!("c2goasm_{goarch}.go"), dispatch::file(spec, t)));
        out.push((format!("c2goasm_{goarch}.s"), trampoline::file(spec, t)));
    }
    out.extend(portable::files(spec));
    if let Some(e) = example::file(spec) {
        out.push(("example_test.go".to_string(), e));
    }
    out
}

/// A build: an architecture with assembly, or one without (through cgo or not).
#[derive(Debug, Clone, Copy)]
enum Class<'a> {
    Asm(&'a Target),
    Cgo,
    NoCgo,
}

/// Which code runs a function in a build.
#[derive(Debug, Clone, PartialEq)]
enum Impl {
    /// Assembly: per variant (baseline first), the Go symbol that runs.
    Table(Vec<Entry>),
    /// The user's pure-Go version.
    Go,
    /// The C through cgo.
    Cgo,
    /// Nothing: the build must fail with a message.
    Missing,
}

#[derive(Debug, Clone, PartialEq)]
enum Entry {
    /// A variant's assembly function (`SampleSumAVX2`).
    Asm(String),
    /// The user's pure-Go version, for CPUs whose variants lack the function.
    Go(String),
}

impl Entry {
    fn symbol(&self) -> &str {
        match self {
            Entry::Asm(s) | Entry::Go(s) => s,
        }
    }
}

fn resolve(f: &Exported, class: Class) -> Impl {
    match class {
        Class::Asm(t) => {
            let mut entries = Vec::new();
            for i in 0..t.variants.len() {
                let best = t.variants[..=i].iter().rev().find(|v| f.implemented_by(v));
                entries.push(match best {
                    Some(v) => Entry::Asm(format!("{}{}", f.go_name, v.go_suffix)),
                    None if f.has_fallback => Entry::Go(f.fallback.clone()),
                    None => return Impl::Missing,
                });
            }
            if entries.iter().all(|e| matches!(e, Entry::Go(_))) {
                Impl::Go
            } else {
                Impl::Table(entries)
            }
        }
        Class::Cgo if !f.has_fallback && f.everywhere => Impl::Cgo,
        Class::Cgo | Class::NoCgo if f.has_fallback => Impl::Go,
        Class::Cgo | Class::NoCgo => Impl::Missing,
    }
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

/// Names the generated bodies use and parameters must not hide (`len(a)`,
/// `unsafe.SliceData`, `C.f`, `panic`).
const RESERVED: &[&str] = &["len", "unsafe", "panic", "C"];

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

/// [`go_ident`] of every parameter, made unique (`a$b` and `a_b`, `type` and `type_`) and
/// never one of [`RESERVED`].
fn go_params(params: &[(String, GoType)]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    params
        .iter()
        .map(|(n, _)| unique(&mut taken, &go_ident(n)))
        .collect()
}

/// `base`, or `base_`, `base_1` … until it is neither taken nor reserved; then taken.
fn unique(taken: &mut std::collections::HashSet<String>, base: &str) -> String {
    let mut name = base.to_string();
    if RESERVED.contains(&name.as_str()) {
        name.push('_');
    }
    let stem = name.clone();
    let mut k = 1;
    while !taken.insert(name.clone()) {
        name = format!("{stem}_{k}");
        k += 1;
    }
    name
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

/// `a, b []float32, k float32`: consecutive parameters of one type share it, as gofmt'd
/// hand-written Go does.
fn param_list(params: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (name, ty)) in params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
        if params.get(i + 1).is_none_or(|(_, next)| next != ty) {
            out.push(' ');
            out.push_str(ty);
        }
    }
    out
}

/// Small packages for the unit tests of the emitters.
#[cfg(test)]
mod test_support {
    use super::*;

    fn ptr(e: &str) -> GoType {
        GoType::Pointer(e.into())
    }

    fn target(arch: Arch, variants: &[(&str, &str, &str)]) -> Target {
        Target {
            arch,
            variants: variants
                .iter()
                .map(|(n, s, c)| VariantInfo {
                    name: n.to_string(),
                    go_suffix: s.to_string(),
                    condition: c.to_string(),
                })
                .collect(),
        }
    }

    pub fn targets() -> Vec<Target> {
        vec![
            target(
                Arch::Amd64,
                &[
                    ("sse2", "SSE2", "true"),
                    ("avx2", "AVX2", "cpu.X86.HasAVX2 && cpu.X86.HasFMA"),
                ],
            ),
            target(Arch::Arm64, &[("neon", "NEON", "true")]),
        ]
    }

    fn function(
        c_name: &str,
        params: Vec<(&str, GoType)>,
        result: Option<GoType>,
        api: Option<SliceApi>,
    ) -> Exported {
        Exported {
            c_name: c_name.into(),
            go_name: camel(c_name),
            fallback: lower_camel(c_name),
            c_prototype: format!("{c_name}(…)"),
            origin: "k.c:1".into(),
            params: params
                .into_iter()
                .map(|(n, t)| (n.to_string(), t))
                .collect(),
            result,
            implemented_by: vec!["sse2".into(), "avx2".into(), "neon".into()],
            doc: vec!["What it does.".into()],
            api,
            has_fallback: false,
            everywhere: true,
        }
    }

    fn pair(length: usize) -> SliceApi {
        SliceApi {
            roles: vec![
                Role::Slice { group: 0 },
                Role::Slice { group: 0 },
                Role::Length { group: 0 },
            ],
            groups: vec![LengthGroup {
                length,
                slices: vec![0, 1],
                max_bits: None,
            }],
            annotated: false,
        }
    }

    /// `float dot(const float *a, const float *b, size_t n)`, `void add(float *dst,
    /// const float *a, size_t n)`, `uint32_t mix(uint32_t a, uint32_t b)`.
    pub fn functions() -> Vec<Exported> {
        let f32p = || ptr("float32");
        vec![
            function(
                "dot",
                vec![("a", f32p()), ("b", f32p()), ("n", GoType::Uint64)],
                Some(GoType::Float32),
                Some(pair(2)),
            ),
            function(
                "add",
                vec![("dst", f32p()), ("a", f32p()), ("n", GoType::Uint64)],
                None,
                Some(pair(2)),
            ),
            function(
                "mix",
                vec![("a", GoType::Uint32), ("b", GoType::Uint32)],
                Some(GoType::Uint32),
                None,
            ),
        ]
    }

    pub fn spec<'a>(functions: &'a [Exported], targets: &'a [Target]) -> Spec<'a> {
        Spec {
            package: "k",
            generated_by: "// Code generated by c2goasm-rs test. DO NOT EDIT.",
            command: "c2goasm-rs package k.c --out .",
            functions,
            targets,
            go_generate: true,
            package_doc: true,
            sources: &[],
            cflags: &[],
            import_path: Some("example.com/k"),
        }
    }
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
            go_params(&[p("a$b"), p("a_b"), p("type"), p("type_"), p("AX"), p("len")]),
            ["a_b", "a_b_1", "type_", "type__1", "AX", "len_"]
        );
        let s = |n: &str, t: &str| (n.to_string(), t.to_string());
        assert_eq!(
            param_list(&[s("a", "[]float32"), s("b", "[]float32"), s("k", "float32")]),
            "a, b []float32, k float32"
        );
        assert_eq!(param_list(&[]), "");
    }

    fn exported(implemented_by: &[&str], has_fallback: bool) -> Exported {
        Exported {
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
            implemented_by: implemented_by.iter().map(|s| s.to_string()).collect(),
            doc: Vec::new(),
            api: None,
            has_fallback,
            everywhere: implemented_by.len() == 3,
        }
    }

    fn amd64() -> Target {
        let v = |n: &str, s: &str| VariantInfo {
            name: n.into(),
            go_suffix: s.into(),
            condition: "true".into(),
        };
        Target {
            arch: Arch::Amd64,
            variants: vec![v("sse2", "SSE2"), v("avx2", "AVX2")],
        }
    }

    #[test]
    fn each_build_resolves_to_assembly_go_cgo_or_nothing() {
        let t = amd64();
        let all = exported(&["sse2", "avx2", "neon"], false);
        assert_eq!(
            resolve(&all, Class::Asm(&t)),
            Impl::Table(vec![
                Entry::Asm("SumSSE2".into()),
                Entry::Asm("SumAVX2".into())
            ])
        );
        assert_eq!(resolve(&all, Class::Cgo), Impl::Cgo);
        assert_eq!(resolve(&all, Class::NoCgo), Impl::Missing);
        // AVX2 only: CPUs without it need the Go version.
        let avx2 = exported(&["avx2"], false);
        assert_eq!(resolve(&avx2, Class::Asm(&t)), Impl::Missing);
        assert_eq!(resolve(&avx2, Class::Cgo), Impl::Missing);
        let avx2 = exported(&["avx2"], true);
        assert_eq!(
            resolve(&avx2, Class::Asm(&t)),
            Impl::Table(vec![Entry::Go("sum".into()), Entry::Asm("SumAVX2".into())])
        );
        assert_eq!(resolve(&avx2, Class::NoCgo), Impl::Go);
        // arm64 only: amd64 runs the Go version; the user's Go wins over cgo.
        let neon = exported(&["neon"], true);
        assert_eq!(resolve(&neon, Class::Asm(&t)), Impl::Go);
        assert_eq!(
            resolve(&exported(&["sse2", "avx2", "neon"], true), Class::Cgo),
            Impl::Go
        );
    }
}
