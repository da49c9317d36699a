-- smsdesk schema, version 5: a status change's note is a code with its arguments, the JSON of
-- `StatusNote` in message_status_history.detail (src/store/notes.rs says why one column), rendered
-- in the reader's language. The English sentences written before are converted by
-- `notes::convert_english_history`, run after this file in the same transaction: every sentence
-- smsdesk wrote maps to its code with its arguments parsed back; anything else is kept verbatim
-- as a recorded text. A message's last_error becomes such a note too
-- (`notes::convert_english_last_errors`). No schema change: the history index (message_id, at, id) stays as it is.
SELECT 1;
