//! How a wrapper addresses each argument and result: as `name+off(FP)` where Go's assembler
//! and `go vet` both read that as the slot, otherwise as `disp(base)` from a register that
//! holds the address of a slot they do accept. Every valid Go parameter name works.
//!
//! What breaks `name+off(FP)` (Go 1.26 sources, checked with `go build` and `go vet` for
//! amd64 and arm64 by `tests/param_names.rs`):
//!
//! 1. The assembler reads the name as a register. cmd/asm/internal/asm/parse.go `operand`
//!    takes an identifier for which `atStartOfRegister` holds (a key of the architecture's
//!    `Register` table, cmd/asm/internal/arch/arch.go) as a register: `g+0(FP)` fails with
//!    "(register+register) not supported". amd64 (`archX86`): cmd/internal/obj/x86 list6.go
//!    `Register` (AL…R15B, AX…R15, AH…BH, F0–F7, M0–M7, K0–K7, X0–X31, Y0–Y31, Z0–Z31,
//!    CS…GS, GDTR, IDTR, LDTR, MSW, TASK, CR0–CR15, DR0–DR7, TR0–TR7, TLS, MAXREG) plus SB, FP,
//!    PC and `g`. arm64 (`archArm64`): R0–R30 but R18 (renamed R18_PLATFORM) and R28
//!    (spelled `g`), ZR (not R31), RSP, F0–F31, V0–V31, LR, SB, FP, PC, SP, `g`, and the 431
//!    system registers of cmd/internal/obj/arm64 sysRegEnc.go (DAIF, NZCV, FPCR, CurrentEL,
//!    SPSel, APIAKeyHi_EL1…). On arm64 `operand` also takes `ARM64SpecialOperand` names (conditions
//!    EQ…NV, CS, CC; PLDL1KEEP…; VMALLE1IS…; DAIFSet, DAIFClr; C, J, JC): "expected '(',
//!    found +". Lower-case spellings (`ax`, `r0`, `sp`) and other names (`N`, `R28` on arm64,
//!    `R0` on amd64) are symbols.
//! 2. The preprocessor expands macros (cmd/asm/internal/lex): the flags of textflag.h
//!    (NOSPLIT…), the names of funcdata.h (NO_LOCAL_POINTERS, PCDATA_UnsafePoint,
//!    FUNCDATA_ArgsPointerMaps, ArgsSizeUnknown…) and cmd/go's `-D` predefines
//!    (cmd/go/internal/work/gc.go `asmArgs`: GOOS_linux, GOARCH_amd64, GOAMD64_v1,
//!    GOARM64_LSE; cmd/asm/main.go: GOEXPERIMENT_x). `NOSPLIT+0(FP)` becomes `4+0(FP)`:
//!    "cannot reference FP without a symbol".
//! 3. `go vet` (x/tools go/analysis/passes/asmdecl) finds operands with `asmNamedFP`, whose
//!    names are `[a-zA-Z0-9_\xFF-\x{10FFFF}]+`: in `naïve+0(FP)` it reads `ve` ("unknown
//!    variable ve"). And it keeps one variable per name, the last declared (`asmParseDecl`),
//!    so earlier slots of a repeated name fail "invalid offset": `_` twice, a parameter `ret`
//!    with an unnamed result, unnamed parameters (`arg`) with a result named `arg`, `x_len`
//!    next to a slice `x`.
//!
//! Rules 1 and 2 are applied as a superset that holds up as the tables grow between Go
//! releases: every name of an upper-case ASCII letter followed by upper-case letters, digits
//! and `_` (all the names above but the few with lower-case letters), plus those few, listed
//! below. A name caught needlessly (`N`) costs one address computation, never correctness.
//!
//! The base register is loaded with `argframe+0(FP)`, which asmdecl accepts by a rule of its
//! own ("Allow argframe+0(FP)"), or, when a parameter is itself called `argframe`, with a slot
//! written by name. Wrappers load it where they would write `name+off(FP)` (SP at its entry
//! value: before switching to the C stack, after restoring it), so the assembler's own FP
//! translation, for frameless and framed TEXT alike (obj6.go, obj7.go), gives the address,
//! and every slot is at its fixed ABI0 distance from it.

use rustc_hash::FxHashMap as HashMap;

use crate::abi::{FrameLayout, Slot};
use crate::emit::model::GoOperand;

/// The argument and result operands of one wrapper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgOperands {
    /// Offsets of the slots addressed from the base register (offsets identify slots: every
    /// slot has at least one byte).
    indirect: Vec<u32>,
    /// The slot whose address the base register holds: (`name`, offset).
    base: Option<(String, u32)>,
}

