//! x86 register names as GAS Intel syntax writes them, resolved from iced-x86's own list.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use iced_x86::Register;

/// The lookup key of a register name (every register name has at most 8 bytes).
fn packed(name: &str) -> Option<u64> {
    crate::parse::name_key::lowercase_key::<8>(name).map(u64::from_le_bytes)
}

/// Builds the register table now (see [`crate::lower::x86::warm_up`]).
pub(crate) fn warm_up() {
    table();
}

fn table() -> &'static HashMap<u64, Register> {
    static TABLE: OnceLock<HashMap<u64, Register>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut names: Vec<(String, Register)> = Vec::new();
        for r in Register::values() {
            let name = format!("{r:?}").to_ascii_lowercase();
            if r == Register::None || name.starts_with("dontuse") {
                continue;
            }
            names.push((name, r));
        }
        // GAS spellings that differ from iced's.
        for i in 8..16 {
            if let Some(&(_, r)) = names.iter().find(|(n, _)| *n == format!("r{i}l")) {
                names.push((format!("r{i}b"), r));
            }
        }
        for i in 0..8 {
            if let Some(&(_, r)) = names.iter().find(|(n, _)| *n == format!("st{i}")) {
                names.push((format!("st({i})"), r));
            }
        }
        names.push(("st".into(), Register::ST0));
        names
            .into_iter()
            .filter_map(|(n, r)| Some((packed(&n)?, r)))
            .collect()
    })
}

/// Resolves a register name (any case, `st(3)` allowed). `None` if it is not a register.
pub fn lookup(name: &str) -> Option<Register> {
    table().get(&packed(name)?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_gas_names() {
        assert_eq!(lookup("rax"), Some(Register::RAX));
        assert_eq!(lookup("R8B"), Some(Register::R8L));
        assert_eq!(lookup("r15d"), Some(Register::R15D));
        assert_eq!(lookup("zmm31"), Some(Register::ZMM31));
        assert_eq!(lookup("k1"), Some(Register::K1));
        assert_eq!(lookup("st(3)"), Some(Register::ST3));
        assert_eq!(lookup("st"), Some(Register::ST0));
        assert_eq!(lookup("rip"), Some(Register::RIP));
        assert_eq!(lookup("sil"), Some(Register::SIL));
        assert_eq!(lookup(".LBB0_3"), None);
        assert_eq!(lookup("frobnicator"), None);
    }
}
