//! Row types of API keys and their log, as plain text and numbers: what grants mean, what a
//! record says and how it is hashed belong to the engine.

/// One API key as stored: its token's SHA-256, never the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    /// The public id, `key_` and 12 hex digits.
    pub id: String,
    pub name: String,
    pub organ: Option<String>,
    /// SHA-256 of the token, lower-case hex.
    pub token_sha256: String,
    /// The grants as JSON.
    pub grants: String,
    pub supervisor: bool,
    pub admin: bool,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

/// One record of the key log: a creation or a revocation, chained to the record before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyLogRow {
    /// 0 for the first record.
    pub sequence: u64,
    /// `created` or `revoked`.
    pub kind: String,
    pub key_id: String,
    /// The canonical fields of what was done, as the engine wrote them (JSON).
    pub record: String,
    pub previous_hash: String,
    pub hash: String,
}

/// A key to store with the record of its creation, in one transaction.
#[derive(Clone, Copy, Debug)]
pub struct NewKey<'a> {
    /// Stored unrevoked; a name taken by a key not revoked is a
    /// [`super::StoreError::KeyNameTaken`].
    pub key: &'a KeyRow,
    /// Appended at its `sequence`; another record first is a
    /// [`super::StoreError::KeyLogConflict`].
    pub log: &'a KeyLogRow,
}

/// A revocation to store with its record, in one transaction.
#[derive(Clone, Copy, Debug)]
pub struct KeyRevocation<'a> {
    pub id: &'a str,
    pub revoked_at: &'a str,
    pub revoked_by: &'a str,
    /// Appended at its `sequence`; another record first is a
    /// [`super::StoreError::KeyLogConflict`].
    pub log: &'a KeyLogRow,
}
