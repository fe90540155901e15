//! Per instruction: keep the machine word (`WORD $0x…`) or, for everything PC-relative,
//! write the native Go arm64 instruction that the Go assembler and linker resolve:
//! branches to labels, calls and tail calls to file-local TEXT symbols, `adrp` to
//! `MOVD $sym<>+page(SB)`, and `:lo12:` users re-encoded against that page.
//!
//! `adrp`/`:lo12:` keep the linker's page semantics exactly: each data section becomes one
//! Go symbol treated as if it started on a 4 KiB page, so `adrp` yields symbol + (offset
//! rounded down to 4 KiB) and the `:lo12:` user adds offset mod 4 KiB — correct for any pair
//! the compiler wrote (same symbol and addend, or GCC's section anchors plus small offsets).

use rustc_hash::FxHashMap as HashMap;

use yaxpeax_arm::armv8::a64::{Opcode, Operand, SizeCode};

use super::code::{FnCode, Insn};
use super::object_file::{ObjectFile, Reloc, SectionClass, Target, r_type};
use crate::emit::model::{GoInstr, GoOperand, Line};
use crate::lower::LowerError;

/// Go names of the general-purpose registers (31 is the zero register here; SP never
/// appears in the instructions rewritten natively).
pub const GPR: [&str; 32] = [
    "R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "R13", "R14",
    "R15", "R16", "R17", "R18", "R19", "R20", "R21", "R22", "R23", "R24", "R25", "R26", "R27", "g",
    "R29", "R30", "ZR",
];

const BCOND: [&str; 16] = [
    "BEQ", "BNE", "BHS", "BLO", "BMI", "BPL", "BVS", "BVC", "BHI", "BLS", "BGE", "BLT", "BGT",
    "BLE", "JMP", "JMP",
];

/// What an instruction does to control flow (targets are offsets in the function's
/// section, or function indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Next,
    Jump(u64),
    CondJump(u64),
    Call(usize),
    TailCall(usize),
    Return,
    /// `brk`/`udf`/`hlt` (`__builtin_trap()`): control does not continue.
    Trap,
    /// `br xN`: allowed only as a jump-table dispatch (`table_dispatch` proves it and
    /// records its targets).
    Dispatch,
}

#[derive(Debug, Clone)]
pub struct Lowered {
    pub line: Line,
    pub flow: Flow,
    /// The data section (ELF index) the instruction references, if any.
    pub data: Option<usize>,
    /// `adr xN, label` of a code label of this function: its offset. Allowed only as the
    /// anchor of a jump-table dispatch (`table_dispatch` rewrites it), else an error.
    pub anchor: Option<u64>,
}

impl Lowered {
    /// A return that must stay machine code (`retaa`/`retab` authenticate LR first).
    pub fn is_raw_return(&self) -> bool {
        self.flow == Flow::Return && matches!(self.line, Line::Word { .. })
    }
}

/// What the rewriting needs to know about the file.
pub struct Context<'a> {
    pub object: &'a ObjectFile,
    /// Function entries: (section, offset) → function index.
    pub entries: &'a HashMap<(usize, u64), usize>,
    /// Go names of the C functions (`name<>`).
    pub function_names: &'a [String],
    /// Go names of data sections by ELF index (`name<>`).
    pub data_names: &'a HashMap<usize, String>,
    pub strip_comments: bool,
}

/// A Go label for a source label: `.LBB0_3` → `LBB0_3`.
pub fn go_label(name: &str) -> String {
    crate::lower::symbols::sanitize(name)
}

enum CodeTarget<'a> {
    Label(u64, &'a str),
    Entry(usize),
}

fn pc_offset(d: &yaxpeax_arm::armv8::a64::Instruction) -> Option<i64> {
    d.operands.iter().find_map(|o| match o {
        Operand::PCOffset(v) => Some(*v),
        _ => None,
    })
}

fn gpr(o: &Operand) -> Option<(u16, bool)> {
    match o {
        Operand::Register(size, n) => Some((*n, *size == SizeCode::X)),
        _ => None,
    }
}

