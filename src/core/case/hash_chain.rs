//! The hash chain over a case's history: each event's hash covers the previous event's hash, the
//! case, the event's position and its canonical record, so an edited, deleted, reordered or
//! inserted event breaks every hash after it. An imported case's chain starts from its import
//! mark instead of the genesis hash, so a mark edited, removed or added breaks its first link.

use sha2::{Digest, Sha256};

/// The algorithm tag stored beside every event hash; a later SM3 chain gets its own tag.
pub const EVENT_HASH_ALGORITHM: &str = "sha256:renewflow-event-v1";

/// The `previous` hash of a case's first event (of a case opened live).
pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// The tag of an imported case's first `previous` hash.
pub const IMPORT_GENESIS_ALGORITHM: &str = "sha256:renewflow-import-v1";

/// The `previous` hash of an imported case's first event: SHA-256 of the tag, the case id, the
/// import's time and log hash (as stored with the import), and the codes of the findings the case
/// was imported with (as a JSON array, as stored with the mark), each on its own line.
pub fn import_genesis_hash(case_id: &str, imported_at: &str, log_hash: &str, findings: &[String]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [IMPORT_GENESIS_ALGORITHM, case_id, imported_at, log_hash] {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    hasher.update(serde_json::Value::from(findings.to_vec()).to_string().as_bytes());
    hasher.finalize().into()
}

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
