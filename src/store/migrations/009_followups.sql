-- smsdesk schema: follow-up rules with a condition (issue 14). A rule may send only when no
-- reply came to a message of a template for the event (`no_reply`, with that template), or
-- only when the event has no outcome yet (`no_outcome`); `none` sends as before. The condition
-- is checked when the rule would create its message and again when the message is due to
-- leave (the scheduler cancels it, with the reason in its history, when a reply came
-- meanwhile). A reply is found through `messages_by_event`; nothing else needs an index.

ALTER TABLE automations ADD COLUMN condition_kind TEXT NOT NULL DEFAULT 'none'
    CHECK (condition_kind IN ('none','no_reply','no_outcome'));
ALTER TABLE automations ADD COLUMN condition_template_id INTEGER REFERENCES templates(id);
