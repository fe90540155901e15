//! The Go assembly file as lowering decided it: symbols, native instructions and raw
//! machine code. Emission only formats this model; it makes no decisions.

/// A Go assembler operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoOperand {
    /// A register by its Go name (`AX`, `X0`, `R11`).
    Reg(&'static str),
    /// `$value`.
    Imm(i64),
    /// `name+offset(FP)`: an argument or result.
    Param { name: String, offset: u32 },
    /// `$name+offset(FP)`: the address of an argument or result (arm64 `MOVD $x+8(FP), R0`).
    ParamAddr { name: String, offset: u32 },
    /// `disp(base)`.
    Mem { base: &'static str, disp: i64 },
    /// `sym+offset(SB)` (memory or, for LEAQ/CALL/JMP, the address).
    Sym { name: String, offset: i64 },
    /// A label in the same TEXT symbol.
    Label(Label),
    /// `$sym+offset(SB)`: the address of a symbol (arm64 `MOVD $sym(SB), R0`).
    Addr { name: String, offset: i64 },
}

/// A native Go instruction: mnemonic as Go spells it plus operands in Go order
/// (source first, destination last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoInstr {
    pub op: &'static str,
    pub operands: Vec<GoOperand>,
}

impl GoInstr {
    pub fn new(op: &'static str, operands: Vec<GoOperand>) -> GoInstr {
        GoInstr { op, operands }
    }
}

/// The machine code of one x86 instruction (at most 15 bytes), stored inline: a function
/// has one per instruction, so a heap allocation each would dominate the lowering.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MachineCode {
    len: u8,
    bytes: [u8; MachineCode::MAX],
}

impl MachineCode {
    /// The longest x86 instruction.
    pub const MAX: usize = 15;

    /// `None` when `bytes` is longer than one instruction can be.
    pub fn new(bytes: &[u8]) -> Option<MachineCode> {
        let mut code = MachineCode {
            len: u8::try_from(bytes.len()).ok()?,
            bytes: [0; MachineCode::MAX],
        };
        code.bytes.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(code)
    }
}

impl std::ops::Deref for MachineCode {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl std::fmt::Debug for MachineCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A label name: shared between the lowering's label table, the label line and the jumps
/// to it (reference-counted, not copied per use).
pub type Label = std::sync::Arc<str>;

/// A comment at the end of an instruction line: mostly the source instruction, shared with
/// the parsed instruction and the input file (not copied per line).
pub type Comment = crate::source::SharedText;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Label(Label),
    /// A native instruction, with the source it stands for (if any) as comment.
    Native {
        instr: GoInstr,
        comment: Option<Comment>,
    },
    /// Machine code emitted verbatim (never PC-relative), with the source instruction.
    Raw {
        bytes: MachineCode,
        comment: Option<Comment>,
    },
    /// One fixed-width instruction word (arm64 `WORD $0x…`, 4 bytes, never PC-relative),
    /// with the source instruction.
    Word {
        word: u32,
        comment: Option<Comment>,
    },
    /// A comment line of its own.
    Comment(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSymbol {
    /// `·name` (Go-visible) or `name<>` (file-local).
    pub name: String,
    /// `NOSPLIT|NOFRAME` etc. (empty = no flags).
    pub flags: &'static str,
    pub frame_size: u32,
    /// `Some(n)` prints `$frame-n`.
    pub args_size: Option<u32>,
    /// Comment lines printed above the TEXT line (e.g. `func f(x int64) (r int64)`).
    pub doc: Vec<String>,
    pub lines: Vec<Line>,
}

/// One initialised piece of a data symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataEntry {
    /// `width` (1, 2, 4, 8) little-endian bytes holding `value`.
    Value { offset: u64, width: u8, value: u64 },
    /// An 8-byte absolute address of another symbol.
    Address {
        offset: u64,
        target: String,
        addend: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataPlacement {
    /// `DATA`/`GLOBL` (Go aligns such symbols to min(32, size)).
    Data { read_only: bool },
    /// A TEXT symbol starting with `PCALIGN $align`: the only way to get 64-byte alignment.
    Text { align: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSymbol {
    /// `name<>`.
    pub name: String,
    pub size: u64,
    pub placement: DataPlacement,
    pub entries: Vec<DataEntry>,
    /// Which source labels live where, printed as comments for readers.
    pub labels: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AsmFile {
    /// Header lines after `// Code generated … DO NOT EDIT.`.
    pub header: Vec<String>,
    /// The full `Code generated` line.
    pub generated_by: String,
    /// `//go:build` expression, if any.
    pub build_constraint: Option<String>,
    /// What the code itself requires of the build, ANDed with `build_constraint` (arm64
    /// code that uses x18: `linux && !android`).
    pub code_constraint: Option<&'static str>,
    /// Whether `funcdata.h` is needed (NO_LOCAL_POINTERS).
    pub needs_funcdata: bool,
    pub data: Vec<DataSymbol>,
    pub texts: Vec<TextSymbol>,
}
