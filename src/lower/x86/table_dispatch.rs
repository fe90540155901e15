//! Proof that an indirect jump (`jmp reg`) dispatches through a jump table, and therefore
//! that its successors are exactly the table's targets.
//!
//! Compilers dispatch with `lea base, [rip + table]`, `movsxd entry, dword ptr [base +
//! 4*index]`, `add entry, base`, `jmp entry` (clang and GCC alike, with the `lea` often
//! hoisted out of the loop and the table base kept in a callee-saved register across
//! calls). A forward dataflow over the function tracks, per general-purpose register,
//! whether it holds a table's address (`Base`), an entry read from it (`Entry`) or their sum
//! (`Target`); everything else makes a register `Unknown`, as does a merge of differing
//! facts. A `jmp reg` is a table dispatch exactly when `reg` holds `Target(t)` on every path
//! reaching it; its successors are then `t`'s targets, which makes more code reachable, so
//! the analysis repeats until no dispatch gains successors. An index out of the table's
//! range is the C program's own undefined behaviour (the compiler's bounds check precedes
//! every dispatch); it is not a path the translation adds.

use std::rc::Rc;

use rustc_hash::FxHashMap as HashMap;

use iced_x86::{Code, Instruction, Mnemonic, OpKind, Register};

use super::classify::Kind;
use super::flow::{Flow, Transfer};
use super::registers::{CALLEE_SAVED, GprSet, gpr_index};
use crate::lower::LowerError;
use crate::lower::jump_tables::{EntryForm, JumpTables};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Val {
    Unknown,
    /// The address of table `t`.
    Base(usize),
    /// A sign-extended 32-bit entry of table `t`.
    Entry(usize),
    /// Table `t`'s address plus one of its entries: one of its targets.
    Target(usize),
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
    /// The instruction a table's target label names, in this function.
    pub target_index: &'a dyn Fn(&str) -> Option<usize>,
    pub next_function: Option<usize>,
}

/// Resolves every `Transfer::TableJump` of `transfers` (the instruction's successors become
/// its table's targets) or reports it unproven.
pub fn prove(
    f: &Function<'_>,
    transfers: &mut [Transfer],
) -> Result<Dispatches, Vec<(usize, LowerError)>> {
    let mut dispatches = Dispatches::default();
    // Each table's targets as instruction indices, in table order and deduplicated.
    let mut targets_of: HashMap<usize, Rc<[usize]>> = HashMap::default();
    loop {
        let flow = Flow::build(transfers, f.next_function);
        let states = analyse(f, &flow)?;
        let mut changed = false;
        for (i, t) in transfers.iter_mut().enumerate() {
            if !matches!(t, Transfer::TableJump { targets: None }) {
                continue;
            }
            let Some(state) = &states[i] else { continue };
            let reg = f.code[i].op0_register();
            let Some(Val::Target(table)) = gpr_index(reg).map(|g| state[g]) else {
                continue;
            };
            let targets = match targets_of.get(&table) {
                Some(t) => t.clone(),
                None => {
                    let t = resolve_targets(f, table).map_err(|e| vec![(i, e)])?;
                    targets_of.insert(table, t.clone());
                    t
                }
            };
            *t = Transfer::TableJump {
                targets: Some(targets),
            };
            dispatches.insert(i, table);
            changed = true;
        }
        if !changed {
            break;
        }
    }
    let unproven: Vec<(usize, LowerError)> = transfers
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, Transfer::TableJump { targets: None }))
        .map(|(i, _)| (i, LowerError::IndirectJump))
        .collect();
    if unproven.is_empty() {
        Ok(dispatches)
    } else {
        Err(unproven)
    }
}

fn resolve_targets(f: &Function<'_>, table: usize) -> Result<Rc<[usize]>, LowerError> {
    let t = &f.tables.tables[table];
    let mut out = Vec::new();
    for label in t.distinct_targets() {
        match (f.target_index)(label) {
            Some(i) => out.push(i),
            None => {
                return Err(LowerError::UntranslatableJumpTable(
                    t.label.clone(),
                    format!("its target `{label}` is not an instruction of this function"),
                ));
            }
        }
    }
    Ok(out.into())
}

/// The state before every reachable instruction.
fn analyse(f: &Function<'_>, flow: &Flow) -> Result<Vec<Option<State>>, Vec<(usize, LowerError)>> {
    let n = f.code.len();
    let mut states: Vec<Option<State>> = vec![None; n];
    if n == 0 {
        return Ok(states);
    }
    states[0] = Some([Val::Unknown; 16]);
    let mut work = vec![0usize];
    while let Some(i) = work.pop() {
        let Some(pre) = states[i] else { continue };
        let post = transfer(f, flow, i, &pre);
        for &s in flow.succs[i].iter() {
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
    Ok(states)
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
    if flow.calls.contains_key(&i) {
        // The callee follows the System V ABI: only callee-saved registers survive.
        let keep = GprSet::of(&CALLEE_SAVED);
        for (g, v) in post.iter_mut().enumerate() {
            if !keep.contains(super::registers::GPRS[g]) {
                *v = Val::Unknown;
            }
        }
    }
    if let Kind::TableAddress { dst, table } = f.kinds[i] {
        if let Some(d) = reg_of(dst) {
            post[d] = Val::Base(table);
        }
        return post;
    }
    let val = |r: Register| reg_of(r).map(|g| pre[g]).unwrap_or(Val::Unknown);
    let dst = (ins.op_count() > 0 && ins.op0_kind() == OpKind::Register)
        .then(|| reg_of(ins.op0_register()))
        .flatten();
    let Some(d) = dst else { return post };
    let sum = |a: Val, b: Val| match (a, b) {
        (Val::Entry(t), Val::Base(u)) | (Val::Base(u), Val::Entry(t)) if t == u => Val::Target(t),
        _ => Val::Unknown,
    };
    post[d] = match ins.code() {
        // movsxd entry, dword ptr [base + 4*index]
        Code::Movsxd_r64_rm32 if ins.op1_kind() == OpKind::Memory => match val(ins.memory_base()) {
            Val::Base(t)
                if ins.memory_index() != Register::None
                    && ins.memory_index_scale() == 4
                    && ins.memory_displacement64() == 0
                    && ins.segment_prefix() == Register::None
                    && is_offset_table(f, t) =>
            {
                Val::Entry(t)
            }
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
        Code::Mov_r64_rm64 | Code::Mov_rm64_r64
            if ins.op1_kind() == OpKind::Register && ins.mnemonic() == Mnemonic::Mov =>
        {
            val(ins.op1_register())
        }
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

    /// Classifies the single function of `asm` and runs the proof.
    fn run(asm: &str) -> Result<Proven, Vec<(usize, LowerError)>> {
        let file = SourceFile::new("t.s", asm.to_string());
        let items = crate::parse::parse_x86(&file).expect("parses");
        let program = build_program(items).expect("lays out");
        let names = crate::lower::symbols::GoNames::new(&program);
        let resolver = crate::lower::symbols::Resolver {
            program: &program,
            names: &names,
        };
        let tables = JumpTables::find(&program);
        let p = super::super::function::prepare(0, &program.functions[0], None, &resolver, &tables)
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
