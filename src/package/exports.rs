//! One Go function per exported C function, whichever variants define it.
//!
//! Every variant's prototypes come from that variant's own AST (its target and `-m`
//! flags), because that is what its assembly defines: a file built for x86-64 and arm64
//! may define functions only under `#ifdef __aarch64__`, or only with `__AVX2__`. The Go
//! side has one exported variable per name for every GOARCH, so:
//! - all definitions with one Go name must agree on the Go types of parameters and result
//!   (names may differ), whatever the variant — else the error names both prototypes;
//! - two different symbols with one Go name in the same variant (C++ overloads, template
//!   specialisations, namespaces, or two files) are an error naming both, since Go has no
//!   overloading;
//! - each variant binds its own symbol (a C++ name may mangle differently per target
//!   when `#if` changes a type spelling but not its Go type).

use std::path::{Path, PathBuf};

use super::PackageError;
use super::prototype::CFunction;
use super::variant::Variant;
use crate::abi::GoType;
use crate::emit::package::{self as gosrc, Exported};

/// A function as one variant's AST declares it.
#[derive(Debug, Clone)]
pub struct Definition<'a> {
    pub variant: Variant,
    pub file: &'a Path,
    pub function: CFunction,
}

/// A function of the package and the symbol each variant defines it as.
#[derive(Debug, Clone)]
pub struct Function {
    pub exported: Exported,
    /// The file that defines it.
    pub file: PathBuf,
    pub symbols: Vec<(Variant, String)>,
    /// The prototype as the first variant defining it reads it (the Go API's names come
    /// from there).
    pub first: CFunction,
}

impl Function {
    pub fn symbol(&self, v: Variant) -> Option<&str> {
        self.symbols
            .iter()
            .find(|(w, _)| *w == v)
            .map(|(_, s)| s.as_str())
    }
}

/// Merges `defs` (in variant order, each variant's in source order) into the package's
/// functions, in order of first definition.
pub fn merge(defs: Vec<Definition>) -> Result<Vec<Function>, PackageError> {
    let mut out: Vec<(Function, Definition)> = Vec::new();
    for d in defs {
        let go_name = gosrc::camel(&d.function.name);
        let Some((f, first)) = out.iter_mut().find(|(f, _)| f.exported.go_name == go_name) else {
            let f = Function {
                exported: exported(&d),
                file: d.file.to_path_buf(),
                symbols: vec![(d.variant, d.function.symbol.clone())],
                first: d.function.clone(),
            };
            out.push((f, d));
            continue;
        };
        // One variant defines each symbol once, so a second definition for the same
        // variant is another function; one from another file is too.
        if f.symbol(d.variant).is_some() || first.file != d.file {
            return Err(PackageError::DuplicateFunction {
                go_name,
                first: describe(first),
                second: describe(&d),
            });
        }
        if go_types(&first.function) != go_types(&d.function) {
            return Err(PackageError::PrototypeMismatch {
                location: location(&d),
                function: d.function.qualified.clone(),
                first_variant: first.variant,
                second_variant: d.variant,
                first: format!("{}: {}", first.variant, describe(first)),
                second: format!("{}: {}", d.variant, describe(&d)),
            });
        }
        f.symbols.push((d.variant, d.function.symbol.clone()));
        f.exported.implemented_by.push(d.variant.name().into());
    }
    Ok(out.into_iter().map(|(f, _)| f).collect())
}

fn go_types(f: &CFunction) -> (Vec<&GoType>, Option<&GoType>) {
    (
        f.params.iter().map(|p| &p.go_type).collect(),
        f.result.as_ref().map(|r| &r.go_type),
    )
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn location(d: &Definition) -> String {
    format!(
        "{}:{}:{}",
        d.file.display(),
        d.function.line,
        d.function.col
    )
}

/// `` `int64_t kern::sum(const int64_t *p, int64_t n)` (k.cpp:3) ``
fn describe(d: &Definition) -> String {
    format!(
        "`{}` ({}:{})",
        c_prototype(&d.function),
        file_name(d.file),
        d.function.line
    )
}

/// `int64_t kern::sum(const int64_t *p, int64_t n)`.
fn c_prototype(f: &CFunction) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| spell(&p.written, &p.name))
        .collect();
    let ret = f
        .result
        .as_ref()
        .map(|r| r.written.clone())
        .unwrap_or_else(|| "void".into());
    format!("{ret} {}({})", f.qualified, params.join(", "))
}

