//! Stage 1: assembly text → [`Located`] items (labels, typed directives, instructions).
//!
//! The line structure (labels, directives, comments, statement separators) is shared by
//! every architecture; instruction syntax is per architecture (`x86`).

pub mod arm64;
pub mod ast;
pub mod detect;
pub mod directive;
pub mod expr;
pub mod expr_parser;
pub mod lines;
pub mod name_key;
pub mod x86;

pub use ast::{AlignKind, Directive, Item, Located, SymbolAttr};
pub use expr::{Expr, SymbolRef};

/// Why a line could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown instruction mnemonic `{0}`")]
    UnknownMnemonic(String),
    #[error("unknown register `{0}`")]
    UnknownRegister(String),
    #[error("cannot parse operand `{0}`")]
    BadOperand(String),
    #[error("cannot parse expression `{0}`")]
    BadExpression(String),
    #[error("expression nested more than {} levels deep", expr_parser::MAX_DEPTH)]
    TooDeep,
    #[error("malformed `{directive}` directive: {detail}")]
    BadDirective { directive: String, detail: String },
    #[error("cannot parse line")]
    BadLine,
    #[error("AT&T syntax is not supported")]
    AttSyntax,
    #[error("SVE/SME operand `{0}` is not supported")]
    Sve(String),
    #[error("Mach-O (macOS) assembly is not supported")]
    MachO,
}

impl ParseError {
    pub fn hint(&self) -> Option<String> {
        match self {
            ParseError::AttSyntax => Some("compile with -masm=intel".into()),
            ParseError::MachO => Some(
                "compile with an ELF target, --target=x86_64-unknown-linux-gnu or \
                 --target=aarch64-linux-gnu: Go assembly is the same on every OS, so the \
                 Linux output works on macOS too"
                    .into(),
            ),
            ParseError::Sve(_) => Some(
                "compile for a -march without +sve/+sme: Go runs on every arm64 CPU, NEON \
                 (ASIMD) is the baseline the translated code may assume"
                    .into(),
            ),
            ParseError::TooDeep => Some(
                "compilers write operands of a few terms; split the computation with `.set` \
                 symbols"
                    .into(),
            ),
            ParseError::UnknownMnemonic(_) => Some(
                "c2goasm-rs reads the GAS syntax clang and GCC write for ELF targets (x86-64: \
                 `-S -masm=intel`; AArch64: `--target=aarch64-linux-gnu -S`)"
                    .into(),
            ),
            _ => None,
        }
    }
}

use std::sync::Arc;

use crate::error::Diagnostic;
use crate::source::{SourceFile, Span};

/// The assembly dialect: GAS's line syntax differs per target (comment character, meaning
/// of `.align` and `.word`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    X86,
    Arm64,
}

/// Most errors reported for one file before giving up.
const MAX_ERRORS: usize = 50;

/// Parses GAS Intel-syntax x86-64 assembly. All problems are reported (up to a limit),
/// each located.
pub fn parse_x86(
    file: &SourceFile,
) -> Result<Vec<Located<Item<x86::Instruction>>>, Vec<Diagnostic>> {
    let mut items = Vec::with_capacity(file.text.len() / 24);
    parse_x86_into(file, &mut |it| items.push(it))?;
    Ok(items)
}

/// [`parse_x86`] handing each item to `sink` as it is parsed (nothing is kept here).
pub fn parse_x86_into(
    file: &SourceFile,
    sink: &mut dyn FnMut(Located<Item<x86::Instruction>>),
) -> Result<(), Vec<Diagnostic>> {
    parse_with(file, Dialect::X86, x86_instruction, sink)
}

fn x86_instruction(
    file: &Arc<str>,
    text: &str,
    line_no: u32,
    line: &str,
    offset: usize,
) -> Result<x86::Instruction, (Span, ParseError)> {
    if looks_like_att(text) {
        let span = Span::new(line_no, lines::column(line, offset), text.len() as u32);
        return Err((span, ParseError::AttSyntax));
    }
    x86::instruction::parse_instruction(file, text, line_no, line, offset)
}

