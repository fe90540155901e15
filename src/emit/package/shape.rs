//! The Go signatures and calls of one function's API: the pointer ("raw") function with
//! the C parameters, and — when the C says which length goes with which pointer — the
//! slice function, its length checks and, for C functions without a result, the checked
//! trampoline some builds implement in assembly.
//!
//! Why a checked trampoline: the exported slice function must be inlined into its caller
//! to cost nothing over the raw call, and Go inlines a function only while its body is
//! small (cost 80, of which a call takes 57); a call with `unsafe.SliceData` and a
//! conversion per argument plus a comparison and a panic per extra slice does not fit
//! from three slices on. `SimdAxpy(dst, a, b []float32, k float32)` instead calls
//! `c2goasmSimdAxpyChecked(dst, a, b *float32, k float32, n int64, c2goasmBad0 int)`:
//! the C arguments, then per length group one word that is zero when its lengths fit
//! (`len(a)^len(dst)|len(b)^len(dst)`, with `|len(dst)>>31` for an `int` length; Go
//! lengths are never negative). Its assembly tests the words and jumps to the chosen variant, whose
//! frame is the C arguments at the same offsets (it never reads past them). One word per
//! group rather than every length: each argument is a store and a load, and three
//! lengths cost 0.75 ns where one word costs 0.2 (BENCHMARKS.md); the panic message then
//! has the exact lengths for two slices, the rule for more. A C result would be written
//! right after the C arguments, where the caller does not read it, so C functions with a
//! result check lengths in Go instead (two slices fit).

use super::{Exported, Role, go_params, unique};
use crate::abi::GoType;

/// One function's Go names, signatures and calls.
#[derive(Debug, Clone)]
pub(super) struct Shape {
    /// Go names of the C parameters (unique, never a name the bodies use).
    pub raw_names: Vec<String>,
    /// The raw function's parameters, (name, type).
    pub raw_params: Vec<(String, String)>,
    pub result: Option<String>,
    pub api: Option<ApiShape>,
}

/// The slice function and what implements it.
#[derive(Debug, Clone)]
pub(super) struct ApiShape {
    pub params: Vec<(String, String)>,
    /// (name, type); the names are empty when the only result is the C one.
    pub results: Vec<(String, String)>,
    /// Whether it calls `c2goasm<Name>Checked` (the C function returns nothing and
    /// lengths are checked).
    pub checked_fn: bool,
    /// `c2goasm<Name>Checked`'s parameters: the C ones, then `c2goasmBad<i> int` per
    /// checked group.
    pub checked_fn_params: Vec<(String, String)>,
    /// The groups (indices into `SliceApi::groups`) of those words, in order.
    pub checked_groups: Vec<usize>,
    /// The arguments of that call, in the slice function.
    pub checked_fn_args: Vec<String>,
    /// Go condition true when the lengths cannot be passed to C (`len(b) != len(a)`).
    pub bad: Option<String>,
    /// The same condition on the words, in `c2goasm<Name>Checked`.
    pub bad_in_checked_fn: Option<String>,
    /// Index in the length-error table, when there are checks.
    pub site: Option<usize>,
    /// The slices, in parameter order.
    pub slices: Vec<String>,
    /// The raw call's arguments in the slice function (outputs as `&result`).
    pub raw_args: Vec<String>,
}

/// `c2goasmBad<i>`: the mismatch word of the `i`-th checked group.
pub(super) fn word_param(i: usize) -> String {
    format!("c2goasmBad{i}")
}

/// The shapes of `functions`, sites numbered in order.
pub(super) fn shapes(functions: &[Exported]) -> Vec<Shape> {
    let mut site = 0;
    functions
        .iter()
        .map(|f| {
            let s = shape(f, site);
            if s.api.as_ref().is_some_and(|a| a.site.is_some()) {
                site += 1;
            }
            s
        })
        .collect()
}

/// Whether some function checks lengths.
pub(super) fn any_checks(shapes: &[Shape]) -> bool {
    shapes
        .iter()
        .filter_map(|s| s.api.as_ref())
        .any(|a| a.site.is_some())
}

