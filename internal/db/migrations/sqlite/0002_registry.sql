-- Registry: the full household record (income parts, guarantees), members leaving, the
-- sign-off procedures with their signatures, attachments, publicity notices and objections,
-- the yearly income line, and helpers with their household assignments.

ALTER TABLE households ADD COLUMN income_wage_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN income_production_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN income_property_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN income_transfer_fen INTEGER NOT NULL DEFAULT 0;
-- 两不愁三保障 + drinking water: ok, gap (not met) or na (does not apply, e.g. no pupils).
ALTER TABLE households ADD COLUMN g_food TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE households ADD COLUMN g_education TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE households ADD COLUMN g_medical TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE households ADD COLUMN g_housing TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE households ADD COLUMN g_water TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE households ADD COLUMN removed_on TEXT;
ALTER TABLE households ADD COLUMN returns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- Where the row came from: 'console', 'demo' or 'import:<file sha-256 prefix>'.
ALTER TABLE households ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE INDEX households_type_region ON households (household_type, region_code, id);

ALTER TABLE members ADD COLUMN left_on TEXT;
ALTER TABLE members ADD COLUMN left_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- A procedure chain as data: kind + version → ordered steps (JSON). New versions apply to
-- procedures started afterwards; a running procedure keeps the version it started with.
CREATE TABLE procedure_defs (
	kind TEXT NOT NULL,
	version INTEGER NOT NULL,
	steps_json TEXT NOT NULL,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (kind, version)
);

CREATE TABLE procedures (
	id INTEGER PRIMARY KEY,
	household_id INTEGER NOT NULL REFERENCES households (id),
	region_code TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('registration', 'exit', 'removal', 'return')),
	def_version INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
	step INTEGER NOT NULL,
	step_role TEXT NOT NULL,
	step_level TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	started_by INTEGER NOT NULL,
	started_at TEXT NOT NULL,
	finished_at TEXT,
	updated_at TEXT NOT NULL
);
CREATE INDEX procedures_inbox ON procedures (status, step_role, region_code, id);
CREATE INDEX procedures_household ON procedures (household_id, id);
-- At most one procedure at a time per household.
CREATE UNIQUE INDEX procedures_open ON procedures (household_id) WHERE status = 'open';

CREATE TABLE attachments (
	id INTEGER PRIMARY KEY,
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	data BLOB NOT NULL,
	region_code TEXT NOT NULL,
	uploaded_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX attachments_sha ON attachments (sha256);

CREATE TABLE procedure_signatures (
	id INTEGER PRIMARY KEY,
	procedure_id INTEGER NOT NULL REFERENCES procedures (id),
	step INTEGER NOT NULL,
	step_key TEXT NOT NULL,
	decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
	opinion TEXT NOT NULL,
	back_to INTEGER,
	user_id INTEGER NOT NULL,
	user_name TEXT NOT NULL,
	role TEXT NOT NULL,
	attachment_id INTEGER REFERENCES attachments (id),
	at TEXT NOT NULL
);
CREATE INDEX procedure_signatures_proc ON procedure_signatures (procedure_id, id);

CREATE TABLE publicity_notices (
	id INTEGER PRIMARY KEY,
	procedure_id INTEGER NOT NULL REFERENCES procedures (id),
	step INTEGER NOT NULL,
	region_code TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	starts_at TEXT NOT NULL,
	ends_at TEXT NOT NULL,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX publicity_notices_proc ON publicity_notices (procedure_id, id);
CREATE INDEX publicity_notices_region ON publicity_notices (region_code, ends_at);

CREATE TABLE objections (
	id INTEGER PRIMARY KEY,
	notice_id INTEGER NOT NULL REFERENCES publicity_notices (id),
	procedure_id INTEGER NOT NULL REFERENCES procedures (id),
	region_code TEXT NOT NULL,
	content TEXT NOT NULL,
	contact TEXT NOT NULL DEFAULT '',
	lodged_by INTEGER NOT NULL,
	lodged_at TEXT NOT NULL,
	answer TEXT,
	answered_by INTEGER,
	answered_at TEXT
);
CREATE INDEX objections_proc ON objections (procedure_id, id);

-- The income line (per capita, yearly) under which a household is low-income; a row for a
-- region code applies to everything under it, the most specific row wins.
CREATE TABLE income_lines (
	year INTEGER NOT NULL,
	region_code TEXT NOT NULL,
	line_fen INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (year, region_code)
);

-- 帮扶责任人. region_code is the office that registered the helper (their scope).
CREATE TABLE helpers (
	id INTEGER PRIMARY KEY,
	id_number TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	employer TEXT NOT NULL DEFAULT '',
	position TEXT NOT NULL DEFAULT '',
	party_member INTEGER NOT NULL DEFAULT 0,
	region_code TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX helpers_region ON helpers (region_code, id);

-- A household's helper over time; the open row (to_date NULL) is the current one.
CREATE TABLE assignments (
	id INTEGER PRIMARY KEY,
	household_id INTEGER NOT NULL REFERENCES households (id),
	helper_id INTEGER NOT NULL REFERENCES helpers (id),
	region_code TEXT NOT NULL,
	from_date TEXT NOT NULL,
	to_date TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX assignments_current ON assignments (household_id) WHERE to_date IS NULL;
CREATE INDEX assignments_helper ON assignments (helper_id, id);
