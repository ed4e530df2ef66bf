-- Social forces' registers (精准聚合扶贫力量, the part beside the donation platform):
-- volunteers and third-party firms with their service records, deputies (人大代表, five
-- levels) and CPPCC members (政协委员) paired with villages, village–enterprise pairs (村企结对)
-- with their activities, and the entrepreneurs from the city working elsewhere (在外创业人士)
-- with their matches to projects. Nothing here is deleted: providers turn inactive, pairings
-- end, matches move through their states; service records and activities are appended only.

-- A volunteer or a firm (law, bookkeeping, accounting, other). services is a JSON array of
-- short texts; credit_code is the firm's 统一社会信用代码 ('' for volunteers).
CREATE TABLE partner_providers (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('volunteer', 'law_firm', 'bookkeeping_firm', 'accounting_firm', 'other_firm')),
	name TEXT NOT NULL,
	contact_person TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	credit_code TEXT NOT NULL DEFAULT '',
	region_code TEXT NOT NULL REFERENCES regions (code),
	services TEXT NOT NULL DEFAULT '[]',
	status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX partner_providers_region ON partner_providers (region_code, id);
-- a firm is registered once per area it serves
CREATE UNIQUE INDEX partner_providers_credit ON partner_providers (region_code, credit_code) WHERE credit_code <> '';

-- A service a provider gave in a village (服务记录), optionally to one household. hours_c is
-- hundredths of an hour, so sums are exact on both databases.
CREATE TABLE partner_services (
	id INTEGER PRIMARY KEY,
	provider_id INTEGER NOT NULL REFERENCES partner_providers (id),
	region_code TEXT NOT NULL REFERENCES regions (code),
	household_id INTEGER REFERENCES households (id),
	served_on TEXT NOT NULL,
	service TEXT NOT NULL,
	content TEXT NOT NULL DEFAULT '',
	hours_c INTEGER NOT NULL CHECK (hours_c > 0 AND hours_c <= 2400),
	people INTEGER NOT NULL CHECK (people >= 1),
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX partner_services_provider ON partner_services (provider_id, served_on, id);
CREATE INDEX partner_services_region ON partner_services (region_code, served_on, id);

-- A deputy (npc, five levels) or a CPPCC member (no town level). region_code is the
-- constituency or registration region.
CREATE TABLE partner_deputies (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('npc', 'cppcc')),
	level TEXT NOT NULL CHECK (level IN ('national', 'province', 'city', 'county', 'town')),
	name TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL DEFAULT '',
	region_code TEXT NOT NULL REFERENCES regions (code),
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	CHECK (kind = 'npc' OR level <> 'town')
);
CREATE INDEX partner_deputies_region ON partner_deputies (region_code, id);

-- A pairing with a village: a deputy's (kind deputy) or an enterprise's (kind enterprise).
-- Ending keeps the row (status ended, until). One active pairing per deputy or enterprise
-- and village.
CREATE TABLE partner_pairings (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('deputy', 'enterprise')),
	deputy_id INTEGER REFERENCES partner_deputies (id),
	enterprise TEXT NOT NULL DEFAULT '',
	credit_code TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	village_code TEXT NOT NULL REFERENCES regions (code),
	since TEXT NOT NULL,
	until TEXT,
	status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
	commitment TEXT NOT NULL DEFAULT '',
	pledged_fen INTEGER NOT NULL DEFAULT 0 CHECK (pledged_fen >= 0),
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	CHECK (kind = 'deputy' AND deputy_id IS NOT NULL OR kind = 'enterprise' AND deputy_id IS NULL AND credit_code <> '')
);
CREATE INDEX partner_pairings_village ON partner_pairings (village_code, id);
CREATE INDEX partner_pairings_deputy ON partner_pairings (deputy_id, id) WHERE deputy_id IS NOT NULL;
CREATE UNIQUE INDEX partner_pairings_deputy_active ON partner_pairings (deputy_id, village_code) WHERE status = 'active' AND kind = 'deputy';
CREATE UNIQUE INDEX partner_pairings_enterprise_active ON partner_pairings (credit_code, village_code) WHERE status = 'active' AND kind = 'enterprise';

-- What a pairing did (结对活动), appended only. region_code is the pairing's village.
CREATE TABLE partner_activities (
	id INTEGER PRIMARY KEY,
	pairing_id INTEGER NOT NULL REFERENCES partner_pairings (id),
	region_code TEXT NOT NULL,
	on_date TEXT NOT NULL,
	title TEXT NOT NULL,
	content TEXT NOT NULL DEFAULT '',
	value_fen INTEGER NOT NULL DEFAULT 0 CHECK (value_fen >= 0),
	people INTEGER NOT NULL DEFAULT 0 CHECK (people >= 0),
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX partner_activities_pairing ON partner_activities (pairing_id, on_date, id);
CREATE INDEX partner_activities_region ON partner_activities (region_code, on_date, id);

-- An entrepreneur from the city working elsewhere (在外创业人士名录库); hometown is a town or
-- village of the city. capital/project/technology: willing to bring them home (0/1).
CREATE TABLE partner_entrepreneurs (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	hometown_code TEXT NOT NULL REFERENCES regions (code),
	works_in TEXT NOT NULL DEFAULT '',
	company TEXT NOT NULL DEFAULT '',
	industry TEXT NOT NULL DEFAULT '',
	capital INTEGER NOT NULL DEFAULT 0 CHECK (capital IN (0, 1)),
	project INTEGER NOT NULL DEFAULT 0 CHECK (project IN (0, 1)),
	technology INTEGER NOT NULL DEFAULT 0 CHECK (technology IN (0, 1)),
	capital_fen INTEGER NOT NULL DEFAULT 0 CHECK (capital_fen >= 0),
	notes TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX partner_entrepreneurs_hometown ON partner_entrepreneurs (hometown_code, id);

-- A match of an entrepreneur with a project (对接记录): proposed → contacted → agreed |
-- declined. score and reasons (a JSON array) are the suggestion's when it was recorded;
-- region_code is the project's.
CREATE TABLE partner_matches (
	id INTEGER PRIMARY KEY,
	entrepreneur_id INTEGER NOT NULL REFERENCES partner_entrepreneurs (id),
	project_id INTEGER NOT NULL REFERENCES projects (id),
	region_code TEXT NOT NULL,
	score INTEGER NOT NULL DEFAULT 0,
	reasons TEXT NOT NULL DEFAULT '[]',
	status TEXT NOT NULL CHECK (status IN ('proposed', 'contacted', 'agreed', 'declined')),
	note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (entrepreneur_id, project_id)
);
CREATE INDEX partner_matches_project ON partner_matches (project_id);
