//! The names a C function answers to, as the peers' users wrote their Go declarations.
//!
//! A symbol in the assembly is found under:
//! - its own spelling (`sample_sum`);
//! - without one leading underscore, the Mach-O spelling of a C name (`_sample_sum` is C's
//!   `sample_sum` in clang output for macOS; c2goasm's users often translated such files);
//! - for Itanium-mangled C++ symbols (`_Z9Add_F64_VPdS_m`, Mach-O `__Z…`), the unqualified
//!   function name (`Add_F64_V`; `_ZN2ns3fooEv` → `foo`), demangled with `cpp_demangle`.
//!
//! A Go function `_name` (c2goasm's convention) or `name` looks these up in that order of
//! exactness, so an exact spelling always wins over a derived one.

use rustc_hash::FxHashMap as HashMap;

/// One C function symbol of the assembly and what it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CFunction {
    /// The symbol as written in the assembly.
    pub symbol: String,
    /// Index into `Program::functions`.
    pub index: usize,
    /// The full demangled C++ signature (`ns::foo(float*, unsigned long)`), if mangled.
    pub demangled: Option<String>,
    /// The unqualified C++ name (`foo`), if mangled.
    pub unqualified: Option<String>,
}

impl CFunction {
    pub fn new(symbol: &str, index: usize) -> CFunction {
        let (demangled, unqualified) = match demangle(symbol) {
            Some((full, name)) => (Some(full), Some(name)),
            None => (None, None),
        };
        CFunction {
            symbol: symbol.to_string(),
            index,
            demangled,
            unqualified,
        }
    }

    /// How a person reads it: the demangled signature with the symbol, or the symbol.
    pub fn describe(&self) -> String {
        match &self.demangled {
            Some(d) => format!("`{d}` ({})", self.symbol),
            None => format!("`{}`", self.symbol),
        }
    }

    /// The name a Go declaration would most likely use (for ranking suggestions).
    pub fn plain_name(&self) -> &str {
        self.unqualified
            .as_deref()
            .unwrap_or_else(|| self.symbol.strip_prefix('_').unwrap_or(&self.symbol))
    }
}

/// What looking a Go name up found.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    Found(&'a CFunction),
    /// Several C++ functions share the unqualified name (overloads, or namespaces).
    Ambiguous(Vec<&'a CFunction>),
    NotFound,
}

/// Every function symbol of a file, indexed by each name it answers to.
#[derive(Debug, Default)]
pub struct CNames {
    functions: Vec<CFunction>,
    exact: HashMap<String, usize>,
    macho: HashMap<String, Vec<usize>>,
    cxx: HashMap<String, Vec<usize>>,
}

impl CNames {
    pub fn new(functions: impl IntoIterator<Item = CFunction>) -> CNames {
        let mut names = CNames::default();
        for f in functions {
            let k = names.functions.len();
            names.exact.insert(f.symbol.clone(), k);
            if let Some(rest) = f.symbol.strip_prefix('_')
                && !rest.is_empty()
            {
                names.macho.entry(rest.to_string()).or_default().push(k);
            }
            if let Some(u) = &f.unqualified {
                names.cxx.entry(u.clone()).or_default().push(k);
            }
            names.functions.push(f);
        }
        names
    }

    pub fn functions(&self) -> &[CFunction] {
        &self.functions
    }

    /// The C function for a Go declaration named `go_name`, or for an explicit symbol.
    pub fn lookup(&self, go_name: &str, explicit: Option<&str>) -> Lookup<'_> {
        if let Some(symbol) = explicit {
            return match self.exact.get(symbol) {
                Some(&k) => Lookup::Found(&self.functions[k]),
                None => Lookup::NotFound,
            };
        }
        // c2goasm's `_name` → `name` first, then the name as written.
        let stripped = go_name.strip_prefix('_').filter(|s| !s.is_empty());
        let spellings: Vec<&str> = stripped.into_iter().chain([go_name]).collect();
        for s in &spellings {
            if let Some(&k) = self.exact.get(*s) {
                return Lookup::Found(&self.functions[k]);
            }
        }
        for table in [&self.macho, &self.cxx] {
            for s in &spellings {
                match table.get(*s).map(Vec::as_slice) {
                    Some([k]) => return Lookup::Found(&self.functions[*k]),
                    Some(many) if !many.is_empty() => {
                        return Lookup::Ambiguous(
                            many.iter().map(|&k| &self.functions[k]).collect(),
                        );
                    }
                    _ => {}
                }
            }
        }
        Lookup::NotFound
    }

    /// The `n` functions nearest to `go_name`, nearest first (edit distance on the plain
    /// names; ties by symbol).
    pub fn nearest(&self, go_name: &str, n: usize) -> Vec<&CFunction> {
        let target = go_name.trim_start_matches('_').to_lowercase();
        let mut ranked: Vec<(usize, &CFunction)> = self
            .functions
            .iter()
            .map(|f| {
                let name = f.plain_name().trim_start_matches('_').to_lowercase();
                (strsim::levenshtein(&target, &name), f)
            })
            .collect();
        let order = |a: &(usize, &CFunction), b: &(usize, &CFunction)| {
            a.0.cmp(&b.0).then_with(|| a.1.symbol.cmp(&b.1.symbol))
        };
        if n < ranked.len() {
            ranked.select_nth_unstable_by(n, order);
            ranked.truncate(n);
        }
        ranked.sort_by(order);
        ranked.into_iter().map(|(_, f)| f).collect()
    }
}

