//! The cgo fallback: the C compiled by cgo where the package has no assembly.
//!
//! Each C file is copied into the package (`c2goasm_cgo_sample.c`, built only with cgo
//! and without assembly) so that the package is self-contained for `go get`; `#line`
//! keeps diagnostics pointing at the original. After the copy come the functions cgo
//! calls, one per exported function, taking and returning Go's fixed-width types
//! (`int64_t`, `float`, `_Bool`, `void *`): cgo's Go side then never needs the C type
//! names of the prototype (`C.long`, `C.size_t`, a user typedef), and C converts them
//! implicitly into the real call. C++ needs explicit casts from `void *` and functions
//! with C linkage; a small template reads each parameter's type from the function's own
//! type, so namespaces, typedefs and references need no spelling here.
//!
//! `#cgo noescape` and `nocallback` (Go 1.24) keep the promise `//go:noescape` makes for
//! the assembly: pointers passed to C are not retained, so slices on the stack stay there.

use std::fmt::Write;

use super::shape::Shape;
use super::{CSource, Class, Exported, Impl, Spec, resolve};
use crate::abi::GoType;

/// The C type of a shim parameter or result (`cxx`: `bool` instead of `_Bool`).
fn c_type(t: &GoType, cxx: bool) -> &'static str {
    match t {
        GoType::Int8 => "int8_t",
        GoType::Int16 => "int16_t",
        GoType::Int32 => "int32_t",
        GoType::Int64 | GoType::Int => "int64_t",
        GoType::Uint8 => "uint8_t",
        GoType::Uint16 => "uint16_t",
        GoType::Uint32 => "uint32_t",
        GoType::Uint64 | GoType::Uint | GoType::Uintptr => "uint64_t",
        GoType::Bool if cxx => "bool",
        GoType::Bool => "_Bool",
        GoType::Float32 => "float",
        GoType::Float64 => "double",
        _ => "void *",
    }
}

fn is_pointer(t: &GoType) -> bool {
    matches!(t, GoType::Pointer(_) | GoType::UnsafePointer)
}

/// `c2goasm_SampleSum`.
fn shim_name(f: &Exported) -> String {
    format!("c2goasm_{}", f.go_name)
}

/// `int64_t c2goasm_SampleSum(void *c2goasm_p0, int64_t c2goasm_p1)`.
fn shim_prototype(f: &Exported, cxx: bool) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .enumerate()
        .map(|(i, (_, t))| {
            let ct = c_type(t, cxx);
            if ct.ends_with('*') {
                format!("{ct}c2goasm_p{i}")
            } else {
                format!("{ct} c2goasm_p{i}")
            }
        })
        .collect();
    let params = if params.is_empty() {
        "void".to_string()
    } else {
        params.join(", ")
    };
    let ret = f.result.as_ref().map_or("void", |t| c_type(t, cxx));
    if ret.ends_with('*') {
        format!("{ret}{}({params})", shim_name(f))
    } else {
        format!("{ret} {}({params})", shim_name(f))
    }
}

/// The Go statement of a function that calls its shim.
pub(super) fn call(f: &Exported, s: &Shape) -> String {
    let args: Vec<String> = s
        .raw_names
        .iter()
        .zip(&f.params)
        .map(|(n, (_, t))| {
            if is_pointer(t) {
                format!("unsafe.Pointer({n})")
            } else {
                format!("C.{}({n})", c_type(t, false))
            }
        })
        .collect();
    let c = format!("C.{}({})", shim_name(f), args.join(", "));
    match &f.result {
        None => c,
        Some(GoType::UnsafePointer) => format!("return {c}"),
        Some(t @ GoType::Pointer(_)) => format!("return ({t})({c})"),
        Some(t) => format!("return {t}({c})"),
    }
}

fn through_cgo(f: &Exported) -> bool {
    resolve(f, Class::Cgo) == Impl::Cgo
}

/// The comment of `import "C"`: flags, the annotations, the shims' prototypes.
pub(super) fn preamble(spec: &Spec, _shapes: &[Shape]) -> String {
    let mut p = String::new();
    let flags = spec.cflags.join(" ");
    let _ = writeln!(p, "#cgo CFLAGS: -O3 {flags}");
    if spec.sources.iter().any(|s| s.cxx) {
        let _ = writeln!(p, "#cgo CXXFLAGS: -O3 -fno-exceptions -fno-rtti {flags}");
    }
    let fs: Vec<&Exported> = spec.functions.iter().filter(|f| through_cgo(f)).collect();
    for f in &fs {
        let _ = writeln!(p, "#cgo noescape {0}\n#cgo nocallback {0}", shim_name(f));
    }
    p.push_str("#include <stdbool.h>\n#include <stdint.h>\n");
    for f in &fs {
        let _ = writeln!(p, "{};", shim_prototype(f, false));
    }
    p
}

