//! c2goasm-rs: clang/GCC assembly for C kernels → Go Plan 9 assembly.
//!
//! Pipeline: [`parse`] (text → located items) → [`lower`] (machine code, analysis,
//! ABI mapping, stack and constant-pool rewriting) → [`emit`] (Go assembly text).

pub mod abi;
mod atomic_write;
pub mod declarations;
pub mod emit;
pub mod error;
pub mod lower;
pub mod package;
pub mod parse;
pub mod source;
/// Internal: stage timing of the command line (`C2GOASM_RS_TIMES=1`).
#[doc(hidden)]
pub mod stage_times;
pub mod target;
/// Internal: the helper threads of a large translation (used by the command line too).
#[doc(hidden)]
pub mod threads;

pub use atomic_write::write_atomically;
pub use error::{Diagnostic, Error, ErrorKind, Severity};
pub use package::{Generated, Package, PackageError, Variant};
pub use source::{SourceFile, Span};

use std::path::Path;

/// The target architecture of the Go assembly (and of the input).
///
/// On arm64 the machine code comes from the system assembler (clang, or
/// `aarch64-linux-gnu-as`), so translating needs one installed:
///
/// ```
/// use c2goasm_rs::{Arch, Options, SourceFile, translate};
///
/// let asm = SourceFile::new(
///     "add.s",
///     "\t.text\n\t.globl add\n\t.p2align 2\n\t.type add,@function\nadd:\n\
///      \tadd x0, x0, x1\n\tret\n.Lend:\n\t.size add, .Lend-add\n",
/// );
/// let decls = SourceFile::new("add_arm64.go", "package add\n\nfunc add(a, b int64) int64\n");
/// let options = Options { arch: Some(Arch::Arm64), ..Options::default() };
/// let go_asm = translate(&asm, &decls, &options).unwrap();
/// assert!(go_asm.contains("TEXT ·add(SB), NOSPLIT, $0-24"));
/// assert!(go_asm.contains("WORD $0x8b010000"));
/// assert!(go_asm.contains("MOVD R0, ret+16(FP)"));
/// assert_eq!(Arch::from_file_name("k_arm64.s".as_ref()), Some(Arch::Arm64));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arch {
    /// x86-64: GAS Intel syntax in, Go amd64 assembly out.
    #[default]
    Amd64,
    /// AArch64: GAS AArch64 in (assembled by the system assembler), Go arm64 out.
    Arm64,
}

impl Arch {
    /// The architecture a Go file name selects (`x_arm64.s` → arm64), if any.
    pub fn from_file_name(path: &Path) -> Option<Arch> {
        let stem = path.file_stem()?.to_string_lossy();
        if stem.ends_with("_arm64") {
            Some(Arch::Arm64)
        } else if stem.ends_with("_amd64") {
            Some(Arch::Amd64)
        } else {
            None
        }
    }

    /// Go's name (`GOARCH`).
    pub fn go_name(self) -> &'static str {
        match self {
            Arch::Amd64 => "amd64",
            Arch::Arm64 => "arm64",
        }
    }
}

/// Knobs of a translation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Drop the original-instruction comments (c2goasm `-s`).
    pub strip_comments: bool,
    /// Pack instruction bytes densely instead of one line per instruction (c2goasm `-c`).
    pub compact: bool,
    /// The command line recorded in the `Code generated` header (defaults to the tool name
    /// and input file).
    pub command_line: Option<String>,
    /// A `//go:build` expression for the output (the package flow uses `!noasm`).
    pub build_constraint: Option<String>,
    /// Target architecture. The input's content decides it; when set, it must agree (a
    /// mismatch is an error). `None`: whatever the content is (amd64 if it shows nothing).
    pub arch: Option<Arch>,
    /// The package's other Go files, whose `type` declarations name types the declarations
    /// use (`type Len int`); [`translate_file`] reads them from the output's directory.
    pub package_files: Vec<SourceFile>,
}