/// Parses GAS AArch64 assembly (`clang --target=aarch64-linux-gnu -S`, GCC for aarch64).
pub fn parse_arm64(
    file: &SourceFile,
) -> Result<Vec<Located<Item<arm64::Instruction>>>, Vec<Diagnostic>> {
    let mut items = Vec::with_capacity(file.text.len() / 24);
    parse_arm64_into(file, &mut |it| items.push(it))?;
    Ok(items)
}

/// [`parse_arm64`] handing each item to `sink` as it is parsed.
pub fn parse_arm64_into(
    file: &SourceFile,
    sink: &mut dyn FnMut(Located<Item<arm64::Instruction>>),
) -> Result<(), Vec<Diagnostic>> {
    parse_with(
        file,
        Dialect::Arm64,
        arm64::instruction::parse_instruction,
        sink,
    )
}

/// The instruction parser of a dialect: the whole file (instructions keep their text as a
/// slice of it), statement text, line number, whole line, byte offset of the statement in
/// the line.
type InstructionParser<I> = fn(&Arc<str>, &str, u32, &str, usize) -> Result<I, (Span, ParseError)>;

/// Inputs from this size on are parsed on two threads (when the machine has two CPUs):
/// parsing is some 40 % of a large translation, and its lines are independent. Below it,
/// a thread costs more than it saves.
const PARALLEL_FROM_BYTES: usize = 256 << 10;

fn parse_with<I: Send>(
    file: &SourceFile,
    dialect: Dialect,
    parse_instruction: InstructionParser<I>,
    sink: &mut dyn FnMut(Located<Item<I>>),
) -> Result<(), Vec<Diagnostic>> {
    let text: &str = &file.text;
    if text.len() < PARALLEL_FROM_BYTES || !crate::threads::two_cpus() {
        let chunk = Chunk {
            text,
            first_line: 1,
        };
        return merge_errors([chunk.parse(file, dialect, parse_instruction, sink)]);
    }
    let chunks = Chunk::cut(text, crate::threads::RUNS);
    let parse = |chunk: &Chunk<'_>, sink: &mut dyn FnMut(Located<Item<I>>)| {
        chunk.parse(file, dialect, parse_instruction, sink)
    };
    merge_errors(parse_in_order(&chunks, parse, sink))
}

/// Every chunk parsed, its items handed to `sink` in file order (the chunks' errors in
/// order): chunks parsed ahead of their turn, by either thread, wait as batches of items;
/// the one due when this thread is free is parsed straight into `sink`
/// ([`crate::threads::in_order`]).
fn parse_in_order<I: Send>(
    chunks: &[Chunk<'_>],
    parse: impl Fn(&Chunk<'_>, &mut dyn FnMut(Located<Item<I>>)) -> ChunkErrors + Sync,
    sink: &mut dyn FnMut(Located<Item<I>>),
) -> Vec<ChunkErrors> {
    use crate::threads::Turn;
    let mut errors = Vec::with_capacity(chunks.len());
    let ahead = |chunk: &Chunk<'_>| {
        // About one item per 30 bytes of assembly text.
        let mut items = Vec::with_capacity(chunk.text.len() / 32);
        let errors = parse(chunk, &mut |it| items.push(it));
        (items, errors)
    };
    crate::threads::in_order(chunks, ahead, |turn| match turn {
        Turn::Here(chunk) => errors.push(parse(chunk, sink)),
        Turn::Ahead((items, errs)) => {
            items.into_iter().for_each(&mut *sink);
            errors.push(errs);
        }
    });
    crate::stage_times::mark("chunks handed over");
    errors
}

/// A run of whole lines of a file, the first of them line `first_line`.
#[derive(Clone, Copy)]
struct Chunk<'a> {
    text: &'a str,
    first_line: u32,
}