impl ArgOperands {
    pub fn new(layout: &FrameLayout) -> ArgOperands {
        let slots = || layout.args.iter().chain(&layout.results);
        // asmdecl's variables in declaration order; the last of a name wins.
        let mut vet_vars: HashMap<&str, u32> = HashMap::default();
        for s in slots() {
            if let Some(w) = &s.whole {
                vet_vars.insert(w, s.offset);
            }
            vet_vars.insert(&s.name, s.offset);
        }
        let by_name = |s: &Slot| {
            writable_by_name(&s.name) && vet_vars.get(s.name.as_str()) == Some(&s.offset)
        };
        let indirect: Vec<u32> = slots().filter(|s| !by_name(s)).map(|s| s.offset).collect();
        let base = if indirect.is_empty() {
            None
        } else if !vet_vars.contains_key(ARGFRAME) {
            Some((ARGFRAME.to_string(), 0))
        } else {
            // A parameter is called `argframe`: its last slot (or a later one of that name)
            // is written by name, so one exists.
            slots()
                .find(|s| by_name(s))
                .map(|s| (s.name.clone(), s.offset))
        };
        ArgOperands { indirect, base }
    }

    /// The `name+off(FP)` whose address (`LEAQ`, arm64 `MOVD $…`) the base register must
    /// hold before [`operand`](Self::operand) is used for a slot [`needs_base`](Self::needs_base)
    /// reports; `None` when every slot is written by name.
    pub fn base(&self) -> Option<(&str, u32)> {
        self.base.as_ref().map(|(n, o)| (n.as_str(), *o))
    }

    /// Whether any of `slots` is addressed from the base register.
    pub fn needs_base<'a>(&self, slots: impl IntoIterator<Item = &'a Slot>) -> bool {
        slots.into_iter().any(|s| self.indirect.contains(&s.offset))
    }

    /// `name+off(FP)`, or `disp(base_reg)` for a slot that cannot be written so.
    pub fn operand(&self, slot: &Slot, base_reg: &'static str) -> GoOperand {
        match &self.base {
            Some((_, base)) if self.indirect.contains(&slot.offset) => GoOperand::Mem {
                base: base_reg,
                disp: i64::from(slot.offset) - i64::from(*base),
            },
            _ => GoOperand::Param {
                name: slot.name.clone(),
                offset: slot.offset,
            },
        }
    }
}

/// asmdecl's name for the start of the argument frame, accepted at offset 0 for any
/// function (asmdecl.go: "Allow argframe+0(FP)").
const ARGFRAME: &str = "argframe";

/// Whether `name+off(FP)` assembles and vets as the slot `name`, apart from repeated names.
pub fn writable_by_name(name: &str) -> bool {
    !assembler_reads_otherwise(name) && vet_reads_whole(name)
}

/// Rules 1 and 2 of the module doc: the assembler reads `name` as a register, an arm64
/// special operand or a macro (a superset: see the module doc).
pub fn assembler_reads_otherwise(name: &str) -> bool {
    let upper_case_only = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    upper_case_only
        || name == "g"
        || LOWER_CASE_ARM64.contains(&name)
        || arm64_system_register_el(name)
        || name.starts_with("PCDATA_")
        || name.starts_with("FUNCDATA_")
        || name == "ArgsSizeUnknown"
        || go_predefine(name)
}

/// arm64 register-table and special-operand names with lower-case letters (sysRegEnc.go,
/// specialoperand_string.go) not caught by [`arm64_system_register_el`].
const LOWER_CASE_ARM64: &[&str] = &[
    "CurrentEL",
    "SPSel",
    "SPSR_abt",
    "SPSR_fiq",
    "SPSR_irq",
    "SPSR_und",
    "DAIFSet",
    "DAIFClr",
];

/// System registers named `…_EL<n>` (`APIAKeyHi_EL1`), whatever their case.
fn arm64_system_register_el(name: &str) -> bool {
    name.rsplit_once("_EL").is_some_and(|(head, level)| {
        !head.is_empty() && !level.is_empty() && level.bytes().all(|b| b.is_ascii_digit())
    })
}

