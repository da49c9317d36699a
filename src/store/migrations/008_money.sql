-- smsdesk schema: money (issue 14). A pack's price per SMS unit, in millionths of its
-- currency (exact integers, never floats), and that currency; each ledger row keeps the running
-- total of units consumed through it, so what a charge is worth follows from the packs (first
-- in, first out) without summing the ledger. Independent of the other changes of the same
-- release: it touches the credit tables only.
ALTER TABLE credit_packs ADD COLUMN unit_price_micros INTEGER
    CHECK (unit_price_micros IS NULL OR unit_price_micros >= 0);
ALTER TABLE credit_packs ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR';
-- The total price some stores may hold (never written by smsdesk so far) becomes a unit price.
UPDATE credit_packs SET unit_price_micros = (price_cents * 10000 + units / 2) / units
 WHERE price_cents IS NOT NULL AND unit_price_micros IS NULL;
ALTER TABLE credit_ledger ADD COLUMN running INTEGER;
UPDATE credit_ledger SET running = r.total
  FROM (SELECT id, SUM(units) OVER (ORDER BY id) AS total FROM credit_ledger) AS r
 WHERE r.id = credit_ledger.id;
