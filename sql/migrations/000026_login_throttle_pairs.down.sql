-- Back to one counter per key ('user:<id>', 'login:<identifier>', 'ip:<address>'); the
-- (account, address) counters have no equivalent and are dropped.
DELETE FROM login_throttle WHERE kind = 'pair';

ALTER TABLE login_throttle ADD COLUMN key text;

UPDATE login_throttle SET key = CASE kind WHEN 'address' THEN 'ip:' || address ELSE account END;

ALTER TABLE login_throttle
    DROP CONSTRAINT login_throttle_pkey,
    DROP COLUMN account,
    DROP COLUMN address,
    DROP COLUMN kind,
    ALTER COLUMN key SET NOT NULL,
    ADD PRIMARY KEY (key);
