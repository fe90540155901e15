//! The x86 instruction-set-wide differential (issue 14): instructions generated from
//! iced-x86's own tables — every `Code` of the general-purpose, x87, MMX, SSE…SSE4, AVX,
//! AVX2, FMA, AVX-512 and the other VEX/EVEX families, with random registers (high ones
//! included), memory operands of every base/index/scale/displacement class, VSIB, masks,
//! zeroing, broadcasts, static rounding, SAE and immediates at the edges of their ranges —
//! are printed the way clang writes Intel syntax (iced's bytes disassembled by
//! `llvm-objdump-19 --x86-asm-syntax=intel`, LLVM's own printer), then assembled by
//! `clang-19 -c` and by c2goasm-rs's in-process assembler; the bytes must be identical.
//!
//! `sampled_instruction_set_matches_clang` (normal suite) runs a fixed-seed sample;
//! `full_instruction_set_matches_clang` (`cargo test --release --test isa_differential --
//! --ignored --nocapture`) runs every form and prints the table BENCHMARKS.md reports.
//! Forms LLVM's disassembler does not print as one instruction, or clang does not
//! assemble, are counted but not compared: no compiler emits them.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use c2goasm_rs::parse::x86::instruction::parse_instruction;
use iced_x86::{
    Code, CpuidFeature, Encoder, EncodingKind, Instruction, MemorySize, OpCodeOperandKind as K,
    OpKind, Register, RoundingControl,
};
use object::{Object, ObjectSection};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// The instruction family a `Code` is reported under, from its first CPUID feature.
fn family(code: Code) -> &'static str {
    let f = code.cpuid_features();
    let name = f.first().map(|f| format!("{f:?}")).unwrap_or_default();
    match name.as_str() {
        "FPU" | "FPU287" | "FPU387" | "FPU387SL_ONLY" => "x87",
        "MMX" => "MMX",
        "SSE" | "SSE2" | "SSE3" | "SSSE3" | "SSE4_1" | "SSE4_2" | "SSE4A" => "SSE … SSE4",
        "AVX" | "AVX2" | "FMA" | "F16C" | "FMA4" | "XOP" => "AVX, AVX2, FMA, F16C, FMA4, XOP",
        n if n.starts_with("AVX512") => "AVX-512",
        n if n.starts_with("AVX_") || n.starts_with("VAES") || n.starts_with("VPCLMUL") => {
            "other VEX (VNNI, IFMA, NE-CONVERT, VAES, …)"
        }
        n if n.starts_with("AMX") => "AMX",
        "AES" | "AESKLE" | "SHA" | "GFNI" | "PCLMULQDQ" => "AES, SHA, GFNI, PCLMULQDQ",
        _ => "general-purpose and system",
    }
}

/// Codes a compiler could emit for x86-64: real instructions of 64-bit mode in the
/// legacy, VEX and EVEX encodings, decodable without special decoder options, without
/// PC-relative operands (branches are native Go instructions in our output), and not
/// privileged.
fn candidate_codes() -> Vec<Code> {
    Code::values()
        .filter(|c| {
            let i = c.op_code();
            i.is_instruction()
                && i.mode64()
                && (i.intel_decoder64() || i.amd_decoder64())
                && i.decoder_option() == 0
                && matches!(
                    i.encoding(),
                    EncodingKind::Legacy | EncodingKind::VEX | EncodingKind::EVEX
                )
                && !i.is_privileged()
                && !i.op_kinds().iter().any(|k| {
                    matches!(
                        k,
                        K::br16_1
                            | K::br32_1
                            | K::br64_1
                            | K::br16_2
                            | K::br32_4
                            | K::br64_4
                            | K::xbegin_2
                            | K::xbegin_4
                            | K::brdisp_2
                            | K::brdisp_4
                            | K::farbr2_2
                            | K::farbr4_2
                    )
                })
        })
        .collect()
}

fn regs(first: Register, n: usize) -> Vec<Register> {
    (0..n)
        .map(|k| {
            Register::values()
                .nth(first as usize + k)
                .expect("register")
        })
        .collect()
}

