//! `c2goasm-rs in.s out_amd64.s`: c2goasm-compatible command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

const EXAMPLES: &str = "\
Examples:
  # C → assembly with clang, then → Go assembly. The Go declarations are read from
  # sample_amd64.go (same base name as the output), e.g.
  #   func _sample_sum(beg unsafe.Pointer, len int64) (x int64)
  clang -S -O3 -masm=intel --target=x86_64-unknown-linux-gnu -mno-red-zone \\
        -fno-asynchronous-unwind-tables -fno-jump-tables -fno-builtin -mavx2 -mfma \\
        sample.c -o sample.s
  c2goasm-rs sample.s sample_amd64.s

  # Without per-instruction comments:
  c2goasm-rs -s sample.s sample_amd64.s

Errors point at file:line:col with the offending line and a hint; on error nothing is
written and the exit status is 2.";

/// Translate clang/GCC Intel-syntax x86-64 assembly into Go assembly.
///
/// A Go function declared `_name` or `name` (without a body) in the .go file next to the
/// output binds to the C function `name`. Arguments and results follow the Go declaration's
/// types (Go ABI0) and are passed to the C code per System V.
#[derive(Debug, Parser)]
#[command(name = "c2goasm-rs", version, about, long_about = None, after_help = EXAMPLES)]
struct Cli {
    /// Assembly written by `clang -S -masm=intel` or `gcc -S -masm=intel`.
    input: PathBuf,
    /// The Go assembly file to write (e.g. `kernel_amd64.s`); its declarations are read
    /// from the same path with a `.go` extension.
    output: PathBuf,
    /// Strip the original instruction comments (c2goasm -s).
    #[arg(short = 's', long = "strip-comments")]
    strip_comments: bool,
    /// Compact output: pack machine code densely (c2goasm -c).
    #[arg(short = 'c', long)]
    compact: bool,
    /// Accepted for c2goasm compatibility and ignored: no external assembler is used.
    #[arg(short = 'a', hide = true)]
    assembler: bool,
    /// Accepted for c2goasm compatibility and ignored: output is always formatted.
    #[arg(short = 'f', hide = true)]
    format: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command_line = std::iter::once("c2goasm-rs".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let options = c2goasm_rs::Options {
        strip_comments: cli.strip_comments,
        compact: cli.compact,
        command_line: Some(command_line),
    };
    match c2goasm_rs::translate_file(&cli.input, &cli.output, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", render(&e));
            ExitCode::from(2)
        }
    }
}

fn render(e: &c2goasm_rs::Error) -> String {
    match e {
        c2goasm_rs::Error::Diagnostics(_) => e.to_string(),
        other => format!("error: {other}"),
    }
}
