//! Mnemonic names as GAS Intel syntax spells them, resolved once to iced-x86's [`Mnemonic`]
//! (plus what a pseudo-mnemonic implies), so nothing after the parser handles them as text.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use iced_x86::Mnemonic as IcedMnemonic;

/// A resolved mnemonic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mnemonic {
    pub base: IcedMnemonic,
    /// Immediate implied by a pseudo-mnemonic (`cmpltps` = `cmpps …, 1`,
    /// `vpcmpnltud` = `vpcmpud …, 5`, `pclmulhqlqdq` = `pclmulqdq …, 1`); appended as the
    /// last operand by the encoder.
    pub implied_imm: Option<u8>,
    /// `movabs`: the 64-bit immediate or 64-bit absolute-address form of `mov`.
    pub movabs: bool,
}

impl Mnemonic {
    /// Resolves a mnemonic as written (any case). `None` if unknown.
    pub fn lookup(text: &str) -> Option<Mnemonic> {
        // This runs once per instruction: names of up to 16 bytes (nearly all) are looked
        // up as one lower-cased packed integer, longer ones by string.
        let tables = tables();
        match packed(text) {
            Some(key) => tables.short.get(&key).copied(),
            None if text.len() <= 32 => tables.long.get(&text.to_ascii_lowercase()).copied(),
            None => None,
        }
    }

    fn plain(base: IcedMnemonic) -> Mnemonic {
        Mnemonic {
            base,
            implied_imm: None,
            movabs: false,
        }
    }
}

/// The lookup key of a mnemonic of up to 16 bytes (nearly all of them).
fn packed(text: &str) -> Option<u128> {
    crate::parse::name_key::lowercase_key::<16>(text).map(u128::from_le_bytes)
}

struct Tables {
    short: HashMap<u128, Mnemonic>,
    long: HashMap<String, Mnemonic>,
}

/// Builds the mnemonic tables now (see [`crate::lower::x86::warm_up`]).
pub(crate) fn warm_up() {
    tables();
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = Tables {
            short: HashMap::default(),
            long: HashMap::default(),
        };
        for (name, m) in build_table() {
            match packed(&name) {
                Some(key) => {
                    t.short.insert(key, m);
                }
                None => {
                    t.long.insert(name, m);
                }
            }
        }
        t
    })
}

fn build_table() -> HashMap<String, Mnemonic> {
    let mut map = HashMap::default();
    // Mnemonics of x86-64 instructions only: Knights Corner's MVEX/VEX-only mnemonics
    // (`vpcmpltd`) would shadow the AVX-512 compare pseudo-mnemonics of the same name.
    for code in iced_x86::Code::values() {
        let m = code.mnemonic();
        let knc = code.op_code().encoding() == iced_x86::EncodingKind::MVEX
            || code.cpuid_features().contains(&iced_x86::CpuidFeature::KNC);
        if m == IcedMnemonic::INVALID || knc {
            continue;
        }
        map.insert(format!("{m:?}").to_ascii_lowercase(), Mnemonic::plain(m));
    }
    // LLVM reads `pushf`/`popf` as the 64-bit forms (iced's `pushf` is the 16-bit one).
    map.insert("pushf".into(), Mnemonic::plain(IcedMnemonic::Pushfq));
    map.insert("popf".into(), Mnemonic::plain(IcedMnemonic::Popfq));
    add_condition_aliases(&mut map);
    add_predicate_pseudos(&mut map);
    // LLVM's spellings of the x87 compare-and-pop-to-EFLAGS instructions.
    for (alias, name) in [("fcompi", "fcomip"), ("fucompi", "fucomip")] {
        if let Some(m) = map.get(name).copied() {
            map.insert(alias.into(), m);
        }
    }
    // Assemblers encode `sal` as `shl` (/4); iced's Sal is the undocumented /6 alias.
    map.insert("sal".into(), Mnemonic::plain(IcedMnemonic::Shl));
    map.insert(
        "movabs".into(),
        Mnemonic {
            base: IcedMnemonic::Mov,
            implied_imm: None,
            movabs: true,
        },
    );
    map
}

/// GAS accepts every spelling of a condition (`jz` = `je`, `setnae` = `setb`, …).
fn add_condition_aliases(map: &mut HashMap<String, Mnemonic>) {
    // (alias, canonical) condition-code suffixes.
    const CONDITIONS: &[(&str, &str)] = &[
        ("z", "e"),
        ("nz", "ne"),
        ("c", "b"),
        ("nae", "b"),
        ("nc", "ae"),
        ("nb", "ae"),
        ("na", "be"),
        ("nbe", "a"),
        ("nge", "l"),
        ("nl", "ge"),
        ("ng", "le"),
        ("nle", "g"),
        ("pe", "p"),
        ("po", "np"),
    ];
    for prefix in ["j", "set", "cmov"] {
        for (alias, canonical) in CONDITIONS {
            if let Some(m) = map.get(&format!("{prefix}{canonical}")).copied() {
                map.entry(format!("{prefix}{alias}")).or_insert(m);
            }
        }
    }
}

