//! Classifies each instruction of a function by what Go's assembler must see: raw machine
//! code, a native jump/call to a label or symbol, or a rewrite of a symbolic operand.

use rustc_hash::FxHashMap as HashMap;

use iced_x86::{EncodingKind, FlowControl, Instruction, Mnemonic, OpKind, Register};

use super::flow::Transfer;
use crate::lower::LowerError;
use crate::lower::jump_tables::{EntryForm, JumpTables};
use crate::lower::symbols::{Resolved, Resolver, Use};
use crate::parse::x86::{Instruction as AsmInstruction, Operand};
use crate::parse::{Expr, SymbolRef};

/// What an instruction becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Encoded bytes, unchanged.
    Raw,
    /// Native (conditional) jump to a label of this function.
    Jump {
        op: &'static str,
        label: crate::emit::model::Label,
    },
    /// Native jump to another function's TEXT symbol (`op` = `JMP`, or a conditional jump
    /// to a trampoline that does the `JMP`).
    TailCall { op: &'static str, callee: usize },
    /// Native `CALL` of a function of this file.
    Call { callee: usize },
    /// A memory operand addressing `symbol+offset`: the address goes into a scratch
    /// register, the instruction is re-encoded with `[scratch + base + index*scale]`.
    SymbolicMemory { symbol: String, offset: i64 },
    /// `lea reg, [rip + sym]` / `mov reg, offset sym`: a native `LEAQ` (or `LEAL`).
    LoadAddress {
        dst: Register,
        symbol: String,
        offset: i64,
    },
    /// `lea reg, [rip + table]` of a jump table (index into [`JumpTables::tables`]): the
    /// table moves into the function's TEXT (see `layout`), so this stays a RIP-relative
    /// `lea` whose displacement the layout knows.
    TableAddress { dst: Register, table: usize },
    /// `jmp reg`: an indirect jump, allowed only where `table_dispatch` proves that `reg`
    /// holds a target read from a jump table.
    TableJump,
}

/// Go's spelling of a jump mnemonic.
pub fn go_jump(m: Mnemonic) -> Option<&'static str> {
    Some(match m {
        Mnemonic::Jmp => "JMP",
        Mnemonic::Je => "JEQ",
        Mnemonic::Jne => "JNE",
        Mnemonic::Jb => "JCS",
        Mnemonic::Jae => "JCC",
        Mnemonic::Jbe => "JLS",
        Mnemonic::Ja => "JHI",
        Mnemonic::Jl => "JLT",
        Mnemonic::Jge => "JGE",
        Mnemonic::Jle => "JLE",
        Mnemonic::Jg => "JGT",
        Mnemonic::Js => "JMI",
        Mnemonic::Jns => "JPL",
        Mnemonic::Jp => "JPS",
        Mnemonic::Jnp => "JPC",
        Mnemonic::Jo => "JOS",
        Mnemonic::Jno => "JOC",
        Mnemonic::Jrcxz => "JCXZQ",
        Mnemonic::Jecxz => "JCXZL",
        Mnemonic::Loop => "LOOP",
        Mnemonic::Loope => "LOOPEQ",
        Mnemonic::Loopne => "LOOPNE",
        _ => return None,
    })
}

/// Labels of the function being classified: source name → (Go label, instruction index).
pub type Labels<'a> = HashMap<&'a str, (crate::emit::model::Label, usize)>;

pub struct Classified {
    pub kind: Kind,
    pub transfer: Transfer,
}

fn symbol_of(e: &Expr) -> Result<SymbolRef, LowerError> {
    e.as_symbol_ref()
        .ok_or(LowerError::UnsupportedSymbolicOperand)
}

