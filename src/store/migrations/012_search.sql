-- Search in the Sent and Upcoming lists at a million messages: a full-text index of each
-- message's recipient name, number and text, without case or accents (the unicode61
-- tokenizer with remove_diacritics 2 folds "Benoît" and "BENOIT" to the same word).
--
-- Contentless (the words are not stored twice) and without positions (detail=none: searches
-- are words and word beginnings, never phrases), so it adds a fraction of the store's size.
-- The number is indexed in both forms an operator may type: international (+33612345678,
-- token 33612345678) and national (0612345678) for numbers of the French ten-digit plan.
-- Kept up to date by triggers, so every way a message is written (batch, free send, edit,
-- deletion) keeps it right. What is indexed for a message is written once, in
-- `store/migrations.rs` (MESSAGE_WORDS), and stands here as its name in braces.
CREATE VIRTUAL TABLE messages_search USING fts5(
    words,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The index's words and how many messages each is in: a word typed (`bonj`) is looked up as
-- the words it begins (`bonjour`), read lazily, instead of a merged list of every message.
CREATE VIRTUAL TABLE messages_search_terms USING fts5vocab(messages_search, 'row');

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_search(rowid, words) VALUES (new.id,
        {message_words});
END;

CREATE TRIGGER messages_search_update AFTER UPDATE OF recipient_name, phone, text ON messages BEGIN
    DELETE FROM messages_search WHERE rowid = old.id;
    INSERT INTO messages_search(rowid, words) VALUES (new.id,
        {message_words});
END;

CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM messages_search WHERE rowid = old.id;
END;

-- The messages already stored, each read as `new` like the triggers read a row.
INSERT INTO messages_search(rowid, words)
SELECT new.id, {message_words}
FROM messages AS new;
