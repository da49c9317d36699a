//! The application state and its key routing. Headless: it reads the store and draws into
//! any ratatui `Frame`, so tests drive it with key events and a `TestBackend`.
//!
//! Keys go to the focused thing first: popup → filter bar (editor) → tab → global bindings.
//! While the filter bar has the keyboard, letters are text, never commands.

use super::AppEvent;
use super::fmt::{Fmt, clean, thousands, truncate};
use super::hints::{Hint, Hints};
use super::jobs::{JobEvent, Jobs};
use super::log::{Kind as StatusKind, SessionLog};
use super::pending::RunCtx;
use super::tabs::admin::AutomationsTab;
use super::tabs::batch::BatchTab;
use super::tabs::contacts::ContactsTab;
use super::tabs::dashboard::DashboardTab;
use super::tabs::free::FreeTab;
use super::tabs::inbox::InboxTab;
use super::tabs::lists::AgendaTab;
use super::tabs::messages::MessagesTab;
use super::tabs::settings::SettingsTab;
use super::tabs::templates::TemplatesTab;
use super::tabs::users::UsersTab;
use super::tabs::{Act, Ctx, Links, Outcome, TabView};
use super::theme::Theme;
use super::widgets::ask::{Answers, Ask, AskKey, Question, draw_ask, join_items};
use super::widgets::centred;
use super::widgets::confirm::{Confirm, ConfirmKey};
use super::widgets::form::{Form, FormField, Modal};
use super::widgets::titled_block;
use crate::clock::Clock;
use crate::core::Actor;
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::{
    Action, Context, DialogAction, EditorAction, GlobalAction, KeyChord, Keymap, ListAction,
};
use crate::store::Store;
use crate::store::messages::ListKind;
use crate::store::settings::Settings;
use crate::store::stats::DataStamp;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use std::sync::mpsc::{Receiver, Sender};

/// The tabs, in the order of the tab bar and the number keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    Dashboard,
    Settings,
    Templates,
    Automations,
    Users,
    Sent,
    Upcoming,
    Batch,
    Free,
    Agenda,
    Contacts,
    Inbox,
}

impl Tab {
    pub const ALL: [Tab; 12] = [
        Tab::Dashboard,
        Tab::Settings,
        Tab::Templates,
        Tab::Automations,
        Tab::Users,
        Tab::Sent,
        Tab::Upcoming,
        Tab::Batch,
        Tab::Free,
        Tab::Agenda,
        Tab::Contacts,
        Tab::Inbox,
    ];

    /// The name used by the catalogue (`tab.sent`) and the keymap (`tab_sent`).
    pub fn name(self) -> &'static str {
        match self {
            Tab::Dashboard => "dashboard",
            Tab::Settings => "settings",
            Tab::Templates => "templates",
            Tab::Automations => "automations",
            Tab::Users => "users",
            Tab::Sent => "sent",
            Tab::Upcoming => "upcoming",
            Tab::Batch => "batch",
            Tab::Free => "free",
            Tab::Agenda => "agenda",
            Tab::Contacts => "contacts",
            Tab::Inbox => "inbox",
        }
    }

    pub fn label(self, lang: Lang) -> String {
        tr(lang, &format!("tab.{}", self.name())).to_string()
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// Whether an operator with these rights has this tab: the administrator's screens and
    /// the sending screens they have no right to are not shown (the core refuses anyway).
    pub fn open_to(self, rights: &crate::store::operators::Rights) -> bool {
        match self {
            Tab::Settings | Tab::Templates | Tab::Automations | Tab::Users => rights.admin,
            Tab::Batch => rights.can_batch(),
            Tab::Free => rights.can_free(),
            _ => true,
        }
    }

    /// The global action that opens this tab.
    fn action(self) -> GlobalAction {
        match self {
            Tab::Dashboard => GlobalAction::TabDashboard,
            Tab::Settings => GlobalAction::TabSettings,
            Tab::Templates => GlobalAction::TabTemplates,
            Tab::Automations => GlobalAction::TabAutomations,
            Tab::Users => GlobalAction::TabUsers,
            Tab::Sent => GlobalAction::TabSent,
            Tab::Upcoming => GlobalAction::TabUpcoming,
            Tab::Batch => GlobalAction::TabBatch,
            Tab::Free => GlobalAction::TabFree,
            Tab::Agenda => GlobalAction::TabAgenda,
            Tab::Contacts => GlobalAction::TabContacts,
            Tab::Inbox => GlobalAction::TabInbox,
        }
    }

    fn from_action(action: GlobalAction) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.action() == action)
    }
}

/// A window over the tabs, with its own keys.
enum Popup {
    /// The keys of the screen under it first, then the global ones (built when opened).
    Help {
        scroll: u16,
        lines: Vec<Line<'static>>,
    },
    /// Read-only text: a message's detail, start-up problems.
    Text {
        title: String,
        lines: Vec<Line<'static>>,
        scroll: u16,
        /// Where its keys lead: a message's event (`o`) and recipient's card (`f`), an
        /// unknown number's new contact.
        links: Links,
    },
    /// "Quit? … will be lost / this window is the one sending": the lines, Enter stays.
    ConfirmQuit { lines: Vec<String>, ask: Ask },
    /// A tab's question before a change (cancel N messages, move one).
    Confirm(Confirm),
    /// The operator's own language (fr / en / auto), open to everyone from any tab.
    Language(Box<Form>),
}

/// How long typing in the filter bar pauses before the list follows it.
const FILTER_SETTLE: std::time::Duration = std::time::Duration::from_millis(200);

/// The organisation settings the screens need, read once and on refresh.
struct Org {
    tz: chrono_tz::Tz,
    region: String,
    low_credit: i64,
    /// The store's `language` setting, what "auto" follows.
    language: String,
}

pub struct App {
    store: Store,
    actor: Actor,
    lang: Lang,
    keymap: Keymap,
    /// The shipped bindings: a binding whose description is the shipped one is described in
    /// the interface language; one the operator described is shown as written.
    shipped: Keymap,
    clock: Clock,
    theme: Theme,
    org: Org,
    tab: Tab,
    views: Vec<Box<dyn TabView>>,
    popup: Option<Popup>,
    /// Whether the open read-only window (help, detail) has more lines than rows, as the last
    /// layout found: its scrolling keys are offered only then.
    popup_scrolls: bool,
    /// The filter bar while it has the keyboard: the text being typed.
    filter_edit: Option<String>,
    /// When the filter bar's text last changed and the list does not follow it yet.
    filter_typed: Option<std::time::Instant>,
    status: Option<(StatusKind, String)>,
    /// Every message of the session, for the log window.
    log: SessionLog,
    /// The refusal the open form showed last, logged once.
    logged_notice: Option<String>,
    /// Width of the last frame (the log window wraps its lines to it).
    width: u16,
    quit: bool,
    location: String,
    /// Minute shown in the status line, to redraw when it changes.
    shown_minute: i64,
    /// Start-up problems waiting behind another popup.
    pending_problems: Vec<String>,
    /// A tab narrowed to one batch → the tab it was opened from (where Esc goes back to).
    came_from: Vec<(Tab, Tab)>,
    /// The language of the user's `config.toml`, which "auto" follows before the store's.
    config_language: Option<String>,
    /// Where jobs report (the event loop's channel once `set_events` is called).
    jobs: Jobs,
    /// The app's own end of the job channel while no event loop runs (tests).
    job_rx: Option<Receiver<AppEvent>>,
    /// Outcomes of jobs waiting until their tab is shown with no window open.
    deferred: Vec<(Tab, Outcome)>,
    /// The lease holder name of this process's scheduler (None: no scheduler runs here).
    scheduler_holder: Option<String>,
    /// The store is removed on quitting (`--demo`): queued messages do not wait, they go.
    throwaway: bool,
    /// The binding the last key ran and whether its handler answered (see [`App::last_run`]).
    last_run: Option<(Action, bool)>,
    /// What the last tick refreshed: the tab, the store's [`DataStamp`] read before and the
    /// minute. A tick finding the same three (nothing written, no key, same minute) re-reads
    /// nothing: an idle screen costs one `PRAGMA` per tick.
    ticked: Option<(Tab, DataStamp, i64)>,
}

