//! Contacts: participants by name, searchable; individual send and opt-out; saved lists
//! (Space selects, `l` shows one list's members, `s` saves the selection as a list, `+` adds it
//! to a list, `-` takes it out of the shown list, `R` / `D` rename and delete a list); import
//! from a spreadsheet (`I`, see `contacts_import`).

use super::contact_card::Card;
use super::contact_edit::{ContactEditor, Saving, created_text, with_warnings};
use super::contacts_import::{self, ImportJob, PreviewView};
use super::individual::{IndividualForm, may_send};
use super::lists::{
    Look, PAGE, draw_paged, layout_paged, pick_targets, push_list_notes, title, toggle_pick,
    toggle_pick_all,
};
use super::modal_outcome;
use super::{Act, Col, Ctx, Outcome, TabView, cell, move_pager, styled};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::{Action, DialogAction, ListAction};
use crate::store::Db;
use crate::store::Result;
use crate::store::lists::{self as list_rows, MemberPlan};
use crate::store::participants::{self, SavedList};
use crate::tui::fmt::{clean, key_names, phone, thousands, truncate};
use crate::tui::jobs::{JobId, JobUpdate};
use crate::tui::pager::Pager;
use crate::tui::pending::Pending;
use crate::tui::problem::Problem;
use crate::tui::queries::ParticipantsSource;
use crate::tui::theme::Theme;
use crate::tui::widgets::ask::Answers;
use crate::tui::widgets::centred;
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::form::{lost_in, modal_in};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::collections::BTreeSet;

/// What the lists picker is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    /// Show one list's members, or everyone (the first row).
    Show,
    /// Add the selection to the chosen list.
    AddTo,
    Rename,
    Delete,
}

/// The saved lists in a small window, one chosen with the list keys and Enter.
struct Picker {
    purpose: Purpose,
    lists: Vec<SavedList>,
    /// Participants in all (the "everyone" row of [`Purpose::Show`]).
    everyone: i64,
    index: usize,
}

impl Picker {
    fn rows(&self) -> usize {
        self.lists.len() + usize::from(self.purpose == Purpose::Show)
    }

    /// The list under the cursor (`None`: the "everyone" row).
    fn chosen(&self) -> Option<&SavedList> {
        let offset = usize::from(self.purpose == Purpose::Show);
        self.index
            .checked_sub(offset)
            .and_then(|i| self.lists.get(i))
    }
}

/// Contacts: participants by name, searchable; `n` writes an individual SMS to the selected one.
pub struct ContactsTab {
    pager: Pager<ParticipantsSource>,
    height: usize,
    /// The individual-send form (time + composer) to the participant's mobile.
    send: Option<IndividualForm>,
    lang: Lang,
    /// Ids of the selected participants (Space, select all).
    picked: BTreeSet<i64>,
    /// The saved list shown instead of everyone: id, name, members.
    shown: Option<(i64, String, i64)>,
    picker: Option<Picker>,
    /// Forget the selection after the confirmed change (a list was saved or trimmed).
    clear_after_change: bool,
    import: ImportJob,
    preview: Option<PreviewView>,
    /// The window saying why the file could not be read or imported is open (until Enter /
    /// Esc); the reason is the import job's.
    failure: bool,
    /// The contact form (`N` new, `m` edit).
    editor: Option<ContactEditor>,
    /// The contact card (Enter), over the list.
    card: Option<Card>,
    /// The card's keys as the footer names them: write, edit, back, archive.
    card_keys: [String; 4],
    /// How many contacts the search finds (when everyone is shown, not a saved list).
    counted: Option<i64>,
}

impl Default for ContactsTab {
    fn default() -> Self {
        Self::new()
    }
}

impl ContactsTab {
    pub fn new() -> Self {
        ContactsTab {
            pager: Pager::new(
                ParticipantsSource {
                    search: String::new(),
                    list: None,
                },
                PAGE,
            ),
            height: 10,
            send: None,
            lang: Lang::En,
            picked: BTreeSet::new(),
            shown: None,
            picker: None,
            clear_after_change: false,
            import: ImportJob::default(),
            preview: None,
            failure: false,
            editor: None,
            card: None,
            card_keys: Default::default(),
            counted: None,
        }
    }

    /// Opens the individual send for the selected participant, else the card's (instant or
    /// scheduled right): the same form as the Inbox answer, to the participant's mobile.
    fn open_send(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        if !may_send(&act.actor.rights) {
            return Ok(Outcome::Error(
                tr(lang, "contacts.no_send_right").to_string(),
            ));
        }
        let chosen = match &self.card {
            Some(card) => Some(card.detail.participant.clone()),
            None => self.pager.selected().cloned(),
        };
        let Some(p) = chosen else {
            return Ok(Outcome::Handled);
        };
        let Some(mobile) = p.mobile.clone() else {
            return Ok(Outcome::Error(tr(lang, "contacts.no_mobile").to_string()));
        };
        let name = format!("{} {}", p.first_name, p.last_name);
        let title = "contacts.send_title";
        IndividualForm::open_in(&mut self.send, act, &mobile, Some(p.id), &name, title)
    }
}

