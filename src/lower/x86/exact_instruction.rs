//! iced-x86 instructions as memo keys: compared bit for bit (iced's own `==` ignores some
//! fields, such as the code size), and optionally with their values (immediates,
//! displacements, branch targets) cleared when only the instruction's form matters.

use iced_x86::Instruction;

/// An instruction compared and hashed bit for bit.
#[derive(Clone, Copy)]
pub struct ExactInstruction(pub Instruction);

impl ExactInstruction {
    /// `ins` without its immediates, displacement and branch target: what decides which
    /// registers it reads and writes (the code, operand kinds, registers, prefixes).
    pub fn register_form(ins: &Instruction) -> ExactInstruction {
        let mut form = *ins;
        form.set_immediate32(0);
        // Also where iced keeps a 64-bit immediate's high half, a branch target and the
        // second 8-bit immediate.
        form.set_memory_displacement64(0);
        ExactInstruction(form)
    }
}

impl PartialEq for ExactInstruction {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_all_bits(&other.0)
    }
}

impl Eq for ExactInstruction {}

impl std::hash::Hash for ExactInstruction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::{Code, MemoryOperand, Register};

    #[test]
    fn register_form_ignores_values_but_not_registers() {
        let add = |r, v| Instruction::with2(Code::Add_rm64_imm32, r, v).expect("add");
        let a = ExactInstruction::register_form(&add(Register::RAX, 5));
        assert!(a == ExactInstruction::register_form(&add(Register::RAX, 99)));
        assert!(a != ExactInstruction::register_form(&add(Register::RCX, 5)));
        let load = |d| {
            Instruction::with2(
                Code::Mov_r64_rm64,
                Register::RAX,
                MemoryOperand::with_base_displ(Register::RDI, d),
            )
            .expect("mov")
        };
        assert!(
            ExactInstruction::register_form(&load(8))
                == ExactInstruction::register_form(&load(-64))
        );
        assert!(ExactInstruction(load(8)) != ExactInstruction(load(-64)));
    }
}
