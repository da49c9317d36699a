//! The dashboard: credit, queue, consumption, delivery and the scheduler at a glance.

use super::{Act, Ctx, Outcome, TabView};
use crate::core::admin::{add_priced_credit, read_pack_price};
use crate::core::send::{UnknownDecision, settle_unknown};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::ListAction;
use crate::money::Money;
use crate::sms::status::MessageStatus;
use crate::store::Db;
use crate::store::Result;
use crate::store::credit::{self, CreditSummary, Pack};
use crate::store::lease::{self, Lease};
use crate::store::settings;
use crate::store::stats::{self, QueueFigures};
use crate::tui::fmt::{clean, thousands, truncate};
use crate::tui::widgets::form::{EditHints, Form, FormField, form_hints, lost_in, modal_in};
use chrono::NaiveDate;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Clear, Paragraph, Wrap};

/// Days shown by the consumption chart and used for the run-out estimate.
const DAYS: i64 = 30;

#[derive(Clone, Debug, PartialEq)]
struct Data {
    summary: CreditSummary,
    /// Credit promised to messages being sent or left "unknown — check": not spent yet, but
    /// not available to the next messages either.
    reserved: i64,
    packs: Vec<Pack>,
    daily: Vec<(NaiveDate, i64)>,
    queue: QueueFigures,
    by_status: Vec<(MessageStatus, i64)>,
    lease: Option<Lease>,
    runs_out: Option<NaiveDate>,
    /// The provider's kind (`simulator`, `kannel`…).
    provider: String,
    /// What the scheduler last heard from the provider (`ok` or the error) and when.
    provider_health: Option<(String, i64)>,
    /// The balance the provider itself reports (`{"units","money","currency"}` JSON), if any.
    provider_balance: Option<String>,
    /// Why the Kannel callback listener could not start, and when (none while it runs).
    listener_error: Option<(String, i64)>,
    /// The listener's configured address (`provider.callback_listen`).
    callback_listen: String,
    /// What the store holds yet: first steps are shown until a message exists.
    started: stats::Started,
    /// The money worth of the balance, of the 30 days' consumption and of what is queued,
    /// when the packs' prices say (see [`crate::money`]).
    money: MoneyFigures,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct MoneyFigures {
    balance: Option<Money>,
    consumed: Option<Money>,
    queued: Option<Money>,
}

#[derive(Default)]
pub struct DashboardTab {
    data: Option<Data>,
    /// The pack form or the "unknown — check" form.
    editor: Option<(Editing, Form)>,
    admin: bool,
    /// Messages left "unknown — check", oldest first (a handful at most).
    unknown: Vec<UnknownRow>,
    /// The one the "unknown — check" form shows.
    unknown_detail: Option<UnknownDetail>,
    lang: Option<Lang>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Editing {
    Pack,
    Unknown,
}

/// A message left "unknown — check" by a crash: id, recipient name (empty for a free send),
/// phone as stored, planned at.
type UnknownRow = (i64, String, String, i64);

/// The "unknown — check" messages labelled by whom they were for, for the form's choice.
/// Formatted when the form opens, not on every refresh: the phone rules' tables load on
/// first use (~60 ms), which must not delay the first frame.
fn unknown_labels(
    rows: &[UnknownRow],
    fmt: &crate::tui::fmt::Fmt,
    region: &str,
) -> Vec<(String, String)> {
    rows.iter()
        .map(|(id, name, phone, planned)| {
            let who = crate::tui::fmt::phone(phone, region);
            let who = if name.is_empty() {
                who
            } else {
                format!("{} · {who}", clean(name))
            };
            (
                id.to_string(),
                format!("#{id} {who} · {}", fmt.time(*planned)),
            )
        })
        .collect()
}

/// The message the "unknown — check" form is about, to decide knowing what it said.
struct UnknownDetail {
    row: crate::store::messages::MessageRow,
    history: Vec<crate::store::messages::HistoryEntry>,
}

impl UnknownDetail {
    fn load(conn: Db<'_>, id: i64) -> Result<UnknownDetail> {
        Ok(UnknownDetail {
            row: crate::store::messages::get(conn, id)?,
            history: crate::store::messages::history(conn, id)?,
        })
    }