/// Translates assembly text `asm` (clang/GCC `-S -masm=intel` output) into Go assembly for
/// the body-less functions declared in the Go source `decls`.
///
/// ```
/// use c2goasm_rs::{Options, SourceFile, translate};
///
/// let asm = SourceFile::new(
///     "add.s",
///     ".intel_syntax noprefix\n.text\n.globl add\n.type add,@function\nadd:\n\
///      lea rax, [rdi + rsi]\n ret\n",
/// );
/// let decls = SourceFile::new("add_amd64.go", "package add\n\nfunc add(a, b int64) int64\n");
/// let go_asm = translate(&asm, &decls, &Options::default()).unwrap();
/// assert!(go_asm.contains("TEXT ·add(SB), NOSPLIT, $0-24"));
/// assert!(go_asm.contains("MOVQ AX, ret+16(FP)"));
/// ```
pub fn translate(asm: &SourceFile, decls: &SourceFile, options: &Options) -> Result<String, Error> {
    translate_with_warnings(asm, decls, options).map(|t| t.text)
}

/// [`translate`] with the declarations already in hand (their spans point into
/// `decl_file`) and a chosen `Code generated` line.
pub fn translate_with(
    asm: &SourceFile,
    decl_file: &SourceFile,
    go_funcs: Vec<abi::GoFunc>,
    options: &Options,
    generated_by: &str,
) -> Result<String, Error> {
    let arch = options.arch.unwrap_or_default();
    lower_decls(
        asm,
        decl_file,
        go_funcs,
        arch,
        options,
        generated_by,
        Support::Add,
    )
    .map(|l| l.emit().text)
}

/// The Go assembly of one translation, and the warnings that did not stop it (e.g. a
/// declaration that binds to no C function of this file).
#[derive(Debug)]
pub struct Translation {
    pub text: String,
    pub warnings: Vec<Diagnostic>,
}

/// [`translate`], keeping the warnings. The architecture is the input's (detected from its
/// content); `options.arch`, when set, must agree.
pub fn translate_with_warnings(
    asm: &SourceFile,
    decls: &SourceFile,
    options: &Options,
) -> Result<Translation, Error> {
    let claims: Vec<target::Claim> = options
        .arch
        .map(target::Claim::option)
        .into_iter()
        .collect();
    let arch = target::decide(asm, &claims)?;
    lower_declared(asm, decls, arch, options, Support::Add).map(Lowered::emit)
}

/// Parses the declarations and lowers for a decided `arch`.
fn lower_declared(
    asm: &SourceFile,
    decls: &SourceFile,
    arch: Arch,
    options: &Options,
    support: Support,
) -> Result<Lowered, Error> {
    let mut go_funcs = abi::parse_go_decls(decls).map_err(Error::Diagnostics)?;
    abi::named_types::resolve(&mut go_funcs, decls, &options.package_files);
    stage_times::mark("Go declarations parsed");
    let input_name = asm
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let generated_by = format!(
        "// Code generated by c2goasm-rs {} from {input_name}. DO NOT EDIT.",
        env!("CARGO_PKG_VERSION")
    );
    lower_decls(asm, decls, go_funcs, arch, options, &generated_by, support)
}

fn dialect_of(arch: Arch) -> parse::Dialect {
    match arch {
        Arch::Amd64 => parse::Dialect::X86,
        Arch::Arm64 => parse::Dialect::Arm64,
    }
}

/// Whether [`with_libc_support`] still has to run on the input.
#[derive(Clone, Copy)]
enum Support {
    Add,
    /// The caller did (and dropped its copy of the input without the support).
    Added,
}

/// The input with implementations of the library functions it calls without defining
/// them (memset, memcpy, sqrt…) appended after its last line, so positions in the input
/// are unchanged; `None` when it needs none.
fn with_libc_support(asm: &SourceFile, dialect: parse::Dialect) -> Option<SourceFile> {
    let extra = lower::libc_support::support_for(&asm.text, dialect)?;
    let text = source::concat_shared(&[&asm.text, "\n", &extra]);
    Some(SourceFile::new(&asm.path, text))
}