struct Regs {
    gpr8: Vec<Register>,
    gpr16: Vec<Register>,
    gpr32: Vec<Register>,
    gpr64: Vec<Register>,
    index64: Vec<Register>,
}

impl Regs {
    fn new() -> Regs {
        let mut gpr8 = regs(Register::AL, 4);
        gpr8.extend([Register::SPL, Register::BPL, Register::SIL, Register::DIL]);
        gpr8.extend(regs(Register::R8L, 8));
        gpr8.extend([Register::AH, Register::CH, Register::DH, Register::BH]);
        let gpr64 = regs(Register::RAX, 16);
        Regs {
            gpr8,
            gpr16: regs(Register::AX, 16),
            gpr32: regs(Register::EAX, 16),
            index64: gpr64
                .iter()
                .copied()
                .filter(|r| *r != Register::RSP)
                .collect(),
            gpr64,
        }
    }
}

/// What one operand kind is given.
fn register_for(kind: K, evex: bool, rng: &mut Rng, r: &Regs) -> Option<Register> {
    let vec_count = if evex { 32 } else { 16 };
    Some(match kind {
        K::r8_reg | K::r8_opcode | K::r8_or_mem => rng.pick(&r.gpr8),
        K::r16_reg | K::r16_reg_mem | K::r16_rm | K::r16_opcode | K::r16_or_mem => {
            rng.pick(&r.gpr16)
        }
        K::r32_reg
        | K::r32_reg_mem
        | K::r32_rm
        | K::r32_opcode
        | K::r32_vvvv
        | K::r32_or_mem
        | K::r32_or_mem_mpx => rng.pick(&r.gpr32),
        K::r64_reg
        | K::r64_reg_mem
        | K::r64_rm
        | K::r64_opcode
        | K::r64_vvvv
        | K::r64_or_mem
        | K::r64_or_mem_mpx => rng.pick(&r.gpr64),
        K::seg_reg => rng.pick(&[
            Register::ES,
            Register::CS,
            Register::SS,
            Register::DS,
            Register::FS,
            Register::GS,
        ]),
        K::k_reg | K::k_rm | K::k_vvvv | K::k_or_mem => rng.pick(&regs(Register::K0, 8)),
        K::kp1_reg => rng.pick(&[Register::K0, Register::K2, Register::K4, Register::K6]),
        K::mm_reg | K::mm_rm | K::mm_or_mem => rng.pick(&regs(Register::MM0, 8)),
        K::xmm_reg | K::xmm_rm | K::xmm_vvvv | K::xmm_or_mem => {
            rng.pick(&regs(Register::XMM0, vec_count))
        }
        K::xmm_is4 | K::xmm_is5 => rng.pick(&regs(Register::XMM0, 16)),
        K::xmmp3_vvvv => rng.pick(&[Register::XMM0, Register::XMM4, Register::XMM24]),
        K::ymm_reg | K::ymm_rm | K::ymm_vvvv | K::ymm_or_mem => {
            rng.pick(&regs(Register::YMM0, vec_count))
        }
        K::ymm_is4 | K::ymm_is5 => rng.pick(&regs(Register::YMM0, 16)),
        K::zmm_reg | K::zmm_rm | K::zmm_vvvv | K::zmm_or_mem => rng.pick(&regs(Register::ZMM0, 32)),
        K::zmmp3_vvvv => rng.pick(&[Register::ZMM0, Register::ZMM4, Register::ZMM28]),
        K::tmm_reg | K::tmm_rm | K::tmm_vvvv => rng.pick(&regs(Register::TMM0, 8)),
        K::cr_reg => rng.pick(&[Register::CR0, Register::CR2, Register::CR3, Register::CR8]),
        K::dr_reg => rng.pick(&regs(Register::DR0, 8)),
        K::bnd_reg | K::bnd_or_mem_mpx => rng.pick(&regs(Register::BND0, 4)),
        K::sti_opcode => rng.pick(&regs(Register::ST0, 8)),
        K::es => Register::ES,
        K::cs => Register::CS,
        K::ss => Register::SS,
        K::ds => Register::DS,
        K::fs => Register::FS,
        K::gs => Register::GS,
        K::al => Register::AL,
        K::cl => Register::CL,
        K::ax => Register::AX,
        K::dx => Register::DX,
        K::eax => Register::EAX,
        K::rax => Register::RAX,
        K::st0 => Register::ST0,
        _ => return None,
    })
}