impl App {
    pub fn new(store: Store, actor: Actor, lang: Lang, keymap: Keymap, clock: Clock) -> App {
        let views: Vec<Box<dyn TabView>> = Tab::ALL
            .iter()
            .map(|t| -> Box<dyn TabView> {
                match t {
                    Tab::Dashboard => Box::new(DashboardTab::default()),
                    Tab::Settings => Box::new(SettingsTab::default()),
                    Tab::Templates => Box::new(TemplatesTab::default()),
                    Tab::Automations => Box::new(AutomationsTab::default()),
                    Tab::Users => Box::new(UsersTab::default()),
                    Tab::Sent => Box::new(MessagesTab::new(ListKind::Sent)),
                    Tab::Upcoming => Box::new(MessagesTab::new(ListKind::Upcoming)),
                    Tab::Batch => Box::new(BatchTab::new()),
                    Tab::Free => Box::new(FreeTab::new()),
                    Tab::Agenda => Box::new(AgendaTab::new()),
                    Tab::Contacts => Box::new(ContactsTab::new()),
                    Tab::Inbox => Box::new(InboxTab::new()),
                }
            })
            .collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let mut app = App {
            jobs: Jobs::new(tx, Tab::Dashboard),
            job_rx: Some(rx),
            deferred: Vec::new(),
            store,
            actor,
            lang,
            keymap,
            shipped: Keymap::defaults(),
            clock,
            theme: Theme::from_env(None),
            org: Org {
                tz: chrono_tz::Europe::Paris,
                region: "FR".into(),
                low_credit: 100,
                language: String::new(),
            },
            tab: Tab::Dashboard,
            views,
            popup: None,
            popup_scrolls: false,
            filter_edit: None,
            filter_typed: None,
            status: None,
            log: SessionLog::default(),
            logged_notice: None,
            width: 80,
            quit: false,
            location: String::new(),
            shown_minute: 0,
            pending_problems: Vec::new(),
            came_from: Vec::new(),
            config_language: None,
            scheduler_holder: None,
            throwaway: false,
            last_run: None,
            ticked: None,
        };
        app.load_org();
        app.refresh_current();
        app
    }

    /// Uses this theme instead of the one `NO_COLOR` chose.
    pub fn set_theme(&mut self, theme: Theme) {
        self.theme = theme;
    }

    /// The language of the user's configuration file: an operator whose own language is
    /// "auto" gets it before the store's setting (as at start).
    pub fn set_config_language(&mut self, language: Option<String>) {
        self.config_language = language;
    }

    /// The interface language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The store's path, shown in the status line.
    pub fn set_location(&mut self, location: String) {
        self.location = location;
    }

    /// Shows start-up problems (bad keymap entries, a broken config file) in a popup the
    /// operator dismisses; nothing is shown when there are none.
    pub fn show_problems(&mut self, problems: Vec<String>) {
        if problems.is_empty() {
            return;
        }
        if self.popup.is_some() {
            self.pending_problems.extend(problems);
            return;
        }
        let mut lines = vec![Line::from(Span::styled(
            tr(self.lang, "ui.problems_intro").to_string(),
            self.theme.warn(),
        ))];
        lines.push(Line::from(""));
        for p in problems {
            lines.push(Line::from(format!("• {}", clean(&p))));
        }
        self.popup = Some(Popup::Text {
            title: tr(self.lang, "ui.problems_title").to_string(),
            lines,
            scroll: 0,
            links: Links::default(),
        });
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether something typed would be lost by quitting (an open form with changes).
    pub fn has_unsaved(&self) -> bool {
        !self.unsaved().is_empty()
    }

    /// What quitting would lose, per tab: `(tab, [Name, Text, 3 recipients])`.
    fn unsaved(&self) -> Vec<(Tab, Vec<String>)> {
        Tab::ALL
            .iter()
            .zip(&self.views)
            .map(|(t, v)| (*t, v.unsaved(self.lang)))
            .filter(|(_, lost)| !lost.is_empty())
            .collect()
    }

    /// The lease holder name of the scheduler this process runs: quitting says when it is
    /// the one sending.
    pub fn set_scheduler_holder(&mut self, holder: String) {
        self.scheduler_holder = Some(holder);
    }

    pub fn set_throwaway(&mut self, throwaway: bool) {
        self.throwaway = throwaway;
    }

    /// Messages waiting to be sent while this process holds the sending lease (they wait
    /// for another smsdesk once it quits); `None` when another process sends or nothing
    /// waits.
    fn sending_here(&self) -> Option<i64> {
        let mine = self.scheduler_holder.as_deref()?;
        let lease = crate::store::lease::current(self.store.db()).ok()??;
        if lease.holder != mine {
            return None;
        }
        let filter = crate::store::messages::MessageFilter::default();
        crate::store::messages::count(self.store.db(), ListKind::Upcoming, &filter)
            .ok()
            .filter(|n| *n > 0)
    }

    /// `q` or `Ctrl-c`: quits at once when nothing would be lost and this window is not the
    /// one sending; else asks, naming what would be lost (Enter stays).
    fn request_quit(&mut self) {
        let lang = self.lang;
        let mut lines = Vec::new();
        let unsaved = self.unsaved();
        if !unsaved.is_empty() {
            lines.push(tr(lang, "app.quit_unsaved").to_string());
            for (tab, lost) in unsaved {
                lines.push(format!(
                    "• {}{}{}",
                    tab.label(lang),
                    tr(lang, "ui.colon"),
                    join_items(&lost, lang)
                ));
            }
        }
        if let Some(n) = self.sending_here() {
            let said = if self.throwaway {
                "app.quit_demo"
            } else {
                "app.quit_sending"
            };
            lines.push(trf(lang, said, &[("n", &thousands(n))]));
        }
        if lines.is_empty() {
            self.quit = true;
        } else {
            self.popup = Some(Popup::ConfirmQuit {
                lines,
                ask: Ask::new(&self.keymap),
            });
        }
    }

    /// Whether the current tab has a form or editor open (every key goes to it).
    pub fn is_editing(&self) -> bool {
        self.views[self.tab.index()].editing()
    }

    pub fn tab(&self) -> Tab {
        self.tab
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The status-line message, if any (errors reach the operator here).
    pub fn status_message(&self) -> Option<&str> {
        self.status.as_ref().map(|(_, s)| s.as_str())
    }

    /// Whether a popup (help, detail, problems, confirmation) is open.
    pub fn has_popup(&self) -> bool {
        self.popup.is_some()
    }

    /// Rows of the current tab held in memory: paged lists keep only a window.
    pub fn loaded_rows(&self) -> usize {
        self.views[self.tab.index()].loaded_rows()
    }

    fn load_org(&mut self) {
        match Settings::load(self.store.db()) {
            Ok(s) => {
                self.org = Org {
                    tz: s.timezone,
                    region: s.default_region,
                    low_credit: s.low_credit,
                    language: s.language,
                }
            }
            Err(e) => self.error(format!(
                "{}{e}",
                crate::i18n::label(self.lang, tr(self.lang, "tab.settings"))
            )),
        }
    }

    fn fmt(&self) -> Fmt {
        Fmt::at(self.lang, self.org.tz, self.clock.now())
    }

    fn error(&mut self, message: String) {
        self.say(StatusKind::Error, message);
    }

    fn info(&mut self, message: String) {
        self.say(StatusKind::Info, message);
    }

    /// Shows `message` in the status line and keeps it in the session's log.
    fn say(&mut self, kind: StatusKind, message: String) {
        self.log.push(self.clock.now(), kind, &message);
        self.status = Some((kind, message));
    }

    /// The refusal an open form shows goes to the log once (the form shows it on screen).
    fn log_notice(&mut self) {
        let notice = self.views[self.tab.index()].notice();
        if notice != self.logged_notice
            && let Some(text) = &notice
        {
            self.log.push(self.clock.now(), StatusKind::Error, text);
        }
        self.logged_notice = notice;
    }

    /// Opens the session's log scrolled to its end (newest last).
    fn open_log(&mut self, width: u16) {
        let inner = usize::from((width * 90 / 100).max(20).min(width).saturating_sub(2));
        let lines = self
            .log
            .lines(self.fmt(), self.theme, inner, tr(self.lang, "ui.log_empty"));
        self.popup = Some(Popup::Text {
            title: trf(
                self.lang,
                "ui.log_title",
                &[("n", &self.log.count().to_string())],
            ),
            lines,
            scroll: u16::MAX,
            links: Links::default(),
        });
    }

    /// Runs `f` on the current tab's view with a fresh context; a store error becomes a
    /// status-line message naming the tab.
    fn with_view<T, E: Describe>(
        &mut self,
        f: impl FnOnce(&mut dyn TabView, &Ctx) -> std::result::Result<T, E>,
    ) -> Option<T> {
        let result = self.on_current_view(f);
        self.tab_result(self.tab, result)
    }

    /// The value of a tab's call; its error goes to the status line, naming the tab.
    fn tab_result<T, E: Describe>(
        &mut self,
        tab: Tab,
        result: std::result::Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                let message = format!(
                    "{}{}",
                    crate::i18n::label(self.lang, &tab.label(self.lang)),
                    e.describe(self.lang)
                );
                self.error(message);
                None
            }
        }
    }