    /// Recipient, text, then the status changes: what the decision rests on.
    fn lines(&self, ctx: &Ctx) -> Vec<Line<'static>> {
        let m = &self.row;
        let label = |key: &str| Span::styled(ctx.label(key), ctx.theme.title());
        let name = if m.recipient_name.is_empty() {
            "—".to_string()
        } else {
            clean(&m.recipient_name)
        };
        let mut lines = vec![
            Line::from(vec![
                label("col.recipient"),
                Span::raw(format!(
                    "{name} · {}",
                    crate::tui::fmt::phone(&m.phone, ctx.region)
                )),
            ]),
            Line::from(label("col.text")),
        ];
        for l in crate::text::sanitize_multiline(&m.text).lines() {
            lines.push(Line::from(format!("  {l}")));
        }
        lines.push(Line::from(label("detail.history")));
        lines.extend(super::messages::history_lines(&self.history, ctx));
        lines
    }
}

impl DashboardTab {
    fn draw_body(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let Some(data) = &self.data else {
            return;
        };
        // Two more rows for the listener's error, only while there is one.
        let extra = if data.listener_error.is_some() { 2 } else { 0 };
        // One more for the balance in money when it does not fit beside the big number.
        let extra = extra + u16::from(money_below(data, ctx.lang()));
        let [top, middle, bottom] = Layout::vertical([
            Constraint::Length(8 + extra),
            Constraint::Min(4),
            Constraint::Length(7),
        ])
        .areas(area);
        let [credit_area, queue_area] = Layout::horizontal([
            Constraint::Length(CREDIT_INNER as u16 + 2),
            Constraint::Fill(1),
        ])
        .areas(top);
        let [packs_area, week_area] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom);
        draw_credit(frame, credit_area, ctx, data);
        draw_queue(frame, queue_area, ctx, data);
        if !data.started.messages {
            // Nothing sent ever: the empty chart and packs give way to what to do first.
            let rest = Rect {
                height: middle.height + bottom.height,
                ..middle
            };
            draw_first_steps(frame, rest, ctx, data, self.admin);
            return;
        }
        draw_chart(frame, middle, ctx, data);
        draw_packs(frame, packs_area, ctx, data);
        draw_week(frame, week_area, ctx, data);
    }

    fn open_pack(&mut self, act: &mut Act) -> Outcome {
        if let Err(e) = act.actor.require_admin(crate::core::Action::AddCreditPacks) {
            return Outcome::failed(&e, act.lang());
        }
        let lang = act.lang();
        let today = act.fmt.date(act.fmt.local_date(act.now));
        let currency = match credit::default_currency(act.store.db()) {
            Ok(c) => c,
            Err(e) => return Outcome::failed(&e, lang),
        };
        let form = Form::new(
            tr(lang, "admin.pack_title"),
            vec![
                FormField::text("units", tr(lang, "admin.pack_units"), ""),
                FormField::text("label", tr(lang, "admin.pack_label"), ""),
                FormField::text("date", tr(lang, "admin.pack_date"), &today)
                    .with_help(tr(lang, "admin.pack_date_help")),
                FormField::text("price", tr(lang, "admin.pack_price"), "")
                    .with_help(tr(lang, "admin.pack_price_help")),
                FormField::text("price_total", tr(lang, "admin.pack_price_total"), "")
                    .with_help(tr(lang, "admin.pack_price_total_help")),
                FormField::text("currency", tr(lang, "admin.pack_currency"), &currency),
            ],
        );
        self.editor = Some((Editing::Pack, form));
        Outcome::Handled
    }

    fn open_unknown(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        let Some(&(first_id, ..)) = self.unknown.first() else {
            return Ok(Outcome::Info(tr(lang, "admin.unknown_none").to_string()));
        };
        self.unknown_detail = Some(UnknownDetail::load(act.store.db(), first_id)?);
        let first = first_id.to_string();
        let form = Form::new(
            tr(lang, "admin.unknown_title"),
            vec![
                FormField::choice(
                    "message",
                    tr(lang, "admin.unknown_message"),
                    &first,
                    unknown_labels(&self.unknown, &act.fmt, act.region),
                    false,
                ),
                FormField::choice(
                    "decision",
                    tr(lang, "admin.unknown_decision"),
                    decision_code(UnknownDecision::Resend),
                    DECISIONS
                        .iter()
                        .map(|d| {
                            let code = decision_code(*d);
                            (
                                code.to_string(),
                                tr(lang, &format!("admin.unknown_{code}")).to_string(),
                            )
                        })
                        .collect(),
                    false,
                ),
            ],
        );
        self.editor = Some((Editing::Unknown, form));
        Ok(Outcome::Handled)
    }

