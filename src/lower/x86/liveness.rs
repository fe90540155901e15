//! General-purpose register liveness of one function (backward dataflow).
//!
//! Two policies answer two questions:
//! - [`Policy::Conservative`] — "is this register free to clobber here?" (scratch for a
//!   constant address): anything that might be read counts as a read, only full writes kill,
//!   calls read every argument register.
//! - [`Policy::Precise`] — "which argument registers does the C code really read?" (arity
//!   check against the Go declaration): zero idioms are writes, any write kills, calls read
//!   what the callee reads, a `push` is not a read. It under-approximates, so its errors
//!   are never false alarms.

use std::cell::RefCell;

use rustc_hash::FxHashMap as HashMap;

use iced_x86::{Instruction, InstructionInfoFactory, Mnemonic, OpAccess, OpKind, UsedRegister};

use super::exact_instruction::ExactInstruction;
use super::flow::{Exit, Flow};
use super::memo::Memo;
use super::registers::{CALLEE_SAVED, GprSet, INT_ARGS, gpr_index};
use iced_x86::Register;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Conservative,
    Precise,
}

/// Per-instruction registers read (before any write) and fully written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct UseDef {
    uses: GprSet,
    defs: GprSet,
}

fn use_def(ins: &Instruction, used: &[UsedRegister], policy: Policy) -> UseDef {
    let mut ud = UseDef::default();
    if policy == Policy::Precise && is_zero_idiom(ins) {
        ud.defs.insert(ins.op0_register());
        return ud;
    }
    // GCC -Os pads the stack with `push r8` (any register): the value only matters if it
    // is popped and used, so a push is not proof that the register is read.
    if policy == Policy::Precise && ins.mnemonic() == Mnemonic::Push {
        return ud;
    }
    for u in used {
        let r = u.register();
        if gpr_index(r).is_none() || r.full_register() == Register::RSP {
            continue;
        }
        let full_width = r.is_gpr64() || r.is_gpr32();
        match u.access() {
            OpAccess::Read | OpAccess::CondRead => ud.uses.insert(r),
            OpAccess::ReadWrite | OpAccess::ReadCondWrite => {
                ud.uses.insert(r);
            }
            OpAccess::Write => {
                if full_width || policy == Policy::Precise {
                    ud.defs.insert(r);
                } else {
                    // A partial write keeps the rest of the register: it stays live.
                    ud.uses.insert(r);
                }
            }
            OpAccess::CondWrite => {
                if policy == Policy::Conservative {
                    ud.uses.insert(r);
                }
            }
            OpAccess::None | OpAccess::NoMemAccess => {}
        }
    }
    // A register both read and written is live before the instruction.
    ud.defs = ud.defs.minus(ud.uses);
    ud
}

/// `xor eax, eax`, `sub ecx, ecx`, `sbb edx, edx`: the result does not depend on the
/// register's old value.
fn is_zero_idiom(ins: &Instruction) -> bool {
    matches!(
        ins.mnemonic(),
        Mnemonic::Xor | Mnemonic::Sub | Mnemonic::Sbb
    ) && ins.op_count() == 2
        && ins.op0_kind() == OpKind::Register
        && ins.op1_kind() == OpKind::Register
        && ins.op0_register() == ins.op1_register()
}

/// Live-in sets of every function already analysed (callees before callers).
pub type LiveIns = HashMap<usize, GprSet>;

/// Liveness of one function.
pub struct Liveness {
    /// Registers live after each instruction.
    pub live_out: Vec<GprSet>,
    /// Registers live at entry.
    pub live_in: GprSet,
}

/// Every instruction's reads and writes under both policies: computed once per function
/// (one iced-x86 info query per instruction), reused by every analysis (the precise one
/// runs to a fixpoint over the call graph) and by the stack model.
#[derive(Debug, Clone, Default)]
pub struct UseDefs {
    precise: Vec<UseDef>,
    conservative: Vec<UseDef>,
    /// General-purpose registers (rsp included) each instruction may write in any way.
    pub writes: Vec<GprSet>,
    /// No instruction but `ret` reads or writes the stack pointer (as an operand, a memory
    /// base or index, or implicitly): the function never touches its stack.
    pub stack_free: bool,
    /// What each instruction does with argument registers (`arg_use`), from the same
    /// instruction-info query.
    pub arg_facts: Vec<super::arg_use::Facts>,
}

