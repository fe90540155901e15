//! Proof that an indirect jump (`jmp reg`) dispatches through a jump table, and therefore
//! that its successors are exactly the table's targets.
//!
//! Compilers dispatch with `lea base, [rip + table]`, `movsxd entry, dword ptr [base +
//! 4*index]`, `add entry, base`, `jmp entry` (clang and GCC alike, with the `lea` often
//! hoisted out of the loop and the table base kept in a callee-saved register across
//! calls). A forward dataflow over the function tracks, per general-purpose register,
//! whether it holds a table's address (`Base`), an entry read from it (`Entry`) or their sum
//! (`Target`); everything else makes a register `Unknown`, as does a merge of differing
//! facts. GCC at -O0 spells the same dispatch with the offset computed apart (`lea rdx,
//! [4*rax]`), the entry loaded zero-extended (`mov eax, dword ptr [rdx + rax]`) and
//! sign-extended by `cdqe`: `Scaled4` and `Entry32` follow those steps. A `jmp reg` is a table dispatch exactly when `reg` holds `Target(t)` on every path
//! reaching it; its successors are then `t`'s targets, which makes more code reachable, so
//! the analysis repeats until no dispatch gains successors. An index out of the table's
//! range is the C program's own undefined behaviour (the compiler's bounds check precedes
//! every dispatch); it is not a path the translation adds.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use iced_x86::{Code, Instruction, Mnemonic, OpKind, Register};

use super::classify::Kind;
use super::flow::{Flow, Transfer};
use super::registers::{GprSet, gpr_index};
use crate::lower::LowerError;
use crate::lower::jump_tables::{EntryForm, JumpTables};

/// What a register holds (table indices as `u32`: a state is copied per instruction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Val {
    Unknown,
    /// The address of table `t`.
    Base(u32),
    /// A sign-extended 32-bit entry of table `t`.
    Entry(u32),
    /// A 32-bit entry of table `t`, zero-extended (GCC -O0 loads with `mov eax`, then
    /// sign-extends with `cdqe`).
    Entry32(u32),
    /// Some value times four: an entry's byte offset (GCC -O0 computes `lea rdx, [4*rax]`
    /// and loads from `[rdx + base]`). Its two low bits are zero, so a load at base plus it
    /// reads a whole entry.
    Scaled4,
    /// Table `t`'s address plus one of its entries: one of its targets.
    Target(u32),
}

type State = [Val; 16];

/// The proven dispatches of a function: instruction index → table index.
pub type Dispatches = HashMap<usize, usize>;

/// What the proof needs to know about a function.
pub struct Function<'a> {
    pub code: &'a [Instruction],
    pub kinds: &'a [Kind],
    /// Registers each instruction may write (`UseDefs::writes`).
    pub writes: &'a [GprSet],
    pub tables: &'a JumpTables,
    /// Each table's distinct targets as instructions of this function.
    pub targets: &'a HashMap<usize, Arc<[usize]>>,
    /// What a call of function `f` may write: its own instructions' writes and its callees',
    /// transitively. (GCC keeps a table base in a caller-saved register across calls of
    /// static functions it knows leave it alone, `-fipa-ra`; the System V caller-saved set
    /// would reject that, and the callee's actual writes are what the machine does.)
    pub clobbers: &'a dyn Fn(usize) -> GprSet,
    pub next_function: Option<usize>,
}

