//! Everything lowering refuses, each with the fix a user can apply.

use super::x86::EncodeError;

/// Why a construct cannot be translated safely. Each is reported at the offending line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LowerError {
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error("symbol `{0}` is defined twice")]
    DuplicateSymbol(String),
    #[error("instruction outside any function")]
    CodeOutsideFunction,
    #[error("instruction in data section `{0}`")]
    CodeInDataSection(String),
    #[error("data directive inside a function (data in a code section)")]
    DataInCode,
    #[error("`.popsection` without a matching `.pushsection`")]
    SectionStackUnderflow,
    #[error("unsupported directive `{0}`")]
    UnsupportedDirective(String),
    #[error("the file switches to AT&T syntax")]
    AttSyntax,
    #[error("call to `{0}`, which is not defined in this file")]
    ExternalCall(String),
    #[error("jump to `{0}`, which is not defined in this file")]
    ExternalJump(String),
    #[error("reference to `{0}`, which is not defined in this file")]
    ExternalSymbol(String),
    #[error("reference through the GOT (`{0}`)")]
    Got(String),
    #[error("call through the PLT (`{0}`)")]
    Plt(String),
    #[error("thread-local storage access (`{0}`)")]
    Tls(String),
    #[error("jump table (`{0}`) used other than by a table dispatch this tool recognises")]
    JumpTable(String),
    #[error("jump table of absolute addresses (`{0}`): non-PIC code")]
    AbsoluteJumpTable(String),
    #[error("jump table (`{0}`) that cannot be translated: {1}")]
    UntranslatableJumpTable(String, String),
    #[error("indirect jump: its targets cannot be proven to stay inside the function")]
    IndirectJump,
    #[error("indirect call: the callee is unknown")]
    IndirectCall,
    #[error("red-zone use: this accesses {0} bytes below the stack pointer")]
    RedZone(i64),
    #[error("dynamic stack allocation (stack pointer changed by a register amount)")]
    DynamicStack,
    #[error("unsupported change of the stack pointer")]
    UnknownStackChange,
    #[error("stack depth differs between paths reaching this point ({0} vs {1})")]
    StackMismatch(String, String),
    #[error("return with the stack not balanced ({0})")]
    UnbalancedReturn(String),
    #[error("`{0}` is recursive: its stack use is unbounded")]
    Recursion(String),
    #[error("write to the return-address slot")]
    ReturnAddressWrite,
    #[error(
        "the C code reads stack argument #{slot} (argument {arg} of the C function, counting \
         {int_regs} integer and {float_regs} float register arguments before it) but the Go \
         declaration of `{func}` provides {provided} stack arguments"
    )]
    StackArgumentBeyondDeclaration {
        func: String,
        /// 1-based.
        slot: u32,
        /// 1-based position in the C prototype.
        arg: u32,
        int_regs: u32,
        float_regs: u32,
        provided: u32,
    },
    #[error(
        "the C code reads float argument register `{reg}`, but the Go declaration of `{func}` \
         passes {provided} float arguments{}",
        .suspect.as_ref().map(|s| format!("; {s}")).unwrap_or_default()
    )]
    FloatArgumentNotPassed {
        func: String,
        reg: String,
        provided: u32,
        /// Which Go parameters most likely should be floats, as a clause.
        suspect: Option<String>,
    },
    #[error(
        "the C code of `{func}` dereferences argument register `{reg}` (a pointer in C), but \
         the Go declaration passes {what} there"
    )]
    NotAPointer {
        func: String,
        reg: String,
        what: String,
    },
    #[error(
        "the C code of `{func}` dereferences argument register `{reg}` (a pointer in C); the \
         Go declaration passes {what} there"
    )]
    IntegerAsPointer {
        func: String,
        reg: String,
        what: String,
    },
    #[error("the C code of `{func}` never reads {what} (argument register `{reg}`)")]
    UnreadArgument {
        func: String,
        reg: String,
        what: String,
    },
    #[error(
        "the C code reads integer argument register `{reg}` but the Go declaration of `{func}` \
         provides only {provided} integer arguments"
    )]
    IntArgumentBeyondDeclaration {
        func: String,
        reg: String,
        provided: u32,
    },
    #[error("code address `{0}` stored in data")]
    CodeAddressInData(String),
    #[error("unsupported value in data: `{0}`")]
    UnsupportedDataValue(String),
    #[error("the address of function `{0}` is taken")]
    FunctionAddress(String),
    #[error("segment-relative access (`{0}:`)")]
    SegmentOverride(String),
    #[error("this instruction cannot take a symbolic memory operand here")]
    UnsupportedSymbolicOperand,
    #[error("unsupported instruction for translation: {0}")]
    UnsupportedInstruction(String),
    #[error(transparent)]
    Assemble(#[from] super::arm64::AssembleError),
    #[error("register `{0}` belongs to the Go runtime on arm64 ({1})")]
    ReservedRegister(String, &'static str),
    #[error(
        "`x18`, the platform register, is used: the output builds only for `{0}`, where it \
         is an ordinary register (darwin, ios, windows and android reserve it)"
    )]
    PlatformRegister(&'static str),
    #[error("literal-pool pseudo-load `=…`")]
    LiteralPool,
    #[error("the assembler's object does not match the source layout: {0}")]
    LayoutMismatch(String),
    #[error(
        "machine word 0x{0:08x} cannot be decoded (SVE/SME and other extensions the decoder does not know are not supported)"
    )]
    Undecodable(u32),
    #[error("PC-relative reference to `{0}` that cannot be rewritten for Go")]
    PcRelative(String),
    #[error("relocation type {0} is not supported")]
    UnsupportedRelocation(u32),
    #[error("branch into the middle of another function (`{0}`)")]
    CrossFunctionBranch(String),
    #[error("stack-protector canary (`{0}`)")]
    StackProtector(String),
    #[error("{what} would be {size} bytes; at most {limit} can be translated")]
    DataTooLarge {
        /// "data section `.rodata`", or all initialised data so far.
        what: String,
        size: u128,
        limit: u64,
    },
}

