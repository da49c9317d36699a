//! Gathering merge data for a recipient from the store, and rendering templates with it.

use super::{CoreError, CoreResult};
use crate::i18n::Lang;
use crate::sms::template::{
    self, EventData, MergeData, OrgData, ParsedTemplate, ParticipantData, PersonData,
    TemplateContext,
};
use crate::store::settings::Settings;
use rusqlite::{Connection, OptionalExtension};

/// The organisation's part of the merge data.
pub fn organisation(settings: &Settings) -> OrgData {
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    OrgData {
        name: non_empty(&settings.organisation),
        sender: non_empty(&settings.sender),
        signature: non_empty(&settings.signature),
    }
}

fn opt(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// Merge data for a participant and, optionally, one of their events (with its collaborator).
pub fn merge_data(
    conn: &Connection,
    settings: &Settings,
    participant_id: Option<i64>,
    event_id: Option<i64>,
) -> CoreResult<MergeData> {
    let mut data = MergeData {
        organisation: organisation(settings),
        ..MergeData::default()
    };
    if let Some(pid) = participant_id {
        data.participant = conn
            .query_row(
                "SELECT civility, first_name, last_name, programme FROM participants WHERE id = ?1",
                [pid],
                |r| {
                    Ok(ParticipantData {
                        civility: opt(r.get(0)?),
                        first_name: opt(r.get(1)?),
                        last_name: opt(r.get(2)?),
                        programme: opt(r.get(3)?),
                    })
                },
            )
            .optional()?;
    }
    if let Some(eid) = event_id {
        let row: Option<(String, String, String, String, Option<i64>)> = conn
            .query_row(
                "SELECT starts_local, type, location, kind, collaborator_id FROM events WHERE id = ?1",
                [eid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        if let Some((start, event_type, location, kind, collaborator)) = row {
            let lang = message_lang(settings);
            data.event = Some(EventData {
                start: chrono::NaiveDateTime::parse_from_str(&start, "%Y-%m-%d %H:%M:%S").ok(),
                event_type: opt(event_type),
                location: opt(location),
                kind: opt(crate::i18n::tr(lang, &format!("kind.{kind}")).to_string()),
            });
            if let Some(cid) = collaborator {
                data.collaborator = collaborator_data(conn, cid)?;
            }
        }
    }
    Ok(data)
}

pub fn collaborator_data(conn: &Connection, id: i64) -> CoreResult<Option<PersonData>> {
    Ok(conn
        .query_row(
            "SELECT first_name, last_name, phone FROM collaborators WHERE id = ?1",
            [id],
            |r| {
                Ok(PersonData {
                    first_name: opt(r.get(0)?),
                    last_name: opt(r.get(1)?),
                    phone: r.get::<_, Option<String>>(2)?.and_then(opt),
                })
            },
        )
        .optional()?)
}

/// Parses a template or text for `context`, with every unknown field reported and placed.
pub fn parse(text: &str, context: TemplateContext) -> CoreResult<ParsedTemplate> {
    template::parse(text, context).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        CoreError::Invalid(list.join("; "))
    })
}

/// Renders for one recipient; a missing value is an error naming the field and the recipient.
pub fn render(
    t: &ParsedTemplate,
    data: &MergeData,
    settings: &Settings,
    who: &str,
) -> CoreResult<String> {
    template::render(t, data, message_lang(settings)).map_err(|e| {
        CoreError::Invalid(if who.is_empty() {
            e.to_string()
        } else {
            format!("{who}: {e}")
        })
    })
}

/// The language of SMS texts: the organisation's setting, French by default — never the
/// operator's `$LANG`, so the same message renders the same from every terminal.
pub fn message_lang(settings: &Settings) -> Lang {
    Lang::parse(&settings.language).unwrap_or(Lang::Fr)
}