pub fn classify<I>(
    src: &AsmInstruction,
    ins: &Instruction,
    labels: &Labels,
    this_function: usize,
    resolver: &Resolver<'_, I>,
    tables: &JumpTables,
) -> Result<Classified, LowerError> {
    // Segment overrides other than the no-op ones mean TLS (`fs:`) or OS structures (`gs:`).
    for op in &src.operands {
        if let Operand::Mem(m) = op
            && let Some(seg) = m.segment
            && matches!(seg, Register::FS | Register::GS)
        {
            // glibc keeps the stack-protector canary at fs:0x28.
            if seg == Register::FS
                && m.base.is_none()
                && m.index.is_none()
                && m.disp.eval_const() == Some(0x28)
            {
                return Err(LowerError::StackProtector(src.text.to_string()));
            }
            return Err(LowerError::SegmentOverride(
                format!("{seg:?}").to_lowercase(),
            ));
        }
    }
    let plain = |transfer| Classified {
        kind: Kind::Raw,
        transfer,
    };
    match ins.flow_control() {
        FlowControl::UnconditionalBranch | FlowControl::ConditionalBranch => {
            let conditional = ins.flow_control() == FlowControl::ConditionalBranch;
            let op = go_jump(ins.mnemonic())
                .ok_or_else(|| LowerError::UnsupportedInstruction(src.text.to_string()))?;
            let Some(Operand::Expr(target)) = src.operands.first() else {
                return Err(LowerError::UnsupportedInstruction(src.text.to_string()));
            };
            let r = symbol_of(target)?;
            if let Some((go, idx)) = labels.get(r.symbol.as_str()) {
                if r.addend != 0 {
                    return Err(LowerError::UnsupportedSymbolicOperand);
                }
                return Ok(Classified {
                    kind: Kind::Jump {
                        op,
                        label: go.clone(),
                    },
                    transfer: Transfer::Jump {
                        target: Some(*idx),
                        conditional,
                    },
                });
            }
            match resolver.resolve(&r, Use::Branch) {
                Ok(Resolved::Function(callee)) if r.addend == 0 && op.starts_with('J') => {
                    Ok(Classified {
                        kind: Kind::TailCall { op, callee },
                        transfer: Transfer::TailCall {
                            callee,
                            conditional,
                        },
                    })
                }
                Ok(Resolved::CodeLabel { func, .. }) if func != this_function => {
                    Err(LowerError::UnsupportedInstruction(format!(
                        "jump into the middle of another function (`{}`); GCC's hot/cold \
                         splitting does this: compile with -fno-reorder-blocks-and-partition",
                        r.symbol
                    )))
                }
                Ok(_) => Err(LowerError::UnsupportedSymbolicOperand),
                Err(LowerError::ExternalCall(s)) => Err(LowerError::ExternalJump(s)),
                Err(e) => Err(e),
            }
        }
        FlowControl::IndirectBranch => {
            let symbol = first_symbol(src);
            match tables.get(&symbol) {
                Some(t) if t.form == EntryForm::Absolute => {
                    Err(LowerError::AbsoluteJumpTable(symbol))
                }
                _ if ins.op0_kind() == OpKind::Register && ins.op0_register().is_gpr64() => {
                    Ok(Classified {
                        kind: Kind::TableJump,
                        transfer: Transfer::TableJump { targets: None },
                    })
                }
                _ if mentions_jump_table(src) => Err(LowerError::JumpTable(symbol)),
                _ => Err(LowerError::IndirectJump),
            }
        }
        FlowControl::Call => {
            if ins.mnemonic() != Mnemonic::Call {
                return Err(LowerError::UnsupportedInstruction(src.text.to_string()));
            }
            let Some(Operand::Expr(target)) = src.operands.first() else {
                return Err(LowerError::IndirectCall);
            };
            let r = symbol_of(target)?;
            match resolver.resolve(&r, Use::Branch)? {
                Resolved::Function(callee) if r.addend == 0 => Ok(Classified {
                    kind: Kind::Call { callee },
                    transfer: Transfer::Call { callee },
                }),
                _ => Err(LowerError::UnsupportedSymbolicOperand),
            }
        }
        FlowControl::IndirectCall => Err(LowerError::IndirectCall),
        FlowControl::Return => Ok(plain(Transfer::Return)),
        FlowControl::Exception => Ok(plain(Transfer::Stop)),
        FlowControl::Interrupt if ins.mnemonic() == Mnemonic::Int3 => Ok(plain(Transfer::Stop)),
        FlowControl::Interrupt | FlowControl::XbeginXabortXend => {
            Err(LowerError::UnsupportedInstruction(src.text.to_string()))
        }
        FlowControl::Next => classify_operands(src, ins, this_function, resolver, tables),
    }
}

