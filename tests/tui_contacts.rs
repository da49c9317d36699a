//! Contacts: an individual SMS to the selected participant, written in the composer.

mod support;
mod tui_fixture;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::i18n::Lang;
use tui_fixture::*;

/// A demo store in `dir` and its first contacts in list order, with the first who may
/// receive SMS and its row index.
fn demo_and_first_reachable(
    dir: &std::path::Path,
) -> (
    smsdesk::store::Store,
    Vec<smsdesk::store::participants::Participant>,
    usize,
    smsdesk::store::participants::Participant,
) {
    let path = dir.join("demo.db");
    smsdesk::demo::create(&path, 2026, "admin", now()).unwrap();
    let store = smsdesk::store::Store::open(&path).unwrap();
    let people = smsdesk::store::participants::page(
        store.db(),
        "",
        smsdesk::store::page::Page::forward(None, 500),
    )
    .unwrap();
    let (index, target) = people
        .iter()
        .enumerate()
        .find(|(_, p)| p.mobile.is_some() && p.sms_consent && !p.opted_out)
        .map(|(i, p)| (i, p.clone()))
        .unwrap();
    (store, people, index, target)
}

#[test]
fn an_individual_sms_is_sent_to_the_selected_contact() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, index, target) = demo_and_first_reachable(dir.path());
    let path = dir.path().join("demo.db");
    let mut app = app(store, Lang::En);
    press(&mut app, "c");
    for _ in 0..index {
        app.handle_key(code(KeyCode::Down));
    }
    press(&mut app, "n");
    assert!(
        app.is_editing(),
        "the send form opens: {:?}",
        app.status_message()
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("SMS to"), "{screen}");
    // The cursor starts in the text.
    for c in "Bonjour {{participant.first_name}}, votre dossier est prêt.".chars() {
        app.handle_key(key(c));
    }
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    // Ctrl-s asks first; Enter goes back, `y` sends.
    assert!(app.has_popup(), "{}", render(&mut app, 80, 24));
    app.handle_key(key('y'));
    assert!(!app.is_editing(), "{:?}", app.status_message());
    let store = smsdesk::store::Store::open(&path).unwrap();
    let (phone, text, kind): (String, String, String) = store
        .conn()
        .query_row(
            "SELECT phone, text, kind FROM messages WHERE created_by = 'admin' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(Some(phone), target.mobile);
    assert_eq!(kind, "instant");
    assert!(
        text.starts_with(&format!(
            "Bonjour {}, votre dossier est prêt.",
            target.first_name
        )),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Saved lists

use smsdesk::store::Store;
use smsdesk::store::participants::{SavedList, list_members, saved_lists};
use std::path::Path;

fn lists_of(path: &Path) -> Vec<SavedList> {
    saved_lists(Store::open(path).unwrap().db()).unwrap()
}

fn member_names(path: &Path, list: i64) -> Vec<String> {
    list_members(Store::open(path).unwrap().db(), list)
        .unwrap()
        .into_iter()
        .map(|p| p.last_name)
        .collect()
}

fn typed(app: &mut smsdesk::tui::App, text: &str) {
    for c in text.chars() {
        app.handle_key(key(c));
    }
}

/// Searches `name` in the filter bar (the cursor lands on the first match).
fn search(app: &mut smsdesk::tui::App, name: &str) {
    press(app, "/");
    for _ in 0..30 {
        app.handle_key(code(KeyCode::Backspace));
    }
    typed(app, name);
    app.handle_key(code(KeyCode::Enter));
}

/// The tab's title line (under the tab bar).
fn title(screen: &str) -> &str {
    screen.lines().nth(1).unwrap_or_default()
}

fn audited(path: &Path) -> Vec<String> {
    let store = Store::open(path).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT action FROM audit_log WHERE action LIKE 'list.%' ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn a_selection_becomes_a_list_that_is_shown_filled_trimmed_renamed_and_deleted() {
    let f = sample_store();
    let path = f.path();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "c");
    // The list starts with Benali, Dupain: select both.
    app.handle_key(key(' '));
    app.handle_key(key(' '));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("2 selected"), "{screen}");

    // Save them as a list.
    press(&mut app, "s");
    assert!(app.has_popup());
    typed(&mut app, "  Atelier CV ");
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup(), "{}", render(&mut app, 80, 24));
    assert_eq!(
        app.status_message(),
        Some("list « Atelier CV » saved with 2 participant(s)")
    );
    let lists = lists_of(&path);
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].name, "Atelier CV");
    assert_eq!(member_names(&path, lists[0].id), ["Benali", "Dupain"]);
    let screen = render(&mut app, 80, 24);
    assert!(
        !screen.contains("selected"),
        "saved: selection forgotten\n{screen}"
    );

    // The same name in another case is refused, in the window, which stays open.
    app.handle_key(key(' '));
    press(&mut app, "s");
    typed(&mut app, "atelier cv");
    app.handle_key(code(KeyCode::Enter));
    assert!(app.has_popup());
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("already exists"), "{screen}");
    app.handle_key(code(KeyCode::Esc));
    assert_eq!(lists_of(&path).len(), 1);

    // Show the list: only its members, its name in the title.
    press(&mut app, "l");
    assert!(app.is_editing(), "the picker opens");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Everyone") && screen.contains("Atelier CV"),
        "{screen}"
    );
    app.handle_key(code(KeyCode::Down));
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.is_editing());
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("list « Atelier CV » (2)"), "{screen}");
    assert!(
        screen.contains("BENALI") && screen.contains("DUPAIN"),
        "{screen}"
    );
    assert!(!screen.contains("MARTIN"), "{screen}");

    // Back to everyone, pick Martin and add her to the list.
    press(&mut app, "l");
    app.handle_key(code(KeyCode::Home));
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("MARTIN") && !title(&screen).contains("list «"),
        "{screen}"
    );
    search(&mut app, "Martin");
    app.handle_key(key(' '));
    press(&mut app, "+");
    assert!(
        app.is_editing(),
        "the list picker opens: {:?}",
        app.status_message()
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Add 1 participant(s) to which list?"),
        "{screen}"
    );
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(
        app.status_message(),
        Some("1 added to « Atelier CV » (0 already in it)")
    );
    assert_eq!(
        member_names(&path, lists[0].id),
        ["Benali", "Dupain", "Martin"]
    );

    // Show it again and take the first row (Benali) out.
    search(&mut app, "");
    press(&mut app, "l");
    app.handle_key(code(KeyCode::Down));
    app.handle_key(code(KeyCode::Enter));
    press(&mut app, "-");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Take 1 participant(s) out of « Atelier CV »?"),
        "{screen}"
    );
    // Enter is "no" in a destructive question; `y` takes them out.
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(member_names(&path, lists[0].id).len(), 3);
    press(&mut app, "-y");
    assert_eq!(member_names(&path, lists[0].id), ["Dupain", "Martin"]);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("list « Atelier CV » (2)"), "{screen}");
    assert!(!screen.contains("BENALI"), "{screen}");

    // Rename the shown list.
    press(&mut app, "R");
    app.handle_key(ctrl('u'));
    typed(&mut app, "Atelier CV mars");
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(lists_of(&path)[0].name, "Atelier CV mars");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("list « Atelier CV mars » (2)"), "{screen}");

    // Delete it: the confirmation says how many members; everyone is shown again.
    press(&mut app, "D");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Delete the list « Atelier CV mars » and its 2")
            && screen.contains("member(s)?"),
        "{screen}"
    );
    press(&mut app, "y");
    assert!(lists_of(&path).is_empty());
    let screen = render(&mut app, 80, 24);
    assert!(!title(&screen).contains("list «"), "{screen}");
    assert!(
        screen.contains("BENALI") && screen.contains("MOREAU"),
        "{screen}"
    );
    // Participants stay.
    assert_eq!(
        smsdesk::store::participants::count(Store::open(&path).unwrap().db()).unwrap(),
        7
    );
    assert_eq!(
        audited(&path),
        [
            "list.create",
            "list.add",
            "list.remove",
            "list.rename",
            "list.delete"
        ]
    );
}