fn elem(t: &GoType) -> &str {
    match t {
        GoType::Pointer(e) => e,
        _ => "",
    }
}

fn shape(f: &Exported, site: usize) -> Shape {
    let raw_names = go_params(&f.params);
    let raw_params: Vec<(String, String)> = raw_names
        .iter()
        .zip(&f.params)
        .map(|(n, (_, t))| (n.clone(), t.to_string()))
        .collect();
    let result = f.result.as_ref().map(ToString::to_string);
    let api = f.api.as_ref().map(|api| {
        let mut taken = std::collections::HashSet::new();
        let mut params = Vec::new();
        let mut slices = Vec::new();
        for (i, role) in api.roles.iter().enumerate() {
            let name = &raw_names[i];
            let t = &f.params[i].1;
            match role {
                Role::Slice { .. } => {
                    params.push((name.clone(), format!("[]{}", elem(t))));
                    slices.push(name.clone());
                    taken.insert(name.clone());
                }
                Role::Plain => {
                    params.push((name.clone(), t.to_string()));
                    taken.insert(name.clone());
                }
                Role::Output { .. } | Role::Length { .. } => {}
            }
        }
        let mut results = Vec::new();
        let named = api.roles.iter().any(|r| matches!(r, Role::Output { .. }));
        if let Some(r) = &result {
            let n = if named {
                unique(&mut taken, "ret")
            } else {
                String::new()
            };
            results.push((n, r.clone()));
        }
        let mut outputs = Vec::new();
        for (i, role) in api.roles.iter().enumerate() {
            if let Role::Output { result } = role {
                let n = unique(&mut taken, &super::go_ident(result));
                results.push((n.clone(), elem(&f.params[i].1).to_string()));
                outputs.push((i, n));
            }
        }
        let raw_args: Vec<String> = (0..f.params.len())
            .map(|i| {
                let name = &raw_names[i];
                match &api.roles[i] {
                    Role::Slice { .. } => format!("unsafe.SliceData({name})"),
                    Role::Length { group } => {
                        let first = &raw_names[api.groups[*group].slices[0]];
                        format!("{}(len({first}))", f.params[i].1)
                    }
                    Role::Output { .. } => {
                        let (_, n) = outputs.iter().find(|(j, _)| *j == i).expect("output");
                        format!("&{n}")
                    }
                    Role::Plain => name.clone(),
                }
            })
            .collect();
        // The checks: a condition on the slices (in the slice function), and a word per
        // group (for the checked function).
        let mut conds = Vec::new();
        let mut words = Vec::new();
        let mut checked_groups = Vec::new();
        for (gi, g) in api.groups.iter().enumerate() {
            let first = &raw_names[g.slices[0]];
            let mut word = Vec::new();
            for s in &g.slices[1..] {
                conds.push(format!("len({}) != len({first})", raw_names[*s]));
                word.push(format!("len({})^len({first})", raw_names[*s]));
            }
            if let Some(bits) = g.max_bits {
                conds.push(format!("uint64(len({first})) >= 1<<{bits}"));
                word.push(format!("len({first})>>{bits}"));
            }
            if !word.is_empty() {
                words.push(word.join("|"));
                checked_groups.push(gi);
            }
        }
        let bad = (!conds.is_empty()).then(|| conds.join(" || "));
        let checked_fn = f.result.is_none() && bad.is_some();
        let mut checked_fn_params = raw_params.clone();
        let mut checked_fn_args = raw_args.clone();
        let mut bad_words = Vec::new();
        for (i, w) in words.iter().enumerate() {
            checked_fn_params.push((word_param(i), "int".to_string()));
            checked_fn_args.push(w.clone());
            bad_words.push(format!("{} != 0", word_param(i)));
        }
        ApiShape {
            params,
            results,
            checked_fn,
            checked_fn_params,
            checked_groups,
            checked_fn_args,
            site: bad.as_ref().map(|_| site),
            bad,
            bad_in_checked_fn: (!bad_words.is_empty()).then(|| bad_words.join(" || ")),
            slices,
            raw_args,
        }
    });
    Shape {
        raw_names,
        raw_params,
        result,
        api,
    }
}