impl LowerError {
    /// The fix we suggest; `None` when the message says it all.
    pub fn hint(&self) -> Option<String> {
        let h = match self {
            LowerError::Encode(_) => {
                "this instruction form is not supported by the in-process assembler; please report it"
            }
            LowerError::UnsupportedDirective(d)
                if d.starts_with(".seh_") || matches!(d.as_str(), ".def" | ".scl" | ".endef") =>
            {
                "this is Windows (COFF) output, whose calling convention differs: compile with \
                 an ELF target, --target=x86_64-unknown-linux-gnu (Go assembly is the same on \
                 every OS, so the output works on Windows too)"
            }
            LowerError::UnsupportedDirective(_) => {
                "this directive has no Go assembly equivalent; remove it or compile without the \
                 option that produces it"
            }
            LowerError::AttSyntax => "compile with -masm=intel",
            LowerError::DataTooLarge { .. } => {
                "zero-initialised data belongs in .bss (Go's linker takes symbols up to 2 GB); \
                 initialised tables this large are better loaded at run time than compiled in"
            }
            LowerError::ExternalCall(_) | LowerError::Plt(_) => {
                "only functions defined in the same file can be called (memset, memcpy, \
                 memmove, sqrt, fabs, floor/ceil/trunc/round and, on arm64, fmin/fmax are \
                 provided); define the callee in the C file, or make it static inline"
            }
            LowerError::ExternalJump(_) => {
                "make the tail-called function part of the same file (memset, memcpy and \
                 memmove are provided)"
            }
            LowerError::ExternalSymbol(_) => {
                "define the data in the same C file (static const), not extern"
            }
            LowerError::Got(_) => {
                "make the symbol static, or compile with -fno-pic (or -fno-pie) so it is \
                 addressed directly (RIP-relative on x86-64, adrp on arm64)"
            }
            LowerError::Tls(_) | LowerError::SegmentOverride(_) => {
                "thread-local variables cannot be used from Go assembly; pass state through \
                 arguments"
            }
            LowerError::JumpTable(_) | LowerError::CodeAddressInData(_) => {
                "compile with -fno-jump-tables"
            }
            LowerError::IndirectJump => "compile with -fno-jump-tables",
            LowerError::AbsoluteJumpTable(_) => {
                "compile with -fPIC or -fPIE (the default of Debian's and Ubuntu's compilers): \
                 tables of offsets are translated; or with -fno-jump-tables"
            }
            LowerError::UntranslatableJumpTable(..) => "compile with -fno-jump-tables",
            LowerError::IndirectCall => {
                "call functions directly; function pointers are not supported"
            }
            LowerError::RedZone(_) => "compile with -mno-red-zone",
            LowerError::DynamicStack | LowerError::UnknownStackChange => {
                "the stack pointer must change by constants only: avoid variable-length arrays \
                 and alloca (use fixed-size buffers)"
            }
            LowerError::Recursion(_) => "rewrite the recursion as a loop",
            LowerError::StackMismatch(..) => {
                "a loop that moves the stack pointer is usually a stack-probe loop: compile \
                 with -fno-stack-clash-protection (GCC enables it by default on Ubuntu and \
                 Fedora)"
            }
            LowerError::StackArgumentBeyondDeclaration { .. }
            | LowerError::IntArgumentBeyondDeclaration { .. } => {
                "make the Go declaration's parameters match the C prototype"
            }
            LowerError::FloatArgumentNotPassed { .. } => {
                "declare the C function's `float` parameters as float32 and its `double` \
                 parameters as float64, in the C prototype's order"
            }
            LowerError::NotAPointer { .. } => {
                "a C pointer is `*T` or `unsafe.Pointer` in Go; a Go slice is passed as three \
                 C arguments (pointer, length, capacity) and a string as two (pointer, length): \
                 declare pointers, or give the C function those parameters"
            }
            LowerError::IntegerAsPointer { .. } => {
                "declare the parameter `unsafe.Pointer` or `*T`: an address passed as an \
                 integer does not keep its memory alive for the garbage collector"
            }
            LowerError::UnreadArgument { .. } => {
                "if the C function has this parameter and ignores it, nothing is wrong; \
                 otherwise the Go declaration passes more arguments than the C function \
                 takes: make it match the C prototype (a Go slice is passed as three C \
                 arguments: pointer, length, capacity)"
            }
            LowerError::FunctionAddress(_) => {
                "function pointers cannot be called from translated code; call directly"
            }
            LowerError::ReservedRegister(..) => {
                "compile with -ffixed-x18 -ffixed-x27 -ffixed-x28 (the package flow passes them)"
            }
            LowerError::PlatformRegister(_) => {
                "compile with -ffixed-x18 for code that builds for every GOOS"
            }
            LowerError::StackProtector(_) => {
                "compile with -fno-stack-protector (Ubuntu's and Fedora's compilers enable \
                 -fstack-protector-strong by default); Go checks its own stack bounds"
            }
            LowerError::CrossFunctionBranch(_) => {
                "GCC moves cold paths into a separate `name.cold` function: compile with \
                 -fno-reorder-blocks-and-partition"
            }
            LowerError::LiteralPool => "load constants with adrp/add or movz/movk instead",
            LowerError::Undecodable(_) => "compile for a -march without SVE/SME",
            LowerError::PcRelative(_) => {
                "address data through adrp + :lo12: (the compilers' default code model); \
                 code addresses cannot be taken (compile with -fno-jump-tables)"
            }
            LowerError::CodeOutsideFunction => {
                "label the code with a function symbol (`.type name,@function`)"
            }
            _ => return None,
        };
        Some(h.to_string())
    }
}
