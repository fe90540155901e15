//! GAS AArch64 (`clang --target=aarch64-linux-gnu -S`, `aarch64-linux-gnu-gcc -S`).
//!
//! The parser keeps what the lowering needs from the text — mnemonic, typed operands with
//! their positions (to point at a reserved register, a relocation modifier or an
//! unsupported form) — while the instruction's meaning comes from decoding the assembler's
//! machine code.

pub mod ast;
pub mod instruction;
pub mod operand;
pub mod register;

pub use ast::{Instruction, MemOffset, Operand, Reloc, ShiftKind};
pub use register::{Gpr, VReg, VecShape};
