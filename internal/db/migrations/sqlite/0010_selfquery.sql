-- Own-household query (户籍自查) on the public portal and the kiosk: the installation secret
-- that keys captcha tokens and the limiter's hashes, the captcha nonces already spent, and
-- the recent queries the rate limits count.

-- Secrets made once per installation (name 'install': 32 random bytes, hex). Never exported,
-- never shown.
CREATE TABLE app_secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	created_at TEXT NOT NULL
);

-- A captcha token is good once: its nonce is kept here until the token expires.
CREATE TABLE captcha_nonces (
	nonce TEXT PRIMARY KEY,
	expires_at TEXT NOT NULL
);
CREATE INDEX captcha_nonces_expiry ON captcha_nonces (expires_at);

-- One row per counted query and per key: kind 'client' keys the HMAC of the client's
-- address, kind 'id' the HMAC of the ID number asked about (never the number itself).
-- Rows older than the window are pruned.
CREATE TABLE selfquery_hits (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('client', 'id')),
	key_hash TEXT NOT NULL,
	at TEXT NOT NULL
);
CREATE INDEX selfquery_hits_kind ON selfquery_hits (kind, key_hash, at);
CREATE INDEX selfquery_hits_at ON selfquery_hits (at);