#[test]
fn rename_and_delete_pick_a_list_when_everyone_is_shown_and_say_when_there_is_none() {
    let f = sample_store();
    let path = f.path();
    let mut app = app(f.store, Lang::Fr);
    press(&mut app, "c");
    press(&mut app, "D");
    assert!(!app.is_editing());
    assert!(
        app.status_message()
            .is_some_and(|m| m.contains("aucune liste enregistrée")),
        "{:?}",
        app.status_message()
    );
    // A list of one (the row under the cursor when nothing is selected).
    press(&mut app, "s");
    typed(&mut app, "Solo");
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(member_names(&path, lists_of(&path)[0].id), ["Benali"]);
    press(&mut app, "D");
    assert!(app.is_editing(), "the picker asks which list");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Supprimer quelle liste ?"), "{screen}");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Supprimer la liste « Solo » et ses 1 membre(s) ?"),
        "{screen}"
    );
    // No: nothing deleted.
    app.handle_key(code(KeyCode::Esc));
    assert_eq!(lists_of(&path).len(), 1);
    // Removing rows needs a shown list.
    press(&mut app, "-");
    assert!(
        app.status_message()
            .is_some_and(|m| m.contains("affichez d'abord une liste")),
        "{:?}",
        app.status_message()
    );
}

#[test]
fn select_all_takes_everyone_the_search_shows() {
    let f = sample_store();
    let path = f.path();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "c");
    search(&mut app, "ar");
    // Benali Karim, Garnier, Martin contain "ar".
    press(&mut app, "A");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("3 selected"), "{screen}");
    press(&mut app, "s");
    typed(&mut app, "AR");
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(
        member_names(&path, lists_of(&path)[0].id),
        ["Benali", "Garnier", "Martin"]
    );
}

