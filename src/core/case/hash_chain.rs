//! The hash chain over a case's history: each event's hash covers the previous event's hash, the
//! case, the event's position and its canonical record, so an edited, deleted, reordered or
//! inserted event breaks every hash after it.

use sha2::{Digest, Sha256};

/// The algorithm tag stored beside every event hash; a later SM3 chain gets its own tag.
pub const EVENT_HASH_ALGORITHM: &str = "sha256:renewflow-event-v1";

/// The `previous` hash of a case's first event.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// SHA-256 of the tag, the case id, the event's position (from 0), the previous hash (hex) and
/// the canonical record, each on its own line.
pub fn event_hash(previous: &[u8; 32], case_id: &str, sequence: u64, canonical_record: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(EVENT_HASH_ALGORITHM.as_bytes());
    hasher.update(b"\n");
    hasher.update(case_id.as_bytes());
    hasher.update(b"\n");
    hasher.update(sequence.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(crate::core::workflow::hex(previous).as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_record.as_bytes());
    hasher.finalize().into()
}