/// `(full signature, unqualified name)` of an Itanium-mangled symbol (`_Z…`, or Mach-O's
/// `__Z…`); `None` for C names.
pub fn demangle(symbol: &str) -> Option<(String, String)> {
    let mangled = if symbol.starts_with("__Z") {
        &symbol[1..]
    } else if symbol.starts_with("_Z") {
        symbol
    } else {
        return None;
    };
    let parsed = cpp_demangle::Symbol::new(mangled).ok()?;
    let full = parsed.demangle().ok()?;
    let options = cpp_demangle::DemangleOptions::new()
        .no_params()
        .no_return_type();
    let bare = parsed.demangle_with_options(&options).ok()?;
    Some((full, unqualified(&bare)?))
}

/// `ns::Kernels<float>::dot<4>` → `dot`: the last `::` component outside template
/// arguments, without its own template arguments. `None` for operators and the like, which
/// no Go name can spell.
fn unqualified(qualified: &str) -> Option<String> {
    let mut depth = 0i32;
    let mut last_start = 0usize;
    let bytes = qualified.as_bytes();
    let mut i = 0;
    let mut end = qualified.len();
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                if depth == 0 {
                    end = i;
                }
                depth += 1;
            }
            b'>' => depth -= 1,
            b'(' if depth == 0 => {
                // A trailing qualifier list such as `(anonymous namespace)`: keep scanning.
            }
            b':' if depth == 0 && bytes.get(i + 1) == Some(&b':') => {
                last_start = i + 2;
                end = qualified.len();
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    let name = qualified.get(last_start..end.max(last_start))?.trim();
    let is_identifier = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    is_identifier.then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(symbols: &[&str]) -> CNames {
        CNames::new(
            symbols
                .iter()
                .enumerate()
                .map(|(i, s)| CFunction::new(s, i)),
        )
    }

    fn found<'a>(l: Lookup<'a>) -> &'a str {
        match l {
            Lookup::Found(f) => &f.symbol,
            other => panic!("expected a binding, got {other:?}"),
        }
    }

    #[test]
    fn demangles_to_the_unqualified_name() {
        let (full, name) = demangle("_Z9Add_F64_VPdS_m").expect("mangled");
        assert_eq!(name, "Add_F64_V");
        assert_eq!(full, "Add_F64_V(double*, double*, unsigned long)");
        assert_eq!(demangle("_ZN2ns3fooEv").expect("mangled").1, "foo");
        assert_eq!(demangle("__ZN2ns3fooEv").expect("Mach-O").1, "foo");
        // A template instance in a templated class: the function's own name.
        assert_eq!(
            demangle("_ZN1KIfE3dotILi4EEEfPKfS3_").expect("template").1,
            "dot"
        );
        assert_eq!(demangle("sample_sum"), None);
        assert_eq!(demangle("_Zgarbage"), None);
    }

    #[test]
    fn exact_spellings_win_over_derived_ones() {
        let n = names(&["sample_sum", "_sample_sum", "_Z10sample_sumPKll"]);
        assert_eq!(found(n.lookup("_sample_sum", None)), "sample_sum");
        assert_eq!(found(n.lookup("sample_sum", None)), "sample_sum");
    }

    #[test]
    fn macho_and_cxx_spellings_bind() {
        let n = names(&[
            "_sample_max",
            "__sample_min",
            "_Z9Add_F64_VPdS_m",
            "_ZN2ns3fooEv",
        ]);
        assert_eq!(found(n.lookup("_sample_max", None)), "_sample_max");
        assert_eq!(found(n.lookup("sample_max", None)), "_sample_max");
        assert_eq!(found(n.lookup("_sample_min", None)), "__sample_min");
        assert_eq!(found(n.lookup("Add_F64_V", None)), "_Z9Add_F64_VPdS_m");
        assert_eq!(found(n.lookup("_Add_F64_V", None)), "_Z9Add_F64_VPdS_m");
        assert_eq!(found(n.lookup("foo", None)), "_ZN2ns3fooEv");
        assert_eq!(n.lookup("bar", None), Lookup::NotFound);
        assert_eq!(
            found(n.lookup("anything", Some("_ZN2ns3fooEv"))),
            "_ZN2ns3fooEv"
        );
    }

    #[test]
    fn overloads_are_ambiguous() {
        let n = names(&["_Z3addPfS_m", "_Z3addPdS_m"]);
        match n.lookup("add", None) {
            Lookup::Ambiguous(c) => {
                let d: Vec<String> = c.iter().map(|f| f.describe()).collect();
                assert_eq!(
                    d,
                    [
                        "`add(float*, float*, unsigned long)` (_Z3addPfS_m)",
                        "`add(double*, double*, unsigned long)` (_Z3addPdS_m)"
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nearest_first() {
        let n = names(&["vec_mul", "_Z7vec_addPfS_m", "dot_product"]);
        let order: Vec<&str> = n
            .nearest("_vec_adds", 8)
            .iter()
            .map(|f| f.symbol.as_str())
            .collect();
        assert_eq!(order, ["_Z7vec_addPfS_m", "vec_mul", "dot_product"]);
        let two: Vec<&str> = n
            .nearest("_vec_adds", 2)
            .iter()
            .map(|f| f.symbol.as_str())
            .collect();
        assert_eq!(two, ["_Z7vec_addPfS_m", "vec_mul"]);
    }
}