    /// The detail follows the message chosen in the form.
    fn follow_unknown(&mut self, act: &mut Act) -> Result<()> {
        let Some((Editing::Unknown, form)) = &self.editor else {
            return Ok(());
        };
        let Ok(id) = form.value("message").parse::<i64>() else {
            return Ok(());
        };
        if self.unknown_detail.as_ref().is_none_or(|d| d.row.id != id) {
            self.unknown_detail = Some(UnknownDetail::load(act.store.db(), id)?);
        }
        Ok(())
    }

    fn save(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        let Some((kind, form)) = &mut self.editor else {
            return Ok(Outcome::Handled);
        };
        let result = match kind {
            Editing::Pack => {
                let units = crate::text::parse_whole_number(form.value("units")).filter(|n| *n > 0);
                let today = act.fmt.local_date(act.now);
                let date = crate::tui::dates::parse_day_in_year(form.value("date"), today);
                match (units, date) {
                    (Some(units), Some(date)) => read_pack_price(
                        units,
                        form.value("price"),
                        form.value("price_total"),
                        form.value("currency"),
                    )
                    .and_then(|(unit_price_micros, currency)| {
                        let pack = credit::NewPack {
                            units,
                            label: form.value("label").trim().to_string(),
                            bought_on: date,
                            unit_price_micros,
                            currency,
                        };
                        add_priced_credit(act.store, act.actor, &pack, act.now)
                    })
                    .map(|_| trf(lang, "admin.pack_added", &[("units", &thousands(units))])),
                    (None, _) => Err(crate::core::Refusal::PackUnitsBad.into()),
                    (_, None) => Err(crate::core::Refusal::PackDateBad.into()),
                }
            }
            Editing::Unknown => {
                let id = form.value("message").parse::<i64>().unwrap_or_default();
                let decision = DECISIONS
                    .into_iter()
                    .find(|d| decision_code(*d) == form.value("decision"))
                    .unwrap_or(UnknownDecision::Resend);
                settle_unknown(act.store, act.actor, id, decision, act.now)
                    .map(|()| trf(lang, "admin.unknown_done", &[("id", &id.to_string())]))
            }
        };
        match result {
            Ok(message) => {
                self.editor = None;
                self.refresh(&act.ctx())?;
                Ok(Outcome::Info(message))
            }
            Err(e) => {
                form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                Ok(Outcome::Handled)
            }
        }
    }
}

impl TabView for DashboardTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        let conn = ctx.conn;
        self.admin = ctx.actor.rights.admin;
        self.unknown = stats::unknown_messages(conn)?;
        let summary = credit::summary(conn)?;
        let daily = credit::daily_consumption(conn, ctx.now, DAYS, ctx.fmt.utc_offset(ctx.now))?;
        let consumed: i64 = daily.iter().map(|(_, n)| n).sum();
        let today = ctx.fmt.local_date(ctx.now);
        let provider = settings::get(conn, "provider")?;
        let queue = stats::queue(conn, ctx.now)?;
        let pricing = credit::pricing(conn)?;
        let money = MoneyFigures {
            balance: pricing.balance(),
            consumed: credit::consumption_value(
                conn,
                &pricing,
                ctx.now,
                DAYS,
                ctx.fmt.utc_offset(ctx.now),
            )?,
            queued: pricing.next(queue.pending_segments),
        };
        let data = Data {
            money,
            runs_out: stats::runs_out_on(summary.balance, consumed, DAYS, today),
            summary,
            reserved: crate::store::dispatch::reserved_segments(conn)?,
            packs: credit::packs(conn)?,
            daily,
            queue,
            by_status: stats::by_status_since(conn, ctx.now, 7)?,
            lease: lease::current(conn)?,
            provider: provider_kind(&provider),
            callback_listen: provider_field(&provider, "callback_listen"),
            // Left over from an earlier Kannel configuration: not shown for another provider.
            listener_error: stats::runtime(conn, "listener.error")?
                .filter(|(v, _)| !v.is_empty() && provider_kind(&provider) == "kannel"),
            provider_health: stats::runtime(conn, "provider.health")?,
            provider_balance: stats::runtime(conn, "provider.balance")?.map(|(v, _)| v),
            started: stats::started(conn)?,
        };
        let changed = self.data.as_ref() != Some(&data);
        self.data = Some(data);
        Ok(changed)
    }

    fn action(&mut self, _action: ListAction, _ctx: &Ctx) -> Result<Outcome> {
        Ok(Outcome::Ignored)
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        Ok(match action {
            ListAction::New => self.open_pack(act),
            ListAction::Open | ListAction::Edit => self.open_unknown(act)?,
            _ => Outcome::Ignored,
        })
    }

    fn editing(&self) -> bool {
        self.editor.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        match modal_in(&mut self.editor, |(_, f)| f, key, act.keymap) {
            Some(true) => self.save(act),
            Some(false) => {
                // The unknown number's detail follows what is typed (nothing once closed).
                self.follow_unknown(act)?;
                Ok(Outcome::Handled)
            }
            None => Ok(Outcome::Ignored),
        }
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some((_, form)) = &mut self.editor {
            form.paste(text);
        }
    }

    fn edit_hints(&self) -> EditHints {
        form_hints(
            self.editor.as_ref().map(|(_, f)| f),
            self.lang.unwrap_or(Lang::En),
        )
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        lost_in([self.editor.as_ref().map(|(_, f)| f)], lang)
    }

    /// Panels, not a list: nothing to move through.
    fn moves(&self) -> bool {
        false
    }

    fn hint_label(&self, action: ListAction) -> Option<&'static str> {
        match action {
            ListAction::New => Some("hint.dashboard_pack"),
            ListAction::Open | ListAction::Edit => Some("hint.dashboard_unknown"),
            _ => None,
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        match (self.admin, self.unknown.is_empty()) {
            (true, true) => &[ListAction::New],
            (true, false) => &[ListAction::New, ListAction::Open],
            (false, true) => &[],
            (false, false) => &[ListAction::Open],
        }
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = Some(ctx.lang());
        if let Some((kind, form)) = &mut self.editor {
            form.layout(editor_rect(area, *kind).0, ctx.theme);
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.draw_body(frame, area, ctx);
        if let Some((kind, form)) = &self.editor {
            let (form_area, detail_area) = editor_rect(area, *kind);
            form.draw(frame, form_area, ctx.theme, ctx.lang());
            if let (Some(detail), Some(rect)) = (&self.unknown_detail, detail_area) {
                frame.render_widget(Clear, rect);
                let block = boxed(ctx, "admin.unknown_about");
                frame.render_widget(
                    Paragraph::new(detail.lines(ctx))
                        .block(block)
                        .wrap(Wrap { trim: false }),
                    rect,
                );
            }
        }
    }
}

