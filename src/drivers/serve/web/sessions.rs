//! `Sessions`: who is signed in to the web pages. Signing in exchanges an API key for a session:
//! the browser gets a random 256-bit session token in a cookie (`HttpOnly`, `SameSite=Strict`,
//! `Secure` behind TLS), and the service keeps only the token's SHA-256, with the SHA-256 of the
//! API key it stands for (never the key), a random CSRF token every form must send back, and
//! when the session ends. Each page asks for the key's principal again, so a revoked key's
//! sessions end with it. Sessions live in the service's memory: a restart signs everyone out.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::engine::token_sha256;

/// The cookie that carries the session token.
pub(crate) const SESSION_COOKIE: &str = "renewflow_session";
/// A session unused this long ends.
pub(crate) const SESSION_IDLE_MAX: Duration = Duration::from_hours(2);
/// A session ends this long after sign-in, used or not (a working day and a half).
pub(crate) const SESSION_LIFETIME_MAX: Duration = Duration::from_hours(12);
/// The most sessions kept at once; past it, sign-in is refused until some end.
pub(crate) const SESSIONS_MAX: usize = 10_000;

/// A session, as a page sees it.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// The SHA-256 of the API key the session was signed in with.
    pub(crate) key_sha256: String,
    /// The token every form of this session carries, checked on every POST.
    pub(crate) csrf: String,
}

struct Kept {
    session: Session,
    began: Instant,
    used: Instant,
}

/// The sessions, by their token's SHA-256.
pub(crate) struct Sessions {
    kept: Mutex<HashMap<String, Kept>>,
}

impl Sessions {
    pub(crate) fn new() -> Sessions {
        Sessions { kept: Mutex::new(HashMap::new()) }
    }

    /// Begins a session for the key whose token hashes to `key_sha256`; its token, for the
    /// cookie. `None` when [`SESSIONS_MAX`] sessions are running.
    ///
    /// # Errors
    ///
    /// When the operating system gives no random bytes.
    pub(crate) fn begin(&self, key_sha256: String, now: Instant) -> Result<Option<String>, getrandom::Error> {
        let token = random_hex()?;
        let csrf = random_hex()?;
        let mut kept = self.lock();
        if kept.len() >= SESSIONS_MAX {
            kept.retain(|_, session| live(session, now));
            if kept.len() >= SESSIONS_MAX {
                return Ok(None);
            }
        }
        kept.insert(token_sha256(&token), Kept { session: Session { key_sha256, csrf }, began: now, used: now });
        Ok(Some(token))
    }

    /// The session `token` names, if it has not ended; marks it used.
    pub(crate) fn find(&self, token: &str, now: Instant) -> Option<Session> {
        let sha256 = token_sha256(token);
        let mut kept = self.lock();
        let session = kept.get_mut(&sha256)?;
        if !live(session, now) {
            kept.remove(&sha256);
            return None;
        }
        session.used = now;
        Some(session.session.clone())
    }

    /// Ends the session `token` names (signing out).
    pub(crate) fn end(&self, token: &str) {
        self.lock().remove(&token_sha256(token));
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Kept>> {
        // Entries are inserted and removed whole: a panic elsewhere leaves nothing half-made.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn live(session: &Kept, now: Instant) -> bool {
    now.saturating_duration_since(session.used) < SESSION_IDLE_MAX
        && now.saturating_duration_since(session.began) < SESSION_LIFETIME_MAX
}

/// 256 random bits in hexadecimal.
fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(crate::core::workflow::hex(&bytes))
}

/// Whether two secrets are equal, looking at every byte whatever the first difference.
pub(crate) fn same_secret(left: &str, right: &str) -> bool {
    left.len() == right.len() && left.bytes().zip(right.bytes()).fold(0_u8, |differ, (a, b)| differ | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_token_until_it_ends_idles_out_or_outlives_its_lifetime() {
        let sessions = Sessions::new();
        let start = Instant::now();
        let token = sessions.begin("k".repeat(64), start).unwrap().unwrap();
        assert_eq!(token.len(), 64);
        let found = sessions.find(&token, start).unwrap();
        assert_eq!((found.key_sha256.len(), found.csrf.len()), (64, 64));
        assert_ne!(found.csrf, token);
        assert!(sessions.find("0".repeat(64).as_str(), start).is_none(), "an unknown token");
        // Used within the idle limit, again and again, it lasts until its lifetime ends.
        let mut now = start;
        while now + SESSION_IDLE_MAX / 2 < start + SESSION_LIFETIME_MAX {
            now += SESSION_IDLE_MAX / 2;
            assert!(sessions.find(&token, now).is_some(), "used at {:?}", now - start);
        }
        assert!(sessions.find(&token, start + SESSION_LIFETIME_MAX).is_none(), "past its lifetime");
        let idle = sessions.begin("k".repeat(64), start).unwrap().unwrap();
        assert!(sessions.find(&idle, start + SESSION_IDLE_MAX).is_none(), "idle too long");
        let ended = sessions.begin("k".repeat(64), start).unwrap().unwrap();
        sessions.end(&ended);
        assert!(sessions.find(&ended, start).is_none(), "signed out");
    }

    #[test]
    fn secrets_compare_equal_only_when_every_byte_is() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }
}