/// A translation lowered to its Go assembly model, not yet formatted.
struct Lowered {
    file: emit::model::AsmFile,
    style: emit::goasm::EmitStyle,
    warnings: Vec<Diagnostic>,
}

impl Lowered {
    fn emit(self) -> Translation {
        Translation {
            text: emit::goasm::write_file(&self.file, self.style),
            warnings: self.warnings,
        }
    }
}

fn lower_decls(
    asm: &SourceFile,
    decl_file: &SourceFile,
    go_funcs: Vec<abi::GoFunc>,
    arch: Arch,
    options: &Options,
    generated_by: &str,
    support: Support,
) -> Result<Lowered, Error> {
    let dialect = dialect_of(arch);
    let with_support;
    let asm = match support {
        Support::Add => match with_libc_support(asm, dialect) {
            Some(extended) => {
                with_support = extended;
                &with_support
            }
            None => asm,
        },
        Support::Added => asm,
    };
    let pipeline = Pipeline {
        asm,
        decl_file,
        decls: &go_funcs,
        dialect,
        strip_comments: options.strip_comments,
    };
    let lowered = match arch {
        Arch::Amd64 => pipeline.run(parse::parse_x86_into, lower::x86::pipeline::lower)?,
        Arch::Arm64 => pipeline.run(parse::parse_arm64_into, lower::arm64::pipeline::lower)?,
    };
    let mut file = lowered.file;
    file.generated_by = generated_by.to_string();
    let input_name = asm
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let command = options
        .command_line
        .clone()
        .unwrap_or_else(|| format!("c2goasm-rs {input_name}"));
    file.header.push(format!("Command: {command}"));
    file.build_constraint =
        target::with_code_constraint(options.build_constraint.as_deref(), file.code_constraint);
    Ok(Lowered {
        file,
        style: emit::goasm::EmitStyle {
            strip_comments: options.strip_comments,
            compact: options.compact,
        },
        warnings: lowered.warnings,
    })
}

/// What one translation feeds the architecture's parser and lowering.
struct Pipeline<'a> {
    asm: &'a SourceFile,
    decl_file: &'a SourceFile,
    decls: &'a [abi::GoFunc],
    dialect: parse::Dialect,
    strip_comments: bool,
}

/// An architecture's lowering (`lower::x86::pipeline::lower`, `lower::arm64::…`).
type Lowering<I> =
    fn(lower::inputs::Inputs<'_, I>) -> Result<lower::inputs::LoweredFile, Vec<Diagnostic>>;

impl Pipeline<'_> {
    /// Parses straight into the program layout, then lowers it.
    fn run<I>(
        &self,
        parse_into: StreamingParser<I>,
        lower: Lowering<I>,
    ) -> Result<lower::inputs::LoweredFile, Error> {
        let program = build_program(self.asm, self.dialect, parse_into)?;
        stage_times::mark("parsed");
        lower(lower::inputs::Inputs {
            asm: self.asm,
            program,
            decl_file: self.decl_file,
            decls: self.decls,
            strip_comments: self.strip_comments,
        })
        .map_err(Error::Diagnostics)
    }
}

/// A dialect's streaming parser (`parse::parse_x86_into`, `parse::parse_arm64_into`).
type StreamingParser<I> =
    fn(&SourceFile, &mut dyn FnMut(parse::Located<parse::Item<I>>)) -> Result<(), Vec<Diagnostic>>;

/// Parses `asm` straight into its program layout: items are laid out as they are parsed,
/// so a large file is never held both as items and as laid-out functions.
fn build_program<I>(
    asm: &SourceFile,
    dialect: parse::Dialect,
    parse_into: StreamingParser<I>,
) -> Result<lower::program::Program<I>, Error> {
    let kinds = lower::program::SymbolKinds::scan(asm, dialect);
    stage_times::mark("symbol kinds scanned");
    let mut builder = lower::program::ProgramBuilder::new(kinds);
    parse_into(asm, &mut |it| builder.push(it)).map_err(Error::Diagnostics)?;
    builder.finish().map_err(|errs| {
        Error::Diagnostics(
            errs.into_iter()
                .map(|(s, e)| Diagnostic::new(asm, s, e))
                .collect(),
        )
    })
}