fn is_reg_or_mem(kind: K) -> bool {
    matches!(
        kind,
        K::r8_or_mem
            | K::r16_or_mem
            | K::r32_or_mem
            | K::r32_or_mem_mpx
            | K::r64_or_mem
            | K::r64_or_mem_mpx
            | K::mm_or_mem
            | K::xmm_or_mem
            | K::ymm_or_mem
            | K::zmm_or_mem
            | K::bnd_or_mem_mpx
            | K::k_or_mem
    )
}

/// The memory operand classes cycled through: (base, index, scale, displacement).
/// `None` base = absolute; RSP/R12 need a SIB byte, RBP/R13 a displacement.
fn memory(
    i: &mut Instruction,
    op: u32,
    variant: usize,
    rng: &mut Rng,
    r: &Regs,
    vsib: Option<Register>,
) {
    let disps: [i64; 12] = [
        0,
        8,
        -8,
        127,
        -128,
        128,
        -129,
        0x40,
        0x1000,
        -0x1000,
        0x7fff_ffff,
        -0x8000_0000,
    ];
    let base = match variant % 6 {
        0 => Some(rng.pick(&r.gpr64)),
        1 => Some(rng.pick(&[Register::RSP, Register::R12, Register::RBP, Register::R13])),
        2 => None,
        3 if vsib.is_none() => Some(Register::RIP),
        _ => Some(rng.pick(&r.gpr64)),
    };
    let index = match (vsib, base) {
        (Some(v), _) => Some(v),
        (None, Some(Register::RIP)) => None,
        (None, None) => Some(rng.pick(&r.index64)),
        (None, _) if rng.chance(2) => Some(rng.pick(&r.index64)),
        _ => None,
    };
    let scale = if index.is_some() {
        rng.pick(&[1u32, 2, 4, 8])
    } else {
        1
    };
    // EVEX compresses displacements that are multiples of the memory size (disp8*N).
    let disp = if rng.chance(4) {
        64 * (rng.below(5) as i64 - 2)
    } else {
        rng.pick(&disps)
    };
    i.set_op_kind(op, OpKind::Memory);
    i.set_memory_base(base.unwrap_or(Register::None));
    i.set_memory_index(index.unwrap_or(Register::None));
    i.set_memory_index_scale(scale);
    i.set_memory_displacement64(disp as u64);
    let displ_size = match base {
        None | Some(Register::RIP) => 8,
        _ if disp == 0 => 0,
        _ => 1,
    };
    i.set_memory_displ_size(displ_size);
    if variant % 7 == 5 && vsib.is_none() {
        i.set_segment_prefix(rng.pick(&[Register::FS, Register::GS]));
    }
}

fn vsib_index(kind: K, evex: bool, rng: &mut Rng) -> Option<Register> {
    let n = if evex { 32 } else { 16 };
    match kind {
        K::mem_vsib32x | K::mem_vsib64x => Some(rng.pick(&regs(Register::XMM0, n))),
        K::mem_vsib32y | K::mem_vsib64y => Some(rng.pick(&regs(Register::YMM0, n))),
        K::mem_vsib32z | K::mem_vsib64z => Some(rng.pick(&regs(Register::ZMM0, 32))),
        _ => None,
    }
}

