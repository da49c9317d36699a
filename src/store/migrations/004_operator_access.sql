-- smsdesk schema, version 4: operators reach smsdesk over SSH, each by their own keys (sshd asks
-- `smsdesk ssh authorized-keys` at each login, so a removed key or a deactivated operator is
-- refused at once); each operator's language, whatever the server's LANG.

CREATE TABLE operator_keys (
    id          INTEGER PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES operators(id),
    kind        TEXT NOT NULL,
    blob        TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    -- SHA256:… as ssh-keygen -l prints it; one key identifies one operator only.
    fingerprint TEXT NOT NULL UNIQUE,
    added_at    INTEGER NOT NULL,
    added_by    TEXT NOT NULL
);
CREATE INDEX operator_keys_by_operator ON operator_keys(operator_id);
CREATE INDEX operator_keys_by_blob ON operator_keys(kind, blob);

-- NULL: the operator follows the store's language setting (and the server's LANG).
ALTER TABLE operators ADD COLUMN language TEXT;
