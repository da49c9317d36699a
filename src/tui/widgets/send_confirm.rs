//! The one question every send asks (individual, batch, free): who, what it costs, the credit
//! left, when it leaves and the exact text. The decisive lines stay on screen; the long parts
//! (rows refused, the text) scroll in the same [`Confirm`] window as every other question.

use super::ask::Answers;
use super::confirm::Confirm;
use crate::core::CoreResult;
use crate::core::send;
use crate::i18n::{Lang, tr, trf};
use crate::money::{Money, Pricing};
use crate::sms::window;
use crate::store::Db;
use crate::store::settings::Settings;
use crate::tui::fmt::{Fmt, clean, thousands};
use crate::tui::pending::Pending;
use crate::tui::theme::Theme;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use ratatui::text::{Line, Span};

/// What a send states before the operator says yes.
pub struct SendFacts {
    pub recipients: usize,
    /// The only recipient, or an example of many ("Marie Durand (06 12 34 56 78)").
    pub one: String,
    /// SMS per message ("2", or "1–3" when texts differ) and in all.
    pub each: String,
    pub segments: usize,
    /// "GSM-7", "Unicode", or both when texts differ.
    pub encoding: String,
    pub balance_after: i64,
    /// From [`departure`].
    pub when: String,
    /// The text exactly as it leaves (for `one` when texts differ per recipient).
    pub text: String,
    /// The cost and the credit after in money, where the packs' prices say.
    pub money: SendMoney,
}

/// What a send costs and the credit it leaves, in money (each `None` where no price is known).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendMoney {
    pub cost: Option<Money>,
    pub after: Option<Money>,
}

impl SendMoney {
    /// The worth of spending `segments` more units, from the packs' prices.
    pub fn of(pricing: &Pricing, segments: i64) -> SendMoney {
        SendMoney {
            cost: pricing.next(segments),
            after: pricing.after(segments),
        }
    }

    /// Same, reading the packs from the store.
    pub fn load(conn: Db<'_>, segments: i64) -> crate::store::Result<SendMoney> {
        Ok(SendMoney::of(
            &crate::store::credit::pricing(conn)?,
            segments,
        ))
    }
}

/// ` · 0,70 €`, or nothing when the worth is unknown.
fn money_suffix(money: Option<&Money>, lang: Lang) -> String {
    money.map_or_else(String::new, |m| format!(" · {}", m.show(lang)))
}

/// When a send made now leaves, or the time asked; "held until the window opens at …" when
/// outside the window. Refuses as the core would (a time outside the window, in the past).
pub fn departure(
    settings: &Settings,
    now: DateTime<Utc>,
    at: Option<NaiveDateTime>,
    campaign: bool,
    fmt: Fmt,
) -> CoreResult<String> {
    let timing = send::free_timing(settings, now, at, campaign)?;
    let leaves = window::next_opening(timing.planned_at, settings.timezone, &settings.window());
    let lang = fmt.lang;
    let grace = now + Duration::seconds(settings.grace_seconds);
    Ok(match at {
        Some(_) => trf(
            lang,
            "confirm.send_at",
            &[("at", &fmt.time(leaves.timestamp()))],
        ),
        // A minute of slack: "now" may be a few seconds past the grace period.
        None if leaves > grace + Duration::minutes(1) => trf(
            lang,
            "confirm.send_held",
            &[("at", &fmt.time(leaves.timestamp()))],
        ),
        None => trf(
            lang,
            "confirm.send_now",
            &[("grace", &settings.grace_seconds.to_string())],
        ),
    })
}

impl Confirm {
    /// The send question: `facts` on top (always shown), then `details` (rows left out, notes)
    /// and the text, which scroll.
    pub fn send(
        title: String,
        facts: &SendFacts,
        details: Vec<Line<'static>>,
        pending: Pending,
        lang: Lang,
        theme: Theme,
    ) -> Confirm {
        let recipients = if facts.recipients == 1 {
            trf(lang, "confirm.send_to_one", &[("who", &clean(&facts.one))])
        } else {
            trf(
                lang,
                "confirm.send_to_many",
                &[
                    ("n", &thousands(facts.recipients as i64)),
                    ("who", &clean(&facts.one)),
                ],
            )
        };
        let cost = trf(
            lang,
            "confirm.send_cost",
            &[
                ("segments", &thousands(facts.segments as i64)),
                ("n", &thousands(facts.recipients as i64)),
                ("each", &facts.each),
                ("encoding", &facts.encoding),
            ],
        );
        let cost = format!("{cost}{}", money_suffix(facts.money.cost.as_ref(), lang));
        let credit = trf(
            lang,
            "confirm.send_credit",
            &[("after", &thousands(facts.balance_after))],
        );
        let credit = format!("{credit}{}", money_suffix(facts.money.after.as_ref(), lang));
        let credit_style = if facts.balance_after < 0 {
            theme.warn()
        } else {
            theme.base()
        };
        let mut credit_line = vec![Span::styled(credit, credit_style)];
        if facts.balance_after < 0 {
            credit_line.push(Span::styled(
                format!(" — {}", tr(lang, "confirm.send_short")),
                theme.warn(),
            ));
        }
        let head = vec![
            Line::from(recipients),
            Line::from(Span::styled(cost, theme.title())),
            Line::from(credit_line),
            Line::from(Span::styled(facts.when.clone(), theme.title())),
        ];
        let mut body = details;
        if !body.is_empty() {
            body.push(Line::from(""));
        }
        body.push(Line::from(Span::styled(
            tr(lang, "confirm.send_text").to_string(),
            theme.dim(),
        )));
        for l in crate::text::sanitize_multiline(&facts.text).lines() {
            body.push(Line::from(l.to_string()));
        }
        // Enter, typed by habit, goes back: only the explicit yes key (or the focus moved to
        // "Send") sends.
        let mut c = Confirm::new(title, body, pending)
            .with_head(head)
            .destructive(Answers::new(
                lang,
                "confirm.back_answer",
                "confirm.send_answer",
            ));
        c.sends = true;
        c
    }
}