impl Context<'_> {
    fn comment(&self, insn: &Insn<'_>) -> Option<crate::emit::model::Comment> {
        (!self.strip_comments).then(|| insn.source.text.as_str().into())
    }

    fn reloc<'b>(&'b self, code: &FnCode<'_>, insn: &Insn<'_>) -> Option<&'b Reloc> {
        self.object
            .sections
            .get(&code.section)?
            .relocs
            .get(&insn.offset)
    }

    /// Where a branch goes: a label of this function or another function's entry.
    fn code_target<'c>(
        &self,
        code: &'c FnCode<'_>,
        insn: &Insn<'_>,
        call: bool,
    ) -> Result<CodeTarget<'c>, LowerError> {
        let (section, offset) = match self.reloc(code, insn) {
            Some(Reloc {
                target: Target::Local { section, offset },
                ..
            }) => (*section, *offset),
            Some(Reloc {
                target: Target::Undefined(name),
                ..
            }) => {
                return Err(if call {
                    LowerError::ExternalCall(name.clone())
                } else {
                    LowerError::ExternalJump(name.clone())
                });
            }
            None => {
                let pc = pc_offset(&insn.decoded).ok_or_else(|| {
                    LowerError::UnsupportedInstruction(insn.source.mnemonic.clone())
                })?;
                (code.section, insn.offset as i64 + pc)
            }
        };
        let offset =
            u64::try_from(offset).map_err(|_| LowerError::PcRelative(insn.source.text.clone()))?;
        if section == code.section
            && offset >= code.start
            && offset < code.end
            && !call
            && let Some(label) = code.labels_at.get(&offset)
        {
            return Ok(CodeTarget::Label(offset, label));
        }
        match self.entries.get(&(section, offset)) {
            Some(f) => Ok(CodeTarget::Entry(*f)),
            None if self
                .object
                .sections
                .get(&section)
                .is_some_and(|s| s.class == SectionClass::Code) =>
            {
                Err(LowerError::CrossFunctionBranch(insn.source.text.clone()))
            }
            None => Err(LowerError::PcRelative(insn.source.text.clone())),
        }
    }

    fn data_ref(&self, target: &Target, text: &str) -> Result<(usize, &str, u64), LowerError> {
        match target {
            Target::Undefined(name) => Err(LowerError::ExternalSymbol(name.clone())),
            Target::Local { section, offset } => {
                let sec = self.object.sections.get(section);
                let is_data = sec.is_some_and(|s| {
                    matches!(
                        s.class,
                        SectionClass::ReadOnly | SectionClass::Writable | SectionClass::Zeroed
                    )
                });
                let name = self.data_names.get(section);
                match (is_data, name, u64::try_from(*offset)) {
                    (true, Some(n), Ok(off)) => Ok((*section, n.as_str(), off)),
                    _ => Err(LowerError::PcRelative(text.to_string())),
                }
            }
        }
    }

    /// Lowers one instruction of `code`.
    pub fn lower(&self, code: &FnCode<'_>, insn: &Insn<'_>) -> Result<Lowered, LowerError> {
        let d = &insn.decoded;
        if let Some(Reloc {
            target: Target::Undefined(name),
            ..
        }) = self.reloc(code, insn)
            && crate::lower::symbols::is_stack_protector_symbol(name)
        {
            return Err(LowerError::StackProtector(insn.source.text.clone()));
        }
        let comment = self.comment(insn);
        let native = |op: &'static str, operands: Vec<GoOperand>, flow: Flow| Lowered {
            line: Line::Native {
                instr: GoInstr::new(op, operands),
                comment: comment.clone(),
            },
            flow,
            data: None,
            anchor: None,
        };
        let label = |offset: u64, name: &str| (offset, GoOperand::Label(go_label(name).into()));
        match d.opcode {
            Opcode::B => match self.code_target(code, insn, false)? {
                CodeTarget::Label(off, name) => {
                    let (o, l) = label(off, name);
                    Ok(native("JMP", vec![l], Flow::Jump(o)))
                }
                CodeTarget::Entry(f) => Ok(native(
                    "JMP",
                    vec![GoOperand::Sym {
                        name: self.function_names[f].clone(),
                        offset: 0,
                    }],
                    Flow::TailCall(f),
                )),
            },
            Opcode::BL => match self.code_target(code, insn, true)? {
                CodeTarget::Entry(f) => Ok(native(
                    "CALL",
                    vec![GoOperand::Sym {
                        name: self.function_names[f].clone(),
                        offset: 0,
                    }],
                    Flow::Call(f),
                )),
                CodeTarget::Label(..) => Err(LowerError::PcRelative(insn.source.text.clone())),
            },
            Opcode::Bcc(_) | Opcode::CBZ | Opcode::CBNZ | Opcode::TBZ | Opcode::TBNZ => {
                let (off, l) = match self.code_target(code, insn, false)? {
                    CodeTarget::Label(off, name) => label(off, name),
                    CodeTarget::Entry(_) => {
                        return Err(LowerError::PcRelative(insn.source.text.clone()));
                    }
                };
                let flow = Flow::CondJump(off);
                Ok(match d.opcode {
                    Opcode::Bcc(cond) if cond >= 14 => native("JMP", vec![l], Flow::Jump(off)),
                    Opcode::Bcc(cond) => native(BCOND[cond as usize & 15], vec![l], flow),
                    Opcode::CBZ | Opcode::CBNZ => {
                        let (n, wide) = gpr(&d.operands[0])
                            .ok_or(LowerError::UnsupportedInstruction(insn.source.text.clone()))?;
                        let op = match (d.opcode == Opcode::CBZ, wide) {
                            (true, true) => "CBZ",
                            (true, false) => "CBZW",
                            (false, true) => "CBNZ",
                            (false, false) => "CBNZW",
                        };
                        native(op, vec![GoOperand::Reg(GPR[n as usize & 31]), l], flow)
                    }
                    _ => {
                        let (n, _) = gpr(&d.operands[0])
                            .ok_or(LowerError::UnsupportedInstruction(insn.source.text.clone()))?;
                        let bit = match d.operands[1] {
                            Operand::Imm16(b) => b as i64,
                            Operand::Immediate(b) => b as i64,
                            _ => {
                                return Err(LowerError::UnsupportedInstruction(
                                    insn.source.text.clone(),
                                ));
                            }
                        };
                        let op = if d.opcode == Opcode::TBZ {
                            "TBZ"
                        } else {
                            "TBNZ"
                        };
                        native(
                            op,
                            vec![GoOperand::Imm(bit), GoOperand::Reg(GPR[n as usize & 31]), l],
                            flow,
                        )
                    }
                })
            }
            Opcode::RET => match d.operands[0] {
                Operand::Register(_, 30) => Ok(native("RET", vec![], Flow::Return)),
                _ => Err(LowerError::UnsupportedInstruction(format!(
                    "{} (return through a register other than x30)",
                    insn.source.text
                ))),
            },
            // Pointer-authenticated returns (-mbranch-protection with armv8.3): kept as
            // machine code, which authenticates LR and returns; such functions are never
            // inlined (see `Lowered::is_raw_return`).
            Opcode::RETAA | Opcode::RETAB => Ok(Lowered {
                line: Line::Word {
                    word: insn.word,
                    comment,
                },
                flow: Flow::Return,
                data: None,
                anchor: None,
            }),
            Opcode::BRK | Opcode::UDF | Opcode::HLT => Ok(Lowered {
                line: Line::Word {
                    word: insn.word,
                    comment,
                },
                flow: Flow::Trap,
                data: None,
                anchor: None,
            }),
            // Indirect, not PC-relative: the word stays; `table_dispatch` must prove it.
            Opcode::BR => Ok(Lowered {
                line: Line::Word {
                    word: insn.word,
                    comment,
                },
                flow: Flow::Dispatch,
                data: None,
                anchor: None,
            }),
            Opcode::ADR if self.reloc(code, insn).is_none() => {
                let target = pc_offset(d)
                    .map(|pc| insn.offset as i64 + pc)
                    .and_then(|t| u64::try_from(t).ok())
                    .filter(|t| (code.start..code.end).contains(t))
                    .ok_or_else(|| LowerError::PcRelative(insn.source.text.clone()))?;
                Ok(Lowered {
                    line: Line::Word {
                        word: insn.word,
                        comment,
                    },
                    flow: Flow::Next,
                    data: None,
                    anchor: Some(target),
                })
            }
            Opcode::BLR => Err(LowerError::IndirectCall),
            Opcode::ADRP | Opcode::ADR => {
                let Some(reloc) = self.reloc(code, insn) else {
                    return Err(LowerError::PcRelative(insn.source.text.clone()));
                };
                let (n, _) = gpr(&d.operands[0])
                    .ok_or(LowerError::UnsupportedInstruction(insn.source.text.clone()))?;
                let page = d.opcode == Opcode::ADRP;
                match reloc.r_type {
                    r_type::ADR_PREL_PG_HI21 | r_type::ADR_PREL_PG_HI21_NC if page => {}
                    r_type::ADR_PREL_LO21 if !page => {}
                    r_type::ADR_GOT_PAGE => {
                        return Err(LowerError::Got(insn.source.text.clone()));
                    }
                    t if t >= r_type::TLS_FIRST => {
                        return Err(LowerError::Tls(insn.source.text.clone()));
                    }
                    t => return Err(LowerError::UnsupportedRelocation(t)),
                }
                let (section, name, off) = self.data_ref(&reloc.target, &insn.source.text)?;
                let offset = if page { off & !0xfff } else { off };
                let mut l = native(
                    "MOVD",
                    vec![
                        GoOperand::Addr {
                            name: name.to_string(),
                            offset: offset as i64,
                        },
                        GoOperand::Reg(GPR[n as usize & 31]),
                    ],
                    Flow::Next,
                );
                l.data = Some(section);
                Ok(l)
            }
            _ => {
                if let Some(reloc) = self.reloc(code, insn) {
                    return self.lo12_user(insn, reloc, comment);
                }
                if pc_offset(d).is_some() {
                    return Err(LowerError::PcRelative(insn.source.text.clone()));
                }
                Ok(Lowered {
                    line: Line::Word {
                        word: insn.word,
                        comment,
                    },
                    flow: Flow::Next,
                    data: None,
                    anchor: None,
                })
            }
        }
    }

    /// An `add`/load/store with a `:lo12:` relocation: its 12-bit immediate re-encoded with
    /// the low 12 bits of the target's offset in its section symbol (scaled by the access
    /// size for loads and stores).
    fn lo12_user(
        &self,
        insn: &Insn<'_>,
        reloc: &Reloc,
        comment: Option<crate::emit::model::Comment>,
    ) -> Result<Lowered, LowerError> {
        let scale = match reloc.r_type {
            r_type::ADD_ABS_LO12_NC | r_type::LDST8_ABS_LO12_NC => 0,
            r_type::LDST16_ABS_LO12_NC => 1,
            r_type::LDST32_ABS_LO12_NC => 2,
            r_type::LDST64_ABS_LO12_NC => 3,
            r_type::LDST128_ABS_LO12_NC => 4,
            r_type::LD64_GOT_LO12_NC => return Err(LowerError::Got(insn.source.text.clone())),
            t if t >= r_type::TLS_FIRST => return Err(LowerError::Tls(insn.source.text.clone())),
            t => return Err(LowerError::UnsupportedRelocation(t)),
        };
        let (section, _, off) = self.data_ref(&reloc.target, &insn.source.text)?;
        let lo12 = (off & 0xfff) as u32;
        if !lo12.is_multiple_of(1 << scale) {
            return Err(LowerError::PcRelative(format!(
                "{} (offset {lo12} is not a multiple of the access size)",
                insn.source.text
            )));
        }
        let word = (insn.word & !(0xfff << 10)) | ((lo12 >> scale) << 10);
        Ok(Lowered {
            line: Line::Word { word, comment },
            flow: Flow::Next,
            data: Some(section),
            anchor: None,
        })
    }
}
