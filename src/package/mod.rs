//! One call from C or C++ files to a Go package: clang per instruction-set variant,
//! prototypes from that variant's own AST, translated assembly, and the Go side — slice
//! functions, dispatch chosen once at init, a cgo fallback, documentation — the same flow
//! as `c2goasm-rs package` and, in the spirit of the `cc` crate, usable from a `build.rs`.
//!
//! The stages, in order: [`headers`] picks the include search per architecture (clang's
//! freestanding headers first); [`compiler`] runs clang; [`ast`] and [`prototype`] read the
//! exported functions of each variant; [`exports`] merges them into one Go API;
//! [`comment`] reads the C comment above each function and [`slices`] decides which
//! lengths go with which pointers; [`user_go`] finds the package's own pure-Go versions;
//! then each variant's assembly is translated and [`crate::emit::package`] writes the Go
//! side. Each architecture targeted gets its baseline variant ([`variant::with_baselines`]).
//!
//! ```no_run
//! use c2goasm_rs::{Package, Variant};
//!
//! fn main() -> Result<(), c2goasm_rs::Error> {
//!     let generated = Package::new("vec")
//!         .file("csrc/vec.c")
//!         // sse2 (the amd64 baseline) is added: amd64 and arm64 never need Go.
//!         .variants([Variant::Avx2, Variant::Avx512, Variant::Neon])
//!         .out_dir("go/vec")
//!         .generate()?;
//!     // `VecDotF32(a, b []float32) float32`, `VecDotF32Raw(a, b *float32, n uint64)` …
//!     println!("{:?}", generated.functions);
//!     // Pure-Go versions found in files not every build compiles, hence not used.
//!     for w in &generated.warnings {
//!         eprintln!("warning: {w}");
//!     }
//!     Ok(())
//! }
//! ```

pub mod ast;
pub mod comment;
pub mod compiler;
pub mod ctype;
pub mod exports;
pub mod headers;
pub mod prototype;
pub mod slices;
pub mod user_go;
pub mod variant;

use std::path::{Component, Path, PathBuf};

pub use variant::Variant;

use compiler::Source;
use exports::{Definition, Function};
use headers::Headers;

use crate::emit::package::{self as gosrc, CSource, Exported, Spec, Target, VariantInfo};
use crate::{Error, Options, SourceFile};

/// Why a package could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("no clang found: {0}")]
    CompilerNotFound(String),
    #[error("clang failed: {command}\n{output}")]
    CompilerFailed { command: String, output: String },
    #[error("{file}:{line}:{col}: error: `{function}`: {detail}")]
    Prototype {
        file: PathBuf,
        line: u32,
        col: u32,
        function: String,
        detail: String,
    },
    #[error("{0}: not a file c2goasm-rs generated; refusing to overwrite it")]
    WouldOverwrite(PathBuf),
    #[error(
        "two functions would both be exported as `{go_name}`: {first} and {second}\n\
         help: Go has no overloading: give them distinct names, or export each through an \
         `extern \"C\"` function with a name of its own"
    )]
    DuplicateFunction {
        go_name: String,
        first: String,
        second: String,
    },
    #[error(
        "{location}: error: `{function}` has a different prototype for {second_variant} than \
         for {first_variant}, but one Go declaration serves every variant:\n  {first}\n  \
         {second}\n\
         help: give it the same parameter and result types under every `#if` branch and on \
         every target (or different names)"
    )]
    PrototypeMismatch {
        location: String,
        function: String,
        first_variant: Variant,
        second_variant: Variant,
        first: String,
        second: String,
    },
    #[error("{location}: error: `{header}` not found for {target}: {why}\nhelp: {hint}")]
    MissingHeader {
        location: String,
        header: String,
        target: String,
        why: String,
        hint: String,
    },
    #[error("{0}")]
    Usage(String),
}

/// A Go package to generate from C files (see the module documentation).
#[derive(Debug, Clone)]
pub struct Package {
    name: String,
    files: Vec<PathBuf>,
    variants: Vec<Variant>,
    out_dir: Option<PathBuf>,
    compiler: Option<PathBuf>,
    flags: Vec<String>,
}

