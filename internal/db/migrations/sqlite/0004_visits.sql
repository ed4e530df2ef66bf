-- Quarterly visits from the helpers' field app: which user account a helper signs in with,
-- where households live, photos uploaded in resumable parts, visits with their fake-visit
-- signals, and phone edits that met a server edit (conflicts kept for review).

-- The account a helper signs in with on the phone (role helper); one account per helper.
ALTER TABLE helpers ADD COLUMN user_id INTEGER REFERENCES users (id);
CREATE UNIQUE INDEX helpers_user ON helpers (user_id) WHERE user_id IS NOT NULL;

-- Where a household lives, WGS-84 as phones report it: the reference for the distance check.
CREATE TABLE household_locations (
	household_id INTEGER PRIMARY KEY REFERENCES households (id),
	lat REAL NOT NULL,
	lng REAL NOT NULL,
	source TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- A photo is named by the SHA-256 of its bytes. Until complete, its bytes arrive as parts
-- (resumable upload); on completion they are joined into data and the parts dropped.
-- ph1..ph4 are the four 16-bit bands of the 64-bit perceptual hash: two photos within
-- Hamming distance 3 share at least one band, so near-duplicates are found by index.
CREATE TABLE photos (
	sha256 TEXT PRIMARY KEY,
	uploaded_by INTEGER NOT NULL REFERENCES users (id),
	size INTEGER NOT NULL,
	content_type TEXT NOT NULL DEFAULT '',
	width INTEGER NOT NULL DEFAULT 0,
	height INTEGER NOT NULL DEFAULT 0,
	phash TEXT NOT NULL DEFAULT '',
	ph1 INTEGER,
	ph2 INTEGER,
	ph3 INTEGER,
	ph4 INTEGER,
	data BLOB,
	complete INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX photos_ph1 ON photos (ph1);
CREATE INDEX photos_ph2 ON photos (ph2);
CREATE INDEX photos_ph3 ON photos (ph3);
CREATE INDEX photos_ph4 ON photos (ph4);

CREATE TABLE photo_parts (
	sha256 TEXT NOT NULL REFERENCES photos (sha256),
	pos INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (sha256, pos)
);

CREATE TABLE visits (
	id INTEGER PRIMARY KEY,
	client_id TEXT NOT NULL UNIQUE,
	household_id INTEGER NOT NULL REFERENCES households (id),
	helper_id INTEGER NOT NULL REFERENCES helpers (id),
	user_id INTEGER NOT NULL REFERENCES users (id),
	region_code TEXT NOT NULL,
	quarter TEXT NOT NULL,
	visited_at TEXT NOT NULL,
	recorded_at TEXT NOT NULL,
	received_at TEXT NOT NULL,
	lat REAL,
	lng REAL,
	accuracy_m REAL,
	distance_m REAL,
	g_food TEXT NOT NULL,
	g_education TEXT NOT NULL,
	g_medical TEXT NOT NULL,
	g_housing TEXT NOT NULL,
	g_water TEXT NOT NULL,
	income_fen INTEGER,
	needs TEXT NOT NULL DEFAULT '',
	measures TEXT NOT NULL DEFAULT '',
	notes TEXT NOT NULL DEFAULT '',
	confirmed INTEGER NOT NULL DEFAULT 0,
	confirmed_by TEXT NOT NULL DEFAULT '',
	content_hash TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	conflict INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX visits_region_quarter ON visits (region_code, quarter, id);
CREATE INDEX visits_household ON visits (household_id, visited_at);
CREATE INDEX visits_helper ON visits (helper_id, visited_at);

CREATE TABLE visit_photos (
	visit_id INTEGER NOT NULL REFERENCES visits (id),
	sha256 TEXT NOT NULL REFERENCES photos (sha256),
	taken_at TEXT,
	PRIMARY KEY (visit_id, sha256)
);
CREATE INDEX visit_photos_sha ON visit_photos (sha256);

-- A fake-visit sign on a visit: far_from_home, same_photo, late_record, impossible_travel.
CREATE TABLE visit_signals (
	id INTEGER PRIMARY KEY,
	visit_id INTEGER NOT NULL REFERENCES visits (id),
	kind TEXT NOT NULL,
	region_code TEXT NOT NULL,
	other_visit_id INTEGER REFERENCES visits (id),
	value REAL NOT NULL DEFAULT 0,
	detail TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX visit_signals_visit ON visit_signals (visit_id);
CREATE INDEX visit_signals_region ON visit_signals (region_code, kind, id);

-- A phone edit based on a version the server had already changed: kept whole until someone
-- in the office takes the phone's or the server's side.
CREATE TABLE visit_conflicts (
	id INTEGER PRIMARY KEY,
	visit_id INTEGER NOT NULL REFERENCES visits (id),
	base_version INTEGER NOT NULL,
	server_version INTEGER NOT NULL,
	payload_json TEXT NOT NULL,
	user_id INTEGER NOT NULL REFERENCES users (id),
	resolution TEXT NOT NULL DEFAULT '',
	resolved_by INTEGER REFERENCES users (id),
	resolved_at TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX visit_conflicts_visit ON visit_conflicts (visit_id, id);
