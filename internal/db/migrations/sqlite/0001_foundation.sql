-- Foundation: regions, users and sessions, the audit chain, households and members.
-- Timestamps are UTC text (db.TimeLayout); dates are YYYY-MM-DD text; money is integer fen.

CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('city', 'county', 'town', 'village')),
	parent_code TEXT REFERENCES regions (code),
	weak_level TEXT NOT NULL DEFAULT '' CHECK (weak_level IN ('', 'province_200', 'province_60', 'city', 'county')),
	weak_lax INTEGER NOT NULL DEFAULT 0,
	area TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code, code);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	role TEXT NOT NULL,
	scope_code TEXT NOT NULL REFERENCES regions (code),
	password_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	last_login_at TEXT
);
CREATE INDEX users_scope ON users (scope_code, id);

CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	csrf_token TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	revoked_at TEXT,
	last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

CREATE TABLE audit_events (
	seq INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	actor_id INTEGER NOT NULL,
	actor_name TEXT NOT NULL,
	action TEXT NOT NULL,
	entity_type TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	region_code TEXT NOT NULL,
	before_json TEXT NOT NULL,
	after_json TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_region ON audit_events (region_code, seq);

-- One row: the chain's head. Appenders lock it, so events get gap-free sequence numbers in
-- commit order, and verify can tell a cut-off tail from a complete chain.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE households (
	id INTEGER PRIMARY KEY,
	household_no TEXT NOT NULL UNIQUE,
	region_code TEXT NOT NULL REFERENCES regions (code),
	group_name TEXT NOT NULL DEFAULT '',
	head_name TEXT NOT NULL,
	head_id_number TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	household_type TEXT NOT NULL CHECK (household_type IN ('dibao', 'tekun', 'general')),
	causes TEXT NOT NULL DEFAULT '',
	bank TEXT NOT NULL DEFAULT '',
	account_no TEXT NOT NULL DEFAULT '',
	income_per_capita_fen INTEGER NOT NULL DEFAULT 0,
	income_year INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL CHECK (status IN ('applying', 'registered', 'exited', 'removed')),
	registered_on TEXT,
	exited_on TEXT,
	policy_until TEXT,
	members_count INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX households_region ON households (region_code, id);
CREATE INDEX households_status_region ON households (status, region_code, id);

CREATE TABLE members (
	id INTEGER PRIMARY KEY,
	household_id INTEGER NOT NULL REFERENCES households (id),
	region_code TEXT NOT NULL,
	id_number TEXT NOT NULL,
	name TEXT NOT NULL,
	relation TEXT NOT NULL,
	sex TEXT NOT NULL,
	birth_date TEXT NOT NULL,
	health TEXT NOT NULL DEFAULT 'healthy',
	disability_grade INTEGER NOT NULL DEFAULT 0,
	labour TEXT NOT NULL DEFAULT 'full',
	in_school INTEGER NOT NULL DEFAULT 0,
	medical_insurance INTEGER NOT NULL DEFAULT 1,
	deceased_on TEXT,
	active INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX members_household ON members (household_id, id);
CREATE INDEX members_region ON members (region_code, id);
-- One ID number may be in at most one active household.
CREATE UNIQUE INDEX members_active_id ON members (id_number) WHERE active = 1;
