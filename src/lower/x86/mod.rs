//! x86-64 specifics of lowering: assembling instructions with iced-x86 and rewriting the
//! ones Go's assembler must see natively.

pub mod assemble;

pub use assemble::{EncodeError, build, encode};