/// What [`Package::generate`] wrote.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<PathBuf>,
    /// Files an earlier run generated that this one replaced by others (removed).
    pub removed: Vec<PathBuf>,
    /// Exported Go names of the C functions, e.g. `SampleSum`.
    pub functions: Vec<String>,
    /// The `//go:generate` line that regenerates the package, to keep in a file of the
    /// package's own (`c2goasm_api.go` carries it until one does).
    pub go_generate: String,
    /// Whether `c2goasm_api.go` carries that line (no file of the package's own has one).
    pub go_generate_generated: bool,
    /// What the user may want to know: pure-Go versions found but not used.
    pub warnings: Vec<String>,
}

impl Package {
    /// A package named `name` (the Go package clause and, when a go.mod is created, the
    /// module path).
    pub fn new(name: impl Into<String>) -> Package {
        Package {
            name: name.into(),
            files: Vec::new(),
            variants: Variant::DEFAULT.to_vec(),
            out_dir: None,
            compiler: None,
            flags: Vec::new(),
        }
    }

    /// Adds a C source file (`.c`), or C++ (`.cpp`, `.cc`, `.cxx`).
    pub fn file(&mut self, path: impl AsRef<Path>) -> &mut Package {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// The instruction-set variants to build (default: SSE4.2, AVX2 and NEON). x86-64
    /// variants and [`Variant::Neon`] may be mixed: each architecture gets its own files,
    /// and its baseline ([`Variant::Sse2`], [`Variant::Neon`]) whether listed or not. An
    /// architecture with no variant listed runs the C through cgo (or the package's Go).
    pub fn variants(&mut self, variants: impl IntoIterator<Item = Variant>) -> &mut Package {
        let mut v: Vec<Variant> = variants.into_iter().collect();
        v.sort();
        v.dedup();
        self.variants = v;
        self
    }

    /// The directory to write the package into (created if missing).
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Package {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The clang to run (default: `$CC` if it is clang, else `clang`, `clang-19`, …).
    pub fn compiler(&mut self, cc: impl AsRef<Path>) -> &mut Package {
        self.compiler = Some(cc.as_ref().to_path_buf());
        self
    }

    /// An extra flag for clang (`-DNDEBUG`, `-Iinclude`, …).
    pub fn flag(&mut self, flag: impl Into<String>) -> &mut Package {
        self.flags.push(flag.into());
        self
    }

    /// Compiles, translates and writes the package. Under cargo (a build script), prints
    /// `cargo:rerun-if-changed` for every input.
    pub fn generate(&self) -> Result<Generated, Error> {
        let out = self
            .out_dir
            .clone()
            .ok_or_else(|| PackageError::Usage("no output directory given".into()))?;
        if self.files.is_empty() {
            return Err(PackageError::Usage("no C files given".into()).into());
        }
        if self.variants.is_empty() {
            return Err(PackageError::Usage("no variants given".into()).into());
        }
        std::fs::create_dir_all(&out).map_err(|source| Error::Io {
            path: out.clone(),
            source,
        })?;
        for f in &self.files {
            check_outside_package(f, &out)?;
        }
        let cc = compiler::find_clang(self.compiler.as_deref())?;
        let command = self.command_line(&out);
        let generated_by = format!(
            "// Code generated by c2goasm-rs {}. DO NOT EDIT.",
            env!("CARGO_PKG_VERSION")
        );
        let variants = variant::with_baselines(&self.variants);
        let arches: Vec<crate::Arch> = [crate::Arch::Amd64, crate::Arch::Arm64]
            .into_iter()
            .filter(|a| variants.iter().any(|v| v.arch() == *a))
            .collect();
        // Every prototype first, so nothing is compiled to assembly (or written) when the
        // Go declarations cannot be consistent.
        let mut builds: Vec<(Source, Vec<(crate::Arch, Headers)>)> = Vec::new();
        let mut defs = Vec::new();
        for file in &self.files {
            let source = Source::new(&cc, file, &self.flags);
            let mut per_arch = Vec::new();
            for arch in &arches {
                let (headers, found) = self.definitions(&source, *arch, &variants)?;
                defs.extend(found);
                per_arch.push((*arch, headers));
            }
            builds.push((source, per_arch));
        }
        let mut functions = exports::merge(defs)?;
        let user = user_go::scan(&out);
        let texts_by_file = describe(&mut functions, &user, variants.len())?;
        check_names(&functions)?;
        let warnings = unused_go_versions(&functions, &user);
        let texts = Texts {
            out: &out,
            command: &command,
            generated_by: &generated_by,
        };
        let mut writes: Vec<(PathBuf, String)> = Vec::new();
        for (source, per_arch) in &builds {
            let mine: Vec<&Function> = functions.iter().filter(|f| f.file == source.file).collect();
            for (arch, headers) in per_arch {
                writes.extend(self.arch_files(&texts, source, *arch, headers, &mine, &variants)?);
            }
        }
        let all: Vec<Exported> = functions.iter().map(|f| f.exported.clone()).collect();
        let targets: Vec<Target> = arches
            .iter()
            .map(|a| Target {
                arch: *a,
                variants: infos(&variants_for(&variants, *a)),
            })
            .collect();
        let sources = c_sources(&builds, &functions, &texts_by_file, &out);
        let cflags = self.cgo_flags(&out);
        let writes_go_mod = !inside_module(&out);
        let import_path = import_path(&out, writes_go_mod.then_some(self.name.as_str()));
        let spec = Spec {
            package: &self.name,
            generated_by: &generated_by,
            command: &command,
            functions: &all,
            targets: &targets,
            go_generate: !user.go_generate,
            package_doc: !user.package_doc,
            sources: &sources,
            cflags: &cflags,
            import_path: import_path.as_deref(),
        };
        for (name, text) in gosrc::package_files(&spec) {
            let path = out.join(&name);
            // The example is a convenience: a user's own example_test.go stays.
            if name == "example_test.go" && refuse_foreign(&path).is_err() {
                continue;
            }
            writes.push((path, text));
        }
        if writes_go_mod {
            writes.push((
                out.join("go.mod"),
                format!(
                    "module {}\n\ngo 1.24\n\nrequire golang.org/x/sys v0.49.0\n",
                    self.name
                ),
            ));
        }
        let (files, stale) = write_all(&out, writes)?;
        if std::env::var_os("OUT_DIR").is_some() && std::env::var_os("CARGO_MANIFEST_DIR").is_some()
        {
            for f in &self.files {
                println!("cargo:rerun-if-changed={}", f.display());
            }
        }
        Ok(Generated {
            files,
            removed: stale,
            functions: all.into_iter().map(|e| e.go_name).collect(),
            go_generate: format!("//go:generate {command}"),
            go_generate_generated: !user.go_generate,
            warnings,
        })
    }

    /// Flags for cgo's C compiler: the user's `-D`, `-U` and `-I` (relative directories
    /// made relative to the package, `${SRCDIR}/…`), and each C file's own directory
    /// (its `#include "…"` files).
    fn cgo_flags(&self, out: &Path) -> Vec<String> {
        let srcdir = |dir: &Path| {
            let rel = relative(dir, out);
            if rel.as_os_str().is_empty() {
                "${SRCDIR}".to_string()
            } else {
                format!("${{SRCDIR}}/{}", rel.display())
            }
        };
        let mut flags = Vec::new();
        let mut it = self.flags.iter();
        while let Some(f) = it.next() {
            if f == "-I" {
                if let Some(dir) = it.next() {
                    flags.push(format!("-I{}", srcdir(Path::new(dir))));
                }
            } else if let Some(dir) = f.strip_prefix("-I") {
                flags.push(format!("-I{}", srcdir(Path::new(dir))));
            } else if f.starts_with("-D") || f.starts_with("-U") {
                flags.push(f.clone());
            }
        }
        for file in &self.files {
            let dir = file.parent().filter(|p| !p.as_os_str().is_empty());
            let inc = format!("-I{}", srcdir(dir.unwrap_or(Path::new("."))));
            if !flags.contains(&inc) {
                flags.push(inc);
            }
        }
        flags
    }

    /// `source`'s files for `arch`: the declarations (`k_amd64.go`) and each variant's
    /// translated assembly (`k_avx2_amd64.s`).
    fn arch_files(
        &self,
        texts: &Texts,
        source: &Source,
        arch: crate::Arch,
        headers: &Headers,
        mine: &[&Function],
        all_variants: &[Variant],
    ) -> Result<Vec<(PathBuf, String)>, Error> {
        let base = file_base(source.file);
        let exported: Vec<Exported> = mine.iter().map(|f| f.exported.clone()).collect();
        let variants = variants_for(all_variants, arch);
        let goarch = arch.go_name();
        let decl_path = texts.out.join(format!("{base}_{goarch}.go"));
        let decl_text = gosrc::declarations(
            texts.generated_by,
            texts.command,
            &self.name,
            &exported,
            &infos(&variants),
        );
        let decl_file = SourceFile::new(&decl_path, decl_text.clone());
        let go_funcs = crate::abi::parse_go_decls(&decl_file).map_err(Error::Diagnostics)?;
        let mut files = Vec::new();
        for v in &variants {
            let asm_text = source.assembly(*v, headers)?;
            let asm = SourceFile::new(
                format!("{} (clang -S, {})", source.file.display(), v.name()),
                asm_text,
            );
            // The declarations this variant implements, bound to its symbols.
            let mut funcs = Vec::new();
            for f in mine {
                let name = format!("{}{}", f.exported.go_name, v.go_suffix());
                if let (Some(symbol), Some(decl)) =
                    (f.symbol(*v), go_funcs.iter().find(|g| g.name == name))
                {
                    let mut decl = decl.clone();
                    decl.c_name = Some(symbol.to_string());
                    funcs.push(decl);
                }
            }
            let options = Options {
                command_line: Some(texts.command.to_string()),
                build_constraint: Some("!noasm".into()),
                arch: Some(arch),
                ..Options::default()
            };
            let text =
                crate::translate_with(&asm, &decl_file, funcs, &options, texts.generated_by)?;
            files.push((
                texts
                    .out
                    .join(format!("{base}_{}_{goarch}.s", v.file_tag())),
                text,
            ));
        }
        files.push((decl_path, decl_text));
        Ok(files)
    }

    /// The functions each of `arch`'s variants defines in `source`, read from that
    /// variant's own AST, and the headers that compiled it (used for its assembly too).
    fn definitions<'a>(
        &self,
        source: &Source<'a>,
        arch: crate::Arch,
        all_variants: &[Variant],
    ) -> Result<(Headers, Vec<Definition<'a>>), Error> {
        let variants = variants_for(all_variants, arch);
        let (headers, asts) = headers::with_headers(arch, &self.flags, |h| {
            variants
                .iter()
                .map(|v| source.ast(*v, h))
                .collect::<Result<Vec<_>, _>>()
        })?;
        let main = source.file.to_string_lossy();
        let mut defs = Vec::new();
        for (v, nodes) in variants.iter().zip(asts) {
            // Plain `char` is `int8` on every target, so one Go declaration serves both
            // architectures (AArch64's unsigned `char` passes the same bits).
            let functions = prototype::exported_functions(&nodes, &main, true).map_err(|errs| {
                let e = &errs[0];
                PackageError::Prototype {
                    file: source.file.to_path_buf(),
                    line: e.line,
                    col: e.col,
                    function: e.function.clone(),
                    detail: e.detail.clone(),
                }
            })?;
            defs.extend(functions.into_iter().map(|function| Definition {
                variant: *v,
                file: source.file,
                function,
            }));
        }
        Ok((headers, defs))
    }

    /// The command that regenerates the package, run from its directory (`go generate`).
    fn command_line(&self, out: &Path) -> String {
        let mut parts = vec!["c2goasm-rs".to_string(), "package".to_string()];
        for f in &self.files {
            parts.push(relative(f, out).display().to_string());
        }
        parts.extend([
            "--out".into(),
            ".".into(),
            "--package".into(),
            self.name.clone(),
            "--variants".into(),
            self.variants
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(","),
        ]);
        if let Some(cc) = &self.compiler {
            parts.push("--cc".into());
            parts.push(cc.display().to_string());
        }
        if !self.flags.is_empty() {
            parts.push("--".into());
            parts.extend(self.flags.iter().cloned());
        }
        parts.join(" ")
    }
}

/// What every generated file shares.
struct Texts<'a> {
    out: &'a Path,
    command: &'a str,
    generated_by: &'a str,
}