/// Immediates at the edges of each kind's range (and a random one).
fn immediate(i: &mut Instruction, op: u32, kind: K, second: bool, rng: &mut Rng) -> bool {
    let r = rng.next();
    match kind {
        K::imm8 | K::imm4_m2z => {
            let v = rng.pick(&[0u8, 1, 0x7f, 0x80, 0xff, r as u8]);
            let v = if kind == K::imm4_m2z { v & 3 } else { v };
            if second {
                i.set_op_kind(op, OpKind::Immediate8_2nd);
                i.set_immediate8_2nd(v);
            } else {
                i.set_op_kind(op, OpKind::Immediate8);
                i.set_immediate8(v);
            }
        }
        K::imm8_const_1 => {
            i.set_op_kind(op, OpKind::Immediate8);
            i.set_immediate8(1);
        }
        K::imm8sex16 => {
            i.set_op_kind(op, OpKind::Immediate8to16);
            i.set_immediate8to16(rng.pick(&[-128i16, -1, 0, 1, 127]));
        }
        K::imm8sex32 => {
            i.set_op_kind(op, OpKind::Immediate8to32);
            i.set_immediate8to32(rng.pick(&[-128i32, -1, 0, 1, 127]));
        }
        K::imm8sex64 => {
            i.set_op_kind(op, OpKind::Immediate8to64);
            i.set_immediate8to64(rng.pick(&[-128i64, -1, 0, 1, 127]));
        }
        K::imm16 => {
            i.set_op_kind(op, OpKind::Immediate16);
            i.set_immediate16(rng.pick(&[0u16, 0x7f, 0x80, 0x7fff, 0x8000, 0xffff, r as u16]));
        }
        K::imm32 => {
            i.set_op_kind(op, OpKind::Immediate32);
            i.set_immediate32(rng.pick(&[
                0u32,
                0x80,
                0x7fff_ffff,
                0x8000_0000,
                0xffff_ffff,
                r as u32,
            ]));
        }
        K::imm32sex64 => {
            i.set_op_kind(op, OpKind::Immediate32to64);
            i.set_immediate32to64(rng.pick(&[-0x8000_0000i64, -129, -1, 0, 128, 0x7fff_ffff]));
        }
        K::imm64 => {
            i.set_op_kind(op, OpKind::Immediate64);
            i.set_immediate64(rng.pick(&[
                0u64,
                0x7fff_ffff,
                0x8000_0000,
                0xffff_ffff,
                0x1_0000_0000,
                0x7fff_ffff_ffff_ffff,
                0x8000_0000_0000_0000,
                u64::MAX,
                r,
            ]));
        }
        _ => return false,
    }
    true
}

/// One random instance of `code` (the `variant`-th), or `None` when an operand kind
/// cannot be generated.
fn instance(code: Code, variant: usize, rng: &mut Rng, r: &Regs) -> Option<Instruction> {
    let info = code.op_code();
    let evex = info.encoding() == EncodingKind::EVEX;
    let mut i = Instruction::default();
    i.set_code(code);
    i.set_code_size(iced_x86::CodeSize::Code64);
    let mut imm_placed = false;
    let mut has_mem = false;
    // Alternate register and memory forms of r/m operands by variant.
    let use_mem = variant % 2 == 1;
    for (op, &kind) in info.op_kinds().iter().enumerate() {
        let op = op as u32;
        if is_reg_or_mem(kind) && use_mem && !has_mem {
            memory(&mut i, op, variant / 2, rng, r, None);
            has_mem = true;
            continue;
        }
        if let Some(reg) = register_for(kind, evex, rng, r) {
            i.set_op_kind(op, OpKind::Register);
            i.set_op_register(op, reg);
            continue;
        }
        match kind {
            K::mem | K::mem_mpx | K::mem_mib | K::sibmem => {
                memory(&mut i, op, variant, rng, r, None);
                has_mem = true;
            }
            K::mem_vsib32x
            | K::mem_vsib64x
            | K::mem_vsib32y
            | K::mem_vsib64y
            | K::mem_vsib32z
            | K::mem_vsib64z => {
                let v = vsib_index(kind, evex, rng);
                memory(&mut i, op, variant, rng, r, v);
                has_mem = true;
            }
            K::mem_offs => {
                i.set_op_kind(op, OpKind::Memory);
                i.set_memory_displacement64(rng.pick(&[0x10u64, 0x1234_5678_9abc_def0]));
                i.set_memory_displ_size(8);
                has_mem = true;
            }
            K::seg_rSI => i.set_op_kind(op, OpKind::MemorySegRSI),
            K::es_rDI => i.set_op_kind(op, OpKind::MemoryESRDI),
            K::seg_rDI => i.set_op_kind(op, OpKind::MemorySegRDI),
            K::seg_rBX_al => {
                i.set_op_kind(op, OpKind::Memory);
                i.set_memory_base(Register::RBX);
                i.set_memory_index(Register::AL);
            }
            _ => {
                if !immediate(&mut i, op, kind, imm_placed, rng) {
                    return None;
                }
                imm_placed = true;
            }
        }
    }
    if info.can_use_op_mask_register() && (info.require_op_mask_register() || rng.chance(2)) {
        i.set_op_mask(rng.pick(&regs(Register::K1, 7)));
        if info.can_use_zeroing_masking() && rng.chance(2) {
            i.set_zeroing_masking(true);
        }
    }
    if has_mem && info.can_broadcast() && rng.chance(2) {
        i.set_is_broadcast(true);
    }
    if !has_mem && info.can_use_rounding_control() && rng.chance(3) {
        i.set_rounding_control(rng.pick(&[
            RoundingControl::RoundToNearest,
            RoundingControl::RoundDown,
            RoundingControl::RoundUp,
            RoundingControl::RoundTowardZero,
        ]));
    } else if !has_mem && info.can_suppress_all_exceptions() && rng.chance(3) {
        i.set_suppress_all_exceptions(true);
    }
    let _ = MemorySize::Unknown;
    Some(i)
}

