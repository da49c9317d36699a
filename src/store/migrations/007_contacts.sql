-- smsdesk schema, version 7: contacts edited from the screen and the command line. An archived
-- participant (archived_at set) leaves the pickers, batches and automations but keeps its
-- history; archiving is undone by clearing it. The lists a participant is in are read from
-- the participant's side for the contact card.

ALTER TABLE participants ADD COLUMN archived_at INTEGER;
CREATE INDEX saved_list_members_by_participant ON saved_list_members(participant_id, list_id);
CREATE INDEX messages_by_participant_time ON messages(participant_id, COALESCE(sent_at, planned_at), id)
    WHERE participant_id IS NOT NULL;