    /// Runs `f` on the current tab's view with the context of [`App::view_ctx`]. The views are
    /// set aside meanwhile, so that the context may borrow the rest of the app.
    fn on_current_view<T>(&mut self, f: impl FnOnce(&mut dyn TabView, &Ctx) -> T) -> T {
        let mut views = std::mem::take(&mut self.views);
        let result = f(views[self.tab.index()].as_mut(), &self.view_ctx());
        self.views = views;
        result
    }

    /// Runs `f` on the current tab's view with write access to the store.
    fn with_act<T>(
        &mut self,
        f: impl FnOnce(&mut dyn TabView, &mut Act) -> crate::store::Result<T>,
    ) -> Option<T> {
        self.with_act_on(self.tab, f)
    }

    /// Runs `f` on `tab`'s view (the current one, or the one a job reports to).
    fn with_act_on<T>(
        &mut self,
        tab: Tab,
        f: impl FnOnce(&mut dyn TabView, &mut Act) -> crate::store::Result<T>,
    ) -> Option<T> {
        let fmt = self.fmt();
        let mut act = Act {
            store: &mut self.store,
            actor: &self.actor,
            keymap: &self.keymap,
            fmt,
            theme: self.theme,
            now: self.clock.now(),
            region: &self.org.region,
            low_credit: self.org.low_credit,
            jobs: self.jobs.for_tab(tab),
        };
        let result = f(self.views[tab.index()].as_mut(), &mut act);
        self.tab_result(tab, result)
    }

    fn refresh_current(&mut self) -> bool {
        self.with_view(|v, ctx| v.refresh(ctx)).unwrap_or(false)
    }

    /// The slow tick: re-read the visible page. Returns whether the screen must be redrawn.
    /// Nothing is re-read when nothing was written to the store (by this process or another),
    /// no key was pressed and the minute is the same as at the last tick: what the page shows
    /// cannot have changed, save what the clock alone moves, which is re-read every minute.
    pub fn on_tick(&mut self) -> bool {
        let minute = self.clock.now().timestamp() / 60;
        let mut changed = self.refresh_if_stale();
        // Headless (tests): job events wait in the app's own channel until the tick.
        while let Some(ev) = self.job_rx.as_ref().and_then(|rx| rx.try_recv().ok()) {
            match ev {
                AppEvent::Job(job) => changed |= self.on_job(job),
                AppEvent::FilterDue => changed |= self.on_filter_due(),
                _ => {}
            }
        }
        changed |= self.apply_deferred();
        self.log_notice();

        let minute_changed = minute != self.shown_minute;
        changed || minute_changed
    }

    /// Re-reads the current tab when the store changed (a commit of any connection), the tab
    /// or the minute did since it was last read; an idle tick re-reads nothing. Whether it did.
    fn refresh_if_stale(&mut self) -> bool {
        let minute = self.clock.now().timestamp() / 60;
        let stamp = crate::store::stats::data_stamp(self.store.db()).ok();
        let seen = stamp.map(|s| (self.tab, s, minute));
        if seen.is_some() && seen == self.ticked {
            return false;
        }
        if matches!(self.tab, Tab::Settings | Tab::Dashboard) && !self.is_editing() {
            self.load_org();
        }
        let changed = self.refresh_current();
        self.ticked = seen;
        changed
    }

    /// Job events go to `tx` (the event loop's channel) instead of the app's own.
    pub fn set_events(&mut self, tx: Sender<AppEvent>) {
        self.jobs = Jobs::new(tx, self.tab);
        self.job_rx = None;
    }

    /// A job got further or ended: its tab takes the news. What comes of it (a confirmation,
    /// a message) shows at once on that tab, else when the operator is back on it with no
    /// window open. Returns whether the screen must be redrawn.
    pub fn on_job(&mut self, job: JobEvent) -> bool {
        let JobEvent { tab, id, update } = job;
        if let Some(outcome) = self.with_act_on(tab, |v, act| v.on_job(id, update, act))
            && !matches!(outcome, Outcome::Ignored)
        {
            self.deferred.push((tab, outcome));
            self.apply_deferred();
        }
        // A job that wrote (an import) is seen with its news, not at the next tick.
        self.refresh_if_stale();
        true
    }

    /// Shows the first outcome of a job waiting for its tab, when that tab is shown and no
    /// window is open (one at a time: a confirmation must not hide another).
    fn apply_deferred(&mut self) -> bool {
        if self.popup.is_some() || self.filter_edit.is_some() {
            return false;
        }
        let Some(i) = self.deferred.iter().position(|(t, _)| *t == self.tab) else {
            return false;
        };
        let (_, outcome) = self.deferred.remove(i);
        self.apply_outcome(outcome, None);
        true
    }

    /// The scheduler changed the queue: re-read what is shown.
    pub fn on_queue_changed(&mut self) -> bool {
        self.refresh_current()
    }

    /// The tabs this operator has, in order.
    fn tabs(&self) -> Vec<Tab> {
        Tab::ALL
            .into_iter()
            .filter(|t| t.open_to(&self.actor.rights))
            .collect()
    }

    /// Goes to the Agenda, on the day of event `event_id`, the event selected.
    fn open_event_in_agenda(&mut self, event_id: i64) {
        let from = self.tab;
        self.tab = Tab::Agenda;
        self.filter_edit = None;
        if self
            .with_view(|v, ctx| v.show_event(event_id, ctx))
            .is_none()
        {
            self.tab = from;
        }
    }

    /// Goes to Contacts, on the card of participant `id`.
    fn open_contact_card(&mut self, id: i64) {
        let from = self.tab;
        self.tab = Tab::Contacts;
        self.filter_edit = None;
        if self.with_view(|v, ctx| v.show_contact(id, ctx)) != Some(true) {
            self.tab = from;
        }
    }

    pub fn switch_to(&mut self, tab: Tab) {
        if !tab.open_to(&self.actor.rights) {
            return;
        }
        self.tab = tab;
        self.filter_edit = None;
        self.refresh_current();
    }

