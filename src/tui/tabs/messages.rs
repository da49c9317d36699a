//! Sent and Upcoming: keyset-paged message lists with a free-text filter and a detail popup.

use super::{
    Col, Ctx, Outcome, TabView, body_height, cell, draw_table, info_line, more_marks, move_pager,
    split_info, styled,
};
use crate::store::Result;
use crate::store::messages::{self, ListKind, MessageFilter, MessageRow};
use crate::text::sanitize_multiline;
use crate::tui::fmt::{clean, phone, truncate};
use crate::tui::pager::Pager;
use crate::tui::queries::MessagesSource;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Rows fetched per page: a little more than a tall screen.
const PAGE: usize = 60;

pub struct MessagesTab {
    pager: Pager<MessagesSource>,
    height: usize,
}

impl MessagesTab {
    pub fn new(kind: ListKind) -> Self {
        MessagesTab {
            pager: Pager::new(
                MessagesSource {
                    kind,
                    filter: MessageFilter::default(),
                },
                PAGE,
            ),
            height: 10,
        }
    }

    fn kind(&self) -> ListKind {
        self.pager.source.kind
    }

    fn columns(&self, ctx: &Ctx) -> Vec<Col> {
        let sent = self.kind() == ListKind::Sent;
        let mut cols = vec![Col::new(
            ctx.tr("col.planned"),
            11,
            if sent { 5 } else { 0 },
        )];
        if sent {
            cols.push(Col::new(ctx.tr("col.sent"), 11, 0));
        }
        cols.extend([
            Col::new(ctx.tr("col.recipient"), 15, 1),
            Col::new(ctx.tr("col.phone"), 17, 3),
            Col::new(ctx.tr("col.context"), 10, 6),
            Col::new(ctx.tr("col.collaborator"), 14, 7),
            Col::fill(ctx.tr("col.text"), 12, 4),
            Col::new(ctx.tr("col.segments"), 3, 8),
            Col::new(ctx.tr("col.status"), if sent { 16 } else { 17 }, 2),
            Col::new(ctx.tr("col.reply"), 10, 9),
        ]);
        cols
    }

    fn cells(&self, row: &MessageRow, ctx: &Ctx) -> Vec<ratatui::widgets::Cell<'static>> {
        let sent = self.kind() == ListKind::Sent;
        let mut out = vec![cell(ctx.fmt.time(row.planned_at))];
        if sent {
            out.push(cell(
                row.sent_at
                    .or(row.listed_at)
                    .map(|t| ctx.fmt.time(t))
                    .unwrap_or_default(),
            ));
        }
        // A message that is due but held back says why instead of "not yet sent".
        let status = if row.status == "pending" && !row.wait_reason.is_empty() {
            ctx.fmt.wait(&row.wait_reason)
        } else {
            ctx.fmt.status(&row.status)
        };
        out.extend([
            cell(clean(&row.recipient_name)),
            cell(phone(&row.phone, ctx.region)),
            cell(ctx.fmt.kind(&row.context)),
            cell(clean(&row.collaborator)),
            cell(clean(&row.text)),
            cell(row.segments.to_string()),
            styled(status, ctx.theme.status(&row.status)),
            cell(row.reply.as_deref().map(clean).unwrap_or_default()),
        ]);
        out
    }

    /// The detail popup: everything about one message, then its status history.
    fn detail(&self, id: i64, ctx: &Ctx) -> Result<Outcome> {
        let m = messages::get(ctx.conn, id)?;
        let history = messages::history(ctx.conn, id)?;
        let label = |key: &str| Span::styled(format!("{}: ", ctx.tr(key)), ctx.theme.title());
        let mut lines: Vec<Line<'static>> = Vec::new();
        let name = if m.recipient_name.is_empty() {
            "—".to_string()
        } else {
            clean(&m.recipient_name)
        };
        lines.push(Line::from(vec![
            label("col.recipient"),
            Span::raw(format!("{name} · {}", phone(&m.phone, ctx.region))),
        ]));
        lines.push(Line::from(vec![
            label("col.context"),
            Span::raw(format!(
                "{} · {}",
                ctx.fmt.kind(&m.context),
                ctx.fmt.kind(&m.kind)
            )),
        ]));
        if !m.collaborator.is_empty() {
            lines.push(Line::from(vec![
                label("col.collaborator"),
                Span::raw(clean(&m.collaborator)),
            ]));
        }
        lines.push(Line::from(vec![
            label("detail.created_by"),
            Span::raw(clean(&m.created_by)),
        ]));
        lines.push(Line::from(vec![
            label("col.planned"),
            Span::raw(ctx.fmt.full_time(m.planned_at)),
        ]));
        if let Some(t) = m.sent_at {
            lines.push(Line::from(vec![
                label("col.sent"),
                Span::raw(ctx.fmt.full_time(t)),
            ]));
        }
        lines.push(Line::from(vec![
            label("col.status"),
            Span::styled(ctx.fmt.status(&m.status), ctx.theme.status(&m.status)),
            Span::raw(format!(" · {} {}", m.segments, ctx.tr("detail.segments"))),
        ]));
        if let Some(event_id) = m.event_id {
            match crate::store::events::get(ctx.conn, event_id) {
                Ok(e) => lines.push(Line::from(vec![
                    label("detail.event"),
                    Span::raw(format!(
                        "{} {} · {} {}",
                        ctx.fmt.kind(&e.kind),
                        clean(&e.event_type),
                        ctx.fmt.day(e.starts_at),
                        ctx.fmt.hour(e.starts_at)
                    )),
                ])),
                Err(e) => lines.push(Line::from(Span::styled(e.to_string(), ctx.theme.error()))),
            }
        }
        lines.push(Line::from(""));
        lines.push(Line::from(label("col.text")));
        for l in sanitize_multiline(&m.text).lines() {
            lines.push(Line::from(format!("  {l}")));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(label("detail.history")));
        for h in &history {
            let mut spans = vec![
                Span::raw(format!("  {}  ", ctx.fmt.full_time(h.at))),
                Span::styled(ctx.fmt.status(&h.status), ctx.theme.status(&h.status)),
            ];
            if !h.actor.is_empty() {
                spans.push(Span::styled(
                    format!("  {}", clean(&h.actor)),
                    ctx.theme.dim(),
                ));
            }
            if !h.detail.is_empty() {
                spans.push(Span::raw(format!("  {}", clean(&h.detail))));
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            label("col.reply"),
            Span::raw(
                m.reply
                    .as_deref()
                    .map(clean)
                    .unwrap_or_else(|| "—".to_string()),
            ),
        ]));
        let title = format!("{} #{}", ctx.tr("detail.title"), m.id);
        Ok(Outcome::Popup(title, lines))
    }
}

