//! The bytes of a token exactly as the TSA wrote them.
//!
//! A signature covers bytes, not values: the signed attributes and each
//! certificate must be hashed as they were sent. The typed decoders
//! (`cms`, `x509-cert`) sort SET OF elements as they read them, so
//! re-encoding a decoded value can differ from what was signed when a TSA
//! wrote a set unsorted. These few functions walk the DER structure itself
//! and hand back the original slices.

use der::{Decode, Header, Reader, SliceReader};

/// The elements inside one constructed TLV (a SEQUENCE, a SET, an
/// explicit tag), each as its own complete TLV slice.
pub fn children(tlv: &[u8]) -> Option<Vec<&[u8]>> {
    let mut r = SliceReader::new(tlv).ok()?;
    let header = Header::decode(&mut r).ok()?;
    if !header.tag.is_constructed() {
        return None;
    }
    let value = r.read_slice(header.length).ok()?;
    let mut inner = SliceReader::new(value).ok()?;
    let mut out = Vec::new();
    while !inner.is_finished() {
        out.push(inner.tlv_bytes().ok()?);
    }
    Some(out)
}

/// The first byte of a TLV: its tag.
fn tag(tlv: &[u8]) -> u8 {
    tlv.first().copied().unwrap_or(0)
}

/// The parts of a `TimeStampResp` that a verifier hashes, as sent.
pub struct Parts<'a> {
    /// `signedAttrs` of the one SignerInfo, re-tagged as the SET OF that
    /// the signature covers (RFC 5652 5.4).
    pub signed_attrs: Vec<u8>,
    /// Each certificate of the SignedData `certificates` field.
    pub certificates: Vec<&'a [u8]>,
}

/// Find the signed attributes and certificates in a DER `TimeStampResp`.
pub fn parts(resp: &[u8]) -> Option<Parts<'_>> {
    // TimeStampResp ::= SEQUENCE { status, timeStampToken ContentInfo }
    let token = *children(resp)?.get(1)?;
    // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }
    let explicit = *children(token)?.get(1)?;
    let signed_data = *children(explicit)?.first()?;
    let fields = children(signed_data)?;
    // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo,
    //   [0] IMPLICIT certificates OPTIONAL, [1] IMPLICIT crls OPTIONAL, signerInfos }
    let certificates = match fields.iter().find(|f| tag(f) == 0xA0) {
        Some(set) => children(set)?
            .into_iter()
            .filter(|c| tag(c) == 0x30)
            .collect(),
        None => Vec::new(),
    };
    let signer_infos = children(fields.last()?)?;
    let signer = *signer_infos.first()?;
    // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm,
    //   [0] IMPLICIT signedAttrs OPTIONAL, ... }
    let attrs = *children(signer)?.get(3).filter(|a| tag(a) == 0xA0)?;
    let mut signed_attrs = attrs.to_vec();
    signed_attrs[0] = 0x31;
    Some(Parts {
        signed_attrs,
        certificates,
    })
}

/// The `tbsCertificate` of a DER certificate, as signed by its issuer.
pub fn tbs(cert: &[u8]) -> Option<&[u8]> {
    children(cert)?.first().copied()
}
