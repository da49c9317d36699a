//! Who is at the keyboard: operators' SSH keys, the forced command sshd runs for them, and who
//! may act as another operator when smsdesk is run directly on the server. OpenSSH does the
//! authentication; smsdesk only tells it which keys belong to whom.

pub mod identity;
pub mod keys;
pub mod ssh;
