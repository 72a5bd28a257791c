//! Who acts when a command does not say: the operating-system user, found at the edge (the
//! environment, `/proc`, `/etc/passwd`), never the tool's own name, so the history says which
//! person acted.

/// What `--actor` says in `--help` about its default.
pub(crate) const ACTOR_HELP: &str = "Who acts, as the history records it [default: the operating-system user: `USER`, \
                                     else `LOGNAME`, else the passwd entry of this process's uid; with none of \
                                     them, the command is refused and asks for --actor]";

/// The largest `/etc/passwd` read (a directory of a hundred thousand users).
const PASSWD_BYTES_MAX: usize = 16 << 20;

/// `given`, or else the operating-system user.
///
/// # Errors
///
/// When no actor is given and no user can be found: the message asks for `--actor`.
pub(crate) fn actor_or_user(given: Option<String>) -> anyhow::Result<String> {
    if let Some(actor) = given {
        // The engine refuses an empty or blank actor with its own message.
        return Ok(actor);
    }
    let variable = |name: &str| std::env::var(name).ok();
    let passwd = || {
        let uid = process_uid()?;
        let text = super::regular_file::read_text(std::path::Path::new("/etc/passwd"), PASSWD_BYTES_MAX).ok()?;
        passwd_name(&text, uid)
    };
    operating_system_user(variable("USER"), variable("LOGNAME"), passwd).ok_or_else(|| {
        anyhow::anyhow!(
            "no actor: the operating-system user is not known here (no `USER`, no `LOGNAME`, no passwd entry for \
             this process's uid); name who acts with --actor"
        )
    })
}

/// The first of `user`, `logname` and the passwd entry that is not blank.
fn operating_system_user(
    user: Option<String>,
    logname: Option<String>,
    passwd: impl FnOnce() -> Option<String>,
) -> Option<String> {
    let named = |name: Option<String>| name.filter(|name| !name.trim().is_empty());
    named(user).or_else(|| named(logname)).or_else(|| named(passwd()))
}

/// The real uid of this process, from `/proc/self/status` (Linux; elsewhere `None`).
fn process_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| line.strip_prefix("Uid:"))?.split_whitespace().next()?.parse().ok()
}

/// The name of the first passwd entry (`name:password:uid:…`) with `uid`.
fn passwd_name(text: &str, uid: u32) -> Option<String> {
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let entry_uid: u32 = fields.nth(1)?.parse().ok()?;
        (entry_uid == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::{operating_system_user, passwd_name};

    const PASSWD: &str =
        "root:x:0:0:root:/root:/bin/bash\n# a comment\nbad line\nzhang:x:1000:1000::/home/zhang:/bin/sh\n";

    #[test]
    fn the_user_comes_from_user_then_logname_then_passwd() {
        let some = |text: &str| Some(text.to_owned());
        assert_eq!(operating_system_user(some("li"), some("wang"), || some("zhang")), some("li"));
        assert_eq!(operating_system_user(some(" "), some("wang"), || some("zhang")), some("wang"));
        assert_eq!(operating_system_user(None, Some(String::new()), || some("zhang")), some("zhang"));
        assert_eq!(operating_system_user(None, None, || None), None);
        assert_eq!(operating_system_user(some(""), some(""), || some("")), None);
    }

    #[test]
    fn a_passwd_entry_is_found_by_its_uid() {
        assert_eq!(passwd_name(PASSWD, 1000).as_deref(), Some("zhang"));
        assert_eq!(passwd_name(PASSWD, 0).as_deref(), Some("root"));
        assert_eq!(passwd_name(PASSWD, 1001), None);
        assert_eq!(passwd_name("", 0), None);
    }
}
