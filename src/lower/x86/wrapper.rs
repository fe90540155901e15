//! The Go-visible TEXT symbol of a declared function: moves arguments from the Go ABI0
//! frame into System V registers and stack slots, runs the C function on a stack reserved
//! inside its own Go frame, and stores the result back.
//!
//! Leaf form (C code needs no stack): `NOSPLIT, $0`, the C function is called on the Go
//! stack (only the return address is pushed, within the NOSPLIT allowance).
//!
//! Inline form (a leaf that leaves only by `ret` and needs no stack, or little enough that
//! it fits [`nosplit_stack`](crate::lower::nosplit_stack)): `NOSPLIT, $0`, the C body runs
//! in the wrapper itself below its entry SP; when it uses stack, the wrapper declares the
//! height and SPWRITE to Go in instructions after its `RET` that never run.
//!
//! Framed form: the Go frame is sized to hold the C stack (so Go's stack-growth check covers
//! it). `R11` is pointed at the 16-byte aligned top of that area; stack arguments are stored
//! at `0(R11)…`, the Go SP is saved above them; SP is switched to R11 natively (which marks
//! the function SPWRITE, so unwinders stop here) and restored after the call.
//!
//! Arguments and results whose names Go's assembler or vet cannot read in `name+off(FP)`
//! (`g`, `AX`, `NOSPLIT`…) are addressed from R12 ([`ArgOperands`]).

use super::registers::{FLOAT_ARGS, INT_ARGS, go_name};
use super::stack::StackSummary;
use crate::abi::{ArgLocation, FrameLayout, GoFunc, ScalarKind, Slot};
use crate::emit::model::{GoInstr, GoOperand, Line, TextSymbol};
use crate::lower::arg_operands::ArgOperands;

/// Extra bytes kept below the C stack for the save/restore around constant-address
/// loads that found no free register, plus rounding.
const SLACK: u64 = 16;

pub struct WrapperInput<'a> {
    pub go: &'a GoFunc,
    pub layout: &'a FrameLayout,
    pub locations: &'a [ArgLocation],
    /// `(slot, is_float)` of the result, if any.
    pub result: Option<(&'a Slot, bool)>,
    pub callee: &'a str,
    pub stack: StackSummary,
    pub uses_avx: bool,
    /// The C function's body, when it is inlined instead of called (its `ret`s jump to
    /// [`RETURN_LABEL`]), which saves a call and a return, and the C-stack switch.
    pub inline: Option<Inline>,
}

/// A C body inlined into its wrapper.
pub struct Inline {
    pub body: Vec<Line>,
    /// Bytes the body uses below the wrapper's entry SP, declared to Go after the `RET`
    /// (0: the body leaves SP alone, and nothing is declared).
    pub height: u64,
}

/// Never executed, after the final `RET`: the stack the inlined C code uses, for the
/// linker's NOSPLIT check, and the SPWRITE mark for the unwinders (see
/// [`nosplit_stack`](crate::lower::nosplit_stack)).
fn declare_c_stack(height: u64, lines: &mut Vec<Line>) {
    lines.push(Line::Comment(
        "Never executed: what the C code above does to SP, declared to Go".into(),
    ));
    lines.push(Line::Native {
        instr: GoInstr::new("ADJSP", vec![GoOperand::Imm(height as i64)]),
        comment: Some("C stack below SP, counted in the linker's NOSPLIT check".into()),
    });
    lines.push(native("ADJSP", vec![GoOperand::Imm(-(height as i64))]));
    lines.push(super::function::spwrite_mark(
        "marks SPWRITE: unwinders stop here, not misread the C frames",
    ));
}

/// Where an inlined body's returns continue.
pub const RETURN_LABEL: &str = "c2goasm_return";

/// Holds the address [`ArgOperands::base`] names, for slots whose names cannot be written
/// `name+off(FP)` (R12 is not a System V argument register and is free in ABI0).
const ARG_BASE: &str = "R12";

/// `LEAQ argframe+0(FP), R12`: loaded where SP has its entry value (before the switch to the
/// C stack, after the switch back), like every `name+off(FP)` operand.
fn load_base(ops: &ArgOperands) -> Option<Line> {
    let (name, offset) = ops.base()?;
    Some(Line::Native {
        instr: GoInstr::new(
            "LEAQ",
            vec![
                GoOperand::Param {
                    name: name.to_string(),
                    offset,
                },
                GoOperand::Reg(ARG_BASE),
            ],
        ),
        comment: Some("slots whose names Go cannot take are addressed from here".into()),
    })
}

fn native(op: &'static str, operands: Vec<GoOperand>) -> Line {
    Line::Native {
        instr: GoInstr::new(op, operands),
        comment: None,
    }
}

/// The load that widens an argument to what System V expects in a 64-bit register
/// (callers extend bool/char/short to at least 32 bits; clang relies on it).
fn int_load(s: &Slot) -> &'static str {
    match (s.kind, s.size) {
        (ScalarKind::Int { signed: true }, 1) => "MOVBQSX",
        (ScalarKind::Int { signed: false }, 1) | (ScalarKind::Bool, _) => "MOVBQZX",
        (ScalarKind::Int { signed: true }, 2) => "MOVWQSX",
        (ScalarKind::Int { signed: false }, 2) => "MOVWQZX",
        (ScalarKind::Int { signed: true }, 4) => "MOVLQSX",
        (ScalarKind::Int { signed: false }, 4) => "MOVL",
        (ScalarKind::Float32, _) => "MOVL",
        _ => "MOVQ",
    }
}

