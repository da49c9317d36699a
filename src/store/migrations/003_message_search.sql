-- smsdesk schema, version 3: the free-text search of Sent / Upcoming goes through a full-text
-- index instead of scanning every message. Trigrams give substring search (any 3+ characters
-- of a name, a phone or a text), without case or accents ("helene" finds "Hélène").
--
-- External content: the index keeps only the trigrams, the texts stay in `messages`. The
-- triggers keep it in step; an update touches it only when the name, phone or text changes,
-- so the scheduler's status updates leave it alone.

CREATE VIRTUAL TABLE messages_fts USING fts5(
    recipient_name, phone, text,
    content = 'messages', content_rowid = 'id',
    tokenize = 'trigram remove_diacritics 1'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, recipient_name, phone, text)
    VALUES (new.id, new.recipient_name, new.phone, new.text);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, recipient_name, phone, text)
    VALUES ('delete', old.id, old.recipient_name, old.phone, old.text);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF recipient_name, phone, text ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, recipient_name, phone, text)
    VALUES ('delete', old.id, old.recipient_name, old.phone, old.text);
    INSERT INTO messages_fts(rowid, recipient_name, phone, text)
    VALUES (new.id, new.recipient_name, new.phone, new.text);
END;

-- Stores written before this version: index what they hold.
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