/// `c2goasm_cgo_sample.c` (`.cpp` for C++).
pub(super) fn c_file_name(s: &CSource) -> String {
    format!("c2goasm_cgo_{}.{}", s.base, if s.cxx { "cpp" } else { "c" })
}

/// Helpers of the C++ shims: the type of parameter `I` of a function, and a `void *`
/// made into it (a pointer, or the object a reference refers to).
const CXX_HELPERS: &str = "template <unsigned I, class F> struct c2goasm_arg;
template <class R, class A, class... As> struct c2goasm_arg<0, R (*)(A, As...)> {
    typedef A type;
};
template <unsigned I, class R, class A, class... As>
struct c2goasm_arg<I, R (*)(A, As...)> : c2goasm_arg<I - 1, R (*)(As...)> {};
#if __cplusplus >= 201703L
template <unsigned I, class R, class... As>
struct c2goasm_arg<I, R (*)(As...) noexcept> : c2goasm_arg<I, R (*)(As...)> {};
#endif
template <class T> struct c2goasm_from {
    static T cast(void *p) { return (T)p; }
};
template <class T> struct c2goasm_from<T &> {
    static T &cast(void *p) { return *(T *)p; }
};
template <class T> struct c2goasm_from<T &&> {
    static T &&cast(void *p) { return static_cast<T &&>(*(T *)p); }
};
template <class T> static void *c2goasm_ret(T *p) { return (void *)p; }
template <class T> static void *c2goasm_ret(T &r) { return (void *)&r; }
";

/// The copy of `s` with the shims of its functions that go through cgo, or `None` when
/// none does.
pub(super) fn c_file(
    spec: &Spec,
    s: &CSource,
    _shapes: &[Shape],
    constraint: &str,
) -> Option<String> {
    let fs: Vec<&Exported> = s
        .functions
        .iter()
        .map(|&i| &spec.functions[i])
        .filter(|f| through_cgo(f))
        .collect();
    if fs.is_empty() {
        return None;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}\n// Command: {}\n\n//go:build {constraint}\n",
        spec.generated_by, spec.command
    );
    let _ = writeln!(
        out,
        "// {} for cgo, where the package has no assembly, then the functions\n\
         // c2goasm_cgo.go calls: Go's fixed-width types in, the real function called.\n\
         #include <stdbool.h>\n#include <stdint.h>\n#line 1 \"{}\"",
        s.origin_name(),
        s.origin
    );
    out.push_str(&s.text);
    if !s.text.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("\n// The functions c2goasm_cgo.go calls.\n");
    if s.cxx {
        out.push_str(CXX_HELPERS);
    }
    for f in fs {
        let callee = if s.cxx {
            format!("::{}", f.c_name)
        } else {
            f.c_name.clone()
        };
        let args: Vec<String> = f
            .params
            .iter()
            .enumerate()
            .map(|(i, (_, t))| {
                if s.cxx && is_pointer(t) {
                    format!(
                        "c2goasm_from<c2goasm_arg<{i}, decltype(&{callee})>::type>::cast(c2goasm_p{i})"
                    )
                } else {
                    format!("c2goasm_p{i}")
                }
            })
            .collect();
        let call = format!("{callee}({})", args.join(", "));
        let body = match &f.result {
            None => format!("{call};"),
            Some(t) if is_pointer(t) && s.cxx => format!("return c2goasm_ret({call});"),
            Some(t) if is_pointer(t) => format!("return (void *){call};"),
            Some(_) => format!("return {call};"),
        };
        let _ = writeln!(
            out,
            "{}{} {{\n    {body}\n}}",
            if s.cxx { "extern \"C\" " } else { "" },
            shim_prototype(f, s.cxx)
        );
    }
    Some(out)
}

impl CSource {
    /// `sample.c`.
    pub(super) fn origin_name(&self) -> String {
        std::path::Path::new(&self.origin)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.origin.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shims_take_fixed_width_types() {
        let f = Exported {
            c_name: "kern::scale".into(),
            go_name: "Scale".into(),
            fallback: "scale".into(),
            c_prototype: String::new(),
            origin: String::new(),
            params: vec![
                ("p".into(), GoType::Pointer("int64".into())),
                ("n".into(), GoType::Uint64),
                ("ok".into(), GoType::Bool),
            ],
            result: Some(GoType::Pointer("int64".into())),
            implemented_by: Vec::new(),
            doc: Vec::new(),
            api: None,
            has_fallback: false,
            everywhere: true,
        };
        assert_eq!(
            shim_prototype(&f, false),
            "void *c2goasm_Scale(void *c2goasm_p0, uint64_t c2goasm_p1, _Bool c2goasm_p2)"
        );
        let s = super::super::shape::shapes(std::slice::from_ref(&f));
        assert_eq!(
            call(&f, &s[0]),
            "return (*int64)(C.c2goasm_Scale(unsafe.Pointer(p), C.uint64_t(n), C._Bool(ok)))"
        );
    }
}
