//! A bounded memo table: the lowering remembers decisions that depend only on an
//! instruction's form (encodings, register accesses, encoder choices), which kernels repeat
//! constantly. The table is cleared when full, so a pathological input cannot grow it
//! without bound; a cleared entry is simply recomputed.

use std::hash::Hash;

use rustc_hash::FxHashMap as HashMap;

/// Entries kept before a memo is cleared.
pub const CAPACITY: usize = 1 << 16;

pub struct Memo<K, V> {
    map: HashMap<K, V>,
}

impl<K: Hash + Eq, V: Copy> Memo<K, V> {
    pub fn new() -> Memo<K, V> {
        Memo {
            map: HashMap::default(),
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.map.get(key).copied()
    }

    pub fn insert(&mut self, key: K, value: V) {
        if self.map.len() >= CAPACITY {
            self.map.clear();
        }
        self.map.insert(key, value);
    }
}

impl<K: Hash + Eq, V: Copy> Default for Memo<K, V> {
    fn default() -> Self {
        Memo::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_stays_bounded() {
        let mut m = Memo::new();
        m.insert(1u32, 10u32);
        assert_eq!(m.get(&1), Some(10));
        assert_eq!(m.get(&2), None);
        for k in 0..(CAPACITY as u32 + 10) {
            m.insert(k, k);
        }
        assert!(m.map.len() <= CAPACITY);
        assert_eq!(m.get(&(CAPACITY as u32 + 9)), Some(CAPACITY as u32 + 9));
    }
}