    /// Pasted text goes to the filter bar when it has the keyboard; elsewhere it is ignored
    /// (a paste must never run commands).
    pub fn handle_paste(&mut self, text: &str) {
        self.ticked = None;
        if let Some(Popup::Confirm(c)) = &mut self.popup {
            c.paste(text);
            return;
        }
        if self.popup.is_some() {
            return;
        }
        if let Some(edit) = &mut self.filter_edit {
            edit.push_str(&clean(text));
            return;
        }
        if self.is_editing() {
            self.with_act(|v, act| {
                v.paste(text, act);
                Ok(())
            });
        }
    }

    /// The binding the last key ran (list, global, or a form's help key) and whether the
    /// tab's handler answered it (`false`: the tab ignored it or does not offer it yet).
    /// Tests press every hint and check it runs the action the hint names.
    pub fn last_run(&self) -> Option<(Action, bool)> {
        self.last_run
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        self.last_run = None;
        self.ticked = None;
        // Ctrl-c (the terminal's interrupt) and a quit key with Ctrl are never text: they ask
        // to quit from anywhere, forms and windows included (what is open stays underneath).
        if self.is_ctrl_quit(&key) && !matches!(self.popup, Some(Popup::ConfirmQuit { .. })) {
            self.request_quit();
            return;
        }
        if self.popup.is_some() {
            self.popup_key(key);
            return;
        }
        if self.filter_edit.is_some() {
            self.filter_key(key);
            return;
        }
        if self.is_editing() {
            self.status = None;
            // The help key a form's hints name (F1, or `?` where nothing is typed).
            let chord = KeyChord::from_event(&key);
            let named = self
                .screen_hints()
                .into_iter()
                .find(|h| h.is_help() && h.chords.contains(&chord))
                .and_then(|h| h.action);
            let f1 = (self.keymap.editor(&key) == Some(EditorAction::Help))
                .then_some(Action::Editor(EditorAction::Help));
            if let Some(help) = named.or(f1) {
                self.last_run = Some((help, true));
                self.open_help();
                return;
            }
            if let Some(outcome) = self.with_act(|v, act| v.key(&key, act)) {
                self.apply_outcome(outcome, None);
            }
            self.log_notice();
            return;
        }
        if let Some(action) = self.keymap.list(&key) {
            self.status = None;
            // A change first; what the tab does not change, it may still move or show.
            let outcome = match self.with_act(|v, act| v.command(action, act)) {
                Some(Outcome::Ignored) => self.with_view(|v, ctx| v.action(action, ctx)),
                other => other,
            };
            match outcome {
                Some(Outcome::Ignored) => {}
                Some(outcome) => {
                    let answered = !matches!(outcome, Outcome::NotYet);
                    self.last_run = Some((action.into(), answered));
                    self.apply_outcome(outcome, Some(action));
                    return;
                }
                None => {
                    // A store error, said in the status line: the handler ran.
                    self.last_run = Some((action.into(), true));
                    return;
                }
            }
        }
        if let Some(action) = self.keymap.global(&key) {
            self.status = None;
            self.last_run = Some((action.into(), true));
            self.global(action);
        }
    }

    /// Ctrl-c, or a quit binding with Ctrl (`Ctrl-q` in a keymap): quit keys that are never
    /// typed text, so they work inside forms too.
    fn is_ctrl_quit(&self, key: &KeyEvent) -> bool {
        key.modifiers.contains(KeyModifiers::CONTROL)
            && (key.code == KeyCode::Char('c')
                || self.keymap.global(key) == Some(GlobalAction::Quit))
    }

    /// A read-only window of lines, scrolled to `scroll`; `links` are what `o` and `f` open.
    fn show_text(&mut self, title: String, lines: Vec<Line<'static>>, scroll: u16, links: Links) {
        self.popup = Some(Popup::Text {
            title,
            lines,
            scroll,
            links,
        });
    }

    fn apply_outcome(&mut self, outcome: Outcome, action: Option<ListAction>) {
        match outcome {
            Outcome::Ignored | Outcome::Handled => {}
            Outcome::Popup(title, lines) => self.show_text(title, lines, 0, Links::default()),
            Outcome::Detail(title, lines, links) => self.show_text(title, lines, 0, links),
            // `App::layout` clamps the scroll so that the last line is the bottom one.
            Outcome::PopupAtEnd(title, lines, links) => {
                self.show_text(title, lines, u16::MAX, links)
            }
            Outcome::Confirm(mut c) => {
                c.arm(&self.keymap);
                self.popup = Some(Popup::Confirm(c));
            }
            Outcome::EditFilter => {
                let current = self.views[self.tab.index()].filter().map(str::to_string);
                if let Some(text) = current {
                    self.filter_edit = Some(text);
                }
            }
            Outcome::ShowBatch(id) => {
                // A batch none of whose messages has left yet lives in Upcoming only.
                let target = match crate::store::messages::batch_has_left(self.store.db(), id) {
                    Ok(true) => Tab::Sent,
                    Ok(false) => Tab::Upcoming,
                    Err(e) => {
                        self.error(e.describe(self.lang));
                        return;
                    }
                };
                let from = self.tab;
                self.tab = target;
                self.filter_edit = None;
                if self
                    .with_view(|v, ctx| v.show_batch(Some(id), ctx))
                    .is_some()
                {
                    self.came_from.retain(|(t, _)| *t != target);
                    self.came_from.push((target, from));
                }
            }
            Outcome::Back => {
                let here = self.tab;
                if let Some(i) = self.came_from.iter().position(|(t, _)| *t == here) {
                    let (_, from) = self.came_from.remove(i);
                    self.switch_to(from);
                }
            }
            Outcome::NotYet => {
                let name = action.map_or("", ListAction::name);
                let desc = self
                    .keymap
                    .bindings(Context::List)
                    .iter()
                    .find(|b| action.is_some_and(|a| b.action == a.into()))
                    .map_or_else(|| name.replace('_', " "), |b| b.desc.clone());
                self.info(trf(self.lang, "ui.not_yet", &[("what", &clean(&desc))]));
            }
            // Already in the interface's language (the tabs describe what they say).
            Outcome::Info(message) => self.info(clean(&message)),
            Outcome::Error(message) => self.error(clean(&message)),
            Outcome::OwnLanguage(chosen) => self.switch_language(chosen.as_deref()),
        }
    }

    /// The operator's own language was stored: the screen speaks it at once (every text is
    /// looked up when drawn), and the status line says so in the new language.
    fn switch_language(&mut self, chosen: Option<&str>) {
        self.lang = match chosen.and_then(Lang::parse) {
            Some(lang) => lang,
            // "auto": what the start would pick without an own choice.
            None => Lang::resolve(
                self.config_language
                    .as_deref()
                    .unwrap_or(self.org.language.as_str()),
            ),
        };
        let name = match chosen {
            Some(_) => tr(self.lang, &format!("ui.lang_{}", self.lang.as_str())).to_string(),
            None => format!(
                "auto ({})",
                tr(self.lang, &format!("ui.lang_{}", self.lang.as_str()))
            ),
        };
        self.info(trf(self.lang, "ui.language_now", &[("language", &name)]));
    }

    /// Opens the operator's own language chooser.
    fn open_language(&mut self) {
        let current = match crate::store::operators::find(self.store.db(), &self.actor.login) {
            Ok(op) => op.and_then(|o| o.language),
            Err(e) => {
                self.error(e.describe(self.lang));
                return;
            }
        };
        let field = FormField::choice(
            "language",
            tr(self.lang, "users.language"),
            super::tabs::users::language_code(current.as_deref()),
            super::tabs::users::language_options(self.lang),
            false,
        )
        .with_help(tr(self.lang, "ui.language_help"));
        self.popup = Some(Popup::Language(Box::new(Form::new(
            tr(self.lang, "ui.language_title"),
            vec![field],
        ))));
    }

