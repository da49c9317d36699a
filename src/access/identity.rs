//! The account running smsdesk, and whether it may name another operator with `--user`.

use std::path::Path;

/// The login of the account running this process, from its user id: `$USER` is a variable
/// anyone can set, so it only serves when the system has no name for the id.
pub fn caller_login() -> String {
    if let Some(name) = name_of_uid(effective_uid()) {
        return name;
    }
    for var in ["USER", "LOGNAME"] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return v;
        }
    }
    String::new()
}

pub fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

fn name_of_uid(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pwd: libc::passwd = unsafe_zeroed_passwd();
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call: `pwd` and `result` live on this stack frame,
    // `buf` outlives the call and its length is passed; getpwuid_r writes only inside them.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: on success pw_name points to a NUL-terminated string inside `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    name.to_str().ok().map(str::to_string)
}

fn unsafe_zeroed_passwd() -> libc::passwd {
    // SAFETY: libc::passwd is a plain C struct of pointers and integers; all-zero is a valid
    // (empty) value that getpwuid_r overwrites.
    unsafe { std::mem::zeroed() }
}

/// The user id owning the store file, when it exists.
pub fn store_owner(db: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(db).ok().map(|m| m.uid())
}

/// Who acts when smsdesk runs directly on the server (not through an operator's SSH key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Act(String),
    /// `--user` names someone else and the caller does not own the store.
    Refused {
        caller: String,
        requested: String,
    },
}

/// The caller acts as themself; only the account that owns the store (administration,
/// scripts, the service) may name another operator. A store not created yet will be the
/// caller's own.
pub fn decide(requested: Option<&str>, caller: &str, caller_owns_store: bool) -> Decision {
    match requested.map(str::trim) {
        None | Some("") => Decision::Act(caller.to_string()),
        Some(r) if r == caller || caller_owns_store => Decision::Act(r.to_string()),
        Some(r) => Decision::Refused {
            caller: caller.to_string(),
            requested: r.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_store_owner_may_name_another_operator() {
        assert_eq!(decide(None, "bob", false), Decision::Act("bob".into()));
        assert_eq!(
            decide(Some("bob"), "bob", false),
            Decision::Act("bob".into())
        );
        assert_eq!(
            decide(Some("admin"), "bob", false),
            Decision::Refused {
                caller: "bob".into(),
                requested: "admin".into()
            }
        );
        assert_eq!(
            decide(Some("alice"), "smsdesk", true),
            Decision::Act("alice".into())
        );
    }

    #[test]
    fn the_caller_is_named_by_its_user_id() {
        assert!(!caller_login().is_empty());
    }
}
