-- Cross-checks (信息比对): households' signed authorisations, external datasets (metadata only:
-- the files stay on disk under the data directory, named by their SHA-256), rule sets as
-- versioned data, runs, and the doubts (疑点) they raise with their verification (核查).

-- 授权委托书: a household's signed consent to the economic-status check. History is kept; the
-- household is authorised while it has a row that is not revoked.
CREATE TABLE authorisations (
	id INTEGER PRIMARY KEY,
	household_id INTEGER NOT NULL REFERENCES households (id),
	region_code TEXT NOT NULL,
	signed_on TEXT NOT NULL,
	attachment_id INTEGER NOT NULL REFERENCES attachments (id),
	note TEXT NOT NULL DEFAULT '',
	recorded_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	revoked_on TEXT,
	revoked_reason TEXT NOT NULL DEFAULT '',
	revoked_by INTEGER
);
CREATE INDEX authorisations_household ON authorisations (household_id, id);
CREATE INDEX authorisations_region ON authorisations (region_code, household_id);

-- A registered external file. region_code is the registering office's scope; the same file
-- (kind + SHA-256) registered again in the same scope is the same dataset.
CREATE TABLE datasets (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	file_name TEXT NOT NULL,
	format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
	size INTEGER NOT NULL,
	source_dept TEXT NOT NULL,
	as_of TEXT NOT NULL,
	rows_total INTEGER NOT NULL,
	rows_matched INTEGER NOT NULL,
	rows_rejected INTEGER NOT NULL,
	-- the first rejected rows (line, column, reason) as the scan reported them
	rejected_json TEXT NOT NULL DEFAULT '[]',
	region_code TEXT NOT NULL,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX datasets_file ON datasets (kind, sha256, region_code);
CREATE INDEX datasets_region ON datasets (region_code, id);

-- Rule sets: every change is a new version of the region's set (city or county); a run uses
-- the newest version of the most specific set covering the runner's scope.
CREATE TABLE crosscheck_rulesets (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL,
	version INTEGER NOT NULL,
	rules_json TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by INTEGER NOT NULL,
	created_by_name TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX crosscheck_rulesets_version ON crosscheck_rulesets (region_code, version);

CREATE TABLE crosscheck_runs (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
	-- 0 = the built-in default rules
	ruleset_id INTEGER NOT NULL,
	ruleset_version INTEGER NOT NULL,
	-- [{id, kind, sha256, as_of}] of the datasets read
	datasets_json TEXT NOT NULL,
	include_unauthorised INTEGER NOT NULL,
	households INTEGER NOT NULL DEFAULT 0,
	members INTEGER NOT NULL DEFAULT 0,
	skipped_unauthorised INTEGER NOT NULL DEFAULT 0,
	rows_scanned INTEGER NOT NULL DEFAULT 0,
	rows_matched INTEGER NOT NULL DEFAULT 0,
	rows_rejected INTEGER NOT NULL DEFAULT 0,
	doubts_found INTEGER NOT NULL DEFAULT 0,
	doubts_new INTEGER NOT NULL DEFAULT 0,
	doubts_repeated INTEGER NOT NULL DEFAULT 0,
	doubts_updated INTEGER NOT NULL DEFAULT 0,
	doubts_suppressed INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	started_by INTEGER NOT NULL,
	started_by_name TEXT NOT NULL,
	started_at TEXT NOT NULL,
	finished_at TEXT,
	duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX crosscheck_runs_region ON crosscheck_runs (region_code, id);

-- 疑点. member_id 0 = a household-level doubt. The latest doubt of a (household, rule, member)
-- decides whether a run raises it again: not while it is open, not once closed as explained
-- or data error with the same evidence_hash.
CREATE TABLE doubts (
	id INTEGER PRIMARY KEY,
	run_id INTEGER NOT NULL REFERENCES crosscheck_runs (id),
	last_run_id INTEGER NOT NULL REFERENCES crosscheck_runs (id),
	household_id INTEGER NOT NULL REFERENCES households (id),
	member_id INTEGER NOT NULL DEFAULT 0,
	region_code TEXT NOT NULL,
	rule_key TEXT NOT NULL,
	rule_label TEXT NOT NULL,
	data_error INTEGER NOT NULL DEFAULT 0,
	explanation TEXT NOT NULL,
	evidence_json TEXT NOT NULL,
	evidence_hash TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'dispatched', 'confirmed', 'explained', 'data_error')),
	helper_id INTEGER REFERENCES helpers (id),
	dispatched_by INTEGER,
	dispatched_at TEXT,
	deadline TEXT,
	dispatch_note TEXT NOT NULL DEFAULT '',
	outcome_reason TEXT NOT NULL DEFAULT '',
	attachment_id INTEGER REFERENCES attachments (id),
	procedure_id INTEGER REFERENCES procedures (id),
	closed_by INTEGER,
	closed_at TEXT,
	prev_doubt_id INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX doubts_region ON doubts (region_code, id);
CREATE INDEX doubts_status_region ON doubts (status, region_code, id);
CREATE INDEX doubts_rule_region ON doubts (rule_key, region_code, id);
CREATE INDEX doubts_finding ON doubts (household_id, rule_key, member_id, id);
CREATE INDEX doubts_deadline ON doubts (deadline) WHERE status = 'dispatched';

-- What each run found: new, repeated (an open doubt seen again), updated (an open doubt whose
-- evidence changed) or suppressed (closed with the same evidence).
CREATE TABLE crosscheck_run_doubts (
	run_id INTEGER NOT NULL REFERENCES crosscheck_runs (id),
	doubt_id INTEGER NOT NULL REFERENCES doubts (id),
	outcome TEXT NOT NULL CHECK (outcome IN ('new', 'repeated', 'updated', 'suppressed')),
	PRIMARY KEY (run_id, doubt_id)
);
