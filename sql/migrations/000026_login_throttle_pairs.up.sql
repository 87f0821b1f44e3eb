-- Login throttling per (account, client address), per address and per account (OWASP), so that
-- wrong passwords from one address no longer lock an account for everyone. Each row is one
-- counter of a kind:
--   pair     account and address: a password guessed for one account from one address;
--   address  account = '': every failure from one address, whatever the account (spraying);
--   account  address = '': every failure on one account, whatever the address (distributed).
-- account is 'user:<id>' for an existing account and 'login:<identifier>' for an unknown one, so
-- both are treated alike. The former keys become account ('user:', 'login:') and address ('ip:')
-- counters.
ALTER TABLE login_throttle
    ADD COLUMN account text,
    ADD COLUMN address text,
    ADD COLUMN kind    text;

UPDATE login_throttle SET
    account = CASE WHEN key LIKE 'ip:%' THEN '' ELSE key END,
    address = CASE WHEN key LIKE 'ip:%' THEN substr(key, 4) ELSE '' END,
    kind    = CASE WHEN key LIKE 'ip:%' THEN 'address' ELSE 'account' END;

ALTER TABLE login_throttle
    DROP CONSTRAINT login_throttle_pkey,
    DROP COLUMN key,
    ALTER COLUMN account SET NOT NULL,
    ALTER COLUMN address SET NOT NULL,
    ALTER COLUMN kind SET NOT NULL,
    ADD CONSTRAINT login_throttle_kind_check CHECK (kind IN ('pair', 'address', 'account')),
    ADD CONSTRAINT login_throttle_address_kind_check CHECK (kind <> 'address' OR (account = '' AND address <> '')),
    ADD CONSTRAINT login_throttle_account_kind_check CHECK (kind <> 'account' OR (account <> '' AND address = '')),
    ADD CONSTRAINT login_throttle_pair_kind_check CHECK (kind <> 'pair' OR account <> ''),
    ADD PRIMARY KEY (account, address, kind);