impl ContactsTab {
    /// Opens the form of a new contact.
    fn open_new(&mut self, act: &mut Act) -> Outcome {
        self.editor = Some(ContactEditor::new_contact(&act.fmt, act.region));
        Outcome::Handled
    }

    /// Opens the form of the contact of the card, else of the row under the cursor.
    fn open_edit(&mut self, act: &mut Act) -> Result<Outcome> {
        let id = match &self.card {
            Some(card) => Some(card.detail.participant.id),
            None => self.pager.selected().map(|p| p.id),
        };
        let Some(id) = id else {
            return Ok(Outcome::Handled);
        };
        let detail = crate::store::card::detail(act.store.db(), id)?;
        self.editor = Some(ContactEditor::edit(&act.fmt, &detail, act.region));
        Ok(Outcome::Handled)
    }

    /// Opens the card of the row under the cursor.
    fn open_card(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(id) = self.pager.selected().map(|p| p.id) else {
            return Ok(Outcome::Handled);
        };
        self.show_card(id, &act.ctx())?;
        Ok(Outcome::Handled)
    }

    fn show_card(&mut self, id: i64, ctx: &Ctx) -> Result<()> {
        self.card_keys = [
            ctx.key(ListAction::New),
            ctx.key(ListAction::Edit),
            ctx.key(ListAction::Back),
            ctx.key(ListAction::Delete),
        ];
        self.card = Some(Card::open(ctx.conn, id)?);
        Ok(())
    }

    /// "Archive X?" (the answer "no" is the default) for the contact of the card, else of the
    /// row under the cursor; on the card of an archived contact, "Bring X back?".
    fn ask_archive(&self, ctx: &Ctx) -> Outcome {
        let chosen = match &self.card {
            Some(card) => Some(&card.detail.participant),
            None => self.pager.selected(),
        };
        let Some(p) = chosen else {
            return Outcome::Handled;
        };
        let lang = ctx.lang();
        let name = clean(&p.full_name());
        let pending = Pending::ArchiveContact {
            id: p.id,
            name: name.clone(),
            archive: !p.archived,
        };
        if p.archived {
            // Bringing someone back loses nothing: a plain question.
            return Outcome::Confirm(Confirm::new(
                ctx.tr("contacts.restore_title").to_string(),
                vec![Line::from(trf(
                    lang,
                    "contacts.restore_question",
                    &[("name", &name)],
                ))],
                pending,
            ));
        }
        Outcome::Confirm(
            Confirm::new(
                ctx.tr("contacts.archive_title").to_string(),
                vec![
                    Line::from(trf(lang, "contacts.archive_question", &[("name", &name)])),
                    Line::from(Span::styled(
                        ctx.tr("contacts.archive_stay").to_string(),
                        ctx.theme.dim(),
                    )),
                ],
                pending,
            )
            .destructive(Answers::yes_no(lang)),
        )
    }

    /// Saves the contact form: every refused field shows its reason under it; saved, the
    /// form closes and the card shows the contact (a new one opens its card).
    fn save_contact(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        let Some(ed) = &mut self.editor else {
            return Ok(Outcome::Handled);
        };
        let new = ed.id.is_none();
        let saved = match ed.save(act)? {
            Saving::Stay => return Ok(Outcome::Handled),
            Saving::Unchanged => {
                self.editor = None;
                return Ok(Outcome::Info(tr(lang, "contacts.unchanged").to_string()));
            }
            Saving::Saved(saved) => saved,
        };
        self.editor = None;
        self.pager.refresh(act.store.db())?;
        match &mut self.card {
            Some(card) => card.reload(act.store.db())?,
            None if new => self.show_card(saved.id, &act.ctx())?,
            None => {}
        }
        let name = self
            .card
            .as_ref()
            .map(|c| clean(&c.detail.participant.full_name()))
            .unwrap_or_default();
        if new {
            return Ok(Outcome::Info(created_text(lang, &saved, &name)));
        }
        let text = if saved.changed.is_empty() {
            tr(lang, "contacts.unchanged").to_string()
        } else {
            let fields = saved
                .changed
                .iter()
                .map(|f| {
                    let code = match *f {
                        "sms_consent" => "consent",
                        "attributes" => "attribute",
                        other => other,
                    };
                    tr(lang, &format!("contact_field.{code}")).to_string()
                })
                .collect::<Vec<_>>()
                .join(", ");
            trf(
                lang,
                "contacts.updated",
                &[("name", &name), ("fields", &fields)],
            )
        };
        Ok(Outcome::Info(with_warnings(text, &saved, lang)))
    }

