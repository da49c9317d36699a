-- smsdesk schema, version 2: indexes for choosing batch recipients by filters (events of a
-- type, or with a collaborator, found without scanning every event; the distinct types listed
-- one index seek each).

CREATE INDEX events_by_type ON events(type, starts_at);
CREATE INDEX events_by_collaborator ON events(collaborator_id, starts_at) WHERE collaborator_id IS NOT NULL;