/// One generated form: its `Code` and iced's bytes.
struct Form {
    code: Code,
    bytes: Vec<u8>,
}

fn generate(codes: &[Code], per_code: usize, seed: u64) -> (Vec<Form>, usize) {
    let r = Regs::new();
    let mut rng = Rng(seed);
    let mut encoder = Encoder::new(64);
    let mut forms = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut tried = 0usize;
    for &code in codes {
        for v in 0..per_code {
            let Some(ins) = instance(code, v, &mut rng, &r) else {
                continue;
            };
            tried += 1;
            if encoder.encode(&ins, 0).is_err() {
                continue;
            }
            let bytes = encoder.take_buffer();
            if seen.insert(bytes.clone()) {
                forms.push(Form { code, bytes });
            }
        }
    }
    (forms, tried)
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("c2goasm-rs-isa-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d.join(name)
}

fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?} ({e}): clang-19 and llvm-objdump-19 (Debian: llvm-19) must be \
             installed; scripts/test.sh installs them",
            cmd.get_program()
        )
    })
}

/// One section per instruction, so a form LLVM decodes to another length cannot shift
/// the others.
fn section_name(k: usize) -> String {
    format!(".text.i{k}")
}

/// LLVM's Intel-syntax text of each form (`None`: not one instruction to LLVM).
fn disassemble(forms: &[Form]) -> Vec<Option<String>> {
    let mut src = String::from(".intel_syntax noprefix\n");
    for (k, f) in forms.iter().enumerate() {
        let bytes: Vec<String> = f.bytes.iter().map(|b| format!("{b:#04x}")).collect();
        let _ = writeln!(
            src,
            ".section {},\"ax\",@progbits\n.byte {}",
            section_name(k),
            bytes.join(",")
        );
    }
    let s = scratch("bytes.s");
    let o = scratch("bytes.o");
    std::fs::write(&s, src).expect("write");
    let out = run(Command::new("clang-19")
        .args(["-c", "--target=x86_64-unknown-linux-gnu"])
        .arg(&s)
        .arg("-o")
        .arg(&o));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(Command::new("llvm-objdump-19")
        .args(["-d", "--x86-asm-syntax=intel", "--no-show-raw-insn"])
        .arg(&o));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines: HashMap<usize, Vec<String>> = HashMap::new();
    let mut current = None;
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("Disassembly of section .text.i") {
            current = rest.trim_end_matches(':').parse::<usize>().ok();
            continue;
        }
        let Some(k) = current else { continue };
        let t = l.trim();
        let Some((addr, ins)) = t.split_once(':') else {
            continue;
        };
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        let ins = ins.split('#').next().unwrap_or("").trim();
        lines.entry(k).or_default().push(ins.to_string());
    }
    (0..forms.len())
        .map(|k| match lines.get(&k).map(Vec::as_slice) {
            Some([one]) if !one.contains("<unknown>") && !one.is_empty() => Some(one.clone()),
            _ => None,
        })
        .collect()
}

