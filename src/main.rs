//! `c2goasm-rs in.s out_amd64.s`: c2goasm-compatible command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod huge_heap;
mod small_alloc;

#[global_allocator]
static ALLOC: small_alloc::SmallCache = small_alloc::SmallCache;

const EXAMPLES: &str = "\
Examples:
  # C → assembly with clang, then → Go assembly. The Go declarations are read from
  # sample_amd64.go (same base name as the output), e.g.
  #   func _sample_sum(beg unsafe.Pointer, len int64) (x int64)
  clang -S -O3 -masm=intel --target=x86_64-unknown-linux-gnu -mno-red-zone \\
        -fno-asynchronous-unwind-tables -fno-builtin -mavx2 -mfma \\
        sample.c -o sample.s
  c2goasm-rs sample.s sample_amd64.s

  # Without per-instruction comments:
  c2goasm-rs -s sample.s sample_amd64.s

  # AArch64 (detected from the input; the output name and --arch only confirm it);
  # machine code comes from clang's or binutils' assembler:
  clang -S -O3 --target=aarch64-linux-gnu -ffixed-x18 -ffixed-x27 -ffixed-x28 \
        -fno-asynchronous-unwind-tables -fno-builtin sample.c -o sample.s
  c2goasm-rs sample.s sample_arm64.s

Errors point at file:line:col with the offending line and a hint; on error nothing is
written and the exit status is 2.";

/// Translate clang/GCC assembly (x86-64 Intel syntax, or AArch64) into Go assembly.
///
/// A Go function declared `_name` or `name` (without a body) in the .go file next to the
/// output binds to the C function `name`. Arguments and results follow the Go declaration's
/// types (Go ABI0) and are passed to the C code per System V (amd64) or AAPCS64 (arm64).
#[derive(Debug, Parser)]
#[command(
    name = "c2goasm-rs",
    version,
    about,
    long_about = None,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Commands>,
    /// Assembly written by `clang -S -masm=intel` or `gcc -S -masm=intel`.
    #[arg(required = true)]
    input: Option<PathBuf>,
    /// The Go assembly file to write (e.g. `kernel_amd64.s`); its declarations are read
    /// from the same path with a `.go` extension.
    #[arg(required = true)]
    output: Option<PathBuf>,
    /// Strip the original instruction comments (c2goasm -s).
    #[arg(short = 's', long = "strip-comments")]
    strip_comments: bool,
    /// Compact output: pack machine code densely (c2goasm -c).
    #[arg(short = 'c', long)]
    compact: bool,
    /// Target architecture (default: the input's, detected from its content; when given, it
    /// must agree with the input, the output name and the declarations' build constraint).
    #[arg(long, value_enum)]
    arch: Option<ArchArg>,
    /// Accepted for c2goasm compatibility and ignored: no external assembler is used.
    #[arg(short = 'a', hide = true)]
    assembler: bool,
    /// Accepted for c2goasm compatibility and ignored: output is always formatted.
    #[arg(short = 'f', hide = true)]
    format: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ArchArg {
    Amd64,
    Arm64,
}

impl From<ArchArg> for c2goasm_rs::Arch {
    fn from(a: ArchArg) -> Self {
        match a {
            ArchArg::Amd64 => c2goasm_rs::Arch::Amd64,
            ArchArg::Arm64 => c2goasm_rs::Arch::Arm64,
        }
    }
}

const PACKAGE_EXAMPLES: &str = "\
Examples:
  # amd64 (sse2 baseline, sse4.2, avx2) and arm64 (neon), into ./floats (package floats):
  c2goasm-rs package floats.c --out floats
  # More x86-64 variants:
  c2goasm-rs package floats.c --out floats --variants sse4.2,avx,avx2,avx512,neon
  # One architecture only (the other then runs the C through cgo):
  c2goasm-rs package floats.c --out floats --arch arm64
  # Extra clang flags after --:
  c2goasm-rs package kernels.c --out internal/simd -- -DNDEBUG -Iinclude
  # C++ (namespaced functions bind by their mangled names):
  c2goasm-rs package kernels.cpp --out kernels

The package gets, per C function `snake_name`: `SnakeName`, dispatching once at init to
the best variant the CPU supports (golang.org/x/sys/cpu) — a function of Go slices when
the C pairs pointers with lengths (`float dot(const float *a, const float *b, size_t n)`
is `Dot(a, b []float32) float32`, and `DotRaw` takes the pointers), per-variant functions
`SnakeNameAVX2`…; elsewhere (other GOARCHes, -tags noasm) your pure-Go `snakeName` if
the package has one, else the C through cgo. Kernels that include only clang's
freestanding headers (stdint.h, arm_neon.h, immintrin.h …) need no
C library for the target; others need it (Debian: libc6-dev-arm64-cross for arm64).";

#[derive(Debug, Subcommand)]
enum Commands {
    /// Compile C files with clang per instruction-set variant and write a Go package:
    /// translated assembly, typed declarations, runtime dispatch.
    #[command(after_help = PACKAGE_EXAMPLES)]
    Package(PackageArgs),
}

