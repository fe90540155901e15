//! Formats an [`AsmFile`] as Go assembly text: header, data symbols, TEXT symbols with
//! aligned comment columns.

use std::fmt::Write;

use super::model::{
    AsmFile, DataEntry, DataPlacement, DataSymbol, GoInstr, GoOperand, Line, TextSymbol,
};

/// How raw machine code is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmitStyle {
    /// Drop per-instruction comments.
    pub strip_comments: bool,
    /// Pack consecutive raw instructions into as few directives as possible.
    pub compact: bool,
}

/// Column where trailing comments start (instructions longer than this push it right).
const COMMENT_COLUMN: usize = 40;

/// The whole file as one string.
pub fn write_file(file: &AsmFile, style: EmitStyle) -> String {
    let mut out = String::with_capacity(estimate_size(file));
    write_parts(file, style, &file.texts, &mut out, |_| Ok(())).unwrap_or(());
    out
}

/// The file written to `w` as it is formatted, through a buffer of about `CHUNK` bytes
/// (64 KiB), so a large translation never holds its whole output in memory (on the 123
/// K-line benchmark input the output is 7 MB, a tenth of the command line's peak).
///
/// A large file's TEXT symbols are formatted on two threads meanwhile (with two CPUs):
/// formatting is most of writing, and each symbol's text is independent. Runs of symbols
/// formatted ahead of their turn wait as text ([`crate::threads::in_order`]); the run due
/// when this thread is free is formatted straight into the buffer.
pub fn write_file_to(
    file: &AsmFile,
    style: EmitStyle,
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    use crate::threads::Turn;
    let lines: usize = file.texts.iter().map(|t| t.lines.len()).sum();
    if lines < PARALLEL_FROM_LINES || file.texts.len() < 2 || !crate::threads::two_cpus() {
        return write_streamed(file, style, &file.texts, w);
    }
    let mut out = String::with_capacity(2 * CHUNK);
    write_parts(file, style, &[], &mut out, |out| flush_from(out, CHUNK, w))?;
    let runs = crate::threads::cut(
        file.texts.iter().collect(),
        |t| t.lines.len(),
        crate::threads::RUNS,
    );
    // Pieces of about CHUNK bytes: one string growing by doubling would hold up to twice
    // the text, and copy it as it grows.
    let ahead = |run: &Vec<&TextSymbol>| {
        let mut pieces = vec![String::with_capacity(2 * CHUNK)];
        for t in run {
            if pieces.last().is_some_and(|p| p.len() >= CHUNK) {
                pieces.push(String::with_capacity(2 * CHUNK));
            }
            if let Some(out) = pieces.last_mut() {
                out.push('\n');
                write_text(out, t, style);
            }
        }
        pieces
    };
    let mut written = Ok(());
    crate::threads::in_order(&runs, ahead, |turn| {
        if written.is_err() {
            return;
        }
        written = match turn {
            Turn::Here(run) => run.iter().try_for_each(|t| {
                out.push('\n');
                write_text(&mut out, t, style);
                flush_from(&mut out, CHUNK, w)
            }),
            Turn::Ahead(pieces) => flush_from(&mut out, 1, w)
                .and_then(|()| pieces.iter().try_for_each(|p| w.write_all(p.as_bytes()))),
        };
    });
    written?;
    flush_from(&mut out, 1, w)
}

/// Writes and empties `out` once it holds `at_least` bytes.
fn flush_from(
    out: &mut String,
    at_least: usize,
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    if out.len() >= at_least {
        w.write_all(out.as_bytes())?;
        out.clear();
    }
    Ok(())
}

/// Lines of TEXT from which [`write_file_to`] formats on two threads.
const PARALLEL_FROM_LINES: usize = 20_000;

/// The header, the data symbols and `texts`, written to `w` in chunks as formatted.
fn write_streamed(
    file: &AsmFile,
    style: EmitStyle,
    texts: &[TextSymbol],
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let mut out = String::with_capacity(2 * CHUNK);
    write_parts(file, style, texts, &mut out, |out| {
        flush_from(out, CHUNK, w)
    })?;
    w.write_all(out.as_bytes())
}

/// Bytes of formatted text [`write_file_to`] collects before writing them.
const CHUNK: usize = 64 << 10;