/// A chunk's errors in order, ending at the first Mach-O error or after [`MAX_ERRORS`].
struct ChunkErrors {
    errors: Vec<Diagnostic>,
    /// The last error is a Mach-O one: reading stopped there.
    mach_o: bool,
}

impl<'a> Chunk<'a> {
    /// `text` cut at line ends into at most `n` chunks of about equal length, each knowing
    /// its first line's number.
    fn cut(text: &'a str, n: usize) -> Vec<Chunk<'a>> {
        let step = text.len().div_ceil(n.max(1)).max(1);
        let mut chunks = Vec::with_capacity(n);
        let (mut start, mut first_line) = (0, 1u32);
        while start < text.len() {
            let end = memchr::memchr(b'\n', &text.as_bytes()[(start + step).min(text.len())..])
                .map_or(text.len(), |nl| start + step + nl + 1);
            let chunk = Chunk {
                text: &text[start..end],
                first_line,
            };
            first_line += memchr::memchr_iter(b'\n', chunk.text.as_bytes()).count() as u32;
            chunks.push(chunk);
            start = end;
        }
        chunks
    }

    fn parse<I>(
        self,
        file: &SourceFile,
        dialect: Dialect,
        parse_instruction: InstructionParser<I>,
        sink: &mut dyn FnMut(Located<Item<I>>),
    ) -> ChunkErrors {
        let mut errors = Vec::new();
        let mut stmts = Vec::new();
        for (idx, raw_line) in lines::split_lines(self.text).enumerate() {
            let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
            let line_no = self.first_line + idx as u32;
            lines::statements_in(line, dialect, &mut stmts);
            for st in stmts.drain(..) {
                let offset = st.text.as_ptr() as usize - line.as_ptr() as usize;
                let statement = Statement {
                    file: &file.text,
                    text: st.text,
                    line_no,
                    line,
                    offset,
                    dialect,
                };
                if let Err((span, e)) = parse_statement(statement, parse_instruction, sink) {
                    let mach_o = e == ParseError::MachO;
                    errors.push(Diagnostic::new(file, span, e));
                    if mach_o || errors.len() >= MAX_ERRORS {
                        return ChunkErrors { errors, mach_o };
                    }
                }
            }
        }
        ChunkErrors {
            errors,
            mach_o: false,
        }
    }
}

/// The errors of consecutive chunks as one reading of the whole file reports them: in
/// order, at most [`MAX_ERRORS`]; a Mach-O input (another object format, where every later
/// line would only add noise) reports that error alone.
fn merge_errors(chunks: impl IntoIterator<Item = ChunkErrors>) -> Result<(), Vec<Diagnostic>> {
    let mut out = Vec::new();
    for chunk in chunks {
        let n = chunk.errors.len();
        for (k, e) in chunk.errors.into_iter().enumerate() {
            if chunk.mach_o && k + 1 == n {
                return Err(vec![e]);
            }
            out.push(e);
            if out.len() >= MAX_ERRORS {
                return Err(out);
            }
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// `.name args` → (`.name`, ` args`).
fn split_directive(text: &str) -> (&str, &str) {
    let name_end = text.find(char::is_whitespace).unwrap_or(text.len());
    text.split_at(name_end)
}

/// Hands `sink` every `.type`, `.globl` and `.global` directive of `file` without parsing
/// the rest: a cheap first pass for layouts that must know which symbols are functions
/// before they see the labels (the directives may come after them).
pub fn symbol_directives(file: &SourceFile, dialect: Dialect, sink: &mut dyn FnMut(Directive)) {
    let mut stmts = Vec::new();
    for line in lines::lines_containing(&file.text, &[".type", ".glob"]) {
        lines::statements_in(line, dialect, &mut stmts);
        for st in stmts.drain(..) {
            let mut text = st.text;
            while let Some((_, rest)) = lines::split_label(text) {
                text = rest;
            }
            let (name, args) = split_directive(text);
            if matches!(
                name.to_ascii_lowercase().as_str(),
                ".type" | ".globl" | ".global"
            ) && let Ok(d) = directive::parse_directive_in(name, args, dialect)
            {
                sink(d);
            }
        }
    }
}

/// One statement and where it is.
struct Statement<'a> {
    file: &'a Arc<str>,
    text: &'a str,
    line_no: u32,
    line: &'a str,
    offset: usize,
    dialect: Dialect,
}

fn parse_statement<I>(
    st: Statement<'_>,
    parse_instruction: InstructionParser<I>,
    items: &mut dyn FnMut(Located<Item<I>>),
) -> Result<(), (Span, ParseError)> {
    let Statement {
        file,
        text,
        line_no,
        line,
        offset,
        dialect,
    } = st;
    let span_at = |byte: usize, len: usize| {
        Span::new(line_no, lines::column(line, offset + byte), len as u32)
    };
    let mut text = text;
    let mut consumed = 0usize;
    // Labels, possibly several, possibly followed by a statement.
    while let Some((name, rest)) = lines::split_label(text) {
        items(Located {
            item: Item::Label(name.to_string()),
            span: span_at(consumed, name.len()),
        });
        consumed += text.len() - rest.len();
        text = rest;
        if text.is_empty() {
            return Ok(());
        }
    }
    let span = span_at(consumed, text.len());
    if text.starts_with('.') {
        let (name, args) = split_directive(text);
        let d = directive::parse_directive_in(name, args, dialect)
            .map_err(|e| (span_at(consumed, name.len()), e))?;
        items(Located {
            item: Item::Directive(d),
            span: span_at(consumed, name.len()),
        });
        return Ok(());
    }
    // `sym = expr` (a byte search first: instructions, nearly every statement, have no `=`).
    if text.as_bytes().contains(&b'=')
        && let Some((lhs, rhs)) = text.split_once('=')
    {
        let lhs = lhs.trim();
        if !lhs.is_empty() && lhs.chars().all(expr_parser::is_symbol_char) && !rhs.starts_with('=')
        {
            let value = expr_parser::try_parse_expr(rhs).map_err(|e| {
                let error = match e {
                    expr_parser::ExprError::TooDeep => ParseError::TooDeep,
                    expr_parser::ExprError::Syntax => {
                        ParseError::BadExpression(rhs.trim().to_string())
                    }
                };
                (span, error)
            })?;
            items(Located {
                item: Item::Directive(Directive::Set {
                    symbol: lhs.to_string(),
                    value,
                }),
                span,
            });
            return Ok(());
        }
    }
    let ins = parse_instruction(file, text, line_no, line, offset + consumed)?;
    let mnemonic_len = text
        .bytes()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(text.len());
    items(Located {
        item: Item::Instruction(ins),
        span: span_at(consumed, mnemonic_len),
    });
    Ok(())
}

/// AT&T operands carry `%` registers and `$` immediates; Intel syntax never writes `%reg`.
fn looks_like_att(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'%', b).any(|at| b.get(at + 1).is_some_and(u8::is_ascii_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::Chunk;

    #[test]
    fn chunks_are_whole_lines_that_know_their_first_line() {
        let text: String = (1..=1000).map(|i| format!("line {i}\n")).collect();
        for n in [1, 2, 7, 32, 5000] {
            let chunks = Chunk::cut(&text, n);
            assert!(chunks.len() <= n.max(1) && !chunks.is_empty(), "{n}");
            assert_eq!(chunks.iter().map(|c| c.text).collect::<String>(), text);
            for c in &chunks {
                assert!(c.text.ends_with('\n'), "{n}: {:?}", c.text);
                let first = c.text.lines().next().unwrap_or_default();
                assert_eq!(first, format!("line {}", c.first_line), "{n}");
            }
        }
        let unterminated = Chunk::cut("a\nb\nc", 2);
        assert_eq!(
            unterminated.iter().map(|c| c.text).collect::<Vec<_>>(),
            ["a\nb\n", "c"]
        );
        assert_eq!(unterminated[1].first_line, 3);
        assert!(Chunk::cut("", 4).is_empty());
    }
}
