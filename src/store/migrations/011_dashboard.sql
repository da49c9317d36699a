-- smsdesk schema: what the dashboard reads on every refresh, without reading the history
-- (issue 15).
--
-- Messages left "unknown — check", oldest first: a partial index holding those rows only (a
-- crash leaves a handful; the refresh must not sort them out of every unknown message).
CREATE INDEX messages_unknown_by_plan ON messages(planned_at, id) WHERE status = 'unknown';

-- Credit consumed per quarter of an hour. The dashboard's 30 days of
-- consumption and what they are worth read these few hundred rows instead of every ledger row
-- of the month (tens of thousands at 10⁶ messages). A quarter of an hour divides every
-- timezone's offset from UTC, so local days are whole sets of quarters.
--
-- Kept up to date by triggers in the same transaction as the ledger's own writes, whoever
-- writes (scheduler, import, demo, another process): an insert adds to its quarter; a
-- delete or an update (rare: corrections) recomputes the quarters it touched from the ledger.
-- `low` and `high` are the smallest `running - units` and the largest `running` of the
-- quarter (NULL when its rows carry no running total), as `consumption_value` needs them.
CREATE TABLE credit_quarters (
    quarter INTEGER PRIMARY KEY,  -- at / 900
    units   INTEGER NOT NULL,
    low     INTEGER,
    high    INTEGER
);

INSERT INTO credit_quarters(quarter, units, low, high)
SELECT at / 900, SUM(units), MIN(running - units), MAX(running)
  FROM credit_ledger GROUP BY at / 900;

CREATE TRIGGER credit_quarters_insert AFTER INSERT ON credit_ledger BEGIN
    INSERT INTO credit_quarters(quarter, units, low, high)
    VALUES (NEW.at / 900, NEW.units, NEW.running - NEW.units, NEW.running)
    ON CONFLICT(quarter) DO UPDATE SET
        units = units + excluded.units,
        low = COALESCE(min(low, excluded.low), low, excluded.low),
        high = COALESCE(max(high, excluded.high), high, excluded.high);
END;

CREATE TRIGGER credit_quarters_delete AFTER DELETE ON credit_ledger BEGIN
    DELETE FROM credit_quarters WHERE quarter = OLD.at / 900;
    INSERT INTO credit_quarters(quarter, units, low, high)
    SELECT OLD.at / 900, SUM(units), MIN(running - units), MAX(running)
      FROM credit_ledger
     WHERE at >= (OLD.at / 900) * 900 AND at < (OLD.at / 900 + 1) * 900
    HAVING count(*) > 0;
END;

CREATE TRIGGER credit_quarters_update AFTER UPDATE OF units, at, running ON credit_ledger BEGIN
    DELETE FROM credit_quarters WHERE quarter IN (OLD.at / 900, NEW.at / 900);
    INSERT INTO credit_quarters(quarter, units, low, high)
    SELECT at / 900, SUM(units), MIN(running - units), MAX(running)
      FROM credit_ledger
     WHERE (at >= (OLD.at / 900) * 900 AND at < (OLD.at / 900 + 1) * 900)
        OR (at >= (NEW.at / 900) * 900 AND at < (NEW.at / 900 + 1) * 900)
     GROUP BY at / 900;
END;
