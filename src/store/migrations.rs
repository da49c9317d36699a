//! The schema's versions: the SQL that takes a store from one version to the next, in order.
//! `user_version` is the number applied. Never change what a shipped version writes: append a
//! new file. A statement that a version repeats for several tables stands in its file as a
//! `{placeholder}`, written out here once; SQLite stores the written-out text, the one shipped.

use std::borrow::Cow;

const SHIPPED: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_participant_filters.sql"),
    include_str!("migrations/003_automation_history.sql"),
    include_str!("migrations/004_operator_access.sql"),
    include_str!("migrations/005_status_notes.sql"),
    include_str!("migrations/006_typed_reasons.sql"),
    include_str!("migrations/007_contacts.sql"),
    include_str!("migrations/008_money.sql"),
    include_str!("migrations/009_followups.sql"),
    include_str!("migrations/010_credit_state.sql"),
    include_str!("migrations/011_dashboard.sql"),
    include_str!("migrations/012_search.sql"),
];

/// How many versions there are: the schema version this build writes.
pub(super) const COUNT: usize = SHIPPED.len();

/// The SQL that takes a store from version `version - 1` to `version` (1 to [`COUNT`]).
pub(crate) fn sql(version: usize) -> Cow<'static, str> {
    let file = SHIPPED[version - 1];
    match version {
        10 => Cow::Owned(
            file.replace(
                "{pack_changed_or_removed}",
                &units_changed_or_removed("pack", "credit_packs", "bought"),
            )
            .replace(
                "{charge_changed_or_removed}",
                &units_changed_or_removed("charge", "credit_ledger", "consumed"),
            ),
        ),
        12 => Cow::Owned(file.replace("{message_words}", MESSAGE_WORDS)),
        _ => Cow::Borrowed(file),
    }
}

/// The SQL of every version up to `version`, in order (tests build older stores with it).
#[cfg(test)]
pub(crate) fn up_to(version: usize) -> impl Iterator<Item = Cow<'static, str>> {
    (1..=version).map(sql)
}

/// Version 10: the triggers that keep `credit_state.{column}` equal to the sum of `table`'s
/// units when one of its rows changes its units or is removed.
fn units_changed_or_removed(name: &str, table: &str, column: &str) -> String {
    format!(
        "CREATE TRIGGER credit_state_{name}_changed AFTER UPDATE OF units ON {table} BEGIN
    UPDATE credit_state SET {column} = {column} - OLD.units + NEW.units WHERE id = 1;
END;
CREATE TRIGGER credit_state_{name}_removed AFTER DELETE ON {table} BEGIN
    UPDATE credit_state SET {column} = {column} - OLD.units WHERE id = 1;
END;"
    )
}

/// Version 12: the words indexed for a message `new`: its recipient's name, its number in both
/// forms an operator may type (international, and national for the French plans), its text.
const MESSAGE_WORDS: &str = "new.recipient_name || ' ' || new.phone || ' ' ||
        CASE WHEN substr(new.phone, 1, 3) = '+33' THEN '0' || substr(new.phone, 4)
             WHEN substr(new.phone, 1, 4) IN ('+262', '+590', '+594', '+596') THEN '0' || substr(new.phone, 5)
             ELSE '' END
        || ' ' || new.text";

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table, index, view and trigger of a store at `version`, as SQLite keeps them.
    fn schema_at(version: usize) -> String {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in up_to(version) {
            conn.execute_batch(&sql).unwrap();
        }
        let mut stmt = conn
            .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{}|{}|{}|{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?.unwrap_or_default()
                ))
            })
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// FNV-1a: enough to pin a text without writing it out twice.
    fn fnv(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[test]
    fn no_placeholder_is_left_unwritten() {
        for version in 1..=COUNT {
            let sql = sql(version);
            assert!(
                !sql.contains("_or_removed}") && !sql.contains("{message_words}"),
                "version {version} keeps a placeholder"
            );
        }
    }

    /// Stores in the field ran versions 10 and 12 as their files were first shipped, each
    /// statement written out: a new store must get the very same schema, to the byte. The
    /// figure is that of the schema those files made (commit 05d387e).
    #[test]
    fn the_schema_is_the_one_shipped_to_the_byte() {
        let schema = schema_at(12);
        assert!(schema.contains(
            "CREATE TRIGGER credit_state_charge_removed AFTER DELETE ON credit_ledger BEGIN\n    \
             UPDATE credit_state SET consumed = consumed - OLD.units WHERE id = 1;\nEND"
        ));
        assert_eq!(fnv(&schema), SHIPPED_SCHEMA_AT_12, "{schema}");
    }

    const SHIPPED_SCHEMA_AT_12: u64 = 0xc2c3_b9b0_0689_4f48;

    /// The index is filled for the messages a store had before version 12, with the words the
    /// triggers give a new one: the name, both forms of the number, the text.
    #[test]
    fn messages_stored_before_the_index_are_found_like_new_ones() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in up_to(11) {
            conn.execute_batch(&sql).unwrap();
        }
        let insert = "INSERT INTO messages(kind, context, status, phone, recipient_name, text,
                encoding, chars, segments, sender, created_by, created_at, planned_at, deadline,
                next_attempt_at, status_at)
             VALUES ('free', 'free', 'pending', ?1, ?2, ?3, 'GSM-7', 5, 1, 'S', 'admin', 0, 0, 0, 0, 0)";
        conn.execute(insert, ["+33612345678", "Benoît Old", "Bonjour"])
            .unwrap();
        conn.execute_batch(&sql(12)).unwrap();
        conn.execute(insert, ["+590690123456", "Anne New", "Bonjour"])
            .unwrap();
        let found = |words: &str| -> Vec<i64> {
            let mut stmt = conn
                .prepare("SELECT rowid FROM messages_search WHERE messages_search MATCH ?1 ORDER BY rowid")
                .unwrap();
            stmt.query_map([words], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(found("benoit"), vec![1]);
        assert_eq!(found("0612345678"), vec![1]);
        assert_eq!(found("33612345678"), vec![1]);
        assert_eq!(found("0690123456"), vec![2]);
        assert_eq!(found("bonjour"), vec![1, 2]);
    }
}
