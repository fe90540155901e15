//! clang's JSON AST (`-Xclang -ast-dump=json`) read in one streaming pass that keeps only
//! what prototypes need: the top-level declarations of the main file and every typedef.
//!
//! Why streaming: the dump covers every header, and intrinsic headers are huge — a file
//! including `immintrin.h` dumps 166 MB of JSON, `arm_neon.h` 51 MB. Building a
//! `serde_json::Value` of that took 900 MB and 9 s (debug build) for one variant, and the
//! package flow reads one AST per variant. Skipped declarations are walked without being
//! stored.
//!
//! Why locations are completed here: clang omits a location's `file` and `line` when they
//! are unchanged from the previously *printed* location, so they are only known in document
//! order. Every location kept (`loc`, `range.begin`, `spellingLoc` …) gets the file and line
//! it inherits, so later stages read any node on its own, nested ones included (functions
//! inside C++ namespaces and `extern "C"` blocks).

use std::fmt;

use serde::Deserializer;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The kept top-level declarations, in source order.
pub fn read(json: &[u8], main_file: &str) -> Result<Vec<Value>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let mut cur = Cursor::default();
    let nodes = Root {
        cur: &mut cur,
        main_file,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(nodes)
}

/// The file of a declaration's own location: where a macro was expanded when the
/// declaration comes from one, else where it is written.
pub fn decl_file(node: &Value) -> Option<&str> {
    let loc = &node["loc"];
    loc["expansionLoc"]["file"]
        .as_str()
        .or_else(|| loc["file"].as_str())
}

/// The line and column of a declaration's own location (as [`decl_file`]).
pub fn decl_line_col(node: &Value) -> (u32, u32) {
    let loc = &node["loc"];
    let loc = if loc["expansionLoc"].is_object() {
        &loc["expansionLoc"]
    } else {
        loc
    };
    let n = |k: &str| loc[k].as_u64().unwrap_or(1) as u32;
    (n("line"), n("col"))
}

/// The line a declaration starts on (its return type or first specifier), where a macro
/// was expanded when it comes from one; its own line when clang gave no range.
pub fn decl_begin_line(node: &Value) -> u32 {
    let begin = &node["range"]["begin"];
    let begin = if begin["expansionLoc"].is_object() {
        &begin["expansionLoc"]
    } else {
        begin
    };
    begin["line"]
        .as_u64()
        .map_or_else(|| decl_line_col(node).0, |l| l as u32)
}

/// Declarations kept wherever they are: prototypes name typedefs from any header.
fn kept_anywhere(kind: &str) -> bool {
    matches!(kind, "TypedefDecl" | "TypeAliasDecl")
}

/// The last printed file and line.
#[derive(Debug, Default)]
struct Cursor {
    file: String,
    line: u64,
}

/// An object key, borrowed from the input when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

/// The document: `inner` holds the top-level declarations.
struct Root<'c, 'm> {
    cur: &'c mut Cursor,
    main_file: &'m str,
}

impl<'de> DeserializeSeed<'de> for Root<'_, '_> {
    type Value = Vec<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_> {
    type Value = Vec<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("clang's JSON AST (a TranslationUnitDecl object)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Value>, A::Error> {
        let mut nodes = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            if key.as_str() == "inner" {
                nodes = map.next_value_seed(TopLevel {
                    cur: &mut *self.cur,
                    main_file: self.main_file,
                })?;
            } else {
                map.next_value_seed(Node {
                    cur: &mut *self.cur,
                    keep: false,
                })?;
            }
        }
        Ok(nodes)
    }
}

/// The array of top-level declarations.
struct TopLevel<'c, 'm> {
    cur: &'c mut Cursor,
    main_file: &'m str,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_> {
    type Value = Vec<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = Vec<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of declarations")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
        let mut out = Vec::new();
        while let Some(node) = seq.next_element_seed(Decl {
            cur: &mut *self.cur,
            main_file: self.main_file,
        })? {
            if let Some(node) = node {
                out.push(node);
            }
        }
        Ok(out)
    }
}

/// One top-level declaration: kept or skipped once its kind and location are read (clang
/// prints `id`, `kind`, `loc` first).
struct Decl<'c, 'm> {
    cur: &'c mut Cursor,
    main_file: &'m str,
}

impl<'de> DeserializeSeed<'de> for Decl<'_, '_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Decl<'_, '_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a declaration object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        let mut obj = Map::new();
        let mut keep: Option<bool> = None;
        while let Some(key) = map.next_key::<Key>()? {
            let key = key.as_str();
            let decided = match keep {
                Some(k) => k,
                None if matches!(key, "id" | "kind" | "loc") => true,
                None => {
                    let k = self.decide(&obj);
                    keep = Some(k);
                    k
                }
            };
            let value = map.next_value_seed(Node {
                cur: &mut *self.cur,
                keep: decided,
            })?;
            if decided {
                obj.insert(key.to_string(), value);
            }
            if key == "loc" && keep.is_none() {
                keep = Some(self.decide(&obj));
            }
        }
        let keep = keep.unwrap_or_else(|| self.decide(&obj));
        Ok(keep.then_some(Value::Object(obj)))
    }
}

impl Decl<'_, '_> {
    fn decide(&self, obj: &Map<String, Value>) -> bool {
        let node = Value::Object(obj.clone());
        let kind = node["kind"].as_str().unwrap_or("");
        kept_anywhere(kind) || decl_file(&node) == Some(self.main_file)
    }
}