    /// A key on the card: write (`n`), edit (`m`), archive or bring back (`d`), move in the
    /// timeline, back (Esc).
    fn card_key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let Some(card) = &mut self.card else {
            return Ok(Outcome::Ignored);
        };
        let conn = act.store.db();
        match act.keymap.list(key) {
            Some(ListAction::New) => return self.open_send(act),
            Some(ListAction::Edit) => return self.open_edit(act),
            Some(ListAction::Delete) => return Ok(self.ask_archive(&act.ctx())),
            Some(ListAction::Down) => card.scroll(conn, 1)?,
            Some(ListAction::Up) => card.scroll(conn, -1)?,
            Some(ListAction::PageDown) => card.page_down(conn)?,
            Some(ListAction::PageUp) => card.scroll(conn, -(self.height.max(1) as isize))?,
            Some(ListAction::First) => card.index = 0,
            Some(ListAction::Back) => self.card = None,
            _ if act.keymap.dialog(key) == Some(DialogAction::Close) => self.card = None,
            _ => {}
        }
        Ok(Outcome::Handled)
    }
}

impl ContactsTab {
    /// The participants an action applies to: the selection, else the row under the cursor.
    fn targets(&self) -> Vec<i64> {
        pick_targets(&self.pager, &self.picked)
    }

    /// Shows the members of list `id` (`None`: everyone), from the first row.
    fn show(&mut self, list: Option<&SavedList>, conn: Db<'_>) -> Result<()> {
        match list {
            Some(l) => {
                let everyone = participants::count(conn)?;
                let plan = MemberPlan::choose(l.members, everyone, PAGE);
                self.shown = Some((l.id, l.name.clone(), l.members));
                self.pager.source.list = Some((l.id, plan));
            }
            None => {
                self.shown = None;
                self.pager.source.list = None;
            }
        }
        self.picked.clear();
        self.pager.reset();
        self.pager.first(conn)
    }

    /// Re-reads the shown list after a change (renamed, trimmed, or deleted: then everyone).
    fn recheck_shown(&mut self, conn: Db<'_>) -> Result<()> {
        let Some((id, ..)) = self.shown else {
            return Ok(());
        };
        match list_rows::get(conn, id) {
            Ok(l) => {
                // The list grew or shrank: the cheaper way to page it may have changed.
                let everyone = participants::count(conn)?;
                self.pager.source.list =
                    Some((l.id, MemberPlan::choose(l.members, everyone, PAGE)));
                self.shown = Some((l.id, l.name, l.members));
                Ok(())
            }
            Err(crate::store::StoreError::NotFound { .. }) => self.show(None, conn),
            Err(e) => Err(e),
        }
    }

    fn open_picker(&mut self, purpose: Purpose, ctx: &Ctx) -> Result<Outcome> {
        let lists = participants::saved_lists(ctx.conn)?;
        if lists.is_empty() && purpose != Purpose::Show {
            return Ok(Outcome::Error(ctx.tr("contacts.no_lists").to_string()));
        }
        let everyone = if purpose == Purpose::Show {
            participants::count(ctx.conn)?
        } else {
            0
        };
        // Start on the list shown (or "everyone").
        let offset = usize::from(purpose == Purpose::Show);
        let index = self
            .shown
            .as_ref()
            .and_then(|(id, ..)| lists.iter().position(|l| l.id == *id))
            .map_or(0, |i| i + offset);
        self.picker = Some(Picker {
            purpose,
            lists,
            everyone,
            index,
        });
        Ok(Outcome::Handled)
    }

    /// "Save the N selected as a list named…".
    fn ask_save(&mut self, ctx: &Ctx) -> Outcome {
        let ids = self.targets();
        if ids.is_empty() {
            return Outcome::Error(ctx.tr("contacts.nothing_selected").to_string());
        }
        let lang = ctx.lang();
        let n = thousands(ids.len() as i64);
        self.clear_after_change = true;
        Outcome::Confirm(
            Confirm::new(
                ctx.tr("contacts.save_title").to_string(),
                vec![Line::from(trf(
                    lang,
                    "contacts.save_question",
                    &[("n", &n)],
                ))],
                Pending::SaveList {
                    ids,
                    saved: "contacts.saved",
                },
            )
            .with_input(ctx.tr("contacts.list_name").to_string(), String::new()),
        )
    }