/// Formats `file` into `out` with `texts` as its TEXT symbols (all of the file's, or the
/// first of them), calling `flush` after each symbol.
fn write_parts(
    file: &AsmFile,
    style: EmitStyle,
    texts: &[TextSymbol],
    out: &mut String,
    mut flush: impl FnMut(&mut String) -> std::io::Result<()>,
) -> std::io::Result<()> {
    out.push_str(&file.generated_by);
    out.push('\n');
    for h in &file.header {
        let _ = writeln!(out, "// {h}");
    }
    out.push('\n');
    if let Some(c) = &file.build_constraint {
        let _ = writeln!(out, "//go:build {c}\n");
    }
    out.push_str("#include \"textflag.h\"\n");
    if file.needs_funcdata {
        out.push_str("#include \"funcdata.h\"\n");
    }
    for d in &file.data {
        out.push('\n');
        write_data(out, d);
        flush(out)?;
    }
    for t in texts {
        out.push('\n');
        write_text(out, t, style);
        flush(out)?;
    }
    Ok(())
}

fn estimate_size(file: &AsmFile) -> usize {
    let lines: usize = file.texts.iter().map(|t| t.lines.len()).sum();
    let data: usize = file.data.iter().map(|d| d.entries.len()).sum();
    4096 + lines * 72 + data * 48
}

fn write_data(out: &mut String, d: &DataSymbol) {
    for (label, off) in &d.labels {
        let _ = writeln!(out, "// {label} = {}+{off}", d.name);
    }
    match d.placement {
        DataPlacement::Data { read_only } => {
            for e in &d.entries {
                match e {
                    DataEntry::Value {
                        offset,
                        width,
                        value,
                    } => {
                        let _ = writeln!(
                            out,
                            "DATA {}+{offset}(SB)/{width}, $0x{value:0w$x}",
                            d.name,
                            w = *width as usize * 2
                        );
                    }
                    DataEntry::Address {
                        offset,
                        target,
                        addend,
                    } => {
                        let _ = writeln!(
                            out,
                            "DATA {}+{offset}(SB)/8, ${}(SB)",
                            d.name,
                            sym_offset(target, *addend)
                        );
                    }
                }
            }
            let flags = if read_only { "RODATA|NOPTR" } else { "NOPTR" };
            let _ = writeln!(out, "GLOBL {}(SB), {flags}, ${}", d.name, d.size);
        }
        DataPlacement::Text { align } => {
            // Data inside a TEXT symbol: PCALIGN raises the symbol's alignment, which DATA
            // symbols cannot exceed 32 bytes for.
            let _ = writeln!(out, "TEXT {}(SB), NOSPLIT|NOFRAME, $0", d.name);
            let _ = writeln!(out, "\tPCALIGN ${align}");
            let mut bytes = vec![0u8; d.size as usize];
            for e in &d.entries {
                if let DataEntry::Value {
                    offset,
                    width,
                    value,
                } = e
                {
                    let o = *offset as usize;
                    let w = *width as usize;
                    bytes[o..o + w].copy_from_slice(&value.to_le_bytes()[..w]);
                }
            }
            for chunk in bytes.chunks(8) {
                let _ = writeln!(out, "\t{}", pack_bytes(chunk));
            }
        }
    }
}

fn sym_offset(name: &str, offset: i64) -> String {
    match offset {
        0 => name.to_string(),
        o if o > 0 => format!("{name}+{o}"),
        o => format!("{name}{o}"),
    }
}

fn write_text(out: &mut String, t: &TextSymbol, style: EmitStyle) {
    for doc in &t.doc {
        let _ = writeln!(out, "// {doc}");
    }
    let _ = write!(out, "TEXT {}(SB)", t.name);
    if !t.flags.is_empty() {
        let _ = write!(out, ", {}", t.flags);
    }
    match t.args_size {
        Some(a) => {
            let _ = writeln!(out, ", ${}-{a}", t.frame_size);
        }
        None => {
            let _ = writeln!(out, ", ${}", t.frame_size);
        }
    }
    let mut pending_raw: Vec<u8> = Vec::new();
    let mut pending_words: Vec<u32> = Vec::new();
    for line in &t.lines {
        if style.compact {
            match line {
                Line::Raw { bytes, .. } => {
                    pending_raw.extend_from_slice(bytes);
                    continue;
                }
                Line::Word { word, .. } => {
                    pending_words.push(*word);
                    continue;
                }
                _ => {}
            }
            flush_compact(out, &mut pending_raw);
            flush_words(out, &mut pending_words);
        }
        match line {
            Line::Label(l) => {
                let _ = writeln!(out, "{l}:");
            }
            Line::Comment(c) => {
                if !style.strip_comments {
                    let _ = writeln!(out, "\t// {c}");
                }
            }
            Line::Native { instr, comment } => {
                let start = begin_code(out);
                write_instr(out, instr);
                end_code(out, start, comment, style);
            }
            Line::Raw { bytes, comment } => {
                let start = begin_code(out);
                pack_bytes_into(out, bytes);
                end_code(out, start, comment, style);
            }
            Line::Word { word, comment } => {
                let start = begin_code(out);
                let _ = write!(out, "WORD $0x{word:08x}");
                end_code(out, start, comment, style);
            }
        }
    }
    flush_compact(out, &mut pending_raw);
    flush_words(out, &mut pending_words);
}