/// Resolves every `Transfer::TableJump` of `transfers` (the instruction's successors become
/// its table's targets) or reports it unproven.
///
/// One fixpoint: a dispatch gains its table's targets as successors when a `Target(t)`
/// first reaches it, and the analysis continues with them. Facts only ever weaken (a merge
/// of different facts is `Unknown`), so a dispatch whose register still holds `Target(t)`
/// at the fixpoint holds it on every path, including paths through other dispatches; one
/// that lost it is reported.
pub fn prove(
    f: &Function<'_>,
    transfers: &mut [Transfer],
) -> Result<Dispatches, Vec<(usize, LowerError)>> {
    let flow = Flow::build(transfers, f.next_function);
    let n = f.code.len();
    let mut states: Vec<Option<State>> = vec![None; n];
    let mut resolved: HashMap<usize, (usize, Arc<[usize]>)> = HashMap::default();
    let jump_reg = |i: usize| gpr_index(f.code[i].op0_register());
    if n > 0 {
        states[0] = Some([Val::Unknown; 16]);
    }
    let mut work = vec![0usize];
    while let Some(i) = work.pop() {
        let Some(pre) = states.get(i).copied().flatten() else {
            continue;
        };
        let post = transfer(f, &flow, i, &pre);
        if f.kinds[i] == Kind::TableJump
            && !resolved.contains_key(&i)
            && let Some(Val::Target(table)) = jump_reg(i).map(|g| pre[g])
        {
            let table = table as usize;
            let targets = f.targets.get(&table).cloned().ok_or_else(|| {
                vec![(
                    i,
                    LowerError::UntranslatableJumpTable(
                        f.tables.tables[table].label.clone(),
                        "its targets are not in this function".into(),
                    ),
                )]
            })?;
            resolved.insert(i, (table, targets));
        }
        let succs: &[usize] = match resolved.get(&i) {
            Some((_, t)) => t,
            None => &flow.succs[i],
        };
        for &s in succs {
            let merged = match &states[s] {
                None => Some(post),
                Some(old) => {
                    let mut m = *old;
                    for (a, b) in m.iter_mut().zip(post) {
                        if *a != b {
                            *a = Val::Unknown;
                        }
                    }
                    (m != *old).then_some(m)
                }
            };
            if let Some(m) = merged {
                states[s] = Some(m);
                work.push(s);
            }
        }
    }
    let mut dispatches = Dispatches::default();
    let mut unproven = Vec::new();
    for (i, t) in transfers.iter_mut().enumerate() {
        if !matches!(t, Transfer::TableJump { .. }) {
            continue;
        }
        let held = states[i].and_then(|st| jump_reg(i).map(|g| st[g]));
        match resolved.remove(&i) {
            Some((table, targets)) if held == Some(Val::Target(table as u32)) => {
                *t = Transfer::TableJump {
                    targets: Some(targets),
                };
                dispatches.insert(i, table);
            }
            _ => unproven.push((i, LowerError::IndirectJump)),
        }
    }
    if unproven.is_empty() {
        Ok(dispatches)
    } else {
        Err(unproven)
    }
}

fn reg_of(r: Register) -> Option<usize> {
    r.is_gpr64().then(|| gpr_index(r)).flatten()
}