/// The variants of `variants` that build for `arch` (baseline first: they are sorted).
fn variants_for(variants: &[Variant], arch: crate::Arch) -> Vec<Variant> {
    variants
        .iter()
        .copied()
        .filter(|v| v.arch() == arch)
        .collect()
}

/// `sample` for `csrc/sample.c`.
fn file_base(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kernel".into())
}

/// Every exported Go name once: `F`, `FRaw`, `FAVX2`… and `SelectedVariant` may not be
/// two things (`f_raw` next to a sliced `f`, `f_avx2` next to `f`).
fn check_names(functions: &[Function]) -> Result<(), PackageError> {
    let mut seen: Vec<(String, String)> = vec![("SelectedVariant".into(), "the package".into())];
    for f in functions {
        let e = &f.exported;
        let mut names = vec![e.go_name.clone()];
        if e.api.is_some() {
            names.push(format!("{}Raw", e.go_name));
        }
        for (v, _) in &f.symbols {
            names.push(format!("{}{}", e.go_name, v.go_suffix()));
        }
        let what = format!("`{}` ({})", e.c_prototype, e.origin);
        for n in names {
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == n) {
                return Err(PackageError::DuplicateFunction {
                    go_name: n,
                    first: first.clone(),
                    second: what,
                });
            }
            seen.push((n, what.clone()));
        }
    }
    Ok(())
}