/// `const int64_t *` + `beg` → `const int64_t *beg`; `double &` + `acc` → `double &acc`.
fn spell(c_type: &str, name: &str) -> String {
    if c_type.ends_with(['*', '&']) {
        format!("{c_type}{name}")
    } else {
        format!("{c_type} {name}")
    }
}

fn exported(d: &Definition) -> Exported {
    let f = &d.function;
    Exported {
        c_name: f.qualified.clone(),
        go_name: gosrc::camel(&f.name),
        fallback: gosrc::lower_camel(&f.name),
        c_prototype: c_prototype(f),
        origin: format!("{}:{}", file_name(d.file), f.line),
        params: f
            .params
            .iter()
            .map(|p| (p.name.clone(), p.go_type.clone()))
            .collect(),
        result: f.result.as_ref().map(|r| r.go_type.clone()),
        implemented_by: vec![d.variant.name().into()],
        doc: Vec::new(),
        api: None,
        has_fallback: false,
        everywhere: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::prototype::CParam;

    fn func(name: &str, qualified: &str, symbol: &str, param: GoType, c: &str) -> CFunction {
        CFunction {
            name: name.into(),
            qualified: qualified.into(),
            symbol: symbol.into(),
            params: vec![CParam {
                name: "x".into(),
                c_type: c.into(),
                written: c.into(),
                go_type: param,
            }],
            result: None,
            line: 3,
            col: 6,
            begin_line: 3,
        }
    }

    fn def(v: Variant, f: CFunction) -> Definition<'static> {
        Definition {
            variant: v,
            file: Path::new("k.cpp"),
            function: f,
        }
    }

    #[test]
    fn one_function_across_variants_with_its_own_symbols() {
        let fs = merge(vec![
            def(
                Variant::Avx2,
                func("f", "f", "_Z1fl", GoType::Int64, "long"),
            ),
            def(
                Variant::Neon,
                func("f", "f", "_Z1fx", GoType::Int64, "long long"),
            ),
            def(
                Variant::Neon,
                func("only_arm", "only_arm", "only_arm", GoType::Int32, "int"),
            ),
        ])
        .expect("merges");
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[0].exported.implemented_by, ["avx2", "neon"]);
        assert_eq!(fs[0].symbol(Variant::Neon), Some("_Z1fx"));
        assert_eq!(fs[1].exported.go_name, "OnlyArm");
        assert_eq!(fs[1].exported.implemented_by, ["neon"]);
        assert_eq!(fs[0].exported.c_prototype, "void f(long x)");
    }

    #[test]
    fn overloads_and_prototype_differences_are_errors() {
        let e = merge(vec![
            def(
                Variant::Avx2,
                func("over", "ns::over", "_ZN2ns4overEi", GoType::Int32, "int"),
            ),
            def(
                Variant::Avx2,
                func("over", "over", "_Z4overd", GoType::Float64, "double"),
            ),
        ])
        .expect_err("overload");
        let text = e.to_string();
        assert!(text.contains("`void ns::over(int x)` (k.cpp:3)"), "{text}");
        assert!(text.contains("`void over(double x)` (k.cpp:3)"), "{text}");
        assert!(text.contains("extern \"C\""), "{text}");
        let e = merge(vec![
            def(Variant::Avx2, func("f", "f", "f", GoType::Int64, "long")),
            def(Variant::Neon, func("f", "f", "f", GoType::Int32, "int")),
        ])
        .expect_err("mismatch");
        let text = e.to_string();
        assert!(
            text.starts_with(
                "k.cpp:3:6: error: `f` has a different prototype for neon than for avx2"
            ),
            "{text}"
        );
        assert!(text.contains("avx2: `void f(long x)`"), "{text}");
        assert!(text.contains("neon: `void f(int x)`"), "{text}");
    }
}
