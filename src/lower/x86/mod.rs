//! x86-64 specifics of lowering: assembling instructions with iced-x86, control flow,
//! stack and register analyses, and rewriting the instructions Go's assembler must see
//! natively.

pub mod alignment;
pub mod arg_use;
pub mod assemble;
pub mod exact_instruction;
pub mod flow;
pub mod liveness;
pub mod memo;
pub mod registers;
pub mod stack;
pub mod table_dispatch;

pub use assemble::{EncodeError, build, encode};
pub mod classify;
pub mod cold;
pub mod function;
pub mod function_facts;
pub mod inline;
pub mod layout;
pub mod pipeline;
pub mod prepare_reachable;
pub mod wrapper;

/// Builds the x86 tables (mnemonics, registers, encoding candidates: a few milliseconds)
/// on a thread of their own while the caller reads its input, so the parser and the
/// assembler find them ready. Threads that need a table first wait for it (`OnceLock`).
/// Starts one thread per process at most: later calls do nothing.
pub fn warm_up_in_background() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STARTED: AtomicBool = AtomicBool::new(false);
    if !crate::threads::may_spawn() || STARTED.swap(true, Ordering::Relaxed) {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("c2goasm-rs tables".into())
        .spawn(|| {
            crate::parse::x86::mnemonic::warm_up();
            crate::parse::x86::register::warm_up();
            assemble::warm_up();
        });
}
