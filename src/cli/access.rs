//! Operators' access: their SSH keys and language (`user key …`, `user language …`), the
//! lines sshd asks for at each login (`ssh authorized-keys`), and what a client may run
//! through an operator's key (`ssh session`, the forced command).

use super::{Cli, CliResult, Command, Env, Failure, KeyAction, SettingsAction, SshAction};
use super::{SimulateAction, UserAction, print_json};
use crate::access::{identity, ssh};
use crate::core::{Actor, keys};
use crate::store::Db;
use crate::store::audit::{AuditAction, Stamp};
use crate::store::{Store, audit, operator_keys, operators};
use clap::Parser;
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};

pub fn key_cmd(action: KeyAction, env: &Env) -> CliResult {
    let (mut store, actor) = env.open()?;
    let now = env.clock.now();
    match action {
        KeyAction::Add { name, file, key } => {
            let line = match file {
                Some(path) => read_key_file(&path)?,
                None if key.is_empty() => {
                    return Err(Failure::BadInput(
                        "give the key (ssh-ed25519 AAAA… name) or --file F".into(),
                    ));
                }
                None => key.join(" "),
            };
            let fingerprint = keys::add_key(&mut store, &actor, &name, &line, now)?;
            if env.json {
                print_json(&json!({"operator": name, "fingerprint": fingerprint}));
            } else {
                println!("key {fingerprint} added to {name}");
            }
        }
        KeyAction::List { name } => {
            let list = keys::list_keys(&store, &actor, &name)?;
            if env.json {
                print_json(&serde_json::to_value(&list).unwrap_or_default());
            } else if list.is_empty() {
                println!("{name} has no key");
            } else {
                for k in list {
                    println!(
                        "{}  {}  {}",
                        k.fingerprint,
                        k.kind,
                        crate::text::sanitize(&k.comment)
                    );
                }
            }
        }
        KeyAction::Remove { name, fingerprint } => {
            let removed = keys::remove_key(&mut store, &actor, &name, &fingerprint, now)?;
            if env.json {
                print_json(&json!({"operator": name, "removed": removed}));
            } else {
                println!("key {removed} removed from {name}");
            }
        }
    }
    Ok(())
}

fn read_key_file(path: &Path) -> Result<String, Failure> {
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin().take(64 * 1024).read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_string(&mut text))
    };
    read.map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?;
    Ok(text)
}

pub fn language_cmd(name: &str, language: &str, env: &Env) -> CliResult {
    let (mut store, actor) = env.open()?;
    let chosen = keys::set_language(&mut store, &actor, name, language, env.clock.now())?;
    let shown = chosen.as_deref().unwrap_or("auto");
    if env.json {
        print_json(&json!({"operator": name, "language": shown}));
    } else {
        println!("{name}: language {shown}");
    }
    Ok(())
}

/// `ssh authorized-keys [TYPE KEY]`: what sshd's AuthorizedKeysCommand prints. Only active
/// operators' keys are given, so deactivating an operator or removing a key takes effect at
/// the next login. Never creates an operator; prints nothing (and exits 0) for an unknown key.
pub fn authorized_keys(kind: Option<&str>, blob: Option<&str>, env: &Env) -> CliResult {
    let store = Store::open(&env.db)?;
    let only = kind.zip(blob);
    let db = absolute(&env.db);
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| Failure::System(format!("cannot tell where smsdesk is installed: {e}")))?;
    for key in operator_keys::usable(store.db(), only)? {
        println!("{}", ssh::authorized_line(&exe, &db, &key));
    }
    Ok(())
}

