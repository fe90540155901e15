//! The Go-visible TEXT symbol of a declared function on arm64: moves arguments from the Go
//! ABI0 frame into AAPCS64 registers and stack slots, runs the C code on a stack reserved
//! inside its own Go frame, and stores the result back.
//!
//! Inline form (C code is a leaf that touches no stack): `NOSPLIT, $0`; the C body follows
//! the argument loads, its `ret`s jump to the result stores. Go keeps such a function
//! frameless, so the call costs what a hand-written one does. A leaf that uses a little
//! stack ([`nosplit_stack`](crate::lower::nosplit_stack)) is inlined too: RSP moves down 16
//! bytes around its body (`SUB`/`ADD $16, RSP`), so that the C frame record cannot land on
//! the caller's frame pointer, which Go saves at −8(RSP); the stack the body uses is
//! declared to Go after the `RET`, in instructions that never run.
//!
//! Framed form: the Go frame (`$F`, a multiple of 16) holds the C stack, so Go's
//! stack-growth check covers it. Go places the locals at `[RSP+8, RSP+8+F)` (LR at `0(RSP)`,
//! the caller's frame record above), so the C entry SP is `RSP+F-S` (S = stack-argument
//! bytes, 16-aligned): below it the C code may use `F-S-8` bytes, above it sit the stack
//! arguments. SP is switched with a register move, which makes the function SPWRITE, so
//! unwinders stop here instead of misreading the frame; the Go SP is kept in x19, which
//! AAPCS64 callees preserve.
//!
//! Arguments and results whose names Go's assembler or vet cannot read in `name+off(FP)`
//! (`g`, `R0`, `EQ`, `NOSPLIT`…) are addressed from R17 ([`ArgOperands`]).

use super::stack::StackSummary;
use crate::abi::{ArgLocation, FrameLayout, GoFunc, ScalarKind, Slot};
use crate::emit::model::{GoInstr, GoOperand, Line, TextSymbol};
use crate::lower::arg_operands::ArgOperands;

const INT_REGS: [&str; 8] = ["R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7"];
const FLOAT_REGS: [&str; 8] = ["F0", "F1", "F2", "F3", "F4", "F5", "F6", "F7"];
/// Scratch for copying stack arguments (AAPCS64 IP0: never an argument register).
const SCRATCH: &str = "R16";
/// Holds the Go SP across the C call (callee-saved in AAPCS64).
const SAVED_SP: &str = "R19";
/// Holds the address [`ArgOperands::base`] names, for slots whose names cannot be written
/// `name+off(FP)` (AAPCS64 IP1: never an argument register; nothing branches between its
/// load and its uses, so no veneer can clobber it).
const ARG_BASE: &str = "R17";

/// Where an inlined body's returns continue.
pub const RETURN_LABEL: &str = "c2goasm_return";

pub struct WrapperInput<'a> {
    pub go: &'a GoFunc,
    pub layout: &'a FrameLayout,
    pub locations: &'a [ArgLocation],
    pub result: Option<&'a Slot>,
    /// The C function's TEXT symbol (`name<>`), called in the framed form.
    pub callee: &'a str,
    pub stack: StackSummary,
    /// The C body, when it is inlined.
    pub inline: Option<Inline>,
}

/// A C body inlined into its wrapper.
pub struct Inline {
    pub body: Vec<Line>,
    /// Bytes the body uses below its entry SP (0: the body leaves SP alone).
    pub depth: u64,
}

/// Kept free above an inlined body's stack: the caller's frame pointer at −8(RSP).
pub const CALLER_FP_GAP: i64 = 16;

