//! Export of the Sent and Upcoming lists: what the operator opens in Excel must hold exactly
//! the filtered list, phone numbers as text with their `+`, accents intact, times in the
//! organisation's timezone — and a failed export must leave nothing behind.

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use smsdesk::io::export::{Format, export_messages};
use smsdesk::sms::status::MessageStatus;
use smsdesk::store::messages::{self, ListKind, MessageFilter, MessageRow};
use smsdesk::store::page::Page;
use smsdesk::store::{Store, settings};
use std::path::{Path, PathBuf};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 14, 13, 7, 21)
        .single()
        .unwrap()
}

struct Demo {
    dir: tempfile::TempDir,
    store: Store,
}

fn demo(language: &str) -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 7, "mlegall", now()).unwrap();
    let store = Store::open(&path).unwrap();
    settings::set(store.conn(), "language", language, "mlegall", now()).unwrap();
    Demo { dir, store }
}

impl Demo {
    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Every row of a list, in list order, read page by page from the store.
fn all_rows(conn: &Connection, kind: ListKind, filter: &MessageFilter) -> Vec<MessageRow> {
    let mut out: Vec<MessageRow> = Vec::new();
    let mut cursor = None;
    loop {
        let page = messages::page(
            conn.into(),
            kind,
            filter,
            Page::forward(cursor.as_ref(), 700),
        )
        .unwrap();
        let Some(last) = page.last() else { break };
        cursor = Some(kind.cursor_of(last));
        out.extend(page);
    }
    out
}

fn read_xlsx(path: &Path) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected a text cell, found {other:?}"),
    }
}

/// Wall-clock time in Paris of a stored instant, computed independently of the export.
fn paris(secs: i64) -> chrono::NaiveDateTime {
    Utc.timestamp_opt(secs, 0)
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Paris)
        .naive_local()
}