/// Reads each function's C comment (its documentation, and the annotation that with the
/// names decides its slices) and what the package's own Go provides; returns the files'
/// texts.
fn describe(
    functions: &mut [Function],
    user: &user_go::UserGo,
    variant_count: usize,
) -> Result<Vec<(PathBuf, String)>, Error> {
    let mut texts: Vec<(PathBuf, String)> = Vec::new();
    for f in functions {
        if !texts.iter().any(|(p, _)| *p == f.file) {
            let t = std::fs::read_to_string(&f.file).map_err(|source| Error::Io {
                path: f.file.clone(),
                source,
            })?;
            texts.push((f.file.clone(), t));
        }
        let text = texts
            .iter()
            .find(|(p, _)| *p == f.file)
            .map(|(_, t)| t.as_str())
            .unwrap_or("");
        let doc = comment::above(text, f.first.begin_line);
        f.exported.api = slices::plan(&f.first, doc.annotation.as_ref()).map_err(|e| {
            PackageError::Prototype {
                file: f.file.clone(),
                line: e.line,
                col: e.col,
                function: f.first.qualified.clone(),
                detail: e.detail,
            }
        })?;
        f.exported.doc = doc.lines;
        f.exported.has_fallback = user.functions.contains(&f.exported.fallback);
        f.exported.everywhere = f.exported.implemented_by.len() == variant_count;
    }
    Ok(texts)
}

