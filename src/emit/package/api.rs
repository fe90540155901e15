//! `c2goasm_api.go`: the exported API, the same in every build. Each function is a call
//! of an internal function that exactly one build-specific file defines
//! (`c2goasmDotF32`, `c2goasmSimdAxpySlices`), so the exported ones are plain functions
//! — not variables an importer could overwrite — and small enough that Go inlines them:
//! the dispatch costs what the internal call costs.

use std::fmt::Write;

use super::docs::{self, Kind};
use super::gofile::GoFile;
use super::shape::{ApiShape, Shape, any_checks, length_error, shapes, word_param};
use super::{Exported, Spec, param_list};

pub(super) fn file(spec: &Spec) -> String {
    let shapes = shapes(spec.functions);
    let mut file = GoFile::default();
    if spec.go_generate {
        let _ = writeln!(file.preamble, "//go:generate {}\n", spec.command);
    }
    if spec.package_doc {
        file.preamble.push_str(&docs::package(spec));
    }
    let b = &mut file.body;
    b.push_str(
        "// SelectedVariant names the build this process runs: on amd64 and arm64 the best\n\
         // instruction-set variant the CPU supports (\"sse2\" … \"avx512\", \"neon\"), chosen\n\
         // once at init with golang.org/x/sys/cpu; elsewhere, and with the noasm build tag,\n\
         // \"cgo\" when C functions run through cgo, else \"go\" (the package's pure-Go\n\
         // versions).\n\
         func SelectedVariant() string { return c2goasmSelected }\n\n",
    );
    let mut unsafe_used = false;
    for (f, s) in spec.functions.iter().zip(&shapes) {
        unsafe_used |= super::variants::uses_unsafe_pointer(f);
        match &s.api {
            None => {
                b.push_str(&docs::function(spec, f, s, Kind::Raw));
                raw_function(b, &f.go_name, f, s);
            }
            Some(api) => {
                b.push_str(&docs::function(spec, f, s, Kind::Slices));
                unsafe_used |= slice_function(b, f, api);
                b.push_str(&docs::function(spec, f, s, Kind::RawOfSlices));
                raw_function(b, &format!("{}Raw", f.go_name), f, s);
                if api.bad.is_some() && !api.checked_fn {
                    lengths_type(b, f, api);
                }
                if api.checked_fn {
                    bad_function(b, f, s, api);
                }
            }
        }
    }
    if any_checks(&shapes) {
        length_message(spec, &shapes, b);
        file.import("strconv");
        file.import("strings");
    }
    if unsafe_used {
        file.import("unsafe");
    }
    file.render(spec.generated_by, spec.command, spec.package)
}

fn signature(name: &str, params: &[(String, String)], results: &[(String, String)]) -> String {
    let mut s = format!("func {name}({})", param_list(params));
    match results {
        [] => {}
        [(n, t)] if n.is_empty() => {
            let _ = write!(s, " {t}");
        }
        _ => {
            let _ = write!(s, " ({})", param_list(results));
        }
    }
    s
}

fn raw_function(b: &mut String, name: &str, f: &Exported, s: &Shape) {
    let results: Vec<(String, String)> = s
        .result
        .iter()
        .map(|r| (String::new(), r.clone()))
        .collect();
    let call = format!("c2goasm{}({})", f.go_name, s.raw_names.join(", "));
    let _ = writeln!(
        b,
        "{} {{\n\t{}{call}\n}}\n",
        signature(name, &s.raw_params, &results),
        if s.result.is_some() { "return " } else { "" }
    );
}

/// The slice function; returns whether it uses `unsafe`.
fn slice_function(b: &mut String, f: &Exported, api: &ApiShape) -> bool {
    let _ = writeln!(b, "{} {{", signature(&f.go_name, &api.params, &api.results));
    let named = api.results.iter().any(|(n, _)| !n.is_empty());
    if api.checked_fn {
        let _ = writeln!(
            b,
            "\tc2goasm{}Checked({})",
            f.go_name,
            api.checked_fn_args.join(", ")
        );
        if named {
            b.push_str("\treturn\n");
        }
        b.push_str("}\n\n");
        return api.checked_fn_args.iter().any(|a| a.contains("unsafe."));
    }
    if let Some(bad) = &api.bad {
        let _ = writeln!(
            b,
            "\tif {bad} {{\n\t\tpanic({})\n\t}}",
            length_error(&f.go_name, api)
        );
    }
    let call = format!("c2goasm{}({})", f.go_name, api.raw_args.join(", "));
    match (f.result.is_some(), named) {
        (true, false) => {
            let _ = writeln!(b, "\treturn {call}");
        }
        (true, true) => {
            let ret = &api.results[0].0;
            let _ = writeln!(b, "\t{ret} = {call}\n\treturn");
        }
        (false, true) => {
            let _ = writeln!(b, "\t{call}\n\treturn");
        }
        (false, false) => {
            let _ = writeln!(b, "\t{call}");
        }
    }
    b.push_str("}\n\n");
    api.raw_args.iter().any(|a| a.contains("unsafe."))
}