/// Compact arm64 code: four instruction words per line.
fn flush_words(out: &mut String, pending: &mut Vec<u32>) {
    for chunk in pending.chunks(4) {
        out.push('\t');
        for (i, w) in chunk.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            let _ = write!(out, "WORD $0x{w:08x}");
        }
        out.push('\n');
    }
    pending.clear();
}

fn flush_compact(out: &mut String, pending: &mut Vec<u8>) {
    for chunk in pending.chunks(16) {
        out.push('\t');
        pack_bytes_into(out, chunk);
        out.push('\n');
    }
    pending.clear();
}

/// Starts an instruction line; returns where its code begins (for the comment column).
fn begin_code(out: &mut String) -> usize {
    out.push('\t');
    out.len()
}

fn end_code(
    out: &mut String,
    start: usize,
    comment: &Option<super::model::Comment>,
    style: EmitStyle,
) {
    if let (Some(c), false) = (comment, style.strip_comments) {
        let pad = COMMENT_COLUMN.saturating_sub(out.len() - start).max(1);
        const SPACES: &str = "                                        ";
        match SPACES.get(..pad) {
            Some(spaces) => out.push_str(spaces),
            None => out.extend(std::iter::repeat_n(' ', pad)),
        }
        out.push_str("// ");
        out.push_str(c);
    }
    out.push('\n');
}

/// `QUAD`/`LONG`/`WORD`/`BYTE` directives (little-endian) for `bytes`, joined by `; `.
pub fn pack_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    pack_bytes_into(&mut out, bytes);
    out
}

fn pack_bytes_into(out: &mut String, bytes: &[u8]) {
    let mut rest = bytes;
    let mut first = true;
    while !rest.is_empty() {
        let (n, name) = match rest.len() {
            n if n >= 8 => (8, "QUAD"),
            n if n >= 4 => (4, "LONG"),
            n if n >= 2 => (2, "WORD"),
            _ => (1, "BYTE"),
        };
        let mut v = 0u64;
        for (i, b) in rest[..n].iter().enumerate() {
            v |= (*b as u64) << (8 * i);
        }
        if !first {
            out.push_str("; ");
        }
        first = false;
        out.push_str(name);
        out.push_str(" $0x");
        push_hex(out, v, n * 2);
        rest = &rest[n..];
    }
}

/// `v` as `digits` lower-case hex digits (zero-padded). Written by hand: this runs for
/// every machine-code line and `write!` costs several times more.
fn push_hex(out: &mut String, v: u64, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let digits = digits.min(16);
    for (k, d) in buf[..digits].iter_mut().rev().enumerate() {
        *d = HEX[((v >> (4 * k)) & 0xf) as usize];
    }
    // Hex digits are ASCII: one append instead of one per digit.
    out.push_str(std::str::from_utf8(&buf[..digits]).unwrap_or_default());
}

pub fn format_instr(i: &GoInstr) -> String {
    let mut out = String::new();
    write_instr(&mut out, i);
    out
}

fn write_instr(out: &mut String, i: &GoInstr) {
    out.push_str(i.op);
    for (k, o) in i.operands.iter().enumerate() {
        out.push_str(if k == 0 { " " } else { ", " });
        write_operand(out, o);
    }
}

fn write_operand(out: &mut String, o: &GoOperand) {
    // Pieces pushed directly: this runs for every native instruction's operands.
    match o {
        GoOperand::Reg(r) => out.push_str(r),
        GoOperand::Imm(v) => {
            out.push('$');
            push_int(out, *v);
        }
        GoOperand::Param { name, offset } => push_param(out, name, *offset),
        GoOperand::ParamAddr { name, offset } => {
            out.push('$');
            push_param(out, name, *offset);
        }
        GoOperand::Mem { base, disp } => {
            push_int(out, *disp);
            out.push('(');
            out.push_str(base);
            out.push(')');
        }
        GoOperand::Sym { name, offset } => {
            push_sym_offset(out, name, *offset);
            out.push_str("(SB)");
        }
        GoOperand::Label(l) => out.push_str(l),
        GoOperand::Addr { name, offset } => {
            out.push('$');
            push_sym_offset(out, name, *offset);
            out.push_str("(SB)");
        }
    }
}