#[test]
fn sent_to_xlsx_reads_back_with_every_row_phone_as_text_and_accents() {
    let d = demo("fr");
    let out = d.out("envoyés.xlsx");
    let filter = MessageFilter::default();
    let mut calls = Vec::new();
    let n = export_messages(
        d.store.db(),
        ListKind::Sent,
        &filter,
        Format::Xlsx,
        &out,
        &mut |done| calls.push(done),
    )
    .unwrap();
    let expected = all_rows(d.store.conn(), ListKind::Sent, &filter);
    let count = messages::count(d.store.db(), ListKind::Sent, &filter).unwrap();
    assert_eq!(n as i64, count);
    assert_eq!(expected.len() as i64, count);
    assert!(count > 1_000, "the demo has a history to export");
    // Progress went up to the total, never backwards.
    assert_eq!(calls.last().copied(), Some(n));
    assert!(calls.windows(2).all(|w| w[0] <= w[1]));

    let rows = read_xlsx(&out);
    assert_eq!(rows.len() as i64, count + 1, "header + one row per message");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        header,
        [
            "Prévu le",
            "Envoyé le",
            "Destinataire",
            "Téléphone",
            "Contexte",
            "Conseiller",
            "Programmé par",
            "Texte",
            "Segments",
            "Statut",
            "Réponse",
            "Coût",
            "Devise"
        ]
    );
    let mut accented = 0;
    let mut charged = 0;
    for (row, m) in rows[1..].iter().zip(&expected) {
        // Phone numbers are text cells, keeping the leading +.
        let phone = text(&row[3]);
        assert!(phone.starts_with('+'), "{phone}");
        assert_eq!(phone, m.phone);
        assert_eq!(text(&row[2]), m.recipient_name);
        assert_eq!(text(&row[7]), m.text);
        if m.text.chars().any(|c| "éèàçêô".contains(c)) {
            accented += 1;
        }
        match &row[8] {
            Data::Float(f) => assert_eq!(*f as i64, m.segments),
            other => panic!("segments should be a number, found {other:?}"),
        }
        // Planned time: an Excel date-time, in Paris time.
        match &row[0] {
            Data::DateTime(dt) => {
                let (y, mo, da, h, mi, s, _) = dt.to_ymd_hms_milli();
                let p = paris(m.planned_at);
                assert_eq!(
                    (
                        y as i32, mo as u32, da as u32, h as u32, mi as u32, s as u32
                    ),
                    (
                        chrono::Datelike::year(&p),
                        chrono::Datelike::month(&p),
                        chrono::Datelike::day(&p),
                        chrono::Timelike::hour(&p),
                        chrono::Timelike::minute(&p),
                        chrono::Timelike::second(&p)
                    )
                );
            }
            other => panic!("planned should be a date-time, found {other:?}"),
        }
        assert_eq!(
            row.get(1).is_some_and(|c| *c != Data::Empty),
            m.sent_at.is_some()
        );
        if let Some(reply) = &m.reply {
            assert_eq!(&text(&row[10]), reply);
        }
        // A charged message's cost is a number in euros: its segments at 0,068 to 0,075 €.
        if let Some(Data::Float(cost)) = row.get(11) {
            let per_sms = cost / m.segments as f64;
            assert!(
                (0.06..=0.08).contains(&per_sms),
                "{cost} for {}",
                m.segments
            );
            assert_eq!(text(&row[12]), "EUR");
            charged += 1;
        }
    }
    assert!(charged > 1_000, "sent messages have their cost: {charged}");
    assert!(accented > 0, "accented texts were exported");
    // Statuses are shown in the interface language.
    assert!(rows[1..].iter().any(|r| text(&r[9]) == "délivré"));
    // Nothing left next to the file.
    let leftovers: Vec<_> = std::fs::read_dir(d.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".part"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_filtered_export_holds_exactly_the_filtered_rows() {
    let d = demo("en");
    let tz = chrono_tz::Europe::Paris;
    let from = tz
        .with_ymd_and_hms(2026, 3, 20, 0, 0, 0)
        .single()
        .unwrap()
        .timestamp();
    let to = tz
        .with_ymd_and_hms(2026, 4, 3, 0, 0, 0)
        .single()
        .unwrap()
        .timestamp();
    let filter = MessageFilter {
        from: Some(from),
        to: Some(to),
        statuses: vec![MessageStatus::Delivered, MessageStatus::Failed],
        ..Default::default()
    };
    let expected = all_rows(d.store.conn(), ListKind::Sent, &filter);
    assert!(!expected.is_empty());
    let out = d.out("filtered.xlsx");
    let n = export_messages(
        d.store.db(),
        ListKind::Sent,
        &filter,
        Format::Xlsx,
        &out,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(n as usize, expected.len());
    let rows = read_xlsx(&out);
    assert_eq!(rows.len(), expected.len() + 1);
    assert_eq!(text(&rows[0][3]), "Phone");
    for (row, m) in rows[1..].iter().zip(&expected) {
        assert!(matches!(text(&row[9]).as_str(), "delivered" | "failed"));
        assert_eq!(text(&row[3]), m.phone);
    }
}

#[test]
fn csv_is_excel_friendly_and_reads_back() {
    let d = demo("fr");
    let filter = MessageFilter::default();
    let out = d.out("sent.csv");
    let n = export_messages(
        d.store.db(),
        ListKind::Sent,
        &filter,
        Format::Csv,
        &out,
        &mut |_| {},
    )
    .unwrap();
    let expected = all_rows(d.store.conn(), ListKind::Sent, &filter);
    assert_eq!(n as usize, expected.len());
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM for Excel"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header[3], "Téléphone");
    assert_eq!(&header[11..13], ["Coût", "Devise"]);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), expected.len());
    for (r, m) in records.iter().zip(&expected) {
        assert_eq!(&r[3], m.phone);
        assert!(r[3].starts_with('+'));
        assert_eq!(&r[2], m.recipient_name);
        // Multi-line texts survive quoting.
        assert_eq!(&r[7], m.text);
        assert_eq!(
            &r[0],
            paris(m.planned_at).format("%Y-%m-%d %H:%M:%S").to_string()
        );
        let sent = m
            .sent_at
            .map(|t| paris(t).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        assert_eq!(&r[1], sent);
    }
    // Each message charged costs its segments at the price of the pack they came from (the
    // demo's packs: 0,075 € then 0,068 € an SMS), in French with a decimal comma.
    let costs: Vec<(&str, &str, &str)> = records.iter().map(|r| (&r[8], &r[11], &r[12])).collect();
    assert!(
        costs.iter().any(|(_, c, _)| !c.is_empty()),
        "charged messages have a cost"
    );
    for (segments, cost, currency) in costs.into_iter().filter(|(_, c, _)| !c.is_empty()) {
        let segments: i64 = segments.parse().unwrap();
        let allowed = [segments * 75, segments * 68];
        let cents = cost.replace(',', ".").parse::<f64>().unwrap() * 1000.0;
        assert!(
            allowed.iter().any(|a| (*a as f64 - cents).abs() <= 10.0)
                || (segments * 68) as f64 <= cents && cents <= (segments * 75) as f64,
            "{segments} SMS cost {cost}"
        );
        assert!(cost.contains(','), "{cost}");
        assert_eq!(currency, "EUR");
    }
}

#[test]
fn upcoming_exports_the_pending_messages_soonest_first() {
    let d = demo("fr");
    let filter = MessageFilter::default();
    let expected = all_rows(d.store.conn(), ListKind::Upcoming, &filter);
    assert!(!expected.is_empty());
    let out = d.out("upcoming.csv");
    let n = export_messages(
        d.store.db(),
        ListKind::Upcoming,
        &filter,
        Format::Csv,
        &out,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(n as usize, expected.len());
    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let planned: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let mut sorted = planned.clone();
    sorted.sort();
    assert_eq!(planned, sorted, "soonest first");
}

#[test]
fn times_follow_the_organisation_timezone() {
    let d = demo("fr");
    settings::set(
        d.store.conn(),
        "timezone",
        "America/Guadeloupe",
        "mlegall",
        now(),
    )
    .unwrap();
    let filter = MessageFilter::default();
    let first = &all_rows(d.store.conn(), ListKind::Sent, &filter)[0];
    let out = d.out("gp.csv");
    export_messages(
        d.store.db(),
        ListKind::Sent,
        &filter,
        Format::Csv,
        &out,
        &mut |_| {},
    )
    .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let r = reader.records().next().unwrap().unwrap();
    let expected = Utc
        .timestamp_opt(first.planned_at, 0)
        .unwrap()
        .with_timezone(&chrono_tz::America::Guadeloupe)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    assert_eq!(&r[0], expected);
}

#[test]
fn a_failed_export_leaves_nothing_and_keeps_the_previous_file() {
    let d = demo("fr");
    let filter = MessageFilter::default();
    // A folder that does not exist: a clear error naming the file, nothing created.
    let missing = d.out("no/such/folder/x.xlsx");
    let error = export_messages(
        d.store.db(),
        ListKind::Sent,
        &filter,
        Format::Xlsx,
        &missing,
        &mut |_| {},
    )
    .unwrap_err();
    let err = error.to_string();
    assert!(
        err.contains("x.xlsx") && err.contains("does not exist"),
        "{err}"
    );
    // As the French screen says it.
    let folder = missing.parent().unwrap().display().to_string();
    assert_eq!(
        smsdesk::i18n::Describe::describe(&error, smsdesk::i18n::Lang::Fr),
        format!(
            "{} : impossible d'écrire l'export : le dossier {folder} n'existe pas",
            missing.display()
        )
    );
    assert!(!missing.exists());

    // Re-exporting over an older file replaces it whole.
    let out = d.out("again.csv");
    std::fs::write(&out, "old content").unwrap();
    let only_failed = MessageFilter {
        statuses: vec![MessageStatus::Failed],
        ..Default::default()
    };
    let n = export_messages(
        d.store.db(),
        ListKind::Sent,
        &only_failed,
        Format::Csv,
        &out,
        &mut |_| {},
    )
    .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("old content"));
    // Phone numbers inside: readable by its owner only, like the store.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
    assert_eq!(
        text.lines().filter(|l| l.contains(";échec;")).count() as u64,
        n
    );
}