/// `c2goasm<Name>Bad`: where the assembly of a checked function jumps when a word is not
/// zero — same arguments, so it can read them; it panics.
fn bad_function(b: &mut String, f: &Exported, s: &Shape, api: &ApiShape) {
    let groups = f.api.as_ref().map(|a| a.groups.as_slice()).unwrap_or(&[]);
    // The length of each checked group's first slice, as the C argument has it.
    let firsts: Vec<String> = api
        .checked_groups
        .iter()
        .map(|&g| format!("int({})", s.raw_names[groups[g].length]))
        .collect();
    let words: Vec<String> = (0..api.checked_groups.len()).map(word_param).collect();
    let gs: Vec<String> = api.checked_groups.iter().map(|g| g.to_string()).collect();
    let _ = writeln!(
        b,
        "// c2goasm{0}Bad is where c2goasm{0}Checked goes when the slices cannot be\n\
         // passed to C.\n\
         {1} {{\n\tc2goasmWordPanic({2}, []int{{{3}}}, []int{{{4}}}, []int{{{5}}})\n}}\n",
        f.go_name,
        signature(
            &format!("c2goasm{}Bad", f.go_name),
            &api.checked_fn_params,
            &[]
        ),
        api.site.unwrap_or(0),
        gs.join(", "),
        firsts.join(", "),
        words.join(", ")
    );
}

/// `c2goasm<Name>Lengths`: the slices' lengths, the panic value of a failed check.
fn lengths_type(b: &mut String, f: &Exported, api: &ApiShape) {
    let _ = writeln!(
        b,
        "// c2goasm{0}Lengths holds the lengths of {0}'s slices when they cannot be passed to\n\
         // C: it is what {0} panics with.\n\
         type c2goasm{0}Lengths [{1}]int\n\n\
         func (l c2goasm{0}Lengths) Error() string {{ return c2goasmLengthMessage({2}, l[:]) }}\n",
        f.go_name,
        api.slices.len(),
        api.site.unwrap_or(0)
    );
}