/// SSE compare predicates (`cmpltps` = `cmpps …, 1`).
const SSE_PREDICATES: [&str; 8] = ["eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"];

/// AVX compare predicates, in immediate order (0…31).
const AVX_PREDICATES: [&str; 32] = [
    "eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord", "eq_uq", "nge", "ngt", "false",
    "neq_oq", "ge", "gt", "true", "eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq",
    "nle_uq", "ord_s", "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq", "gt_oq",
    "true_us",
];

/// AVX-512 integer compare predicates (`vpcmpltud` = `vpcmpud …, 1`). `eq`/`gt` of the
/// signed forms are real instructions (`vpcmpeqd`), so only unsigned `eq` is a pseudo.
const INT_PREDICATES: [(&str, u8); 7] = [
    ("eq", 0),
    ("lt", 1),
    ("le", 2),
    ("false", 3),
    ("neq", 4),
    ("nlt", 5),
    ("nle", 6),
];

/// Pseudo-mnemonics that stand for a base instruction plus an immediate.
fn add_predicate_pseudos(map: &mut HashMap<String, Mnemonic>) {
    let mut add = |name: String, base: &str, imm: u8| {
        if let Some(m) = map.get(base).copied() {
            map.entry(name).or_insert(Mnemonic {
                base: m.base,
                implied_imm: Some(imm),
                movabs: false,
            });
        }
    };
    for suffix in ["ps", "pd", "ss", "sd", "ph", "sh"] {
        for (imm, p) in SSE_PREDICATES.iter().enumerate() {
            add(
                format!("cmp{p}{suffix}"),
                &format!("cmp{suffix}"),
                imm as u8,
            );
        }
        for (imm, p) in AVX_PREDICATES.iter().enumerate() {
            add(
                format!("vcmp{p}{suffix}"),
                &format!("vcmp{suffix}"),
                imm as u8,
            );
        }
        // Aliases LLVM accepts: `eq_oq` = `eq`, `lt_os` = `lt`, …
        for (alias, imm) in [
            ("eq_oq", 0u8),
            ("lt_os", 1),
            ("le_os", 2),
            ("unord_q", 3),
            ("neq_uq", 4),
            ("nlt_us", 5),
            ("nle_us", 6),
            ("ord_q", 7),
        ] {
            add(
                format!("vcmp{alias}{suffix}"),
                &format!("vcmp{suffix}"),
                imm,
            );
        }
    }
    for ty in ["b", "w", "d", "q", "ub", "uw", "ud", "uq"] {
        for (p, imm) in INT_PREDICATES {
            if p == "eq" && !ty.starts_with('u') {
                continue;
            }
            add(format!("vpcmp{p}{ty}"), &format!("vpcmp{ty}"), imm);
        }
        add(format!("vpcmptrue{ty}"), &format!("vpcmp{ty}"), 7);
    }
    for (name, imm) in [
        ("lqlq", 0x00u8),
        ("hqlq", 0x01),
        ("lqhq", 0x10),
        ("hqhq", 0x11),
    ] {
        add(format!("pclmul{name}dq"), "pclmulqdq", imm);
        add(format!("vpclmul{name}dq"), "vpclmulqdq", imm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_plain_aliases_and_movabs() {
        assert_eq!(
            Mnemonic::lookup("vpaddq").unwrap().base,
            IcedMnemonic::Vpaddq
        );
        assert_eq!(Mnemonic::lookup("JZ").unwrap().base, IcedMnemonic::Je);
        assert_eq!(
            Mnemonic::lookup("cmovnae").unwrap().base,
            IcedMnemonic::Cmovb
        );
        let m = Mnemonic::lookup("movabs").unwrap();
        assert!(m.movabs && m.base == IcedMnemonic::Mov);
        assert!(Mnemonic::lookup("frobnicate").is_none());
        let p = Mnemonic::lookup("vcmpnlt_uqps").unwrap();
        assert_eq!((p.base, p.implied_imm), (IcedMnemonic::Vcmpps, Some(21)));
        let p = Mnemonic::lookup("vpcmpnltud").unwrap();
        assert_eq!((p.base, p.implied_imm), (IcedMnemonic::Vpcmpud, Some(5)));
        // Real instructions stay real.
        assert_eq!(Mnemonic::lookup("vpcmpeqd").unwrap().implied_imm, None);
        assert_eq!(Mnemonic::lookup("vpcmpgtq").unwrap().implied_imm, None);
    }
}
