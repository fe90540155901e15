//! Large inputs are parsed in chunks on two threads (`parse::parse_with`). What a
//! reader sees must be what one pass over the file gives: every item, in order, at its own
//! line; errors in file order, at most 50; a Mach-O input reported by that error alone.

use c2goasm_rs::SourceFile;
use c2goasm_rs::parse::{Item, parse_x86};

/// A function of `n` numbered instructions per copy, `copies` times: well over the
/// 256 KiB from which the parse is split.
fn big_input(copies: usize) -> String {
    let mut s = String::from(".intel_syntax noprefix\n.text\n");
    for c in 0..copies {
        s.push_str(&format!(".globl f{c}\n.type f{c},@function\nf{c}:\n"));
        for k in 0..20 {
            s.push_str(&format!("\tadd rax, {}\n", c * 100 + k));
        }
        s.push_str("\tret\n");
    }
    s
}

fn with_lines_replaced(text: &str, replace: &[(usize, &str)]) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    for &(line, new) in replace {
        lines[line - 1] = new;
    }
    lines.join("\n") + "\n"
}

#[test]
fn every_item_is_read_in_order_at_its_own_line() {
    let text = big_input(12_000);
    assert!(text.len() > 1 << 20, "the input must be split");
    let file = SourceFile::new("big.s", text.clone());
    let items = parse_x86(&file).expect("valid input");
    // The item sits at the line its text comes from (every chunk).
    assert_in_order_at_their_lines(&file, &items, |ins| &ins.text);
}

/// Every item comes after the one before, every instruction at a line whose text
/// `text_of` gives (trimmed), every instruction line of the file read, through its last.
fn assert_in_order_at_their_lines<I>(
    file: &SourceFile,
    items: &[c2goasm_rs::parse::Located<Item<I>>],
    text_of: impl Fn(&I) -> &str,
) {
    let mut instructions = 0;
    let mut last_line = 0;
    for it in items {
        assert!(
            it.span.line > last_line,
            "items out of order at line {}",
            it.span.line
        );
        last_line = it.span.line;
        if let Item::Instruction(ins) = &it.item {
            instructions += 1;
            assert_eq!(file.line_text(it.span.line).trim(), text_of(ins));
        }
    }
    let lines = file.text.lines();
    assert_eq!(
        instructions,
        lines.clone().filter(|l| l.starts_with('\t')).count()
    );
    assert_eq!(last_line as usize, lines.count());
}

#[test]
fn errors_of_far_apart_chunks_come_in_file_order() {
    let base = big_input(12_000);
    let n = base.lines().count();
    let (early, late) = (10, n - 10);
    let text = with_lines_replaced(&base, &[(early, "\tfrobnicate rax"), (late, "\tadd rax,")]);
    let errs = parse_x86(&SourceFile::new("big.s", text)).expect_err("two bad lines");
    let lines: Vec<u32> = errs.iter().map(|d| d.span.line).collect();
    assert_eq!(lines, vec![early as u32, late as u32]);
}

#[test]
fn at_most_fifty_errors_the_first_fifty_of_the_file() {
    let base = big_input(12_000);
    let n = base.lines().count();
    // 30 bad lines near the middle and 30 near the end: the first 30, then 20 of the others.
    let bad: Vec<(usize, &str)> = (0..30)
        .flat_map(|k| {
            [
                (n / 2 - 200 + 2 * k, "\tbogus"),
                (n - 200 + 2 * k, "\tbogus"),
            ]
        })
        .collect();
    let text = with_lines_replaced(&base, &bad);
    let errs = parse_x86(&SourceFile::new("big.s", text)).expect_err("sixty bad lines");
    let mut expected: Vec<u32> = bad.iter().map(|&(l, _)| l as u32).collect();
    expected.sort_unstable();
    expected.truncate(50);
    let got: Vec<u32> = errs.iter().map(|d| d.span.line).collect();
    assert_eq!(got, expected);
}

#[test]
fn a_mach_o_section_in_the_second_half_is_reported_alone() {
    let base = big_input(12_000);
    let n = base.lines().count();
    let text = with_lines_replaced(
        &base,
        &[
            (20, "\tbogus"),
            (n - 50, ".section __TEXT,__text,regular,pure_instructions"),
            (n - 40, "\tbogus"),
        ],
    );
    let errs = parse_x86(&SourceFile::new("big.s", text)).expect_err("Mach-O");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].span.line as usize, n - 50);
    assert!(errs[0].to_string().contains("Mach-O"), "{}", errs[0]);
}

#[test]
fn aarch64_items_are_read_in_order_at_their_own_lines() {
    let mut text = String::from(".text\n");
    for c in 0..12_000 {
        text.push_str(&format!(".globl g{c}\n.type g{c},%function\ng{c}:\n"));
        for k in 0..20 {
            text.push_str(&format!("\tadd x0, x0, #{}\n", (c + k) % 4096));
        }
        text.push_str("\tret\n");
    }
    assert!(text.len() > 1 << 20, "the input must be split");
    let file = SourceFile::new("big.s", text.clone());
    let items = c2goasm_rs::parse::parse_arm64(&file).expect("valid input");
    assert_in_order_at_their_lines(&file, &items, |ins| &ins.text);
}
