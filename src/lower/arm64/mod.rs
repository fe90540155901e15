//! The AArch64 lowering: the system assembler provides the machine code (see
//! `assembler`), yaxpeax-arm decodes it, and only PC-relative instructions become native
//! Go arm64; everything else is kept word for word.

pub mod arg_use;
pub mod assembler;
pub mod code;
pub mod data;
pub mod object_file;
pub mod pipeline;
pub mod rewrite;
pub mod stack;
pub mod table_dispatch;
pub mod text;
pub mod wrapper;
pub mod writes;

pub use assembler::AssembleError;