/// An instruction naming jump table `table`: only `lea reg, [rip + table]` of a table of
/// this function's offsets is translated.
fn table_reference(
    ins: &Instruction,
    this_function: usize,
    tables: &JumpTables,
    symbol: &str,
    addend: i64,
) -> Result<Kind, LowerError> {
    let index = tables
        .index_of(symbol)
        .ok_or_else(|| LowerError::JumpTable(symbol.to_string()))?;
    let t = &tables.tables[index];
    if t.form == EntryForm::Absolute {
        return Err(LowerError::AbsoluteJumpTable(symbol.to_string()));
    }
    let is_lea = ins.mnemonic() == Mnemonic::Lea
        && ins.op0_kind() == OpKind::Register
        && ins.op0_register().is_gpr64()
        && ins.memory_base() == Register::RIP
        && ins.memory_index() == Register::None;
    if !is_lea || addend != 0 || t.function != this_function || t.form != EntryForm::TableRelative {
        return Err(LowerError::JumpTable(symbol.to_string()));
    }
    Ok(Kind::TableAddress {
        dst: ins.op0_register(),
        table: index,
    })
}

fn classify_operands<I>(
    src: &AsmInstruction,
    ins: &Instruction,
    this_function: usize,
    resolver: &Resolver<'_, I>,
    tables: &JumpTables,
) -> Result<Classified, LowerError> {
    let next = |kind| {
        Ok(Classified {
            kind,
            transfer: Transfer::Next,
        })
    };
    if matches!(ins.mnemonic(), Mnemonic::Syscall | Mnemonic::Sysenter) {
        return Err(LowerError::UnsupportedInstruction(src.text.to_string()));
    }
    for op in &src.operands {
        match op {
            Operand::Mem(m) if !m.disp.is_constant() => {
                let r = symbol_of(&m.disp)?;
                if tables.get(&r.symbol).is_some() {
                    return next(table_reference(
                        ins,
                        this_function,
                        tables,
                        &r.symbol,
                        r.addend,
                    )?);
                }
                let (symbol, offset) = data_address(resolver, &r)?;
                if ins.stack_pointer_increment() != 0 {
                    return Err(LowerError::UnsupportedSymbolicOperand);
                }
                if ins.mnemonic() == Mnemonic::Lea
                    && m.index.is_none()
                    && matches!(m.base, None | Some(Register::RIP))
                    && ins.op0_kind() == OpKind::Register
                {
                    return next(Kind::LoadAddress {
                        dst: ins.op0_register(),
                        symbol,
                        offset,
                    });
                }
                return next(Kind::SymbolicMemory { symbol, offset });
            }
            Operand::Offset(e) => {
                let r = symbol_of(e)?;
                if tables.get(&r.symbol).is_some() {
                    return Err(LowerError::AbsoluteJumpTable(r.symbol));
                }
                let (symbol, offset) = data_address(resolver, &r)?;
                let is_mov_to_reg = ins.mnemonic() == Mnemonic::Mov
                    && ins.op0_kind() == OpKind::Register
                    && (ins.op0_register().is_gpr64() || ins.op0_register().is_gpr32());
                if !is_mov_to_reg {
                    return Err(LowerError::UnsupportedSymbolicOperand);
                }
                return next(Kind::LoadAddress {
                    dst: ins.op0_register().full_register(),
                    symbol,
                    offset,
                });
            }
            Operand::Expr(e) if !e.is_constant() => {
                return Err(LowerError::UnsupportedSymbolicOperand);
            }
            _ => {}
        }
    }
    if ins.is_ip_rel_memory_operand() {
        // `[rip + 16]` without a symbol: a PC-relative offset we cannot keep in raw bytes.
        return Err(LowerError::UnsupportedSymbolicOperand);
    }
    next(Kind::Raw)
}

fn data_address<I>(resolver: &Resolver<'_, I>, r: &SymbolRef) -> Result<(String, i64), LowerError> {
    match resolver.resolve(r, Use::Address)? {
        Resolved::Data { go_name, offset } => Ok((go_name, offset)),
        Resolved::Function(_) => Err(LowerError::FunctionAddress(r.symbol.clone())),
        Resolved::CodeLabel { name, .. } => Err(LowerError::CodeAddressInData(name)),
    }
}

fn mentions_jump_table(src: &AsmInstruction) -> bool {
    !first_symbol(src).is_empty()
}

fn first_symbol(src: &AsmInstruction) -> String {
    src.operands
        .iter()
        .find_map(|op| match op {
            Operand::Mem(m) => m.disp.symbols().first().map(|s| s.to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

/// True for VEX/EVEX/XOP-encoded instructions (those that need VZEROUPPER before Go code
/// runs SSE again).
pub fn is_avx(ins: &Instruction) -> bool {
    matches!(
        ins.encoding(),
        EncodingKind::VEX | EncodingKind::EVEX | EncodingKind::XOP
    )
}
