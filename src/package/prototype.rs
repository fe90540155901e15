//! Exported C and C++ functions and their prototypes, read from clang's own JSON AST
//! (`-Xclang -ast-dump=json`, pruned by [`super::ast`]), not guessed from the assembly.
//!
//! C++: functions in named namespaces and `extern "C"` blocks are exported and bound by
//! the symbol clang mangled for them; `static`, `inline` and `constexpr` functions, anything
//! in an anonymous namespace, templates (only their explicit specialisations are ordinary
//! functions) and member functions are helpers, as `static` functions are in C.

use std::collections::HashMap;

use serde_json::Value;

use super::ast::{decl_begin_line, decl_file, decl_line_col};
use super::ctype::{Unsupported, go_type};
use crate::abi::GoType;

/// A parameter or result of an exported C function, as C and as Go types.
#[derive(Debug, Clone, PartialEq)]
pub struct CParam {
    pub name: String,
    /// The type with typedefs resolved (`const long *`).
    pub c_type: String,
    /// The type as written (`const int64_t *`), for documentation.
    pub written: String,
    pub go_type: GoType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CFunction {
    /// The name as declared, without namespaces (`sum`): the Go names derive from it.
    pub name: String,
    /// With its C++ namespaces (`kern::sum`); the same as `name` in C.
    pub qualified: String,
    /// The linker symbol: clang's mangled name in C++, the name itself in C and for
    /// `extern "C"` functions.
    pub symbol: String,
    pub params: Vec<CParam>,
    /// `None` for `void`.
    pub result: Option<CParam>,
    pub line: u32,
    pub col: u32,
    /// The line the declaration starts on (its return type), under the comment that
    /// documents it.
    pub begin_line: u32,
}

/// A prototype that cannot become a Go declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct PrototypeError {
    pub function: String,
    pub line: u32,
    pub col: u32,
    pub detail: String,
}

struct Typedefs(HashMap<String, String>);

impl Typedefs {
    /// `int64_t`, also spelt `::int64_t` or `std::int64_t` in C++.
    fn lookup(&self, word: &str) -> Option<&str> {
        let plain = word.strip_prefix("::").unwrap_or(word);
        self.0
            .get(plain)
            .or_else(|| self.0.get(plain.strip_prefix("std::")?))
            .map(String::as_str)
    }

    /// Replaces a typedef name at the base of `t` (`const int64_t *` → `const long *`).
    fn resolve(&self, t: &str) -> String {
        let mut t = t.trim().to_string();
        for _ in 0..16 {
            let stars = t.len() - t.trim_end_matches(['*', ' ']).len();
            let (base, suffix) = t.split_at(t.len() - stars);
            let words: Vec<&str> = base.split_whitespace().collect();
            let Some((pos, to)) = words
                .iter()
                .enumerate()
                .find_map(|(i, w)| self.lookup(w).map(|to| (i, to)))
            else {
                return t;
            };
            let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            out[pos] = to.to_string();
            t = format!("{}{suffix}", out.join(" "));
        }
        t
    }
}

fn type_of(node: &Value) -> String {
    let t = &node["type"];
    t.get("desugaredQualType")
        .or_else(|| t.get("qualType"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The return type part of a function type such as `int64_t *(const int64_t *, long)`.
fn return_type(function_type: &str) -> &str {
    let b = function_type.as_bytes();
    let mut depth = 0i32;
    for i in (0..b.len()).rev() {
        match b[i] {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return function_type[..i].trim();
                }
            }
            _ => {}
        }
    }
    function_type.trim()
}

/// The exported functions defined in `main_file` (as clang names it), in source order.
/// `nodes`: the top-level declarations [`super::ast::read`] kept. `char_signed`: whether
/// plain `char` maps to `int8`.
pub fn exported_functions(
    nodes: &[Value],
    main_file: &str,
    char_signed: bool,
) -> Result<Vec<CFunction>, Vec<PrototypeError>> {
    let mut walk = Walk {
        main_file,
        char_signed,
        typedefs: Typedefs(HashMap::new()),
        scope: Vec::new(),
        out: Vec::new(),
        errors: Vec::new(),
    };
    walk.decls(nodes);
    if walk.errors.is_empty() {
        Ok(walk.out)
    } else {
        Err(walk.errors)
    }
}

struct Walk<'m> {
    main_file: &'m str,
    char_signed: bool,
    typedefs: Typedefs,
    /// The enclosing C++ namespaces.
    scope: Vec<String>,
    out: Vec<CFunction>,
    errors: Vec<PrototypeError>,
}

