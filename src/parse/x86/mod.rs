//! GAS Intel-syntax x86-64 (`clang -S -masm=intel`, `gcc -S -masm=intel`).

pub mod ast;
pub mod instruction;
pub mod mnemonic;
pub mod operand;
pub mod register;

pub use ast::{Instruction, MemOperand, MemSize, Operand, Prefix, Rounding};
pub use mnemonic::Mnemonic;