fn absolute(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// What an operator's SSH session runs, decided by `session`.
pub enum Session {
    /// The TUI as the operator (no command asked).
    Tui { db: PathBuf, user: String },
    /// A command the client asked, checked against the operator's rights.
    Command { command: Command, env: Env },
    /// Help or version was asked and printed.
    Done,
}

/// The forced command of `operator`'s key. The operator is the one the key names: nothing the
/// client sends (`--user`, `--db`, another store) can change it, and a refused attempt is
/// audited. `original` is `$SSH_ORIGINAL_COMMAND`.
pub fn session(
    operator: &str,
    db: PathBuf,
    original: Option<&str>,
    json: bool,
    clock: crate::clock::Clock,
) -> Result<Session, Failure> {
    let mut store = Store::open(&db)?;
    let actor = match operators::find(store.db(), operator)? {
        Some(op) if op.active => Actor::identify(&mut store, operator, clock.now())?,
        _ => {
            return Err(Failure::BadInput(format!(
                "{operator} is not an active operator of this store"
            )));
        }
    };
    let original = original.map(str::trim).unwrap_or_default();
    if original.is_empty() {
        return Ok(Session::Tui {
            db,
            user: actor.login,
        });
    }
    let refuse = |store: &mut Store, reason: String| -> Failure {
        let detail = format!("{reason} (asked: {})", crate::text::sanitize(original));
        let now = clock.now();
        let _ = store.write(|tx: Db<'_>| {
            audit::record(
                tx,
                actor.stamp(now),
                AuditAction::SshRefused,
                &actor.login,
                &detail,
            )
        });
        Failure::BadInput(reason)
    };
    let words = ssh::client_words(original).map_err(Failure::BadInput)?;
    let cli = match Cli::try_parse_from(std::iter::once("smsdesk".to_string()).chain(words)) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help / --version: clap prints them as usual.
            let _ = e.print();
            return Ok(Session::Done);
        }
        Err(e) => return Err(Failure::BadInput(e.to_string().trim().to_string())),
    };
    if let Some(reason) = remote_refusal(&cli, &actor) {
        return Err(refuse(&mut store, reason));
    }
    drop(store);
    match cli.command {
        None => Ok(Session::Tui {
            db,
            user: actor.login,
        }),
        Some(command) => Ok(Session::Command {
            command,
            env: Env {
                db,
                user: actor.login,
                json: json || cli.json,
                clock,
            },
        }),
    }
}

/// Why a command asked over SSH is not run, if it is not.
fn remote_refusal(cli: &Cli, actor: &Actor) -> Option<String> {
    let who = &actor.login;
    if cli.user.is_some() {
        return Some(format!(
            "--user cannot be used over SSH: you are {who}, by your key"
        ));
    }
    if cli.db.is_some() {
        return Some("--db cannot be used over SSH: your key sets the store".into());
    }
    if cli.demo {
        return Some("--demo is not available over SSH".into());
    }
    let files = "reads or writes files on the server: not available over SSH";
    match cli.command.as_ref()? {
        Command::Demo { .. } => Some(format!("demo {files}")),
        Command::Run => {
            Some("run: the scheduler is the server's service, not started over SSH".into())
        }
        Command::Ssh { .. } => Some("ssh: only sshd runs it".into()),
        Command::Import { .. } => Some(format!("import {files}; use the Contacts or Agenda tab")),
        Command::Export { .. } => Some(format!("export {files}; use list --json")),
        Command::Free(args) if args.file.is_some() => {
            Some(format!("free --file {files}; use --numbers"))
        }
        Command::User {
            action:
                UserAction::Key {
                    action: KeyAction::Add { file: Some(f), .. },
                },
        } if f != Path::new("-") => Some(format!("user key add --file {files}; use --file -")),
        Command::Settings {
            action: SettingsAction::Set { .. },
        } if !actor.rights.admin => Some(format!(
            "{who} may not change settings: administrator right required"
        )),
        Command::Simulate {
            action: SimulateAction::Reply { .. },
        } if !actor.rights.admin => Some(format!(
            "{who} may not simulate replies: administrator right required"
        )),
        _ => None,
    }
}

/// When smsdesk runs directly on the server: who acts, or why not. `--user` naming someone
/// else is for the account that owns the store; anyone else's attempt is refused and, when
/// the store lets them write, audited.
pub fn decide_identity(
    requested: Option<&str>,
    db: &Path,
    clock: &crate::clock::Clock,
) -> Result<String, Failure> {
    let caller = identity::caller_login();
    let owns = identity::store_owner(db).is_none_or(|uid| uid == identity::effective_uid());
    match identity::decide(requested, &caller, owns) {
        identity::Decision::Act(login) => Ok(login),
        identity::Decision::Refused { caller, requested } => {
            // Refused only for a store that exists (and is someone else's): never creates one.
            if let Ok(mut store) = Store::open(db) {
                let now = clock.now();
                let detail = format!("{caller} asked to act as {requested}");
                let _ = store.write(|tx: Db<'_>| {
                    audit::record(
                        tx,
                        Stamp {
                            by: &caller,
                            at: now,
                        },
                        AuditAction::ImpersonationRefused,
                        &requested,
                        &detail,
                    )
                });
            }
            Err(Failure::BadInput(format!(
                "--user {requested}: you are {caller}; only the account owning the store may act as another operator"
            )))
        }
    }
}

/// `ssh session` is dispatched here from main.
pub fn is_session(command: Option<&Command>) -> Option<&str> {
    match command {
        Some(Command::Ssh {
            action: SshAction::Session { operator },
        }) => Some(operator),
        _ => None,
    }
}
