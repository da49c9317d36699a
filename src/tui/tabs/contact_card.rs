//! The contact card (Enter in Contacts): identity, consent and opt-out, lists, events, and
//! every SMS out (with its status) and in (replies) as one timeline, newest first, read a page
//! at a time by keyset. `n` writes to them, `m` edits them, Esc goes back to the list.

use super::Ctx;
use crate::i18n::{Describe, trf};
use crate::store::Db;
use crate::store::Result;
use crate::store::card::{self, ContactDetail, EventRef, ListRef, TimelineItem, TimelineStatus};
use crate::tui::fmt::{clean, phone, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// How many SMS of the timeline are read at a time.
pub const CARD_PAGE: usize = 50;
/// How many of the latest events the card lists.
const EVENTS: usize = 3;

pub struct Card {
    pub detail: ContactDetail,
    lists: Vec<ListRef>,
    events: Vec<EventRef>,
    /// Events beyond those shown.
    more_events: bool,
    numbers: Vec<String>,
    pub items: Vec<TimelineItem>,
    /// Older SMS remain to be read.
    pub more: bool,
    /// The SMS under the cursor.
    pub index: usize,
    offset: usize,
    /// Rows of the timeline at the last draw.
    rows: usize,
}

impl Card {
    pub fn open(conn: Db<'_>, id: i64) -> Result<Card> {
        let mut c = Card {
            detail: card::detail(conn, id)?,
            lists: Vec::new(),
            events: Vec::new(),
            more_events: false,
            numbers: Vec::new(),
            items: Vec::new(),
            more: false,
            index: 0,
            offset: 0,
            rows: 10,
        };
        c.reload(conn)?;
        Ok(c)
    }

    /// Reads everything again from the first page (after a send, an edit).
    pub fn reload(&mut self, conn: Db<'_>) -> Result<()> {
        let id = self.detail.participant.id;
        self.detail = card::detail(conn, id)?;
        self.lists = card::lists_of(conn, id)?;
        self.events = card::events_of(conn, id, EVENTS + 1)?;
        self.more_events = self.events.len() > EVENTS;
        self.events.truncate(EVENTS);
        self.numbers = card::numbers_of(conn, id)?;
        self.items.clear();
        self.more = true;
        self.index = 0;
        self.offset = 0;
        self.load_more(conn)
    }

    /// The slow tick: while the cursor is on the newest SMS, reads the card again so that a
    /// status or a reply that arrives shows; returns whether anything changed. Scrolled
    /// down, the card stays as it is.
    pub fn refresh(&mut self, conn: Db<'_>) -> Result<bool> {
        if self.index != 0 || self.items.len() > CARD_PAGE {
            return Ok(false);
        }
        let before = (self.detail.clone(), self.items.clone());
        self.reload(conn)?;
        Ok(before != (self.detail.clone(), self.items.clone()))
    }

    /// Reads the next (older) page of the timeline.
    pub fn load_more(&mut self, conn: Db<'_>) -> Result<()> {
        if !self.more {
            return Ok(());
        }
        let before = self.items.last().map(TimelineItem::key);
        let mut page = card::timeline(
            conn,
            self.detail.participant.id,
            &self.numbers,
            before,
            CARD_PAGE + 1,
        )?;
        self.more = page.len() > CARD_PAGE;
        page.truncate(CARD_PAGE);
        self.items.extend(page);
        Ok(())
    }

    /// Moves the cursor by `delta` SMS, reading older ones when it goes past the last.
    pub fn scroll(&mut self, conn: Db<'_>, delta: isize) -> Result<()> {
        let wanted = self.index.saturating_add_signed(delta);
        if wanted >= self.items.len() && self.more {
            self.load_more(conn)?;
        }
        self.index = wanted.min(self.items.len().saturating_sub(1));
        Ok(())
    }

    /// A page down (older SMS).
    pub fn page_down(&mut self, conn: Db<'_>) -> Result<()> {
        self.scroll(conn, self.rows.max(1) as isize)
    }

    /// Lines above the timeline: name, mobile, consent, facts (when any), lists, events, the
    /// timeline's title.
    fn header_lines(&self) -> usize {
        let d = &self.detail;
        let facts = !d.participant.programme.is_empty()
            || d.collaborator.is_some()
            || !d.attributes.is_empty();
        6 + usize::from(facts)
    }

    /// Fits the timeline to the area and keeps the cursor in view.
    pub fn layout(&mut self, area: Rect) {
        let rows = usize::from(area.height.saturating_sub(2)).saturating_sub(self.header_lines());
        self.rows = rows.max(1);
        if self.index < self.offset {
            self.offset = self.index;
        } else if self.index >= self.offset + self.rows {
            self.offset = self.index + 1 - self.rows;
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let width = usize::from(area.width.saturating_sub(2)).max(1);
        let mut lines = self.about_lines(ctx, width);
        lines.push(self.events_line(ctx, width));
        lines.extend(self.history_lines(ctx, width));
        let title = trf(ctx.lang(), "contacts.card_title", &[("name", &self.name())]);
        frame.render_widget(Clear, area);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", truncate(&title, width.saturating_sub(2))),
            ctx.theme.title(),
        ));
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }

    /// The contact's name as the card's head and title write it.
    fn name(&self) -> String {
        let p = &self.detail.participant;
        clean(
            format!(
                "{} {} {}",
                p.civility,
                p.first_name,
                p.last_name.to_uppercase()
            )
            .trim(),
        )
    }

    /// Who the contact is: name and kind, numbers, consent, facts (when any), saved lists.
    fn about_lines(&self, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
        let lang = ctx.lang();
        let t = |k: &'static str| ctx.tr(k);
        let d = &self.detail;
        let p = &d.participant;
        let label = |s: &str| label(ctx, s);
        let name = self.name();
        let mut lines: Vec<Line> = Vec::new();
        let mut head = format!(
            "{name} · {} · #{}",
            crate::i18n::Describe::describe(&p.kind, ctx.lang()),
            p.id
        );
        if p.archived {
            head.push_str(&format!(" · {}", t("contacts.card_archived")));
        }
        lines.push(Line::from(Span::styled(
            truncate(&head, width),
            ctx.theme.title(),
        )));
        let mut mobile = p
            .mobile
            .as_deref()
            .map_or_else(|| "—".to_string(), |m| phone(m, ctx.region));
        if let Some(m2) = &d.mobile2 {
            mobile.push_str(&format!(
                " · {} {}",
                t("contacts.card_mobile2"),
                phone(m2, ctx.region)
            ));
        }
        lines.push(Line::from(vec![
            label(t("contacts.card_mobile")),
            Span::raw(truncate(&mobile, width.saturating_sub(10))),
        ]));
        let opt_out = match &d.opt_out {
            None => Span::raw(t("contacts.card_no_opt_out").to_string()),
            Some(o) => Span::styled(
                trf(
                    lang,
                    "contacts.card_opt_out",
                    &[
                        (
                            "date",
                            &ctx.fmt
                                .date(ctx.fmt.local_date(crate::store::from_ts(o.at))),
                        ),
                        ("source", &source_label(ctx, &o.source)),
                        ("by", &clean(&ctx.fmt.actor(&o.by))),
                    ],
                ),
                ctx.theme.error(),
            ),
        };
        lines.push(Line::from(vec![
            label(t("contacts.card_consent")),
            Span::styled(
                ctx.fmt.yes_no(p.sms_consent),
                if p.sms_consent {
                    ctx.theme.ok()
                } else {
                    ctx.theme.warn()
                },
            ),
            Span::raw(" · "),
            opt_out,
        ]));
        let colon = colon(lang);
        let mut facts: Vec<String> = Vec::new();
        if !p.programme.is_empty() {
            facts.push(format!(
                "{}{colon}{}",
                t("contacts.card_programme"),
                clean(&p.programme)
            ));
        }
        if let Some(c) = &d.collaborator {
            facts.push(format!(
                "{}{colon}{}",
                t("contacts.card_collaborator"),
                clean(c)
            ));
        }
        if !d.attributes.is_empty() {
            let attrs = d
                .attributes
                .iter()
                .map(|(k, v)| format!("{}={}", clean(k), clean(v.as_str().unwrap_or_default())))
                .collect::<Vec<_>>()
                .join(", ");
            facts.push(format!("{}{colon}{attrs}", t("contacts.card_attributes")));
        }
        if !facts.is_empty() {
            lines.push(Line::from(truncate(&facts.join(" · "), width)));
        }
        let lists = if self.lists.is_empty() {
            t("contacts.card_no_list").to_string()
        } else {
            self.lists
                .iter()
                .map(|l| clean(&l.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        lines.push(Line::from(vec![
            label(t("contacts.card_lists")),
            Span::raw(truncate(&lists, width.saturating_sub(10))),
        ]));
        lines
    }

    /// The contact's latest events, on one line.
    fn events_line(&self, ctx: &Ctx, width: usize) -> Line<'static> {
        let lang = ctx.lang();
        let t = |k: &'static str| ctx.tr(k);
        let mut events: Vec<String> = self
            .events
            .iter()
            .map(|e| {
                let day = e.starts_local.get(..16).unwrap_or(&e.starts_local);
                let mut s = format!("{} {}", e.kind.describe(ctx.lang()), day_shown(ctx, day));
                if !e.outcome.is_empty() {
                    s.push_str(&format!(" ({})", clean(&e.outcome)));
                }
                s
            })
            .collect();
        if events.is_empty() {
            events.push(t("contacts.card_no_event").to_string());
        }
        if self.more_events {
            events.push(trf(lang, "contacts.card_more_events", &[("n", "…")]));
        }
        Line::from(vec![
            label(ctx, t("contacts.card_events")),
            Span::raw(truncate(&events.join(" · "), width.saturating_sub(12))),
        ])
    }

    /// The timeline's title, then the SMS in view, the cursor's highlighted.
    fn history_lines(&self, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
        let lang = ctx.lang();
        let t = |k: &'static str| ctx.tr(k);
        let p = &self.detail.participant;
        let mut lines: Vec<Line> = Vec::new();
        let more = if self.more {
            t("contacts.card_history_more")
        } else {
            ""
        };
        lines.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "── {} ──",
                    trf(
                        lang,
                        "contacts.card_history",
                        &[("n", &self.items.len().to_string()), ("more", more)]
                    )
                ),
                width,
            ),
            ctx.theme.title(),
        )));
        if self.items.is_empty() {
            lines.push(Line::from(Span::styled(
                t("contacts.card_no_sms").to_string(),
                ctx.theme.dim(),
            )));
        }
        for (i, item) in self
            .items
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(self.rows)
        {
            let (arrow, status, style) = match item.status {
                TimelineStatus::Out(status) => ("→", status.describe(lang), ctx.theme.base()),
                TimelineStatus::In(_) => {
                    ("←", t("contacts.card_reply").to_string(), ctx.theme.ok())
                }
            };
            // A number other than today's mobile is named (a number changed since).
            let other = if p.mobile.as_deref() == Some(item.phone.as_str()) {
                String::new()
            } else {
                format!("({}) ", phone(&item.phone, ctx.region))
            };
            // The cursor is seen without colours too.
            let cursor = if i == self.index { '▸' } else { ' ' };
            let text = format!(
                "{cursor}{arrow} {}  {:<14} {other}{}",
                ctx.fmt.time(item.at),
                truncate(&status, 14),
                clean(&item.text).replace('\n', " ")
            );
            let style = if i == self.index {
                ctx.theme.selected()
            } else {
                style
            };
            lines.push(Line::from(Span::styled(truncate(&text, width), style)));
        }
        lines
    }
}

/// What separates a field's name from its value: French typography puts a space before the
/// colon.
fn colon(lang: crate::i18n::Lang) -> &'static str {
    if lang == crate::i18n::Lang::En {
        ": "
    } else {
        " : "
    }
}

/// A field's name before its value, dimmed: `Mobile: `, `Mobile : ` in French.
fn label(ctx: &Ctx, name: &str) -> Span<'static> {
    Span::styled(format!("{name}{}", colon(ctx.lang())), ctx.theme.dim())
}

/// `2026-03-25 14:00` as the screen writes days and times.
fn day_shown(ctx: &Ctx, local: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M")
        .map(|t| format!("{} {}", ctx.fmt.date(t.date()), t.format("%H:%M")))
        .unwrap_or_else(|_| clean(local))
}

/// An opt-out source in the screen's language.
fn source_label(ctx: &Ctx, source: &str) -> String {
    let key = format!("contacts.src_{source}");
    match ctx.tr(&key) {
        t if t == key => clean(source),
        t => t.to_string(),
    }
}