/// cmd/go's `-D` predefines for the assembler: `GOOS_linux`, `GOARCH_arm64`, `GOAMD64_v3`,
/// `GOARM64_LSE`, `GOEXPERIMENT_…` (an upper-case `GO…` word, `_`, anything).
fn go_predefine(name: &str) -> bool {
    name.split_once('_').is_some_and(|(head, _)| {
        head.starts_with("GO")
            && head
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

/// Rule 3's character class: asmdecl's `asmNamedFP` sees the whole name.
fn vet_reads_whole(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c >= '\u{FF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{layout, parse_go_decls};
    use crate::source::SourceFile;

    fn operands(sig: &str) -> (FrameLayout, ArgOperands) {
        let f = parse_go_decls(&SourceFile::new("x.go", format!("package p\n{sig}\n")))
            .expect("parse")
            .remove(0);
        let l = layout(&f);
        let ops = ArgOperands::new(&l);
        (l, ops)
    }

    /// Each slot as the wrapper writes it, with `B` for the base register.
    fn written(sig: &str) -> Vec<String> {
        let (l, ops) = operands(sig);
        l.args
            .iter()
            .chain(&l.results)
            .map(|s| match ops.operand(s, "B") {
                GoOperand::Param { name, offset } => format!("{name}+{offset}(FP)"),
                GoOperand::Mem { base, disp } => format!("{disp}({base})"),
                o => format!("{o:?}"),
            })
            .collect()
    }

    #[test]
    fn register_names_of_both_architectures_are_not_written_by_name() {
        for name in [
            // amd64 register table (list6.go) and the pseudo-registers.
            "g",
            "AX",
            "AL",
            "SPB",
            "R8B",
            "R15",
            "AH",
            "F0",
            "M7",
            "K0",
            "X0",
            "X31",
            "Y15",
            "Z31",
            "CS",
            "GS",
            "GDTR",
            "MSW",
            "TASK",
            "CR15",
            "DR7",
            "TR0",
            "TLS",
            "MAXREG",
            "SB",
            "FP",
            "PC", // arm64 register table and special operands.
            "R0",
            "R30",
            "R18_PLATFORM",
            "ZR",
            "RSP",
            "LR",
            "SP",
            "F31",
            "V0",
            "V31",
            "NZCV",
            "DAIF",
            "FPCR",
            "FPSR",
            "CNTVCT_EL0",
            "CurrentEL",
            "SPSel",
            "SPSR_abt",
            "SPSR_und",
            "APIAKeyHi_EL1",
            "APGAKeyLo_EL1",
            "EQ",
            "NV",
            "CS",
            "CC",
            "HS",
            "LO",
            "C",
            "J",
            "JC",
            "PLDL1KEEP",
            "VMALLE1IS",
            "CIGDVAC",
            "DAIFSet",
            "DAIFClr",
            // Macros of textflag.h, funcdata.h and cmd/go's predefines.
            "NOSPLIT",
            "NOFRAME",
            "ABIWRAPPER",
            "GO_ARGS",
            "NO_LOCAL_POINTERS",
            "PCDATA_UnsafePoint",
            "FUNCDATA_ArgsPointerMaps",
            "ArgsSizeUnknown",
            "GOOS_linux",
            "GOARCH_arm64",
            "GOAMD64_v3",
            "GOARM64_LSE",
            "GOEXPERIMENT_regabiargs",
        ] {
            assert!(assembler_reads_otherwise(name), "{name}");
            assert!(!writable_by_name(name), "{name}");
        }
    }

    #[test]
    fn ordinary_names_are_written_by_name() {
        for name in [
            "x", "ax", "r0", "sp", "fp", "g0", "gg", "eq", "zr", "argframe", "Go", "GOod", "Ok_EL",
            "x_EL1a", "日本", "α", "ÿ", "x٣", "beg", "_", "_A", "__base",
        ] {
            assert!(writable_by_name(name), "{name}");
        }
    }

    #[test]
    fn names_vet_reads_in_part_are_not_written_by_name() {
        for name in ["naïve", "ré_x", "é", "µ", "ª"] {
            assert!(!assembler_reads_otherwise(name), "{name}");
            assert!(!writable_by_name(name), "{name}");
        }
    }

    #[test]
    fn no_base_when_every_name_is_written() {
        let (_, ops) = operands("func f(p *int64, n int) (r int64)");
        assert_eq!(ops.base(), None);
        assert_eq!(
            written("func f(p *int64, n int) (r int64)"),
            ["p+0(FP)", "n+8(FP)", "r+16(FP)"]
        );
    }

    #[test]
    fn register_names_are_addressed_from_the_frame_start() {
        let sig = "func f(g int64, x float32, R0 int8) (SP uint16)";
        assert_eq!(operands(sig).1.base(), Some(("argframe", 0)));
        assert_eq!(written(sig), ["0(B)", "x+8(FP)", "12(B)", "16(B)"]);
        // Even when no name at all can be written.
        assert_eq!(
            written("func f(g, AX int64) (X0 int64)"),
            ["0(B)", "8(B)", "16(B)"]
        );
    }

    #[test]
    fn earlier_slots_of_a_repeated_name_are_addressed_from_the_base() {
        assert_eq!(
            written("func f(_ int64, _ int64) (r int64)"),
            ["0(B)", "_+8(FP)", "r+16(FP)"]
        );
        assert_eq!(written("func f(ret int64) int64"), ["0(B)", "ret+8(FP)"]);
        assert_eq!(written("func f(int64) (arg int64)"), ["0(B)", "arg+8(FP)"]);
        assert_eq!(
            written("func f(x []byte, x_len int64)"),
            ["x_base+0(FP)", "8(B)", "x_cap+16(FP)", "x_len+24(FP)"]
        );
        // vet also names a whole string or slice: the result `arg` hides the parameter.
        assert_eq!(
            written("func f(int64) (arg string)"),
            ["0(B)", "arg_base+8(FP)", "arg_len+16(FP)"]
        );
        assert_eq!(written("func f(_ int64)"), ["_+0(FP)"]);
    }

    #[test]
    fn a_parameter_called_argframe_moves_the_base_to_a_named_slot() {
        let sig = "func f(g int64, argframe int64) (AX int64)";
        assert_eq!(operands(sig).1.base(), Some(("argframe", 8)));
        assert_eq!(written(sig), ["-8(B)", "argframe+8(FP)", "8(B)"]);
        let sig = "func f(g int64, argframe []byte)";
        assert_eq!(operands(sig).1.base(), Some(("argframe_base", 8)));
    }
}