/// Never executed, after the final `RET`: the stack the inlined C code uses (`height`
/// bytes below the entry RSP, the gap included), for the linker's NOSPLIT check, and the
/// SPWRITE mark for the unwinders (see [`nosplit_stack`](crate::lower::nosplit_stack)).
fn declare_c_stack(height: u64, lines: &mut Vec<Line>) {
    let rsp = |op: &'static str, v: u64| {
        GoInstr::new(
            op,
            vec![
                GoOperand::Imm(v as i64),
                GoOperand::Reg("RSP"),
                GoOperand::Reg("RSP"),
            ],
        )
    };
    lines.push(Line::Comment(
        "Never executed: what the C code above does to SP, declared to Go".into(),
    ));
    lines.push(Line::Native {
        instr: rsp("SUB", height),
        comment: Some("C stack below SP, counted in the linker's NOSPLIT check".into()),
    });
    lines.push(Line::Native {
        instr: rsp("ADD", height),
        comment: None,
    });
    lines.push(Line::Native {
        instr: GoInstr::new("MOVD", vec![GoOperand::Reg("RSP"), GoOperand::Reg("RSP")]),
        comment: Some("marks SPWRITE: unwinders stop here, not misread the C frames".into()),
    });
}

/// `SUB $16, RSP, RSP` / `ADD $16, RSP, RSP` around an inlined body that uses stack.
fn move_rsp(op: &'static str) -> Line {
    native(
        op,
        vec![
            GoOperand::Imm(CALLER_FP_GAP),
            GoOperand::Reg("RSP"),
            GoOperand::Reg("RSP"),
        ],
    )
}

fn native(op: &'static str, operands: Vec<GoOperand>) -> Line {
    Line::Native {
        instr: GoInstr::new(op, operands),
        comment: None,
    }
}

/// `MOVD $argframe+0(FP), R17`: loaded where RSP has its entry value (before the switch to
/// the C stack, after the switch back), like every `name+off(FP)` operand.
fn load_base(ops: &ArgOperands) -> Option<Line> {
    let (name, offset) = ops.base()?;
    Some(Line::Native {
        instr: GoInstr::new(
            "MOVD",
            vec![
                GoOperand::ParamAddr {
                    name: name.to_string(),
                    offset,
                },
                GoOperand::Reg(ARG_BASE),
            ],
        ),
        comment: Some("slots whose names Go cannot take are addressed from here".into()),
    })
}

fn is_float(s: &Slot) -> bool {
    matches!(s.kind, ScalarKind::Float32 | ScalarKind::Float64)
}

/// The load that widens an argument to 64 bits (AAPCS64 leaves the upper bits of narrow
/// arguments unspecified, so any extension is valid; this one matches the type).
fn int_load(s: &Slot) -> &'static str {
    match (s.kind, s.size) {
        (ScalarKind::Float32, _) => "MOVWU",
        (ScalarKind::Float64, _) => "MOVD",
        (ScalarKind::Int { signed: true }, 1) => "MOVB",
        (_, 1) => "MOVBU",
        (ScalarKind::Int { signed: true }, 2) => "MOVH",
        (_, 2) => "MOVHU",
        (ScalarKind::Int { signed: true }, 4) => "MOVW",
        (_, 4) => "MOVWU",
        _ => "MOVD",
    }
}

fn float_move(s: &Slot) -> &'static str {
    if s.kind == ScalarKind::Float32 {
        "FMOVS"
    } else {
        "FMOVD"
    }
}

fn int_store(s: &Slot) -> &'static str {
    match s.size {
        1 => "MOVB",
        2 => "MOVH",
        4 => "MOVW",
        _ => "MOVD",
    }
}

/// Bytes of stack arguments, rounded to keep SP 16-byte aligned.
pub fn stack_arg_bytes(locations: &[ArgLocation]) -> u64 {
    let n = locations
        .iter()
        .filter(|l| matches!(l, ArgLocation::Stack(_)))
        .count() as u64;
    (n * 8).div_ceil(16) * 16
}

/// The Go frame size for a C function needing `depth` bytes below its entry SP.
pub fn frame_size(depth: u64, stack_args: u64) -> u64 {
    (depth + stack_args + 8).div_ceil(16) * 16
}

