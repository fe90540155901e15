//! GAS Intel-syntax x86-64 (`clang -S -masm=intel`, `gcc -S -masm=intel`).

pub mod ast;
pub mod mnemonic;

pub use ast::{Instruction, MemOperand, MemSize, Operand, Prefix, Rounding};
pub use mnemonic::Mnemonic;