/// Pure-Go versions found in files that not every build compiles: not used, and said so.
fn unused_go_versions(functions: &[Function], user: &user_go::UserGo) -> Vec<String> {
    user.constrained
        .iter()
        .filter(|(name, _)| functions.iter().any(|f| f.exported.fallback == *name))
        .map(|(name, path)| {
            format!(
                "{}: `{name}` is not used: its file is not built everywhere (a build \
                 constraint or a GOOS/GOARCH file name); move it to a file every build \
                 compiles",
                path.display()
            )
        })
        .collect()
}

/// The C files as the cgo fallback copies them.
fn c_sources(
    builds: &[(Source, Vec<(crate::Arch, Headers)>)],
    functions: &[Function],
    texts: &[(PathBuf, String)],
    out: &Path,
) -> Vec<CSource> {
    builds
        .iter()
        .map(|(source, _)| CSource {
            base: file_base(source.file),
            cxx: source.language == compiler::Language::Cxx,
            text: texts
                .iter()
                .find(|(p, _)| p == source.file)
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
            origin: relative(source.file, out).display().to_string(),
            functions: functions
                .iter()
                .enumerate()
                .filter(|(_, f)| f.file == source.file)
                .map(|(i, _)| i)
                .collect(),
        })
        .collect()
}

/// Writes every file (after checking that none would replace a file of the user's) and
/// removes the generated files of an earlier run that this one does not write; returns
/// both lists.
fn write_all(
    out: &Path,
    writes: Vec<(PathBuf, String)>,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Error> {
    for (path, _) in &writes {
        refuse_foreign(path)?;
    }
    let stale = stale_files(out, &writes);
    let mut files = Vec::new();
    for (path, text) in writes {
        crate::write_atomically(&path, text.as_bytes())?;
        files.push(path);
    }
    for path in &stale {
        std::fs::remove_file(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    }
    Ok((files, stale))
}

fn infos(variants: &[Variant]) -> Vec<VariantInfo> {
    variants
        .iter()
        .map(|v| VariantInfo {
            name: v.name().into(),
            go_suffix: v.go_suffix().into(),
            condition: v.go_condition().into(),
        })
        .collect()
}

/// The package's import path: the module path of the nearest go.mod and the directory
/// below it, or `module` when the package gets a go.mod of its own.
fn import_path(dir: &Path, module: Option<&str>) -> Option<String> {
    if let Some(m) = module {
        return Some(m.to_string());
    }
    let start = std::fs::canonicalize(dir).ok()?;
    for d in start.ancestors() {
        let Ok(text) = std::fs::read_to_string(d.join("go.mod")) else {
            continue;
        };
        let module = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("module "))?
            .trim()
            .trim_matches('"')
            .to_string();
        let rel = start.strip_prefix(d).ok()?;
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        return Some(if rel.is_empty() {
            module
        } else {
            format!("{module}/{}", rel.join("/"))
        });
    }
    None
}

/// Generated files of an earlier run (of any version) that this one does not write.
fn stale_files(dir: &Path, writes: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| !writes.iter().any(|(w, _)| w == p))
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                let mut lines = t.lines();
                lines
                    .next()
                    .is_some_and(|l| l.starts_with("// Code generated by c2goasm-rs"))
                    && lines
                        .next()
                        .is_some_and(|l| l.starts_with("// Command: c2goasm-rs package "))
            })
        })
        .collect();
    out.sort();
    out
}