    /// "Take the N selected out of list X?" (they stay in Contacts).
    fn ask_remove(&mut self, ctx: &Ctx) -> Outcome {
        let Some((list, name, _)) = self.shown.clone() else {
            return Outcome::Error(ctx.tr("contacts.no_list_shown").to_string());
        };
        let ids = self.targets();
        if ids.is_empty() {
            return Outcome::Handled;
        }
        let lang = ctx.lang();
        let n = thousands(ids.len() as i64);
        let name = clean(&name);
        self.clear_after_change = true;
        Outcome::Confirm(
            Confirm::new(
                ctx.tr("contacts.remove_title").to_string(),
                vec![
                    Line::from(trf(
                        lang,
                        "contacts.remove_question",
                        &[("n", &n), ("name", &name)],
                    )),
                    Line::from(Span::styled(
                        ctx.tr("contacts.remove_stay").to_string(),
                        ctx.theme.dim(),
                    )),
                ],
                Pending::RemoveFromList { list, ids, name },
            )
            .destructive(Answers::yes_no(lang)),
        )
    }

    fn ask_rename(id: i64, name: &str, lang: Lang) -> Outcome {
        let old = clean(name);
        Outcome::Confirm(
            Confirm::new(
                tr(lang, "contacts.rename_title").to_string(),
                vec![Line::from(trf(
                    lang,
                    "contacts.rename_question",
                    &[("name", &old)],
                ))],
                Pending::RenameList { id, old },
            )
            .with_input(tr(lang, "contacts.list_name").to_string(), name.to_string()),
        )
    }

    fn ask_delete(id: i64, name: &str, members: i64, lang: Lang, theme: Theme) -> Outcome {
        let name = clean(name);
        let n = thousands(members);
        Outcome::Confirm(
            Confirm::new(
                tr(lang, "contacts.delete_title").to_string(),
                vec![
                    Line::from(trf(
                        lang,
                        "contacts.delete_question",
                        &[("name", &name), ("n", &n)],
                    )),
                    Line::from(Span::styled(
                        tr(lang, "contacts.delete_stay").to_string(),
                        theme.dim(),
                    )),
                ],
                Pending::DeleteList { id, name },
            )
            .destructive(Answers::yes_no(lang)),
        )
    }

    /// Rename / delete the shown list, or pick which one when everyone is shown.
    fn rename_or_delete(&mut self, purpose: Purpose, ctx: &Ctx) -> Result<Outcome> {
        let Some((id, name, _)) = self.shown.clone() else {
            return self.open_picker(purpose, ctx);
        };
        Ok(match purpose {
            Purpose::Rename => Self::ask_rename(id, &name, ctx.lang()),
            _ => {
                // The count as it is now (someone may have changed the list meanwhile).
                let members = list_rows::member_count(ctx.conn, id)?;
                Self::ask_delete(id, &name, members, ctx.lang(), ctx.theme)
            }
        })
    }

