//! `smsdesk contact add|set|show|archive`: one contact, checked as a row of an import; a bad
//! field exits 2 with a one-line reason naming it.

use super::{CliResult, Env, Failure, print_json};
use crate::core::contacts::{self, ContactChange};
use crate::store::card::{self, TimelineKey};
use crate::store::participants;
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum ContactAction {
    /// Create a contact (validated like a row of an import)
    Add(Box<ContactFields>),
    /// Change the given fields of a contact (the others stay); messages already queued keep
    /// their number
    Set {
        id: i64,
        #[command(flatten)]
        fields: Box<ContactFields>,
    },
    /// A contact's card: identity, consent, opt-out, lists, events and SMS in and out
    Show {
        /// The contact's id (or --mobile)
        #[arg(required_unless_present = "mobile")]
        id: Option<i64>,
        /// Find the contact by their mobile number
        #[arg(long, conflicts_with = "id")]
        mobile: Option<String>,
        /// How many SMS of the history (newest first)
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Archive a contact (out of lists, batches and automations; the history stays)
    Archive {
        id: i64,
        /// Bring an archived contact back
        #[arg(long)]
        undo: bool,
    },
}

#[derive(Debug, Args, Default)]
pub struct ContactFields {
    /// participant, partenaire (partner) or entreprise (company)
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    #[arg(long)]
    civility: Option<String>,
    #[arg(long)]
    first_name: Option<String>,
    #[arg(long)]
    last_name: Option<String>,
    /// Mobile number (national or international form; empty removes it)
    #[arg(long)]
    mobile: Option<String>,
    #[arg(long)]
    mobile2: Option<String>,
    #[arg(long)]
    landline: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// SMS consent: oui / non
    #[arg(long)]
    consent: Option<String>,
    #[arg(long)]
    programme: Option<String>,
    /// The collaborator following them, by name (empty: none)
    #[arg(long)]
    collaborator: Option<String>,
    /// oui puts the mobile on the opt-out list (STOP)
    #[arg(long)]
    opt_out: Option<String>,
    /// The day they opted out (default today), e.g. 25/03/2026
    #[arg(long)]
    opt_out_date: Option<String>,
    /// operator, phone, written, reply or provider (default operator)
    #[arg(long)]
    opt_out_source: Option<String>,
    /// A free attribute KEY=VALUE (repeat it; KEY= removes one)
    #[arg(long = "attr", value_name = "KEY=VALUE")]
    attributes: Vec<String>,
}

impl ContactFields {
    fn change(self) -> ContactChange {
        ContactChange {
            kind: self.kind,
            civility: self.civility,
            first_name: self.first_name,
            last_name: self.last_name,
            mobile: self.mobile,
            mobile2: self.mobile2,
            landline: self.landline,
            email: self.email,
            consent: self.consent,
            programme: self.programme,
            collaborator: self.collaborator,
            opt_out: self.opt_out,
            opt_out_date: self.opt_out_date,
            opt_out_source: self.opt_out_source,
            attributes: self.attributes,
        }
    }
}

pub fn contact_cmd(action: ContactAction, env: &Env) -> CliResult {
    let (mut store, actor) = env.open()?;
    let now = env.clock.now();
    match action {
        ContactAction::Add(fields) => {
            let saved = contacts::add_contact(&mut store, &actor, &fields.change(), now)?;
            print_saved(&store, &saved, "created", env)
        }
        ContactAction::Set { id, fields } => {
            let saved = contacts::update_contact(&mut store, &actor, id, &fields.change(), now)?;
            print_saved(&store, &saved, "updated", env)
        }
        ContactAction::Archive { id, undo } => {
            let name = contacts::archive_contact(&mut store, &actor, id, !undo, now)?;
            if env.json {
                let d = card::detail(store.db(), id)?;
                print_json(&serde_json::to_value(&d).unwrap_or_default());
            } else {
                let done = if undo {
                    "back from the archive"
                } else {
                    "archived"
                };
                println!("contact #{id} {} {done}", crate::text::sanitize(&name));
            }
            Ok(())
        }
        ContactAction::Show { id, mobile, limit } => {
            let id = match (id, mobile) {
                (Some(id), _) => id,
                (None, Some(m)) => find_by_mobile(&store, &m)?,
                (None, None) => return Err(Failure::BadInput("give an id or --mobile".into())),
            };
            show(&store, id, limit, env)
        }
    }
}

fn find_by_mobile(store: &crate::store::Store, number: &str) -> Result<i64, Failure> {
    let settings = crate::store::settings::Settings::load(store.db())?;
    let shown = crate::text::sanitize(number).into_owned();
    let p = crate::sms::phone::parse_phone(number, &settings.default_region)
        .map_err(|e| Failure::BadInput(format!("mobile \"{shown}\": {e}")))?;
    participants::owner_of_mobile(store.db(), &p.e164)?
        .map(|(id, ..)| id)
        .ok_or_else(|| Failure::BadInput(format!("mobile \"{shown}\": no contact has this number")))
}

fn print_saved(
    store: &crate::store::Store,
    saved: &contacts::Saved,
    done: &str,
    env: &Env,
) -> CliResult {
    let d = card::detail(store.db(), saved.id)?;
    if env.json {
        let mut v = serde_json::to_value(&d).unwrap_or_default();
        v["warnings"] = serde_json::to_value(&saved.warnings).unwrap_or_default();
        v["changed"] = json!(saved.changed);
        print_json(&v);
    } else {
        println!(
            "contact #{} {} {done}",
            saved.id,
            crate::text::sanitize(&d.participant.full_name())
        );
        for w in &saved.warnings {
            println!("  note: {w}");
        }
    }
    Ok(())
}

fn show(store: &crate::store::Store, id: i64, limit: usize, env: &Env) -> CliResult {
    let conn = store.db();
    let d = card::detail(conn, id)?;
    let lists = card::lists_of(conn, id)?;
    let events = card::events_of(conn, id, 20)?;
    let numbers = card::numbers_of(conn, id)?;
    let timeline = card::timeline(conn, id, &numbers, None::<TimelineKey>, limit)?;
    if env.json {
        let mut v = serde_json::to_value(&d).unwrap_or_default();
        v["lists"] = serde_json::to_value(&lists).unwrap_or_default();
        v["events"] = serde_json::to_value(&events).unwrap_or_default();
        v["timeline"] = serde_json::to_value(&timeline).unwrap_or_default();
        print_json(&v);
        return Ok(());
    }
    let s = |t: &str| crate::text::sanitize(t).into_owned();
    let p = &d.participant;
    println!(
        "#{} {} {} {} ({}){}",
        p.id,
        s(&p.civility),
        s(&p.first_name),
        s(&p.last_name),
        p.kind,
        if p.archived { " [archived]" } else { "" }
    );
    println!("mobile: {}", p.mobile.as_deref().unwrap_or("—"));
    println!("SMS consent: {}", if p.sms_consent { "yes" } else { "no" });
    if let Some(o) = &d.opt_out {
        let at = crate::store::from_ts(o.at).to_rfc3339();
        println!("opted out: {at} ({}, by {})", o.source, s(&o.by));
    }
    if !p.programme.is_empty() {
        println!("programme: {}", s(&p.programme));
    }
    for (k, v) in &d.attributes {
        println!("{}: {}", s(k), s(v.as_str().unwrap_or_default()));
    }
    for l in &lists {
        println!("list: {}", s(&l.name));
    }
    for e in &events {
        println!(
            "event #{} {} {} {}",
            e.id,
            e.kind,
            e.starts_local,
            s(&e.outcome)
        );
    }
    for t in &timeline {
        let at = crate::store::from_ts(t.at).to_rfc3339();
        let arrow = match t.direction() {
            card::Direction::Out => "→",
            card::Direction::In => "←",
        };
        println!("{at} {arrow} {} [{}] {}", t.phone, t.status, s(&t.text));
    }
    Ok(())
}
