//! Stable, dependency-free hashes (FNV-1a) for ids and content fingerprints that must be the
//! same on every run, machine and Rust version (std's hashers promise none of that).

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over `bytes`, starting from `seed` (the standard offset basis for seed 0).
pub fn fnv1a64(seed: u64, bytes: &[u8]) -> u64 {
    let mut hash = OFFSET ^ seed;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

/// Sixteen lowercase hex digits of a 64-bit hash of `parts` (joined by a zero byte).
pub fn hex64(seed: u64, parts: &[&str]) -> String {
    format!("{:016x}", of_parts(seed, parts))
}

/// Thirty-two hex digits: two 64-bit hashes of `parts` with different seeds.
pub fn hex128(parts: &[&str]) -> String {
    format!("{:016x}{:016x}", of_parts(1, parts), of_parts(2, parts))
}

fn of_parts(seed: u64, parts: &[&str]) -> u64 {
    let mut hash = OFFSET ^ seed;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash = fnv1a64(hash ^ OFFSET, &[0]);
        }
        hash = fnv1a64(hash ^ OFFSET, part.as_bytes());
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_and_shapes() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(0, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(0, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(0, b"foobar"), 0x8594_4171_f739_67e8);
        let id = hex128(&["session", "0003.planner"]);
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(id, hex128(&["session", "0003.planner"]), "deterministic");
        assert_ne!(
            hex128(&["ab", "c"]),
            hex128(&["a", "bc"]),
            "parts are separated"
        );
        assert_eq!(hex64(0, &["x"]).len(), 16);
    }
}