pub fn wrapper(mut w: WrapperInput<'_>) -> TextSymbol {
    let ops = ArgOperands::new(w.layout);
    let n_stack = w
        .locations
        .iter()
        .filter(|l| matches!(l, ArgLocation::Stack(_)))
        .count() as u64;
    let leaf = w.inline.is_some()
        || (w.stack.max_depth == 0 && n_stack == 0 && w.stack.stack_arg_slots == 0);
    // Room for the argument moves, the inlined body and the epilogue: growing a vector
    // that holds a whole body copies it (measured: 7 % of a large translation).
    let body_len = w.inline.as_ref().map_or(0, |i| i.body.len());
    let mut lines = Vec::with_capacity(body_len + 3 * w.layout.args.len() + 24);
    let frame: u64;
    let saved_sp_offset = (8 * n_stack) as i64;
    if leaf {
        frame = 0;
    } else {
        // [T - 8 - depth, T) C stack below the return address; [T, T + 8n) stack arguments;
        // T + 8n saved Go SP. T is 16-byte aligned; up to 15 bytes are lost aligning it.
        let need = w.stack.max_depth + 8 + 8 * n_stack + 8 + 15 + SLACK;
        frame = need.div_ceil(8) * 8;
        lines.push(native("NO_LOCAL_POINTERS", vec![]));
        lines.push(Line::Native {
            instr: GoInstr::new(
                "LEAQ",
                vec![
                    GoOperand::Mem {
                        base: "SP",
                        disp: frame as i64 - 8 * n_stack as i64 - 8,
                    },
                    GoOperand::Reg("R11"),
                ],
            ),
            comment: Some("top of the C stack area inside this frame".into()),
        });
        lines.push(native(
            "ANDQ",
            vec![GoOperand::Imm(-16), GoOperand::Reg("R11")],
        ));
        lines.push(Line::Native {
            instr: GoInstr::new(
                "MOVQ",
                vec![
                    GoOperand::Reg("SP"),
                    GoOperand::Mem {
                        base: "R11",
                        disp: saved_sp_offset,
                    },
                ],
            ),
            comment: Some("save Go SP above the stack arguments".into()),
        });
    }
    if ops.needs_base(&w.layout.args) {
        lines.extend(load_base(&ops));
    }
    let param = |s: &Slot| ops.operand(s, ARG_BASE);
    for (slot, loc) in w.layout.args.iter().zip(w.locations) {
        match *loc {
            ArgLocation::IntReg(n) => {
                let reg = go_name(INT_ARGS[n as usize]).unwrap_or("DI");
                lines.push(native(
                    int_load(slot),
                    vec![param(slot), GoOperand::Reg(reg)],
                ));
            }
            ArgLocation::FloatReg(n) => {
                let reg = go_name(FLOAT_ARGS[n as usize]).unwrap_or("X0");
                let op = if slot.kind == ScalarKind::Float32 {
                    "MOVSS"
                } else {
                    "MOVSD"
                };
                lines.push(native(op, vec![param(slot), GoOperand::Reg(reg)]));
            }
            ArgLocation::Stack(k) => {
                lines.push(native(
                    int_load(slot),
                    vec![param(slot), GoOperand::Reg("AX")],
                ));
                lines.push(native(
                    "MOVQ",
                    vec![
                        GoOperand::Reg("AX"),
                        GoOperand::Mem {
                            base: "R11",
                            disp: 8 * k as i64,
                        },
                    ],
                ));
            }
        }
    }
    let callee = GoOperand::Sym {
        name: w.callee.to_string(),
        offset: 0,
    };
    let height = w.inline.as_ref().map_or(0, |i| i.height);
    if let Some(Inline { body, .. }) = w.inline.take() {
        lines.extend(body);
        crate::lower::fall_through::fall_through_to(&mut lines, RETURN_LABEL);
        lines.push(Line::Label(RETURN_LABEL.into()));
    } else if leaf {
        lines.push(native("CALL", vec![callee]));
    } else {
        lines.push(Line::Native {
            instr: GoInstr::new("MOVQ", vec![GoOperand::Reg("R11"), GoOperand::Reg("SP")]),
            comment: Some("switch to the C stack".into()),
        });
        lines.push(native("CALL", vec![callee]));
        lines.push(Line::Native {
            instr: GoInstr::new(
                "MOVQ",
                vec![
                    GoOperand::Mem {
                        base: "SP",
                        disp: saved_sp_offset,
                    },
                    GoOperand::Reg("SP"),
                ],
            ),
            comment: Some("back to the Go stack".into()),
        });
    }
    if w.uses_avx {
        lines.push(native("VZEROUPPER", vec![]));
    }
    if let Some((slot, is_float)) = w.result {
        let (op, reg) = if is_float {
            if slot.kind == ScalarKind::Float32 {
                ("MOVSS", "X0")
            } else {
                ("MOVSD", "X0")
            }
        } else {
            let op = match slot.size {
                1 => "MOVB",
                2 => "MOVW",
                4 => "MOVL",
                _ => "MOVQ",
            };
            (op, "AX")
        };
        if ops.needs_base([slot]) {
            lines.extend(load_base(&ops));
        }
        lines.push(native(op, vec![GoOperand::Reg(reg), param(slot)]));
    }
    lines.push(native("RET", vec![]));
    if height > 0 {
        declare_c_stack(height, &mut lines);
    }
    TextSymbol {
        name: format!("·{}", w.go.name),
        flags: if leaf { "NOSPLIT" } else { "" },
        frame_size: frame as u32,
        args_size: Some(w.layout.args_size),
        doc: vec![w.go.signature()],
        lines,
    }
}