/// The credit pack form, centred in the tab; the unknown-message form at the top, the
/// message it is about under it.
fn editor_rect(area: Rect, kind: Editing) -> (Rect, Option<Rect>) {
    let height = area.height.min(if kind == Editing::Pack { 12 } else { 9 });
    // Two choices, their help and the form's message: 6 rows with the border.
    let short = area.height.min(6);
    if kind == Editing::Pack || area.height < short + 4 {
        let form = Rect {
            y: area.y + (area.height - height) / 2,
            height,
            ..area
        };
        return (form, None);
    }
    let form = Rect {
        height: short,
        ..area
    };
    let detail = Rect {
        y: area.y + short,
        height: area.height - short,
        ..area
    };
    (form, Some(detail))
}

/// The first steps on a new store, each ticked once done, naming the tab and key that do it
/// (the administrator's steps only for an administrator).
fn draw_first_steps(frame: &mut Frame, area: Rect, ctx: &Ctx, d: &Data, admin: bool) {
    use crate::keymap::GlobalAction as G;
    use ListAction as L;
    let s = d.started;
    let mut steps = vec![(
        s.contacts,
        ctx.with_keys(
            "start.contacts",
            &[("tab", G::TabContacts.into()), ("key", L::Import.into())],
        ),
    )];
    if admin {
        steps.extend([
            (
                s.templates,
                ctx.with_keys(
                    "start.templates",
                    &[("tab", G::TabTemplates.into()), ("key", L::New.into())],
                ),
            ),
            (
                d.provider != "simulator",
                ctx.with_keys(
                    "start.provider",
                    &[("tab", G::TabSettings.into()), ("key", L::Edit.into())],
                ),
            ),
            (
                s.credit,
                ctx.with_keys("start.credit", &[("key", L::New.into())]),
            ),
        ]);
    }
    steps.push((
        s.messages,
        ctx.with_keys(
            "start.send",
            &[
                ("tab", G::TabContacts.into()),
                ("key", L::New.into()),
                ("batch", G::TabBatch.into()),
            ],
        ),
    ));
    let mut lines = vec![Line::from(ctx.tr("start.intro").to_string())];
    for (done, text) in steps {
        let (mark, style) = if done {
            ("✓ ", ctx.theme.ok())
        } else {
            ("• ", ctx.theme.base())
        };
        lines.push(Line::from(vec![
            Span::styled(mark, style),
            Span::styled(text, style),
        ]));
    }
    let p = Paragraph::new(lines)
        .block(boxed(ctx, "start.title"))
        .wrap(Wrap { trim: true });
    frame.render_widget(p, area);
}

