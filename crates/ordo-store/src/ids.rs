//! Random identifiers for stored records.

use ordo_domain::ids::encode_id;

/// A new id with this prefix (`ord`, `res`, `key`...), ordered by `now_ms`.
pub fn new_id(prefix: &str, now_ms: i64) -> String {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).expect("the operating system's random source is unavailable");
    encode_id(prefix, now_ms, random)
}

/// A new secret of 256 random bits, hex-encoded.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