/// clang's bytes for each text (`None`: clang rejects it). Rejected lines are dropped and
/// the rest assembled again.
fn clang_bytes(texts: &[(usize, String)]) -> HashMap<usize, Result<Vec<u8>, String>> {
    let mut out: HashMap<usize, Result<Vec<u8>, String>> = HashMap::new();
    let mut pending: Vec<&(usize, String)> = texts.iter().collect();
    for _round in 0..20 {
        let mut src = String::from(".intel_syntax noprefix\n");
        // Line numbers of each instruction (1-based).
        let mut line_of = HashMap::new();
        let mut line = 1;
        for (k, t) in &pending {
            let _ = writeln!(src, ".section {},\"ax\",@progbits", section_name(*k));
            line += 1;
            let _ = writeln!(src, "{t}");
            line += 1;
            line_of.insert(line, *k);
        }
        let s = scratch("text.s");
        let o = scratch("text.o");
        std::fs::write(&s, &src).expect("write");
        let res = run(Command::new("clang-19")
            .args(["-c", "--target=x86_64-unknown-linux-gnu"])
            .arg(&s)
            .arg("-o")
            .arg(&o));
        if res.status.success() {
            let data = std::fs::read(&o).expect("object");
            let obj = object::File::parse(&*data).expect("ELF");
            let mut by_name = HashMap::new();
            for sec in obj.sections() {
                if let Ok(n) = sec.name() {
                    by_name.insert(n.to_string(), sec.data().unwrap_or(&[]).to_vec());
                }
            }
            for (k, _) in &pending {
                let bytes = by_name.get(&section_name(*k)).cloned().unwrap_or_default();
                out.insert(*k, Ok(bytes));
            }
            return out;
        }
        let stderr = String::from_utf8_lossy(&res.stderr);
        let mut rejected = std::collections::HashSet::new();
        for l in stderr.lines() {
            // `/tmp/…/text.s:12:5: error: message`
            let Some(pos) = l.find(": error:") else {
                continue;
            };
            let loc: Vec<&str> = l[..pos].rsplitn(3, ':').collect();
            if let Some(n) = loc.get(1).and_then(|n| n.parse::<usize>().ok())
                && let Some(k) = line_of.get(&n)
            {
                rejected.insert(*k);
                out.insert(*k, Err(l[pos + 8..].trim().to_string()));
            }
        }
        assert!(
            !rejected.is_empty(),
            "clang failed without a located error:\n{stderr}"
        );
        pending.retain(|(k, _)| !rejected.contains(k));
    }
    panic!("clang kept rejecting lines");
}

fn ours(text: &str) -> Result<Vec<u8>, String> {
    let file: std::sync::Arc<str> = std::sync::Arc::from(text);
    let ins = parse_instruction(&file, text, 1, text, 0).map_err(|(_, e)| format!("parse: {e}"))?;
    let built = c2goasm_rs::lower::x86::build(&ins).map_err(|e| format!("build: {e}"))?;
    let code = c2goasm_rs::lower::x86::encode(&built).map_err(|e| format!("encode: {e}"))?;
    Ok(code.to_vec())
}

