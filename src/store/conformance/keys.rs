//! The conformance checks of API keys: a key and its log record are written together or not at
//! all, a name is unique among keys not revoked, a revocation happens once, and the log grows
//! only at its next sequence.

use super::super::{KeyLogRow, KeyRevocation, KeyRow, NewKey, Store, StoreError};

pub(super) fn check_all<S: Store>(make: &mut dyn FnMut() -> S) {
    keys_and_their_records_are_written_together(&mut make());
    a_name_is_unique_among_keys_not_revoked(&mut make());
    a_key_is_revoked_once(&mut make());
    the_key_log_grows_only_at_its_next_record(&mut make());
}

fn key(id: &str, name: &str) -> KeyRow {
    KeyRow {
        id: id.to_owned(),
        name: name.to_owned(),
        organ: Some("局".to_owned()),
        token_sha256: format!("sha-of-{id}"),
        grants: "[{\"workflow\":\"w\",\"roles\":[\"officer\"]}]".to_owned(),
        supervisor: false,
        admin: true,
        created_at: "2026-12-10T10:00:00+08:00".to_owned(),
        created_by: "管理员".to_owned(),
        revoked_at: None,
        revoked_by: None,
    }
}

fn record(sequence: u64, kind: &str, key_id: &str) -> KeyLogRow {
    KeyLogRow {
        sequence,
        kind: kind.to_owned(),
        key_id: key_id.to_owned(),
        record: format!("{{\"{kind}\":\"{key_id}\"}}"),
        previous_hash: format!("h{}", sequence.wrapping_sub(1)),
        hash: format!("h{sequence}"),
    }
}

fn create<S: Store>(store: &mut S, sequence: u64, id: &str, name: &str) -> Result<(), StoreError> {
    store.create_key(&NewKey { key: &key(id, name), log: &record(sequence, "created", id) })
}

fn revoke<S: Store>(store: &mut S, sequence: u64, id: &str) -> Result<(), StoreError> {
    store.revoke_key(&KeyRevocation {
        id,
        revoked_at: "2026-12-11T10:00:00+08:00",
        revoked_by: "管理员",
        log: &record(sequence, "revoked", id),
    })
}

fn keys_and_their_records_are_written_together<S: Store>(store: &mut S) {
    create(store, 0, "k2", "乙").expect("create");
    create(store, 1, "k1", "甲").expect("create");
    let ids: Vec<String> = store.keys().expect("keys").into_iter().map(|row| row.id).collect();
    assert_eq!(ids, ["k2", "k1"], "keys: in the order they were created");
    assert_eq!(store.keys().expect("keys")[1], key("k1", "甲"), "keys: every column as written");
    assert_eq!(store.key_log().expect("log"), vec![record(0, "created", "k2"), record(1, "created", "k1")]);
    assert_eq!(store.key_by_token("sha-of-k1").expect("by token"), Some(key("k1", "甲")));
    assert_eq!(store.key_by_token("sha-of-k3").expect("by token"), None, "key_by_token: an unknown hash");
}

fn a_name_is_unique_among_keys_not_revoked<S: Store>(store: &mut S) {
    create(store, 0, "k1", "甲").expect("create");
    let taken = create(store, 1, "k2", "甲");
    assert!(
        matches!(&taken, Err(StoreError::KeyNameTaken { name, id }) if name == "甲" && id == "k1"),
        "create: a name taken is refused: {taken:?}"
    );
    assert_eq!(store.keys().expect("keys").len(), 1, "create: a refused key leaves no row");
    assert_eq!(store.key_log().expect("log").len(), 1, "create: a refused key leaves no record");
    assert_eq!(store.key_log_length().expect("length"), 1, "key_log_length: the records kept");
    revoke(store, 1, "k1").expect("revoke");
    create(store, 2, "k2", "甲").expect("create: the name of a revoked key is free");
    assert_eq!(store.keys().expect("keys").len(), 2);
}

fn a_key_is_revoked_once<S: Store>(store: &mut S) {
    create(store, 0, "k1", "甲").expect("create");
    revoke(store, 1, "k1").expect("revoke");
    let revoked = store.key_by_token("sha-of-k1").expect("by token").expect("a revoked key is still found");
    assert_eq!(
        (revoked.revoked_at.as_deref(), revoked.revoked_by.as_deref()),
        (Some("2026-12-11T10:00:00+08:00"), Some("管理员")),
        "revoke: when and by whom"
    );
    assert!(matches!(revoke(store, 2, "k1"), Err(StoreError::KeyRevoked { .. })), "revoke: only once");
    assert!(matches!(revoke(store, 2, "k9"), Err(StoreError::NotFound { .. })), "revoke: an unknown key");
    assert_eq!(store.key_log().expect("log").len(), 2, "revoke: a refused revocation leaves no record");
    assert_eq!(store.key_log_length().expect("length"), 2, "key_log_length: a revocation counted");
}

fn the_key_log_grows_only_at_its_next_record<S: Store>(store: &mut S) {
    create(store, 0, "k1", "甲").expect("create");
    let late = create(store, 0, "k2", "乙");
    assert!(
        matches!(late, Err(StoreError::KeyLogConflict { expected: 0, actual: 1 })),
        "create: a record at a taken sequence is refused: {late:?}"
    );
    assert!(store.key_by_token("sha-of-k2").expect("by token").is_none(), "create: nothing written");
    let late = revoke(store, 5, "k1");
    assert!(matches!(late, Err(StoreError::KeyLogConflict { .. })), "revoke: a record out of sequence is refused");
    let row = store.key_by_token("sha-of-k1").expect("by token").expect("key");
    assert!(row.revoked_at.is_none(), "revoke: a refused revocation leaves the key as it was");
    assert_eq!(store.key_log().expect("log").len(), 1);
}