    fn global(&mut self, action: GlobalAction) {
        if let Some(tab) = Tab::from_action(action) {
            self.switch_to(tab);
            return;
        }
        match action {
            GlobalAction::Quit => self.request_quit(),
            GlobalAction::Help => self.open_help(),
            GlobalAction::Log => self.open_log(self.width),
            GlobalAction::Language => self.open_language(),
            GlobalAction::NextTab | GlobalAction::PrevTab => {
                let tabs = self.tabs();
                let here = tabs.iter().position(|t| *t == self.tab).unwrap_or(0);
                let step = if action == GlobalAction::NextTab {
                    1
                } else {
                    tabs.len() - 1
                };
                if let Some(tab) = tabs.get((here + step) % tabs.len().max(1)) {
                    self.switch_to(*tab);
                }
            }
            GlobalAction::Refresh => {
                self.load_org();
                self.refresh_current();
            }
            _ => {}
        }
    }

    /// The keys a window offers besides closing and scrolling: open the event or the contact
    /// a message names, the help, a new contact for an unknown number, the transliteration of
    /// a Unicode send. Whether `key` was one of them (and done).
    fn popup_shortcut(&mut self, key: &KeyEvent) -> bool {
        let list = self.keymap.list(key);
        let global = self.keymap.global(key);
        // A message's detail: `o` opens its event in the Agenda (before `o` reads as "oui").
        if let Some(Popup::Text {
            links: Links {
                event: Some(event), ..
            },
            ..
        }) = self.popup
            && list == Some(ListAction::OpenEvent)
            && Tab::Agenda.open_to(&self.actor.rights)
        {
            self.popup = None;
            self.open_event_in_agenda(event);
            return true;
        }
        // ... and `f` its recipient's contact card.
        if let Some(Popup::Text {
            links: Links {
                contact: Some(contact),
                ..
            },
            ..
        }) = self.popup
            && list == Some(ListAction::OpenContact)
            && Tab::Contacts.open_to(&self.actor.rights)
        {
            self.popup = None;
            self.open_contact_card(contact);
            return true;
        }
        // `?` from a read-only window opens the help, as everywhere else.
        if matches!(self.popup, Some(Popup::Text { .. })) && global == Some(GlobalAction::Help) {
            self.popup = None;
            self.open_help();
            return true;
        }
        // An unknown number's conversation: the new-contact key creates its contact.
        if let Some(Popup::Text {
            links: Links {
                new_contact: true, ..
            },
            ..
        }) = self.popup
            && list == Some(ListAction::NewContact)
        {
            self.popup = None;
            self.last_run = Some((ListAction::NewContact.into(), true));
            if let Some(outcome) = self.with_act(|v, act| v.command(ListAction::NewContact, act)) {
                self.apply_outcome(outcome, Some(ListAction::NewContact));
            }
            return true;
        }
        // A send in Unicode: the transliteration key rewrites the text for everyone and the
        // tab asks again with the new totals.
        if let Some(Popup::Confirm(c)) = &self.popup
            && c.transliterates
            && self.keymap.editor(key) == Some(EditorAction::Transliterate)
        {
            match self.with_act(|v, act| v.transliterate_send(act)) {
                Some(Outcome::Ignored) => {}
                Some(outcome) => {
                    self.popup = None;
                    self.apply_outcome(outcome, None);
                }
                None => self.popup = None,
            }
            return true;
        }
        false
    }

    fn popup_key(&mut self, key: KeyEvent) {
        if self.popup_shortcut(&key) {
            return;
        }
        let dialog = self.keymap.dialog(&key);
        let list = self.keymap.list(&key);
        let global = self.keymap.global(&key);
        let is_help = matches!(self.popup, Some(Popup::Help { .. }));
        let ctrl_quit = self.is_ctrl_quit(&key);
        let help_key = self.keymap.editor(&key) == Some(EditorAction::Help);
        let fmt = self.fmt();
        let jobs = self.jobs.for_tab(self.tab);
        let Some(popup) = &mut self.popup else {
            return;
        };
        match popup {
            Popup::Language(form) => {
                // One field: Enter saves as well as the editor's save key.
                let modal = if key.code == KeyCode::Enter {
                    Modal::Save
                } else {
                    form.modal_key(&key, &self.keymap)
                };
                if modal == Modal::Save {
                    let chosen = form.value("language").to_string();
                    let now = self.clock.now();
                    let login = self.actor.login.clone();
                    match crate::core::keys::set_language(
                        &mut self.store,
                        &self.actor,
                        &login,
                        &chosen,
                        now,
                    ) {
                        Ok(stored) => {
                            self.popup = None;
                            self.switch_language(stored.as_deref());
                            self.refresh_current();
                        }
                        Err(e) => {
                            form.message = Some(crate::i18n::Describe::describe(&e, self.lang))
                        }
                    }
                } else if modal == Modal::Close {
                    self.popup = None;
                }
            }
            Popup::Confirm(c) => match c.key(key, dialog) {
                ConfirmKey::Stay => {}
                ConfirmKey::Closed => self.popup = None,
                ConfirmKey::Confirmed => {
                    let cx = RunCtx {
                        store: &mut self.store,
                        actor: &self.actor,
                        now: self.clock.now(),
                        fmt,
                        jobs: &jobs,
                    };
                    // A refusal stays in the window (already in the screen's language).
                    if let Some(done) = c.run(cx) {
                        self.popup = None;
                        self.info(done.text.clone());
                        self.with_view(|v, ctx| {
                            v.confirmed(&done);
                            v.after_change(ctx)
                        });
                    }
                }
            },
            Popup::ConfirmQuit { ask, .. } => {
                // Ctrl-c again (Ctrl-c Ctrl-c) is an explicit yes.
                let again = ctrl_quit;
                match ask.key(&key, dialog) {
                    _ if again => {
                        self.popup = None;
                        self.quit = true;
                    }
                    AskKey::Yes => {
                        self.popup = None;
                        self.quit = true;
                    }
                    AskKey::No => self.popup = None,
                    AskKey::Stay => {}
                }
            }
            Popup::Help { scroll, .. } | Popup::Text { scroll, .. } => {
                let closes = matches!(dialog, Some(DialogAction::Close | DialogAction::Confirm))
                    || (is_help && (global == Some(GlobalAction::Help) || help_key));
                if closes {
                    self.popup = None;
                    let pending = std::mem::take(&mut self.pending_problems);
                    self.show_problems(pending);
                    return;
                }
                *scroll = match list {
                    Some(ListAction::Down) => scroll.saturating_add(1),
                    Some(ListAction::Up) => scroll.saturating_sub(1),
                    Some(ListAction::PageDown) => scroll.saturating_add(10),
                    Some(ListAction::PageUp) => scroll.saturating_sub(10),
                    Some(ListAction::First) => 0,
                    Some(ListAction::Last) => u16::MAX,
                    _ => *scroll,
                };
            }
        }
    }

