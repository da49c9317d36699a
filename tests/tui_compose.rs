//! What the operator sets is what leaves: templates picked in every composer (Ctrl-o), their
//! text put in the box and editable unless imposed, and the reminder window of the Agenda
//! keeping the text it shows (issue 10, points 4 and 6).

mod tui_fixture;

use crossterm::event::KeyCode;
use smsdesk::clock::Clock;
use smsdesk::core::Actor;
use smsdesk::core::reminders::{When, schedule_reminder};
use smsdesk::core::send::Body;
use smsdesk::i18n::Lang;
use smsdesk::keymap::Keymap;
use smsdesk::store::Store;
use smsdesk::store::operators::Rights;
use smsdesk::tui::App;
use tui_fixture::*;

const RAPPEL: &str =
    "Bonjour {{participant.first_name}}, RDV {{event.type}} le {{event.datetime}}.";
const CONVOCATION: &str = "Merci de venir avec votre CV, {{participant.first_name}}.";
const ATELIER: &str = "Bonjour {{participant.first_name}}, atelier CV jeudi à 10h.";

/// Élodie Martin (consenting, mobile) with an interview on Friday 3 April 2026 at 14:00
/// Paris, no reminder; two interview templates ("Rappel RDV", "Convocation") and a batch one
/// ("Atelier CV").
fn store() -> Fixture {
    elodie_with_interview(&[
        ("Rappel RDV", "interview", RAPPEL),
        ("Convocation", "interview", CONVOCATION),
        ("Atelier CV", "batch", ATELIER),
    ])
}

fn template_id(f: &Fixture, name: &str) -> i64 {
    f.store
        .conn()
        .query_row("SELECT id FROM templates WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
}

/// The App as operator `login` with `rights` (added by the administrator).
fn app_as(f: &mut Fixture, login: &str, rights: &str) -> App {
    let admin = Actor::identify(&mut f.store, "admin", now()).unwrap();
    smsdesk::core::admin::add_user(
        &mut f.store,
        &admin,
        login,
        Rights::parse(rights).unwrap(),
        now(),
    )
    .unwrap();
    let mut store = Store::open(&f.path()).unwrap();
    let actor = Actor::identify(&mut store, login, now()).unwrap();
    let mut app = App::new(
        store,
        actor,
        Lang::En,
        Keymap::defaults(),
        Clock::fixed(now()),
    );
    app.set_location("demo.db".into());
    app
}

/// The pending message: (text, template id), read through another connection.
fn pending(f: &Fixture) -> (String, Option<i64>) {
    Store::open(&f.path())
        .unwrap()
        .conn()
        .query_row(
            "SELECT text, template_id FROM messages WHERE status = 'pending' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn pending_count(f: &Fixture) -> i64 {
    Store::open(&f.path())
        .unwrap()
        .conn()
        .query_row(
            "SELECT count(*) FROM messages WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Agenda, reminder window of the (only) event.
fn open_reminder(app: &mut App) {
    press(app, "a");
    press(app, "t");
    assert!(app.is_editing(), "{}", render(app, 100, 30));
}

/// Tab from the first field of the reminder window to its template field.
fn to_template_field(app: &mut App) {
    for _ in 0..3 {
        app.handle_key(code(KeyCode::Tab));
    }
}

#[test]
fn choosing_a_template_in_the_reminder_window_puts_its_text_in_the_box() {
    let f = store();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    open_reminder(&mut app);
    // A new reminder starts on the first template by name: its text is in the box.
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("‹ Convocation ›"), "{screen}");
    assert!(screen.contains("Merci de venir avec votre CV"), "{screen}");
    // Another template chosen in the field replaces it.
    to_template_field(&mut app);
    app.handle_key(code(KeyCode::Right));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("‹ Rappel RDV ›"), "{screen}");
    assert!(
        screen.contains("Bonjour {{participant.first_name}}, RDV"),
        "{screen}"
    );
    assert!(!screen.contains("Merci de venir"), "{screen}");
    // The picker (Ctrl-o, named in the hints) finds one by typing part of its name.
    assert!(screen.contains("Ctrl-o"), "{screen}");
    app.handle_key(ctrl('o'));
    press(&mut app, "conv");
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("Templates › conv"), "{screen}");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("‹ Convocation ›"), "{screen}");
    assert!(screen.contains("Merci de venir avec votre CV"), "{screen}");
    assert!(!screen.contains("RDV {{event.type}}"), "{screen}");
}