/// Any value below a declaration: built when `keep`, else only walked; locations update
/// the cursor either way and are completed when kept.
struct Node<'c> {
    cur: &'c mut Cursor,
    keep: bool,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(if self.keep {
            Value::Bool(v)
        } else {
            Value::Null
        })
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(if self.keep { v.into() } else { Value::Null })
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(if self.keep { v.into() } else { Value::Null })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(if self.keep { v.into() } else { Value::Null })
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(if self.keep {
            Value::String(v.to_string())
        } else {
            Value::Null
        })
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Node {
            cur: &mut *self.cur,
            keep: self.keep,
        })? {
            if self.keep {
                out.push(v);
            }
        }
        Ok(if self.keep {
            Value::Array(out)
        } else {
            Value::Null
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut obj = Map::new();
        // A location has an `offset` (or at least a `col`); `includedFrom` has a `file`
        // but is not a location.
        let mut is_loc = false;
        let mut file: Option<String> = None;
        let mut line: Option<u64> = None;
        while let Some(key) = map.next_key::<Key>()? {
            let key = key.as_str();
            match key {
                "file" => {
                    let f: String = map.next_value()?;
                    if self.keep {
                        obj.insert(key.into(), Value::String(f.clone()));
                    }
                    file = Some(f);
                }
                "line" => {
                    let v: Value = map.next_value()?;
                    line = v.as_u64();
                    if self.keep {
                        obj.insert(key.into(), v);
                    }
                }
                _ => {
                    is_loc |= matches!(key, "offset" | "col");
                    if self.keep {
                        let v = map.next_value_seed(Node {
                            cur: &mut *self.cur,
                            keep: true,
                        })?;
                        obj.insert(key.to_string(), v);
                    } else if matches!(key, "offset" | "col" | "tokLen" | "id" | "kind") {
                        map.next_value::<IgnoredAny>()?;
                    } else {
                        map.next_value_seed(Node {
                            cur: &mut *self.cur,
                            keep: false,
                        })?;
                    }
                }
            }
        }
        if is_loc {
            if let Some(f) = file {
                self.cur.file = f;
            }
            if let Some(l) = line {
                self.cur.line = l;
            }
            if self.keep {
                obj.entry("file")
                    .or_insert_with(|| Value::String(self.cur.file.clone()));
                obj.entry("line").or_insert_with(|| self.cur.line.into());
            }
        }
        Ok(if self.keep {
            Value::Object(obj)
        } else {
            Value::Null
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_main_file_decls_and_typedefs_with_completed_locations() {
        let json = serde_json::json!({"id": "0x1", "kind": "TranslationUnitDecl", "inner": [
            {"id": "0x2", "kind": "TypedefDecl", "loc": {}, "name": "__int128_t", "type": {"qualType": "__int128"}},
            {"id": "0x3", "kind": "FunctionDecl", "loc": {"offset": 5, "file": "/h/x.h", "line": 2, "col": 5,
                "includedFrom": {"file": "k.c"}},
             "range": {"begin": {"offset": 1, "col": 1}, "end": {"offset": 9, "line": 7, "col": 1}},
             "name": "in_header", "inner": [{"kind": "CompoundStmt", "range": {"begin": {"offset": 8, "line": 9, "col": 1}}}]},
            {"id": "0x4", "kind": "FunctionDecl", "loc": {"offset": 30, "file": "k.c", "line": 4, "col": 9},
             "name": "f", "inner": [{"kind": "ParmVarDecl", "loc": {"offset": 40, "col": 20}, "name": "p"}]},
            {"id": "0x5", "kind": "NamespaceDecl", "loc": {"offset": 60, "line": 6, "col": 11}, "name": "ns",
             "inner": [{"kind": "FunctionDecl", "loc": {"offset": 70, "col": 3}, "name": "g"}]},
            {"id": "0x6", "kind": "FunctionDecl", "loc": {"offset": 90, "file": "/h/y.h", "line": 1, "col": 1}, "name": "later"},
            {"id": "0x7", "kind": "TypedefDecl", "loc": {"offset": 99, "col": 2}, "name": "t", "type": {"qualType": "long"}}
        ]});
        let nodes = read(json.to_string().as_bytes(), "k.c").expect("reads");
        let names: Vec<&str> = nodes.iter().filter_map(|n| n["name"].as_str()).collect();
        assert_eq!(names, ["__int128_t", "f", "ns", "t"]);
        assert_eq!(decl_file(&nodes[1]), Some("k.c"));
        assert_eq!(decl_line_col(&nodes[1]), (4, 9));
        // A nested location inherits the file and line printed before it.
        let p = &nodes[1]["inner"][0]["loc"];
        assert_eq!(
            (p["file"].as_str(), p["line"].as_u64()),
            (Some("k.c"), Some(4))
        );
        let g = &nodes[2]["inner"][0];
        assert_eq!(decl_file(g), Some("k.c"));
        assert_eq!(decl_line_col(g), (6, 3));
        assert_eq!(decl_file(&nodes[3]), Some("/h/y.h"));
    }

    #[test]
    fn a_file_inherited_across_a_skipped_declaration() {
        // The second function's file is only known from a location inside the first.
        let json = serde_json::json!({"inner": [
            {"kind": "FunctionDecl", "loc": {"offset": 1, "file": "/h/a.h", "line": 1, "col": 1}, "name": "h",
             "inner": [{"kind": "X", "loc": {"spellingLoc": {"offset": 2, "file": "k.c", "line": 3, "col": 1},
                                             "expansionLoc": {"offset": 2, "col": 1}}}]},
            {"kind": "FunctionDecl", "loc": {"offset": 3, "line": 5, "col": 6}, "name": "mine"}
        ]});
        let nodes = read(json.to_string().as_bytes(), "k.c").expect("reads");
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0]["name"], "mine");
        assert_eq!(decl_line_col(&nodes[0]), (5, 6));
    }
}