impl TabView for MessagesTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.pager.refresh(ctx.conn)
    }

    fn action(&mut self, action: &str, ctx: &Ctx) -> Result<Outcome> {
        if let Some(done) = move_pager(&mut self.pager, action, ctx.conn, self.height)? {
            return Ok(done);
        }
        Ok(match action {
            "open" => match self.pager.selected().map(|r| r.id) {
                Some(id) => self.detail(id, ctx)?,
                None => Outcome::Handled,
            },
            "filter" => Outcome::EditFilter,
            "select" | "select_all" | "cancel_selected" | "export" | "edit" => Outcome::NotYet,
            _ => Outcome::Ignored,
        })
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let (info, table) = split_info(area);
        self.height = body_height(table);
        let offset = self.pager.viewport(self.height);
        let title = if self.kind() == ListKind::Sent {
            "tab.sent"
        } else {
            "tab.upcoming"
        };
        let mut left = vec![Span::styled(ctx.tr(title).to_string(), ctx.theme.title())];
        if let Some(f) = self
            .pager
            .source
            .filter
            .text
            .as_deref()
            .filter(|t| !t.is_empty())
        {
            left.push(Span::raw(format!(
                "  {} « {} »",
                ctx.tr("ui.filter"),
                truncate(&clean(f), 30)
            )));
        }
        if let Some(b) = self.pager.source.filter.batch_id {
            left.push(Span::raw(format!("  {} #{b}", ctx.tr("ui.batch"))));
        }
        let marks = more_marks(&self.pager, offset, self.height);
        if self.pager.rows().is_empty() && self.pager.is_loaded() {
            left.push(Span::styled(
                format!("  {}", ctx.tr("ui.empty")),
                ctx.theme.dim(),
            ));
        }
        info_line(frame, info, ctx, left, marks);
        let cols = self.columns(ctx);
        let cells = self
            .pager
            .rows()
            .iter()
            .map(|r| self.cells(r, ctx))
            .collect();
        let selected = (!self.pager.rows().is_empty()).then_some(self.pager.selected_index());
        draw_table(frame, table, ctx, &cols, cells, selected, offset);
    }

    fn hints(&self) -> &'static [&'static str] {
        &["open", "filter", "page_down", "page_up", "first", "last"]
    }

    fn filter(&self) -> Option<&str> {
        Some(self.pager.source.filter.text.as_deref().unwrap_or(""))
    }

    fn set_filter(&mut self, text: &str, ctx: &Ctx) -> Result<()> {
        let text = text.trim();
        self.pager.source.filter.text = (!text.is_empty()).then(|| text.to_string());
        self.pager.reset();
        self.pager.first(ctx.conn)
    }

    fn show_batch(&mut self, batch: Option<i64>, ctx: &Ctx) -> Result<()> {
        self.pager.source.filter.batch_id = batch;
        self.pager.reset();
        self.pager.first(ctx.conn)
    }

    fn loaded_rows(&self) -> usize {
        self.pager.rows().len()
    }
}