#[test]
fn text_typed_after_choosing_a_template_leaves_as_typed() {
    let f = store();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    open_reminder(&mut app);
    // Into the box (after the four fields), at the end of the template's text.
    for _ in 0..4 {
        app.handle_key(code(KeyCode::Tab));
    }
    app.handle_key(code(KeyCode::End));
    press(&mut app, " Apportez votre CV.");
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 100, 30));
    let (text, template) = pending(&f);
    assert!(
        text.starts_with("Merci de venir avec votre CV, Élodie. Apportez votre CV."),
        "{text}"
    );
    // Edited, its text leaves as typed and it stays the template's message: the template's
    // reply keywords still set the event's outcome.
    assert_eq!(template, Some(template_id(&f, "Convocation")));
    // Reopened, the window names the template and shows the text as edited; saved again,
    // nothing changes and no second reminder appears.
    open_reminder(&mut app);
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("‹ Convocation ›"), "{screen}");
    assert!(screen.contains("Apportez votre CV."), "{screen}");
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 100, 30));
    assert_eq!(pending(&f), (text, template));
    assert_eq!(pending_count(&f), 1);
}

#[test]
fn a_free_text_reminder_reopened_shows_its_text_and_saving_keeps_it() {
    let mut f = store();
    let admin = Actor::identify(&mut f.store, "admin", now()).unwrap();
    schedule_reminder(
        &mut f.store,
        &admin,
        1,
        When::DaysBefore(1),
        Body::Text("Pensez à votre rendez-vous de demain.".into()),
        now(),
    )
    .unwrap();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    open_reminder(&mut app);
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("(own text below)"), "{screen}");
    assert!(
        screen.contains("Pensez à votre rendez-vous de demain."),
        "{screen}"
    );
    assert!(!screen.contains("Rappel RDV"), "{screen}");
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 100, 30));
    assert_eq!(
        pending_count(&f),
        1,
        "the new reminder replaced the old one"
    );
    let (text, template) = pending(&f);
    assert!(
        text.starts_with("Pensez à votre rendez-vous de demain."),
        "{text}"
    );
    assert_eq!(template, None);
}

#[test]
fn a_template_reminder_reopened_shows_the_template_and_its_text() {
    let mut f = store();
    let convocation = template_id(&f, "Convocation");
    let admin = Actor::identify(&mut f.store, "admin", now()).unwrap();
    schedule_reminder(
        &mut f.store,
        &admin,
        1,
        When::DaysBefore(2),
        Body::Template(convocation),
        now(),
    )
    .unwrap();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    open_reminder(&mut app);
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("‹ Convocation ›"), "{screen}");
    assert!(screen.contains("D-2"), "{screen}");
    assert!(screen.contains("Merci de venir avec votre CV"), "{screen}");
    // Saved untouched, it stays the template (its reply keywords apply).
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 100, 30));
    let (text, template) = pending(&f);
    assert_eq!(template, Some(convocation));
    assert!(
        text.starts_with("Merci de venir avec votre CV, Élodie."),
        "{text}"
    );
}

#[test]
fn a_templates_only_operator_sends_a_template_to_one_contact() {
    let mut f = store();
    let atelier = template_id(&f, "Atelier CV");
    let mut app = app_as(&mut f, "karim", "instant,templates_only");
    press(&mut app, "c");
    press(&mut app, "n");
    assert!(app.is_editing(), "{:?}", app.status_message());
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("Ctrl-o"), "the picker is offered: {screen}");
    // Quick selection by name.
    app.handle_key(ctrl('o'));
    press(&mut app, "atel");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("atelier CV jeudi"), "{screen}");
    // The box is read-only for them: typing changes nothing.
    press(&mut app, "xyz");
    app.handle_key(code(KeyCode::Backspace));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("jeudi à 10h."), "{screen}");
    assert!(!screen.contains("xyz"), "{screen}");
    app.handle_key(ctrl('s'));
    // The send question first; Enter goes back, `y` sends.
    assert!(app.has_popup(), "{}", render(&mut app, 100, 30));
    app.handle_key(code(KeyCode::Char('y')));
    assert!(!app.is_editing(), "{}", render(&mut app, 100, 30));
    let (text, template) = pending(&f);
    assert!(
        text.starts_with("Bonjour Élodie, atelier CV jeudi à 10h."),
        "{text}"
    );
    assert_eq!(template, Some(atelier));
}

#[test]
fn a_templates_only_operator_schedules_a_picked_template_for_one_event() {
    let mut f = store();
    let rappel = template_id(&f, "Rappel RDV");
    let mut app = app_as(&mut f, "karim", "scheduled,templates_only");
    open_reminder(&mut app);
    let screen = render(&mut app, 100, 30);
    assert!(
        !screen.contains("own text"),
        "not offered to them: {screen}"
    );
    app.handle_key(ctrl('o'));
    press(&mut app, "rapp");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("‹ Rappel RDV ›"), "{screen}");
    assert!(
        screen.contains("Bonjour {{participant.first_name}}, RDV"),
        "{screen}"
    );
    // Read-only for them: typing changes nothing.
    press(&mut app, "xyz");
    assert!(!render(&mut app, 100, 30).contains("xyz"));
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 100, 30));
    let (text, template) = pending(&f);
    assert_eq!(template, Some(rappel));
    assert!(
        text.starts_with("Bonjour Élodie, RDV diagnostic le "),
        "{text}"
    );
}

