//! `example_test.go`: one call of the package's first function that a reader can copy —
//! a slice function when there is one — in an external test package, as `go doc` shows
//! it. The tool cannot know what the C computes, so the example prints the result
//! without an `// Output:` line: `go test` compiles it and `go vet` checks it, but does
//! not run it.

use std::fmt::Write;

use super::gofile::GoFile;
use super::shape::{Shape, shapes};
use super::{Exported, Role, Spec};
use crate::abi::GoType;

/// `1`, `true`: a value of a numeric Go type.
fn value(t: &str) -> &'static str {
    if t == "bool" { "true" } else { "1" }
}

/// The example's statements for `f`, or `None` when a parameter has no simple value
/// (`unsafe.Pointer`).
fn call(pkg: &str, f: &Exported, s: &Shape) -> Option<String> {
    let mut body = String::new();
    let mut args = Vec::new();
    let mut printed = Vec::new();
    match (&f.api, &s.api) {
        (Some(api), Some(shape)) => {
            let mut k = 0;
            for (i, role) in api.roles.iter().enumerate() {
                match role {
                    Role::Slice { .. } => {
                        let (name, ty) = &shape.params[k];
                        k += 1;
                        let elem = ty.trim_start_matches("[]");
                        let v = value(elem);
                        let _ = writeln!(body, "\t{name} := {ty}{{{v}, {v}, {v}, {v}}}");
                        args.push(name.clone());
                        if !read_only(f, i) {
                            printed.push(name.clone());
                        }
                    }
                    Role::Plain => {
                        let (name, ty) = &shape.params[k];
                        k += 1;
                        args.push(plain(ty, name, &mut body)?);
                    }
                    Role::Length { .. } | Role::Output { .. } => {}
                }
            }
        }
        _ => {
            for (name, ty) in &s.raw_params {
                args.push(plain(ty, name, &mut body)?);
            }
        }
    }
    let call = format!("{pkg}.{}({})", f.go_name, args.join(", "));
    let results = s
        .api
        .as_ref()
        .map_or(usize::from(f.result.is_some()), |a| a.results.len());
    if results > 0 {
        let _ = writeln!(body, "\tfmt.Println({call})");
    } else {
        let _ = writeln!(body, "\t{call}");
        if !printed.is_empty() {
            let _ = writeln!(body, "\tfmt.Println({})", printed.join(", "));
        }
    }
    Some(body)
}

/// Whether parameter `i` is `const T *` in the C prototype (read only), as far as the
/// written prototype tells.
fn read_only(f: &Exported, i: usize) -> bool {
    let proto = &f.c_prototype;
    let (Some(open), Some(close)) = (proto.find('('), proto.rfind(')')) else {
        return false;
    };
    let params: Vec<&str> = proto[open + 1..close].split(',').collect();
    if params.len() != f.params.len() {
        return false;
    }
    let p = params[i];
    match (p.find("const"), p.rfind('*')) {
        (Some(c), Some(star)) => c < star,
        _ => false,
    }
}

/// An argument for a parameter that is not a slice: a literal, or a fresh variable for
/// a pointer.
fn plain(ty: &str, name: &str, body: &mut String) -> Option<String> {
    if ty == "unsafe.Pointer" {
        return None;
    }
    if let Some(elem) = ty.strip_prefix('*') {
        if elem.starts_with('*') {
            return None;
        }
        let _ = writeln!(body, "\tvar {name} {elem}");
        return Some(format!("&{name}"));
    }
    Some(value(ty).to_string())
}

pub(super) fn file(spec: &Spec) -> Option<String> {
    let import = spec.import_path?;
    let shapes = shapes(spec.functions);
    let pkg = spec.package;
    let order = spec
        .functions
        .iter()
        .zip(&shapes)
        .filter(|(f, _)| f.api.is_some())
        .chain(
            spec.functions
                .iter()
                .zip(&shapes)
                .filter(|(f, _)| f.api.is_none()),
        );
    let (f, body) = order
        .filter(|(f, _)| !f.params.iter().any(|(_, t)| *t == GoType::UnsafePointer))
        .find_map(|(f, s)| call(pkg, f, s).map(|b| (f, b)))?;
    let mut file = GoFile::default();
    // A call without results or outputs (`void nop(void)`) prints nothing.
    if body.contains("fmt.") {
        file.import("fmt");
    }
    file.import(import);
    let _ = writeln!(
        file.body,
        "// A call of {0}, generated with the package: it shows the Go signature, not\n\
         // what the C computes, so it prints the result instead of checking it.\n\
         func Example{0}() {{\n{body}}}",
        f.go_name
    );
    Some(file.render(spec.generated_by, spec.command, &format!("{pkg}_test")))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{functions, spec, targets};
    use super::*;

    #[test]
    fn one_call_of_the_first_slice_function() {
        let (fs, ts) = (functions(), targets());
        let text = file(&spec(&fs, &ts)).expect("example");
        assert!(text.contains("package k_test\n"), "{text}");
        assert!(text.contains("\t\"example.com/k\"\n"), "{text}");
        assert!(
            text.contains("func ExampleDot() {\n\ta := []float32{1, 1, 1, 1}\n\tb := []float32{1, 1, 1, 1}\n\tfmt.Println(k.Dot(a, b))\n}"),
            "{text}"
        );
        let mut no_path = spec(&fs, &ts);
        no_path.import_path = None;
        assert!(file(&no_path).is_none());
    }

    #[test]
    fn a_call_that_prints_nothing_imports_no_fmt() {
        let (fs, ts) = (functions(), targets());
        // `void nop(void)`, from `mix`.
        let mut nop = fs[2].clone();
        nop.go_name = "Nop".into();
        nop.params.clear();
        nop.result = None;
        let text = file(&spec(&[nop], &ts)).expect("example");
        assert!(text.contains("func ExampleNop() {\n\tk.Nop()\n}"), "{text}");
        assert!(!text.contains("\"fmt\""), "{text}");
    }
}
