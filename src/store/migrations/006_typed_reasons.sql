-- smsdesk schema, version 6: the reasons inside status notes (an event change or a rule change
-- that cancelled a message) and the replies' review reasons are codes with their arguments too,
-- rendered in the reader's language. The English texts written before are converted by
-- `notes::convert_english_reasons`, run after this file in the same transaction: every sentence
-- smsdesk wrote maps to its code with its arguments parsed back; anything else is kept verbatim
-- as a recorded text. (Migration 5's conversions are now `notes::convert_english_notes`.)
-- No schema change.
SELECT 1;
