//! Doc comments of the exported API: the C comment above each prototype, what the
//! lengths and results are, which builds exist, and the C prototype itself.

use std::fmt::Write;

use super::shape::Shape;
use super::{Exported, Role, Spec};

/// Which exported function a comment documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// The slice function (`DotF32`).
    Slices,
    /// The pointer function next to a slice function (`DotF32Raw`).
    RawOfSlices,
    /// The only function (`MixU32`): the C has no slices.
    Raw,
}

/// The `//` comment written above the function, ending with a newline.
pub(super) fn function(spec: &Spec, f: &Exported, shape: &Shape, kind: Kind) -> String {
    let mut paras: Vec<String> = Vec::new();
    let name = match kind {
        Kind::RawOfSlices => format!("{}Raw", f.go_name),
        _ => f.go_name.clone(),
    };
    match kind {
        Kind::Slices => {
            paras.push(format!(
                "{name} calls the C function {} ({}) with slices.",
                f.c_name, f.origin
            ));
        }
        Kind::RawOfSlices => {
            paras.push(format!(
                "{name} is {} with the C function's own parameters: pointers and lengths \
                 as C takes them, unchecked, each pointer valid for what the C reads or \
                 writes.",
                f.go_name
            ));
        }
        Kind::Raw => {
            paras.push(format!(
                "{name} calls the C function {} ({}).",
                f.c_name, f.origin
            ));
        }
    }
    if kind != Kind::RawOfSlices && !f.doc.is_empty() {
        paras.push(c_comment(&f.doc));
    }
    if kind == Kind::Slices
        && let (Some(api), Some(api_shape)) = (&f.api, &shape.api)
    {
        paras.push(lengths(f, &shape.raw_names, api, &name));
        let shape = api_shape;
        let outs: Vec<String> = api
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Role::Output { .. }))
            .zip(shape.results.iter().skip(usize::from(f.result.is_some())))
            .map(|((i, _), (res, _))| format!("{res} is what it stores in *{}", f.params[i].0))
            .collect();
        if !outs.is_empty() {
            let mut s = "The results: ".to_string();
            if let Some((ret, _)) = shape.results.first().filter(|_| f.result.is_some()) {
                let _ = write!(s, "{ret} is what the C returns, ");
            }
            s.push_str(&join(&outs));
            s.push('.');
            paras.push(s);
        }
    }
    if kind != Kind::RawOfSlices {
        paras.push(builds(spec, f));
    }
    paras.push(format!("\t{}", f.c_prototype));
    comment(&paras)
}

/// `//` lines of paragraphs: a paragraph starting with a tab is a code block (kept as
/// it is), others are wrapped.
fn comment(paras: &[String]) -> String {
    let mut out = String::new();
    for (i, p) in paras.iter().enumerate() {
        if i > 0 {
            out.push_str("//\n");
        }
        if p.starts_with('\t') {
            for line in p.lines() {
                let _ = writeln!(out, "//{}", line.trim_end());
            }
            continue;
        }
        for (j, para) in p.split("\n\n").enumerate() {
            if j > 0 {
                out.push_str("//\n");
            }
            for line in wrap(para, 77) {
                let _ = writeln!(out, "// {line}");
            }
        }
    }
    out
}