/// Inputs from this size on have the x86 tables built on a second thread while the
/// declarations are read and the input scanned (the command line's large inputs; a
/// thread costs more than it saves below).
const WARM_UP_FROM_BYTES: usize = 256 << 10;

/// c2goasm-compatible file mode: reads `input`, the Go declarations next to `output`
/// (`out_amd64.s` → `out_amd64.go`, else the package file that declares the input's
/// functions: [`declarations::find`]), and writes `output` atomically (nothing is written
/// on error). Returns the warnings.
pub fn translate_file(
    input: &Path,
    output: &Path,
    options: &Options,
) -> Result<Vec<Diagnostic>, Error> {
    translate_file_keeping(input, output, options).map(|(warnings, _model)| warnings)
}

/// [`translate_file`] for a process that exits right after it (the command line): the
/// output's model is left to the process's end instead of being freed piece by piece
/// (millions of small blocks: 2–3 ms of a large translation, issue #12).
#[doc(hidden)]
pub fn translate_file_then_exit(
    input: &Path,
    output: &Path,
    options: &Options,
) -> Result<Vec<Diagnostic>, Error> {
    translate_file_keeping(input, output, options).map(|(warnings, model)| {
        std::mem::forget(model);
        warnings
    })
}

/// [`translate_file`], returning the output's model as well.
fn translate_file_keeping(
    input: &Path,
    output: &Path,
    options: &Options,
) -> Result<(Vec<Diagnostic>, emit::model::AsmFile), Error> {
    let asm = SourceFile::read(input)?;
    stage_times::mark("input read");
    // The content decides the architecture; --arch, the file names and the declaration
    // file's build constraint must agree with it.
    let cli_claim: Vec<target::Claim> = options
        .arch
        .map(target::Claim::option)
        .into_iter()
        .collect();
    let output_claims = target::name_claims(&[("output", output)]);
    let arch = target::decide(&asm, &[cli_claim.clone(), output_claims].concat())?;
    // (The command line has usually started it already; a second call starts nothing.)
    if arch == Arch::Amd64 && asm.text.len() >= WARM_UP_FROM_BYTES && threads::two_cpus() {
        lower::x86::warm_up_in_background();
    }
    stage_times::mark("arch decided");
    let decl_path = declarations::find(output, &asm, arch.go_name())?;
    let decls = SourceFile::read(&decl_path)?;
    stage_times::mark("declaration file found and read");
    let claims = target::name_claims(&[("output", output), ("declaration file", &decl_path)]);
    let arch = target::decide(&asm, &[cli_claim, claims].concat())?;
    stage_times::mark("arch confirmed");
    let mut options = options.clone();
    let dir = decl_path.parent().filter(|d| !d.as_os_str().is_empty());
    options.package_files =
        abi::read_package_files(dir.unwrap_or(Path::new(".")), arch.go_name(), &decl_path)?;
    if options.build_constraint.is_none() {
        options.build_constraint =
            target::output_constraint(&decls, Some(output), arch)?.map(|e| e.to_string());
    }
    stage_times::mark("package files read");
    // The input with the library support appended replaces the input (one copy of a
    // large file in memory, not two).
    let asm = with_libc_support(&asm, dialect_of(arch)).unwrap_or(asm);
    stage_times::mark("libc support added");
    let lowered = lower_declared(&asm, &decls, arch, &options, Support::Added)?;
    // The input is no longer needed; the output is formatted straight into the file.
    drop((asm, decls));
    stage_times::mark("lowered");
    atomic_write::write_atomically_with(output, |f| {
        emit::goasm::write_file_to(&lowered.file, lowered.style, f)
    })?;
    stage_times::mark("file renamed");
    Ok((lowered.warnings, lowered.file))
}