    /// A key while the lists picker is open.
    fn picker_key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let Some(picker) = &mut self.picker else {
            return Ok(Outcome::Ignored);
        };
        let dialog = act.keymap.dialog(key);
        let list = act.keymap.list(key);
        let last = picker.rows().saturating_sub(1);
        match (dialog, list) {
            (Some(DialogAction::Close), _) => {
                self.picker = None;
                return Ok(Outcome::Handled);
            }
            (Some(DialogAction::Confirm), _) => {}
            (_, Some(ListAction::Down)) => picker.index = (picker.index + 1).min(last),
            (_, Some(ListAction::Up)) => picker.index = picker.index.saturating_sub(1),
            (_, Some(ListAction::PageDown)) => picker.index = (picker.index + 10).min(last),
            (_, Some(ListAction::PageUp)) => picker.index = picker.index.saturating_sub(10),
            (_, Some(ListAction::First)) => picker.index = 0,
            (_, Some(ListAction::Last)) => picker.index = last,
            _ => {}
        }
        if dialog != Some(DialogAction::Confirm) {
            return Ok(Outcome::Handled);
        }
        let purpose = picker.purpose;
        let chosen = picker.chosen().cloned();
        self.picker = None;
        let lang = act.lang();
        match (purpose, chosen) {
            (Purpose::Show, list) => {
                self.show(list.as_ref(), act.store.db())?;
                Ok(Outcome::Handled)
            }
            (_, None) => Ok(Outcome::Handled),
            (Purpose::AddTo, Some(l)) => {
                let ids = self.targets();
                match crate::core::lists::change_members(
                    act.store,
                    act.actor,
                    l.id,
                    &ids,
                    crate::core::lists::Membership::Add,
                    act.now,
                ) {
                    Ok(added) => {
                        self.picked.clear();
                        self.recheck_shown(act.store.db())?;
                        self.pager.refresh(act.store.db())?;
                        Ok(Outcome::Info(trf(
                            lang,
                            "contacts.added",
                            &[
                                ("n", &thousands(added as i64)),
                                ("name", &clean(&l.name)),
                                ("already", &thousands((ids.len() - added) as i64)),
                            ],
                        )))
                    }
                    Err(e) => Ok(Outcome::failed(&e, act.lang())),
                }
            }
            (Purpose::Rename, Some(l)) => Ok(Self::ask_rename(l.id, &l.name, lang)),
            (Purpose::Delete, Some(l)) => {
                let members = list_rows::member_count(act.store.db(), l.id)?;
                Ok(Self::ask_delete(l.id, &l.name, members, lang, act.theme))
            }
        }
    }

    /// A key while the import preview is open: scroll, Enter imports, Esc leaves.
    fn preview_key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let Some(view) = &mut self.preview else {
            return Ok(Outcome::Ignored);
        };
        let lang = act.lang();
        let dialog = act.keymap.dialog(key);
        // Only Enter and Esc answer: `y`, `o` or `n` typed by mistake do nothing here.
        let enter = key.code == crossterm::event::KeyCode::Enter;
        let esc = key.code == crossterm::event::KeyCode::Esc;
        match (dialog, act.keymap.list(key)) {
            (Some(DialogAction::Close), _) if esc => {
                self.preview = None;
                Ok(Outcome::Info(tr(lang, "contacts.import_left").to_string()))
            }
            (Some(DialogAction::Confirm), _) if enter => {
                if view.preview.valid.is_empty() {
                    view.error = Some(tr(lang, "contacts.import_nothing").to_string());
                    return Ok(Outcome::Handled);
                }
                let db = act.store.path().to_path_buf();
                let Some(view) = self.preview.take() else {
                    return Ok(Outcome::Handled);
                };
                self.import
                    .start_import(&act.jobs, db, act.actor.clone(), view.preview, act.now);
                Ok(Outcome::Handled)
            }
            (_, Some(ListAction::Down)) => {
                view.scroll_by(1, lang, act.theme);
                Ok(Outcome::Handled)
            }
            (_, Some(ListAction::Up)) => {
                view.scroll_by(-1, lang, act.theme);
                Ok(Outcome::Handled)
            }
            (_, Some(ListAction::PageDown)) => {
                view.scroll_by(10, lang, act.theme);
                Ok(Outcome::Handled)
            }
            (_, Some(ListAction::PageUp)) => {
                view.scroll_by(-10, lang, act.theme);
                Ok(Outcome::Handled)
            }
            _ => Ok(Outcome::Handled),
        }
    }

    fn draw_picker(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let Some(picker) = &self.picker else {
            return;
        };
        let lang = ctx.lang();
        let width = area.width.saturating_sub(4).clamp(20, 64).min(area.width);
        let rows = picker.rows();
        let height = u16::try_from(rows + 4)
            .unwrap_or(u16::MAX)
            .min(area.height.saturating_sub(2).max(5))
            .min(area.height);
        let rect = centred(area, width, height);
        let inner_w = usize::from(width.saturating_sub(2));
        let room = usize::from(height.saturating_sub(4)).max(1);
        let first = picker.index.saturating_sub(room - 1);
        let shown_id = self.shown.as_ref().map(|(id, ..)| *id);
        let mut lines = Vec::new();
        for i in first..(first + room).min(rows) {
            let offset = usize::from(picker.purpose == Purpose::Show);
            let (label, count, is_shown) = match i.checked_sub(offset) {
                None => (
                    ctx.tr("contacts.everyone").to_string(),
                    picker.everyone,
                    shown_id.is_none(),
                ),
                Some(j) => match picker.lists.get(j) {
                    Some(l) => (clean(&l.name), l.members, shown_id == Some(l.id)),
                    None => continue,
                },
            };
            let count = if count == 1 {
                ctx.tr("contacts.member_one").to_string()
            } else {
                trf(lang, "contacts.members", &[("n", &thousands(count))])
            };
            // The cursor and the list shown are told apart without colours too.
            let mark = format!(
                "{}{} ",
                if i == picker.index { '›' } else { ' ' },
                if is_shown { '●' } else { ' ' }
            );
            let name_w = inner_w.saturating_sub(count.chars().count() + 5);
            let text = format!(
                "{mark}{:<name_w$} {count:>}",
                truncate(&label, name_w),
                name_w = name_w
            );
            let style = if i == picker.index {
                ctx.theme.selected()
            } else {
                ctx.theme.base()
            };
            lines.push(Line::from(Span::styled(truncate(&text, inner_w), style)));
        }
        while lines.len() < room {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            truncate(&self.keys_line(ctx), inner_w),
            ctx.theme.dim(),
        )));
        let title_key = match picker.purpose {
            Purpose::Show => "contacts.pick_show",
            Purpose::AddTo => "contacts.pick_add",
            Purpose::Rename => "contacts.pick_rename",
            Purpose::Delete => "contacts.pick_delete",
        };
        let title = trf(
            lang,
            title_key,
            &[("n", &thousands(self.targets().len() as i64))],
        );
        frame.render_widget(Clear, rect);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", truncate(&title, inner_w.saturating_sub(2))),
            ctx.theme.title(),
        ));
        frame.render_widget(Paragraph::new(lines).block(block), rect);
    }

    /// "↑↓ choose · Enter ok · Esc close", for the picker and the import preview.
    fn keys_line(&self, ctx: &Ctx) -> String {
        let confirm = if self.preview.is_some() {
            "contacts.import_confirm_key"
        } else {
            "contacts.pick_confirm_key"
        };
        format!(
            "↑↓ {}  ·  {} {}  ·  {} {}",
            ctx.tr(if self.preview.is_some() {
                "contacts.scroll_key"
            } else {
                "contacts.move_key"
            }),
            key_names("Enter", ctx.lang()),
            ctx.tr(confirm),
            key_names("Esc", ctx.lang()),
            ctx.tr(if self.preview.is_some() {
                "contacts.import_leave_key"
            } else {
                "contacts.close_key"
            }),
        )
    }
}

