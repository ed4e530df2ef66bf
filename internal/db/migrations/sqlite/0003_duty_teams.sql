-- Responsibility beyond helpers: work teams (帮扶工作队) and first secretaries (第一书记) sent to
-- weak and 软弱涣散 villages, and the leaders who carry the main responsibility of a county or town.

CREATE TABLE work_teams (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	dispatching_unit TEXT NOT NULL,
	leader_name TEXT NOT NULL,
	leader_phone TEXT NOT NULL DEFAULT '',
	members_json TEXT NOT NULL DEFAULT '[]',
	from_date TEXT NOT NULL,
	to_date TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX work_teams_region ON work_teams (region_code, id);

CREATE TABLE first_secretaries (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	id_number TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	dispatching_unit TEXT NOT NULL,
	position TEXT NOT NULL DEFAULT '',
	term_from TEXT NOT NULL,
	term_to TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX first_secretaries_region ON first_secretaries (region_code, id);

CREATE TABLE responsible_leaders (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	position TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	from_date TEXT NOT NULL,
	to_date TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX responsible_leaders_region ON responsible_leaders (region_code, id);