fn boxed(ctx: &Ctx, key: &str) -> Block<'static> {
    Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", ctx.tr(key)),
        ctx.theme.title(),
    ))
}

/// Seven-segment digits, three rows high, readable in any terminal and in monochrome.
fn big_number(n: i64) -> [String; 3] {
    const GLYPHS: [[&str; 3]; 10] = [
        [" _ ", "| |", "|_|"],
        ["   ", "  |", "  |"],
        [" _ ", " _|", "|_ "],
        [" _ ", " _|", " _|"],
        ["   ", "|_|", "  |"],
        [" _ ", "|_ ", " _|"],
        [" _ ", "|_ ", "|_|"],
        [" _ ", "  |", "  |"],
        [" _ ", "|_|", "|_|"],
        [" _ ", "|_|", " _|"],
    ];
    let mut rows = [String::new(), String::new(), String::new()];
    for c in thousands(n).chars() {
        let glyph = match c {
            '-' => ["   ", " _ ", "   "],
            ' ' => [" ", " ", " "],
            d => d
                .to_digit(10)
                .map_or(["?", "?", "?"], |d| GLYPHS[d as usize]),
        };
        for (row, part) in rows.iter_mut().zip(glyph) {
            row.push_str(part);
        }
    }
    rows
}

fn draw_credit(frame: &mut Frame, area: Rect, ctx: &Ctx, d: &Data) {
    let block = boxed(ctx, "dash.balance");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let balance = d.summary.balance;
    let style = if balance <= 0 {
        ctx.theme.error()
    } else if balance < ctx.low_credit {
        ctx.theme.warn()
    } else {
        ctx.theme.big()
    };
    let big = big_number(balance);
    let mut lines: Vec<Line> = Vec::new();
    let big_width = big[0].chars().count() + 4;
    let money = d.money.balance.as_ref().map(|m| m.show(ctx.lang()));
    if usize::from(inner.width) >= big_width && inner.height >= 5 {
        let below = money_below(d, ctx.lang());
        for (i, row) in big.into_iter().enumerate() {
            let mut spans = vec![Span::styled(row, style)];
            if i == 2 {
                spans.push(Span::styled(" SMS", ctx.theme.title()));
                if let (Some(m), false) = (&money, below) {
                    spans.push(Span::styled(format!(" · {m}"), ctx.theme.title()));
                }
            }
            lines.push(Line::from(spans));
        }
        if let (Some(m), true) = (money, below) {
            lines.push(Line::from(Span::styled(m, ctx.theme.title())));
        }
    } else {
        let money = money.map(|m| format!(" · {m}")).unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!("{} SMS{money}", thousands(balance)),
            style,
        )));
    }
    if let Some(text) = d
        .provider_balance
        .as_deref()
        .and_then(|json| provider_balance_text(json, ctx.lang()))
    {
        lines.push(Line::from(Span::styled(
            format!("{} {text}", ctx.tr("dash.at_provider")),
            ctx.theme.dim(),
        )));
    }
    if d.reserved > 0 {
        lines.push(Line::from(Span::styled(
            crate::i18n::trf(
                ctx.lang(),
                "dash.reserved",
                &[("n", &thousands(d.reserved))],
            ),
            ctx.theme.dim(),
        )));
    }
    if balance < ctx.low_credit {
        lines.push(Line::from(Span::styled(
            ctx.tr("dash.low_credit").to_string(),
            ctx.theme.warn(),
        )));
    }
    let runs_out = match d.runs_out {
        Some(day) => ctx.fmt.date(day),
        None => "—".to_string(),
    };
    lines.push(Line::from(vec![
        Span::raw(format!("{} ", ctx.tr("dash.runs_out"))),
        Span::styled(runs_out, ctx.theme.title()),
    ]));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_queue(frame: &mut Frame, area: Rect, ctx: &Ctx, d: &Data) {
    let block = boxed(ctx, "dash.queue");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let q = &d.queue;
    let mut lines = vec![Line::from(format!(
        "{} {} · {} SMS{}",
        thousands(q.pending),
        ctx.tr("dash.messages_queued"),
        thousands(q.pending_segments),
        with_money(
            ctx,
            d.money.queued.as_ref().filter(|_| q.pending_segments > 0)
        )
    ))];
    // What the queue can use: the balance less what messages on their way already hold.
    let available = d.summary.balance - d.reserved;
    if q.pending_segments > available {
        lines.push(Line::from(Span::styled(
            format!(
                "⚠ {} ({} > {})",
                ctx.tr("dash.insufficient"),
                thousands(q.pending_segments),
                thousands(available)
            ),
            ctx.theme.error(),
        )));
    } else {
        lines.push(Line::from(Span::styled(
            ctx.tr("dash.sufficient").to_string(),
            ctx.theme.ok(),
        )));
    }
    lines.push(Line::from(format!(
        "{}{} · {}{}",
        ctx.label("dash.waiting_window"),
        q.waiting_window,
        ctx.label("dash.waiting_credit"),
        q.waiting_credit
    )));
    let unknown_style = if q.unknown > 0 {
        ctx.theme.warn()
    } else {
        ctx.theme.base()
    };
    lines.push(Line::from(Span::styled(
        format!(
            "{}{}",
            crate::i18n::label(ctx.lang(), &MessageStatus::Unknown.describe(ctx.lang())),
            q.unknown
        ),
        unknown_style,
    )));
    lines.push(scheduler_line(ctx, d.lease.as_ref()));
    lines.push(provider_line(ctx, d));
    let Some((error, at)) = &d.listener_error else {
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    };
    let [main, below] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), main);
    // The reason is the end of the message (the OS's words), after the address it names.
    let reason = error.rsplit_once(": ").map_or(error.as_str(), |(_, r)| r);
    let line = Line::from(vec![
        Span::styled(
            format!(
                "✖ {} {}{}",
                ctx.tr("dash.listener"),
                crate::i18n::label(ctx.lang(), &clean(&d.callback_listen)),
                clean(reason)
            ),
            ctx.theme.error(),
        ),
        Span::styled(format!(" ({})", ctx.fmt.time(*at)), ctx.theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), below);
}