/// The state after instruction `i`.
fn transfer(f: &Function<'_>, flow: &Flow, i: usize, pre: &State) -> State {
    let ins = &f.code[i];
    let mut post = *pre;
    for g in f.writes[i].indices() {
        post[g] = Val::Unknown;
    }
    if let Some(&callee) = flow.calls.get(&i) {
        for g in (f.clobbers)(callee).indices() {
            post[g] = Val::Unknown;
        }
    }
    if let Kind::TableAddress { dst, table } = f.kinds[i] {
        if let Some(d) = reg_of(dst) {
            post[d] = u32::try_from(table).map_or(Val::Unknown, Val::Base);
        }
        return post;
    }
    let val = |r: Register| reg_of(r).map(|g| pre[g]).unwrap_or(Val::Unknown);
    if ins.code() == Code::Cdqe {
        // rax = sign-extended eax: an entry once it was loaded zero-extended.
        let rax = gpr_index(Register::RAX).unwrap_or(0);
        post[rax] = match pre[rax] {
            Val::Entry32(t) => Val::Entry(t),
            _ => Val::Unknown,
        };
        return post;
    }
    // The 64-bit register a write lands in (a 32-bit write zero-extends into it).
    let dst = (ins.op_count() > 0 && ins.op0_kind() == OpKind::Register)
        .then(|| reg_of(ins.op0_register().full_register()))
        .flatten();
    let Some(d) = dst else { return post };
    let sum = |a: Val, b: Val| match (a, b) {
        (Val::Entry(t), Val::Base(u)) | (Val::Base(u), Val::Entry(t)) if t == u => Val::Target(t),
        _ => Val::Unknown,
    };
    // The table an entry load `[mem]` reads a whole entry of: `[base + 4*index]`, or
    // `[base + offset]` with the offset a multiple of four (either operand order).
    let entry_of = |ins: &Instruction| -> Option<u32> {
        if ins.memory_displacement64() != 0 || ins.segment_prefix() != Register::None {
            return None;
        }
        let (b, x) = (val(ins.memory_base()), val(ins.memory_index()));
        let t = match (ins.memory_index_scale(), b, x) {
            (4, Val::Base(t), _) if ins.memory_index() != Register::None => t,
            (1, Val::Base(t), Val::Scaled4) | (1, Val::Scaled4, Val::Base(t)) => t,
            _ => return None,
        };
        is_offset_table(f, t as usize).then_some(t)
    };
    let wide = ins.op0_register().is_gpr64();
    post[d] = match ins.code() {
        // movsxd entry, dword ptr [base + 4*index]
        Code::Movsxd_r64_rm32 if ins.op1_kind() == OpKind::Memory => {
            entry_of(ins).map_or(Val::Unknown, Val::Entry)
        }
        // mov eax, dword ptr [rdx + rax] (zero-extends)
        Code::Mov_r32_rm32 if ins.op1_kind() == OpKind::Memory => {
            entry_of(ins).map_or(Val::Unknown, Val::Entry32)
        }
        // movsxd rax, eax / cdqe: sign-extends a zero-extended entry.
        Code::Movsxd_r64_rm32 => match val(ins.op1_register().full_register()) {
            Val::Entry32(t) => Val::Entry(t),
            _ => Val::Unknown,
        },
        Code::Add_rm64_r64 | Code::Add_r64_rm64 if ins.op1_kind() == OpKind::Register => {
            sum(val(ins.op0_register()), val(ins.op1_register()))
        }
        // lea target, [entry + base]
        Code::Lea_r64_m
            if ins.memory_index_scale() == 1
                && ins.memory_displacement64() == 0
                && ins.memory_base() != Register::RIP =>
        {
            sum(val(ins.memory_base()), val(ins.memory_index()))
        }
        // lea offset, [4*index]
        Code::Lea_r64_m
            if ins.memory_base() == Register::None
                && ins.memory_index() != Register::None
                && ins.memory_index_scale() == 4
                && ins.memory_displacement64() == 0 =>
        {
            Val::Scaled4
        }
        // sal offset, 2 (or more): a multiple of four, in 32 or 64 bits.
        Code::Shl_rm64_imm8 | Code::Shl_rm32_imm8 if ins.immediate8() >= 2 => Val::Scaled4,
        Code::Mov_r64_rm64 | Code::Mov_rm64_r64
            if ins.op1_kind() == OpKind::Register && ins.mnemonic() == Mnemonic::Mov =>
        {
            val(ins.op1_register())
        }
        _ if !wide => Val::Unknown,
        _ => post[d],
    };
    post
}