#[test]
fn lists_picker_snapshots() {
    for lang in [Lang::Fr, Lang::En] {
        let f = sample_store();
        let mut store = f.store;
        let admin = smsdesk::core::Actor::identify(&mut store, "admin", now()).unwrap();
        for (name, ids) in [("Atelier CV", vec![1, 2, 3]), ("Jeunes PLIE", vec![4])] {
            smsdesk::core::lists::create_list(&mut store, &admin, name, &ids, now()).unwrap();
        }
        let mut app = app(store, lang);
        press(&mut app, "c");
        press(&mut app, "l");
        app.handle_key(code(KeyCode::Down));
        insta::assert_snapshot!(
            format!("lists_picker_{}", lang.as_str()),
            render(&mut app, 80, 24)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Import from a spreadsheet

/// A one-sheet workbook of strings.
fn xlsx(path: &Path, rows: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                ws.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

/// Two new contacts, Martin (already in the sample store), and a row with a landline.
fn contacts_file(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("nouveaux.xlsx");
    xlsx(
        &file,
        &[
            &["NOM", "Prénom", "Portable", "Consentement SMS"],
            &["Lefebvre", "Anne", "06 55 44 33 22", "oui"],
            &["Roux", "Paul", "0677889900", "oui"],
            &["Martin", "Élodie", "06 12 34 56 78", "oui"],
            &["Girard", "Marc", "12345", "oui"],
        ],
    );
    file
}

/// Lets the import thread work: ticks until `done` holds (or fails after 10 s).
fn wait(app: &mut smsdesk::tui::App, what: &str, done: impl Fn(&mut smsdesk::tui::App) -> bool) {
    let start = std::time::Instant::now();
    loop {
        app.on_tick();
        if done(app) {
            return;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{what} never happened:\n{}",
            render(app, 80, 24)
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn count(path: &Path) -> i64 {
    smsdesk::store::participants::count(Store::open(path).unwrap().db()).unwrap()
}

fn start_import(app: &mut smsdesk::tui::App, file: &Path) {
    press(app, "I");
    assert!(app.has_popup(), "the import asks for a file");
    typed(app, file.to_str().unwrap());
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup(), "{}", render(app, 80, 24));
}

/// The terminal's event loop hands each job event to the app as it comes, and ticks only every
/// two seconds: the contacts an import wrote are listed with the news that they were imported,
/// not at the next tick.
#[test]
fn the_list_shows_imported_contacts_with_the_news_not_a_tick_later() {
    let f = sample_store();
    let file = contacts_file(f.dir.path());
    let mut app = app(f.store, Lang::En);
    press(&mut app, "c");
    start_import(&mut app, &file);
    wait(&mut app, "the preview", |a| a.is_editing());
    // From here on, job events come through the event loop's channel, as in the terminal.
    let (tx, rx) = std::sync::mpsc::channel();
    app.set_events(tx);
    app.handle_key(code(KeyCode::Enter));
    loop {
        let event = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the import ends");
        let smsdesk::tui::AppEvent::Job(job) = event else {
            continue;
        };
        let done = matches!(job.update, smsdesk::tui::jobs::JobUpdate::ImportDone(_));
        app.on_job(job);
        if done {
            break;
        }
    }
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("2 contact(s) imported from nouveaux.xlsx"),
        "{screen}"
    );
    assert!(
        screen.contains("LEFEBVRE") && screen.contains("ROUX"),
        "{screen}"
    );
}

#[test]
fn an_import_shows_its_preview_then_imports_on_enter() {
    let f = sample_store();
    let path = f.path();
    let file = contacts_file(f.dir.path());
    let mut app = app(f.store, Lang::En);
    press(&mut app, "c");
    start_import(&mut app, &file);
    wait(&mut app, "the preview", |a| a.is_editing());
    let screen = render(&mut app, 80, 24);
    for expected in [
        "Import preview",
        "nouveaux.xlsx: header on row 1",
        "new: 2",
        "already in the store (left unchanged): 1",
        "invalid rows: 1",
        "row 5, Portable (column C): « 12345 »",
        "row 4",
    ] {
        assert!(screen.contains(expected), "{expected:?} missing:\n{screen}");
    }
    // Nothing is written before Enter.
    assert_eq!(count(&path), 7);
    app.handle_key(code(KeyCode::Enter));
    wait(&mut app, "the import", |a| {
        !render(a, 80, 24).contains("importing")
    });
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("2 contact(s) imported from nouveaux.xlsx"),
        "{screen}"
    );
    assert!(
        screen.contains("LEFEBVRE") && screen.contains("ROUX"),
        "{screen}"
    );
    assert_eq!(count(&path), 9);
    let store = Store::open(&path).unwrap();
    let mobile: String = store
        .conn()
        .query_row(
            "SELECT mobile FROM participants WHERE last_name = 'Roux'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mobile, "+33677889900");
    let audit: String = store
        .conn()
        .query_row(
            "SELECT actor FROM audit_log WHERE action = 'participants.import'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit, "admin");
}

#[test]
fn esc_on_the_preview_imports_nothing() {
    let f = sample_store();
    let path = f.path();
    let file = contacts_file(f.dir.path());
    let mut app = app(f.store, Lang::Fr);
    press(&mut app, "c");
    start_import(&mut app, &file);
    wait(&mut app, "the preview", |a| a.is_editing());
    // `n` / `y` typed by mistake answer nothing here.
    press(&mut app, "yon");
    assert!(app.is_editing());
    app.handle_key(code(KeyCode::Esc));
    assert!(!app.is_editing());
    assert_eq!(
        app.status_message(),
        Some("import abandonné : rien n'a été importé")
    );
    for _ in 0..5 {
        app.on_tick();
    }
    assert_eq!(count(&path), 7);
}

#[test]
fn unreadable_files_say_why_in_a_window_and_import_nothing() {
    let f = sample_store();
    let path = f.path();
    let dir = f.dir.path().to_path_buf();
    let fake = dir.join("fake.xlsx");
    std::fs::write(&fake, "NOM;PRENOM\nDurand;Paul\n").unwrap();
    let no_name = dir.join("no_name.csv");
    std::fs::write(&no_name, "TELEPHONE;VILLE\n0612345678;Lyon\n").unwrap();
    let empty = dir.join("empty.ods");
    std::fs::write(&empty, "").unwrap();
    let missing = dir.join("nowhere.xlsx");
    let mut app = app(f.store, Lang::En);
    press(&mut app, "c");
    for file in [&fake, &no_name, &empty, &missing] {
        // The window shows io's own message, whole.
        let expected = smsdesk::io::contacts::read_contacts(file, &mut |_| {})
            .unwrap_err()
            .to_string();
        start_import(&mut app, file);
        wait(&mut app, "the failure window", |a| a.is_editing());
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains("Cannot import"), "{screen}");
        assert!(screen.contains("Nothing was imported."), "{screen}");
        let shown: String = screen
            .lines()
            .filter_map(|l| l.split('│').nth(1))
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join(" ");
        let words: Vec<&str> = expected.split_whitespace().collect();
        let seen: Vec<&str> = shown.split_whitespace().collect();
        assert!(
            seen.windows(words.len()).any(|w| w == words.as_slice()),
            "{expected:?} not shown whole:\n{screen}"
        );
        app.handle_key(code(KeyCode::Esc));
        assert!(!app.is_editing());
        assert_eq!(count(&path), 7);
    }
}

#[test]
fn import_preview_snapshots() {
    for lang in [Lang::Fr, Lang::En] {
        let f = sample_store();
        let file = contacts_file(f.dir.path());
        let mut app = app(f.store, lang);
        press(&mut app, "c");
        start_import(&mut app, &file);
        wait(&mut app, "the preview", |a| a.is_editing());
        insta::assert_snapshot!(
            format!("import_preview_{}", lang.as_str()),
            render(&mut app, 80, 24)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The journey on the real binary (tmux), checked through the CLI

mod journey {
    use super::support::term::{Launch, Term, cli_json, have_tmux};

    #[test]
    fn import_a_spreadsheet_then_save_two_contacts_as_a_list() {
        if !have_tmux() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("j.db");
        drop(smsdesk::store::Store::open(&db).unwrap());
        let file = dir.path().join("inscrits.xlsx");
        super::xlsx(
            &file,
            &[
                &["Nom", "Prénom", "Téléphone portable", "Accord SMS"],
                &["Roux", "Paul", "06 77 88 99 00", "oui"],
                &["Girard", "Marc", "0655443322", "oui"],
                &["Lefebvre", "Anne", "+33 6 11 22 33 44", "non"],
            ],
        );
        // The screens may take up to 15 s here.
        let term = Term::launch(
            dir.path(),
            &db,
            Launch {
                patience: std::time::Duration::from_secs(15),
                ..Launch::english("contacts")
            },
        );
        term.keys(&["c"]);
        term.wait_for("Contacts");
        term.keys(&["I"]);
        term.wait_for("Import contacts");
        term.typed(file.to_str().unwrap());
        term.keys(&["Enter"]);
        let preview = term.wait_for("Import preview");
        assert!(preview.contains("new: 3"), "{preview}");
        assert!(preview.contains("invalid rows: 0"), "{preview}");
        // Nothing before Enter.
        assert!(cli_json(&db, &["lists"]).as_array().unwrap().is_empty());
        term.keys(&["Enter"]);
        term.wait_for("3 contact(s) imported from inscrits.xlsx");
        // In name order: Girard, Lefebvre, Roux. Select the first two and save them.
        term.wait_for("GIRARD Marc");
        term.keys(&["Space", "Space"]);
        term.wait_for("2 selected");
        term.keys(&["s"]);
        term.wait_for("Save as a list");
        term.typed("Atelier CV avril");
        term.keys(&["Enter"]);
        term.wait_for("list « Atelier CV avril » saved with 2 participant(s)");

        let lists = cli_json(&db, &["lists"]);
        let lists = lists.as_array().unwrap();
        assert_eq!(lists.len(), 1, "{lists:?}");
        assert_eq!(lists[0]["name"], "Atelier CV avril");
        assert_eq!(lists[0]["members"], 2);
        assert_eq!(lists[0]["created_by"], "admin");
        let id = lists[0]["id"].as_i64().unwrap().to_string();
        let members = cli_json(&db, &["lists", "--members", &id]);
        let names: Vec<(&str, &str)> = members
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["last_name"].as_str().unwrap(),
                    p["mobile"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [("Girard", "+33655443322"), ("Lefebvre", "+33611223344")]
        );
    }
}

#[test]
fn a_contact_is_found_by_either_name_order_or_by_the_number_as_shown() {
    let f = sample_store();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "c");
    for typed in ["Karim Benali", "Benali Karim", "06 98 76 54 32", "+33 6 98"] {
        search(&mut app, typed);
        let screen = render(&mut app, 80, 24);
        let rows: Vec<&str> = screen
            .lines()
            .skip(3)
            .take_while(|l| !l.trim().is_empty())
            .collect();
        assert!(
            rows.len() == 1 && rows[0].contains("BENALI Karim"),
            "{typed}: {screen}"
        );
    }
}

/// Issue 14: `m` edits the selected contact in a form; a changed number leaves the message
/// already queued on the number it was queued with, and the next one goes to the new number;
/// `d` archives after a question that `Enter` answers "no".
#[test]
fn a_number_changed_in_the_form_leaves_queued_messages_alone_and_archiving_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let (store, people, index, target) = demo_and_first_reachable(dir.path());
    let path = dir.path().join("demo.db");
    let old = target.mobile.clone().unwrap();
    let ctrl = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let mut app = app(store, Lang::En);
    press(&mut app, "c");
    for _ in 0..index {
        app.handle_key(code(KeyCode::Down));
    }
    press(&mut app, "n");
    for c in "Votre commande est arrivée.".chars() {
        app.handle_key(key(c));
    }
    app.handle_key(ctrl('s'));
    press(&mut app, "y");
    assert!(!app.is_editing(), "{:?}", app.status_message());
    let queued: (i64, String) = smsdesk::store::Store::open(&path)
        .unwrap()
        .conn()
        .query_row(
            "SELECT id, phone FROM messages WHERE status = 'pending' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(queued.1, old);

    // `m`: the form of the contact; a bad number is refused under its field.
    press(&mut app, "m");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Edit "), "{screen}");
    for _ in 0..3 {
        app.handle_key(code(KeyCode::Tab));
    }
    app.handle_key(ctrl('u'));
    press(&mut app, "06 98");
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(app.is_editing(), "{screen}");
    assert!(
        screen.contains("too short to be a phone number"),
        "{screen}"
    );
    app.handle_key(ctrl('u'));
    press(&mut app, "06 98 76 54 99");
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 80, 24));
    let said = app.status_message().unwrap_or_default();
    assert!(said.contains("saved: mobile"), "{said}");
    let store = smsdesk::store::Store::open(&path).unwrap();
    let now_mobile = smsdesk::store::participants::get(store.db(), target.id)
        .unwrap()
        .mobile;
    assert_eq!(now_mobile.as_deref(), Some("+33698765499"));
    let phone: String = store
        .conn()
        .query_row(
            "SELECT phone FROM messages WHERE id = ?1",
            [queued.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(phone, old, "the queued message keeps its number");

    // `d`: the question answers "no" to Enter; `y` archives.
    press(&mut app, "d");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Archive the contact"), "{screen}");
    app.handle_key(code(KeyCode::Enter));
    let archived = |path: &std::path::Path| {
        smsdesk::store::participants::get(
            smsdesk::store::Store::open(path).unwrap().db(),
            target.id,
        )
        .unwrap()
        .archived
    };
    assert!(!archived(&path));
    press(&mut app, "d");
    press(&mut app, "y");
    assert!(archived(&path), "{:?}", app.status_message());
    let screen = render(&mut app, 80, 24);
    assert!(
        !screen.contains(&target.last_name.to_uppercase())
            || people
                .iter()
                .filter(|p| p.last_name == target.last_name)
                .count()
                > 1,
        "an archived contact leaves the list:\n{screen}"
    );
}

/// An archived contact leaves the list, but their card stays reachable (from a message's
/// detail with `f`): there `d` brings them back, and on anyone's card `d` archives.
#[test]
fn the_card_archives_and_brings_back_a_contact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 2026, "admin", now()).unwrap();
    let store = smsdesk::store::Store::open(&path).unwrap();
    let mut app = app(store, Lang::En);
    // The newest sent message's recipient, through the detail's `f`.
    press(&mut app, "6");
    app.handle_key(code(KeyCode::Enter));
    press(&mut app, "f");
    let card = render(&mut app, 80, 24);
    assert!(card.contains("Contact card"), "{card}");
    assert!(card.contains("d archive"), "{card}");
    let id: i64 = {
        let title = card.lines().find(|l| l.contains('#')).unwrap_or_default();
        let after = title.split('#').nth(1).unwrap_or_default();
        after
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let archived = || {
        smsdesk::store::participants::get(smsdesk::store::Store::open(&path).unwrap().db(), id)
            .unwrap()
            .archived
    };

    press(&mut app, "d");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Archive the contact"), "{screen}");
    press(&mut app, "y");
    assert!(archived(), "{:?}", app.status_message());
    let card = render(&mut app, 80, 24);
    assert!(card.contains("archived"), "{card}");
    assert!(card.contains("d bring back"), "{card}");

    press(&mut app, "d");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Bring back the contact"), "{screen}");
    assert!(screen.contains("They return to the"), "{screen}");
    // Bringing back loses nothing: Enter says yes.
    app.handle_key(code(KeyCode::Enter));
    assert!(!archived(), "{:?}", app.status_message());
    let card = render(&mut app, 80, 24);
    assert!(card.contains("d archive"), "{card}");
}

/// The contact form holds every field of a contact the import knows: the landline, the e-mail
/// and the counsellor are typed there, checked like the rest (an unknown counsellor is refused
/// under its field) and shown on the card.
#[test]
fn the_contact_form_edits_the_landline_the_email_and_the_counsellor() {
    for lang in [Lang::En, Lang::Fr] {
        let dir = tempfile::tempdir().unwrap();
        let (store, _, index, target) = demo_and_first_reachable(dir.path());
        let path = dir.path().join("demo.db");
        let counsellor = smsdesk::store::participants::collaborators(store.db())
            .unwrap()
            .into_iter()
            .next()
            .expect("the demo has collaborators");
        let counsellor_name = format!("{} {}", counsellor.first_name, counsellor.last_name);
        let mut app = app(store, lang);
        press(&mut app, "c");
        for _ in 0..index {
            app.handle_key(code(KeyCode::Down));
        }
        press(&mut app, "m");
        // Civility, first name, last name, mobile, second mobile, then the landline.
        for _ in 0..5 {
            app.handle_key(code(KeyCode::Tab));
        }
        app.handle_key(ctrl('u'));
        typed(&mut app, "02 97 12 34 56");
        app.handle_key(code(KeyCode::Tab));
        app.handle_key(ctrl('u'));
        typed(&mut app, "anna@example.org");
        // Type, programme, then the counsellor.
        for _ in 0..3 {
            app.handle_key(code(KeyCode::Tab));
        }
        app.handle_key(ctrl('u'));
        typed(&mut app, "Nobody Atall");
        app.handle_key(ctrl('s'));
        let screen = render(&mut app, 80, 24);
        assert!(
            app.is_editing(),
            "an unknown counsellor is refused:\n{screen}"
        );
        app.handle_key(ctrl('u'));
        typed(&mut app, &counsellor_name);
        app.handle_key(ctrl('s'));
        assert!(!app.is_editing(), "{}", render(&mut app, 80, 24));
        let store = smsdesk::store::Store::open(&path).unwrap();
        let card = smsdesk::store::card::detail(store.db(), target.id).unwrap();
        assert_eq!(card.landline.as_deref(), Some("+33297123456"));
        assert_eq!(card.email.as_deref(), Some("anna@example.org"));
        assert_eq!(card.collaborator.as_deref(), Some(counsellor_name.as_str()));
        // Opened again, the form shows what was saved.
        press(&mut app, "m");
        let screen = render(&mut app, 120, 40);
        assert!(screen.contains("anna@example.org"), "{screen}");
        assert!(screen.contains("02 97 12 34 56"), "{screen}");
    }
}