/// `name+8(FP)` (asmdecl checks only this form: decimal, with the `+` even for 0).
fn push_param(out: &mut String, name: &str, offset: u32) {
    out.push_str(name);
    out.push('+');
    push_int(out, offset);
    out.push_str("(FP)");
}

/// `name`, `name+8` or `name-8`.
fn push_sym_offset(out: &mut String, name: &str, offset: i64) {
    out.push_str(name);
    if offset > 0 {
        out.push('+');
    }
    if offset != 0 {
        push_int(out, offset);
    }
}

/// A signed decimal integer, without going through `fmt`.
fn push_int(out: &mut String, v: impl Into<i128>) {
    let v: i128 = v.into();
    if v < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 40];
    let mut n = v.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::model::MachineCode;

    #[test]
    fn integers_without_fmt() {
        for v in [0i64, 7, -8, 1234567890, i64::MIN, i64::MAX] {
            let mut out = String::new();
            push_int(&mut out, v);
            assert_eq!(out, v.to_string());
        }
        let mut out = String::new();
        push_sym_offset(&mut out, "t", -16);
        push_sym_offset(&mut out, ",u", 0);
        push_sym_offset(&mut out, ",v", 4);
        assert_eq!(out, "t-16,u,v+4");
    }

    #[test]
    fn packs_bytes_little_endian_widest_first() {
        assert_eq!(pack_bytes(&[0xc3]), "BYTE $0xc3");
        assert_eq!(pack_bytes(&[0x48, 0x85, 0xf6]), "WORD $0x8548; BYTE $0xf6");
        assert_eq!(
            pack_bytes(&[1, 2, 3, 4, 5, 6, 7, 8, 9]),
            "QUAD $0x0807060504030201; BYTE $0x09"
        );
    }

    #[test]
    fn formats_operands_in_go_syntax() {
        let i = GoInstr::new(
            "MOVQ",
            vec![
                GoOperand::Param {
                    name: "beg".into(),
                    offset: 0,
                },
                GoOperand::Reg("DI"),
            ],
        );
        assert_eq!(format_instr(&i), "MOVQ beg+0(FP), DI");
        let a = GoInstr::new(
            "MOVD",
            vec![
                GoOperand::ParamAddr {
                    name: "argframe".into(),
                    offset: 0,
                },
                GoOperand::Reg("R17"),
            ],
        );
        assert_eq!(format_instr(&a), "MOVD $argframe+0(FP), R17");
        let l = GoInstr::new(
            "LEAQ",
            vec![
                GoOperand::Sym {
                    name: "rodata_cst32<>".into(),
                    offset: -8,
                },
                GoOperand::Reg("R11"),
            ],
        );
        assert_eq!(format_instr(&l), "LEAQ rodata_cst32<>-8(SB), R11");
    }

    #[test]
    fn text_symbol_with_frame_and_comment_column() {
        let t = TextSymbol {
            name: "·f".into(),
            flags: "NOSPLIT",
            frame_size: 0,
            args_size: Some(24),
            doc: vec!["func f(x int64) (r int64)".into()],
            lines: vec![Line::Raw {
                bytes: MachineCode::new(&[0xc3]).expect("one byte"),
                comment: Some("ret".into()),
            }],
        };
        let mut out = String::new();
        write_text(&mut out, &t, EmitStyle::default());
        let expected = format!(
            "// func f(x int64) (r int64)\nTEXT ·f(SB), NOSPLIT, $0-24\n\tBYTE $0xc3{}// ret\n",
            " ".repeat(COMMENT_COLUMN - 10)
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn streamed_output_is_the_string_output() {
        // Enough symbols that the stream is written in several chunks.
        let text = |i: usize| TextSymbol {
            name: format!("·f{i}"),
            flags: "NOSPLIT",
            frame_size: 0,
            args_size: Some(8),
            doc: vec![],
            lines: vec![
                Line::Raw {
                    bytes: MachineCode::new(&[0x90; 9]).expect("nine bytes"),
                    comment: Some("nop".into()),
                };
                40
            ],
        };
        let file = AsmFile {
            generated_by: "// Code generated by a test. DO NOT EDIT.".into(),
            texts: (0..400).map(text).collect(),
            ..AsmFile::default()
        };
        let whole = write_file(&file, EmitStyle::default());
        assert!(whole.len() > 3 * CHUNK);
        let mut streamed = Vec::new();
        write_file_to(&file, EmitStyle::default(), &mut streamed).expect("to a Vec");
        assert_eq!(String::from_utf8(streamed).expect("UTF-8"), whole);
    }
}
