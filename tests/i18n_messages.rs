//! The rules' refusals, produced by calling the core, the SMS rules and the spreadsheet reader,
//! are typed values: they come out in French from their catalogue entry with their values
//! (names, numbers, rows, times) intact, and in English exactly as the command line writes them.

mod support;

use smsdesk::core::Actor;
use smsdesk::core::batch::{self, BatchInput, InterviewInput};
use smsdesk::core::send::{self, Body, IndividualSend};
use smsdesk::i18n::{Describe, Lang};
use smsdesk::sms::phone;
use smsdesk::sms::template::{self, MergeData, TemplateContext};
use smsdesk::store::Store;
use smsdesk::store::participants::{self, NewParticipant};
use support::world::*;

fn store() -> (tempfile::TempDir, Store, Actor) {
    let (dir, mut store, actor) = open_store("m.db");
    add_pack(&mut store, &actor, 100);
    (dir, store, actor)
}

/// The French, checked to differ from the English, which is the command line's text.
fn french(said: &(impl Describe + std::fmt::Display)) -> String {
    let english = said.to_string();
    assert_eq!(
        said.describe(Lang::En),
        english,
        "English is the command line's"
    );
    let fr = said.describe(Lang::Fr);
    assert_ne!(fr, english, "no French for {english:?}");
    fr
}

#[test]
fn a_batch_recipient_without_consent_is_refused_in_french_with_their_name() {
    let (_dir, mut store, actor) = store();
    let (collaborator, denis) = store
        .write(|tx: smsdesk::store::Db<'_>| {
            let c = add_collaborator(tx, "Julien", "Dubois")?;
            let p = participants::insert_participant(
                tx,
                &NewParticipant {
                    kind: smsdesk::sms::status::ParticipantKind::Participant,
                    first_name: "Denis".into(),
                    last_name: "Lefèvre".into(),
                    mobile: Some("+33612345670".into()),
                    sms_consent: false,
                    ..Default::default()
                },
                now(),
            )?;
            Ok::<_, smsdesk::store::StoreError>((c, p))
        })
        .unwrap();
    let input = BatchInput {
        name: "Salon".into(),
        participants: vec![denis],
        lists: vec![],
        interview: Some(InterviewInput {
            starts_local: Some(local("2026-03-26 10:00")),
            collaborator_id: Some(collaborator),
            interview_type: "information collective".into(),
            theme: "salon".into(),
            outcome: "invitation".into(),
            ..Default::default()
        }),
        body: Body::Text("Salon de l'emploi jeudi 10h.".into()),
        campaign: false,
    };
    let preview = batch::preview_batch(&store, &actor, &input).unwrap();
    let error = preview.rows[0].error.clone().expect("no consent, no SMS");
    assert_eq!(
        error.to_string(),
        "Denis Lefèvre: has not consented to receive SMS"
    );
    // A typed refusal: the French comes from its catalogue entry, not from the English.
    assert_eq!(
        french(&error),
        "Denis Lefèvre : n'a pas donné son accord SMS"
    );
}

#[test]
fn a_refused_number_keeps_the_number_and_its_digit_count() {
    let (_dir, mut store, actor) = store();
    let request = IndividualSend {
        to: vec!["06 12".into()],
        body: Body::Text("Bonjour".into()),
        at: None,
    };
    let error = send::send_individual(&mut store, &actor, &request, now()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "06 12: too short to be a phone number (4 digits)"
    );
    assert_eq!(
        french(&error),
        "06 12 : trop court pour un numéro de téléphone (4 chiffres)"
    );

    let landline = phone::parse_recipient("01 42 68 53 00", "FR").unwrap_err();
    let fr = french(&landline);
    assert_eq!(fr, "pas un numéro de mobile : +33142685300 (ligne fixe)");
    assert!(
        fr.contains("ligne fixe"),
        "the kind of line is French too: {fr}"
    );
}

#[test]
fn a_time_outside_the_window_keeps_its_time_and_window_with_a_french_day() {
    let (_dir, mut store, actor) = store();
    let request = IndividualSend {
        to: vec!["06 12 34 56 78".into()],
        body: Body::Text("Bonjour".into()),
        at: Some(local("2026-03-24 21:30")),
    };
    let error = send::send_individual(&mut store, &actor, &request, now()).unwrap_err();
    assert!(
        error.to_string().contains("is outside the sending window"),
        "{error}"
    );
    let fr = french(&error);
    assert!(
        fr.starts_with("l'heure prévue, mardi 24/03/2026 21:30"),
        "time kept, day in French: {fr}"
    );
    assert!(
        fr.contains("est hors de la plage d'envoi 09:00-19:00"),
        "{fr}"
    );
}

#[test]
fn a_missing_merge_value_names_its_field() {
    let parsed =
        template::parse("Bonjour {{participant.first_name}}", TemplateContext::Batch).unwrap();
    let error = template::render(&parsed, &MergeData::default(), Lang::Fr).unwrap_err();
    assert_eq!(
        french(&error),
        "pas de valeur pour le champ de fusion `participant.first_name` pour ce destinataire"
    );

    let errors =
        template::parse("Bonjour {{participant.prenom}}", TemplateContext::Batch).unwrap_err();
    let fr = french(&errors[0]);
    assert!(
        fr.starts_with("ligne 1, colonne 9 : champ de fusion inconnu `participant.prenom`"),
        "{fr}"
    );
}

#[test]
fn a_spreadsheet_without_telephone_column_names_file_row_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("destinataires.csv");
    std::fs::write(&path, "NOM;PORTABLE\nMartin;0612345678\n").unwrap();
    // The reader's error is typed: the screen describes it in the operator's language.
    let error = smsdesk::io::import::read_phone_column(&path, &mut |_| {}).unwrap_err();
    let fr = smsdesk::i18n::Describe::describe(&error, Lang::Fr);
    let file = path.display().to_string();
    assert!(
        fr.starts_with(&format!(
            "{file} : pas de colonne TELEPHONE dans la ligne d'en-tête (ligne 1) ; colonnes trouvées : "
        )),
        "{fr}"
    );
    assert!(fr.contains("NOM") && fr.contains("PORTABLE"), "{fr}");
}
