//! Lookup keys for short names (registers, mnemonics): the name lower-cased into a
//! zero-padded byte array, so a table lookup hashes and compares one or two words instead
//! of a string.

/// `name` lower-cased and zero-padded to `N` bytes, if it has 1 to `N` bytes and neither
/// whitespace nor a zero byte (the padding: it must not let a longer name equal a shorter).
pub fn lowercase_key<const N: usize>(name: &str) -> Option<[u8; N]> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > N {
        return None;
    }
    let mut key = [0u8; N];
    for (k, b) in key.iter_mut().zip(bytes) {
        if *b == 0 || b.is_ascii_whitespace() {
            return None;
        }
        *k = b.to_ascii_lowercase();
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_and_reject_what_padding_could_confuse() {
        assert_eq!(lowercase_key::<4>("RaX"), Some(*b"rax\0"));
        assert_eq!(lowercase_key::<4>("rax"), lowercase_key::<4>("RAX"));
        assert_eq!(lowercase_key::<4>("rax\0"), None);
        assert_eq!(lowercase_key::<4>("r ax"), None);
        assert_eq!(lowercase_key::<4>(""), None);
        assert_eq!(lowercase_key::<4>("raxes"), None);
    }
}
