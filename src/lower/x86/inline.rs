//! Which C functions run inside their Go wrapper instead of being called, and how much
//! stack the wrapper declares for them.
//!
//! A bound C function is inlined when it is not laid out byte for byte (jump tables,
//! `layout`), is a leaf (no calls, no tail calls, no falling
//! into the next function) that leaves only by `ret`, reads no stack arguments and is
//! declared with none, and its stack use run directly on the Go stack is provable and
//! small: none at all, or at most [`MAX_HEIGHT`] bytes with no dependence on System V's
//! entry alignment ([`depth_at_go_sp`]). Why that is safe: `lower::nosplit_stack`.
//!
//! [`MAX_HEIGHT`]: crate::lower::nosplit_stack::MAX_HEIGHT

use super::flow::Exit;
use super::function::{Prepared, emit};
use super::liveness::Liveness;
use super::stack::{StackSummary, depth_at_go_sp};
use super::wrapper::{Inline, RETURN_LABEL};
use crate::emit::model::{GoOperand, Line};
use crate::lower::nosplit_stack;
use crate::lower::symbols::GoNames;

/// The inlined body of `p` (stack summary `s`) and its declared height, or `None` when it
/// must be called. `stack_args`: the Go declaration passes arguments on the C stack.
pub fn inline_form(
    p: &Prepared,
    s: &StackSummary,
    stack_args: bool,
    liveness: impl FnOnce() -> Liveness,
    names: &GoNames,
    strip_comments: bool,
) -> Option<Inline> {
    let exits_by_ret = p
        .flow
        .exits
        .iter()
        .all(|e| matches!(e, None | Some(Exit::Return)));
    if p.laid_out
        || stack_args
        || s.stack_arg_slots != 0
        || !p.calls.is_empty()
        || !p.tail_calls.is_empty()
        || !exits_by_ret
    {
        return None;
    }
    let depth = if s.max_depth == 0 {
        0
    } else {
        let d = depth_at_go_sp(&p.code, &p.use_defs, &p.flow, s)?;
        nosplit_stack::height(d)?;
        d
    };
    let body = emit(
        p,
        names,
        &liveness(),
        false,
        strip_comments,
        Some(RETURN_LABEL),
    )
    .ok()?
    .lines;
    let saves = if saves_scratch(&body) { 8 } else { 0 };
    let height = nosplit_stack::height(depth + saves)?;
    Some(Inline { body, height })
}

/// Whether the body saves a scratch register below SP around a constant-address load
/// (`function::symbolic_memory`, when no register is free): a raw `push` right before a
/// native `LEAQ sym(SB)`. A C `push` before a constant-address `lea` looks the same and is
/// counted too, which only overstates the height by 8.
fn saves_scratch(body: &[Line]) -> bool {
    body.windows(2).any(|w| match w {
        [Line::Raw { bytes, .. }, Line::Native { instr, .. }] => {
            let push = matches!(**bytes, [0x50..=0x57] | [0x41, 0x50..=0x57]);
            push && instr.op == "LEAQ"
                && matches!(instr.operands.first(), Some(GoOperand::Sym { .. }))
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::model::{GoInstr, MachineCode};

    fn raw(b: &[u8]) -> Line {
        Line::Raw {
            bytes: MachineCode::new(b).expect("bytes"),
            comment: None,
        }
    }

    fn leaq_sym() -> Line {
        Line::Native {
            instr: GoInstr::new(
                "LEAQ",
                vec![
                    GoOperand::Sym {
                        name: "pool<>".into(),
                        offset: 0,
                    },
                    GoOperand::Reg("R11"),
                ],
            ),
            comment: None,
        }
    }

    #[test]
    fn a_push_before_a_constant_address_load_is_a_scratch_save() {
        // push r11 (41 53); LEAQ pool<>(SB), R11
        assert!(saves_scratch(&[
            raw(&[0x41, 0x53]),
            leaq_sym(),
            raw(&[0x41, 0x5b])
        ]));
        // push rbx (53) then something else: the C code's own push.
        assert!(!saves_scratch(&[raw(&[0x53]), raw(&[0x90]), leaq_sym()]));
        // mov rax, rdi: no push at all.
        assert!(!saves_scratch(&[raw(&[0x48, 0x89, 0xf8]), leaq_sym()]));
    }
}