/// Forms clang accepts that our assembler encodes differently or rejects, on purpose:
/// none of them can occur in compiler output, or clang-19 itself is wrong. Each is
/// recognised by what it is, not by a list of instances; see BENCHMARKS.md.
fn exception(text: &str, theirs: &[u8], ours: &Result<Vec<u8>, String>) -> Option<&'static str> {
    let mut words = text.split_whitespace().filter(|w| !w.starts_with('{'));
    let mnemonic = words.next()?;
    match mnemonic {
        "lcall" | "ljmp" | "retf" | "retfq" | "lret" | "lretq" => {
            return Some(
                "far call/jump/return through a segment selector: x86-64 user code never \
                 changes CS, and branches are native Go instructions in the output",
            );
        }
        "addr32" | "data16" => {
            return Some(
                "an explicit address/operand-size override prefix on an instruction with \
                 implicit operands (`addr32 monitor`): compilers never write one; the \
                 translator rejects these prefixes",
            );
        }
        "rstorssp" => {
            return Some(
                "CET shadow-stack restore, which LLVM prints with `dword ptr` for its 8-byte \
                 operand: no compiler emits it from C",
            );
        }
        "xstorerng" | "xcryptecb" | "xcryptcbc" | "xcryptctr" | "xcryptcfb" | "xcryptofb"
        | "xsha1" | "xsha256" | "montmul" | "xstore" => {
            return Some("VIA PadLock: inline assembly only, no compiler emits it");
        }
        "push" | "pop"
            if matches!(
                text.split_whitespace().nth(1),
                Some("fs" | "gs" | "es" | "ds" | "ss" | "cs")
            ) =>
        {
            return Some(
                "push/pop of a segment register: LLVM assembles `push fs` as the 16-bit \
                 form; no compiler emits it in x86-64 user code",
            );
        }
        _ => {}
    }
    // clang-19 scales the disp8 of a broadcast VGF2P8AFFINE(INV)QB by 1 instead of 8 (its
    // own run-time bug, fixed in LLVM 20: llvm-project#120340); we encode it as the SDM,
    // GNU as and LLVM 20 do.
    if mnemonic.starts_with("vgf2p8affine") && text.contains("{1to") {
        return Some(
            "clang-19 bug: wrong disp8*N for broadcast VGF2P8AFFINE(INV)QB (fixed in LLVM 20, \
             llvm-project#120340); ours follows the SDM and GNU as",
        );
    }
    // LLVM's assembler swaps the sources of a commutative VEX instruction when that allows
    // the 2-byte VEX prefix (X86::optimizeInstFromVEX3ToVEX2). clang's codegen applies the
    // same function before printing, so clang's output is already swapped; GCC's output is
    // assembled without it by GNU as, which c2goasm-rs matches.
    if theirs.first() == Some(&0xc5) && ours.as_ref().is_ok_and(|b| b.first() == Some(&0xc4)) {
        let ops: Vec<&str> = text
            .split_once(char::is_whitespace)
            .map(|(_, rest)| rest.split(", ").collect())
            .unwrap_or_default();
        if ops.len() >= 3 {
            let mut swapped = ops.clone();
            swapped.swap(1, 2);
            let commuted = format!("{mnemonic} {}", swapped.join(", "));
            if self::ours(&commuted).is_ok_and(|b| b == theirs) {
                return Some(
                    "a commutative VEX instruction written with its second source in \
                     xmm8-15: LLVM swaps the sources for a 2-byte VEX prefix, which clang's \
                     own output already has; GNU as keeps them, as c2goasm-rs does",
                );
            }
        }
    }
    None
}

#[derive(Default)]
struct Tally {
    generated: usize,
    encodable: usize,
    printed: usize,
    accepted: usize,
    matched: usize,
    excepted: usize,
}

struct Report {
    by_family: BTreeMap<&'static str, Tally>,
    codes_matched: usize,
    codes: usize,
    failures: Vec<String>,
    /// Per reason: how many forms, and one of them.
    excepted: BTreeMap<&'static str, (usize, String)>,
    /// Per clang error message: how many of LLVM's own printed forms it rejects, and one.
    rejected: BTreeMap<String, (usize, String)>,
}

