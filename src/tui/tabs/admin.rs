//! The administration tabs, read-only in this version: Settings, Templates, Automations,
//! Users. Their lists are short by nature (tens of rows), so they are read whole.

use super::{
    Col, Ctx, Outcome, Selection, TabView, body_height, cell, draw_table, info_line, split_info,
    styled,
};
use crate::i18n::Lang;
use crate::store::Result;
use crate::store::automations::{self, AutomationRow};
use crate::tui::fmt::clean;
use crate::tui::queries::collaborator_names;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use std::collections::HashMap;

pub(super) fn header(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    title_key: &str,
    count: usize,
) -> Rect {
    header_with(frame, area, ctx, title_key, count, ctx.tr("ui.read_only"))
}

/// The info line of an administration list: title, a note, the row count.
pub(super) fn header_with(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    title_key: &str,
    count: usize,
    note: &str,
) -> Rect {
    let (info, table) = split_info(area);
    let left = vec![
        Span::styled(ctx.tr(title_key).to_string(), ctx.theme.title()),
        Span::styled(format!("  {note}"), ctx.theme.dim()),
    ];
    info_line(frame, info, ctx, left, count.to_string());
    table
}

pub(super) fn replace<T: PartialEq>(slot: &mut Vec<T>, fresh: Vec<T>) -> bool {
    let changed = *slot != fresh;
    *slot = fresh;
    changed
}

/// Automation rules; a rule whose template is inactive is flagged broken.
#[derive(Default)]
pub struct AutomationsTab {
    rows: Vec<AutomationRow>,
    names: HashMap<i64, String>,
    sel: Selection,
}

impl TabView for AutomationsTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.names = collaborator_names(ctx.conn)?;
        Ok(replace(&mut self.rows, automations::list(ctx.conn)?))
    }

    fn action(&mut self, action: &str, _ctx: &Ctx) -> Result<Outcome> {
        Ok(self
            .sel
            .action(action, self.rows.len())
            .unwrap_or(match action {
                "open" | "new" | "edit" | "delete" | "toggle" => Outcome::NotYet,
                _ => Outcome::Ignored,
            }))
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let table = header(frame, area, ctx, "tab.automations", self.rows.len());
        let offset = self.sel.viewport(body_height(table), self.rows.len());
        let cols = [
            Col::new(ctx.tr("col.kind"), 11, 0),
            Col::new(ctx.tr("col.delay"), 5, 0),
            Col::new(ctx.tr("col.types"), 14, 2),
            Col::new(ctx.tr("col.collaborators"), 14, 3),
            Col::fill(ctx.tr("col.template"), 14, 1),
            Col::new(ctx.tr("col.active"), 7, 1),
            Col::new(ctx.tr("col.state"), 7, 0),
        ];
        let any = ctx.tr("word.any");
        let cells = self
            .rows
            .iter()
            .map(|a| {
                let types = if a.event_types.is_empty() {
                    any.to_string()
                } else {
                    clean(&a.event_types.join(", "))
                };
                let collaborators = if a.collaborators.is_empty() {
                    any.to_string()
                } else {
                    let names: Vec<String> = a
                        .collaborators
                        .iter()
                        .map(|id| {
                            self.names
                                .get(id)
                                .map_or_else(|| format!("#{id}"), |n| clean(n))
                        })
                        .collect();
                    names.join(", ")
                };
                let state = if a.is_broken() {
                    styled(ctx.tr("word.broken"), ctx.theme.error())
                } else {
                    styled(ctx.tr("word.ok"), ctx.theme.ok())
                };
                let active = if a.active {
                    ctx.theme.ok()
                } else {
                    ctx.theme.dim()
                };
                vec![
                    cell(ctx.fmt.kind(&a.event_kind)),
                    cell(delay_label(a, ctx.lang())),
                    cell(types),
                    cell(collaborators),
                    cell(clean(&a.template_name)),
                    styled(ctx.fmt.yes_no(a.active), active),
                    state,
                ]
            })
            .collect();
        let selected = (!self.rows.is_empty()).then_some(self.sel.selected);
        draw_table(frame, table, ctx, &cols, cells, selected, offset);
    }

    fn hints(&self) -> &'static [&'static str] {
        &["down", "up"]
    }
}

/// `D-2` / `D+3` in English, `J-2` / `J+3` in French (jour J).
fn delay_label(a: &AutomationRow, lang: Lang) -> String {
    let label = a.delay_label();
    match lang {
        Lang::Fr => label.replacen('D', "J", 1),
        Lang::En => label,
    }
}