/// What an operator may decide for a message "unknown — check", in the form's order.
const DECISIONS: [UnknownDecision; 3] = [
    UnknownDecision::Resend,
    UnknownDecision::Delivered,
    UnknownDecision::Failed,
];

/// A decision's code in the form (its label is `admin.unknown_<code>`).
fn decision_code(d: UnknownDecision) -> &'static str {
    match d {
        UnknownDecision::Resend => "resend",
        UnknownDecision::Delivered => "delivered",
        UnknownDecision::Failed => "failed",
    }
}

/// The provider kind from its stored JSON configuration (never its credentials).
fn provider_kind(config: &str) -> String {
    provider_field(config, "kind")
}

/// One plain field of the provider's stored JSON configuration.
fn provider_field(config: &str, field: &str) -> String {
    serde_json::from_str::<serde_json::Value>(config)
        .ok()
        .and_then(|v| v.get(field)?.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The provider and how the last exchange with it went.
fn provider_line(ctx: &Ctx, d: &Data) -> Line<'static> {
    let mut spans = vec![Span::raw(format!(
        "{}{} · ",
        ctx.label("dash.provider"),
        ctx.fmt.provider(&d.provider)
    ))];
    match &d.provider_health {
        Some((health, at)) if health == "ok" => {
            spans.push(Span::styled(ctx.tr("word.ok").to_string(), ctx.theme.ok()));
            spans.push(Span::styled(
                format!(" ({})", ctx.fmt.time(*at)),
                ctx.theme.dim(),
            ));
        }
        Some((error, at)) => {
            // The problem's JSON; a text written by an older build is shown as it is.
            let said = serde_json::from_str::<crate::gateway::ProviderProblem>(error)
                .map_or_else(|_| error.clone(), |p| p.describe(ctx.lang()));
            spans.push(Span::styled(
                format!("✖ {}", clean(&said)),
                ctx.theme.error(),
            ));
            spans.push(Span::styled(
                format!(" ({})", ctx.fmt.time(*at)),
                ctx.theme.dim(),
            ));
        }
        None => spans.push(Span::styled(
            ctx.tr("dash.not_contacted").to_string(),
            ctx.theme.dim(),
        )),
    }
    Line::from(spans)
}

/// The lease holder and its last heartbeat; "no scheduler" when nobody holds a live lease.
fn scheduler_line(ctx: &Ctx, lease: Option<&Lease>) -> Line<'static> {
    let label = Span::raw(ctx.label("dash.scheduler"));
    // This process's scheduler is held up (store locked by another process, failing pass).
    if let Some(t) = crate::scheduler::current_trouble() {
        let since = ctx.fmt.clock(t.since.timestamp());
        let text = if t.busy {
            format!("{} {since}", ctx.tr("dash.store_busy_since"))
        } else {
            format!(
                "{}{}",
                crate::i18n::label(
                    ctx.lang(),
                    &format!("{} {since}", ctx.tr("dash.held_up_since"))
                ),
                clean(&t.reason.describe(ctx.lang()))
            )
        };
        return Line::from(vec![label, Span::styled(text, ctx.theme.warn())]);
    }
    match lease {
        Some(l) if l.expires_at >= ctx.now => Line::from(vec![
            label,
            Span::raw(format!("{} ", ctx.fmt.clock(l.heartbeat_at.timestamp()))),
            Span::styled(clean(&l.holder), ctx.theme.ok()),
        ]),
        Some(l) => Line::from(vec![
            label,
            Span::styled(ctx.tr("dash.no_scheduler").to_string(), ctx.theme.warn()),
            Span::styled(
                format!(
                    " ({} {} {})",
                    ctx.tr("dash.heartbeat"),
                    ctx.fmt.time(l.heartbeat_at.timestamp()),
                    clean(&l.holder)
                ),
                ctx.theme.dim(),
            ),
        ]),
        None => Line::from(vec![
            label,
            Span::styled(ctx.tr("dash.no_scheduler").to_string(), ctx.theme.warn()),
        ]),
    }
}

