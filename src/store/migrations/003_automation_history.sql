-- smsdesk schema, version 3: a rule that created messages can be deleted while they keep
-- their history (the row stays, marked deleted, so messages.automation_id still points at
-- it); a rule's messages found without scanning every message (pending ones to cancel when
-- it is switched off, the count shown before).

ALTER TABLE automations ADD COLUMN deleted_at INTEGER;
CREATE INDEX messages_by_automation ON messages(automation_id, status) WHERE automation_id IS NOT NULL;