pub fn wrapper(mut w: WrapperInput<'_>) -> TextSymbol {
    let mut lines = Vec::new();
    let inline = w.inline.is_some();
    let inline_depth = w.inline.as_ref().map_or(0, |i| i.depth);
    let s_bytes = stack_arg_bytes(w.locations);
    let frame = if inline {
        0
    } else {
        frame_size(w.stack.max_depth, s_bytes)
    };
    if !inline {
        lines.push(native("NO_LOCAL_POINTERS", vec![]));
    }
    let ops = ArgOperands::new(w.layout);
    if ops.needs_base(&w.layout.args) {
        lines.extend(load_base(&ops));
    }
    let param = |s: &Slot| ops.operand(s, ARG_BASE);
    // Stack arguments first, at their final place relative to the (unmoved) RSP.
    for (slot, loc) in w.layout.args.iter().zip(w.locations) {
        if let ArgLocation::Stack(k) = loc {
            let disp = (frame - s_bytes + 8 * *k as u64) as i64;
            lines.push(native(
                int_load(slot),
                vec![param(slot), GoOperand::Reg(SCRATCH)],
            ));
            lines.push(native(
                "MOVD",
                vec![
                    GoOperand::Reg(SCRATCH),
                    GoOperand::Mem { base: "RSP", disp },
                ],
            ));
        }
    }
    for (slot, loc) in w.layout.args.iter().zip(w.locations) {
        match loc {
            ArgLocation::IntReg(r) => lines.push(native(
                int_load(slot),
                vec![param(slot), GoOperand::Reg(INT_REGS[*r as usize])],
            )),
            ArgLocation::FloatReg(r) => lines.push(native(
                float_move(slot),
                vec![param(slot), GoOperand::Reg(FLOAT_REGS[*r as usize])],
            )),
            ArgLocation::Stack(_) => {}
        }
    }
    match w.inline.take() {
        Some(Inline { body, depth }) => {
            if depth > 0 {
                lines.push(move_rsp("SUB"));
            }
            lines.extend(body);
            crate::lower::fall_through::fall_through_to(&mut lines, RETURN_LABEL);
            lines.push(Line::Label(RETURN_LABEL.into()));
            if depth > 0 {
                lines.push(move_rsp("ADD"));
            }
        }
        None => {
            lines.push(native(
                "MOVD",
                vec![GoOperand::Reg("RSP"), GoOperand::Reg(SAVED_SP)],
            ));
            lines.push(native(
                "ADD",
                vec![
                    GoOperand::Imm((frame - s_bytes) as i64),
                    GoOperand::Reg("RSP"),
                    GoOperand::Reg(SCRATCH),
                ],
            ));
            lines.push(Line::Native {
                instr: GoInstr::new("MOVD", vec![GoOperand::Reg(SCRATCH), GoOperand::Reg("RSP")]),
                comment: Some("switch to the C stack (marks SPWRITE: unwinders stop here)".into()),
            });
            lines.push(native(
                "CALL",
                vec![GoOperand::Sym {
                    name: w.callee.to_string(),
                    offset: 0,
                }],
            ));
            lines.push(native(
                "MOVD",
                vec![GoOperand::Reg(SAVED_SP), GoOperand::Reg("RSP")],
            ));
        }
    }
    if let Some(r) = w.result {
        let op = if is_float(r) {
            float_move(r)
        } else {
            int_store(r)
        };
        let reg = if is_float(r) { "F0" } else { "R0" };
        if ops.needs_base([r]) {
            lines.extend(load_base(&ops));
        }
        lines.push(native(op, vec![GoOperand::Reg(reg), param(r)]));
    }
    lines.push(native("RET", vec![]));
    if inline_depth > 0 {
        declare_c_stack(CALLER_FP_GAP as u64 + inline_depth, &mut lines);
    }
    TextSymbol {
        name: format!("·{}", w.go.name),
        flags: if inline { "NOSPLIT" } else { "" },
        frame_size: frame as u32,
        args_size: Some(w.layout.args_size),
        doc: vec![w.go.signature()],
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_keeps_c_stack_inside_the_locals() {
        // C needs 48 bytes and has 3 stack arguments (32 bytes after rounding).
        let s = stack_arg_bytes(&[
            ArgLocation::Stack(0),
            ArgLocation::Stack(1),
            ArgLocation::IntReg(0),
            ArgLocation::Stack(2),
        ]);
        assert_eq!(s, 32);
        let f = frame_size(48, s);
        assert_eq!(f % 16, 0);
        // Entry SP = RSP + f - s; lowest byte used = entry - 48 must stay above the LR slot.
        assert!(f - s - 48 >= 8);
    }
}
