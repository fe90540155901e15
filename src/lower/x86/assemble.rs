//! In-process assembler: a parsed Intel-syntax instruction → iced-x86 `Instruction` → bytes,
//! choosing among valid encodings the one LLVM's assembler chooses.

use crate::parse::x86::Instruction as AsmInstruction;

/// Why an instruction cannot be assembled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeError {
    #[error("no encoding of `{mnemonic}` takes these operands")]
    NoMatchingForm { mnemonic: String },
    #[error("immediate {value} does not fit the operand")]
    ImmediateOutOfRange { value: i128 },
    #[error("iced-x86 could not encode the instruction: {0}")]
    Encoder(String),
}

/// Builds the iced-x86 instruction for `ins`.
///
/// Operands naming a symbol are built as placeholders the lowering rewrites: a memory
/// displacement with a symbol gets displacement 0 (RIP-relative operands keep base RIP), a
/// branch or call target gets target 0.
pub fn build(ins: &AsmInstruction) -> Result<iced_x86::Instruction, EncodeError> {
    let _ = ins;
    todo!("implemented by the in-process assembler")
}

/// Encodes `ins` (at IP 0) and returns its bytes.
pub fn encode(ins: &iced_x86::Instruction) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = iced_x86::Encoder::new(64);
    encoder
        .encode(ins, 0)
        .map_err(|e| EncodeError::Encoder(e.to_string()))?;
    Ok(encoder.take_buffer())
}
