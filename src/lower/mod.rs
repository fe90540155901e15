//! Stage 2: parsed items → per-function machine code, analysed and rewritten for Go.

pub mod arg_check;
pub mod arg_operands;
pub mod arg_origins;
pub mod arm64;
pub mod binding;
pub mod c_names;
pub mod call_graph;
pub mod data;
pub mod data_symbols;
pub mod error;
pub mod fall_through;
pub mod inputs;
pub mod jump_tables;
pub mod libc_support;
pub mod nosplit_stack;
pub mod program;
pub mod symbols;
pub mod x86;

pub use error::LowerError;
pub use x86::EncodeError;
