//! Gathering merge data for a recipient from the store, and rendering templates with it.

use super::{CoreError, CoreResult};
use crate::i18n::Lang;
use crate::sms::template::{
    self, EventData, MergeData, OrgData, ParsedTemplate, ParticipantData, PersonData,
    TemplateContext,
};
use crate::store::Db;
use crate::store::merge as store_merge;
use crate::store::settings::Settings;

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
    conn: Db<'_>,
    settings: &Settings,
    participant_id: Option<i64>,
    event_id: Option<i64>,
) -> CoreResult<MergeData> {
    let mut data = MergeData {
        organisation: organisation(settings),
        ..MergeData::default()
    };
    if let Some(pid) = participant_id {
        data.participant = store_merge::participant_fields(conn, pid)?.map(
            |[civility, first_name, last_name, programme]| ParticipantData {
                civility: opt(civility),
                first_name: opt(first_name),
                last_name: opt(last_name),
                programme: opt(programme),
            },
        );
    }
    if let Some(eid) = event_id {
        let row = store_merge::event_fields(conn, eid)?;
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

pub fn collaborator_data(conn: Db<'_>, id: i64) -> CoreResult<Option<PersonData>> {
    Ok(
        store_merge::collaborator_fields(conn, id)?.map(|(first_name, last_name, phone)| {
            PersonData {
                first_name: opt(first_name),
                last_name: opt(last_name),
                phone: phone.and_then(opt),
            }
        }),
    )
}

/// Parses a template or text for `context`, with every unknown field reported and placed.
pub fn parse(text: &str, context: TemplateContext) -> CoreResult<ParsedTemplate> {
    template::parse(text, context).map_err(|errors| {
        CoreError::Invalid(super::Refusal::Template {
            problems: super::refusal::TemplateErrors(errors),
        })
    })
}

/// Renders for one recipient; a missing value is an error naming the field and the recipient.
pub fn render(
    t: &ParsedTemplate,
    data: &MergeData,
    settings: &Settings,
    who: &str,
) -> CoreResult<String> {
    template::render(t, data, message_lang(settings))
        .map_err(|problem| CoreError::Invalid(super::Refusal::Render { problem }.about(who)))
}

/// The language of SMS texts: the organisation's setting, French by default — never the
/// operator's `$LANG`, so the same message renders the same from every terminal.
pub fn message_lang(settings: &Settings) -> Lang {
    Lang::parse(&settings.language).unwrap_or(Lang::Fr)
}