impl Walk<'_> {
    fn decls(&mut self, nodes: &[Value]) {
        for node in nodes {
            let in_main = decl_file(node) == Some(self.main_file);
            let inner = node["inner"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            match node["kind"].as_str() {
                Some("TypedefDecl" | "TypeAliasDecl") => {
                    if let Some(name) = node["name"].as_str() {
                        let to = type_of(node);
                        if !self.scope.is_empty() {
                            let q = format!("{}::{name}", self.scope.join("::"));
                            self.typedefs.0.insert(q, to.clone());
                        }
                        self.typedefs.0.insert(name.to_string(), to);
                    }
                }
                // An anonymous namespace gives its functions internal linkage.
                Some("NamespaceDecl") if in_main => {
                    if let Some(name) = node["name"].as_str() {
                        self.scope.push(name.to_string());
                        self.decls(inner);
                        self.scope.pop();
                    }
                }
                Some("LinkageSpecDecl") if in_main => self.decls(inner),
                Some("FunctionDecl") if in_main && exported(node) => {
                    match function(node, &self.typedefs, self.char_signed, &self.scope) {
                        Ok(f) => self.out.push(f),
                        Err(e) => self.errors.push(e),
                    }
                }
                _ => {}
            }
        }
    }
}

/// A definition with external linkage that is not a helper (see the module documentation).
fn exported(node: &Value) -> bool {
    let has_body = node["inner"]
        .as_array()
        .is_some_and(|c| c.iter().any(|n| n["kind"] == "CompoundStmt"));
    let is_static = node["storageClass"] == "static";
    let inline_only = node["inline"] == true && node["storageClass"] != "extern";
    let constant = node["constexpr"] == true || node["consteval"] == true;
    has_body && !is_static && !inline_only && !constant && node["isImplicit"] != true
}