/// What one instruction reads and writes, as every analysis needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Access {
    precise: UseDef,
    conservative: UseDef,
    /// Default for the forms whose facts depend on an immediate (`arg_use::by_value`).
    arg: super::arg_use::Facts,
    writes: GprSet,
    touches_sp: bool,
}

fn access(ins: &Instruction, factory: &mut InstructionInfoFactory) -> Access {
    let info = factory.info(ins);
    let used = info.used_registers();
    let mut writes = GprSet::EMPTY;
    for u in used {
        if matches!(
            u.access(),
            OpAccess::Write | OpAccess::CondWrite | OpAccess::ReadWrite | OpAccess::ReadCondWrite
        ) {
            writes.insert(u.register());
        }
    }
    Access {
        precise: use_def(ins, used, Policy::Precise),
        conservative: use_def(ins, used, Policy::Conservative),
        arg: if super::arg_use::by_value(ins) {
            super::arg_use::Facts::default()
        } else {
            super::arg_use::facts(ins, info)
        },
        writes,
        touches_sp: ins.mnemonic() != Mnemonic::Ret
            && used
                .iter()
                .any(|u| u.register().full_register() == Register::RSP),
    }
}

thread_local! {
    /// Register accesses by instruction form: they depend on the code, operand kinds,
    /// registers and prefixes, never on immediates or displacements, and kernels repeat
    /// the same forms constantly.
    static ACCESSES: RefCell<Memo<ExactInstruction, Access>> = RefCell::new(Memo::new());
}

pub fn use_defs(code: &[Instruction]) -> UseDefs {
    let mut factory = InstructionInfoFactory::new();
    let mut out = UseDefs {
        precise: Vec::with_capacity(code.len()),
        conservative: Vec::with_capacity(code.len()),
        writes: Vec::with_capacity(code.len()),
        stack_free: true,
        arg_facts: Vec::with_capacity(code.len()),
    };
    ACCESSES.with(|memo| {
        let mut memo = memo.borrow_mut();
        for ins in code {
            let key = ExactInstruction::register_form(ins);
            let a = match memo.get(&key) {
                Some(a) => a,
                None => {
                    let a = access(ins, &mut factory);
                    memo.insert(key, a);
                    a
                }
            };
            out.stack_free &= !a.touches_sp;
            out.precise.push(a.precise);
            out.conservative.push(a.conservative);
            out.writes.push(a.writes);
            out.arg_facts.push(if super::arg_use::by_value(ins) {
                super::arg_use::facts(ins, factory.info(ins))
            } else {
                a.arg
            });
        }
    });
    out
}

pub fn analyse(
    code: &[Instruction],
    flow: &Flow,
    policy: Policy,
    callee_live_in: &LiveIns,
) -> Liveness {
    analyse_with(&use_defs(code), flow, policy, callee_live_in)
}