/// The message of a failed length check, from a table of the slice functions.
fn length_message(spec: &Spec, shapes: &[Shape], b: &mut String) {
    let _ = writeln!(
        b,
        "// c2goasmSite describes one slice function for its error messages.\n\
         type c2goasmSite struct {{\n\
         \tfunction string\n\
         \tslices   []string // in parameter order\n\
         \tgroups   []int    // the length group of each slice\n\
         \tlengths  []string // the C length of each group\n\
         \tbits     []int    // when not 0, a group's lengths must be below 1<<bits\n\
         }}\n\n\
         var c2goasmSites = [...]c2goasmSite{{"
    );
    for (f, s) in spec.functions.iter().zip(shapes) {
        let (Some(api), Some(shape)) = (&f.api, &s.api) else {
            continue;
        };
        if shape.site.is_none() {
            continue;
        }
        let quoted = |v: &[String]| {
            v.iter()
                .map(|x| format!("{x:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut groups = Vec::new();
        for (i, _) in shape.slices.iter().enumerate() {
            let idx = api
                .groups
                .iter()
                .position(|g| {
                    g.slices
                        .iter()
                        .map(|&j| &s.raw_names[j])
                        .any(|n| *n == shape.slices[i])
                })
                .unwrap_or(0);
            groups.push(idx.to_string());
        }
        let lengths: Vec<String> = api
            .groups
            .iter()
            .map(|g| f.params[g.length].0.clone())
            .collect();
        let bits: Vec<String> = api
            .groups
            .iter()
            .map(|g| g.max_bits.unwrap_or(0).to_string())
            .collect();
        let _ = writeln!(
            b,
            "\t{{{:?}, []string{{{}}}, []int{{{}}}, []string{{{}}}, []int{{{}}}}},",
            f.go_name,
            quoted(&shape.slices),
            groups.join(", "),
            quoted(&lengths),
            bits.join(", ")
        );
    }
    let _ = writeln!(
        b,
        "}}\n\n\
         // c2goasmLengthMessage says why the lengths lens of the slice function site\n\
         // cannot be passed to C, as Go says why an index is out of range.\n\
         func c2goasmLengthMessage(site int, lens []int) string {{\n\
         \ts := &c2goasmSites[site]\n\
         \tprefix := \"{pkg}.\" + s.function + \": len(\"\n\
         \tfor g, length := range s.lengths {{\n\
         \t\tfirst := -1\n\
         \t\tfor i, gi := range s.groups {{\n\
         \t\t\tswitch {{\n\
         \t\t\tcase gi != g:\n\
         \t\t\tcase first < 0:\n\
         \t\t\t\tfirst = i\n\
         \t\t\t\tif s.bits[g] > 0 && uint64(lens[i]) >= 1<<s.bits[g] {{\n\
         \t\t\t\t\treturn prefix + s.slices[i] + \") = \" + strconv.Itoa(lens[i]) +\n\
         \t\t\t\t\t\t\" does not fit the C length \" + length + \" (at most \" +\n\
         \t\t\t\t\t\tstrconv.FormatUint(1<<s.bits[g]-1, 10) + \")\"\n\
         \t\t\t\t}}\n\
         \t\t\tcase lens[i] != lens[first]:\n\
         \t\t\t\treturn prefix + s.slices[i] + \") = \" + strconv.Itoa(lens[i]) +\n\
         \t\t\t\t\t\", want len(\" + s.slices[first] + \") = \" + strconv.Itoa(lens[first]) +\n\
         \t\t\t\t\t\" (both are the C length \" + length + \")\"\n\
         \t\t\t}}\n\
         \t\t}}\n\
         \t}}\n\
         \treturn \"{pkg}.\" + s.function + \": slice lengths\"\n\
         }}\n",
        pkg = spec.package
    );
    b.push_str(&WORD_ERROR.replace("PKG", spec.package));
}

/// The panic of a checked function (Go), whose words say that lengths do not fit but not,
/// past two slices, which: the message has the exact lengths for two, the rule for more.
const WORD_ERROR: &str = r#"// c2goasmWordError is what a checked function panics with: the word of length group
// group (zero when its lengths fit the C), and the C length its first slice gave.
type c2goasmWordError struct {
	site, group, first, word int
}

func (e c2goasmWordError) Error() string {
	s := &c2goasmSites[e.site]
	var names []string
	for i, g := range s.groups {
		if g == e.group {
			names = append(names, s.slices[i])
		}
	}
	prefix, length := "PKG."+s.function+": ", s.lengths[e.group]
	if bits := s.bits[e.group]; bits > 0 {
		rule := ") must be at most "
		if len(names) > 1 {
			rule = ") must be equal and at most "
		}
		return prefix + "len(" + strings.Join(names, "), len(") + rule +
			strconv.FormatUint(1<<bits-1, 10) + " (the C length " + length + ")"
	}
	if len(names) == 2 {
		return prefix + "len(" + names[1] + ") = " + strconv.Itoa(e.first^e.word) +
			", want len(" + names[0] + ") = " + strconv.Itoa(e.first) + " (both are the C length " + length + ")"
	}
	return prefix + "len(" + strings.Join(names[1:], "), len(") + ") must all equal len(" + names[0] +
		") = " + strconv.Itoa(e.first) + " (the C length " + length + ")"
}

// c2goasmWordPanic panics with the first group whose word is not zero.
func c2goasmWordPanic(site int, groups, firsts, words []int) {
	for i, w := range words {
		if w != 0 {
			panic(c2goasmWordError{site, groups[i], firsts[i], w})
		}
	}
}
"#;

#[cfg(test)]
mod tests {
    use super::super::test_support::{functions, spec, targets};
    use super::*;

    #[test]
    fn the_api_is_documented_functions_calling_the_internal_ones() {
        let (fs, ts) = (functions(), targets());
        let text = file(&spec(&fs, &ts));
        for want in [
            "//go:generate c2goasm-rs package k.c --out .\n\n// Package k is generated",
            "func SelectedVariant() string { return c2goasmSelected }",
            "// Dot calls the C function dot (k.c:1) with slices.\n//\n// What it does.\n",
            "func Dot(a, b []float32) float32 {\n\tif len(b) != len(a) {\n\t\tpanic(c2goasmDotLengths{len(a), len(b)})\n\t}\n\treturn c2goasmDot(unsafe.SliceData(a), unsafe.SliceData(b), uint64(len(a)))\n}",
            "func DotRaw(a, b *float32, n uint64) float32 {\n\treturn c2goasmDot(a, b, n)\n}",
            "func Add(dst, a []float32) {\n\tc2goasmAddChecked(unsafe.SliceData(dst), unsafe.SliceData(a), uint64(len(dst)), len(a)^len(dst))\n}",
            "func c2goasmAddBad(dst, a *float32, n uint64, c2goasmBad0 int) {\n\tc2goasmWordPanic(1, []int{0}, []int{int(n)}, []int{c2goasmBad0})\n}",
            "type c2goasmDotLengths [2]int",
            "func Mix(a, b uint32) uint32 {\n\treturn c2goasmMix(a, b)\n}",
            "\t{\"Dot\", []string{\"a\", \"b\"}, []int{0, 0}, []string{\"n\"}, []int{0}},",
        ] {
            assert!(text.contains(want), "{want:?} not in:\n{text}");
        }
        assert!(!text.contains("MixRaw"), "{text}");
    }
}