fn function(
    node: &Value,
    typedefs: &Typedefs,
    char_signed: bool,
    scope: &[String],
) -> Result<CFunction, PrototypeError> {
    let name = node["name"].as_str().unwrap_or("").to_string();
    let qualified = if scope.is_empty() {
        name.clone()
    } else {
        format!("{}::{name}", scope.join("::"))
    };
    let (line, col) = decl_line_col(node);
    let fail = |detail: String| PrototypeError {
        function: qualified.clone(),
        line,
        col,
        detail,
    };
    if node["variadic"] == true {
        return Err(fail(
            "variadic functions (`...`) cannot be called from Go assembly".into(),
        ));
    }
    let mut params = Vec::new();
    let children = node["inner"].as_array().cloned().unwrap_or_default();
    for (i, p) in children
        .iter()
        .filter(|n| n["kind"] == "ParmVarDecl")
        .enumerate()
    {
        let pname = p["name"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("arg{i}"));
        let c_type = typedefs.resolve(&type_of(p));
        let go = go_type(&c_type, char_signed).map_err(|u| {
            fail(match u {
                Unsupported::Aggregate(t) => format!(
                    "parameter `{pname}` is a struct or union passed by value (`{t}`); pass a \
                     pointer instead"
                ),
                Unsupported::Other(t) => {
                    format!("parameter `{pname}` has type `{t}`, which has no Go counterpart")
                }
            })
        })?;
        params.push(CParam {
            name: pname,
            c_type,
            written: p["type"]["qualType"].as_str().unwrap_or("").to_string(),
            go_type: go,
        });
    }
    let fty = node["type"]["qualType"].as_str().unwrap_or("");
    let ret = typedefs.resolve(return_type(fty));
    let result = if ret == "void" {
        None
    } else {
        let go = go_type(&ret, char_signed).map_err(|u| {
            fail(match u {
                Unsupported::Aggregate(t) => {
                    format!("the result is a struct or union returned by value (`{t}`)")
                }
                Unsupported::Other(t) => {
                    format!("the result has type `{t}`, which has no Go counterpart")
                }
            })
        })?;
        Some(CParam {
            name: "ret".into(),
            c_type: ret,
            written: return_type(fty).to_string(),
            go_type: go,
        })
    };
    let symbol = node["mangledName"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| name.clone());
    Ok(CFunction {
        name,
        qualified,
        symbol,
        params,
        result,
        line,
        col,
        begin_line: decl_begin_line(node),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_type_of_function_types() {
        assert_eq!(return_type("int64_t (const int64_t *, int64_t)"), "int64_t");
        assert_eq!(return_type("long *(long *, long)"), "long *");
        assert_eq!(return_type("void (void)"), "void");
    }

    #[test]
    fn typedefs_resolve_at_the_base_of_pointers() {
        let t = Typedefs(HashMap::from([
            ("int64_t".to_string(), "__int64_t".to_string()),
            ("__int64_t".to_string(), "long".to_string()),
        ]));
        assert_eq!(t.resolve("const int64_t *"), "const long *");
        assert_eq!(t.resolve("int64_t"), "long");
        assert_eq!(t.resolve("unsigned int"), "unsigned int");
    }

    #[test]
    fn reads_a_clang_style_ast() {
        let ast = serde_json::json!({"inner": [
            {"kind": "TypedefDecl", "loc": {"offset": 1, "file": "/usr/include/stdint.h", "line": 3, "col": 1}, "name": "int64_t", "type": {"qualType": "long"}},
            {"kind": "FunctionDecl", "loc": {"offset": 9, "file": "k.c", "line": 4, "col": 9}, "name": "sum", "type": {"qualType": "int64_t (const int64_t *, int64_t)"},
             "inner": [
                {"kind": "ParmVarDecl", "loc": {"offset": 20, "col": 30}, "name": "p", "type": {"qualType": "const int64_t *"}},
                {"kind": "ParmVarDecl", "loc": {"offset": 30, "col": 40}, "name": "n", "type": {"qualType": "int64_t", "desugaredQualType": "long"}},
                {"kind": "CompoundStmt"}]},
            {"kind": "FunctionDecl", "loc": {"offset": 50, "line": 6, "col": 12}, "name": "hidden", "storageClass": "static", "type": {"qualType": "int (int)"},
             "inner": [{"kind": "CompoundStmt"}]}
        ]});
        let nodes = super::super::ast::read(ast.to_string().as_bytes(), "k.c").expect("reads");
        let fs = exported_functions(&nodes, "k.c", true).expect("prototypes");
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].name, "sum");
        assert_eq!((fs[0].line, fs[0].col), (4, 9));
        assert_eq!(fs[0].params[0].go_type, GoType::Pointer("int64".into()));
        assert_eq!(fs[0].params[1].go_type, GoType::Int64);
        assert_eq!(
            fs[0].result.as_ref().map(|r| r.go_type.clone()),
            Some(GoType::Int64)
        );
    }

    #[test]
    fn cxx_namespaces_linkage_and_helpers() {
        let f = |name: &str, mangled: &str, extra: serde_json::Value| {
            let mut n = serde_json::json!({"kind": "FunctionDecl", "loc": {"offset": 1, "col": 1},
                "name": name, "mangledName": mangled, "type": {"qualType": "long (long &)"},
                "inner": [{"kind": "ParmVarDecl", "loc": {"offset": 2, "col": 2}, "name": "x",
                           "type": {"qualType": "long &"}}, {"kind": "CompoundStmt"}]});
            if let (Some(n), Some(e)) = (n.as_object_mut(), extra.as_object()) {
                n.extend(e.clone());
            }
            n
        };
        let ast = serde_json::json!({"inner": [
            {"kind": "NamespaceDecl", "loc": {"offset": 0, "file": "k.cpp", "line": 1, "col": 11}, "name": "ns",
             "inner": [f("sum", "_ZN2ns3sumERl", serde_json::json!({})),
                       {"kind": "NamespaceDecl", "loc": {"offset": 3, "col": 1},
                        "inner": [f("hidden", "_ZN2ns12_GLOBAL__N_16hiddenERl", serde_json::json!({}))]}]},
            {"kind": "LinkageSpecDecl", "loc": {"offset": 5, "line": 3, "col": 8}, "language": "C",
             "inner": [f("c_fn", "c_fn", serde_json::json!({}))]},
            f("cube", "_Z4cubeRl", serde_json::json!({"constexpr": true})),
            f("inl", "_Z3inlRl", serde_json::json!({"inline": true})),
            f("st", "_ZL2stRl", serde_json::json!({"storageClass": "static"})),
            {"kind": "FunctionTemplateDecl", "loc": {"offset": 9, "col": 1}, "name": "t",
             "inner": [f("t", "_Z1tIlET_S0_", serde_json::json!({}))]}
        ]});
        let nodes = super::super::ast::read(ast.to_string().as_bytes(), "k.cpp").expect("reads");
        let fs = exported_functions(&nodes, "k.cpp", true).expect("prototypes");
        let got: Vec<(&str, &str, &str)> = fs
            .iter()
            .map(|f| (f.name.as_str(), f.qualified.as_str(), f.symbol.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("sum", "ns::sum", "_ZN2ns3sumERl"),
                ("c_fn", "c_fn", "c_fn")
            ]
        );
        // A reference is an address.
        assert_eq!(fs[0].params[0].go_type, GoType::Pointer("int64".into()));
        assert_eq!(fs[1].line, 3);
    }
}
