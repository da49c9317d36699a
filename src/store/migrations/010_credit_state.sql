-- smsdesk schema: the credit balance kept as it moves (issue 15). The scheduler reads the
-- balance on every claim; summing the packs and the whole ledger each time made a claim cost
-- grow with history (~32 ms on 10⁶ messages). One row holds the units bought and consumed,
-- moved by triggers in the same statement (hence the same transaction) as each pack or ledger
-- row written, changed or removed, whoever writes it: the product, the demo, the generator or
-- an older build's direct SQL. Balance = bought − consumed, read in one look-up.
--
-- `reserved` is the credit promised to messages that may have left but are not charged: those
-- being sent, and those left "unknown — check" (the provider may have taken them; a late report
-- or an operator's decision charges them). The scheduler claims only what bought − consumed −
-- reserved allows, so no message leaves on credit already promised.
--
-- A pack or ledger row changed or removed moves its total the same way: those triggers are
-- written once in `store/migrations.rs` (units_changed_or_removed) and stand here in braces.
CREATE TABLE credit_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    bought   INTEGER NOT NULL,
    consumed INTEGER NOT NULL,
    reserved INTEGER NOT NULL
);
INSERT INTO credit_state(id, bought, consumed, reserved)
VALUES (1,
        (SELECT COALESCE(SUM(units), 0) FROM credit_packs),
        (SELECT COALESCE(SUM(units), 0) FROM credit_ledger),
        (SELECT COALESCE(SUM(segments), 0) FROM messages WHERE status IN ('sending', 'unknown')));

CREATE TRIGGER credit_state_pack_added AFTER INSERT ON credit_packs BEGIN
    UPDATE credit_state SET bought = bought + NEW.units WHERE id = 1;
END;
{pack_changed_or_removed}
-- A row written without its running total (direct SQL) gets it from the kept sum, so the
-- next charge's running total stays right too.
CREATE TRIGGER credit_state_charged AFTER INSERT ON credit_ledger BEGIN
    UPDATE credit_state SET consumed = consumed + NEW.units WHERE id = 1;
    UPDATE credit_ledger SET running = (SELECT consumed FROM credit_state WHERE id = 1)
     WHERE id = NEW.id AND NEW.running IS NULL;
END;
{charge_changed_or_removed}

CREATE TRIGGER credit_state_message_added AFTER INSERT ON messages
WHEN NEW.status IN ('sending', 'unknown') BEGIN
    UPDATE credit_state SET reserved = reserved + NEW.segments WHERE id = 1;
END;
CREATE TRIGGER credit_state_message_changed AFTER UPDATE OF status, segments ON messages
WHEN OLD.status IN ('sending', 'unknown') OR NEW.status IN ('sending', 'unknown') BEGIN
    UPDATE credit_state
       SET reserved = reserved
                    + (CASE WHEN NEW.status IN ('sending', 'unknown') THEN NEW.segments ELSE 0 END)
                    - (CASE WHEN OLD.status IN ('sending', 'unknown') THEN OLD.segments ELSE 0 END)
     WHERE id = 1;
END;
CREATE TRIGGER credit_state_message_removed AFTER DELETE ON messages
WHEN OLD.status IN ('sending', 'unknown') BEGIN
    UPDATE credit_state SET reserved = reserved - OLD.segments WHERE id = 1;
END;

-- The scheduler looks for pending messages past their deadline on every pass, and for messages
-- left "unknown — check" in the last day: each found by its own index, without reading the
-- rest of the queue or every unknown message of the history.
CREATE INDEX messages_overdue ON messages(deadline, id) WHERE status = 'pending';
CREATE INDEX messages_unknown ON messages(status_at, id) WHERE status = 'unknown';
