//! The candidate encodings of every mnemonic, derived once from iced-x86's own tables
//! (`Code::values()` + `OpCodeInfo`), never typed by hand.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use iced_x86::{Code, EncodingKind, Instruction, Mnemonic, OpCodeInfo};

/// One encoding a mnemonic can take, with what matching needs precomputed.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub code: Code,
    pub info: &'static OpCodeInfo,
    /// Bytes of the memory operand (0 when unknown/none).
    pub mem_bytes: usize,
    /// Element bytes of the broadcast form (0 when it cannot broadcast).
    pub bcst_bytes: usize,
}

impl Candidate {
    pub fn is_evex(&self) -> bool {
        self.info.encoding() == EncodingKind::EVEX
    }
    pub fn is_vex(&self) -> bool {
        self.info.encoding() == EncodingKind::VEX
    }
}

/// Builds the candidate table now (see [`crate::lower::x86::warm_up`]).
pub(crate) fn warm_up() {
    table();
}

fn table() -> &'static HashMap<Mnemonic, Vec<Candidate>> {
    static TABLE: OnceLock<HashMap<Mnemonic, Vec<Candidate>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map: HashMap<Mnemonic, Vec<Candidate>> = HashMap::default();
        for code in Code::values() {
            let info = code.op_code();
            if !info.is_instruction() || !info.mode64() {
                continue;
            }
            // MVEX (Knights Corner) and 3DNow! are never emitted by clang/GCC for x86-64.
            if matches!(info.encoding(), EncodingKind::MVEX | EncodingKind::D3NOW) {
                continue;
            }
            // Knights Corner's VEX forms (`VEX_KNC_Popcnt_r32_r32`, …) share mnemonics with
            // real instructions and can be shorter: `popcnt r12d, ebx` would become a VEX
            // encoding that faults on every other CPU (found by the ISA-wide differential).
            if code.cpuid_features().contains(&iced_x86::CpuidFeature::KNC) {
                continue;
            }
            // LLVM assembles `push imm` as the 64-bit push; the 16-bit forms need `pushw`.
            if matches!(code, Code::Push_imm16 | Code::Pushw_imm8) {
                continue;
            }
            let mem_bytes = info.memory_size().size();
            let bcst_bytes = if info.can_broadcast() {
                info.broadcast_memory_size().size()
            } else {
                0
            };
            map.entry(code.mnemonic()).or_default().push(Candidate {
                code,
                info,
                mem_bytes,
                bcst_bytes,
            });
        }
        map
    })
}

/// Encodings of `m`, in iced's `Code` order.
pub fn candidates(m: Mnemonic) -> &'static [Candidate] {
    table().get(&m).map(|v| v.as_slice()).unwrap_or(&[])
}

/// An empty instruction for `code` in 64-bit mode.
pub fn blank(code: Code) -> Instruction {
    let mut i = Instruction::default();
    i.set_code(code);
    i.set_code_size(iced_x86::CodeSize::Code64);
    i
}