    /// The filter bar: text keys type; Enter (or the editor's save key) applies; the editor's
    /// close key (Esc) clears the filter.
    fn filter_key(&mut self, key: KeyEvent) {
        match self.keymap.editor(&key) {
            Some(EditorAction::Close) => {
                // Only the typed filter goes: a batch the list is narrowed to stays, named in
                // the title, until the list's own Esc.
                self.filter_edit = None;
                self.filter_typed = None;
                self.with_view(|v, ctx| v.set_filter("", ctx));
                self.count_filtered();
                return;
            }
            Some(EditorAction::Save) => {
                self.apply_filter();
                return;
            }
            Some(EditorAction::Help) => {
                self.open_help();
                return;
            }
            _ => {}
        }
        let Some(edit) = &mut self.filter_edit else {
            return;
        };
        match key.code {
            KeyCode::Enter => self.apply_filter(),
            KeyCode::Backspace => {
                edit.pop();
                self.filter_changed();
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && !c.is_control()
                    && edit.chars().count() < 100 =>
            {
                edit.push(c);
                self.filter_changed();
            }
            _ => {}
        }
    }

    /// The filter bar's text changed: the list follows once typing pauses
    /// ([`FILTER_SETTLE`]), so a burst of keys costs one search.
    fn filter_changed(&mut self) {
        self.filter_typed = Some(std::time::Instant::now());
        self.jobs
            .wake_after(FILTER_SETTLE, crate::tui::AppEvent::FilterDue);
    }

    /// Typing in the filter bar paused: the list shows what the text typed so far finds, the
    /// bar staying open. A term not finished yet (`statut:`) leaves the list as it was; Enter
    /// says what is wrong with it. Returns whether the screen must be redrawn.
    pub fn on_filter_due(&mut self) -> bool {
        let due = self
            .filter_typed
            .is_some_and(|t| t.elapsed() + FILTER_SETTLE / 10 >= FILTER_SETTLE);
        let Some(text) = self.filter_edit.clone().filter(|_| due) else {
            return false;
        };
        self.filter_typed = None;
        if self
            .on_current_view(|v, ctx| v.set_filter(&text, ctx))
            .is_ok()
        {
            self.count_filtered();
        }
        true
    }

    /// Starts counting what the current tab's filter matches.
    fn count_filtered(&mut self) {
        self.with_act(|v, act| {
            v.count_filtered(act);
            Ok(())
        });
    }

    fn apply_filter(&mut self) {
        self.filter_typed = None;
        if let Some(text) = self.filter_edit.take()
            && self.with_view(|v, ctx| v.set_filter(&text, ctx)).is_some()
        {
            self.count_filtered();
        }
    }

    // ----- drawing -----

    /// Draws the screen: [`App::layout`] for the frame's size, then [`App::paint`].
    pub fn draw(&mut self, frame: &mut Frame) {
        self.layout(frame.area());
        self.paint(frame);
    }

    /// The context tabs read and draw with.
    fn view_ctx(&self) -> Ctx<'_> {
        Ctx {
            conn: self.store.db(),
            fmt: self.fmt(),
            theme: self.theme,
            now: self.clock.now(),
            region: &self.org.region,
            low_credit: self.org.low_credit,
            actor: &self.actor,
            keymap: &self.keymap,
        }
    }