#[derive(Debug, Args)]
struct PackageArgs {
    /// C source files (`.c`), or C++ (`.cpp`, `.cc`, `.cxx`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Directory to write the package into (created if missing; other files are left alone).
    #[arg(long)]
    out: PathBuf,
    /// Go package name (default: the output directory's name).
    #[arg(long)]
    package: Option<String>,
    /// Instruction-set variants: sse2, sse4.2, avx, avx2, avx512 (amd64), neon (arm64);
    /// both architectures may be mixed, and each one targeted gets its baseline (sse2,
    /// neon). Default: sse4.2,avx2,neon — sse4.2,avx2 with --arch amd64, neon with --arch
    /// arm64.
    #[arg(long)]
    variants: Option<String>,
    /// Build for this architecture only (selects the default variants).
    #[arg(long, value_enum)]
    arch: Option<ArchArg>,
    /// The clang to run (default: $CC if it is clang, else clang, clang-19, …).
    #[arg(long)]
    cc: Option<PathBuf>,
    /// Extra clang flags.
    #[arg(last = true)]
    clang_flags: Vec<String>,
}

fn package_name(out: &std::path::Path) -> String {
    let base = std::fs::canonicalize(out)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| out.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "kernels".into());
    let s: String = base
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) || s.is_empty() {
        format!("k{s}")
    } else {
        s
    }
}

fn run_package(args: &PackageArgs) -> Result<(), c2goasm_rs::Error> {
    let arch = args.arch.map(c2goasm_rs::Arch::from);
    let default = match arch {
        Some(c2goasm_rs::Arch::Arm64) => "neon",
        Some(c2goasm_rs::Arch::Amd64) => "sse4.2,avx2",
        None => "sse4.2,avx2,neon",
    };
    let variants =
        c2goasm_rs::package::variant::parse_list(args.variants.as_deref().unwrap_or(default))
            .map_err(c2goasm_rs::Error::Usage)?;
    if let Some(a) = arch
        && let Some(v) = variants.iter().find(|v| v.arch() != a)
    {
        return Err(c2goasm_rs::Error::Usage(format!(
            "variant `{}` is not for --arch {}",
            v.name(),
            a.go_name()
        )));
    }
    std::fs::create_dir_all(&args.out).map_err(|source| c2goasm_rs::Error::Io {
        path: args.out.clone(),
        source,
    })?;
    let name = args
        .package
        .clone()
        .unwrap_or_else(|| package_name(&args.out));
    let mut p = c2goasm_rs::Package::new(name);
    for f in &args.files {
        p.file(f);
    }
    p.variants(variants).out_dir(&args.out);
    if let Some(cc) = &args.cc {
        p.compiler(cc);
    }
    for flag in &args.clang_flags {
        p.flag(flag);
    }
    let generated = p.generate()?;
    for f in &generated.files {
        say(&format!("wrote {}", f.display()));
    }
    for f in &generated.removed {
        say(&format!("removed {} (no longer generated)", f.display()));
    }
    for w in &generated.warnings {
        complain(&format!("warning: {w}"));
    }
    if generated.go_generate_generated {
        say(&format!(
            "to regenerate with `go generate`, keep this line in a Go file of the package's own \
             (c2goasm_api.go carries it until one does):\n{}",
            generated.go_generate
        ));
    }
    Ok(())
}

fn main() -> ExitCode {
    c2goasm_rs::stage_times::mark("start");
    let cli = Cli::parse();
    if let Some(Commands::Package(args)) = &cli.command {
        return match run_package(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                complain(&render(&e));
                ExitCode::from(2)
            }
        };
    }
    let (Some(input), Some(output)) = (&cli.input, &cli.output) else {
        complain("error: expected `c2goasm-rs in.s out_amd64.s` or `c2goasm-rs package …`");
        return ExitCode::from(2);
    };
    let command_line = std::iter::once("c2goasm-rs".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let options = c2goasm_rs::Options {
        strip_comments: cli.strip_comments,
        compact: cli.compact,
        command_line: Some(command_line),
        build_constraint: None,
        arch: cli.arch.map(Into::into),
        package_files: Vec::new(),
    };
    // Before any other thread exists (see `huge_heap::prepare`).
    if let Ok(meta) = std::fs::metadata(input) {
        huge_heap::prepare(meta.len());
        if meta.len() >= huge_heap::MIN_INPUT {
            // Nearly every input is x86: its tables are built meanwhile (for an arm64
            // input they cost a spare CPU a few milliseconds); translate_file starts
            // nothing twice.
            c2goasm_rs::lower::x86::warm_up_in_background();
        }
    }
    c2goasm_rs::stage_times::mark("heap prepared");
    let result = c2goasm_rs::translate_file_then_exit(input, output, &options);
    c2goasm_rs::stage_times::mark("written");
    match result {
        Ok(warnings) => {
            for w in &warnings {
                complain(w.to_string().trim_end());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            complain(&render(&e));
            ExitCode::from(2)
        }
    }
}

/// Prints a line to stdout. A closed pipe (`c2goasm-rs … | head -1`) is not an error of
/// ours: the exit status must still say whether the translation worked, so write errors
/// are ignored instead of panicking like `println!`.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// [`say`] for stderr.
fn complain(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn render(e: &c2goasm_rs::Error) -> String {
    match e {
        c2goasm_rs::Error::Diagnostics(_)
        | c2goasm_rs::Error::Package(
            c2goasm_rs::PackageError::Prototype { .. }
            | c2goasm_rs::PackageError::PrototypeMismatch { .. }
            | c2goasm_rs::PackageError::MissingHeader { .. },
        ) => e.to_string(),
        other => format!("error: {other}"),
    }
}