impl TabView for ContactsTab {
    fn show_contact(&mut self, id: i64, ctx: &Ctx) -> Result<bool> {
        self.editor = None;
        self.show_card(id, ctx)?;
        Ok(true)
    }
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        let card = match &mut self.card {
            Some(card) => card.refresh(ctx.conn)?,
            None => false,
        };
        Ok(self.pager.refresh(ctx.conn)? || card)
    }

    fn on_job(&mut self, _id: JobId, update: JobUpdate, act: &mut Act) -> Result<Outcome> {
        let done = matches!(update, JobUpdate::ImportDone(Ok(_)));
        let failed = matches!(
            update,
            JobUpdate::ImportRead(Err(_)) | JobUpdate::ImportDone(Err(_))
        );
        match self.import.update(update) {
            Some(preview) => self.preview = Some(PreviewView::new(preview)),
            None if done => self.recheck_shown(act.store.db())?,
            None if failed => self.failure = true,
            None => {}
        }
        Ok(Outcome::Handled)
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        match action {
            ListAction::New => self.open_send(act),
            ListAction::NewContact => Ok(self.open_new(act)),
            ListAction::Edit => self.open_edit(act),
            ListAction::Open => self.open_card(act),
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.send.is_some()
            || self.picker.is_some()
            || self.preview.is_some()
            || self.failure
            || self.editor.is_some()
            || self.card.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if self.picker.is_some() {
            return self.picker_key(key, act);
        }
        if self.preview.is_some() {
            return self.preview_key(key, act);
        }
        if self.failure {
            if act.keymap.dialog(key).is_some() {
                self.failure = false;
            }
            return Ok(Outcome::Handled);
        }
        if let Some(done) = IndividualForm::key_in(&mut self.send, key, act) {
            return done;
        }
        let asked = modal_in(&mut self.editor, |e| &mut e.form, key, act.keymap);
        if let Some(done) = modal_outcome(asked, || self.save_contact(act)) {
            return done;
        }
        self.card_key(key, act)
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some(send) = &mut self.send {
            send.form.paste(text);
        } else if let Some(ed) = &mut self.editor {
            ed.form.paste(text);
        }
    }

    fn edit_hints(&self) -> super::EditHints {
        if let Some(ed) = self.editor.as_ref().filter(|_| self.send.is_none()) {
            return ed.form.hints(self.lang);
        }
        if let Some(card) = self.card.as_ref().filter(|_| self.send.is_none()) {
            let t = |k: &str| tr(self.lang, k).to_string();
            let [write, edit, back, archive] = &self.card_keys;
            let mut free = Vec::new();
            if card.items.len() > 1 {
                free.push(("↑↓".to_string(), t("contacts.card_scroll")));
            }
            if card.more {
                free.push(("PageDown".to_string(), t("contacts.card_older")));
            }
            free.push((write.clone(), t("contacts.card_write")));
            free.push((edit.clone(), t("contacts.card_edit")));
            let archiving = if card.detail.participant.archived {
                "contacts.card_restore"
            } else {
                "contacts.card_archive"
            };
            free.push((archive.clone(), t(archiving)));
            free.push((back.clone(), t("contacts.card_back")));
            return (Vec::new(), free);
        }
        match &self.send {
            Some(send) => send.form.hints(self.lang),
            None if self.failure => (vec![Action::Dialog(DialogAction::Close)], Vec::new()),
            None if self.picker.is_some() || self.preview.is_some() => {
                let (moves, confirm, close) = if self.preview.is_some() {
                    (
                        "contacts.scroll_key",
                        "contacts.import_confirm_key",
                        "contacts.import_leave_key",
                    )
                } else {
                    (
                        "contacts.move_key",
                        "contacts.pick_confirm_key",
                        "contacts.close_key",
                    )
                };
                (
                    Vec::new(),
                    vec![
                        ("↑↓".into(), tr(self.lang, moves).to_string()),
                        ("Enter".into(), tr(self.lang, confirm).to_string()),
                        ("Esc".into(), tr(self.lang, close).to_string()),
                    ],
                )
            }
            None => (Vec::new(), Vec::new()),
        }
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        let send = self.send.as_ref().map(|s| &s.form);
        lost_in([send, self.editor.as_ref().map(|e| &e.form)], lang)
    }

    fn confirmed(&mut self, _done: &crate::tui::pending::Done) {
        // Only the send question can be answered while the send form is open.
        self.send = None;
    }

    fn notice(&self) -> Option<String> {
        self.send
            .as_ref()
            .and_then(|s| s.form.message.clone())
            .or_else(|| self.editor.as_ref().and_then(|e| e.form.message.clone()))
    }

    fn after_change(&mut self, ctx: &Ctx) -> Result<()> {
        if std::mem::take(&mut self.clear_after_change) {
            self.picked.clear();
        }
        if let Some(card) = &mut self.card {
            card.reload(ctx.conn)?;
        }
        self.recheck_shown(ctx.conn)?;
        self.pager.refresh(ctx.conn).map(|_| ())
    }

    fn action(&mut self, action: ListAction, ctx: &Ctx) -> Result<Outcome> {
        if let Some(done) = move_pager(&mut self.pager, action, ctx.conn, self.height)? {
            return Ok(done);
        }
        // A confirmation that was closed without answering leaves no selection to forget.
        self.clear_after_change = false;
        Ok(match action {
            ListAction::Filter => Outcome::EditFilter,
            ListAction::Select => {
                toggle_pick(&mut self.pager, &mut self.picked, ctx.conn)?;
                Outcome::Handled
            }
            ListAction::SelectAll => {
                toggle_pick_all(&self.pager.source, &mut self.picked, ctx.conn)?;
                Outcome::Handled
            }
            ListAction::PickList => self.open_picker(Purpose::Show, ctx)?,
            ListAction::SaveList => self.ask_save(ctx),
            ListAction::AddToList => {
                if self.targets().is_empty() {
                    Outcome::Error(ctx.tr("contacts.nothing_selected").to_string())
                } else {
                    self.open_picker(Purpose::AddTo, ctx)?
                }
            }
            ListAction::RemoveFromList => self.ask_remove(ctx),
            ListAction::RenameList => self.rename_or_delete(Purpose::Rename, ctx)?,
            ListAction::DeleteList => self.rename_or_delete(Purpose::Delete, ctx)?,
            ListAction::Import if self.import.busy() => {
                Outcome::Error(ctx.tr("contacts.import_busy").to_string())
            }
            ListAction::Import => {
                self.import = ImportJob::default();
                Outcome::Confirm(contacts_import::ask(ctx.lang(), ctx.theme))
            }
            // Opt-out: the number goes on the STOP list (asked first; never undone here).
            ListAction::Toggle => match self.pager.selected() {
                Some(p) if p.opted_out => {
                    Outcome::Error(ctx.tr("contacts.already_out").to_string())
                }
                Some(p) => match p.mobile.clone() {
                    Some(mobile) => {
                        let lang = ctx.lang();
                        let name = clean(&format!("{} {}", p.first_name, p.last_name));
                        Outcome::Confirm(
                            Confirm::new(
                                ctx.tr("contacts.optout_title").to_string(),
                                vec![Line::from(trf(
                                    lang,
                                    "contacts.optout_question",
                                    &[("name", &name), ("phone", &phone(&mobile, ctx.region))],
                                ))],
                                Pending::OptOut { mobile },
                            )
                            .destructive(Answers::yes_no(lang)),
                        )
                    }
                    None => Outcome::Error(ctx.tr("contacts.no_mobile").to_string()),
                },
                None => Outcome::Handled,
            },
            ListAction::Delete => self.ask_archive(ctx),
            ListAction::Export => Outcome::NotYet,
            _ => Outcome::Ignored,
        })
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = ctx.lang();
        self.height = layout_paged(area, &mut self.pager);
        if let Some(card) = &mut self.card {
            card.layout(area);
        }
        if let Some(ed) = &mut self.editor {
            ed.form.layout(area, ctx.theme);
        }
        if let Some(send) = &mut self.send {
            send.form.layout(area, ctx.theme);
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.draw_list(frame, area, ctx);
        if let Some(card) = &self.card {
            card.draw(frame, area, ctx);
        }
        if let Some(ed) = &self.editor {
            ed.form.draw(frame, area, ctx.theme, ctx.lang());
        }
        if let Some(send) = &self.send {
            send.form.draw(frame, area, ctx.theme, ctx.lang());
        }
        self.draw_picker(frame, area, ctx);
        if let Some(view) = &self.preview {
            view.draw(frame, area, ctx.theme, ctx.lang(), &self.keys_line(ctx));
        }
        if let Some(e) = self.import.failure().filter(|_| self.failure) {
            crate::tui::widgets::form::draw_question(
                frame,
                area,
                ctx.theme,
                ctx.tr("contacts.import_failed_title"),
                &[
                    clean(&e.describe(ctx.lang())),
                    String::new(),
                    ctx.tr("contacts.import_failed_nothing").to_string(),
                    format!(
                        "{} {}",
                        key_names("Enter / Esc", ctx.lang()),
                        ctx.tr("contacts.close_key")
                    ),
                ],
            );
        }
    }

    fn hint_label(&self, action: ListAction) -> Option<&'static str> {
        match action {
            ListAction::New => Some("hint.contacts_new"),
            ListAction::Toggle => Some("hint.contacts_optout"),
            ListAction::Open => Some("hint.contacts_card"),
            ListAction::Edit => Some("hint.contacts_edit"),
            ListAction::Delete => Some("hint.contacts_archive"),
            _ => None,
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        &[
            ListAction::Open,
            ListAction::New,
            ListAction::NewContact,
            ListAction::Edit,
            ListAction::Select,
            ListAction::PickList,
            ListAction::SaveList,
            ListAction::Import,
            ListAction::AddToList,
            ListAction::RemoveFromList,
            ListAction::Filter,
            ListAction::Toggle,
            ListAction::RenameList,
            ListAction::DeleteList,
            ListAction::Delete,
            ListAction::SelectAll,
            ListAction::PageDown,
        ]
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.pager.source.search)
    }

    fn count_filtered(&mut self, act: &mut Act) {
        let search = &self.pager.source.search;
        self.counted = if search.is_empty() || self.shown.is_some() {
            None
        } else {
            participants::search_count(act.store.db(), search).ok()
        };
    }

    /// A new search keeps the selection (it is how one picks people by name, one search
    /// after another).
    fn set_filter(&mut self, text: &str, ctx: &Ctx) -> std::result::Result<(), Problem> {
        self.pager.source.search = text.trim().to_string();
        self.pager.reset();
        Ok(self.pager.first(ctx.conn)?)
    }

    fn loaded_rows(&self) -> usize {
        self.pager.rows().len()
    }

    fn new_above(&self) -> usize {
        self.pager.new_above()
    }
}

