//! Exported C functions and their prototypes, read from clang's own JSON AST
//! (`-Xclang -ast-dump=json`), not guessed from the assembly.

use std::collections::HashMap;

use serde_json::Value;

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
    pub name: String,
    pub params: Vec<CParam>,
    /// `None` for `void`.
    pub result: Option<CParam>,
    pub line: u32,
    pub col: u32,
}

/// A prototype that cannot become a Go declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct PrototypeError {
    pub function: String,
    pub line: u32,
    pub col: u32,
    pub detail: String,
}

/// Where the JSON printer is: clang omits a location's file and line when unchanged from
/// the previously printed location, so the document must be read in order.
#[derive(Debug, Clone, Default)]
struct Cursor {
    file: String,
    line: u32,
}

fn track(v: &Value, cur: &mut Cursor) {
    match v {
        Value::Object(m) => {
            let is_loc = m.contains_key("offset") || m.contains_key("col");
            if is_loc {
                if let Some(f) = m.get("file").and_then(Value::as_str) {
                    cur.file = f.to_string();
                }
                if let Some(l) = m.get("line").and_then(Value::as_u64) {
                    cur.line = l as u32;
                }
            }
            for (_, child) in m {
                track(child, cur);
            }
        }
        Value::Array(a) => {
            for child in a {
                track(child, cur);
            }
        }
        _ => {}
    }
}

struct Typedefs(HashMap<String, String>);

impl Typedefs {
    /// Replaces a typedef name at the base of `t` (`const int64_t *` → `const long *`).
    fn resolve(&self, t: &str) -> String {
        let mut t = t.trim().to_string();
        for _ in 0..16 {
            let stars = t.len() - t.trim_end_matches(['*', ' ']).len();
            let (base, suffix) = t.split_at(t.len() - stars);
            let words: Vec<&str> = base.split_whitespace().collect();
            let Some(pos) = words.iter().position(|w| self.0.contains_key(*w)) else {
                return t;
            };
            let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            out[pos] = self.0[words[pos]].clone();
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
/// `char_signed`: whether plain `char` is signed on the target.
pub fn exported_functions(
    ast: &Value,
    main_file: &str,
    char_signed: bool,
) -> Result<Vec<CFunction>, Vec<PrototypeError>> {
    let Some(top) = ast.get("inner").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    let mut typedefs = Typedefs(HashMap::new());
    let mut cur = Cursor::default();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for node in top {
        // The node's own location comes first in document order.
        if let Some(loc) = node.get("loc") {
            track(loc, &mut cur);
        }
        let (file, line) = (cur.file.clone(), cur.line);
        let col = node["loc"]["col"].as_u64().unwrap_or(1) as u32;
        track(node, &mut cur);
        match node["kind"].as_str() {
            Some("TypedefDecl") => {
                if let Some(name) = node["name"].as_str() {
                    typedefs.0.insert(name.to_string(), type_of(node));
                }
            }
            Some("FunctionDecl") => {
                let has_body = node["inner"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|n| n["kind"] == "CompoundStmt"));
                let is_static = node["storageClass"] == "static";
                let inline_only = node["inline"] == true && node["storageClass"] != "extern";
                if !has_body || is_static || inline_only || file != main_file {
                    continue;
                }
                match function(node, &typedefs, char_signed, line, col) {
                    Ok(f) => out.push(f),
                    Err(e) => errors.push(e),
                }
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn function(
    node: &Value,
    typedefs: &Typedefs,
    char_signed: bool,
    line: u32,
    col: u32,
) -> Result<CFunction, PrototypeError> {
    let name = node["name"].as_str().unwrap_or("").to_string();
    let fail = |detail: String| PrototypeError {
        function: name.clone(),
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
    Ok(CFunction {
        name,
        params,
        result,
        line,
        col,
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
        let fs = exported_functions(&ast, "k.c", true).expect("prototypes");
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
}