    /// Where the screen's parts go in `area`: the tab bar, the filter bar (while the filter
    /// is being typed), the current tab, the status line and the footer.
    fn areas(&self, area: Rect) -> [Rect; 5] {
        let status_rows = if area.height >= 4 {
            self.status_lines(area.width, area.height).0.len().max(1)
        } else {
            0
        };
        let [tabs, body, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(u16::try_from(status_rows).unwrap_or(1)),
            Constraint::Length(u16::from(area.height >= 3)),
        ])
        .areas(area);
        let bar = Rect {
            height: if self.filter_edit.is_some() {
                body.height.min(1)
            } else {
                0
            },
            ..body
        };
        let body = Rect {
            y: body.y + bar.height,
            height: body.height - bar.height,
            ..body
        };
        [tabs, bar, body, status, footer]
    }

    /// Before [`App::paint`] in a frame of `area`: the current tab and the open windows
    /// record the rows they show and scroll to keep their selection in view. Everything a
    /// frame changes happens here; painting only reads.
    pub fn layout(&mut self, area: Rect) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        self.shown_minute = self.clock.now().timestamp() / 60;
        self.width = area.width;
        let [_, _, body, _, _] = self.areas(area);
        self.on_current_view(|view, ctx| view.layout(body, ctx));
        let confirm_hint = match &self.popup {
            Some(Popup::Confirm(_)) => self.confirm_hint(),
            _ => String::new(),
        };
        match &mut self.popup {
            Some(Popup::Language(form)) => form.layout(language_rect(area), self.theme),
            Some(Popup::Confirm(c)) => c.layout(area, self.theme, self.lang, &confirm_hint),
            Some(popup) => {
                let mut scrolls = false;
                let clamped =
                    popup_content(area, popup, self.lang).and_then(|(_, lines, scroll, rect)| {
                        // Clamp so the last line stays on screen (End jumps to the bottom).
                        let (rect, total) = popup_rect(area, rect, &lines);
                        let inner = Block::default().borders(Borders::ALL).inner(rect);
                        scrolls = total > inner.height;
                        Some((*scroll?).min(total.saturating_sub(inner.height)))
                    });
                self.popup_scrolls = scrolls;
                if let (Some(clamped), Popup::Help { scroll, .. } | Popup::Text { scroll, .. }) =
                    (clamped, popup)
                {
                    *scroll = clamped;
                }
            }
            None => {}
        }
    }

    /// Draws the screen as [`App::layout`] left it, for a frame of the same size. Takes
    /// `&self`: drawing changes nothing.
    pub fn paint(&self, frame: &mut Frame) {
        crate::tui::widgets::forget_cursor();
        let area = frame.area();
        if area.width == 0 || area.height == 0 {
            return;
        }
        let [tabs, bar, body, status, footer] = self.areas(area);
        self.draw_tabs(frame, tabs);
        let ctx = self.view_ctx();
        if let Some(text) = &self.filter_edit {
            let line = Line::from(vec![
                Span::styled("/ ", self.theme.key()),
                Span::raw(text.clone()),
                Span::styled(crate::tui::widgets::MARKER, self.theme.dim()),
            ]);
            let at = line.width().saturating_sub(1);
            frame.render_widget(Paragraph::new(line), bar);
            if self.popup.is_none() {
                crate::tui::widgets::show_cursor(frame, bar, at, 0);
            }
        }
        self.views[self.tab.index()].draw(frame, body, &ctx);
        self.draw_status(frame, status);
        self.draw_footer(frame, footer);
        if let Some(Popup::Confirm(c)) = &self.popup {
            let hint = self.confirm_hint();
            c.draw(frame, area, self.theme, self.lang, &hint);
        } else if let Some(Popup::ConfirmQuit { lines, ask }) = &self.popup {
            let answers = quit_answers(self.lang);
            let q = Question {
                title: tr(self.lang, "app.quit_title"),
                lines,
                ask,
                answers: &answers,
                lang: self.lang,
            };
            draw_ask(frame, area, self.theme, &q);
        } else if let Some(Popup::Language(form)) = &self.popup {
            form.draw(frame, language_rect(area), self.theme, self.lang);
        } else if let Some(popup) = &self.popup {
            draw_popup(frame, area, popup, self.lang, self.theme);
        }
        crate::tui::widgets::place_cursor(frame);
    }

    /// The answer keys of a question, from the live keymap. With a text to type, Enter
    /// validates and only Close is a binding; a send says "send" and "back".
    fn confirm_hint(&self) -> String {
        self.context_hints()
            .iter()
            .map(|h| {
                let (k, d) = h.shown(self.lang);
                format!("{k} {d}")
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// The tab bar. When every label does not fit, a window of tabs around the current one is
    /// shown, with `‹` / `›` where tabs are hidden.
    fn draw_tabs(&self, frame: &mut Frame, area: Rect) {
        let tabs = self.tabs();
        let labels: Vec<String> = tabs
            .iter()
            .map(|t| tab_label(*t, &self.keymap, self.lang))
            .collect();
        let current = tabs.iter().position(|t| *t == self.tab).unwrap_or(0);
        let avail = usize::from(area.width);
        let (start, end) = tab_window(&labels, current, avail);
        let mut spans = Vec::new();
        spans.push(Span::styled(
            if start > 0 { "‹" } else { " " },
            self.theme.dim(),
        ));
        for (i, label) in labels.iter().enumerate().take(end).skip(start) {
            let style = if i == current {
                self.theme.tab_active()
            } else {
                self.theme.base()
            };
            spans.push(Span::styled(
                truncate(label, avail.saturating_sub(2)),
                style,
            ));
        }
        if end < labels.len() {
            spans.push(Span::styled("›", self.theme.dim()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    /// The status line's text wrapped beside the operator and the time: up to three lines
    /// (fewer on a small screen), the last ending in "…" when cut (the log has it whole).
    fn status_lines(&self, width: u16, height: u16) -> (Vec<String>, String) {
        let right = format!(
            "{} · {}",
            clean(&self.actor.login),
            self.fmt().time(self.clock.now().timestamp())
        );
        let text = match &self.status {
            Some((StatusKind::Error, s)) => format!("✖ {s}"),
            Some((StatusKind::Info, s)) => s.clone(),
            None => clean(&self.location),
        };
        let right_width = unicode_width::UnicodeWidthStr::width(right.as_str());
        let left_room = usize::from(width).saturating_sub(right_width + 1).max(1);
        let max = match (&self.status, height) {
            (None, _) | (_, 0..=9) => 1,
            (_, 10..=15) => 2,
            _ => 3,
        };
        (super::fmt::wrap(&text, left_room, max), right)
    }

    fn draw_status(&self, frame: &mut Frame, area: Rect) {
        if area.height == 0 {
            return;
        }
        let frame_height = frame.area().height;
        let (texts, right) = self.status_lines(area.width, frame_height);
        let style = match &self.status {
            Some((StatusKind::Error, _)) => self.theme.error(),
            Some((StatusKind::Info, _)) => self.theme.warn(),
            None => self.theme.dim(),
        };
        let avail = usize::from(area.width);
        let right_width = unicode_width::UnicodeWidthStr::width(right.as_str());
        let mut lines = Vec::new();
        for (i, text) in texts.into_iter().enumerate() {
            let text = truncate(&text, avail);
            let mut spans = vec![Span::styled(text.clone(), style)];
            // The operator and the time on the first line only.
            if i == 0 && avail > right_width {
                let gap = avail.saturating_sub(
                    unicode_width::UnicodeWidthStr::width(text.as_str()) + right_width,
                );
                spans.push(Span::raw(" ".repeat(gap)));
                spans.push(Span::styled(right.clone(), self.theme.dim()));
            }
            lines.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    /// The footer: the hints of the focused context, then (on a list) the global keys, cut
    /// to the width with "… ? help" at the end when some do not fit.
    fn draw_footer(&self, frame: &mut Frame, area: Rect) {
        if area.height == 0 {
            return;
        }
        let mut shown = self.context_hints();
        if self.popup.is_none() && self.filter_edit.is_none() && !self.is_editing() {
            shown.extend(self.global_hints());
        }
        let mut spans = Vec::new();
        for (key, desc) in self.hint_builder().fit(&shown, usize::from(area.width)) {
            spans.push(Span::styled(key, self.theme.key()));
            spans.push(Span::raw(format!(" {desc}  ")));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn hint_builder(&self) -> Hints<'_> {
        Hints {
            keymap: &self.keymap,
            shipped: &self.shipped,
            lang: self.lang,
        }
    }

    /// The hints of what has the keyboard now: an open window, else the screen under it.
    /// Every hint names keys that, pressed now, do what it says (tested key by key).
    pub fn context_hints(&self) -> Vec<Hint> {
        let h = self.hint_builder();
        let bound = |actions: &[Action]| -> Vec<Hint> {
            actions.iter().filter_map(|a| h.bound(*a, None)).collect()
        };
        let free = |pairs: Vec<(String, String)>| -> Vec<Hint> {
            pairs.iter().map(|(k, d)| Hint::free(k, d)).collect()
        };
        match &self.popup {
            None => self.screen_hints(),
            Some(Popup::Confirm(c)) if c.input.is_some() => {
                // With a text to type, Enter validates and only Close is a binding.
                let mut v = bound(&[EditorAction::Close.into()]);
                v.push(Hint::free("Enter", tr(self.lang, "confirm.validate")));
                v
            }
            // A send: the transliteration key first when the text travels in Unicode (as in the
            // batch preview), then its buttons' keys.
            Some(Popup::Confirm(c)) if c.sends => {
                let mut v = Vec::new();
                if c.transliterates {
                    v.extend(h.bound(EditorAction::Transliterate.into(), None));
                }
                v.extend(free(c.hints(self.lang)));
                v
            }
            // A destructive question and the quit question answer with their buttons' keys.
            Some(Popup::Confirm(c)) if c.ask.is_some() => free(c.hints(self.lang)),
            Some(Popup::ConfirmQuit { ask, .. }) => {
                free(ask.hints(&quit_answers(self.lang), self.lang))
            }

            Some(Popup::Confirm(_)) => {
                bound(&[DialogAction::Confirm.into(), DialogAction::Close.into()])
            }
            Some(Popup::Language(_)) => {
                let mut v = vec![Hint::free("Enter", tr(self.lang, "action.save"))];
                v.extend(bound(&[EditorAction::Close.into()]));
                v.push(Hint::free("← →", tr(self.lang, "form.choose")));
                v
            }
            Some(Popup::Text { links, .. }) => {
                let mut actions: Vec<Action> = vec![DialogAction::Close.into()];
                if links.event.is_some() && Tab::Agenda.open_to(&self.actor.rights) {
                    actions.push(ListAction::OpenEvent.into());
                }
                if links.contact.is_some() && Tab::Contacts.open_to(&self.actor.rights) {
                    actions.push(ListAction::OpenContact.into());
                }
                if links.new_contact {
                    actions.push(ListAction::NewContact.into());
                }
                if self.popup_scrolls {
                    actions.extend(
                        [ListAction::Down, ListAction::Up, ListAction::PageDown].map(Action::from),
                    );
                }
                // Last, where a cut footer keeps it: `?` opens the help from here too.
                actions.push(GlobalAction::Help.into());
                bound(&actions)
            }
            Some(Popup::Help { .. }) if self.popup_scrolls => bound(&[
                DialogAction::Close.into(),
                ListAction::Down.into(),
                ListAction::Up.into(),
                ListAction::PageDown.into(),
            ]),
            Some(Popup::Help { .. }) => bound(&[DialogAction::Close.into()]),
        }
    }

    /// The hints of the current tab in its mode (filter bar, form, list), windows aside.
    pub fn screen_hints(&self) -> Vec<Hint> {
        let h = self.hint_builder();
        let view = &self.views[self.tab.index()];
        if self.filter_edit.is_some() {
            let mut v = vec![Hint::free("Enter", tr(self.lang, "ui.apply"))];
            v.extend(h.all(&[
                (EditorAction::Close.into(), None),
                (EditorAction::Help.into(), None),
            ]));
            return v;
        }
        if self.is_editing() {
            let (bound, free) = view.edit_hints();
            let mut v: Vec<Hint> = bound
                .iter()
                .filter_map(|a| h.bound(*a, view.edit_hint_label(*a)))
                .collect();
            v.extend(free.iter().map(|(k, d)| Hint::free(k, d)));
            // F1 opens the help from every form (where `?` is text to type).
            if !v.iter().any(Hint::is_help) {
                v.extend(h.bound(EditorAction::Help.into(), None));
            }
            return v;
        }
        let mut actions: Vec<ListAction> = view.hints().to_vec();
        let mut v = Vec::new();
        if view.new_above() > 0 {
            // Rows arrived in front: the first-row key is what shows them.
            actions.retain(|a| *a != ListAction::First);
            v.extend(h.bound(ListAction::First.into(), Some("ui.show_new")));
        }
        v.extend(
            actions
                .iter()
                .filter_map(|a| h.bound((*a).into(), view.hint_label(*a))),
        );
        v
    }

    /// The global keys of a list's footer, the help key last (it closes a cut footer).
    fn global_hints(&self) -> Vec<Hint> {
        let mut global = vec![GlobalAction::Quit];
        // Everyone lands on the dashboard: it says where one's own language is set.
        if self.tab == Tab::Dashboard {
            global.push(GlobalAction::Language);
        }
        global.extend([
            GlobalAction::NextTab,
            GlobalAction::Refresh,
            GlobalAction::Help,
        ]);
        let h = self.hint_builder();
        global
            .iter()
            .filter_map(|a| h.bound((*a).into(), None))
            .collect()
    }

    /// Opens the help on the keys of the screen as it is now.
    fn open_help(&mut self) {
        let lines = self.help_lines();
        self.popup = Some(Popup::Help { scroll: 0, lines });
    }

    /// The help's sections: this screen's keys first (in its mode, movement included on a
    /// list), then, on a list, the keys that work on every tab (in a form or the filter bar
    /// every key is typed, so they are not offered there). Every line is a [`Hint`],
    /// pressed one by one by the key-map test.
    pub fn help_sections(&self) -> Vec<(String, Vec<Hint>)> {
        let h = self.hint_builder();
        let mut here = self.screen_hints();
        let title = trf(
            self.lang,
            "help.here",
            &[("tab", &self.tab.label(self.lang))],
        );
        if self.filter_edit.is_some() || self.is_editing() {
            return vec![(title, here)];
        }
        let moves = self.views[self.tab.index()].moves();
        for a in [
            ListAction::Down,
            ListAction::Up,
            ListAction::PageDown,
            ListAction::PageUp,
            ListAction::First,
            ListAction::Last,
        ] {
            if moves && !here.iter().any(|x| x.action == Some(a.into())) {
                here.extend(h.bound(a.into(), None));
            }
        }
        let global = self
            .keymap
            .bindings(Context::Global)
            .iter()
            .filter(|b| match b.action {
                // Only the tabs this operator has.
                Action::Global(g) => {
                    Tab::from_action(g).is_none_or(|t| t.open_to(&self.actor.rights))
                }
                _ => true,
            })
            .map(|b| Hint {
                key: b.key.label(),
                chords: vec![b.key],
                action: Some(b.action),
                desc: h.describe(b),
            })
            .collect();
        vec![
            (title, here),
            (tr(self.lang, "help.global").to_string(), global),
        ]
    }

    fn help_lines(&self) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for (head, hints) in self.help_sections() {
            lines.push(Line::from(Span::styled(head, self.theme.header())));
            for hint in hints {
                let (key, desc) = hint.shown(self.lang);
                lines.push(Line::from(vec![
                    Span::styled(format!("  {key:<10}"), self.theme.key()),
                    Span::raw(desc),
                ]));
            }
            lines.push(Line::from(""));
        }
        // How the list's filter searches, on a list that has one.
        let search = match self.tab {
            Tab::Sent | Tab::Upcoming => Some("help.search_messages"),
            _ if self.views[self.tab.index()].filter().is_some() => Some("help.search_parts"),
            _ => None,
        };
        if let Some(key) = search {
            lines.push(Line::from(Span::styled(
                tr(self.lang, "help.search").to_string(),
                self.theme.header(),
            )));
            lines.push(Line::from(format!("  {}", tr(self.lang, key))));
        }
        lines
    }
}

/// "Stay" / "Quit".
fn quit_answers(lang: Lang) -> Answers {
    Answers::new(lang, "app.stay", "app.quit")
}

/// A rectangle of `percent_x` × `percent_y` centred in `area` (at least 20 × 5 when possible).
fn centered(area: Rect, percent_x: u16, percent_y: u16) -> Rect {
    let w = (area.width * percent_x / 100).max(20).min(area.width);
    let h = (area.height * percent_y / 100).max(5).min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The language window, centred: border, the field, its help line, a refusal.
fn language_rect(area: Rect) -> Rect {
    let width = area.width.min(64);
    let height = area.height.min(5);
    centred(area, width, height)
}

/// What a text popup shows: its title, lines, scroll (when it scrolls) and the most room it
/// takes; `None` for popups drawn by their own widgets.
fn popup_content(
    area: Rect,
    popup: &Popup,
    lang: Lang,
) -> Option<(String, Vec<Line<'static>>, Option<&u16>, Rect)> {
    Some(match popup {
        // Drawn by their own widgets.
        Popup::Confirm(_) | Popup::Language(_) | Popup::ConfirmQuit { .. } => return None,
        Popup::Help { scroll, lines } => (
            tr(lang, "help.title").to_string(),
            lines.clone(),
            Some(scroll),
            centered(area, 90, 90),
        ),
        Popup::Text {
            title,
            lines,
            scroll,
            ..
        } => (
            title.clone(),
            lines.clone(),
            Some(scroll),
            centered(area, 90, 90),
        ),
    })
}

/// `rect` shrunk to the content (as wrapped), centred again in `area`; and the
/// rows the content takes.
fn popup_rect(area: Rect, rect: Rect, lines: &[Line]) -> (Rect, u16) {
    let inner_width = usize::from(rect.width.saturating_sub(2)).max(1);
    let total = wrapped_rows(lines, inner_width);
    let needed = total.saturating_add(2).max(3);
    let rect = if needed < rect.height {
        Rect {
            y: area.y + (area.height - needed) / 2,
            height: needed,
            ..rect
        }
    } else {
        rect
    };
    (rect, total)
}

/// A tab as the bar names it: ` 6 Envoyés `.
fn tab_label(tab: Tab, keymap: &Keymap, lang: Lang) -> String {
    match keymap.key_for(tab.action()) {
        Some(k) => format!(" {k} {} ", tab.label(lang)),
        None => format!(" {} ", tab.label(lang)),
    }
}

/// The tabs `start..end` the bar shows in `avail` columns: the current one, then its
/// neighbours alternately right and left while they fit (2 columns kept for `‹` and `›`).
fn tab_window(labels: &[String], current: usize, avail: usize) -> (usize, usize) {
    let width = |i: usize| unicode_width::UnicodeWidthStr::width(labels[i].as_str());
    if current >= labels.len() {
        return (0, 0);
    }
    let (mut start, mut end) = (current, current + 1);
    let mut used = width(current);
    loop {
        let mut grew = false;
        if end < labels.len() && used + width(end) + 2 <= avail {
            used += width(end);
            end += 1;
            grew = true;
        }
        if start > 0 && used + width(start - 1) + 2 <= avail {
            start -= 1;
            used += width(start);
            grew = true;
        }
        if !grew {
            return (start, end);
        }
    }
}

fn draw_popup(frame: &mut Frame, area: Rect, popup: &Popup, lang: Lang, theme: Theme) {
    crate::tui::widgets::forget_cursor();
    let Some((title, lines, scroll, rect)) = popup_content(area, popup, lang) else {
        return;
    };
    let (rect, _) = popup_rect(area, rect, &lines);
    frame.render_widget(Clear, rect);
    let block = titled_block(&title, rect.width, theme);
    // Scrolled by `App::layout`, which keeps the last line on screen.
    let offset = scroll.copied().unwrap_or(0);
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((offset, 0));
    frame.render_widget(paragraph, rect);
}

/// Rows `lines` take once wrapped at `width` columns.
fn wrapped_rows(lines: &[Line], width: usize) -> u16 {
    // As the window's paragraph wraps them (words kept whole): an estimate here left blank
    // rows under a conversation opened at its end, or cut its last line.
    let width = u16::try_from(width).unwrap_or(u16::MAX);
    let rows = Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(width);
    u16::try_from(rows).unwrap_or(u16::MAX)
}
