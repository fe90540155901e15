//! Which C length goes with which pointer: the convention that turns
//! `float dot_f32(const float *a, const float *b, size_t n)` into
//! `func DotF32(a, b []float32) float32`.
//!
//! Only pointers to numbers (`T *`, `const T *` with `T` an integer, `float`, `double` or
//! `bool` type) can become slices, and only integer parameters can be their lengths.
//!
//! Names, unless the comment says otherwise:
//! 1. `p_len`, `p_n`, `p_count`, `p_length`, `p_size`, `len_p`, `n_p`, `num_p` is the
//!    length of pointer `p` alone;
//! 2. a non-const pointer named `ret` or `*_ret`, `*_out`, `out_*` (and a non-const C++
//!    reference so named) is an output: its value becomes a result (`sum_out` → `sum`);
//! 3. one integer named `n`, `len`, `length`, `count` or `size` (any case) is the length of
//!    every other pointer to a number — when there are two such names, neither is.
//!
//! The comment above the function can say it instead, on a line of its own (then the
//! names above do not apply): `c2goasm: a[n], b[n], out sum` — `p[len]` makes `p` a
//! slice of length `len`, `out p` makes `*p` a result, `raw` keeps only the pointer
//! function. Items are separated by commas or spaces.
//!
//! Why names and a comment, not C syntax: C99's `float a[n]` parameters need `n` first
//! (kernels put it last), C++ has no such syntax, and clang's AST drops the GCC `access`
//! attribute; a naming convention is what C kernels already follow, and a comment line is
//! the least a C programmer has to accept when the names do not follow it.

use super::comment::Annotation;
use super::prototype::{CFunction, CParam};
use crate::abi::GoType;
use crate::emit::package::{LengthGroup, Role, SliceApi};

/// An annotation that does not describe the function's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationError {
    pub line: u32,
    pub col: u32,
    pub detail: String,
}

const SHARED: &[&str] = &["n", "len", "length", "count", "size"];
const PAIR_SUFFIXES: &[&str] = &["_len", "_n", "_count", "_length", "_size"];
const PAIR_PREFIXES: &[&str] = &["len_", "n_", "num_"];

/// The slice function of `f`, or `None` when it would be the pointer function itself (no
/// slices, no outputs, or `c2goasm: raw`).
pub fn plan(
    f: &CFunction,
    annotation: Option<&Annotation>,
) -> Result<Option<SliceApi>, AnnotationError> {
    let mut b = Builder::new(f);
    match annotation {
        Some(a) => b.annotated(a)?,
        None => b.by_names(),
    }
    Ok(b.finish())
}

struct Builder<'a> {
    params: &'a [CParam],
    roles: Vec<Role>,
    groups: Vec<LengthGroup>,
    annotated: bool,
    raw: bool,
}

