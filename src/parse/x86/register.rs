//! x86 register names as GAS Intel syntax writes them, resolved from iced-x86's own list.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use iced_x86::Register;

fn table() -> &'static HashMap<String, Register> {
    static TABLE: OnceLock<HashMap<String, Register>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::default();
        for r in Register::values() {
            let name = format!("{r:?}").to_ascii_lowercase();
            if r == Register::None || name.starts_with("dontuse") {
                continue;
            }
            m.insert(name, r);
        }
        // GAS spellings that differ from iced's.
        for i in 8..16 {
            if let Some(r) = m.get(&format!("r{i}l")).copied() {
                m.insert(format!("r{i}b"), r);
            }
        }
        for i in 0..8 {
            if let Some(r) = m.get(&format!("st{i}")).copied() {
                m.insert(format!("st({i})"), r);
            }
        }
        m.insert("st".into(), Register::ST0);
        m
    })
}

/// Resolves a register name (any case, `st(3)` allowed). `None` if it is not a register.
pub fn lookup(name: &str) -> Option<Register> {
    if name.len() > 8 {
        return None;
    }
    let mut buf = [0u8; 8];
    for (i, b) in name.bytes().enumerate() {
        if b == b' ' {
            return None;
        }
        buf[i] = b.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&buf[..name.len()]).ok()?;
    table().get(lower).copied()
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