/// Tables of 4-byte offsets from the table itself: what `movsxd` + `add` dispatch through.
fn is_offset_table(f: &Function<'_>, t: usize) -> bool {
    let t = &f.tables.tables[t];
    t.width == 4 && t.form == EntryForm::TableRelative
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::program::build_program;
    use crate::source::SourceFile;

    /// Each dispatch with its successors.
    type Proven = Vec<(usize, Vec<usize>)>;

    /// Classifies the single function of `asm` and runs the proof; calls clobber what
    /// System V lets them.
    fn run(asm: &str) -> Result<Proven, Vec<(usize, LowerError)>> {
        run_with(asm, GprSet::of(&super::super::registers::CALLER_SAVED))
    }

    /// [`run`] with calls clobbering `clobbers`.
    fn run_with(asm: &str, clobbers: GprSet) -> Result<Proven, Vec<(usize, LowerError)>> {
        let file = SourceFile::new("t.s", asm.to_string());
        let items = crate::parse::parse_x86(&file).expect("parses");
        let program = build_program(items).expect("lays out");
        let names = crate::lower::symbols::GoNames::new(&program);
        let resolver = crate::lower::symbols::Resolver {
            program: &program,
            names: &names,
        };
        let tables = JumpTables::find(&program);
        let mut p = super::super::function::prepare(
            0,
            &program.functions[0].body,
            None,
            &resolver,
            &tables,
        )
        .map_err(|e| e.into_iter().map(|(_, e)| (0, e)).collect::<Vec<_>>())?;
        super::super::function::prove_dispatch(&mut p, &tables, &|_| clobbers)
            .map_err(|e| e.into_iter().map(|(_, e)| (0, e)).collect::<Vec<_>>())?;
        let mut out: Vec<(usize, Vec<usize>)> = p
            .flow
            .succs
            .iter()
            .enumerate()
            .filter(|(i, _)| p.kinds[*i] == Kind::TableJump)
            .map(|(i, s)| (i, s.to_vec()))
            .collect();
        out.sort();
        Ok(out)
    }

    const HEAD: &str = "\t.text\n\t.intel_syntax noprefix\n\t.globl f\n\t.type f,@function\nf:\n";
    const TABLE: &str = "\t.section .rodata\n\t.p2align 2\n.LJTI0_0:\n\t.long .L1-.LJTI0_0\n\
                         \t.long .L2-.LJTI0_0\n\t.long .L1-.LJTI0_0\n";

    #[test]
    fn hoisted_base_kept_across_a_loop_and_a_call_is_a_dispatch() {
        let asm = format!(
            "{HEAD}\tpush rbx\n\tlea rbx, [rip + .LJTI0_0]\n.Lloop:\n\tcall f\n\
             \tmovsxd rax, dword ptr [rbx + 4*rdi]\n\tadd rax, rbx\n\tjmp rax\n\
             .L1:\n\tdec rdi\n\tjnz .Lloop\n\tpop rbx\n\tret\n.L2:\n\tjmp .Lloop\n{TABLE}"
        );
        // Instructions: 0 push, 1 lea, 2 call, 3 movsxd, 4 add, 5 jmp, 6 dec (.L1), …, 10 jmp (.L2)
        assert_eq!(run(&asm).expect("proven"), vec![(5, vec![6, 10])]);
    }

    #[test]
    fn gcc_lea_sum_and_register_copies_are_followed() {
        let asm = format!(
            "{HEAD}\tlea rdx, .LJTI0_0[rip]\n\tmov r8, rdx\n\tmovsx rax, DWORD PTR [r8+rdi*4]\n\
             \tlea rcx, [rax+rdx]\n\tnotrack jmp rcx\n.L1:\n\tret\n.L2:\n\tret\n{TABLE}"
        );
        assert_eq!(run(&asm).expect("proven"), vec![(4, vec![5, 6])]);
    }

    #[test]
    fn a_base_clobbered_by_a_call_or_a_merge_is_not_proof() {
        // rcx is caller-saved: the call may change it.
        let asm = format!(
            "{HEAD}\tlea rcx, [rip + .LJTI0_0]\n\tcall f\n\tmovsxd rax, dword ptr [rcx + 4*rdi]\n\
             \tadd rax, rcx\n\tjmp rax\n.L1:\n\tret\n.L2:\n\tret\n{TABLE}"
        );
        assert_eq!(run(&asm).unwrap_err()[0].1, LowerError::IndirectJump);
        // Unless the callee is known to leave rcx alone (GCC's -fipa-ra relies on that).
        let rax = GprSet::of(&[Register::RAX]);
        assert_eq!(run_with(&asm, rax).expect("proven"), vec![(4, vec![5, 6])]);
        // On one path rax is a function pointer argument.
        let asm = format!(
            "{HEAD}\ttest rsi, rsi\n\tmov rax, rdi\n\tje .L3\n\tlea rcx, [rip + .LJTI0_0]\n\
             \tmovsxd rax, dword ptr [rcx + 4*rdi]\n\tadd rax, rcx\n.L3:\n\tjmp rax\n\
             .L1:\n\tret\n.L2:\n\tret\n{TABLE}"
        );
        assert_eq!(run(&asm).unwrap_err()[0].1, LowerError::IndirectJump);
        // An entry added to another register is not a target.
        let asm = format!(
            "{HEAD}\tlea rcx, [rip + .LJTI0_0]\n\tmovsxd rax, dword ptr [rcx + 4*rdi]\n\
             \tadd rax, rsi\n\tjmp rax\n.L1:\n\tret\n.L2:\n\tret\n{TABLE}"
        );
        assert_eq!(run(&asm).unwrap_err()[0].1, LowerError::IndirectJump);
    }

    #[test]
    fn gcc_o0_offset_zero_extended_load_and_cdqe_are_followed() {
        let asm = format!(
            "{HEAD}\tmov eax, edi\n\tlea rdx, 0[0+rax*4]\n\tlea rax, .LJTI0_0[rip]\n\
             \tmov eax, DWORD PTR [rdx+rax]\n\tcdqe\n\tlea rdx, .LJTI0_0[rip]\n\
             \tadd rax, rdx\n\tjmp rax\n.L1:\n\tret\n.L2:\n\tret\n{TABLE}"
        );
        assert_eq!(run(&asm).expect("proven"), vec![(7, vec![8, 9])]);
        // The offset shifted into place.
        let asm = format!(
            "{HEAD}\tmov rdx, rdi\n\tsal rdx, 2\n\tlea rax, .LJTI0_0[rip]\n\
             \tmov eax, DWORD PTR [rdx+rax]\n\tcdqe\n\tlea rdx, .LJTI0_0[rip]\n\
             \tadd rax, rdx\n\tjmp rax\n.L1:\n\tret\n.L2:\n\tret\n{TABLE}"
        );
        assert_eq!(run(&asm).expect("proven"), vec![(7, vec![8, 9])]);
        // An offset that is not a multiple of four reads across entries: not a dispatch.
        let asm = format!(
            "{HEAD}\tlea rdx, 0[0+rdi*2]\n\tlea rax, .LJTI0_0[rip]\n\
             \tmov eax, DWORD PTR [rdx+rax]\n\tcdqe\n\tlea rdx, .LJTI0_0[rip]\n\
             \tadd rax, rdx\n\tjmp rax\n.L1:\n\tret\n.L2:\n\tret\n{TABLE}"
        );
        assert_eq!(run(&asm).unwrap_err()[0].1, LowerError::IndirectJump);
        // A zero-extended entry is not a target offset until sign-extended.
        let asm = format!(
            "{HEAD}\tlea rcx, [rip + .LJTI0_0]\n\tmov eax, dword ptr [rcx + 4*rdi]\n\
             \tadd rax, rcx\n\tjmp rax\n.L1:\n\tret\n.L2:\n\tret\n{TABLE}"
        );
        assert_eq!(run(&asm).unwrap_err()[0].1, LowerError::IndirectJump);
    }

    #[test]
    fn dispatches_reached_only_through_another_table_are_proven() {
        let asm = format!(
            "{HEAD}\tlea rcx, [rip + .LJTI0_0]\n\tmovsxd rax, dword ptr [rcx + 4*rdi]\n\
             \tadd rax, rcx\n\tjmp rax\n.L1:\n\tret\n.L2:\n\tlea rcx, [rip + .LJTI0_1]\n\
             \tmovsxd rax, dword ptr [rcx + 4*rsi]\n\tadd rax, rcx\n\tjmp rax\n.L3:\n\tret\n\
             {TABLE}.LJTI0_1:\n\t.long .L3-.LJTI0_1\n\t.long .L1-.LJTI0_1\n"
        );
        assert_eq!(
            run(&asm).expect("proven"),
            vec![(3, vec![4, 5]), (8, vec![9, 4])]
        );
    }
}
