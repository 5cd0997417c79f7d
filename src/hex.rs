//! Lower-case hexadecimal, the one way docket spells a digest: SHA-256
//! sums in `data.json`, the manifest and the audit page, the keys of the
//! token cache, certificate fingerprints.
//!
//! One function, because it was seven copies of `format!("{b:02x}")` per
//! byte, and the token cache spells two digests for each of a big
//! company's 15,000 tokens on every run: a table lookup per nibble into a
//! string sized once costs a fraction of a formatter call per byte.

/// `bytes` as lower-case hexadecimal, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_byte_is_two_lower_case_digits() {
        assert_eq!(super::hex(&[]), "");
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        let all: Vec<u8> = (0..=255).collect();
        let expected: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(super::hex(&all), expected);
    }
}