/// Words of `text` in lines of at most `width` characters (longer words alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The C comment as a Go doc paragraph: prose when Go's doc syntax would read its lines
/// as written (no indentation, nothing that looks like a list or heading), else a code
/// block, which keeps formulas, tables and alignment.
fn c_comment(lines: &[String]) -> String {
    let special = |l: &str| {
        let t = l.trim_start();
        l.starts_with(' ')
            || t.starts_with(['-', '+', '*', '#', '\u{2022}'])
            || t.split_once(['.', ')'])
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    if lines.iter().any(|l| special(l)) {
        lines
            .iter()
            .map(|l| format!("\t{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        lines
            .join("\n")
            .replace("\n\n", "\u{0}")
            .replace('\n', " ")
            .replace('\u{0}', "\n\n")
    }
}

/// "n is len(a); len(b) must equal it. …"
fn lengths(f: &Exported, names: &[String], api: &super::SliceApi, go: &str) -> String {
    let mut s = String::new();
    let mut checks = false;
    for g in &api.groups {
        let length = &f.params[g.length].0;
        let first = &names[g.slices[0]];
        let _ = write!(s, "{length} is len({first})");
        if let Some(bits) = g.max_bits {
            checks = true;
            let _ = write!(
                s,
                ", at most {} (the C length is {} in Go terms)",
                (1u64 << bits) - 1,
                f.params[g.length].1
            );
        }
        let others: Vec<String> = g.slices[1..]
            .iter()
            .map(|i| format!("len({})", names[*i]))
            .collect();
        if !others.is_empty() {
            checks = true;
            let _ = write!(s, "; {} must equal it", join(&others));
        }
        s.push_str(". ");
    }
    if checks {
        let _ = write!(
            s,
            "{go} panics otherwise, before calling C, as an index out of range would. "
        );
    }
    s.push_str("A nil or empty slice passes length 0.");
    s
}

/// "It runs the best of its sse2, avx2 builds this CPU supports on amd64, … ."
fn builds(spec: &Spec, f: &Exported) -> String {
    let mut parts = Vec::new();
    let mut chosen = false;
    for t in spec.targets {
        let arch = t.arch.go_name();
        let vs: Vec<&str> = t
            .variants
            .iter()
            .filter(|v| f.implemented_by(v))
            .map(|v| v.name.as_str())
            .collect();
        let baseline = t.variants.first().is_some_and(|v| f.implemented_by(v));
        let mut part = match vs.len() {
            0 => format!("its pure-Go version {} on {arch}", f.fallback),
            1 => format!("its {} build on {arch}", vs[0]),
            _ => {
                chosen = true;
                format!(
                    "the best of its {} builds the CPU runs on {arch}",
                    join_str(&vs)
                )
            }
        };
        if !vs.is_empty() && !baseline {
            chosen = true;
            let _ = write!(part, " ({} on CPUs without them)", f.fallback);
        }
        parts.push(part);
    }
    let elsewhere = if f.has_fallback {
        format!("its pure-Go version {}", f.fallback)
    } else if f.everywhere {
        "the C through cgo".to_string()
    } else {
        format!("{}, a pure-Go version the package must define", f.fallback)
    };
    let mut s = if parts.is_empty() {
        format!("It runs {elsewhere}.")
    } else {
        format!("It runs {}, and elsewhere {elsewhere}.", parts.join(", "))
    };
    if chosen {
        s.push_str(" The build is chosen once, at init (see SelectedVariant).");
    }
    s
}

fn join(items: &[String]) -> String {
    let refs: Vec<&str> = items.iter().map(String::as_str).collect();
    join_str(&refs)
}

/// `a`, `a and b`, `a, b and c`.
fn join_str(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The package comment.
pub(super) fn package(spec: &Spec) -> String {
    let files: Vec<String> = spec.sources.iter().map(|s| s.origin_name()).collect();
    let mut builds = Vec::new();
    for t in spec.targets {
        let vs: Vec<&str> = t.variants.iter().map(|v| v.name.as_str()).collect();
        builds.push(format!("{} on {}", join_str(&vs), t.arch.go_name()));
    }
    comment(&[
        format!(
            "Package {} is generated by c2goasm-rs from {}: the C compiled by clang for {}, \
             the best build the CPU runs chosen once at init (see SelectedVariant), and \
             elsewhere the same C through cgo or the package's pure-Go versions.",
            spec.package,
            join(&files),
            join(&builds)
        ),
        "Each C function whose pointers come with lengths is a function of Go slices; the \
         one with the Raw suffix takes the C parameters as they are."
            .to_string(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_comments_become_prose_or_code() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            comment(&[c_comment(&l(&["Sum of", "a and b.", "", "Fast."]))]),
            "// Sum of a and b.\n//\n// Fast.\n"
        );
        assert_eq!(
            comment(&[c_comment(&l(&["x = a[i]", "  + b[i]"]))]),
            "//\tx = a[i]\n//\t  + b[i]\n"
        );
        assert_eq!(
            comment(&[c_comment(&l(&["Steps:", "1. load", "", "2. add"]))]),
            "//\tSteps:\n//\t1. load\n//\n//\t2. add\n"
        );
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(join_str(&["a"]), "a");
        assert_eq!(join_str(&["a", "b", "c"]), "a, b and c");
    }
}