impl<'a> Builder<'a> {
    fn new(f: &'a CFunction) -> Builder<'a> {
        Builder {
            params: &f.params,
            roles: vec![Role::Plain; f.params.len()],
            groups: Vec::new(),
            annotated: false,
            raw: false,
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// Makes `slices` the slices of length parameter `length`.
    fn group(&mut self, length: usize, slices: Vec<usize>) {
        let g = self.groups.len();
        self.roles[length] = Role::Length { group: g };
        for &s in &slices {
            self.roles[s] = Role::Slice { group: g };
        }
        self.groups.push(LengthGroup {
            length,
            slices,
            max_bits: max_bits(&self.params[length].go_type),
        });
    }

    fn by_names(&mut self) {
        let pointers: Vec<usize> = (0..self.params.len())
            .filter(|&i| slice_element(&self.params[i]).is_some())
            .collect();
        // 1. Lengths named after their pointer.
        for l in 0..self.params.len() {
            if !is_integer(&self.params[l].go_type) {
                continue;
            }
            let name = &self.params[l].name;
            let target = pointers.iter().copied().find(|&p| {
                let pn = &self.params[p].name;
                matches!(self.roles[p], Role::Plain)
                    && (PAIR_SUFFIXES.iter().any(|s| *name == format!("{pn}{s}"))
                        || PAIR_PREFIXES.iter().any(|s| *name == format!("{s}{pn}")))
            });
            if let Some(p) = target {
                self.group(l, vec![p]);
            }
        }
        // 2. Outputs, by name.
        for i in 0..self.params.len() {
            if matches!(self.roles[i], Role::Plain)
                && let Some(result) = output_name(&self.params[i].name)
                && output_element(&self.params[i]).is_some()
            {
                self.roles[i] = Role::Output { result };
            }
        }
        // 3. One shared length for the remaining pointers.
        let shared: Vec<usize> = (0..self.params.len())
            .filter(|&i| {
                matches!(self.roles[i], Role::Plain)
                    && is_integer(&self.params[i].go_type)
                    && SHARED
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(&self.params[i].name))
            })
            .collect();
        if let [l] = shared[..] {
            let rest: Vec<usize> = pointers
                .iter()
                .copied()
                .filter(|&p| matches!(self.roles[p], Role::Plain))
                .collect();
            if !rest.is_empty() {
                self.group(l, rest);
            }
        }
    }

    fn annotated(&mut self, a: &Annotation) -> Result<(), AnnotationError> {
        self.annotated = true;
        let fail = |detail: String| AnnotationError {
            line: a.line,
            col: a.col,
            detail: format!("in `c2goasm: {}`: {detail}", a.text),
        };
        let tokens: Vec<&str> = a
            .text
            .split([',', ' ', '\t'])
            .filter(|t| !t.is_empty())
            .collect();
        if tokens.is_empty() {
            return Err(fail(
                "nothing after `c2goasm:` (expected `p[n]`, `out p` or `raw`)".into(),
            ));
        }
        // Slices in order of appearance, grouped by their length parameter.
        let mut pending: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = tokens[i];
            i += 1;
            if t == "raw" {
                self.raw = true;
                continue;
            }
            if t == "out" {
                let Some(name) = tokens.get(i) else {
                    return Err(fail("`out` needs a parameter name after it".into()));
                };
                i += 1;
                let p = self.param(name, &fail)?;
                if output_element(&self.params[p]).is_none() {
                    return Err(fail(format!(
                        "`{name}` is `{}`; an output must be a non-const pointer or reference \
                         to a number",
                        self.params[p].written
                    )));
                }
                self.claim(p, &fail)?;
                let result = output_name(name).unwrap_or_else(|| name.to_string());
                self.roles[p] = Role::Output { result };
                continue;
            }
            let Some((name, len)) = t
                .strip_suffix(']')
                .and_then(|t| t.split_once('['))
                .filter(|(n, l)| !n.is_empty() && !l.is_empty())
            else {
                return Err(fail(format!(
                    "`{t}` is not `pointer[length]`, `out pointer` or `raw`"
                )));
            };
            let p = self.param(name, &fail)?;
            if slice_element(&self.params[p]).is_none() {
                return Err(fail(format!(
                    "`{name}` is `{}`; only pointers to numbers become slices",
                    self.params[p].written
                )));
            }
            let l = self.param(len, &fail)?;
            if !is_integer(&self.params[l].go_type) {
                return Err(fail(format!(
                    "the length `{len}` is `{}`, not an integer",
                    self.params[l].written
                )));
            }
            if matches!(self.roles[l], Role::Slice { .. } | Role::Output { .. })
                || pending.iter().any(|(_, ps)| ps.contains(&l))
            {
                return Err(fail(format!(
                    "`{len}` is used both as a length and a pointer"
                )));
            }
            self.claim(p, &fail)?;
            self.roles[p] = Role::Slice { group: usize::MAX };
            match pending.iter_mut().find(|(g, _)| *g == l) {
                Some((_, ps)) => ps.push(p),
                None => pending.push((l, vec![p])),
            }
        }
        if pending
            .iter()
            .any(|(l, _)| pending.iter().any(|(_, ps)| ps.contains(l)))
        {
            return Err(fail(
                "a parameter is used both as a length and a pointer".into(),
            ));
        }
        for (l, ps) in pending {
            self.group(l, ps);
        }
        Ok(())
    }

    fn param(
        &self,
        name: &str,
        fail: &impl Fn(String) -> AnnotationError,
    ) -> Result<usize, AnnotationError> {
        self.index(name).ok_or_else(|| {
            let names: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
            fail(format!(
                "`{name}` is not a parameter (they are: {})",
                names.join(", ")
            ))
        })
    }

    fn claim(
        &self,
        p: usize,
        fail: &impl Fn(String) -> AnnotationError,
    ) -> Result<(), AnnotationError> {
        if matches!(self.roles[p], Role::Plain) {
            Ok(())
        } else {
            Err(fail(format!("`{}` is named twice", self.params[p].name)))
        }
    }

    fn finish(self) -> Option<SliceApi> {
        let useful = self
            .roles
            .iter()
            .any(|r| matches!(r, Role::Slice { .. } | Role::Output { .. }));
        (useful && !self.raw).then_some(SliceApi {
            roles: self.roles,
            groups: self.groups,
            annotated: self.annotated,
        })
    }
}

fn is_integer(t: &GoType) -> bool {
    matches!(
        t,
        GoType::Int8
            | GoType::Int16
            | GoType::Int32
            | GoType::Int64
            | GoType::Uint8
            | GoType::Uint16
            | GoType::Uint32
            | GoType::Uint64
            | GoType::Int
            | GoType::Uint
            | GoType::Uintptr
    )
}

/// `len` must be below `2^bits` for a C length of type `t` narrower than Go's `int`.
fn max_bits(t: &GoType) -> Option<u8> {
    Some(match t {
        GoType::Int8 => 7,
        GoType::Uint8 => 8,
        GoType::Int16 => 15,
        GoType::Uint16 => 16,
        GoType::Int32 => 31,
        GoType::Uint32 => 32,
        _ => return None,
    })
}

/// The Go element type when `p` is a pointer (not a C++ reference) to a number.
fn slice_element(p: &CParam) -> Option<&str> {
    if p.c_type.trim_end().ends_with('&') {
        return None;
    }
    number_pointee(&p.go_type)
}

/// The Go element type when `p` can be an output: a pointer or lvalue reference to a
/// non-const number.
fn output_element(p: &CParam) -> Option<&str> {
    let t = p.c_type.trim_end();
    if t.ends_with("&&") {
        return None;
    }
    let pointee = t
        .strip_suffix('*')
        .or_else(|| t.strip_suffix('&'))
        .unwrap_or(t);
    if pointee.split([' ', '*']).any(|w| w == "const") {
        return None;
    }
    number_pointee(&p.go_type)
}

fn number_pointee(t: &GoType) -> Option<&str> {
    match t {
        GoType::Pointer(e)
            if matches!(
                e.as_str(),
                "int8"
                    | "int16"
                    | "int32"
                    | "int64"
                    | "uint8"
                    | "uint16"
                    | "uint32"
                    | "uint64"
                    | "float32"
                    | "float64"
                    | "bool"
            ) =>
        {
            Some(e)
        }
        _ => None,
    }
}

/// The result name of an output parameter named `name`, if the name says it is one.
fn output_name(name: &str) -> Option<String> {
    let stem = if name == "ret" {
        "ret"
    } else if let Some(s) = name
        .strip_suffix("_out")
        .or_else(|| name.strip_suffix("_ret"))
    {
        s
    } else {
        name.strip_prefix("out_")?
    };
    (!stem.is_empty()).then(|| stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, c: &str) -> CParam {
        CParam {
            name: name.into(),
            c_type: c.into(),
            written: c.into(),
            go_type: crate::package::ctype::go_type(c, true).expect("type"),
        }
    }

    fn f(params: Vec<CParam>) -> CFunction {
        CFunction {
            name: "k".into(),
            qualified: "k".into(),
            symbol: "k".into(),
            params,
            result: None,
            line: 4,
            col: 7,
            begin_line: 4,
        }
    }

    fn roles(api: &SliceApi) -> Vec<String> {
        api.roles
            .iter()
            .map(|r| match r {
                Role::Slice { group } => format!("slice{group}"),
                Role::Length { group } => format!("len{group}"),
                Role::Output { result } => format!("out:{result}"),
                Role::Plain => "plain".into(),
            })
            .collect()
    }

    fn ann(text: &str) -> Annotation {
        Annotation {
            text: text.into(),
            line: 3,
            col: 4,
        }
    }

    #[test]
    fn a_shared_length_covers_every_pointer_to_a_number() {
        let dot = f(vec![
            p("a", "const float *"),
            p("b", "const float *"),
            p("n", "unsigned long"),
        ]);
        let api = plan(&dot, None).expect("ok").expect("api");
        assert_eq!(roles(&api), ["slice0", "slice0", "len0"]);
        assert_eq!(api.groups[0].slices, [0, 1]);
        assert_eq!(api.groups[0].max_bits, None);
        // BLAS order, `int` length, a scalar and a void pointer that stays a pointer.
        let axpy = f(vec![
            p("N", "int"),
            p("alpha", "float"),
            p("x", "const float *"),
            p("y", "float *"),
            p("ctx", "void *"),
        ]);
        let api = plan(&axpy, None).expect("ok").expect("api");
        assert_eq!(roles(&api), ["len0", "plain", "slice0", "slice0", "plain"]);
        assert_eq!(api.groups[0].max_bits, Some(31));
    }

    #[test]
    fn paired_lengths_outputs_and_ambiguity() {
        let k = f(vec![
            p("hay", "const unsigned char *"),
            p("hay_len", "unsigned long"),
            p("needle", "const unsigned char *"),
            p("n_needle", "int"),
            p("count_out", "long *"),
            p("ret", "double *"),
        ]);
        let api = plan(&k, None).expect("ok").expect("api");
        assert_eq!(
            roles(&api),
            ["slice0", "len0", "slice1", "len1", "out:count", "out:ret"]
        );
        // A const pointer is never an output, and a pointer no length covers stays one.
        let k = f(vec![p("x_out", "const long *"), p("p", "long *")]);
        assert!(plan(&k, None).expect("ok").is_none());
        // Two shared names: neither is a length.
        let k = f(vec![p("p", "long *"), p("n", "long"), p("size", "long")]);
        assert!(plan(&k, None).expect("ok").is_none());
        // An output that a shared length does not swallow.
        let k = f(vec![
            p("a", "const float *"),
            p("n", "long"),
            p("out_sum", "float *"),
        ]);
        let api = plan(&k, None).expect("ok").expect("api");
        assert_eq!(roles(&api), ["slice0", "len0", "out:sum"]);
        // References are single objects.
        let k = f(vec![
            p("lo", "long &"),
            p("p", "const long *"),
            p("n", "long"),
        ]);
        let api = plan(&k, None).expect("ok").expect("api");
        assert_eq!(roles(&api), ["plain", "slice0", "len0"]);
        // No pointers: no slice function.
        assert!(
            plan(&f(vec![p("a", "int"), p("n", "long")]), None)
                .expect("ok")
                .is_none()
        );
    }

    #[test]
    fn annotations_replace_the_names() {
        let k = f(vec![
            p("dst", "short *"),
            p("src", "const short *"),
            p("m", "int"),
            p("total", "long *"),
            p("n", "long"),
        ]);
        let api = plan(&k, Some(&ann("dst[m], src[m] out total")))
            .expect("ok")
            .expect("api");
        assert_eq!(
            roles(&api),
            ["slice0", "slice0", "len0", "out:total", "plain"]
        );
        assert!(api.annotated);
        assert!(plan(&k, Some(&ann("raw"))).expect("ok").is_none());
        for (text, want) in [
            (
                "dst[q]",
                "`q` is not a parameter (they are: dst, src, m, total, n)",
            ),
            ("m[n]", "`m` is `int`; only pointers to numbers"),
            (
                "dst[src]",
                "the length `src` is `const short *`, not an integer",
            ),
            ("out src", "`src` is `const short *`; an output must be"),
            ("dst[m] dst[n]", "`dst` is named twice"),
            ("dst", "`dst` is not `pointer[length]`"),
            ("out", "`out` needs a parameter name"),
            ("", "nothing after `c2goasm:`"),
        ] {
            let e = plan(&k, Some(&ann(text))).expect_err(text);
            assert!(e.detail.contains(want), "{text}: {}", e.detail);
            assert_eq!((e.line, e.col), (3, 4));
        }
    }
}