/// A C file inside the package directory is compiled by `go build` itself (and breaks
/// every build without cgo) unless a build constraint excludes it.
fn check_outside_package(file: &Path, out: &Path) -> Result<(), PackageError> {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let same = match (std::fs::canonicalize(dir), std::fs::canonicalize(out)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let excluded = std::fs::read_to_string(file).is_ok_and(|t| {
        t.lines()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with("//"))
            .any(|l| l.trim_start().starts_with("//go:build"))
    });
    if same && !excluded {
        return Err(PackageError::Usage(format!(
            "{}: a C file in the package directory is compiled by go build itself, which \
             fails without cgo (and duplicates the package's own copy with it)\n\
             help: keep it in another directory (csrc/), or make its first line `//go:build \
             ignore`",
            file.display()
        )));
    }
    Ok(())
}

/// Whether `dir` or a parent already has a go.mod (then the package belongs to that
/// module and must not get one of its own).
fn inside_module(dir: &Path) -> bool {
    let start = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    start.ancestors().any(|d| d.join("go.mod").exists())
}

/// Only files this tool generated may be replaced.
fn refuse_foreign(path: &Path) -> Result<(), PackageError> {
    match std::fs::read_to_string(path) {
        Ok(text) if !text.starts_with("// Code generated by c2goasm-rs") => {
            Err(PackageError::WouldOverwrite(path.to_path_buf()))
        }
        _ => Ok(()),
    }
}

/// `path` relative to directory `base` (both made absolute first).
fn relative(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|d| d.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        })
    };
    let (p, b) = (abs(path), abs(base));
    let pc: Vec<Component> = p.components().collect();
    let bc: Vec<Component> = b.components().collect();
    let common = pc.iter().zip(&bc).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    for c in &pc[common..] {
        out.push(c.as_os_str());
    }
    out
}