/// `c2goasmDotLengths{len(a), len(b)}`: the panic value of a failed check, of a type of
/// the function's own — an array of its lengths, the cheapest value to build where the
/// slice function must stay small enough to be inlined.
pub(super) fn length_error(go_name: &str, api: &ApiShape) -> String {
    let lens: Vec<String> = api.slices.iter().map(|s| format!("len({s})")).collect();
    format!("c2goasm{go_name}Lengths{{{}}}", lens.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::package::{LengthGroup, SliceApi};

    fn exported(params: &[(&str, GoType)], result: Option<GoType>, api: SliceApi) -> Exported {
        Exported {
            c_name: "f".into(),
            go_name: "F".into(),
            fallback: "f".into(),
            c_prototype: "void f(void)".into(),
            origin: "f.c:1".into(),
            params: params
                .iter()
                .map(|(n, t)| (n.to_string(), t.clone()))
                .collect(),
            result,
            implemented_by: vec!["sse2".into()],
            doc: Vec::new(),
            api: Some(api),
            has_fallback: false,
            everywhere: true,
        }
    }

    fn ptr(e: &str) -> GoType {
        GoType::Pointer(e.into())
    }

    #[test]
    fn a_dot_product_checks_lengths_in_go() {
        let f = exported(
            &[
                ("a", ptr("float32")),
                ("b", ptr("float32")),
                ("len", GoType::Int32),
            ],
            Some(GoType::Float32),
            SliceApi {
                roles: vec![
                    Role::Slice { group: 0 },
                    Role::Slice { group: 0 },
                    Role::Length { group: 0 },
                ],
                groups: vec![LengthGroup {
                    length: 2,
                    slices: vec![0, 1],
                    max_bits: Some(31),
                }],
                annotated: false,
            },
        );
        let s = &shapes(&[f])[0];
        assert_eq!(s.raw_names, ["a", "b", "len_"]);
        assert!(super::super::RESERVED.contains(&"len"));
        let api = s.api.as_ref().expect("api");
        assert!(!api.checked_fn);
        assert_eq!(api.results, [(String::new(), "float32".to_string())]);
        assert_eq!(
            api.bad.as_deref(),
            Some("len(b) != len(a) || uint64(len(a)) >= 1<<31")
        );
        assert_eq!(
            api.raw_args,
            [
                "unsafe.SliceData(a)",
                "unsafe.SliceData(b)",
                "int32(len(a))"
            ]
        );
        assert_eq!(length_error("F", api), "c2goasmFLengths{len(a), len(b)}");
    }

    #[test]
    fn a_void_function_with_checks_goes_through_its_checked_function() {
        let f = exported(
            &[
                ("p", ptr("int32")),
                ("min_out", ptr("int32")),
                ("n", GoType::Int32),
                ("max_out", ptr("int32")),
            ],
            None,
            SliceApi {
                roles: vec![
                    Role::Slice { group: 0 },
                    Role::Output {
                        result: "min".into(),
                    },
                    Role::Length { group: 0 },
                    Role::Output {
                        result: "max".into(),
                    },
                ],
                groups: vec![LengthGroup {
                    length: 2,
                    slices: vec![0],
                    max_bits: Some(31),
                }],
                annotated: false,
            },
        );
        let s = &shapes(&[f])[0];
        let api = s.api.as_ref().expect("api");
        assert!(api.checked_fn);
        assert_eq!(api.site, Some(0));
        assert_eq!(
            api.results,
            [
                ("min".to_string(), "int32".to_string()),
                ("max".to_string(), "int32".to_string())
            ]
        );
        assert_eq!(
            api.checked_fn_args,
            [
                "unsafe.SliceData(p)",
                "&min",
                "int32(len(p))",
                "&max",
                "len(p)>>31"
            ]
        );
        assert_eq!(
            api.checked_fn_params.last(),
            Some(&("c2goasmBad0".to_string(), "int".to_string()))
        );
        assert_eq!(api.checked_groups, [0]);
        assert_eq!(api.bad_in_checked_fn.as_deref(), Some("c2goasmBad0 != 0"));
    }
}
