//! Mnemonic names as GAS Intel syntax spells them, resolved once to iced-x86's [`Mnemonic`]
//! (plus what a pseudo-mnemonic implies), so nothing after the parser handles them as text.

use std::collections::HashMap;
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
        let lower = text.to_ascii_lowercase();
        table().get(lower.as_str()).copied()
    }

    fn plain(base: IcedMnemonic) -> Mnemonic {
        Mnemonic {
            base,
            implied_imm: None,
            movabs: false,
        }
    }
}

fn table() -> &'static HashMap<String, Mnemonic> {
    static TABLE: OnceLock<HashMap<String, Mnemonic>> = OnceLock::new();
    TABLE.get_or_init(build_table)
}

fn build_table() -> HashMap<String, Mnemonic> {
    let mut map = HashMap::new();
    for m in IcedMnemonic::values() {
        if m == IcedMnemonic::INVALID {
            continue;
        }
        map.insert(format!("{m:?}").to_ascii_lowercase(), Mnemonic::plain(m));
    }
    add_condition_aliases(&mut map);
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
    }
}