impl ContactsTab {
    fn draw_list(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let cols = [
            Col::fill(ctx.tr("col.name"), 18, 0),
            Col::new(ctx.tr("col.mobile"), 17, 1),
            Col::new(ctx.tr("col.consent"), 8, 2),
            Col::new(ctx.tr("col.opted_out"), 6, 2).folding(),
            Col::new(ctx.tr("col.kind"), 11, 4).folding(),
            Col::new(ctx.tr("col.programme"), 14, 3),
        ];
        let mut left = vec![title(ctx, "tab.contacts")];
        if let Some((_, name, members)) = &self.shown {
            left.push(Span::styled(
                format!(
                    " · {}",
                    trf(
                        ctx.lang(),
                        "contacts.shown_list",
                        &[
                            ("name", &truncate(&clean(name), 24)),
                            ("n", &thousands(*members)),
                        ],
                    )
                ),
                ctx.theme.title(),
            ));
        }
        push_list_notes(
            &mut left,
            ctx,
            &self.pager.source.search,
            self.picked.len(),
            self.import.note(ctx.lang()),
        );
        if let Some(n) = self
            .counted
            .filter(|_| !self.pager.source.search.is_empty())
        {
            left.push(Span::styled(
                format!(
                    "  {}",
                    trf(ctx.lang(), "ui.filter_count", &[("n", &thousands(n))])
                ),
                ctx.theme.dim(),
            ));
        }
        let picked = &self.picked;
        let unfiltered = self.pager.source.search.is_empty() && self.shown.is_none();
        let empty = unfiltered.then(|| {
            ctx.with_keys(
                "start.empty_contacts",
                &[("import", ListAction::Import.into())],
            )
        });
        let look = Look::new(left, empty, &cols);
        draw_paged(frame, area, ctx, &self.pager, look, |_, p, _| {
            let name = format!(
                "{} {} {}",
                p.civility,
                p.last_name.to_uppercase(),
                p.first_name
            );
            let consent = if p.sms_consent {
                ctx.theme.ok()
            } else {
                ctx.theme.warn()
            };
            vec![
                // A selected row starts with a tick (seen without colours too).
                if picked.contains(&p.id) {
                    styled(format!("✓ {}", clean(name.trim())), ctx.theme.ok())
                } else {
                    cell(clean(name.trim()))
                },
                cell(
                    p.mobile
                        .as_deref()
                        .map(|m| phone(m, ctx.region))
                        .unwrap_or_else(|| "—".into()),
                ),
                styled(ctx.fmt.yes_no(p.sms_consent), consent),
                styled(if p.opted_out { "STOP" } else { "" }, ctx.theme.error()),
                cell(p.kind.describe(ctx.lang())),
                cell(clean(&p.programme)),
            ]
        });
    }
}