fn differential(codes: &[Code], per_code: usize, seed: u64) -> Report {
    let (forms, tried) = generate(codes, per_code, seed);
    let mut by_family: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut excepted: BTreeMap<&'static str, (usize, String)> = BTreeMap::new();
    let mut rejected: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut code_ok: HashMap<Code, bool> = HashMap::new();
    // Chunks keep each object's section count moderate.
    for (chunk_no, chunk) in forms.chunks(4000).enumerate() {
        let texts = disassemble(chunk);
        let printed: Vec<(usize, String)> = texts
            .iter()
            .enumerate()
            .filter_map(|(k, t)| t.clone().map(|t| (k, t)))
            .collect();
        let theirs = clang_bytes(&printed);
        for (k, f) in chunk.iter().enumerate() {
            let t = by_family.entry(family(f.code)).or_default();
            t.encodable += 1;
            let Some(text) = &texts[k] else { continue };
            t.printed += 1;
            let want = match theirs.get(&k) {
                Some(Ok(want)) => want,
                Some(Err(message)) => {
                    let e = rejected.entry(message.clone()).or_insert((0, text.clone()));
                    e.0 += 1;
                    continue;
                }
                None => continue,
            };
            t.accepted += 1;
            let got = ours(text);
            let entry = code_ok.entry(f.code).or_insert(true);
            match got {
                Ok(b) if b == *want => t.matched += 1,
                other => {
                    *entry = false;
                    let line = format!(
                        "{text}  [{:?}] clang {:02x?}, ours {}",
                        f.code,
                        want,
                        match other {
                            Ok(b) => format!("{b:02x?}"),
                            Err(e) => e,
                        }
                    );
                    if let Some(why) = exception(text, want, &ours(text)) {
                        t.excepted += 1;
                        let e = excepted.entry(why).or_insert((0, line));
                        e.0 += 1;
                    } else {
                        failures.push(line);
                    }
                }
            }
        }
        let _ = chunk_no;
    }
    let total: usize = by_family.values().map(|t| t.encodable).sum();
    by_family.entry("(all)").or_default().generated = tried;
    let _ = total;
    Report {
        by_family,
        codes_matched: code_ok.values().filter(|ok| **ok).count(),
        codes: code_ok.len(),
        failures,
        excepted,
        rejected,
    }
}

fn print(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| family | encodable forms | printed by LLVM | accepted by clang | identical | exceptions |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    let mut all = Tally::default();
    for (f, t) in &report.by_family {
        if *f == "(all)" {
            all.generated = t.generated;
            continue;
        }
        let _ = writeln!(
            s,
            "| {f} | {} | {} | {} | {} | {} |",
            t.encodable, t.printed, t.accepted, t.matched, t.excepted
        );
        all.encodable += t.encodable;
        all.printed += t.printed;
        all.accepted += t.accepted;
        all.matched += t.matched;
        all.excepted += t.excepted;
    }
    let _ = writeln!(
        s,
        "| **all** ({} generated) | {} | {} | {} | {} ({:.2} %) | {} |",
        all.generated,
        all.encodable,
        all.printed,
        all.accepted,
        all.matched,
        100.0 * all.matched as f64 / all.accepted.max(1) as f64,
        all.excepted
    );
    let _ = writeln!(
        s,
        "\n{} of {} Codes with forms clang accepts are identical in every form; the others \
         differ only in the excepted forms below",
        report.codes_matched, report.codes
    );
    s
}

fn check(report: &Report) {
    eprintln!("{}", print(report));
    for (why, (n, example)) in &report.excepted {
        eprintln!("{n} × {why}\n    e.g. {example}");
    }
    for (why, (n, example)) in &report.rejected {
        eprintln!("clang rejects {n} × `{why}`, e.g. `{example}`");
    }
    assert!(
        report.failures.is_empty(),
        "{} forms differ from clang:\n{}",
        report.failures.len(),
        report.failures[..report
            .failures
            .len()
            .min(if std::env::var("ISA_ALL").is_ok() {
                usize::MAX
            } else {
                60
            })]
            .join("\n")
    );
}

/// A fixed-seed sample of a few thousand forms across every family.
#[test]
fn sampled_instruction_set_matches_clang() {
    let mut codes = candidate_codes();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    // Every 3rd Code (offset by the seed), 2 forms each.
    let offset = rng.below(3);
    codes = codes.into_iter().skip(offset).step_by(3).collect();
    let report = differential(&codes, 2, 0x5eed_1234_abcd_0002);
    check(&report);
}

/// Every candidate Code, 16 forms each.
#[test]
#[ignore = "the full run (about a minute in release): cargo test --release --test isa_differential -- --ignored --nocapture"]
fn full_instruction_set_matches_clang() {
    let codes = candidate_codes();
    // ISA_SEED / ISA_FORMS: other random forms than the reported run's.
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let report = differential(
        &codes,
        env("ISA_FORMS", 16) as usize,
        env("ISA_SEED", 0x1ced_0001),
    );
    let table = print(&report);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("isa_differential.md");
    let _ = std::fs::write(&out, &table);
    eprintln!("table written to {}", out.display());
    check(&report);
}

#[allow(dead_code)]
fn unused(_: CpuidFeature) {}