/// [`analyse`] with the instructions' reads and writes already computed.
pub fn analyse_with(
    uds: &UseDefs,
    flow: &Flow,
    policy: Policy,
    callee_live_in: &LiveIns,
) -> Liveness {
    let mut ud: Vec<UseDef> = match policy {
        Policy::Precise => uds.precise.clone(),
        Policy::Conservative => uds.conservative.clone(),
    };
    let n = ud.len();
    let callee_saved = GprSet::of(&CALLEE_SAVED);
    let all_args =
        GprSet::of(&INT_ARGS).union(GprSet::of(&[Register::RAX, Register::R10, Register::R11]));
    let callee_in = |f: usize| -> GprSet {
        match (policy, callee_live_in.get(&f)) {
            (Policy::Precise, Some(s)) => *s,
            (Policy::Precise, None) => GprSet::EMPTY,
            (Policy::Conservative, _) => all_args,
        }
    };
    for (i, u) in ud.iter_mut().enumerate() {
        if let Some(&callee) = flow.calls.get(&i) {
            u.uses = u.uses.union(callee_in(callee));
            if policy == Policy::Precise {
                u.defs = u
                    .defs
                    .union(GprSet::of(&super::registers::CALLER_SAVED))
                    .minus(u.uses);
            }
        }
    }
    // What is live where control leaves the function.
    let exit_live = |e: Exit| -> GprSet {
        match (policy, e) {
            (Policy::Precise, Exit::Return) => GprSet::EMPTY,
            (Policy::Precise, Exit::TailCall(f)) => callee_in(f),
            (Policy::Precise, Exit::FallOff) => GprSet::EMPTY,
            (Policy::Conservative, Exit::Return) => {
                callee_saved.union(GprSet::of(&[Register::RAX, Register::RDX]))
            }
            (Policy::Conservative, _) => callee_saved.union(all_args),
        }
    };
    let mut live_in = vec![GprSet::EMPTY; n];
    let mut live_out = vec![GprSet::EMPTY; n];
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let mut out = flow.exits[i].map(exit_live).unwrap_or_default();
            for &s in flow.succs[i].iter() {
                out = out.union(live_in[s]);
            }
            let inn = ud[i].uses.union(out.minus(ud[i].defs));
            if out != live_out[i] || inn != live_in[i] {
                live_out[i] = out;
                live_in[i] = inn;
                changed = true;
            }
        }
    }
    Liveness {
        live_in: live_in.first().copied().unwrap_or_default(),
        live_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::x86::flow::Transfer;
    use iced_x86::Code;

    fn ins2(code: Code, a: Register, b: Register) -> Instruction {
        Instruction::with2(code, a, b).expect("valid test instruction")
    }

    #[test]
    fn zero_idiom_is_not_a_read_for_the_precise_policy() {
        // xor ecx, ecx ; mov rax, rdi ; ret
        let code = vec![
            ins2(Code::Xor_r32_rm32, Register::ECX, Register::ECX),
            ins2(Code::Mov_r64_rm64, Register::RAX, Register::RDI),
            Instruction::with(Code::Retnq),
        ];
        let flow = Flow::build(&[Transfer::Next, Transfer::Next, Transfer::Return], None);
        let precise = analyse(&code, &flow, Policy::Precise, &LiveIns::default());
        assert_eq!(precise.live_in, GprSet::of(&[Register::RDI]));
        let cons = analyse(&code, &flow, Policy::Conservative, &LiveIns::default());
        // iced-x86 itself reports `xor ecx, ecx` as a pure write.
        assert!(!cons.live_in.contains(Register::RCX));
        assert!(
            cons.live_in.contains(Register::RBX),
            "callee-saved live at exit"
        );
        // After `mov rax, rdi`, rax is live (returned); r11 is free.
        assert!(cons.live_out[1].contains(Register::RAX));
        assert!(!cons.live_out[1].contains(Register::R11));
    }

    /// The access memo's premise, on every instruction of the x86 fixtures: clearing an
    /// instruction's values (immediates, displacement, branch target) never changes which
    /// registers it reads or writes.
    #[test]
    fn register_accesses_do_not_depend_on_values() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/x86");
        let mut factory = InstructionInfoFactory::new();
        let mut checked = 0;
        for set in std::fs::read_dir(&root).expect("fixtures").flatten() {
            for f in std::fs::read_dir(set.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if f.path().extension().is_none_or(|e| e != "s") {
                    continue;
                }
                let text = std::fs::read_to_string(f.path()).expect("fixture");
                let file = crate::source::SourceFile::new(f.path(), text);
                let Ok(items) = crate::parse::parse_x86(&file) else {
                    continue;
                };
                for it in items {
                    let crate::parse::Item::Instruction(src) = it.item else {
                        continue;
                    };
                    let Ok(ins) = crate::lower::x86::build(&src) else {
                        continue;
                    };
                    let form = ExactInstruction::register_form(&ins).0;
                    assert_eq!(
                        access(&ins, &mut factory),
                        access(&form, &mut factory),
                        "{}",
                        &*src.text
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "only {checked} instructions checked");
    }

    #[test]
    fn partial_write_keeps_register_live_conservatively() {
        // mov al, 1 ; ret   — rax's upper bits survive: rax is live-in conservatively.
        let code = vec![
            Instruction::with2(Code::Mov_r8_imm8, Register::AL, 1u32).expect("valid"),
            Instruction::with(Code::Retnq),
        ];
        let flow = Flow::build(&[Transfer::Next, Transfer::Return], None);
        let cons = analyse(&code, &flow, Policy::Conservative, &LiveIns::default());
        assert!(cons.live_in.contains(Register::RAX));
    }
}
