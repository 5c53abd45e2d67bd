//! Identifiers: a type prefix and 26 Crockford base-32 characters, 48 bits of milliseconds then
//! 80 random bits. They sort by creation time, which is what cursor pagination relies on.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Builds an id such as `ord_01JD3M...` from a time and caller-supplied randomness. The domain
/// takes the randomness in so that it stays deterministic under test.
pub fn encode_id(prefix: &str, now_ms: i64, random: [u8; 10]) -> String {
    let mut value: u128 = (now_ms.clamp(0, (1 << 48) - 1) as u128) << 80;
    for (i, byte) in random.iter().enumerate() {
        value |= (*byte as u128) << (72 - 8 * i);
    }
    let mut out = String::with_capacity(prefix.len() + 27);
    out.push_str(prefix);
    out.push('_');
    for i in (0..26).rev() {
        let index = ((value >> (5 * i)) & 0x1f) as usize;
        out.push(ALPHABET[index] as char);
    }
    out
}

/// True when `raw` has the shape of an id with this prefix.
pub fn looks_like_id(prefix: &str, raw: &str) -> bool {
    raw.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|body| body.len() == 26 && body.bytes().all(|b| ALPHABET.contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_carry_their_prefix() {
        let a = encode_id("ord", 1_700_000_000_000, [255; 10]);
        let b = encode_id("ord", 1_700_000_000_001, [0; 10]);
        assert!(a < b);
        assert!(looks_like_id("ord", &a));
        assert!(!looks_like_id("res", &a));
        assert_eq!(a.len(), "ord_".len() + 26);
    }
}