fn draw_chart(frame: &mut Frame, area: Rect, ctx: &Ctx, d: &Data) {
    let total: i64 = d.daily.iter().map(|(_, n)| n).sum();
    let max = d.daily.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let title = format!(
        " {} — {} : {} SMS{}, max {}/{} ",
        ctx.tr("dash.consumption"),
        ctx.tr("dash.days_30"),
        thousands(total),
        with_money(ctx, d.money.consumed.as_ref().filter(|_| total > 0)),
        thousands(max),
        ctx.tr("dash.per_day")
    );
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        truncate(&title, usize::from(area.width.saturating_sub(2))),
        ctx.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let [bars_area, axis_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let n = d.daily.len().max(1) as u16;
    // Widest bars that fit, one column apart.
    let bar_width = ((inner.width + 1) / n).saturating_sub(1).max(1);
    let bars: Vec<Bar> = d
        .daily
        .iter()
        .map(|(_, units)| Bar::new((*units).max(0) as u64).text_value(String::new()))
        .collect();
    let chart = BarChart::new(bars)
        .bar_width(bar_width)
        .bar_gap(1)
        .bar_style(ctx.theme.bar())
        .max(max.max(1) as u64);
    frame.render_widget(chart, bars_area);
    if let (Some((first, _)), Some((last, _))) = (d.daily.first(), d.daily.last()) {
        let left = ctx.fmt.short_date(*first);
        let right = ctx.fmt.short_date(*last);
        let used = (n * (bar_width + 1)).saturating_sub(1).min(inner.width);
        let gap = usize::from(used).saturating_sub(left.len() + right.len());
        let axis = format!("{left}{}{right}", " ".repeat(gap));
        frame.render_widget(
            Paragraph::new(Span::styled(axis, ctx.theme.dim())),
            axis_area,
        );
    }
}

/// Packs, newest first, with what was used of each: consumption is charged to the oldest
/// pack first, as credit is spent in the order it was bought.
fn draw_packs(frame: &mut Frame, area: Rect, ctx: &Ctx, d: &Data) {
    let block = boxed(ctx, "dash.packs");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut left_to_charge = d.summary.consumed;
    let mut used = vec![0i64; d.packs.len()];
    for (i, p) in d.packs.iter().enumerate().rev() {
        let take = left_to_charge.clamp(0, p.units);
        used[i] = take;
        left_to_charge -= take;
    }
    let mut lines = vec![Line::from(format!(
        "{} {} · {} {}",
        ctx.tr("dash.bought"),
        thousands(d.summary.bought),
        ctx.tr("dash.consumed"),
        thousands(d.summary.consumed)
    ))];
    if d.packs.is_empty() {
        lines.push(Line::from(Span::styled(
            ctx.tr("dash.no_packs").to_string(),
            ctx.theme.dim(),
        )));
    }
    for (p, used) in d.packs.iter().zip(used) {
        let style = if used >= p.units {
            ctx.theme.dim()
        } else {
            ctx.theme.base()
        };
        let day = NaiveDate::parse_from_str(&p.bought_on, "%Y-%m-%d")
            .map(|day| ctx.fmt.date(day))
            .unwrap_or_else(|_| clean(&p.bought_on));
        let price = p.unit_price_micros.map_or_else(String::new, |micros| {
            format!(
                "{}/SMS ",
                Money::new(micros, &p.currency).show_unit(ctx.lang())
            )
        });
        lines.push(Line::from(vec![
            Span::styled(format!("{day} "), style),
            Span::styled(
                format!("{}/{} ", thousands(used), thousands(p.units)),
                style,
            ),
            Span::styled(price, style),
            Span::styled(clean(&p.label), ctx.theme.dim()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Columns inside the credit panel.
const CREDIT_INNER: usize = 28;

/// Whether the balance in money goes on a line of its own, below the big number (it does not
/// fit beside `SMS`); false when there is no money to show.
fn money_below(d: &Data, lang: Lang) -> bool {
    d.money.balance.as_ref().is_some_and(|m| {
        let beside = big_number(d.summary.balance)[0].chars().count()
            + " SMS · ".chars().count()
            + m.show(lang).chars().count();
        beside > CREDIT_INNER
    })
}

/// ` · 576,31 €` after a count of SMS when the packs' prices give its worth; nothing when
/// they do not (never "0 €" for an unknown price).
fn with_money(ctx: &Ctx, money: Option<&Money>) -> String {
    money.map_or_else(String::new, |m| format!(" · {}", m.show(ctx.lang())))
}

fn draw_week(frame: &mut Frame, area: Rect, ctx: &Ctx, d: &Data) {
    let block = boxed(ctx, "dash.last_7_days");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rate = match stats::delivery_rate(&d.by_status) {
        Some(r) => format!("{:.0} %", r * 100.0),
        None => "—".to_string(),
    };
    let mut lines = vec![Line::from(vec![
        Span::raw(ctx.label("dash.delivery_rate")),
        Span::styled(rate, ctx.theme.title()),
    ])];
    if d.by_status.is_empty() {
        lines.push(Line::from(Span::styled(
            ctx.tr("dash.nothing_sent").to_string(),
            ctx.theme.dim(),
        )));
    }
    // Two statuses per line when they fit.
    let half = usize::from(inner.width / 2);
    let cells: Vec<(String, Style)> = d
        .by_status
        .iter()
        .map(|(s, n)| {
            (
                format!("{} {}", thousands(*n), s.describe(ctx.lang())),
                ctx.theme.status(*s),
            )
        })
        .collect();
    for pair in cells.chunks(2) {
        let mut spans = Vec::new();
        for (i, (text, style)) in pair.iter().enumerate() {
            let text = truncate(text, half.saturating_sub(1));
            let pad = if i == 0 {
                half.saturating_sub(text.chars().count())
            } else {
                0
            };
            spans.push(Span::styled(text, *style));
            spans.push(Span::raw(" ".repeat(pad)));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `12,50 € · 4 120 SMS` from what the provider reported (money where it reports it), in the
/// provider's own currency, written as the interface language writes money.
fn provider_balance_text(json: &str, lang: Lang) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let mut parts = Vec::new();
    if let Some(m) = v["money"].as_f64() {
        let currency = v["currency"].as_str().unwrap_or("");
        match crate::money::parse_currency(currency) {
            Some(code) => parts.push(Money::new((m * 1e6).round() as i64, &code).show(lang)),
            None => parts.push(format!("{m:.2} {}", clean(currency))),
        }
    }
    if let Some(u) = v["units"].as_f64() {
        parts.push(format!("{} SMS", thousands(u as i64)));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

#[cfg(test)]
mod balance_tests {
    use super::provider_balance_text;
    use crate::i18n::Lang;

    #[test]
    fn the_providers_own_balance_shows_money_and_units() {
        let eur = r#"{"units":null,"money":12.5,"currency":"EUR"}"#;
        assert_eq!(
            provider_balance_text(eur, Lang::Fr).as_deref(),
            Some("12,50 €")
        );
        assert_eq!(
            provider_balance_text(eur, Lang::En).as_deref(),
            Some("€12.50")
        );
        // The provider's currency is kept, whatever the packs are priced in.
        let usd = r#"{"units":null,"money":3.2,"currency":"USD"}"#;
        assert_eq!(
            provider_balance_text(usd, Lang::Fr).as_deref(),
            Some("3,20 $")
        );
        assert!(
            provider_balance_text(r#"{"units":4120.0,"money":null,"currency":null}"#, Lang::Fr)
                .is_some_and(|t| t.ends_with("SMS"))
        );
        assert_eq!(
            provider_balance_text(r#"{"units":null,"money":null}"#, Lang::Fr),
            None
        );
    }
}
