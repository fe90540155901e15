//! The end of an inlined C body, before the wrapper's result stores: a lowering decision
//! shared by every architecture's wrapper.

use crate::emit::model::{GoOperand, Line};

/// Tidies the end of an inlined body that `label` directly follows: alignment padding
/// after the last instruction only pads towards code that is no longer there, and a final
/// jump to `label` jumps to the next line.
pub fn fall_through_to(lines: &mut Vec<Line>, label: &str) {
    let mut end = lines.len();
    while end > 0 {
        match &lines[end - 1] {
            Line::Native { instr, .. } if instr.op == "PCALIGN" => {
                lines.remove(end - 1);
                end -= 1;
            }
            Line::Label(_) | Line::Comment(_) => end -= 1,
            Line::Native { instr, .. }
                if instr.op == "JMP"
                    && matches!(instr.operands.as_slice(), [GoOperand::Label(l)] if **l == *label) =>
            {
                lines.remove(end - 1);
                return;
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::model::GoInstr;

    #[test]
    fn final_jump_and_trailing_alignment_go() {
        let jmp = |l: &str| Line::Native {
            instr: GoInstr::new("JMP", vec![GoOperand::Label(l.into())]),
            comment: None,
        };
        let align = Line::Native {
            instr: GoInstr::new("PCALIGN", vec![GoOperand::Imm(16)]),
            comment: None,
        };
        let mut lines = vec![jmp("ret"), Line::Label("end".into()), align.clone()];
        fall_through_to(&mut lines, "ret");
        assert_eq!(lines, vec![Line::Label("end".into())]);
        // A jump elsewhere, or one followed by code, stays.
        let mut lines = vec![
            jmp("ret"),
            Line::Word {
                word: 0,
                comment: None,
            },
        ];
        fall_through_to(&mut lines, "ret");
        assert_eq!(lines.len(), 2);
        let mut lines = vec![jmp("other")];
        fall_through_to(&mut lines, "ret");
        assert_eq!(lines.len(), 1);
    }
}