#[test]
fn a_template_picked_and_edited_in_the_individual_composer_leaves_as_edited() {
    let f = store();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "c");
    press(&mut app, "n");
    // In the empty box (where the cursor starts), even on a narrow screen, the footer names
    // the picker's key.
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Ctrl-o pick template"), "{screen}");
    app.handle_key(ctrl('o'));
    press(&mut app, "atel");
    app.handle_key(code(KeyCode::Enter));
    // The text is in the box, editable: the time becomes 11h.
    app.handle_key(code(KeyCode::End));
    for _ in 0..4 {
        app.handle_key(code(KeyCode::Backspace));
    }
    press(&mut app, "11h !");
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("atelier CV jeudi à 11h !"), "{screen}");
    app.handle_key(ctrl('s'));
    // The send question first; Enter goes back, `y` sends.
    assert!(app.has_popup(), "{}", render(&mut app, 100, 30));
    app.handle_key(code(KeyCode::Char('y')));
    assert!(!app.is_editing(), "{}", render(&mut app, 100, 30));
    let (text, template) = pending(&f);
    assert!(
        text.starts_with("Bonjour Élodie, atelier CV jeudi à 11h !"),
        "{text}"
    );
    assert_eq!(
        template,
        Some(template_id(&f, "Atelier CV")),
        "edited, still the template's message (its reply keywords apply)"
    );
}

#[test]
fn a_template_picked_and_edited_in_a_batch_leaves_as_edited() {
    let f = store();
    add_collaborator(&f.store, "Claire", "Durand");
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "8n");
    press(&mut app, "Atelier avril");
    // Élodie added from the search field, then the interview the batch records.
    tab(&mut app, 10);
    press(&mut app, "mart");
    app.handle_key(code(KeyCode::Enter));
    // Past the chosen recipient and the context (an interview, by default).
    tab(&mut app, 3);
    press(&mut app, "02/04/2026 10:00");
    tab(&mut app, 1);
    app.handle_key(code(KeyCode::Right));
    for text in ["atelier", "CV", "information sent"] {
        tab(&mut app, 1);
        press(&mut app, text);
    }
    app.handle_key(ctrl('o'));
    press(&mut app, "atel");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 100, 40);
    assert!(screen.contains("‹ Atelier CV ›"), "{screen}");
    app.handle_key(code(KeyCode::End));
    for _ in 0..4 {
        app.handle_key(code(KeyCode::Backspace));
    }
    press(&mut app, "11h !");
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 100, 40);
    assert!(screen.contains("1 message(s)"), "{screen}");
    app.handle_key(ctrl('s'));
    press(&mut app, "y");
    let screen = render(&mut app, 100, 40);
    assert!(
        app.status_message()
            .is_some_and(|s| s.contains("batch queued: 1 message(s)")),
        "{:?}\n{screen}",
        app.status_message(),
    );
    let (text, template) = pending(&f);
    assert!(
        text.starts_with("Bonjour Élodie, atelier CV jeudi à 11h !"),
        "{text}"
    );
    assert_eq!(template, Some(template_id(&f, "Atelier CV")));
}

#[test]
fn an_upcoming_text_is_rewritten_from_a_picked_template() {
    let mut f = store();
    let admin = Actor::identify(&mut f.store, "admin", now()).unwrap();
    smsdesk::core::send::send_individual(
        &mut f.store,
        &admin,
        &smsdesk::core::send::IndividualSend {
            to: vec!["+33612345678".into()],
            body: Body::Text("Bonjour, à bientôt.".into()),
            at: Some(
                chrono::NaiveDate::from_ymd_opt(2026, 4, 1)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap(),
            ),
        },
        now(),
    )
    .unwrap();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "7");
    press(&mut app, "w");
    assert!(app.is_editing(), "{}", render(&mut app, 100, 30));
    app.handle_key(ctrl('o'));
    press(&mut app, "atel");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("atelier CV jeudi à 10h."), "{screen}");
    assert!(!screen.contains("à bientôt"), "{screen}");
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 100, 30));
    let (text, _) = pending(&f);
    assert_eq!(text, "Bonjour Élodie, atelier CV jeudi à 10h.");
}

#[test]
fn snapshot_of_the_template_picker_in_the_reminder_window() {
    for lang in [Lang::En, Lang::Fr] {
        let f = store();
        let mut app = app(Store::open(&f.path()).unwrap(), lang);
        open_reminder(&mut app);
        app.handle_key(ctrl('o'));
        press(&mut app, "r");
        let screen = render(&mut app, 80, 24);
        insta::assert_snapshot!(format!("template_picker_{}", lang.as_str()), screen);
    }
}
