//! How a warning is sent and signed: the JSON body, and an HMAC-SHA256 signature over
//! `"{unix_seconds}.{body}"` keyed with the webhook's secret, in the header
//! `Renewflow-Signature: t=<unix_seconds>,v1=<hex>`. A receiver recomputes it, compares in
//! constant time, and refuses a timestamp too far from its own clock (a replayed request).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::engine::Warning;

/// The signature header.
pub(crate) const SIGNATURE_HEADER: &str = "Renewflow-Signature";
/// The warning's id: the same on every attempt, so a receiver can drop what it already has.
pub(crate) const WARNING_ID_HEADER: &str = "Renewflow-Warning-Id";
/// The attempt's number, 1 for the first.
pub(crate) const ATTEMPT_HEADER: &str = "Renewflow-Delivery-Attempt";

#[cfg(test)]
/// How far a signature's timestamp may be from the receiver's clock, in seconds.
pub(crate) const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// The body POSTed for a warning: its id, kind, case id and number, workflow, clock, the date it
/// applies on, the due date and limit that set it, which limit that was, and when it was issued.
pub(crate) fn warning_body(warning: &Warning) -> Vec<u8> {
    // A struct of strings, dates and numbers: serialising it cannot fail.
    serde_json::to_vec(warning).unwrap_or_default()
}

/// The hex HMAC-SHA256 of `"{unix_seconds}.{body}"` under `secret`.
pub(crate) fn sign(secret: &[u8], unix_seconds: i64, body: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    crate::core::workflow::hex(&mac.finalize().into_bytes())
}

/// The `Renewflow-Signature` header's value: `t=<unix_seconds>,v1=<hex>`.
pub(crate) fn signature_header(secret: &[u8], unix_seconds: i64, body: &[u8]) -> String {
    format!("t={unix_seconds},v1={}", sign(secret, unix_seconds, body))
}

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length.
    <HmacSha256 as KeyInit>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

#[cfg(test)]
/// Why a signature was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignatureError {
    #[error("the signature header is not `t=<unix seconds>,v1=<hex>`")]
    Malformed,
    #[error("the signature is {seconds} s from the receiver's clock, more than {SIGNATURE_TOLERANCE_SECONDS} s")]
    OutOfTolerance { seconds: i64 },
    #[error("the signature does not match the body and the secret")]
    Mismatch,
}

#[cfg(test)]
/// Checks a `Renewflow-Signature` header against the body and the secret, as a receiver does:
/// the timestamp within `tolerance_seconds` of `now_unix_seconds`, and one of its `v1` values
/// equal (in constant time) to the HMAC of `"{t}.{body}"`.
///
/// # Errors
///
/// [`SignatureError`].
pub(crate) fn verify_signature(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_unix_seconds: i64,
    tolerance_seconds: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", value)) => signatures.push(from_hex(value).ok_or(SignatureError::Malformed)?),
            _ => {}
        }
    }
    let (Some(timestamp), false) = (timestamp, signatures.is_empty()) else { return Err(SignatureError::Malformed) };
    let seconds = now_unix_seconds.saturating_sub(timestamp).saturating_abs();
    if seconds > tolerance_seconds {
        return Err(SignatureError::OutOfTolerance { seconds });
    }
    let matches = signatures.iter().any(|signature| {
        let mut mac = mac(secret);
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    });
    if matches { Ok(()) } else { Err(SignatureError::Mismatch) }
}

#[cfg(test)]
fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|index| u8::from_str_radix(&text[index..index + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::{SignatureError, sign, signature_header, verify_signature};

    const SECRET: &[u8] = b"0123456789abcdef";

    #[test]
    fn a_signature_matches_a_known_answer_and_verifies() {
        // HMAC-SHA256("0123456789abcdef", "1700000000.{}"), computed independently with Python's
        // hmac module: hmac.new(b"0123456789abcdef", b"1700000000.{}", "sha256").hexdigest()
        assert_eq!(sign(SECRET, 1_700_000_000, b"{}"), KNOWN);
        let header = signature_header(SECRET, 1_700_000_000, b"{\"id\":1}");
        assert_eq!(verify_signature(SECRET, &header, b"{\"id\":1}", 1_700_000_100, 300), Ok(()));
    }

    #[test]
    fn a_changed_body_a_wrong_secret_an_old_timestamp_or_a_bad_header_is_refused() {
        let header = signature_header(SECRET, 1_700_000_000, b"{\"id\":1}");
        assert_eq!(verify_signature(SECRET, &header, b"{\"id\":2}", 1_700_000_000, 300), Err(SignatureError::Mismatch));
        assert_eq!(
            verify_signature(b"another secret!!", &header, b"{\"id\":1}", 1_700_000_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(SECRET, &header, b"{\"id\":1}", 1_700_000_301, 300),
            Err(SignatureError::OutOfTolerance { seconds: 301 })
        );
        for bad in ["", "t=1700000000", "v1=00", "t=x,v1=00", "t=1700000000,v1=0g"] {
            assert_eq!(
                verify_signature(SECRET, bad, b"{}", 1_700_000_000, 300),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }

    const KNOWN: &str = "e4f8e2ecae2295b2ddb2f0b5584c8275e226c0ebe9b3b819e70156bb67122e3e";
}
