-- smsdesk schema, version 1. Times are INTEGER Unix seconds (UTC) unless named *_local
-- (the organisation's local wall-clock time, 'YYYY-MM-DD HH:MM:SS'). Nothing is ever deleted
-- from the history: messages, status changes, replies, ledger and audit only grow.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE operators (
    id              INTEGER PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL DEFAULT '',
    right_instant   INTEGER NOT NULL DEFAULT 0,
    right_scheduled INTEGER NOT NULL DEFAULT 0,
    right_batch     INTEGER NOT NULL DEFAULT 0,
    right_free      INTEGER NOT NULL DEFAULT 0,
    right_admin     INTEGER NOT NULL DEFAULT 0,
    templates_only  INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL
);

-- Counsellors events belong to; not necessarily operators of smsdesk.
CREATE TABLE collaborators (
    id             INTEGER PRIMARY KEY,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    phone          TEXT,
    email          TEXT,
    operator_login TEXT,
    active         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE participants (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL DEFAULT 'participant' CHECK (kind IN ('participant','partner','company')),
    civility     TEXT NOT NULL DEFAULT '',
    first_name   TEXT NOT NULL DEFAULT '',
    last_name    TEXT NOT NULL DEFAULT '',
    mobile       TEXT,               -- E.164, the number SMS go to
    mobile2      TEXT,
    landline     TEXT,
    email        TEXT,
    sms_consent  INTEGER NOT NULL DEFAULT 1,
    programme    TEXT NOT NULL DEFAULT '',
    collaborator_id INTEGER REFERENCES collaborators(id),
    attributes   TEXT NOT NULL DEFAULT '{}',   -- free attributes, JSON object
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX participants_by_name ON participants(last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);
CREATE INDEX participants_by_mobile ON participants(mobile);
CREATE INDEX participants_by_programme ON participants(programme, id);

CREATE TABLE saved_lists (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE saved_list_members (
    list_id        INTEGER NOT NULL REFERENCES saved_lists(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    PRIMARY KEY (list_id, participant_id)
) WITHOUT ROWID;

CREATE TABLE templates (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    context        TEXT NOT NULL CHECK (context IN ('interview','step','orientation','batch','free')),
    body           TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    locked         INTEGER NOT NULL DEFAULT 0,   -- operators may not edit the text when sending
    reply_expected INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE TABLE template_keywords (
    template_id INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
    keyword     TEXT NOT NULL,      -- normalised: upper case, no accent, no punctuation
    outcome     TEXT NOT NULL,
    PRIMARY KEY (template_id, keyword)
) WITHOUT ROWID;

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    participant_id  INTEGER NOT NULL REFERENCES participants(id),
    kind            TEXT NOT NULL CHECK (kind IN ('interview','step','orientation')),
    type            TEXT NOT NULL DEFAULT '',
    starts_at       INTEGER NOT NULL,
    starts_local    TEXT NOT NULL,
    collaborator_id INTEGER REFERENCES collaborators(id),
    location        TEXT NOT NULL DEFAULT '',
    theme           TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL DEFAULT '',
    programme       TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    cancelled       INTEGER NOT NULL DEFAULT 0,
    batch_id        INTEGER REFERENCES batches(id),   -- interview recorded by a batch
    -- reminder settings of the event (the messages themselves are in `messages`)
    reminder_enabled     INTEGER NOT NULL DEFAULT 0,
    reminder_days_before INTEGER,
    reminder_at          INTEGER,
    reminder_template_id INTEGER REFERENCES templates(id),
    reminder_text        TEXT,
    reply_text      TEXT,
    reply_at        INTEGER,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX events_by_start ON events(starts_at, id);
CREATE INDEX events_by_participant ON events(participant_id, starts_at);
CREATE INDEX events_by_outcome ON events(outcome, starts_at);

CREATE TABLE automations (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    event_kind    TEXT NOT NULL CHECK (event_kind IN ('interview','step','orientation')),
    collaborators TEXT NOT NULL DEFAULT '[]',   -- JSON array of collaborator ids; empty = any
    event_types   TEXT NOT NULL DEFAULT '[]',   -- JSON array of types; empty = any
    offset_days   INTEGER NOT NULL CHECK (offset_days BETWEEN -7 AND 30 AND offset_days <> 0),
    template_id   INTEGER NOT NULL REFERENCES templates(id),
    active        INTEGER NOT NULL DEFAULT 1,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('batch','free')),
    name        TEXT NOT NULL DEFAULT '',
    template_id INTEGER REFERENCES templates(id),
    text        TEXT NOT NULL,
    campaign    INTEGER NOT NULL DEFAULT 0,   -- information campaign: stricter window
    interview   TEXT NOT NULL DEFAULT '{}',   -- JSON: the interview recorded per recipient
    source      TEXT NOT NULL DEFAULT '',     -- file name or list name
    recipients  INTEGER NOT NULL DEFAULT 0,
    planned_at  INTEGER,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX batches_by_date ON batches(created_at, id);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('instant','scheduled','reminder','follow_up','batch','free')),
    context        TEXT NOT NULL DEFAULT '',   -- interview / step / orientation / batch / free / individual
    status         TEXT NOT NULL CHECK (status IN ('pending','sending','submitted','delivered','not_delivered','expired','failed','stop','cancelled','unknown')),
    participant_id INTEGER REFERENCES participants(id),
    event_id       INTEGER REFERENCES events(id),
    batch_id       INTEGER REFERENCES batches(id),
    template_id    INTEGER REFERENCES templates(id),
    automation_id  INTEGER REFERENCES automations(id),
    collaborator_id INTEGER REFERENCES collaborators(id),
    phone          TEXT NOT NULL,               -- E.164 snapshot taken at creation
    recipient_name TEXT NOT NULL DEFAULT '',    -- snapshot, empty for free sends
    text           TEXT NOT NULL,               -- rendered final text (signature, STOP included)
    manual_edit    INTEGER NOT NULL DEFAULT 0,
    encoding       TEXT NOT NULL CHECK (encoding IN ('GSM-7','UCS-2')),
    chars          INTEGER NOT NULL,
    segments       INTEGER NOT NULL,
    sender         TEXT NOT NULL DEFAULT '',
    expects_reply  INTEGER NOT NULL DEFAULT 0,
    campaign       INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    planned_at     INTEGER NOT NULL,           -- when it may leave (inside the window)
    deadline       INTEGER NOT NULL,           -- after this it expires unsent
    next_attempt_at INTEGER NOT NULL,          -- retries move this, never planned_at
    attempts       INTEGER NOT NULL DEFAULT 0,
    wait_reason    TEXT NOT NULL DEFAULT '',   -- why a due message waits: window, credit, provider
    last_error     TEXT NOT NULL DEFAULT '',
    claimed_by     TEXT,                       -- scheduler holder that moved it to 'sending'
    provider       TEXT NOT NULL DEFAULT '',
    provider_id    TEXT,
    sent_at        INTEGER,                    -- submitted to the provider
    final_at       INTEGER,                    -- reached a final status
    listed_at      INTEGER,                    -- sort key of the Sent list: sent_at, else final_at
    status_at      INTEGER NOT NULL,
    reply_id       INTEGER                     -- first matched reply
);
CREATE INDEX messages_upcoming ON messages(planned_at, id) WHERE status = 'pending';
CREATE INDEX messages_due ON messages(next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX messages_sent_list ON messages(listed_at, id) WHERE listed_at IS NOT NULL;
CREATE INDEX messages_by_status ON messages(status, listed_at, id);
CREATE INDEX messages_in_flight ON messages(status, sent_at) WHERE status IN ('sending','submitted','unknown');
CREATE INDEX messages_by_event ON messages(event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_by_batch ON messages(batch_id, id) WHERE batch_id IS NOT NULL;
CREATE INDEX messages_by_participant ON messages(participant_id, created_at) WHERE participant_id IS NOT NULL;
CREATE INDEX messages_by_phone ON messages(phone, sent_at);
CREATE INDEX messages_by_template ON messages(template_id) WHERE template_id IS NOT NULL;
CREATE INDEX messages_by_provider_id ON messages(provider, provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_by_collaborator ON messages(collaborator_id, listed_at) WHERE collaborator_id IS NOT NULL;

CREATE TABLE message_status_history (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    status     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',   -- operator login or 'scheduler' / provider name
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX status_history_by_message ON message_status_history(message_id, at, id);

CREATE TABLE replies (
    id           INTEGER PRIMARY KEY,
    from_phone   TEXT NOT NULL,
    to_number    TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    provider     TEXT NOT NULL DEFAULT '',
    provider_id  TEXT,
    message_id   INTEGER REFERENCES messages(id),
    event_id     INTEGER REFERENCES events(id),
    keyword      TEXT NOT NULL DEFAULT '',
    outcome      TEXT NOT NULL DEFAULT '',
    -- matched: set an outcome; stop: opted out; review: waits for an operator; resolved: an
    -- operator chose; kept: stored, changes nothing (later replies, no pending question)
    state        TEXT NOT NULL CHECK (state IN ('matched','stop','review','resolved','kept')),
    review_reason TEXT NOT NULL DEFAULT '',
    reviewed_by  TEXT,
    reviewed_at  INTEGER
);
CREATE UNIQUE INDEX replies_provider_id ON replies(provider, provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX replies_by_phone ON replies(from_phone, received_at);
CREATE INDEX replies_by_state ON replies(state, received_at);
CREATE INDEX replies_by_date ON replies(received_at, id);

CREATE TABLE opt_outs (
    phone      TEXT PRIMARY KEY,   -- E.164
    at         INTEGER NOT NULL,
    source     TEXT NOT NULL,      -- reply, operator, provider, import
    reply_id   INTEGER REFERENCES replies(id),
    created_by TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE credit_packs (
    id          INTEGER PRIMARY KEY,
    bought_on   TEXT NOT NULL,    -- YYYY-MM-DD
    units       INTEGER NOT NULL CHECK (units > 0),
    label       TEXT NOT NULL DEFAULT '',
    price_cents INTEGER,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- One row per charge; a message is charged once at most (unique message_id for sends).
CREATE TABLE credit_ledger (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER REFERENCES messages(id),
    units      INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('send','adjust')),
    note       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX credit_ledger_once ON credit_ledger(message_id) WHERE kind = 'send';
CREATE INDEX credit_ledger_by_date ON credit_ledger(at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,        -- e.g. message.cancel, settings.set, user.add
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_date ON audit_log(at, id);

-- The sending lease: one row; the holder renews it with heartbeats, others take over when it lapses.
CREATE TABLE scheduler_lease (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    holder       TEXT NOT NULL,
    acquired_at  INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);

-- Small runtime facts the dashboard shows (last poll, provider health, reply cursor…).
CREATE TABLE runtime_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
